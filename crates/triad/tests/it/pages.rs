//! Pages: home per role, forms with CSRF and idempotency, history of corrections, headers
//! and helpful errors.

use crate::both_engines;
use crate::support::*;
use triad_web::forms::FormToken;

both_engines!(
    each_role_gets_a_home_of_its_own,
    |app: TestApp| async move {
        let cases: &[(&str, &str, &str)] = &[
            ("sro", "This week", "Home High"),
            ("principal", "School resource officer", "Test sro"),
            (
                "sergeant",
                "Officers on more than one campus",
                "Home Police",
            ),
            ("director", "Campuses without an SRO today", "Home District"),
            ("admin", "Locked accounts", "Manage users"),
            ("evaluator", "Programs you evaluate", "Home District"),
        ];
        for (user, section, detail) in cases {
            let s = app.session(user).await;
            let r = app.get("/", &s).await;
            assert_eq!(r.status(), 200, "{user}");
            let html = r.text().await.unwrap();
            assert!(html.contains(section), "{user}'s home lacks {section}");
            assert!(html.contains(detail), "{user}'s home lacks {detail}");
        }
        // The principal's home names nothing of the other district.
        let s = app.session("principal").await;
        assert!(!app
            .get("/", &s)
            .await
            .text()
            .await
            .unwrap()
            .contains("Away"));
    }
);

both_engines!(pages_carry_security_headers, |app: TestApp| async move {
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    let h = r.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
    assert!(
        h.get("strict-transport-security").is_some(),
        "HSTS behind a TLS proxy"
    );
});

