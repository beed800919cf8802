//! Personal access tokens of the API: made, listed, found by the hash of their secret,
//! touched at most once a minute, revoked.

use super::*;
use crate::paging::{after_cursor, Order, Page};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use triad_domain::{Id, Timestamp};

const TOKEN_COLUMNS: &str =
    "id, user_id, name, created_at, last_used_at, revoked_at, expires_at, read_only";

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The token stops working at this instant (milliseconds), if set.
    pub expires_at: Option<i64>,
    /// The token may only read.
    pub read_only: bool,
}

pub async fn insert_token<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    user: Id,
    name: &str,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    insert_token_of_kind(conn, id, user, name, token_hash, now, TokenKind::default()).await
}

/// How long a token lasts and what it may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenKind {
    pub expires_at: Option<Timestamp>,
    pub read_only: bool,
}

pub async fn insert_token_of_kind<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    user: Id,
    name: &str,
    token_hash: &str,
    now: Timestamp,
    kind: TokenKind,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, read_only) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id.to_string(),
        user.to_string(),
        name.to_string(),
        token_hash.to_string(),
        now.millis(),
        kind.expires_at.map(|t| t.millis()),
        kind.read_only
    )?;
    Ok(())
}

/// A page of a person's tokens, newest first.
pub async fn tokens_of<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    page: Page,
) -> StoreResult<Vec<TokenRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$3",
        "api_tokens",
        "",
        &["created_at", "id"],
        Order::Descending,
        "user_id = $1",
    );
    Ok(fetch_all!(
        &mut c,
        TokenRow,
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND {after} \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ),
        user.to_string(),
        page.limit,
        page.cursor()
    )?)
}

/// A token that has not been revoked, by the hash of its secret.
pub async fn live_token<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
) -> StoreResult<Option<TokenRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        TokenRow,
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        ),
        token_hash.to_string()
    )?)
}

/// Notes that a token was used, at most once a minute (the token list shows it).
pub async fn touch_token<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        now.millis(),
        id.to_string(),
        now.millis() - TOUCH_EVERY_MS
    )?;
    Ok(())
}

/// How often a session's or token's last use is written down: a write on every request would
/// cost more than the minute it tells.
pub const TOUCH_EVERY_MS: i64 = 60_000;

pub async fn token_by_id<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<TokenRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        TokenRow,
        &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"),
        id.to_string()
    )?)
}

pub async fn revoke_token<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        now.millis(),
        id.to_string()
    )?;
    Ok(())
}

/// Creates a personal access token; the secret is returned once and stored only hashed.
pub async fn create_token(
    db: &crate::Db,
    user: Id,
    name: &str,
    kind: TokenKind,
    by: &ChangedBy,
) -> StoreResult<(Id, String)> {
    let name = triad_domain::org::parse_name("name", name)?;
    let secret = new_secret("triad_pat_");
    let id = Id::new();
    let mut tx = db.begin().await?;
    let hash = secret_hash(&secret);
    insert_token_of_kind(&mut tx, id, user, &name, &hash, by.now, kind).await?;
    crate::audit::append(
        &mut tx,
        by.event("token.create").record("api_token", id),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

pub async fn revoke_token_audited(db: &crate::Db, id: Id, by: &ChangedBy) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    revoke_token(&mut tx, id, by.now).await?;
    crate::audit::append(
        &mut tx,
        by.event("token.revoke").record("api_token", id),
        by.now,
    )
    .await?;
    tx.commit().await
}
