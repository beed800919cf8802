//! The first benchmark: what a signed-in page and an audited write cost over real HTTP, and
//! the database's own best rate for the same rows on the same database (batched as Triad's
//! shared commits batch them).
//!
//! Run: `cargo build --release -p triad && cargo run --release -p triad --example bench`
//! Needs `wrk` (Debian package `wrk`). Prints requests per second, p50/p99 latency, the HTTP
//! write's share of the batched baseline (goal 0.6 or more), and the server's peak memory.

use std::path::Path;

use std::time::Instant;
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::Db;

/// The server's allocator, so the direct baseline's SQLite allocates as the server's does.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The demo's password (`triad demo` prints it).
const DEMO_PASSWORD: &str = "triad-demo-lantern-orchard";

const CONNECTIONS: &str = "16";
/// The activity log's target load: 32 clients at once.
const ACTIVITY_CONNECTIONS: &str = "32";
const DIRECT_INSERTS: usize = 4096;
/// Rows to a commit in the direct baseline: as many as Triad's shared commit takes at most.
const BATCH: usize = 64;

mod common;
// The load helpers every benchmark shares; this one needs only some of them.
#[allow(dead_code)]
mod load;
use common::{triad_binary, Result};
use load::{
    bench_session, bench_token, peak_memory_kib, post_script, resident_memory_kib, scalar, serve,
    writable, wrk_with, Load, Measured, SECONDS,
};

fn wrk(measured: Measured, url: &str, extra: &[&str]) -> Result<Load> {
    wrk_with(measured, CONNECTIONS, url, extra)
}

/// Runs `$body` (once per item of `$items`, with `$item` bound) with `$conn` bound to a plain
/// sqlx transaction, `BATCH` items to a commit: the database's own best rate for the same
/// rows, batched as Triad's shared commits batch them (no request, no audit, no idempotency).
macro_rules! raw_batches {
    ($db:expr, $items:expr, |$conn:ident, $item:ident| $body:expr) => {
        for chunk in $items.chunks(BATCH) {
            match $db {
                Db::Sqlite(pool, ..) => {
                    let mut writable = writable(pool).await?;
                    let mut tx =
                        sqlx::Connection::begin_with(&mut writable, "BEGIN IMMEDIATE").await?;
                    for $item in chunk {
                        let $conn = triad_store::Conn::Sqlite(&mut tx);
                        $body.await?;
                    }
                    tx.commit().await?;
                    sqlx::Connection::close(writable).await?;
                }
                Db::Postgres(pool, ..) => {
                    let mut tx = pool.begin().await?;
                    for $item in chunk {
                        let $conn = triad_store::Conn::Postgres(&mut tx);
                        $body.await?;
                    }
                    tx.commit().await?;
                }
            }
        }
    };
}

