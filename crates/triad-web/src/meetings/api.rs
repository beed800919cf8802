//! Meetings in the API.

use super::service::{
    self, CampusMeetings, ItemInput, ItemView, MeetingDetail, MeetingInput, MeetingView,
    StatusInput,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/campuses/{id}/meetings", campus_meetings)
        .post("/api/v1/campuses/{id}/meetings", record)
        .get("/api/v1/meetings/{id}", meeting)
        .post("/api/v1/meetings/{id}/items", add_item)
        .post("/api/v1/action-items/{id}/status", set_status)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(campus_meetings, record, meeting, add_item, set_status),
    components(schemas(
        CampusMeetings,
        MeetingView,
        MeetingDetail,
        ItemView,
        MeetingInput,
        ItemInput,
        StatusInput
    ))
)]
pub struct MeetingsApiDoc;

/// A campus's meetings this school year and its cadence (weeks with a principal meeting,
/// faculty meetings with the SRO against the target of six, semester reviews, introductions).
#[utoipa::path(get, path = "/api/v1/campuses/{id}/meetings", tag = "meetings", params(("id" = String, Path)), responses((status = 200, body = CampusMeetings), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn campus_meetings(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<CampusMeetings>> {
    Ok(Json(service::campus_meetings(&ctx, &id).await?))
}

/// Records a meeting held on a campus.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/meetings", tag = "meetings", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = MeetingInput,
    responses((status = 201, body = MeetingView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn record(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<MeetingInput>,
) -> WebResult<(StatusCode, Json<MeetingView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::record(&ctx, &id, input).await?),
    ))
}

/// One meeting with its action items.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = String, Path)), responses((status = 200, body = MeetingDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn meeting(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<MeetingDetail>> {
    Ok(Json(service::meeting(&ctx, &id).await?))
}

/// Adds an action item (owner, due date) to a meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items", tag = "meetings", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = ItemInput,
    responses((status = 201, body = ItemView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_item(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<ItemInput>,
) -> WebResult<(StatusCode, Json<ItemView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_item(&ctx, &id, input).await?),
    ))
}

/// Marks an action item open, done or dropped.
#[utoipa::path(post, path = "/api/v1/action-items/{id}/status", tag = "meetings", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = StatusInput,
    responses((status = 200, body = ItemView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn set_status(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<StatusInput>,
) -> WebResult<Json<ItemView>> {
    Ok(Json(service::set_status(&ctx, &id, input).await?))
}
