//! A district on its own instance sends the state its signed aggregate: two real instances,
//! each with its own database and key. The district exports; the state's administrator adds
//! the district's key; the state's evaluator imports, and the district shows on the state's
//! heat map with the ratings the district's own page counts. Files from an unknown instance,
//! changed after signing, replayed or older are refused with nothing changed.

use crate::both_engines;
use crate::support::*;
use serde_json::{json, Value};
use triad_domain::auth::{Grant, Role, Scope};

/// The district's export, as its leader downloads it.
async fn export(app: &TestApp, token: &str) -> String {
    let path = format!("/api/v1/districts/{}/assessment-export", app.world.district);
    let r = app.api_get(&path, token).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    r.text().await.unwrap()
}

async fn import(state: &TestApp, token: &str, file: &str) -> reqwest::Response {
    state
        .http
        .post(state.url("/api/v1/assessment-imports"))
        .bearer_auth(token)
        .header("idempotency-key", triad_domain::Id::new().to_string())
        .header("content-type", "application/json")
        .body(file.to_string())
        .send()
        .await
        .expect("import")
}

/// The one sender the state's administrator added.
async fn state_page_sender(state: &TestApp, admin: &str) -> String {
    let page = state.api_json("/api/v1/assessment-imports", admin).await;
    let senders = page["senders"].as_array().unwrap();
    assert_eq!(senders.len(), 1, "{page:#}");
    senders[0]["id"].as_str().unwrap().to_string()
}

async fn refused_with(r: reqwest::Response, words: &str) {
    assert_eq!(r.status(), 422);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["fields"][0]["field"], "file", "{err}");
    let message = err["fields"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{message}");
}

