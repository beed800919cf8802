//! The audit trail in the database: appended in the same transaction as the change it
//! records, read back for the audit page and export, and verified end to end.

use crate::{execute, fetch_all, fetch_optional, Conn, Db, StoreResult};
use triad_domain::audit::{AuditEntry, AuditEvent, Break, ChainVerifier, Outcome};
use triad_domain::{Id, Timestamp};

#[derive(sqlx::FromRow)]
struct Head {
    seq: i64,
    hash: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    id: String,
    at: i64,
    actor_id: Option<String>,
    action: String,
    record_type: Option<String>,
    record_id: Option<String>,
    outcome: String,
    source: Option<String>,
    content_hash: Option<String>,
    district_id: Option<String>,
    agency_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl Row {
    /// Reads a stored entry back. A value that no longer parses is kept as something that
    /// will not hash the same, so verification names the entry instead of failing silently.
    fn into_entry(self) -> AuditEntry {
        let id_or_nil =
            |text: &str| Id::parse(text).unwrap_or_else(|| Id::from_parts("unparseable", 0));
        AuditEntry {
            seq: self.seq,
            id: id_or_nil(&self.id),
            at: Timestamp::from_millis(self.at),
            event: AuditEvent {
                actor: self.actor_id.as_deref().map(id_or_nil),
                action: self.action,
                record_type: self.record_type,
                record_id: self.record_id,
                outcome: Outcome::from_code(&self.outcome).unwrap_or(Outcome::Failed),
                source: self.source,
                content_hash: self.content_hash,
                district: self.district_id.as_deref().map(id_or_nil),
                agency: self.agency_id.as_deref().map(id_or_nil),
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

const COLUMNS: &str = "seq, id, at, actor_id, action, record_type, record_id, outcome, source, \
                       content_hash, district_id, agency_id, prev_hash, hash";

/// Appends an event to the chain. Call it inside the transaction of the change it records.
/// Taking the head row first orders every append, across connections and server instances.
pub async fn append<'c>(
    conn: impl Into<Conn<'c>>,
    event: AuditEvent,
    at: Timestamp,
) -> StoreResult<AuditEntry> {
    let mut c: Conn = conn.into();
    let head = fetch_optional!(
        &mut c,
        Head,
        "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq - 1 AS seq, hash"
    )?
    .ok_or(crate::StoreError::Config(
        "the audit head is missing".into(),
    ))?;
    let entry = AuditEntry::chain(event, Id::new(), at, head.seq, &head.hash);
    let e = &entry.event;
    execute!(
        &mut c,
        "INSERT INTO audit_log (seq, id, at, actor_id, action, record_type, record_id, outcome, \
         source, content_hash, district_id, agency_id, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        entry.seq,
        entry.id.to_string(),
        entry.at.millis(),
        e.actor.map(|a| a.to_string()),
        e.action.clone(),
        e.record_type.clone(),
        e.record_id.clone(),
        e.outcome.code(),
        e.source.clone(),
        e.content_hash.clone(),
        e.district.map(|a| a.to_string()),
        e.agency.map(|a| a.to_string()),
        entry.prev_hash.clone(),
        entry.hash.clone(),
    )?;
    execute!(
        &mut c,
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        entry.hash.clone()
    )?;
    Ok(entry)
}

/// Records an event in a transaction of its own (a login failure, a denial: nothing else is
/// written with it).
pub async fn record(db: &Db, event: AuditEvent, at: Timestamp) -> StoreResult<AuditEntry> {
    let mut tx = db.begin().await?;
    let entry = append(&mut tx, event, at).await?;
    tx.commit().await?;
    Ok(entry)
}

/// What the audit page filters on.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries of these districts; `None` means every entry (system administrators).
    pub districts: Option<Vec<Id>>,
    pub actor: Option<Id>,
    pub action_prefix: Option<String>,
    pub outcome: Option<Outcome>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: i64,
}

/// Entries matching a filter, newest first.
pub async fn list(db: &Db, filter: &Filter) -> StoreResult<Vec<AuditEntry>> {
    let mut conn = db.acquire().await?;
    let districts = filter.districts.as_ref().map(|ds| {
        ds.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    });
    // The district list travels as one comma-separated parameter; ids are hex and dashes, so
    // a delimited LIKE reads the same on both engines.
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log \
         WHERE ($1 IS NULL OR (district_id IS NOT NULL AND ',' || $1 || ',' LIKE '%,' || district_id || ',%')) \
           AND ($2 IS NULL OR actor_id = $2) \
           AND ($3 IS NULL OR substr(action, 1, length($3)) = $3) \
           AND ($4 IS NULL OR outcome = $4) \
           AND ($5 IS NULL OR at >= $5) \
           AND ($6 IS NULL OR at < $6) \
         ORDER BY seq DESC LIMIT $7"
    );
    let rows = fetch_all!(
        &mut conn,
        Row,
        &sql,
        districts,
        filter.actor.map(|a| a.to_string()),
        filter.action_prefix.clone(),
        filter.outcome.map(|o| o.code()),
        filter.since.map(|t| t.millis()),
        filter.until.map(|t| t.millis()),
        filter.limit.clamp(1, 100_000),
    )?;
    Ok(rows.into_iter().map(Row::into_entry).collect())
}

/// Recomputes the whole chain, in order, a page at a time, and checks it ends at the head.
/// `Ok` carries the number of entries; `Err` names the first entry that does not match.
pub async fn verify(db: &Db) -> StoreResult<Result<u64, Break>> {
    let mut conn = db.acquire().await?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0_i64;
    loop {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000");
        let page = fetch_all!(&mut conn, Row, &sql, after)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in page {
            if let Err(broken) = verifier.check(&row.into_entry()) {
                return Ok(Err(broken));
            }
        }
    }
    let head = fetch_optional!(
        &mut conn,
        Head,
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    )?
    .ok_or(crate::StoreError::Config(
        "the audit head is missing".into(),
    ))?;
    Ok(verifier.finish(head.seq, &head.hash))
}
