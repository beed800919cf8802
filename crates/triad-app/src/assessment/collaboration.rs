//! Collaboration metrics over time: a small set, per term of the program's recent school
//! years, for the district or one of its campuses. Weekly SRO–principal meetings kept, the
//! semester review held with all three, the share of the SROs' logged time in each triad role,
//! action items open at the term's end, and (district-wide) the partnership survey's
//! relationship score by role with the SRO–administrator gap.

use super::findings::{district_campaigns, surveys_readable};
use super::{year_label, years};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::partnership;
use crate::show::two_places;
use serde::Serialize;
use std::collections::HashMap;
use triad_domain::activity::TriadRole;
use triad_domain::assessment as rules;
use triad_domain::meetings::cadence;
use triad_domain::policy::Action;
use triad_domain::surveys::{self as survey_rules, RespondentRole};
use triad_store::org::Partnership;
use triad_store::surveys::CampaignRow;

/// The built-in partnership survey, whose relationship question the metrics follow (a
/// district's own instrument may ask differently).
const PARTNERSHIP_SURVEY: &str = "sro-partnership";

/// School years shown: the current one and up to this many before it.
const YEARS_BACK: i64 = 3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoleShare {
    pub role: String,
    /// Percent of the logged minutes (none: nothing logged).
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyPoint {
    pub campaign: String,
    pub opens_on: String,
    /// Relationship score means (1 strongest, 4 weakest); none: a group too small to show.
    pub sro: Option<f64>,
    pub administrator: Option<f64>,
    pub educator: Option<f64>,
    /// SROs' mean minus administrators' (none: either group too small).
    pub sro_administrator_gap: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TermPoint {
    /// The term and its school year, e.g. "Fall 2026–27".
    pub term: String,
    pub first_day: String,
    pub last_day: String,
    /// The term is still running: its figures are so far.
    pub so_far: bool,
    pub school_weeks: usize,
    pub weeks_with_principal_meeting: usize,
    /// Percent of school weeks with a weekly SRO–principal meeting (none: no school week).
    pub weekly_meetings_percent: Option<f64>,
    /// Campuses that held the term's semester review with all three there, of the campuses.
    pub semester_reviews_held: usize,
    pub campuses: usize,
    pub logged_hours: f64,
    pub role_shares: Vec<RoleShare>,
    /// Joint trainings (an SRO with a school administrator) the program's officers on the
    /// campuses counted completed in the term.
    pub joint_trainings: usize,
    pub open_items_at_end: i64,
    pub surveys: Vec<SurveyPoint>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Collaboration {
    pub partnership: String,
    pub agency: String,
    pub district: String,
    /// The campus the figures are of (none: the whole district).
    pub campus: Option<CampusChoice>,
    pub campuses: Vec<CampusChoice>,
    /// When the figures were counted (YYYY-MM-DD HH:MM, the district's clock): they are
    /// counted again at most once a minute.
    pub counted_at: String,
    /// Oldest first.
    pub terms: Vec<TermPoint>,
}

fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part * 1000.0 / whole).round() / 10.0)
}

/// A program's collaboration metrics per term (`campus`: one of its campuses; none or blank,
/// the district).
pub async fn of_program(ctx: &Ctx, id: &str, campus: Option<&str>) -> AppResult<Collaboration> {
    let p = partnership::find(ctx, id, Action::View, rules::record).await?;
    let sides = partnership::sides(ctx, &p).await?;
    let (_, district) = partnership::ids(&p);
    let all = triad_store::org::campuses_of(&mut ctx.app.db.acquire().await?, district).await?;
    let choices: Vec<CampusChoice> = all
        .iter()
        .map(|c| CampusChoice {
            id: c.id.clone(),
            name: c.name.clone(),
        })
        .collect();
    let chosen =
        match campus.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(asked) => Some(choices.iter().find(|c| c.id == asked).cloned().ok_or_else(
                || {
                    AppError::Invalid(triad_domain::Invalid::one(
                        "campus",
                        "choose one of the district's campuses, or none for the whole district",
                    ))
                },
            )?),
        };
    let key = (
        p.id.clone(),
        chosen.as_ref().map(|c| c.id.clone()),
        surveys_readable(ctx, &p),
    );
    let counted = ctx
        .app
        .collaboration
        .get_or_compute(ctx.now, key, || async {
            Ok((
                ctx.now,
                terms_of(ctx, &p, &sides.local, chosen.as_ref()).await?,
            ))
        })
        .await?;
    let (counted_at, terms) = &*counted;
    Ok(Collaboration {
        partnership: p.id.clone(),
        agency: sides.agency,
        district: sides.district,
        campus: chosen,
        campuses: choices,
        counted_at: sides.local.show(counted_at.millis()),
        terms: terms.clone(),
    })
}

/// Programs' terms followed lately, by partnership, campus (none: the district) and whether
/// the reader may see the district's surveys.
/// Each is kept with when it was counted.
pub type Collaborations =
    crate::fresh::Fresh<(String, Option<String>, bool), (triad_domain::Timestamp, Vec<TermPoint>)>;

