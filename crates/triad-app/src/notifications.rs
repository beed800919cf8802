//! A person's notifications: shown on their home page until read (a confirmed ban match
//! tells the campus's SRO and administrators at once).

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use triad_domain::policy::{Action, OnlyBy, RecordClass, Resource, Tenant};
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

/// Marks one of the actor's notifications read; anyone else's is not there (and the try is
/// on the audit trail): the policy binds the change to the person notified.
pub async fn mark_read(ctx: &Ctx, id: &str) -> AppResult<()> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let addressee =
        triad_store::notifications::addressee(&mut ctx.app.db.acquire().await?, parsed).await?;
    // Unknown notifications and other people's answer alike.
    let to = addressee.unwrap_or_else(Id::random);
    let resource = Resource::new(RecordClass::Accounts, Tenant::INSTANCE)
        .owned_by(to)
        .changed_only_by(OnlyBy::Addressee(to));
    match ctx
        .require(Action::Change, resource, ("notification", id))
        .await
    {
        Ok(_) => {}
        Err(AppError::Forbidden(_)) => return Err(AppError::NotFound),
        Err(other) => return Err(other),
    }
    // Not a change to any record of the field, and not on the audit trail: a person's own
    // reading of what they were told.
    let mut tx = ctx.app.db.begin().await?;
    let changed =
        triad_store::notifications::mark_read(&mut tx, parsed, ctx.actor.user, ctx.now.millis())
            .await?;
    if changed == 0 {
        // Read already, or gone meanwhile: nothing to change, nothing committed.
        drop(tx);
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
