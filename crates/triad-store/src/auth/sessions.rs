//! Sessions of the pages: opened at sign-in, found by the hash of their cookie, touched at
//! most once a minute, ended at sign-out.

use super::*;
use crate::{execute, fetch_optional, Conn, StoreResult};
use triad_domain::{Id, Timestamp};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub csrf_secret: String,
    pub second_factor_done: bool,
    /// The identity provider vouched for a second factor at sign-in.
    pub second_factor_by_provider: bool,
}

pub async fn insert_session<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
    user: Id,
    csrf_secret: &str,
    second_factor_done: bool,
    source: Option<String>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, csrf_secret, second_factor_done, source) \
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
        token_hash.to_string(),
        user.to_string(),
        now.millis(),
        csrf_secret.to_string(),
        second_factor_done,
        source
    )?;
    Ok(())
}

pub async fn session_by_hash<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
) -> StoreResult<Option<SessionRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        SessionRow,
        "SELECT user_id, created_at, last_seen_at, csrf_secret, second_factor_done, \
         second_factor_by_provider FROM sessions WHERE token_hash = $1",
        token_hash.to_string()
    )?)
}

/// Marks a session used now. Only written when a minute has passed, so reads stay reads.
pub async fn touch_session<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3",
        now.millis(),
        token_hash.to_string(),
        now.millis() - TOUCH_EVERY_MS
    )?;
    Ok(())
}

pub async fn delete_session<'c>(conn: impl Into<Conn<'c>>, token_hash: &str) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM sessions WHERE token_hash = $1",
        token_hash.to_string()
    )?;
    Ok(())
}

/// Ends every session of a person ("sign out everywhere"): the hashes of those ended, so the
/// caller can close what this instance streams to them.
pub async fn delete_sessions_of<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
) -> StoreResult<Vec<String>> {
    let mut c: Conn = conn.into();
    let ended: Vec<(String,)> = crate::fetch_all!(
        &mut c,
        (String,),
        "SELECT token_hash FROM sessions WHERE user_id = $1",
        user.to_string()
    )?;
    execute!(
        &mut c,
        "DELETE FROM sessions WHERE user_id = $1",
        user.to_string()
    )?;
    Ok(ended.into_iter().map(|(hash,)| hash).collect())
}
