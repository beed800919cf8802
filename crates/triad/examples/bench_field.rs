//! The everyday operations of a campus, measured as the open-source peer product for the same
//! field (SafeSchool OS, Node and PostgreSQL) published its figures, printed beside them; and
//! the long lists (people, the audit trail, visitors, incidents, survey themes) at 32 clients.
//!
//! Run: `cargo build --release -p triad && cargo run --release -p triad --example bench_field`
//! Needs `wrk`. `TRIAD_BENCH_DATABASE_URL=postgres://…` (an empty database) measures
//! PostgreSQL; `TRIAD_BENCH_SCALE=state` makes the state demo (170 districts) and a trail of
//! two million audit entries (`TRIAD_BENCH_AUDIT` sets how many).
//!
//! `TRIAD_BENCH_INSTANCES=2` (PostgreSQL only) serves two instances of Triad on the one
//! database and loads both at once, half the clients each, as a balancer in front of them would.
//!
//! `TRIAD_BENCH_ROUNDS=5` measures the four operations five times, one of each a round, and
//! prints the median round with the spread of all.
//!
//! `TRIAD_BENCH_STEADY_MINUTES=10` reports incidents for ten minutes instead, a line a minute.
//! `TRIAD_BENCH_STATEMENTS=1` also prints the first words of each statement a request sends;
//! `TRIAD_BENCH_BINARY` serves another build of Triad (to compare two on the same load), and
//! `TRIAD_BENCH_STATEMENT_LOG=FILE` keeps the log the statements are counted from.
//!
//! Before the load, one campus is filled to about the peer's volumes (10,000 incidents and
//! 25,000 sign-ins, 200 of them today).

use std::time::Instant;
use triad_domain::auth::Scope;
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::Db;

mod common;
#[allow(dead_code)]
mod load;
use common::{triad_binary, Result};
use load::{
    bench_session, bench_token, millis, peak_memory_kib, post_script, resident_memory_kib, scalar,
    serve, writable, wrk_together, Counting, Load, Measured, Request, Target, SECONDS,
};

/// The peer's load: one wrk thread, 32 connections, 10 seconds.
const CLIENTS: usize = 32;
const INCIDENTS: usize = 10_000;
const SIGN_INS: usize = 25_000;
const SIGN_INS_TODAY: usize = 200;
/// Requests of each kind whose statements are counted (their mean is printed).
const TRIES: usize = 5;

/// The peer's published figures on a 2-core machine like this one (about 10,000 incidents and
/// 25,000 sign-ins): requests per second and p99 in milliseconds.
const PEER: [(&str, f64, f64); 4] = [
    ("POST incident", 973.0, 58.0),
    ("POST visitor sign-in", 2551.0, 26.0),
    ("GET incident list (50 rows)", 1118.0, 47.0),
    ("GET visitor list (50 rows)", 640.0, 79.0),
];

