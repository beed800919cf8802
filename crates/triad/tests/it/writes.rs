//! Group commit, on both engines: writes that arrive together share a commit, each is kept
//! or refused on its own, and none is reported saved unless its batch's commit succeeded.

use crate::both_engines;
use crate::support::{Engine, TestApp, PATIENCE};
use std::time::Duration;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Timestamp};
use triad_store::statement::{Statement, Value};
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
        // Once the second write is queued, the first hands the batch on to it.
        let deadline = std::time::Instant::now() + PATIENCE;
        while app.db.writes_waiting() == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the second write never queued"
            );
            tokio::task::yield_now().await;
        }
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

both_engines!(
    a_write_dropped_while_its_release_is_in_flight_is_kept_whole_and_others_go_on,
    |app: TestApp| async move {
        let pause = app.db.hooks().pause_at(triad_store::hooks::RELEASE_SENT);
        // A request's write: it records its idempotency key (test points pass others by).
        let key = triad_store::idempotency::PendingKey::new(
            "test",
            "dropped-release",
            "hash",
            Timestamp::from_millis(0),
        );
        let dropped = tokio::spawn(triad_store::idempotency::with_key(
            key,
            write_campus(
                app.db.clone(),
                app.world.district,
                "Released campus".into(),
                Duration::ZERO,
                false,
            ),
        ));
        // The database has released the write's savepoint; the writer has not noted it yet.
        pause.reached().await;
        let next = tokio::spawn(write_campus(
            app.db.clone(),
            app.world.district,
            "Campus written next".into(),
            Duration::ZERO,
            false,
        ));
        // The request goes away there (a timeout, a client hanging up).
        dropped.abort();
        assert!(dropped.await.unwrap_err().is_cancelled());
        pause.go();
        assert!(next.await.unwrap(), "the next write is saved");
        let names = campus_names(&app).await;
        assert!(names.contains(&"Campus written next".to_string()));
        // The dropped write was released, so it is kept, with its audit entry.
        assert!(names.contains(&"Released campus".to_string()), "{names:?}");
        assert_eq!(app.audit_count("test.grouped_write", "ok").await, 2);
        let chain = triad_store::audit::verify(&app.db).await.unwrap();
        assert!(chain.is_ok(), "the chain verifies: {chain:?}");
    }
);

/// A patrol logged through the API with `key`.
async fn log_patrol(app: &TestApp, token: &str, key: &str) -> reqwest::Response {
    let body = serde_json::json!({"campus_id": app.world.campus.to_string(), "category": "patrol", "minutes": "25"});
    app.api_send(
        reqwest::Method::POST,
        "/api/v1/activities",
        token,
        key,
        &body,
    )
    .await
}

both_engines!(
    a_batch_that_fails_is_answered_not_saved_and_the_same_key_then_writes_once,
    |app: TestApp| async move {
        let token = app.token("sro").await;
        let before = app.count("activities").await;
        // The token's first use is written down (a write of its own) before the point is set.
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
        app.db.hooks().fail_at(triad_store::hooks::BEFORE_COMMIT);
        let failed = log_patrol(&app, &token, "batch-fails").await;
        assert_eq!(failed.status(), 503);
        assert!(failed.headers().contains_key("retry-after"));
        let body: serde_json::Value = failed.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("not saved"),
            "{body}"
        );
        assert_eq!(app.count("activities").await, before);
        // The key was not kept: the same request runs again, and once.
        let retried = log_patrol(&app, &token, "batch-fails").await;
        assert_eq!(retried.status(), 201);
        let again = log_patrol(&app, &token, "batch-fails").await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(app.count("activities").await, before + 1);
    }
);

both_engines!(
    a_request_that_fails_after_its_commit_is_answered_recorded_and_never_writes_twice,
    |app: TestApp| async move {
        let token = app.token("sro").await;
        let before = app.count("activities").await;
        app.db.hooks().fail_at(triad_store::hooks::AFTER_COMMIT);
        let first = log_patrol(&app, &token, "fails-after-commit").await;
        assert_eq!(
            first.status(),
            200,
            "told it was recorded, not that it failed"
        );
        let first: serde_json::Value = first.json().await.unwrap();
        let id = first["id"].as_str().unwrap().to_string();
        assert_eq!(app.count("activities").await, before + 1);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM activities WHERE id = '{id}'"
            ))
            .await,
            1,
            "the answer names the record written"
        );
        for _ in 0..2 {
            let retry = log_patrol(&app, &token, "fails-after-commit").await;
            assert_eq!(retry.status(), 200);
            assert_eq!(retry.headers()["idempotent-replayed"], "true");
            let retry: serde_json::Value = retry.json().await.unwrap();
            assert_eq!(retry["id"], first["id"]);
        }
        assert_eq!(app.count("activities").await, before + 1);
    }
);

