//! Bans and visitors in the API.

use super::service::{
    self, BanInput, BanList, BanView, CampusVisitors, MatchInput, MatchView, VisitorInput,
    VisitorView,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::paging::{next_cursor, Listed, PageQuery};
use crate::routes::Routes;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::Uri;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .post("/api/v1/incidents/{id}/bans", issue_ban)
        .get("/api/v1/campuses/{id}/bans", bans)
        .get("/api/v1/bans/{id}/photo", ban_photo)
        .get("/api/v1/campuses/{id}/visitors", campus_visitors)
        .post("/api/v1/campuses/{id}/visitors", sign_in)
        .get("/api/v1/visitors/{id}", visitor)
        .post("/api/v1/visitors/{id}/sign-out", sign_out)
        .post("/api/v1/ban-matches/{id}", decide_match)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        issue_ban,
        ban_photo,
        bans,
        campus_visitors,
        sign_in,
        visitor,
        sign_out,
        decide_match
    ),
    components(schemas(
        BanInput,
        BanView,
        BanList,
        VisitorInput,
        VisitorView,
        CampusVisitors,
        MatchView,
        MatchInput
    ))
)]
pub struct VisitorsApiDoc;

/// Issues a campus or district ban from an incident: JSON, or a multipart form whose optional
/// `photo` file is the person's picture for the front office.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/bans", tag = "visitors", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = BanInput,
    responses((status = 201, body = BanView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn issue_ban(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<(StatusCode, Json<BanView>)> {
    let (input, photo) = crate::forms::read_input::<BanInput>(&headers, body, "photo").await?;
    Ok((
        StatusCode::CREATED,
        Json(service::issue_ban(&ctx, &id, input, photo).await?),
    ))
}

/// The photo of a banned person (a copy without metadata).
#[utoipa::path(get, path = "/api/v1/bans/{id}/photo", tag = "visitors", params(("id" = String, Path)), responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn ban_photo(ctx: Ctx, Path(id): Path<String>) -> WebResult<axum::response::Response> {
    let bytes = service::ban_photo(&ctx, &id).await?;
    Ok(crate::views::image("image/jpeg".into(), bytes))
}

/// The bans in force on a campus today, soonest ending first, a page at a time.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/bans", tag = "visitors", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = BanList, headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn bans(
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<BanList>> {
    let page = q.page()?;
    let body = service::bans(&ctx, &id, page).await?;
    let next = next_cursor(&body.bans, page, |b| b.id.clone());
    Ok(Listed::new(body, next, uri))
}

/// The last day's sign-ins of a campus with their ban matches, newest first, a page at a
/// time.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/visitors", tag = "visitors", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = CampusVisitors, headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn campus_visitors(
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<CampusVisitors>> {
    let page = q.page()?;
    let body = service::campus_visitors(&ctx, &id, "", page).await?;
    let next = next_cursor(&body.visitors, page, |v| v.id.clone());
    Ok(Listed::new(body, next, uri))
}

/// Signs a visitor in; the answer lists candidate ban matches with their reasons.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/visitors", tag = "visitors", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = VisitorInput,
    responses((status = 201, body = VisitorView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn sign_in(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<VisitorInput>,
) -> WebResult<(StatusCode, Json<VisitorView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::sign_in(&ctx, &id, input).await?),
    ))
}

/// One sign-in with its ban matches.
#[utoipa::path(get, path = "/api/v1/visitors/{id}", tag = "visitors", params(("id" = String, Path)), responses((status = 200, body = VisitorView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn visitor(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<VisitorView>> {
    Ok(Json(service::visitor(&ctx, &id).await?))
}

/// Signs a visitor out.
#[utoipa::path(post, path = "/api/v1/visitors/{id}/sign-out", tag = "visitors", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = VisitorView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn sign_out(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<VisitorView>> {
    Ok(Json(service::sign_out(&ctx, &id).await?))
}

/// Confirms or dismisses a candidate ban match. A confirmed match records an incident and
/// notifies the campus's SRO and administrators.
#[utoipa::path(post, path = "/api/v1/ban-matches/{id}", tag = "visitors", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = MatchInput,
    responses((status = 200, body = VisitorView), (status = 409, body = ErrorBody)), security(("token" = [])))]
async fn decide_match(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<MatchInput>,
) -> WebResult<Json<VisitorView>> {
    Ok(Json(service::decide_match(&ctx, &id, input).await?))
}
