//! The improvement cycle: findings proposed from a practice not met and from a survey's gap
//! between roles and its concerns, decided once, answered by a plan whose steps their owners
//! move from their home page, and measured again by the next survey. Input that makes no sense
//! (a proposal Triad does not make, a step owned outside the program, a step due yesterday)
//! is refused with nothing written.

use crate::both_engines;
use crate::support::*;
use serde_json::{json, Value};
use triad_domain::Id;

/// Answers a campaign through its public page: `role`, the relationship score and a reason.
async fn answer(app: &TestApp, code: &str, role: &str, score: &str, why: &str) {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/s/{code}")))
        .form(&[
            ("role", role),
            ("relationship", score),
            ("relationship_why", why),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
}

/// A later campaign of the district asking the same questions, open now.
async fn later_campaign(app: &TestApp) -> String {
    let instrument = triad_domain::surveys::sro_partnership();
    let id = Id::new();
    let row = triad_store::surveys::CampaignRow {
        id: id.to_string(),
        name: "Fall check-in".into(),
        district_id: Some(app.world.district.to_string()),
        campus_id: None,
        instrument_key: instrument.key.clone(),
        instrument: serde_json::to_string(&instrument).unwrap(),
        audience: "sro administrator educator".into(),
        opens_on: "2026-09-01".into(),
        closes_on: "2099-12-31".into(),
        public_code: id.to_string().replace('-', ""),
        one_time_tokens: false,
        notice: None,
        created_by: None,
        created_at: 0,
        name_es: None,
        notice_es: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    triad_store::surveys::insert_campaign(&mut tx, &row)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    row.public_code
}

/// The finding of the improvement view `m` with this id.
fn finding_with(m: &Value, id: &Value) -> Value {
    m["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == *id)
        .cloned()
        .unwrap_or_else(|| panic!("no finding {id}: {m:#}"))
}

fn proposals(m: &Value) -> Vec<Value> {
    m["proposals"].as_array().cloned().unwrap_or_default()
}

fn source_starting(m: &Value, prefix: &str) -> String {
    proposals(m)
        .iter()
        .find_map(|p| {
            p["source"]
                .as_str()
                .filter(|s| s.starts_with(prefix))
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no proposal {prefix}: {m:#}"))
}

both_engines!(
    findings_are_proposed_decided_planned_and_measured_again,
    |app: TestApp| async move {
        let w = &app.world;
        let director = app.token("director").await;
        let path = format!("/api/v1/partnerships/{}/improvement", w.partnership);
        let findings = format!("/api/v1/partnerships/{}/findings", w.partnership);
        let plan = format!("/api/v1/partnerships/{}/plan", w.partnership);

        // The survey of 2025–26: SROs rate the relationship strongest, administrators two
        // points weaker, and two of five administrators name a new principal.
        let code = w.survey.to_string().replace('-', "");
        for _ in 0..5 {
            answer(&app, &code, "sro", "1", "We meet every week").await;
        }
        for i in 0..5 {
            let why = if i < 2 {
                "We have a new principal again this year"
            } else {
                "Fine"
            };
            answer(&app, &code, "administrator", "3", why).await;
        }

        // This year: the MOU is an unsigned draft, so practice 1 is not met.
        let r = app.api_get(&path, &director).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let now: Value = r.json().await.unwrap();
        let item = source_starting(&now, "item:1");
        assert_eq!(item, "item:1");
        // The survey's year.
        let r = app.api_get(&format!("{path}?year=2025"), &director).await;
        let then: Value = r.json().await.unwrap();
        let gap = source_starting(&then, "gap:");
        assert!(gap.ends_with(":relationship:sro:administrator"), "{gap}");
        let concern = source_starting(&then, "theme:");
        assert!(concern.ends_with(":admin_turnover"), "{concern}");
        let concern_proposal = proposals(&then)
            .into_iter()
            .find(|p| p["source"] == concern.as_str())
            .unwrap();
        assert!(
            concern_proposal["detail"]
                .as_str()
                .unwrap()
                .contains("by 2 of 5 administrators"),
            "{concern_proposal}"
        );
        let gap_proposal = proposals(&then)
            .into_iter()
            .find(|p| p["source"] == gap.as_str())
            .unwrap();
        assert!(
            gap_proposal["detail"]
                .as_str()
                .unwrap()
                .contains("2.0 points"),
            "{gap_proposal}"
        );

        // The agency's supervisor assesses the program but does not read its survey: no
        // proposal drawn from it, and nothing of it to decide.
        let sergeant = app.token("sergeant").await;
        let r = app.api_get(&format!("{path}?year=2025"), &sergeant).await;
        assert_eq!(r.status(), 200);
        let theirs: Value = r.json().await.unwrap();
        assert!(
            !proposals(&theirs).iter().any(|p| {
                let source = p["source"].as_str().unwrap_or("");
                source.starts_with("gap:") || source.starts_with("theme:")
            }),
            "{theirs:#}"
        );
        let r = app
            .api_post(
                &sergeant,
                &findings,
                json!({"year": "2025", "source": gap, "decision": "accept", "title": "x"}),
            )
            .await;
        assert_eq!(r.status(), 422);

        // Bad decisions change nothing.
        let before = app.count("improvement_findings").await;
        for (body, field) in [
            (
                json!({"source": "item:2", "decision": "accept", "title": "x"}),
                "source",
            ),
            (
                json!({"source": item, "decision": "accept", "title": "  "}),
                "title",
            ),
            (
                json!({"source": item, "decision": "later", "title": "x"}),
                "decision",
            ),
            (
                json!({"source": item, "decision": "accept", "title": "x", "year": "1990"}),
                "year",
            ),
        ] {
            let r = app.api_post(&director, &findings, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        assert_eq!(app.count("improvement_findings").await, before);

        // Accepted as edited, once.
        let accept = json!({"source": item, "decision": "accept",
            "title": "No signed MOU", "detail": "The draft waits for the chief's signature."});
        let r = app.api_post(&director, &findings, accept.clone()).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let finding: Value = r.json().await.unwrap();
        assert_eq!(finding["title"], "No signed MOU");
        let r = app.api_post(&director, &findings, accept).await;
        assert_eq!(r.status(), 422, "decided once");
        // The gap accepted and the concern dismissed, for 2025–26.
        let r = app
            .api_post(
                &director,
                &findings,
                json!({"year": "2025", "source": gap, "decision": "accept",
                    "title": "Administrators rate the relationship weaker than SROs"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let gap_finding: Value = r.json().await.unwrap();
        let r = app
            .api_post(
                &director,
                &findings,
                json!({"year": "2025", "source": concern, "decision": "dismiss",
                    "detail": "The principal retired; the new one stays."}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let then: Value = app
            .api_get(&format!("{path}?year=2025"), &director)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            !proposals(&then)
                .iter()
                .any(|p| p["source"] == gap.as_str() || p["source"] == concern.as_str()),
            "decided proposals are not proposed again: {then:#}"
        );
        assert_eq!(then["dismissed"].as_array().map(Vec::len), Some(1));
        assert_eq!(then["findings"].as_array().map(Vec::len), Some(2));

        // The plan: a goal answering the finding, an objective, a step for the principal.
        let r = app
            .api_post(
                &director,
                &plan,
                json!({"level": "goal", "title": "Sign the MOU",
                    "finding": finding["id"]}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let goal: Value = r.json().await.unwrap();
        let r = app
            .api_post(
                &director,
                &plan,
                json!({"level": "objective", "title": "Both sides sign by spring",
                    "parent": goal["id"]}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let objective: Value = r.json().await.unwrap();
        let today = app.clock_now().to_datetime().date_naive();
        let due = (today + chrono::Days::new(30)).to_string();
        // Two days back: past in the district's own day too, which after midnight UTC is
        // still the day before.
        let yesterday = (today - chrono::Days::new(2)).to_string();
        let steps_before = app.count("improvement_plan").await;
        for (body, field) in [
            // Someone of another district owns nothing here.
            (
                json!({"level": "step", "title": "Review", "parent": objective["id"],
                "owner": "away-principal", "due_on": due}),
                "owner",
            ),
            (
                json!({"level": "step", "title": "Review", "parent": objective["id"],
                "owner": "nobody-at-all", "due_on": due}),
                "owner",
            ),
            (
                json!({"level": "step", "title": "Review", "parent": objective["id"],
                "owner": "principal", "due_on": yesterday}),
                "due_on",
            ),
            // A step sits under an objective, not a goal.
            (
                json!({"level": "step", "title": "Review", "parent": goal["id"],
                "owner": "principal", "due_on": due}),
                "parent",
            ),
            (
                json!({"level": "goal", "title": "Answer it", "finding": Id::new().to_string()}),
                "finding",
            ),
        ] {
            let r = app.api_post(&director, &plan, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        assert_eq!(app.count("improvement_plan").await, steps_before);
        let r = app
            .api_post(
                &director,
                &plan,
                json!({"level": "step", "title": "Walk the draft to the chief",
                    "parent": objective["id"], "owner": "principal", "due_on": due}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let step: Value = r.json().await.unwrap();
        let step_id = step["id"].as_str().unwrap().to_string();

        // The owner sees it at home and moves it there; dropping it asks why.
        let principal = app.session("principal").await;
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert!(home.contains("Your improvement plan steps"), "{home}");
        assert!(home.contains("Walk the draft to the chief"));
        let status = format!("/plan-steps/{step_id}/status");
        let r = app
            .post_form(
                &status,
                &principal,
                &[("status", "dropped"), ("back", "home")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = app
            .post_form(
                &status,
                &principal,
                &[
                    ("status", "under_way"),
                    ("note", "Chief's office has it"),
                    ("back", "home"),
                ],
            )
            .await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        // Someone else's step is nobody else's to move.
        let away = app.session("away-principal").await;
        let r = app.post_form(&status, &away, &[("status", "done")]).await;
        assert_eq!(r.status(), 404);
        let sso = app.session("sso").await;
        let r = app.post_form(&status, &sso, &[("status", "done")]).await;
        assert_eq!(r.status(), 403, "a partner who does not own it");
        let m: Value = app.api_get(&path, &director).await.json().await.unwrap();
        let moved = &m["plan"][0]["children"][0]["children"][0];
        assert_eq!(moved["status"], "under_way", "{m:#}");
        assert_eq!(moved["note"], "Chief's office has it");
        assert_eq!(m["plan"][0]["findings"][0]["title"], "No signed MOU");

        // The next survey narrows the gap: the finding of 2025–26 has moved.
        let next = later_campaign(&app).await;
        // Read once before its answers come in: the campaign's gaps read now are kept, and
        // must not outlive the answers.
        let m: Value = app.api_get(&path, &director).await.json().await.unwrap();
        let gap_before = finding_with(&m, &gap_finding["id"]);
        assert!(
            gap_before["now"]
                .as_str()
                .unwrap()
                .contains("too few answers to compare"),
            "{gap_before:#}"
        );
        assert_eq!(gap_before["moved"], Value::Null);
        for _ in 0..5 {
            answer(&app, &next, "sro", "1", "Weekly").await;
            answer(&app, &next, "administrator", "2", "Better").await;
        }
        let m: Value = app.api_get(&path, &director).await.json().await.unwrap();
        let gap_now = finding_with(&m, &gap_finding["id"]);
        assert_eq!(gap_now["moved"], "better", "{gap_now:#}");
        assert!(gap_now["now"].as_str().unwrap().contains("1.0 points"));
        // The MOU finding of this year has nothing newer to measure it by.
        let mou_now = finding_with(&m, &finding["id"]);
        assert_eq!(mou_now["moved"], Value::Null);

        // The supervisor sees the accepted survey finding's title, not its figures.
        let theirs: Value = app.api_get(&path, &sergeant).await.json().await.unwrap();
        let seen = finding_with(&theirs, &gap_finding["id"]);
        assert!(
            !seen["detail"].as_str().unwrap().contains("points"),
            "{seen:#}"
        );
        assert_eq!(seen["now"], "");

        // The evaluator's home tells where the program's plan stands.
        let evaluator_home = app
            .get("/", &app.session("evaluator").await)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            evaluator_home.contains("findings: 2; steps open: 1"),
            "{evaluator_home}"
        );
        // The page shows the same to the evaluator.
        let evaluator = app.session("evaluator").await;
        let page = app
            .get(
                &format!("/partnerships/{}/improvement", w.partnership),
                &evaluator,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("No signed MOU"), "{page}");
        assert!(page.contains("Walk the draft to the chief"));
        let principal_page = app
            .get(
                &format!("/partnerships/{}/improvement", w.partnership),
                &principal,
            )
            .await;
        assert_eq!(
            principal_page.status(),
            403,
            "an owner reads their steps at home"
        );

        // An owner who leaves the program no longer sees or moves the step.
        let ended = triad_store::auth::end_grant(
            &app.db,
            app.user("principal"),
            triad_domain::auth::Grant {
                role: triad_domain::auth::Role::CampusAdmin,
                scope: triad_domain::auth::Scope::Campus {
                    district: w.district,
                    campus: w.campus,
                },
            },
            &triad_store::auth::ChangedBy {
                actor: None,
                source: None,
                now: app.clock_now(),
            },
        )
        .await
        .unwrap();
        assert!(ended);
        let gone = app.session("principal").await;
        let home = app.get("/", &gone).await.text().await.unwrap();
        assert!(!home.contains("Walk the draft to the chief"), "{home}");
        let r = app.post_form(&status, &gone, &[("status", "done")]).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    }
);

fn term_holding<'a>(m: &'a Value, day: &str) -> &'a Value {
    m["terms"]
        .as_array()
        .and_then(|terms| {
            terms.iter().find(|t| {
                t["first_day"].as_str().unwrap_or("") <= day
                    && day <= t["last_day"].as_str().unwrap_or("")
            })
        })
        .unwrap_or_else(|| panic!("no term holds {day}: {m:#}"))
}

both_engines!(
    collaboration_is_counted_per_term_from_the_records,
    |app: TestApp| async move {
        let w = &app.world;
        let evaluator = app.token("evaluator").await;
        let path = format!("/api/v1/partnerships/{}/collaboration", w.partnership);
        // The world's weekly meeting of 2026-09-01 and its open action item.
        let r = app.api_get(&path, &evaluator).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let m: Value = r.json().await.unwrap();
        let fall = term_holding(&m, "2026-09-01");
        assert_eq!(fall["weeks_with_principal_meeting"], 1, "{fall:#}");
        assert_eq!(fall["campuses"], 1);
        let last = m["terms"].as_array().unwrap().last().unwrap();
        assert_eq!(last["so_far"], true);
        assert_eq!(last["open_items_at_end"], 1, "{last:#}");
        for t in m["terms"].as_array().unwrap() {
            let shares: Vec<f64> = t["role_shares"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["percent"].as_f64())
                .collect();
            if !shares.is_empty() {
                let total: f64 = shares.iter().sum();
                assert!((total - 100.0).abs() < 0.5, "{t:#}");
            }
        }

        // A joint training of the campus's SRO counts in its term (the sergeant records it).
        let sro_person = app
            .scalar_text(&format!(
                "SELECT person_id FROM users WHERE id = '{}'",
                app.user("sro")
            ))
            .await;
        let sergeant = app.token("sergeant").await;
        let r = app
            .api_post(
                &sergeant,
                &format!("/api/v1/people/{sro_person}/training"),
                json!({"title": "Working together in schools", "provider": "State academy",
                    "counts": "in_service", "hours": "4", "completed_on": "2026-09-03", "joint": true}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());

        // A meeting of the next week counts in its term; the same week twice does not.
        let principal = app.token("principal").await;
        for day in ["2026-09-09", "2026-09-10"] {
            let r = app
                .api_post(
                    &principal,
                    &format!("/api/v1/campuses/{}/meetings", w.campus),
                    json!({"kind": "weekly_principal", "held_on": day, "sro_present": true}),
                )
                .await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        }
        // The figures are counted at most once a minute: the new meeting shows once the
        // minute has passed, and the page says when it was counted.
        let m: Value = app.api_get(&path, &evaluator).await.json().await.unwrap();
        assert_eq!(
            term_holding(&m, "2026-09-01")["weeks_with_principal_meeting"],
            1
        );
        let counted = m["counted_at"].as_str().unwrap_or_default().to_string();
        app.clock.advance_minutes(1);
        let m: Value = app.api_get(&path, &evaluator).await.json().await.unwrap();
        assert_eq!(
            term_holding(&m, "2026-09-01")["weeks_with_principal_meeting"],
            2
        );
        assert_eq!(
            term_holding(&m, "2026-09-01")["joint_trainings"],
            1,
            "{m:#}"
        );
        assert!(
            m["counted_at"].as_str().unwrap_or_default() > counted.as_str(),
            "{m:#}"
        );

        // One campus of the district; another district's is refused, and nothing leaks.
        let r = app
            .api_get(&format!("{path}?campus={}", w.campus), &evaluator)
            .await;
        assert_eq!(r.status(), 200);
        let one: Value = r.json().await.unwrap();
        assert_eq!(one["campus"]["id"], w.campus.to_string());
        let r = app
            .api_get(&format!("{path}?campus={}", w.other_campus), &evaluator)
            .await;
        assert_eq!(r.status(), 422);
        let r = app
            .api_get(
                &format!("/api/v1/partnerships/{}/collaboration", w.other_partnership),
                &evaluator,
            )
            .await;
        assert_eq!(r.status(), 404);
        let page = app
            .get(
                &format!("/partnerships/{}/collaboration", w.partnership),
                &app.session("director").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Collaboration over time"), "{page}");
        assert!(page.contains("<svg"), "the chart");
        // The supervisor reads the program's figures, never its survey's.
        let sergeant = app.token("sergeant").await;
        let theirs: Value = app.api_get(&path, &sergeant).await.json().await.unwrap();
        assert!(
            theirs["terms"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["surveys"].as_array().is_some_and(Vec::is_empty)),
            "{theirs:#}"
        );
        let director = app.token("director").await;
        let theirs: Value = app.api_get(&path, &director).await.json().await.unwrap();
        assert!(
            theirs["terms"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| !t["surveys"].as_array().unwrap().is_empty()),
            "the world's campaign opened 2026-01-01: {theirs:#}"
        );
    }
);
