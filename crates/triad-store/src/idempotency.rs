//! Idempotency keys: a form submitted twice (a double tap, a retry on a flaky phone
//! connection) or an API write retried with the same key is recorded once, and the retry
//! gets the first answer back.
//!
//! A write commits once. The key is not claimed in a transaction of its own: it is recorded
//! by the first write transaction the request begins (see [`with_key`]), as that write is
//! released into its batch, so the key and the write commit together, with the id of the
//! record the write made. A second request with the same key finds the key taken when it is
//! released, and nothing of it is kept (on PostgreSQL it waits for the first to commit). The
//! full answer is stored afterwards, in batches (see [`finish_many`]); a key found without one
//! still says its write was recorded, and which record it made ([`Claim::Recorded`]).
//!
//! A key, once recorded, is never given back: its write is saved, and a retry must be told
//! so rather than write it again.

use crate::statement::{Statement, Value};
use crate::{execute, fetch_optional, Db, StoreResult};
use triad_domain::Timestamp;

pub use crate::pending_key::{with_key, PendingKey, KEY_TAKEN};

/// What became of an earlier request with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Not seen: go ahead.
    Fresh,
    /// Seen and answered: send this answer again.
    Done {
        status: u16,
        location: Option<String>,
        body: Option<String>,
    },
    /// Seen, and its write committed, but no answer is stored: the request is still being
    /// answered, or the server stopped before storing it. Names the record the write made.
    Recorded {
        record_type: Option<String>,
        record_id: Option<String>,
    },
    /// The key was used before for a different request.
    Mismatch,
}

#[derive(sqlx::FromRow, Clone)]
pub(crate) struct Row {
    request_hash: String,
    status: Option<i64>,
    location: Option<String>,
    body: Option<String>,
    record_type: Option<String>,
    record_id: Option<String>,
}

/// The columns a lookup reads, in [`Row`]'s order.
pub(crate) const LOOKED_UP: &str = "request_hash, status, location, body, record_type, record_id";

/// What an earlier request with this key came to, read without writing anything. Requests
/// that arrive together share statements instead (the shared lookups, built on this module);
/// this is the lookup of one key alone.
pub async fn lookup(db: &Db, actor_key: &str, key: &str, request_hash: &str) -> StoreResult<Claim> {
    let row = fetch_optional!(
        &mut db.acquire().await?,
        Row,
        &format!("SELECT {LOOKED_UP} FROM idempotency_keys WHERE actor_key = $1 AND key = $2"),
        actor_key.to_string(),
        key.to_string()
    )?;
    Ok(claim_of(row, request_hash))
}

/// What the row found under a key (if any) says to a request with `request_hash`.
pub(crate) fn claim_of(row: Option<Row>, request_hash: &str) -> Claim {
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
        Some(Row {
            record_type,
            record_id,
            ..
        }) => Claim::Recorded {
            record_type,
            record_id,
        },
    }
}

/// How long a key is kept for replays, in hours (setting `idempotency.keep_hours`): a client
/// retries within minutes; past this the key is forgotten and may be used again.
pub const KEEP_SETTING: &str = "idempotency.keep_hours";
pub const DEFAULT_KEEP_HOURS: i64 = 24;

/// Forgets the keys recorded before `before`. Yields how many.
pub async fn purge_before(db: &Db, before: Timestamp) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let removed = execute!(
        &mut tx,
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        before.millis()
    )?;
    tx.commit().await?;
    Ok(removed)
}

/// The answer to a request, stored for replays.
#[derive(Debug, Clone)]
pub struct Answer {
    pub actor_key: String,
    pub key: String,
    pub request_hash: String,
    pub status: u16,
    pub location: Option<String>,
    pub body: Option<String>,
    pub at: i64,
}

/// Answers stored by one statement: few statements keep the shared writer free for others.
const ANSWERS_PER_STATEMENT: usize = 200;

/// Stores answers, many in one transaction (one commit for a burst of writes).
pub async fn finish_many(db: &Db, answers: &[Answer]) -> StoreResult<()> {
    if answers.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    // A stored answer is read only by a retry, never by a page.
    tx.shown_nowhere();
    let per_statement = crate::conn::rows_per_statement(db.engine(), 7, ANSWERS_PER_STATEMENT);
    // Sent with the release: nothing is read back.
    for chunk in answers.chunks(per_statement) {
        let sql = format!(
            "INSERT INTO idempotency_keys (actor_key, key, request_hash, created_at, status, location, body) \
             VALUES {} ON CONFLICT (actor_key, key) DO UPDATE \
             SET status = excluded.status, location = excluded.location, body = excluded.body",
            crate::conn::placeholders(chunk.len(), 7)
        );
        let mut values = Vec::with_capacity(chunk.len() * 7);
        for a in chunk {
            values.extend([
                Value::from(a.actor_key.as_str()),
                Value::from(a.key.as_str()),
                Value::from(a.request_hash.as_str()),
                Value::from(a.at),
                Value::from(i64::from(a.status)),
                Value::from(a.location.clone()),
                Value::from(a.body.clone()),
            ]);
        }
        tx.defer(Statement::new(sql, values));
    }
    tx.commit().await
}
