//! The first benchmark: what a signed-in page and an audited write cost over real HTTP, and
//! what the same INSERT costs straight through sqlx on the same database file.
//!
//! Run: `cargo build --release -p triad && cargo run --release -p triad --example bench`
//! Needs `wrk` (Debian package `wrk`). Prints requests per second, p50/p99 latency, the ratio
//! of raw inserts to audited HTTP writes, and the server's peak memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::Db;

/// The demo's password (`triad demo` prints it).
const DEMO_PASSWORD: &str = "triad-demo-lantern-orchard";

const SECONDS: &str = "10";
const CONNECTIONS: &str = "16";
/// The activity log's target load: 32 clients at once.
const ACTIVITY_CONNECTIONS: &str = "32";
const DIRECT_INSERTS: usize = 2000;

mod common;
use common::{triad_binary, Result, Server};

/// What wrk reports for one run, and what the run cost in CPU.
struct Load {
    rps: f64,
    p50: String,
    p99: String,
    errors: u64,
    /// Server CPU time (user + system) per request, in microseconds.
    server_cpu_us: f64,
    /// PostgreSQL's CPU per request, when the bench runs on it (on this machine).
    database_cpu_us: Option<f64>,
    /// Share of the machine's CPU time that was busy during the run (wrk included).
    machine_busy: f64,
}

/// CPU counters read from /proc: the server's own ticks, those of PostgreSQL's processes on
/// this machine (none with SQLite, which runs inside the server), and the machine's busy and
/// total ticks.
#[derive(Clone, Copy, Default)]
struct CpuSnapshot {
    server: u64,
    database: Option<u64>,
    busy: u64,
    total: u64,
}

/// The processes a run's CPU is counted for: the server, and PostgreSQL's when the bench runs
/// on it (a cluster idling on the same machine is not the database under test).
#[derive(Clone, Copy)]
struct Measured {
    server_pid: u32,
    postgres: bool,
}

/// A process's command name and its user + system ticks, from /proc/<pid>/stat.
fn process_ticks(stat_path: &Path) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(')?.1.to_string();
    // Fields after the command name (which may hold spaces) start at "state".
    let ticks = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Some((name, ticks))
}

impl CpuSnapshot {
    fn take(measured: Measured) -> Self {
        let server_stat = format!("/proc/{}/stat", measured.server_pid);
        let server = process_ticks(Path::new(&server_stat)).map_or(0, |(_, ticks)| ticks);
        let database = measured.postgres.then(|| {
            std::fs::read_dir("/proc")
                .map(|entries| {
                    entries
                        .flatten()
                        .filter_map(|e| process_ticks(&e.path().join("stat")))
                        .filter(|(name, _)| name == "postgres")
                        .map(|(_, ticks)| ticks)
                        .sum()
                })
                .unwrap_or(0)
        });
        let (busy, total) = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|stat| {
                let line = stat.lines().next()?;
                let ticks: Vec<u64> = line
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|f| f.parse().ok())
                    .collect();
                let total: u64 = ticks.iter().sum();
                let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
                Some((total - idle, total))
            })
            .unwrap_or((0, 0));
        Self {
            server,
            database,
            busy,
            total,
        }
    }
}

fn wrk(measured: Measured, url: &str, extra: &[&str]) -> Result<Load> {
    wrk_with(measured, CONNECTIONS, url, extra)
}

fn wrk_with(measured: Measured, connections: &str, url: &str, extra: &[&str]) -> Result<Load> {
    let before = CpuSnapshot::take(measured);
    let out = Command::new("wrk")
        .args([
            "-t2",
            "-c",
            connections,
            "-d",
            &format!("{SECONDS}s"),
            "--latency",
        ])
        .args(extra)
        .arg(url)
        .output()
        .map_err(|e| format!("wrk could not run ({e}): apt-get install wrk"))?;
    let after = CpuSnapshot::take(measured);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    let errors = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let rps: f64 = field("Requests/sec:").parse().unwrap_or(0.0);
    let requests = rps * SECONDS.parse::<f64>().unwrap_or(1.0);
    // /proc counts in clock ticks of 10 ms on Linux.
    let per_request = |ticks: u64| ticks as f64 * 10_000.0 / requests.max(1.0);
    let server_cpu_us = per_request(after.server - before.server);
    // Backends that ended during the run take their ticks with them: a lower bound.
    let database_cpu_us = before
        .database
        .zip(after.database)
        .map(|(before, after)| per_request(after.saturating_sub(before)));
    let machine_busy =
        (after.busy - before.busy) as f64 / (after.total - before.total).max(1) as f64;
    Ok(Load {
        rps,
        p50: field("50%"),
        p99: field("99%"),
        errors,
        server_cpu_us,
        database_cpu_us,
        machine_busy,
    })
}

impl Load {
    fn line(&self) -> String {
        let database = self
            .database_cpu_us
            .map(|us| format!("   database CPU {us:>5.0} µs/req"))
            .unwrap_or_default();
        format!(
            "{:>8.0} req/s   p50 {:>8}   p99 {:>8}   errors {}   server CPU {:>5.0} µs/req{database}   machine busy {:>3.0}%",
            self.rps,
            self.p50,
            self.p99,
            self.errors,
            self.server_cpu_us,
            self.machine_busy * 100.0
        )
    }
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    memory_kib(pid, "VmHWM:")
}

fn resident_memory_kib(pid: u32) -> Option<u64> {
    memory_kib(pid, "VmRSS:")
}