both_engines!(
    a_form_without_a_valid_csrf_token_changes_nothing,
    |app: TestApp| async move {
        let s = app.session("director").await;
        let district = app.world.district.to_string();
        let path = format!("/districts/{district}/campuses");
        let fields = [("name", "Forged Campus"), ("level", "high")];
        let no_token = app
            .http
            .post(app.url(&path))
            .header("cookie", &s.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(no_token.status(), 403);
        // A token made for another session does not fit this one.
        let other = app.session("director").await;
        let foreign = FormToken::new(&other.csrf);
        assert_eq!(
            app.post_form_with(&path, &s, &fields, &foreign)
                .await
                .status(),
            403
        );
        let html = app
            .get(&format!("/districts/{district}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("Forged Campus"));
        assert_eq!(app.audit_count("security.csrf.rejected", "denied").await, 2);
    }
);

both_engines!(a_double_submit_records_once, |app: TestApp| async move {
    let s = app.session("director").await;
    let district = app.world.district.to_string();
    let path = format!("/districts/{district}/campuses");
    let token = FormToken::new(&s.csrf);
    let fields = [("name", "Twice Tapped Middle"), ("level", "middle")];
    let first = app.post_form_with(&path, &s, &fields, &token).await;
    let second = app.post_form_with(&path, &s, &fields, &token).await;
    assert_eq!(first.status(), 303);
    assert_eq!(second.status(), 303);
    assert_eq!(
        first.headers().get("location"),
        second.headers().get("location")
    );
    let html = app
        .get(&format!("/districts/{district}"), &s)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("Twice Tapped Middle").count(), 1);
    assert_eq!(app.audit_count("org.campus.create", "ok").await, 1);
});

both_engines!(
    bad_input_is_explained_and_nothing_is_saved,
    |app: TestApp| async move {
        let s = app.session("director").await;
        let district = app.world.district.to_string();
        let r = app
            .post_form(
                &format!("/districts/{district}/campuses"),
                &s,
                &[("name", "  "), ("level", "castle")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("name") && html.contains("is required"));
        assert!(html.contains("choose elementary, middle, high or other"));
        assert!(!html.to_lowercase().contains("sqlx") && !html.contains("panicked"));
        assert_eq!(app.audit_count("org.campus.create", "ok").await, 0);
        let r = app
            .post_form(
                &format!("/districts/{district}/terms"),
                &s,
                &[
                    ("name", "Fall"),
                    ("first_day", "2026-12-01"),
                    ("last_day", "2026-08-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("must not be before the first day"));
    }
);

both_engines!(
    a_corrected_campus_keeps_its_earlier_version,
    |app: TestApp| async move {
        let s = app.session("director").await;
        let campus = app.world.campus;
        let r = app
            .post_form(
                &format!("/campuses/{campus}"),
                &s,
                &[("name", "Home Senior High"), ("level", "high")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page = app
            .get(&format!("/campuses/{campus}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Home Senior High"));
        let history =
            triad_store::org::history(&mut app.db.acquire().await.unwrap(), "campus", campus)
                .await
                .unwrap();
        assert_eq!(history.len(), 1);
        assert!(history[0].data.contains("\"name\":\"Home High\""));
    }
);

both_engines!(
    a_second_campus_is_allowed_and_flagged,
    |app: TestApp| async move {
        let s = app.session("sergeant").await;
        let agency = app.world.agency;
        let officer = app.world.officer.to_string();
        let d = app.session("director").await;
        let created = app
            .post_form(
                &format!("/districts/{}/campuses", app.world.district),
                &d,
                &[("name", "Second Elementary"), ("level", "elementary")],
            )
            .await;
        let second = created
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .trim_start_matches("/campuses/")
            .to_string();
        let first = app.world.campus.to_string();
        for campus in [&first, &second] {
            let r = app
                .post_form(
                    &format!("/agencies/{agency}/assignments"),
                    &s,
                    &[
                        ("person_id", &officer),
                        ("campus_id", campus),
                        ("starts_on", "2024-08-01"),
                        ("ends_on", ""),
                    ],
                )
                .await;
            assert_eq!(r.status(), 303);
        }
        let page = app
            .get(&format!("/agencies/{agency}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("more than one campus"));
        // Another agency's campus is refused with a reason.
        let r = app
            .post_form(
                &format!("/agencies/{agency}/assignments"),
                &s,
                &[
                    ("person_id", &officer),
                    ("campus_id", &app.world.other_campus.to_string()),
                    ("starts_on", "2024-08-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("no partnership"));
    }
);

both_engines!(
    unknown_pages_and_ids_say_not_found,
    |app: TestApp| async move {
        let s = app.session("principal").await;
        let r = app.get("/campuses/not-an-id", &s).await;
        assert_eq!(r.status(), 404);
        assert!(r.text().await.unwrap().contains("Not found"));
        assert_eq!(app.get("/no/such/page", &s).await.status(), 404);
    }
);

both_engines!(
    people_are_corrected_and_assignments_ended_with_history,
    |app: TestApp| async move {
        let s = app.session("sergeant").await;
        let agency = app.world.agency;
        let r = app
            .post_form(
                &format!("/agencies/{agency}/people"),
                &s,
                &[
                    ("name", "Officer Rookie"),
                    ("sworn", "yes"),
                    ("le_experience_start", "2025-09-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page_path = r
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let page = app.get(&page_path, &s).await.text().await.unwrap();
        assert!(
            page.contains("Officer Rookie") && page.contains("three years"),
            "a new officer is flagged"
        );
        let sro_person = app.world.assignment;
        let r = app
            .post_form(
                &format!("/assignments/{sro_person}/end"),
                &s,
                &[("ends_on", "2019-01-01")],
            )
            .await;
        assert_eq!(r.status(), 422, "an assignment cannot end before it began");
        let r = app
            .post_form(
                &format!("/assignments/{sro_person}/end"),
                &s,
                &[("ends_on", "2021-06-30")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let sro = app.session("sro").await;
        assert!(app
            .get("/", &sro)
            .await
            .text()
            .await
            .unwrap()
            .contains("no campus assignment in force"));
        let history = triad_store::org::history(
            &mut app.db.acquire().await.unwrap(),
            "assignment",
            sro_person,
        )
        .await
        .unwrap();
        assert_eq!(history.len(), 1);
        assert!(history[0].data.contains("\"ends_on\":null"));
        let officer = app.world.officer;
        let r = app
            .post_form(
                &format!("/people/{officer}"),
                &s,
                &[("name", "Officer Renamed"), ("le_experience_start", "")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let page = app
            .get(&format!("/people/{officer}"), &s)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Officer Renamed") && page.contains("not sworn"));
    }
);
