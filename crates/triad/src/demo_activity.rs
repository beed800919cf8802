//! A school year of activity for the demo: every officer logs their school days, some leaning
//! to enforcement, SSOs to patrol and escorts, so the reports tell a story.

use anyhow::Result;
use chrono::{Datelike, NaiveDate, TimeZone};
use indicatif::ProgressBar;
use rand::rngs::StdRng;
use rand::Rng;
use triad_domain::activity::{Category, SearchBasis, StaffGroup};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::Role;
use triad_domain::{Id, Timestamp};
use triad_store::activity::{self as store, ActivityRow};

/// What the demo's classroom presentations are about.
const TOPICS: &[&str] = &[
    "Internet safety",
    "Dating violence",
    "Vaping and the law",
    "Bullying and harassment",
    "Traffic safety for new drivers",
    "Careers in law enforcement",
];
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
            (Extracurricular, 3),
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
        Extracurricular => (rng.gen_range(45..=120), rng.gen_range(50..=400), 0, 0),
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
    for officer in officers {
        let table = weights(officer.role, officer.enforcement_lean);
        let days = school_days
            .iter()
            .filter(|(d, day, _)| *d == officer.district && *day <= today);
        let mut logged = 0u64;
        for (n, (_, day, year)) in days.enumerate() {
            let campus = officer.campuses[n % officer.campuses.len().max(1)];
            // A school day's log: five to seven hours of the officer's day written down, in
            // entries one after another from 07:30 (the rest is breaks, paperwork, court).
            let mut budget: i64 = rng.gen_range(300..=420);
            let mut clock: i64 = 0;
            while budget >= 5 {
                counter += 1;
                let category = pick(rng, table);
                let (minutes, students, parents, staff) = shape(rng, category);
                let minutes = minutes.min(budget);
                budget -= minutes;
                let local = day.and_hms_opt(7, 30, 0).unwrap_or_default()
                    + chrono::Duration::minutes(clock);
                clock += minutes + rng.gen_range(0..=15);
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
                    triad_role: category.triad_role_code().to_string(),
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
                    topic: category
                        .has_presentation()
                        .then(|| TOPICS[counter as usize % TOPICS.len()].to_string()),
                    class_name: category
                        .has_presentation()
                        .then(|| format!("Period {}", counter % 7 + 1)),
                    lesson_plan: None,
                    staff_group: category.has_staff_group().then(|| {
                        StaffGroup::ALL[counter as usize % StaffGroup::ALL.len()]
                            .code()
                            .to_string()
                    }),
                    school_year: *year,
                    local_date: day.to_string(),
                    week_start: triad_domain::org::week_start(*day).to_string(),
                    month: format!("{:04}-{:02}", day.year(), day.month()),
                    created_at: at.millis(),
                    updated_at: at.millis(),
                    version: 1,
                    voided_at: None,
                    voided_by: None,
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
        progress.inc(1);
    }
    store::insert_batch(&mut *tx, &batch).await?;
    Ok(())
}

/// A year of meetings: some campuses meet their SRO every week, some every other week, some
/// rarely; faculty meetings with the SRO, fall reviews, introductions, and action items.
pub async fn meetings(
    tx: &mut Tx,
    rng: &mut StdRng,
    seed: u64,
    officers: &[DemoOfficer],
    principals: &[(Id, Id, Id)],
    school_days: &[(Id, NaiveDate, i64)],
    now: Timestamp,
) -> Result<()> {
    use triad_domain::meetings::MeetingKind;
    let today = now
        .to_datetime()
        .with_timezone(&chrono_tz::America::Chicago)
        .date_naive();
    let mut counter = 0u64;
    for (n, (district, campus, principal)) in principals.iter().enumerate() {
        let Some(sro) = officers
            .iter()
            .find(|o| o.role == Role::Sro && o.campuses.contains(campus))
        else {
            continue;
        };
        let days: Vec<(NaiveDate, i64)> = school_days
            .iter()
            .filter(|(d, day, _)| d == district && *day <= today)
            .map(|(_, day, y)| (*day, *y))
            .collect();
        // Every third campus meets weekly, every third every other week, the rest monthly.
        let every_weeks = [1, 2, 4][n % 3];
        let mut plan: Vec<(MeetingKind, NaiveDate, i64)> = Vec::new();
        let mut last_week: Option<NaiveDate> = None;
        for (day, year) in &days {
            let week = triad_domain::org::week_start(*day);
            let due = last_week.is_none_or(|w| (week - w).num_days() >= 7 * every_weeks);
            if day.weekday() == chrono::Weekday::Tue && due {
                plan.push((MeetingKind::WeeklyPrincipal, *day, *year));
                last_week = Some(week);
            }
            if day.day() <= 7
                && day.weekday() == chrono::Weekday::Thu
                && (n % 2 == 0 || day.month() % 2 == 0)
            {
                plan.push((MeetingKind::Faculty, *day, *year));
            }
        }
        if let Some((first, year)) = days.first() {
            if n % 5 != 4 {
                plan.push((
                    MeetingKind::Introduction,
                    *first + chrono::Duration::days(2),
                    *year,
                ));
            }
        }
        if let Some((day, year)) = days.iter().find(|(d, _)| d.month() == 11 && d.day() >= 10) {
            if n % 2 == 0 {
                plan.push((MeetingKind::SemesterReview, *day, *year));
            }
        }
        for (kind, day, year) in plan {
            counter += 1;
            let id = Id::from_parts(&format!("triad-demo/{seed}/meeting"), counter);
            let row = triad_store::meetings::MeetingRow {
                id: id.to_string(),
                district_id: district.to_string(),
                campus_id: campus.to_string(),
                kind: kind.code().into(),
                held_on: day.to_string(),
                school_year: year,
                sro_present: kind != MeetingKind::Faculty || rng.gen_bool(0.8),
                attendees: Some("Principal, SRO".into()),
                agenda: None,
                minutes: None,
                created_by: principal.to_string(),
                created_at: now.millis(),
                updated_at: now.millis(),
                // The demo's semester reviews are held by all three.
                mou_version_id: None,
                supervisor_present: kind == MeetingKind::SemesterReview,
                admin_present: kind == MeetingKind::SemesterReview,
            };
            triad_store::meetings::insert(&mut *tx, &row).await?;
            if kind == MeetingKind::WeeklyPrincipal && rng.gen_bool(0.3) {
                let due = day + chrono::Duration::days(7);
                let owner = if rng.gen_bool(0.5) {
                    sro.user
                } else {
                    *principal
                };
                let item = Id::from_parts(&format!("triad-demo/{seed}/item"), counter);
                let titles = [
                    "Walk the campus perimeter together",
                    "Update the visitor sign-in procedure",
                    "Plan a classroom talk on online safety",
                    "Review the bus-loop supervision plan",
                ];
                let new = triad_store::meetings::NewItem {
                    id: item,
                    meeting: id,
                    campus: *campus,
                    title: titles[rng.gen_range(0..titles.len())],
                    owner: Some(owner),
                    due_on: Some(due.to_string()),
                };
                triad_store::meetings::insert_item(&mut *tx, &new, now).await?;
                if due + chrono::Duration::days(3) < today && rng.gen_bool(0.8) {
                    triad_store::meetings::set_item_status(&mut *tx, item, "done", now).await?;
                }
            }
        }
        let event = AuditEvent::new(None, "demo.meeting.import", Outcome::Ok)
            .record("campus", campus)
            .source(Some("demo".into()))
            .tenant(Some(*district), None);
        triad_store::audit::append(&mut *tx, event, now).await?;
    }
    Ok(())
}
