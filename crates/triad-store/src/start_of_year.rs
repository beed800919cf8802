//! Marks on a campus's start-of-year checklist.

use crate::{execute, fetch_all, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MarkRow {
    pub item: String,
    pub note: String,
    pub marked_by: String,
    pub marked_by_name: String,
    pub marked_at: i64,
}

pub async fn marks<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    school_year: i64,
) -> StoreResult<Vec<MarkRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        MarkRow,
        "SELECT item, note, marked_by, marked_by_name, marked_at FROM start_of_year_marks \
         WHERE campus_id = $1 AND school_year = $2",
        campus.to_string(),
        school_year
    )?)
}

/// Marks an item done (a later mark replaces the note).
pub async fn mark<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    school_year: i64,
    row: &MarkRow,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM start_of_year_marks WHERE campus_id = $1 AND school_year = $2 AND item = $3",
        campus.to_string(),
        school_year,
        row.item.clone()
    )?;
    execute!(
        &mut c,
        "INSERT INTO start_of_year_marks (campus_id, school_year, item, note, marked_by, \
         marked_by_name, marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        campus.to_string(),
        school_year,
        row.item.clone(),
        row.note.clone(),
        row.marked_by.clone(),
        row.marked_by_name.clone(),
        row.marked_at
    )?;
    Ok(())
}
