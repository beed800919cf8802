//! The private calendar feed: made on the account page, read with no session by a calendar
//! app, parsed back as iCalendar; what it holds follows its owner's access as it is today, and
//! a stopped, replaced or guessed link reads nothing.

use crate::both_engines;
use crate::support::*;
use icalendar::{Calendar, Component};
use reqwest::Method;
use serde_json::{json, Value};

/// The link a freshly made calendar link page shows, this once.
async fn make_link(app: &TestApp, s: &Session) -> String {
    let r = app.post_form("/account/calendar", s, &[]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let start = html
        .find("id=\"new-calendar-link\">")
        .expect("no new link shown")
        + 23;
    let end = start + html[start..].find('<').unwrap();
    let link = html[start..end].replace("&#x2f;", "/");
    // The link is at this instance's address: the test reads it through its own base.
    let path = &link[link.find("/calendar/").expect("not a calendar link")..];
    assert!(path.ends_with(".ics"), "{link}");
    path.to_string()
}

/// Reads a feed as a calendar app does: no cookie, no token.
async fn read(app: &TestApp, path: &str) -> reqwest::Response {
    app.http.get(app.url(path)).send().await.unwrap()
}

/// The feed's events as (uid, day, summary, url).
async fn events(app: &TestApp, path: &str) -> Vec<(String, String, String, String)> {
    let r = read(app, path).await;
    assert_eq!(r.status(), 200);
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    let text = r.text().await.unwrap();
    let calendar: Calendar = text.parse().expect("the feed parses as iCalendar");
    calendar
        .events()
        .map(|e| {
            let day = match e.get_start() {
                Some(icalendar::DatePerhapsTime::Date(d)) => d.to_string(),
                other => panic!("an entry that is not a whole day: {other:?}"),
            };
            (
                e.get_uid().unwrap_or_default().to_string(),
                day,
                e.get_summary().unwrap_or_default().to_string(),
                e.get_url().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn days_from_now(app: &TestApp, days: i64) -> String {
    (app.clock_now().to_datetime().date_naive() + chrono::Duration::days(days)).to_string()
}

both_engines!(
    a_calendar_link_feeds_the_owners_dates_and_nothing_else,
    |app: TestApp| async move {
        let principal = app.session("principal").await;
        let token = app.token("principal").await;
        let campus = app.world.campus;
        let page = app.get("/account", &principal).await.text().await.unwrap();
        assert!(page.contains("Make a calendar link"), "{page}");

        // A drill to come, a meeting held, an action item the principal owns, on Home High.
        let in_ten_days = days_from_now(&app, 10);
        let r = app
            .api_send(
                Method::POST,
                &format!("/api/v1/campuses/{campus}/drills"),
                &token,
                "cal-drill",
                &json!({"kind": "lockdown", "scheduled_on": in_ten_days}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let held_on = days_from_now(&app, -1);
        let r = app
            .api_send(
                Method::POST,
                &format!("/api/v1/campuses/{campus}/meetings"),
                &token,
                "cal-meeting",
                &json!({"kind": "faculty", "held_on": held_on, "sro_present": true}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let meeting: Value = r.json().await.unwrap();
        let meeting = meeting["id"].as_str().unwrap().to_string();
        let due = days_from_now(&app, 7);
        let r = app
            .post_form(
                &format!("/meetings/{meeting}/items"),
                &principal,
                &[
                    ("title", "Check the door badges; fix the \"B\" wing"),
                    ("owner", "principal"),
                    ("due_on", &due),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);

        let path = make_link(&app, &principal).await;
        let feed = events(&app, &path).await;
        let has = |uid: &str, day: &str, summary: &str| {
            feed.iter()
                .any(|(u, d, s, _)| u.starts_with(uid) && d == day && s == summary)
        };
        assert!(
            has("drill-", &in_ten_days, "Lockdown drill — Home High"),
            "{feed:?}"
        );
        assert!(
            has(
                &format!("meeting-{meeting}"),
                &held_on,
                "Faculty / administrative meeting — Home High"
            ),
            "{feed:?}"
        );
        // Text with a semicolon, a comma and quotes comes back as written.
        assert!(
            has(
                "action-",
                &due,
                "Due: Check the door badges; fix the \"B\" wing — Home High"
            ),
            "{feed:?}"
        );
        assert!(feed.iter().any(|(u, _, _, url)| u.starts_with("action-")
            && url.ends_with(&format!("/meetings/{meeting}"))));
        // Nothing of the other district's campus, its meeting or its owner's items.
        assert!(!feed.iter().any(|(u, _, s, _)| s.contains("Away")
            || u.contains(&app.world.other_meeting.to_string())
            || u.contains(&app.world.other_item.to_string())));
        // The same entry keeps its id from one read to the next.
        assert_eq!(events(&app, &path).await, feed);
        // The account page says when a calendar app last read it, and never shows it again.
        let page = app.get("/account", &principal).await.text().await.unwrap();
        assert!(page.contains("Make a new link") && !page.contains(&path[10..]));
        assert_eq!(app.audit_count("calendar.link_made", "ok").await, 1);
    }
);

both_engines!(
    a_stopped_replaced_or_guessed_link_reads_nothing,
    |app: TestApp| async move {
        let principal = app.session("principal").await;
        let first = make_link(&app, &principal).await;
        assert_eq!(read(&app, &first).await.status(), 200);
        // A new link stops the old one.
        let second = make_link(&app, &principal).await;
        assert_ne!(first, second);
        let old = read(&app, &first).await;
        assert_eq!(old.status(), 404);
        assert!(old.text().await.unwrap().contains("stopped"));
        assert_eq!(read(&app, &second).await.status(), 200);
        // Secrets of other kinds, a link without its ending and a made-up one read nothing.
        let session_secret = principal.cookie.split_once('=').unwrap().1.to_string();
        let token = app.token("principal").await;
        for guess in [
            format!("/calendar/{session_secret}.ics"),
            format!("/calendar/{token}.ics"),
            "/calendar/triad_cal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics".into(),
            "/calendar/%00.ics".into(),
        ] {
            let r = read(&app, &guess).await;
            assert!(r.status().is_client_error(), "{guess}: {}", r.status());
        }
        // A form without its CSRF token makes no link.
        let r = app
            .http
            .post(app.url("/account/calendar"))
            .header("cookie", principal.cookie.clone())
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
        assert_eq!(read(&app, &second).await.status(), 200);
        // Stopped from the account page: gone at once.
        let r = app
            .post_form("/account/calendar/stop", &principal, &[])
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(read(&app, &second).await.status(), 404);
        assert_eq!(app.audit_count("calendar.link_made", "ok").await, 2);
        assert_eq!(app.audit_count("calendar.link_stopped", "ok").await, 1);
        let page = app.get("/account", &principal).await.text().await.unwrap();
        assert!(page.contains("Make a calendar link"));
    }
);

both_engines!(
    a_feed_follows_its_owners_access_as_it_is_today,
    |app: TestApp| async move {
        let sro = app.session("sro").await;
        let link = make_link(&app, &sro).await;
        let on_campus = |feed: &[(String, String, String, String)]| {
            feed.iter().any(|(_, _, s, _)| s.ends_with("— Home High"))
        };
        assert!(on_campus(&events(&app, &link).await));
        // The SRO's assignment ends: the campus leaves the feed at the next read.
        let admin = app.token("admin").await;
        let yesterday = days_from_now(&app, -1);
        let r = app
            .api_send(
                Method::POST,
                &format!("/api/v1/assignments/{}/end", app.world.assignment),
                &admin,
                "cal-end",
                &json!({"ends_on": yesterday}),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let after = events(&app, &link).await;
        assert!(!on_campus(&after), "{after:?}");
        // A disabled account's link reads nothing.
        let r = app
            .api_send(
                Method::POST,
                &format!("/api/v1/users/{}/disable", app.user("sro")),
                &admin,
                "cal-disable",
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), 204);
        assert_eq!(read(&app, &link).await.status(), 404);
    }
);
