//! An SRO's yearly evaluation by the agency's supervisor, with each administrator of the
//! officer's campuses giving their own input alongside (an administrator sees and edits only
//! theirs), and the facts of the post on a campus: uniform and office space.

use crate::campus::{self, agency_local};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::training::{person_for, record_of};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use triad_domain::audit::Outcome;
use triad_domain::auth::Role;
use triad_domain::personnel::{self as rules, Office, Rating, Uniform, CRITERIA};
use triad_domain::policy::{decide, Action, Decision, KeptBy, RecordClass, Resource};
use triad_domain::{Id, Invalid};
use triad_store::org::Campus;
use triad_store::personnel::{self as store, EvaluationRow, InputRow, PostRow};

pub use crate::show::Choice;

fn year_label(year: i64) -> String {
    format!("{year}–{:02}", (year + 1) % 100)
}

/// The school year an agency evaluates in now (its first district's calendar).
async fn school_year(ctx: &Ctx, agency: Id) -> AppResult<i64> {
    let local = agency_local(&mut ctx.app.db.acquire().await?, agency).await?;
    Ok(match local {
        Some(l) => l.school_year(ctx.now),
        None => i64::from(chrono::Datelike::year(&ctx.now.to_datetime().date_naive())),
    })
}

fn criteria() -> Vec<Choice> {
    CRITERIA
        .iter()
        .map(|(code, label)| Choice {
            code: code.to_string(),
            label: label.to_string(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationSummary {
    pub id: String,
    pub school_year: String,
    pub written_by: String,
    pub inputs: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonEvaluations {
    pub person_id: String,
    pub name: String,
    pub evaluations: Vec<EvaluationSummary>,
    /// The actor writes evaluations (the agency's supervisor) and this year's is not written.
    pub may_write: bool,
    pub school_year: String,
    pub criteria: Vec<Choice>,
    pub ratings: Vec<Choice>,
}

pub async fn of_person(ctx: &Ctx, person: &str) -> AppResult<PersonEvaluations> {
    let (p, agency) = person_for(ctx, person, Action::View).await?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::evaluations_of(&mut conn, pid).await?;
    let counts = store::input_counts(&mut conn, pid).await?;
    let evaluations = rows
        .iter()
        .map(|r| EvaluationSummary {
            id: r.id.clone(),
            school_year: year_label(r.school_year),
            written_by: r.written_by_name.clone(),
            inputs: counts
                .iter()
                .find(|(e, _)| *e == r.id)
                .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0)),
        })
        .collect();
    drop(conn);
    let year = school_year(ctx, agency).await?;
    let writes = decide(
        &ctx.actor,
        Action::Change,
        record_of(ctx, agency, pid).kept_by(KeptBy::Evaluation),
    ) == Decision::Allow;
    Ok(PersonEvaluations {
        may_write: writes && !rows.iter().any(|r| r.school_year == year),
        person_id: p.id,
        name: p.display_name,
        evaluations,
        school_year: year_label(year),
        criteria: criteria(),
        ratings: Choice::all::<Rating>(),
    })
}

/// Ratings (criterion code → rating code) and comments, from a form or the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingsInput {
    #[serde(default)]
    pub ratings: BTreeMap<String, String>,
    #[serde(default)]
    pub comments: String,
}

impl RatingsInput {
    /// Every criterion rated and the comments within bounds, or every problem named.
    fn checked(&self) -> Result<(BTreeMap<String, Rating>, Option<String>), Invalid> {
        let mut invalid = Invalid::default();
        let ratings = invalid.check(rules::parse_ratings(&self.ratings));
        let comments = invalid
            .check(rules::parse_comments(&self.comments))
            .flatten();
        invalid.into_result()?;
        Ok((ratings.unwrap_or_default(), comments))
    }

    /// A page's form: one field per criterion, named by its code, and `comments`.
    pub fn from_form(fields: &BTreeMap<String, String>) -> Self {
        Self {
            ratings: fields
                .iter()
                .filter(|(k, _)| CRITERIA.iter().any(|(c, _)| c == k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            comments: fields.get("comments").cloned().unwrap_or_default(),
        }
    }
}

fn ratings_json(r: &BTreeMap<String, Rating>) -> String {
    let codes: BTreeMap<&str, &str> = r.iter().map(|(k, v)| (k.as_str(), v.code())).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "{}".into())
}

fn ratings_of(json: &str) -> BTreeMap<String, Rating> {
    serde_json::from_str::<BTreeMap<String, String>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, Rating::from_code(&v)?)))
        .collect()
}

