//! Selecting an SRO: the supervisor opens a post and names candidates (volunteered, years of
//! experience against the agency's minimum), the campus's administrators each give their own
//! recommendation, the supervisor decides, and a candidate sees only their own candidacy.

use crate::both_engines;
use crate::support::*;
use triad_domain::auth::{Grant, Role};

both_engines!(
    an_sro_is_selected_with_the_campus_administrators_on_the_panel,
    |app: TestApp| async move {
        let w = app.world;
        let (sergeant, principal, sro) = (
            app.session("sergeant").await,
            app.session("principal").await,
            app.session("sro").await,
        );
        let postings = format!("/agencies/{}/postings", w.agency);
        // A post for a campus the agency does not serve is refused.
        let r = app
            .post_form(
                &postings,
                &sergeant,
                &[("title", "SRO"), ("campus", &w.other_campus.to_string())],
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = app
            .post_form(
                &postings,
                &sergeant,
                &[
                    ("title", "SRO, Home High, from August"),
                    ("campus", &w.campus.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let post = r.headers()["location"].to_str().unwrap().to_string();

        // Candidates: the unassigned officer (volunteered, since 2015) and the SRO (asked, no
        // start recorded); never another agency's officer, never twice.
        let sro_home = app.get("/", &sro).await.text().await.unwrap();
        let sro_person = sro_home
            .split("href=\"/people/")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap()
            .to_string();
        let add = format!("{post}/candidates");
        let officer = w.officer.to_string();
        for (person, volunteered, status) in [
            (w.other_officer.to_string(), "on", 422),
            (officer.clone(), "on", 303),
            (officer.clone(), "on", 409),
            (sro_person.clone(), "", 303),
        ] {
            let r = app
                .post_form(
                    &add,
                    &sergeant,
                    &[("person", &person), ("volunteered", volunteered)],
                )
                .await;
            assert_eq!(r.status(), status, "{person}");
        }
        // The agency asks twelve years: the 2015 officer falls short, and it shows.
        let minimum = format!("{postings}/minimum");
        assert_eq!(
            app.post_form(&minimum, &sergeant, &[("min_years", "31")])
                .await
                .status(),
            422
        );
        assert!(matches!(
            app.post_form(&minimum, &principal, &[("min_years", "1")])
                .await
                .status()
                .as_u16(),
            403 | 404
        ));
        assert_eq!(
            app.post_form(&minimum, &sergeant, &[("min_years", "12")])
                .await
                .status(),
            303
        );
        let page = app.get(&post, &sergeant).await.text().await.unwrap();
        assert!(
            page.contains("fewer than 12") && page.contains("did not volunteer"),
            "{page}"
        );

        // The campus's administrators are asked, and each sees their own recommendation only.
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert!(
            home.contains(
                "Your recommendation on the candidates for SRO, Home High, from August is asked"
            ),
            "{home}"
        );
        let listed: serde_json::Value = app
            .api_get(&format!("/api/v1{post}"), &app.token("sergeant").await)
            .await
            .json()
            .await
            .unwrap();
        let first = listed["candidates"][0]["id"].as_str().unwrap().to_string();
        let panel = format!("/candidates/{first}/panel");
        assert_eq!(
            app.post_form(&panel, &principal, &[("recommendation", "maybe")])
                .await
                .status(),
            422
        );
        assert_eq!(
            app.post_form(
                &panel,
                &principal,
                &[
                    ("recommendation", "recommend"),
                    ("comments", "Great with our freshmen.")
                ]
            )
            .await
            .status(),
            303
        );
        let vice = app
            .add_person(
                "vice-principal",
                &[Grant {
                    role: Role::CampusAdmin,
                    scope: app.home_campus(w.campus),
                }],
                None,
                None,
            )
            .await;
        let vice = app.session_of(vice).await;
        assert_eq!(
            app.post_form(
                &panel,
                &vice,
                &[
                    ("recommendation", "reservations"),
                    ("comments", "Short temper at games.")
                ]
            )
            .await
            .status(),
            303
        );
        let mine = app.get(&post, &principal).await.text().await.unwrap();
        assert!(
            mine.contains("Great with our freshmen") && !mine.contains("Short temper"),
            "{mine}"
        );
        let all = app.get(&post, &sergeant).await.text().await.unwrap();
        assert!(all.contains("Great with our freshmen") && all.contains("Short temper"));
        // The supervisor is not on the panel; the panel does not decide.
        assert_eq!(
            app.post_form(&panel, &sergeant, &[("recommendation", "recommend")])
                .await
                .status(),
            403
        );
        let decide = format!("/candidates/{first}/decision");
        assert!(matches!(
            app.post_form(&decide, &principal, &[("decision", "selected")])
                .await
                .status()
                .as_u16(),
            403 | 404
        ));
        assert_eq!(
            app.post_form(&decide, &sergeant, &[("decision", "hired")])
                .await
                .status(),
            422
        );
        assert_eq!(
            app.post_form(&decide, &sergeant, &[("decision", "selected")])
                .await
                .status(),
            303
        );

        // The SRO, a candidate, finds their candidacy on their home page, and sees it and
        // nothing of the panel or the other candidate.
        let home = app.get("/", &sro).await.text().await.unwrap();
        let section = home
            .split("id=\"my-candidacies\"")
            .nth(1)
            .expect("the SRO's candidacies");
        assert!(
            section.contains(&format!("href=\"{post}\""))
                && section.contains("Under consideration"),
            "{section}"
        );
        let theirs = app.get(&post, &sro).await.text().await.unwrap();
        assert!(
            theirs.contains("Under consideration") && !theirs.contains("Officer Unassigned"),
            "{theirs}"
        );
        assert!(!theirs.contains("Great with our freshmen") && !theirs.contains("Short temper"));
        // Nobody else.
        for who in ["sso", "director", "staff", "away-principal"] {
            let s = app.session(who).await;
            let status = app.get(&post, &s).await.status().as_u16();
            assert!(matches!(status, 403 | 404), "{who}: {status}");
        }
        let summary = app.get(&postings, &sergeant).await.text().await.unwrap();
        assert!(
            summary.contains("selected: Officer Unassigned"),
            "{summary}"
        );
        assert_eq!(app.audit_count("personnel.panel", "ok").await, 2);
        assert_eq!(app.audit_count("personnel.decision", "ok").await, 1);
    }
);
