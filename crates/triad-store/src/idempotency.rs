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

use crate::db::Engine;
use crate::{execute, fetch_optional, Db, StoreResult};
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
    /// Seen, and its write committed, but no answer is stored: the request is still being
    /// answered, or the server stopped before storing it. Names the record the write made.
    Recorded {
        record_type: Option<String>,
        record_id: Option<String>,
    },
    /// The key was used before for a different request.
    Mismatch,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: String,
    status: Option<i64>,
    location: Option<String>,
    body: Option<String>,
    record_type: Option<String>,
    record_id: Option<String>,
}

/// What an earlier request with this key came to, read without writing anything.
pub async fn lookup(db: &Db, actor_key: &str, key: &str, request_hash: &str) -> StoreResult<Claim> {
    let row = fetch_optional!(
        &mut db.acquire().await?,
        Row,
        "SELECT request_hash, status, location, body, record_type, record_id FROM idempotency_keys \
         WHERE actor_key = $1 AND key = $2",
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
        Some(Row {
            record_type,
            record_id,
            ..
        }) => Claim::Recorded {
            record_type,
            record_id,
        },
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
    /// It did: a write of the request is saved.
    taken: AtomicBool,
    /// The record that write made or changed.
    record: std::sync::Mutex<Option<String>>,
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
            record: std::sync::Mutex::new(None),
        })
    }

    /// Whether a transaction of the request has recorded the key: a write of it is saved.
    pub fn was_taken(&self) -> bool {
        self.taken.load(Ordering::SeqCst)
    }

    /// The id of the record the request's first write made or changed, once saved.
    pub fn record(&self) -> Option<String> {
        self.record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

tokio::task_local! {
    static PENDING: Arc<PendingKey>;
}

/// Runs a request's work so that the first write transaction it begins also records its key.
pub async fn with_key<F: std::future::Future>(key: Arc<PendingKey>, work: F) -> F::Output {
    PENDING.scope(key, work).await
}

/// Why a request is refused when another request with its key was recorded first.
pub const KEY_TAKEN: &str = "this request is already being recorded; wait a moment and reload";

/// The key of the request being served, if it has one and no transaction has taken it to
/// record yet. Called by [`crate::Db::begin`]: the request's first write records it.
pub(crate) fn take_pending() -> Option<Arc<PendingKey>> {
    let pending = PENDING.try_with(Arc::clone).ok()?;
    (!pending.tried.swap(true, Ordering::SeqCst)).then_some(pending)
}

impl PendingKey {
    /// The statement that records the key. It travels with the write's release, which takes
    /// no bound arguments, so its values are written in as hex: nothing in a key can leave its
    /// literal. A key already present (another request got there first) fails it, which
    /// undoes the write.
    pub(crate) fn claim_sql(&self, engine: Engine, record: Option<&(String, String)>) -> String {
        let optional = |text: Option<&String>| {
            text.map(|t| text_literal(engine, t))
                .unwrap_or_else(|| "NULL".into())
        };
        format!(
            "INSERT INTO idempotency_keys (actor_key, key, request_hash, created_at, record_type, record_id) \
             VALUES ({}, {}, {}, {}, {}, {})",
            text_literal(engine, &self.actor_key),
            text_literal(engine, &self.key),
            text_literal(engine, &self.request_hash),
            self.at,
            optional(record.map(|(kind, _)| kind)),
            optional(record.map(|(_, id)| id)),
        )
    }

    /// A transaction that took the key to record did not commit: the next one records it.
    pub(crate) fn give_back(&self) {
        if !self.was_taken() {
            self.tried.store(false, Ordering::SeqCst);
        }
    }

    /// The key is this request's: recorded with a write that committed, which made `record`.
    pub(crate) fn mark_taken(&self, record: Option<String>) {
        *self.record.lock().unwrap_or_else(|e| e.into_inner()) = record;
        self.taken.store(true, Ordering::SeqCst);
    }
}

/// A string as an SQL expression made only of hex digits and the engine's decoding.
fn text_literal(engine: Engine, text: &str) -> String {
    let hex = hex::encode(text.as_bytes());
    match engine {
        Engine::Sqlite => format!("CAST(X'{hex}' AS TEXT)"),
        Engine::Postgres => format!("convert_from(decode('{hex}', 'hex'), 'UTF8')"),
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
