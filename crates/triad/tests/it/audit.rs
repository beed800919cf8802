//! The audit trail: written with every change, append-only in the database, verifiable, and
//! readable by the people entitled to it.

use crate::both_engines;
use crate::support::*;

both_engines!(
    the_database_refuses_to_change_the_trail,
    |app: TestApp| async move {
        let s = app.session("director").await;
        app.post_form(
            &format!("/districts/{}/campuses", app.world.district),
            &s,
            &[("name", "Audited High"), ("level", "high")],
        )
        .await;
        assert!(app
            .raw("UPDATE audit_log SET action = 'nothing.happened'")
            .await
            .is_err());
        assert!(app.raw("DELETE FROM audit_log").await.is_err());
        let ok = triad_store::audit::verify(&app.db).await.unwrap();
        assert!(ok.is_ok(), "{ok:?}");
    }
);

both_engines!(
    verify_names_the_first_altered_entry,
    |app: TestApp| async move {
        let s = app.session("director").await;
        for name in ["One", "Two", "Three"] {
            app.post_form(
                &format!("/districts/{}/campuses", app.world.district),
                &s,
                &[("name", name), ("level", "high")],
            )
            .await;
        }
        let n = triad_store::audit::verify(&app.db).await.unwrap().unwrap();
        assert!(n >= 3);
        // Someone with the database files removes the guard and edits an entry.
        let drop_guard = match app.engine {
            Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
            Engine::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        app.raw(drop_guard).await.unwrap();
        app.raw("UPDATE audit_log SET record_id = 'someone-else' WHERE seq = 2")
            .await
            .unwrap();
        let broken = triad_store::audit::verify(&app.db)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("altered"));
    }
);

both_engines!(entries_hold_hashes_not_content, |app: TestApp| async move {
    let s = app.session("director").await;
    app.post_form(
        &format!("/districts/{}/campuses", app.world.district),
        &s,
        &[
            ("name", "Secretive Name Elementary"),
            ("level", "elementary"),
        ],
    )
    .await;
    let admin = app.session("admin").await;
    let csv = app.get("/audit?format=csv", &admin).await;
    assert_eq!(
        csv.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let text = csv.text().await.unwrap();
    assert!(text.contains("org.campus.create"));
    assert!(
        !text.contains("Secretive"),
        "the trail must not carry content"
    );
    assert!(text.lines().next().unwrap().contains("content_hash"));
});

both_engines!(
    district_leaders_read_their_districts_trail_only,
    |app: TestApp| async move {
        let d = app.session("director").await;
        app.post_form(
            &format!("/districts/{}/campuses", app.world.district),
            &d,
            &[("name", "Ours"), ("level", "high")],
        )
        .await;
        let a = app.session("admin").await;
        app.post_form(
            &format!("/districts/{}/campuses", app.world.other_district),
            &a,
            &[("name", "Theirs"), ("level", "high")],
        )
        .await;
        let page = app
            .get("/audit?action=org.campus", &d)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(page.matches("org.campus.create").count(), 1);
        let all = app
            .get("/audit?action=org.campus", &a)
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(all.matches("org.campus.create").count(), 2);
        let p = app.session("principal").await;
        assert_eq!(app.get("/audit", &p).await.status(), 404);
        let bad = app.get("/audit?outcome=maybe", &a).await;
        assert_eq!(bad.status(), 422);
    }
);

#[test]
fn both_engines_have_the_same_migrations() {
    use triad_store::{Db, Engine};
    let sqlite = Db::migration_names(Engine::Sqlite);
    let postgres = Db::migration_names(Engine::Postgres);
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}
