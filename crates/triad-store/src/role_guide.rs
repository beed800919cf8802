//! A district's own texts for sections of the role guide.

use crate::{execute, fetch_all, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SectionRow {
    pub code: String,
    pub text: String,
    pub updated_by: String,
    pub updated_by_name: String,
    pub updated_at: i64,
}

pub async fn of_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<SectionRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        SectionRow,
        "SELECT code, text, updated_by, updated_by_name, updated_at FROM role_guide_sections \
         WHERE district_id = $1",
        district.to_string()
    )?)
}

/// Writes the district's text for a section (replacing an earlier one).
pub async fn put<'c>(conn: impl Into<Conn<'c>>, district: Id, row: &SectionRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM role_guide_sections WHERE district_id = $1 AND code = $2",
        district.to_string(),
        row.code.clone()
    )?;
    execute!(
        &mut c,
        "INSERT INTO role_guide_sections (district_id, code, text, updated_by, updated_by_name, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        district.to_string(),
        row.code.clone(),
        row.text.clone(),
        row.updated_by.clone(),
        row.updated_by_name.clone(),
        row.updated_at
    )?;
    Ok(())
}

/// Drops the district's text for a section: the project's reads again. `false` when it had
/// none.
pub async fn remove<'c>(conn: impl Into<Conn<'c>>, district: Id, code: &str) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "DELETE FROM role_guide_sections WHERE district_id = $1 AND code = $2",
        district.to_string(),
        code.to_string()
    )?;
    Ok(n > 0)
}