both_engines!(
    a_key_whose_answer_was_lost_says_its_write_was_recorded_and_names_the_record,
    |app: TestApp| async move {
        let token = app.token("sro").await;
        let made = log_patrol(&app, &token, "answer-lost").await;
        assert_eq!(made.status(), 201);
        let made: serde_json::Value = made.json().await.unwrap();
        // Wait for the answer to be stored, then take it away again: what a server stopped
        // between the commit and storing the answer leaves.
        let stored = "SELECT COUNT(*) FROM idempotency_keys WHERE key = 'answer-lost' AND status IS NOT NULL";
        let deadline = std::time::Instant::now() + PATIENCE;
        while app.scalar(stored).await == 0 {
            assert!(std::time::Instant::now() < deadline, "the answer is stored");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        app.raw("UPDATE idempotency_keys SET status = NULL, location = NULL, body = NULL WHERE key = 'answer-lost'")
            .await
            .unwrap();
        let before = app.count("activities").await;
        // Another instance (or this one after a restart) is not answering it.
        let other = app.second_instance().await;
        let body = serde_json::json!({"campus_id": app.world.campus.to_string(), "category": "patrol", "minutes": "25"});
        let retry = app
            .api_send_at(
                &other,
                reqwest::Method::POST,
                "/api/v1/activities",
                &token,
                "answer-lost",
                &body,
            )
            .await;
        assert_eq!(retry.status(), 200);
        assert_eq!(retry.headers()["idempotent-replayed"], "true");
        let retry: serde_json::Value = retry.json().await.unwrap();
        assert_eq!(retry["id"], made["id"], "the retry learns the record's id");
        assert_eq!(app.count("activities").await, before);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_steady_writes_finishes_and_holds_a_consistent_prefix() {
    let app = TestApp::start(crate::support::Engine::Sqlite).await;
    // Enough rows that copying them takes a while, with writes landing all along.
    for i in 0..2000 {
        assert!(
            write_campus(
                app.db.clone(),
                app.world.district,
                format!("Seed campus {i}"),
                Duration::ZERO,
                false
            )
            .await
        );
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (db, district, done) = (app.db.clone(), app.world.district, done.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                assert!(
                    write_campus(
                        db.clone(),
                        district,
                        format!("Writer {w} campus {n}"),
                        Duration::ZERO,
                        false
                    )
                    .await
                );
                n += 1;
            }
            n
        }));
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    // Only a backup that never finishes reaches this ceiling.
    let backup = tokio::time::timeout(
        Duration::from_secs(300),
        triad_store::sqlite_backup::backup_to(&app.db, &copy),
    )
    .await
    .expect("the backup finishes while writes go on");
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    backup.unwrap();
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    assert!(written > 0, "writes went on during the backup");
    let restored = Db::open(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    let chain = triad_store::audit::verify(&restored).await.unwrap();
    assert!(chain.is_ok(), "the copy's chain verifies: {chain:?}");
    // A prefix of the writes, each whole: every campus in the copy has its audit entry.
    let count = |sql: &'static str| {
        let restored = restored.clone();
        async move {
            let Db::Sqlite(pool, ..) = &restored else {
                unreachable!()
            };
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    let campuses = count(
        "SELECT COUNT(*) FROM campuses WHERE name LIKE 'Seed campus %' OR name LIKE 'Writer %'",
    )
    .await;
    let entries = count("SELECT COUNT(*) FROM audit_log WHERE action = 'test.grouped_write'").await;
    assert_eq!(campuses, entries);
    assert!(campuses >= 2000);
    assert!(campuses <= 2000 + written as i64);
    restored.close().await;
}

/// A write held at its commit past the time a request waits: answered `202`, then the same
/// key tells how it ended; nothing is written twice.
async fn a_slow_commit_is_answered_accepted(engine: crate::support::Engine) {
    let config = triad_web::WebConfig {
        write_answer_within: Duration::from_millis(300),
        ..Default::default()
    };
    let app = TestApp::start_with(engine, config).await;
    let token = app.token("sro").await;
    let before = app.count("activities").await;
    // The token's first use is written down (a write of its own) before the point is set.
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
    let pause = app.db.hooks().pause_at(triad_store::hooks::BEFORE_COMMIT);
    let first = log_patrol(&app, &token, "slow-commit").await;
    pause.reached().await;
    assert_eq!(first.status(), 202, "not 'not saved' while it is saving");
    assert!(first.headers().contains_key("retry-after"));
    let again = log_patrol(&app, &token, "slow-commit").await;
    assert_eq!(again.status(), 202, "still being recorded");
    pause.go();
    let deadline = std::time::Instant::now() + PATIENCE;
    let ended = loop {
        let r = log_patrol(&app, &token, "slow-commit").await;
        if r.status() != 202 {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "the write ends");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(ended.status(), 201);
    assert_eq!(ended.headers()["idempotent-replayed"], "true");
    assert_eq!(app.count("activities").await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_commit_is_answered_accepted_sqlite() {
    a_slow_commit_is_answered_accepted(crate::support::Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_commit_is_answered_accepted_postgres() {
    a_slow_commit_is_answered_accepted(crate::support::Engine::Postgres).await;
}

both_engines!(
    reads_during_steady_writes_never_fail_and_write_down_their_use_through_the_writer,
    |app: TestApp| async move {
        let token = app.token("director").await;
        assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (db, district, done) = (app.db.clone(), app.world.district, done.clone());
            writers.push(tokio::spawn(async move {
                let mut n = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    let name = format!("Steady {w} campus {n}");
                    assert!(write_campus(db.clone(), district, name, Duration::ZERO, false).await);
                    n += 1;
                }
                n
            }));
        }
        // Past the minute, so the next use is written down, while the writes go on.
        app.clock.advance_minutes(2);
        let reads = (0..32).map(|_| app.api_get("/api/v1/me", &token));
        let statuses: Vec<u16> = futures_util::future::join_all(reads)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut written = 0;
        for w in writers {
            written += w.await.unwrap();
        }
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert!(written > 0);
        let now = app.clock_now().millis();
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM api_tokens WHERE last_used_at >= {}",
                now - 60_000
            ))
            .await,
            1,
            "the token's use is written down"
        );
        // A write beside the writer is refused on SQLite, where it would wait for the lock.
        if let Db::Sqlite(pool, ..) = &app.db {
            let beside = sqlx::query("UPDATE campuses SET name = name")
                .execute(pool)
                .await;
            assert!(beside.is_err(), "pooled connections only read");
        }
    }
);

/// SQLite's reading connections are lent without sqlx's round trip on return: a read its
/// request abandoned half-way must leave the connection fit for the next request, a request
/// waits while all are lent, and a lent connection still refuses to write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_connections_survive_an_abandoned_read_and_are_lent_one_at_a_time() {
    use futures_util::StreamExt;
    let app = TestApp::start(crate::support::Engine::Sqlite).await;
    let count = "SELECT COUNT(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) SELECT i FROM n)";
    for _ in 0..20 {
        let mut reader = app.db.acquire().await.unwrap();
        let triad_store::Conn::Sqlite(c) = triad_store::Conn::from(&mut reader) else {
            panic!("a SQLite database lends SQLite connections");
        };
        // 50,000 rows asked for, one taken, the rest abandoned with the request.
        let mut rows = sqlx::query_scalar::<_, i64>(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) SELECT i FROM n",
        )
        .fetch(&mut *c);
        assert_eq!(rows.next().await.unwrap().unwrap(), 1);
        drop(rows);
        drop(reader);
        // The first free slot is lent next: the same connection answers in full.
        let mut next = app.db.acquire().await.unwrap();
        let n: i64 = triad_store::fetch_scalar!(&mut next, i64, count).unwrap();
        assert_eq!(n, 50_000);
        let write = triad_store::execute!(&mut next, "UPDATE campuses SET name = name");
        assert!(write.is_err(), "a reading connection refuses to write");
    }
    // Every connection lent: the next request waits until one is given back.
    let mut lent = Vec::new();
    for _ in 0..8 {
        lent.push(app.db.acquire().await.unwrap());
    }
    let db = app.db.clone();
    let mut waiting = tokio::spawn(async move {
        let mut conn = db.acquire().await.unwrap();
        triad_store::fetch_scalar!(&mut conn, i64, "SELECT 7").unwrap()
    });
    let early = tokio::time::timeout(Duration::from_millis(300), &mut waiting).await;
    assert!(early.is_err(), "no connection is lent twice");
    lent.pop();
    assert_eq!(waiting.await.unwrap(), 7);
    drop(lent);
    let mut again = app.db.acquire().await.unwrap();
    assert_eq!(
        triad_store::fetch_scalar!(&mut again, i64, count).unwrap(),
        50_000
    );
}

/// An audited write of a setting through statements deferred to its release.
async fn set_deferred(db: Db, action: &'static str, statements: Vec<Statement>) -> bool {
    let mut tx = db.begin().await.expect("begin");
    let event = AuditEvent::new(None, action, Outcome::Ok);
    triad_store::audit::append(&mut tx, event, Timestamp::from_millis(0))
        .await
        .expect("audit");
    for statement in statements {
        tx.defer(statement);
    }
    tx.commit().await.is_ok()
}

/// A setting's value as stored (the keys are the tests' own).
async fn setting(app: &TestApp, key: &str) -> String {
    app.scalar_text(&format!("SELECT value FROM settings WHERE key = '{key}'"))
        .await
}

fn insert_setting(key: &str, value: &str) -> Statement {
    Statement::new(
        "INSERT INTO settings (key, value) VALUES ($1, $2)",
        vec![key.into(), value.into()],
    )
}

both_engines!(
    a_deferred_statement_that_breaks_a_unique_key_names_its_table,
    |app: TestApp| async move {
        // A keyed write's commit is refused as "already being recorded" only when the key's
        // own table refused it: a sign-in's second open visit breaks a key of its own table.
        app.raw("INSERT INTO settings (key, value) VALUES ('unique.taken', 'first')")
            .await
            .expect("the first");
        let mut tx = app.db.begin().await.expect("begin");
        let event = AuditEvent::new(None, "test.unique.table", Outcome::Ok);
        triad_store::audit::append(&mut tx, event, Timestamp::from_millis(0))
            .await
            .expect("audit");
        tx.defer(insert_setting("unique.taken", "again"));
        let refused = tx.commit().await.expect_err("the key is taken");
        assert!(refused.breaks_unique_key_of("settings"), "{refused}");
        assert!(!refused.breaks_unique_key_of("setting"), "{refused}");
        assert!(
            !refused.breaks_unique_key_of("idempotency_keys"),
            "{refused}"
        );
        assert!(!triad_store::StoreError::NotFound.breaks_unique_key_of("settings"));
    }
);

both_engines!(
    values_sent_with_a_release_and_its_commit_arrive_exactly_as_given,
    |app: TestApp| async move {
        // On PostgreSQL they travel written into the statement's text (one round trip):
        // nothing in a value may end its literal, change its type or be read as a placeholder.
        let awkward = [
            "O'Brien",
            "'); DELETE FROM settings; --",
            "back\\slash \\' and \"double\"",
            "$1 $2 $$ dollar $tag$",
            "line\nbreak\r\ttab",
            "Zoë 🚸 – 学校",
            "",
        ];
        let mut statements = Vec::new();
        for (i, text) in awkward.iter().enumerate() {
            statements.push(insert_setting(&format!("exact.text.{i}"), text));
        }
        let long = "é'".repeat(20_000);
        statements.push(insert_setting("exact.long", &long));
        for (key, n) in [
            ("exact.min", i64::MIN),
            ("exact.max", i64::MAX),
            ("exact.neg", -1),
        ] {
            statements.push(insert_setting(key, "unset"));
            statements.push(Statement::new(
                "UPDATE settings SET value = CAST($2 AS TEXT) WHERE key = $1",
                vec![key.into(), n.into()],
            ));
        }
        statements.push(insert_setting("exact.null", "unset"));
        statements.push(Statement::new(
            "UPDATE settings SET value = COALESCE($2, 'was null') WHERE key = $1 AND $3 IS NULL",
            vec!["exact.null".into(), Value::Text(None), Value::Integer(None)],
        ));
        let mut tx = app.db.begin().await.expect("begin");
        let mut event = AuditEvent::new(None, "test.exact.quoted'", Outcome::Ok);
        event.source = Some("$1'; --".into());
        triad_store::audit::append(&mut tx, event, Timestamp::from_millis(0))
            .await
            .expect("audit");
        for statement in statements {
            tx.defer(statement);
        }
        tx.commit().await.expect("kept");

        for (i, text) in awkward.iter().enumerate() {
            assert_eq!(setting(&app, &format!("exact.text.{i}")).await, *text);
        }
        assert_eq!(setting(&app, "exact.long").await, long);
        assert_eq!(setting(&app, "exact.min").await, i64::MIN.to_string());
        assert_eq!(setting(&app, "exact.max").await, i64::MAX.to_string());
        assert_eq!(setting(&app, "exact.neg").await, "-1");
        assert_eq!(setting(&app, "exact.null").await, "was null");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'exact.%'")
                .await,
            12
        );
        assert_eq!(
            app.scalar_text("SELECT source FROM audit_log WHERE action = 'test.exact.quoted'''")
                .await,
            "$1'; --"
        );
        // The entry's hash, made from the values before they were sent, matches them as stored.
        let verified = triad_store::audit::verify(&app.db).await.expect("verify");
        assert!(verified.is_ok(), "{verified:?}");
    }
);

