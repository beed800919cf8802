//! SQLite on the process's allocator (`triad_store::sqlite_memory`): every SQLite test runs on
//! it; this one checks it is in force and that blocks keep their content as they grow.

use sqlx::{Connection, Row};

#[tokio::test]
async fn sqlite_runs_on_the_process_allocator_and_grown_values_keep_their_content() {
    // Every SQLite connection of this process opens through Triad, which hands SQLite the
    // allocator first (the one that does not calls it before).
    assert!(
        triad_store::sqlite_memory::configure(),
        "SQLite kept the C library's allocator"
    );
    let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    // A string grown 2,000 times (each a resize of the block before), read back whole.
    let row = sqlx::query(
        "WITH RECURSIVE r(n, s) AS (SELECT 1, '' UNION ALL \
         SELECT n + 1, s || printf('%05d', n) FROM r WHERE n <= 2000) \
         SELECT s FROM r WHERE n = 2001",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    let grown: String = row.get("s");
    let expected: String = (1..=2000).map(|n| format!("{n:05}")).collect();
    assert_eq!(grown, expected);
    // Many blocks of every size: a table, its index, rows read back through it.
    sqlx::query("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        .execute(&mut c)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 20000) \
         INSERT INTO t SELECT n, zeroblob(n % 300) FROM r",
    )
    .execute(&mut c)
    .await
    .unwrap();
    sqlx::query("CREATE INDEX t_by_length ON t (length(v))")
        .execute(&mut c)
        .await
        .unwrap();
    let long: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t WHERE length(v) >= 150")
        .fetch_one(&mut c)
        .await
        .unwrap();
    let expected = (1..=20000).filter(|n| n % 300 >= 150).count();
    assert_eq!(usize::try_from(long).unwrap(), expected);
    c.close().await.unwrap();
}
