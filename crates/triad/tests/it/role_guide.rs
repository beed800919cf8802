//! The role guide: read by everyone of the district (and the agency serving it), rewritten
//! section by section by its leader alone, and printed with its four roles' pages and no forms.

use crate::both_engines;
use crate::support::*;
use reqwest::Method;
use triad_domain::role_guide::{self as rules, GuideRole};

both_engines!(
    the_role_guide_is_read_across_the_district_and_rewritten_by_its_leader_alone,
    |app: TestApp| async move {
        let w = app.world;
        let guide = format!("/districts/{}/role-guide", w.district);
        let talking = rules::section("staff.talking_points").unwrap();
        for who in [
            "principal",
            "sro",
            "sso",
            "staff",
            "sergeant",
            "evaluator",
            "director",
        ] {
            let s = app.session(who).await;
            let r = app.get(&guide, &s).await;
            assert_eq!(r.status(), 200, "{who}");
            let page = r.text().await.unwrap();
            for role in GuideRole::ALL {
                assert!(page.contains(role.heading()), "{who}: {}", role.heading());
            }
            assert!(page.contains(talking.heading), "{who}");
            // Only the district's leader is offered the boxes to rewrite it.
            assert_eq!(
                page.contains("Rewrite this section"),
                who == "director",
                "{who}"
            );
        }
        // Reached from the district page and from a campus's pages.
        let principal = app.session("principal").await;
        let district_page = app
            .get(&format!("/districts/{}", w.district), &principal)
            .await
            .text()
            .await
            .unwrap();
        assert!(district_page.contains(&format!("href=\"{guide}\"")));
        let campus_page = app
            .get(&format!("/campuses/{}", w.campus), &principal)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            campus_page.contains(&format!("href=\"{guide}\"")),
            "{campus_page}"
        );

        // The leader rewrites the talking points in the district's words.
        let director = app.session("director").await;
        let ours = "Our officer is here for every student.\n\n- Say hello in the hall\n- Ask about the job";
        let r = app
            .post_form(
                &format!("{guide}/staff.talking_points"),
                &director,
                &[("text", ours)],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page = app.get(&guide, &principal).await.text().await.unwrap();
        assert!(page.contains("<li>Say hello in the hall</li>"), "{page}");
        assert!(page.contains("<p>Our officer is here for every student.</p>"));
        assert!(
            page.contains("In the district&#39;s words (Test director,")
                || page.contains("In the district's words (Test director,"),
            "{page}"
        );
        // Another district reads the project's words still.
        let away = app.session("away-principal").await;
        let theirs = app
            .get(
                &format!("/districts/{}/role-guide", w.other_district),
                &away,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(!theirs.contains("Say hello in the hall"));
        let first_line = talking.text.lines().next().unwrap();
        let escaped_first = first_line.replace('\'', "&#39;").replace('"', "&quot;");
        assert!(
            theirs.contains(first_line) || theirs.contains(&escaped_first),
            "{first_line}"
        );

        // Nobody else rewrites it: not the principal, not the agency's sergeant, not another
        // district's leader; an unknown section is not found; a novel is refused.
        let api = format!("/api/v1/districts/{}/role-guide", w.district);
        let before = app.count("role_guide_sections").await;
        for who in ["principal", "sergeant", "sro", "staff"] {
            let token = app.token(who).await;
            let key = triad_domain::Id::new().to_string();
            let r = app
                .api_send(
                    Method::PUT,
                    &format!("{api}/sro.does"),
                    &token,
                    &key,
                    &serde_json::json!({"text": "Anything at all"}),
                )
                .await;
            assert!(
                matches!(r.status().as_u16(), 403 | 404),
                "{who}: {}",
                r.status()
            );
        }
        let token = app.token("director").await;
        let put = |code: &str, text: String| {
            let (app, token, api) = (&app, &token, &api);
            let code = code.to_string();
            async move {
                let key = triad_domain::Id::new().to_string();
                app.api_send(
                    Method::PUT,
                    &format!("{api}/{code}"),
                    token,
                    &key,
                    &serde_json::json!({ "text": text }),
                )
                .await
                .status()
                .as_u16()
            }
        };
        assert_eq!(put("sro.makes_coffee", "x".into()).await, 404);
        assert_eq!(
            put("sro.does", "x".repeat(rules::MAX_SECTION_CHARS + 1)).await,
            422
        );
        assert_eq!(
            app.count("role_guide_sections").await,
            before,
            "a refusal wrote"
        );
        // Emptied: the project's words come back.
        assert_eq!(put("staff.talking_points", "  ".into()).await, 204);
        let listed: serde_json::Value = app.api_get(&api, &token).await.json().await.unwrap();
        let staff = listed["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role"] == "staff")
            .unwrap();
        let section = staff["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "staff.talking_points")
            .unwrap();
        assert_eq!(section["text"], talking.text);
        assert!(section["rewritten"].is_null());
        assert_eq!(app.audit_count("role_guide.rewrite", "ok").await, 1);
        assert_eq!(app.audit_count("role_guide.restore", "ok").await, 1);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_guide_prints_its_four_roles_without_the_forms() {
    use crate::browser::{browser, end_browser, printed_text, screenshot, sign_in, start_driver};
    let app = TestApp::start(Engine::Sqlite).await;
    let guide = format!("/districts/{}/role-guide", app.world.district);
    let driver = start_driver();
    // The leader's page has a form under every section: printed, none of them shows.
    let laptop = browser(&driver, 1366, 768).await;
    sign_in(&laptop, &app, "director").await;
    laptop.goto(&app.url(&guide)).await.unwrap();
    screenshot(&laptop, "role-guide-laptop").await;
    let text = printed_text(&laptop).await;
    let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut last = 0;
    for role in GuideRole::ALL {
        let at = text
            .find(role.heading())
            .unwrap_or_else(|| panic!("{} in: {text}", role.heading()));
        assert!(at >= last, "the roles print in order");
        last = at;
        for s in rules::sections_of(role) {
            assert!(
                text.contains(&squeeze(s.heading)),
                "{} in the print",
                s.heading
            );
        }
    }
    assert!(!text.contains("Rewrite this section"), "{text}");
    assert!(!text.contains("Save for the district"), "{text}");
    end_browser(laptop).await;
    // On a phone the staff's page reads without sideways scrolling.
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "staff").await;
    phone
        .goto(&app.url(&format!("{guide}#staff")))
        .await
        .unwrap();
    screenshot(&phone, "role-guide-staff-phone").await;
    let overflow = phone
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, serde_json::json!(false));
    end_browser(phone).await;
}
