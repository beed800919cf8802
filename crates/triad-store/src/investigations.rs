//! The criminal and administrative investigations of an incident, and their notes.

use crate::{execute, fetch_all, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct InvestigationRow {
    pub id: String,
    pub incident_id: String,
    pub side: String,
    pub lead_id: String,
    pub lead_name: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub closing_note: Option<String>,
}

pub async fn open<'c>(conn: impl Into<Conn<'c>>, r: &InvestigationRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO investigations (id, incident_id, side, lead_id, opened_at) VALUES ($1, $2, $3, $4, $5)",
        r.id.clone(),
        r.incident_id.clone(),
        r.side.clone(),
        r.lead_id.clone(),
        r.opened_at
    )
    .map_err(|e| {
        crate::StoreError::from(e).or_conflict("this side already has an investigation on this incident")
    })?;
    Ok(())
}

pub async fn of_incident<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
) -> StoreResult<Vec<InvestigationRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        InvestigationRow,
        "SELECT i.id, i.incident_id, i.side, i.lead_id, u.display_name AS lead_name, i.opened_at, \
         i.closed_at, i.closing_note FROM investigations i LEFT JOIN users u ON u.id = i.lead_id \
         WHERE i.incident_id = $1 ORDER BY i.side",
        incident.to_string()
    )?)
}

/// Closes one side's investigation; yields false when it was not open.
pub async fn close<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
    side: &str,
    at: i64,
    note: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE investigations SET closed_at = $1, closing_note = $2 \
         WHERE incident_id = $3 AND side = $4 AND closed_at IS NULL",
        at,
        note.to_string(),
        incident.to_string(),
        side.to_string()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NoteRow {
    pub id: String,
    pub incident_id: String,
    pub thread: String,
    pub kind: String,
    pub body: String,
    pub author_id: String,
    pub author_name: Option<String>,
    pub created_at: i64,
}

pub async fn add_note<'c>(conn: impl Into<Conn<'c>>, n: &NoteRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO investigation_notes (id, incident_id, thread, kind, body, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        n.id.clone(),
        n.incident_id.clone(),
        n.thread.clone(),
        n.kind.clone(),
        n.body.clone(),
        n.author_id.clone(),
        n.created_at
    )?;
    Ok(())
}

/// The notes of the threads asked for (only those the reader may read are asked for).
pub async fn notes<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
    thread: &str,
) -> StoreResult<Vec<NoteRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        NoteRow,
        "SELECT n.id, n.incident_id, n.thread, n.kind, n.body, n.author_id, u.display_name AS author_name, \
         n.created_at FROM investigation_notes n LEFT JOIN users u ON u.id = n.author_id \
         WHERE n.incident_id = $1 AND n.thread = $2 ORDER BY n.created_at, n.id",
        incident.to_string(),
        thread.to_string()
    )?)
}
