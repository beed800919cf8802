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
    /// What was reported, when the event is a response to a potential threat.
    pub threat: Option<String>,
}

const COLUMNS: &str =
    "id, district_id, campus_id, status, swept, started_at, started_by, ended_at, \
     ended_how, responsibility_accepted, version, threat";

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, e: &EventRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!("INSERT INTO campus_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
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
        e.version,
        e.threat.clone()
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

/// The open events of a district's campuses.
pub async fn open_in_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<EventRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM campus_events WHERE district_id = $1 AND ended_at IS NULL ORDER BY started_at"
    );
    Ok(fetch_all!(&mut c, EventRow, &sql, district.to_string())?)
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

/// Takes an event to add to its timeline: on PostgreSQL the row stays locked until the
/// transaction ends, so two entries written at once queue for their places in the timeline.
pub async fn lock<'c>(conn: impl Into<Conn<'c>>, id: &str) -> StoreResult<Option<EventRow>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("UPDATE campus_events SET version = version WHERE id = $1 RETURNING {COLUMNS}");
    Ok(fetch_optional!(&mut c, EventRow, &sql, id.to_string())?)
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
         responsibility_accepted = $5, version = $6, threat = $9 WHERE id = $7 AND version = $8",
        e.status.clone(),
        e.swept,
        e.ended_at,
        e.ended_how.clone(),
        e.responsibility_accepted,
        e.version,
        e.id.clone(),
        seen_version,
        e.threat.clone()
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

/// Adds an entry at the end of an event's timeline (its `seq` is given by its place there;
/// hold the event with [`lock`] or [`advance`] first).
pub async fn log<'c>(conn: impl Into<Conn<'c>>, r: &LogRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO campus_event_log (event_id, seq, at, actor_id, action, status, detail) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM campus_event_log WHERE event_id = $1",
        r.event_id.clone(),
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

/// What the listener reports to the instance it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listening<'a> {
    /// LISTEN is in place (at start-up, and after every reconnect): changes notified from
    /// now on arrive; those made while it was not are not, so the instance re-reads.
    Connected,
    /// The connection was lost: changes notified until it is back are missed.
    Lost,
    /// A status change, as notified.
    Notified(&'a str),
}

/// Follows the status changes every instance notifies (PostgreSQL), reconnecting when the
/// connection drops, and tells `on` what happens. `on` is awaited when connected, before any
/// change is delivered: the instance re-reads there what it may have missed. On SQLite (one
/// instance, which publishes in-process) it reports `Connected` once and returns.
pub async fn listen<F, Fut>(db: crate::Db, mut on: F)
where
    F: FnMut(Listening<'_>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let crate::Db::Postgres(pool, ..) = &db else {
        on(Listening::Connected).await;
        return;
    };
    loop {
        match sqlx::postgres::PgListener::connect_with(pool).await {
            Ok(mut listener) => {
                if listener.listen(CHANNEL).await.is_ok() {
                    on(Listening::Connected).await;
                    // `try_recv` says when the connection was lost (`Ok(None)`), where `recv`
                    // would reconnect without a word and skip what was sent meanwhile.
                    while let Ok(Some(n)) = listener.try_recv().await {
                        on(Listening::Notified(n.payload())).await;
                    }
                    on(Listening::Lost).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "live status: cannot listen on PostgreSQL"),
        }
        // Tests hold the listener here, down, to make changes it misses.
        let _ = db.hooks().at(crate::hooks::LISTENER_RECONNECT).await;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Events open now, or ended since `since`: what a listener that was down may have missed.
pub async fn changed_since<'c>(
    conn: impl Into<Conn<'c>>,
    since: i64,
) -> StoreResult<Vec<EventRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM campus_events WHERE ended_at IS NULL OR ended_at >= $1 ORDER BY started_at"
    );
    Ok(fetch_all!(&mut c, EventRow, &sql, since)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub step: String,
    pub done_at: i64,
    pub done_by_name: Option<String>,
}

/// Ticks a checklist step; yields false when it was already ticked.
pub async fn tick<'c>(
    conn: impl Into<Conn<'c>>,
    event: &str,
    step: &str,
    at: i64,
    by: Id,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "INSERT INTO campus_event_steps (event_id, step, done_at, done_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (event_id, step) DO NOTHING",
        event.to_string(),
        step.to_string(),
        at,
        by.to_string()
    )?;
    Ok(n == 1)
}

pub async fn steps<'c>(conn: impl Into<Conn<'c>>, event: &str) -> StoreResult<Vec<StepRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        StepRow,
        "SELECT s.step, s.done_at, u.display_name AS done_by_name FROM campus_event_steps s \
         LEFT JOIN users u ON u.id = s.done_by WHERE s.event_id = $1 ORDER BY s.done_at",
        event.to_string()
    )?)
}

/// A district leader who is told when police or sheriff are called to a campus.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Leader {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
}

pub async fn district_leaders<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<Leader>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        Leader,
        "SELECT DISTINCT u.id, u.display_name, p.email FROM grants g JOIN users u ON u.id = g.user_id \
         LEFT JOIN people p ON p.id = u.person_id \
         WHERE g.role = 'district_leader' AND g.district_id = $1 AND u.disabled = FALSE ORDER BY u.display_name",
        district.to_string()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NoticeRow {
    pub id: String,
    pub event_id: String,
    pub recipient_id: String,
    pub recipient_name: Option<String>,
    pub email: Option<String>,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub email_sent_at: Option<i64>,
    pub webhook_sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub acknowledged_at: Option<i64>,
}

