//! A person's notifications: shown on their home page until read (a confirmed ban match
//! tells the campus's SRO and administrators at once).

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use triad_domain::Id;
use triad_store::paging::Page;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub message: String,
    pub link: Option<String>,
    pub at: String,
}

/// The actor's unread notifications, newest first.
pub async fn unread(ctx: &Ctx, page: Page) -> AppResult<Vec<NotificationView>> {
    let rows =
        triad_store::notifications::unread(&mut ctx.app.db.acquire().await?, ctx.actor.user, page)
            .await?;
    Ok(rows
        .into_iter()
        .map(|n| NotificationView {
            at: crate::show::when(n.created_at),
            id: n.id,
            message: n.message,
            link: n.link,
        })
        .collect())
}

/// Marks one of the actor's notifications read; anyone else's is not there.
pub async fn mark_read(ctx: &Ctx, id: &str) -> AppResult<()> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    // Not a change to any record of the field, and not on the audit trail: a person's own
    // reading of what they were told.
    let mut tx = ctx.app.db.begin().await?;
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
                AppError::Forbidden(_) => AppError::NotFound,
                other => other,
            },
        );
    }
    tx.commit().await?;
    Ok(())
}
