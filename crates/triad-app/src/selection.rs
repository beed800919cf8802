//! Selecting an SRO for a campus (seed 003 items 8–10): the agency's supervisor opens a post,
//! names its candidates (whether each volunteered; their years of law-enforcement experience
//! against the agency's minimum), and decides; the administrators of the campus sit on the
//! panel and give their recommendation, each seeing only theirs. A candidate sees their own
//! candidacy and its decision.

use crate::campus;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::auth::Role;
use triad_domain::personnel::{self as rules, Recommendation, Selection};
use triad_domain::policy::{decide, Action, Decision, RecordClass};
use triad_domain::{Id, Invalid};
use triad_store::org::Campus;
use triad_store::personnel::{self as store, CandidateRow, PanelRow, PostingRow};

pub use crate::show::Choice;

fn min_years_key(agency: Id) -> String {
    format!("personnel.min_years.{agency}")
}

pub(crate) async fn min_years(ctx: &Ctx, agency: Id) -> AppResult<i64> {
    Ok(triad_store::settings::get_i64(
        &mut ctx.app.db.acquire().await?,
        &min_years_key(agency),
        rules::DEFAULT_MIN_YEARS,
    )
    .await?)
}

/// Whether the actor is the agency's supervisor (who keeps its selection records).
fn supervises(ctx: &Ctx, agency: Id) -> bool {
    decide(
        &ctx.actor,
        Action::Change,
        triad_domain::training::record(agency),
    ) == Decision::Allow
}