#[tokio::main]
async fn main() -> Result<()> {
    let bin = triad_binary()?;
    let dir = tempfile::tempdir()?;
    let url = std::env::var("TRIAD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/triad.db", dir.path().display()));
    let state = std::env::var("TRIAD_BENCH_SCALE").as_deref() == Ok("state");
    let audit_entries: i64 = std::env::var("TRIAD_BENCH_AUDIT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if state { 2_000_000 } else { 0 });
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let data = dir.path().display().to_string();
    let started = Instant::now();
    let scale = if state { "state" } else { "district" };
    let (db, leader, district) = common::demo(&bin, &data, &url, &["--scale", scale]).await?;
    println!(
        "Demo ({scale}) made in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let principal = accounts::user_by_name(&mut db.acquire().await?, "principal")
        .await?
        .ok_or("no principal")?;
    let (campus, campus_district) =
        accounts::grants_of(&mut db.acquire().await?, principal.user_id())
            .await?
            .into_iter()
            .find_map(|g| match g.scope {
                Scope::Campus { district, campus } => Some((campus, district)),
                _ => None,
            })
            .ok_or("the principal has no campus")?;
    let started = Instant::now();
    fill_campus(&db, campus_district, campus, principal.user_id(), now).await?;
    let audit_seconds = Instant::now();
    if audit_entries > 0 {
        fill_audit(&db, district, leader.user_id(), audit_entries, now).await?;
    }
    analyze(&db).await?;
    println!(
        "Filled the campus to {INCIDENTS} incidents and {SIGN_INS} sign-ins in {:.0} s; {audit_entries} audit entries added in {:.0} s",
        audit_seconds.duration_since(started).as_secs_f64(),
        audit_seconds.elapsed().as_secs_f64()
    );

    let token = bench_token(&db, principal.user_id(), now).await?;
    let principal_cookie = bench_session(&db, principal.user_id(), now).await?;
    let leader_cookie = bench_session(&db, leader.user_id(), now).await?;
    let admin = accounts::user_by_name(&mut db.acquire().await?, "admin")
        .await?
        .ok_or("no admin")?;
    let admin_cookie = bench_session(&db, admin.user_id(), now).await?;
    let campaign = triad_store::surveys::of_district(
        &mut db.acquire().await?,
        &district.to_string(),
        triad_store::paging::Page::first(1),
    )
    .await?
    .into_iter()
    .next()
    .map(|c| c.id);
    let instances = match std::env::var("TRIAD_BENCH_INSTANCES").as_deref() {
        Err(_) | Ok("1") => 1,
        Ok("2") if url.starts_with("postgres") => 2,
        Ok(other) => {
            return Err(format!(
                "TRIAD_BENCH_INSTANCES={other}: 1, or 2 on PostgreSQL (two instances share one database)"
            )
            .into())
        }
    };
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(serve(&bin, &data, &url).await?);
    }
    let bases: Vec<String> = servers.iter().map(|(_, base)| base.clone()).collect();
    let base = bases[0].clone();
    let measured = Measured {
        server_pid: servers[0].0 .0.id(),
        second_server_pid: servers.get(1).map(|(server, _)| server.0.id()),
        postgres: url.starts_with("postgres"),
    };
    let each = Spread {
        measured,
        bases: &bases,
        clients: (CLIENTS / instances).to_string(),
    };
    let auth = format!("Authorization: Bearer {token}");

    if let Some(minutes) = std::env::var("TRIAD_BENCH_STEADY_MINUTES")
        .ok()
        .and_then(|m| m.parse::<usize>().ok())
    {
        return steady_writes(measured, dir.path(), &base, campus, &token, minutes, &db).await;
    }
    let round_count = rounds()?;
    // Each operation's runs, one of each a round: the machine's drift falls on all four alike.
    let mut runs: [Vec<Load>; 4] = Default::default();
    for round in 1..=round_count {
        // Scripts of their own each round: new idempotency keys, and new visitors (a second
        // open visit of the same person would be refused).
        let incident_scripts = each.scripts(
            dir.path(),
            &format!("incident-round-{round}"),
            &format!("/api/v1/campuses/{campus}/incidents"),
            &token,
            r#"'{"kind":"suspicious_person","classification":"school_conduct","occurred_at":"2026-09-02T08:40","location":"Gym entrance","narrative":"Bench report ' .. key .. '","people":[{"kind":"student","name":"A student","description":"Grade 9"}]}'"#,
        )?;
        let sign_in_scripts = each.scripts(
            dir.path(),
            &format!("sign-in-round-{round}"),
            &format!("/api/v1/campuses/{campus}/visitors"),
            &token,
            r#"'{"given_name":"Guest' .. tid .. 'x' .. counter .. '","family_name":"Caller","birth_date":"1990-01-01","id_type":"drivers_license","id_last_four":"7731","purpose":"Meeting","host":"Office"}'"#,
        )?;
        runs[0].push(each.run("", |n| vec!["-s".into(), incident_scripts[n].clone()])?);
        runs[1].push(each.run("", |n| vec!["-s".into(), sign_in_scripts[n].clone()])?);
        // The writes just made ten thousand sign-ins and incidents in seconds.
        analyze(&db).await?;
        runs[2].push(
            each.run(&format!("/api/v1/campuses/{campus}/incidents"), |_| {
                vec!["-H".into(), auth.clone()]
            })?,
        );
        runs[3].push(
            each.run(&format!("/api/v1/campuses/{campus}/visitors"), |_| {
                vec!["-H".into(), auth.clone()]
            })?,
        );
    }
    let operations = runs.map(Rounds::of);
    let after_operations: Vec<Option<u64>> = servers
        .iter()
        .map(|(server, _)| resident_memory_kib(server.0.id()))
        .collect();

    let mut pages: Vec<(String, String, &str)> = vec![
        ("principal's home".into(), "/".into(), &principal_cookie),
        ("district leader's home".into(), "/".into(), &leader_cookie),
        (
            "users (administrator)".into(),
            "/admin/users".into(),
            &admin_cookie,
        ),
        (
            "users, searched by name".into(),
            "/admin/users?q=garcia".into(),
            &admin_cookie,
        ),
        (
            "audit trail (administrator)".into(),
            "/audit".into(),
            &admin_cookie,
        ),
        (
            "audit trail (district leader)".into(),
            "/audit".into(),
            &leader_cookie,
        ),
        (
            "audit, district + denied".into(),
            "/audit?outcome=denied".into(),
            &leader_cookie,
        ),
        (
            "audit, district + a rare action".into(),
            "/audit?action=evidence.".into(),
            &leader_cookie,
        ),
        (
            "visitors page".into(),
            format!("/campuses/{campus}/visitors"),
            &principal_cookie,
        ),
        (
            "visitors, searched by name".into(),
            format!("/campuses/{campus}/visitors?q=guest"),
            &principal_cookie,
        ),
        (
            "incidents page".into(),
            format!("/campuses/{campus}/incidents"),
            &principal_cookie,
        ),
    ];
    if let Some(id) = &campaign {
        pages.push((
            "survey themes page".into(),
            format!("/surveys/{id}/themes"),
            &leader_cookie,
        ));
    }
    let mut page_loads = Vec::new();
    for (name, path, cookie) in &pages {
        let load = each.run(path, |_| vec!["-H".into(), cookie.to_string()])?;
        page_loads.push((name.clone(), load));
    }
    let peaks: Vec<Option<u64>> = servers
        .iter()
        .map(|(server, _)| peak_memory_kib(server.0.id()))
        .collect();
    drop(servers);

    // The statements of one request of each kind, on a server that logs them.
    let counting = Counting::start(&bin, &data, &url).await?;
    let json = |path: String, key: &str, body: String| Request {
        method: "POST",
        path,
        headers: vec![
            auth.clone(),
            format!("Idempotency-Key: counted-{key}"),
            "Content-Type: application/json".into(),
        ],
        body: Some(body),
    };
    let get = |path: String, header: &str| Request {
        method: "GET",
        path,
        headers: vec![header.to_string()],
        body: None,
    };
    let operation_statements = [
        counting.statements(TRIES, |n| {
            json(
                format!("/api/v1/campuses/{campus}/incidents"),
                &format!("incident-{n}"),
                format!(
                    r#"{{"kind":"suspicious_person","classification":"school_conduct","occurred_at":"2026-09-02T08:40","location":"Gym entrance","narrative":"Counted report {n}","people":[{{"kind":"student","name":"A student","description":"Grade 9"}}]}}"#
                ),
            )
        })?,
        counting.statements(TRIES, |n| {
            json(
                format!("/api/v1/campuses/{campus}/visitors"),
                &format!("sign-in-{n}"),
                format!(
                    r#"{{"given_name":"Counted{n}","family_name":"Caller","birth_date":"1990-01-01","id_type":"drivers_license","id_last_four":"7731","purpose":"Meeting","host":"Office"}}"#
                ),
            )
        })?,
        counting.statements(TRIES, |_| {
            get(format!("/api/v1/campuses/{campus}/incidents"), &auth)
        })?,
        counting.statements(TRIES, |_| {
            get(format!("/api/v1/campuses/{campus}/visitors"), &auth)
        })?,
    ];
    let mut page_statements = Vec::new();
    for (_, path, cookie) in &pages {
        page_statements.push(counting.statements(TRIES, |_| get(path.clone(), cookie))?);
    }
    drop(counting);

    println!(
        "Triad {engine}, {scale} demo; {}; the peer is SafeSchool OS (Node/PostgreSQL), its published figures",
        each.describe()
    );
    println!(
        "  {:<30} {:>22} {:>24}   {:>6} {:>8} {:>10}",
        "operation", "peer req/s, p99", "Triad req/s, p99", "× peer", "p99 ÷ peer", "statements"
    );
    for (((name, peer_rps, peer_p99), measured_rounds), (statements, _)) in
        PEER.iter().zip(&operations).zip(&operation_statements)
    {
        let load = &measured_rounds.median;
        let p99 = millis(&load.p99);
        println!(
            "  {name:<30} {peer_rps:>12.0}, {peer_p99:>5.0} ms {:>14.0}, {:>7} {:>8.1} {:>10} {statements:>10.1}   errors {}   server CPU {:.0} µs/req{}",
            load.rps,
            load.p99,
            load.rps / peer_rps,
            p99.map(|p| format!("{:.2}", p / peer_p99)).unwrap_or_else(|| "?".into()),
            measured_rounds.errors,
            load.server_cpu_us,
            load.database_cpu_us
                .map(|us| format!(", database {us:.0} µs/req"))
                .unwrap_or_default()
        );
        if measured_rounds.count > 1 {
            println!(
                "  {:<30} {} rounds: {:.0}-{:.0} req/s, p99 {:.2}-{:.2} ms (the median round above; errors of all rounds)",
                "", measured_rounds.count, measured_rounds.slowest_rps, measured_rounds.fastest_rps, measured_rounds.lowest_p99, measured_rounds.highest_p99
            );
        }
    }
    println!("  goal: 5 × the peer's rate at no more than a quarter of its p99");
    println!("Pages and long lists, {CLIENTS} clients (goal p99 under 50 ms for the lists, 25 ms for pages):");
    for ((name, load), (statements, _)) in page_loads.iter().zip(&page_statements) {
        println!("  {name:<34} {statements:>4.1} statements {}", load.line());
    }
    println!(
        "Statements: what one request sends its database, the mean of {TRIES} in a row; on SQLite each is a round trip to the connection's thread, on PostgreSQL one over the network"
    );
    if measured.postgres {
        println!(
            "PostgreSQL's planner statistics were brought up to date (ANALYZE) after the fill and after the writes, as autovacuum does in a running district"
        );
    }
    if std::env::var("TRIAD_BENCH_STATEMENTS").is_ok() {
        let names = PEER.iter().map(|(name, ..)| name.to_string());
        let names = names.chain(pages.iter().map(|(name, ..)| name.clone()));
        for (name, (_, summaries)) in names.zip(operation_statements.iter().chain(&page_statements))
        {
            println!("  {name}: {}", summaries.join(" | "));
        }
    }
    for (n, (peak, after)) in peaks.iter().zip(&after_operations).enumerate() {
        if let (Some(peak), Some(after)) = (peak, after) {
            let which = if instances > 1 {
                format!(" (instance {})", n + 1)
            } else {
                String::new()
            };
            println!(
                "Server memory{which}: resident after the operations {:.1} MiB, peak {:.1} MiB (goal under 100 MiB)",
                *after as f64 / 1024.0,
                *peak as f64 / 1024.0
            );
        }
    }
    Ok(())
}

