//! The start-of-year checklist: each item done only by the record that shows it, two marked
//! by the SRO or the administrator alone, on their home pages (and not the SSO's) until done.

use crate::both_engines;
use crate::support::*;

fn start_entry(home: &str) -> Option<String> {
    home.split("Start of the school year: ")
        .nth(1)
        .map(|rest| rest.split('<').next().unwrap_or_default().to_string())
}

both_engines!(
    the_start_of_year_checklist_is_done_by_its_records_and_leaves_the_homes_when_complete,
    |app: TestApp| async move {
        let w = app.world;
        let (principal, sro) = (app.session("principal").await, app.session("sro").await);
        let home = app.get("/", &principal).await.text().await.unwrap();
        assert_eq!(
            start_entry(&home).as_deref(),
            Some("0 of 6 done; next: The MOU reviewed together by the SRO, the LE supervisor and the administrator"),
            "{home}"
        );
        let sro_home = app.get("/", &sro).await.text().await.unwrap();
        assert!(start_entry(&sro_home).is_some());
        for who in ["sso", "staff"] {
            let s = app.session(who).await;
            let home = app.get("/", &s).await.text().await.unwrap();
            assert!(start_entry(&home).is_none(), "{who}");
        }

        // The meetings that show three of the items; a review without the supervisor is not one.
        let today = app.district_today();
        let held_on = (today - chrono::Duration::days(1)).to_string();
        let meetings = format!("/campuses/{}/meetings", w.campus);
        for fields in [
            vec![
                ("kind", "semester_review"),
                ("sro_present", "yes"),
                ("admin_present", "yes"),
            ],
            vec![("kind", "introduction"), ("sro_present", "yes")],
            vec![("kind", "faculty"), ("sro_present", "yes")],
        ] {
            let mut all = vec![("held_on", held_on.as_str())];
            all.extend(fields);
            assert_eq!(
                app.post_form(&meetings, &principal, &all).await.status(),
                303
            );
        }
        let api = format!("/api/v1/campuses/{}/start-of-year", w.campus);
        let token = app.token("principal").await;
        let done = |list: &serde_json::Value, code: &str| {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["code"] == code)
                .unwrap()["done"]
                .as_bool()
                .unwrap()
        };
        let list: serde_json::Value = app.api_get(&api, &token).await.json().await.unwrap();
        assert!(
            !done(&list, "mou_reviewed"),
            "a review without the supervisor"
        );
        assert!(done(&list, "introductions") && done(&list, "staff_briefed"));
        let r = app
            .post_form(
                &meetings,
                &principal,
                &[
                    ("held_on", &held_on),
                    ("kind", "semester_review"),
                    ("sro_present", "yes"),
                    ("supervisor_present", "yes"),
                    ("admin_present", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);

        // Marked by hand: only the two items no record shows, only by the SRO or the
        // administrator, only with a note.
        let mark = |code: &str| format!("/campuses/{}/start-of-year/{code}", w.campus);
        assert_eq!(
            app.post_form(&mark("mou_reviewed"), &principal, &[("note", "yes")])
                .await
                .status(),
            422
        );
        assert_eq!(
            app.post_form(&mark("matters_agreed"), &principal, &[("note", " ")])
                .await
                .status(),
            422
        );
        for who in ["sso", "director"] {
            let s = app.session(who).await;
            let status = app
                .post_form(&mark("matters_agreed"), &s, &[("note", "Agreed")])
                .await
                .status()
                .as_u16();
            assert_eq!(status, 403, "{who}");
        }
        assert_eq!(app.count("start_of_year_marks").await, 0);
        let agreed = "Fights without injury and dress code are school matters; weapons, drugs and threats go to the SRO.";
        assert_eq!(
            app.post_form(&mark("matters_agreed"), &principal, &[("note", agreed)])
                .await
                .status(),
            303
        );
        assert_eq!(
            app.post_form(
                &mark("joint_training"),
                &sro,
                &[("note", "Threat assessment course on 14 August, both of us")]
            )
            .await
            .status(),
            303
        );
        let page = app
            .get(&format!("/campuses/{}/start-of-year", w.campus), &principal)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("5 of 6 done"), "{page}");
        assert!(page.contains("marked by Test principal on"), "{page}");
        let home = app.get("/", &principal).await.text().await.unwrap();
        let entry = start_entry(&home).unwrap();
        assert!(
            entry.starts_with("5 of 6 done; next: The SRO") && entry.ends_with("training current"),
            "{entry}"
        );

        // The SRO's training made current by the supervisor: complete, and off the homes.
        let sro_home = app.get("/", &sro).await.text().await.unwrap();
        let path = sro_home
            .split("id=\"my-training\"")
            .nth(1)
            .and_then(|r| r.split("href=\"").nth(1))
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let sergeant = app.token("sergeant").await;
        for (counts, hours) in [("basic", "120"), ("in_service", "40")] {
            let r = app
                .api_post(
                    &sergeant,
                    &format!("/api/v1{path}"),
                    serde_json::json!({"title": "Course", "provider": "NASRO", "counts": counts,
                        "hours": hours, "completed_on": today.to_string()}),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
        let list: serde_json::Value = app.api_get(&api, &token).await.json().await.unwrap();
        assert_eq!(list["done"], 6, "{list}");
        for s in [&principal, &sro] {
            let home = app.get("/", s).await.text().await.unwrap();
            assert!(start_entry(&home).is_none(), "{home}");
        }
        assert_eq!(app.audit_count("start_of_year.mark", "ok").await, 2);
    }
);
