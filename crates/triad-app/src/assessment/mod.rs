//! A program's assessment against the SRO Program Instrument: each practice rated from the
//! records of a school year where they can answer, by people where they cannot, and by people
//! over the records when they know better (both kept). Read and rated by the district's
//! evaluators and leaders and by the agency's supervisors; the figures carry kinds, dates and
//! counts, and links only for those who may open the records behind them.

mod checklists;
mod collaboration;
mod exchange;
mod facts;
mod findings;
mod improvement;
mod overview;
mod plan;

pub use checklists::{
    add_practice, district_practices, retire_practice, ChecklistItemView, ChecklistView,
    DistrictPractices, PracticeInput, PracticeView, RelatedPractice,
};
pub use collaboration::{
    of_program as collaboration_of, CampusChoice, Collaboration, Collaborations, RoleShare,
    SurveyPoint, TermPoint,
};
pub use exchange::{
    add_sender, export as aggregate_export, import as import_aggregate, own_key, state_imports,
    withdraw_sender, ImportReport, ImportView, OwnKey, SenderInput, SenderView, StateImports,
};
pub use findings::{decide_finding, DecisionInput, FindingRef, FindingView, KeptGaps, Proposals};
pub use improvement::{of_program as improvement_of, Improvement};
pub use overview::{heat_map, programs, HeatColumn, HeatMap, HeatRow, ProgramRef};
pub use plan::{
    add_entry, my_steps, set_step_status, MyStep, PlanEntryInput, PlanEntryView, StatusInput,
};

use crate::campus::Local;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::partnership;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use triad_domain::assessment::{
    self as rules, score, PersonRating, Rating, Scored, Source, Thresholds, SRO_PROGRAM,
};
use triad_domain::audit::Outcome;
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::assessment::{self as store, RatingRow};
use triad_store::org::Partnership;