async fn direct_inserts(db: &Db, district: Id) -> Result<f64> {
    let names: Vec<String> = (0..DIRECT_INSERTS)
        .map(|i| format!("Direct campus {i}"))
        .collect();
    let started = Instant::now();
    raw_batches!(db, names, |conn, name| triad_store::org::insert_campus(
        conn,
        Id::new(),
        district,
        name,
        "high",
        Timestamp::from_millis(0),
    ));
    Ok(DIRECT_INSERTS as f64 / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<()> {
    let bin = triad_binary()?;
    let dir = tempfile::tempdir()?;
    // TRIAD_BENCH_DATABASE_URL (an empty database that may be written, e.g. PostgreSQL) instead
    // of a fresh SQLite file; TRIAD_BENCH_YEARS school years of demo activity (default 1).
    let url = std::env::var("TRIAD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/triad.db", dir.path().display()));
    let years = std::env::var("TRIAD_BENCH_YEARS").unwrap_or_else(|_| "1".into());
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite (WAL, synchronous=FULL)"
    };
    let data = dir.path().display().to_string();
    let (db, leader, _) = common::demo(&bin, &data, &url, &["--years", &years]).await?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let cookie = bench_session(&db, leader.user_id(), now).await?;
    // The campus writes go to a district of their own (by the administrator): tens of
    // thousands of bench campuses in the demo district would make its semester report
    // compare them all, which no real district asks of it.
    let district = Id::new();
    let mut tx = db.begin().await?;
    triad_store::org::insert_district(
        &mut tx,
        &triad_store::org::NewDistrict {
            id: district,
            name: "Bench writes",
            time_zone: "America/Chicago",
            year_start: "08-01",
        },
        now,
    )
    .await?;
    tx.commit().await?;
    let admin = accounts::user_by_name(&mut db.acquire().await?, "admin")
        .await?
        .ok_or("no admin")?;
    let token = bench_token(&db, admin.user_id(), now).await?;
    let (server, base) = serve(&bin, &data, &url).await?;
    let measured = Measured::one(server.0.id(), url.starts_with("postgres"));
    // A burst of sign-ins first, on the fresh server, so the peak memory read after it is
    // the burst's own: 32 at once for the whole run (a school's staff at 7:55).
    let login = dir.path().join("login.lua");
    std::fs::write(
        &login,
        format!(
            "wrk.method = \"POST\"\nwrk.body = \"username=district-leader&password={}&next=/\"\n\
             wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n",
            DEMO_PASSWORD
        ),
    )?;
    let login_path = login.display().to_string();
    let sign_ins = wrk_with(
        measured,
        "32",
        &format!("{base}/login"),
        &["-s", &login_path],
    )?;
    let sign_in_peak = peak_memory_kib(server.0.id());
    let sign_in_after = resident_memory_kib(server.0.id());
    println!(
        "Sign-in burst (32 at once, {SECONDS} s): {}",
        sign_ins.line()
    );
    if let (Some(peak), Some(after)) = (sign_in_peak, sign_in_after) {
        println!(
            "  server memory: peak {:.1} MiB, resident afterwards {:.1} MiB",
            peak as f64 / 1024.0,
            after as f64 / 1024.0
        );
    }
    if std::env::var("TRIAD_BENCH_ONLY").as_deref() == Ok("sign-in") {
        return Ok(());
    }
    let home = wrk(measured, &format!("{base}/"), &["-H", &cookie])?;

    let script_path = post_script(
        dir.path(),
        "campus",
        &format!("/api/v1/districts/{district}/campuses"),
        &token,
        r#"'{"name":"Bench campus ' .. key .. '","level":"high"}'"#,
    )?;
    let write = wrk(measured, &base, &["-s", &script_path])?;
    let activity = activity_load(&db, &base, dir.path(), now, measured).await?;
    let peak = peak_memory_kib(server.0.id());
    drop(server);
    let direct = direct_inserts(&db, district).await?;

    println!(
        "Triad benchmark: {engine}, {CONNECTIONS} connections, {SECONDS} s each, wrk over loopback"
    );
    println!("  home page (district leader, signed in): {}", home.line());
    println!("  audited write (API: new campus):        {}", write.line());
    println!("  the same INSERT through sqlx directly:  {:>8.0} rows/s  ({DIRECT_INSERTS} rows, {BATCH} to a commit)", direct);
    println!(
        "  audited HTTP write / batched INSERT = {:.2} (goal 0.6 or more)",
        write.rps / direct.max(1.0)
    );
    println!("Activity log ({ACTIVITY_CONNECTIONS} connections, {years} school year(s) of demo activity: {} entries)", activity.rows);
    for (name, load) in &activity.loads {
        println!("  {name:<40} {}", load.line());
    }
    let direct_activity = direct_activity_inserts(&db, &activity.sample).await?;
    println!("  the same activity INSERT through sqlx directly: {direct_activity:>8.0} rows/s ({BATCH} to a commit)");
    if let Some((_, log)) = activity.loads.first() {
        println!(
            "  HTTP activity write / batched INSERT = {:.2} (goal 0.6 or more)",
            log.rps / direct_activity.max(1.0)
        );
    }
    match peak {
        Some(kib) => println!(
            "  server peak memory (VmHWM): {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("  server peak memory: not available on this system"),
    }
    Ok(())
}

struct ActivityLoad {
    rows: i64,
    loads: Vec<(String, Load)>,
    sample: triad_store::activity::ActivityRow,
}

/// Logging, the officer's list, the monthly campus report and the district semester report.
async fn activity_load(
    db: &Db,
    base: &str,
    dir: &Path,
    now: Timestamp,
    measured: Measured,
) -> Result<ActivityLoad> {
    let sro = accounts::user_by_name(&mut db.acquire().await?, "sro")
        .await?
        .ok_or("no sro")?;
    let rows = triad_store::activity::recent_by_author(
        &mut db.acquire().await?,
        sro.user_id(),
        triad_store::paging::Page::first(1),
    )
    .await?;
    let sample = rows
        .into_iter()
        .next()
        .ok_or("the demo logged no activity")?;
    let token = bench_token(db, sro.user_id(), now).await?;
    let leader = accounts::user_by_name(&mut db.acquire().await?, "district-leader")
        .await?
        .ok_or("no district-leader")?;
    let leader_token = bench_token(db, leader.user_id(), now).await?;
    let script_path = post_script(
        dir,
        "activity",
        "/api/v1/activities",
        &token,
        &format!(
            r#"'{{"campus_id":"{}","category":"counseling_student","minutes":"15","students":"1"}}'"#,
            sample.campus_id
        ),
    )?;
    let sro_auth = format!("Authorization: Bearer {token}");
    let leader_auth = format!("Authorization: Bearer {leader_token}");
    let month = &sample.month;
    let year = sample.school_year;
    let mut loads = Vec::new();
    loads.push((
        "log an activity (API write)".to_string(),
        wrk_with(measured, ACTIVITY_CONNECTIONS, base, &["-s", &script_path])?,
    ));
    loads.push((
        "the officer's own list".to_string(),
        wrk_with(
            measured,
            ACTIVITY_CONNECTIONS,
            &format!("{base}/api/v1/activities"),
            &["-H", &sro_auth],
        )?,
    ));
    let campus_report = format!(
        "{base}/api/v1/reports/activity?scope=campus:{}&from={month}&to={month}",
        sample.campus_id
    );
    loads.push((
        "monthly campus report".to_string(),
        wrk_with(
            measured,
            ACTIVITY_CONNECTIONS,
            &campus_report,
            &["-H", &leader_auth],
        )?,
    ));
    let district_report = format!(
        "{base}/api/v1/reports/activity?scope=district:{}&from={year}-08&to={year}-12",
        sample.district_id
    );
    loads.push((
        "district semester report".to_string(),
        wrk_with(
            measured,
            ACTIVITY_CONNECTIONS,
            &district_report,
            &["-H", &leader_auth],
        )?,
    ));
    let count = triad_store::activity::recent_by_author(
        &mut db.acquire().await?,
        sro.user_id(),
        triad_store::paging::Page::first(1),
    )
    .await?
    .len() as i64;
    let rows = scalar(db, "SELECT COUNT(*) FROM activities")
        .await?
        .max(count);
    Ok(ActivityLoad {
        rows,
        loads,
        sample,
    })
}

/// The activity INSERT (with its summary upsert), batched as Triad batches, straight
/// through sqlx.
async fn direct_activity_inserts(
    db: &Db,
    sample: &triad_store::activity::ActivityRow,
) -> Result<f64> {
    let rows: Vec<_> = (0..DIRECT_INSERTS)
        .map(|_| {
            let mut row = sample.clone();
            row.id = Id::new().to_string();
            row
        })
        .collect();
    let started = Instant::now();
    raw_batches!(db, rows, |conn, row| triad_store::activity::insert(
        conn, row
    ));
    Ok(DIRECT_INSERTS as f64 / started.elapsed().as_secs_f64())
}
