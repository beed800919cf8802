//! Campus events (controlled movement, lockdown) and their minute-by-minute timelines.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub status: String,
    pub swept: bool,
    pub started_at: i64,
    pub started_by: String,
    pub ended_at: Option<i64>,
    pub ended_how: Option<String>,
    pub responsibility_accepted: bool,
    pub version: i64,
}

const COLUMNS: &str =
    "id, district_id, campus_id, status, swept, started_at, started_by, ended_at, \
     ended_how, responsibility_accepted, version";

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, e: &EventRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!("INSERT INTO campus_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
    execute!(
        &mut c,
        &sql,
        e.id.clone(),
        e.district_id.clone(),
        e.campus_id.clone(),
        e.status.clone(),
        e.swept,
        e.started_at,
        e.started_by.clone(),
        e.ended_at,
        e.ended_how.clone(),
        e.responsibility_accepted,
        e.version
    )
    .map_err(|e| {
        crate::StoreError::from(e)
            .or_conflict("another event was opened on this campus at the same moment")
    })?;
    Ok(())
}

/// The campus's open event, if any.
pub async fn open_event<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
) -> StoreResult<Option<EventRow>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("SELECT {COLUMNS} FROM campus_events WHERE campus_id = $1 AND ended_at IS NULL");
    Ok(fetch_optional!(&mut c, EventRow, &sql, campus.to_string())?)
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<EventRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM campus_events WHERE id = $1");
    Ok(fetch_optional!(&mut c, EventRow, &sql, id.to_string())?)
}

/// A campus's events, newest first.
pub async fn of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    limit: i64,
) -> StoreResult<Vec<EventRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM campus_events WHERE campus_id = $1 ORDER BY started_at DESC LIMIT $2");
    Ok(fetch_all!(
        &mut c,
        EventRow,
        &sql,
        campus.to_string(),
        limit
    )?)
}

/// Moves an event on, if it is still at the version the person saw. Yields false when it
/// moved meanwhile (a stale page).
pub async fn advance<'c>(
    conn: impl Into<Conn<'c>>,
    e: &EventRow,
    seen_version: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let changed = execute!(
        &mut c,
        "UPDATE campus_events SET status = $1, swept = $2, ended_at = $3, ended_how = $4, \
         responsibility_accepted = $5, version = $6 WHERE id = $7 AND version = $8",
        e.status.clone(),
        e.swept,
        e.ended_at,
        e.ended_how.clone(),
        e.responsibility_accepted,
        e.version,
        e.id.clone(),
        seen_version
    )?;
    Ok(changed == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct LogRow {
    pub event_id: String,
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub status: String,
    pub detail: Option<String>,
}

pub async fn log<'c>(conn: impl Into<Conn<'c>>, r: &LogRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO campus_event_log (event_id, seq, at, actor_id, action, status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        r.event_id.clone(),
        r.seq,
        r.at,
        r.actor_id.clone(),
        r.action.clone(),
        r.status.clone(),
        r.detail.clone()
    )?;
    Ok(())
}

/// An event's timeline, in order.
pub async fn timeline<'c>(conn: impl Into<Conn<'c>>, event: &str) -> StoreResult<Vec<LogRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        LogRow,
        "SELECT l.event_id, l.seq, l.at, l.actor_id, u.display_name AS actor_name, l.action, l.status, l.detail \
         FROM campus_event_log l LEFT JOIN users u ON u.id = l.actor_id WHERE l.event_id = $1 ORDER BY l.seq",
        event.to_string()
    )?)
}

/// The PostgreSQL channel campus status changes travel on between instances.
pub const CHANNEL: &str = "triad_campus_status";

/// Sends a status change to every instance, delivered when the transaction commits (on
/// PostgreSQL; one SQLite instance publishes in-process). Yields whether it was sent.
pub async fn notify<'c>(conn: impl Into<Conn<'c>>, payload: &str) -> StoreResult<bool> {
    match conn.into() {
        Conn::Postgres(c) => {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(c)
                .await?;
            Ok(true)
        }
        Conn::Sqlite(_) => Ok(false),
    }
}

/// Hands every status change notified by any instance to `deliver`, reconnecting when the
/// connection drops. Returns at once on SQLite.
pub async fn listen(db: crate::Db, deliver: impl Fn(&str)) {
    let crate::Db::Postgres(pool) = db else {
        return;
    };
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if listener.listen(CHANNEL).await.is_ok() {
                    while let Ok(n) = listener.recv().await {
                        deliver(n.payload());
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "live status: cannot listen on PostgreSQL"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