const NOTICE_COLUMNS: &str = "n.id, n.event_id, n.recipient_id, u.display_name AS recipient_name, \
    n.email, n.subject, n.body, n.created_at, n.email_sent_at, n.webhook_sent_at, n.attempts, \
    n.last_error, n.acknowledged_at";

pub async fn insert_notice<'c>(conn: impl Into<Conn<'c>>, n: &NoticeRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO campus_event_notices (id, event_id, recipient_id, email, subject, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        n.id.clone(),
        n.event_id.clone(),
        n.recipient_id.clone(),
        n.email.clone(),
        n.subject.clone(),
        n.body.clone(),
        n.created_at
    )?;
    Ok(())
}

pub async fn notices<'c>(conn: impl Into<Conn<'c>>, event: &str) -> StoreResult<Vec<NoticeRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} FROM campus_event_notices n LEFT JOIN users u ON u.id = n.recipient_id \
         WHERE n.event_id = $1 ORDER BY n.created_at, u.display_name"
    );
    Ok(fetch_all!(&mut c, NoticeRow, &sql, event.to_string())?)
}

pub async fn notice<'c>(conn: impl Into<Conn<'c>>, id: &str) -> StoreResult<Option<NoticeRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} FROM campus_event_notices n LEFT JOIN users u ON u.id = n.recipient_id \
         WHERE n.id = $1"
    );
    Ok(fetch_optional!(&mut c, NoticeRow, &sql, id.to_string())?)
}

/// Notices still owed an email (when email is on and the recipient has an address) or a
/// webhook (when it is on), oldest first, with fewer than `max_attempts`.
pub async fn undelivered<'c>(
    conn: impl Into<Conn<'c>>,
    max_attempts: i64,
    email_on: bool,
    webhook_on: bool,
    limit: i64,
) -> StoreResult<Vec<NoticeRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} FROM campus_event_notices n LEFT JOIN users u ON u.id = n.recipient_id \
         WHERE n.attempts < $1 AND ((n.email_sent_at IS NULL AND n.email IS NOT NULL AND $2) \
         OR (n.webhook_sent_at IS NULL AND $3)) ORDER BY n.created_at LIMIT $4"
    );
    Ok(fetch_all!(
        &mut c,
        NoticeRow,
        &sql,
        max_attempts,
        email_on,
        webhook_on,
        limit
    )?)
}

/// What one delivery attempt achieved: the channels that went out, and why others did not.
pub async fn delivered<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    email_sent_at: Option<i64>,
    webhook_sent_at: Option<i64>,
    error: Option<String>,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE campus_event_notices SET email_sent_at = COALESCE(email_sent_at, $1), \
         webhook_sent_at = COALESCE(webhook_sent_at, $2), attempts = attempts + 1, last_error = $3 WHERE id = $4",
        email_sent_at,
        webhook_sent_at,
        error,
        id.to_string()
    )?;
    Ok(())
}

/// The recipient acknowledges a notice; yields false when it was not theirs or already done.
pub async fn acknowledge<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    recipient: Id,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE campus_event_notices SET acknowledged_at = $1 \
         WHERE id = $2 AND recipient_id = $3 AND acknowledged_at IS NULL",
        at,
        id.to_string(),
        recipient.to_string()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FollowUpRow {
    pub id: String,
    pub event_id: String,
    pub title: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub done_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

pub async fn insert_follow_up<'c>(conn: impl Into<Conn<'c>>, f: &FollowUpRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO campus_event_follow_ups (id, event_id, title, owner_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        f.id.clone(),
        f.event_id.clone(),
        f.title.clone(),
        f.owner_id.clone(),
        f.due_on.clone(),
        f.created_by.clone(),
        f.created_at
    )?;
    Ok(())
}

pub async fn follow_ups<'c>(
    conn: impl Into<Conn<'c>>,
    event: &str,
) -> StoreResult<Vec<FollowUpRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        FollowUpRow,
        "SELECT f.id, f.event_id, f.title, f.owner_id, u.display_name AS owner_name, f.due_on, f.done_at, \
         f.created_by, f.created_at FROM campus_event_follow_ups f LEFT JOIN users u ON u.id = f.owner_id \
         WHERE f.event_id = $1 ORDER BY f.created_at",
        event.to_string()
    )?)
}

/// A follow-up of a campus event someone owns, with its campus.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnedFollowUp {
    pub event_id: String,
    pub campus_id: String,
    pub title: String,
    pub due_on: Option<String>,
}

/// The open follow-ups a person owns, soonest due first (those with no day last).
pub async fn open_follow_ups_of<'c>(
    conn: impl Into<Conn<'c>>,
    owner: Id,
) -> StoreResult<Vec<OwnedFollowUp>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        OwnedFollowUp,
        "SELECT f.event_id, e.campus_id, f.title, f.due_on FROM campus_event_follow_ups f \
         JOIN campus_events e ON e.id = f.event_id \
         WHERE f.owner_id = $1 AND f.done_at IS NULL \
         ORDER BY CASE WHEN f.due_on IS NULL THEN 1 ELSE 0 END, f.due_on, f.id",
        owner.to_string()
    )?)
}

/// Marks a follow-up done; yields false when it is not on that event or already done.
pub async fn complete_follow_up<'c>(
    conn: impl Into<Conn<'c>>,
    event: &str,
    id: &str,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE campus_event_follow_ups SET done_at = $1 WHERE id = $2 AND event_id = $3 AND done_at IS NULL",
        at,
        id.to_string(),
        event.to_string()
    )?;
    Ok(n == 1)
}
