//! Findings: what Triad proposes from a program's year (practices not met in its assessment;
//! gaps between roles and concerns many raised in its surveys), what people decided on them,
//! and whether what each measured has moved since.

use super::{chosen_year, counted, ratings_of, year_label, years};
use crate::campus::Local;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::partnership;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use triad_domain::assessment::{self as rules, Rating, SRO_PROGRAM};
use triad_domain::audit::Outcome;
use triad_domain::improvement::{
    self as cycle, Decision, FindingThresholds, GapFact, Moved, Proposal, RatedItem, ThemeFact,
};
use triad_domain::policy::{decide, Action, RecordClass, Resource, Tenant};
use triad_domain::surveys::{RespondentRole, Theme};
use triad_domain::{Id, Invalid};
use triad_store::improvement::{self as store, FindingRow};
use triad_store::org::Partnership;
use triad_store::paging::Page;
use triad_store::surveys::CampaignRow;

/// The settings that make a survey result a finding, over the defaults.
async fn finding_thresholds(ctx: &Ctx) -> AppResult<FindingThresholds> {
    let mut t = FindingThresholds::default();
    crate::instance_settings::read_counts(
        ctx,
        &mut [
            ("improvement.gap_tenths", &mut t.gap_tenths),
            ("improvement.theme_percent", &mut t.theme_percent),
        ],
    )
    .await?;
    Ok(t)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingView {
    /// None for a proposal nobody has decided on yet.
    pub id: Option<String>,
    pub source: String,
    /// practice, survey gap or survey concern
    pub kind: String,
    pub school_year: i64,
    pub year_label: String,
    pub title: String,
    pub detail: String,
    /// proposed, accepted or dismissed
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// What it measured when found, and what it measures now, in words.
    pub then: String,
    pub now: String,
    /// better, same or worse; none while nothing newer measures it.
    pub moved: Option<String>,
    pub moved_label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FindingRef {
    pub id: String,
    pub title: String,
    pub moved: Option<String>,
    pub moved_label: String,
}

fn kind_of(source: &str) -> &'static str {
    match source.split(':').next() {
        Some("item") => "practice",
        Some("gap") => "survey gap",
        _ => "survey concern",
    }
}

/// The program's campaigns that opened in the school year, oldest first.
pub(super) fn campaigns_of_year(all: &[CampaignRow], local: &Local, year: i64) -> Vec<CampaignRow> {
    let mut out: Vec<CampaignRow> = all
        .iter()
        .filter(|c| {
            chrono::NaiveDate::parse_from_str(&c.opens_on, "%Y-%m-%d")
                .is_ok_and(|d| i64::from(local.year_start.school_year_of(d).0) == year)
        })
        .cloned()
        .collect();
    out.sort_by(|a, b| a.opens_on.cmp(&b.opens_on));
    out
}

/// Whether the reader may read the district's survey results (its leaders and evaluators):
/// the agency's supervisors assess the program but do not read how its people answered.
pub(super) fn surveys_readable(ctx: &Ctx, p: &Partnership) -> bool {
    let (_, district) = partnership::ids(p);
    decide(
        &ctx.actor,
        Action::View,
        Resource::new(RecordClass::Aggregate, Tenant::district(district)),
    ) == triad_domain::policy::Decision::Allow
}

/// What a finding from a survey says, for a reader who may not read the survey.
pub(super) const SURVEY_NOT_SHOWN: &str =
    "The survey's figures are shown to the district's leaders and evaluators.";

/// The district's survey campaigns, for a reader who may read their results; none for
/// anyone else, so that nothing they are shown is drawn from a survey.
pub(super) async fn district_campaigns(ctx: &Ctx, p: &Partnership) -> AppResult<Vec<CampaignRow>> {
    if !surveys_readable(ctx, p) {
        return Ok(Vec::new());
    }
    Ok(triad_store::surveys::of_district(
        &mut ctx.app.db.acquire().await?,
        &p.district_id,
        Page::ALL,
    )
    .await?)
}

/// How many of each role answered a campaign, and how many of each raised each theme.
struct ThemeCounts {
    respondents: Vec<(RespondentRole, usize)>,
    raised: Vec<triad_store::surveys::ThemeCount>,
}

async fn theme_counts(ctx: &Ctx, campaign: &str) -> AppResult<ThemeCounts> {
    let mut conn = ctx.app.db.acquire().await?;
    let roles = triad_store::surveys::role_counts(&mut conn, campaign).await?;
    let raised = triad_store::surveys::theme_counts(&mut conn, campaign).await?;
    Ok(ThemeCounts {
        respondents: roles
            .into_iter()
            .filter_map(|r| {
                Some((
                    RespondentRole::from_code(&r.role)?,
                    usize::try_from(r.n).unwrap_or(0),
                ))
            })
            .collect(),
        raised,
    })
}

/// Each theme of the codebook someone raised (or `only` that one) for every role that
/// answered, those who did not raise it counted as such.
fn theme_facts<'a>(
    c: &'a CampaignRow,
    counts: &ThemeCounts,
    codebook: &'a [Theme],
    only: Option<&str>,
) -> Vec<ThemeFact<'a>> {
    codebook
        .iter()
        .filter(|t| only.is_none_or(|key| key == t.key))
        .filter(|t| only.is_some() || counts.raised.iter().any(|r| r.theme == t.key))
        .flat_map(|t| {
            counts.respondents.iter().map(move |(role, n)| ThemeFact {
                campaign_id: &c.id,
                campaign: &c.name,
                theme: &t.key,
                label: &t.label,
                concern: t.concern,
                role: *role,
                raised: counts
                    .raised
                    .iter()
                    .find(|r| r.theme == t.key && r.role == role.code())
                    .map_or(0, |r| usize::try_from(r.n).unwrap_or(0)),
                respondents: *n,
            })
        })
        .collect()
}

