//! The survey benchmark: importing a 100,000-row spreadsheet export, summarising a campaign
//! of 100,000 responses, and the summary page at 32 concurrent clients over real HTTP.
//!
//! Run: `cargo run --release -p triad --example bench_surveys`
//! Set `TRIAD_BENCH_POSTGRES_URL` (a database that may be written) to measure PostgreSQL too.
//! Prints the import and summary times, the process's peak memory, and the page's p50/p99.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use triad_app::surveys::{campaigns, import};
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::{Id, Timestamp};
use triad_store::{org, Db};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const ROWS: usize = 100_000;
const CLIENTS: usize = 32;
const SECONDS: u64 = 10;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// The seed's relationship table, as a workshop would export it at scale (with its mess).
fn export(rng: &mut StdRng) -> Vec<u8> {
    const ROLES: &[&str] = &[
        "SRO",
        "sro",
        "Admin",
        "Principal",
        "Educator",
        "teacher",
        "Teacher ",
        "",
        "SSO",
    ];
    const WHY: &[&str] = &[
        "Full support from upper admin",
        "We meet weekly",
        "The disconnect is large",
        "Roles are not clear",
        "",
    ];
    let mut out = String::from("Relationships = SRO and Educator\nSRO/Educator\tRelationship 1,2,3,4\tWhy did you score it that way?\n");
    for n in 0..ROWS {
        let score = match n % 97 {
            0 => "23".to_string(),
            1 => "1.5".to_string(),
            2 => "5".to_string(),
            _ => rng.gen_range(1..=4).to_string(),
        };
        out.push_str(&format!(
            "{}\t{score}\t{}\n",
            ROLES[rng.gen_range(0..ROLES.len())],
            WHY[rng.gen_range(0..WHY.len())]
        ));
    }
    out.into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e3
}

async fn run(label: &str, url: &str, dir: &std::path::Path) -> Result<()> {
    let db = Db::open(url).await?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let (district, leader) = (Id::new(), Id::new());
    let mut tx = db.begin().await?;
    org::insert_district(
        &mut tx,
        &org::NewDistrict {
            id: district,
            name: "Survey bench",
            time_zone: "America/Chicago",
            year_start: "08-01",
        },
        now,
    )
    .await?;
    triad_store::auth::insert_user(
        &mut tx,
        &triad_store::auth::NewUser {
            id: leader,
            username: &format!("bench-leader-{leader}"),
            display_name: "Leader",
            person: None,
            password_hash: "x",
        },
        now,
    )
    .await?;
    triad_store::auth::add_grant(
        &mut tx,
        leader,
        Grant {
            role: Role::DistrictLeader,
            scope: Scope::District { district },
        },
        now,
    )
    .await?;
    let session = triad_store::auth::new_secret("");
    triad_store::auth::insert_session(
        &mut tx,
        &triad_store::auth::secret_hash(&session),
        leader,
        "csrf",
        true,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    let input = campaigns::NewCampaign {
        name: format!("Bench {}", Id::new()),
        audience: "sro sso administrator educator".into(),
        opens_on: "2026-01-01".into(),
        closes_on: "2026-12-31".into(),
        ..Default::default()
    };
    let (campaign, _) = campaigns::create(&db, &input, Some(district), Some(leader), now)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let bytes = export(&mut StdRng::seed_from_u64(7));
    let memory_before = peak_rss_mib();
    let started = Instant::now();
    let report = import::import(&db, &campaign, &bytes, &[], Some(leader), "bench", now)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let import_time = started.elapsed();
    println!(
        "{label}: import of a {ROWS}-row export ({:.1} MB): {:.2} s ({:.0} rows/s), {} responses, {} values flagged; peak memory {memory_before:.0} MB before, {:.0} MB after",
        bytes.len() as f64 / 1e6,
        import_time.as_secs_f64(),
        ROWS as f64 / import_time.as_secs_f64(),
        report.responses_imported,
        report.flags.len(),
        peak_rss_mib()
    );
    let started = Instant::now();
    let summary = triad_app::surveys::analysis::summary(&db, &campaign, 5)
        .await
        .map_err(|e| format!("{e:?}"))?;
    println!(
        "{label}: summary of {} responses, computed from the database: {:.0} ms; peak memory {:.0} MB",
        summary.responses,
        started.elapsed().as_secs_f64() * 1e3,
        peak_rss_mib()
    );
    let instance = triad_store::instance::Instance::open(&dir.join(format!("data-{label}")))?;
    let state = triad_web::AppState::new(
        db,
        std::sync::Arc::new(triad_web::SystemClock),
        triad_web::WebConfig::default(),
        instance,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let page = format!("http://{}/surveys/{}", listener.local_addr()?, campaign.id);
    tokio::spawn(triad_web::serve(listener, state, std::future::pending()));
    let cookie = format!("__Host-triad_session={session}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, page, cookie) = (http.clone(), page.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = http.get(&page).header("cookie", &cookie).send().await;
                let ok = match r {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    times.push(t.elapsed());
                }
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await?);
    }
    times.sort();
    if times.is_empty() {
        return Err("the summary page never answered".into());
    }
    println!(
        "{label}: summary page, {CLIENTS} clients for {SECONDS} s: {:.0} pages/s, p50 {:.1} ms, p99 {:.1} ms (target p99 under 50 ms)",
        times.len() as f64 / SECONDS as f64,
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("triad-bench-surveys-{}", Id::new()));
    std::fs::create_dir_all(&dir)?;
    run(
        "SQLite",
        &format!("sqlite://{}/bench.db", dir.display()),
        &dir,
    )
    .await?;
    if let Ok(url) = std::env::var("TRIAD_BENCH_POSTGRES_URL") {
        run("PostgreSQL", &url, &dir).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
