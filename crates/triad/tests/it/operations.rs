//! Lockdowns over real HTTP: unequal authority refused with the reason, a sweep before the
//! all clear, the school's own lift with responsibility accepted, stale pages refused, and
//! the status reaching open pages live — across two server instances on one PostgreSQL.

use crate::both_engines;
use crate::support::*;
use serde_json::{json, Value};
use std::time::Duration;

fn status_path(app: &TestApp) -> String {
    format!("/api/v1/campuses/{}/status", app.world.campus)
}

pub(crate) async fn act(app: &TestApp, who: &str, body: Value) -> reqwest::Response {
    let token = app.token(who).await;
    app.api_post(&token, &status_path(app), body).await
}

async fn reason(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 409);
    r.text().await.unwrap()
}

both_engines!(
    only_a_sworn_officer_clears_a_lockdown_after_a_sweep,
    |app: TestApp| async move {
        let r = act(
            &app,
            "principal",
            json!({"action": "lockdown", "version": "0"}),
        )
        .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["status"], "lockdown");
        let v = s["version"].as_i64().unwrap().to_string();
        let denials = app.audit_count("operations.", "denied").await;
        assert!(
            reason(act(&app, "sso", json!({"action": "lockdown", "version": v})).await)
                .await
                .contains("already in force")
        );
        assert!(
            reason(act(&app, "sso", json!({"action": "all_clear", "version": "0"})).await)
                .await
                .contains("changed since this page was shown")
        );
        assert!(
            reason(act(&app, "sso", json!({"action": "all_clear", "version": v})).await)
                .await
                .contains("sworn officer")
        );
        assert!(
            reason(act(&app, "sro", json!({"action": "all_clear", "version": v})).await)
                .await
                .contains("record the sweep")
        );
        assert_eq!(
            app.audit_count("operations.", "denied").await,
            denials + 4,
            "refusals are on the audit trail"
        );
        let no_areas = act(&app, "sro", json!({"action": "sweep", "version": v})).await;
        assert_eq!(no_areas.status(), 422);
        let swept: Value = act(&app, "sro", json!({"action": "sweep", "version": v, "areas": "Gym, east wing, fields", "responders": "Deputy Lane (county)"})).await.json().await.unwrap();
        let v = swept["version"].as_i64().unwrap().to_string();
        let clear: Value = act(&app, "sro", json!({"action": "all_clear", "version": v}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(clear["status"], "normal");
        let event = &clear["recent"][0];
        let steps: Vec<&str> = event["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["action"].as_str().unwrap())
            .collect();
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(event["timeline"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("Deputy Lane"));
        assert_eq!(event["responsibility_accepted"], false);
    }
);

both_engines!(
    a_school_lifts_its_own_lockdown_only_by_accepting_responsibility,
    |app: TestApp| async move {
        let s: Value = act(&app, "sso", json!({"action": "lockdown", "version": "0"}))
            .await
            .json()
            .await
            .unwrap();
        let v = s["version"].as_i64().unwrap().to_string();
        assert!(reason(
            act(
                &app,
                "principal",
                json!({"action": "school_lift", "version": v})
            )
            .await
        )
        .await
        .contains("in so many words"));
        assert!(reason(
            act(
                &app,
                "sso",
                json!({"action": "school_lift", "version": v, "accept_responsibility": true})
            )
            .await
        )
        .await
        .contains("campus administrator"));
        let lifted: Value = act(
            &app,
            "principal",
            json!({"action": "school_lift", "version": v, "accept_responsibility": true}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(lifted["status"], "normal");
        let event = lifted["recent"][0].clone();
        assert_eq!(event["responsibility_accepted"], true);
        let page = app
            .get(
                &format!("/campus-events/{}", event["id"].as_str().unwrap()),
                &app.session("director").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("accepted responsibility"), "{page}");
    }
);

/// Reads Server-Sent Events until one carries `wanted`, or gives up after `within`.
pub(crate) async fn wait_for(
    stream: &mut reqwest::Response,
    wanted: &str,
    within: Duration,
) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = String::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, stream.chunk()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        if seen.contains(wanted) {
            return true;
        }
    }
    false
}

async fn listen(app: &TestApp, base: &str, who: &str) -> reqwest::Response {
    let path = format!("{base}/campuses/{}/live", app.world.campus);
    listen_to(app, &path, who).await
}

/// Opens a live stream (a campus's or a district's) as a signed-in person.
pub(crate) async fn listen_to(app: &TestApp, url: &str, who: &str) -> reqwest::Response {
    let s = app.session(who).await;
    let r = app
        .http
        .get(url)
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r
}

both_engines!(open_pages_hear_a_lockdown_live, |app: TestApp| async move {
    let mut stream = listen(&app, &app.base, "staff").await;
    assert!(
        wait_for(
            &mut stream,
            "\"status\":\"normal\"",
            crate::support::PATIENCE
        )
        .await,
        "the current status comes first"
    );
    act(
        &app,
        "principal",
        json!({"action": "lockdown", "version": "0"}),
    )
    .await;
    assert!(
        wait_for(
            &mut stream,
            "\"status\":\"lockdown\"",
            crate::support::PATIENCE
        )
        .await,
        "the lockdown arrives without reloading"
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockdown_crosses_server_instances_on_one_postgresql() {
    let app = TestApp::start(Engine::Postgres).await;
    let second = app.second_instance().await;
    let mut stream = listen(&app, &second, "sso").await;
    assert!(
        wait_for(
            &mut stream,
            "\"status\":\"normal\"",
            crate::support::PATIENCE
        )
        .await
    );
    // Called on the first instance, heard on the second.
    act(
        &app,
        "principal",
        json!({"action": "lockdown", "version": "0"}),
    )
    .await;
    assert!(
        wait_for(
            &mut stream,
            "\"status\":\"lockdown\"",
            crate::support::PATIENCE
        )
        .await
    );
}

/// A possible banned person at the front desk reaches the open pages of the campus's
/// administrators served by another instance; a teacher on the same campus is not told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_match_notice_crosses_instances_to_its_recipients_only() {
    let app = TestApp::start(Engine::Postgres).await;
    let second = app.second_instance().await;
    let mut principal = listen_to(&app, &format!("{second}/live"), "principal").await;
    let mut teacher = listen_to(&app, &format!("{second}/live"), "staff").await;
    for stream in [&mut principal, &mut teacher] {
        assert!(wait_for(stream, "event: snapshot", crate::support::PATIENCE).await);
    }
    let sso = app.token("sso").await;
    let out = format!("/api/v1/visitors/{}/sign-out", app.world.visitor);
    assert_eq!(app.api_post(&sso, &out, json!({})).await.status(), 200);
    let path = format!("/api/v1/campuses/{}/visitors", app.world.campus);
    let bob = json!({
        "given_name": "Bob", "family_name": "Smith", "birth_date": "1980-04-02",
        "id_type": "drivers_license", "id_last_four": "7731",
        "purpose": "Pick-up", "host": "Front office"
    });
    assert_eq!(app.api_post(&sso, &path, bob).await.status(), 201);
    let mut told = String::new();
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while !told.contains("Possible banned person") {
        let chunk = tokio::time::timeout_at(deadline, principal.chunk()).await;
        let Ok(Ok(Some(chunk))) = chunk else {
            panic!("the principal was not told: {told}");
        };
        told.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(told.contains("event: notice"), "{told}");
    assert!(
        !told.contains("recipients"),
        "whom else it was for is not sent"
    );
    // The teacher's stream carries the lockdown called after it, and nothing before it.
    act(
        &app,
        "principal",
        json!({"action": "lockdown", "version": "0"}),
    )
    .await;
    let mut heard = String::new();
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while !heard.contains("\"status\":\"lockdown\"") {
        let chunk = tokio::time::timeout_at(deadline, teacher.chunk()).await;
        let Ok(Ok(Some(chunk))) = chunk else {
            panic!("the teacher never heard the lockdown: {heard}");
        };
        heard.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!heard.contains("event: notice"), "{heard}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockdown_called_while_a_listener_was_cut_off_reaches_its_open_pages() {
    let app = TestApp::start(Engine::Postgres).await;
    let (second, second_db, second_hub) = app.second_instance_parts().await;
    second_hub.wait_listening().await;
    let ready = app
        .http
        .get(format!("{second}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let mut stream = listen(&app, &second, "sso").await;
    assert!(
        wait_for(
            &mut stream,
            "\"status\":\"normal\"",
            crate::support::PATIENCE
        )
        .await
    );
    // The second instance's listener is cut off, and held down while the lockdown is called.
    let down = second_db
        .hooks()
        .pause_at(triad_store::hooks::LISTENER_RECONNECT);
    app.raw(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE query LIKE 'LISTEN%' AND datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await
    .unwrap();
    down.reached().await;
    let not_ready = app
        .http
        .get(format!("{second}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        not_ready.status(),
        503,
        "not ready while it may miss changes"
    );
    act(
        &app,
        "principal",
        json!({"action": "lockdown", "version": "0"}),
    )
    .await;
    down.go();
    second_hub.wait_listening().await;
    assert!(
        wait_for(
            &mut stream,
            "\"status\":\"lockdown\"",
            crate::support::PATIENCE
        )
        .await,
        "the page open on the instance that was cut off shows the lockdown"
    );
    let ready = app
        .http
        .get(format!("{second}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
}

// A browser's pages share one stream, and the server bounds what one session may hold: a
// client opening a hundred streams closes its own oldest (told so, so it does not reconnect),
// never the server's capacity. Streams of campuses the person may not see are not found.
both_engines!(
    live_streams_stay_within_their_bounds,
    |app: TestApp| async move {
        let s = app.session("staff").await;
        let open = |path: String| {
            let app = &app;
            let cookie = s.cookie.clone();
            async move {
                app.http
                    .get(app.url(&path))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
            }
        };
        // The person's stream starts with a snapshot of their campus.
        let mut first = open("/live".into()).await;
        assert_eq!(first.status(), 200);
        let campus = app.world.campus.to_string();
        assert!(
            wait_for(&mut first, "event: snapshot", crate::support::PATIENCE).await,
            "a snapshot first"
        );
        let mut held = Vec::new();
        for _ in 0..100 {
            let r = open("/live".into()).await;
            assert_eq!(r.status(), 200);
            held.push(r);
        }
        assert_eq!(
            app.live.streams_open(),
            triad_web::live::STREAMS_PER_HOLDER,
            "one session holds at most the bound"
        );
        assert!(
            wait_for(&mut first, "data: superseded", crate::support::PATIENCE).await,
            "the oldest stream is told it gave way"
        );
        // A campus the person may not see, and one that does not exist: the same 404.
        for path in [
            format!("/campuses/{}/live", app.world.other_campus),
            format!("/campuses/{}/live", triad_domain::Id::new()),
            "/campuses/not-an-id/live".to_string(),
        ] {
            assert_eq!(open(path.clone()).await.status(), 404, "{path}");
        }
        // The newest stream still hears a lockdown.
        let mut newest = held.pop().unwrap();
        act(
            &app,
            "principal",
            json!({"action": "lockdown", "version": "0"}),
        )
        .await;
        assert!(
            wait_for(
                &mut newest,
                &format!("\"campus_id\":\"{campus}\",\"status\":\"lockdown\""),
                crate::support::PATIENCE
            )
            .await,
            "the newest stream hears the lockdown"
        );
        // Streams dropped by their client give their place back.
        drop(held);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while app.live.streams_open() > 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "{} streams still held after their clients left",
                app.live.streams_open()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Signing out ends the session's streams.
        let t = triad_web::forms::FormToken::new(&s.csrf);
        let out = app
            .http
            .post(app.url("/logout"))
            .header("cookie", &s.cookie)
            .form(&[("_idem", t.idem), ("_csrf", t.csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        assert!(
            wait_for(&mut newest, "data: signed_out", crate::support::PATIENCE).await,
            "signing out ends the stream"
        );
        assert_eq!(app.live.streams_open(), 0);
    }
);

/// A stream outlasts no credential: a session ended elsewhere (signed out on another
/// instance, a new password) and a disabled account end their open streams at the next check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_credential_does() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        triad_web::WebConfig {
            behind_tls_proxy: true,
            live_recheck: Duration::from_millis(200),
            ..triad_web::WebConfig::default()
        },
    )
    .await;
    let s = app.session("staff").await;
    let mut stream = app
        .http
        .get(app.url("/live"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert!(wait_for(&mut stream, "event: snapshot", crate::support::PATIENCE).await);
    // The session is ended in the database, as another instance's sign-out does.
    let token_hash = s
        .cookie
        .split('=')
        .nth(1)
        .map(triad_store::auth::secret_hash)
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    triad_store::auth::delete_session(&mut tx, &token_hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        wait_for(&mut stream, "data: signed_out", crate::support::PATIENCE).await,
        "the stream ends with its session"
    );
    // A disabled account's stream ends too (streams are for pages: tokens open none).
    let mut stream = listen_to(&app, &app.url("/live"), "sso").await;
    assert!(wait_for(&mut stream, "event: snapshot", crate::support::PATIENCE).await);
    app.raw(&format!(
        "UPDATE users SET disabled = TRUE WHERE id = '{}'",
        app.user("sso")
    ))
    .await
    .unwrap();
    assert!(
        wait_for(&mut stream, "data: signed_out", crate::support::PATIENCE).await,
        "the stream ends with its account"
    );
}

both_engines!(
    a_district_names_the_states_in_its_own_words,
    |app: TestApp| async move {
        let words = format!("/districts/{}/state-words", app.world.district);
        let director = app.session("director").await;
        // A campus's administrator does not choose the district's words.
        let principal = app.session("principal").await;
        let r = app
            .post_form(&words, &principal, &[("controlled_movement_words", "Hold")])
            .await;
        assert!([403, 404].contains(&r.status().as_u16()), "{}", r.status());
        // Words that would confuse are refused, naming the field; nothing changes.
        let r = app
            .post_form(
                &words,
                &director,
                &[
                    ("controlled_movement_words", "Lockdown"),
                    ("lockdown_words", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = app
            .post_form(
                &words,
                &director,
                &[
                    ("controlled_movement_words", " Secure "),
                    ("lockdown_words", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.audit_count("org.district.state_words", "ok").await, 1);
        // The page offers the district's words; the rules are the same.
        let page = app
            .get(
                &format!("/campuses/{}/status", app.world.campus),
                &principal,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Call Secure") && page.contains("Call a lockdown"),
            "{page}"
        );
        let r = act(
            &app,
            "sso",
            json!({"action": "controlled_movement", "version": "0"}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["label"], "Secure");
        // A refusal speaks the district's words too.
        let again = act(
            &app,
            "principal",
            json!({"action": "controlled_movement", "version": s["version"].to_string()}),
        )
        .await;
        assert_eq!(again.status(), 409);
        let said = again.text().await.unwrap();
        assert!(said.contains("Secure is already in force"), "{said}");
        let stale = act(
            &app,
            "principal",
            json!({"action": "lockdown", "version": "0"}),
        )
        .await;
        let said = stale.text().await.unwrap();
        assert!(said.contains("it is now Secure"), "{said}");
        // The event's timeline reads in the district's words too.
        let first = &s["open"]["timeline"][0];
        assert_eq!(first["action"], "Call Secure", "{s}");
        assert_eq!(first["status"], "Secure", "{s}");
        let page = app
            .get(
                &format!("/districts/{}/status", app.world.district),
                &director,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Secure"),
            "the board reads the district's word: {page}"
        );
    }
);
