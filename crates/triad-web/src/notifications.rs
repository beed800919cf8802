//! A person's notifications: shown on their home page until read (a confirmed ban match
//! tells the campus's SRO and administrators at once).

use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::paging::{Listed, PageQuery};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};

pub fn routes() -> Routes {
    Routes::default()
        .post("/notifications/{id}/read", read_page)
        .get("/api/v1/notifications", list)
        .post("/api/v1/notifications/{id}/read", read_api)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, read_api), components(schemas(NotificationView)))]
pub struct NotificationsApiDoc;

pub use triad_app::notifications::{mark_read, unread, NotificationView};

async fn read_page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    mark_read(&ctx, &id).await?;
    Ok(Redirect::to("/").into_response())
}

/// Your unread notifications, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(PageQuery),
    responses((status = 200, body = [NotificationView], headers(("Link" = String, description = "the next page, when there may be one"))), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn list(
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<Vec<NotificationView>>> {
    let page = q.page()?;
    let views = unread(&ctx, page).await?;
    Ok(Listed::items(views, page, uri, |n: &NotificationView| {
        n.id.clone()
    }))
}

/// Marks one of your notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn read_api(ctx: Ctx, Path(id): Path<String>) -> WebResult<axum::http::StatusCode> {
    mark_read(&ctx, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
