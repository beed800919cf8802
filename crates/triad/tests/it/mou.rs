//! The MOU: drafted clause by clause, signed by each side's designated signatory, immutable
//! once both have signed, compared across versions; and refused to everyone else.

use crate::both_engines;
use crate::support::*;

both_engines!(
    an_mou_is_signed_by_both_signatories_over_the_same_text_and_never_changes_after,
    |app: TestApp| async move {
        let w = app.world;
        let (director, sergeant) = (app.session("director").await, app.session("sergeant").await);
        let v1 = format!("/mou/{}", w.mou);
        let partnership = format!("/partnerships/{}/mou", w.partnership);

        // The agency's side designates its signatory: one of its supervisors, no one else.
        for wrong in ["director", "principal", "nobody-at-all", ""] {
            let r = app
                .post_form(
                    &format!("{partnership}/signatory"),
                    &sergeant,
                    &[("username", wrong)],
                )
                .await;
            assert_eq!(r.status(), 422, "{wrong}");
        }
        let r = app
            .post_form(
                &format!("{partnership}/signatory"),
                &sergeant,
                &[("username", "sergeant")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page = app.get(&partnership, &director).await.text().await.unwrap();
        assert!(
            page.contains("For the law-enforcement agency: Test sergeant"),
            "{page}"
        );

        // Signing over missing elements needs the signer to say they know.
        let refused = app.post_form(&format!("{v1}/sign"), &director, &[]).await;
        assert_eq!(refused.status(), 422);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("required element(s) are missing"));
        let ack = [("acknowledged_missing", "on")];
        assert_eq!(
            app.post_form(&format!("{v1}/sign"), &director, &ack)
                .await
                .status(),
            303
        );
        // The same side twice over the same text: refused.
        assert_eq!(
            app.post_form(&format!("{v1}/sign"), &director, &ack)
                .await
                .status(),
            422
        );

        // The agency edits the draft: the district's signature lapses, and the version is not
        // signed when the agency signs the new text.
        let edit = [("searches", "Searches follow procedure 5.1 of the agency.")];
        assert_eq!(app.post_form(&v1, &sergeant, &edit).await.status(), 303);
        let page = app.get(&v1, &director).await.text().await.unwrap();
        assert!(page.contains("lapsed: the draft changed"), "{page}");
        assert_eq!(
            app.post_form(&format!("{v1}/sign"), &sergeant, &ack)
                .await
                .status(),
            303
        );
        let signed_at = "SELECT COUNT(*) FROM mou_versions WHERE signed_at IS NOT NULL";
        assert_eq!(app.scalar(signed_at).await, 0);
        // The district signs what the version says now: signed, for good.
        assert_eq!(
            app.post_form(&format!("{v1}/sign"), &director, &ack)
                .await
                .status(),
            303
        );
        assert_eq!(app.scalar(signed_at).await, 1);
        let page = app.get(&v1, &director).await.text().await.unwrap();
        assert!(page.contains("signed by both sides"), "{page}");
        assert!(
            !page.contains("id=\"clauses-form\""),
            "no editing form once signed"
        );

        // Nothing changes a signed version: an edit, another signature.
        let clauses = format!(
            "SELECT COUNT(*) FROM mou_clauses WHERE version_id = '{}'",
            w.mou
        );
        let before = app.scalar(&clauses).await;
        for (who, s) in [("director", &director), ("sergeant", &sergeant)] {
            let r = app
                .post_form(
                    &v1,
                    s,
                    &[("arrests", "Changed after signing."), ("searches", "")],
                )
                .await;
            assert_eq!(r.status(), 409, "{who}");
            assert!(r.text().await.unwrap().contains("start a new draft"));
        }
        assert_eq!(app.scalar(&clauses).await, before);
        assert_eq!(
            app.post_form(&format!("{v1}/sign"), &director, &ack)
                .await
                .status(),
            409
        );
        let searches = format!(
            "SELECT COUNT(*) FROM mou_clauses WHERE version_id = '{}' AND kind = 'searches' AND text LIKE '%5.1%'",
            w.mou
        );
        assert_eq!(app.scalar(&searches).await, 1);

        // A change starts a new draft, from the signed text; the two compare clause by clause.
        let r = app
            .post_form(&format!("{partnership}/drafts"), &director, &[])
            .await;
        assert_eq!(r.status(), 303);
        let v2 = r.headers()["location"].to_str().unwrap().to_string();
        assert_ne!(v2, v1);
        // One draft at a time.
        let again = app
            .post_form(&format!("{partnership}/drafts"), &sergeant, &[])
            .await;
        assert_eq!(again.status(), 409);
        let edit = [("searches", "Searches follow procedure 5.2 of the agency.")];
        assert_eq!(app.post_form(&v2, &director, &edit).await.status(), 303);
        let compared = app
            .get(&format!("{v2}/compare?with={}", w.mou), &director)
            .await
            .text()
            .await
            .unwrap();
        assert!(compared.contains("Version 1 and version 2"), "{compared}");
        assert!(compared.contains("procedure 5.1") && compared.contains("procedure 5.2"));
        assert_eq!(
            compared.matches("class=\"flag\">changed").count(),
            1,
            "{compared}"
        );
        // Another partnership's version is not a version to compare with.
        let foreign = app
            .get(&format!("{v2}/compare?with={}", w.other_mou), &director)
            .await;
        assert_eq!(foreign.status(), 404);
        assert_eq!(
            app.get(&format!("{v2}/compare"), &director).await.status(),
            422
        );

        // Every signature and edit is on the audit trail.
        assert!(app.audit_count("mou.sign", "ok").await >= 3);
        assert!(app.audit_count("mou.edit", "ok").await >= 2);
    }
);

both_engines!(
    the_mou_is_read_by_the_partners_and_refused_to_everyone_else,
    |app: TestApp| async move {
        let w = app.world;
        let v1 = format!("/mou/{}", w.mou);
        for reader in ["principal", "sro", "sergeant", "director"] {
            let s = app.session(reader).await;
            let page = app.get(&v1, &s).await;
            assert_eq!(page.status(), 200, "{reader}");
            let page = page.text().await.unwrap();
            // Only the leaders of either side get the editing form.
            let edits = page.contains("id=\"clauses-form\"");
            assert_eq!(edits, matches!(reader, "sergeant" | "director"), "{reader}");
        }
        for outsider in ["sso", "staff", "evaluator"] {
            let s = app.session(outsider).await;
            assert_eq!(app.get(&v1, &s).await.status(), 403, "{outsider}");
        }
        let principal = app.session("principal").await;
        let r = app
            .post_form(&v1, &principal, &[("program_goals", "Ours now.")])
            .await;
        assert_eq!(r.status(), 403);
        // The other district's MOU does not exist for this district's people.
        let away = format!("/mou/{}", w.other_mou);
        let director = app.session("director").await;
        assert_eq!(app.get(&away, &director).await.status(), 404);
        let r = app
            .post_form(&away, &director, &[("program_goals", "x")])
            .await;
        assert_eq!(r.status(), 404);
        let r = app
            .post_form(
                &format!("/partnerships/{}/mou/signatory", w.other_partnership),
                &director,
                &[("username", "director")],
            )
            .await;
        assert_eq!(r.status(), 404);
        // Bad input changes nothing: a clause over the limit, control characters.
        let long = "x".repeat(20_001);
        for bad in [long.as_str(), "bell\u{7}"] {
            let r = app
                .post_form(&v1, &director, &[("program_goals", bad)])
                .await;
            assert_eq!(r.status(), 422);
        }
        let goals = format!(
            "SELECT COUNT(*) FROM mou_clauses WHERE version_id = '{}' AND text = 'Safe schools.'",
            w.mou
        );
        assert_eq!(app.scalar(&goals).await, 1);
        // A form naming no clause writes nothing.
        assert_eq!(
            app.post_form(&v1, &director, &[("colour", "blue")])
                .await
                .status(),
            422
        );
    }
);

both_engines!(
    a_first_draft_starts_from_the_template_and_a_complete_one_signs_without_acknowledgement,
    |app: TestApp| async move {
        let w = app.world;
        // A partnership with no version yet: the district's leader starts the first draft.
        app.raw(&format!(
            "DELETE FROM mou_clauses WHERE version_id = '{}'",
            w.mou
        ))
        .await
        .unwrap();
        app.raw(&format!("DELETE FROM mou_versions WHERE id = '{}'", w.mou))
            .await
            .unwrap();
        let director = app.session("director").await;
        let partnership = format!("/partnerships/{}/mou", w.partnership);
        let page = app.get(&partnership, &director).await.text().await.unwrap();
        assert!(page.contains("Start the first draft"), "{page}");
        let r = app
            .post_form(&format!("{partnership}/drafts"), &director, &[])
            .await;
        assert_eq!(r.status(), 303);
        let draft = r.headers()["location"].to_str().unwrap().to_string();
        let page = app.get(&draft, &director).await.text().await.unwrap();
        assert!(page.contains("Required elements: 17 missing"), "{page}");
        // Every clause written in the partners' own words: nothing missing.
        let kinds = triad_domain::mou::ClauseKind::ALL;
        let texts: Vec<String> = kinds
            .iter()
            .map(|k| format!("What the partners agreed on {}.", k.heading()))
            .collect();
        let fields: Vec<(&str, &str)> = kinds
            .iter()
            .zip(&texts)
            .map(|(k, t)| (k.code(), t.as_str()))
            .collect();
        assert_eq!(
            app.post_form(&draft, &director, &fields).await.status(),
            303
        );
        let page = app.get(&draft, &director).await.text().await.unwrap();
        assert!(page.contains("Required elements: all present"), "{page}");
        assert_eq!(
            app.post_form(&format!("{draft}/sign"), &director, &[])
                .await
                .status(),
            303
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM mou_signatures WHERE acknowledged_missing = FALSE")
                .await,
            1
        );
    }
);

both_engines!(
    the_api_writes_and_signs_an_mou_as_its_pages_do,
    |app: TestApp| async move {
        use reqwest::Method;
        use serde_json::json;
        let w = app.world;
        let (sergeant, director) = (app.token("sergeant").await, app.token("director").await);
        let version = format!("/api/v1/mou/{}", w.mou);
        let put = |token: String, path: String, body: serde_json::Value| {
            let app = &app;
            async move {
                let key = triad_domain::Id::new().to_string();
                app.api_send(Method::PUT, &path, &token, &key, &body).await
            }
        };
        let sign = |token: &String| {
            let (app, token, path) = (&app, token.clone(), format!("{version}/signatures"));
            async move {
                app.api_post(&token, &path, json!({"acknowledged_missing": true}))
                    .await
            }
        };
        // A clause of an unknown kind is ignored like a form's token; none known is refused.
        let r = put(
            sergeant.clone(),
            format!("{version}/clauses"),
            json!({"clauses": {"gossip": "x"}}),
        )
        .await;
        assert_eq!(r.status(), 422);
        let r = put(
            sergeant.clone(),
            format!("{version}/clauses"),
            json!({"clauses": {"searches": "Procedure 5.1.", "program_goals": ""}}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let detail: serde_json::Value = r.json().await.unwrap();
        let text = |kind: &str| {
            detail["clauses"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == kind)
                .unwrap()["text"]
                .clone()
        };
        assert_eq!(text("searches"), "Procedure 5.1.");
        assert_eq!(text("program_goals"), "", "an empty text clears the clause");
        assert_eq!(detail["missing"], 16);
        let checklist = detail["checklist"].as_array().unwrap();
        assert_eq!(checklist.len(), 17);
        assert!(checklist
            .iter()
            .all(|c| !c["sources"].as_array().unwrap().is_empty()));
        // The district's leader is its designated signatory; the agency's is not designated.
        assert_eq!(
            detail["signs_for"],
            serde_json::Value::Null,
            "the sergeant is not designated"
        );
        let signed = sign(&director).await;
        assert_eq!(signed.status(), 201);
        assert_eq!(
            signed.json::<serde_json::Value>().await.unwrap()["standing"],
            "draft"
        );
        let refused = sign(&sergeant).await;
        assert_eq!(refused.status(), 403);
        let r = put(
            sergeant.clone(),
            format!("/api/v1/partnerships/{}/mou/signatory", w.partnership),
            json!({"username": "sergeant"}),
        )
        .await;
        assert_eq!(r.status(), 204);
        let signed = sign(&sergeant).await;
        assert_eq!(signed.status(), 201);
        assert_eq!(
            signed.json::<serde_json::Value>().await.unwrap()["standing"],
            "signed"
        );
        let r = put(
            sergeant,
            format!("{version}/clauses"),
            json!({"clauses": {"searches": "Later."}}),
        )
        .await;
        assert_eq!(r.status(), 409);
        let listed: serde_json::Value = app
            .api_get(
                &format!("/api/v1/partnerships/{}/mou", w.partnership),
                &director,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["versions"][0]["standing"], "signed");
        assert_eq!(listed["may_draft"], true);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_mou_prints_every_clause_and_the_signatures_without_the_forms() {
    use crate::browser::{browser, end_browser, sign_in, start_driver};
    use triad_domain::mou::ClauseKind;
    let app = TestApp::start(Engine::Sqlite).await;
    let w = app.world;
    let (director, sergeant) = (app.session("director").await, app.session("sergeant").await);
    let v1 = format!("/mou/{}", w.mou);
    let texts: Vec<String> = ClauseKind::ALL
        .iter()
        .map(|k| format!("Agreed for {}.", k.code()))
        .collect();
    let fields: Vec<(&str, &str)> = ClauseKind::ALL
        .iter()
        .zip(&texts)
        .map(|(k, t)| (k.code(), t.as_str()))
        .collect();
    assert_eq!(app.post_form(&v1, &director, &fields).await.status(), 303);
    let r = app
        .post_form(
            &format!("/partnerships/{}/mou/signatory", w.partnership),
            &sergeant,
            &[("username", "sergeant")],
        )
        .await;
    assert_eq!(r.status(), 303);
    for s in [&director, &sergeant] {
        assert_eq!(
            app.post_form(&format!("{v1}/sign"), s, &[]).await.status(),
            303
        );
    }
    let driver = start_driver();
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "principal").await;
    laptop.goto(&app.url(&v1)).await.unwrap();
    crate::browser::screenshot(&laptop, "mou-signed-laptop").await;
    let text = crate::browser::printed_text(&laptop).await;
    for (n, kind) in ClauseKind::ALL.iter().enumerate() {
        let heading = format!("{}. {}", n + 1, kind.heading());
        assert!(text.contains(&heading), "{heading} in: {text}");
        assert!(
            text.contains(&format!("Agreed for {}.", kind.code())),
            "{kind:?}"
        );
    }
    // The signature block: each side, its signer, the day (the district's clock).
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Chicago)
        .format("%Y-%m-%d")
        .to_string();
    for line in [
        "For the law-enforcement agency: Test sergeant",
        "For the school district: Test director",
    ] {
        let found = text
            .find(line)
            .unwrap_or_else(|| panic!("{line} in: {text}"));
        let dated = &text[found + line.len()..];
        assert!(
            dated.trim_start_matches(", ").starts_with(&today),
            "{line}: {dated}"
        );
    }
    // What is for the screen stays off the paper.
    for screen_only in [
        "Required elements",
        "All versions",
        "Save the draft",
        "Sign for",
    ] {
        assert!(!text.contains(screen_only), "{screen_only} printed: {text}");
    }
    end_browser(laptop).await;

    // The pages a leader works on (the versions, a draft's form, a comparison) meet WCAG 2.2
    // AA at phone and laptop size (the role walk reaches them two links deep, so not there).
    let r = app
        .post_form(
            &format!("/partnerships/{}/mou/drafts", w.partnership),
            &director,
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let draft = r.headers()["location"].to_str().unwrap().to_string();
    let axe = crate::accessibility::axe_source();
    for (width, height) in [(390, 844), (1366, 768)] {
        let c = browser(&driver, width, height).await;
        sign_in(&c, &app, "director").await;
        for page in [
            format!("/partnerships/{}/mou", w.partnership),
            draft.clone(),
            format!("{draft}/compare?with={}", w.mou),
        ] {
            c.goto(&app.url(&page)).await.unwrap();
            let found = crate::accessibility::violations(&c, &axe).await;
            assert!(found.is_empty(), "{page} at {width}px: {found:?}");
        }
        if width == 390 {
            crate::browser::screenshot(&c, "mou-compare-phone").await;
        }
        end_browser(c).await;
    }
}

both_engines!(
    a_leaders_home_says_where_each_mou_stands_and_whose_signature_it_waits_for,
    |app: TestApp| async move {
        let w = app.world;
        let (director, sergeant) = (app.session("director").await, app.session("sergeant").await);
        let section = |page: &str| {
            page.split("id=\"mou-standing\"")
                .nth(1)
                .and_then(|rest| rest.split("</section>").next())
                .map(str::to_string)
        };
        let home = app.get("/", &director).await.text().await.unwrap();
        let mine = section(&home).expect("the director's home has the MOU section");
        assert!(
            mine.contains("With Home Police")
                && mine.contains("version 1 is a draft with 16 required element(s) missing")
                && mine.contains("it waits for your signature")
                && mine.contains("to do"),
            "{mine}"
        );
        // The sergeant is not the agency's signatory: the draft does not wait for them.
        let home = app.get("/", &sergeant).await.text().await.unwrap();
        let theirs = section(&home).expect("the sergeant's home has the MOU section");
        assert!(theirs.contains("With Home District"), "{theirs}");
        assert!(!theirs.contains("your signature"), "{theirs}");
        // Nobody else's home speaks of it, and no other partnership's MOU shows.
        for other in ["principal", "sro", "sso", "evaluator"] {
            let s = app.session(other).await;
            let home = app.get("/", &s).await.text().await.unwrap();
            assert!(section(&home).is_none(), "{other}");
        }
        assert!(!mine.contains("Away"), "{mine}");
        // Signed by both: in force, nothing to do.
        let v1 = format!("/mou/{}", w.mou);
        let r = app
            .post_form(
                &format!("/partnerships/{}/mou/signatory", w.partnership),
                &sergeant,
                &[("username", "sergeant")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let ack = [("acknowledged_missing", "on")];
        for s in [&director, &sergeant] {
            assert_eq!(
                app.post_form(&format!("{v1}/sign"), s, &ack).await.status(),
                303
            );
        }
        let home = app.get("/", &director).await.text().await.unwrap();
        let mine = section(&home).unwrap();
        assert!(mine.contains("version 1 signed on"), "{mine}");
        assert!(!mine.contains("to do"), "{mine}");
    }
);

both_engines!(
    a_semester_review_names_the_mou_version_it_reviewed_and_who_of_the_three_attended,
    |app: TestApp| async move {
        let w = app.world;
        let principal = app.session("principal").await;
        let meetings = format!("/campuses/{}/meetings", w.campus);
        // Held in the district's yesterday (never a day still to come on its clock).
        let held_on = (chrono::Utc::now().with_timezone(&chrono_tz::America::Chicago)
            - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
        let own = w.mou.to_string();
        let away = w.other_mou.to_string();
        let nobody = triad_domain::Id::new().to_string();
        let review = |version: &str, extra: &[(&'static str, &'static str)]| {
            let mut fields = vec![
                ("kind", "semester_review"),
                ("held_on", held_on.as_str()),
                ("sro_present", "yes"),
            ];
            fields.extend_from_slice(extra);
            fields.push(("mou_version", version));
            fields
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect::<Vec<_>>()
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let app = &app;
            let principal = &principal;
            let meetings = meetings.clone();
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form(&meetings, principal, &pairs).await
            }
        };
        let before = app.count("meetings").await;
        // Another district's version, or one that does not exist: the same refusal.
        for wrong in [&away, &nobody, &"not-an-id".to_string()] {
            let r = send(review(wrong, &[])).await;
            assert_eq!(r.status(), 422, "{wrong}");
            assert!(r
                .text()
                .await
                .unwrap()
                .contains("choose a version of this district"));
        }
        // Only a semester review names the MOU or the supervisor's attendance.
        let mut weekly = review(&own, &[]);
        weekly[0].1 = "weekly_principal".into();
        assert_eq!(send(weekly).await.status(), 422);
        let mut weekly = review("", &[("supervisor_present", "yes")]);
        weekly[0].1 = "weekly_principal".into();
        assert_eq!(send(weekly).await.status(), 422);
        assert_eq!(
            app.count("meetings").await,
            before,
            "nothing refused was kept"
        );

        // All three there, naming the district's MOU.
        let r = send(review(
            &own,
            &[("supervisor_present", "yes"), ("admin_present", "yes")],
        ))
        .await;
        // The meeting a recording was redirected to, as its page reads.
        let recorded = |r: reqwest::Response| {
            let (app, principal) = (&app, &principal);
            async move {
                assert_eq!(r.status(), 303);
                let at = r.headers()["location"].to_str().unwrap().to_string();
                app.get(&at, principal).await.text().await.unwrap()
            }
        };
        let page = recorded(r).await;
        assert!(page.contains("were all there"), "{page}");
        assert!(page.contains(&format!("href=\"/mou/{own}\"")), "{page}");
        // Without the supervisor: the page says the review is meant for all three.
        let page = recorded(send(review("", &[("admin_present", "yes")])).await).await;
        assert!(page.contains("Not all three were there"), "{page}");
        assert!(page.contains("LE supervisor absent"), "{page}");

        // The form offers the MOU's versions to those who may read it, not to the SSO.
        let form = app.get(&meetings, &principal).await.text().await.unwrap();
        assert!(
            form.contains("id=\"mou_version\"") && form.contains("Home Police: version 1 (draft)")
        );
        let sso = app.session("sso").await;
        let form = app.get(&meetings, &sso).await.text().await.unwrap();
        assert!(!form.contains("id=\"mou_version\""), "{form}");
    }
);

both_engines!(
    the_campus_home_says_when_this_terms_review_of_the_mou_is_still_to_hold,
    |app: TestApp| async move {
        use triad_domain::org::YearStart;
        let w = app.world;
        // A term around today on the district's clock, ending within the month: the review is due.
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive();
        let year = YearStart::AUGUST_FIRST.school_year_of(today).0;
        let (first, last) = (
            today - chrono::Duration::days(60),
            today + chrono::Duration::days(20),
        );
        let mut tx = app.db.begin().await.unwrap();
        triad_store::org::insert_term(
            &mut tx,
            w.district,
            i64::from(year),
            "Test term",
            &first.to_string(),
            &last.to_string(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let principal = app.session("principal").await;
        let home = app.get("/", &principal).await.text().await.unwrap();
        let due = format!(
            "Semester review of the MOU with the SRO, the LE supervisor and the administrator together: not held yet this Test term, which ends {last}"
        );
        assert!(home.contains(&due), "{home}");
        // Held without the LE supervisor: not the review the program asks for, still due.
        let held_on = (today - chrono::Duration::days(1)).to_string();
        let r = app
            .post_form(
                &format!("/campuses/{}/meetings", w.campus),
                &principal,
                &[
                    ("kind", "semester_review"),
                    ("held_on", &held_on),
                    ("sro_present", "yes"),
                    ("admin_present", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert!(home.contains(&due), "{home}");
        // Held by all three: the home says so.
        let r = app
            .post_form(
                &format!("/campuses/{}/meetings", w.campus),
                &principal,
                &[
                    ("kind", "semester_review"),
                    ("held_on", &held_on),
                    ("sro_present", "yes"),
                    ("supervisor_present", "yes"),
                    ("admin_present", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert!(
            home.contains("Semester review of the MOU held this Test term"),
            "{home}"
        );
        assert!(!home.contains(&due));
    }
);
