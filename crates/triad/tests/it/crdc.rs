//! The Civil Rights Data Collection counts: incidents law enforcement touched counted as
//! referrals and arrests only when they name a student, small counts marked, the incidents
//! behind each count listed for the district's leader alone, officers as full-time
//! equivalents, and no student named anywhere.

use crate::both_engines;
use crate::support::*;
use serde_json::{json, Value};

fn incident(classification: &str, people: Value) -> Value {
    json!({
        "kind": "criminal_offense",
        "classification": classification,
        "occurred_at": "2026-09-02T08:40",
        "location": "Parking lot",
        "reported_by": "Assistant principal",
        "narrative": "A car window was broken during first period.",
        "people": people
    })
}

both_engines!(
    referrals_and_arrests_are_counted_from_incidents_naming_a_student,
    |app: TestApp| async move {
        let w = &app.world;
        let sro = app.token("sro").await;
        let student = json!([{"kind": "student", "name": "K. L.", "description": "Grade 11"}]);
        let adult = json!([{"kind": "visitor", "name": "", "description": "Adult, not a student"}]);
        let mut ids = Vec::new();
        for (classification, people, arrest) in [
            ("law_enforcement", student.clone(), false),
            ("both", student.clone(), true),
            // Not counted: school conduct, and an adult arrested.
            ("school_conduct", student.clone(), false),
            ("law_enforcement", adult, true),
        ] {
            let r = app
                .api_post(
                    &sro,
                    &format!("/api/v1/campuses/{}/incidents", w.campus),
                    incident(classification, people),
                )
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
            let id = r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string();
            if arrest {
                let r = app
                    .api_post(
                        &sro,
                        &format!("/api/v1/incidents/{id}/le-details"),
                        json!({"kind": "arrest", "status": "closed", "content": "Cited and released"}),
                    )
                    .await;
                assert_eq!(r.status(), 201);
            }
            ids.push(id);
        }

        let director = app.token("director").await;
        let path = format!("/api/v1/districts/{}/crdc?year=2026", w.district);
        let r = app.api_get(&path, &director).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let c: Value = r.json().await.unwrap();
        let home_campus = |counts: &Value| {
            counts["campuses"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["campus"] == w.campus.to_string())
                .cloned()
                .unwrap()
        };
        let campus = home_campus(&c);
        assert_eq!(campus["referrals"], 2, "{campus:#}");
        assert_eq!(campus["arrests"], 1);
        assert_eq!(campus["referrals_too_small"], true);
        assert_eq!(campus["arrests_too_small"], true);
        assert_eq!(campus["arrests_in_logs"], 0, "no arrest logged");
        let listed: Vec<&str> = campus["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["incident"].as_str().unwrap())
            .collect();
        assert_eq!(listed, [ids[0].as_str(), ids[1].as_str()]);
        assert_eq!(campus["records"][1]["counted_as"], "arrest");
        let sworn = campus["sworn_fte"].as_f64().unwrap();
        assert!(sworn > 0.0 && sworn <= 1.0, "{sworn}");
        assert_eq!(campus["security_fte"], 1.0, "the campus's SSO");
        assert!(c["not_from_triad"]
            .as_str()
            .unwrap()
            .contains("distinct students"));

        // The page names no student and says what it cannot give.
        let session = app.session("director").await;
        let page = app
            .get(
                &format!("/districts/{}/crdc?year=2026", w.district),
                &session,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("too small to publish"), "{page}");
        assert!(page.contains(&format!("/incidents/{}", ids[1])));
        assert!(!page.contains("K. L."));
        assert!(page.contains("race, sex, disability"));
        let csv = app
            .get(
                &format!("/districts/{}/crdc.csv?year=2026", w.district),
                &session,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("referrals and arrests"), "{csv}");

        // Counts are kept between reads, yet every read is audited, and a new incident counts
        // at the next read.
        let reads = app.audit_count("access.school.view", "ok").await;
        assert_eq!(app.api_get(&path, &director).await.status(), 200);
        assert_eq!(app.audit_count("access.school.view", "ok").await, reads + 1);
        let r = app
            .api_post(
                &sro,
                &format!("/api/v1/campuses/{}/incidents", w.campus),
                incident("law_enforcement", student.clone()),
            )
            .await;
        assert_eq!(r.status(), 201);
        let again: Value = app.api_get(&path, &director).await.json().await.unwrap();
        let campus = home_campus(&again);
        assert_eq!(campus["referrals"], 3, "{campus:#}");

        // Only the district's leader reads them; a year outside the ten is refused.
        for who in ["evaluator", "principal", "sergeant"] {
            let token = app.token(who).await;
            let r = app.api_get(&path, &token).await;
            assert!(
                matches!(r.status().as_u16(), 403 | 404),
                "{who}: {}",
                r.status()
            );
        }
        let r = app
            .api_get(
                &format!("/api/v1/districts/{}/crdc?year=1990", w.district),
                &director,
            )
            .await;
        assert_eq!(r.status(), 422);
    }
);
