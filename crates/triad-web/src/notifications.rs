//! A person's notifications: shown on their home page until read (a confirmed ban match
//! tells the campus's SRO and administrators at once).

use crate::context::Ctx;
use crate::error::{ErrorBody, WebError, WebResult};
use crate::paging::{Listed, Page, PageQuery};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use triad_domain::Id;

pub fn routes() -> Routes {
    Routes::default()
        .post("/notifications/{id}/read", read_page)
        .get("/api/v1/notifications", list)
        .post("/api/v1/notifications/{id}/read", read_api)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, read_api), components(schemas(NotificationView)))]
pub struct NotificationsApiDoc;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub message: String,
    pub link: Option<String>,
    pub at: String,
}

/// The actor's unread notifications, newest first.
pub async fn unread(ctx: &Ctx, page: Page) -> WebResult<Vec<NotificationView>> {
    let rows = triad_store::notifications::unread(
        &mut ctx.state.db.acquire().await?,
        ctx.actor.user,
        page,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|n| NotificationView {
            at: crate::views::when(n.created_at),
            id: n.id,
            message: n.message,
            link: n.link,
        })
        .collect())
}

/// Marks one of the actor's notifications read; anyone else's is not there.
async fn mark_read(ctx: &Ctx, id: &str) -> WebResult<()> {
    let parsed = Id::parse(id).ok_or(WebError::NotFound)?;
    let mut tx = ctx.state.db.begin().await?;
    let changed =
        triad_store::notifications::mark_read(&mut tx, parsed, ctx.actor.user, ctx.now.millis())
            .await?;
    if changed == 0 {
        // Nothing changed: nothing is committed, so the request leaves no key behind.
        drop(tx);
        // Someone else's, or not there: the same answer, and the try is on the audit trail.
        return Err(
            match ctx
                .deny("not your notification", ("notification", id))
                .await
            {
                WebError::Forbidden(_) => WebError::NotFound,
                other => other,
            },
        );
    }
    tx.commit().await?;
    Ok(())
}

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
