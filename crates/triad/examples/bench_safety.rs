//! The campus-safety benchmark: the ban check a sign-in runs, against 10,000 active bans in a
//! state-scale database; the intake of a 12-megapixel photo (hash, re-encode, store); and a
//! lockdown reaching 500 open pages of one campus over Server-Sent Events.
//!
//! Run: `cargo run --release -p triad --example bench_safety`
//! Set `TRIAD_BENCH_POSTGRES_URL` (a database that may be written) to measure PostgreSQL too.
//! Prints p50/p99 of the check, its ratio to the 10 ms target, the photo's time per stage and
//! the process's peak memory before and after the photo.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use triad_domain::visitors::{name_keys, Person};
use triad_domain::{Id, Timestamp};
use triad_store::visitors::{self as store, BanRow};
use triad_store::{org, Db};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const DISTRICTS: usize = 170;
const CAMPUSES: usize = 9;
const BANS: usize = 10_000;
/// Bans of the busiest district: the worst case for one campus's check.
const BUSY_DISTRICT_BANS: usize = 2_500;
const CHECKS: usize = 2_000;
/// Bans issued one by one, each followed by the kept bans brought up to date.
const UPDATES: usize = 200;

const GIVEN: &[&str] = &[
    "Robert",
    "Maria",
    "James",
    "Aisha",
    "Linh",
    "David",
    "Sofia",
    "Marcus",
    "Emily",
    "Carlos",
    "Grace",
    "Daniel",
    "Priya",
    "Michael",
    "Hannah",
    "Andre",
    "Olivia",
    "Samuel",
    "Rosa",
    "Kevin",
    "William",
    "Elizabeth",
    "Katherine",
    "Anthony",
];
const FAMILY: &[&str] = &[
    "Garcia", "Johnson", "Nguyen", "Smith", "Brown", "Davis", "Miller", "Wilson", "Moore",
    "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Lopez",
    "Lee", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green",
    "Baker", "Adams",
];

fn name(rng: &mut StdRng) -> (String, String) {
    let g = GIVEN[rng.gen_range(0..GIVEN.len())];
    let f = FAMILY[rng.gen_range(0..FAMILY.len())];
    // A suffix keeps most names distinct, as in a real state's ban list.
    (
        g.to_string(),
        format!("{f}{}", ["", "son", "er", "s", "ton"][rng.gen_range(0..5)]),
    )
}

fn birth(rng: &mut StdRng) -> String {
    format!(
        "19{}-{:02}-{:02}",
        rng.gen_range(55..99),
        rng.gen_range(1..13),
        rng.gen_range(1..29)
    )
}

/// A state: 170 districts of 9 campuses, 10,000 bans in force, a quarter in one district.
async fn fill(db: &Db, rng: &mut StdRng) -> Result<Vec<(Id, Id)>> {
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let mut tx = db.begin().await?;
    let user = Id::new();
    triad_store::auth::insert_user(
        &mut tx,
        &triad_store::auth::NewUser {
            id: user,
            username: "bench",
            display_name: "Bench",
            person: None,
            password_hash: "x",
        },
        now,
    )
    .await?;
    let mut campuses = Vec::new();
    for d in 0..DISTRICTS {
        let district = Id::new();
        org::insert_district(
            &mut tx,
            &org::NewDistrict {
                id: district,
                name: &format!("District {d}"),
                time_zone: "America/Chicago",
                year_start: "08-01",
            },
            now,
        )
        .await?;
        for c in 0..CAMPUSES {
            let campus = Id::new();
            org::insert_campus(
                &mut tx,
                campus,
                district,
                &format!("Campus {d}-{c}"),
                "high",
                now,
            )
            .await?;
            campuses.push((district, campus));
        }
    }
    let (district, campus) = campuses[0];
    let incident = Id::new();
    let row = triad_store::incidents::IncidentRow {
        id: incident.to_string(),
        district_id: district.to_string(),
        campus_id: campus.to_string(),
        agency_id: None,
        kind: "campus_ban".into(),
        classification: "law_enforcement".into(),
        occurred_at: now.millis(),
        location: "Office".into(),
        reported_by: None,
        narrative: "Bench".into(),
        provenance: "school".into(),
        school_year: 2026,
        created_by: user.to_string(),
        created_at: now.millis(),
        updated_at: now.millis(),
    };
    triad_store::incidents::insert(&mut tx, &row).await?;
    for n in 0..BANS {
        let (district, campus) = if n < BUSY_DISTRICT_BANS {
            campuses[n % CAMPUSES]
        } else {
            campuses[rng.gen_range(0..campuses.len())]
        };
        let (given, family) = name(rng);
        let keys = name_keys(&given, &family);
        let ban = BanRow {
            id: Id::new().to_string(),
            district_id: district.to_string(),
            campus_id: campus.to_string(),
            scope: if n % 3 == 0 { "district" } else { "campus" }.into(),
            incident_id: incident.to_string(),
            given_name: given,
            family_name: family,
            given_key: keys.given_key,
            family_key: keys.family_key,
            birth_date: Some(birth(rng)),
            description: None,
            photo_key: None,
            starts_on: "2026-01-01".into(),
            ends_on: "2099-12-31".into(),
            reason: "Bench".into(),
            served_by: "Bench".into(),
            served_at: now.millis(),
            created_by: user.to_string(),
            created_at: now.millis(),
        };
        store::insert_ban(&mut tx, &ban).await?;
    }
    tx.commit().await?;
    Ok(campuses)
}

