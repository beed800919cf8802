//! Meetings: recorded on the campus, with action items that reach their owners' home pages,
//! and the cadence they add up to.

use crate::both_engines;
use crate::support::*;
use chrono::Datelike;
use reqwest::Method;
use serde_json::{json, Value};

/// The most recent Wednesday before today: a school day of the current year in the fixtures.
fn last_wednesday() -> String {
    let mut d = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    while d.weekday() != chrono::Weekday::Wed {
        d -= chrono::Duration::days(1);
    }
    d.to_string()
}

both_engines!(
    a_weekly_meeting_counts_toward_the_cadence,
    |app: TestApp| async move {
        let principal = app.token("principal").await;
        let path = format!("/api/v1/campuses/{}/meetings", app.world.campus);
        let before: Value = app.api_get(&path, &principal).await.json().await.unwrap();
        let weeks = before["cadence"]["weeks_with_principal_meeting"]
            .as_u64()
            .unwrap();
        let body = json!({"kind": "weekly_principal", "held_on": last_wednesday(), "sro_present": true, "attendees": "Principal, SRO", "minutes": "Reviewed the bus-loop plan."});
        let r = app
            .api_send(Method::POST, &path, &principal, "m1", &body)
            .await;
        assert_eq!(r.status(), 201);
        let after: Value = app.api_get(&path, &principal).await.json().await.unwrap();
        assert_eq!(
            after["cadence"]["weeks_with_principal_meeting"]
                .as_u64()
                .unwrap(),
            weeks + 1
        );
        assert_eq!(after["cadence"]["faculty_meetings_target"], 6);
        let future = app
            .api_send(
                Method::POST,
                &path,
                &principal,
                "m2",
                &json!({"kind": "faculty", "held_on": "2999-01-01"}),
            )
            .await;
        assert_eq!(future.status(), 422);
        let odd = app
            .api_send(
                Method::POST,
                &path,
                &principal,
                "m3",
                &json!({"kind": "picnic", "held_on": last_wednesday()}),
            )
            .await;
        assert_eq!(odd.status(), 422);
        let s = app.session("principal").await;
        let page = app
            .get(
                &format!("/campuses/{}/meetings?agenda=starters", app.world.campus),
                &s,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("What are our safety goals for this year?"));
        let away = app
            .api_get(
                &format!("/api/v1/campuses/{}/meetings", app.world.other_campus),
                &principal,
            )
            .await;
        assert_eq!(away.status(), 404);
    }
);

both_engines!(
    action_items_reach_their_owners_until_done,
    |app: TestApp| async move {
        let principal = app.session("principal").await;
        let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        let r = app
            .post_form(
                &format!("/meetings/{}/items", app.world.meeting),
                &principal,
                &[
                    ("title", "Send the visitor policy to staff"),
                    ("owner", "sro"),
                    ("due_on", &yesterday),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let sro = app.session("sro").await;
        let home = app.get("/", &sro).await.text().await.unwrap();
        assert!(
            home.contains("Your open action items")
                && home.contains("Send the visitor policy to staff")
                && home.contains("overdue")
        );
        let detail: Value = app
            .api_get(
                &format!("/api/v1/meetings/{}", app.world.meeting),
                &app.token("sro").await,
            )
            .await
            .json()
            .await
            .unwrap();
        let item = detail["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == "Send the visitor policy to staff")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app
            .post_form(
                &format!("/action-items/{item}"),
                &sro,
                &[("status", "done")],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert!(!app
            .get("/", &sro)
            .await
            .text()
            .await
            .unwrap()
            .contains("Send the visitor policy to staff"));
        assert_eq!(app.audit_count("meeting.item.status", "ok").await, 1);
    }
);

both_engines!(
    the_home_page_says_when_this_weeks_meeting_is_missing,
    |app: TestApp| async move {
        let s = app.session("principal").await;
        assert!(app
            .get("/", &s)
            .await
            .text()
            .await
            .unwrap()
            .contains("SRO–principal meeting: not held yet this week"));
        // Today on the campus's clock (the district is in Chicago).
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive()
            .to_string();
        let r = app
            .post_form(
                &format!("/campuses/{}/meetings", app.world.campus),
                &s,
                &[
                    ("kind", "weekly_principal"),
                    ("held_on", &today),
                    ("sro_present", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let home = app.get("/", &s).await.text().await.unwrap();
        assert!(
            home.contains(&format!("SRO–principal meeting held this week ({today})"))
                && !home.contains("not held yet this week"),
            "{home}"
        );
        // The SRO's home says the same of the campus, in the same layout.
        let sro = app.session("sro").await;
        let home = app.get("/", &sro).await.text().await.unwrap();
        assert!(
            home.contains("SRO–principal meeting held this week"),
            "{home}"
        );
    }
);

// An action item's owner is someone who may open the meeting: a person of another district
// reads exactly like a name nobody has (no full name shown, nothing written).
both_engines!(
    owners_come_from_the_people_who_may_open_the_meeting,
    |app: TestApp| async move {
        let s = app.session("principal").await;
        let path = format!("/meetings/{}/items", app.world.meeting);
        let items = app.count("action_items").await;
        let mut pages = Vec::new();
        for owner in ["away-principal", "nobody-by-this-name"] {
            let r = app
                .post_form(
                    &path,
                    &s,
                    &[
                        ("title", "Walk the east fence"),
                        ("owner", owner),
                        ("due_on", ""),
                    ],
                )
                .await;
            assert_eq!(r.status(), 422, "{owner}");
            pages.push(r.text().await.unwrap());
        }
        assert!(!pages[0].contains("Test away-principal"));
        assert_eq!(
            pages[0].replace("away-principal", "NAME"),
            pages[1].replace("nobody-by-this-name", "NAME")
        );
        assert_eq!(app.count("action_items").await, items, "nothing written");
        // The campus's own SRO may own it.
        let r = app
            .post_form(
                &path,
                &s,
                &[
                    ("title", "Walk the east fence"),
                    ("owner", "sro"),
                    ("due_on", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
    }
);