/// The thresholds' instance settings, each with the field it sets.
fn threshold_settings(t: &mut Thresholds) -> [(&'static str, &mut u32); 8] {
    [
        ("assessment.faculty_meetings", &mut t.faculty_meetings),
        (
            "assessment.weekly_meeting_percent",
            &mut t.weekly_meeting_percent,
        ),
        ("assessment.briefing_percent", &mut t.briefing_percent),
        (
            "assessment.prepared_presentations",
            &mut t.prepared_presentations,
        ),
        (
            "assessment.community_presentations",
            &mut t.community_presentations,
        ),
        ("assessment.extracurricular", &mut t.extracurricular),
        ("assessment.staff_contacts", &mut t.staff_contacts),
        ("assessment.safety_audits", &mut t.safety_audits),
    ]
}

/// The thresholds in force: the instance's settings over the defaults.
pub async fn thresholds(ctx: &Ctx) -> AppResult<Thresholds> {
    let mut t = Thresholds::default();
    crate::instance_settings::read_counts(ctx, &mut threshold_settings(&mut t)).await?;
    Ok(t)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentSummary {
    pub met: usize,
    pub partly_met: usize,
    pub not_met: usize,
    pub not_applicable: usize,
    /// Items neither the records nor a person have rated yet.
    pub unrated: usize,
}

/// Records behind a figure: their kind, how many, their dates, and a link for a reader who
/// may open them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentEvidence {
    pub kind: String,
    pub count: usize,
    /// YYYY-MM-DD
    #[schema(value_type = Vec<String>)]
    pub dates: Arc<Vec<String>>,
    pub link: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentCampus {
    pub campus: String,
    pub name: String,
    /// met, partly_met, not_met, not_applicable; none when the records cannot say.
    pub rating: Option<String>,
    pub rating_label: String,
    pub figure: String,
}

/// A rating a person gave, with the records' own rating when they gave it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentRating {
    pub rating: String,
    pub rating_label: String,
    /// What the records said when the person rated (none: the records could not say).
    pub computed: Option<String>,
    pub note: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentItem {
    pub number: u8,
    pub group: String,
    pub short: String,
    pub practice: String,
    pub rationale: String,
    pub per_campus: bool,
    /// The records can rate it; otherwise a person does.
    pub from_records: bool,
    /// The records' rating (none: they cannot say).
    pub computed: Option<String>,
    /// The records' rating in words.
    pub computed_label: String,
    /// The rating that counts: a person's when given, else the records'.
    pub rating: Option<String>,
    pub rating_label: String,
    pub figures: Vec<String>,
    pub evidence: Vec<AssessmentEvidence>,
    #[schema(value_type = Vec<AssessmentCampus>)]
    pub campuses: Arc<Vec<AssessmentCampus>>,
    /// The rating that counted for the school year before (none: not rated, or no records).
    pub last_year: Option<String>,
    pub last_year_label: String,
    /// The person's rating that counts, newest.
    pub by_person: Option<AssessmentRating>,
    /// Earlier ratings by people, newest first.
    pub history: Vec<AssessmentRating>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearChoice {
    pub year: i64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgramAssessment {
    pub partnership: String,
    pub agency: String,
    pub district: String,
    /// The school year, named by the calendar year it starts in.
    pub school_year: i64,
    pub year_label: String,
    /// The school year before, named.
    pub year_label_before: String,
    /// The last day counted (YYYY-MM-DD): the year's last day once it is over, today before.
    pub counted_through: String,
    pub year_over: bool,
    pub instrument: String,
    pub instrument_version: u32,
    pub summary: AssessmentSummary,
    pub items: Vec<AssessmentItem>,
    /// Whether the reader may rate items.
    pub may_rate: bool,
    /// Where the district's signed export of the year for its state is downloaded, for its
    /// leaders and evaluators (not for an agency's supervisor).
    pub state_export: Option<String>,
    /// The checklists rated beside the instrument: the federal steps and the district's own
    /// practices (when it asks any).
    pub checklists: Vec<checklists::ChecklistView>,
    /// Where the district's own practices are kept, for those who keep them.
    pub district_practices: Option<String>,
    /// The school years that may be assessed, newest first.
    pub years: Vec<YearChoice>,
}

fn label(rating: Option<Rating>) -> String {
    rating.map_or("Not rated yet".to_string(), |r| r.label().to_string())
}

/// The school years a program may be assessed for: from the one its partnership started in
/// (at most ten back) to the one that holds today.
fn years(p: &Partnership, local: &Local, now: Timestamp) -> Vec<i64> {
    let current = local.school_year(now);
    let started = chrono::NaiveDate::parse_from_str(&p.started_on, "%Y-%m-%d")
        .map(|d| i64::from(local.year_start.school_year_of(d).0))
        .unwrap_or(current);
    (started.max(current - 9)..=current).rev().collect()
}

pub(crate) fn year_label(year: i64) -> String {
    triad_domain::org::SchoolYear(i32::try_from(year).unwrap_or(0)).to_string()
}

/// The school years a form offers, named.
pub(crate) fn year_choices(years: &[i64]) -> Vec<YearChoice> {
    years
        .iter()
        .map(|y| YearChoice {
            year: *y,
            label: year_label(*y),
        })
        .collect()
}

/// Reads the school year asked for (`None` or blank: the current one).
pub(crate) fn chosen_year(asked: Option<&str>, allowed: &[i64]) -> AppResult<i64> {
    let current = allowed.first().copied().unwrap_or(0);
    let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(current);
    };
    let oldest = allowed.last().copied().unwrap_or(current);
    match text.parse::<i64>() {
        Ok(y) if allowed.contains(&y) => Ok(y),
        _ => Err(AppError::Invalid(Invalid::one(
            "year",
            format!(
                "choose a school year of this program, from {} to {} (named by the year it starts in, e.g. {current})",
                year_label(oldest),
                year_label(current)
            ),
        ))),
    }
}

/// Where the records behind a figure are read, and the record the policy weighs for them.
fn link(ctx: &Ctx, p: &Partnership, source: Source) -> Option<String> {
    let (agency, district) = partnership::ids(p);
    let campus_shared = |c: Id| Resource::new(RecordClass::Shared, Tenant::campus(district, c));
    let personnel = |person: Id| crate::training::record_of(ctx, agency, person);
    let (path, record) = match source {
        Source::Mou => (
            format!("/partnerships/{}/mou", p.id),
            triad_domain::mou::record(agency, district),
        ),
        Source::Funding => (
            format!("/partnerships/{}/funding", p.id),
            triad_domain::funding::record(agency, district),
        ),
        Source::Community => (
            format!("/districts/{district}/community"),
            triad_domain::community::record(district),
        ),
        Source::Postings => (
            format!("/agencies/{agency}/postings"),
            triad_domain::training::record(agency),
        ),
        Source::Meetings(c) => (format!("/campuses/{c}/meetings"), campus_shared(c)),
        Source::Activity(c) => (format!("/reports/activity?campus={c}"), campus_shared(c)),
        Source::Post(c) => (format!("/campuses/{c}/post"), campus_shared(c)),
        Source::Training(person) => (format!("/people/{person}/training"), personnel(person)),
        Source::Evaluations(person) => (format!("/people/{person}/evaluations"), personnel(person)),
    };
    (decide(&ctx.actor, Action::View, record) == Decision::Allow).then_some(path)
}

fn rating_view(r: &RatingRow, local: &Local) -> AssessmentRating {
    let rating = Rating::from_code(&r.rating);
    AssessmentRating {
        rating: r.rating.clone(),
        rating_label: label(rating),
        computed: r.computed.clone(),
        note: r.note.clone(),
        by: r.rated_by_name.clone(),
        at: local.show(r.rated_at),
    }
}

/// The rating that counts for each item: a person's newest, else the records'.
fn counted(scored: &[Scored], ratings: &[RatingRow]) -> Vec<Option<Rating>> {
    scored
        .iter()
        .map(|s| {
            ratings
                .iter()
                .find(|r| r.item == i64::from(s.item))
                .and_then(|r| Rating::from_code(&r.rating))
                .or(s.rating)
        })
        .collect()
}

async fn ratings_of(ctx: &Ctx, p: &Partnership, year: i64) -> AppResult<Vec<RatingRow>> {
    Ok(store::ratings(
        &mut ctx.app.db.acquire().await?,
        partnership::id(p),
        year,
        &SRO_PROGRAM.key(),
    )
    .await?)
}

/// The ratings of one year and instrument among a program's ratings, newest first.
fn rows_of(all: &[RatingRow], year: i64, instrument: &str) -> Vec<RatingRow> {
    all.iter()
        .filter(|r| r.school_year == year && r.instrument == instrument)
        .cloned()
        .collect()
}

/// The ratings that counted in the year before `year`, when the program has one with records
/// (`ratings`: the program's ratings of both years).
async fn year_before(
    ctx: &Ctx,
    a: &Assessed,
    ratings: &[RatingRow],
) -> AppResult<Vec<Option<Rating>>> {
    let before = a.year - 1;
    if !a.years.contains(&before) {
        return Ok(Vec::new());
    }
    let earlier = scoring(ctx, &a.p, before, &a.sides.local).await?;
    if !earlier.has_records {
        return Ok(Vec::new());
    }
    Ok(counted(
        &earlier.scored,
        &rows_of(ratings, before, &SRO_PROGRAM.key()),
    ))
}

/// A program's year, scored: what `of_program` and a rating both need.
struct Assessed {
    p: Partnership,
    sides: partnership::Sides,
    year: i64,
    years: Vec<i64>,
    scoring: Arc<Scoring>,
}

impl Assessed {
    fn scored(&self) -> &[Scored] {
        &self.scoring.scored
    }
}

async fn assess(ctx: &Ctx, p: Partnership, year: Option<&str>) -> AppResult<Assessed> {
    let sides = partnership::sides(ctx, &p).await?;
    let years = years(&p, &sides.local, ctx.now);
    let year = chosen_year(year, &years)?;
    let scoring = scoring(ctx, &p, year, &sides.local).await?;
    if !scoring.has_records {
        return Err(AppError::Invalid(Invalid::one(
            "year",
            format!(
                "Triad holds no records of this program for {}: no SRO of the agency was assigned in the district, and no activity or meeting was recorded. Choose another school year.",
                year_label(year)
            ),
        )));
    }
    Ok(Assessed {
        p,
        sides,
        year,
        years,
        scoring,
    })
}

/// A program's year as its records rate it.
#[derive(Debug, Clone)]
pub struct Scoring {
    /// False when the program holds no record of the year (nothing else is kept then).
    pub has_records: bool,
    /// The last day counted.
    pub until: chrono::NaiveDate,
    pub year_over: bool,
    pub scored: Vec<rules::Scored>,
    /// Each item's records as its page shows them, formatted once per scoring: a program's
    /// page is read far more often than its records change.
    shown: Vec<ItemShown>,
}

/// One item's records, formatted for reading.
#[derive(Debug, Clone)]
struct ItemShown {
    /// Each evidence's dates (YYYY-MM-DD), in the order of the item's evidence.
    dates: Vec<Arc<Vec<String>>>,
    campuses: Arc<Vec<AssessmentCampus>>,
}

impl ItemShown {
    fn of(scored: &Scored) -> ItemShown {
        ItemShown {
            dates: scored
                .evidence
                .iter()
                .map(|e| Arc::new(e.dates.iter().map(|d| d.to_string()).collect()))
                .collect(),
            campuses: Arc::new(
                scored
                    .campuses
                    .iter()
                    .map(|c| AssessmentCampus {
                        campus: c.campus.to_string(),
                        name: c.name.clone(),
                        rating: c.rating.map(|r| r.code().to_string()),
                        rating_label: label(c.rating),
                        figure: c.figure.clone(),
                    })
                    .collect(),
            ),
        }
    }
}

/// Program years scored lately, by partnership and school year.
pub type Scorings = crate::fresh::Fresh<(String, i64), Scoring>;

/// A program's year as its records rate it, scored at most a minute ago (the records behind an
/// annual assessment need not be fresher).
async fn scoring(ctx: &Ctx, p: &Partnership, year: i64, local: &Local) -> AppResult<Arc<Scoring>> {
    ctx.app
        .assessments
        .get_or_compute(ctx.now, (p.id.clone(), year), || async {
            let (agency, district) = partnership::ids(p);
            let cal = crate::campus::district_calendar(ctx, district, Some(year)).await?;
            let gathered = facts::gather(ctx, p, agency, district, &cal, local).await?;
            let t = thresholds(ctx).await?;
            let scored: Vec<Scored> = SRO_PROGRAM
                .items
                .iter()
                .map(|i| score(i.number, &gathered.facts, &t))
                .collect();
            Ok(Scoring {
                has_records: gathered.has_records,
                until: gathered.facts.until,
                year_over: gathered.facts.year_over,
                shown: scored.iter().map(ItemShown::of).collect(),
                scored,
            })
        })
        .await
}

/// A program's assessment for a school year (`year`: the year it starts in; none, the current
/// one).
pub async fn of_program(ctx: &Ctx, id: &str, year: Option<&str>) -> AppResult<ProgramAssessment> {
    let p = partnership::find(ctx, id, Action::View, rules::record).await?;
    let a = assess(ctx, p, year).await?;
    let local = &a.sides.local;
    // Both years' ratings, of the instrument and the checklists, in one read.
    let all_ratings = store::ratings_in_years(
        &mut ctx.app.db.acquire().await?,
        partnership::id(&a.p),
        a.year - 1,
        a.year,
    )
    .await?;
    let ratings = rows_of(&all_ratings, a.year, &SRO_PROGRAM.key());
    let now = counted(a.scored(), &ratings);
    let before = year_before(ctx, &a, &all_ratings).await?;
    let mut summary = AssessmentSummary {
        met: 0,
        partly_met: 0,
        not_met: 0,
        not_applicable: 0,
        unrated: 0,
    };
    let mut items = Vec::new();
    let shown = &a.scoring.shown;
    for (i, ((item, scored), shown)) in SRO_PROGRAM
        .items
        .iter()
        .zip(a.scored())
        .zip(shown)
        .enumerate()
    {
        let mine: Vec<&RatingRow> = ratings
            .iter()
            .filter(|r| r.item == i64::from(item.number))
            .collect();
        let by_person = mine.first().map(|r| rating_view(r, local));
        let rating = now.get(i).copied().flatten();
        let last_year = before.get(i).copied().flatten();
        match rating {
            Some(Rating::Met) => summary.met += 1,
            Some(Rating::PartlyMet) => summary.partly_met += 1,
            Some(Rating::NotMet) => summary.not_met += 1,
            Some(Rating::NotApplicable) => summary.not_applicable += 1,
            None => summary.unrated += 1,
        }
        items.push(AssessmentItem {
            number: item.number,
            group: item.group.label().to_string(),
            short: item.short.to_string(),
            practice: item.practice.to_string(),
            rationale: item.rationale.to_string(),
            per_campus: item.per_campus,
            from_records: item.from_records,
            computed: scored.rating.map(|r| r.code().to_string()),
            computed_label: label(scored.rating),
            rating: rating.map(|r| r.code().to_string()),
            rating_label: label(rating),
            figures: scored.figures.clone(),
            evidence: scored
                .evidence
                .iter()
                .zip(&shown.dates)
                .map(|(e, dates)| AssessmentEvidence {
                    kind: e.kind.clone(),
                    count: e.count,
                    dates: Arc::clone(dates),
                    link: link(ctx, &a.p, e.source),
                })
                .collect(),
            campuses: Arc::clone(&shown.campuses),
            last_year: last_year.map(|r| r.code().to_string()),
            last_year_label: if before.is_empty() {
                "no assessment".to_string()
            } else {
                label(last_year)
            },
            by_person,
            history: mine.iter().skip(1).map(|r| rating_view(r, local)).collect(),
        });
    }
    let may_rate = decide(
        &ctx.actor,
        Action::Change,
        partnership::record(&a.p, rules::record),
    ) == Decision::Allow;
    let checklists = checklists::of_program(ctx, &a, &now, &all_ratings).await?;
    Ok(ProgramAssessment {
        partnership: a.p.id.clone(),
        agency: a.sides.agency.clone(),
        district: a.sides.district.clone(),
        school_year: a.year,
        year_label: year_label(a.year),
        year_label_before: year_label(a.year - 1),
        counted_through: a.scoring.until.to_string(),
        year_over: a.scoring.year_over,
        instrument: SRO_PROGRAM.title.to_string(),
        instrument_version: SRO_PROGRAM.version,
        summary,
        items,
        may_rate,
        state_export: reads_district_assessments(ctx, &a.p).then(|| {
            format!(
                "/districts/{}/assessment-export?year={}",
                a.p.district_id, a.year
            )
        }),
        checklists,
        district_practices: reads_district_assessments(ctx, &a.p)
            .then(|| format!("/districts/{}/practices", a.p.district_id)),
        years: year_choices(&a.years),
    })
}

/// A district's assessments as a whole (its state export, its own practices): read by its
/// leaders and evaluators, not by an agency's supervisor, who assesses only the agency's own
/// programs.
fn district_assessments(district: Id) -> Resource {
    Resource::new(RecordClass::Assessment, Tenant::district(district))
}

/// Whether the reader reads the program's district's assessments as a whole.
fn reads_district_assessments(ctx: &Ctx, p: &Partnership) -> bool {
    Id::parse(&p.district_id).is_some_and(|d| {
        decide(&ctx.actor, Action::View, district_assessments(d)) == Decision::Allow
    })
}

/// A person's rating of one item, as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// The school year (the year it starts in); blank: the current one.
    #[serde(default)]
    pub year: String,
    /// 1 to 27.
    #[serde(default)]
    pub item: String,
    /// met, partly_met, not_met or not_applicable
    #[serde(default)]
    pub rating: String,
    /// What the rating rests on (required).
    #[serde(default)]
    pub note: String,
    /// Blank: the instrument; `federal-steps` or `district`: that checklist's item.
    #[serde(default)]
    pub checklist: String,
}

/// Rates one item of a program's year; the records' own rating is kept beside it.
pub async fn rate(ctx: &Ctx, id: &str, input: &RatingInput) -> AppResult<AssessmentRating> {
    let p = partnership::find(ctx, id, Action::Change, rules::record).await?;
    let checklist = input.checklist.trim();
    if !checklist.is_empty() {
        let a = assess(ctx, p, Some(&input.year)).await?;
        return checklists::rate(ctx, &a, checklist, input).await;
    }
    let checked = PersonRating::parse(&input.item, &input.rating, &input.note)?;
    let a = assess(ctx, p, Some(&input.year)).await?;
    let computed = a
        .scored()
        .iter()
        .find(|s| s.item == checked.item)
        .and_then(|s| s.rating);
    let row = RatingRow {
        id: Id::new().to_string(),
        partnership_id: a.p.id.clone(),
        school_year: a.year,
        instrument: SRO_PROGRAM.key(),
        item: i64::from(checked.item),
        rating: checked.rating.code().to_string(),
        computed: computed.map(|r| r.code().to_string()),
        note: checked.note,
        rated_by: ctx.actor.user.to_string(),
        rated_by_name: ctx.actor.display_name.clone(),
        rated_at: ctx.now.millis(),
    };
    keep_rating(ctx, &a, &row).await
}

/// Keeps a person's rating (of the instrument or a checklist), on the audit trail.
async fn keep_rating(ctx: &Ctx, a: &Assessed, row: &RatingRow) -> AppResult<AssessmentRating> {
    let mut tx = ctx.change().await?;
    store::insert_rating(&mut tx, row).await?;
    tx.audit(
        ctx.event("assessment.rate", Outcome::Ok)
            .record("assessment_rating", &row.id)
            .content(row)
            .tenant(Id::parse(&a.p.district_id), Id::parse(&a.p.agency_id)),
    );
    tx.commit().await?;
    Ok(rating_view(row, &a.sides.local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_threshold_setting_is_known_with_the_rules_default() {
        for (key, slot) in threshold_settings(&mut Thresholds::default()) {
            let known = crate::instance_settings::KNOWN
                .iter()
                .find(|k| k.key == key)
                .unwrap_or_else(|| panic!("{key} is not a known setting"));
            assert_eq!(known.default, slot.to_string(), "{key}");
        }
    }

    #[test]
    fn a_year_is_one_of_the_programs() {
        let allowed = [2026, 2025, 2024];
        assert_eq!(chosen_year(None, &allowed).ok(), Some(2026));
        assert_eq!(chosen_year(Some(" "), &allowed).ok(), Some(2026));
        assert_eq!(chosen_year(Some("2024"), &allowed).ok(), Some(2024));
        for bad in ["2023", "2027", "-1", "twenty", "2026-27"] {
            assert!(
                matches!(chosen_year(Some(bad), &allowed), Err(AppError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
