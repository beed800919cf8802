//! The binary itself: accounts from the command line, backup and restore, audit verify.

use std::path::Path;
use std::process::{Command, Output};

pub fn triad(data: &Path, db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_triad"))
        .args([
            "--data-dir",
            &data.display().to_string(),
            "--database-url",
            db,
        ])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run triad");
    if let Some(input) = stdin {
        child
            .stdin
            .as_mut()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("triad output")
}

/// One number from the database of a finished run.
fn rows(db: &str, sql: &str) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = triad_store::Db::open(db).await.unwrap();
        let n = match &db {
            triad_store::Db::Sqlite(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            triad_store::Db::Postgres(p, ..) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        };
        db.close().await;
        n
    })
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn demo_backup_restore_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = format!("sqlite://{}/triad.db", data.display());
    let demo = triad(&data, &db, &["demo", "--no-serve"], None);
    assert!(demo.status.success(), "{}", text(&demo));
    let out = text(&demo);
    for login in [
        "sro",
        "principal",
        "le-supervisor",
        "district-leader",
        "admin",
    ] {
        assert!(out.contains(login), "demo sign-ins lack {login}: {out}");
    }
    // The safety side has history: a school lift with responsibility accepted, a lockdown
    // cleared after a sweep, a threat response with notices, drills, both investigations.
    for (what, sql, at_least) in [
        (
            "school lifts",
            "SELECT COUNT(*) FROM campus_events WHERE responsibility_accepted",
            1,
        ),
        (
            "swept all clears",
            "SELECT COUNT(*) FROM campus_events WHERE swept AND ended_how = 'all_clear'",
            1,
        ),
        (
            "threat responses",
            "SELECT COUNT(*) FROM campus_events WHERE threat IS NOT NULL",
            1,
        ),
        (
            "held drills",
            "SELECT COUNT(*) FROM drills WHERE held_at IS NOT NULL",
            40,
        ),
        ("investigations", "SELECT COUNT(*) FROM investigations", 2),
        (
            "survey campaigns",
            "SELECT COUNT(*) FROM survey_campaigns",
            2,
        ),
        (
            "survey responses",
            "SELECT COUNT(*) FROM survey_responses",
            200,
        ),
        ("coded themes", "SELECT COUNT(*) FROM survey_codings", 100),
        // An MOU signed last year and this year's draft, both sides' signatures on the first.
        (
            "signed MOU versions",
            "SELECT COUNT(*) FROM mou_versions WHERE signed_at IS NOT NULL",
            1,
        ),
        (
            "MOU drafts",
            "SELECT COUNT(*) FROM mou_versions WHERE signed_at IS NULL",
            1,
        ),
        ("MOU signatures", "SELECT COUNT(*) FROM mou_signatures", 2),
        // A community resource directory, some of it overdue for a check (180 days).
        ("community resources", "SELECT COUNT(*) FROM community_resources", 10),
        (
            "community resources to check",
            "SELECT COUNT(*) FROM community_resources WHERE julianday('now') - julianday(verified_on) > 181",
            3,
        ),
        // Training: every SRO of the first district took a basic course, some fell short.
        ("training records", "SELECT COUNT(*) FROM training_records", 4),
        (
            "joint trainings",
            "SELECT COUNT(*) FROM training_records WHERE joint",
            1,
        ),
        // Grants, one of them still waiting for its continuation plan.
        ("grants", "SELECT COUNT(*) FROM funding_grants", 3),
        (
            "grants without a plan",
            "SELECT COUNT(*) FROM funding_grants WHERE plan IS NULL",
            2,
        ),
    ] {
        let n = rows(&db, sql);
        assert!(n >= at_least, "the demo has {n} {what}");
    }
    // The bulk-loaded year is counted into the summaries by the database as it is written.
    let activities = rows(&db, "SELECT COUNT(*) FROM activities");
    assert!(activities > 10_000, "the demo logs a year: {activities}");
    for summary in ["activity_summary", "activity_summary_district"] {
        let counted = rows(&db, &format!("SELECT SUM(entries) FROM {summary}"));
        assert_eq!(counted, activities, "{summary} counts every entry");
    }
    // A supervisor believes it: no officer logs more than a working month (the fullest
    // month here is under 180 hours), every officer's full months have hours worth reading,
    // and no one kind of work fills most of an SRO's log.
    let fullest = rows(
        &db,
        "SELECT MAX(m) FROM (SELECT SUM(minutes) AS m FROM activities GROUP BY author_id, month) t",
    );
    assert!(
        fullest <= 180 * 60,
        "an officer logs {} hours in a month",
        fullest / 60
    );
    assert!(
        fullest >= 80 * 60,
        "the fullest month holds only {} hours",
        fullest / 60
    );
    let largest_share = rows(
        &db,
        "SELECT MAX(share) FROM (SELECT CAST(100 * SUM(minutes) / \
         (SELECT SUM(minutes) FROM activities WHERE author_role = 'sro') AS BIGINT) AS share \
         FROM activities WHERE author_role = 'sro' GROUP BY category) t",
    );
    assert!(
        largest_share <= 35,
        "one category is {largest_share}% of the SROs' time"
    );
    // A second run keeps the data.
    let again = triad(&data, &db, &["demo", "--no-serve"], None);
    assert!(text(&again).contains("keeping its data"));

    let added = triad(
        &data,
        &db,
        &[
            "--as",
            "admin",
            "user",
            "add",
            "new.officer",
            "--name",
            "New Evaluator",
            "--role",
            "evaluator",
        ],
        Some("copper lantern orchard drift\n"),
    );
    assert!(added.status.success(), "{}", text(&added));
    let weak = triad(
        &data,
        &db,
        &[
            "user",
            "add",
            "weak.one",
            "--name",
            "Weak One",
            "--role",
            "evaluator",
        ],
        Some("password1234\n"),
    );
    assert!(!weak.status.success());
    assert!(text(&weak).contains("too easy to guess"), "{}", text(&weak));
    let list = text(&triad(&data, &db, &["user", "list"], None));
    assert!(list.contains("new.officer") && !list.contains("weak.one"));
    let disabled = triad(&data, &db, &["user", "disable", "new.officer"], None);
    assert!(disabled.status.success());
    assert!(text(&triad(&data, &db, &["user", "list"], None)).contains("disabled"));

    let backup = dir.path().join("backup");
    let b = triad(&data, &db, &["backup", &backup.display().to_string()], None);
    assert!(b.status.success(), "{}", text(&b));
    assert!(backup.join("triad.db").exists() && backup.join("keys/instance-ed25519.pem").exists());

    let restored_data = dir.path().join("restored");
    let restored_db = format!("sqlite://{}/triad.db", restored_data.display());
    let r = triad(
        &restored_data,
        &restored_db,
        &["restore", &backup.display().to_string()],
        None,
    );
    assert!(r.status.success(), "{}", text(&r));
    let v = triad(&restored_data, &restored_db, &["audit", "verify"], None);
    assert!(v.status.success(), "{}", text(&v));
    assert!(text(&v).contains("intact"));
    assert!(text(&triad(
        &restored_data,
        &restored_db,
        &["user", "list"],
        None
    ))
    .contains("new.officer"));
    // Restoring over an existing database needs --force.
    let twice = triad(
        &restored_data,
        &restored_db,
        &["restore", &backup.display().to_string()],
        None,
    );
    assert!(!twice.status.success());
}

#[test]
fn serving_plain_http_away_from_loopback_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/triad.db", dir.path().display());
    let o = triad(dir.path(), &db, &["serve", "--addr", "0.0.0.0:0"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("--behind-tls-proxy"));
}

#[test]
fn verify_fails_on_a_tampered_trail() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let db = format!("sqlite://{}/triad.db", data.display());
    assert!(triad(&data, &db, &["demo", "--no-serve"], None)
        .status
        .success());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Triad's own connection first: SQLite is handed its allocator before any connection
        // of this process opens, never while another opens one.
        triad_store::Db::connect(&db).await.unwrap().close().await;
        let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET outcome = 'denied' WHERE seq = 7")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let v = triad(&data, &db, &["audit", "verify"], None);
    assert_eq!(v.status.code(), Some(2));
    assert!(text(&v).contains("BROKEN at entry 7"), "{}", text(&v));
}
