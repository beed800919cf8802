//! The organisation: agencies, districts and their calendars, campuses, partnerships, people
//! and SRO assignments.

use crate::statement::{Statement, Value};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreError, StoreResult};
use serde::Serialize;
use triad_domain::policy::RecordClass;
use triad_domain::{Id, Timestamp};

/// Rows come back with ids as text; these read them as ids.
fn id_of(text: &str) -> Id {
    Id::parse(text).unwrap_or_else(|| Id::from_parts("unparseable", 0))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct District {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub year_start: String,
    pub created_at: i64,
    /// The district's own words for controlled movement and lockdown, if it chose them.
    pub controlled_movement_words: Option<String>,
    pub lockdown_words: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Campus {
    pub id: String,
    pub district_id: String,
    pub name: String,
    pub level: String,
    pub created_at: i64,
}

impl Campus {
    pub fn campus_id(&self) -> Id {
        id_of(&self.id)
    }
    pub fn district(&self) -> Id {
        id_of(&self.district_id)
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Partnership {
    pub id: String,
    pub agency_id: String,
    pub district_id: String,
    pub started_on: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Person {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub agency_id: Option<String>,
    pub district_id: Option<String>,
    pub sworn: bool,
    pub le_experience_start: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AssignmentRow {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub agency_id: String,
    pub district_id: String,
    pub campus_id: String,
    pub campus_name: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TermRow {
    pub id: String,
    pub district_id: String,
    pub school_year: i64,
    pub name: String,
    pub first_day: String,
    pub last_day: String,
}

pub async fn insert_agency<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    name: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO agencies (id, name, created_at) VALUES ($1, $2, $3)",
        id.to_string(),
        name.to_string(),
        now.millis()
    )?;
    Ok(())
}

pub async fn agencies<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<Agency>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        Agency,
        "SELECT id, name, created_at FROM agencies ORDER BY name"
    )?)
}

pub async fn agency<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<Agency>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        Agency,
        "SELECT id, name, created_at FROM agencies WHERE id = $1",
        id.to_string()
    )?)
}

pub struct NewDistrict<'a> {
    pub id: Id,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub year_start: &'a str,
}

pub async fn insert_district<'c>(
    conn: impl Into<Conn<'c>>,
    d: &NewDistrict<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO districts (id, name, time_zone, year_start, created_at) VALUES ($1, $2, $3, $4, $5)",
        d.id.to_string(),
        d.name.to_string(),
        d.time_zone.to_string(),
        d.year_start.to_string(),
        now.millis()
    )?;
    Ok(())
}

/// Sets the district's own words for the two campus states (`None`: Triad's).
pub async fn set_state_words<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    controlled_movement: Option<&str>,
    lockdown: Option<&str>,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "UPDATE districts SET controlled_movement_words = $1, lockdown_words = $2 WHERE id = $3",
        controlled_movement.map(str::to_string),
        lockdown.map(str::to_string),
        district.to_string()
    )?)
}

pub async fn districts<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<District>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        District,
        "SELECT id, name, time_zone, year_start, created_at, controlled_movement_words, lockdown_words FROM districts ORDER BY name"
    )?)
}

pub async fn district<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<District>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        District,
        "SELECT id, name, time_zone, year_start, created_at, controlled_movement_words, lockdown_words FROM districts WHERE id = $1",
        id.to_string()
    )?)
}

pub async fn insert_campus<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    district: Id,
    name: &str,
    level: &str,
    now: Timestamp,
) -> StoreResult<()> {
    insert_campus_statement(&campus_row(id, district, name, level, now))
        .execute(conn)
        .await?;
    Ok(())
}

/// A new campus's row, as [`insert_campus_statement`] writes it.
pub fn campus_row(id: Id, district: Id, name: &str, level: &str, now: Timestamp) -> Campus {
    Campus {
        id: id.to_string(),
        district_id: district.to_string(),
        name: name.to_string(),
        level: level.to_string(),
        created_at: now.millis(),
    }
}

