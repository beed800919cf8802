//! Activity entries and the monthly summary kept current with every write.

use crate::paging::{after_cursor, Order, Page};
use crate::statement::{Statement, Value};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreError, StoreResult};
use serde::Serialize;
use triad_domain::policy::RecordClass;
use triad_domain::{Id, Timestamp};

/// An entry as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ActivityRow {
    pub id: String,
    pub author_id: String,
    pub author_role: String,
    pub agency_id: Option<String>,
    pub district_id: String,
    pub campus_id: String,
    pub category: String,
    pub triad_role: String,
    pub record_class: String,
    pub started_at: i64,
    pub minutes: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
    pub notes: Option<String>,
    pub case_ref: Option<String>,
    pub search_basis: Option<String>,
    pub initiated_by: Option<String>,
    pub topic: Option<String>,
    pub class_name: Option<String>,
    pub lesson_plan: Option<String>,
    pub staff_group: Option<String>,
    pub school_year: i64,
    pub local_date: String,
    pub week_start: String,
    pub month: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    /// When its author undid it (a stray tap): kept, counted nowhere.
    pub voided_at: Option<i64>,
    pub voided_by: Option<String>,
}

impl ActivityRow {
    pub fn class(&self) -> RecordClass {
        if self.record_class == RecordClass::LawEnforcement.code() {
            RecordClass::LawEnforcement
        } else {
            RecordClass::Shared
        }
    }
}

/// Where an entry is filed: its author, their role and the campus it happened on.
pub struct Filing<'a> {
    pub author: Id,
    pub role: triad_domain::auth::Role,
    pub agency: Option<&'a str>,
    pub district: &'a str,
    pub campus: &'a str,
}

impl ActivityRow {
    /// The stored form of a checked entry.
    pub fn new(
        id: Id,
        filing: &Filing<'_>,
        entry: &triad_domain::activity::Entry,
        buckets: triad_domain::activity::Buckets,
        created_at: Timestamp,
        now: Timestamp,
    ) -> Self {
        Self {
            id: id.to_string(),
            author_id: filing.author.to_string(),
            author_role: filing.role.code().to_string(),
            agency_id: filing.agency.map(str::to_string),
            district_id: filing.district.to_string(),
            campus_id: filing.campus.to_string(),
            category: entry.category.code().to_string(),
            triad_role: entry.category.triad_role_code().to_string(),
            record_class: entry.category.record_class(filing.role).code().to_string(),
            started_at: entry.started_at.millis(),
            minutes: entry.minutes,
            students: entry.students,
            parents: entry.parents,
            staff: entry.staff,
            notes: entry.notes.clone(),
            case_ref: entry.case_ref.clone(),
            search_basis: entry.search_basis.map(|b| b.code().to_string()),
            initiated_by: entry.initiated_by.map(|i| i.to_string()),
            topic: entry.topic.clone(),
            class_name: entry.class_name.clone(),
            lesson_plan: entry.lesson_plan.clone(),
            staff_group: entry.staff_group.map(|g| g.code().to_string()),
            school_year: buckets.school_year,
            local_date: buckets.local_date,
            week_start: buckets.week_start,
            month: buckets.month,
            created_at: created_at.millis(),
            updated_at: now.millis(),
            version: 1,
            voided_at: None,
            voided_by: None,
        }
    }
}

/// The columns an insert writes.
macro_rules! written_columns {
    () => {
        "id, author_id, author_role, agency_id, district_id, campus_id, category, triad_role, \
     record_class, started_at, minutes, students, parents, staff, notes, case_ref, search_basis, initiated_by, \
     topic, class_name, lesson_plan, staff_group, school_year, local_date, week_start, month, created_at, updated_at, version"
    };
}
const COLUMNS: &str = written_columns!();
/// What a read returns: the written columns and whether the entry was undone.
const READ_COLUMNS: &str = concat!(written_columns!(), ", voided_at, voided_by");

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, a: &ActivityRow) -> StoreResult<()> {
    if insert_if_new(conn, a).await? {
        Ok(())
    } else {
        Err(StoreError::Conflict(
            "this entry is already recorded".into(),
        ))
    }
}

