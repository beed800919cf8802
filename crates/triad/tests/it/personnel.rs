//! SRO evaluations: written by the supervisor (never by the officer), with each administrator
//! of the officer's campus giving input beside it and seeing only their own; and the campus's
//! uniform and office facts.

use crate::both_engines;
use crate::support::*;
use triad_domain::auth::{Grant, Role};
use triad_domain::personnel::CRITERIA;

fn rated<'a>(rating: &'a str, comments: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = CRITERIA.iter().map(|(c, _)| (*c, rating)).collect();
    fields.push(("comments", comments));
    fields
}

both_engines!(
    an_evaluation_is_the_supervisors_with_each_administrators_input_beside_it,
    |app: TestApp| async move {
        let w = app.world;
        let (sro, sergeant, principal) = (
            app.session("sro").await,
            app.session("sergeant").await,
            app.session("principal").await,
        );
        // The SRO's person, from their training link on their home.
        let home = app.get("/", &sro).await.text().await.unwrap();
        let person = home
            .split("href=\"/people/")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap()
            .to_string();
        let write = format!("/people/{person}/evaluations");
        // Not the officer's to write; not without every criterion.
        assert_eq!(
            app.post_form(&write, &sro, &rated("exceeds", "Me"))
                .await
                .status(),
            403
        );
        let mut missing = rated("meets", "");
        missing.retain(|(k, _)| *k != "not_discipline");
        assert_eq!(
            app.post_form(&write, &sergeant, &missing).await.status(),
            422
        );
        let r = app
            .post_form(
                &write,
                &sergeant,
                &rated("meets", "Steady; more classroom time next year."),
            )
            .await;
        assert_eq!(r.status(), 303);
        let at = r.headers()["location"].to_str().unwrap().to_string();
        assert!(at.starts_with("/evaluations/"), "{at}");
        assert_eq!(
            app.post_form(&write, &sergeant, &rated("meets", "again"))
                .await
                .status(),
            409,
            "one a school year"
        );

        // The administrator is asked for input on their home, and sees none of the supervisor's.
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert!(
            home.contains("Your input on Test sro&#39;s evaluation this school year is asked")
                || home.contains("Your input on Test sro's evaluation this school year is asked"),
            "{home}"
        );
        let page = app.get(&at, &principal).await.text().await.unwrap();
        assert!(
            !page.contains("The supervisor&#39;s ratings") && !page.contains("Steady;"),
            "{page}"
        );
        let r = app
            .post_form(
                &format!("{at}/input"),
                &principal,
                &rated("exceeds", "Knows every student by name."),
            )
            .await;
        assert_eq!(r.status(), 303);
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert!(
            !home.contains("evaluation this school year is asked"),
            "answered"
        );
        // A second administrator of the campus gives theirs; neither sees the other's.
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
        let r = app
            .post_form(
                &format!("{at}/input"),
                &vice,
                &rated("needs_improvement", "Late to dismissal twice."),
            )
            .await;
        assert_eq!(r.status(), 303);
        let mine = app.get(&at, &principal).await.text().await.unwrap();
        assert!(
            mine.contains("Knows every student") && !mine.contains("Late to dismissal"),
            "{mine}"
        );
        let theirs = app.get(&at, &vice).await.text().await.unwrap();
        assert!(theirs.contains("Late to dismissal") && !theirs.contains("Knows every student"));
        // The supervisor and the officer read it whole.
        for s in [&sergeant, &sro] {
            let whole = app.get(&at, s).await.text().await.unwrap();
            assert!(
                whole.contains("Steady;")
                    && whole.contains("Knows every student")
                    && whole.contains("Late to dismissal"),
                "{whole}"
            );
        }
        // Nobody else: not the SSO, the district's leader, another district's administrator.
        for who in ["sso", "director", "away-principal", "staff"] {
            let s = app.session(who).await;
            let status = app.get(&at, &s).await.status().as_u16();
            assert!(matches!(status, 403 | 404), "{who}: {status}");
            let status = app
                .post_form(&format!("{at}/input"), &s, &rated("meets", "x"))
                .await
                .status()
                .as_u16();
            assert!(matches!(status, 403 | 404), "{who}: {status}");
        }
        assert_eq!(app.audit_count("personnel.evaluation_input", "ok").await, 2);

        // The post: what the officer wears and where they work.
        let post = format!("/campuses/{}/post", w.campus);
        assert_eq!(
            app.post_form(
                &post,
                &principal,
                &[("uniform", "pajamas"), ("office", "none")]
            )
            .await
            .status(),
            422
        );
        let staff = app.session("staff").await;
        assert_eq!(
            app.post_form(
                &post,
                &staff,
                &[("uniform", "regulation"), ("office", "dedicated")]
            )
            .await
            .status(),
            403
        );
        let r = app
            .post_form(
                &post,
                &principal,
                &[
                    ("uniform", "plain_clothes"),
                    ("office", "none"),
                    ("notes", "Works from the front office"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page = app.get(&post, &sro).await.text().await.unwrap();
        assert!(
            page.contains("not easy to pick out") && page.contains("no office space"),
            "{page}"
        );
        let token = app.token("sro").await;
        let facts: serde_json::Value = app
            .api_get(&format!("/api/v1/campuses/{}/post", w.campus), &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(facts["easily_identified"], false);
        assert_eq!(facts["office_provided"], false);
    }
);