/// How many times the four operations are measured (`TRIAD_BENCH_ROUNDS`, 1 by default): on
/// this machine a run of ten seconds was up to a fifth faster or slower than the one before,
/// more than most changes it is meant to judge.
fn rounds() -> Result<usize> {
    match std::env::var("TRIAD_BENCH_ROUNDS") {
        Err(_) => Ok(1),
        Ok(n) => match n.parse::<usize>() {
            Ok(n @ 1..=20) => Ok(n),
            _ => Err(format!("TRIAD_BENCH_ROUNDS={n}: a number of rounds from 1 to 20").into()),
        },
    }
}

/// An operation's runs: the median run by rate (what the table shows), and the spread.
struct Rounds {
    median: Load,
    count: usize,
    slowest_rps: f64,
    fastest_rps: f64,
    lowest_p99: f64,
    highest_p99: f64,
    /// Errors of every run, not only the median's.
    errors: u64,
}

impl Rounds {
    fn of(mut runs: Vec<Load>) -> Rounds {
        runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
        let p99s: Vec<f64> = runs.iter().filter_map(|run| millis(&run.p99)).collect();
        let count = runs.len();
        let (slowest_rps, fastest_rps) = (runs[0].rps, runs[count - 1].rps);
        let errors = runs.iter().map(|run| run.errors).sum();
        Rounds {
            count,
            slowest_rps,
            fastest_rps,
            lowest_p99: p99s.iter().copied().fold(f64::INFINITY, f64::min),
            highest_p99: p99s.iter().copied().fold(0.0, f64::max),
            errors,
            median: runs.swap_remove(count / 2),
        }
    }
}

