//! Accounts and settings on pages: the system administrator finds people, gives and ends any
//! role and changes the instance's settings; a district leader finds the people of their own
//! district and gives or ends its school roles, and nothing beyond.

use crate::both_engines;
use crate::support::*;

both_engines!(
    a_district_leader_gives_and_ends_the_school_roles_of_their_district_only,
    |app: TestApp| async move {
        let w = app.world;
        let director = app.session("director").await;
        // The list: only people holding a role in the district, found by name and role.
        let list = app
            .get("/admin/users", &director)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            list.contains("victim") && !list.contains("away-principal"),
            "{list}"
        );
        assert!(
            !list.contains("New account"),
            "a district leader creates no account"
        );
        let found = app
            .get("/admin/users?q=VICT&role=staff", &director)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            found.contains("victim") && !found.contains(">principal<"),
            "{found}"
        );
        let none = app
            .get("/admin/users?q=100%25_sure", &director)
            .await
            .text()
            .await
            .unwrap();
        assert!(none.contains("No account matches"), "{none}");
        let past = app
            .get(
                &format!("/admin/users?after={}", triad_domain::Id::new()),
                &director,
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(past.contains("nothing past the end"), "{past}");
        assert_eq!(
            app.get("/admin/users?role=king", &director).await.status(),
            422
        );
        // Another district's principal is not found; one of the own district is.
        let away = format!("/admin/users/{}", app.user("away-principal"));
        assert_eq!(app.get(&away, &director).await.status(), 404);
        let victim = format!("/admin/users/{}", app.user("victim"));
        assert_eq!(app.get(&victim, &director).await.status(), 200);
        // A school role on a campus of the district: given, on the audit trail.
        let campus_scope = format!("campus:{}", w.campus);
        let give = |role: &'static str, scope: String, who: String| {
            let (app, director) = (&app, &director);
            async move {
                app.post_form(
                    &format!("{who}/grants"),
                    director,
                    &[("role", role), ("scope", &scope)],
                )
                .await
                .status()
                .as_u16()
            }
        };
        assert_eq!(give("sso", campus_scope.clone(), victim.clone()).await, 303);
        assert_eq!(app.audit_count("account.grant", "ok").await, 1);
        let page = app.get(&victim, &director).await.text().await.unwrap();
        assert!(
            page.contains("School safety officer") || page.contains("SSO"),
            "{page}"
        );
        // Beyond their district, a law-enforcement role, or their own roles: refused, audited.
        let refused = [
            give("sso", format!("campus:{}", w.other_campus), victim.clone()).await,
            give("sro", format!("agency:{}", w.agency), victim.clone()).await,
            give(
                "campus_admin",
                campus_scope.clone(),
                format!("/admin/users/{}", app.user("director")),
            )
            .await,
            give("sso", campus_scope.clone(), away.clone()).await,
        ];
        assert_eq!(refused, [403, 403, 403, 404], "{refused:?}");
        assert_eq!(app.audit_count("account.grant", "denied").await, 3);
        assert_eq!(app.audit_count("account.grant", "ok").await, 1);
        // Ended, once; ending it again says it is not held, and changes nothing.
        let end = |scope: String| {
            let (app, director, victim) = (&app, &director, victim.clone());
            async move {
                app.post_form(
                    &format!("{victim}/grants/end"),
                    director,
                    &[("role", "sso"), ("scope", &scope)],
                )
                .await
                .status()
                .as_u16()
            }
        };
        assert_eq!(end(campus_scope.clone()).await, 303);
        assert_eq!(end(campus_scope.clone()).await, 409);
        assert_eq!(app.audit_count("account.grant.end", "ok").await, 1);
        // The settings are the administrator's.
        let settings = app
            .get("/admin/settings", &director)
            .await
            .status()
            .as_u16();
        assert!([403, 404].contains(&settings), "{settings}");
    }
);

