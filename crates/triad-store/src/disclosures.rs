//! The FERPA disclosure log: each time a school record about a student is shown to law
//! enforcement, who saw it, which record and why.

use crate::paging::{after_cursor, Order, Page};
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

/// Records a disclosure, made for one session or token (`opened_for`, see
/// [`opened`]).
pub async fn insert<'c>(
    conn: impl Into<Conn<'c>>,
    d: &DisclosureRow,
    opened_for: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO disclosures (id, district_id, campus_id, record_type, record_id, disclosed_to, purpose, at, opened_for) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        d.id.clone(),
        d.district_id.clone(),
        d.campus_id.clone(),
        d.record_type.clone(),
        d.record_id.clone(),
        d.disclosed_to.clone(),
        d.purpose.clone(),
        d.at,
        opened_for.to_string()
    )?;
    Ok(())
}

/// Whether a record was disclosed to a person for this session or token: then it is open to
/// them for the rest of it.
pub async fn opened<'c>(
    conn: impl Into<Conn<'c>>,
    record_id: &str,
    user: Id,
    opened_for: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    Ok(crate::fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM disclosures WHERE record_id = $1 AND disclosed_to = $2 AND opened_for = $3",
        record_id.to_string(),
        user.to_string(),
        opened_for.to_string()
    )? > 0)
}

/// A campus's disclosures, newest first.
pub async fn of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    page: Page,
) -> StoreResult<Vec<DisclosureRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$3",
        "disclosures",
        "d.",
        &["at", "id"],
        Order::Descending,
        "campus_id = $1",
    );
    let sql = format!(
        "SELECT d.id, d.district_id, d.campus_id, d.record_type, d.record_id, d.disclosed_to, \
         u.display_name AS disclosed_to_name, d.purpose, d.at \
         FROM disclosures d LEFT JOIN users u ON u.id = d.disclosed_to \
         WHERE d.campus_id = $1 AND {after} ORDER BY d.at DESC, d.id DESC LIMIT $2"
    );
    Ok(fetch_all!(
        &mut c,
        DisclosureRow,
        &sql,
        campus.to_string(),
        page.limit,
        page.cursor()
    )?)
}
