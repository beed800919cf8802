//! The district leader's Civil Rights Data Collection counts for a school year, per campus:
//! referrals to law enforcement and school-related arrests (as incidents, with the incidents
//! behind each count), arrests in the officers' logs beside them for reconciling, and the
//! full-time equivalents of sworn officers and security staff. Counts too small to publish as
//! they are are marked.

use crate::assessment::{chosen_year, year_choices, year_label, YearChoice};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::show::two_places;
use serde::Serialize;
use std::collections::HashMap;
use triad_domain::crdc::{self as rules, IncidentFacts, Post};
use triad_domain::incidents::Classification;
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Timestamp};
use triad_store::crdc as store;

/// Counts above zero and under this are marked too small to publish as they are.
pub const SMALL_COUNT_SETTING: &str = "crdc.small_count";
pub const DEFAULT_SMALL_COUNT: i64 = 10;

/// What the collection asks that Triad's records cannot give, said on the page and in the API.
pub const NOT_FROM_TRIAD: &str = "Triad does not identify students, so it cannot give the collection's counts of distinct students (a student referred twice is two incidents here) nor any breakdown by race, sex, disability or English learner status; it collects nothing to make them.";

/// An incident behind a count.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrdcRecord {
    /// referral or arrest
    pub counted_as: String,
    pub incident: String,
    /// YYYY-MM-DD, the district's day
    pub day: String,
    pub link: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrdcCampus {
    pub campus: String,
    pub name: String,
    pub referrals: usize,
    pub referrals_too_small: bool,
    pub arrests: usize,
    pub arrests_too_small: bool,
    /// Incidents with an arrest recorded, of students or adults.
    pub incidents_with_arrest: usize,
    /// Arrest entries in the officers' activity logs (students or adults), to reconcile with
    /// the incidents with an arrest recorded.
    pub arrests_in_logs: i64,
    /// Full-time equivalent of sworn officers (SROs) over the school days counted.
    pub sworn_fte: f64,
    /// Full-time equivalent of school safety officers posted there today.
    pub security_fte: f64,
    pub records: Vec<CrdcRecord>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CrdcCounts {
    pub district_id: String,
    pub district: String,
    pub school_year: i64,
    pub year_label: String,
    pub years: Vec<YearChoice>,
    /// School days the officers' full-time equivalents are averaged over (to today while the
    /// year runs).
    pub school_days_counted: usize,
    pub small_under: usize,
    pub campuses: Vec<CrdcCampus>,
    pub total_referrals: usize,
    pub total_arrests: usize,
    pub total_arrests_in_logs: i64,
    pub total_sworn_fte: f64,
    pub total_security_fte: f64,
    pub not_from_triad: String,
}

/// Counts built lately, by district and school year, kept while nothing was written since (see
/// [`crate::fresh::Current`]) and at most a minute (the school days counted run to today).
pub type KeptCounts = crate::fresh::Current<(Id, i64), CrdcCounts>;

/// The district's counts for a school year (`year`: the year it starts in; none, the current
/// one; at most ten back). The district's leader reads them; each read is audited, and the
/// counts are read again after any write.
pub async fn of_district(ctx: &Ctx, district: &str, year: Option<&str>) -> AppResult<CrdcCounts> {
    let id = Id::parse(district).ok_or(AppError::NotFound)?;
    let d = ctx
        .district(&mut ctx.app.db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.require(
        Action::View,
        Resource::new(RecordClass::School, Tenant::district(id)),
        ("district", &d.id),
    )
    .await?;
    let local = crate::campus::Local::of(&d);
    let current = local.school_year(ctx.now);
    let allowed: Vec<i64> = (current - 9..=current).rev().collect();
    let year = chosen_year(year, &allowed)?;
    let counts = ctx
        .app
        .crdc_counts
        .get_or_build((id, year), ctx.versions(), ctx.now, || {
            count(ctx, &d, year, &allowed)
        })
        .await?;
    Ok(CrdcCounts::clone(&counts))
}

/// Reads and counts a district's records for a school year.
async fn count(
    ctx: &Ctx,
    d: &triad_store::org::District,
    year: i64,
    allowed: &[i64],
) -> AppResult<CrdcCounts> {
    let id = Id::parse(&d.id).ok_or(AppError::NotFound)?;
    let local = crate::campus::Local::of(d);
    let cal = crate::campus::district_calendar(ctx, id, Some(year)).await?;
    let counted_days: Vec<chrono::NaiveDate> = cal
        .school_days
        .iter()
        .copied()
        .filter(|day| *day <= cal.today)
        .collect();
    let (first, last) = match (cal.terms.first(), cal.terms.last()) {
        (Some(f), Some(l)) => (f.first_day.to_string(), l.last_day.to_string()),
        _ => (String::new(), String::new()),
    };
    let mut conn = ctx.app.db.acquire().await?;
    let campuses = triad_store::org::campuses_of(&mut conn, id).await?;
    let incidents = store::incidents(&mut conn, id, year).await?;
    let logged: HashMap<String, i64> = store::arrest_entries(&mut conn, id, year)
        .await?
        .into_iter()
        .collect();
    let assignments = store::assignments(&mut conn, id, &first, &last).await?;
    let sso_posts = store::safety_officer_posts(&mut conn, id).await?;
    let small =
        triad_store::settings::get_i64(&mut conn, SMALL_COUNT_SETTING, DEFAULT_SMALL_COUNT).await?;
    drop(conn);
    let small = usize::try_from(small.max(1)).unwrap_or(10);
    let posts: Vec<Post> = assignments
        .into_iter()
        .filter_map(|(person, campus, starts, ends)| {
            Some(Post {
                person,
                campus,
                starts_on: chrono::NaiveDate::parse_from_str(&starts, "%Y-%m-%d").ok()?,
                ends_on: ends.and_then(|e| chrono::NaiveDate::parse_from_str(&e, "%Y-%m-%d").ok()),
            })
        })
        .collect();
    let sworn = rules::fte_over_days(&posts, &counted_days);
    let security = rules::fte_today(&sso_posts);
    let mut out = Vec::new();
    for c in &campuses {
        let mut records = Vec::new();
        let (mut referrals, mut arrests) = (0, 0);
        let here: Vec<&store::CountedIncidentRow> =
            incidents.iter().filter(|i| i.campus_id == c.id).collect();
        for i in &here {
            let facts = IncidentFacts {
                law_enforcement_matter: Classification::from_code(&i.classification)
                    .is_some_and(Classification::involves_law_enforcement),
                names_student: i.names_student,
                arrest_recorded: i.arrest_recorded,
            };
            let counted_as = if facts.is_arrest() {
                "arrest"
            } else if facts.is_referral() {
                "referral"
            } else {
                continue;
            };
            referrals += 1;
            arrests += usize::from(facts.is_arrest());
            records.push(CrdcRecord {
                counted_as: counted_as.to_string(),
                incident: i.id.clone(),
                day: local
                    .date(Timestamp::from_millis(i.occurred_at))
                    .to_string(),
                link: format!("/incidents/{}", i.id),
            });
        }
        out.push(CrdcCampus {
            campus: c.id.clone(),
            name: c.name.clone(),
            referrals,
            referrals_too_small: rules::too_small(referrals, small),
            arrests,
            arrests_too_small: rules::too_small(arrests, small),
            incidents_with_arrest: here.iter().filter(|i| i.arrest_recorded).count(),
            arrests_in_logs: logged.get(&c.id).copied().unwrap_or(0),
            sworn_fte: two_places(sworn.get(&c.id).copied().unwrap_or(0.0)),
            security_fte: two_places(security.get(&c.id).copied().unwrap_or(0.0)),
            records,
        });
    }
    Ok(CrdcCounts {
        district_id: d.id.clone(),
        district: d.name.clone(),
        school_year: year,
        year_label: year_label(year),
        years: year_choices(allowed),
        school_days_counted: counted_days.len(),
        small_under: small,
        total_referrals: out.iter().map(|c| c.referrals).sum(),
        total_arrests: out.iter().map(|c| c.arrests).sum(),
        total_arrests_in_logs: out.iter().map(|c| c.arrests_in_logs).sum(),
        total_sworn_fte: two_places(out.iter().map(|c| c.sworn_fte).sum()),
        total_security_fte: two_places(out.iter().map(|c| c.security_fte).sum()),
        campuses: out,
        not_from_triad: NOT_FROM_TRIAD.to_string(),
    })
}