both_engines!(
    a_district_export_reaches_the_state_signed_and_newest_only,
    |district: TestApp| async move {
        let w = &district.world;
        // The district rates a practice with a note: the note never leaves.
        let evaluator = district.token("evaluator").await;
        let r = district
            .api_post(
                &evaluator,
                &format!("/api/v1/partnerships/{}/assessment/ratings", w.partnership),
                json!({"item": "7", "rating": "partly_met", "note": "Note-kept-at-home-4417"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());

        // Its leader and evaluator export; the agency's supervisor and other districts do not.
        let director = district.token("director").await;
        let file = export(&district, &director).await;
        assert!(!file.contains("Note-kept-at-home-4417"), "{file}");
        let opened: Value = serde_json::from_str(&file).unwrap();
        let aggregate = &opened["aggregate"];
        assert_eq!(
            aggregate["school_year"],
            aggregate["school_year"].as_i64().unwrap()
        );
        let programs = aggregate["programs"].as_array().unwrap();
        assert_eq!(programs.len(), 1);
        assert_eq!(programs[0]["ratings"][6], "partly_met");
        assert_eq!(programs[0]["ratings"].as_array().map(Vec::len), Some(27));
        let sergeant = district.token("sergeant").await;
        let path = format!("/api/v1/districts/{}/assessment-export", w.district);
        let r = district.api_get(&path, &sergeant).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        let foreign = format!("/api/v1/districts/{}/assessment-export", w.other_district);
        let r = district.api_get(&foreign, &director).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        assert!(
            district
                .audit_count("assessment.aggregate_export", "ok")
                .await
                >= 1
        );

        // The district's own heat map, which the state's must match.
        let heat: Value = district.api_json("/api/v1/assessments", &evaluator).await;
        let own_column = heat["programs"][0]["ratings"].clone();

        // The state: another instance, another database, another key.
        let state = TestApp::start(district.engine).await;
        let admin = state.token("admin").await;
        let state_evaluator = state
            .add_person(
                "state-evaluator",
                &[Grant {
                    role: Role::Evaluator,
                    scope: Scope::Instance,
                }],
                None,
                None,
            )
            .await;
        let importer = state.token_of(state_evaluator).await;

        // Before the district's key is added, its file is refused.
        refused_with(
            import(&state, &importer, &file).await,
            "does not take files from",
        )
        .await;
        assert_eq!(state.count("aggregate_imports").await, 0);

        // The district's administrator reads its key; the state's administrator adds it.
        let district_admin = district.token("admin").await;
        let page: Value = district
            .api_json("/api/v1/assessment-imports", &district_admin)
            .await;
        let key = page["own_key"]["public_key"].as_str().unwrap().to_string();
        for (body, field) in [
            (json!({"name": "", "public_key": key}), "name"),
            (
                json!({"name": "Lakeview", "public_key": "not a key"}),
                "public_key",
            ),
        ] {
            let r = state
                .api_post(&admin, "/api/v1/assessment-senders", body)
                .await;
            assert_eq!(r.status(), 422);
            let err: Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        // Its own key is not a sender; the evaluator adds none; the district's leader of the
        // state instance reaches neither page.
        let state_page: Value = state.api_json("/api/v1/assessment-imports", &admin).await;
        let own = state_page["own_key"]["public_key"].as_str().unwrap();
        let r = state
            .api_post(
                &admin,
                "/api/v1/assessment-senders",
                json!({"name": "Us", "public_key": own}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = state
            .api_post(
                &importer,
                "/api/v1/assessment-senders",
                json!({"name": "L", "public_key": key}),
            )
            .await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        assert_eq!(state.count("aggregate_senders").await, 0);
        let r = state
            .api_post(
                &admin,
                "/api/v1/assessment-senders",
                json!({"name": "Lakeview IT", "public_key": key}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let again = state
            .api_post(
                &admin,
                "/api/v1/assessment-senders",
                json!({"name": "Again", "public_key": key}),
            )
            .await;
        assert_eq!(again.status(), 422);

        // A file changed after signing is refused; so is one the administrator sends.
        let tampered = file.replacen("\"partly_met\"", "\"met\"", 1);
        assert_ne!(tampered, file);
        refused_with(
            import(&state, &importer, &tampered).await,
            "changed after it was signed",
        )
        .await;
        let r = import(&state, &admin, &file).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        refused_with(
            import(&state, &importer, "{\"aggregate\": 1").await,
            "not a Triad",
        )
        .await;
        assert_eq!(state.count("aggregate_imports").await, 0);

        // The state evaluator imports it, and the district shows on the state's heat map with
        // the ratings of the district's own.
        let r = import(&state, &importer, &file).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["programs"], 1);
        assert_eq!(report["sender"], "Lakeview IT");
        let year = aggregate["school_year"].as_i64().unwrap();
        let state_heat: Value = state
            .api_json(&format!("/api/v1/assessments?year={year}"), &importer)
            .await;
        let imported: Vec<&Value> = state_heat["programs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["imported_from"].is_string())
            .collect();
        assert_eq!(imported.len(), 1, "{state_heat:#}");
        assert_eq!(imported[0]["ratings"], own_column);
        assert_eq!(imported[0]["district"], aggregate["district"]);
        // A district-scoped reader of the state instance sees no imported district.
        let state_director = state.token("director").await;
        let theirs: Value = state
            .api_json(&format!("/api/v1/assessments?year={year}"), &state_director)
            .await;
        assert!(
            theirs["programs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["imported_from"].is_null()),
            "{theirs:#}"
        );

        // The same file again, or an older export of the same year, changes nothing; a newer
        // one replaces it.
        refused_with(
            import(&state, &importer, &file).await,
            "only a newer export",
        )
        .await;
        district.clock.advance_minutes(1);
        let newer = export(&district, &director).await;
        let r = import(&state, &importer, &newer).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let report: Value = r.json().await.unwrap();
        assert_eq!(
            report["replaced_export_of"], aggregate["exported_at"],
            "{report}"
        );
        refused_with(
            import(&state, &importer, &file).await,
            "only a newer export",
        )
        .await;
        assert_eq!(state.count("aggregate_imports").await, 1);
        assert_eq!(
            state.audit_count("assessment.aggregate_import", "ok").await,
            2
        );

        // The administrator withdraws trust from the district's instance: its files are
        // refused, what it sent leaves the heat map but stays kept; adding the key again
        // restores it under the same sender. Nobody else withdraws; twice is refused.
        let sender_id = state_page_sender(&state, &admin).await;
        let withdraw = format!("/api/v1/assessment-senders/{sender_id}/withdraw");
        let r = state.api_post(&importer, &withdraw, json!({})).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        let r = state
            .api_post(
                &admin,
                "/api/v1/assessment-senders/nobody/withdraw",
                json!({}),
            )
            .await;
        assert_eq!(r.status(), 404);
        let r = state.api_post(&admin, &withdraw, json!({})).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let r = state.api_post(&admin, &withdraw, json!({})).await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            state
                .audit_count("assessment.aggregate_sender_withdrawn", "ok")
                .await,
            1
        );
        district.clock.advance_minutes(1);
        let newest = export(&district, &director).await;
        refused_with(import(&state, &importer, &newest).await, "no longer takes").await;
        let heat_year = format!("/api/v1/assessments?year={year}");
        let imported_columns = |heat: &Value| {
            heat["programs"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["imported_from"].is_string())
                .count()
        };
        assert_eq!(
            imported_columns(&state.api_json(&heat_year, &importer).await),
            0
        );
        let listed = state
            .api_json("/api/v1/assessment-imports", &importer)
            .await;
        assert_eq!(listed["imported"][0]["withdrawn"], true, "{listed:#}");
        assert!(
            listed["senders"][0]["withdrawn_at"].is_string(),
            "{listed:#}"
        );
        assert_eq!(state.count("aggregate_imports").await, 1);
        let r = state
            .api_post(
                &admin,
                "/api/v1/assessment-senders",
                json!({"name": "Lakeview IT again", "public_key": key}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let restored: Value = r.json().await.unwrap();
        assert_eq!(restored["id"], sender_id);
        assert!(restored["withdrawn_at"].is_null());
        assert_eq!(
            imported_columns(&state.api_json(&heat_year, &importer).await),
            1
        );
        let r = import(&state, &importer, &newest).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());

        // The pages: the state evaluator's import form and the leader's download link.
        let s = state.session_of(state_evaluator).await;
        let html = state
            .get("/assessments/imports", &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Import a district's export"), "{html}");
        assert!(html.contains("Lakeview IT"));
        assert!(!html.contains("/withdraw\""), "{html}");
        // The administrator's page offers to withdraw each trusted instance.
        let admin_session = state.session("admin").await;
        let html = state
            .get("/assessments/imports", &admin_session)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!("/assessments/senders/{sender_id}/withdraw\"")),
            "{html}"
        );
        let html = state
            .get(&format!("/assessments?year={year}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("imported: Lakeview IT again, exported"),
            "{html}"
        );
        assert!(html.contains("href=\"/assessments/imports\""));
        let s = district.session("director").await;
        let html = district
            .get(&format!("/partnerships/{}/assessment", w.partnership), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"state-export\""), "{html}");
        let s = district.session("sergeant").await;
        let html = district
            .get(&format!("/partnerships/{}/assessment", w.partnership), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("id=\"state-export\""));
    }
);
