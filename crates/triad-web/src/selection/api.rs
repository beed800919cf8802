//! Selection in the API: the same calls as its pages.

use super::service::{
    self, AgencyPostings, CandidateInput, CandidateView, Choice, DecisionInput, MinimumInput,
    PanelInput, PanelView, PostingDetail, PostingInput, PostingSummary,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/agencies/{id}/postings", postings)
        .post("/api/v1/agencies/{id}/postings", open_posting)
        .put("/api/v1/agencies/{id}/postings/minimum", set_minimum)
        .get("/api/v1/postings/{id}", posting)
        .post("/api/v1/postings/{id}/candidates", add_candidate)
        .put("/api/v1/candidates/{id}/decision", decide)
        .put("/api/v1/candidates/{id}/panel", panel)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        postings,
        open_posting,
        set_minimum,
        posting,
        add_candidate,
        decide,
        panel
    ),
    components(schemas(
        AgencyPostings,
        PostingSummary,
        PostingDetail,
        CandidateView,
        PanelView,
        PostingInput,
        MinimumInput,
        CandidateInput,
        DecisionInput,
        PanelInput,
        Choice,
        Opened
    ))
)]
pub struct SelectionApiDoc;

/// The agency's SRO posts, the newest first (its supervisors).
#[utoipa::path(get, path = "/api/v1/agencies/{id}/postings", tag = "selection", params(("id" = String, Path)), responses((status = 200, body = AgencyPostings), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn postings(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<AgencyPostings>> {
    Ok(Json(service::postings(&ctx, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Opened {
    pub id: String,
}

/// Opens an SRO post for a campus of a district the agency serves.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/postings", tag = "selection", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PostingInput,
    responses((status = 201, body = Opened), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn open_posting(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PostingInput>,
) -> WebResult<(StatusCode, Json<Opened>)> {
    let row = service::open_posting(&ctx, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Opened { id: row.id })))
}

/// Sets the years of law-enforcement experience the agency asks of an SRO (0 to 30).
#[utoipa::path(put, path = "/api/v1/agencies/{id}/postings/minimum", tag = "selection", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = MinimumInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn set_minimum(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<MinimumInput>,
) -> WebResult<StatusCode> {
    service::set_minimum(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One post and its candidates: everything for the supervisor; a panel administrator's own
/// recommendations for them; a candidate's own candidacy for them.
#[utoipa::path(get, path = "/api/v1/postings/{id}", tag = "selection", params(("id" = String, Path)), responses((status = 200, body = PostingDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn posting(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<PostingDetail>> {
    Ok(Json(service::posting(&ctx, &id).await?))
}

/// Names a sworn officer of the agency as a candidate (once per post).
#[utoipa::path(post, path = "/api/v1/postings/{id}/candidates", tag = "selection", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = CandidateInput,
    responses((status = 201, body = Opened), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_candidate(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<CandidateInput>,
) -> WebResult<(StatusCode, Json<Opened>)> {
    let c = service::add_candidate(&ctx, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Opened { id: c.id })))
}

/// Decides on a candidate: pending, selected or not_selected (the supervisor).
#[utoipa::path(put, path = "/api/v1/candidates/{id}/decision", tag = "selection", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = DecisionInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn decide(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<DecisionInput>,
) -> WebResult<StatusCode> {
    service::decide_candidate(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A panel administrator's recommendation on a candidate (an administrator of the post's
/// campus): recommend, reservations or do_not_recommend, with comments.
#[utoipa::path(put, path = "/api/v1/candidates/{id}/panel", tag = "selection", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PanelInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn panel(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PanelInput>,
) -> WebResult<StatusCode> {
    service::panel_input(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
