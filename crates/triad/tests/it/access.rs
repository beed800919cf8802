//! Who is acting, and the campuses and districts requests look up, are kept between requests
//! (see `triad_web::access`). Every change to them counts from the next request, on every
//! instance, and using a credential does not throw away what is kept.

use crate::both_engines;
use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use triad_web::forms::FormToken;

const VERSION: &str = "SELECT version FROM access_version";

both_engines!(
    changes_made_on_another_instance_count_at_the_next_request,
    |app: TestApp| async move {
        let other = app.second_instance().await;
        let admin = app.token("admin").await;
        let sro = app.token("sro").await;
        let sergeant = app.token("sergeant").await;
        let principal = app.session("principal").await;
        let sro_page = app.session("sro").await;
        let campus = app.world.campus.to_string();
        let patrol = json!({"campus_id": campus, "category": "patrol", "minutes": "30"});
        // Read once on this instance, so it keeps them.
        assert_eq!(app.api_get("/api/v1/me", &sergeant).await.status(), 200);
        assert_eq!(app.get("/", &principal).await.status(), 200);
        assert!(!app
            .get("/activity", &sro_page)
            .await
            .text()
            .await
            .unwrap()
            .contains("Renamed High"));
        assert_eq!(
            app.api_post(&sro, "/api/v1/activities", patrol.clone())
                .await
                .status(),
            201
        );

        // Writes on the other instance, each with the answer it must get.
        let elsewhere = |method: Method, path: String, token: String, body: Value, status: u16| {
            let (app, other) = (&app, &other);
            async move {
                let key = triad_domain::Id::new().to_string();
                let r = app
                    .api_send_at(other, method, &path, &token, &key, &body)
                    .await;
                assert_eq!(r.status(), status, "{path}: {}", r.text().await.unwrap());
            }
        };
        // A campus renamed elsewhere shows its new name here.
        let rename = json!({"name": "Renamed High", "level": "high"});
        elsewhere(
            Method::PUT,
            format!("/api/v1/campuses/{campus}"),
            admin.clone(),
            rename,
            200,
        )
        .await;
        let page = app.get("/activity", &sro_page).await.text().await.unwrap();
        assert!(page.contains("Renamed High"));

        // An assignment ended elsewhere: the campus is no longer the officer's to log on.
        let yesterday =
            (app.clock_now().to_datetime().date_naive() - chrono::Days::new(1)).to_string();
        let end = format!("/api/v1/assignments/{}/end", app.world.assignment);
        elsewhere(
            Method::POST,
            end,
            admin.clone(),
            json!({"ends_on": yesterday}),
            200,
        )
        .await;
        let before = app.count("activities").await;
        let refused = app
            .api_post(&sro, "/api/v1/activities", patrol)
            .await
            .status();
        assert!(refused.is_client_error(), "{refused}");
        assert_eq!(app.count("activities").await, before);

        // An account disabled elsewhere is refused here.
        let disable = format!("/api/v1/users/{}/disable", app.user("sergeant"));
        elsewhere(Method::POST, disable, admin.clone(), json!({}), 204).await;
        assert_eq!(app.api_get("/api/v1/me", &sergeant).await.status(), 401);

        // A token revoked elsewhere is refused here.
        let tokens: Value = app
            .api_get("/api/v1/tokens", &sro)
            .await
            .json()
            .await
            .unwrap();
        let revoke = format!(
            "/api/v1/tokens/{}/revoke",
            tokens[0]["id"].as_str().unwrap()
        );
        elsewhere(Method::POST, revoke, sro.clone(), json!({}), 204).await;
        assert_eq!(app.api_get("/api/v1/me", &sro).await.status(), 401);

        // A sign-out elsewhere ends the session here.
        let out = app
            .post_form_at(
                &other,
                "/logout",
                &principal,
                &[],
                &FormToken::new(&principal.csrf),
            )
            .await;
        assert_eq!(out.status(), 303);
        assert_ne!(app.get("/", &principal).await.status(), 200);
    }
);

