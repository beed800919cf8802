//! A request's idempotency key on its way to being recorded: held for the request's task, and
//! taken by the first write transaction the request begins, which records it as it commits
//! (see the `idempotency` module for what is kept and how a retry is answered).

use crate::statement::{Statement, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use triad_domain::Timestamp;

/// The table a claimed key is recorded in, and the columns a claim fills.
pub(crate) const CLAIMED_IN: &str = "idempotency_keys";
const CLAIM_COLUMNS: &str = "actor_key, key, request_hash, created_at, record_type, record_id";

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
    /// The statement that records the key, sent with the write's release. A key already
    /// present (another request got there first) fails it, which undoes the write.
    pub(crate) fn claim(&self, record: Option<&(String, String)>) -> Statement {
        Statement::new(
            format!("INSERT INTO {CLAIMED_IN} ({CLAIM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            vec![
                Value::from(self.actor_key.as_str()),
                Value::from(self.key.as_str()),
                Value::from(self.request_hash.as_str()),
                Value::from(self.at),
                Value::from(record.map(|(kind, _)| kind.clone())),
                Value::from(record.map(|(_, id)| id.clone())),
            ],
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