/// Inserts an entry unless one with its id exists (a re-imported row); true when it was new.
/// The database counts it into the monthly summaries (migrations 0012 and 0014).
pub async fn insert_if_new<'c>(conn: impl Into<Conn<'c>>, a: &ActivityRow) -> StoreResult<bool> {
    Ok(insert_rows(conn, std::slice::from_ref(a)).await? == 1)
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<ActivityRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {READ_COLUMNS} FROM activities WHERE id = $1");
    Ok(fetch_optional!(&mut c, ActivityRow, &sql, id.to_string())?)
}

/// A page of an author's entries, newest first.
pub async fn recent_by_author<'c>(
    conn: impl Into<Conn<'c>>,
    author: Id,
    page: Page,
) -> StoreResult<Vec<ActivityRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$3",
        "activities",
        "",
        &["started_at", "id"],
        Order::Descending,
        "author_id = $1",
    );
    let sql = format!("SELECT {READ_COLUMNS} FROM activities WHERE author_id = $1 AND {after} ORDER BY started_at DESC, id DESC LIMIT $2");
    Ok(fetch_all!(
        &mut c,
        ActivityRow,
        &sql,
        author.to_string(),
        page.limit,
        page.cursor()
    )?)
}

/// The categories of an author's entries begun since `since` and not voided, newest first,
/// at most `most`: what their quick entry's tiles are made from (the author's index walked
/// from its newest, one column of each entry read).
pub async fn recent_categories<'c>(
    conn: impl Into<Conn<'c>>,
    author: Id,
    since: i64,
    most: i64,
) -> StoreResult<Vec<String>> {
    #[derive(sqlx::FromRow)]
    struct CategoryOnly {
        category: String,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        CategoryOnly,
        "SELECT category FROM activities WHERE author_id = $1 AND started_at >= $2 \
         AND voided_at IS NULL ORDER BY started_at DESC, id DESC LIMIT $3",
        author.to_string(),
        since,
        most
    )?;
    Ok(rows.into_iter().map(|r| r.category).collect())
}

/// Replaces an entry with its corrected version, keeping the earlier one in the history of
/// its class (the database moves the summary with it).
pub async fn correct<'c>(
    conn: impl Into<Conn<'c>>,
    corrected: &ActivityRow,
    by: Id,
    now: Timestamp,
) -> StoreResult<ActivityRow> {
    let mut c: Conn = conn.into();
    let id = Id::parse(&corrected.id).ok_or(StoreError::NotFound)?;
    let before = get(&mut c, id).await?.ok_or(StoreError::NotFound)?;
    crate::history::keep(
        &mut c,
        before.class(),
        "activity",
        &before.id,
        &before,
        by,
        now,
    )
    .await?;
    execute!(
        &mut c,
        "UPDATE activities SET campus_id = $1, district_id = $2, category = $3, triad_role = $4, record_class = $5, \
         started_at = $6, minutes = $7, students = $8, parents = $9, staff = $10, notes = $11, case_ref = $12, \
         search_basis = $13, initiated_by = $14, school_year = $15, local_date = $16, week_start = $17, month = $18, \
         updated_at = $19, version = version + 1, topic = $21, class_name = $22, lesson_plan = $23, staff_group = $24 \
         WHERE id = $20",
        corrected.campus_id.clone(),
        corrected.district_id.clone(),
        corrected.category.clone(),
        corrected.triad_role.clone(),
        corrected.record_class.clone(),
        corrected.started_at,
        corrected.minutes,
        corrected.students,
        corrected.parents,
        corrected.staff,
        corrected.notes.clone(),
        corrected.case_ref.clone(),
        corrected.search_basis.clone(),
        corrected.initiated_by.clone(),
        corrected.school_year,
        corrected.local_date.clone(),
        corrected.week_start.clone(),
        corrected.month.clone(),
        now.millis(),
        corrected.id.clone(),
        corrected.topic.clone(),
        corrected.class_name.clone(),
        corrected.lesson_plan.clone(),
        corrected.staff_group.clone()
    )?;
    get(&mut c, id).await?.ok_or(StoreError::NotFound)
}