/// The statement that writes a new campus, to go with a write's release.
pub fn insert_campus_statement(campus: &Campus) -> Statement {
    Statement::new(
        "INSERT INTO campuses (id, district_id, name, level, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![
            Value::from(campus.id.as_str()),
            Value::from(campus.district_id.as_str()),
            Value::from(campus.name.as_str()),
            Value::from(campus.level.as_str()),
            Value::from(campus.created_at),
        ],
    )
}

pub async fn campuses_of<'c>(conn: impl Into<Conn<'c>>, district: Id) -> StoreResult<Vec<Campus>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        Campus,
        "SELECT id, district_id, name, level, created_at FROM campuses WHERE district_id = $1 ORDER BY name",
        district.to_string()
    )?)
}

pub async fn campus<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<Campus>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        Campus,
        "SELECT id, district_id, name, level, created_at FROM campuses WHERE id = $1",
        id.to_string()
    )?)
}

/// Renames a campus or changes its level, keeping the earlier version in the history.
pub async fn update_campus<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    name: &str,
    level: &str,
    by: Id,
    now: Timestamp,
) -> StoreResult<Campus> {
    let mut c: Conn = conn.into();
    let before = campus(&mut c, id).await?.ok_or(StoreError::NotFound)?;
    keep_history(&mut c, "campus", &before.id, &before, by, now).await?;
    execute!(
        &mut c,
        "UPDATE campuses SET name = $1, level = $2 WHERE id = $3",
        name.to_string(),
        level.to_string(),
        id.to_string()
    )?;
    campus(&mut c, id).await?.ok_or(StoreError::NotFound)
}

/// Writes the version of a directory record that is about to be replaced.
pub async fn keep_history<'c, T: Serialize>(
    conn: impl Into<Conn<'c>>,
    record_type: &str,
    record_id: &str,
    before: &T,
    by: Id,
    now: Timestamp,
) -> StoreResult<()> {
    crate::history::keep(
        conn,
        RecordClass::Directory,
        record_type,
        record_id,
        before,
        by,
        now,
    )
    .await
}

/// Earlier versions of a directory record, oldest first.
pub async fn history<'c>(
    conn: impl Into<Conn<'c>>,
    record_type: &str,
    record_id: Id,
) -> StoreResult<Vec<crate::history::HistoryRow>> {
    crate::history::of(conn, RecordClass::Directory, record_type, record_id).await
}

pub async fn insert_partnership<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    agency: Id,
    district: Id,
    started_on: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO partnerships (id, agency_id, district_id, started_on, created_at) VALUES ($1, $2, $3, $4, $5)",
        id.to_string(),
        agency.to_string(),
        district.to_string(),
        started_on.to_string(),
        now.millis()
    )
    .map_err(|e| StoreError::from(e).or_conflict("this agency already works with this district"))?;
    Ok(())
}

pub async fn partnership<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
) -> StoreResult<Option<Partnership>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        Partnership,
        "SELECT id, agency_id, district_id, started_on FROM partnerships WHERE id = $1",
        id.to_string()
    )?)
}

pub async fn partnerships_of_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<Partnership>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        Partnership,
        "SELECT id, agency_id, district_id, started_on FROM partnerships WHERE district_id = $1 ORDER BY started_on",
        district.to_string()
    )?)
}

pub async fn partnerships_of_agency<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
) -> StoreResult<Vec<Partnership>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        Partnership,
        "SELECT id, agency_id, district_id, started_on FROM partnerships WHERE agency_id = $1 ORDER BY started_on",
        agency.to_string()
    )?)
}

pub struct NewPerson<'a> {
    pub id: Id,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub agency: Option<Id>,
    pub district: Option<Id>,
    pub sworn: bool,
    pub le_experience_start: Option<String>,
}

