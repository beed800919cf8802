//! Earlier versions of corrected records, kept in a history table of the record's class so
//! that reading a history needs the same right as reading the record.

use crate::{execute, fetch_all, Conn, StoreResult};
use serde::Serialize;
use triad_domain::policy::RecordClass;
use triad_domain::{Id, Timestamp};

/// The history table of a record class.
fn table(class: RecordClass) -> &'static str {
    match class {
        RecordClass::LawEnforcement => "history_law_enforcement",
        RecordClass::Shared => "history_shared",
        _ => "history_directory",
    }
}

/// Writes the version of a record that is about to be replaced.
pub async fn keep<'c, T: Serialize>(
    conn: impl Into<Conn<'c>>,
    class: RecordClass,
    record_type: &str,
    record_id: &str,
    before: &T,
    by: Id,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let data = serde_json::to_string(before).unwrap_or_default();
    let sql = format!(
        "INSERT INTO {} (id, record_type, record_id, data, replaced_at, replaced_by) VALUES ($1, $2, $3, $4, $5, $6)",
        table(class)
    );
    execute!(
        &mut c,
        &sql,
        Id::new().to_string(),
        record_type.to_string(),
        record_id.to_string(),
        data,
        now.millis(),
        by.to_string()
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct HistoryRow {
    pub data: String,
    pub replaced_at: i64,
    pub replaced_by: Option<String>,
}

/// The earlier versions of a record, oldest first.
pub async fn of<'c>(
    conn: impl Into<Conn<'c>>,
    class: RecordClass,
    record_type: &str,
    record_id: Id,
) -> StoreResult<Vec<HistoryRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT data, replaced_at, replaced_by FROM {} WHERE record_type = $1 AND record_id = $2 ORDER BY replaced_at",
        table(class)
    );
    Ok(fetch_all!(
        &mut c,
        HistoryRow,
        &sql,
        record_type.to_string(),
        record_id.to_string()
    )?)
}