/// Marks an entry undone by its author (the database takes it out of the summaries); false
/// when it was already undone. The version before is kept in the history of its class.
pub async fn void<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    by: Id,
    now: Timestamp,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let before = get(&mut c, id).await?.ok_or(StoreError::NotFound)?;
    if before.voided_at.is_some() {
        return Ok(false);
    }
    crate::history::keep(
        &mut c,
        before.class(),
        "activity",
        &before.id,
        &before,
        by,
        now,
    )
    .await?;
    let changed = execute!(
        &mut c,
        "UPDATE activities SET voided_at = $1, voided_by = $2, updated_at = $1, version = version + 1 \
         WHERE id = $3 AND voided_at IS NULL",
        now.millis(),
        by.to_string(),
        id.to_string()
    )?;
    Ok(changed == 1)
}

#[derive(sqlx::FromRow)]
struct CampusOnly {
    campus_id: String,
}

/// The campus of an author's latest entry (by when it happened, read from the author's index
/// with no sort; an old spreadsheet imported today does not move it): the form starts there.
pub async fn usual_campus<'c>(
    conn: impl Into<Conn<'c>>,
    author: Id,
) -> StoreResult<Option<String>> {
    let mut c: Conn = conn.into();
    let row = fetch_optional!(
        &mut c,
        CampusOnly,
        "SELECT campus_id FROM activities WHERE author_id = $1 AND voided_at IS NULL \
         ORDER BY started_at DESC, id DESC LIMIT 1",
        author.to_string()
    )?;
    Ok(row.map(|r| r.campus_id))
}

/// One line of the monthly summary.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SummaryRow {
    pub category: String,
    pub triad_role: String,
    pub entries: i64,
    pub minutes: i64,
}

/// An author's summary for a month, by category.
pub async fn month_summary<'c>(
    conn: impl Into<Conn<'c>>,
    author: Id,
    month: &str,
) -> StoreResult<Vec<SummaryRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        SummaryRow,
        "SELECT category, triad_role, CAST(SUM(entries) AS BIGINT) AS entries, CAST(SUM(minutes) AS BIGINT) AS minutes \
         FROM activity_summary WHERE author_id = $1 AND month = $2 GROUP BY category, triad_role ORDER BY category",
        author.to_string(),
        month.to_string()
    )?)
}

/// Inserts many entries at once (bulk loads: the demo), counted into the summaries as they go.
pub async fn insert_batch<'c>(conn: impl Into<Conn<'c>>, rows: &[ActivityRow]) -> StoreResult<()> {
    insert_rows(conn, rows).await.map(|_| ())
}

/// The one INSERT of entries: several rows in one statement, rows whose id exists skipped.
/// Returns how many were new.
async fn insert_rows<'c>(conn: impl Into<Conn<'c>>, rows: &[ActivityRow]) -> StoreResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut c: Conn = conn.into();
    let per_statement = crate::conn::rows_per_statement(c.engine(), 29, rows.len());
    let mut inserted = 0;
    for chunk in rows.chunks(per_statement) {
        inserted += insert_statement(&mut c, chunk).await?;
    }
    Ok(inserted)
}

async fn insert_statement(c: &mut Conn<'_>, rows: &[ActivityRow]) -> StoreResult<u64> {
    let sql = format!(
        "INSERT INTO activities ({COLUMNS}) VALUES {} ON CONFLICT (id) DO NOTHING",
        crate::conn::placeholders(rows.len(), 29)
    );
    let values = rows.iter().flat_map(written_values).collect();
    Statement::new(sql, values).execute(c).await
}

/// The statement that writes a new entry (its id just made), sent with its write's release.
/// An id already taken fails the write.
pub fn insert_new_statement(a: &ActivityRow) -> Statement {
    let sql = format!(
        "INSERT INTO activities ({COLUMNS}) VALUES {}",
        crate::conn::placeholders(1, 29)
    );
    Statement::new(sql, written_values(a))
}

