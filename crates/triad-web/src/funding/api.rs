//! Funding in the API: the same calls as its page.

use super::service::{self, GrantTermsInput, GrantView, PartnershipFunding, PlanInput};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/partnerships/{id}/grants", funding)
        .post("/api/v1/partnerships/{id}/grants", add_grant)
        .put("/api/v1/grants/{id}/plan", record_plan)
        .put("/api/v1/grants/{id}", correct)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(funding, add_grant, record_plan, correct),
    components(schemas(PartnershipFunding, GrantView, GrantTermsInput, PlanInput, Added))
)]
pub struct FundingApiDoc;

/// A partnership's grants, the soonest ending first, each with where its continuation plan
/// stands (due a year before the grant ends).
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/grants", tag = "funding", params(("id" = String, Path)), responses((status = 200, body = PartnershipFunding), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn funding(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<PartnershipFunding>> {
    Ok(Json(service::of_partnership(&ctx, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Added {
    pub id: String,
}

/// Records a grant: what it pays for, the funder, the amount in dollars, its first and last
/// day (YYYY-MM-DD). A grant that ends before it starts answers 422.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/grants", tag = "funding", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = GrantTermsInput,
    responses((status = 201, body = Added), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_grant(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<GrantTermsInput>,
) -> WebResult<(StatusCode, Json<Added>)> {
    let g = service::add_grant(&ctx, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Added { id: g.id })))
}

/// Records the grant's continuation plan (a later one replaces it; the audit trail keeps both).
#[utoipa::path(put, path = "/api/v1/grants/{id}/plan", tag = "funding", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PlanInput,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn record_plan(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PlanInput>,
) -> WebResult<StatusCode> {
    service::record_plan(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Corrects a grant's terms (its plan, if recorded, stays). Bad terms answer 422.
#[utoipa::path(put, path = "/api/v1/grants/{id}", tag = "funding", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = GrantTermsInput,
    responses((status = 200, body = Added), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn correct(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<GrantTermsInput>,
) -> WebResult<Json<Added>> {
    let g = service::correct(&ctx, &id, &input).await?;
    Ok(Json(Added { id: g.id }))
}
