//! Idempotency keys: a form submitted twice (a double tap, a retry on a flaky phone
//! connection) or an API write retried with the same key is recorded once, and the retry
//! gets the first answer back.
//!
//! A write commits once. The key is not claimed in a transaction of its own: it is recorded
//! by the first write transaction the request begins (see [`with_key`]), so the key and the
//! write commit together, and a second request with the same key finds the key taken (on
//! PostgreSQL it waits for the first to commit). The answer is stored afterwards, in batches
//! (see [`finish_many`]).

use crate::{execute, fetch_optional, Db, StoreError, StoreResult, Tx};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use triad_domain::Timestamp;

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
    /// Seen, still being worked on (or its answer is not stored yet).
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

/// What an earlier request with this key came to, read without writing anything.
pub async fn lookup(db: &Db, actor_key: &str, key: &str, request_hash: &str) -> StoreResult<Claim> {
    let row = fetch_optional!(
        &mut db.acquire().await?,
        Row,
        "SELECT request_hash, status, location, body FROM idempotency_keys WHERE actor_key = $1 AND key = $2",
        actor_key.to_string(),
        key.to_string()
    )?;
    Ok(match row {
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
    })
}

/// A request's key, to be recorded by the first write transaction the request begins.
#[derive(Debug)]
pub struct PendingKey {
    actor_key: String,
    key: String,
    request_hash: String,
    at: i64,
    /// A transaction of the request tried to record the key.
    tried: AtomicBool,
    /// It did: the key is this request's (only then may a failure release it).
    taken: AtomicBool,
}

impl PendingKey {
    pub fn new(actor_key: &str, key: &str, request_hash: &str, at: Timestamp) -> Arc<Self> {
        Arc::new(Self {
            actor_key: actor_key.to_string(),
            key: key.to_string(),
            request_hash: request_hash.to_string(),
            at: at.millis(),
            tried: AtomicBool::new(false),
            taken: AtomicBool::new(false),
        })
    }

    /// Whether a transaction of the request has recorded the key.
    pub fn was_taken(&self) -> bool {
        self.taken.load(Ordering::SeqCst)
    }
}

tokio::task_local! {
    static PENDING: Arc<PendingKey>;
}

/// Runs a request's work so that the first write transaction it begins also records its key.
pub async fn with_key<F: std::future::Future>(key: Arc<PendingKey>, work: F) -> F::Output {
    PENDING.scope(key, work).await
}

/// Records the key of the request being served, if it has one and no transaction has
/// recorded it yet. Called by [`Db::begin`]. A key already present means another request
/// with it got there first: this one is refused before it writes anything.
pub(crate) async fn record_pending(tx: &mut Tx) -> StoreResult<()> {
    let Ok(pending) = PENDING.try_with(Arc::clone) else {
        return Ok(());
    };
    if pending.tried.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let inserted = execute!(
        &mut *tx,
        "INSERT INTO idempotency_keys (actor_key, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (actor_key, key) DO NOTHING",
        pending.actor_key.clone(),
        pending.key.clone(),
        pending.request_hash.clone(),
        pending.at
    )?;
    if inserted == 0 {
        // Another request holds the key: this one must not release it when it fails.
        return Err(StoreError::Conflict(
            "this request is already being recorded; wait a moment and reload".into(),
        ));
    }
    pending.taken.store(true, Ordering::SeqCst);
    Ok(())
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
    for chunk in answers.chunks(ANSWERS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO idempotency_keys (actor_key, key, request_hash, created_at, status, location, body) \
             VALUES {} ON CONFLICT (actor_key, key) DO UPDATE \
             SET status = excluded.status, location = excluded.location, body = excluded.body",
            crate::db::placeholders(chunk.len(), 7)
        );
        crate::run!(&mut tx, |c| {
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q
                    .bind(a.actor_key.clone())
                    .bind(a.key.clone())
                    .bind(a.request_hash.clone())
                    .bind(a.at)
                    .bind(i64::from(a.status))
                    .bind(a.location.clone())
                    .bind(a.body.clone());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await
}

/// Releases a key whose request failed, so a corrected retry can run.
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
