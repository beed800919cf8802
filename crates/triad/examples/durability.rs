//! Durability, measured: a server killed with SIGKILL under a load of API writes keeps every
//! write it acknowledged, and its audit trail still verifies.
//!
//! Each trial starts `triad serve`, has 16 clients create campuses through the API, kills the
//! server at a random moment between 0.5 and 2.5 s, then starts it again and checks that every
//! campus answered `201` is there and that `triad audit verify` passes. Writes in flight at
//! the kill may or may not be kept (their clients were told nothing); they are counted apart.
//!
//! Run: `cargo build --release -p triad && cargo run --release -p triad --example durability`
//! (ten trials on SQLite). With `TRIAD_BENCH_DATABASE_URL` set to an empty PostgreSQL database
//! that may be written, five trials there (`TRIAD_DURABILITY_TRIALS` changes the count).

use rand::Rng;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::Db;

mod common;
use common::{triad_binary, Result, Server};

const CLIENTS: usize = 16;

fn start(bin: &Path, data: &str, url: &str, addr: &str) -> Result<Server> {
    Ok(Server(
        common::serve_command(bin, data, url, addr)
            .env("RUST_LOG", "error")
            .spawn()?,
    ))
}

async fn wait_ready(http: &reqwest::Client, base: &str) -> Result<()> {
    for _ in 0..400 {
        if let Ok(r) = http.get(format!("{base}/health/ready")).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Err("the server did not become ready".into())
}

/// What one trial found.
#[derive(Default)]
struct Trial {
    acknowledged: usize,
    kept: usize,
    in_flight_kept: usize,
    chain_verified: bool,
    restart_ms: u128,
}

#[tokio::main]
async fn main() -> Result<()> {
    let bin = triad_binary()?;
    let dir = tempfile::tempdir()?;
    let url = std::env::var("TRIAD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/triad.db", dir.path().display()));
    let postgres = url.starts_with("postgres");
    let trials: usize = std::env::var("TRIAD_DURABILITY_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(if postgres { 5 } else { 10 });
    let data = dir.path().display().to_string();
    let (db, leader, district) = common::demo(&bin, &data, &url, &[]).await?;
    let district = district.to_string();
    let token = accounts::new_secret("triad_pat_");
    let mut tx = db.begin().await?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let hash = accounts::secret_hash(&token);
    accounts::insert_token(
        &mut tx,
        Id::new(),
        leader.user_id(),
        "durability",
        &hash,
        now,
    )
    .await?;
    tx.commit().await?;
    db.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    println!(
        "Durability under SIGKILL: {} ({trials} trials, {CLIENTS} clients writing)",
        if postgres {
            "PostgreSQL"
        } else {
            "SQLite (WAL, synchronous=FULL)"
        }
    );
    let mut results = Vec::new();
    for trial in 1..=trials {
        let server = start(&bin, &data, &url, &addr)?;
        wait_ready(&http, &base).await?;
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let sent = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let (http, base, token, district) =
                (http.clone(), base.clone(), token.clone(), district.clone());
            let (acknowledged, sent) = (acknowledged.clone(), sent.clone());
            clients.push(tokio::spawn(async move {
                for n in 0.. {
                    let name = format!("Durability {trial}-{c}-{n}");
                    sent.lock().map(|mut s| s.push(name.clone())).ok();
                    let answer = http
                        .post(format!("{base}/api/v1/districts/{district}/campuses"))
                        .bearer_auth(&token)
                        .header("idempotency-key", &name)
                        .json(&serde_json::json!({"name": name, "level": "high"}))
                        .send()
                        .await;
                    match answer {
                        Ok(r) if r.status().as_u16() == 201 => {
                            acknowledged.lock().map(|mut a| a.push(name)).ok();
                        }
                        // The server is gone: this client stops.
                        _ => break,
                    }
                }
            }));
        }
        let kill_after = rand::thread_rng().gen_range(500..2500);
        tokio::time::sleep(Duration::from_millis(kill_after)).await;
        drop(server);
        for c in clients {
            let _ = c.await;
        }
        let acknowledged = acknowledged.lock().map(|a| a.clone()).unwrap_or_default();
        let sent = sent.lock().map(|s| s.clone()).unwrap_or_default();

        let restarted = Instant::now();
        let server = start(&bin, &data, &url, &addr)?;
        wait_ready(&http, &base).await?;
        let restart_ms = restarted.elapsed().as_millis();
        drop(server);
        let db = Db::open(&url).await?;
        let mut conn = db.acquire().await?;
        let names: std::collections::HashSet<String> =
            triad_store::org::campuses_of(&mut conn, Id::parse(&district).ok_or("district id")?)
                .await?
                .into_iter()
                .map(|c| c.name)
                .collect();
        drop(conn);
        db.close().await;
        let kept = acknowledged.iter().filter(|n| names.contains(*n)).count();
        let in_flight_kept = sent
            .iter()
            .filter(|n| names.contains(*n) && !acknowledged.contains(n))
            .count();
        let verify = Command::new(&bin)
            .args([
                "--data-dir",
                &data,
                "--database-url",
                &url,
                "audit",
                "verify",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        let t = Trial {
            acknowledged: acknowledged.len(),
            kept,
            in_flight_kept,
            chain_verified: verify.success(),
            restart_ms,
        };
        println!(
            "  trial {trial:>2}: killed at {kill_after:>4} ms; {:>4} acknowledged, {:>4} kept ({} lost); \
             {} in flight kept; audit verify {}; ready again in {} ms",
            t.acknowledged,
            t.kept,
            t.acknowledged - t.kept,
            t.in_flight_kept,
            if t.chain_verified { "passes" } else { "FAILS" },
            t.restart_ms
        );
        results.push(t);
    }
    let acknowledged: usize = results.iter().map(|t| t.acknowledged).sum();
    let kept: usize = results.iter().map(|t| t.kept).sum();
    let verified = results.iter().filter(|t| t.chain_verified).count();
    println!(
        "Total: {kept} of {acknowledged} acknowledged writes kept ({:.4} kept ratio); audit verify passed in {verified} of {} trials.",
        if acknowledged == 0 { 1.0 } else { kept as f64 / acknowledged as f64 },
        results.len()
    );
    if kept != acknowledged || verified != results.len() {
        return Err("an acknowledged write was lost or the audit trail failed to verify".into());
    }
    Ok(())
}
