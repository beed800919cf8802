//! Choosing a new password by email, received by a real SMTP sink: the link works once and
//! for 30 minutes, ends every session, and tells a stranger nothing of which addresses have
//! accounts; the limits per address, per account and per network address hold.

use crate::sinks::{app_with_mail as start, unfolded, PUBLIC};
use crate::support::*;

const NEW_PASSWORD: &str = "copper kettle under the maple";

/// Asks for a link from a network address, with a Host header of someone else's site (which
/// must never make the link).
async fn ask(app: &TestApp, email: &str, from: &str) -> (u16, String) {
    let r = app
        .http
        .post(app.url("/login/forgot"))
        .header("x-forwarded-for", from)
        .header("host", "evil.example")
        .form(&[("email", email)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The link a received message carries, as a path on the test server. The message's body is
/// quoted-printable where a line is long: its soft line breaks are taken out first.
fn link_in(message: &str) -> String {
    let message = unfolded(message);
    let start = message
        .find(&format!("{PUBLIC}/login/reset/"))
        .expect("no link at the public address");
    let link: String = message[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link[PUBLIC.len()..].to_string()
}

async fn set_password(app: &TestApp, link: &str, password: &str, confirm: &str) -> (u16, String) {
    let r = app
        .http
        .post(app.url(link))
        .form(&[("password", password), ("confirm", confirm)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn sent(app: &TestApp) -> usize {
    app.audit_count("auth.password_reset.sent", "ok").await
}

async fn a_link_by_email_sets_a_new_password_once(engine: Engine) {
    let (app, mail) = start(engine).await;
    let login = app.http.get(app.url("/login")).send().await.unwrap();
    assert!(login
        .text()
        .await
        .unwrap()
        .contains("href=\"/login/forgot\""));
    let phone = app.session("principal").await;

    let (status, known) = ask(&app, " Principal@Triad.test ", "10.0.0.5").await;
    assert_eq!(status, 200);
    assert!(known.contains("If an account uses"), "{known}");
    let message = mail
        .wait_for("/login/reset/")
        .await
        .expect("no link received");
    assert!(message.contains("principal") && !message.contains("evil.example"));
    let link = link_in(&message);
    // An address no account uses: the same answer, word for word, and no mail.
    let (status, unknown) = ask(&app, "nobody@triad.test", "10.0.0.5").await;
    assert_eq!(status, 200);
    assert_eq!(
        unknown.replace("nobody@triad.test", "X"),
        known.replace("Principal@Triad.test", "X")
    );
    assert_eq!(sent(&app).await, 1);

    let page = app.http.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("<strong>principal</strong>"));
    // A weak password or a second one that differs: said, and the link still works.
    let (status, weak) = set_password(&app, &link, "short", "short").await;
    assert_eq!(status, 422);
    assert!(weak.contains("at least 12 characters"), "{weak}");
    let (status, differs) = set_password(&app, &link, NEW_PASSWORD, "copper kettle").await;
    assert_eq!(status, 422);
    assert!(differs.contains("not the same"), "{differs}");
    assert_eq!(
        app.sign_in("principal", PASSWORD, "10.0.0.6")
            .await
            .status(),
        303
    );

    let (status, done) = set_password(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, 200);
    assert!(done.contains("Your new password is set"), "{done}");
    // Every session ended; the old password no longer works, the new one does.
    assert_eq!(app.get("/", &phone).await.status(), 303);
    assert_eq!(
        app.sign_in("principal", PASSWORD, "10.0.0.6")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in("principal", NEW_PASSWORD, "10.0.0.6")
            .await
            .status(),
        303
    );
    // Used once: the link reads nothing more and sets nothing.
    assert_eq!(
        app.http.get(app.url(&link)).send().await.unwrap().status(),
        404
    );
    let (status, again) = set_password(
        &app,
        &link,
        "a different long passphrase",
        "a different long passphrase",
    )
    .await;
    assert_eq!(status, 404);
    assert!(again.contains("used already"), "{again}");
    assert_eq!(
        app.sign_in("principal", NEW_PASSWORD, "10.0.0.6")
            .await
            .status(),
        303
    );
    assert_eq!(app.audit_count("auth.password_reset.used", "ok").await, 1);

    // Asked from another site's page: refused, nothing sent.
    let r = app
        .http
        .post(app.url("/login/forgot"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "principal@triad.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Not an address at all: said.
    let (status, bad) = ask(&app, "principal", "10.0.0.5").await;
    assert_eq!(status, 422);
    assert!(bad.contains("email address"), "{bad}");
    assert_eq!(sent(&app).await, 1);
}

async fn links_run_out_and_the_limits_hold(engine: Engine) {
    let (app, mail) = start(engine).await;
    ask(&app, "director@triad.test", "10.0.0.7").await;
    let first = link_in(&mail.wait_for("/login/reset/").await.expect("no link"));
    // Past its 30 minutes: nothing read, nothing set.
    app.clock.advance_minutes(31);
    assert_eq!(
        app.http.get(app.url(&first)).send().await.unwrap().status(),
        404
    );
    let (status, _) = set_password(&app, &first, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, 404);
    assert_eq!(
        app.sign_in("director", PASSWORD, "10.0.0.8").await.status(),
        303
    );

    // Three links an hour to one address; a fourth is answered alike and not sent.
    ask(&app, "director@triad.test", "10.0.0.9").await;
    ask(&app, "director@triad.test", "10.0.0.10").await;
    assert_eq!(sent(&app).await, 3);
    let (status, answer) = ask(&app, "director@triad.test", "10.0.0.11").await;
    assert_eq!(status, 200);
    assert!(answer.contains("If an account uses"));
    assert_eq!(sent(&app).await, 3);
    // An hour on, the address may be sent a link again.
    app.clock.advance_minutes(60);
    ask(&app, "director@triad.test", "10.0.0.12").await;
    assert_eq!(sent(&app).await, 4);

    // One network address asking about many addresses is stopped after ten requests.
    for n in 0..10 {
        ask(&app, &format!("stranger{n}@triad.test"), "10.9.9.9").await;
    }
    let (status, _) = ask(&app, "sro@triad.test", "10.9.9.9").await;
    assert_eq!(status, 200);
    assert_eq!(sent(&app).await, 4);

    // A disabled account is sent nothing.
    let admin = app.token("admin").await;
    let r = app
        .api_send(
            reqwest::Method::POST,
            &format!("/api/v1/users/{}/disable", app.user("sso")),
            &admin,
            "reset-disable",
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    ask(&app, "sso@triad.test", "10.0.0.13").await;
    assert_eq!(sent(&app).await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_by_email_sets_a_new_password_once_sqlite() {
    a_link_by_email_sets_a_new_password_once(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_by_email_sets_a_new_password_once_postgres() {
    a_link_by_email_sets_a_new_password_once(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_run_out_and_the_limits_hold_sqlite() {
    links_run_out_and_the_limits_hold(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_run_out_and_the_limits_hold_postgres() {
    links_run_out_and_the_limits_hold(Engine::Postgres).await;
}

crate::both_engines!(
    without_email_the_page_says_whom_to_ask,
    |app: TestApp| async move {
        let login = app.http.get(app.url("/login")).send().await.unwrap();
        assert!(!login.text().await.unwrap().contains("/login/forgot"));
        let page = app.http.get(app.url("/login/forgot")).send().await.unwrap();
        assert!(page.text().await.unwrap().contains("cannot send email"));
        let (status, answer) = ask(&app, "principal@triad.test", "10.0.0.5").await;
        assert_eq!(status, 200);
        assert!(answer.contains("cannot send email"));
        assert_eq!(sent(&app).await, 0);
    }
);