/// The program's terms of its recent school years, oldest first, from the first with a record.
async fn terms_of(
    ctx: &Ctx,
    p: &Partnership,
    local: &crate::campus::Local,
    chosen: Option<&CampusChoice>,
) -> AppResult<Vec<TermPoint>> {
    let (agency, district) = partnership::ids(p);
    let program_years = years(p, local, ctx.now);
    let current = program_years.first().copied().unwrap_or(0);
    let mut shown: Vec<i64> = program_years
        .into_iter()
        .filter(|y| *y >= current - YEARS_BACK)
        .collect();
    shown.sort_unstable();
    let campaigns = if chosen.is_none() {
        district_campaigns(ctx, p).await?
    } else {
        Vec::new()
    };
    let min_group = crate::surveys::campaigns::min_group(&ctx.app.db).await?;
    let now_ms = ctx.now.millis();
    let mut terms = Vec::new();
    for year in shown {
        let cal = crate::campus::district_calendar(ctx, district, Some(year)).await?;
        let (meetings, spans, minutes, trainings) = {
            let mut conn = ctx.app.db.acquire().await?;
            let (first, last) = match (cal.terms.first(), cal.terms.last()) {
                (Some(f), Some(l)) => (f.first_day.to_string(), l.last_day.to_string()),
                _ => (String::new(), String::new()),
            };
            (
                triad_store::meetings::of_district(&mut conn, district, year).await?,
                triad_store::assessment::officer_spans(&mut conn, agency, district, &first, &last)
                    .await?,
                // The year's minutes by day, read once and summed per term below.
                triad_store::collaboration::role_minutes_by_day(&mut conn, agency, district, year)
                    .await?,
                triad_store::collaboration::joint_trainings(&mut conn, agency, &first, &last)
                    .await?,
            )
        };
        // The program's campuses that year: those the agency's SROs served (as the
        // assessment counts them), or the one campus asked for.
        let counted: Vec<String> = match chosen {
            Some(c) => vec![c.id.clone()],
            None => {
                let mut ids: Vec<String> = spans
                    .iter()
                    .filter(|s| s.agency_id == p.agency_id && s.district_id == p.district_id)
                    .map(|s| s.campus_id.clone())
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            }
        };
        for term in cal.terms.iter().filter(|t| t.first_day <= cal.today) {
            let until = term.last_day.min(cal.today);
            let days: Vec<chrono::NaiveDate> = cal
                .school_days
                .iter()
                .copied()
                .filter(|d| term.first_day <= *d && *d <= term.last_day)
                .collect();
            let (mut weeks, mut kept, mut reviews) = (0, 0, 0);
            for campus in &counted {
                let here: Vec<_> = meetings
                    .iter()
                    .filter(|m| m.campus_id == *campus)
                    .cloned()
                    .collect();
                let c = cadence(
                    &crate::meetings::held(&here),
                    &days,
                    std::slice::from_ref(term),
                    until,
                );
                weeks += c.school_weeks;
                kept += c.weeks_with_principal_meeting;
                reviews += usize::from(c.semester_reviews.iter().any(|(_, held)| *held));
            }
            // The end of the term's last day on the district's clock (or now).
            let end = until
                .and_hms_opt(23, 59, 59)
                .and_then(|t| chrono::TimeZone::from_local_datetime(&local.tz, &t).latest())
                .map_or(now_ms, |t| t.timestamp_millis())
                .min(now_ms);
            let open = triad_store::collaboration::open_items_at(
                &mut ctx.app.db.acquire().await?,
                district,
                end,
            )
            .await?;
            let (first, last) = (term.first_day.to_string(), until.to_string());
            let mut by_role: HashMap<&str, i64> = HashMap::new();
            for m in &minutes {
                if first <= m.day && m.day <= last && counted.contains(&m.campus) {
                    *by_role.entry(m.role.as_str()).or_default() += m.minutes;
                }
            }
            let logged: i64 = by_role.values().sum();
            let (first_day, last_day) = (term.first_day.to_string(), term.last_day.to_string());
            let surveys = relationship_scores(
                ctx,
                campaigns.iter().filter(|c| {
                    c.opens_on.as_str() >= first_day.as_str()
                        && c.opens_on.as_str() <= last_day.as_str()
                }),
                min_group,
            )
            .await?;
            let joint_trainings =
                joint_trainings_on(&trainings, &spans, &p.agency_id, &counted, (&first, &last));
            terms.push(TermPoint {
                term: format!("{} {}", term.name, year_label(year)),
                first_day: term.first_day.to_string(),
                last_day: term.last_day.to_string(),
                so_far: term.last_day > cal.today,
                school_weeks: weeks,
                weeks_with_principal_meeting: kept,
                weekly_meetings_percent: percent(kept as f64, weeks as f64),
                semester_reviews_held: reviews,
                campuses: counted.len(),
                logged_hours: (logged as f64 / 6.0).round() / 10.0,
                role_shares: TriadRole::ALL
                    .iter()
                    .map(|r| RoleShare {
                        role: r.label().to_string(),
                        percent: percent(
                            by_role.get(r.code()).copied().unwrap_or(0) as f64,
                            logged as f64,
                        ),
                    })
                    .collect(),
                joint_trainings,
                open_items_at_end: open
                    .iter()
                    .filter(|(campus, _)| counted.contains(campus))
                    .map(|(_, n)| n)
                    .sum(),
                surveys,
            });
        }
    }
    // Terms before the first with any record are before the program kept its records here:
    // they are left out rather than shown as nothing done.
    let first_recorded = terms
        .iter()
        .position(|t: &TermPoint| {
            t.weeks_with_principal_meeting > 0
                || t.semester_reviews_held > 0
                || t.logged_hours > 0.0
                || t.open_items_at_end > 0
                || t.joint_trainings > 0
                || !t.surveys.is_empty()
        })
        .unwrap_or(terms.len());
    terms.drain(..first_recorded);
    Ok(terms)
}