/// One sign-in's check when nothing is kept (the first sign-in of the day in the district,
/// or the first after a ban changed): the district's bans in force read, then matched.
async fn check(db: &Db, district: Id, campus: Id, visitor: &Person) -> Result<usize> {
    let conn = &mut db.acquire().await?;
    let bans = store::BansInForce::read(conn, district, DAY).await?;
    Ok(bans.matching(campus, visitor).len())
}

const DAY: &str = "2026-11-23";

/// A visitor of a name and a birth date drawn from those the bans were made of.
fn visitor(rng: &mut StdRng) -> Person {
    let (given, family) = name(rng);
    Person {
        given,
        family,
        birth_date: chrono::NaiveDate::parse_from_str(&birth(rng), "%Y-%m-%d").ok(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

async fn bans(label: &str, db: &Db) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    let started = Instant::now();
    let campuses = fill(db, &mut rng).await?;
    println!("{label}: {} districts, {} campuses, {BANS} bans in force ({BUSY_DISTRICT_BANS} in the busiest district), filled in {:.1} s", DISTRICTS, campuses.len(), started.elapsed().as_secs_f64());
    for (scope, busy) in [("busiest district", true), ("any district", false)] {
        let mut times = Vec::with_capacity(CHECKS);
        let mut matched = 0;
        for _ in 0..CHECKS {
            let (district, campus) = if busy {
                campuses[rng.gen_range(0..CAMPUSES)]
            } else {
                campuses[rng.gen_range(0..campuses.len())]
            };
            let visitor = visitor(&mut rng);
            let t = Instant::now();
            matched += check(db, district, campus, &visitor).await?;
            times.push(t.elapsed());
        }
        times.sort();
        let p99 = percentile(&times, 0.99);
        println!(
            "  ban check read anew, {scope}: p50 {:.2} ms, p99 {:.2} ms ({:.1}x under the 10 ms target), {matched} candidate matches shown in {CHECKS} sign-ins",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            0.010 / p99.as_secs_f64()
        );
    }
    // What every other sign-in does: match against the busiest district's bans as kept.
    let (district, campus) = campuses[0];
    let kept = store::BansInForce::read(&mut db.acquire().await?, district, DAY).await?;
    let mut times = Vec::with_capacity(CHECKS);
    let mut matched = 0;
    for _ in 0..CHECKS {
        let visitor = visitor(&mut rng);
        let t = Instant::now();
        matched += kept.matching(campus, &visitor).len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "  ban check against the kept bans, busiest district ({} in force): p50 {:.1} µs, p99 {:.1} µs, {matched} candidate matches in {CHECKS} sign-ins",
        kept.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        percentile(&times, 0.99).as_secs_f64() * 1e6
    );
    // The first sign-in after a ban changed: the kept bans brought up to date from the log of
    // changed bans, for a ban issued in another district and one issued in this one.
    let page = triad_store::paging::Page {
        limit: 1,
        after: None,
    };
    let other = campuses[campuses.len() - 1];
    for (scope, (to_district, to_campus)) in [
        ("another district", other),
        ("its own district", (district, campus)),
    ] {
        let template =
            store::bans_in_force(&mut db.acquire().await?, to_district, to_campus, DAY, page)
                .await?
                .pop()
                .ok_or("no ban to copy")?;
        let mut times = Vec::with_capacity(UPDATES);
        let mut kept_now = 0;
        for _ in 0..UPDATES {
            let since = triad_store::auth::versions(&mut db.acquire().await?)
                .await?
                .bans;
            let mut tx = db.begin().await?;
            store::insert_ban(
                &mut tx,
                &BanRow {
                    id: Id::new().to_string(),
                    ..template.clone()
                },
            )
            .await?;
            tx.commit().await?;
            let t = Instant::now();
            let conn = &mut db.acquire().await?;
            let changed = store::bans_changed_since(&mut *conn, district, since)
                .await?
                .ok_or("a change named no bans")?;
            if !changed.is_empty() {
                kept_now = kept
                    .updated(&mut *conn, district, DAY, &changed)
                    .await?
                    .len();
            }
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "  kept bans brought up to date after a ban in {scope}: p50 {:.2} ms, p99 {:.2} ms over {UPDATES} changes (read anew above){}",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            if kept_now > 0 { format!(", {kept_now} bans kept after") } else { String::new() }
        );
    }
    Ok(())
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A 12-megapixel photo with the texture of a real one (noise compresses like detail).
fn twelve_megapixels() -> Result<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(12);
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let n: u8 = rng.gen_range(0..48);
        image::Rgb([
            ((x / 16) as u8).wrapping_add(n),
            ((y / 12) as u8).wrapping_add(n),
            n.wrapping_mul(3),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg)?;
    Ok(out.into_inner())
}

async fn photo() -> Result<()> {
    let bytes = twelve_megapixels()?;
    let dir = tempfile_dir()?;
    let files = triad_store::instance::FileStore::new(&dir);
    let before = peak_rss_kib();
    let t = Instant::now();
    let processed = triad_app::photo::process(&bytes, &triad_app::photo::Limits::default())?;
    let processing = t.elapsed();
    let t = Instant::now();
    files
        .put("photos-original", processed.format, bytes.clone())
        .await?;
    files
        .put("photos-view", "jpg", processed.view_jpeg.clone())
        .await?;
    let storing = t.elapsed();
    let after = peak_rss_kib();
    println!(
        "photo intake, 12 MP JPEG of {:.1} MB: hash + decode + re-encode {:.0} ms, store both files (synced) {:.0} ms; viewing copy {}x{} {:.0} KB; peak memory {} MB before, {} MB after",
        bytes.len() as f64 / 1e6,
        processing.as_secs_f64() * 1e3,
        storing.as_secs_f64() * 1e3,
        processed.view_width,
        processed.view_height,
        processed.view_jpeg.len() as f64 / 1e3,
        before / 1024,
        after / 1024
    );
    // Eight sent at once: decodes take turns (one per core), so the peak stays near that
    // of as many photos as there are cores, not eight.
    let t = Instant::now();
    let limits = triad_app::photo::Limits::default();
    let shared = std::sync::Arc::new(bytes.clone());
    let at_once: Vec<_> = (0..8)
        .map(|_| {
            let (bytes, limits) = (shared.clone(), limits.clone());
            tokio::spawn(triad_app::photo::process_bounded(ArcBytes(bytes), limits))
        })
        .collect();
    for task in at_once {
        task.await??.map_err(|e| e.to_string())?;
    }
    println!(
        "photo intake, 8 x 12 MP at once: {:.0} ms in all; peak memory {} MB (one at a time: {} MB)",
        t.elapsed().as_secs_f64() * 1e3,
        peak_rss_kib() / 1024,
        after / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// One photo's bytes shared by several intakes.
struct ArcBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("triad-bench-{}", Id::new()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

const LISTENERS: usize = 500;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// 500 pages of one campus listen; a principal calls a lockdown over the API; the time from
/// the request to each page hearing it.
/// Pages of one campus listening live, spread over `instances` servers on one database; a
/// lockdown called on the first server; the time until every page has heard it.
async fn live(label: &str, url: &str, dir: &std::path::Path, instances: usize) -> Result<()> {
    use triad_domain::auth::{Grant, Role, Scope};
    let db = Db::open(url).await?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let (district, campus, principal) = (Id::new(), Id::new(), Id::new());
    let mut tx = db.begin().await?;
    org::insert_district(
        &mut tx,
        &org::NewDistrict {
            id: district,
            name: "Live",
            time_zone: "America/Chicago",
            year_start: "08-01",
        },
        now,
    )
    .await?;
    org::insert_campus(&mut tx, campus, district, "Live High", "high", now).await?;
    triad_store::auth::insert_user(
        &mut tx,
        &triad_store::auth::NewUser {
            id: principal,
            username: &format!("bench-principal-{principal}"),
            display_name: "Principal",
            person: None,
            password_hash: "x",
        },
        now,
    )
    .await?;
    triad_store::auth::add_grant(
        &mut tx,
        principal,
        Grant {
            role: Role::CampusAdmin,
            scope: Scope::Campus { district, campus },
        },
        now,
    )
    .await?;
    let token = triad_store::auth::new_secret("triad_pat_");
    triad_store::auth::insert_token(
        &mut tx,
        Id::new(),
        principal,
        "bench",
        &triad_store::auth::secret_hash(&token),
        now,
    )
    .await?;
    let mut cookies = Vec::new();
    for _ in 0..LISTENERS {
        let secret = triad_store::auth::new_secret("");
        triad_store::auth::insert_session(
            &mut tx,
            &triad_store::auth::secret_hash(&secret),
            principal,
            "csrf",
            true,
            None,
            now,
        )
        .await?;
        cookies.push(format!("__Host-triad_session={secret}"));
    }
    tx.commit().await?;
    let mut bases = Vec::new();
    for _ in 0..instances {
        let instance = triad_store::instance::Instance::open(&dir.join("data"))?;
        let state = triad_web::AppState::new(
            Db::open(url).await?,
            std::sync::Arc::new(triad_web::SystemClock),
            triad_web::WebConfig::default(),
            instance,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        bases.push(format!("http://{}", listener.local_addr()?));
        tokio::spawn(triad_web::serve(listener, state, std::future::pending()));
    }
    db.close().await;
    // Let every instance start listening for notifications before pages connect.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let base = bases[0].clone();
    let before = rss_kib();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let (heard_tx, mut heard_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for (n, cookie) in cookies.into_iter().enumerate() {
        let mut stream = http
            .get(format!("{}/campuses/{campus}/live", bases[n % instances]))
            .header("cookie", cookie)
            .send()
            .await?;
        let heard = heard_tx.clone();
        tokio::spawn(async move {
            let mut seen = String::new();
            while let Ok(Some(chunk)) = stream.chunk().await {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.contains("\"status\":\"lockdown\"") {
                    let _ = heard.send(Instant::now());
                    return;
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let connected = rss_kib();
    let called = Instant::now();
    let r = http
        .post(format!("{base}/api/v1/campuses/{campus}/status"))
        .bearer_auth(&token)
        .header("idempotency-key", Id::new().to_string())
        .json(&serde_json::json!({"action": "lockdown", "version": "0"}))
        .send()
        .await?;
    if !r.status().is_success() {
        return Err(format!("the lockdown was refused: {}", r.text().await?).into());
    }
    let mut delays = Vec::with_capacity(LISTENERS);
    while delays.len() < LISTENERS {
        match tokio::time::timeout(Duration::from_secs(10), heard_rx.recv()).await {
            Ok(Some(at)) => delays.push(at.duration_since(called)),
            _ => break,
        }
    }
    delays.sort();
    if delays.is_empty() {
        return Err("no page heard the lockdown".into());
    }
    println!(
        "live lockdown, {} of {LISTENERS} pages of one campus ({label}, {instances} instance(s), lockdown called on the first): p50 {:.1} ms, p99 {:.1} ms, last {:.1} ms after the request; {:.0} KB of memory per connected page (servers and clients in one process)",
        delays.len(),
        percentile(&delays, 0.5).as_secs_f64() * 1e3,
        percentile(&delays, 0.99).as_secs_f64() * 1e3,
        delays[delays.len() - 1].as_secs_f64() * 1e3,
        connected.saturating_sub(before) as f64 / LISTENERS as f64
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    // TRIAD_BENCH_ONLY=photo measures the photo intake alone.
    if std::env::var("TRIAD_BENCH_ONLY").as_deref() == Ok("photo") {
        return photo().await;
    }
    let scratch = tempfile_dir()?;
    let sqlite_url = format!("sqlite://{}/live.db", scratch.display());
    live("SQLite", &sqlite_url, &scratch, 1).await?;
    if let Ok(url) = std::env::var("TRIAD_BENCH_POSTGRES_URL") {
        live("PostgreSQL", &url, &scratch, 2).await?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    photo().await?;
    let dir = tempfile_dir()?;
    let sqlite = Db::open(&format!("sqlite://{}/bench.db", dir.display())).await?;
    bans("SQLite", &sqlite).await?;
    sqlite.close().await;
    if let Ok(url) = std::env::var("TRIAD_BENCH_POSTGRES_URL") {
        let pg = Db::open(&url).await?;
        bans("PostgreSQL", &pg).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
