//! Evidence in the API.

use super::service::{
    self, CustodyView, ItemDetail, ItemSummary, PhotoView, StatusInput, TransferInput,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebError, WebResult};
use crate::routes::Routes;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .post("/api/v1/incidents/{id}/evidence", intake)
        .get("/api/v1/evidence/{id}", item)
        .post("/api/v1/evidence/{id}/transfer", transfer)
        .post("/api/v1/evidence/{id}/acknowledge", acknowledge)
        .post("/api/v1/evidence/{id}/status", set_status)
        .get("/api/v1/photos/{id}", photo_view)
        .get("/api/v1/photos/{id}/original", photo_original)
        .get("/api/v1/evidence/{id}/custody-bundle", custody_download)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        intake,
        item,
        transfer,
        acknowledge,
        set_status,
        photo_view,
        photo_original,
        custody_download
    ),
    components(schemas(
        ItemSummary,
        ItemDetail,
        PhotoView,
        CustodyView,
        TransferInput,
        StatusInput
    ))
)]
pub struct EvidenceApiDoc;

/// Takes in an item of evidence for an incident: a multipart form with the fields
/// description, quantity, condition, found_location, found_at (YYYY-MM-DDTHH:MM campus time),
/// found_by, storage_location, and one or more `photo` files (JPEG or PNG).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/evidence", tag = "evidence", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, body = ItemSummary), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn intake(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<(StatusCode, Json<ItemSummary>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::intake(&ctx, &id, &headers, body).await?),
    ))
}

/// One item with its photos and its whole custody history.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "evidence", params(("id" = String, Path)), responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn item(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<ItemDetail>> {
    Ok(Json(service::item(&ctx, &id).await?))
}

/// Releases an item to a receiver (by user name), who must acknowledge it.
#[utoipa::path(post, path = "/api/v1/evidence/{id}/transfer", tag = "evidence", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = TransferInput,
    responses((status = 200, body = ItemSummary), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn transfer(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<TransferInput>,
) -> WebResult<Json<ItemSummary>> {
    Ok(Json(service::transfer(&ctx, &id, input).await?))
}

/// The receiver acknowledges the item: custody passes to them.
#[utoipa::path(post, path = "/api/v1/evidence/{id}/acknowledge", tag = "evidence", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = ItemSummary), (status = 403, body = ErrorBody)), security(("token" = [])))]
async fn acknowledge(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<ItemSummary>> {
    Ok(Json(service::acknowledge(&ctx, &id).await?))
}

/// Records the item's status towards disposition (a destruction needs the disposition and
/// who approved it).
#[utoipa::path(post, path = "/api/v1/evidence/{id}/status", tag = "evidence", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = StatusInput,
    responses((status = 200, body = ItemSummary), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn set_status(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<StatusInput>,
) -> WebResult<Json<ItemSummary>> {
    Ok(Json(service::set_status(&ctx, &id, input).await?))
}

/// A photo's viewing copy: a JPEG re-encoded without metadata, for everyone who reads the
/// item (an administrator's disciplinary hearing works from it).
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "evidence", params(("id" = String, Path)), responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn photo_view(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let (media_type, bytes) = service::photo(&ctx, &id, false).await?;
    Ok(crate::views::image(media_type, bytes))
}

/// An item's custody history as a signed bundle, checkable offline without Triad
/// (docs/custody-bundle.md; scripts/verify-custody-bundle.py). For the agency's SRO and
/// supervisor; the download is on the audit trail.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/custody-bundle", tag = "evidence", params(("id" = String, Path)), responses((status = 200, description = "a triad-custody-bundle/2 JSON file"), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn custody_download(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let bundle = service::custody_bundle(&ctx, &id).await?;
    let body = serde_json::to_vec_pretty(&bundle).map_err(|e| WebError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"custody-{}.json\"", id.trim());
    let mut response = (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The original photo exactly as uploaded (its SHA-256 is in the custody history): for the
/// law-enforcement side only.
#[utoipa::path(get, path = "/api/v1/photos/{id}/original", tag = "evidence", params(("id" = String, Path)), responses((status = 200, description = "the photo as it was taken: JPEG or PNG", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn photo_original(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let (media_type, bytes) = service::photo(&ctx, &id, true).await?;
    Ok(crate::views::image(media_type, bytes))
}
