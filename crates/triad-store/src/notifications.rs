//! Messages for people in Triad, shown on their home page until read.

use crate::paging::{after_cursor, Order, Page};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NotificationRow {
    pub id: String,
    pub message: String,
    pub link: Option<String>,
    pub created_at: i64,
}

pub struct NewNotification<'a> {
    pub user: Id,
    pub campus: Option<Id>,
    pub message: &'a str,
    pub link: Option<&'a str>,
    pub at: i64,
}

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, n: &NewNotification<'_>) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO notifications (id, user_id, campus_id, message, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        Id::new().to_string(),
        n.user.to_string(),
        n.campus.map(|c| c.to_string()),
        n.message.to_string(),
        n.link.map(str::to_string),
        n.at
    )?;
    Ok(())
}

/// A page of a person's unread notifications, newest first.
pub async fn unread<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    page: Page,
) -> StoreResult<Vec<NotificationRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$3",
        "notifications",
        "",
        &["created_at", "id"],
        Order::Descending,
        "user_id = $1",
    );
    let sql = format!(
        "SELECT id, message, link, created_at FROM notifications WHERE user_id = $1 AND read_at IS NULL \
         AND {after} ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    Ok(fetch_all!(
        &mut c,
        NotificationRow,
        &sql,
        user.to_string(),
        page.limit,
        page.cursor()
    )?)
}

/// The person a notification is addressed to, if it exists.
pub async fn addressee<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<Id>> {
    let mut c: Conn = conn.into();
    let row = fetch_optional!(
        &mut c,
        UserId,
        "SELECT user_id AS id FROM notifications WHERE id = $1",
        id.to_string()
    )?;
    Ok(row.and_then(|r| Id::parse(&r.id)))
}

/// Marks one of a person's notifications read; someone else's is left alone.
pub async fn mark_read<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    user: Id,
    at: i64,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        at,
        id.to_string(),
        user.to_string()
    )?)
}

#[derive(sqlx::FromRow)]
struct UserId {
    id: String,
}

/// Who is told about a campus: its administrators and the officers assigned to it today.
pub async fn campus_recipients<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    today: &str,
) -> StoreResult<Vec<Id>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        UserId,
        "SELECT u.id FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.role = 'campus_admin' AND g.campus_id = $1 AND u.disabled = FALSE \
         UNION \
         SELECT u.id FROM assignments a JOIN users u ON u.person_id = a.person_id \
         WHERE a.campus_id = $1 AND a.starts_on <= $2 AND (a.ends_on IS NULL OR a.ends_on >= $2) \
         AND u.disabled = FALSE",
        campus.to_string(),
        today.to_string()
    )?;
    Ok(rows.iter().filter_map(|r| Id::parse(&r.id)).collect())
}
