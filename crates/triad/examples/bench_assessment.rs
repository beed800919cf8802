//! Program assessment: scoring every program of an instance for one school year (the heat
//! map, which scores each program from its records), and one program's assessment page, its
//! improvement plan, its collaboration metrics and its district's CRDC counts at 32
//! concurrent clients over real HTTP.
//!
//! Run: `cargo build --release -p triad && cargo run --release -p triad --example bench_assessment`
//! Needs `wrk`. `TRIAD_BENCH_YEARS` sets the demo's school years of records (default 5);
//! `TRIAD_BENCH_SCALE=state` makes the state demo (170 districts, 1,500 campuses; records for
//! the first ten, or for the first `TRIAD_BENCH_RECORDED_DISTRICTS`: 1000 gives every campus
//! records);
//! `TRIAD_BENCH_DATABASE_URL=postgres://…` (an empty database) measures PostgreSQL.
//! `TRIAD_BENCH_DATA_DIR` keeps the demo in that folder: a later run with the same settings
//! measures it again instead of making it (a state demo with every campus recorded takes long to
//! make; made once, it can be measured on a quiet machine).

use std::time::Instant;
use triad_store::auth as accounts;

mod common;
// The load helpers every benchmark shares; this one needs only some of them.
#[allow(dead_code)]
mod load;
use common::{triad_binary, Result};
use load::{bench_session, bench_token, peak_memory_kib, scalar, serve, wrk_with, Measured};

const CLIENTS: &str = "32";
/// Sequential runs of the heat map: the first scores, the rest read what it kept.
const RUNS: usize = 5;