/// The instances under load and how many clients each gets.
struct Spread<'a> {
    measured: Measured,
    bases: &'a [String],
    clients: String,
}

impl Spread<'_> {
    /// `path` on every instance at once, with the wrk arguments `extra(n)` for the n-th.
    fn run(&self, path: &str, extra: impl Fn(usize) -> Vec<String>) -> Result<Load> {
        let urls: Vec<String> = self
            .bases
            .iter()
            .map(|base| format!("{base}{path}"))
            .collect();
        let extras: Vec<Vec<String>> = (0..self.bases.len()).map(extra).collect();
        let extras: Vec<Vec<&str>> = extras
            .iter()
            .map(|e| e.iter().map(String::as_str).collect())
            .collect();
        let targets: Vec<Target> = urls
            .iter()
            .zip(&extras)
            .map(|(url, extra)| Target { url, extra })
            .collect();
        wrk_together(self.measured, &self.clients, SECONDS, &targets)
    }

    /// A [`post_script`] for each instance, its idempotency keys its own.
    fn scripts(
        &self,
        dir: &std::path::Path,
        name: &str,
        path: &str,
        token: &str,
        body: &str,
    ) -> Result<Vec<String>> {
        (1..=self.bases.len())
            .map(|n| post_script(dir, &format!("{name}-{n}"), path, token, body))
            .collect()
    }

    fn describe(&self) -> String {
        match self.bases.len() {
            1 => format!("wrk -t1 -c{} -d{SECONDS}s over loopback", self.clients),
            n => format!(
                "{n} instances on the one database, a wrk -t1 -c{} -d{SECONDS}s on each at once (rates added, the higher latency shown)",
                self.clients
            ),
        }
    }
}

