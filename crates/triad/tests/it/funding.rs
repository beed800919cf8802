//! A partnership's grants: recorded by its two sides' leaders, refused when they make no
//! sense, and named on those leaders' home pages (and no one else's) from 90 days before the
//! continuation plan is due until it is recorded.

use crate::both_engines;
use crate::support::*;
use chrono::Days;
use reqwest::Method;

/// The home page's section of grants needing a plan, if it has one.
fn plans_section(page: &str) -> Option<String> {
    page.split("id=\"plans-due\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .map(str::to_string)
}

both_engines!(
    a_grants_continuation_plan_is_named_on_the_leaders_homes_until_it_is_recorded,
    |app: TestApp| async move {
        let w = app.world;
        // The district's today, give or take the hours between UTC and Chicago: every date
        // below is weeks from any boundary.
        let today = app.clock_now().to_datetime().date_naive();
        let (director, sergeant) = (app.session("director").await, app.session("sergeant").await);
        let funding = format!("/partnerships/{}/funding", w.partnership);
        // Ends a year and 30 days from now: its plan is due in about 30 days.
        let ends = (today + Days::new(365 + 30)).to_string();
        let starts = (today - Days::new(700)).to_string();
        let r = app
            .post_form(
                &format!("/partnerships/{}/grants", w.partnership),
                &director,
                &[
                    ("covers", "SRO at the high school"),
                    ("funder", "COPS Hiring Program"),
                    ("amount", "$125,000"),
                    ("starts", &starts),
                    ("ends", &ends),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

        // Grants that make no sense are refused by the field at fault, and nothing is kept.
        let token = app.token("sergeant").await;
        let grants_api = format!("/api/v1/partnerships/{}/grants", w.partnership);
        let before = app.count("funding_grants").await;
        for (body, field) in [
            (
                serde_json::json!({"covers": "x", "funder": "y", "amount": "10",
                    "starts": "2027-07-01", "ends": "2026-07-01"}),
                "ends",
            ),
            (
                serde_json::json!({"covers": "x", "funder": "y", "amount": "-10",
                    "starts": "2026-07-01", "ends": "2027-07-01"}),
                "amount",
            ),
            (
                serde_json::json!({"covers": "x", "funder": "y", "amount": "99999999999",
                    "starts": "2026-07-01", "ends": "2027-07-01"}),
                "amount",
            ),
            (
                serde_json::json!({"covers": "x", "funder": " ", "amount": "10",
                    "starts": "2026-07-01", "ends": "2027-07-01"}),
                "funder",
            ),
            (
                serde_json::json!({"covers": "x", "funder": "y", "amount": "10",
                    "starts": "July", "ends": "2027-07-01"}),
                "starts",
            ),
        ] {
            let r = app.api_post(&token, &grants_api, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        assert_eq!(
            app.count("funding_grants").await,
            before,
            "a refused grant was kept"
        );

        // A grant whose plan is already late, entered over the API.
        let late_ends = (today + Days::new(180)).to_string();
        let r = app
            .api_post(
                &token,
                &grants_api,
                serde_json::json!({"covers": "Two SSO positions", "funder": "State school safety fund",
                    "amount": "80000", "starts": starts, "ends": late_ends}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let late_id = r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();

        // Both leaders' homes name the two; the fixture's grant ending in 2034 is not due.
        for s in [&director, &sergeant] {
            let home = app.get("/", s).await.text().await.unwrap();
            let section = plans_section(&home).expect("the leader's home names the plans due");
            assert!(
                section.contains("SRO at the high school")
                    && section.contains("continuation plan due by")
                    && section.contains("Two SSO positions")
                    && section.contains("was due by"),
                "{section}"
            );
            assert!(!section.contains("State school safety grant"), "{section}");
        }
        // Nobody else's home, and nobody else's page.
        for other in [
            "principal",
            "sro",
            "sso",
            "staff",
            "evaluator",
            "away-principal",
        ] {
            let s = app.session(other).await;
            let home = app.get("/", &s).await.text().await.unwrap();
            assert!(plans_section(&home).is_none(), "{other}: {home}");
            let status = app.get(&funding, &s).await.status().as_u16();
            assert!(matches!(status, 403 | 404), "{other}: {status}");
        }

        // The page lists them soonest ending first and says where each plan stands.
        let page = app.get(&funding, &director).await.text().await.unwrap();
        let late_at = page.find("Two SSO positions").unwrap();
        let soon_at = page.find("SRO at the high school").unwrap();
        let far_at = page.find("State school safety grant").unwrap();
        assert!(late_at < soon_at && soon_at < far_at, "{page}");
        assert!(page.contains("$125,000.00"), "{page}");

        // An empty plan is refused; a written one is kept and the reminder goes.
        let plan_api = format!("/api/v1/grants/{late_id}/plan");
        let key = triad_domain::Id::new().to_string();
        let r = app
            .api_send(
                Method::PUT,
                &plan_api,
                &token,
                &key,
                &serde_json::json!({"plan": "  "}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let key = triad_domain::Id::new().to_string();
        let plan = "The city carries both positions in its budget from July.";
        let r = app
            .api_send(
                Method::PUT,
                &plan_api,
                &token,
                &key,
                &serde_json::json!({"plan": plan}),
            )
            .await;
        assert_eq!(r.status(), 204);
        let home = app.get("/", &director).await.text().await.unwrap();
        let section = plans_section(&home).unwrap();
        assert!(!section.contains("Two SSO positions"), "{section}");
        assert!(section.contains("SRO at the high school"), "{section}");
        let listed: serde_json::Value =
            app.api_get(&grants_api, &token).await.json().await.unwrap();
        let late = listed["grants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == late_id.as_str())
            .unwrap()
            .clone();
        assert_eq!(late["plan_standing"], "recorded");
        assert_eq!(late["plan"], plan);
        assert_eq!(listed["needs_plan"], 1);

        // Recorded through the page too: nothing left to name.
        let soon_id = listed["grants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["covers"] == "SRO at the high school")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app
            .post_form(
                &format!("/grants/{soon_id}/plan"),
                &director,
                &[(
                    "plan",
                    "The district takes the position on in its next budget.",
                )],
            )
            .await;
        assert_eq!(r.status(), 303);
        let home = app.get("/", &director).await.text().await.unwrap();
        assert!(plans_section(&home).is_none(), "{home}");
        // A wrong end day is corrected; a correction that makes no sense is refused.
        let correct = format!("/grants/{soon_id}");
        let terms = |ends: &str| {
            vec![
                ("covers", "SRO at the high school".to_string()),
                ("funder", "COPS Hiring Program".to_string()),
                ("amount", "125000".to_string()),
                ("starts", starts.clone()),
                ("ends", ends.to_string()),
            ]
        };
        let bad = terms("2001-01-01");
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.post_form(&correct, &director, &bad).await.status(), 422);
        let later = (today + Days::new(900)).to_string();
        let good = terms(&later);
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let principal = app.session("principal").await;
        assert!(matches!(
            app.post_form(&correct, &principal, &good)
                .await
                .status()
                .as_u16(),
            403 | 404
        ));
        assert_eq!(
            app.post_form(&correct, &director, &good).await.status(),
            303
        );
        let listed: serde_json::Value =
            app.api_get(&grants_api, &token).await.json().await.unwrap();
        let corrected = listed["grants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == soon_id.as_str())
            .unwrap()
            .clone();
        assert_eq!(corrected["ends"], later.as_str());
        assert_eq!(corrected["plan_standing"], "recorded", "the plan stays");
        assert_eq!(app.audit_count("grant.correct", "ok").await, 1);
        // Each change is in the audit trail.
        assert_eq!(app.audit_count("grant.add", "ok").await, 2);
        assert_eq!(app.audit_count("grant.plan", "ok").await, 2);
    }
);