/// A campaign's gaps between roles, by the smallest group shown: (question key, question,
/// gap).
type Gaps = Vec<(String, String, triad_domain::surveys::Gap)>;

/// Campaigns' gaps, kept while nothing is written (each answer to an open campaign moves the
/// data version) and at most a minute: every view of an improvement plan with a finding from
/// a survey reads them, and reading them sums every answer of the campaign.
pub type KeptGaps = crate::fresh::Current<(String, usize), Gaps>;

async fn kept_gaps(ctx: &Ctx, campaign: &CampaignRow, min_group: usize) -> AppResult<Arc<Gaps>> {
    ctx.app
        .survey_gaps
        .get_or_build(
            (campaign.id.clone(), min_group),
            ctx.versions(),
            ctx.now,
            || crate::surveys::analysis::scale_gaps(&ctx.app.db, campaign, min_group),
        )
        .await
}

/// What a campaign proposes: its large gaps and its concerns many raised.
async fn survey_proposals(
    ctx: &Ctx,
    c: &CampaignRow,
    min_group: usize,
    t: FindingThresholds,
) -> AppResult<Vec<Proposal>> {
    let gaps = kept_gaps(ctx, c, min_group).await?;
    let facts: Vec<GapFact> = gaps
        .iter()
        .map(|(key, text, gap)| GapFact {
            campaign_id: &c.id,
            campaign: &c.name,
            question_key: key,
            question: text,
            gap,
        })
        .collect();
    let mut out = cycle::from_gaps(&facts, t);
    let counts = theme_counts(ctx, &c.id).await?;
    let codebook = triad_domain::surveys::seed_codebook();
    let themes = theme_facts(c, &counts, codebook, None);
    out.extend(cycle::from_themes(&themes, min_group, t));
    Ok(out)
}