/// Incidents reported for `minutes` without a pause, a minute to a wrk run (each with keys of
/// its own), and how the last minute's rate compares with the first's (goal: within 10 %).
async fn steady_writes(
    measured: Measured,
    dir: &std::path::Path,
    base: &str,
    campus: Id,
    token: &str,
    minutes: usize,
    db: &Db,
) -> Result<()> {
    println!("Steady writes: POST incident, {CLIENTS} clients, {minutes} minutes, a line a minute");
    let mut rates = Vec::new();
    for minute in 1..=minutes {
        let script = post_script(
            dir,
            &format!("steady-{minute}"),
            &format!("/api/v1/campuses/{campus}/incidents"),
            token,
            r#"'{"kind":"suspicious_person","classification":"school_conduct","occurred_at":"2026-09-02T08:40","location":"Gym entrance","narrative":"Steady report ' .. key .. '","people":[{"kind":"student","name":"A student","description":"Grade 9"}]}'"#,
        )?;
        let load = load::wrk_for(measured, &CLIENTS.to_string(), "60", base, &["-s", &script])?;
        let incidents = scalar(db, "SELECT COUNT(*) FROM incidents").await?;
        println!(
            "  minute {minute:>2}: {}   incidents now {incidents}",
            load.line()
        );
        rates.push(load.rps);
    }
    if let (Some(first), Some(last)) = (rates.first(), rates.last()) {
        println!(
            "  last minute ÷ first = {:.2} (goal 0.90 or more)",
            last / first.max(1.0)
        );
    }
    Ok(())
}

