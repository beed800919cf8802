//! The first benchmark: what a signed-in page and an audited write cost over real HTTP, and
//! what the same INSERT costs straight through sqlx on the same database file.
//!
//! Run: `cargo build --release -p triad && cargo run --release -p triad --example bench`
//! Needs `wrk` (Debian package `wrk`). Prints requests per second, p50/p99 latency, the ratio
//! of raw inserts to audited HTTP writes, and the server's peak memory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::Db;

const SECONDS: &str = "10";
const CONNECTIONS: &str = "16";
const DIRECT_INSERTS: usize = 2000;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What wrk reports for one run.
struct Load {
    rps: f64,
    p50: String,
    p99: String,
    errors: u64,
}

fn triad_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("no target folder")?;
    let bin = dir.join("triad");
    if !bin.exists() {
        return Err(format!(
            "{} is missing: run `cargo build --release -p triad` first",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

fn wrk(url: &str, extra: &[&str]) -> Result<Load> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            "-c",
            CONNECTIONS,
            "-d",
            &format!("{SECONDS}s"),
            "--latency",
        ])
        .args(extra)
        .arg(url)
        .output()
        .map_err(|e| format!("wrk could not run ({e}): apt-get install wrk"))?;
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
    Ok(Load {
        rps: field("Requests/sec:").parse().unwrap_or(0.0),
        p50: field("50%"),
        p99: field("99%"),
        errors,
    })
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn direct_inserts(db: &Db, district: Id) -> Result<f64> {
    let started = Instant::now();
    for i in 0..DIRECT_INSERTS {
        let mut tx = db.begin().await?;
        triad_store::org::insert_campus(
            &mut tx,
            Id::new(),
            district,
            &format!("Direct campus {i}"),
            "high",
            Timestamp::from_millis(0),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(DIRECT_INSERTS as f64 / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<()> {
    let bin = triad_binary()?;
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/triad.db", dir.path().display());
    let data = dir.path().display().to_string();
    let demo = Command::new(&bin)
        .args([
            "--data-dir",
            &data,
            "--database-url",
            &url,
            "demo",
            "--no-serve",
        ])
        .stdout(Stdio::null())
        .status()?;
    if !demo.success() {
        return Err("the demo could not be made".into());
    }
    let db = Db::open(&url).await?;
    let leader = accounts::user_by_name(&mut db.acquire().await?, "district-leader")
        .await?
        .ok_or("no district-leader")?;
    let district = triad_store::org::districts(&mut db.acquire().await?)
        .await?
        .first()
        .and_then(|d| Id::parse(&d.id))
        .ok_or("no district")?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let session = accounts::new_secret("");
    let token = accounts::new_secret("triad_pat_");
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
    accounts::insert_token(
        &mut tx,
        Id::new(),
        leader.user_id(),
        "bench",
        &accounts::secret_hash(&token),
        now,
    )
    .await?;
    tx.commit().await?;

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
    let home = wrk(&format!("{base}/"), &["-H", &cookie])?;

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
    let write = wrk(&base, &["-s", &script_path])?;
    let peak = peak_memory_kib(server.0.id());
    drop(server);
    let direct = direct_inserts(&db, district).await?;

    println!("Triad benchmark: SQLite (WAL, synchronous=FULL), {CONNECTIONS} connections, {SECONDS} s each, wrk over loopback");
    println!("  home page (district leader, signed in): {:>8.0} req/s   p50 {:>8}   p99 {:>8}   errors {}", home.rps, home.p50, home.p99, home.errors);
    println!("  audited write (API: new campus):        {:>8.0} req/s   p50 {:>8}   p99 {:>8}   errors {}", write.rps, write.p50, write.p99, write.errors);
    println!("  the same INSERT through sqlx directly:  {:>8.0} rows/s  ({DIRECT_INSERTS} rows, one transaction each)", direct);
    if write.rps > 0.0 {
        println!(
            "  ratio direct INSERT : audited HTTP write = {:.1} : 1",
            direct / write.rps
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
