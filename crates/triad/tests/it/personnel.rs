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

/// The program records' pages as their people open them: the principal on a phone (the
/// start-of-year checklist, the SRO's evaluation to give input on, the post to recommend on),
/// the supervisor and the director at a desk. None scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_pages_read_on_a_phone_and_at_a_desk() {
    use crate::browser::{browser, end_browser, screenshot, sign_in, start_driver};
    let app = TestApp::start(Engine::Sqlite).await;
    let w = app.world;
    let driver = start_driver();
    let sideways = "return document.documentElement.scrollWidth > window.innerWidth;";
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "principal").await;
    for (path, name) in [
        (
            format!("/campuses/{}/start-of-year", w.campus),
            "start-of-year-phone",
        ),
        (
            format!("/evaluations/{}", w.evaluation),
            "evaluation-input-phone",
        ),
        (format!("/postings/{}", w.posting), "posting-panel-phone"),
        (format!("/campuses/{}/post", w.campus), "campus-post-phone"),
    ] {
        phone.goto(&app.url(&path)).await.unwrap();
        screenshot(&phone, name).await;
        let text = phone
            .execute("return document.querySelector('main').innerText;", vec![])
            .await
            .unwrap();
        assert!(
            !text.as_str().unwrap_or_default().contains("not found"),
            "{path}: {text}"
        );
        assert_eq!(
            phone.execute(sideways, vec![]).await.unwrap(),
            serde_json::json!(false),
            "{path}"
        );
    }
    end_browser(phone).await;
    for (who, pages) in [
        (
            "sergeant",
            vec![
                (
                    format!("/agencies/{}/training", w.agency),
                    "training-roster-laptop",
                ),
                (
                    format!("/people/{}/training", w.officer),
                    "training-person-laptop",
                ),
                (
                    format!("/postings/{}", w.posting),
                    "posting-supervisor-laptop",
                ),
            ],
        ),
        (
            "director",
            vec![(
                format!("/partnerships/{}/funding", w.partnership),
                "funding-laptop",
            )],
        ),
    ] {
        let desk = browser(&driver, 1366, 768).await;
        sign_in(&desk, &app, who).await;
        for (path, name) in pages {
            desk.goto(&app.url(&path)).await.unwrap();
            screenshot(&desk, name).await;
            assert_eq!(
                desk.execute(sideways, vec![]).await.unwrap(),
                serde_json::json!(false),
                "{path}"
            );
        }
        end_browser(desk).await;
    }
}
