//! Incidents of service, the people involved, follow-ups and law-enforcement details.

use crate::paging::{after_cursor, Order, Page};
use crate::statement::{Statement, Value};
use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::incidents::Involved;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct IncidentRow {
    pub id: String,
    pub district_id: String,
    pub campus_id: String,
    pub agency_id: Option<String>,
    pub kind: String,
    pub classification: String,
    pub occurred_at: i64,
    pub location: String,
    pub reported_by: Option<String>,
    pub narrative: String,
    pub provenance: String,
    pub school_year: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, district_id, campus_id, agency_id, kind, classification, occurred_at, \
     location, reported_by, narrative, provenance, school_year, created_by, created_at, updated_at";

/// The statement that inserts an incident.
pub fn insert_statement(r: &IncidentRow) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO incidents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ),
        vec![
            Value::from(r.id.as_str()),
            Value::from(r.district_id.as_str()),
            Value::from(r.campus_id.as_str()),
            Value::from(r.agency_id.clone()),
            Value::from(r.kind.as_str()),
            Value::from(r.classification.as_str()),
            Value::from(r.occurred_at),
            Value::from(r.location.as_str()),
            Value::from(r.reported_by.clone()),
            Value::from(r.narrative.as_str()),
            Value::from(r.provenance.as_str()),
            Value::from(r.school_year),
            Value::from(r.created_by.as_str()),
            Value::from(r.created_at),
            Value::from(r.updated_at),
        ],
    )
}

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, r: &IncidentRow) -> StoreResult<()> {
    insert_statement(r).execute(conn).await?;
    Ok(())
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<IncidentRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1");
    Ok(fetch_optional!(&mut c, IncidentRow, &sql, id.to_string())?)
}

/// An incident as a list shows it: what it was, where and when, without its narrative.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedIncident {
    pub id: String,
    pub campus_id: String,
    pub kind: String,
    pub classification: String,
    pub occurred_at: i64,
    pub location: String,
    pub provenance: String,
}

const LISTED_COLUMNS: &str =
    "id, campus_id, kind, classification, occurred_at, location, provenance";

impl IncidentRow {
    pub fn listed(&self) -> ListedIncident {
        ListedIncident {
            id: self.id.clone(),
            campus_id: self.campus_id.clone(),
            kind: self.kind.clone(),
            classification: self.classification.clone(),
            occurred_at: self.occurred_at,
            location: self.location.clone(),
            provenance: self.provenance.clone(),
        }
    }
}

/// A page of a campus's incidents, newest first. Only the columns a list shows are read: a
/// narrative may run to pages.
pub async fn of_campus<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    page: Page,
) -> StoreResult<Vec<ListedIncident>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        &page,
        "$3",
        "incidents",
        "",
        &["occurred_at", "id"],
        Order::Descending,
        "campus_id = $1",
    );
    let sql = format!(
        "SELECT {LISTED_COLUMNS} FROM incidents WHERE campus_id = $1 AND {after} ORDER BY occurred_at DESC, id DESC LIMIT $2"
    );
    Ok(fetch_all!(
        &mut c,
        ListedIncident,
        &sql,
        campus.to_string(),
        page.limit,
        page.cursor()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PersonRow {
    pub kind: String,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The statements that insert the people involved in an incident, in their order.
pub fn people_statements(incident: Id, people: &[Involved]) -> Vec<Statement> {
    people
        .iter()
        .enumerate()
        .map(|(position, p)| {
            Statement::new(
                "INSERT INTO incident_people (id, incident_id, position, kind, name, description) VALUES ($1, $2, $3, $4, $5, $6)",
                vec![
                    Value::from(Id::new().to_string()),
                    Value::from(incident.to_string()),
                    Value::from(position as i64),
                    Value::from(p.kind.code()),
                    Value::from(p.name.clone()),
                    Value::from(p.description.clone()),
                ],
            )
        })
        .collect()
}

pub async fn insert_people<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
    people: &[Involved],
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    for statement in people_statements(incident, people) {
        statement.execute(&mut c).await?;
    }
    Ok(())
}

pub async fn people<'c>(conn: impl Into<Conn<'c>>, incident: Id) -> StoreResult<Vec<PersonRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        PersonRow,
        "SELECT kind, name, description FROM incident_people WHERE incident_id = $1 ORDER BY position",
        incident.to_string()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct FollowUpRow {
    pub id: String,
    pub incident_id: String,
    pub title: String,
    pub assignee_id: String,
    pub assignee_name: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
}

pub struct NewFollowUp<'a> {
    pub id: Id,
    pub incident: Id,
    pub title: &'a str,
    pub assignee: Id,
    pub due_on: Option<String>,
    pub by: Id,
    pub at: i64,
}

pub async fn insert_follow_up<'c>(
    conn: impl Into<Conn<'c>>,
    f: &NewFollowUp<'_>,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO incident_follow_ups (id, incident_id, title, assignee_id, due_on, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $7)",
        f.id.to_string(),
        f.incident.to_string(),
        f.title.to_string(),
        f.assignee.to_string(),
        f.due_on.clone(),
        f.by.to_string(),
        f.at
    )?;
    Ok(())
}

pub async fn follow_ups<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
) -> StoreResult<Vec<FollowUpRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        FollowUpRow,
        "SELECT f.id, f.incident_id, f.title, f.assignee_id, u.display_name AS assignee_name, f.due_on, f.status \
         FROM incident_follow_ups f LEFT JOIN users u ON u.id = f.assignee_id \
         WHERE f.incident_id = $1 ORDER BY f.created_at, f.id",
        incident.to_string()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct LeDetailRow {
    pub id: String,
    pub incident_id: String,
    pub agency_id: String,
    pub kind: String,
    pub status: String,
    pub content: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn insert_le_detail<'c>(conn: impl Into<Conn<'c>>, d: &LeDetailRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO incident_le_details (id, incident_id, agency_id, kind, status, content, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        d.id.clone(),
        d.incident_id.clone(),
        d.agency_id.clone(),
        d.kind.clone(),
        d.status.clone(),
        d.content.clone(),
        d.created_by.clone(),
        d.created_at,
        d.updated_at
    )?;
    Ok(())
}

pub async fn le_details<'c>(
    conn: impl Into<Conn<'c>>,
    incident: Id,
) -> StoreResult<Vec<LeDetailRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        LeDetailRow,
        "SELECT id, incident_id, agency_id, kind, status, content, created_by, created_at, updated_at \
         FROM incident_le_details WHERE incident_id = $1 ORDER BY created_at, id",
        incident.to_string()
    )?)
}
