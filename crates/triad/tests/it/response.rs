//! Threat response over real HTTP: the seed's checklist, contact only in pairs, the notices
//! to district leaders when police are called (by SMTP to a real mail sink and by a signed
//! webhook to a real HTTP receiver, tracked until acknowledged), the after-action review with
//! follow-ups and the CSV timeline, drills, and a district leader's live stream.

use crate::operations::{act, listen_to, wait_for};
use crate::sinks::{self, Received};
use crate::support::*;
use serde_json::{json, Value};
use triad_web::operations::NoticeConfig;
use triad_web::WebConfig;

const SECRET: &str = "a webhook secret of some length";

struct Sinks {
    mail: Received,
    hooks: Received,
}

async fn start_with_sinks(engine: Engine) -> (TestApp, Sinks) {
    let (smtp_url, mail) = sinks::mail_sink().await;
    let (webhook_url, hooks) = sinks::webhook_sink().await;
    let config = WebConfig {
        behind_tls_proxy: true,
        notices: NoticeConfig {
            smtp_url: Some(smtp_url),
            from: "Triad <triad@district.test>".into(),
            webhook_url: Some(webhook_url),
            webhook_secret: Some(SECRET.into()),
            public_url: Some("https://triad.district.test".into()),
        },
        ..WebConfig::default()
    };
    (
        TestApp::start_with(engine, config).await,
        Sinks { mail, hooks },
    )
}

async fn post(app: &TestApp, who: &str, path: &str, body: Value) -> reqwest::Response {
    let token = app.token(who).await;
    app.api_post(&token, path, body).await
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn refused(r: reqwest::Response, status: u16, words: &str) {
    assert_eq!(r.status(), status);
    let text = r.text().await.unwrap();
    assert!(text.contains(words), "{text}");
}

fn step<'a>(event: &'a Value, code: &str) -> &'a Value {
    event["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == code)
        .unwrap()
}

/// The header value of a request the webhook sink kept.
fn header<'a>(request: &'a str, name: &str) -> &'a str {
    request
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(str::trim)
        .unwrap_or_default()
}

