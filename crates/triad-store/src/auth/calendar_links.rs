//! Calendar links: the secret address a person's calendar app reads their feed from with no
//! session. Only the secret's hash is kept; a person has at most one live link, and making a
//! new one stops the old in the same transaction.

use super::*;
use crate::{execute, fetch_optional};
use triad_domain::{Id, Timestamp};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarLinkRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_read_at: Option<i64>,
}

const LINK_COLUMNS: &str = "id, user_id, created_at, last_read_at";

/// Makes a new calendar link for `user`, stopping the one they had; the secret is returned
/// this once.
pub async fn make_calendar_link(
    db: &crate::Db,
    user: Id,
    by: &ChangedBy,
) -> StoreResult<(Id, String)> {
    let secret = new_secret("triad_cal_");
    let id = Id::new();
    let mut tx = db.begin().await?;
    stop_live_links(&mut tx, user, by.now).await?;
    execute!(
        &mut tx,
        "INSERT INTO calendar_links (id, user_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
        id.to_string(),
        user.to_string(),
        secret_hash(&secret),
        by.now.millis()
    )?;
    crate::audit::append(
        &mut tx,
        by.event("calendar.link_made").record("user", user),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Stops `user`'s live calendar link, if they have one (audited); whether there was one.
pub async fn stop_calendar_link(db: &crate::Db, user: Id, by: &ChangedBy) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let stopped = stop_live_links(&mut tx, user, by.now).await? > 0;
    if stopped {
        crate::audit::append(
            &mut tx,
            by.event("calendar.link_stopped").record("user", user),
            by.now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(stopped)
}

async fn stop_live_links<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    now: Timestamp,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "UPDATE calendar_links SET stopped_at = $1 WHERE user_id = $2 AND stopped_at IS NULL",
        now.millis(),
        user.to_string()
    )?)
}

/// The person's live calendar link (never its secret).
pub async fn live_calendar_link<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
) -> StoreResult<Option<CalendarLinkRow>> {
    live_link_where(conn, "user_id", &user.to_string()).await
}

/// The live link whose secret has this hash.
pub async fn calendar_link_by_secret<'c>(
    conn: impl Into<Conn<'c>>,
    hash: &str,
) -> StoreResult<Option<CalendarLinkRow>> {
    live_link_where(conn, "secret_hash", hash).await
}

/// The live link with this id.
pub async fn calendar_link_by_id<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
) -> StoreResult<Option<CalendarLinkRow>> {
    live_link_where(conn, "id", id).await
}

/// The live link whose `column` (one of this module's, never a caller's text) holds `value`.
async fn live_link_where<'c>(
    conn: impl Into<Conn<'c>>,
    column: &'static str,
    value: &str,
) -> StoreResult<Option<CalendarLinkRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        CalendarLinkRow,
        &format!(
            "SELECT {LINK_COLUMNS} FROM calendar_links WHERE {column} = $1 AND stopped_at IS NULL"
        ),
        value.to_string()
    )?)
}

/// Notes that a calendar app read the link, at most once a minute (the account page shows it).
pub async fn touch_calendar_link<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE calendar_links SET last_read_at = $1 WHERE id = $2 \
         AND (last_read_at IS NULL OR last_read_at < $3)",
        now.millis(),
        id.to_string(),
        now.millis() - TOUCH_EVERY_MS
    )?;
    Ok(())
}
