//! A program's assessment: the 27 practices rated from the records of the test world's year,
//! the figures and dates an evaluator reads (never a link into a record), a person's rating
//! kept beside the records' own, and input that makes no sense refused with nothing written.

use crate::both_engines;
use crate::support::*;
use triad_domain::auth::{Grant, Role, Scope};

fn item(a: &serde_json::Value, n: u64) -> serde_json::Value {
    a["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["number"] == n))
        .cloned()
        .unwrap_or_default()
}

both_engines!(
    a_program_is_rated_from_its_records_and_by_people_with_their_reasons,
    |app: TestApp| async move {
        let w = app.world;
        let page_path = format!("/partnerships/{}/assessment", w.partnership);
        let api_path = format!("/api/v1/partnerships/{}/assessment", w.partnership);
        let evaluator = app.token("evaluator").await;

        // The records of this year: the SRO is assigned to one campus, was evaluated, and the
        // MOU is still a draft.
        let r = app.api_get(&api_path, &evaluator).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let a: serde_json::Value = r.json().await.unwrap();
        assert_eq!(a["items"].as_array().map(Vec::len), Some(27));
        let s = &a["summary"];
        let total: u64 = ["met", "partly_met", "not_met", "not_applicable", "unrated"]
            .iter()
            .map(|k| s[*k].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(total, 27, "{s}");
        assert_eq!(item(&a, 9)["computed"], "met", "{}", item(&a, 9));
        assert!(item(&a, 9)["figures"][0]
            .as_str()
            .unwrap_or("")
            .starts_with("1 of 1 SROs"));
        assert_eq!(item(&a, 1)["computed"], "not_met", "an unsigned draft");
        // The world's one evaluation is of another year: none yet this year, which is not
        // late before the year ends.
        assert_eq!(item(&a, 25)["computed"], serde_json::Value::Null);
        // The world's grant runs to 2034: its plan is not due yet, which keeps the practice.
        assert_eq!(item(&a, 13)["computed"], "met", "{}", item(&a, 13));
        assert!(item(&a, 13)["figures"][0]
            .as_str()
            .unwrap_or("")
            .contains("plan not due until 2033-06-30"));
        for n in [4, 6, 7] {
            assert_eq!(item(&a, n)["computed"], serde_json::Value::Null);
            assert_eq!(item(&a, n)["rating_label"], "Not rated yet");
        }
        // Campus items list the campus with its own figure.
        let twenty = item(&a, 20);
        assert_eq!(twenty["campuses"][0]["campus"], w.campus.to_string());
        // An evaluator reads kinds, counts and dates, and never a link into a record.
        let links: Vec<&serde_json::Value> = a["items"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|i| i["evidence"].as_array().into_iter().flatten())
            .filter(|e| {
                !e["link"].is_null() && !e["link"].as_str().unwrap_or("").starts_with("/districts/")
            })
            .collect();
        assert!(links.is_empty(), "{links:?}");
        // The district leader, who may open the campus's meetings, is given the link.
        let director = app.session("director").await;
        let page = app.get(&page_path, &director).await.text().await.unwrap();
        assert!(page.contains("Program assessment"), "{page}");
        assert!(
            page.contains(&format!("/campuses/{}/meetings", w.campus)),
            "the leader's links"
        );
        let evaluator_session = app.session("evaluator").await;
        let page = app
            .get(&page_path, &evaluator_session)
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains(&format!("/campuses/{}/meetings", w.campus)));
        assert!(!page.contains("/people/"), "no link to a person's records");

        // A person rates over the records, with the reason; both are kept.
        let ratings = format!("/api/v1/partnerships/{}/assessment/ratings", w.partnership);
        let before = app.count("assessment_ratings").await;
        for (body, field) in [
            (
                serde_json::json!({"item": "9", "rating": "not_met", "note": "  "}),
                "note",
            ),
            (
                serde_json::json!({"item": "28", "rating": "met", "note": "x"}),
                "item",
            ),
            (
                serde_json::json!({"item": "9", "rating": "excellent", "note": "x"}),
                "rating",
            ),
            (
                serde_json::json!({"item": "9", "rating": "met", "note": "x", "year": "1999"}),
                "year",
            ),
            (
                serde_json::json!({"item": "9", "rating": "met", "note": "x", "year": "2019"}),
                "year",
            ),
        ] {
            let r = app.api_post(&evaluator, &ratings, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        assert_eq!(
            app.count("assessment_ratings").await,
            before,
            "nothing written"
        );
        // A year of the program with no records is said to be so.
        let r = app
            .api_get(&format!("{api_path}?year=2019"), &evaluator)
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("no records"));

        let r = app
            .api_post(
                &evaluator,
                &ratings,
                serde_json::json!({"item": "9", "rating": "partly_met",
                    "note": "The SRO covers the middle school on Fridays, off the books."}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let r = app
            .api_post(
                &evaluator,
                &ratings,
                serde_json::json!({"item": "4", "rating": "met",
                    "note": "Sanctions are agreed at the weekly meeting (principal and SRO interviewed)."}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let a: serde_json::Value = app
            .api_get(&api_path, &evaluator)
            .await
            .json()
            .await
            .unwrap();
        let nine = item(&a, 9);
        assert_eq!(nine["rating"], "partly_met", "the person's rating counts");
        assert_eq!(
            nine["computed"], "met",
            "the records' rating is kept beside it"
        );
        assert_eq!(nine["by_person"]["computed"], "met");
        assert!(nine["by_person"]["note"]
            .as_str()
            .unwrap_or("")
            .contains("Fridays"));
        assert_eq!(item(&a, 4)["rating"], "met");
        assert_eq!(app.audit_count("assessment.rate", "ok").await, 2);
        // A second rating of the same item keeps the first as history.
        let form = app
            .post_form(
                &format!("{page_path}/ratings"),
                &director,
                &[
                    ("item", "9"),
                    ("rating", "met"),
                    ("note", "The Friday cover ended in October."),
                    ("year", ""),
                ],
            )
            .await;
        assert_eq!(form.status(), 303);
        let a: serde_json::Value = app
            .api_get(&api_path, &evaluator)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(item(&a, 9)["rating"], "met");
        assert_eq!(item(&a, 9)["history"].as_array().map(Vec::len), Some(1));

        // The heat map's column of this program is the program page's ratings, cell by cell;
        // the evaluator sees no other district's program.
        let map: serde_json::Value = app
            .api_get("/api/v1/assessments", &evaluator)
            .await
            .json()
            .await
            .unwrap();
        let columns = map["programs"].as_array().cloned().unwrap_or_default();
        assert_eq!(columns.len(), 1, "{map}");
        assert_eq!(columns[0]["partnership"], w.partnership.to_string());
        let page_ratings: Vec<serde_json::Value> = a["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| i["rating"].clone())
            .collect();
        assert_eq!(columns[0]["ratings"].as_array(), Some(&page_ratings));
        // The evaluator's home names the program and how far people have rated it.
        let home = app.get("/", &evaluator_session).await.text().await.unwrap();
        assert!(
            home.contains(&format!("/partnerships/{}/assessment", w.partnership)),
            "{home}"
        );
        assert!(home.contains("2 of 27 practices rated by people"), "{home}");

        // An evaluator for several districts (a region's, a state's for some of its districts)
        // sees each of their programs side by side, and on their home; no other.
        let regional = app
            .add_person(
                "regional-evaluator",
                &[w.district, w.other_district].map(|district| Grant {
                    role: Role::Evaluator,
                    scope: Scope::District { district },
                }),
                None,
                None,
            )
            .await;
        let map: serde_json::Value = app
            .api_get("/api/v1/assessments", &app.token_of(regional).await)
            .await
            .json()
            .await
            .unwrap();
        let mut shown: Vec<String> = map["programs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["partnership"].as_str().map(str::to_string))
            .collect();
        shown.sort();
        let mut both = vec![w.partnership.to_string(), w.other_partnership.to_string()];
        both.sort();
        assert_eq!(shown, both, "{map}");
        let home = app
            .get("/", &app.session_of(regional).await)
            .await
            .text()
            .await
            .unwrap();
        for p in [w.partnership, w.other_partnership] {
            assert!(
                home.contains(&format!("/partnerships/{p}/assessment")),
                "{home}"
            );
        }

        // The export: a header and a row a practice, with the person's reason.
        let csv = app
            .get(
                &format!("/partnerships/{}/assessment.csv", w.partnership),
                &director,
            )
            .await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv"));
        let text = csv.text().await.unwrap();
        // A header, the 27 practices, then the five federal steps (the district added none).
        assert_eq!(text.lines().count(), 1 + 27 + 5, "{text}");
        assert!(text.contains("One campus per SRO"));
        assert!(text.contains("The Friday cover ended in October."));
    }
);

/// An evaluator on a phone: home, the program's assessment, a practice rated with the reason
/// in four taps and a few words; the page fits the phone and says who rated it and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluator_rates_a_practice_from_a_phone() {
    use crate::browser::{
        browser, click, element_after_navigation, end_browser, screenshot, sign_in, start_driver,
    };
    use fantoccini::Locator;
    let app = TestApp::start(Engine::Sqlite).await;
    let driver = start_driver();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &app, "evaluator").await;
    click(&phone, "#assessments li a").await;
    let heading = element_after_navigation(&phone, "main h1")
        .await
        .text()
        .await
        .unwrap();
    assert!(heading.starts_with("Program assessment"), "{heading}");
    let wider = phone
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(wider, false, "the assessment scrolls sideways on a phone");
    screenshot(&phone, "assessment-evaluator-phone").await;
    click(&phone, "#item-4 details:last-of-type summary").await;
    click(&phone, "#rating-4 option[value=partly_met]").await;
    phone
        .find(Locator::Id("note-4"))
        .await
        .unwrap()
        .send_keys("Sanctions are agreed for fights, not yet for thefts.")
        .await
        .unwrap();
    click(&phone, "#item-4 button[type=submit]").await;
    let item = element_after_navigation(&phone, "#item-4 .rating-note").await;
    assert_eq!(
        item.text().await.unwrap(),
        "Sanctions are agreed for fights, not yet for thefts."
    );
    let badge = phone
        .find(Locator::Css("#item-4 h3 .rating"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(badge, "Partly met");
    let url = phone.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some("item-4"), "back at the practice rated");
    screenshot(&phone, "assessment-rated-phone").await;
    end_browser(phone).await;
}

both_engines!(
    checklists_are_rated_beside_the_instrument_without_changing_it,
    |app: TestApp| async move {
        let w = app.world;
        let director = app.token("director").await;
        let evaluator = app.token("evaluator").await;
        let practices = format!("/api/v1/districts/{}/practices", w.district);

        // The district adds a practice of its own; bad ones change nothing, and only its
        // leaders and evaluators keep them.
        for (body, field) in [
            (serde_json::json!({"short": " ", "practice": "x"}), "short"),
            (
                serde_json::json!({"short": "Bus duty", "practice": ""}),
                "practice",
            ),
            (
                serde_json::json!({"short": "Bus duty", "practice": "x", "related": "21, 28"}),
                "related",
            ),
        ] {
            let r = app.api_post(&director, &practices, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        assert_eq!(app.count("district_practices").await, 0);
        let sergeant = app.token("sergeant").await;
        let body = serde_json::json!({"short": "Bus duty", "practice": "The SRO is at the buses after school.", "related": "21,19"});
        let r = app.api_post(&sergeant, &practices, body.clone()).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        let foreign = format!("/api/v1/districts/{}/practices", w.other_district);
        let r = app.api_post(&director, &foreign, body.clone()).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        let r = app.api_post(&director, &practices, body).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        let practice: serde_json::Value = r.json().await.unwrap();
        assert_eq!(practice["number"], 1);
        assert_eq!(practice["related"], serde_json::json!([19, 21]));

        // The assessment lists the federal steps and the district's practice after the 27,
        // each with the ratings of the instrument's practices that bear on it.
        let path = format!("/api/v1/partnerships/{}/assessment", w.partnership);
        let before: serde_json::Value = app.api_get(&path, &evaluator).await.json().await.unwrap();
        let checklists = before["checklists"].as_array().unwrap();
        assert_eq!(checklists.len(), 2, "{before:#}");
        assert_eq!(checklists[0]["code"], "federal-steps");
        assert_eq!(checklists[0]["items"].as_array().map(Vec::len), Some(5));
        let training_step = &checklists[0]["items"][3];
        assert_eq!(training_step["related"][0]["number"], 22);
        assert_eq!(
            training_step["related"][0]["rating"],
            before["items"][21]["rating"]
        );
        assert_eq!(checklists[1]["code"], "district");
        assert_eq!(checklists[1]["items"][0]["short"], "Bus duty");

        // People rate them; a checklist or an item that is not there is refused.
        let ratings = format!("/api/v1/partnerships/{}/assessment/ratings", w.partnership);
        for (body, field) in [
            (
                serde_json::json!({"checklist": "nasro", "item": "1", "rating": "met", "note": "x"}),
                "checklist",
            ),
            (
                serde_json::json!({"checklist": "federal-steps", "item": "6", "rating": "met", "note": "x"}),
                "item",
            ),
            (
                serde_json::json!({"checklist": "district", "item": "2", "rating": "met", "note": "x"}),
                "item",
            ),
            (
                serde_json::json!({"checklist": "federal-steps", "item": "4", "rating": "met", "note": ""}),
                "note",
            ),
        ] {
            let r = app.api_post(&evaluator, &ratings, body.clone()).await;
            assert_eq!(r.status(), 422, "{body}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert_eq!(err["fields"][0]["field"], field, "{err}");
        }
        for body in [
            serde_json::json!({"checklist": "federal-steps", "item": "4", "rating": "partly_met", "note": "Two of three SROs trained with a principal."}),
            serde_json::json!({"checklist": "district", "item": "1", "rating": "met", "note": "Seen at the buses every day we visited."}),
        ] {
            let r = app.api_post(&evaluator, &ratings, body.clone()).await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        }
        let after: serde_json::Value = app.api_get(&path, &evaluator).await.json().await.unwrap();
        assert_eq!(after["checklists"][0]["items"][3]["rating"], "partly_met");
        assert_eq!(after["checklists"][1]["items"][0]["rating"], "met");
        // The instrument's ratings and summary are untouched by them.
        assert_eq!(after["items"], before["items"]);
        assert_eq!(after["summary"], before["summary"]);
        let csv = app
            .get(
                &format!("/partnerships/{}/assessment.csv", w.partnership),
                &app.session("evaluator").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("Federal action steps"), "{csv}");
        assert!(csv.contains("Bus duty"));

        // Retired, the practice is no longer asked this year: not shown, not rated; retiring
        // twice is refused.
        let retire = format!(
            "/api/v1/district-practices/{}/retire",
            practice["id"].as_str().unwrap()
        );
        let r = app
            .api_post(&evaluator, &retire, serde_json::json!({}))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
        let r = app
            .api_post(&director, &retire, serde_json::json!({}))
            .await;
        assert_eq!(r.status(), 422);
        let r = app
            .api_post(
                &evaluator,
                &ratings,
                serde_json::json!({"checklist": "district", "item": "1", "rating": "met", "note": "x"}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let now: serde_json::Value = app.api_get(&path, &evaluator).await.json().await.unwrap();
        assert_eq!(
            now["checklists"].as_array().map(Vec::len),
            Some(1),
            "{now:#}"
        );
        let listed: serde_json::Value = app
            .api_get(&practices, &director)
            .await
            .json()
            .await
            .unwrap();
        assert!(listed["practices"][0]["retired_at"].is_string(), "{listed}");
    }
);
