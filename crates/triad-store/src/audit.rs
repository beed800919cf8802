//! The audit trail in the database: appended in the same transaction as the change it
//! records, read back for the audit page and export, and verified end to end.

use crate::audit_chain::COLUMNS;
pub use crate::audit_chain::{head, Head};
use crate::conn::Conn;
use crate::{execute, fetch_all, Db, PreparedWrite, StoreResult, Tx};
use triad_domain::audit::{AuditEntry, AuditEvent, Break, ChainVerifier, Outcome};
use triad_domain::{Id, Timestamp};

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
                content_pending: None,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// Appends an event to the audit trail, with the write it records: call it inside that
/// write's transaction. The entry is saved by the same commit, or not at all. It is placed on
/// the chain just before that commit, after the entries of the writes committed before it
/// (see [`chain`]); its id is returned now.
pub async fn append<W: Audited>(
    write: &mut W,
    event: AuditEvent,
    at: Timestamp,
) -> StoreResult<Id> {
    let id = Id::new();
    write.add_entry(id, at, event)?;
    Ok(id)
}

/// A write an audit entry can go with: an open transaction or a prepared write.
pub trait Audited: entries::Entries {}

impl Audited for Tx {}
impl Audited for PreparedWrite {}

/// Sealed: entries reach a write only through [`append`].
mod entries {
    use crate::audit_chain::Unchained;
    use crate::{PreparedWrite, StoreResult, Tx};
    use triad_domain::audit::AuditEvent;
    use triad_domain::{Id, Timestamp};

    pub trait Entries {
        fn add_entry(&mut self, id: Id, at: Timestamp, event: AuditEvent) -> StoreResult<()>;
    }

    impl Entries for Tx {
        fn add_entry(&mut self, id: Id, at: Timestamp, event: AuditEvent) -> StoreResult<()> {
            self.audit(Unchained { id, at, event })
        }
    }

    impl Entries for PreparedWrite {
        fn add_entry(&mut self, id: Id, at: Timestamp, event: AuditEvent) -> StoreResult<()> {
            self.audit(Unchained { id, at, event });
            Ok(())
        }
    }
}

/// Records an event in a transaction of its own (a login failure, a denial: nothing else is
/// written with it). It does not record the request's idempotency key: the request did
/// nothing, and the same key may be sent again.
pub async fn record(db: &Db, event: AuditEvent, at: Timestamp) -> StoreResult<Id> {
    let mut write = db.prepare_unkeyed();
    // An entry alone (a read of school records, a refusal) changes nothing a page kept under
    // the data version shows: the trail is read on every view of it. Moving the version here
    // would make every audited read rebuild every kept page of the instance.
    write.shown_nowhere();
    let id = append(&mut write, event, at).await?;
    write.commit().await?;
    Ok(id)
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
    /// Only entries before this one (the cursor of the next page, newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Entries matching a filter, newest first.
///
/// The trail grows with every write, so each query walks an index in `seq` order and stops
/// at the page's end: a district's entries by `(district_id, seq)` (one query per district
/// the reader leads, merged here), a person's by `(actor_id, seq)`, everything by `seq`. The
/// other filters are checked on the entries that walk meets. An action prefix whose entries
/// are few (see [`Walk`]) is read from its own range of `(district_id, action, seq)` instead:
/// walking by `seq` would meet one of them in thousands.
pub async fn list(db: &Db, filter: &Filter) -> StoreResult<Vec<AuditEntry>> {
    let mut conn = db.acquire().await?;
    let engine = db.engine();
    let rows = match &filter.districts {
        Some(districts) => {
            let mut rows = Vec::new();
            for district in districts {
                let district = Some(district.to_string());
                let walk = walk_for(&mut conn, engine, district.clone(), filter).await?;
                rows.extend(entries(&mut conn, engine, walk, district, filter).await?);
            }
            rows.sort_by_key(|r: &Row| std::cmp::Reverse(r.seq));
            rows.truncate(page_limit(filter) as usize);
            rows
        }
        None => {
            let walk = walk_for(&mut conn, engine, None, filter).await?;
            entries(&mut conn, engine, walk, None, filter).await?
        }
    };
    Ok(rows.into_iter().map(Row::into_entry).collect())
}

fn page_limit(filter: &Filter) -> i64 {
    filter.limit.clamp(1, 100_000)
}

/// How a query finds its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// Newest first along `seq` (of the district or the person), checking the rest.
    BySeq,
    /// The action prefix's range, then sorted: chosen when the range holds fewer than
    /// [`RARE_ACTION`] entries, so the sort is small and bounded.
    ByActionRange,
}

