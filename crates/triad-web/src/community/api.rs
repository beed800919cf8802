//! The community resource directory in the API: the same calls as its page.

use super::service::{
    self, Choice, Directory, DirectoryQuery, EntryInput, PeriodInput, ReferralInput, ReferralView,
    ServiceView,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/districts/{id}/community", directory)
        .post("/api/v1/districts/{id}/community", add)
        .put("/api/v1/districts/{id}/community/period", set_period)
        .put("/api/v1/community/{id}", update)
        .post("/api/v1/community/{id}/verify", verify)
        .post("/api/v1/community/{id}/retire", retire)
        .post("/api/v1/community/{id}/referrals", refer)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(directory, add, set_period, update, verify, retire, refer),
    components(schemas(
        Directory,
        ServiceView,
        ReferralView,
        Choice,
        EntryInput,
        PeriodInput,
        ReferralInput,
        Written
    ))
)]
pub struct CommunityApiDoc;

/// The district's services by category and name, each with the day it was last checked,
/// whether that is longer ago than the district's period, and its referrals in the last year
/// (counts only); the caller's own latest referrals.
#[utoipa::path(get, path = "/api/v1/districts/{id}/community", tag = "community", params(("id" = String, Path), DirectoryQuery), responses((status = 200, body = Directory), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn directory(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DirectoryQuery>,
) -> WebResult<Json<Directory>> {
    Ok(Json(service::directory(&ctx, &id, &q).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Written {
    pub id: String,
}

/// Adds a service to the district's directory.
#[utoipa::path(post, path = "/api/v1/districts/{id}/community", tag = "community", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = EntryInput,
    responses((status = 201, body = Written), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<EntryInput>,
) -> WebResult<(StatusCode, Json<Written>)> {
    let row = service::add(&ctx, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Written { id: row.id })))
}

/// Sets how many days an entry may go unchecked before it is flagged (7 to 730; the
/// district's leader).
#[utoipa::path(put, path = "/api/v1/districts/{id}/community/period", tag = "community", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PeriodInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn set_period(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PeriodInput>,
) -> WebResult<StatusCode> {
    service::set_verify_days(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rewrites a service's entry (every field).
#[utoipa::path(put, path = "/api/v1/community/{id}", tag = "community", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = EntryInput,
    responses((status = 200, body = Written), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn update(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<EntryInput>,
) -> WebResult<Json<Written>> {
    let row = service::update(&ctx, &id, &input).await?;
    Ok(Json(Written { id: row.id }))
}

/// Marks a service checked today.
#[utoipa::path(post, path = "/api/v1/community/{id}/verify", tag = "community", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn verify(ctx: Ctx, Path(id): Path<String>) -> WebResult<StatusCode> {
    service::verify(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a referral to the service from a campus where the caller is the SRO: the day, how
/// many people, at most a case reference (never a name).
#[utoipa::path(post, path = "/api/v1/community/{id}/referrals", tag = "community", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = ReferralInput,
    responses((status = 201, body = Written), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn refer(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<ReferralInput>,
) -> WebResult<(StatusCode, Json<Written>)> {
    let r = service::refer(&ctx, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Written { id: r.id })))
}

/// Takes a service that closed off the directory (its referrals stay in the records).
#[utoipa::path(post, path = "/api/v1/community/{id}/retire", tag = "community", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn retire(ctx: Ctx, Path(id): Path<String>) -> WebResult<StatusCode> {
    service::retire(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
