//! A partnership's MOU: its versions, their clauses and signatures, and each side's signatory.

use crate::{execute, fetch_all, fetch_optional, fetch_scalar, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct VersionRow {
    pub id: String,
    pub partnership_id: String,
    pub number: i64,
    pub based_on: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the second side signed; the version never changes after.
    pub signed_at: Option<i64>,
}

const VERSION_COLUMNS: &str =
    "id, partnership_id, number, based_on, created_by, created_at, updated_at, signed_at";

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ClauseRow {
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SignatureRow {
    pub version_id: String,
    pub side: String,
    pub signer_id: String,
    pub signer_name: String,
    pub signed_at: i64,
    pub content_hash: String,
    pub acknowledged_missing: bool,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SignatoryRow {
    pub side: String,
    pub user_id: String,
    pub display_name: String,
    pub designated_at: i64,
}

/// A partnership's versions, the newest first.
pub async fn versions<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
) -> StoreResult<Vec<VersionRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM mou_versions WHERE partnership_id = $1 ORDER BY number DESC"
    );
    Ok(fetch_all!(
        &mut c,
        VersionRow,
        &sql,
        partnership.to_string()
    )?)
}

pub async fn version<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<VersionRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {VERSION_COLUMNS} FROM mou_versions WHERE id = $1");
    Ok(fetch_optional!(&mut c, VersionRow, &sql, id.to_string())?)
}

/// The number the partnership's next version takes.
pub async fn next_number<'c>(conn: impl Into<Conn<'c>>, partnership: Id) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(
        &mut c,
        i64,
        "SELECT COALESCE(MAX(number), 0) + 1 FROM mou_versions WHERE partnership_id = $1",
        partnership.to_string()
    )?)
}

pub async fn insert_version<'c>(conn: impl Into<Conn<'c>>, v: &VersionRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO mou_versions (id, partnership_id, number, based_on, created_by, created_at, updated_at, signed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        v.id.clone(),
        v.partnership_id.clone(),
        v.number,
        v.based_on.clone(),
        v.created_by.clone(),
        v.created_at,
        v.updated_at
    )?;
    Ok(())
}

/// A version's clauses (those written; a clause cleared is removed).
pub async fn clauses<'c>(conn: impl Into<Conn<'c>>, version: Id) -> StoreResult<Vec<ClauseRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        ClauseRow,
        "SELECT kind, text FROM mou_clauses WHERE version_id = $1",
        version.to_string()
    )?)
}

/// Writes the clauses of a version just made (one statement; blank clauses are not kept).
pub async fn insert_clauses<'c>(
    conn: impl Into<Conn<'c>>,
    version: Id,
    clauses: &[(&str, &str)],
) -> StoreResult<()> {
    let kept: Vec<&(&str, &str)> = clauses.iter().filter(|(_, t)| !t.is_empty()).collect();
    if kept.is_empty() {
        return Ok(());
    }
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO mou_clauses (version_id, kind, text) VALUES {}",
        crate::conn::placeholders(kept.len(), 3)
    );
    let mut args = Vec::with_capacity(kept.len() * 3);
    for (kind, text) in kept {
        args.extend([version.to_string(), kind.to_string(), text.to_string()]);
    }
    crate::run!(&mut c, |c| {
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a.clone());
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The clauses of every version of a partnership, each with its version's id, in one read
/// (the list of versions counts what each lacks).
pub async fn clauses_of_partnership<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
) -> StoreResult<Vec<(String, ClauseRow)>> {
    #[derive(sqlx::FromRow)]
    struct VersionClause {
        version_id: String,
        #[sqlx(flatten)]
        clause: ClauseRow,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        VersionClause,
        "SELECT c.version_id, c.kind, c.text FROM mou_clauses c \
         JOIN mou_versions v ON v.id = c.version_id WHERE v.partnership_id = $1",
        partnership.to_string()
    )?;
    Ok(rows.into_iter().map(|r| (r.version_id, r.clause)).collect())
}

/// Writes a clause of an unsigned version (empty text removes it) and marks the version
/// changed. Nothing is written to a signed version: `false` then.
pub async fn put_clause<'c>(
    conn: impl Into<Conn<'c>>,
    version: Id,
    kind: &str,
    text: &str,
    now: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let touched = execute!(
        &mut c,
        "UPDATE mou_versions SET updated_at = $1 WHERE id = $2 AND signed_at IS NULL",
        now,
        version.to_string()
    )?;
    if touched == 0 {
        return Ok(false);
    }
    execute!(
        &mut c,
        "DELETE FROM mou_clauses WHERE version_id = $1 AND kind = $2",
        version.to_string(),
        kind.to_string()
    )?;
    if !text.is_empty() {
        execute!(
            &mut c,
            "INSERT INTO mou_clauses (version_id, kind, text) VALUES ($1, $2, $3)",
            version.to_string(),
            kind.to_string(),
            text.to_string()
        )?;
    }
    Ok(true)
}

pub async fn signatures<'c>(
    conn: impl Into<Conn<'c>>,
    version: Id,
) -> StoreResult<Vec<SignatureRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        SignatureRow,
        "SELECT version_id, side, signer_id, signer_name, signed_at, content_hash, acknowledged_missing \
         FROM mou_signatures WHERE version_id = $1 ORDER BY signed_at, side",
        version.to_string()
    )?)
}

pub async fn insert_signature<'c>(conn: impl Into<Conn<'c>>, s: &SignatureRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO mou_signatures (version_id, side, signer_id, signer_name, signed_at, content_hash, acknowledged_missing) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        s.version_id.clone(),
        s.side.clone(),
        s.signer_id.clone(),
        s.signer_name.clone(),
        s.signed_at,
        s.content_hash.clone(),
        s.acknowledged_missing
    )?;
    Ok(())
}

/// Closes a version for good: both sides have signed it.
pub async fn mark_signed<'c>(conn: impl Into<Conn<'c>>, version: Id, now: i64) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE mou_versions SET signed_at = $1 WHERE id = $2 AND signed_at IS NULL",
        now,
        version.to_string()
    )?;
    Ok(())
}

/// Each side's signatory, with their name.
pub async fn signatories<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
) -> StoreResult<Vec<SignatoryRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        SignatoryRow,
        "SELECT s.side, s.user_id, u.display_name, s.designated_at FROM mou_signatories s \
         JOIN users u ON u.id = s.user_id WHERE s.partnership_id = $1 ORDER BY s.side",
        partnership.to_string()
    )?)
}

/// Makes `user` the side's signatory, in place of any before.
pub async fn set_signatory<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
    side: &str,
    user: Id,
    by: Id,
    now: i64,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM mou_signatories WHERE partnership_id = $1 AND side = $2",
        partnership.to_string(),
        side.to_string()
    )?;
    execute!(
        &mut c,
        "INSERT INTO mou_signatories (partnership_id, side, user_id, designated_by, designated_at) \
         VALUES ($1, $2, $3, $4, $5)",
        partnership.to_string(),
        side.to_string(),
        user.to_string(),
        by.to_string(),
        now
    )?;
    Ok(())
}
