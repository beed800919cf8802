//! A role counts only where it is held: people who hold one role on the home campus and
//! another on a second campus of the same district (or at another agency) try to use the
//! other role here — lockdown moves, contact pairs, evidence custody and transfers, the
//! provenance of what they write, and what they log as. Each attempt is refused (or recorded
//! as the role held here), nothing else changes, and refusals are on the audit trail.

use crate::both_engines;
use crate::support::*;
use reqwest::Method;
use serde_json::{json, Value};
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::Id;

/// The people of these tests, on the home campus and a sibling campus of its district.
struct Mixed {
    sibling: Id,
    /// The SSO of the home campus who is the administrator of the sibling campus.
    sso_admin_elsewhere: Id,
    /// The administrator of the home campus who is a sworn SRO of the other agency, assigned
    /// to the other district's campus.
    principal_sro_away: Id,
    /// The SSO of the home campus who is a sworn SRO of the home agency assigned to the
    /// sibling campus.
    sso_sro_sibling: Id,
    /// The district's leader who is also the SSO of the sibling campus.
    leader_sso_sibling: Id,
}

async fn mixed(app: &TestApp) -> Mixed {
    let sibling = app.sibling_campus().await;
    let w = app.world;
    let grant = |role, scope| Grant { role, scope };
    let sso_admin_elsewhere = app
        .add_person(
            "sso-admin-elsewhere",
            &[
                grant(Role::Sso, app.home_campus(w.campus)),
                grant(Role::CampusAdmin, app.home_campus(sibling)),
            ],
            None,
            None,
        )
        .await;
    let principal_sro_away = app
        .add_person(
            "principal-sro-away",
            &[
                grant(Role::CampusAdmin, app.home_campus(w.campus)),
                grant(
                    Role::Sro,
                    Scope::Agency {
                        agency: w.other_agency,
                    },
                ),
            ],
            Some(w.other_agency),
            Some((w.other_agency, w.other_district, w.other_campus)),
        )
        .await;
    let sso_sro_sibling = app
        .add_person(
            "sso-sro-sibling",
            &[
                grant(Role::Sso, app.home_campus(w.campus)),
                grant(Role::Sro, Scope::Agency { agency: w.agency }),
            ],
            Some(w.agency),
            Some((w.agency, w.district, sibling)),
        )
        .await;
    let leader_sso_sibling = app
        .add_person(
            "leader-sso-sibling",
            &[
                grant(
                    Role::DistrictLeader,
                    Scope::District {
                        district: w.district,
                    },
                ),
                grant(Role::Sso, app.home_campus(sibling)),
            ],
            None,
            None,
        )
        .await;
    Mixed {
        sibling,
        sso_admin_elsewhere,
        principal_sro_away,
        sso_sro_sibling,
        leader_sso_sibling,
    }
}

async fn campus_move(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    let path = format!("/api/v1/campuses/{}/status", app.world.campus);
    app.api_post(token, &path, body).await
}

async fn status_now(app: &TestApp) -> Value {
    let token = app.token("principal").await;
    let path = format!("/api/v1/campuses/{}/status", app.world.campus);
    app.api_get(&path, &token).await.json().await.unwrap()
}

