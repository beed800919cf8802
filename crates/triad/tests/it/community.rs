//! The community resource directory: read across the district, kept by the partners on its
//! campuses, entries overdue for a check flagged by the district's period, and referrals
//! recorded by SROs alone, as a day, a count and at most a case number, whose details only
//! their author sees again.

use crate::both_engines;
use crate::support::*;
use chrono::Days;

fn stale_count(page: &str) -> String {
    page.split("id=\"stale-count\">")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_default()
        .to_string()
}

/// The card of one entry on the directory page.
fn entry<'a>(page: &'a str, id: &str) -> &'a str {
    page.split(&format!("id=\"entry-{id}\""))
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .unwrap_or_else(|| panic!("entry {id} on the page"))
}

both_engines!(
    the_directory_flags_what_is_overdue_for_a_check_and_keeps_referrals_nameless,
    |app: TestApp| async move {
        let w = app.world;
        let today = app.clock_now().to_datetime().date_naive();
        let directory = format!("/districts/{}/community", w.district);
        let api = format!("/api/v1/districts/{}/community", w.district);
        let food = w.community_resource.to_string();
        let principal = app.session("principal").await;
        // The fixture's food bank was checked in January 2024: flagged.
        let page = app.get(&directory, &principal).await.text().await.unwrap();
        assert!(
            stale_count(&page).contains("1 entry has not been checked in 180 days"),
            "{page}"
        );
        assert!(entry(&page, &food).contains("to check"));
        // The agency's supervisor serves the district from outside; another district's
        // people see nothing of it.
        for who in ["sergeant", "away-principal"] {
            let s = app.session(who).await;
            let status = app.get(&directory, &s).await.status().as_u16();
            assert!(matches!(status, 403 | 404), "{who}: {status}");
        }

        // The administrator adds a service; a bad one is refused by its field.
        let r = app
            .post_form(
                &directory,
                &principal,
                &[
                    ("name", "Youth Crisis Line"),
                    ("category", "crisis"),
                    ("contact", "Call or text 988"),
                    ("hours", "Always"),
                    ("languages", "English, Spanish, interpreters"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let before = app.count("community_resources").await;
        let sso = app.token("sso").await;
        let future = (today + Days::new(3)).to_string();
        for (body, field) in [
            (
                serde_json::json!({"name": "X", "category": "snacks", "contact": "1"}),
                "category",
            ),
            (
                serde_json::json!({"name": "X", "category": "food", "contact": "1", "verified_on": future}),
                "verified_on",
            ),
            (
                serde_json::json!({"name": " ", "category": "food", "contact": "1"}),
                "name",
            ),
            (
                serde_json::json!({"name": "X", "category": "food", "contact": ""}),
                "contact",
            ),
        ] {
            let r = app.api_post(&sso, &api, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        for who in ["staff", "evaluator"] {
            let token = app.token(who).await;
            let r = app
                .api_post(
                    &token,
                    &api,
                    serde_json::json!({"name": "X", "category": "food", "contact": "1"}),
                )
                .await;
            assert_eq!(r.status(), 403, "{who}");
        }
        assert_eq!(
            app.count("community_resources").await,
            before,
            "a refusal wrote"
        );

        // The SSO checks the food bank: nothing left to check.
        let r = app
            .api_post(
                &sso,
                &format!("/api/v1/community/{food}/verify"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status(), 204);
        let page = app.get(&directory, &principal).await.text().await.unwrap();
        assert!(
            stale_count(&page).contains("Every entry was checked"),
            "{page}"
        );

        // A shorter period flags the crisis line once its check is a month old.
        let listed: serde_json::Value = app.api_get(&api, &sso).await.json().await.unwrap();
        let crisis = listed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "Youth Crisis Line")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let month_ago = (today - Days::new(30)).to_string();
        let r = app
            .post_form(
                &format!("/community/{crisis}"),
                &principal,
                &[
                    ("name", "Youth Crisis Line"),
                    ("category", "crisis"),
                    ("contact", "Call or text 988"),
                    ("verified_on", &month_ago),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let director = app.session("director").await;
        let period = format!("{directory}/period");
        for bad in ["6", "731", "soon"] {
            let r = app
                .post_form(&period, &director, &[("verify_days", bad)])
                .await;
            assert_eq!(r.status(), 422, "{bad}");
        }
        assert_eq!(
            app.post_form(&period, &principal, &[("verify_days", "14")])
                .await
                .status(),
            403
        );
        // A stray newline before the id still finds the district, and the answer is a clean
        // redirect (not an error after the write).
        let r = app
            .post_form(
                &format!("/districts/%0A{}/community/period", w.district),
                &director,
                &[("verify_days", "14")],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/districts/{}/community", w.district)
        );
        let page = app.get(&directory, &principal).await.text().await.unwrap();
        assert!(
            stale_count(&page).contains("1 entry has not been checked in 14 days"),
            "{page}"
        );
        assert!(entry(&page, &crisis).contains("to check"));
        assert!(!entry(&page, &food).contains("to check"));
        // Filtered: one category, or only what is to check.
        let crisis_only = app
            .get(&format!("{directory}?category=crisis"), &principal)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            crisis_only.contains("Youth Crisis Line") && !crisis_only.contains("County Food Bank")
        );
        let to_check = app
            .get(&format!("{directory}?stale=on"), &principal)
            .await
            .text()
            .await
            .unwrap();
        assert!(to_check.contains("Youth Crisis Line") && !to_check.contains("County Food Bank"));

        // The SRO records a referral; a name in the case number is refused, nothing kept.
        let sro = app.session("sro").await;
        let refer = format!("/community/{food}/referrals");
        let campus = w.campus.to_string();
        let r = app
            .post_form(
                &refer,
                &sro,
                &[("campus", &campus), ("case_reference", "John Smith")],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(app.count("referrals").await, 0);
        let r = app
            .post_form(
                &refer,
                &sro,
                &[
                    ("campus", &campus),
                    ("people", "3"),
                    ("case_reference", "2026-0142"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        // Nobody else records one, whatever they send.
        for who in ["sso", "principal", "director", "staff"] {
            let token = app.token(who).await;
            let r = app
                .api_post(
                    &token,
                    &format!("/api/v1{refer}"),
                    serde_json::json!({"campus": campus}),
                )
                .await;
            assert_eq!(r.status(), 403, "{who}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert!(
                err["message"]
                    .as_str()
                    .unwrap()
                    .contains("recorded by the campus's SRO"),
                "{err}"
            );
        }
        assert_eq!(app.count("referrals").await, 1);
        // Everyone sees the count; only the SRO sees the case number again.
        let page = app.get(&directory, &principal).await.text().await.unwrap();
        assert!(
            entry(&page, &food).contains("1 referral in the last year, 3 people"),
            "{page}"
        );
        assert!(!page.contains("2026-0142") && !page.contains("my-referrals"));
        let page = app.get(&directory, &sro).await.text().await.unwrap();
        let mine = page
            .split("id=\"my-referrals\"")
            .nth(1)
            .expect("the SRO's referrals");
        assert!(
            mine.contains("2026-0142") && mine.contains("County Food Bank"),
            "{mine}"
        );
        // Another district's directory is its own.
        let away = app.session("away-principal").await;
        let theirs = app
            .get(&format!("/districts/{}/community", w.other_district), &away)
            .await
            .text()
            .await
            .unwrap();
        assert!(!theirs.contains("Youth Crisis Line") && !theirs.contains("1 referral"));
        // The crisis line closed: taken off, its record kept; nobody is referred there again.
        let r = app
            .post_form(&format!("/community/{crisis}/retire"), &principal, &[])
            .await;
        assert_eq!(r.status(), 303);
        let page = app.get(&directory, &principal).await.text().await.unwrap();
        assert!(!page.contains("Youth Crisis Line"), "{page}");
        let r = app
            .post_form(
                &format!("/community/{crisis}/referrals"),
                &sro,
                &[("campus", &campus)],
            )
            .await;
        assert_eq!(r.status(), 404);
        assert_eq!(
            app.count("community_resources").await,
            3,
            "retired, not deleted (two here, one in the other district)"
        );
        assert_eq!(app.audit_count("community.retire", "ok").await, 1);
        assert_eq!(app.audit_count("community.add", "ok").await, 1);
        assert_eq!(app.audit_count("community.edit", "ok").await, 1);
        assert_eq!(app.audit_count("community.verify", "ok").await, 1);
        assert_eq!(app.audit_count("community.refer", "ok").await, 1);
    }
);

/// The SRO on a phone refers a family to the food bank: open the directory from the campus,
/// open the referral form, say how many, send. Four taps after the campus page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sro_refers_a_family_from_a_phone_in_four_taps() {
    use crate::browser::{browser, click, end_browser, screenshot, sign_in, start_driver};
    use fantoccini::Locator;
    let app = TestApp::start(Engine::Sqlite).await;
    let w = app.world;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "sro").await;
    phone
        .goto(&app.url(&format!("/campuses/{}", w.campus)))
        .await
        .unwrap();
    let directory = format!("/districts/{}/community", w.district);
    click(&phone, &format!("a[href='{directory}']")).await;
    let card = format!("#entry-{}", w.community_resource);
    click(&phone, &format!("{card} details:nth-of-type(1) summary")).await;
    let people = phone
        .find(Locator::Css(&format!("#people-{}", w.community_resource)))
        .await
        .unwrap();
    people.clear().await.unwrap();
    people.send_keys("4").await.unwrap();
    screenshot(&phone, "community-referral-phone").await;
    click(
        &phone,
        &format!("{card} form[action$='/referrals'] button[type=submit]"),
    )
    .await;
    crate::browser::element_after_navigation(&phone, "#my-referrals").await;
    let shown = phone
        .find(Locator::Css(&card))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("1 referral in the last year, 4 people"),
        "{shown}"
    );
    screenshot(&phone, "community-after-referral-phone").await;
    let overflow = phone
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, serde_json::json!(false));
    end_browser(phone).await;
    assert_eq!(app.count("referrals").await, 1);
}
