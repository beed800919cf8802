//! Failed sign-ins and the locks they lead to, by account and by address.

use super::*;
use crate::{execute, fetch_all, fetch_optional, fetch_scalar, Conn, StoreResult};
use triad_domain::{Id, Timestamp};

pub async fn record_failure<'c>(
    conn: impl Into<Conn<'c>>,
    username: &str,
    user: Option<Id>,
    source: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO login_failures (id, username, user_id, source, at) VALUES ($1, $2, $3, $4, $5)",
        Id::new().to_string(),
        username.to_string(),
        user.map(|u| u.to_string()),
        source.to_string(),
        now.millis()
    )?;
    Ok(())
}

/// Counts recent failures: for a user (from one source, or from all when `source` is
/// `None`), or from a source whatever user it named (when `user` is `None`).
pub async fn count_failures<'c>(
    conn: impl Into<Conn<'c>>,
    user: Option<Id>,
    source: Option<&str>,
    since: Timestamp,
) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM login_failures WHERE at >= $1 AND ($2 IS NULL OR user_id = $2) AND ($3 IS NULL OR source = $3)",
        since.millis(),
        user.map(|u| u.to_string()),
        source.map(str::to_string)
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LockRow {
    pub id: String,
    pub user_id: String,
    pub source: Option<String>,
    pub locked_at: i64,
    pub locked_until: i64,
}

/// A lock in force for this user at `now`: one for every address, or one for this source.
pub async fn active_lock<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    source: &str,
    now: Timestamp,
) -> StoreResult<Option<LockRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        LockRow,
        "SELECT id, user_id, source, locked_at, locked_until FROM account_locks \
         WHERE user_id = $1 AND cleared_at IS NULL AND locked_until > $2 AND (source IS NULL OR source = $3) \
         ORDER BY locked_until DESC LIMIT 1",
        user.to_string(),
        now.millis(),
        source.to_string()
    )?)
}

pub async fn locks_since<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    since: Timestamp,
) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM account_locks WHERE user_id = $1 AND locked_at >= $2",
        user.to_string(),
        since.millis()
    )?)
}

pub async fn insert_lock<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    source: Option<&str>,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Id> {
    let mut c: Conn = conn.into();
    let id = Id::new();
    execute!(
        &mut c,
        "INSERT INTO account_locks (id, user_id, source, locked_at, locked_until) VALUES ($1, $2, $3, $4, $5)",
        id.to_string(),
        user.to_string(),
        source.map(str::to_string),
        now.millis(),
        until.millis()
    )?;
    Ok(id)
}

/// Clears every lock of a user and forgets the failures that caused them, so the officer
/// can sign in at once.
pub async fn clear_locks<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    by: Id,
    now: Timestamp,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE account_locks SET cleared_at = $1, cleared_by = $2 WHERE user_id = $3 AND cleared_at IS NULL AND locked_until > $1",
        now.millis(),
        by.to_string(),
        user.to_string()
    )?;
    execute!(
        &mut c,
        "DELETE FROM login_failures WHERE user_id = $1",
        user.to_string()
    )?;
    Ok(n)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LockView {
    pub user_id: String,
    pub username: String,
    pub source: Option<String>,
    pub locked_at: i64,
    pub locked_until: i64,
}

pub async fn active_locks<'c>(
    conn: impl Into<Conn<'c>>,
    now: Timestamp,
) -> StoreResult<Vec<LockView>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        LockView,
        "SELECT l.user_id, u.username, l.source, l.locked_at, l.locked_until FROM account_locks l \
         JOIN users u ON u.id = l.user_id WHERE l.cleared_at IS NULL AND l.locked_until > $1 ORDER BY l.locked_at DESC",
        now.millis()
    )?)
}

/// Lifts every lock on an account at once, audited.
pub async fn unlock_account(db: &crate::Db, user: Id, by: &ChangedBy) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let cleared = clear_locks(&mut tx, user, by.actor.unwrap_or(user), by.now).await?;
    crate::audit::append(
        &mut tx,
        by.event("account.unlock").record("user", user),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok(cleared)
}