async fn agency_as_supervisor(ctx: &Ctx, id: &str, action: Action) -> AppResult<Id> {
    let agency = Id::parse(id).ok_or(AppError::NotFound)?;
    ctx.require(
        action,
        triad_domain::training::record(agency),
        ("agency", id),
    )
    .await?;
    Ok(agency)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PostingSummary {
    pub id: String,
    pub title: String,
    pub campus: String,
    pub opened_on: String,
    pub candidates: usize,
    pub selected: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyPostings {
    pub agency_id: String,
    pub postings: Vec<PostingSummary>,
    /// The campuses of the districts the agency serves, for a new post.
    pub campuses: Vec<Choice>,
    pub min_years: i64,
}

async fn campus_names(ctx: &Ctx, agency: Id) -> AppResult<Vec<Campus>> {
    let mut conn = ctx.app.db.acquire().await?;
    let mut out = Vec::new();
    for p in triad_store::org::partnerships_of_agency(&mut conn, agency).await? {
        if let Some(d) = Id::parse(&p.district_id) {
            out.extend(triad_store::org::campuses_of(&mut conn, d).await?);
        }
    }
    Ok(out)
}

pub async fn postings(ctx: &Ctx, agency: &str) -> AppResult<AgencyPostings> {
    let agency = agency_as_supervisor(ctx, agency, Action::View).await?;
    let campuses = campus_names(ctx, agency).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::postings_of(&mut conn, agency).await?;
    let candidates = store::candidates_of_agency(&mut conn, agency).await?;
    let people = triad_store::org::people_of_agency(&mut conn, agency).await?;
    let name = |person: &str| {
        people
            .iter()
            .find(|p| p.id == person)
            .map(|p| p.display_name.clone())
    };
    let postings = rows
        .into_iter()
        .map(|p| {
            let mine: Vec<&CandidateRow> =
                candidates.iter().filter(|c| c.posting_id == p.id).collect();
            PostingSummary {
                campus: campuses
                    .iter()
                    .find(|c| c.id == p.campus_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                candidates: mine.len(),
                selected: mine
                    .iter()
                    .filter(|c| c.decision == Selection::Selected.code())
                    .filter_map(|c| name(&c.person_id))
                    .collect(),
                id: p.id,
                title: p.title,
                opened_on: p.opened_on,
            }
        })
        .collect();
    drop(conn);
    Ok(AgencyPostings {
        agency_id: agency.to_string(),
        postings,
        campuses: campuses
            .iter()
            .map(|c| Choice {
                code: c.id.clone(),
                label: c.name.clone(),
            })
            .collect(),
        min_years: min_years(ctx, agency).await?,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PostingInput {
    #[serde(default)]
    pub title: String,
    /// The campus the SRO will serve (a campus of a district the agency serves).
    #[serde(default)]
    pub campus: String,
}

pub async fn open_posting(ctx: &Ctx, agency: &str, input: &PostingInput) -> AppResult<PostingRow> {
    let agency = agency_as_supervisor(ctx, agency, Action::Change).await?;
    let mut invalid = Invalid::default();
    let title = invalid
        .check(triad_domain::text::parse_text("title", &input.title, 200))
        .flatten();
    if title.is_none() && !invalid.errors.iter().any(|e| e.field == "title") {
        invalid.push("title", "is required");
    }
    let campuses = campus_names(ctx, agency).await?;
    if !campuses.iter().any(|c| c.id == input.campus.trim()) {
        invalid.push("campus", "choose a campus of a district the agency serves");
    }
    invalid.into_result()?;
    let row = PostingRow {
        id: Id::new().to_string(),
        agency_id: agency.to_string(),
        campus_id: input.campus.trim().to_string(),
        title: title.unwrap_or_default(),
        opened_on: crate::context::today(ctx.now),
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert_posting(&mut tx, &row).await?;
    tx.audit(
        ctx.event("personnel.posting", Outcome::Ok)
            .record("posting", &row.id)
            .content(&row)
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MinimumInput {
    /// Years of law-enforcement experience asked of an SRO (0 to 30).
    #[serde(default)]
    pub min_years: String,
}

pub async fn set_minimum(ctx: &Ctx, agency: &str, input: &MinimumInput) -> AppResult<()> {
    let agency = agency_as_supervisor(ctx, agency, Action::Change).await?;
    let years = rules::parse_min_years(&input.min_years)?;
    let mut tx = ctx.change().await?;
    triad_store::settings::set(&mut tx, &min_years_key(agency), &years.to_string()).await?;
    tx.audit(
        ctx.event("personnel.min_years", Outcome::Ok)
            .record("agency", agency.to_string())
            .content(&years)
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PanelView {
    pub admin: String,
    pub recommendation: String,
    pub comments: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CandidateView {
    pub id: String,
    pub name: String,
    pub volunteered: bool,
    /// Full years in law enforcement, when the start is recorded.
    pub years: Option<i64>,
    /// Meets the agency's minimum (unknown when the start is not recorded).
    pub meets_minimum: Option<bool>,
    pub decision: String,
    pub decision_label: String,
    /// The panel's input the reader may see: all of it for the supervisor, their own for an
    /// administrator, none for the candidate.
    pub panel: Vec<PanelView>,
    /// The reader's own recommendation (an administrator on the panel).
    pub mine: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PostingDetail {
    pub id: String,
    pub agency_id: String,
    pub title: String,
    pub campus: String,
    pub opened_on: String,
    pub min_years: i64,
    pub candidates: Vec<CandidateView>,
    /// The reader keeps the record (the agency's supervisor).
    pub supervises: bool,
    /// The reader sits on the panel (an administrator of the campus).
    pub on_panel: bool,
    /// Sworn officers of the agency, to name as candidates (for the supervisor).
    pub officers: Vec<Choice>,
    pub recommendations: Vec<Choice>,
    pub decisions: Vec<Choice>,
}

fn is_admin_of(ctx: &Ctx, c: &Campus) -> bool {
    ctx.actor
        .roles_for(&campus::tenant(c, None), RecordClass::Shared)
        .has(Role::CampusAdmin)
}

async fn posting_and_campus(ctx: &Ctx, id: &str) -> AppResult<(PostingRow, Campus, Id)> {
    let row = match Id::parse(id) {
        Some(id) => store::posting(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let agency = Id::parse(&row.agency_id).ok_or(AppError::NotFound)?;
    let campus = match Id::parse(&row.campus_id) {
        Some(c) => triad_store::org::campus(&mut ctx.app.db.acquire().await?, c).await?,
        None => None,
    };
    let campus = campus.ok_or(AppError::NotFound)?;
    Ok((row, campus, agency))
}

pub async fn posting(ctx: &Ctx, id: &str) -> AppResult<PostingDetail> {
    let (row, campus, agency) = posting_and_campus(ctx, id).await?;
    let pid = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let supervisor = supervises(ctx, agency);
    let on_panel = is_admin_of(ctx, &campus);
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::candidates(&mut conn, pid).await?;
    let own = ctx.actor.person.map(|p| p.to_string());
    let is_candidate = rows.iter().any(|c| Some(&c.person_id) == own.as_ref());
    drop(conn);
    if !supervisor && !on_panel && !is_candidate {
        ctx.require(
            Action::View,
            triad_domain::training::record(agency),
            ("posting", &row.id),
        )
        .await?;
    }
    let mut conn = ctx.app.db.acquire().await?;
    let panel = store::panel_of_posting(&mut conn, pid).await?;
    let min =
        triad_store::settings::get_i64(&mut conn, &min_years_key(agency), rules::DEFAULT_MIN_YEARS)
            .await?;
    let today = ctx.now.to_datetime().date_naive();
    let me = ctx.actor.user.to_string();
    let people = triad_store::org::people_of_agency(&mut conn, agency).await?;
    let mut candidates = Vec::new();
    for c in rows
        .iter()
        .filter(|c| supervisor || on_panel || Some(&c.person_id) == own.as_ref())
    {
        // Candidates are officers of the agency: their people were read once, above.
        let person = people.iter().find(|p| p.id == c.person_id).cloned();
        let start = person
            .as_ref()
            .and_then(|p| p.le_experience_start.as_deref())
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let decision = Selection::from_code(&c.decision).unwrap_or(Selection::Pending);
        let theirs: Vec<&PanelRow> = panel.iter().filter(|p| p.candidate_id == c.id).collect();
        candidates.push(CandidateView {
            id: c.id.clone(),
            name: person.map(|p| p.display_name).unwrap_or_default(),
            volunteered: c.volunteered,
            years: start.map(|s| rules::years_served(s, today)),
            meets_minimum: rules::meets_minimum(start, today, min),
            decision: decision.code().into(),
            decision_label: decision.label().into(),
            panel: theirs
                .iter()
                .filter(|p| supervisor || (on_panel && p.admin_id == me))
                .map(|p| PanelView {
                    admin: p.admin_name.clone(),
                    recommendation: Recommendation::from_code(&p.recommendation)
                        .map_or(p.recommendation.as_str(), |r| r.label())
                        .into(),
                    comments: p.comments.clone(),
                })
                .collect(),
            mine: theirs
                .iter()
                .find(|p| p.admin_id == me)
                .map(|p| p.recommendation.clone()),
        });
    }
    let officers = if supervisor {
        people
            .into_iter()
            .filter(|p| p.sworn)
            .map(|p| Choice {
                code: p.id,
                label: p.display_name,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PostingDetail {
        id: row.id,
        agency_id: row.agency_id,
        title: row.title,
        campus: campus.name.clone(),
        opened_on: row.opened_on,
        min_years: min,
        candidates,
        supervises: supervisor,
        on_panel,
        officers,
        recommendations: Choice::all::<Recommendation>(),
        decisions: Choice::all::<Selection>(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CandidateInput {
    /// A sworn officer of the agency (their person id).
    #[serde(default)]
    pub person: String,
    /// The officer asked for the post.
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub volunteered: bool,
}

pub async fn add_candidate(
    ctx: &Ctx,
    posting: &str,
    input: &CandidateInput,
) -> AppResult<CandidateRow> {
    let (row, _, agency) = posting_and_campus(ctx, posting).await?;
    ctx.require(
        Action::Change,
        triad_domain::training::record(agency),
        ("posting", &row.id),
    )
    .await?;
    let person = match Id::parse(&input.person) {
        Some(p) => triad_store::org::person(&mut ctx.app.db.acquire().await?, p).await?,
        None => None,
    };
    let Some(person) =
        person.filter(|p| p.sworn && p.agency_id.as_deref() == Some(row.agency_id.as_str()))
    else {
        return Err(Invalid::one("person", "choose a sworn officer of this agency").into());
    };
    let candidate = CandidateRow {
        id: Id::new().to_string(),
        posting_id: row.id.clone(),
        person_id: person.id.clone(),
        volunteered: input.volunteered,
        decision: Selection::Pending.code().into(),
        decided_at: None,
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    if !store::insert_candidate(&mut tx, &candidate).await? {
        return Err(AppError::Conflict(format!(
            "{} is already a candidate for this post",
            person.display_name
        )));
    }
    tx.audit(
        ctx.event("personnel.candidate", Outcome::Ok)
            .record("posting", &row.id)
            .content(&candidate)
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(candidate)
}

async fn candidate_and_posting(
    ctx: &Ctx,
    id: &str,
) -> AppResult<(CandidateRow, PostingRow, Campus, Id)> {
    let row = match Id::parse(id) {
        Some(id) => store::candidate(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let (posting, campus, agency) = posting_and_campus(ctx, &row.posting_id).await?;
    Ok((row, posting, campus, agency))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// pending, selected or not_selected
    #[serde(default)]
    pub decision: String,
}

pub async fn decide_candidate(
    ctx: &Ctx,
    candidate: &str,
    input: &DecisionInput,
) -> AppResult<String> {
    let (row, posting, _, agency) = candidate_and_posting(ctx, candidate).await?;
    ctx.require(
        Action::Change,
        triad_domain::training::record(agency),
        ("candidate", &row.id),
    )
    .await?;
    let Some(decision) = Selection::from_code(&input.decision) else {
        return Err(Invalid::one("decision", "choose pending, selected or not_selected").into());
    };
    let id = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    store::decide(&mut tx, id, decision.code(), ctx.now.millis()).await?;
    tx.audit(
        ctx.event("personnel.decision", Outcome::Ok)
            .record("candidate", &row.id)
            .content(&(&row.id, decision.code()))
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(posting.id)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PanelInput {
    /// recommend, reservations or do_not_recommend
    #[serde(default)]
    pub recommendation: String,
    #[serde(default)]
    pub comments: String,
}

/// An administrator of the post's campus gives (or changes) their recommendation.
pub async fn panel_input(ctx: &Ctx, candidate: &str, input: &PanelInput) -> AppResult<String> {
    let (row, posting, campus, agency) = candidate_and_posting(ctx, candidate).await?;
    if !is_admin_of(ctx, &campus) {
        return Err(if supervises(ctx, agency) {
            ctx.deny(
                "the panel's input comes from the administrators of the post's campus",
                ("candidate", &row.id),
            )
            .await
        } else {
            ctx.require(
                Action::View,
                triad_domain::training::record(agency),
                ("candidate", &row.id),
            )
            .await
            .err()
            .unwrap_or(AppError::NotFound)
        });
    }
    let mut invalid = Invalid::default();
    let recommendation = Recommendation::from_code(&input.recommendation);
    if recommendation.is_none() {
        invalid.push(
            "recommendation",
            "choose recommend, reservations or do_not_recommend",
        );
    }
    let comments = invalid
        .check(rules::parse_comments(&input.comments))
        .flatten();
    invalid.into_result()?;
    let panel = PanelRow {
        candidate_id: row.id.clone(),
        admin_id: ctx.actor.user.to_string(),
        admin_name: ctx.actor.display_name.clone(),
        recommendation: recommendation.map(|r| r.code()).unwrap_or_default().into(),
        comments,
        updated_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::put_panel(&mut tx, &panel).await?;
    tx.audit(
        ctx.event("personnel.panel", Outcome::Ok)
            .record("candidate", &row.id)
            .content(&panel)
            .tenant(Some(campus.district()), Some(agency)),
    );
    tx.commit().await?;
    Ok(posting.id)
}

/// Posts on a campus with pending candidates still waiting for the actor's input (their home).
pub(crate) async fn panel_waiting(ctx: &Ctx, campus: &Campus) -> AppResult<Vec<(String, String)>> {
    Ok(store::panel_waiting(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        ctx.actor.user,
    )
    .await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidacy {
    pub posting_id: String,
    pub title: String,
    pub decision: String,
}

/// The actor's own candidacies for SRO posts (for their home page).
pub async fn my_candidacies(ctx: &Ctx) -> AppResult<Vec<Candidacy>> {
    let Some(person) = ctx.actor.person else {
        return Ok(Vec::new());
    };
    Ok(
        store::candidacies_of(&mut ctx.app.db.acquire().await?, person)
            .await?
            .into_iter()
            .map(|(posting_id, title, decision)| Candidacy {
                posting_id,
                title,
                decision: Selection::from_code(&decision)
                    .map_or(decision.as_str(), |d| d.label())
                    .into(),
            })
            .collect(),
    )
}
