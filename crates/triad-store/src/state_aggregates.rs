//! A state instance's senders (instances whose signed aggregates it takes) and the newest
//! aggregate of each district's school year from each of them.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SenderRow {
    pub id: String,
    pub name: String,
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub fingerprint: String,
    pub added_by: String,
    pub added_at: i64,
    /// When the administrator withdrew trust from it (none: trusted).
    pub withdrawn_at: Option<i64>,
}

const SENDER: &str = "id, name, public_key, fingerprint, added_by, added_at, withdrawn_at";

pub async fn senders<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<SenderRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {SENDER} FROM aggregate_senders ORDER BY name, id");
    Ok(fetch_all!(&mut c, SenderRow, &sql)?)
}

pub async fn sender_by_key<'c>(
    conn: impl Into<Conn<'c>>,
    public_key: &str,
) -> StoreResult<Option<SenderRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {SENDER} FROM aggregate_senders WHERE public_key = $1");
    Ok(fetch_optional!(
        &mut c,
        SenderRow,
        &sql,
        public_key.to_string()
    )?)
}

/// Adds a sender, or trusts again one withdrawn with the same key (under the name given now);
/// false when the key is already a trusted sender's.
pub async fn add_sender<'c>(conn: impl Into<Conn<'c>>, s: &SenderRow) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let sql = "INSERT INTO aggregate_senders \
         (id, name, public_key, fingerprint, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (public_key) DO UPDATE SET name = excluded.name, \
         added_by = excluded.added_by, added_at = excluded.added_at, \
         withdrawn_at = NULL, withdrawn_by = NULL \
         WHERE aggregate_senders.withdrawn_at IS NOT NULL";
    let added = execute!(
        &mut c,
        sql,
        s.id.clone(),
        s.name.clone(),
        s.public_key.clone(),
        s.fingerprint.clone(),
        s.added_by.clone(),
        s.added_at
    )?;
    Ok(added == 1)
}

/// Withdraws trust from a sender: false when there is no such trusted sender.
pub async fn withdraw_sender<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    by: &str,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let changed = execute!(
        &mut c,
        "UPDATE aggregate_senders SET withdrawn_at = $1, withdrawn_by = $2 \
         WHERE id = $3 AND withdrawn_at IS NULL",
        at,
        by.to_string(),
        id.to_string()
    )?;
    Ok(changed == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ImportRow {
    pub id: String,
    pub sender_id: String,
    pub district: String,
    pub school_year: i64,
    /// RFC 3339, UTC.
    pub exported_at: String,
    pub digest: String,
    /// The signed aggregate's text, as it came.
    pub aggregate: String,
    pub signature: String,
    pub imported_by: String,
    pub imported_at: i64,
}

const IMPORT: &str = "id, sender_id, district, school_year, exported_at, digest, aggregate, \
     signature, imported_by, imported_at";

/// Keeps an import unless the same sender's export of the same district's year already kept
/// is as new or newer: true when it was kept.
pub async fn keep_newest<'c>(conn: impl Into<Conn<'c>>, i: &ImportRow) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO aggregate_imports ({IMPORT}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (sender_id, district, school_year) DO UPDATE SET \
         id = excluded.id, exported_at = excluded.exported_at, digest = excluded.digest, \
         aggregate = excluded.aggregate, signature = excluded.signature, \
         imported_by = excluded.imported_by, imported_at = excluded.imported_at \
         WHERE aggregate_imports.exported_at < excluded.exported_at"
    );
    let kept = execute!(
        &mut c,
        &sql,
        i.id.clone(),
        i.sender_id.clone(),
        i.district.clone(),
        i.school_year,
        i.exported_at.clone(),
        i.digest.clone(),
        i.aggregate.clone(),
        i.signature.clone(),
        i.imported_by.clone(),
        i.imported_at
    )?;
    Ok(kept == 1)
}

/// The import kept for a sender's district and year.
pub async fn kept<'c>(
    conn: impl Into<Conn<'c>>,
    sender: &str,
    district: &str,
    school_year: i64,
) -> StoreResult<Option<ImportRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {IMPORT} FROM aggregate_imports \
         WHERE sender_id = $1 AND district = $2 AND school_year = $3"
    );
    Ok(fetch_optional!(
        &mut c,
        ImportRow,
        &sql,
        sender.to_string(),
        district.to_string(),
        school_year
    )?)
}

/// Every import of the school years `first..=last`, newest year first, then by district.
pub async fn of_years<'c>(
    conn: impl Into<Conn<'c>>,
    first: i64,
    last: i64,
) -> StoreResult<Vec<ImportRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {IMPORT} FROM aggregate_imports WHERE school_year BETWEEN $1 AND $2 \
         ORDER BY school_year DESC, district, id"
    );
    Ok(fetch_all!(&mut c, ImportRow, &sql, first, last)?)
}