/// An entry's values, in the order of [`COLUMNS`].
fn written_values(a: &ActivityRow) -> Vec<Value> {
    vec![
        Value::from(a.id.as_str()),
        Value::from(a.author_id.as_str()),
        Value::from(a.author_role.as_str()),
        Value::from(a.agency_id.clone()),
        Value::from(a.district_id.as_str()),
        Value::from(a.campus_id.as_str()),
        Value::from(a.category.as_str()),
        Value::from(a.triad_role.as_str()),
        Value::from(a.record_class.as_str()),
        Value::from(a.started_at),
        Value::from(a.minutes),
        Value::from(a.students),
        Value::from(a.parents),
        Value::from(a.staff),
        Value::from(a.notes.clone()),
        Value::from(a.case_ref.clone()),
        Value::from(a.search_basis.clone()),
        Value::from(a.initiated_by.clone()),
        Value::from(a.topic.clone()),
        Value::from(a.class_name.clone()),
        Value::from(a.lesson_plan.clone()),
        Value::from(a.staff_group.clone()),
        Value::from(a.school_year),
        Value::from(a.local_date.as_str()),
        Value::from(a.week_start.as_str()),
        Value::from(a.month.as_str()),
        Value::from(a.created_at),
        Value::from(a.updated_at),
        Value::from(a.version),
    ]
}

/// Whose activity a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    Author(Id),
    Campus(Id),
    Agency(Id),
    District(Id),
}

impl ReportScope {
    /// The summary a scope reads and its column there. One column per scope, named in the SQL,
    /// so the query uses that column's index (an "$1 IS NULL OR …" filter would read the whole
    /// summary at five school years).
    fn summary(self) -> (&'static str, &'static str, Id) {
        match self {
            ReportScope::Author(id) => ("activity_summary", "author_id", id),
            ReportScope::Campus(id) => ("activity_summary", "campus_id", id),
            ReportScope::Agency(id) => ("activity_summary", "agency_id", id),
            ReportScope::District(id) => ("activity_summary_district", "district_id", id),
        }
    }
}

/// Minutes by triad role for one month of a scope (the report's trend), or for one campus or
/// officer of a district or agency (its comparison): `key` is the month, campus or officer.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RoleMinutes {
    pub key: String,
    pub triad_role: String,
    pub entries: i64,
    pub minutes: i64,
}

/// The scope's minutes by month and triad role, from `from` to `to` (YYYY-MM, inclusive).
pub async fn trend<'c>(
    conn: impl Into<Conn<'c>>,
    scope: ReportScope,
    from: &str,
    to: &str,
) -> StoreResult<Vec<RoleMinutes>> {
    let mut c: Conn = conn.into();
    let (table, column, id) = scope.summary();
    let sql = format!(
        "SELECT month AS key, triad_role, CAST(SUM(entries) AS BIGINT) AS entries, \
         CAST(SUM(minutes) AS BIGINT) AS minutes FROM {table} \
         WHERE {column} = $1 AND month >= $2 AND month <= $3 \
         GROUP BY month, triad_role ORDER BY month, triad_role"
    );
    Ok(fetch_all!(
        &mut c,
        RoleMinutes,
        &sql,
        id.to_string(),
        from.to_string(),
        to.to_string()
    )?)
}

/// What a comparison sets side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Each campus of a district.
    CampusesOf(Id),
    /// Each officer whose entries an agency holds.
    OfficersOf(Id),
}

/// Minutes by campus (or officer) and triad role, from `from` to `to`.
pub async fn compare<'c>(
    conn: impl Into<Conn<'c>>,
    by: Comparison,
    from: &str,
    to: &str,
) -> StoreResult<Vec<RoleMinutes>> {
    let mut c: Conn = conn.into();
    let (key, column, id) = match by {
        Comparison::CampusesOf(id) => ("campus_id", "district_id", id),
        Comparison::OfficersOf(id) => ("author_id", "agency_id", id),
    };
    let sql = format!(
        "SELECT {key} AS key, triad_role, CAST(SUM(entries) AS BIGINT) AS entries, \
         CAST(SUM(minutes) AS BIGINT) AS minutes FROM activity_summary \
         WHERE {column} = $1 AND month >= $2 AND month <= $3 \
         GROUP BY {key}, triad_role ORDER BY {key}, triad_role"
    );
    Ok(fetch_all!(
        &mut c,
        RoleMinutes,
        &sql,
        id.to_string(),
        from.to_string(),
        to.to_string()
    )?)
}

