//! What the HTTP benchmarks share: running `wrk` against a served instance while counting the
//! server's (and a local PostgreSQL's) CPU, its memory, and the sessions and tokens the load
//! signs in with.
//!
//! wrk runs one thread (`-t1`), as the peer product's published figures were taken.

use crate::common::Result;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use triad_domain::{Id, Timestamp};
use triad_store::auth as accounts;
use triad_store::Db;

/// Seconds of each wrk run.
pub const SECONDS: &str = "10";

/// What wrk reports for one run, and what the run cost in CPU.
pub struct Load {
    pub rps: f64,
    pub p50: String,
    pub p99: String,
    pub errors: u64,
    /// Server CPU time (user + system) per request, in microseconds.
    pub server_cpu_us: f64,
    /// PostgreSQL's CPU per request, when the bench runs on it (on this machine).
    pub database_cpu_us: Option<f64>,
    /// Share of the machine's CPU time that was busy during the run (wrk included).
    pub machine_busy: f64,
    /// The server's peak memory so far (VmHWM, MiB), read as the run ends: which run first
    /// took the server past a figure.
    pub peak_mib: Option<f64>,
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

/// The processes a run's CPU is counted for: the server (and a second instance's, when two
/// serve one PostgreSQL database), and PostgreSQL's when the bench runs on it (a cluster idling
/// on the same machine is not the database under test).
#[derive(Clone, Copy)]
pub struct Measured {
    pub server_pid: u32,
    pub second_server_pid: Option<u32>,
    pub postgres: bool,
}

impl Measured {
    /// One server's CPU, and PostgreSQL's if `postgres`.
    pub fn one(server_pid: u32, postgres: bool) -> Self {
        Self {
            server_pid,
            second_server_pid: None,
            postgres,
        }
    }
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
        let server = [Some(measured.server_pid), measured.second_server_pid]
            .into_iter()
            .flatten()
            .filter_map(|pid| process_ticks(Path::new(&format!("/proc/{pid}/stat"))))
            .map(|(_, ticks)| ticks)
            .sum();
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

pub fn wrk_with(measured: Measured, connections: &str, url: &str, extra: &[&str]) -> Result<Load> {
    wrk_for(measured, connections, SECONDS, url, extra)
}

/// As [`wrk_with`], for `seconds` instead of [`SECONDS`].
pub fn wrk_for(
    measured: Measured,
    connections: &str,
    seconds: &str,
    url: &str,
    extra: &[&str],
) -> Result<Load> {
    wrk_together(measured, connections, seconds, &[Target { url, extra }])
}

/// Where one wrk process sends its load: a URL, and wrk's other arguments for it (a script,
/// headers).
pub struct Target<'a> {
    pub url: &'a str,
    pub extra: &'a [&'a str],
}

/// One wrk process per target, all at once, each with `connections`: two instances behind
/// one database are loaded as a balancer in front of them would. The rates add up; the
/// latencies reported are the highest of the processes' (a p99 no client saw exceeded).
pub fn wrk_together(
    measured: Measured,
    connections: &str,
    seconds: &str,
    targets: &[Target],
) -> Result<Load> {
    let before = CpuSnapshot::take(measured);
    let mut runs = Vec::new();
    for target in targets {
        runs.push(
            Command::new("wrk")
                .args([
                    "-t1",
                    "-c",
                    connections,
                    "-d",
                    &format!("{seconds}s"),
                    "--latency",
                ])
                .args(target.extra)
                .arg(target.url)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| format!("wrk could not run ({e}): apt-get install wrk"))?,
        );
    }
    let mut outputs = Vec::new();
    for run in runs {
        outputs.push(String::from_utf8_lossy(&run.wait_with_output()?.stdout).to_string());
    }
    let after = CpuSnapshot::take(measured);
    let field = |text: &str, prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    // The highest of the processes' latencies at a percentile ("?" if one did not say).
    let slowest = |prefix: &str| {
        let all: Vec<String> = outputs.iter().map(|text| field(text, prefix)).collect();
        all.iter()
            .map(|t| millis(t))
            .collect::<Option<Vec<f64>>>()
            .and_then(|ms| {
                let top = ms.iter().copied().fold(f64::MIN, f64::max);
                all.iter().find(|t| millis(t) == Some(top)).cloned()
            })
            .unwrap_or_else(|| "?".into())
    };
    let errors = outputs
        .iter()
        .filter_map(|text| {
            text.lines()
                .find(|l| l.contains("Non-2xx or 3xx responses"))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|n| n.trim().parse::<u64>().ok())
        })
        .sum();
    let rps: f64 = outputs
        .iter()
        .map(|text| field(text, "Requests/sec:").parse::<f64>().unwrap_or(0.0))
        .sum();
    let requests = rps * seconds.parse::<f64>().unwrap_or(1.0);
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
        p50: slowest("50%"),
        p99: slowest("99%"),
        errors,
        server_cpu_us,
        database_cpu_us,
        machine_busy,
        peak_mib: peak_memory_kib(measured.server_pid).map(|kib| kib as f64 / 1024.0),
    })
}