both_engines!(
    lockdown_authority_comes_only_from_roles_held_on_the_campus,
    |app: TestApp| async move {
        let m = mixed(&app).await;
        let principal = app.token("principal").await;
        let locked = campus_move(
            &app,
            &principal,
            json!({"action": "lockdown", "version": "0"}),
        )
        .await;
        assert_eq!(locked.status(), 200);
        let version = status_now(&app).await["version"]
            .as_i64()
            .unwrap()
            .to_string();
        let denials = app.audit_count("operations.", "denied").await;
        // The SSO here who administers another school cannot lift this one for the school.
        let sso = app.token_of(m.sso_admin_elsewhere).await;
        let lift =
            json!({"action": "school_lift", "version": version, "accept_responsibility": true});
        let r = campus_move(&app, &sso, lift).await;
        assert_eq!(r.status(), 409);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("only a campus administrator"));
        // The administrator here who is a sworn officer of another agency is no officer here.
        let admin = app.token_of(m.principal_sro_away).await;
        for action in ["sweep", "all_clear"] {
            let r = campus_move(
                &app,
                &admin,
                json!({"action": action, "version": version, "areas": "All halls"}),
            )
            .await;
            assert_eq!(r.status(), 409, "{action}");
        }
        // Nor is the SSO here who is the SRO of the sibling campus.
        let sso_sro = app.token_of(m.sso_sro_sibling).await;
        let r = campus_move(
            &app,
            &sso_sro,
            json!({"action": "sweep", "version": version, "areas": "All halls"}),
        )
        .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("sworn officer"));
        // Nothing moved, and every refusal is on the trail.
        let now = status_now(&app).await;
        assert_eq!(now["status"], "lockdown");
        assert_eq!(now["version"].as_i64().unwrap().to_string(), version);
        assert_eq!(app.audit_count("operations.", "denied").await, denials + 4);
        // On the sibling campus, where that person is the SRO, the same moves are theirs.
        let sibling = format!("/api/v1/campuses/{}/status", m.sibling);
        let r = app
            .api_post(
                &sso_sro,
                &sibling,
                json!({"action": "lockdown", "version": "0"}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let v = r.json::<Value>().await.unwrap()["version"]
            .as_i64()
            .unwrap()
            .to_string();
        let r = app
            .api_post(
                &sso_sro,
                &sibling,
                json!({"action": "sweep", "version": v, "areas": "All halls"}),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
);

both_engines!(
    a_contact_pair_counts_each_by_the_roles_held_on_the_campus,
    |app: TestApp| async move {
        let m = mixed(&app).await;
        let sibling_admin = app
            .add_person(
                "sibling-principal",
                &[Grant {
                    role: Role::CampusAdmin,
                    scope: app.home_campus(m.sibling),
                }],
                None,
                None,
            )
            .await;
        let _ = sibling_admin;
        let sso = app.token("sso").await;
        let threat = json!({"action": "threat", "version": "0", "threat": "Adult with a bat near the east fence"});
        let s: Value = campus_move(&app, &sso, threat).await.json().await.unwrap();
        let steps = format!(
            "/api/v1/campus-events/{}/steps",
            s["open"]["id"].as_str().unwrap()
        );
        // Two SSOs of this campus are no pair, whatever one of them is elsewhere.
        let mixed_sso = app.token_of(m.sso_admin_elsewhere).await;
        let r = app
            .api_post(
                &mixed_sso,
                &steps,
                json!({"step": "contact_in_pairs", "partner": "sso"}),
            )
            .await;
        assert_eq!(r.status(), 422);
        // An administrator of another campus is no partner here.
        let r = app
            .api_post(
                &sso,
                &steps,
                json!({"step": "contact_in_pairs", "partner": "sibling-principal"}),
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("serves this campus"));
        // This campus's administrator is.
        let r = app
            .api_post(
                &sso,
                &steps,
                json!({"step": "contact_in_pairs", "partner": "principal"}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
);

both_engines!(
    custody_and_provenance_follow_the_roles_held_for_the_record,
    |app: TestApp| async move {
        let m = mixed(&app).await;
        let w = app.world;
        // The administrator here who is an SRO elsewhere reports as the school.
        let admin = app.token_of(m.principal_sro_away).await;
        let r = app
            .api_post(
                &admin,
                &format!("/api/v1/campuses/{}/incidents", w.campus),
                json!({
                    "kind": "suspicious_person", "classification": "school_conduct",
                    "occurred_at": "2026-09-02T08:40", "location": "Gym", "reported_by": "",
                    "narrative": "A fight in the gym.", "people": []
                }),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        let made: Value = r.json().await.unwrap();
        assert_eq!(made["provenance"], "school", "{made}");
        // And takes evidence in for the school, not as law enforcement.
        let session = app.session_of(m.principal_sro_away).await;
        let photo = vec![("phone.jpg", crate::evidence::jpeg_with_gps())];
        let r = crate::evidence::intake(&app, &session, photo).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let id = r.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/evidence/")
            .to_string();
        let item: Value = app
            .api_get(&format!("/api/v1/evidence/{id}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(item["item"]["status"], "collected", "{item}");
        // The district leader who is the SSO of another campus takes no custody here.
        let leader = app.session_of(m.leader_sso_sibling).await;
        let denials = app.audit_count("access.", "denied").await;
        let photo = vec![("lighter.jpg", crate::evidence::jpeg_with_gps())];
        let r = crate::evidence::intake(&app, &leader, photo).await;
        assert_eq!(r.status(), 403);
        assert!(app.audit_count("access.", "denied").await > denials);
        // Evidence is never handed to someone who cannot hold it here: an administrator of the
        // other district reads exactly like a name nobody has, and the item stays unoffered.
        let holder = app.token_of(m.principal_sro_away).await;
        let mut answers = Vec::new();
        for receiver in ["away-principal", "nobody-by-this-name"] {
            let r = app
                .api_post(
                    &holder,
                    &format!("/api/v1/evidence/{id}/transfer"),
                    json!({"receiver": receiver, "reason": "Hand over"}),
                )
                .await;
            assert_eq!(r.status(), 422, "{receiver}");
            answers.push(r.text().await.unwrap());
        }
        assert_eq!(answers[0], answers[1]);
        let item: Value = app
            .api_get(&format!("/api/v1/evidence/{id}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert!(item["item"]["pending_receiver"].is_null(), "{item}");
    }
);

both_engines!(
    an_officer_logs_as_the_role_held_on_each_campus,
    |app: TestApp| async move {
        let m = mixed(&app).await;
        let token = app.token_of(m.sso_sro_sibling).await;
        let log = |key: &'static str, campus: Id, category: &'static str| {
            let (app, token) = (&app, token.clone());
            async move {
                let body = json!({"campus_id": campus.to_string(), "category": category, "minutes": "30", "case_ref": "26-1"});
                app.api_send(Method::POST, "/api/v1/activities", &token, key, &body)
                    .await
            }
        };
        // An arrest is an SRO's to log: on the sibling campus, where this person is the SRO.
        assert_eq!(log("s1", m.sibling, "arrest").await.status(), 201);
        // On the home campus they are the SSO: an escort is theirs to log, an arrest is not.
        let r = log("s2", app.world.campus, "arrest").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("does not log"));
        // (An SRO does not log escorts: accepted here, it was logged as the SSO.)
        let r = log("s3", app.world.campus, "escort").await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
);

both_engines!(
    a_picker_offers_exactly_the_people_a_field_accepts,
    |app: TestApp| async move {
        let sibling = app.sibling_campus().await;
        let w = app.world;
        let sibling_admin = app
            .add_person(
                "sibling-only-admin",
                &[Grant {
                    role: Role::CampusAdmin,
                    scope: app.home_campus(sibling),
                }],
                None,
                None,
            )
            .await;
        let principal = app.token("principal").await;
        let path = format!("/api/v1/campuses/{}/people", w.campus);
        let r = app.api_get(&path, &principal).await;
        assert_eq!(r.status(), 200);
        let offered: Vec<Value> = r.json().await.unwrap();
        let names: Vec<&str> = offered
            .iter()
            .map(|p| p["username"].as_str().unwrap())
            .collect();
        for here in ["sro", "principal", "sso", "director"] {
            assert!(names.contains(&here), "{here} in {names:?}");
        }
        for elsewhere in ["away-principal", "sibling-only-admin"] {
            assert!(!names.contains(&elsewhere), "{elsewhere} in {names:?}");
        }
        for p in &offered {
            assert!(!p["name"].as_str().unwrap().is_empty());
        }

        // The list is kept between requests, and a role given or an account disabled shows
        // at the next one: the sibling's administrator given this campus is offered, the
        // disabled SSO is not.
        let admin = app.token("admin").await;
        let given = app
            .api_post(
                &admin,
                &format!("/api/v1/users/{sibling_admin}/grants"),
                json!({"role": "campus_admin", "scope": format!("campus:{}", w.campus)}),
            )
            .await;
        assert!(given.status().is_success(), "{}", given.status());
        app.raw(&format!(
            "UPDATE users SET disabled = TRUE WHERE id = '{}'",
            app.user("sso")
        ))
        .await
        .unwrap();
        let now_offered: Vec<Value> = app.api_get(&path, &principal).await.json().await.unwrap();
        let now_names: Vec<&str> = now_offered
            .iter()
            .map(|p| p["username"].as_str().unwrap())
            .collect();
        assert!(now_names.contains(&"sibling-only-admin"), "{now_names:?}");
        assert!(!now_names.contains(&"sso"), "{now_names:?}");
        assert!(!now_names.contains(&"away-principal"), "{now_names:?}");
        let names: Vec<&str> = names.into_iter().filter(|n| *n != "sso").collect();

        // Whoever is offered, an action item of the campus accepts as its owner; someone
        // not offered is refused the same way a name nobody has is.
        let item = |owner: String, key: String| {
            let (app, principal) = (&app, principal.clone());
            async move {
                app.api_send(
                    Method::POST,
                    &format!("/api/v1/meetings/{}/items", w.meeting),
                    &principal,
                    &key,
                    &json!({"title": "Walk the east doors", "owner": owner}),
                )
                .await
                .status()
                .as_u16()
            }
        };
        for (n, name) in names.iter().enumerate() {
            assert_eq!(
                item(name.to_string(), format!("pick-{n}")).await,
                201,
                "{name}"
            );
        }
        let refused = item("away-principal".into(), "pick-x".into()).await;
        assert_eq!(
            refused,
            item("nobody-by-this-name".into(), "pick-y".into()).await
        );
        assert_eq!(refused, 422);
        assert_eq!(item("sso".into(), "pick-z".into()).await, 422, "disabled");

        // Typing narrows the list, in any case; wildcards are taken as text.
        let narrowed: Vec<Value> = app
            .api_get(&format!("{path}?q=PRINC"), &principal)
            .await
            .json()
            .await
            .unwrap();
        assert!(narrowed.iter().all(|p| {
            let text = format!("{} {}", p["name"], p["username"]).to_lowercase();
            text.contains("princ")
        }));
        assert!(!narrowed.is_empty());
        let wildcard: Vec<Value> = app
            .api_get(&format!("{path}?q=%25"), &principal)
            .await
            .json()
            .await
            .unwrap();
        assert!(wildcard.is_empty(), "{wildcard:?}");

        // Someone of another district may not ask; a kind of record that is not one is named.
        let away = app.token("away-principal").await;
        assert_eq!(app.api_get(&path, &away).await.status(), 404);
        assert_eq!(
            app.api_get(&format!("{path}?records=evidence"), &principal)
                .await
                .status(),
            422
        );
    }
);

// A picker reads the people it may offer together (a few queries for all of them); each must
// come out exactly as the field that accepts them reads one person: the same grants,
// assignments in force, sworn flag and partnerships.
both_engines!(
    people_read_together_are_read_as_one_by_one,
    |app: TestApp| async move {
        let mut conn = app.db.acquire().await.unwrap();
        let today = app.clock_now().to_datetime().date_naive().to_string();
        let mut users = Vec::new();
        for id in app.users.values() {
            let user = triad_store::auth::user_by_id(&mut conn, *id)
                .await
                .unwrap()
                .unwrap();
            users.push(user);
        }
        assert!(users.len() > 8, "the world's people: {}", users.len());
        let together = triad_store::auth::load_actors(&mut conn, &users, &today)
            .await
            .unwrap();
        assert_eq!(together.len(), users.len());
        let sorted = |mut a: triad_domain::auth::Actor| {
            a.partnerships
                .sort_by_key(|p| (p.agency.to_string(), p.district.to_string()));
            format!("{a:?}")
        };
        let mut with_roles = 0;
        for (user, actor) in users.iter().zip(together) {
            let alone = triad_store::auth::load_actor(&mut conn, user, &today)
                .await
                .unwrap();
            with_roles += usize::from(!alone.grants.is_empty());
            assert_eq!(sorted(actor), sorted(alone), "{}", user.username);
        }
        assert!(with_roles > 8, "people holding roles were compared");
        assert!(triad_store::auth::load_actors(&mut conn, &[], &today)
            .await
            .unwrap()
            .is_empty());
    }
);
