//! Visitor sign-in and campus bans over real HTTP: candidate matches with their reasons, a
//! confirmation that becomes an incident and tells the SRO and the administrator, bad input
//! refused whole, and sign-ins purged after the retention period.

use crate::both_engines;
use crate::cli::{text, triad};
use crate::support::*;
use serde_json::json;

fn visitor(given: &str, family: &str, born: &str) -> serde_json::Value {
    json!({
        "given_name": given, "family_name": family, "birth_date": born,
        "id_type": "drivers_license", "id_last_four": "7731",
        "purpose": "Meeting a teacher", "host": "Ms. Alvarez", "badge": "V-12"
    })
}

both_engines!(
    a_banned_person_signing_in_is_caught_confirmed_and_reported,
    |app: TestApp| async move {
        // The fixture ban: Robert Smith, born 1980-04-02, on the own campus. The fixture's
        // Bob Smith has left (he is signed in once at a time).
        let sso = app.token("sso").await;
        let out = format!("/api/v1/visitors/{}/sign-out", app.world.visitor);
        assert_eq!(app.api_post(&sso, &out, json!({})).await.status(), 200);
        let path = format!("/api/v1/campuses/{}/visitors", app.world.campus);
        let nickname: serde_json::Value = app
            .api_post(&sso, &path, visitor("Bob", "Smith", "1980-04-02"))
            .await
            .json()
            .await
            .unwrap();
        let reasons = nickname["matches"][0]["reasons"].to_string();
        assert!(
            reasons.contains("nickname") && reasons.contains("Same date of birth"),
            "{reasons}"
        );
        let swapped: serde_json::Value = app
            .api_post(&sso, &path, visitor("Smith", "Robert", "1980-04-02"))
            .await
            .json()
            .await
            .unwrap();
        assert!(swapped["matches"][0]["reasons"]
            .to_string()
            .contains("swapped"));
        let stranger: serde_json::Value = app
            .api_post(&sso, &path, visitor("Roberta", "Jones", "1980-04-02"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            stranger["matches"].as_array().unwrap().len(),
            0,
            "a birth date alone is not a match"
        );
        // The other district's ban is not checked here.
        let elsewhere: serde_json::Value = app
            .api_post(&sso, &path, visitor("Robert", "Smith", "1980-04-02"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(elsewhere["matches"].as_array().unwrap().len(), 1);

        let m = nickname["matches"][0]["id"].as_str().unwrap().to_string();
        let incidents = app.count("incidents").await;
        let confirmed: serde_json::Value = app
            .api_post(
                &sso,
                &format!("/api/v1/ban-matches/{m}"),
                json!({"decision": "confirmed"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let incident = confirmed["incident_id"]
            .as_str()
            .expect("the sign-in is linked to an incident")
            .to_string();
        assert_eq!(app.count("incidents").await, incidents + 1);
        let detail: serde_json::Value = app
            .api_get(&format!("/api/v1/incidents/{incident}"), &sso)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(detail["incident"]["kind"], "campus_ban");
        for who in ["sro", "principal"] {
            let token = app.token(who).await;
            let notes: serde_json::Value = app
                .api_get("/api/v1/notifications", &token)
                .await
                .json()
                .await
                .unwrap();
            assert!(
                notes.to_string().contains("matches an active ban"),
                "{who} is told: {notes}"
            );
        }
        let staff = app.token("staff").await;
        let none: serde_json::Value = app
            .api_get("/api/v1/notifications", &staff)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(none.as_array().unwrap().len(), 0);
        let again = app
            .api_post(
                &sso,
                &format!("/api/v1/ban-matches/{m}"),
                json!({"decision": "dismissed"}),
            )
            .await;
        assert_eq!(again.status(), 409);
    }
);

both_engines!(
    bad_bans_and_sign_ins_change_nothing,
    |app: TestApp| async move {
        let ap = app.token("principal").await;
        let bans = app.count("bans").await;
        let backwards = app
            .api_post(
                &ap,
                &format!("/api/v1/incidents/{}/bans", app.world.incident),
                json!({
                    "given_name": "Dale", "family_name": "Ng", "scope": "campus",
                    "starts_on": "2026-10-10", "ends_on": "2026-10-01", "reason": "Fight",
                    "served_by": "Officer", "served_at": "2026-10-01T09:00"
                }),
            )
            .await;
        assert_eq!(backwards.status(), 422);
        assert!(backwards
            .text()
            .await
            .unwrap()
            .contains("end after it starts"));
        assert_eq!(app.count("bans").await, bans);
        let visitors = app.count("visitors").await;
        let path = format!("/api/v1/campuses/{}/visitors", app.world.campus);
        let mut future = visitor("Ann", "Lee", "1990-01-01");
        future["time_in"] = json!("2099-01-01T08:00");
        let r = app.api_post(&ap, &path, future).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("time_in"));
        let mut whole_id = visitor("Ann", "Lee", "1990-01-01");
        whole_id["id_last_four"] = json!("D123456789");
        let r = app.api_post(&ap, &path, whole_id).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("last four"));
        assert_eq!(app.count("visitors").await, visitors);
    }
);

both_engines!(
    a_ban_ending_soon_is_on_the_administrators_home_page,
    |app: TestApp| async move {
        let ap = app.token("principal").await;
        let today = chrono::Utc::now().date_naive();
        let ends = (today + chrono::Duration::days(5)).to_string();
        let starts = (today - chrono::Duration::days(30)).to_string();
        let fields = [
            ("given_name", "Dale"),
            ("family_name", "Ng"),
            ("birth_date", "1985-06-01"),
            ("scope", "district"),
            ("starts_on", &starts),
            ("ends_on", &ends),
            ("reason", "Threatened a coach"),
            ("served_by", "Officer Diaz"),
            ("served_at", "2026-09-01T09:00"),
        ];
        let ban_form = |photo: Vec<u8>| {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k, v.to_string());
            }
            form.part(
                "photo",
                reqwest::multipart::Part::bytes(photo).file_name("dale.jpg"),
            )
        };
        let path = app.url(&format!("/api/v1/incidents/{}/bans", app.world.incident));
        let send = |form| {
            app.http
                .post(&path)
                .bearer_auth(&ap)
                .header("idempotency-key", triad_domain::Id::new().to_string())
                .multipart(form)
                .send()
        };
        // A photo that is not one refuses the whole ban.
        let bans = app.count("bans").await;
        let bad = send(ban_form(b"not a picture".to_vec())).await.unwrap();
        assert_eq!(bad.status(), 422);
        assert!(bad.text().await.unwrap().contains("not a JPEG or PNG"));
        assert_eq!(app.count("bans").await, bans);
        let r = send(ban_form(crate::evidence::jpeg(40, 30))).await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let ban: serde_json::Value = r.json().await.unwrap();
        assert_eq!(ban["has_photo"], true);
        let photo = app
            .api_get(
                &format!("/api/v1/bans/{}/photo", ban["id"].as_str().unwrap()),
                &ap,
            )
            .await;
        assert_eq!(photo.status(), 200);
        assert!(photo.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
        let home = app
            .get("/", &app.session("principal").await)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Bans ending soon") && home.contains("Dale Ng"),
            "{home}"
        );
        let list = app
            .get(
                &format!("/campuses/{}/bans", app.world.campus),
                &app.session("sso").await,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(list.contains("Dale Ng") && list.contains("Robert Smith"));
    }
);

both_engines!(
    sign_ins_are_purged_after_the_retention_period_unless_linked,
    |app: TestApp| async move {
        let old = app.clock_now().millis() - 400 * 86_400_000;
        let w = &app.world;
        for (id, linked) in [
            ("old-plain", "NULL".to_string()),
            ("old-linked", format!("'{}'", w.incident)),
        ] {
            let sql = format!(
                "INSERT INTO visitors (id, district_id, campus_id, given_name, family_name, birth_date, id_type, id_last_four, purpose, host, time_in, incident_id, created_by, created_at, updated_at) \
                 VALUES ('{id}', '{}', '{}', 'A', 'B', '1990-01-01', 'other', '1', 'x', 'y', {old}, {linked}, '{}', {old}, {old})",
                w.district, w.campus, app.user("sso")
            );
            app.raw(&sql).await.unwrap();
        }
        let before = app.count("visitors").await;
        let out = triad(
            &app.data_dir,
            &app.database_url,
            &["visitors", "purge"],
            None,
        );
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("Removed 1 "), "{}", text(&out));
        assert_eq!(app.count("visitors").await, before - 1);
        let ids: Vec<String> = match &app.db {
            triad_store::Db::Sqlite(p, ..) => sqlx::query_scalar("SELECT id FROM visitors")
                .fetch_all(p)
                .await
                .unwrap(),
            triad_store::Db::Postgres(p, ..) => sqlx::query_scalar("SELECT id FROM visitors")
                .fetch_all(p)
                .await
                .unwrap(),
        };
        assert!(ids.contains(&"old-linked".to_string()) && !ids.contains(&"old-plain".to_string()));
    }
);

both_engines!(
    a_person_signed_in_at_once_sixteen_times_has_one_open_visit,
    |app: TestApp| async move {
        let sso = app.token("sso").await;
        let path = format!("/api/v1/campuses/{}/visitors", app.world.campus);
        let before = app.count("visitors").await;
        // Sixteen sign-ins of the same person, each with its own key (sixteen taps, or sixteen
        // front-desk tablets), all at once.
        let sends =
            (0..16).map(|_| app.api_post(&sso, &path, visitor("Dana", "Reyes", "1985-06-07")));
        let mut statuses = Vec::new();
        for answer in futures_util::future::join_all(sends).await {
            let status = answer.status().as_u16();
            let body = answer.text().await.unwrap();
            // Refused for who they are, whether the first sign-in was saved by then or still
            // in the same batch: never as a request already being recorded.
            if status == 409 {
                assert!(body.contains("already signed in"), "{body}");
            }
            statuses.push(status);
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [201, 409].contains(s)),
            "{statuses:?}"
        );
        assert_eq!(app.count("visitors").await, before + 1);
        // The refusal says who and since when; the same name in another case is the same person.
        let again = app
            .api_post(&sso, &path, visitor("DANA", "reyes", "1985-06-07"))
            .await;
        assert_eq!(again.status(), 409);
        assert!(again
            .text()
            .await
            .unwrap()
            .contains("already signed in here"));
        // Once signed out, they may sign in again; someone else with the name is not them.
        let id = app
            .scalar("SELECT COUNT(*) FROM visitors WHERE given_name = 'Dana' AND time_out IS NULL")
            .await;
        assert_eq!(id, 1);
        let other = app
            .api_post(&sso, &path, visitor("Dana", "Reyes", "1990-01-01"))
            .await;
        assert_eq!(
            other.status(),
            201,
            "another date of birth is another person"
        );
        let open: serde_json::Value = app
            .api_get(&format!("{path}?limit=500"), &sso)
            .await
            .json()
            .await
            .unwrap();
        let first = open["visitors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["birth_date"] == "1985-06-07")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let out = app
            .api_post(
                &sso,
                &format!("/api/v1/visitors/{first}/sign-out"),
                json!({}),
            )
            .await;
        assert_eq!(out.status(), 200);
        let back = app
            .api_post(&sso, &path, visitor("Dana", "Reyes", "1985-06-07"))
            .await;
        assert_eq!(back.status(), 201);
    }
);

both_engines!(
    the_days_visitors_are_found_by_name_fifty_at_a_time,
    |app: TestApp| async move {
        // A busy front office: sixty sign-ins in the last hours (written as the desk would).
        let now = app.clock_now().millis();
        let mut tx = app.db.begin().await.unwrap();
        for n in 0..60i64 {
            let row = triad_store::visitors::VisitorRow {
                id: triad_domain::Id::new().to_string(),
                district_id: app.world.district.to_string(),
                campus_id: app.world.campus.to_string(),
                given_name: format!("Guest{n:02}"),
                family_name: if n == 7 {
                    "O'Neil_%".into()
                } else {
                    "Visitor".into()
                },
                birth_date: "1980-01-01".into(),
                id_type: "drivers_license".into(),
                id_last_four: "1234".into(),
                purpose: "Meeting".into(),
                host: "Office".into(),
                badge: None,
                escort: None,
                time_in: now - n * 60_000,
                time_out: Some(now - n * 60_000 + 30_000),
                incident_id: None,
                created_by: app.user("sso").to_string(),
                created_at: now,
                updated_at: now,
            };
            triad_store::visitors::insert_visitor(&mut tx, &row)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let s = app.session("sso").await;
        let path = format!("/campuses/{}/visitors", app.world.campus);
        let listed = |page: &str| page.matches("<li><a href=\"/visitors/").count();
        let first = app.get(&path, &s).await.text().await.unwrap();
        assert_eq!(listed(&first), 50);
        let next = first
            .split("id=\"next-page\"")
            .next()
            .and_then(|before| before.rsplit("href=\"").next())
            .and_then(|h| h.split('"').next())
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let second = app.get(&next, &s).await.text().await.unwrap();
        assert!(listed(&second) >= 10, "the rest of the day");
        // By name, any case, spaces around it ignored; what is typed matches itself.
        for (typed, found) in [("o%27neil_%25", 1), ("%20GUEST0%20", 10), ("nobody", 0)] {
            let page = app
                .get(&format!("{path}?q={typed}"), &s)
                .await
                .text()
                .await
                .unwrap();
            assert_eq!(listed(&page), found, "{typed}: {page}");
            assert_eq!(page.contains("No one by that name"), found == 0, "{page}");
        }
        // A link whose sign-in is gone is refused, not read as the end of the day.
        let past = app
            .get(&format!("{path}?after={}", triad_domain::Id::new()), &s)
            .await;
        assert_eq!(past.status(), 422);
        assert!(past.text().await.unwrap().contains("first page"));
    }
);

/// Every page of a campus's visitors through the API, `limit` at a time, following each
/// `Link: rel="next"`; `between` runs after the first page (rows added while a client reads).
async fn every_visitor_page(
    app: &TestApp,
    token: &str,
    limit: usize,
    between: impl std::future::Future<Output = ()>,
) -> Vec<serde_json::Value> {
    let path = format!("/api/v1/campuses/{}/visitors", app.world.campus);
    let mut next = Some(format!("{path}?limit={limit}"));
    let mut between = Some(Box::pin(between));
    let mut all = Vec::new();
    while let Some(url) = next.take() {
        let r = app.api_get(&url, token).await;
        assert_eq!(r.status(), 200, "{url}");
        next = r
            .headers()
            .get("link")
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.split('<').nth(1)?.split('>').next())
            .map(|u| u.trim_start_matches(&app.url("")).to_string());
        let body: serde_json::Value = r.json().await.unwrap();
        let items = body["visitors"].as_array().unwrap().clone();
        assert!(items.len() <= limit);
        all.extend(items);
        if let Some(b) = between.take() {
            b.await;
        }
    }
    all
}

both_engines!(
    the_visitor_list_pages_by_cursor_and_shows_each_sign_in_as_its_own_page_does,
    |app: TestApp| async move {
        let sso = app.token("sso").await;
        let campus = app.world.campus;
        let out = format!("/api/v1/visitors/{}/sign-out", app.world.visitor);
        assert_eq!(app.api_post(&sso, &out, json!({})).await.status(), 200);
        let path = format!("/api/v1/campuses/{campus}/visitors");
        // Plain sign-ins, and two that match the fixture's ban (one by nickname, one with the
        // names swapped), so the list carries matches with their bans.
        for n in 0..7 {
            let r = app
                .api_post(
                    &sso,
                    &path,
                    visitor(&format!("Guest{n}"), "Caller", "1990-01-01"),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
        for (given, family) in [("Bob", "Smith"), ("Smith", "Robert")] {
            let r: serde_json::Value = app
                .api_post(&sso, &path, visitor(given, family, "1980-04-02"))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(r["matches"].as_array().unwrap().len(), 1, "{r}");
        }
        let whole: serde_json::Value = app
            .api_get(&format!("{path}?limit=500"), &sso)
            .await
            .json()
            .await
            .unwrap();
        let whole = whole["visitors"].as_array().unwrap().clone();
        assert!(whole.len() >= 10, "the fixture's visitor and the nine");
        // Each item of the list is what that visitor's own answer says: the one-query list
        // shows the same matches, bans and times as the record read alone.
        let mut with_matches = 0;
        for item in &whole {
            let alone: serde_json::Value = app
                .api_get(
                    &format!("/api/v1/visitors/{}", item["id"].as_str().unwrap()),
                    &sso,
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(item, &alone);
            with_matches += usize::from(!item["matches"].as_array().unwrap().is_empty());
        }
        assert!(
            with_matches >= 3,
            "the fixture's match and the two new ones"
        );
        // Default page: 50 (more than there are here, so one page and no link).
        let first = app.api_get(&path, &sso).await;
        assert!(first.headers().get("link").is_none());

        // Pages of three, with a sign-in arriving after the first page: every sign-in that
        // was there is read once, in order; the newcomer (newest) is not pushed into a page.
        let paged = every_visitor_page(&app, &sso, 3, async {
            let r = app
                .api_post(&sso, &path, visitor("Late", "Arrival", "1991-02-03"))
                .await;
            assert_eq!(r.status(), 201);
        })
        .await;
        let ids = |items: &[serde_json::Value]| -> Vec<String> {
            items
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids(&paged), ids(&whole), "no sign-in skipped or repeated");

        // Bad pages: a limit of 0 or 100,000, a cursor of the other campus, a cursor of a
        // sign-in removed since, and SQL in the cursor: a clear refusal, never rows.
        for bad in [
            "limit=0",
            "limit=100000",
            "limit=-1",
            "after=1%27%20OR%201%3D1",
        ] {
            let r = app.api_get(&format!("{path}?{bad}"), &sso).await;
            assert_eq!(r.status(), 422, "{bad}");
        }
        let foreign = app
            .api_get(&format!("{path}?after={}", app.world.other_visitor), &sso)
            .await;
        assert_eq!(foreign.status(), 422);
        let said = foreign.text().await.unwrap();
        assert!(said.contains("first page"), "{said}");
        assert!(!said.contains("\"visitors\""), "no rows: {said}");
        let gone = whole.last().unwrap()["id"].as_str().unwrap().to_string();
        app.raw(&format!(
            "DELETE FROM ban_matches WHERE visitor_id = '{gone}'"
        ))
        .await
        .unwrap();
        app.raw(&format!("DELETE FROM visitors WHERE id = '{gone}'"))
            .await
            .unwrap();
        let stale = app.api_get(&format!("{path}?after={gone}"), &sso).await;
        assert_eq!(stale.status(), 422, "a stale cursor is not read as the end");
        // The page form of the same refusal.
        let s = app.session("sso").await;
        let page = app
            .get(&format!("/campuses/{campus}/visitors?after={gone}"), &s)
            .await;
        assert_eq!(page.status(), 422);
        assert!(page.text().await.unwrap().contains("first page"));
        // The other campus's principal gets nothing of this campus, whatever the cursor.
        let away = app.token("away-principal").await;
        let r = app
            .api_get(
                &format!("{path}?after={}", whole[0]["id"].as_str().unwrap()),
                &away,
            )
            .await;
        assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
    }
);

both_engines!(
    visits_never_signed_out_are_counted_to_a_thousand_on_the_home_page,
    |app: TestApp| async move {
        let w = &app.world;
        let now = app.clock_now().millis();
        // 1,005 open visits (the front desk never signed anyone out).
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005) \
             INSERT INTO visitors (id, district_id, campus_id, given_name, family_name, birth_date, \
               id_type, id_last_four, purpose, host, time_in, created_by, created_at, updated_at, open_person) \
             SELECT 'open-' || i, '{}', '{}', 'Guest', 'Number' || i, '1990-01-01', 'other', '1', 'x', 'y', \
               {now} - i * 1000, '{}', {now}, {now}, 'guest|number' || i FROM n",
            w.district,
            w.campus,
            app.user("sso")
        );
        app.raw(&sql).await.unwrap();
        let s = app.session("principal").await;
        let home = app.get("/", &s).await.text().await.unwrap();
        assert!(
            home.contains("1000 or more visitors signed in now: sign out those who have left"),
            "{home}"
        );
    }
);

both_engines!(
    a_ban_is_checked_from_the_next_sign_in_on_every_instance,
    |app: TestApp| async move {
        // Each instance keeps the district's bans of the day between sign-ins. A ban issued,
        // corrected or ended on one instance must be checked from the next sign-in on both,
        // and a ban of one campus must not hold a visitor at the other.
        let second = app.second_instance().await;
        let sibling = app.sibling_campus().await;
        let w = app.world;
        let desk = app
            .add_person(
                "front-desk-both",
                &[
                    triad_domain::auth::Grant {
                        role: triad_domain::auth::Role::Sso,
                        scope: app.home_campus(w.campus),
                    },
                    triad_domain::auth::Grant {
                        role: triad_domain::auth::Role::Sso,
                        scope: app.home_campus(sibling),
                    },
                ],
                None,
                None,
            )
            .await;
        let desk = app.token_of(desk).await;
        let principal = app.token("principal").await;
        let here = format!("/api/v1/campuses/{}/visitors", w.campus);
        let there = format!("/api/v1/campuses/{sibling}/visitors");
        // Both instances check a sign-in before the ban, and keep what they read.
        assert_eq!(erin_vance_held(&app, &desk, &app.base, &here).await, 0);
        assert_eq!(erin_vance_held(&app, &desk, &second, &here).await, 0);

        // Erin Vance is banned from this campus, on the first instance.
        let ban_id = ban_erin_vance(&app, &principal, "campus", "Threatened staff").await;

        // The next sign-in is held, on the other instance and on this one.
        assert_eq!(
            erin_vance_held(&app, &desk, &second, &here).await,
            1,
            "the second instance checks it"
        );
        assert_eq!(
            erin_vance_held(&app, &desk, &app.base, &here).await,
            1,
            "the first instance checks it"
        );
        // The ban is this campus's: at the other campus of the district she is not held.
        assert_eq!(
            erin_vance_held(&app, &desk, &second, &there).await,
            0,
            "a campus's ban holds no one at another campus"
        );

        // Made district-wide by a correction in the database, it holds her at both campuses.
        app.raw(&format!(
            "UPDATE bans SET scope = 'district' WHERE id = '{ban_id}'"
        ))
        .await
        .unwrap();
        assert_eq!(
            erin_vance_held(&app, &desk, &second, &there).await,
            1,
            "a district-wide ban"
        );

        // Ended, it holds no one from the next sign-in, on either instance.
        app.raw(&format!(
            "UPDATE bans SET starts_on = '2020-01-01', ends_on = '2020-01-02' WHERE id = '{ban_id}'"
        ))
        .await
        .unwrap();
        assert_eq!(
            erin_vance_held(&app, &desk, &app.base, &there).await,
            0,
            "an ended ban"
        );
        assert_eq!(
            erin_vance_held(&app, &desk, &second, &here).await,
            0,
            "an ended ban, on the other instance"
        );
    }
);

/// A principal bans Erin Vance (born 1979-03-03) from two days ago for thirty days, through
/// the fixture's incident, with `scope` (`campus` or `district`): the ban's id.
async fn ban_erin_vance(app: &TestApp, principal: &str, scope: &str, reason: &str) -> String {
    let today = chrono::DateTime::from_timestamp_millis(app.clock_now().millis())
        .unwrap()
        .date_naive();
    let ban = app
        .api_post(
            principal,
            &format!("/api/v1/incidents/{}/bans", app.world.incident),
            json!({
                "given_name": "Erin", "family_name": "Vance", "birth_date": "1979-03-03",
                "scope": scope,
                "starts_on": (today - chrono::Duration::days(2)).to_string(),
                "ends_on": (today + chrono::Duration::days(30)).to_string(),
                "reason": reason, "served_by": "Officer Diaz",
                "served_at": "2026-09-01T09:00"
            }),
        )
        .await;
    assert_eq!(ban.status(), 201, "{}", ban.text().await.unwrap());
    let ban: serde_json::Value = ban.json().await.unwrap();
    ban["id"].as_str().unwrap().to_string()
}

/// Deletes a ban and the matches it raised in SQL, outside Triad (as a repair might).
async fn delete_ban_in_sql(app: &TestApp, ban: &str) {
    app.raw(&format!("DELETE FROM ban_matches WHERE ban_id = '{ban}'"))
        .await
        .unwrap();
    app.raw(&format!("DELETE FROM bans WHERE id = '{ban}'"))
        .await
        .unwrap();
}

/// Erin Vance signs in at `base` (an instance) on the campus of `path` as `desk`, and out
/// again: how many bans held her.
async fn erin_vance_held(app: &TestApp, desk: &str, base: &str, path: &str) -> usize {
    let send = |path: String, body: serde_json::Value| async move {
        app.api_send_at(
            base,
            reqwest::Method::POST,
            &path,
            desk,
            &triad_domain::Id::new().to_string(),
            &body,
        )
        .await
    };
    let r = send(path.to_string(), visitor("Erin", "Vance", "1979-03-03")).await;
    assert_eq!(r.status(), 201, "at {base}{path}");
    let v: serde_json::Value = r.json().await.unwrap();
    let out = format!("/api/v1/visitors/{}/sign-out", v["id"].as_str().unwrap());
    assert_eq!(send(out, json!({})).await.status(), 200);
    v["matches"].as_array().unwrap().len()
}

both_engines!(
    a_ban_change_in_one_district_is_checked_there_and_changes_nothing_in_another,
    |app: TestApp| async move {
        // Each district's bans are kept, and brought up to date from the log of changed
        // bans: a ban issued in one district must hold from the next sign-in there and hold
        // no one in another; moved to the other district in SQL, it must leave the first and
        // hold in the second; deleted, it holds no one.
        let w = app.world;
        let there_desk = app
            .add_person(
                "front-desk-other-district",
                &[triad_domain::auth::Grant {
                    role: triad_domain::auth::Role::Sso,
                    scope: app.home_campus(w.other_campus),
                }],
                None,
                None,
            )
            .await;
        let there_desk = app.token_of(there_desk).await;
        let here_desk = app.token("sso").await;
        let here = format!("/api/v1/campuses/{}/visitors", w.campus);
        let there = format!("/api/v1/campuses/{}/visitors", w.other_campus);
        let base = app.base.clone();
        let held_here = || erin_vance_held(&app, &here_desk, &base, &here);
        let held_there = || erin_vance_held(&app, &there_desk, &base, &there);
        // Both districts' bans are read and kept.
        assert_eq!(held_here().await, 0);
        assert_eq!(held_there().await, 0);

        let principal = app.token("principal").await;
        let ban_id = ban_erin_vance(&app, &principal, "district", "Threatened staff").await;
        assert_eq!(held_here().await, 1, "the district's new ban");
        assert_eq!(held_there().await, 0, "another district's ban");
        // Asked again, each district answers the same from what it keeps.
        assert_eq!(held_here().await, 1);
        assert_eq!(held_there().await, 0);

        app.raw(&format!(
            "UPDATE bans SET district_id = '{}', campus_id = '{}' WHERE id = '{ban_id}'",
            w.other_district, w.other_campus
        ))
        .await
        .unwrap();
        assert_eq!(held_here().await, 0, "a ban moved away");
        assert_eq!(held_there().await, 1, "a ban moved in");

        delete_ban_in_sql(&app, &ban_id).await;
        assert_eq!(held_there().await, 0, "a deleted ban");
        assert_eq!(held_here().await, 0);

        // Every ban gone at once: on PostgreSQL a TRUNCATE, which names no rows, so every
        // district reads its bans anew.
        ban_erin_vance(&app, &principal, "district", "Threatened staff again").await;
        assert_eq!(held_here().await, 1, "issued again");
        let all_gone = match &app.db {
            triad_store::Db::Postgres(..) => "TRUNCATE bans CASCADE",
            triad_store::Db::Sqlite(..) => "DELETE FROM ban_matches; DELETE FROM bans",
        };
        app.raw(all_gone).await.unwrap();
        assert_eq!(held_here().await, 0, "every ban gone");
    }
);

both_engines!(
    a_ban_whose_change_was_forgotten_from_the_log_still_holds_where_its_district_was_kept,
    |app: TestApp| async move {
        // The log of changed bans is purged but for its newest versions. A district kept from
        // before a forgotten change must read its bans whole, not miss that change.
        let desk = app.token("sso").await;
        let here = format!("/api/v1/campuses/{}/visitors", app.world.campus);
        let base = app.base.clone();
        let held = || erin_vance_held(&app, &desk, &base, &here);
        assert_eq!(held().await, 0, "the district's bans are read and kept");
        let principal = app.token("principal").await;
        let erin = ban_erin_vance(&app, &principal, "district", "Threatened staff").await;
        // Later changes to the district's other bans, each a version of its own.
        for _ in 0..3 {
            app.raw(&format!(
                "UPDATE bans SET reason = reason || '.' WHERE id <> '{erin}'"
            ))
            .await
            .unwrap();
        }
        let forgotten = triad_app::upkeep::forget_old_ban_changes(&app.db, 1)
            .await
            .unwrap();
        assert!(
            forgotten >= 1,
            "Erin Vance's ban was among them: {forgotten}"
        );
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM ban_changes WHERE ban_id = '{erin}'"
            ))
            .await,
            0
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM ban_changes WHERE ban_id = '*'")
                .await,
            1,
            "one mark where the log now begins"
        );
        assert_eq!(held().await, 1, "a ban whose change was forgotten");
        // Kept again from then on, the district is brought up to date as before.
        delete_ban_in_sql(&app, &erin).await;
        assert_eq!(held().await, 0, "a ban deleted after the purge");
        // Nothing more to forget: the mark stays the only one.
        triad_app::upkeep::forget_old_ban_changes(&app.db, 10_000)
            .await
            .unwrap();
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM ban_changes WHERE ban_id = '*'")
                .await,
            1
        );
    }
);

