//! Incidents over real HTTP: classification and who may act, law-enforcement details kept
//! from the school side, and FERPA disclosures of school records to the SRO.

use crate::both_engines;
use crate::support::*;
use serde_json::json;

fn incident(classification: &str) -> serde_json::Value {
    json!({
        "kind": "suspicious_person",
        "classification": classification,
        "occurred_at": "2026-09-02T08:40",
        "location": "Gym entrance",
        "reported_by": "Custodian",
        "narrative": "A person without a badge was seen near the gym.",
        "people": [
            {"kind": "student", "name": "J. R.", "description": "Grade 10"},
            {"kind": "unknown", "name": "", "description": "Adult in a grey hoodie"}
        ]
    })
}

both_engines!(
    school_conduct_is_never_handed_to_the_sro,
    |app: TestApp| async move {
        let ap = app.token("principal").await;
        let campus = app.world.campus;
        let r = app
            .api_post(
                &ap,
                &format!("/api/v1/campuses/{campus}/incidents"),
                incident("school_conduct"),
            )
            .await;
        assert_eq!(r.status(), 201);
        let id = r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let before = app.count("incident_follow_ups").await;
        let refused = app
            .api_post(
                &ap,
                &format!("/api/v1/incidents/{id}/follow-ups"),
                json!({"title": "Decide the suspension", "assignee": "sro"}),
            )
            .await;
        assert_eq!(refused.status(), 422);
        let body = refused.text().await.unwrap();
        assert!(
            body.contains("assignee") && body.contains("not the SRO's"),
            "{body}"
        );
        assert_eq!(
            app.count("incident_follow_ups").await,
            before,
            "nothing written"
        );
        let ok = app
            .api_post(
                &ap,
                &format!("/api/v1/incidents/{id}/follow-ups"),
                json!({"title": "Decide the suspension", "assignee": "principal"}),
            )
            .await;
        assert_eq!(ok.status(), 201);
        // Not in the future, and the narrative is required.
        let mut future = incident("neither");
        future["occurred_at"] = json!("2099-01-01T08:00");
        future["narrative"] = json!("");
        let r = app
            .api_post(&ap, &format!("/api/v1/campuses/{campus}/incidents"), future)
            .await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("occurred_at") && body.contains("narrative"),
            "{body}"
        );
    }
);

both_engines!(
    law_enforcement_details_show_their_existence_not_their_content,
    |app: TestApp| async move {
        let sro = app.token("sro").await;
        let ap = app.token("principal").await;
        let id = app.world.incident;
        let r = app.api_post(&sro, &format!("/api/v1/incidents/{id}/le-details"), json!({"kind": "arrest", "status": "open", "content": "Custodial arrest, case 26-4471"})).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let denied = app
            .api_post(
                &ap,
                &format!("/api/v1/incidents/{id}/le-details"),
                json!({"kind": "arrest", "content": "x"}),
            )
            .await;
        assert_eq!(denied.status(), 403);
        let school: serde_json::Value = app
            .api_get(&format!("/api/v1/incidents/{id}"), &ap)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(school["le_details"][0]["kind"], "arrest");
        assert_eq!(school["le_details"][0]["status"], "open");
        assert!(school["le_details"][0]["content"].is_null());
        assert!(
            school["simultaneous_investigations"].as_bool().unwrap(),
            "both: the seam is marked"
        );
        let reads = app.audit_count("access.law_enforcement.view", "ok").await;
        let officer: serde_json::Value = app
            .api_get(&format!("/api/v1/incidents/{id}"), &sro)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            officer["le_details"][0]["content"],
            "Custodial arrest, case 26-4471"
        );
        assert!(
            app.audit_count("access.law_enforcement.view", "ok").await > reads,
            "the read is audited"
        );
    }
);