/// The ratings that count for a program's year (none when it has no records).
pub(super) async fn counted_ratings(
    ctx: &Ctx,
    p: &Partnership,
    local: &Local,
    year: i64,
) -> AppResult<Option<(Vec<Option<Rating>>, std::sync::Arc<super::Scoring>)>> {
    let scoring = super::scoring(ctx, p, year, local).await?;
    if !scoring.has_records {
        return Ok(None);
    }
    let ratings = ratings_of(ctx, p, year).await?;
    Ok(Some((counted(&scoring.scored, &ratings), scoring)))
}

/// What Triad proposed lately for a program's year, by program, year and whether the reader
/// may see the district's surveys (a reader who may not is proposed no survey finding).
pub type Proposals = crate::fresh::Fresh<(String, i64, bool), Vec<Proposal>>;

/// Everything Triad proposes for a program's year, decided or not.
pub(super) async fn proposals(
    ctx: &Ctx,
    p: &Partnership,
    local: &Local,
    year: i64,
    campaigns: &[CampaignRow],
) -> AppResult<Vec<Proposal>> {
    let mut out = Vec::new();
    if let Some((ratings, scoring)) = counted_ratings(ctx, p, local, year).await? {
        let items: Vec<RatedItem> = SRO_PROGRAM
            .items
            .iter()
            .zip(&scoring.scored)
            .zip(&ratings)
            .map(|((item, scored), rating)| RatedItem {
                number: item.number,
                short: item.short,
                rating: *rating,
                figures: &scored.figures,
            })
            .collect();
        out.extend(cycle::from_items(&items));
    }
    let min_group = crate::surveys::campaigns::min_group(&ctx.app.db).await?;
    let t = finding_thresholds(ctx).await?;
    for c in campaigns_of_year(campaigns, local, year) {
        out.extend(survey_proposals(ctx, &c, min_group, t).await?);
    }
    Ok(out)
}

/// Where a finding stands now against when it was found.
pub(super) struct Movement {
    then: String,
    now: String,
    moved: Option<Moved>,
}

fn rating_words(r: Option<Rating>) -> String {
    r.map_or("not rated".to_string(), |r| r.label().to_lowercase())
}

/// The newest campaign after `found_in` asking the same questions of the same people.
/// Campaigns not yet open are not counted: they hold no answers to compare.
fn later_campaign<'a>(
    all: &'a [CampaignRow],
    found_in: &str,
    today: &str,
) -> Option<&'a CampaignRow> {
    let first = all.iter().find(|c| c.id == found_in)?;
    all.iter()
        .filter(|c| {
            c.instrument_key == first.instrument_key
                && c.campus_id == first.campus_id
                && c.audience == first.audience
                && c.opens_on > first.opens_on
                && c.opens_on.as_str() <= today
        })
        .max_by(|a, b| a.opens_on.cmp(&b.opens_on))
}

/// What the movements of one view have read, so that each is read once however many findings
/// ask for it: a year's counted ratings, the smallest group shown, a later campaign's theme
/// counts (its gaps are kept between views).
#[derive(Default)]
pub(super) struct Readings {
    years: HashMap<i64, Option<Vec<Option<Rating>>>>,
    min_group: Option<usize>,
    themes: HashMap<String, ThemeCounts>,
}

impl Readings {
    async fn min_group(&mut self, ctx: &Ctx) -> AppResult<usize> {
        if let Some(n) = self.min_group {
            return Ok(n);
        }
        let n = crate::surveys::campaigns::min_group(&ctx.app.db).await?;
        self.min_group = Some(n);
        Ok(n)
    }

    async fn gaps(&mut self, ctx: &Ctx, campaign: &CampaignRow) -> AppResult<Arc<Gaps>> {
        let min_group = self.min_group(ctx).await?;
        kept_gaps(ctx, campaign, min_group).await
    }

    async fn themes(&mut self, ctx: &Ctx, campaign: &str) -> AppResult<Option<&ThemeCounts>> {
        if !self.themes.contains_key(campaign) {
            let counts = theme_counts(ctx, campaign).await?;
            self.themes.insert(campaign.to_string(), counts);
        }
        Ok(self.themes.get(campaign))
    }
}