/// A wrk latency ("1.23ms", "850.00us", "1.02s") in milliseconds.
pub fn millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

impl Load {
    pub fn line(&self) -> String {
        let database = self
            .database_cpu_us
            .map(|us| format!("   database CPU {us:>5.0} µs/req"))
            .unwrap_or_default();
        let peak = self
            .peak_mib
            .map(|mib| format!("   peak {mib:.0} MiB"))
            .unwrap_or_default();
        format!(
            "{:>8.0} req/s   p50 {:>8}   p99 {:>8}   errors {}   server CPU {:>5.0} µs/req{database}   machine busy {:>3.0}%{peak}",
            self.rps,
            self.p50,
            self.p99,
            self.errors,
            self.server_cpu_us,
            self.machine_busy * 100.0
        )
    }
}

pub fn peak_memory_kib(pid: u32) -> Option<u64> {
    memory_kib(pid, "VmHWM:")
}

pub fn resident_memory_kib(pid: u32) -> Option<u64> {
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

/// A personal access token for a demo user, made straight in the store.
pub async fn bench_token(db: &Db, user: Id, now: Timestamp) -> Result<String> {
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

/// The `Cookie:` header of a signed-in browser session for a user, made straight in the store.
pub async fn bench_session(db: &Db, user: Id, now: Timestamp) -> Result<String> {
    let session = accounts::new_secret("");
    let mut tx = db.begin().await?;
    accounts::insert_session(
        &mut tx,
        &accounts::secret_hash(&session),
        user,
        "bench",
        true,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(format!("Cookie: __Host-triad_session={session}"))
}

/// Serves the instance on a free loopback port; answers once the port takes connections.
pub async fn serve(bin: &Path, data: &str, url: &str) -> Result<(crate::common::Server, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let server = crate::common::Server(
        crate::common::serve_command(bin, data, url, &addr)
            .env("RUST_LOG", "warn")
            // The server's warnings (slow statements under load) go to the data folder's
            // log rather than between the figures.
            .stderr(std::fs::File::create(
                Path::new(data).join(format!("server-{port}.log")),
            )?)
            .spawn()?,
    );
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((server, format!("http://{addr}")))
}

/// Scripts made so far by this process: each numbers its wrk threads from its own thousand.
static SCRIPTS_MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A wrk script that POSTs `body` (a Lua expression that may use `key`, `tid` and `counter`)
/// as JSON to `path` with a bearer token, each request with its own idempotency key; yields
/// the script's path. `tid` numbers the wrk thread uniquely among the scripts this process
/// made, so two wrk processes run at once never send the same body (two sign-ins of one
/// visitor would be refused as a second open visit).
pub fn post_script(dir: &Path, name: &str, path: &str, token: &str, body: &str) -> Result<String> {
    let file = dir.join(format!("{name}.lua"));
    let first_tid = SCRIPTS_MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed) * 1000;
    std::fs::write(
        &file,
        format!(
            r#"local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", {first_tid} + threads) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local key = "{name}-" .. tid .. "-" .. counter
  return wrk.format("POST", "{path}",
    {{["Authorization"] = "Bearer {token}", ["Idempotency-Key"] = key, ["Content-Type"] = "application/json"}}, {body})
end
"#
        ),
    )?;
    Ok(file.display().to_string())
}

/// One number read straight from the database.
pub async fn scalar(db: &Db, sql: &str) -> Result<i64> {
    Ok(match db {
        Db::Sqlite(pool, ..) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        Db::Postgres(pool, ..) => sqlx::query_scalar(sql).fetch_one(pool).await?,
    })
}

/// A SQLite connection of its own that may write (the pool's connections only read; Triad
/// writes through its one writer). Close it when done.
pub async fn writable(pool: &sqlx::SqlitePool) -> Result<sqlx::SqliteConnection> {
    let mut conn = pool.acquire().await?.detach();
    sqlx::query("PRAGMA query_only = OFF")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// One request sent by hand, to count what the server does to answer it.
pub struct Request {
    pub method: &'static str,
    pub path: String,
    /// Whole header lines (`Name: value`).
    pub headers: Vec<String>,
    pub body: Option<String>,
}

/// A server that logs every statement it sends to its database (sqlx's `sqlx::query` events)
/// into a file, so the statements of one request can be counted: each is a round trip to the
/// connection's thread on SQLite, and over the network on PostgreSQL.
pub struct Counting {
    _server: crate::common::Server,
    addr: String,
    log: std::path::PathBuf,
}

impl Counting {
    pub async fn start(bin: &Path, data: &str, url: &str) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        // `TRIAD_BENCH_STATEMENT_LOG` keeps the whole log where it says, to be read after.
        let log = std::env::var_os("TRIAD_BENCH_STATEMENT_LOG")
            .map_or_else(|| Path::new(data).join("statements.log"), Into::into);
        let server = crate::common::Server(
            crate::common::serve_command(bin, data, url, &addr)
                .env("RUST_LOG", "warn,sqlx::query=debug")
                .env("NO_COLOR", "1")
                .stderr(std::fs::File::create(&log)?)
                .spawn()?,
        );
        for _ in 0..200 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            _server: server,
            addr,
            log,
        })
    }

    /// The statements the server runs to answer a request: the mean over `tries` sent one
    /// after another, after one more that may fill a cache, with the first words of each of the
    /// last one's, in order. A statement is logged as it ends, so a request's own are in the
    /// log before its answer; a write's `BEGIN` is sent as the writer's previous batch ends,
    /// before the request that uses it arrives, which is why requests are counted in a row
    /// rather than one by one. `request(n)` makes the n-th request.
    pub fn statements(
        &self,
        tries: usize,
        request: impl Fn(usize) -> Request,
    ) -> Result<(f64, Vec<String>)> {
        let mut offsets = Vec::with_capacity(tries + 1);
        for n in 0..=tries {
            if n > 0 {
                offsets.push(std::fs::metadata(&self.log)?.len() as usize);
            }
            let status = self.send(&request(n))?;
            if !(200..400).contains(&status) {
                return Err(format!("a counted request was answered {status}").into());
            }
        }
        let text = std::fs::read(&self.log)?;
        let summaries = |from: usize| -> Vec<String> {
            without_colours(&String::from_utf8_lossy(&text[from..]))
                .split(" sqlx::query: ")
                .skip(1)
                .map(|event| {
                    event
                        .split_once("summary=\"")
                        .and_then(|(_, rest)| rest.split_once('"'))
                        .map_or_else(|| "?".to_string(), |(summary, _)| summary.to_string())
                })
                .collect()
        };
        let (Some(&first), Some(&last)) = (offsets.first(), offsets.last()) else {
            return Err("statements are counted over one request at least".into());
        };
        Ok((
            summaries(first).len() as f64 / tries as f64,
            summaries(last),
        ))
    }

    /// Sends one request on a connection of its own and reads the whole answer; yields its
    /// status.
    fn send(&self, request: &Request) -> Result<u16> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.addr)?;
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            request.method, request.path, self.addr
        );
        for header in &request.headers {
            head.push_str(header);
            head.push_str("\r\n");
        }
        let body = request.body.as_deref().unwrap_or("");
        if request.body.is_some() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        let status = String::from_utf8_lossy(&answer)
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or("no status in the answer")?;
        Ok(status)
    }
}

/// A log's text without the terminal's colour codes (`ESC [ … m`).
fn without_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match rest.find('m') {
            Some(end) => rest = &rest[end + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}