both_engines!(
    deferred_statements_run_in_order_and_one_that_fails_undoes_only_its_own_write,
    |app: TestApp| async move {
        // In order, with the release: the update sees the row inserted before it.
        let update = Statement::new(
            "UPDATE settings SET value = $2 WHERE key = $1",
            vec!["deferred.order".into(), "second".into()],
        );
        let kept = set_deferred(
            app.db.clone(),
            "test.deferred.order",
            vec![insert_setting("deferred.order", "first"), update],
        )
        .await;
        assert!(kept);
        assert_eq!(
            app.scalar_text("SELECT value FROM settings WHERE key = 'deferred.order'")
                .await,
            "second"
        );

        // Three writes in one batch: the first holds the writer until the other two queue.
        let batches = app.db.write_batches();
        let mut holding = app.db.begin().await.expect("begin");
        let event = AuditEvent::new(None, "test.deferred.kept", Outcome::Ok);
        triad_store::audit::append(&mut holding, event, Timestamp::from_millis(0))
            .await
            .expect("audit");
        holding.defer(insert_setting("deferred.first", "1"));
        // The second's last statement fails (its key is taken): its first statement and its
        // audit entry go with it, and nothing of the others.
        let failing = tokio::spawn(set_deferred(
            app.db.clone(),
            "test.deferred.undone",
            vec![
                insert_setting("deferred.second", "2"),
                insert_setting("deferred.first", "again"),
            ],
        ));
        let deadline = std::time::Instant::now() + PATIENCE;
        while app.db.writes_waiting() < 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "the second write queues"
            );
            tokio::task::yield_now().await;
        }
        let third = tokio::spawn(set_deferred(
            app.db.clone(),
            "test.deferred.kept",
            vec![insert_setting("deferred.third", "3")],
        ));
        while app.db.writes_waiting() < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "the third write queues"
            );
            tokio::task::yield_now().await;
        }
        assert!(holding.commit().await.is_ok());
        assert!(
            !failing.await.expect("joined"),
            "the failing write is refused"
        );
        assert!(third.await.expect("joined"), "the third write is kept");
        assert_eq!(
            app.db.write_batches(),
            batches + 1,
            "the three shared a batch"
        );
        let keys = app
            .scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'deferred.%'")
            .await;
        assert_eq!(keys, 3, "order, first and third; nothing of the second");
        assert_eq!(
            app.scalar_text("SELECT value FROM settings WHERE key = 'deferred.first'")
                .await,
            "1"
        );
        let entries =
            |action: &str| format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'");
        assert_eq!(app.scalar(&entries("test.deferred.kept")).await, 2);
        assert_eq!(app.scalar(&entries("test.deferred.undone")).await, 0);
        // The chain is whole after the undone member.
        let verified = triad_store::audit::verify(&app.db).await.expect("verify");
        assert!(verified.is_ok(), "{verified:?}");
    }
);