/// What a finding measured then and measures now.
pub(super) async fn movement(
    ctx: &Ctx,
    f: &FindingRow,
    program: (&Partnership, &Local, i64),
    campaigns: &[CampaignRow],
    read: &mut Readings,
) -> AppResult<Movement> {
    let (p, local, current) = program;
    let years_read = &mut read.years;
    let today = local.date(ctx.now).to_string();
    let parts: Vec<&str> = f.source.split(':').collect();
    let none_since = |then: String, what: &str| Movement {
        then,
        now: format!("no {what} since"),
        moved: None,
    };
    match parts.as_slice() {
        ["item", number] => {
            let index = number
                .parse::<u8>()
                .ok()
                .and_then(|n| SRO_PROGRAM.items.iter().position(|i| i.number == n));
            let mut rating_in = async |year: i64| -> AppResult<Option<Rating>> {
                if let std::collections::hash_map::Entry::Vacant(slot) = years_read.entry(year) {
                    slot.insert(counted_ratings(ctx, p, local, year).await?.map(|r| r.0));
                }
                Ok(years_read
                    .get(&year)
                    .and_then(|r| r.as_ref())
                    .zip(index)
                    .and_then(|(r, i)| r.get(i).copied().flatten()))
            };
            // Triad proposes a practice only when it is not met: what it was when found,
            // whatever that year's ratings say since.
            let then = Some(Rating::NotMet);
            let then_words = format!("{} in {}", rating_words(then), year_label(f.school_year));
            if current <= f.school_year {
                return Ok(none_since(then_words, "assessment"));
            }
            let now = rating_in(current).await?;
            Ok(Movement {
                then: then_words,
                now: format!("{} in {} so far", rating_words(now), year_label(current)),
                moved: cycle::rating_moved(then, now),
            })
        }
        ["gap", campaign, question, first, second] => {
            let then_words = f
                .measure
                .map_or(String::new(), |m| format!("a gap of {:.1} points", m.abs()));
            let Some(later) = later_campaign(campaigns, campaign, &today) else {
                return Ok(none_since(then_words, "survey"));
            };
            let gaps = read.gaps(ctx, later).await?;
            let now = gaps.iter().find(|(key, _, g)| {
                key == question && g.first.code() == *first && g.second.code() == *second
            });
            Ok(match (now, f.measure) {
                (Some((_, _, g)), Some(then)) => Movement {
                    then: then_words,
                    now: format!("{:.1} points in “{}”", g.size.abs(), later.name),
                    moved: Some(cycle::measure_moved(then, g.size)),
                },
                _ => Movement {
                    then: then_words,
                    now: format!("too few answers to compare in “{}”", later.name),
                    moved: None,
                },
            })
        }
        ["theme", campaign, theme] => {
            let percent = |share: f64| format!("{:.0} %", share * 100.0);
            let then_words = f.measure.map_or(String::new(), |m| {
                format!("raised by {} of respondents", percent(m))
            });
            let Some(later) = later_campaign(campaigns, campaign, &today) else {
                return Ok(none_since(then_words, "survey"));
            };
            let min_group = read.min_group(ctx).await?;
            let codebook = triad_domain::surveys::seed_codebook();
            let now = match read.themes(ctx, &later.id).await? {
                Some(counts) => {
                    let facts = theme_facts(later, counts, codebook, Some(theme));
                    cycle::theme_share(&facts.iter().collect::<Vec<_>>(), min_group)
                }
                None => None,
            };
            Ok(match (f.measure, now) {
                (Some(then), Some(now)) => Movement {
                    then: then_words,
                    now: format!("{} in “{}”", percent(now), later.name),
                    moved: Some(cycle::measure_moved(then, now)),
                },
                _ => Movement {
                    then: then_words,
                    now: format!("too few answers to compare in “{}”", later.name),
                    moved: None,
                },
            })
        }
        _ => Ok(none_since(String::new(), "measure")),
    }
}

