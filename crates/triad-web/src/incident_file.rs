//! An incident's whole file: the incident as its own capability keeps it, with the evidence
//! taken in for it and the bans it led to. Composed here, above the three capabilities, so
//! none of their services builds another's view.

use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::evidence::service::{self as evidence, ItemSummary};
use crate::forms::FormToken;
use crate::incidents::service::{self as incidents, IncidentRecord};
use crate::routes::Routes;
use crate::views::{render, Layout};
use crate::visitors::service::{self as visitors, BanView};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use triad_domain::incidents::{DisclosurePurpose, LeDetailKind};
use triad_domain::visitors::BanScope;

pub fn routes() -> Routes {
    Routes::default()
        .get("/incidents/{id}", page)
        .post("/incidents/{id}/disclosure", disclose_on_page)
        .get("/api/v1/incidents/{id}", incident)
        .post("/api/v1/incidents/{id}/disclosure", disclose)
}

/// One incident with its evidence and bans.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub record: IncidentRecord,
    pub evidence: Vec<ItemSummary>,
    pub bans: Vec<BanView>,
}

/// The incident as the actor may see it, with what hangs off it.
async fn file(ctx: &Ctx, id: &str) -> WebResult<IncidentDetail> {
    let (record, found) = incidents::incident(ctx, id).await?;
    Ok(IncidentDetail {
        record,
        evidence: evidence::of_incident(ctx, &found).await?,
        bans: visitors::bans_of_incident(ctx, &found).await?,
    })
}

/// One incident: people, follow-ups, law-enforcement details (content for the sworn side
/// only), evidence and bans. A student in a school record is withheld from law enforcement
/// until disclosed (`POST …/disclosure`).
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", params(("id" = String, Path)), responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn incident(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<IncidentDetail>> {
    Ok(Json(file(&ctx, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DisclosureInput {
    /// Why law enforcement needs the student's identity: health_or_safety, school_request,
    /// investigation or court_order.
    #[serde(default)]
    pub purpose: String,
}

/// Law enforcement discloses a school record about a student to themself, with the reason:
/// logged once for the campus administrator, and the identity shown for the rest of this
/// token's (or session's) life. Answers the incident as now shown.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/disclosure", tag = "incidents", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = DisclosureInput,
    responses((status = 200, body = IncidentDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn disclose(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<DisclosureInput>,
) -> WebResult<Json<IncidentDetail>> {
    incidents::disclose_for(&ctx, &id, &input.purpose).await?;
    Ok(Json(file(&ctx, &id).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(incident, disclose),
    components(schemas(IncidentDetail, DisclosureInput))
)]
pub struct IncidentFileApiDoc;

#[derive(Template)]
#[template(path = "incidents/incident.html")]
struct IncidentPage {
    layout: Layout,
    d: IncidentRecord,
    evidence: Vec<ItemSummary>,
    bans: Vec<BanView>,
    purposes: &'static [DisclosurePurpose],
    le_kinds: &'static [LeDetailKind],
    scopes: &'static [BanScope],
    follow_up_form: FormToken,
    le_form: FormToken,
    evidence_form: FormToken,
    ban_form: FormToken,
    purpose_form: FormToken,
    /// Who a follow-up may be given to, by name.
    assignees: Vec<triad_app::context::PersonChoice>,
}

async fn page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let IncidentDetail {
        record,
        evidence,
        bans,
    } = file(&ctx, &id).await?;
    let assignees = crate::incidents::service::assignee_choices(&ctx, &id).await?;
    render(&IncidentPage {
        assignees,
        layout: Layout::new(&ctx),
        d: record,
        evidence,
        bans,
        purposes: DisclosurePurpose::ALL,
        le_kinds: LeDetailKind::ALL,
        scopes: BanScope::ALL,
        follow_up_form: ctx.form(),
        le_form: ctx.form(),
        evidence_form: ctx.form(),
        ban_form: ctx.form(),
        purpose_form: ctx.form(),
    })
}

#[derive(Deserialize)]
pub struct PurposeForm {
    #[serde(default)]
    purpose: String,
}

/// The officer says why they need a student's identity: logged, then shown.
async fn disclose_on_page(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PurposeForm>,
) -> WebResult<Response> {
    incidents::disclose_for(&ctx, &id, &input.purpose).await?;
    Ok(Redirect::to(&format!("/incidents/{id}")).into_response())
}