both_engines!(
    pages_of_lists_are_read_on_connections_that_keep_their_plans,
    |app: TestApp| async move {
        // On PostgreSQL a list's page is planned once per connection; any other read is
        // planned for its values (a kept plan read the whole audit trail for a rare outcome).
        let mode = |pooled: triad_store::Pooled| async move {
            match pooled {
                triad_store::Pooled::Postgres(mut c) => {
                    sqlx::query_scalar::<_, String>("SHOW plan_cache_mode")
                        .fetch_one(&mut *c)
                        .await
                        .expect("show")
                }
                triad_store::Pooled::Sqlite(mut c) => {
                    sqlx::query_scalar::<_, String>("SELECT 'sqlite'")
                        .fetch_one(&mut *c)
                        .await
                        .expect("read")
                }
            }
        };
        let list = mode(app.db.acquire_for_list().await.expect("list")).await;
        let other = mode(app.db.acquire().await.expect("read")).await;
        match app.db.engine() {
            triad_store::Engine::Postgres => {
                assert_eq!(list, "force_generic_plan");
                assert_eq!(other, "auto");
            }
            triad_store::Engine::Sqlite => {
                assert_eq!((list.as_str(), other.as_str()), ("sqlite", "sqlite"))
            }
        }
    }
);

/// An audited write of the setting `key` that has taken the writer and not committed yet:
/// prepared writes queue behind it.
async fn holding_the_writer(db: &Db, action: &'static str, key: &str) -> triad_store::Tx {
    let mut holding = db.begin().await.expect("begin");
    let event = AuditEvent::new(None, action, Outcome::Ok);
    triad_store::audit::append(&mut holding, event, Timestamp::from_millis(0))
        .await
        .expect("audit");
    holding.defer(insert_setting(key, "0"));
    holding
}

