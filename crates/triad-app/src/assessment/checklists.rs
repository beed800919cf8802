//! The checklists rated beside the instrument on a program's assessment: the federal steps and
//! the district's own practices. People rate them with their reason; each item shows the
//! ratings of the instrument's practices that bear on it. The district's leaders and
//! evaluators keep the district's practices: added, and retired when no longer asked (a
//! practice is never rewritten, so a year's ratings keep meaning what they meant).

use super::{district_assessments, label, rating_view, Assessed, AssessmentRating};
use crate::campus::Local;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::assessment::checklist::{self as rules, ChecklistItem, NewPractice};
use triad_domain::assessment::{parse_rating, Rating, SRO_PROGRAM};
use triad_domain::audit::Outcome;
use triad_domain::policy::{decide, Action, Decision};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::assessment::{self as store, PracticeRow, RatingRow};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedPractice {
    pub number: u8,
    pub short: String,
    pub rating: Option<String>,
    pub rating_label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistItemView {
    pub number: u16,
    pub short: String,
    pub practice: String,
    /// The instrument's practices that bear on it, with the ratings that count for them.
    pub related: Vec<RelatedPractice>,
    /// A person's newest rating (none: not rated yet).
    pub rating: Option<String>,
    pub rating_label: String,
    pub by_person: Option<AssessmentRating>,
    pub history: Vec<AssessmentRating>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistView {
    /// `federal-steps` or `district`: what a rating of it names as its `checklist`.
    pub code: String,
    pub title: String,
    pub about: String,
    pub items: Vec<ChecklistItemView>,
}

/// The school year an instant falls in, on the district's clock.
fn year_of(local: &Local, millis: i64) -> i64 {
    local.school_year(Timestamp::from_millis(millis))
}

/// The district's practices asked in a school year: added by its end, not retired before it.
fn asked_in(rows: &[PracticeRow], local: &Local, year: i64) -> Vec<ChecklistItem> {
    rows.iter()
        .filter(|r| year_of(local, r.added_at) <= year)
        .filter(|r| r.retired_at.is_none_or(|at| year_of(local, at) > year))
        .map(|r| ChecklistItem {
            number: u16::try_from(r.number).unwrap_or(u16::MAX),
            short: r.short.clone(),
            practice: r.practice.clone(),
            related: rules::related_of(&r.related),
        })
        .collect()
}

fn view(
    code: &str,
    title: String,
    about: &str,
    items: &[ChecklistItem],
    counted: &[Option<Rating>],
    ratings: &[RatingRow],
    local: &Local,
) -> ChecklistView {
    ChecklistView {
        code: code.to_string(),
        title,
        about: about.to_string(),
        items: items
            .iter()
            .map(|item| {
                let mine: Vec<&RatingRow> = ratings
                    .iter()
                    .filter(|r| r.item == i64::from(item.number))
                    .collect();
                let rating = mine.first().and_then(|r| Rating::from_code(&r.rating));
                ChecklistItemView {
                    number: item.number,
                    short: item.short.clone(),
                    practice: item.practice.clone(),
                    related: rules::related_ratings(item, counted)
                        .into_iter()
                        .map(|(n, r)| RelatedPractice {
                            number: n,
                            short: SRO_PROGRAM
                                .item(n)
                                .map_or(String::new(), |i| i.short.to_string()),
                            rating: r.map(|r| r.code().to_string()),
                            rating_label: label(r),
                        })
                        .collect(),
                    rating: rating.map(|r| r.code().to_string()),
                    rating_label: label(rating),
                    by_person: mine.first().map(|r| rating_view(r, local)),
                    history: mine.iter().skip(1).map(|r| rating_view(r, local)).collect(),
                }
            })
            .collect(),
    }
}

/// The checklists of a program's year: the federal steps always, the district's practices
/// when it asks any that year.
pub(super) async fn of_program(
    ctx: &Ctx,
    a: &Assessed,
    counted: &[Option<Rating>],
    ratings: &[RatingRow],
) -> AppResult<Vec<ChecklistView>> {
    let local = &a.sides.local;
    let federal_ratings = super::rows_of(ratings, a.year, &rules::stored_as(rules::FEDERAL));
    let mut out = vec![view(
        rules::FEDERAL,
        "Federal action steps".to_string(),
        "The five action steps of the federal guidance for school–police partnerships (2016), rated by people. The instrument's practices that bear on each are shown beside it.",
        &rules::federal_steps(),
        counted,
        &federal_ratings,
        local,
    )];
    let asked = asked_in(
        &store::district_practices(&mut ctx.app.db.acquire().await?, &a.p.district_id).await?,
        local,
        a.year,
    );
    if !asked.is_empty() {
        let district_ratings = super::rows_of(ratings, a.year, &rules::stored_as(rules::DISTRICT));
        out.push(view(
            rules::DISTRICT,
            format!("The district's own practices ({})", a.sides.district),
            "Practices the district asks of its program beyond the instrument, rated by people.",
            &asked,
            counted,
            &district_ratings,
            local,
        ));
    }
    Ok(out)
}

/// Rates an item of a checklist (`checklist`: its code) for the program's year.
pub(super) async fn rate(
    ctx: &Ctx,
    a: &Assessed,
    checklist: &str,
    input: &super::RatingInput,
) -> AppResult<AssessmentRating> {
    let items = match checklist {
        rules::FEDERAL => rules::federal_steps(),
        rules::DISTRICT => asked_in(
            &store::district_practices(&mut ctx.app.db.acquire().await?, &a.p.district_id).await?,
            &a.sides.local,
            a.year,
        ),
        _ => return Err(AppError::Invalid(Invalid::one(
            "checklist",
            "rate the instrument (leave this blank), the federal steps or the district's practices",
        ))),
    };
    let (item, rating, note) = parse_rating(
        &input.item,
        &input.rating,
        &input.note,
        |n| items.iter().any(|i| i64::from(i.number) == n),
        "choose one of the checklist's items asked this school year",
    )?;
    let row = RatingRow {
        id: Id::new().to_string(),
        partnership_id: a.p.id.clone(),
        school_year: a.year,
        instrument: rules::stored_as(checklist),
        item,
        rating: rating.code().to_string(),
        computed: None,
        note,
        rated_by: ctx.actor.user.to_string(),
        rated_by_name: ctx.actor.display_name.clone(),
        rated_at: ctx.now.millis(),
    };
    super::keep_rating(ctx, a, &row).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PracticeView {
    pub id: String,
    pub number: i64,
    pub short: String,
    pub practice: String,
    pub related: Vec<u8>,
    pub added_at: String,
    /// When it was retired (none: still asked).
    pub retired_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistrictPractices {
    pub district_id: String,
    pub district: String,
    /// Whether the reader adds and retires them.
    pub may_change: bool,
    pub practices: Vec<PracticeView>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PracticeInput {
    /// A few words (at most 120 characters).
    #[serde(default)]
    pub short: String,
    /// What the district expects (at most 2,000 characters).
    #[serde(default)]
    pub practice: String,
    /// The instrument's practices that bear on it: numbers 1 to 27, separated by commas.
    #[serde(default)]
    pub related: String,
}

fn practice_view(r: &PracticeRow, local: &Local) -> PracticeView {
    PracticeView {
        id: r.id.clone(),
        number: r.number,
        short: r.short.clone(),
        practice: r.practice.clone(),
        related: rules::related_of(&r.related),
        added_at: local.show(r.added_at),
        retired_at: r.retired_at.map(|at| local.show(at)),
    }
}

async fn district_of(ctx: &Ctx, district: &str) -> AppResult<(Id, triad_store::org::District)> {
    let id = Id::parse(district).ok_or(AppError::NotFound)?;
    let d = triad_store::org::district(&mut ctx.app.db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((id, d))
}

/// A district's own practices, retired ones too.
pub async fn district_practices(ctx: &Ctx, district: &str) -> AppResult<DistrictPractices> {
    let (id, d) = district_of(ctx, district).await?;
    ctx.require(Action::View, district_assessments(id), ("district", &d.id))
        .await?;
    let local = Local::of(&d);
    let rows = store::district_practices(&mut ctx.app.db.acquire().await?, &d.id).await?;
    Ok(DistrictPractices {
        district_id: d.id.clone(),
        district: d.name.clone(),
        may_change: decide(&ctx.actor, Action::Change, district_assessments(id)) == Decision::Allow,
        practices: rows.iter().map(|r| practice_view(r, &local)).collect(),
    })
}

/// Adds a practice to the district's own, numbered after its last.
pub async fn add_practice(
    ctx: &Ctx,
    district: &str,
    input: &PracticeInput,
) -> AppResult<PracticeView> {
    let (id, d) = district_of(ctx, district).await?;
    ctx.require(
        Action::Change,
        district_assessments(id),
        ("district", &d.id),
    )
    .await?;
    let checked = NewPractice::parse(&input.short, &input.practice, &input.related)?;
    let mut row = PracticeRow {
        id: Id::new().to_string(),
        district_id: d.id.clone(),
        number: 0,
        short: checked.short,
        practice: checked.practice,
        related: rules::related_text(&checked.related),
        added_by: ctx.actor.user.to_string(),
        added_at: ctx.now.millis(),
        retired_at: None,
    };
    let mut tx = ctx.change().await?;
    let Some(number) = store::add_district_practice(&mut tx, &row).await? else {
        return Err(AppError::Invalid(Invalid::one(
            "short",
            "another practice was added at the same moment: send this one again",
        )));
    };
    row.number = number;
    tx.audit(
        ctx.event("assessment.district_practice", Outcome::Ok)
            .record("district_practice", &row.id)
            .content(&row)
            .tenant(Some(id), None),
    );
    tx.commit().await?;
    Ok(practice_view(&row, &Local::of(&d)))
}

/// Retires a practice: no longer asked from the current school year on; its ratings stay.
/// Answers its district's id with it.
pub async fn retire_practice(ctx: &Ctx, id: &str) -> AppResult<(String, PracticeView)> {
    let row = store::district_practice(&mut ctx.app.db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (district, d) = district_of(ctx, &row.district_id).await?;
    ctx.require(
        Action::Change,
        district_assessments(district),
        ("district_practice", &row.id),
    )
    .await?;
    let mut tx = ctx.change().await?;
    if !store::retire_district_practice(&mut tx, &row.id, ctx.now.millis()).await? {
        return Err(AppError::Invalid(Invalid::one(
            "practice",
            "this practice is already retired",
        )));
    }
    tx.audit(
        ctx.event("assessment.district_practice_retired", Outcome::Ok)
            .record("district_practice", &row.id)
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    let retired = PracticeRow {
        retired_at: Some(ctx.now.millis()),
        ..row
    };
    Ok((d.id.clone(), practice_view(&retired, &Local::of(&d))))
}