pub async fn insert_person<'c>(
    conn: impl Into<Conn<'c>>,
    p: &NewPerson<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO people (id, display_name, email, agency_id, district_id, sworn, le_experience_start, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        p.id.to_string(),
        p.display_name.to_string(),
        p.email.map(str::to_string),
        p.agency.map(|a| a.to_string()),
        p.district.map(|a| a.to_string()),
        p.sworn,
        p.le_experience_start.clone(),
        now.millis()
    )?;
    Ok(())
}

const PERSON_COLUMNS: &str =
    "id, display_name, email, agency_id, district_id, sworn, le_experience_start, created_at";

pub async fn person<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<Person>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1");
    Ok(fetch_optional!(&mut c, Person, &sql, id.to_string())?)
}

/// People of an agency (its officers and supervisors).
pub async fn people_of_agency<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
) -> StoreResult<Vec<Person>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("SELECT {PERSON_COLUMNS} FROM people WHERE agency_id = $1 ORDER BY display_name");
    Ok(fetch_all!(&mut c, Person, &sql, agency.to_string())?)
}

pub struct NewAssignment<'a> {
    pub id: Id,
    pub person: Id,
    pub agency: Id,
    pub district: Id,
    pub campus: Id,
    pub starts_on: &'a str,
    pub ends_on: Option<&'a str>,
}

pub async fn insert_assignment<'c>(
    conn: impl Into<Conn<'c>>,
    a: &NewAssignment<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO assignments (id, person_id, agency_id, district_id, campus_id, starts_on, ends_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        a.id.to_string(),
        a.person.to_string(),
        a.agency.to_string(),
        a.district.to_string(),
        a.campus.to_string(),
        a.starts_on.to_string(),
        a.ends_on.map(str::to_string),
        now.millis()
    )?;
    Ok(())
}

const ASSIGNMENT_SELECT: &str =
    "SELECT a.id, a.person_id, p.display_name AS person_name, a.agency_id, a.district_id, \
     a.campus_id, c.name AS campus_name, a.starts_on, a.ends_on \
     FROM assignments a JOIN people p ON p.id = a.person_id JOIN campuses c ON c.id = a.campus_id";

/// Assignments in force on a date, for an agency, a district, a campus or a person (each
/// filter optional).
pub async fn active_assignments<'c>(
    conn: impl Into<Conn<'c>>,
    on: &str,
    agency: Option<Id>,
    district: Option<Id>,
    campus: Option<Id>,
    person: Option<Id>,
) -> StoreResult<Vec<AssignmentRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.starts_on <= $1 AND (a.ends_on IS NULL OR a.ends_on >= $1) \
         AND ($2 IS NULL OR a.agency_id = $2) AND ($3 IS NULL OR a.district_id = $3) \
         AND ($4 IS NULL OR a.campus_id = $4) AND ($5 IS NULL OR a.person_id = $5) \
         ORDER BY p.display_name, c.name"
    );
    Ok(fetch_all!(
        &mut c,
        AssignmentRow,
        &sql,
        on.to_string(),
        agency.map(|x| x.to_string()),
        district.map(|x| x.to_string()),
        campus.map(|x| x.to_string()),
        person.map(|x| x.to_string())
    )?)
}

pub async fn insert_term<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    school_year: i64,
    name: &str,
    first_day: &str,
    last_day: &str,
) -> StoreResult<Id> {
    let mut c: Conn = conn.into();
    let id = Id::new();
    execute!(
        &mut c,
        "INSERT INTO district_terms (id, district_id, school_year, name, first_day, last_day) VALUES ($1, $2, $3, $4, $5, $6)",
        id.to_string(),
        district.to_string(),
        school_year,
        name.to_string(),
        first_day.to_string(),
        last_day.to_string()
    )?;
    Ok(id)
}

pub async fn terms_of<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<TermRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        TermRow,
        "SELECT id, district_id, school_year, name, first_day, last_day FROM district_terms \
         WHERE district_id = $1 AND school_year = $2 ORDER BY first_day",
        district.to_string(),
        school_year
    )?)
}