/// When the latest entry (not undone) of a campus or an officer began.
#[derive(Debug, sqlx::FromRow)]
pub struct LatestEntry {
    pub key: String,
    pub started_at: Option<i64>,
}

/// When the latest entry (not undone) of each of the campuses, or officers, in `keys` began,
/// in one statement: for each, the database reads down an index on (column, started_at) to the
/// first entry not undone. A district's comparison asked this once per campus, a round trip
/// each.
pub async fn latest_entries<'c>(
    conn: impl Into<Conn<'c>>,
    of: Comparison,
    keys: &[String],
) -> StoreResult<Vec<LatestEntry>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut c: Conn = conn.into();
    let (table, column) = match of {
        Comparison::CampusesOf(_) => ("campuses", "campus_id"),
        Comparison::OfficersOf(_) => ("users", "author_id"),
    };
    let sql = format!(
        "SELECT k.id AS key, (SELECT a.started_at FROM activities a WHERE a.{column} = k.id \
         AND a.voided_at IS NULL ORDER BY a.started_at DESC LIMIT 1) AS started_at \
         FROM {table} k WHERE k.id IN ({keys})",
        keys = crate::conn::numbered(1, keys.len())
    );
    crate::conn::fetch_bound(&mut c, &sql, keys).await
}

/// One line of a report: a category over a span of months.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReportLine {
    pub category: String,
    pub triad_role: String,
    pub entries: i64,
    pub minutes: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
}

/// Counts by category for a scope and the months from `from` to `to` (YYYY-MM, inclusive),
/// read from the summary kept at write time.
pub async fn report<'c>(
    conn: impl Into<Conn<'c>>,
    scope: ReportScope,
    from: &str,
    to: &str,
) -> StoreResult<Vec<ReportLine>> {
    let mut c: Conn = conn.into();
    let (table, column, id) = scope.summary();
    let sql = format!(
        "SELECT category, MAX(triad_role) AS triad_role, CAST(SUM(entries) AS BIGINT) AS entries, \
         CAST(SUM(minutes) AS BIGINT) AS minutes, CAST(SUM(students) AS BIGINT) AS students, \
         CAST(SUM(parents) AS BIGINT) AS parents, CAST(SUM(staff) AS BIGINT) AS staff \
         FROM {table} WHERE {column} = $1 AND month >= $2 AND month <= $3 \
         GROUP BY category ORDER BY category"
    );
    Ok(fetch_all!(
        &mut c,
        ReportLine,
        &sql,
        id.to_string(),
        from.to_string(),
        to.to_string()
    )?)
}

/// A lesson-plan file kept with a classroom presentation.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct LessonPlanRow {
    pub id: String,
    pub activity_id: String,
    #[serde(skip)]
    pub file_key: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

pub async fn insert_lesson_plan<'c>(
    conn: impl Into<Conn<'c>>,
    p: &LessonPlanRow,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO activity_lesson_plans (id, activity_id, file_key, file_name, media_type, size_bytes, \
         sha256, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        p.id.clone(),
        p.activity_id.clone(),
        p.file_key.clone(),
        p.file_name.clone(),
        p.media_type.clone(),
        p.size_bytes,
        p.sha256.clone(),
        p.uploaded_by.clone(),
        p.uploaded_at
    )?;
    Ok(())
}

/// An entry's lesson-plan file: the newest sent.
pub async fn lesson_plan<'c>(
    conn: impl Into<Conn<'c>>,
    activity: &str,
) -> StoreResult<Option<LessonPlanRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        LessonPlanRow,
        "SELECT id, activity_id, file_key, file_name, media_type, size_bytes, sha256, uploaded_by, uploaded_at \
         FROM activity_lesson_plans WHERE activity_id = $1 ORDER BY uploaded_at DESC, id DESC LIMIT 1",
        activity.to_string()
    )?)
}
