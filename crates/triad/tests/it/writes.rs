//! Group commit, on both engines: writes that arrive together share a commit, each is kept
//! or refused on its own, and none is reported saved unless its batch's commit succeeded.

use crate::both_engines;
use crate::support::TestApp;
use std::time::Duration;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Timestamp};
use triad_store::Db;

/// One audited write: a campus named `name`, holding the writer for `hold` before it commits
/// (so that others queue behind it), or dropped without committing when `fail` is set.
async fn write_campus(db: Db, district: Id, name: String, hold: Duration, fail: bool) -> bool {
    let mut tx = db.begin().await.expect("begin");
    let campus = Id::new();
    let at = Timestamp::from_millis(0);
    triad_store::org::insert_campus(&mut tx, campus, district, &name, "high", at)
        .await
        .expect("insert");
    let event = AuditEvent::new(None, "test.grouped_write", Outcome::Ok).record("campus", campus);
    triad_store::audit::append(&mut tx, event, at)
        .await
        .expect("audit");
    tokio::time::sleep(hold).await;
    if fail {
        return false;
    }
    tx.commit().await.is_ok()
}

async fn campus_names(app: &TestApp) -> Vec<String> {
    let mut conn = app.db.acquire().await.expect("acquire");
    triad_store::org::campuses_of(&mut conn, app.world.district)
        .await
        .expect("campuses")
        .into_iter()
        .map(|c| c.name)
        .collect()
}

both_engines!(
    writes_that_arrive_together_share_commits_and_each_is_kept_or_dropped_alone,
    |app: TestApp| async move {
        let batches_before = app.db.write_batches();
        // A write that is abandoned half-way (its request went away) while others queue.
        let abandoned = tokio::spawn(write_campus(
            app.db.clone(),
            app.world.district,
            "Abandoned campus".into(),
            Duration::from_secs(30),
            false,
        ));
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut writes = Vec::new();
        for i in 0..30 {
            writes.push(tokio::spawn(write_campus(
                app.db.clone(),
                app.world.district,
                format!("Grouped campus {i}"),
                Duration::from_millis(1),
                i % 5 == 0,
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        abandoned.abort();
        let mut committed = 0;
        for (i, w) in writes.into_iter().enumerate() {
            let saved = w.await.expect("write task");
            assert_eq!(saved, i % 5 != 0, "write {i}");
            committed += usize::from(saved);
        }
        let names = campus_names(&app).await;
        for i in 0..30 {
            let name = format!("Grouped campus {i}");
            assert_eq!(names.contains(&name), i % 5 != 0, "{name} in {names:?}");
        }
        assert!(!names.contains(&"Abandoned campus".to_string()));
        // The batches carried the audit chain's tip: the entries of writes undone went with
        // them, and the kept ones chain on without a gap.
        let audited = app.audit_count("test.grouped_write", "ok").await;
        assert_eq!(audited, 24);
        let chain = triad_store::audit::verify(&app.db).await.expect("verify");
        assert!(chain.is_ok(), "the chain verifies: {chain:?}");
        let batches = app.db.write_batches() - batches_before;
        assert_eq!(committed, 24);
        assert!(
            batches < 12,
            "{committed} writes queued together should share commits, took {batches} batches"
        );
    }
);

both_engines!(
    a_batch_whose_commit_fails_saves_nothing_and_tells_every_member,
    |app: TestApp| async move {
        // A deferred constraint is checked at the commit, so one member can fail the batch.
        app.raw("CREATE TABLE gc_parent (id TEXT PRIMARY KEY)")
            .await
            .unwrap();
        app.raw(
            "CREATE TABLE gc_child (id TEXT PRIMARY KEY, parent TEXT \
             REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .await
        .unwrap();
        // A wide window, so that however slow this machine is the second write joins.
        app.db.set_write_window(Duration::from_secs(30));
        let mut first = app.db.begin().await.unwrap();
        triad_store::org::insert_campus(
            &mut first,
            Id::new(),
            app.world.district,
            "Campus of a failed batch",
            "high",
            Timestamp::from_millis(0),
        )
        .await
        .unwrap();
        let event = AuditEvent::new(None, "test.failed_batch", Outcome::Ok);
        triad_store::audit::append(&mut first, event, Timestamp::from_millis(0))
            .await
            .unwrap();
        let db = app.db.clone();
        let second = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            triad_store::execute!(
                &mut tx,
                "INSERT INTO gc_child (id, parent) VALUES ($1, $2)",
                "child".to_string(),
                "no such parent".to_string()
            )
            .unwrap();
            tx.commit().await
        });
        // The second write is queued: the first hands the batch on to it.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let first = first.commit().await;
        let second = second.await.unwrap();
        assert!(first.is_err(), "the first write was not saved: {first:?}");
        assert!(
            second.is_err(),
            "the second write was not saved: {second:?}"
        );
        let names = campus_names(&app).await;
        assert!(!names.contains(&"Campus of a failed batch".to_string()));
        assert_eq!(app.count("gc_child").await, 0);
        // The writer recovers: the next write is saved.
        assert!(
            write_campus(
                app.db.clone(),
                app.world.district,
                "Campus after the failure".into(),
                Duration::ZERO,
                false
            )
            .await
        );
        assert!(campus_names(&app)
            .await
            .contains(&"Campus after the failure".to_string()));
        // The failed batch's audit entry went with it, and the chain goes on from before it.
        assert_eq!(app.audit_count("test.failed_batch", "ok").await, 0);
        let chain = triad_store::audit::verify(&app.db).await.unwrap();
        assert!(chain.is_ok(), "the chain verifies: {chain:?}");
    }
);