async fn threat_response(engine: Engine) {
    let (app, sinks) = start_with_sinks(engine).await;
    let reported = act(&app, "sso", json!({"action": "threat", "version": "0"})).await;
    refused(reported, 422, "what was seen or reported").await;
    let s = ok(act(
        &app,
        "sso",
        json!({"action": "threat", "version": "0", "threat": "Adult with a bat near the east fence"}),
    )
    .await)
    .await;
    assert_eq!(
        s["status"], "controlled_movement",
        "a threat places controlled movement"
    );
    let event_id = s["open"]["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/campus-events/{event_id}");
    let e = &s["open"];
    assert!(step(e, "controlled_movement")["done_at"].is_string());
    assert!(step(e, "police_called")["done_at"].is_null());

    let steps = format!("{base}/steps");
    // The event's page offers the SSO, by name, the partners who make a pair with them: the
    // SRO and the administrator, not themself, not a teacher.
    let page = app
        .get(
            &format!("/campus-events/{event_id}"),
            &app.session("sso").await,
        )
        .await
        .text()
        .await
        .unwrap();
    let partners = page
        .split("(who goes with you)")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_default()
        .to_string();
    assert!(
        partners.contains(">Test sro<") && partners.contains(">Test principal<"),
        "{partners}"
    );
    assert!(
        !partners.contains(">Test sso<") && !partners.contains(">Test staff<"),
        "{partners}"
    );
    refused(
        post(&app, "sso", &steps, json!({"step": "contact_in_pairs"})).await,
        422,
        "never alone",
    )
    .await;
    refused(
        post(
            &app,
            "sso",
            &steps,
            json!({"step": "contact_in_pairs", "partner": "staff"}),
        )
        .await,
        422,
        "SRO & SSO",
    )
    .await;
    refused(
        post(&app, "sso", &steps, json!({"step": "leaders_notified"})).await,
        422,
        "ticks this step itself",
    )
    .await;
    let e = ok(post(
        &app,
        "sso",
        &steps,
        json!({"step": "contact_in_pairs", "partner": "principal"}),
    )
    .await)
    .await;
    assert!(step(&e, "contact_in_pairs")["done_at"].is_string());
    assert_eq!(
        app.count("campus_event_notices").await,
        2,
        "only the fixtures' notices so far"
    );

    let e = ok(post(
        &app,
        "sro",
        &steps,
        json!({"step": "police_called", "note": "County SO, two units"}),
    )
    .await)
    .await;
    assert!(step(&e, "leaders_notified")["done_at"].is_string());
    let notices = e["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "the one district leader: {notices:?}");
    assert_eq!(notices[0]["recipient"], "Test director");
    refused(
        post(&app, "sro", &steps, json!({"step": "police_called"})).await,
        409,
        "already ticked",
    )
    .await;

    // Out of Triad: an email through SMTP and a webhook signed with the shared secret.
    let mail = sinks
        .mail
        .wait_for("director@triad.test")
        .await
        .expect("the email reaches the mail sink")
        // Undo quoted-printable's soft line breaks.
        .replace("=\n", "");
    assert!(mail.contains("Police or sheriff called to"), "{mail}");
    assert!(
        mail.contains("The campus is under controlled movement."),
        "{mail}"
    );
    assert!(
        mail.contains(&format!(
            "https://triad.district.test/campus-events/{event_id}"
        )),
        "{mail}"
    );
    let hook = sinks
        .hooks
        .wait_for(&event_id)
        .await
        .expect("the webhook reaches the receiver");
    let (head, body) = hook.split_once("\n\n").unwrap();
    let signature = header(head, "x-triad-signature");
    let t: i64 = signature
        .strip_prefix("t=")
        .and_then(|s| s.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        signature,
        triad_web::operations::webhook_signature(SECRET, t, body.as_bytes()),
        "the receiver can check the signature"
    );
    assert_ne!(
        signature,
        triad_web::operations::webhook_signature("forged", t, body.as_bytes())
    );

    // Tracked until acknowledged, by the person notified only.
    let notice = notices[0]["id"].as_str().unwrap();
    let ack = format!("/api/v1/notices/{notice}/acknowledge");
    refused(
        post(&app, "principal", &ack, json!({})).await,
        403,
        "only the person notified",
    )
    .await;
    let seen: Value = ok(app.api_get(&base, &app.token("director").await).await).await;
    assert_eq!(seen["notices"][0]["yours_to_acknowledge"], true);
    let e = ok(post(&app, "director", &ack, json!({})).await).await;
    assert!(e["notices"][0]["acknowledged_at"].is_string());
    assert!(
        e["notices"][0]["delivery"]
            .as_str()
            .unwrap()
            .contains("emailed"),
        "{}",
        e["notices"][0]
    );
    refused(
        post(&app, "director", &ack, json!({})).await,
        409,
        "already acknowledged",
    )
    .await;

    // The after-action review waits for the end of the event.
    let notes = format!("{base}/notes");
    refused(
        post(
            &app,
            "principal",
            &notes,
            json!({"kind": "after_action", "body": "x"}),
        )
        .await,
        409,
        "once the event is over",
    )
    .await;
    ok(post(
        &app,
        "principal",
        &notes,
        json!({"kind": "note", "body": "=HYPERLINK(\"http://x\") parents calling the office"}),
    )
    .await)
    .await;
    let now: Value = ok(app
        .api_get(
            &format!("/api/v1/campuses/{}/status", app.world.campus),
            &app.token("sro").await,
        )
        .await)
    .await;
    let version = now["version"].as_i64().unwrap().to_string();
    ok(act(
        &app,
        "sro",
        json!({"action": "end_controlled_movement", "version": version}),
    )
    .await)
    .await;
    refused(
        post(&app, "sso", &steps, json!({"step": "extra_eyes"})).await,
        409,
        "the event is over",
    )
    .await;
    ok(post(
        &app,
        "principal",
        &notes,
        json!({"kind": "after_action", "body": "Radio dead zone by the east fence"}),
    )
    .await)
    .await;
    let follow_ups = format!("{base}/follow-ups");
    let bad = post(
        &app,
        "principal",
        &follow_ups,
        json!({"title": "", "owner": "nobody-here", "due_on": "soon"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let errors = bad.text().await.unwrap();
    for field in ["title", "owner", "due_on"] {
        assert!(errors.contains(field), "{field}: {errors}");
    }
    let e = ok(post(
        &app,
        "principal",
        &follow_ups,
        json!({"title": "Repeater for the east fence", "owner": "sso", "due_on": "2026-12-01"}),
    )
    .await)
    .await;
    let item = e["follow_ups"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(e["follow_ups"][0]["owner"], "Test sso");
    let e = ok(post(&app, "sso", &format!("{follow_ups}/{item}/done"), json!({})).await).await;
    assert!(e["follow_ups"][0]["done_at"].is_string());
    // Done is on the timeline and the audit trail, like every change to the event.
    let done = e["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["action"] == "Follow-up done");
    assert_eq!(done.unwrap()["detail"], "Repeater for the east fence");
    // Done once: a second time is refused and changes nothing.
    refused(
        post(&app, "sso", &format!("{follow_ups}/{item}/done"), json!({})).await,
        409,
        "not open",
    )
    .await;

    // The whole timeline, minute by minute, as CSV.
    let s = app.session("principal").await;
    let csv = app
        .get(&format!("/campus-events/{event_id}/timeline.csv"), &s)
        .await;
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("'=HYPERLINK"),
        "a typed formula is neutralised: {csv}"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "at,actor,action,status,detail");
    for words in [
        "Report a potential threat",
        "Contact made in pairs",
        "Notice sent to Test director",
        "Notice acknowledged",
        "After-action note",
        "Follow-up item",
        "Follow-up done",
        "End controlled movement",
    ] {
        assert!(csv.contains(words), "{words} missing from:\n{csv}");
    }
    let page = app
        .get(&format!("/campus-events/{event_id}"), &s)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Threat response checklist") && page.contains("Radio dead zone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threat_response_with_notices_sqlite() {
    threat_response(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threat_response_with_notices_postgres() {
    threat_response(Engine::Postgres).await;
}

crate::both_engines!(
    drills_are_scheduled_held_and_counted_per_school_year,
    |app: TestApp| async move {
        let path = format!("/api/v1/campuses/{}/drills", app.world.campus);
        let bad = post(
            &app,
            "principal",
            &path,
            json!({"kind": "picnic", "scheduled_on": "2026-13-01"}),
        )
        .await;
        assert_eq!(bad.status(), 422);
        let text = bad.text().await.unwrap();
        assert!(
            text.contains("kind") && text.contains("scheduled_on"),
            "{text}"
        );
        let before = app.count("drills").await;
        let d = ok(post(
            &app,
            "principal",
            &path,
            json!({"kind": "lockdown", "scheduled_on": "2026-10-05", "notes": "With the county"}),
        )
        .await)
        .await;
        assert_eq!(app.count("drills").await, before + 1);
        let held = format!("/api/v1/drills/{}/held", d["id"].as_str().unwrap());
        let future = post(&app, "sso", &held, json!({"held_at": "2099-10-05T10:00", "duration_minutes": "14", "participants": "610", "sro_took_part": "yes"})).await;
        refused(future, 422, "once it has happened").await;
        let no_sro = post(
            &app,
            "sso",
            &held,
            json!({"held_at": "2026-10-05T10:00", "duration_minutes": "14", "participants": "610"}),
        )
        .await;
        refused(no_sro, 422, "whether the SRO took part").await;
        let done = ok(post(&app, "sso", &held, json!({"held_at": "2026-10-05T10:00", "duration_minutes": "14", "participants": "610", "sro_took_part": "yes", "after_action": "Portable 3 did not hear the announcement"})).await).await;
        assert_eq!(done["sro_took_part"], true);
        assert!(done["notes"].as_str().unwrap().contains("Portable 3"));
        refused(post(&app, "sso", &held, json!({"held_at": "2026-10-05T10:00", "duration_minutes": "14", "participants": "610", "sro_took_part": "yes"})).await, 409, "already recorded").await;
        let all = ok(app.api_get(&path, &app.token("director").await).await).await;
        let counts = all["counts"].as_array().unwrap();
        let lockdowns = counts.iter().find(|c| c["kind"] == "Lockdown").unwrap();
        assert_eq!(
            (
                lockdowns["scheduled"].as_i64(),
                lockdowns["held"].as_i64(),
                lockdowns["held_with_sro"].as_i64()
            ),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(lockdowns["school_year"], "2026–27");
        let staff = post(
            &app,
            "staff",
            &path,
            json!({"kind": "fire", "scheduled_on": "2026-10-05"}),
        )
        .await;
        assert_eq!(staff.status(), 403);
    }
);

crate::both_engines!(
    a_district_leader_hears_every_campus_of_the_district,
    |app: TestApp| async move {
        let url = app.url(&format!("/districts/{}/live", app.world.district));
        let mut stream = listen_to(&app, &url, "director").await;
        act(
            &app,
            "principal",
            json!({"action": "lockdown", "version": "0"}),
        )
        .await;
        assert!(
            wait_for(
                &mut stream,
                &format!(
                    "\"campus_id\":\"{}\",\"status\":\"lockdown\"",
                    app.world.campus
                ),
                crate::support::PATIENCE
            )
            .await,
            "the district stream carries the campus's lockdown"
        );
        let page = app
            .get("/", &app.session("director").await)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("data-stream=\"/live\""),
            "the leader's pages listen live"
        );
        // The one stream their pages share starts with every campus of the district not at
        // normal, this one included.
        let mut mine = listen_to(&app, &app.url("/live"), "director").await;
        assert!(
            wait_for(
                &mut mine,
                &format!(
                    "\"campus_id\":\"{}\",\"status\":\"lockdown\"",
                    app.world.campus
                ),
                crate::support::PATIENCE
            )
            .await,
            "the leader's snapshot carries the campus's lockdown"
        );
    }
);

crate::both_engines!(
    every_campus_link_shown_opens_for_the_person_shown_it,
    |app: TestApp| async move {
        let campus = app.world.campus;
        for (who, sees_partner_pages) in [("principal", true), ("staff", false)] {
            let s = app.session(who).await;
            let home = app.get("/", &s).await.text().await.unwrap();
            let incidents = format!("href=\"/campuses/{campus}/incidents\"");
            assert_eq!(home.contains(&incidents), sees_partner_pages, "{who}");
            let banner = if sees_partner_pages {
                "data-link=\"/status\""
            } else {
                "data-link=\"\""
            };
            assert!(
                home.contains(banner),
                "{who}: the live banner links where they may go"
            );
            let links: Vec<String> = home
                .split(&format!("href=\"/campuses/{campus}/"))
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .map(|tail| format!("/campuses/{campus}/{tail}"))
                .collect();
            for link in links {
                let status = app.get(&link, &s).await.status();
                assert_eq!(status, 200, "{who} is shown {link} but gets {status}");
            }
        }
    }
);