/// The writes queued behind a held writer went into its batch on PostgreSQL, which sends them
/// in one round trip: no other batch was opened after it. SQLite sends eight at a time, and
/// between two of those round trips a member that has waited 50 ms for its batch's outcome
/// commits what is released (a writer handed the batch may have gone away): on a busy machine
/// the rest then open another batch, or more. (Counted from after the held write joined: it
/// joins a batch a background write of the server left open for it, if there is one.)
fn assert_shared_batches(app: &TestApp, before: u64) {
    let batches = app.db.write_batches() - before;
    match app.db.engine() {
        triad_store::Engine::Postgres => assert_eq!(batches, 0, "all shared the held batch"),
        triad_store::Engine::Sqlite => assert!(
            batches <= 4,
            "eight at a time, in at most one more batch each: {batches}"
        ),
    }
}

/// Spawns a write and waits until it is queued behind the held writer. Spawned tasks start
/// in any order, and the tests below need their writes queued in the order they were made.
async fn queued<T: Send + 'static>(
    app: &TestApp,
    write: impl std::future::Future<Output = T> + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    // The first write queued also puts the task that sends them in line.
    let waiting = app.db.writes_waiting();
    let queued = if waiting == 0 { 2 } else { waiting + 1 };
    let handle = tokio::spawn(write);
    let deadline = std::time::Instant::now() + PATIENCE;
    while app.db.writes_waiting() < queued {
        assert!(std::time::Instant::now() < deadline, "the write queues");
        tokio::task::yield_now().await;
    }
    handle
}