both_engines!(
    a_person_matching_two_bans_is_shown_both_strongest_first,
    |app: TestApp| async move {
        // The fixture's ban (Robert Smith, born 1980-04-02) and a second one for the same name
        // with no birth date, a weaker match. The bans a sign-in matches are read together.
        let w = app.world;
        let second = triad_domain::Id::new();
        app.raw(&format!(
            "INSERT INTO bans (id, district_id, campus_id, scope, incident_id, given_name, \
             family_name, given_key, family_key, birth_date, description, photo_key, starts_on, \
             ends_on, reason, served_by, served_at, created_by, created_at) \
             SELECT '{second}', district_id, campus_id, scope, incident_id, given_name, \
             family_name, given_key, family_key, NULL, description, photo_key, starts_on, \
             ends_on, reason, served_by, served_at, created_by, created_at \
             FROM bans WHERE id = '{}'",
            w.ban
        ))
        .await
        .expect("the second ban");
        let sso = app.token("sso").await;
        let out = format!("/api/v1/visitors/{}/sign-out", w.visitor);
        assert_eq!(app.api_post(&sso, &out, json!({})).await.status(), 200);
        let path = format!("/api/v1/campuses/{}/visitors", w.campus);
        let answer: serde_json::Value = app
            .api_post(&sso, &path, visitor("Robert", "Smith", "1980-04-02"))
            .await
            .json()
            .await
            .unwrap();
        let bans: Vec<&str> = answer["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["ban"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(bans, [w.ban.to_string(), second.to_string()], "{answer}");
        let strengths: Vec<i64> = answer["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["strength"].as_i64().unwrap())
            .collect();
        assert!(strengths[0] > strengths[1], "{strengths:?}");
        assert_eq!(answer["matches"][1]["ban"]["birth_date"], json!(null));
        // Read alone, the sign-in shows the same matches with the same bans.
        let id = answer["id"].as_str().unwrap();
        let alone: serde_json::Value = app
            .api_get(&format!("/api/v1/visitors/{id}"), &sso)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(alone, answer);
        // And so does the day's list, which reads the matches of a page's sign-ins apart.
        let list: serde_json::Value = app.api_get(&path, &sso).await.json().await.unwrap();
        let listed = list["visitors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["id"] == answer["id"])
            .expect("the sign-in is on the day's list");
        assert_eq!(listed, &answer);
    }
);
