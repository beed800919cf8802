//! Signing in: sessions, lockout per account and address, throttling per address, unlock,
//! logout, idle timeout, disabling.

use crate::both_engines;
use crate::support::*;

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| {
            v.starts_with("__Host-triad_session=") && !v.starts_with("__Host-triad_session=;")
        })
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

both_engines!(
    a_good_password_opens_a_hardened_session,
    |app: TestApp| async move {
        let r = app.sign_in("principal", PASSWORD, "10.0.0.1").await;
        assert_eq!(r.status(), 303);
        let raw = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        for attr in [
            "__Host-triad_session=",
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
        ] {
            assert!(raw.contains(attr), "cookie lacks {attr}: {raw}");
        }
        let cookie = session_cookie(&r).unwrap();
        let home = app
            .http
            .get(app.url("/"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains("Home High"));
        assert_eq!(app.audit_count("auth.login.success", "ok").await, 1);
    }
);

both_engines!(
    a_wrong_password_is_refused_and_audited,
    |app: TestApp| async move {
        let r = app
            .sign_in("principal", "not the password at all", "10.0.0.1")
            .await;
        assert_eq!(r.status(), 401);
        assert!(session_cookie(&r).is_none());
        assert!(r.text().await.unwrap().contains("not right"));
        let r = app.sign_in("nobody-here", PASSWORD, "10.0.0.1").await;
        assert_eq!(r.status(), 401);
        assert_eq!(app.audit_count("auth.login.failure", "failed").await, 2);
    }
);

both_engines!(
    five_failures_lock_the_account_for_that_address_only,
    |app: TestApp| async move {
        for _ in 0..5 {
            assert_eq!(
                app.sign_in("sro", "wrong wrong wrong", "10.0.0.66")
                    .await
                    .status(),
                401
            );
        }
        // The right password from the stranger's address is refused: the account is locked there.
        // It answers like a wrong password, so a stranger does not learn the name exists.
        let r = app.sign_in("sro", PASSWORD, "10.0.0.66").await;
        assert_eq!(r.status(), 401);
        assert!(session_cookie(&r).is_none());
        // The officer, from the school's own address, still gets in.
        let r = app.sign_in("sro", PASSWORD, "10.1.1.1").await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.audit_count("auth.lock", "denied").await, 1);
        // The lock shows on the administrators' page, and an administrator lifts it at once.
        let admin = app.session("admin").await;
        let page = app.get("/admin/users", &admin).await.text().await.unwrap();
        assert!(page.contains("locked until"));
        let sro = app.user("sro").to_string();
        let r = app
            .post_form(&format!("/admin/users/{sro}/unlock"), &admin, &[])
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(
            app.sign_in("sro", PASSWORD, "10.0.0.66").await.status(),
            303
        );
    }
);

both_engines!(
    locks_expire_and_grow_on_repetition,
    |app: TestApp| async move {
        for _ in 0..5 {
            app.sign_in("staff", "wrong wrong wrong", "10.0.0.7").await;
        }
        assert_eq!(
            app.sign_in("staff", PASSWORD, "10.0.0.7").await.status(),
            401
        );
        app.clock.advance_minutes(16);
        assert_eq!(
            app.sign_in("staff", PASSWORD, "10.0.0.7").await.status(),
            303
        );
        for _ in 0..5 {
            app.sign_in("staff", "wrong wrong wrong", "10.0.0.7").await;
        }
        // The second lock in a day lasts 30 minutes.
        app.clock.advance_minutes(16);
        assert_eq!(
            app.sign_in("staff", PASSWORD, "10.0.0.7").await.status(),
            401
        );
        app.clock.advance_minutes(15);
        assert_eq!(
            app.sign_in("staff", PASSWORD, "10.0.0.7").await.status(),
            303
        );
    }
);

both_engines!(
    an_address_that_keeps_failing_is_throttled,
    |app: TestApp| async move {
        let names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"];
        for n in names {
            assert_eq!(
                app.sign_in(n, "whatever whatever", "10.9.9.9")
                    .await
                    .status(),
                401
            );
        }
        let r = app.sign_in("principal", PASSWORD, "10.9.9.9").await;
        assert_eq!(r.status(), 429);
        assert_eq!(
            app.sign_in("principal", PASSWORD, "10.9.9.10")
                .await
                .status(),
            303
        );
    }
);