/// An audited write of settings prepared whole before it is sent.
async fn set_prepared(
    db: Db,
    action: &'static str,
    statements: Vec<Statement>,
) -> triad_store::StoreResult<()> {
    let mut write = db.prepare();
    let event = AuditEvent::new(None, action, Outcome::Ok);
    triad_store::audit::append(&mut write, event, Timestamp::from_millis(0)).await?;
    for statement in statements {
        write.push(statement);
    }
    write.commit().await
}

both_engines!(
    prepared_writes_queued_together_share_a_batch_and_one_at_fault_fails_alone,
    |app: TestApp| async move {
        use triad_store::idempotency::{with_key, PendingKey, KEY_TAKEN};
        app.raw("INSERT INTO settings (key, value) VALUES ('prepared.taken', 'first')")
            .await
            .expect("the first");
        // A wide window, so that however slow this machine is the queued writes join.
        app.db.set_write_window(Duration::from_secs(30));
        let sent_again = app.db.writes_sent_again_alone();
        // A write holds the writer while the prepared ones queue behind it.
        let holding = holding_the_writer(&app.db, "test.prepared.kept", "prepared.holding").await;
        let batches = app.db.write_batches();
        let prepared = |action, statements| set_prepared(app.db.clone(), action, statements);
        let mut kept = Vec::new();
        for i in 0..5 {
            let setting = insert_setting(&format!("prepared.{i}"), "kept");
            kept.push(queued(&app, prepared("test.prepared.kept", vec![setting])).await);
        }
        // Its first statement is fine, its second breaks a unique key: neither is kept.
        let at_fault = queued(
            &app,
            prepared(
                "test.prepared.undone",
                vec![
                    insert_setting("prepared.before_fault", "undone"),
                    insert_setting("prepared.taken", "again"),
                ],
            ),
        )
        .await;
        // The same request twice at once (one idempotency key): one is kept.
        let mut same_request = Vec::new();
        for i in 0..2 {
            let key = PendingKey::new("test", "prepared-twice", "hash", Timestamp::from_millis(0));
            let setting = insert_setting(&format!("prepared.twice.{i}"), "once");
            let write = with_key(key, prepared("test.prepared.twice", vec![setting]));
            same_request.push(queued(&app, write).await);
        }
        // A request that goes away once its write is queued: the write is sent all the same.
        let gone = queued(
            &app,
            prepared(
                "test.prepared.kept",
                vec![insert_setting("prepared.gone", "kept")],
            ),
        )
        .await;
        gone.abort();
        holding.commit().await.expect("the holding write is kept");
        for write in kept {
            write.await.expect("joined").expect("kept");
        }
        let refused = at_fault.await.expect("joined").expect_err("refused");
        assert!(refused.breaks_unique_key_of("settings"), "{refused}");
        let mut twice = Vec::new();
        for write in same_request {
            twice.push(write.await.expect("joined"));
        }
        assert_eq!(twice.iter().filter(|r| r.is_ok()).count(), 1, "{twice:?}");
        assert!(
            twice
                .iter()
                .any(|r| matches!(r, Err(triad_store::StoreError::Conflict(m)) if m == KEY_TAKEN)),
            "the second is told the request is already recorded: {twice:?}"
        );
        assert_shared_batches(&app, batches);
        // SQLite sends at most eight together; the ninth went alone.
        let together = match app.db.engine() {
            triad_store::Engine::Sqlite => 8,
            triad_store::Engine::Postgres => 9,
        };
        assert_eq!(
            app.db.writes_sent_again_alone(),
            sent_again + together,
            "those sent together with the one at fault went again one by one"
        );

        let mut settings = Vec::new();
        for key in ["holding", "0", "1", "2", "3", "4", "gone", "before_fault"] {
            let kept = app
                .scalar(&format!(
                    "SELECT COUNT(*) FROM settings WHERE key = 'prepared.{key}'"
                ))
                .await;
            settings.push((key, kept));
        }
        assert_eq!(
            settings,
            [
                ("holding", 1),
                ("0", 1),
                ("1", 1),
                ("2", 1),
                ("3", 1),
                ("4", 1),
                ("gone", 1),
                ("before_fault", 0)
            ]
        );
        assert_eq!(setting(&app, "prepared.taken").await, "first");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'prepared.twice.%'")
                .await,
            1
        );
        assert_eq!(app.audit_count("test.prepared.kept", "ok").await, 7);
        assert_eq!(app.audit_count("test.prepared.undone", "ok").await, 0);
        assert_eq!(app.audit_count("test.prepared.twice", "ok").await, 1);
        let chain = triad_store::audit::verify(&app.db).await.expect("verify");
        assert!(chain.is_ok(), "the chain verifies: {chain:?}");
    }
);

