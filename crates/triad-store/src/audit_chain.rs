//! The audit trail's chain: how a batch's entries are placed after the head and the head
//! moved, in the batch's own transaction just before it commits (see the `group_commit` module).
//! Appending an entry and reading the trail are in the `audit` module.

use crate::conn::Conn;
use crate::error::{StoreError, StoreResult};
use crate::{execute, fetch_optional};
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

/// Places a batch's entries on the chain, in order, after `head` (read as the batch opened),
/// and moves the head past them. The batch holds the head (the write lock on SQLite, the head
/// row on PostgreSQL) from its first statement, so nobody moved it since.
pub(crate) async fn chain<'c>(
    conn: impl Into<Conn<'c>>,
    head: Option<Head>,
    entries: Vec<Unchained>,
) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
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
    let mut c: Conn = conn.into();
    let per_statement = crate::conn::rows_per_statement(c.engine(), 14, ENTRIES_PER_INSERT);
    let chunks = chained.chunks(per_statement);
    let last = chunks.len() - 1;
    for (i, rows) in chunks.enumerate() {
        insert_entries(&mut c, rows, (i == last).then_some(&tip)).await?;
    }
    Ok(())
}

/// Inserts chained entries; with `head`, moves the chain's head to it too (in the same
/// statement on PostgreSQL, where a statement is a round trip).
async fn insert_entries<'c>(
    conn: impl Into<Conn<'c>>,
    rows: &[AuditEntry],
    head: Option<&Head>,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let width = rows.len() * 14;
    let insert = format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES {}",
        crate::conn::placeholders(rows.len(), 14)
    );
    // PostgreSQL moves the head in the insert; SQLite, which cannot, in a statement after.
    let head_in_insert = head.is_some() && matches!(c, Conn::Postgres(_));
    let sql = if head_in_insert {
        format!("WITH moved AS ({}) {insert}", move_head(width + 1))
    } else {
        insert
    };
    crate::run!(&mut c, |c| {
        let mut q = sqlx::query(&sql);
        for entry in rows {
            let e = &entry.event;
            q = q
                .bind(entry.seq)
                .bind(entry.id.to_string())
                .bind(entry.at.millis())
                .bind(e.actor.map(|a| a.to_string()))
                .bind(e.action.clone())
                .bind(e.record_type.clone())
                .bind(e.record_id.clone())
                .bind(e.outcome.code())
                .bind(e.source.clone())
                .bind(e.content_hash.clone())
                .bind(e.district.map(|a| a.to_string()))
                .bind(e.agency.map(|a| a.to_string()))
                .bind(entry.prev_hash.clone())
                .bind(entry.hash.clone());
        }
        if let (Some(head), true) = (head, head_in_insert) {
            q = q.bind(head.seq).bind(head.hash.clone());
        }
        q.execute(c).await.map(|_| ())
    })?;
    if let (Some(head), false) = (head, head_in_insert) {
        execute!(&mut c, &move_head(1), head.seq, head.hash.clone())?;
    }
    Ok(())
}

/// The statement that moves the chain's head, its two values numbered from `first`.
fn move_head(first: usize) -> String {
    format!(
        "UPDATE audit_head SET seq = ${first}, hash = ${} WHERE id = 1",
        first + 1
    )
}

/// Reads the chain's head as stored: the last entry's number and hash.
pub(crate) const READ_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// The chain's head as the database records it.
pub async fn head<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Head> {
    let mut c: Conn = conn.into();
    fetch_optional!(&mut c, Head, READ_HEAD)?
        .ok_or(StoreError::Config("the audit head is missing".into()))
}