/// Writes this school year's evaluation of an officer (the agency's supervisor; one a year).
pub async fn write(ctx: &Ctx, person: &str, input: &RatingsInput) -> AppResult<EvaluationRow> {
    let (p, agency) = person_for(ctx, person, Action::View).await?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    ctx.require(
        Action::Change,
        record_of(ctx, agency, pid).kept_by(KeptBy::Evaluation),
        ("person", &p.id),
    )
    .await?;
    let (ratings, comments) = input.checked()?;
    let year = school_year(ctx, agency).await?;
    let row = EvaluationRow {
        id: Id::new().to_string(),
        person_id: p.id.clone(),
        agency_id: agency.to_string(),
        school_year: year,
        ratings: ratings_json(&ratings),
        comments,
        written_by: ctx.actor.user.to_string(),
        written_by_name: ctx.actor.display_name.clone(),
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    if !store::insert_evaluation(&mut tx, &row).await? {
        return Err(AppError::Conflict(format!(
            "{} already has an evaluation for {}",
            p.display_name,
            year_label(year)
        )));
    }
    tx.audit(
        ctx.event("personnel.evaluation", Outcome::Ok)
            .record("evaluation", &row.id)
            .content(&row)
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(row)
}

/// The campuses the officer serves today where the actor is an administrator.
async fn administered(ctx: &Ctx, person: Id) -> AppResult<Vec<Campus>> {
    let mut conn = ctx.app.db.acquire().await?;
    let rows = triad_store::org::active_assignments(
        &mut conn,
        &crate::context::today(ctx.now),
        None,
        None,
        None,
        Some(person),
    )
    .await?;
    let mut out = Vec::new();
    for a in rows {
        let Some(id) = Id::parse(&a.campus_id) else {
            continue;
        };
        if let Some(c) = ctx.campus(&mut conn, id).await? {
            let here = ctx
                .actor
                .roles_for(&campus::tenant(&c, None), RecordClass::Shared);
            if here.has(Role::CampusAdmin) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CriterionView {
    pub code: String,
    pub label: String,
    /// The supervisor's rating (not shown to an administrator).
    pub supervisor: Option<String>,
    /// The actor's own input's rating, if they gave one.
    pub mine: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InputView {
    pub admin: String,
    /// Criterion label → rating label.
    pub ratings: Vec<(String, String)>,
    pub comments: Option<String>,
    pub updated: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationDetail {
    pub id: String,
    pub person_id: String,
    pub officer: String,
    pub school_year: String,
    pub written_by: String,
    pub criteria: Vec<CriterionView>,
    /// The supervisor's comments (not shown to an administrator).
    pub comments: Option<String>,
    /// Every administrator's input (for the supervisor and the officer); an administrator
    /// sees only their own.
    pub inputs: Vec<InputView>,
    /// The actor gives input here, as an administrator of the officer's campus.
    pub may_give_input: bool,
    pub my_comments: Option<String>,
    pub ratings: Vec<Choice>,
}

fn input_view(i: &InputRow, local: &campus::Local) -> InputView {
    let r = ratings_of(&i.ratings);
    InputView {
        admin: i.admin_name.clone(),
        ratings: CRITERIA
            .iter()
            .filter_map(|(code, label)| {
                Some((label.to_string(), r.get(*code)?.label().to_string()))
            })
            .collect(),
        comments: i.comments.clone(),
        updated: local.show(i.updated_at),
    }
}

pub async fn detail(ctx: &Ctx, id: &str) -> AppResult<EvaluationDetail> {
    let row = match Id::parse(id) {
        Some(id) => store::evaluation(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let (pid, agency) = (
        Id::parse(&row.person_id).ok_or(AppError::NotFound)?,
        Id::parse(&row.agency_id).ok_or(AppError::NotFound)?,
    );
    let full = decide(&ctx.actor, Action::View, record_of(ctx, agency, pid)) == Decision::Allow;
    let campuses = if full {
        Vec::new()
    } else {
        administered(ctx, pid).await?
    };
    if !full && campuses.is_empty() {
        // Neither theirs, nor their supervisor's, nor an administrator's of their campus.
        ctx.require(
            Action::View,
            record_of(ctx, agency, pid),
            ("evaluation", &row.id),
        )
        .await?;
    }
    let eid = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let inputs = store::inputs(&mut conn, eid).await?;
    let person = triad_store::org::person(&mut conn, pid).await?;
    drop(conn);
    let local = agency_local(&mut ctx.app.db.acquire().await?, agency)
        .await?
        .unwrap_or(campus::Local {
            tz: chrono_tz::UTC,
            year_start: triad_domain::org::YearStart::AUGUST_FIRST,
        });
    let me = ctx.actor.user.to_string();
    let mine = inputs.iter().find(|i| i.admin_id == me);
    let mine_ratings = mine.map(|i| ratings_of(&i.ratings)).unwrap_or_default();
    let supervisor = ratings_of(&row.ratings);
    Ok(EvaluationDetail {
        id: row.id.clone(),
        person_id: row.person_id.clone(),
        officer: person.map(|p| p.display_name).unwrap_or_default(),
        school_year: year_label(row.school_year),
        written_by: row.written_by_name.clone(),
        criteria: CRITERIA
            .iter()
            .map(|(code, label)| CriterionView {
                code: code.to_string(),
                label: label.to_string(),
                supervisor: full
                    .then(|| supervisor.get(*code).map(|r| r.label().to_string()))
                    .flatten(),
                mine: mine_ratings.get(*code).map(|r| r.code().to_string()),
            })
            .collect(),
        comments: if full { row.comments.clone() } else { None },
        inputs: inputs
            .iter()
            .filter(|i| full || i.admin_id == me)
            .map(|i| input_view(i, &local))
            .collect(),
        may_give_input: !campuses.is_empty(),
        my_comments: mine.and_then(|i| i.comments.clone()),
        ratings: Choice::all::<Rating>(),
    })
}

/// An administrator of a campus the officer serves gives (or rewrites) their input.
pub async fn give_input(ctx: &Ctx, id: &str, input: &RatingsInput) -> AppResult<()> {
    let row = match Id::parse(id) {
        Some(id) => store::evaluation(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let pid = Id::parse(&row.person_id).ok_or(AppError::NotFound)?;
    let agency = Id::parse(&row.agency_id).ok_or(AppError::NotFound)?;
    let campuses = administered(ctx, pid).await?;
    let Some(campus) = campuses.first() else {
        // Not an administrator of the officer's campus: the supervisor and the officer may
        // read it, nobody else learns it exists.
        let readable =
            decide(&ctx.actor, Action::View, record_of(ctx, agency, pid)) == Decision::Allow;
        return Err(if readable {
            ctx.deny(
                "the input beside an evaluation comes from the administrators of the officer's campuses",
                ("evaluation", &row.id),
            )
            .await
        } else {
            ctx.require(
                Action::View,
                record_of(ctx, agency, pid),
                ("evaluation", &row.id),
            )
            .await
            .err()
            .unwrap_or(AppError::NotFound)
        });
    };
    let (parsed, comments) = input.checked()?;
    let i = InputRow {
        evaluation_id: row.id.clone(),
        admin_id: ctx.actor.user.to_string(),
        admin_name: ctx.actor.display_name.clone(),
        campus_id: campus.id.clone(),
        ratings: ratings_json(&parsed),
        comments,
        updated_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::put_input(&mut tx, &i).await?;
    tx.audit(
        ctx.event("personnel.evaluation_input", Outcome::Ok)
            .record("evaluation", &row.id)
            .content(&i)
            .tenant(Some(campus.district()), Some(agency)),
    );
    tx.commit().await?;
    Ok(())
}

/// Evaluations of officers serving a campus that wait for the actor's input (for their home).
pub(crate) async fn awaiting_input(
    ctx: &Ctx,
    campus: &Campus,
    school_year: i64,
) -> AppResult<Vec<(String, String)>> {
    Ok(store::awaiting_input(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        school_year,
        ctx.actor.user,
        &crate::context::today(ctx.now),
    )
    .await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusPost {
    pub campus_id: String,
    pub campus: String,
    pub uniform: Option<String>,
    pub uniform_label: Option<String>,
    pub office: Option<String>,
    pub office_label: Option<String>,
    pub notes: Option<String>,
    pub updated: Option<String>,
    /// A uniform that makes the officer easy to pick out (seed 003 item 21).
    pub easily_identified: Option<bool>,
    /// Office space given (item 2).
    pub office_provided: Option<bool>,
    pub may_edit: bool,
    pub uniforms: Vec<Choice>,
    pub offices: Vec<Choice>,
}

fn post_record(c: &Campus) -> Resource {
    Resource::new(RecordClass::Shared, campus::tenant(c, None))
}

async fn campus_of(ctx: &Ctx, id: &str, action: Action) -> AppResult<Campus> {
    let found = match Id::parse(id) {
        Some(id) => ctx.campus(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let c = found.ok_or(AppError::NotFound)?;
    ctx.require(action, post_record(&c), ("campus", &c.id))
        .await?;
    Ok(c)
}

pub async fn post(ctx: &Ctx, campus: &str) -> AppResult<CampusPost> {
    let c = campus_of(ctx, campus, Action::View).await?;
    let row = store::post(&mut ctx.app.db.acquire().await?, c.campus_id()).await?;
    let local = campus::district_clock(ctx, &c.district().to_string()).await?;
    let uniform = row.as_ref().and_then(|r| Uniform::from_code(&r.uniform));
    let office = row.as_ref().and_then(|r| Office::from_code(&r.office));
    Ok(CampusPost {
        campus_id: c.id.clone(),
        campus: c.name.clone(),
        uniform: uniform.map(|u| u.code().into()),
        uniform_label: uniform.map(|u| u.label().into()),
        office: office.map(|o| o.code().into()),
        office_label: office.map(|o| o.label().into()),
        notes: row.as_ref().and_then(|r| r.notes.clone()),
        updated: row
            .as_ref()
            .map(|r| format!("{}, {}", r.updated_by_name, local.show(r.updated_at))),
        easily_identified: uniform.map(Uniform::easily_identified),
        office_provided: office.map(Office::provided),
        may_edit: decide(&ctx.actor, Action::Change, post_record(&c)) == Decision::Allow,
        uniforms: Choice::all::<Uniform>(),
        offices: Choice::all::<Office>(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PostInput {
    /// regulation, modified or plain_clothes
    #[serde(default)]
    pub uniform: String,
    /// dedicated, shared or none
    #[serde(default)]
    pub office: String,
    #[serde(default)]
    pub notes: String,
}

/// Records the campus's uniform and office-space facts (its partners).
pub async fn set_post(ctx: &Ctx, campus: &str, input: &PostInput) -> AppResult<()> {
    let c = campus_of(ctx, campus, Action::Change).await?;
    let mut invalid = Invalid::default();
    let uniform = Uniform::from_code(&input.uniform);
    if uniform.is_none() {
        invalid.push(
            "uniform",
            "choose the regulation uniform, a modified uniform or plain clothes",
        );
    }
    let office = Office::from_code(&input.office);
    if office.is_none() {
        invalid.push(
            "office",
            "choose an office of the SRO's own, a shared office or none",
        );
    }
    let notes = invalid
        .check(triad_domain::text::parse_text("notes", &input.notes, 1000))
        .flatten();
    invalid.into_result()?;
    let (Some(uniform), Some(office)) = (uniform, office) else {
        return Err(Invalid::one("uniform", "is required").into());
    };
    let row = PostRow {
        campus_id: c.id.clone(),
        uniform: uniform.code().into(),
        office: office.code().into(),
        notes,
        updated_by_name: ctx.actor.display_name.clone(),
        updated_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::put_post(&mut tx, &row).await?;
    tx.audit(
        ctx.event("personnel.campus_post", Outcome::Ok)
            .record("campus", &c.id)
            .content(&row)
            .tenant(Some(c.district()), None),
    );
    tx.commit().await?;
    Ok(())
}