/// A memory figure of /proc/<pid>/status, in KiB.
fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Runs `$body` with `$conn` bound to a plain sqlx transaction of its own, committed alone:
/// the raw rate Triad's writes are compared with (no request, no audit, no shared commit).
macro_rules! raw_transaction {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            Db::Sqlite(pool, _) => {
                // A connection of its own that may write: the pool's only read.
                let mut writable = pool.acquire().await?.detach();
                sqlx::query("PRAGMA query_only = OFF")
                    .execute(&mut writable)
                    .await?;
                let mut tx = sqlx::Connection::begin_with(&mut writable, "BEGIN IMMEDIATE").await?;
                let $conn = triad_store::Conn::Sqlite(&mut tx);
                $body.await?;
                tx.commit().await?;
                sqlx::Connection::close(writable).await?;
            }
            Db::Postgres(pool, _) => {
                let mut tx = pool.begin().await?;
                let $conn = triad_store::Conn::Postgres(&mut tx);
                $body.await?;
                tx.commit().await?;
            }
        }
    };
}

async fn direct_inserts(db: &Db, district: Id) -> Result<f64> {
    let started = Instant::now();
    for i in 0..DIRECT_INSERTS {
        let name = format!("Direct campus {i}");
        raw_transaction!(db, |conn| triad_store::org::insert_campus(
            conn,
            Id::new(),
            district,
            &name,
            "high",
            Timestamp::from_millis(0),
        ));
    }
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
    let (db, leader, district) = common::demo(&bin, &data, &url, &["--years", &years]).await?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let session = accounts::new_secret("");
    let mut tx = db.begin().await?;
    accounts::insert_session(
        &mut tx,
        &accounts::secret_hash(&session),
        leader.user_id(),
        "bench",
        true,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    let token = bench_token(&db, leader.user_id(), now).await?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(&bin)
            .args([
                "--data-dir",
                &data,
                "--database-url",
                &url,
                "serve",
                "--addr",
                &addr,
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://{addr}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let cookie = format!("Cookie: __Host-triad_session={session}");
    let measured = Measured {
        server_pid: server.0.id(),
        postgres: url.starts_with("postgres"),
    };
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

    let script = dir.path().join("write.lua");
    std::fs::write(
        &script,
        format!(
            r#"local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local key = "bench-" .. tid .. "-" .. counter
  local body = '{{"name":"Bench campus ' .. key .. '","level":"high"}}'
  return wrk.format("POST", "/api/v1/districts/{district}/campuses",
    {{["Authorization"] = "Bearer {token}", ["Idempotency-Key"] = key, ["Content-Type"] = "application/json"}}, body)
end
"#
        ),
    )?;
    let script_path = script.display().to_string();
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
    println!("  the same INSERT through sqlx directly:  {:>8.0} rows/s  ({DIRECT_INSERTS} rows, one transaction each)", direct);
    if write.rps > 0.0 {
        println!(
            "  ratio direct INSERT : audited HTTP write = {:.1} : 1",
            direct / write.rps
        );
    }
    println!("Activity log ({ACTIVITY_CONNECTIONS} connections, {years} school year(s) of demo activity: {} entries)", activity.rows);
    for (name, load) in &activity.loads {
        println!("  {name:<40} {}", load.line());
    }
    let direct_activity = direct_activity_inserts(&db, &activity.sample).await?;
    println!("  the same activity INSERT through sqlx directly: {direct_activity:>8.0} rows/s");
    if let Some((_, log)) = activity.loads.first() {
        if log.rps > 0.0 {
            println!(
                "  ratio direct INSERT : HTTP activity write = {:.1} : 1",
                direct_activity / log.rps
            );
        }
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
    let script = dir.join("activity.lua");
    std::fs::write(
        &script,
        format!(
            r#"local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local key = "activity-" .. tid .. "-" .. counter
  local body = '{{"campus_id":"{campus}","category":"counseling_student","minutes":"15","students":"1"}}'
  return wrk.format("POST", "/api/v1/activities",
    {{["Authorization"] = "Bearer {token}", ["Idempotency-Key"] = key, ["Content-Type"] = "application/json"}}, body)
end
"#,
            campus = sample.campus_id
        ),
    )?;
    let sro_auth = format!("Authorization: Bearer {token}");
    let leader_auth = format!("Authorization: Bearer {leader_token}");
    let script_path = script.display().to_string();
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
    let rows = total_activities(db).await?.max(count);
    Ok(ActivityLoad {
        rows,
        loads,
        sample,
    })
}

async fn total_activities(db: &Db) -> Result<i64> {
    Ok(match db {
        Db::Sqlite(pool, _) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM activities")
                .fetch_one(pool)
                .await?
        }
        Db::Postgres(pool, _) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM activities")
                .fetch_one(pool)
                .await?
        }
    })
}

/// The activity INSERT (with its summary upsert), one transaction each, straight through sqlx.
async fn direct_activity_inserts(
    db: &Db,
    sample: &triad_store::activity::ActivityRow,
) -> Result<f64> {
    let started = Instant::now();
    for _ in 0..DIRECT_INSERTS {
        let mut row = sample.clone();
        row.id = Id::new().to_string();
        raw_transaction!(db, |conn| triad_store::activity::insert(conn, &row));
    }
    Ok(DIRECT_INSERTS as f64 / started.elapsed().as_secs_f64())
}

/// A personal access token for a demo user, made straight in the store.
async fn bench_token(db: &Db, user: Id, now: Timestamp) -> Result<String> {
    let token = accounts::new_secret("triad_pat_");
    let mut tx = db.begin().await?;
    accounts::insert_token(
        &mut tx,
        Id::new(),
        user,
        "bench",
        &accounts::secret_hash(&token),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}
