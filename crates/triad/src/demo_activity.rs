//! A school year of activity for the demo: every officer logs their school days, some leaning
//! to enforcement, SSOs to patrol and escorts, so the reports tell a story.

use anyhow::Result;
use chrono::{Datelike, NaiveDate, TimeZone};
use indicatif::ProgressBar;
use rand::rngs::StdRng;
use rand::Rng;
use triad_domain::activity::{Category, SearchBasis};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::Role;
use triad_domain::{Id, Timestamp};
use triad_store::activity::{self as store, ActivityRow};
use triad_store::Tx;

/// An officer who keeps a log in the demo.
pub struct DemoOfficer {
    pub user: Id,
    pub role: Role,
    pub agency: Option<Id>,
    pub district: Id,
    pub campuses: Vec<Id>,
    /// Spends more time on enforcement than the rest (the triad balance shows it).
    pub enforcement_lean: bool,
}

/// How often each category comes up, per role, in twentieths of a percent.
fn weights(role: Role, lean: bool) -> &'static [(Category, u32)] {
    use Category::*;
    match (role, lean) {
        (Role::Sso, _) => &[
            (Patrol, 35),
            (Escort, 20),
            (VisitorContact, 20),
            (Meeting, 8),
            (SafetyAudit, 7),
            (CounselingStudent, 5),
            (Training, 5),
        ],
        (_, false) => &[
            (CounselingStudent, 20),
            (Patrol, 16),
            (StaffRelationship, 12),
            (Meeting, 8),
            (ClassroomPresentation, 7),
            (CounselingParent, 5),
            (CounselingStaff, 5),
            (Extracurricular, 5),
            (SafetyAudit, 4),
            (Investigation, 4),
            (Referral, 4),
            (Training, 2),
            (CommunityPresentation, 2),
            (Arrest, 1),
            (Search, 2),
            (Other, 3),
        ],
        (_, true) => &[
            (Patrol, 34),
            (Investigation, 12),
            (CounselingStudent, 10),
            (Meeting, 8),
            (SafetyAudit, 6),
            (StaffRelationship, 6),
            (Arrest, 4),
            (Search, 5),
            (CounselingParent, 3),
            (ClassroomPresentation, 3),
            (Extracurricular, 4),
            (Training, 3),
            (Other, 2),
        ],
    }
}

fn pick(rng: &mut StdRng, table: &[(Category, u32)]) -> Category {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (c, w) in table {
        if roll < *w {
            return *c;
        }
        roll -= w;
    }
    Category::Other
}

/// Minutes and people reached, as a category usually goes.
fn shape(rng: &mut StdRng, c: Category) -> (i64, i64, i64, i64) {
    use Category::*;
    match c {
        CounselingStudent => (rng.gen_range(5..=30), 1, 0, 0),
        CounselingParent => (rng.gen_range(10..=40), 0, rng.gen_range(1..=2), 0),
        CounselingStaff | StaffRelationship => (rng.gen_range(5..=20), 0, 0, 1),
        ClassroomPresentation => (rng.gen_range(30..=55), rng.gen_range(18..=32), 0, 1),
        CommunityPresentation => (rng.gen_range(45..=90), 0, rng.gen_range(10..=60), 2),
        Meeting => (rng.gen_range(20..=60), 0, 0, rng.gen_range(2..=8)),
        Training => (rng.gen_range(60..=240), 0, 0, 0),
        Arrest | Investigation => (rng.gen_range(30..=120), 1, 0, 0),
        Extracurricular => (rng.gen_range(60..=180), rng.gen_range(50..=400), 0, 0),
        _ => (rng.gen_range(10..=45), 0, 0, 0),
    }
}

/// Logs every officer's school days up to today, in batches, then builds the summaries.
pub async fn generate(
    tx: &mut Tx,
    rng: &mut StdRng,
    seed: u64,
    officers: &[DemoOfficer],
    school_days: &[(Id, NaiveDate, i64)],
    now: Timestamp,
    progress: &ProgressBar,
) -> Result<()> {
    let tz = chrono_tz::America::Chicago;
    let today = now.to_datetime().with_timezone(&tz).date_naive();
    progress.set_message("Logging a school year of activity");
    let mut counter = 0u64;
    let mut batch: Vec<ActivityRow> = Vec::with_capacity(400);
    let mut districts: Vec<Id> = Vec::new();
    for officer in officers {
        let table = weights(officer.role, officer.enforcement_lean);
        let days = school_days
            .iter()
            .filter(|(d, day, _)| *d == officer.district && *day <= today);
        let mut logged = 0u64;
        for (n, (_, day, year)) in days.enumerate() {
            let campus = officer.campuses[n % officer.campuses.len().max(1)];
            for _ in 0..rng.gen_range(22..=34) {
                counter += 1;
                let category = pick(rng, table);
                let (minutes, students, parents, staff) = shape(rng, category);
                let local = day.and_hms_opt(7, 30, 0).unwrap_or_default()
                    + chrono::Duration::minutes(rng.gen_range(0..480));
                let at = tz
                    .from_local_datetime(&local)
                    .earliest()
                    .map(|t| Timestamp::from_datetime(t.with_timezone(&chrono::Utc)))
                    .unwrap_or(now);
                batch.push(ActivityRow {
                    id: Id::from_parts(&format!("triad-demo/{seed}/activity"), counter).to_string(),
                    author_id: officer.user.to_string(),
                    author_role: officer.role.code().to_string(),
                    agency_id: officer.agency.map(|a| a.to_string()),
                    district_id: officer.district.to_string(),
                    campus_id: campus.to_string(),
                    category: category.code().to_string(),
                    triad_role: category.triad_role().code().to_string(),
                    record_class: category.record_class(officer.role).code().to_string(),
                    started_at: at.millis(),
                    minutes,
                    students,
                    parents,
                    staff,
                    notes: None,
                    case_ref: matches!(category, Category::Arrest | Category::Investigation)
                        .then(|| format!("{}-{:05}", day.year() % 100, counter % 100_000)),
                    search_basis: (category == Category::Search).then(|| {
                        SearchBasis::ALL[rng.gen_range(0..SearchBasis::ALL.len())]
                            .code()
                            .to_string()
                    }),
                    initiated_by: None,
                    school_year: *year,
                    local_date: day.to_string(),
                    week_start: triad_domain::org::week_start(*day).to_string(),
                    month: format!("{:04}-{:02}", day.year(), day.month()),
                    created_at: at.millis(),
                    updated_at: at.millis(),
                    version: 1,
                });
                logged += 1;
                if batch.len() == 400 {
                    store::insert_batch(&mut *tx, &batch).await?;
                    batch.clear();
                }
            }
        }
        let event = AuditEvent::new(None, "demo.activity.import", Outcome::Ok)
            .record("user", officer.user)
            .content(&logged)
            .source(Some("demo".into()))
            .tenant(Some(officer.district), officer.agency);
        triad_store::audit::append(&mut *tx, event, now).await?;
        if !districts.contains(&officer.district) {
            districts.push(officer.district);
        }
        progress.inc(1);
    }
    store::insert_batch(&mut *tx, &batch).await?;
    for d in districts {
        store::rebuild_summary(&mut *tx, d).await?;
    }
    Ok(())
}