both_engines!(logout_ends_the_session, |app: TestApp| async move {
    let s = app.session("director").await;
    assert_eq!(app.get("/", &s).await.status(), 200);
    let r = app.post_form("/logout", &s, &[]).await;
    assert_eq!(r.status(), 303);
    let after = app.get("/", &s).await;
    assert_eq!(after.status(), 303);
    assert!(after
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("/login"));
});

both_engines!(
    signing_out_everywhere_ends_every_session_of_that_person_only,
    |app: TestApp| async move {
        // The principal on a phone and a laptop, the director on theirs; the principal also
        // has an API token.
        let phone = app.session("principal").await;
        let laptop = app.session("principal").await;
        let other = app.session("director").await;
        let token = app.token("principal").await;
        for s in [&phone, &laptop, &other] {
            assert_eq!(app.get("/", s).await.status(), 200);
        }
        // A form without its token is refused and ends nothing.
        let r = app
            .http
            .post(app.url("/account/sign-out-everywhere"))
            .header("cookie", laptop.cookie.clone())
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
        assert_eq!(app.get("/", &phone).await.status(), 200);

        let r = app
            .post_form("/account/sign-out-everywhere", &laptop, &[])
            .await;
        assert_eq!(r.status(), 303);
        assert!(r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login")));
        for s in [&phone, &laptop] {
            let after = app.get("/", s).await;
            assert_eq!(after.status(), 303, "a session of the principal survived");
        }
        assert_eq!(app.get("/", &other).await.status(), 200);
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
        assert_eq!(app.audit_count("auth.sign_out_everywhere", "ok").await, 1);
        // The account page offers it.
        let fresh = app.session("principal").await;
        let html = app.get("/account", &fresh).await.text().await.unwrap();
        assert!(
            html.contains("action=\"/account/sign-out-everywhere\""),
            "{html}"
        );
    }
);

both_engines!(
    sessions_end_when_idle_for_thirty_minutes,
    |app: TestApp| async move {
        let s = app.session("principal").await;
        app.clock.advance_minutes(29);
        assert_eq!(app.get("/", &s).await.status(), 200);
        app.clock.advance_minutes(31);
        assert_eq!(app.get("/", &s).await.status(), 303);
    }
);

both_engines!(
    disabling_a_user_ends_their_sessions_and_tokens,
    |app: TestApp| async move {
        let victim = app.session("victim").await;
        let token = app.token("victim").await;
        assert_eq!(app.get("/", &victim).await.status(), 200);
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
        let admin = app.session("admin").await;
        let id = app.user("victim").to_string();
        assert_eq!(
            app.post_form(&format!("/admin/users/{id}/disable"), &admin, &[])
                .await
                .status(),
            303
        );
        assert_eq!(app.get("/", &victim).await.status(), 303);
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 401);
        assert_eq!(
            app.sign_in("victim", PASSWORD, "10.0.0.1").await.status(),
            401
        );
    }
);