both_engines!(
    a_school_record_about_a_student_is_disclosed_to_the_sro_on_record,
    |app: TestApp| async move {
        let ap = app.token("principal").await;
        let sro = app.token("sro").await;
        let campus = app.world.campus;
        let r = app
            .api_post(
                &ap,
                &format!("/api/v1/campuses/{campus}/incidents"),
                incident("both"),
            )
            .await;
        let id = r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // The school side reads its own record in full, with nothing logged.
        let own: serde_json::Value = app
            .api_get(&format!("/api/v1/incidents/{id}"), &ap)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(own["people"][0]["name"], "J. R.");
        let withheld: serde_json::Value = app
            .api_get(&format!("/api/v1/incidents/{id}"), &sro)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(withheld["purpose_needed"], true);
        assert!(withheld["people"][0]["name"].is_null());
        assert_eq!(
            withheld["people"][1]["description"], "Adult in a grey hoodie",
            "only students are withheld"
        );
        let log = format!("/api/v1/campuses/{campus}/disclosures");
        let empty: serde_json::Value = app.api_get(&log, &ap).await.json().await.unwrap();
        assert_eq!(empty["disclosures"].as_array().unwrap().len(), 0);
        // Asking in the query, as earlier releases did, discloses nothing: a read is a read.
        let asked: serde_json::Value = app
            .api_get(
                &format!("/api/v1/incidents/{id}?purpose=investigation"),
                &sro,
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(asked["people"][0]["name"].is_null());
        let disclosure = format!("/api/v1/incidents/{id}/disclosure");
        let bad = app
            .api_send(
                reqwest::Method::POST,
                &disclosure,
                &sro,
                "d-0",
                &json!({"purpose": "curiosity"}),
            )
            .await;
        assert_eq!(bad.status(), 422);
        let shown: serde_json::Value = app
            .api_send(
                reqwest::Method::POST,
                &disclosure,
                &sro,
                "d-1",
                &json!({"purpose": "investigation"}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(shown["people"][0]["name"], "J. R.");
        // For the rest of this token's life the identity shows; each view is an audited read,
        // and asking again records no second disclosure.
        let reads = app.audit_count("ferpa.read", "ok").await;
        for key in ["d-2", "d-3"] {
            let again: serde_json::Value = app
                .api_get(&format!("/api/v1/incidents/{id}"), &sro)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(again["people"][0]["name"], "J. R.");
            app.api_send(
                reqwest::Method::POST,
                &disclosure,
                &sro,
                key,
                &json!({"purpose": "investigation"}),
            )
            .await;
        }
        assert!(app.audit_count("ferpa.read", "ok").await >= reads + 2);
        // Another token of the same officer starts withheld again.
        let fresh = app.token("sro").await;
        let other: serde_json::Value = app
            .api_get(&format!("/api/v1/incidents/{id}"), &fresh)
            .await
            .json()
            .await
            .unwrap();
        assert!(other["people"][0]["name"].is_null());
        let logged: serde_json::Value = app.api_get(&log, &ap).await.json().await.unwrap();
        let entries = logged["disclosures"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["disclosed_to"], "Test sro");
        assert_eq!(entries[0]["record_id"], id.as_str());
        assert!(entries[0]["purpose"]
            .as_str()
            .unwrap()
            .contains("investigation"));
        assert_eq!(
            app.api_get(&log, &sro).await.status(),
            403,
            "the log is the school's"
        );
    }
);

both_engines!(
    a_campus_incident_list_comes_fifty_at_a_time,
    |app: TestApp| async move {
        let ap = app.token("principal").await;
        let campus = app.world.campus;
        for n in 0..55 {
            let mut body = incident("school_conduct");
            body["occurred_at"] = json!(format!("2026-09-{:02}T08:{:02}", n % 28 + 1, n % 60));
            let r = app
                .api_post(&ap, &format!("/api/v1/campuses/{campus}/incidents"), body)
                .await;
            assert_eq!(r.status(), 201);
        }
        let s = app.session("principal").await;
        let first = app
            .get(&format!("/campuses/{campus}/incidents"), &s)
            .await
            .text()
            .await
            .unwrap();
        let listed = |page: &str| page.matches("<a href=\"/incidents/").count();
        assert_eq!(listed(&first), 50);
        let next = first
            .split("id=\"next-page\"")
            .next()
            .and_then(|before| before.rsplit("href=\"").next())
            .and_then(|h| h.split('"').next())
            .unwrap()
            .to_string();
        let second = app.get(&next, &s).await.text().await.unwrap();
        assert!(listed(&second) >= 5, "the rest, the fixture's among them");
        assert!(!second.contains("id=\"next-page\""));
        // A cursor that names no incident of this campus (removed since, or another
        // campus's) is refused rather than read as the end of the list.
        for cursor in [triad_domain::Id::new(), app.world.other_incident] {
            let past = app
                .get(&format!("/campuses/{campus}/incidents?after={cursor}"), &s)
                .await;
            assert_eq!(past.status(), 422);
            let said = past.text().await.unwrap();
            assert!(said.contains("start again from the first page"), "{said}");
        }
        // The API pages the same list fifty at a time by default, by the same cursor.
        let token = app.token("principal").await;
        let api = format!("/api/v1/campuses/{campus}/incidents");
        let r = app.api_get(&api, &token).await;
        let link = r
            .headers()
            .get("link")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let body: serde_json::Value = r.json().await.unwrap();
        let firsts = body["incidents"].as_array().unwrap().clone();
        assert_eq!(firsts.len(), 50);
        let next = link.split('<').nth(1).unwrap().split('>').next().unwrap();
        let next = next.trim_start_matches(&app.url("")).to_string();
        // An incident reported while the client reads, older than the first page's, is
        // found in its place on a later page: nothing skipped, nothing read twice.
        let mut late = incident("school_conduct");
        late["occurred_at"] = json!("2026-08-20T07:00");
        let r = app.api_post(&ap, &api, late).await;
        assert_eq!(r.status(), 201);
        let newcomer: serde_json::Value = r.json().await.unwrap();
        let rest: serde_json::Value = app.api_get(&next, &token).await.json().await.unwrap();
        let rest = rest["incidents"].as_array().unwrap().clone();
        let all: serde_json::Value = app
            .api_get(&format!("{api}?limit=500"), &token)
            .await
            .json()
            .await
            .unwrap();
        let all = all["incidents"].as_array().unwrap().clone();
        let paged: Vec<_> = firsts
            .iter()
            .chain(&rest)
            .map(|i| i["id"].clone())
            .collect();
        let whole: Vec<_> = all.iter().map(|i| i["id"].clone()).collect();
        assert!(
            rest.iter().any(|i| i["id"] == newcomer["id"]),
            "found in its place"
        );
        assert_eq!(paged, whole, "none skipped or repeated");
        assert_eq!(
            app.get(&format!("/campuses/{campus}/incidents?after=nonsense"), &s)
                .await
                .status(),
            422
        );
    }
);