/// The partnership survey's relationship score by role in each of `campaigns` that asked it
/// (other instruments are passed over), groups too small to show left empty.
pub(super) async fn relationship_scores(
    ctx: &Ctx,
    campaigns: impl Iterator<Item = &CampaignRow>,
    min_group: usize,
) -> AppResult<Vec<SurveyPoint>> {
    let mut out = Vec::new();
    for c in campaigns.filter(|c| c.instrument_key == PARTNERSHIP_SURVEY) {
        let Some((q, figures)) =
            crate::surveys::analysis::question_figures(&ctx.app.db, c, "relationship", min_group)
                .await?
        else {
            continue;
        };
        let mean = |role| {
            figures
                .iter()
                .find(|f| f.role == role)
                .and_then(|f| f.mean)
                .map(two_places)
        };
        out.push(SurveyPoint {
            campaign: c.name.clone(),
            opens_on: c.opens_on.clone(),
            sro: mean(RespondentRole::Sro),
            administrator: mean(RespondentRole::Administrator),
            educator: mean(RespondentRole::Educator),
            sro_administrator_gap: survey_rules::gap(
                &q,
                &figures,
                RespondentRole::Sro,
                RespondentRole::Administrator,
            )
            .map(|g| two_places(g.size)),
        });
    }
    Ok(out)
}

/// The joint trainings completed from `first` to `last` (YYYY-MM-DD) by officers the agency
/// had assigned, on the day, to one of the campuses counted: each training once, however
/// many of those campuses its officer served.
fn joint_trainings_on(
    trainings: &[triad_store::collaboration::JointTraining],
    spans: &[triad_store::assessment::SpanRow],
    agency: &str,
    counted: &[String],
    (first, last): (&str, &str),
) -> usize {
    trainings
        .iter()
        .filter(|t| first <= t.completed_on.as_str() && t.completed_on.as_str() <= last)
        .filter(|t| {
            spans.iter().any(|s| {
                s.person_id == t.person_id
                    && s.agency_id == agency
                    && counted.contains(&s.campus_id)
                    && s.starts_on <= t.completed_on
                    && s.ends_on.as_ref().is_none_or(|end| *end >= t.completed_on)
            })
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use triad_store::assessment::SpanRow;
    use triad_store::collaboration::JointTraining;

    fn span(person: &str, agency: &str, campus: &str, from: &str, to: Option<&str>) -> SpanRow {
        SpanRow {
            person_id: person.into(),
            person_name: person.into(),
            agency_id: agency.into(),
            district_id: "d".into(),
            campus_id: campus.into(),
            starts_on: from.into(),
            ends_on: to.map(str::to_string),
            le_experience_start: None,
        }
    }

    fn training(person: &str, on: &str) -> JointTraining {
        JointTraining {
            person_id: person.into(),
            completed_on: on.into(),
        }
    }

    #[test]
    fn a_joint_training_counts_for_the_campuses_its_officer_served_that_day_once() {
        let spans = [
            span("ann", "police", "north", "2026-08-01", None),
            span("ann", "police", "south", "2026-08-01", None),
            span("bob", "police", "north", "2026-08-01", Some("2026-09-30")),
            span("cy", "sheriff", "north", "2026-08-01", None),
        ];
        let trainings = [
            // Ann serves both campuses: one training.
            training("ann", "2026-09-15"),
            // Bob's assignment ended the day before.
            training("bob", "2026-10-01"),
            // Bob's, on his last day there.
            training("bob", "2026-09-30"),
            // Another agency's officer.
            training("cy", "2026-09-15"),
            // After the term.
            training("ann", "2027-01-10"),
        ];
        let fall = ("2026-08-15", "2026-12-20");
        let both = ["north".to_string(), "south".to_string()];
        assert_eq!(
            joint_trainings_on(&trainings, &spans, "police", &both, fall),
            2
        );
        let south = ["south".to_string()];
        assert_eq!(
            joint_trainings_on(&trainings, &spans, "police", &south, fall),
            1
        );
        let spring = ("2027-01-05", "2027-05-30");
        assert_eq!(
            joint_trainings_on(&trainings, &spans, "police", &both, spring),
            1
        );
    }
}