pub async fn insert_non_school_day<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    day: &str,
    school_year: i64,
    label: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO non_school_days (id, district_id, day, school_year, label) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (district_id, day) DO UPDATE SET label = excluded.label",
        Id::new().to_string(),
        district.to_string(),
        day.to_string(),
        school_year,
        label.to_string()
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct NonSchoolDay {
    pub day: String,
    pub label: String,
}

pub async fn non_school_days<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<NonSchoolDay>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        NonSchoolDay,
        "SELECT day, label FROM non_school_days WHERE district_id = $1 AND school_year = $2 ORDER BY day",
        district.to_string(),
        school_year
    )?)
}

pub async fn assignment<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
) -> StoreResult<Option<AssignmentRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("{ASSIGNMENT_SELECT} WHERE a.id = $1");
    Ok(fetch_optional!(
        &mut c,
        AssignmentRow,
        &sql,
        id.to_string()
    )?)
}

/// Sets the last day of an assignment, keeping the earlier version in the history.
pub async fn end_assignment<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    ends_on: &str,
    by: Id,
    now: Timestamp,
) -> StoreResult<AssignmentRow> {
    let mut c: Conn = conn.into();
    let before = assignment(&mut c, id).await?.ok_or(StoreError::NotFound)?;
    keep_history(&mut c, "assignment", &before.id, &before, by, now).await?;
    execute!(
        &mut c,
        "UPDATE assignments SET ends_on = $1 WHERE id = $2",
        ends_on.to_string(),
        id.to_string()
    )?;
    assignment(&mut c, id).await?.ok_or(StoreError::NotFound)
}

/// What can be corrected about a person.
pub struct PersonChange<'a> {
    pub display_name: &'a str,
    pub sworn: bool,
    pub le_experience_start: Option<String>,
}

/// Corrects a person, keeping the earlier version in the history.
pub async fn update_person<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    change: &PersonChange<'_>,
    by: Id,
    now: Timestamp,
) -> StoreResult<Person> {
    let mut c: Conn = conn.into();
    let before = person(&mut c, id).await?.ok_or(StoreError::NotFound)?;
    keep_history(&mut c, "person", &before.id, &before, by, now).await?;
    execute!(
        &mut c,
        "UPDATE people SET display_name = $1, sworn = $2, le_experience_start = $3 WHERE id = $4",
        change.display_name.to_string(),
        change.sworn,
        change.le_experience_start.clone(),
        id.to_string()
    )?;
    person(&mut c, id).await?.ok_or(StoreError::NotFound)
}

#[derive(sqlx::FromRow)]
struct Held {
    person_id: String,
    campuses: i64,
}

/// Whose campus counts a page needs: the officers assigned to a campus, or serving for an
/// agency (ever: the count itself is of the day's assignments).
#[derive(Debug, Clone, Copy)]
pub enum OfficersOf {
    Campus(Id),
    Agency(Id),
}

/// How many campuses each of some officers holds on a day (over every agency and district),
/// in one query: for the one-campus flag, without counting every officer of the instance.
pub async fn campuses_held<'c>(
    conn: impl Into<Conn<'c>>,
    on: &str,
    officers: OfficersOf,
) -> StoreResult<std::collections::HashMap<String, usize>> {
    let mut c: Conn = conn.into();
    let (column, id) = match officers {
        OfficersOf::Campus(id) => ("campus_id", id),
        OfficersOf::Agency(id) => ("agency_id", id),
    };
    let sql = format!(
        "SELECT person_id, COUNT(*) AS campuses FROM assignments \
         WHERE starts_on <= $1 AND (ends_on IS NULL OR ends_on >= $1) \
           AND person_id IN (SELECT person_id FROM assignments WHERE {column} = $2) \
         GROUP BY person_id"
    );
    let rows = fetch_all!(&mut c, Held, &sql, on.to_string(), id.to_string())?;
    Ok(rows
        .into_iter()
        .map(|r| (r.person_id, usize::try_from(r.campuses).unwrap_or(0)))
        .collect())
}