/// Fewer entries than this under an action prefix and the prefix's range is read and
/// sorted; more, and walking by `seq` meets one soon enough.
pub const RARE_ACTION: i64 = 5_000;

/// The text just past every text that starts with `prefix`, in code point order (which is
/// byte order in UTF-8): the range's upper end. `None` when no text is past it.
fn past_prefix(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The action prefix's range written for the engine: byte order on both (see migration 0032).
fn action_range(engine: crate::Engine) -> &'static str {
    match engine {
        crate::Engine::Sqlite => "action >= $9 AND action < $10",
        crate::Engine::Postgres => "action COLLATE \"C\" >= $9 AND action COLLATE \"C\" < $10",
    }
}

/// Counts the action prefix's range, up to [`RARE_ACTION`], to choose the walk.
async fn walk_for(
    conn: &mut crate::Pooled,
    engine: crate::Engine,
    district: Option<String>,
    filter: &Filter,
) -> StoreResult<Walk> {
    // A prefix with no text past it (made of the last code point alone) has no range.
    let Some((prefix, past)) = (filter.action_prefix.as_ref())
        .and_then(|prefix| Some((prefix.clone(), past_prefix(prefix)?)))
    else {
        return Ok(Walk::BySeq);
    };
    let district_condition = if district.is_some() {
        "district_id = $1"
    } else {
        "$1 IS NULL"
    };
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log WHERE {district_condition} AND {range} LIMIT {RARE_ACTION}) AS found",
        range = action_range(engine).replace("$9", "$2").replace("$10", "$3")
    );
    let found = crate::fetch_scalar!(&mut *conn, i64, &sql, district, prefix, past)?;
    Ok(if found < RARE_ACTION {
        Walk::ByActionRange
    } else {
        Walk::BySeq
    })
}

/// The audit query with its district, actor, outcome and cursor conditions written out when
/// the filter has them, so each engine can see which index walks the trail (`$1 IS NULL OR …`
/// would hide it); an absent one still names its parameter, which is bound as NULL. Walking
/// an action's range, the order is written `+seq` so neither engine walks by `seq` instead.
fn entries_sql(engine: crate::Engine, filter: &Filter, walk: Walk) -> String {
    let written = |present: bool, condition: &'static str, absent: &'static str| {
        if present {
            condition
        } else {
            absent
        }
    };
    let district = written(filter.districts.is_some(), "district_id = $1", "$1 IS NULL");
    let actor = written(filter.actor.is_some(), "actor_id = $2", "$2 IS NULL");
    let outcome = written(filter.outcome.is_some(), "outcome = $4", "$4 IS NULL");
    // A later page starts its walk at its cursor: `$8 IS NULL OR seq < $8` would walk down
    // from the newest entry past every entry of the pages before it.
    let before = written(filter.before_seq.is_some(), "seq < $8", "$8 IS NULL");
    let (range, order) = match walk {
        Walk::BySeq => ("$9 IS NULL AND $10 IS NULL", "seq"),
        Walk::ByActionRange => (action_range(engine), "+seq"),
    };
    format!(
        "SELECT {COLUMNS} FROM audit_log \
         WHERE {district} AND {actor} \
           AND ($3 IS NULL OR substr(action, 1, length($3)) = $3) \
           AND {range} \
           AND {outcome} \
           AND ($5 IS NULL OR at >= $5) \
           AND ($6 IS NULL OR at < $6) \
           AND {before} \
         ORDER BY {order} DESC LIMIT $7"
    )
}