both_engines!(
    alike_prepared_writes_sent_together_keep_each_its_own_rows,
    |app: TestApp| async move {
        // On PostgreSQL, alike writes sent together insert their rows with one statement a
        // table (`statement::merged`): each write's values must still land in its own rows,
        // and a write of other statements queued among them must run in its place.
        app.db.set_write_window(Duration::from_secs(30));
        let sent_again = app.db.writes_sent_again_alone();
        let holding = holding_the_writer(&app.db, "test.alike.kept", "alike.holding").await;
        let batches = app.db.write_batches();
        // Quotes, a backslash and a placeholder's look, which must stay text.
        let value = |i: usize, side: &str| format!("it's {side} \\ $1 ({i})");
        let mut writes = Vec::new();
        for i in 0..32 {
            let statements = if i == 8 {
                // It changes a row of a write queued before it, so it must run after that.
                vec![Statement::new(
                    "UPDATE settings SET value = $1 WHERE key = $2",
                    vec!["changed".into(), "alike.3.a".into()],
                )]
            } else {
                vec![
                    insert_setting(&format!("alike.{i}.a"), &value(i, "a")),
                    insert_setting(&format!("alike.{i}.b"), &value(i, "b")),
                ]
            };
            let write = set_prepared(app.db.clone(), "test.alike.kept", statements);
            writes.push(queued(&app, write).await);
        }
        holding.commit().await.expect("the holding write is kept");
        for write in writes {
            write.await.expect("joined").expect("kept");
        }
        assert_shared_batches(&app, batches);
        assert_eq!(
            app.db.writes_sent_again_alone(),
            sent_again,
            "their shared round trip succeeded the first time"
        );
        for i in (0..32).filter(|i| *i != 8) {
            for side in ["a", "b"] {
                let expected = if (i, side) == (3, "a") {
                    "changed".to_string()
                } else {
                    value(i, side)
                };
                assert_eq!(setting(&app, &format!("alike.{i}.{side}")).await, expected);
            }
        }
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM settings WHERE key LIKE 'alike.%'")
                .await,
            63
        );
        assert_eq!(app.audit_count("test.alike.kept", "ok").await, 33);
        let chain = triad_store::audit::verify(&app.db).await.expect("verify");
        assert!(chain.is_ok(), "the chain verifies: {chain:?}");
    }
);

/// What keys were recorded as, for the lookups below: a write answered, one recorded whose
/// answer is not stored yet, and another actor's key of the same name.
const RECORDED_KEYS: &str = "INSERT INTO idempotency_keys \
     (actor_key, key, request_hash, created_at, status, location, body, record_type, record_id) \
     VALUES ('alice', 'k-done', 'h', 0, 201, '/incidents/1', NULL, NULL, NULL), \
            ('alice', 'k-recorded', 'h', 0, NULL, NULL, NULL, 'incident', 'i-2'), \
            ('bob', 'k-done', 'h', 0, 303, '/visitors', NULL, NULL, NULL)";

