//! The FERPA disclosure log: each time a school record about a student is shown to law
//! enforcement, who saw it, which record and why.

use crate::{execute, fetch_all, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DisclosureRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub record_type: String,
    pub record_id: String,
    pub disclosed_to: String,
    pub disclosed_to_name: Option<String>,
    pub purpose: String,
    pub at: i64,
}

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, d: &DisclosureRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO disclosures (id, district_id, campus_id, record_type, record_id, disclosed_to, purpose, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        d.id.clone(),
        d.district_id.clone(),
        d.campus_id.clone(),
        d.record_type.clone(),
        d.record_id.clone(),
        d.disclosed_to.clone(),
        d.purpose.clone(),
        d.at
    )?;
    Ok(())
}

/// A campus's disclosures, newest first.
pub async fn of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    limit: i64,
) -> StoreResult<Vec<DisclosureRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        DisclosureRow,
        "SELECT d.id, d.district_id, d.campus_id, d.record_type, d.record_id, d.disclosed_to, \
         u.display_name AS disclosed_to_name, d.purpose, d.at \
         FROM disclosures d LEFT JOIN users u ON u.id = d.disclosed_to \
         WHERE d.campus_id = $1 ORDER BY d.at DESC, d.id DESC LIMIT $2",
        campus.to_string(),
        limit
    )?)
}