#[tokio::main]
async fn main() -> Result<()> {
    let bin = triad_binary()?;
    let dir = tempfile::tempdir()?;
    let data =
        std::env::var("TRIAD_BENCH_DATA_DIR").unwrap_or_else(|_| dir.path().display().to_string());
    let url = std::env::var("TRIAD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{data}/triad.db"));
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let years = std::env::var("TRIAD_BENCH_YEARS").unwrap_or_else(|_| "5".into());
    let scale = std::env::var("TRIAD_BENCH_SCALE").unwrap_or_else(|_| "district".into());
    let recorded = std::env::var("TRIAD_BENCH_RECORDED_DISTRICTS").unwrap_or_else(|_| "10".into());
    let demo_args = [
        "--scale",
        &scale,
        "--years",
        &years,
        "--recorded-districts",
        &recorded,
    ];
    // What a kept folder's demo was made with (and where): the same settings measure it again.
    let made_with = format!("{url} {}", demo_args.join(" "));
    let marker = std::path::Path::new(&data).join("bench-demo-made-with");
    let started = Instant::now();
    let (db, leader, how) = if std::fs::read_to_string(&marker).ok().as_deref() == Some(&made_with)
    {
        let db = triad_store::Db::open(&url).await?;
        let leader = accounts::user_by_name(&mut db.acquire().await?, "district-leader")
            .await?
            .ok_or("no district-leader")?;
        (db, leader, format!("kept in {data}"))
    } else {
        let (db, leader, _) = common::demo(&bin, &data, &url, &demo_args).await?;
        std::fs::write(&marker, &made_with)?;
        let made = format!("made in {:.0} s", started.elapsed().as_secs_f64());
        (db, leader, made)
    };
    let programs = scalar(&db, "SELECT COUNT(*) FROM partnerships").await?;
    let campuses = scalar(&db, "SELECT COUNT(*) FROM campuses").await?;
    let entries = scalar(&db, "SELECT COUNT(*) FROM activities").await?;
    let meetings = scalar(&db, "SELECT COUNT(*) FROM meetings").await?;
    println!(
        "{engine}: demo ({scale}, {years} school years) {how}: {programs} programs, {campuses} campuses, {entries} activity entries, {meetings} meetings"
    );
    let now = triad_domain::Timestamp::from_datetime(chrono::Utc::now());
    let evaluator = accounts::user_by_name(&mut db.acquire().await?, "evaluator")
        .await?
        .ok_or("no evaluator")?;
    let evaluator_cookie = bench_session(&db, evaluator.user_id(), now).await?;
    let evaluator_token = bench_token(&db, evaluator.user_id(), now).await?;
    let leader_cookie = bench_session(&db, leader.user_id(), now).await?;
    // The district leader's first program (with records) and its district: at state scale the
    // first program of the instance may be another district's.
    const FIRST: &str = "SELECT p.id, p.district_id FROM partnerships p \
         WHERE p.district_id IN (SELECT g.district_id FROM grants g WHERE g.user_id = $1) \
         ORDER BY p.started_on, p.id LIMIT 1";
    let leader_id = leader.id.clone();
    let (partnership, district): (String, String) = match &db {
        triad_store::Db::Sqlite(pool, ..) => {
            sqlx::query_as(FIRST)
                .bind(&leader_id)
                .fetch_one(pool)
                .await?
        }
        triad_store::Db::Postgres(pool, ..) => {
            sqlx::query_as(FIRST)
                .bind(&leader_id)
                .fetch_one(pool)
                .await?
        }
    };
    let (server, base) = serve(&bin, &data, &url).await?;
    let measured = Measured::one(server.0.id(), url.starts_with("postgres"));

    // The heat map: every program of the instance scored for this school year, one request
    // at a time (the evaluator's scope is the whole instance).
    let http = reqwest::Client::new();
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = http
            .get(format!("{base}/api/v1/assessments"))
            .bearer_auth(&evaluator_token)
            .send()
            .await?;
        if !r.status().is_success() {
            return Err(format!("the heat map answered {}", r.status()).into());
        }
        let _ = r.bytes().await?;
        times.push(t.elapsed().as_secs_f64());
    }
    // The first request scores every program from its records; the next ones within a
    // minute read the scorings kept.
    let cold = times[0];
    let mut warm = times[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    println!(
        "{engine}: scoring all {programs} programs for one school year (GET /api/v1/assessments): {:.0} ms from the records ({:.1} ms a program), then {:.1} ms (median, kept); server peak memory {:.0} MiB",
        cold * 1e3,
        cold * 1e3 / programs.max(1) as f64,
        warm[warm.len() / 2] * 1e3,
        peak_memory_kib(measured.server_pid).unwrap_or(0) as f64 / 1024.0
    );

    // The first request of a page counts from the records; the next ones within a minute
    // read what it kept. Timed once each before the load, as the district leader, so the load
    // measures the pages as they are read all day.
    let (header, value) = leader_cookie.split_once(": ").unwrap_or(("Cookie", ""));
    for (what, path) in [
        (
            "assessment page (the year before scored too)",
            format!("/partnerships/{partnership}/assessment"),
        ),
        (
            "collaboration page",
            format!("/partnerships/{partnership}/collaboration"),
        ),
        (
            "signed state export",
            format!("/districts/{district}/assessment-export"),
        ),
    ] {
        let t = Instant::now();
        let r = http
            .get(format!("{base}{path}"))
            .header(header, value)
            .send()
            .await?;
        if !r.status().is_success() {
            return Err(format!("the {what} answered {}", r.status()).into());
        }
        let _ = r.bytes().await?;
        println!(
            "{engine}: the {what}, first request (counted from the records): {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    // One program's page, as its district leader and as the evaluator read it.
    let page = format!("{base}/partnerships/{partnership}/assessment");
    for (who, cookie) in [
        ("district leader", &leader_cookie),
        ("evaluator", &evaluator_cookie),
    ] {
        let load = wrk_with(measured, CLIENTS, &page, &["-H", cookie])?;
        println!(
            "{engine}: the assessment page as the {who}, {CLIENTS} clients: {}",
            load.line()
        );
    }
    // The pages built on it, as the district leader reads them.
    for (what, path) in [
        (
            "improvement plan",
            format!("/partnerships/{partnership}/improvement"),
        ),
        (
            "collaboration",
            format!("/partnerships/{partnership}/collaboration"),
        ),
        ("CRDC counts", format!("/districts/{district}/crdc")),
    ] {
        let load = wrk_with(
            measured,
            CLIENTS,
            &format!("{base}{path}"),
            &["-H", &leader_cookie],
        )?;
        println!(
            "{engine}: the {what} page as the district leader, {CLIENTS} clients: {}",
            load.line()
        );
    }
    println!(
        "{engine}: server peak memory {:.0} MiB",
        peak_memory_kib(measured.server_pid).unwrap_or(0) as f64 / 1024.0
    );
    Ok(())
}
