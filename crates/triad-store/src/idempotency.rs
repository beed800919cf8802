//! Idempotency keys: a form submitted twice (a double tap, a retry on a flaky phone
//! connection) or an API write retried with the same key is recorded once, and the retry
//! gets the first answer back.

use crate::{execute, fetch_optional, Db, StoreResult};
use triad_domain::Timestamp;

/// What became of the first request with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time seen: go ahead, then [`finish`] with the answer.
    Fresh,
    /// Seen and answered: send this answer again.
    Done {
        status: u16,
        location: Option<String>,
        body: Option<String>,
    },
    /// Seen, still being worked on by another request.
    InProgress,
    /// The key was used before for a different request.
    Mismatch,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: String,
    status: Option<i64>,
    location: Option<String>,
    body: Option<String>,
}

/// Claims a key for an actor. Keys of one actor never collide with another's.
pub async fn claim(
    db: &Db,
    actor_key: &str,
    key: &str,
    request_hash: &str,
    now: Timestamp,
) -> StoreResult<Claim> {
    let mut tx = db.begin().await?;
    let inserted = execute!(
        &mut tx,
        "INSERT INTO idempotency_keys (actor_key, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (actor_key, key) DO NOTHING",
        actor_key.to_string(),
        key.to_string(),
        request_hash.to_string(),
        now.millis()
    )?;
    let claim = if inserted == 1 {
        Claim::Fresh
    } else {
        let row = fetch_optional!(
            &mut tx,
            Row,
            "SELECT request_hash, status, location, body FROM idempotency_keys WHERE actor_key = $1 AND key = $2",
            actor_key.to_string(),
            key.to_string()
        )?;
        match row {
            None => Claim::Fresh,
            Some(r) if r.request_hash != request_hash => Claim::Mismatch,
            Some(Row {
                status: Some(status),
                location,
                body,
                ..
            }) => Claim::Done {
                status: u16::try_from(status).unwrap_or(500),
                location,
                body,
            },
            Some(_) => Claim::InProgress,
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// Stores the answer to a claimed key.
pub async fn finish(
    db: &Db,
    actor_key: &str,
    key: &str,
    status: u16,
    location: Option<String>,
    body: Option<String>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    execute!(
        &mut tx,
        "UPDATE idempotency_keys SET status = $1, location = $2, body = $3 WHERE actor_key = $4 AND key = $5",
        i64::from(status),
        location,
        body,
        actor_key.to_string(),
        key.to_string()
    )?;
    tx.commit().await?;
    Ok(())
}

/// Releases a key whose request failed before anything was written, so a retry can run.
pub async fn release(db: &Db, actor_key: &str, key: &str) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    execute!(
        &mut tx,
        "DELETE FROM idempotency_keys WHERE actor_key = $1 AND key = $2 AND status IS NULL",
        actor_key.to_string(),
        key.to_string()
    )?;
    tx.commit().await?;
    Ok(())
}
