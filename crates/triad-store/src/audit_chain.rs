//! The audit trail's chain: how a batch's entries are placed after the head and the head
//! moved, in the batch's own transaction just before it commits (see the `group_commit` module).
//! Appending an entry and reading the trail are in the `audit` module.

use crate::conn::{Conn, Engine};
use crate::error::{StoreError, StoreResult};
use crate::fetch_optional;
use crate::statement::{Statement, Value};
use triad_domain::audit::{AuditEntry, AuditEvent};
use triad_domain::{Id, Timestamp};

/// The chain's head: the last entry's number and hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

pub(crate) const COLUMNS: &str =
    "seq, id, at, actor_id, action, record_type, record_id, outcome, source, \
                       content_hash, district_id, agency_id, prev_hash, hash";

/// An audit entry made by a write, not yet placed on the chain.
#[derive(Debug)]
pub(crate) struct Unchained {
    pub(crate) id: Id,
    pub(crate) at: Timestamp,
    pub(crate) event: AuditEvent,
}

impl Unchained {
    /// The record the entry is about, when it names one.
    pub(crate) fn record(&self) -> Option<(String, String)> {
        Some((
            self.event.record_type.clone()?,
            self.event.record_id.clone()?,
        ))
    }

    /// Turns the entry's pending content into its hash keyed with the instance's secret.
    pub(crate) fn seal(&mut self, secret: &[u8]) {
        self.event.seal_content(secret);
    }
}

/// Rows of audit entries per INSERT: 14 values each, well under either engine's limit on
/// values in one statement.
const ENTRIES_PER_INSERT: usize = 500;

/// The statements that place a batch's entries on the chain, in order, after `head` (read as
/// the batch opened), and move the head past them. The batch holds the head (the write lock on
/// SQLite, the head row on PostgreSQL) from its first statement, so nobody moved it since; they
/// are sent with its COMMIT.
pub(crate) fn chain(
    engine: Engine,
    head: Option<Head>,
    entries: Vec<Unchained>,
) -> StoreResult<Vec<Statement>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut tip = head.ok_or(StoreError::Config("the audit head is missing".into()))?;
    let mut chained = Vec::with_capacity(entries.len());
    for Unchained { id, at, event } in entries {
        let entry = AuditEntry::chain(event, id, at, tip.seq, &tip.hash);
        tip = Head {
            seq: entry.seq,
            hash: entry.hash.clone(),
        };
        chained.push(entry);
    }
    let per_statement = crate::conn::rows_per_statement(engine, 14, ENTRIES_PER_INSERT);
    let mut statements: Vec<Statement> =
        chained.chunks(per_statement).map(insert_entries).collect();
    statements.push(Statement::new(
        MOVE_HEAD,
        vec![Value::from(tip.seq), Value::from(tip.hash)],
    ));
    Ok(statements)
}

/// The statement that inserts chained entries.
fn insert_entries(rows: &[AuditEntry]) -> Statement {
    let sql = format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES {}",
        crate::conn::placeholders(rows.len(), 14)
    );
    let mut values = Vec::with_capacity(rows.len() * 14);
    for entry in rows {
        let e = &entry.event;
        values.extend([
            Value::from(entry.seq),
            Value::from(entry.id.to_string()),
            Value::from(entry.at.millis()),
            Value::from(e.actor.map(|a| a.to_string())),
            Value::from(e.action.clone()),
            Value::from(e.record_type.clone()),
            Value::from(e.record_id.clone()),
            Value::from(e.outcome.code()),
            Value::from(e.source.clone()),
            Value::from(e.content_hash.clone()),
            Value::from(e.district.map(|a| a.to_string())),
            Value::from(e.agency.map(|a| a.to_string())),
            Value::from(entry.prev_hash.clone()),
            Value::from(entry.hash.clone()),
        ]);
    }
    Statement::new(sql, values)
}

/// The statement that moves the chain's head onto the last entry chained.
const MOVE_HEAD: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1";

/// Reads the chain's head as stored: the last entry's number and hash.
pub(crate) const READ_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// The chain's head as the database records it.
pub async fn head<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Head> {
    let mut c: Conn = conn.into();
    fetch_optional!(&mut c, Head, READ_HEAD)?
        .ok_or(StoreError::Config("the audit head is missing".into()))
}