fn moved_label(m: Option<Moved>) -> String {
    m.map_or("Not measured since".to_string(), |m| m.label().to_string())
}

pub(super) fn proposal_view(p: &Proposal, year: i64) -> FindingView {
    FindingView {
        id: None,
        source: p.source.clone(),
        kind: kind_of(&p.source).to_string(),
        school_year: year,
        year_label: year_label(year),
        title: p.title.clone(),
        detail: p.detail.clone(),
        status: "proposed".to_string(),
        decided_by: None,
        decided_at: None,
        then: String::new(),
        now: String::new(),
        moved: None,
        moved_label: String::new(),
    }
}

pub(super) fn finding_view(f: &FindingRow, local: &Local, m: Option<Movement>) -> FindingView {
    let (then, now, moved) = m.map_or((String::new(), String::new(), None), |m| {
        (m.then, m.now, m.moved)
    });
    FindingView {
        id: Some(f.id.clone()),
        source: f.source.clone(),
        kind: kind_of(&f.source).to_string(),
        school_year: f.school_year,
        year_label: year_label(f.school_year),
        title: f.title.clone(),
        detail: f.detail.clone(),
        status: f.status.clone(),
        decided_by: Some(f.decided_by_name.clone()),
        decided_at: Some(local.show(f.decided_at)),
        then,
        now,
        moved: moved.map(|m| m.code().to_string()),
        moved_label: moved_label(moved),
    }
}

/// A decision on one proposal, as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// The school year the proposal is of (the year it starts in); blank: the current one.
    #[serde(default)]
    pub year: String,
    /// The proposal's source, as the page or the API gave it.
    #[serde(default)]
    pub source: String,
    /// accept or dismiss
    #[serde(default)]
    pub decision: String,
    /// The finding's title (accept: required; edit it freely).
    #[serde(default)]
    pub title: String,
    /// The finding's detail, or why it is dismissed.
    #[serde(default)]
    pub detail: String,
}

/// Accepts (as written or edited) or dismisses one of the year's proposals. Only a proposal
/// Triad still makes may be decided, and only once.
pub async fn decide_finding(ctx: &Ctx, id: &str, input: &DecisionInput) -> AppResult<FindingView> {
    let p = partnership::find(ctx, id, Action::Change, rules::record).await?;
    let decision = Decision::parse(&input.decision, &input.title, &input.detail)?;
    let sides = partnership::sides(ctx, &p).await?;
    let allowed = years(&p, &sides.local, ctx.now);
    let year = chosen_year(Some(&input.year), &allowed)?;
    let campaigns = district_campaigns(ctx, &p).await?;
    let proposed = proposals(ctx, &p, &sides.local, year, &campaigns).await?;
    let Some(proposal) = proposed.iter().find(|pr| pr.source == input.source.trim()) else {
        return Err(AppError::Invalid(Invalid::one(
            "source",
            "Triad does not propose this for that school year (the records or the survey changed): reload the page",
        )));
    };
    let (status, title, detail) = match decision {
        Decision::Accept { title, detail } => ("accepted", title, detail),
        Decision::Dismiss { reason } => ("dismissed", proposal.title.clone(), reason),
    };
    let row = FindingRow {
        id: Id::new().to_string(),
        partnership_id: p.id.clone(),
        school_year: year,
        source: proposal.source.clone(),
        status: status.to_string(),
        title,
        detail,
        measure: proposal.measure,
        decided_by: ctx.actor.user.to_string(),
        decided_by_name: ctx.actor.display_name.clone(),
        decided_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    if !store::insert_finding(&mut tx, &row).await? {
        return Err(AppError::Invalid(Invalid::one(
            "source",
            "someone has already decided on this proposal: reload the page",
        )));
    }
    tx.audit(
        ctx.event("improvement.finding", Outcome::Ok)
            .record("improvement_finding", &row.id)
            .content(&row)
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(finding_view(&row, &sides.local, None))
}