both_engines!(
    a_home_is_kept_until_anything_is_written_on_any_instance,
    |app: TestApp| async move {
        const DATA: &str = "SELECT version FROM data_version";
        let other = app.second_instance().await;
        let principal = app.session("principal").await;
        let token = app.token("principal").await;
        let first = app.get("/", &principal).await.text().await.unwrap();
        // The test campus has one visitor signed in from the start.
        assert!(first.contains("1 visitor signed in now"), "{first}");
        // Viewing a home writes nothing, so what is kept for it stays current.
        let version = app.scalar(DATA).await;
        let again = app.get("/", &principal).await.text().await.unwrap();
        assert!(again.contains("1 visitor signed in now"), "{again}");
        assert_eq!(app.scalar(DATA).await, version, "a home view wrote");

        // A visitor signed in on the other instance shows here at the next view.
        let campus = app.world.campus;
        let key = triad_domain::Id::new().to_string();
        let r = app
            .api_send_at(
                &other,
                Method::POST,
                &format!("/api/v1/campuses/{campus}/visitors"),
                &token,
                &key,
                &json!({"given_name": "Ada", "family_name": "Caller", "birth_date": "1990-01-01",
                        "id_type": "drivers_license", "id_last_four": "7731",
                        "purpose": "Meeting", "host": "Office"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let moved = app.scalar(DATA).await;
        assert!(moved > version, "the write moved the data version");
        let after = app.get("/", &principal).await.text().await.unwrap();
        assert!(after.contains("2 visitors signed in now"), "{after}");

        // The answer kept for a retry is stored after the write, by a write of its own that no
        // page shows: it leaves kept homes alone.
        let stored = format!(
            "SELECT COUNT(*) FROM idempotency_keys WHERE key = '{key}' AND status IS NOT NULL"
        );
        let deadline = std::time::Instant::now() + PATIENCE;
        while app.scalar(&stored).await == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the answer is never stored"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(
            app.scalar(DATA).await,
            moved,
            "storing an answer moved the data version"
        );
    }
);

both_engines!(
    using_a_credential_keeps_what_is_kept,
    |app: TestApp| async move {
        let token = app.token("director").await;
        let session = app.session("principal").await;
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
        assert_eq!(app.get("/", &session).await.status(), 200);
        // The session is kept now; its secret is still no API token.
        let secret = session.cookie.split_once('=').unwrap().1;
        assert_eq!(app.api_get("/api/v1/me", secret).await.status(), 401);
        let version = app.scalar(VERSION).await;
        let data = app.scalar("SELECT version FROM data_version").await;
        // Past the minute: both uses are written down, and neither moves either version (the
        // homes kept are still current).
        app.clock.advance_minutes(2);
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
        assert_eq!(app.get("/", &session).await.status(), 200);
        let now = app.clock_now().millis();
        let used = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM api_tokens WHERE last_used_at >= {}",
                now - 60_000
            ))
            .await;
        let seen = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM sessions WHERE last_seen_at >= {}",
                now - 60_000
            ))
            .await;
        assert_eq!((used, seen), (1, 1));
        assert_eq!(app.scalar(VERSION).await, version);
        assert_eq!(app.scalar("SELECT version FROM data_version").await, data);
        // A change to what identity is read from moves it, in its own transaction.
        app.raw(&format!(
            "UPDATE people SET sworn = TRUE WHERE id = '{}'",
            app.world.officer
        ))
        .await
        .unwrap();
        assert_eq!(app.scalar(VERSION).await, version + 1);
    }
);

/// Thirty-two requests that ask at once are answered by one read, sent after all of them asked.
async fn requests_asking_together_share_one_read(app: TestApp) {
    let reads = triad_app::versions::SharedReads::new(app.db.clone());
    let direct = triad_store::auth::versions(&mut app.db.acquire().await.unwrap())
        .await
        .unwrap();
    // On a runtime of one thread, all 32 ask before the read is sent.
    let answers = futures_util::future::join_all((0..32).map(|_| reads.read())).await;
    assert!(answers.iter().all(|a| a.as_ref().ok() == Some(&direct)));
    assert_eq!(reads.sent(), 1);
    // One that asks alone afterwards gets a read of its own.
    assert_eq!(reads.read().await.unwrap(), direct);
    assert_eq!(reads.sent(), 2);
}

#[tokio::test]
async fn requests_asking_together_share_one_read_sqlite() {
    requests_asking_together_share_one_read(TestApp::start(Engine::Sqlite).await).await;
}

#[tokio::test]
async fn requests_asking_together_share_one_read_postgres() {
    requests_asking_together_share_one_read(TestApp::start(Engine::Postgres).await).await;
}

both_engines!(
    a_shared_read_of_the_versions_sees_every_change_committed_before_it_was_asked,
    |app: TestApp| async move {
        // Readers ask without pause while changes are committed: a read already on its way
        // when a change commits must never answer a request that asked after the commit.
        let reads = triad_app::versions::SharedReads::new(app.db.clone());
        let committed = Arc::new(AtomicI64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (reads, committed, done) = (reads.clone(), committed.clone(), done.clone());
                tokio::spawn(async move {
                    let mut asked = 0;
                    while !done.load(Ordering::SeqCst) {
                        let floor = committed.load(Ordering::SeqCst);
                        let seen = reads.read().await.expect("read").access;
                        assert!(seen >= floor, "read {seen} after {floor} was committed");
                        asked += 1;
                    }
                    asked
                })
            })
            .collect();
        let first = app.scalar(VERSION).await;
        for _ in 0..150 {
            app.raw(&format!(
                "UPDATE people SET sworn = NOT sworn WHERE id = '{}'",
                app.world.officer
            ))
            .await
            .unwrap();
            committed.store(app.scalar(VERSION).await, Ordering::SeqCst);
        }
        done.store(true, Ordering::SeqCst);
        let mut asked = 0;
        for reader in readers {
            asked += reader.await.expect("a reader failed");
        }
        assert_eq!(app.scalar(VERSION).await, first + 150);
        // The readers shared reads, and more were asked than were sent.
        assert!(
            asked > 150 && reads.sent() < asked,
            "{} sent for {asked}",
            reads.sent()
        );
    }
);
