//! Campus status in the API, and the live stream pages listen to.

use super::service::{self, CampusStatusView, EventView, MoveInput, TimelineEntry};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::live::LiveStatus;
use crate::routes::Routes;
use axum::extract::Path;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/campuses/{id}/status", status)
        .post("/api/v1/campuses/{id}/status", make_move)
        .get("/api/v1/campus-events/{id}", event)
        .get("/campuses/{id}/live", live)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(status, make_move, event),
    components(schemas(CampusStatusView, EventView, TimelineEntry, MoveInput, LiveStatus))
)]
pub struct OperationsApiDoc;

/// A campus's status, its open event with its timeline, and its recent events.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/status", tag = "operations", params(("id" = String, Path)), responses((status = 200, body = CampusStatusView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn status(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<CampusStatusView>> {
    Ok(Json(service::status(&ctx, &id).await?))
}

/// Calls controlled movement or a lockdown, records a sweep, gives the all clear (sworn
/// officers, after a sweep), or lifts a lockdown for the school with responsibility accepted.
/// A refused move answers 409 with the reason; so does a move made on a stale version.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/status", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = MoveInput,
    responses((status = 200, body = CampusStatusView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn make_move(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<MoveInput>,
) -> WebResult<Json<CampusStatusView>> {
    Ok(Json(service::make_move(&ctx, &id, input).await?))
}

/// One event and its minute-by-minute timeline.
#[utoipa::path(get, path = "/api/v1/campus-events/{id}", tag = "operations", params(("id" = String, Path)), responses((status = 200, body = EventView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn event(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<EventView>> {
    Ok(Json(service::event(&ctx, &id).await?))
}

fn sse_event(status: &LiveStatus) -> Result<Event, Infallible> {
    Ok(Event::default()
        .event("status")
        .data(serde_json::to_string(status).unwrap_or_default()))
}

/// Server-Sent Events: the campus's status now, then every change as it is committed.
async fn live(
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let receiver = ctx.state.live.subscribe();
    let now = service::live_now(&ctx, &id).await?;
    let campus = now.campus_id.clone();
    let first = stream::once(async move { sse_event(&now) });
    let changes = stream::unfold(receiver, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(status) => return Some((status, rx)),
                // A slow page skipped some changes: the next one carries the whole state.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .filter(move |s| std::future::ready(s.campus_id == campus))
    .map(|s| sse_event(&s));
    Ok(Sse::new(first.chain(changes)).keep_alive(KeepAlive::default()))
}