both_engines!(
    a_second_factor_is_enrolled_and_then_required,
    |app: TestApp| async move {
        let s = app.session("director").await;
        let banner = "protect your account";
        let home = app.get("/", &s).await.text().await.unwrap();
        assert!(
            home.contains(banner),
            "a district leader is asked to set one up"
        );
        let (_, recovery) = app.enrol_second_factor(&s).await;
        assert_eq!(recovery.len(), 10);
        let home = app.get("/", &s).await.text().await.unwrap();
        assert!(!home.contains(banner), "and no longer once it is set up");
        // A password alone no longer opens a session.
        let r = app.sign_in("director", PASSWORD, "10.0.0.1").await;
        assert!(r
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/login/second-factor"));
        let cookie = session_cookie(&r).unwrap();
        assert_eq!(
            app.http
                .get(app.url("/"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
        let wrong = app
            .http
            .post(app.url("/login/second-factor"))
            .header("cookie", &cookie)
            .form(&[("code", "000000"), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let ok = app
            .http
            .post(app.url("/login/second-factor"))
            .header("cookie", &cookie)
            .form(&[("code", recovery[0].as_str()), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 303);
        assert_eq!(
            app.http
                .get(app.url("/"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_can_require_a_second_factor_for_officers_and_administrators() {
    let config = triad_web::WebConfig {
        behind_tls_proxy: true,
        require_second_factor: true,
        ..Default::default()
    };
    let app = TestApp::start_with(Engine::Sqlite, config).await;
    let sro = app.session("sro").await;
    let r = app.get("/", &sro).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").unwrap(),
        "/account/second-factor"
    );
    assert_eq!(app.get("/account/second-factor", &sro).await.status(), 200);
    let token = app.token("sro").await;
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 403);
    // Staff handle no sensitive records: the policy leaves them be.
    let staff = app.session("staff").await;
    assert_eq!(app.get("/", &staff).await.status(), 200);
}

/// Gives an account a second factor with a secret the test knows.
async fn with_second_factor(app: &TestApp, who: &str) -> String {
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_string();
    let mut tx = app.db.begin().await.unwrap();
    triad_store::auth::set_totp_secret(&mut tx, app.user(who), Some(&secret), true)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    secret
}

async fn send_code(app: &TestApp, cookie: &str, code: &str, from: &str) -> reqwest::Response {
    app.http
        .post(app.url("/login/second-factor"))
        .header("cookie", cookie)
        .header("x-forwarded-for", from)
        .form(&[("code", code), ("next", "/")])
        .send()
        .await
        .unwrap()
}

async fn pending_sign_in(app: &TestApp, who: &str, from: &str) -> String {
    let r = app.sign_in(who, PASSWORD, from).await;
    assert_eq!(r.status(), 303);
    session_cookie(&r).unwrap()
}

both_engines!(
    wrong_codes_end_the_sign_in_and_count_like_wrong_passwords,
    |app: TestApp| async move {
        let secret = with_second_factor(&app, "director").await;
        let cookie = pending_sign_in(&app, "director", "10.0.0.40").await;
        let now = app.clock_now().millis() / 1000;
        // Codes of steps well outside the accepted window: wrong for certain.
        for n in 1..=4 {
            let wrong = totp_at(&secret, now + 600 * n);
            let r = send_code(&app, &cookie, &wrong, "10.0.0.40").await;
            assert_eq!(r.status(), 401, "wrong code {n}");
        }
        let fifth = send_code(&app, &cookie, &totp_at(&secret, now - 900), "10.0.0.40").await;
        assert_eq!(fifth.status(), 401);
        assert!(
            fifth
                .text()
                .await
                .unwrap()
                .contains("This sign-in has ended"),
            "the fifth wrong code ends the sign-in"
        );
        // The right code no longer opens this pending sign-in.
        let right = send_code(&app, &cookie, &totp_at(&secret, now), "10.0.0.40").await;
        assert_eq!(right.status(), 303);
        assert!(
            right.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login"),
            "back to the password"
        );
        assert_eq!(
            app.http
                .get(app.url("/"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "nothing was signed in"
        );
        assert_eq!(
            app.audit_count("auth.second_factor.failure", "failed")
                .await,
            5
        );
        assert_eq!(
            app.audit_count("auth.second_factor.ended", "denied").await,
            1
        );
        // Five wrong codes lock the account at that address, like five wrong passwords.
        assert_eq!(app.audit_count("auth.lock", "denied").await, 1);
        let again = app.sign_in("director", PASSWORD, "10.0.0.40").await;
        assert_eq!(again.status(), 401, "locked at that address");
        // From the office the password still works, and then the current code.
        let office = pending_sign_in(&app, "director", "10.1.1.1").await;
        let ok = send_code(&app, &office, &totp_at(&secret, now), "10.1.1.1").await;
        assert_eq!(ok.status(), 303);
    }
);

both_engines!(a_code_signs_in_once, |app: TestApp| async move {
    let secret = with_second_factor(&app, "director").await;
    let now = app.clock_now().millis() / 1000;
    let code = totp_at(&secret, now);
    let here = pending_sign_in(&app, "director", "10.0.0.41").await;
    let there = pending_sign_in(&app, "director", "10.0.0.42").await;
    assert_eq!(
        send_code(&app, &here, &code, "10.0.0.41").await.status(),
        303
    );
    // The same code from another address, within the same 30 seconds: refused.
    assert_eq!(
        send_code(&app, &there, &code, "10.0.0.42").await.status(),
        401
    );
    // And so is the code of the step before, still inside the window for clock drift.
    let earlier = totp_at(&secret, now - 30);
    if earlier != code {
        assert_eq!(
            send_code(&app, &there, &earlier, "10.0.0.42")
                .await
                .status(),
            401
        );
    }
    // The next step's code is taken.
    app.clock.advance_minutes(1);
    let later = totp_at(&secret, app.clock_now().millis() / 1000);
    assert_eq!(
        send_code(&app, &there, &later, "10.0.0.42").await.status(),
        303
    );
});

both_engines!(
    a_locked_account_reads_like_a_name_that_does_not_exist,
    |app: TestApp| async move {
        for _ in 0..5 {
            app.sign_in("sro", "wrong wrong wrong", "10.0.0.43").await;
        }
        assert_eq!(app.audit_count("auth.lock", "denied").await, 1);
        let locked = app.sign_in("sro", PASSWORD, "10.0.0.43").await;
        let unknown = app.sign_in("srx", PASSWORD, "10.0.0.43").await;
        assert_eq!(locked.status(), unknown.status());
        assert_eq!(locked.status(), 401);
        // The page echoes the name typed; past that, the two answers are the same bytes.
        let locked = locked.text().await.unwrap().replace("\"sro\"", "\"NAME\"");
        let unknown = unknown.text().await.unwrap().replace("\"srx\"", "\"NAME\"");
        assert_eq!(locked, unknown);
        // The lock is on the audit trail and the Users page, not told to the stranger.
        assert_eq!(app.audit_count("auth.login.locked", "denied").await, 1);
        let admin = app.session("admin").await;
        let page = app.get("/admin/users", &admin).await.text().await.unwrap();
        assert!(page.contains("locked until"));
    }
);

both_engines!(
    after_sign_in_only_a_path_of_this_site_is_followed,
    |app: TestApp| async move {
        for next in [
            "/\t/example.org",
            "/\n/example.org",
            "//example.org",
            "/\\example.org",
            "https://example.org",
        ] {
            let r = app
                .http
                .post(app.url("/login"))
                .header("x-forwarded-for", "10.0.0.44")
                .form(&[
                    ("username", "staff"),
                    ("password", PASSWORD),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{next:?}");
            assert_eq!(r.headers()["location"], "/", "{next:?}");
        }
        // Percent-encoded control characters in the sign-in page's query: a page, never a 500.
        for query in [
            "next=/%0A/example.org",
            "next=/%09/example.org",
            "next=%2F%2Fexample.org",
        ] {
            let r = app
                .http
                .get(app.url(&format!("/login?{query}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{query}");
            assert!(!r.text().await.unwrap().contains("example.org"), "{query}");
        }
    }
);

both_engines!(
    no_one_grants_a_role_to_themself_and_leaders_hear_of_grants,
    |app: TestApp| async move {
        let token = app.token("admin").await;
        let admin = app.user("admin");
        let district = app.world.district;
        let to_self =
            serde_json::json!({"role": "district_leader", "scope": format!("district:{district}")});
        let r = app
            .api_post(
                &token,
                &format!("/api/v1/users/{admin}/grants"),
                to_self.clone(),
            )
            .await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("themself"));
        assert_eq!(app.audit_count("account.grant", "denied").await, 1);
        assert_eq!(app.audit_count("account.grant", "ok").await, 0);
        // The admin still cannot read what the role would have opened.
        let page = app
            .get("/", &app.session("admin").await)
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("District leader"), "no role was added");
        // A grant to someone else goes through, and the district's leader hears of it.
        let staff = app.user("staff");
        let r = app
            .api_post(&token, &format!("/api/v1/users/{staff}/grants"), to_self)
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        let home = app
            .get("/", &app.session("director").await)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("gave Test staff the role District leader for your district"),
            "{home}"
        );
    }
);

both_engines!(
    a_burst_of_codes_gets_no_more_than_five_checks,
    |app: TestApp| async move {
        let secret = with_second_factor(&app, "director").await;
        let cookie = pending_sign_in(&app, "director", "10.0.0.60").await;
        let now = app.clock_now().millis() / 1000;
        let guesses: Vec<String> = (1..=12).map(|n| totp_at(&secret, now + 900 * n)).collect();
        let answers = futures_util::future::join_all(
            guesses
                .iter()
                .map(|code| send_code(&app, &cookie, code, "10.0.0.60")),
        )
        .await;
        assert!(answers.iter().all(|r| r.status() != 500));
        assert!(
            app.audit_count("auth.second_factor.failure", "failed")
                .await
                <= 5,
            "no more than five codes were checked"
        );
        // The sign-in is over: even the right code does not complete it.
        let right = send_code(&app, &cookie, &totp_at(&secret, now), "10.0.0.60").await;
        let went = right
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap_or_default().to_string());
        assert_ne!(went.as_deref(), Some("/"), "the right code came too late");
        assert_eq!(
            app.http
                .get(app.url("/"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "nothing was signed in"
        );
    }
);