/// Brings PostgreSQL's planner statistics up to date after a bulk step, as its autovacuum does
/// within about a minute in a running district. Measured without: the visitor list read right
/// after the sign-in load is planned for 42 rows of today where there are 11,000 (a bitmap scan
/// and a sort of all of them, 17 ms of database CPU a request rather than 0.2 ms). SQLite's
/// planner keeps no statistics unless asked and Triad does not ask: nothing to do there.
///
/// Only the tables that hold rows: autovacuum never analyzes a table nothing was written to.
/// An `ANALYZE` of every table recorded the still empty replay keys as empty: each
/// connection's lookup of a key, planned once for good while the table was near empty, then
/// scanned the whole table on every write as it grew (1,124 µs of database CPU a sign-in
/// instead of about 300), where autovacuum would have analyzed it again within a minute.
async fn analyze(db: &Db) -> Result<()> {
    if let Db::Postgres(pool, ..) = db {
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
                .fetch_all(pool)
                .await?;
        for table in tables {
            let quoted = format!("\"{}\"", table.replace('"', "\"\""));
            let holds_rows: bool =
                sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {quoted})"))
                    .fetch_one(pool)
                    .await?;
            if holds_rows {
                sqlx::query(&format!("ANALYZE {quoted}"))
                    .execute(pool)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Fills one campus to the peer's volumes, a thousand rows to a commit: incidents over the
/// last two school years, sign-ins over the last 300 days (200 of them in the last 12 hours,
/// all signed out).
async fn fill_campus(db: &Db, district: Id, campus: Id, by: Id, now: Timestamp) -> Result<()> {
    let day = 86_400_000_i64;
    let mut tx = db.begin().await?;
    for n in 0..INCIDENTS {
        let at = now.millis() - (n as i64 % 600) * day - (n as i64 % 480) * 60_000;
        let row = triad_store::incidents::IncidentRow {
            id: Id::new().to_string(),
            district_id: district.to_string(),
            campus_id: campus.to_string(),
            agency_id: None,
            kind: "suspicious_person".into(),
            classification: "school_conduct".into(),
            occurred_at: at,
            location: "Gym entrance".into(),
            reported_by: None,
            narrative: format!("Filled report {n}"),
            provenance: "bench".into(),
            school_year: 2026,
            created_by: by.to_string(),
            created_at: at,
            updated_at: at,
        };
        triad_store::incidents::insert(&mut tx, &row).await?;
        if n % 1000 == 999 {
            tx.commit().await?;
            tx = db.begin().await?;
        }
    }
    for n in 0..SIGN_INS {
        let at = if n < SIGN_INS_TODAY {
            now.millis() - n as i64 * 200_000
        } else {
            now.millis() - (n as i64 % 300 + 1) * day
        };
        let row = triad_store::visitors::VisitorRow {
            id: Id::new().to_string(),
            district_id: district.to_string(),
            campus_id: campus.to_string(),
            given_name: format!("Filled{n}"),
            family_name: "Visitor".into(),
            birth_date: "1980-01-01".into(),
            id_type: "drivers_license".into(),
            id_last_four: "1234".into(),
            purpose: "Meeting".into(),
            host: "Office".into(),
            badge: None,
            escort: None,
            time_in: at,
            time_out: Some(at + 1_800_000),
            incident_id: None,
            created_by: by.to_string(),
            created_at: at,
            updated_at: at,
        };
        triad_store::visitors::insert_visitor(&mut tx, &row).await?;
        if n % 1000 == 999 {
            tx.commit().await?;
            tx = db.begin().await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Adds `count` entries to the audit trail straight in SQL, a tenth of them the leader's
/// district's (one in ten of those a denial, one in ten thousand an evidence action), the
/// rest another district's; the chain's head is moved past them so Triad appends after.
/// (The chain does not verify afterwards: this is a benchmark's database.)
async fn fill_audit(db: &Db, district: Id, actor: Id, count: i64, now: Timestamp) -> Result<()> {
    const CHUNK: i64 = 200_000;
    let head: i64 = scalar(db, "SELECT seq FROM audit_head WHERE id = 1").await?;
    let start = now.millis() - count * 1000;
    let mut done = 0;
    while done < count {
        let n = CHUNK.min(count - done);
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             INSERT INTO audit_log (seq, id, at, actor_id, action, record_type, record_id, outcome, \
               source, content_hash, district_id, agency_id, prev_hash, hash) \
             SELECT {base} + i, 'bench-audit-' || ({done} + i), {start} + ({done} + i) * 1000, \
               CASE WHEN i % 3 = 0 THEN '{actor}' ELSE NULL END, \
               CASE WHEN i % 10000 = 0 THEN 'evidence.transfer' WHEN i % 2 = 0 THEN 'activity.log' \
                    ELSE 'visitor.sign_in' END, \
               'thing', 'r' || i, CASE WHEN i % 100 = 0 THEN 'denied' ELSE 'ok' END, NULL, NULL, \
               CASE WHEN i % 10 = 0 THEN '{district}' ELSE 'another-district' END, NULL, 'bench', 'bench' \
             FROM n",
            base = head + done
        );
        execute(db, &sql).await?;
        done += n;
    }
    execute(
        db,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = 'bench' WHERE id = 1",
            head + count
        ),
    )
    .await?;
    Ok(())
}

/// One statement on a connection of its own that may write (the SQLite pool only reads).
async fn execute(db: &Db, sql: &str) -> Result<()> {
    match db {
        Db::Sqlite(pool, ..) => {
            let mut writable = writable(pool).await?;
            sqlx::query(sql).execute(&mut writable).await?;
            sqlx::Connection::close(writable).await?;
        }
        Db::Postgres(pool, ..) => {
            sqlx::query(sql).execute(pool).await?;
        }
    }
    Ok(())
}
