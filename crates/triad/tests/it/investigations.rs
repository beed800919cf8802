//! Simultaneous investigations over real HTTP: the SRO's criminal investigation and the
//! school's administrative one on the same incident, each side's notes kept from the other,
//! a coordination thread both read, and closing one side leaving the other open.

use crate::both_engines;
use crate::support::*;
use serde_json::{json, Value};

async fn post(app: &TestApp, who: &str, path: &str, body: Value) -> reqwest::Response {
    let token = app.token(who).await;
    app.api_post(&token, path, body).await
}

async fn view(app: &TestApp, who: &str) -> Value {
    let path = format!("/api/v1/incidents/{}/investigations", app.world.incident);
    let r = app.api_get(&path, &app.token(who).await).await;
    assert_eq!(r.status(), 200, "{who}");
    r.json().await.unwrap()
}

fn side<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["sides"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["side"] == code)
        .unwrap()
}

fn bodies(notes: &Value) -> Vec<String> {
    notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_string())
        .collect()
}

both_engines!(
    each_side_keeps_its_notes_and_closing_one_leaves_the_other,
    |app: TestApp| async move {
        // The fixture incident is both a law-enforcement and a school-conduct matter.
        let base = format!("/api/v1/incidents/{}/investigations", app.world.incident);
        let wrong_side = post(&app, "principal", &format!("{base}/criminal"), json!({})).await;
        assert_eq!(
            wrong_side.status(),
            403,
            "the school does not open the criminal side"
        );
        let r = post(&app, "sro", &format!("{base}/criminal"), json!({})).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = post(
            &app,
            "principal",
            &format!("{base}/administrative"),
            json!({}),
        )
        .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let again = post(
            &app,
            "principal",
            &format!("{base}/administrative"),
            json!({}),
        )
        .await;
        assert_eq!(again.status(), 409);

        let note = |thread: &str, kind: &str, body: &str| {
            (
                format!("{base}/{thread}/notes"),
                json!({"kind": kind, "body": body}),
            )
        };
        let (p, b) = note("criminal", "note", "Witness statement from the bus driver");
        assert_eq!(post(&app, "sro", &p, b).await.status(), 200);
        let (p, b) = note(
            "administrative",
            "note",
            "Student interviewed with a parent present",
        );
        assert_eq!(post(&app, "principal", &p, b).await.status(), 200);
        let (p, b) = note("administrative", "note", "The SRO writes here");
        assert_eq!(
            post(&app, "sro", &p, b).await.status(),
            403,
            "one side does not write in the other's notes"
        );
        let (p, b) = note("criminal", "sanction", "Three days out of school");
        assert_eq!(
            post(&app, "sro", &p, b).await.status(),
            422,
            "sanctions are discussed where both read"
        );
        let (p, b) = note(
            "coordination",
            "sanction",
            "Three days out of school discussed; SRO defers to the school",
        );
        assert_eq!(post(&app, "principal", &p, b).await.status(), 200);
        let (p, b) = note(
            "coordination",
            "crime_reported",
            "A second student says the vape held THC",
        );
        assert_eq!(post(&app, "principal", &p, b).await.status(), 200);

        let sro = view(&app, "sro").await;
        assert_eq!(sro["simultaneous"], true);
        assert_eq!(sro["priority"][0]["what"], "Safety");
        assert_eq!(sro["priority"][2]["what"], "The school");
        assert_eq!(
            bodies(&side(&sro, "criminal")["notes"]),
            ["Witness statement from the bus driver"]
        );
        assert_eq!(side(&sro, "administrative")["readable"], false);
        assert!(bodies(&side(&sro, "administrative")["notes"]).is_empty());
        let coordination = bodies(&sro["coordination"]);
        assert!(
            coordination
                .iter()
                .any(|b| b.contains("The SRO opened a criminal investigation")),
            "{coordination:?}"
        );
        assert!(coordination
            .iter()
            .any(|b| b.contains("The school opened an administrative investigation")));
        assert!(coordination.iter().any(|b| b.contains("THC")));

        let principal = view(&app, "principal").await;
        assert_eq!(
            bodies(&side(&principal, "administrative")["notes"]),
            ["Student interviewed with a parent present"]
        );
        assert!(
            bodies(&side(&principal, "criminal")["notes"]).is_empty(),
            "the criminal notes stay with the sworn side"
        );
        assert_eq!(bodies(&principal["coordination"]), coordination);
        let raw = serde_json::to_string(&principal).unwrap();
        assert!(!raw.contains("bus driver"), "{raw}");

        // Closing the criminal side leaves the administrative side open.
        let close = format!("{base}/criminal/close");
        assert_eq!(
            post(&app, "sro", &close, json!({"note": ""}))
                .await
                .status(),
            422
        );
        assert_eq!(
            post(
                &app,
                "sro",
                &close,
                json!({"note": "Referred to the district attorney"})
            )
            .await
            .status(),
            200
        );
        assert_eq!(
            post(&app, "sro", &close, json!({"note": "again"}))
                .await
                .status(),
            409
        );
        let (p, b) = note("criminal", "note", "After closing");
        assert_eq!(post(&app, "sro", &p, b).await.status(), 409);
        let (p, b) = note("administrative", "note", "Hearing on Friday");
        assert_eq!(
            post(&app, "principal", &p, b).await.status(),
            200,
            "the school's side goes on"
        );
        let principal = view(&app, "principal").await;
        assert!(side(&principal, "criminal")["closed_at"].is_string());
        assert!(side(&principal, "administrative")["closed_at"].is_null());
        assert_eq!(principal["simultaneous"], false);

        let page = app
            .get(
                &format!("/incidents/{}/investigations", app.world.incident),
                &app.session("sro").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Order of priority")
                && page.contains("bus driver")
                && !page.contains("parent present")
        );
    }
);