both_engines!(
    the_administrator_changes_settings_on_a_page_checked_and_audited,
    |app: TestApp| async move {
        let admin = app.session("admin").await;
        let page = app
            .get("/admin/settings", &admin)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("activity.undo_minutes") && page.contains("default 10"),
            "{page}"
        );
        let set = |key: &'static str, value: &'static str| {
            let (app, admin) = (&app, &admin);
            async move {
                app.post_form("/admin/settings", admin, &[("key", key), ("value", value)])
                    .await
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(set("activity.undo_minutes", "99999").await, 422);
        assert_eq!(set("activity.undo_minutes", "five").await, 422);
        assert_eq!(
            set("accounts.password_change_ends_tokens", "maybe").await,
            422
        );
        assert_eq!(set("no.such.setting", "1").await, 422);
        assert_eq!(
            app.audit_count("setting.set", "ok").await,
            0,
            "nothing changed"
        );
        assert_eq!(set("activity.undo_minutes", " 5 ").await, 303);
        assert_eq!(app.audit_count("setting.set", "ok").await, 1);
        let stored = triad_store::settings::get(
            &mut app.db.acquire().await.unwrap(),
            "activity.undo_minutes",
        )
        .await
        .unwrap();
        assert_eq!(stored.as_deref(), Some("5"));
        let page = app
            .get("/admin/settings", &admin)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("value=\"5\""), "{page}");
    }
);

both_engines!(
    a_new_account_is_made_on_its_own_page_and_opens_on_its_roles,
    |app: TestApp| async move {
        let admin = app.session("admin").await;
        // The list of people no longer carries every place of the instance.
        let list = app.get("/admin/users", &admin).await.text().await.unwrap();
        assert!(list.contains("href=\"/admin/users/new\""), "{list}");
        assert!(!list.contains("id=\"scope\""));
        let form = app
            .get("/admin/users/new", &admin)
            .await
            .text()
            .await
            .unwrap();
        let campus = format!("campus:{}", app.world.campus);
        assert!(form.contains(&campus) && form.contains("Create account"));
        let r = app
            .post_form(
                "/admin/users",
                &admin,
                &[
                    ("username", "new-sso"),
                    ("display_name", "New Safety Officer"),
                    ("password", "a long first password"),
                    ("role", "sso"),
                    ("scope", &campus),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            to.starts_with("/admin/users/") && to != "/admin/users/new",
            "{to}"
        );
        let page = app.get(&to, &admin).await.text().await.unwrap();
        assert!(page.contains("New Safety Officer"), "{page}");
        // A district leader manages roles, not accounts: the form is not theirs.
        let director = app.session("director").await;
        let r = app.get("/admin/users/new", &director).await;
        assert!(r.status() == 403 || r.status() == 404, "{}", r.status());
    }
);

both_engines!(
    a_users_page_kept_between_views_is_the_viewers_own_and_current,
    |app: TestApp| async move {
        // Pages of the list are kept while nothing is written. Each viewer must still get the
        // list of what they may see, every change must show at the next view, and a lock must
        // stop showing when it ends, though ending it writes nothing.
        let admin = app.session("admin").await;
        let director = app.session("director").await;
        let other_leader = app.other_district_leader().await;
        let page = |session| {
            let app = &app;
            async move {
                let r = app.get("/admin/users", session).await;
                assert_eq!(r.status(), 200);
                r.text().await.unwrap()
            }
        };
        let everyone = page(&admin).await;
        assert!(
            everyone.contains("victim") && everyone.contains("away-principal"),
            "{everyone}"
        );
        let own = page(&director).await;
        assert!(
            own.contains("victim") && !own.contains("away-principal"),
            "a district leader gets their district's people, not the administrator's page: {own}"
        );
        let theirs = page(&other_leader).await;
        assert!(
            !theirs.contains("victim"),
            "the other district's leader gets none of this district's people: {theirs}"
        );
        // Someone given a role in the district shows at the next view of both lists.
        let w = app.world;
        app.add_person(
            "newcomer-staff",
            &[triad_domain::auth::Grant {
                role: triad_domain::auth::Role::Staff,
                scope: app.home_campus(w.campus),
            }],
            None,
            None,
        )
        .await;
        assert!(page(&director).await.contains("newcomer-staff"));
        assert!(page(&admin).await.contains("newcomer-staff"));
        assert!(!page(&other_leader).await.contains("newcomer-staff"));
        // A lock shows while it is in force, and not after it ends (15 minutes), though the
        // page was read within the minute and nothing was written since.
        for _ in 0..5 {
            app.sign_in("staff", "wrong wrong wrong", "10.0.0.7").await;
        }
        app.clock.advance_seconds(14 * 60 + 30);
        assert!(page(&admin).await.contains("locked until"));
        app.clock.advance_seconds(45);
        let ended = page(&admin).await;
        assert!(!ended.contains("locked until"), "{ended}");
    }
);