async fn entries(
    conn: &mut crate::Pooled,
    engine: crate::Engine,
    walk: Walk,
    district: Option<String>,
    filter: &Filter,
) -> StoreResult<Vec<Row>> {
    // The range's ends are bound only when the query walks it (they are NULL otherwise).
    let (from, past) = match (&filter.action_prefix, walk) {
        (Some(prefix), Walk::ByActionRange) => (Some(prefix.clone()), past_prefix(prefix)),
        _ => (None, None),
    };
    Ok(fetch_all!(
        &mut *conn,
        Row,
        &entries_sql(engine, filter, walk),
        district,
        filter.actor.map(|a| a.to_string()),
        filter.action_prefix.clone(),
        filter.outcome.map(|o| o.code()),
        filter.since.map(|t| t.millis()),
        filter.until.map(|t| t.millis()),
        page_limit(filter),
        filter.before_seq,
        from,
        past
    )?)
}

/// Recomputes the whole chain, in order, a page at a time, and checks it ends at the head.
/// `Ok` carries the number of entries; `Err` names the first entry that does not match.
pub async fn verify(db: &Db) -> StoreResult<Result<u64, Break>> {
    verify_extending(db, &[]).await
}

/// [`verify`], and that the chain still extends each checkpoint `(size, hash)`: entry `size`
/// exists and has that hash. A chain rewritten with its head (by someone holding the
/// database) verifies on its own, but not against a checkpoint kept elsewhere.
pub async fn verify_extending(
    db: &Db,
    checkpoints: &[(i64, String)],
) -> StoreResult<Result<u64, Break>> {
    let result = verify_chain(db, checkpoints).await?;
    if let Ok(n) = result {
        if let Some((size, _)) = checkpoints.iter().find(|(size, _)| *size > n as i64) {
            return Ok(Err(Break {
                seq: n as i64 + 1,
                id: None,
                reason: format!(
                    "the chain has {n} entries but a checkpoint says it had {size}: entries were removed"
                ),
            }));
        }
    }
    Ok(result)
}

async fn verify_chain(db: &Db, checkpoints: &[(i64, String)]) -> StoreResult<Result<u64, Break>> {
    let mut conn = db.acquire().await?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0_i64;
    loop {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000");
        let page = fetch_all!(&mut conn, Row, &sql, after)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in page {
            let entry = row.into_entry();
            if let Err(broken) = verifier.check(&entry) {
                return Ok(Err(broken));
            }
            let differs = checkpoints
                .iter()
                .any(|(size, hash)| *size == entry.seq && *hash != entry.hash);
            if differs {
                return Ok(Err(Break {
                    seq: entry.seq,
                    id: Some(entry.id),
                    reason: "it is not the entry a signed checkpoint recorded: the chain was rewritten from here or before".into(),
                }));
            }
        }
    }
    let head = head(&mut conn).await?;
    Ok(verifier.finish(head.seq, &head.hash))
}

/// Claims the checkpoint at `size` for this instance: true if no instance wrote it before.
pub async fn claim_checkpoint(db: &Db, size: i64, at: Timestamp) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let claimed = execute!(
        &mut tx,
        "INSERT INTO audit_checkpoints (size, written_at) VALUES ($1, $2) ON CONFLICT (size) DO NOTHING",
        size,
        at.millis()
    )? == 1;
    tx.commit().await?;
    Ok(claimed)
}

/// The size of the last checkpoint an instance wrote, if any.
pub async fn last_checkpoint<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Option<i64>> {
    let mut c: Conn = conn.into();
    Ok(crate::fetch_scalar!(
        &mut c,
        Option<i64>,
        "SELECT MAX(size) FROM audit_checkpoints"
    )?)
}

#[cfg(test)]
mod tests {
    use super::past_prefix;

    #[test]
    fn the_text_past_a_prefix_follows_every_text_that_starts_with_it() {
        assert_eq!(past_prefix("evidence.").as_deref(), Some("evidence/"));
        assert_eq!(past_prefix("é").as_deref(), Some("ê"));
        // The gap of surrogates is stepped over; the last code point carries to the one before.
        assert_eq!(past_prefix("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(past_prefix("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(past_prefix("\u{10FFFF}"), None);
        assert_eq!(past_prefix(""), None);
        for text in ["evidence.transfer", "evidence.", "evidence.\u{10FFFF}x"] {
            let past = past_prefix("evidence.").unwrap();
            assert!(text >= "evidence." && text < past.as_str(), "{text}");
        }
        assert!("evidence/" >= past_prefix("evidence.").unwrap().as_str());
    }
}
