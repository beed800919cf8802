//! Incidents in the API.

use super::investigations::{
    self as inv, CloseInput, InvestigationsView, NoteInput, NoteView, Priority, SideView,
};
use super::service::{
    self, CampusDisclosures, CampusIncidents, DisclosureView, FollowUpInput, FollowUpView,
    IncidentInput, IncidentRecord, IncidentSummary, LeDetailInput, LeDetailView, PersonView,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::paging::{next_cursor, Listed, PageQuery};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/campuses/{id}/incidents", campus_incidents)
        .post("/api/v1/campuses/{id}/incidents", report)
        .post("/api/v1/incidents/{id}/follow-ups", add_follow_up)
        .post("/api/v1/incidents/{id}/le-details", add_le_detail)
        .get("/api/v1/campuses/{id}/disclosures", disclosures)
        .get("/api/v1/incidents/{id}/investigations", investigations)
        .post(
            "/api/v1/incidents/{id}/investigations/{side}",
            open_investigation,
        )
        .post(
            "/api/v1/incidents/{id}/investigations/{side}/notes",
            add_investigation_note,
        )
        .post(
            "/api/v1/incidents/{id}/investigations/{side}/close",
            close_investigation,
        )
}

/// The incident's investigations: each side's notes only to that side, the coordination
/// thread to both, and the priority order (safety, then the law, then the school).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/investigations", tag = "incidents", params(("id" = String, Path)), responses((status = 200, body = InvestigationsView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn investigations(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<InvestigationsView>> {
    Ok(Json(inv::view(&ctx, &id).await?))
}

/// Opens the criminal (`side` = criminal, the SRO's) or administrative (the school's)
/// investigation, led by the caller; the other side is told in the coordination thread.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/investigations/{side}", tag = "incidents", params(("id" = String, Path), ("side" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = InvestigationsView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn open_investigation(
    ctx: Ctx,
    Path((id, side)): Path<(String, String)>,
) -> WebResult<Json<InvestigationsView>> {
    Ok(Json(inv::open(&ctx, &id, &side).await?))
}

/// Adds a note to a side's own notes (`side` = criminal or administrative) or to the
/// coordination thread both sides read (`side` = coordination).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/investigations/{side}/notes", tag = "incidents", params(("id" = String, Path), ("side" = String, Path), ("Idempotency-Key" = String, Header)), request_body = NoteInput,
    responses((status = 200, body = InvestigationsView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_investigation_note(
    ctx: Ctx,
    Path((id, side)): Path<(String, String)>,
    Json(input): Json<NoteInput>,
) -> WebResult<Json<InvestigationsView>> {
    Ok(Json(inv::add_note(&ctx, &id, &side, input).await?))
}

/// Closes one side's investigation; the other goes on.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/investigations/{side}/close", tag = "incidents", params(("id" = String, Path), ("side" = String, Path), ("Idempotency-Key" = String, Header)), request_body = CloseInput,
    responses((status = 200, body = InvestigationsView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
async fn close_investigation(
    ctx: Ctx,
    Path((id, side)): Path<(String, String)>,
    Json(input): Json<CloseInput>,
) -> WebResult<Json<InvestigationsView>> {
    Ok(Json(inv::close(&ctx, &id, &side, input).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        campus_incidents,
        report,
        add_follow_up,
        add_le_detail,
        disclosures,
        investigations,
        open_investigation,
        add_investigation_note,
        close_investigation
    ),
    components(schemas(
        CampusIncidents,
        IncidentSummary,
        IncidentRecord,
        IncidentInput,
        PersonView,
        FollowUpInput,
        FollowUpView,
        LeDetailInput,
        LeDetailView,
        CampusDisclosures,
        DisclosureView,
        InvestigationsView,
        SideView,
        NoteView,
        Priority,
        NoteInput,
        CloseInput
    ))
)]
pub struct IncidentsApiDoc;

/// A campus's incidents of service, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/incidents", tag = "incidents", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = CampusIncidents, headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn campus_incidents(
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<CampusIncidents>> {
    let page = q.page()?;
    let body = service::campus_incidents(&ctx, &id, page).await?;
    let next = next_cursor(&body.incidents, page, |i| i.id.clone());
    Ok(Listed::new(body, next, uri))
}

/// Reports an incident of service on a campus, classified as a law-enforcement matter, a
/// school-conduct matter, both or neither.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/incidents", tag = "incidents", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = IncidentInput,
    responses((status = 201, body = IncidentSummary), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn report(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<IncidentInput>,
) -> WebResult<(StatusCode, Json<IncidentSummary>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::report(&ctx, &id, input).await?),
    ))
}

/// Adds a follow-up with an assignee. A school-conduct matter cannot be assigned to the SRO.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/follow-ups", tag = "incidents", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = FollowUpInput,
    responses((status = 201, body = FollowUpView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_follow_up(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<FollowUpInput>,
) -> WebResult<(StatusCode, Json<FollowUpView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_follow_up(&ctx, &id, input).await?),
    ))
}

/// Adds a law-enforcement detail (investigation notes, arrest, use-of-force report).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/le-details", tag = "incidents", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = LeDetailInput,
    responses((status = 201, body = LeDetailView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_le_detail(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<LeDetailInput>,
) -> WebResult<(StatusCode, Json<LeDetailView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_le_detail(&ctx, &id, input).await?),
    ))
}

/// The FERPA disclosure log of a campus, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/disclosures", tag = "incidents", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = CampusDisclosures, headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn disclosures(
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<CampusDisclosures>> {
    let page = q.page()?;
    let body = service::disclosures(&ctx, &id, page).await?;
    let next = next_cursor(&body.disclosures, page, |d| d.id.clone());
    Ok(Listed::new(body, next, uri))
}
