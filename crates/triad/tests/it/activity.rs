//! The activity log: quick entry, the field's guardrails, corrections with history, record
//! classes.

use crate::both_engines;
use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};
use triad_store::paging::Page;

fn campus(app: &TestApp) -> String {
    app.world.campus.to_string()
}

both_engines!(
    an_sro_logs_a_counseling_session_in_a_few_taps,
    |app: TestApp| async move {
        let s = app.session("sro").await;
        let page = app.get("/activity", &s).await.text().await.unwrap();
        assert!(page.contains("Counseling session: student"));
        let r = app
            .post_form(
                "/activity",
                &s,
                &[
                    ("campus_id", &campus(&app)),
                    ("category", "counseling_student"),
                    ("minutes", "15"),
                    ("students", "1"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let back = app
            .get(r.headers().get("location").unwrap().to_str().unwrap(), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(back.contains("Logged: Counseling session: student, 15 min"));
        let mut conn = app.db.acquire().await.unwrap();
        let latest =
            triad_store::activity::recent_by_author(&mut conn, app.user("sro"), Page::first(1))
                .await
                .unwrap();
        let summary =
            triad_store::activity::month_summary(&mut conn, app.user("sro"), &latest[0].month)
                .await
                .unwrap();
        let counseling = summary
            .iter()
            .find(|r| r.category == "counseling_student")
            .unwrap();
        assert_eq!(
            (
                counseling.entries,
                counseling.minutes,
                counseling.triad_role.as_str()
            ),
            (1, 15, "informal_counselor")
        );
        assert_eq!(app.audit_count("activity.create", "ok").await, 1);
    }
);

both_engines!(
    the_fields_guardrails_hold_on_the_server,
    |app: TestApp| async move {
        let sro = app.token("sro").await;
        let post = |key: &'static str, body: Value| {
            let (app, sro) = (&app, sro.clone());
            async move {
                app.api_send(Method::POST, "/api/v1/activities", &sro, key, &body)
                    .await
            }
        };
        let c = campus(&app);
        let r = post(
            "g1",
            json!({"campus_id": c, "category": "search", "minutes": "20"}),
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("legal basis"));
        let r = post("g2", json!({"campus_id": c, "category": "search", "minutes": "20", "search_basis": "probable_cause"})).await;
        assert_eq!(r.status(), 201);
        let made: Value = r.json().await.unwrap();
        assert_eq!(made["record_class"], "law_enforcement");
        let r = post(
            "g3",
            json!({"campus_id": c, "category_other": "detention", "minutes": "10"}),
        )
        .await;
        assert_eq!(r.status(), 422);
        let text = r.text().await.unwrap();
        assert!(
            text.contains("not an SRO activity") && text.contains("Test principal"),
            "{text}"
        );
        let r = post("g4", json!({"campus_id": app.world.other_campus.to_string(), "category": "patrol", "minutes": "10"})).await;
        assert!(
            r.status() == 404 || r.status() == 422,
            "a campus the officer is not assigned to: {}",
            r.status()
        );
        let r = post("g5", json!({"campus_id": c, "category": "patrol", "minutes": "2000", "students": "many", "started_at": "2999-01-01T08:00"})).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, vec!["started_at", "minutes", "students"]);
        // An SSO assists a search only when an administrator initiated it, and names them.
        let sso = app.token("sso").await;
        let r = app
            .api_send(
                Method::POST,
                "/api/v1/activities",
                &sso,
                "g6",
                &json!({"campus_id": c, "category": "search", "minutes": "10"}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let principal = app.user("principal").to_string();
        let r = app.api_send(Method::POST, "/api/v1/activities", &sso, "g7", &json!({"campus_id": c, "category": "search", "minutes": "10", "initiated_by": principal})).await;
        assert_eq!(r.status(), 201);
        assert_eq!(r.json::<Value>().await.unwrap()["record_class"], "shared");
        let r = app
            .api_send(
                Method::POST,
                "/api/v1/activities",
                &sso,
                "g8",
                &json!({"campus_id": c, "category": "arrest", "minutes": "10"}),
            )
            .await;
        assert_eq!(r.status(), 422);
        // Nobody else keeps an activity log.
        let staff = app.token("staff").await;
        let r = app
            .api_send(
                Method::POST,
                "/api/v1/activities",
                &staff,
                "g9",
                &json!({"campus_id": c, "category": "patrol", "minutes": "10"}),
            )
            .await;
        assert!(r.status() == 403 || r.status() == 404);
        assert_eq!(app.audit_count("activity.create", "ok").await, 2);
    }
);

both_engines!(
    corrections_keep_the_earlier_version_and_close_after_the_window,
    |app: TestApp| async move {
        let sro = app.token("sro").await;
        let c = campus(&app);
        let made: Value = app
            .api_send(
                Method::POST,
                "/api/v1/activities",
                &sro,
                "c1",
                &json!({"campus_id": c, "category": "patrol", "minutes": "30"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = made["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/activities/{id}");
        let month = made["local_date"].as_str().unwrap()[..7].to_string();
        let before = totals(&app, &month).await;
        let district_before = district_minutes(&app, &month).await;
        let fixed = app
            .api_send(
                Method::PUT,
                &path,
                &sro,
                "c2",
                &json!({"campus_id": c, "category": "patrol", "minutes": "45", "started_at": ""}),
            )
            .await;
        assert_eq!(fixed.status(), 200);
        let fixed: Value = fixed.json().await.unwrap();
        assert_eq!(
            (fixed["minutes"].as_i64(), fixed["version"].as_i64()),
            (Some(45), Some(2))
        );
        let history = triad_store::history::of(
            &mut app.db.acquire().await.unwrap(),
            triad_domain::policy::RecordClass::Shared,
            "activity",
            triad_domain::Id::parse(&id).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(history.len(), 1);
        assert!(history[0].data.contains("\"minutes\":30"));
        let after = totals(&app, &month).await;
        let district_after = district_minutes(&app, &month).await;
        assert_eq!(
            district_after - district_before,
            15,
            "the district roll-up follows too"
        );
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (0, 15),
            "the summary follows the correction"
        );
        // Another person cannot correct it, even one who may read it.
        let principal = app.token("principal").await;
        assert_eq!(
            app.api_send(
                Method::PUT,
                &path,
                &principal,
                "c3",
                &json!({"campus_id": c, "category": "patrol", "minutes": "5"})
            )
            .await
            .status(),
            403
        );
        app.clock.advance_minutes(73 * 60);
        let late = app
            .api_send(
                Method::PUT,
                &path,
                &sro,
                "c4",
                &json!({"campus_id": c, "category": "patrol", "minutes": "50"}),
            )
            .await;
        assert_eq!(late.status(), 409);
        assert_summaries_match_entries(&app).await;
        // A repair made by hand, outside Triad's write batches, is counted at once too.
        app.raw("UPDATE activities SET minutes = minutes + 5")
            .await
            .unwrap();
        app.raw("DELETE FROM activities WHERE category = 'patrol' AND minutes > 40")
            .await
            .unwrap();
        assert_summaries_match_entries(&app).await;
    }
);

both_engines!(
    a_stray_tap_is_undone_within_minutes_kept_and_counted_nowhere,
    |app: TestApp| async move {
        let sro = app.token("sro").await;
        let c = campus(&app);
        let log = |key: &'static str| {
            let (app, sro, c) = (&app, &sro, c.clone());
            async move {
                let made: Value = app
                    .api_send(
                        Method::POST,
                        "/api/v1/activities",
                        sro,
                        key,
                        &json!({"campus_id": c, "category": "patrol", "minutes": "15"}),
                    )
                    .await
                    .json()
                    .await
                    .unwrap();
                made["id"].as_str().unwrap().to_string()
            }
        };
        let stray = log("u1").await;
        let month = app
            .api_get(&format!("/api/v1/activities/{stray}"), &sro)
            .await
            .json::<Value>()
            .await
            .unwrap()["local_date"]
            .as_str()
            .unwrap()[..7]
            .to_string();
        let before = totals(&app, &month).await;
        let district_before = district_minutes(&app, &month).await;
        let undo = |id: String, who: String, key: &'static str| {
            let app = &app;
            async move {
                app.api_send(
                    Method::POST,
                    &format!("/api/v1/activities/{id}/undo"),
                    &who,
                    key,
                    &json!({}),
                )
                .await
            }
        };
        // Someone else, even one who may read it, cannot undo it.
        let sergeant = app.token("sergeant").await;
        assert_eq!(undo(stray.clone(), sergeant, "u2").await.status(), 403);
        let undone = undo(stray.clone(), sro.clone(), "u3").await;
        assert_eq!(undone.status(), 200);
        let undone: Value = undone.json().await.unwrap();
        assert!(undone["undone_at"].is_string(), "{undone}");
        assert_eq!(
            totals(&app, &month).await,
            (before.0 - 1, before.1 - 15),
            "the undone entry leaves the officer's summary"
        );
        assert_eq!(district_minutes(&app, &month).await, district_before - 15);
        assert_summaries_match_entries(&app).await;
        // Kept: it still reads, marked undone, with the version before it in its history.
        let kept: Value = app
            .api_get(&format!("/api/v1/activities/{stray}"), &sro)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (kept["minutes"].as_i64(), kept["undone_at"].is_string()),
            (Some(15), true)
        );
        let history = triad_store::history::of(
            &mut app.db.acquire().await.unwrap(),
            triad_domain::policy::RecordClass::Shared,
            "activity",
            triad_domain::Id::parse(&stray).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(app.audit_count("activity.undo", "ok").await, 1);
        // A second tap on Undo, and a correction of an undone entry, change nothing.
        let again = undo(stray.clone(), sro.clone(), "u4").await;
        assert_eq!(again.status(), 409);
        assert!(again.text().await.unwrap().contains("was undone"));
        let corrected = app
            .api_send(
                Method::PUT,
                &format!("/api/v1/activities/{stray}"),
                &sro,
                "u5",
                &json!({"campus_id": c, "category": "patrol", "minutes": "45"}),
            )
            .await;
        assert_eq!(corrected.status(), 409);
        assert_eq!(totals(&app, &month).await, (before.0 - 1, before.1 - 15));
        assert_eq!(app.audit_count("activity.undo", "ok").await, 1);
        // After the undo minutes (10 by default) an entry is corrected, not undone.
        let late = log("u6").await;
        app.clock.advance_minutes(10);
        let refused = undo(late.clone(), sro.clone(), "u7").await;
        assert_eq!(refused.status(), 409);
        assert!(refused.text().await.unwrap().contains("10 minutes"));
        assert_eq!(totals(&app, &month).await, (before.0, before.1));
        // The setting is never longer than the correction window.
        let mut tx = app.db.begin().await.unwrap();
        triad_store::settings::set(&mut tx, "activity.undo_minutes", "600")
            .await
            .unwrap();
        triad_store::settings::set(&mut tx, "activity.correction_hours", "1")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let capped = log("u8").await;
        app.clock.advance_minutes(61);
        assert_eq!(undo(capped, sro.clone(), "u9").await.status(), 409);
        assert_summaries_match_entries(&app).await;
    }
);

both_engines!(
    law_enforcement_entries_stay_with_the_agency_and_reads_are_audited,
    |app: TestApp| async move {
        let sro = app.token("sro").await;
        let made: Value = app.api_send(Method::POST, "/api/v1/activities", &sro, "l1", &json!({"campus_id": campus(&app), "category": "arrest", "minutes": "60", "case_ref": "24-1187"})).await.json().await.unwrap();
        let path = format!("/api/v1/activities/{}", made["id"].as_str().unwrap());
        let principal = app.token("principal").await;
        assert_eq!(app.api_get(&path, &principal).await.status(), 403);
        let reads = app.audit_count("access.law_enforcement.view", "ok").await;
        let sergeant = app.token("sergeant").await;
        let r = app.api_get(&path, &sergeant).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["case_ref"], "24-1187");
        assert_eq!(
            app.audit_count("access.law_enforcement.view", "ok").await,
            reads + 1
        );
    }
);

/// Entries and minutes of the SRO's summary for a month.
async fn totals(app: &TestApp, month: &str) -> (i64, i64) {
    let mut conn = app.db.acquire().await.unwrap();
    let summary = triad_store::activity::month_summary(&mut conn, app.user("sro"), month)
        .await
        .unwrap();
    summary
        .iter()
        .fold((0, 0), |(e, m), r| (e + r.entries, m + r.minutes))
}

/// One summary line: its key and its five totals.
type SummaryLine = (String, String, String, String, i64, i64, i64, i64, i64);

/// Asserts that both summaries say exactly what counting the entries again says (lines a
/// correction emptied are left at zero, and do not count).
async fn assert_summaries_match_entries(app: &TestApp) {
    let totals = "CAST(COUNT(*) AS BIGINT), CAST(SUM(minutes) AS BIGINT), \
                  CAST(SUM(students) AS BIGINT), CAST(SUM(parents) AS BIGINT), CAST(SUM(staff) AS BIGINT)";
    let kept = "entries, minutes, students, parents, staff";
    let nonzero =
        "NOT (entries = 0 AND minutes = 0 AND students = 0 AND parents = 0 AND staff = 0)";
    let pairs = [
        (
            format!(
                "SELECT campus_id, author_id, month, category, {totals} FROM activities \
                     WHERE voided_at IS NULL GROUP BY campus_id, author_id, month, category ORDER BY 1, 2, 3, 4"
            ),
            format!(
                "SELECT campus_id, author_id, month, category, {kept} FROM activity_summary \
                     WHERE {nonzero} ORDER BY 1, 2, 3, 4"
            ),
        ),
        (
            format!(
                "SELECT district_id, '', month, category, {totals} FROM activities \
                     WHERE voided_at IS NULL GROUP BY district_id, month, category ORDER BY 1, 2, 3, 4"
            ),
            format!(
                "SELECT district_id, '', month, category, {kept} FROM activity_summary_district \
                     WHERE {nonzero} ORDER BY 1, 2, 3, 4"
            ),
        ),
    ];
    let mut conn = app.db.acquire().await.unwrap();
    for (counted, kept) in pairs {
        let counted = triad_store::fetch_all!(&mut conn, SummaryLine, &counted).unwrap();
        let kept = triad_store::fetch_all!(&mut conn, SummaryLine, &kept).unwrap();
        assert!(!counted.is_empty());
        assert_eq!(
            kept, counted,
            "the summary kept at write time matches a recount"
        );
    }
}

both_engines!(
    reports_go_to_the_people_entitled_to_them,
    |app: TestApp| async move {
        // The fixtures hold one 30-minute patrol by the SRO on the own campus this month.
        let w = app.world;
        let sro = app.user("sro");
        let cases: &[(&str, String, u16)] = &[
            ("principal", format!("campus:{}", w.campus), 200),
            ("principal", format!("campus:{}", w.other_campus), 404),
            ("principal", format!("officer:{sro}"), 403),
            ("sergeant", format!("officer:{sro}"), 200),
            ("sergeant", format!("agency:{}", w.agency), 200),
            ("sro", format!("officer:{sro}"), 200),
            ("sro", format!("district:{}", w.district), 403),
            ("director", format!("district:{}", w.district), 200),
            ("evaluator", format!("campus:{}", w.campus), 403),
        ];
        for (user, scope, status) in cases {
            let token = app.token(user).await;
            let r = app
                .api_get(&format!("/api/v1/reports/activity?scope={scope}"), &token)
                .await;
            assert_eq!(r.status().as_u16(), *status, "{user} reading {scope}");
            if *status == 200 {
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["entries"], 1, "{user} reading {scope}");
                assert_eq!(body["balance"][0]["triad_role"], "law_enforcer");
                assert_eq!(body["balance"][0]["percent"], 100);
            }
        }
        let s = app.session("principal").await;
        let page = app
            .get(&format!("/reports/activity?scope=campus:{}", w.campus), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("<svg") && page.contains("Patrol"));
        let csv = app
            .get(
                &format!("/reports/activity?scope=campus:{}&format=csv", w.campus),
                &s,
            )
            .await;
        assert_eq!(
            csv.headers().get("content-type").unwrap(),
            "text/csv; charset=utf-8"
        );
        assert!(csv
            .text()
            .await
            .unwrap()
            .starts_with("category,label,triad_role,role,entries"));
        // A meeting is other duties: beside the balance, not in it.
        let sro_token = app.token("sro").await;
        // The SRO logs an entry on the own campus; yields the answer's status.
        let log = |key: &'static str, category: &'static str, minutes: &'static str| {
            let (app, token) = (&app, &sro_token);
            let body = json!({"campus_id": w.campus.to_string(), "category": category, "minutes": minutes});
            async move {
                app.api_send(Method::POST, "/api/v1/activities", token, key, &body)
                    .await
                    .status()
            }
        };
        assert_eq!(log("r1", "meeting", "60").await, 201);
        let token = app.token("director").await;
        // A second campus of the district, where nobody has logged anything.
        let quiet = app
            .api_send(
                Method::POST,
                &format!("/api/v1/districts/{}/campuses", w.district),
                &token,
                "quiet-campus",
                &json!({"name": "Quiet Elementary", "level": "elementary"}),
            )
            .await;
        assert_eq!(quiet.status(), 201);
        let district: Value = app
            .api_get(
                &format!("/api/v1/reports/activity?scope=district:{}", w.district),
                &token,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(district["period"], "month");
        assert_eq!(district["other_duties_minutes"], 60, "{district}");
        assert_eq!(district["balance"][0]["percent"], 100, "{district}");
        assert_eq!(district["hours"], "1 h 30 min");
        // A report kept for the director is not anyone's to read: the SRO is still refused.
        let district_path = format!("/api/v1/reports/activity?scope=district:{}", w.district);
        assert_eq!(app.api_get(&district_path, &sro_token).await.status(), 403);
        // A write moves what is kept: the next reading counts it.
        assert_eq!(log("r2", "patrol", "15").await, 201);
        let after = app.api_json(&district_path, &token).await;
        assert_eq!(
            (after["entries"].as_i64(), after["hours"].as_str()),
            (Some(3), Some("1 h 45 min")),
            "{after}"
        );
        // The district leader sees the campuses side by side; the supervisor the officers.
        assert_eq!(district["compared"], "campus");
        let home = district["comparison"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == w.campus.to_string())
            .cloned()
            .unwrap();
        assert_eq!(
            (home["minutes"].as_i64(), home["shares"][0].as_i64()),
            (Some(90), Some(100))
        );
        let today = app.district_today().to_string();
        let comparison = district["comparison"].as_array().unwrap();
        // Read for every campus at once: the campus logged in today; the others logged nothing.
        assert_eq!(home["last_entry"].as_str(), Some(today.as_str()), "{home}");
        assert_eq!(comparison.len(), 2, "{district}");
        for other in comparison
            .iter()
            .filter(|c| c["id"] != w.campus.to_string())
        {
            assert!(other["last_entry"].is_null(), "{other}");
        }
        let sergeant = app.token("sergeant").await;
        let agency: Value = app
            .api_get(
                &format!(
                    "/api/v1/reports/activity?scope=agency:{}&period=year",
                    w.agency
                ),
                &sergeant,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(agency["compared"], "officer");
        assert!(
            agency["from"].as_str().unwrap().ends_with("-08"),
            "{agency}"
        );
        assert!(
            agency["comparison"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == sro.to_string()
                    && o["entries"] == 3
                    && o["last_entry"].as_str() == Some(today.as_str())),
            "{agency}"
        );
        let unknown = app
            .api_get(
                &format!(
                    "/api/v1/reports/activity?scope=agency:{}&period=decade",
                    w.agency
                ),
                &sergeant,
            )
            .await;
        assert_eq!(unknown.status(), 422);
        assert!(unknown.text().await.unwrap().contains("period"));
        let bad = app
            .api_get(
                &format!(
                    "/api/v1/reports/activity?scope=district:{}&from=2026-09&to=2026-01",
                    w.district
                ),
                &token,
            )
            .await;
        assert_eq!(bad.status(), 422);
    }
);

/// The district's balance, by triad role code, and its other duties, in minutes.
async fn district_balance(app: &TestApp) -> (Vec<(String, i64)>, i64) {
    let token = app.token("director").await;
    let r: Value = app
        .api_get(
            &format!(
                "/api/v1/reports/activity?scope=district:{}",
                app.world.district
            ),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    let balance = r["balance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["triad_role"].as_str().unwrap().to_string(),
                b["minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    (balance, r["other_duties_minutes"].as_i64().unwrap())
}

both_engines!(
    meetings_and_training_attended_move_out_of_the_balance_when_migrated,
    |app: TestApp| async move {
        let sro = app.token("sro").await;
        let c = campus(&app);
        for (key, category, minutes) in [
            ("m1", "meeting", "60"),
            ("m2", "training", "120"),
            ("m3", "other", "15"),
            ("m4", "safety_audit", "45"),
        ] {
            let r = app
                .api_send(
                    Method::POST,
                    "/api/v1/activities",
                    &sro,
                    key,
                    &json!({"campus_id": c, "category": category, "minutes": minutes}),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
        // The entries and summaries as they were written before the change.
        let before_roles = "UPDATE {t} SET triad_role = 'emergency_manager' WHERE category IN ('meeting', 'other'); \
             UPDATE {t} SET triad_role = 'educator' WHERE category = 'training';";
        for table in [
            "activities",
            "activity_summary",
            "activity_summary_district",
        ] {
            app.raw(&before_roles.replace("{t}", table)).await.unwrap();
        }
        let (before, other_before) = district_balance(&app).await;
        let minutes_of = |b: &[(String, i64)], role: &str| {
            b.iter().find(|(r, _)| r == role).map(|(_, m)| *m).unwrap()
        };
        assert_eq!(other_before, 0);
        assert_eq!(minutes_of(&before, "emergency_manager"), 60 + 15 + 45);
        assert_eq!(minutes_of(&before, "educator"), 120);
        // The migration, run again on those rows.
        let migration = match app.engine {
            Engine::Sqlite => {
                include_str!("../../../triad-store/migrations/sqlite/0027_other_duties.sql")
            }
            Engine::Postgres => {
                include_str!("../../../triad-store/migrations/postgres/0027_other_duties.sql")
            }
        };
        let migration = migration.replace(
            "CREATE INDEX activities_by_campus_latest",
            "CREATE INDEX IF NOT EXISTS activities_by_campus_latest",
        );
        app.raw(&migration).await.unwrap();
        let (after, other_after) = district_balance(&app).await;
        assert_eq!(
            other_after,
            60 + 120 + 15,
            "meetings, training attended and other"
        );
        assert_eq!(
            minutes_of(&after, "emergency_manager"),
            45,
            "the safety audit stays"
        );
        assert_eq!(minutes_of(&after, "educator"), 0);
        assert_eq!(
            minutes_of(&after, "law_enforcer"),
            minutes_of(&before, "law_enforcer")
        );
        let total = |b: &[(String, i64)]| b.iter().map(|(_, m)| m).sum::<i64>();
        assert_eq!(
            total(&after) + other_after,
            total(&before),
            "no minute lost or added"
        );
        assert_summaries_match_entries(&app).await;
        let stale = app
            .scalar(
                "SELECT COUNT(*) FROM activity_summary s WHERE triad_role <> \
                 (SELECT MAX(a.triad_role) FROM activities a WHERE a.campus_id = s.campus_id \
                  AND a.author_id = s.author_id AND a.month = s.month AND a.category = s.category)",
            )
            .await;
        assert_eq!(stale, 0, "the summaries carry the entries' triad role");
    }
);

both_engines!(
    an_officers_spreadsheet_is_imported_row_by_row_once,
    |app: TestApp| async move {
        // A Windows-1252 file, as spreadsheets on office computers save it.
        let mut csv = b"Officer,Campus,Date,Time,Activity,Minutes,Students,Notes\n".to_vec();
        csv.extend_from_slice(
            b"sro,Home High,2026-10-05,09:15,Counseling session: student,15,1,Caf\xe9 talk\n",
        );
        csv.extend_from_slice(b"sro,Home High,2026-10-05,10:00,search,20,,\n");
        csv.extend_from_slice(b"nobody,Home High,2026-10-05,10:00,patrol,20,,\n");
        csv.extend_from_slice(b"sro,Away High,2026-10-06,10:00,patrol,20,,\n");
        csv.extend_from_slice(b"sro,home high,2026-10-06,11:00,Patrol,30,,\n\n");
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &csv).unwrap();
        let import = || {
            std::process::Command::new(env!("CARGO_BIN_EXE_triad"))
                .args([
                    "--database-url",
                    &app.database_url,
                    "--as",
                    "admin",
                    "activity",
                    "import",
                    "--json",
                ])
                .arg(file.path())
                .env("RUST_LOG", "warn")
                .output()
                .unwrap()
        };
        let first = import();
        assert_eq!(
            first.status.code(),
            Some(3),
            "refused rows give exit code 3: {}",
            String::from_utf8_lossy(&first.stderr)
        );
        let report: Value = serde_json::from_slice(&first.stdout).unwrap();
        assert_eq!(
            (report["rows_read"].as_u64(), report["imported"].as_u64()),
            (Some(5), Some(2))
        );
        let refused: Vec<(u64, String)> = report["refused"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap(),
                    r["reasons"][0].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            refused.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
        assert!(refused[0].1.starts_with("search_basis"));
        assert!(refused[1].1.starts_with("officer"));
        assert!(refused[2].1.starts_with("campus"));
        let again: Value = serde_json::from_slice(&import().stdout).unwrap();
        assert_eq!(
            (
                again["imported"].as_u64(),
                again["already_present"].as_u64()
            ),
            (Some(0), Some(2))
        );
        let mine = triad_store::activity::recent_by_author(
            &mut app.db.acquire().await.unwrap(),
            app.user("sro"),
            Page::first(10),
        )
        .await
        .unwrap();
        assert!(mine.iter().any(|r| r.notes.as_deref() == Some("Café talk")));
        assert_eq!(app.audit_count("activity.import", "ok").await, 2);
        assert_summaries_match_entries(&app).await;
    }
);

both_engines!(
    the_correction_window_is_an_instance_setting,
    |app: TestApp| async move {
        let set = |value: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_triad"))
                .args([
                    "--database-url",
                    &app.database_url,
                    "--as",
                    "admin",
                    "setting",
                    "set",
                    "activity.correction_hours",
                    value,
                ])
                .env("RUST_LOG", "warn")
                .output()
                .unwrap()
        };
        assert!(
            !set("forever").status.success(),
            "a setting is checked before it is stored"
        );
        assert!(set("1").status.success());
        let sro = app.token("sro").await;
        let c = campus(&app);
        let made: Value = app
            .api_send(
                Method::POST,
                "/api/v1/activities",
                &sro,
                "w1",
                &json!({"campus_id": c, "category": "patrol", "minutes": "30"}),
            )
            .await
            .json()
            .await
            .unwrap();
        app.clock.advance_minutes(61);
        let path = format!("/api/v1/activities/{}", made["id"].as_str().unwrap());
        let late = app
            .api_send(
                Method::PUT,
                &path,
                &sro,
                "w2",
                &json!({"campus_id": c, "category": "patrol", "minutes": "40"}),
            )
            .await;
        assert_eq!(late.status(), 409);
        assert!(late.text().await.unwrap().contains("1 hours"));
        assert_eq!(app.audit_count("setting.set", "ok").await, 1);
    }
);

/// Minutes in the district report for a month, as the district leader reads it.
async fn district_minutes(app: &TestApp, month: &str) -> i64 {
    let token = app.token("director").await;
    let path = format!(
        "/api/v1/reports/activity?scope=district:{}&from={month}&to={month}",
        app.world.district
    );
    let report: Value = app.api_get(&path, &token).await.json().await.unwrap();
    report["minutes"].as_i64().unwrap()
}

both_engines!(
    presentations_say_what_was_taught_and_staff_entries_which_staff,
    |app: TestApp| async move {
        let token = app.token("sro").await;
        let log = |body: Value| {
            let token = token.clone();
            let app = &app;
            async move { app.api_post(&token, "/api/v1/activities", body).await }
        };
        let before = app.count("activities").await;
        let bad = log(
            json!({"campus_id": campus(&app), "category": "classroom_presentation", "minutes": "50",
            "lesson_plan": "javascript:alert(1)", "staff_group": "janitors"}),
        )
        .await;
        assert_eq!(bad.status(), 422);
        let errors = bad.text().await.unwrap();
        assert!(
            errors.contains("lesson_plan") && errors.contains("staff_group"),
            "{errors}"
        );
        assert_eq!(app.count("activities").await, before, "nothing is written");

        let r = log(
            json!({"campus_id": campus(&app), "category": "classroom_presentation", "minutes": "50",
            "students": "28", "topic": "Internet safety", "class_name": "3rd period civics",
            "lesson_plan": "https://drive.district.org/plans/internet-safety"}),
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let e: Value = r.json().await.unwrap();
        assert_eq!(
            (
                e["topic"].as_str(),
                e["class_name"].as_str(),
                e["lesson_plan"].as_str()
            ),
            (
                Some("Internet safety"),
                Some("3rd period civics"),
                Some("https://drive.district.org/plans/internet-safety")
            )
        );
        let r = log(
            json!({"campus_id": campus(&app), "category": "staff_relationship", "minutes": "10",
            "staff": "3", "staff_group": "bus_drivers", "topic": "not a presentation"}),
        )
        .await;
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["staff_group"], "bus_drivers");
        assert!(
            e["topic"].is_null(),
            "a detail of another category is not kept"
        );
        let page = app
            .get(
                &format!("/activity/{}", e["id"].as_str().unwrap()),
                &app.session("sro").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Bus drivers"), "{page}");
    }
);

both_engines!(
    officers_import_their_own_logs_from_the_web_page,
    |app: TestApp| async move {
        let csv = "Officer Name,Campus,Date,Time,Activity,Minutes,Students,Topic,Class\n\
                   sro,Home High,2026-10-05,09:15,Classroom presentation,50,28,Internet safety,3rd period\n\
                   sso,Home High,2026-10-05,10:00,patrol,20,,,\n\
                   sro,Home High,2026-10-05,11:00,patrol,-5,,,\n";
        let s = app.session("sro").await;
        let page = app.get("/activity/import", &s).await.text().await.unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\""));
        let upload = || {
            let token = triad_web::forms::FormToken::new(&s.csrf);
            let form = reqwest::multipart::Form::new()
                .text("_idem", token.idem)
                .text("_csrf", token.csrf)
                .text("map", "Officer Name=officer")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                        .file_name("my-log.csv")
                        .mime_str("text/csv")
                        .unwrap(),
                );
            app.http
                .post(app.url("/activity/import"))
                .header("cookie", &s.cookie)
                .multipart(form)
                .send()
        };
        let before = app.count("activities").await;
        let first = upload().await.unwrap();
        assert_eq!(first.status(), 200);
        let report = first.text().await.unwrap();
        assert!(
            report.contains("<strong id=\"imported\">1</strong>"),
            "{report}"
        );
        assert!(
            report.contains("<strong id=\"refused\">2</strong>"),
            "{report}"
        );
        assert!(
            report.contains("not &#39;sso&#39;") || report.contains("not 'sso'"),
            "another officer's row is refused: {report}"
        );
        assert!(report.contains("minutes"), "{report}");
        assert_eq!(app.count("activities").await, before + 1);
        let again = upload().await.unwrap().text().await.unwrap();
        assert!(
            again.contains("<strong id=\"imported\">0</strong>")
                && again.contains("1 already imported before"),
            "{again}"
        );
        assert_eq!(
            app.count("activities").await,
            before + 1,
            "the same file adds nothing"
        );
        let mine: Value = app
            .api_get("/api/v1/activities", &app.token("sro").await)
            .await
            .json()
            .await
            .unwrap();
        assert!(serde_json::to_string(&mine)
            .unwrap()
            .contains("Internet safety"));
        // The school side does not import officers' logs.
        let principal = app.session("principal").await;
        assert_eq!(app.get("/activity/import", &principal).await.status(), 403);
    }
);

both_engines!(
    a_presentation_keeps_its_lesson_plan_file_for_those_who_read_it,
    |app: TestApp| async move {
        let token = app.token("sro").await;
        let logged = |category: &'static str| {
            let (app, token) = (&app, token.clone());
            async move {
                let body = json!({"campus_id": campus(app), "category": category, "minutes": "50"});
                let r = app.api_post(&token, "/api/v1/activities", body).await;
                assert_eq!(r.status(), 201);
                r.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
        };
        let presentation = logged("classroom_presentation").await;
        let patrol = logged("patrol").await;
        let send = |id: String, who: String, name: &'static str, bytes: &'static [u8]| {
            let app = &app;
            async move {
                let form = reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name),
                );
                app.http
                    .post(app.url(&format!("/api/v1/activities/{id}/lesson-plan")))
                    .bearer_auth(app.token(&who).await)
                    .header("idempotency-key", triad_domain::Id::new().to_string())
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let plans = app.count("activity_lesson_plans").await;
        // A picture renamed .pdf, a program, a patrol, someone else's entry: refused, nothing kept.
        let png = send(
            presentation.clone(),
            "sro".into(),
            "plan.pdf",
            b"\x89PNG\r\n\x1a\n",
        )
        .await;
        assert_eq!(png.status(), 422);
        assert!(png.text().await.unwrap().contains("not the .pdf file"));
        let exe = send(
            presentation.clone(),
            "sro".into(),
            "plan.exe",
            b"MZ\x90\x00",
        )
        .await;
        assert_eq!(exe.status(), 422);
        let on_patrol = send(patrol, "sro".into(), "plan.pdf", b"%PDF-1.7").await;
        assert_eq!(on_patrol.status(), 422);
        assert!(on_patrol
            .text()
            .await
            .unwrap()
            .contains("only a classroom presentation"));
        let not_author = send(presentation.clone(), "sso".into(), "plan.pdf", b"%PDF-1.7").await;
        assert_eq!(not_author.status(), 403);
        assert_eq!(app.count("activity_lesson_plans").await, plans);

        let pdf: &'static [u8] = b"%PDF-1.7\n1 0 obj << /Title (Internet safety) >> endobj\n";
        let kept = send(
            presentation.clone(),
            "sro".into(),
            "Internet \"safety\".pdf",
            pdf,
        )
        .await;
        assert_eq!(kept.status(), 201);
        let view: Value = kept.json().await.unwrap();
        assert_eq!(view["media_type"], "application/pdf");
        assert_eq!(view["size_bytes"], pdf.len());
        // The principal reads the entry, so the principal reads its lesson plan.
        let principal = app.token("principal").await;
        let got = app
            .api_get(
                &format!("/api/v1/activities/{presentation}/lesson-plan"),
                &principal,
            )
            .await;
        assert_eq!(got.status(), 200);
        assert_eq!(got.headers()["content-type"], "application/pdf");
        let disposition = got.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(!disposition.contains("\"safety\""), "{disposition}");
        assert_eq!(got.bytes().await.unwrap().as_ref(), pdf);
        // A second file replaces it on the page; the first stays in the record.
        let newer = send(presentation.clone(), "sro".into(), "v2.txt", b"Objectives").await;
        assert_eq!(newer.status(), 201);
        assert_eq!(app.count("activity_lesson_plans").await, plans + 2);
        let s = app.session("sro").await;
        let page = app
            .get(&format!("/activity/{presentation}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"lesson-plan-file\">v2.txt</a>"),
            "{page}"
        );
        assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
        assert_eq!(app.audit_count("activity.lesson_plan", "ok").await, 2);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_line_import_beside_a_running_server_leaves_its_writes_alone() {
    let app = TestApp::start(crate::support::Engine::Sqlite).await;
    let token = app.token("sro").await;
    let mut csv = String::from("Officer,Campus,Date,Time,Activity,Minutes\n");
    let rows = 100_000;
    for i in 0..rows {
        let (day, hour, minute) = (1 + (i / 400) % 28, 7 + (i / 60) % 10, i % 60);
        csv.push_str(&format!(
            "sro,Home High,2026-10-{day:02},{hour:02}:{minute:02},patrol,{}\n",
            10 + i % 50
        ));
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &csv).unwrap();
    let mut import = tokio::process::Command::new(env!("CARGO_BIN_EXE_triad"))
        .args(["--database-url", &app.database_url, "--as", "admin"])
        .args(["activity", "import", "--json"])
        .arg(file.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The server keeps writing for as long as the import runs: none of its writes fails.
    let mut writes = 0;
    let mut statuses = std::collections::BTreeMap::new();
    let mut unexpected = None;
    let status = loop {
        if let Some(status) = import.try_wait().unwrap() {
            break status;
        }
        let r = app
            .api_post(
                &token,
                "/api/v1/activities",
                json!({"campus_id": app.world.campus.to_string(), "category": "patrol", "minutes": "5"}),
            )
            .await;
        let code = r.status().as_u16();
        *statuses.entry(code).or_insert(0) += 1;
        if code != 201 && unexpected.is_none() {
            unexpected = Some(r.text().await.unwrap_or_default());
        }
        writes += 1;
        // Paced like a front office, not a load test: the import has the machine's cores.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let mut out = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut import.stdout.take().unwrap(), &mut out)
        .await
        .unwrap();
    assert!(status.success(), "{}", String::from_utf8_lossy(&out));
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["imported"], rows);
    assert!(writes > 0);
    assert_eq!(
        statuses.keys().collect::<Vec<_>>(),
        vec![&201],
        "{writes} writes during the import: {statuses:?}; the first refused said {unexpected:?}"
    );
}

/// An activity CSV of `rows` patrols of the SRO on the home campus.
fn patrols(rows: usize) -> String {
    let mut csv = String::from("Officer,Campus,Date,Time,Activity,Minutes\n");
    for i in 0..rows {
        let (day, hour, minute) = (1 + (i / 400) % 28, 7 + (i / 60) % 10, i % 60);
        csv.push_str(&format!(
            "sro,Home High,2026-10-{day:02},{hour:02}:{minute:02},patrol,{}\n",
            10 + i % 50
        ));
    }
    csv
}

/// Sends an activity CSV to the API with `key`.
async fn send_import(
    app: &TestApp,
    base: &str,
    token: &str,
    key: &str,
    csv: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
            .file_name("log.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    app.http
        .post(format!("{base}/api/v1/activities/import"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Follows an import job until it ends; yields its last view.
async fn follow_job(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..3000 {
        let job: Value = app
            .api_get(&format!("/api/v1/activities/import/{id}"), token)
            .await
            .json()
            .await
            .unwrap();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the import job {id} did not end");
}

async fn a_long_web_import_is_a_job(engine: crate::support::Engine) {
    let config = triad_web::WebConfig {
        import_answer_within: std::time::Duration::ZERO,
        ..Default::default()
    };
    let app = TestApp::start_with(engine, config).await;
    let token = app.token("sro").await;
    let before = app.count("activities").await;
    let csv = patrols(3000);
    let first = send_import(&app, &app.base, &token, "long-import", &csv).await;
    assert_eq!(first.status(), 202, "answered at once with the job");
    let location = first.headers()["location"].to_str().unwrap().to_string();
    let job: Value = first.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/activities/import/{id}"));
    // A retry with the same key names the same job and queues nothing more.
    let retry = send_import(&app, &app.base, &token, "long-import", &csv).await;
    let retried: Value = retry.json().await.unwrap();
    assert_eq!(retried["id"], json!(id), "{retried}");
    let ended = follow_job(&app, &token, &id).await;
    assert_eq!(ended["state"], "done", "{ended}");
    assert_eq!(ended["report"]["imported"], 3000);
    assert_eq!(
        (ended["done"].as_i64(), ended["total"].as_i64()),
        (Some(3000), Some(3000))
    );
    assert_eq!(app.count("activities").await, before + 3000);
    assert_eq!(app.count("jobs").await, 1);
    // So many rows at once: PostgreSQL's planner is told of them before the job ends (a
    // list read right after is planned for the table as it now is, not left for autovacuum).
    if engine == crate::support::Engine::Postgres {
        let analyzed = app
            .scalar(
                "SELECT COUNT(*) FROM pg_stat_user_tables \
                 WHERE relname IN ('activities', 'audit_log') AND last_analyze IS NOT NULL",
            )
            .await;
        assert_eq!(analyzed, 2, "the import's tables were analyzed");
    }
    // Someone else's import is not there for them.
    let other = app.token("sso").await;
    let theirs = app
        .api_get(&format!("/api/v1/activities/import/{id}"), &other)
        .await;
    assert_eq!(theirs.status(), 404);
    // The page follows it too.
    let page = app
        .get(&format!("/activity/import/{id}"), &app.session("sro").await)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<strong id=\"imported\">3000</strong>"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_web_import_is_a_job_sqlite() {
    a_long_web_import_is_a_job(crate::support::Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_web_import_is_a_job_postgres() {
    a_long_web_import_is_a_job(crate::support::Engine::Postgres).await;
}

both_engines!(
    an_import_job_left_by_a_stopped_server_is_finished_once_by_one_of_two_instances,
    |app: TestApp| async move {
        let _second = app.second_instance().await;
        let before = app.count("activities").await;
        // Four jobs: one an instance took and then stopped (its lease ran out), three queued.
        let mut jobs = Vec::new();
        for n in 0..4 {
            let key = triad_store::instance::FileStore::new(&app.data_dir)
                .put("imports", "csv", patrols(400 + n).into_bytes())
                .await
                .unwrap();
            let id = triad_domain::Id::new();
            let left = n == 0;
            let job = triad_store::jobs::JobRow {
                id: id.to_string(),
                kind: "activity_import".into(),
                actor_id: app.user("sro").to_string(),
                input_key: key,
                options: "{\"map\": []}".into(),
                state: if left { "running" } else { "queued" }.into(),
                done: 0,
                total: 0,
                report: None,
                error: None,
                attempts: i64::from(left),
                lease_owner: left.then(|| "a-server-that-stopped".to_string()),
                lease_until: left.then_some(0),
                created_at: app.clock_now().millis(),
                started_at: None,
                finished_at: None,
            };
            let mut tx = app.db.begin().await.unwrap();
            triad_store::jobs::insert(&mut tx, &job).await.unwrap();
            tx.commit().await.unwrap();
            jobs.push(id);
        }
        let token = app.token("sro").await;
        for id in &jobs {
            let ended = follow_job(&app, &token, &id.to_string()).await;
            assert_eq!(ended["state"], "done", "{ended}");
        }
        // Each ran to its end once (the one left behind twice: once before it stopped).
        let attempts: i64 = app
            .scalar("SELECT CAST(SUM(attempts) AS BIGINT) FROM jobs")
            .await;
        assert_eq!(attempts, 5);
        assert_eq!(app.audit_count("activity.import.ended", "ok").await, 4);
        // Every row of every file, none twice (a row's id is its file and line).
        assert_eq!(
            app.count("activities").await,
            before + 400 + 401 + 402 + 403
        );
    }
);

both_engines!(
    spreadsheets_as_people_export_them_lose_no_row_silently,
    |app: TestApp| async move {
        let token = app.token("sro").await;
        let send = |name: &'static str, bytes: Vec<u8>| {
            let (app, token) = (&app, token.clone());
            async move {
                let form = reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                );
                let r = app
                    .http
                    .post(app.url("/api/v1/activities/import"))
                    .bearer_auth(&token)
                    .header("idempotency-key", name)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            }
        };
        let header = "Officer,Campus,Date,Time,Activity,Minutes,Notes";
        let row = |day: u32, notes: &str| {
            format!("sro,Home High,2026-11-{day:02},09:00,patrol,15,{notes}")
        };
        // CR-only line endings (an old Mac export): every row is read.
        let cr = [header.to_string(), row(2, "a"), row(3, "b")].join("\r");
        let (status, r) = send("cr.csv", cr.into_bytes()).await;
        assert_eq!((status, r["imported"].as_u64()), (200, Some(2)), "{r}");
        // A quote never closed: the rows it would swallow are named, not merged into one.
        let open = [
            header.to_string(),
            row(4, "fine"),
            row(5, "\"oops"),
            row(6, "x"),
            row(7, "y"),
        ]
        .join("\n");
        let (status, r) = send("open-quote.csv", open.into_bytes()).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["imported"], 1, "{r}");
        let refused = r["refused"].to_string();
        assert!(
            refused.contains("never closed") && refused.contains("3–5"),
            "{refused}"
        );
        // Valid UTF-8 but for one byte: the rest stays UTF-8 and the bad line is named.
        let mut mixed = [header.to_string(), row(8, "José"), row(9, "Zoë")]
            .join("\n")
            .into_bytes();
        mixed.extend_from_slice(b"\nsro,Home High,2026-11-10,09:00,patrol,15,Caf\xe9\n");
        let (status, r) = send("mixed.csv", mixed).await;
        assert_eq!((status, r["imported"].as_u64()), (200, Some(2)), "{r}");
        assert_eq!(r["refused"][0]["line"], 4, "{r}");
        let notes: Vec<String> = app
            .api_get("/api/v1/activities?limit=500", &token)
            .await
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["notes"].as_str().map(str::to_string))
            .collect();
        assert!(notes.contains(&"José".to_string()), "{notes:?}");
        // Semicolons, and UTF-16 with a byte-order mark (Excel's "Unicode text").
        let semi = format!(
            "{}\n{}\n",
            header.replace(',', ";"),
            row(11, "s").replace(',', ";")
        );
        let (status, r) = send("semicolons.csv", semi.into_bytes()).await;
        assert_eq!((status, r["imported"].as_u64()), (200, Some(1)), "{r}");
        let mut utf16 = vec![0xFF, 0xFE];
        let tsv = format!(
            "{}\n{}\n",
            header.replace(',', "\t"),
            row(12, "Zoë").replace(',', "\t")
        );
        for unit in tsv.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (status, r) = send("unicode.txt", utf16).await;
        assert_eq!((status, r["imported"].as_u64()), (200, Some(1)), "{r}");
        // A NUL byte is removed and said; the row is kept.
        let nul = format!("{header}\n{}\u{0}\n", row(13, "n"));
        let (status, r) = send("nul.csv", nul.into_bytes()).await;
        assert_eq!((status, r["imported"].as_u64()), (200, Some(1)), "{r}");
        assert_eq!(r["notes"][0]["line"], 2, "{r}");
        // Files that cannot be imported at all, each with its own reason.
        let before = app.count("activities").await;
        for (name, bytes, words) in [
            ("empty.csv", b"\r\n\r\n".to_vec(), "empty"),
            (
                "book.xlsx",
                b"PK\x03\x04 a workbook".to_vec(),
                "Excel workbook",
            ),
            (
                "twice.csv",
                format!("{header},Minutes\n{},20\n", row(14, "t")).into_bytes(),
                "'Minutes' twice",
            ),
            (
                "blank-header.csv",
                format!("{header},\n{},stray\n", row(15, "b")).into_bytes(),
                "no header",
            ),
        ] {
            let (status, r) = send(name, bytes).await;
            assert_eq!(status, 422, "{name}: {r}");
            assert!(r.to_string().contains(words), "{name}: {r}");
        }
        assert_eq!(app.count("activities").await, before);
    }
);
