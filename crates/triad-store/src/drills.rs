//! Drills per campus: scheduled, then held.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DrillRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub kind: String,
    pub scheduled_on: String,
    pub school_year: i64,
    pub held_at: Option<i64>,
    pub duration_minutes: Option<i64>,
    pub participants: Option<i64>,
    pub sro_took_part: Option<bool>,
    pub notes: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

const COLUMNS: &str = "id, district_id, campus_id, kind, scheduled_on, school_year, held_at, \
    duration_minutes, participants, sro_took_part, notes, created_by, created_at";

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, d: &DrillRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!("INSERT INTO drills ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
    execute!(
        &mut c,
        &sql,
        d.id.clone(),
        d.district_id.clone(),
        d.campus_id.clone(),
        d.kind.clone(),
        d.scheduled_on.clone(),
        d.school_year,
        d.held_at,
        d.duration_minutes,
        d.participants,
        d.sro_took_part,
        d.notes.clone(),
        d.created_by.clone(),
        d.created_at
    )?;
    Ok(())
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<DrillRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM drills WHERE id = $1");
    Ok(fetch_optional!(&mut c, DrillRow, &sql, id.to_string())?)
}

/// Records a scheduled drill as held; yields false when it was already recorded.
pub async fn record_held<'c>(conn: impl Into<Conn<'c>>, d: &DrillRow) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE drills SET held_at = $1, duration_minutes = $2, participants = $3, sro_took_part = $4, \
         notes = $5, school_year = $6 WHERE id = $7 AND held_at IS NULL",
        d.held_at,
        d.duration_minutes,
        d.participants,
        d.sro_took_part,
        d.notes.clone(),
        d.school_year,
        d.id.clone()
    )?;
    Ok(n == 1)
}

/// A campus's drills of one school year, in date order.
pub async fn of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    school_year: i64,
) -> StoreResult<Vec<DrillRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM drills WHERE campus_id = $1 AND school_year = $2 ORDER BY scheduled_on, created_at"
    );
    Ok(fetch_all!(
        &mut c,
        DrillRow,
        &sql,
        campus.to_string(),
        school_year
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct YearCount {
    pub school_year: i64,
    pub kind: String,
    pub scheduled: i64,
    pub held: i64,
    pub with_sro: i64,
}

/// Drills per school year and kind: scheduled, held, and held with the SRO taking part.
pub async fn counts<'c>(conn: impl Into<Conn<'c>>, campus: Id) -> StoreResult<Vec<YearCount>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        YearCount,
        "SELECT school_year, kind, COUNT(*) AS scheduled, COUNT(held_at) AS held, \
         SUM(CASE WHEN sro_took_part THEN 1 ELSE 0 END) AS with_sro \
         FROM drills WHERE campus_id = $1 GROUP BY school_year, kind ORDER BY school_year DESC, kind",
        campus.to_string()
    )?)
}
