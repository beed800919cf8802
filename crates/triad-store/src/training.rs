//! Training records, and each agency's requirements (kept as settings).

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TrainingRow {
    pub id: String,
    pub person_id: String,
    pub agency_id: String,
    pub title: String,
    pub provider: String,
    pub counts: String,
    pub tenths: i64,
    pub completed_on: String,
    pub joint: bool,
    pub certificate_key: Option<String>,
    pub certificate_sha256: Option<String>,
    pub certificate_type: Option<String>,
    pub recorded_by: String,
    pub created_at: i64,
    /// The officer entered it themself (not their supervisor).
    pub self_recorded: bool,
    /// Voided by the supervisor: it no longer counts.
    pub voided_at: Option<i64>,
    pub void_reason: Option<String>,
}

const COLUMNS: &str = "id, person_id, agency_id, title, provider, counts, tenths, completed_on, \
                       joint, certificate_key, certificate_sha256, certificate_type, recorded_by, \
                       created_at, self_recorded, voided_at, void_reason";

/// One person's courses, the latest first.
pub async fn of_person<'c>(conn: impl Into<Conn<'c>>, person: Id) -> StoreResult<Vec<TrainingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM training_records WHERE person_id = $1 ORDER BY completed_on DESC, created_at DESC"
    );
    Ok(fetch_all!(&mut c, TrainingRow, &sql, person.to_string())?)
}

/// The courses of everyone an agency recorded them for (its roster's standing in one read).
pub async fn of_agency<'c>(conn: impl Into<Conn<'c>>, agency: Id) -> StoreResult<Vec<TrainingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM training_records WHERE agency_id = $1");
    Ok(fetch_all!(&mut c, TrainingRow, &sql, agency.to_string())?)
}

pub async fn record<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<TrainingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM training_records WHERE id = $1");
    Ok(fetch_optional!(&mut c, TrainingRow, &sql, id.to_string())?)
}

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, r: &TrainingRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO training_records (id, person_id, agency_id, title, provider, counts, tenths, \
         completed_on, joint, certificate_key, certificate_sha256, certificate_type, recorded_by, \
         created_at, self_recorded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        r.id.clone(),
        r.person_id.clone(),
        r.agency_id.clone(),
        r.title.clone(),
        r.provider.clone(),
        r.counts.clone(),
        r.tenths,
        r.completed_on.clone(),
        r.joint,
        r.certificate_key.clone(),
        r.certificate_sha256.clone(),
        r.certificate_type.clone(),
        r.recorded_by.clone(),
        r.created_at,
        r.self_recorded
    )?;
    Ok(())
}

/// Voids a record (it stays, and no longer counts); `false` when it was already void.
pub async fn void<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    by: Id,
    at: i64,
    reason: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE training_records SET voided_at = $1, voided_by = $2, void_reason = $3 \
         WHERE id = $4 AND voided_at IS NULL",
        at,
        by.to_string(),
        reason.to_string(),
        id.to_string()
    )?;
    Ok(n == 1)
}

/// The setting keys of an agency's requirements: basic tenths, yearly tenths, training year.
pub fn requirement_keys(agency: Id) -> [String; 3] {
    [
        format!("training.basic_tenths.{agency}"),
        format!("training.yearly_tenths.{agency}"),
        format!("training.year.{agency}"),
    ]
}

/// Records a briefing the person attended; a day already recorded stays as it was (`false`).
pub async fn insert_briefing<'c>(
    conn: impl Into<Conn<'c>>,
    person: Id,
    agency: Id,
    held_on: &str,
    by: Id,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "INSERT INTO briefings (person_id, agency_id, held_on, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id, held_on) DO NOTHING",
        person.to_string(),
        agency.to_string(),
        held_on.to_string(),
        by.to_string(),
        at
    )?;
    Ok(n == 1)
}

#[derive(sqlx::FromRow)]
struct Day {
    held_on: String,
}

/// The days a person attended a briefing, the latest first.
pub async fn briefings_of<'c>(conn: impl Into<Conn<'c>>, person: Id) -> StoreResult<Vec<String>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Day,
        "SELECT held_on FROM briefings WHERE person_id = $1 ORDER BY held_on DESC",
        person.to_string()
    )?;
    Ok(rows.into_iter().map(|d| d.held_on).collect())
}
