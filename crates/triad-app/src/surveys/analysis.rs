//! A campaign's analysis: figures per question and respondent role (small groups
//! suppressed), the gaps between roles, the themes of its free text, its trend across the
//! district's campaigns, and the charts of it all.

use crate::error::{AppError, AppResult};
use crate::show::two_places;
use serde::Serialize;
use std::collections::HashMap;
use triad_domain::surveys::{
    self as rules, GroupFigure, Instrument, Question, QuestionKind, RespondentRole, Value,
};
use triad_store::paging::Page;
use triad_store::surveys::{self as store, CampaignRow, RoleAnswer};
use triad_store::Db;

pub fn instrument_of(c: &CampaignRow) -> AppResult<Instrument> {
    serde_json::from_str(&c.instrument)
        .map_err(|e| AppError::Internal(format!("campaign instrument: {e}")))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FigureView {
    pub role: String,
    /// None: fewer respondents than the smallest group shown (or hidden so a hidden group
    /// cannot be worked out from the others).
    pub n: Option<usize>,
    pub mean: Option<f64>,
    pub counts: Vec<(String, usize)>,
}

impl From<GroupFigure> for FigureView {
    fn from(f: GroupFigure) -> Self {
        FigureView {
            role: f.role.label().into(),
            n: f.n,
            mean: f.mean.map(two_places),
            counts: f.counts,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionSummary {
    pub key: String,
    pub text: String,
    pub kind: String,
    /// The direction of a scale in words.
    pub direction: Option<String>,
    pub groups: Vec<FigureView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapView {
    pub question: String,
    pub between: String,
    pub size: f64,
    pub n: String,
    pub words: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ThemeView {
    pub theme: String,
    pub label: String,
    /// Answers carrying the theme, by role (None: the role's group is too small to show).
    pub by_role: Vec<(String, Option<i64>)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub campaign: String,
    pub opens_on: String,
    pub question: String,
    pub role: String,
    pub n: Option<usize>,
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub campaign_id: String,
    pub district_id: Option<String>,
    pub campaign: String,
    pub instrument: String,
    pub opens_on: String,
    pub closes_on: String,
    pub responses: i64,
    pub min_group: usize,
    pub questions: Vec<QuestionSummary>,
    pub gaps: Vec<GapView>,
    pub themes: Vec<ThemeView>,
    pub trend: Vec<TrendPoint>,
}

pub fn value_of(a: &RoleAnswer) -> Option<Value> {
    a.value_number
        .map(Value::Number)
        .or(a.value_bool.map(Value::Bool))
        .or(a.value_text.clone().map(Value::Text))
}

pub fn role_of(code: &str) -> RespondentRole {
    RespondentRole::from_code(code).unwrap_or(RespondentRole::Unknown)
}

/// The figures of every question of a campaign, from the database's counts of each value.
async fn figures(
    db: &Db,
    campaign: &str,
    instrument: &Instrument,
    min_group: usize,
) -> AppResult<Vec<(String, Vec<GroupFigure>)>> {
    let choices: Vec<String> = instrument
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Choice)
        .map(|q| q.key.clone())
        .collect();
    let counts = store::value_counts(&mut db.acquire().await?, campaign, &choices).await?;
    Ok(instrument
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.kind,
                QuestionKind::Scale | QuestionKind::YesNo | QuestionKind::Choice
            )
        })
        .map(|q| {
            let values: Vec<(RespondentRole, Value)> = counts
                .iter()
                .filter(|c| c.question_key == q.key)
                .flat_map(|c| {
                    let value = c
                        .value_number
                        .map(Value::Number)
                        .or(c.value_bool.map(Value::Bool))
                        .or(c.value_text.clone().map(Value::Text));
                    let role =
                        RespondentRole::from_code(&c.role).unwrap_or(RespondentRole::Unknown);
                    let times = usize::try_from(c.n).unwrap_or(0);
                    value
                        .map(|v| std::iter::repeat_n((role, v), times))
                        .into_iter()
                        .flatten()
                })
                .collect();
            (q.key.clone(), rules::summarise(q, &values, min_group))
        })
        .collect())
}

/// The analysis of a campaign as others may see it.
pub async fn summary(db: &Db, campaign: &CampaignRow, min_group: usize) -> AppResult<Summary> {
    let instrument = instrument_of(campaign)?;
    let mut conn = db.acquire().await?;
    let roles = store::role_counts(&mut conn, &campaign.id).await?;
    let theme_counts = store::theme_counts(&mut conn, &campaign.id).await?;
    drop(conn);
    let responses: i64 = roles.iter().map(|r| r.n).sum();
    let per_question = figures(db, &campaign.id, &instrument, min_group).await?;
    let gaps = gaps_between_roles(&instrument, &per_question)
        .into_iter()
        .map(|(q, g)| GapView {
            question: q.text.clone(),
            between: format!("{} and {}", g.first.label(), g.second.label()),
            size: two_places(g.size),
            n: format!("{} and {}", g.first_n, g.second_n),
            words: g.words,
        })
        .collect();
    let mut questions = Vec::new();
    for (key, groups) in &per_question {
        let Some(q) = instrument.question(key) else {
            continue;
        };
        questions.push(QuestionSummary {
            key: key.clone(),
            text: q.text.clone(),
            kind: q.kind.label().into(),
            direction: q.scale.as_ref().map(|s| s.direction()),
            groups: groups.iter().cloned().map(FigureView::from).collect(),
        });
    }
    // A role's theme counts are shown when the role's group of respondents is shown.
    let group_sizes: HashMap<String, usize> = roles
        .iter()
        .map(|r| (r.role.clone(), usize::try_from(r.n).unwrap_or(0)))
        .collect();
    let themes = rules::seed_codebook()
        .iter()
        .filter_map(|t| {
            let by_role: Vec<(String, Option<i64>)> = theme_counts
                .iter()
                .filter(|c| c.theme == t.key)
                .map(|c| {
                    let shown = group_sizes.get(&c.role).copied().unwrap_or(0) >= min_group;
                    let label = RespondentRole::from_code(&c.role)
                        .map(|r| r.label())
                        .unwrap_or("Unknown");
                    (label.to_string(), shown.then_some(c.n))
                })
                .collect();
            (!by_role.is_empty()).then_some(ThemeView {
                theme: t.key.clone(),
                label: t.label.clone(),
                by_role,
            })
        })
        .collect();
    Ok(Summary {
        campaign_id: campaign.id.clone(),
        district_id: campaign.district_id.clone(),
        campaign: campaign.name.clone(),
        instrument: instrument.name.clone(),
        opens_on: campaign.opens_on.clone(),
        closes_on: campaign.closes_on.clone(),
        responses,
        min_group,
        questions,
        gaps,
        themes,
        trend: trend(db, campaign, &per_question, min_group).await?,
    })
}

/// The gaps between the roles that work together (SROs, administrators, educators) on every
/// scale question where both groups are large enough to show.
fn gaps_between_roles<'a>(
    instrument: &'a Instrument,
    per_question: &[(String, Vec<GroupFigure>)],
) -> Vec<(&'a Question, rules::Gap)> {
    const PAIRS: [(RespondentRole, RespondentRole); 3] = [
        (RespondentRole::Sro, RespondentRole::Administrator),
        (RespondentRole::Sro, RespondentRole::Educator),
        (RespondentRole::Administrator, RespondentRole::Educator),
    ];
    let mut out = Vec::new();
    for (key, groups) in per_question {
        let Some(q) = instrument
            .question(key)
            .filter(|q| q.kind == QuestionKind::Scale)
        else {
            continue;
        };
        for (a, b) in PAIRS {
            out.extend(rules::gap(q, groups, a, b).map(|g| (q, g)));
        }
    }
    out
}

/// A campaign's gaps between roles, as its analysis shows them: (question key, question,
/// gap).
pub(crate) async fn scale_gaps(
    db: &Db,
    campaign: &CampaignRow,
    min_group: usize,
) -> AppResult<Vec<(String, String, rules::Gap)>> {
    let instrument = instrument_of(campaign)?;
    let per_question = figures(db, &campaign.id, &instrument, min_group).await?;
    Ok(gaps_between_roles(&instrument, &per_question)
        .into_iter()
        .map(|(q, g)| (q.key.clone(), q.text.clone(), g))
        .collect())
}

/// One question's figures by role in a campaign, small groups suppressed as its analysis
/// shows them (none: the campaign does not ask it).
pub(crate) async fn question_figures(
    db: &Db,
    campaign: &CampaignRow,
    question: &str,
    min_group: usize,
) -> AppResult<Option<(Question, Vec<GroupFigure>)>> {
    let instrument = instrument_of(campaign)?;
    let Some(q) = instrument.question(question).cloned() else {
        return Ok(None);
    };
    let per_question = figures(db, &campaign.id, &instrument, min_group).await?;
    Ok(per_question
        .into_iter()
        .find(|(key, _)| key == question)
        .map(|(_, groups)| (q, groups)))
}

/// The scale questions' means by role across the district's campaigns of the same instrument.
/// `current` holds this campaign's figures, already computed for its summary.
async fn trend(
    db: &Db,
    campaign: &CampaignRow,
    current: &[(String, Vec<GroupFigure>)],
    min_group: usize,
) -> AppResult<Vec<TrendPoint>> {
    let Some(district) = &campaign.district_id else {
        return Ok(Vec::new());
    };
    let mut campaigns = store::of_district(&mut db.acquire().await?, district, Page::ALL).await?;
    campaigns.retain(|c| {
        // The same questions, asked of the same campus (or of the whole district).
        c.instrument_key == campaign.instrument_key
            && c.campus_id == campaign.campus_id
            && c.opens_on <= campaign.opens_on
    });
    campaigns.sort_by(|a, b| a.opens_on.cmp(&b.opens_on));
    let mut points = Vec::new();
    for c in campaigns {
        let instrument = instrument_of(&c)?;
        let per_question = if c.id == campaign.id {
            current.to_vec()
        } else {
            figures(db, &c.id, &instrument, min_group).await?
        };
        for (key, groups) in per_question {
            if instrument
                .question(&key)
                .is_none_or(|q| q.kind != QuestionKind::Scale)
            {
                continue;
            }
            for g in groups {
                points.push(TrendPoint {
                    campaign: c.name.clone(),
                    opens_on: c.opens_on.clone(),
                    question: key.clone(),
                    role: g.role.label().into(),
                    n: g.n,
                    mean: g.mean.map(two_places),
                });
            }
        }
    }
    Ok(points)
}