/// Keys asked together are looked up in one statement, and each request is told exactly what
/// a lookup of its own would tell it, even where another actor holds a key of the same name.
async fn keys_asked_together_are_looked_up_in_one_statement(app: TestApp) {
    use triad_store::idempotency::{lookup, Claim};
    app.raw(RECORDED_KEYS).await.expect("keys");
    let lookups = triad_store::key_lookups::SharedLookups::new(app.db.clone());
    let mut asked: Vec<(String, String, String)> = [
        ("alice", "k-done", "h"),
        ("alice", "k-recorded", "h"),
        ("bob", "k-done", "h"),
        // The same key for another request.
        ("bob", "k-done", "another request"),
        // The same request twice at once.
        ("alice", "k-done", "h"),
        // Alice's key, asked by Bob: not his.
        ("bob", "k-recorded", "h"),
    ]
    .iter()
    .map(|(a, k, h)| (a.to_string(), k.to_string(), h.to_string()))
    .collect();
    asked.extend((0..26).map(|i| ("carol".into(), format!("fresh-{i}"), "h".into())));
    // On a runtime of one thread, all 32 ask before the statement is sent.
    let answers =
        futures_util::future::join_all(asked.iter().map(|(a, k, h)| lookups.lookup(a, k, h))).await;
    assert_eq!(lookups.sent(), 1);
    let answers: Vec<Claim> = answers.into_iter().map(|a| a.expect("looked up")).collect();
    for ((actor, key, hash), answer) in asked.iter().zip(&answers) {
        let alone = lookup(&app.db, actor, key, hash).await.expect("alone");
        assert_eq!(answer, &alone, "{actor} {key} {hash}");
    }
    let done = |status, location: &str| Claim::Done {
        status,
        location: Some(location.to_string()),
        body: None,
    };
    assert_eq!(answers[0], done(201, "/incidents/1"));
    assert_eq!(
        answers[1],
        Claim::Recorded {
            record_type: Some("incident".into()),
            record_id: Some("i-2".into())
        }
    );
    assert_eq!(answers[2], done(303, "/visitors"));
    assert_eq!(answers[3], Claim::Mismatch);
    assert_eq!(answers[4], answers[0]);
    assert_eq!(answers[5], Claim::Fresh);
    assert!(answers[6..].iter().all(|a| *a == Claim::Fresh));
}

#[tokio::test]
async fn keys_asked_together_are_looked_up_in_one_statement_sqlite() {
    keys_asked_together_are_looked_up_in_one_statement(TestApp::start(Engine::Sqlite).await).await;
}

#[tokio::test]
async fn keys_asked_together_are_looked_up_in_one_statement_postgres() {
    keys_asked_together_are_looked_up_in_one_statement(TestApp::start(Engine::Postgres).await)
        .await;
}

both_engines!(
    a_shared_lookup_finds_every_key_recorded_before_it_was_asked,
    |app: TestApp| async move {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::Arc;
        use triad_store::idempotency::Claim;
        // Others look up without pause, so a statement is nearly always on its way when a key
        // commits: one sent before the key was asked must never answer it.
        let lookups = triad_store::key_lookups::SharedLookups::new(app.db.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let asked = Arc::new(AtomicU64::new(0));
        let others: Vec<_> = (0..8)
            .map(|i| {
                let (lookups, stop, asked) = (lookups.clone(), stop.clone(), asked.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let key = format!("other-{i}");
                        let claim = lookups.lookup("carol", &key, "h").await.expect("other");
                        assert_eq!(claim, Claim::Fresh);
                        asked.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for n in 0..100 {
            app.raw(&format!(
                "INSERT INTO idempotency_keys (actor_key, key, request_hash, created_at, status) \
                 VALUES ('alice', 'k-{n}', 'h', 0, 201)"
            ))
            .await
            .expect("recorded");
            let claim = lookups
                .lookup("alice", &format!("k-{n}"), "h")
                .await
                .expect("looked up");
            assert!(
                matches!(claim, Claim::Done { status: 201, .. }),
                "key {n}, recorded before it was asked, found as {claim:?}"
            );
            asked.fetch_add(1, Ordering::SeqCst);
        }
        stop.store(true, Ordering::SeqCst);
        for other in others {
            other.await.expect("an other failed");
        }
        // The lookups shared statements: fewer were sent than were asked.
        let asked = asked.load(Ordering::SeqCst);
        assert!(
            lookups.sent() < asked,
            "{} sent for {asked}",
            lookups.sent()
        );
    }
);
