//! Meetings and their action items.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::{Id, Timestamp};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MeetingRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub kind: String,
    pub held_on: String,
    pub school_year: i64,
    pub sro_present: bool,
    pub attendees: Option<String>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// A semester review: the MOU version it reviewed, and whether the LE supervisor and the
    /// campus administrator attended (the SRO's attendance is `sro_present`).
    pub mou_version_id: Option<String>,
    pub supervisor_present: bool,
    pub admin_present: bool,
}

const MEETING_COLUMNS: &str =
    "id, district_id, campus_id, kind, held_on, school_year, sro_present, attendees, agenda, \
     minutes, created_by, created_at, updated_at, mou_version_id, supervisor_present, admin_present";

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, m: &MeetingRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!("INSERT INTO meetings ({MEETING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)");
    execute!(
        &mut c,
        &sql,
        m.id.clone(),
        m.district_id.clone(),
        m.campus_id.clone(),
        m.kind.clone(),
        m.held_on.clone(),
        m.school_year,
        m.sro_present,
        m.attendees.clone(),
        m.agenda.clone(),
        m.minutes.clone(),
        m.created_by.clone(),
        m.created_at,
        m.updated_at,
        m.mou_version_id.clone(),
        m.supervisor_present,
        m.admin_present
    )?;
    Ok(())
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<MeetingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1");
    Ok(fetch_optional!(&mut c, MeetingRow, &sql, id.to_string())?)
}

/// A campus's meetings of a school year, newest first.
pub async fn of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    school_year: i64,
) -> StoreResult<Vec<MeetingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings WHERE campus_id = $1 AND school_year = $2 ORDER BY held_on DESC, id DESC");
    Ok(fetch_all!(
        &mut c,
        MeetingRow,
        &sql,
        campus.to_string(),
        school_year
    )?)
}

/// The meetings of every campus of a district in a school year (read campus by campus
/// through the campus index), newest first.
pub async fn of_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<MeetingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {MEETING_COLUMNS} FROM meetings WHERE campus_id IN \
         (SELECT id FROM campuses WHERE district_id = $1) AND school_year = $2 \
         ORDER BY held_on DESC, id DESC"
    );
    Ok(fetch_all!(
        &mut c,
        MeetingRow,
        &sql,
        district.to_string(),
        school_year
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ActionItemRow {
    pub id: String,
    pub meeting_id: String,
    pub campus_id: String,
    pub title: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
}

const ITEM_SELECT: &str = "SELECT a.id, a.meeting_id, a.campus_id, a.title, a.owner_id, u.display_name AS owner_name, a.due_on, a.status \
     FROM action_items a LEFT JOIN users u ON u.id = a.owner_id";

pub struct NewItem<'a> {
    pub id: Id,
    pub meeting: Id,
    pub campus: Id,
    pub title: &'a str,
    pub owner: Option<Id>,
    pub due_on: Option<String>,
}

pub async fn insert_item<'c>(
    conn: impl Into<Conn<'c>>,
    item: &NewItem<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO action_items (id, meeting_id, campus_id, title, owner_id, due_on, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)",
        item.id.to_string(),
        item.meeting.to_string(),
        item.campus.to_string(),
        item.title.to_string(),
        item.owner.map(|o| o.to_string()),
        item.due_on.clone(),
        now.millis()
    )?;
    Ok(())
}

pub async fn item<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<ActionItemRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("{ITEM_SELECT} WHERE a.id = $1");
    Ok(fetch_optional!(
        &mut c,
        ActionItemRow,
        &sql,
        id.to_string()
    )?)
}

pub async fn items_of_meeting<'c>(
    conn: impl Into<Conn<'c>>,
    meeting: Id,
) -> StoreResult<Vec<ActionItemRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("{ITEM_SELECT} WHERE a.meeting_id = $1 ORDER BY a.due_on, a.id");
    Ok(fetch_all!(
        &mut c,
        ActionItemRow,
        &sql,
        meeting.to_string()
    )?)
}

/// Open items a person owns, soonest due first.
pub async fn open_items_of<'c>(
    conn: impl Into<Conn<'c>>,
    owner: Id,
) -> StoreResult<Vec<ActionItemRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "{ITEM_SELECT} WHERE a.owner_id = $1 AND a.status = 'open' ORDER BY a.due_on, a.id"
    );
    Ok(fetch_all!(&mut c, ActionItemRow, &sql, owner.to_string())?)
}

/// A campus's open action items, soonest due first.
pub async fn open_items_of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
) -> StoreResult<Vec<ActionItemRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "{ITEM_SELECT} WHERE a.campus_id = $1 AND a.status = 'open' ORDER BY a.due_on, a.id"
    );
    Ok(fetch_all!(&mut c, ActionItemRow, &sql, campus.to_string())?)
}

pub async fn set_item_status<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    status: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE action_items SET status = $1, updated_at = $2 WHERE id = $3",
        status.to_string(),
        now.millis(),
        id.to_string()
    )?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
}

/// Whether a campus has a meeting of a kind recorded on or after a day.
pub async fn held_since<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    kind: &str,
    since: &str,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let row = fetch_optional!(
        &mut c,
        Count,
        "SELECT COUNT(*) AS n FROM meetings WHERE campus_id = $1 AND kind = $2 AND held_on >= $3",
        campus.to_string(),
        kind.to_string(),
        since.to_string()
    )?;
    Ok(row.is_some_and(|r| r.n > 0))
}
