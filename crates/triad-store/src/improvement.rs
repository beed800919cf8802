//! The improvement cycle's records: the findings people decided on, and the plan of goals,
//! objectives and action steps with the findings each goal answers.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FindingRow {
    pub id: String,
    pub partnership_id: String,
    pub school_year: i64,
    pub source: String,
    /// accepted or dismissed
    pub status: String,
    pub title: String,
    pub detail: String,
    pub measure: Option<f64>,
    pub decided_by: String,
    pub decided_by_name: String,
    pub decided_at: i64,
}

const FINDING: &str = "id, partnership_id, school_year, source, status, title, detail, measure, \
     decided_by, decided_by_name, decided_at";

/// Every finding of a program, newest school year first.
pub async fn findings<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
) -> StoreResult<Vec<FindingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {FINDING} FROM improvement_findings WHERE partnership_id = $1 \
         ORDER BY school_year DESC, decided_at, id"
    );
    Ok(fetch_all!(
        &mut c,
        FindingRow,
        &sql,
        partnership.to_string()
    )?)
}

/// Records a decision on a proposal; false when the proposal was already decided (the first
/// decision stands).
pub async fn insert_finding<'c>(conn: impl Into<Conn<'c>>, f: &FindingRow) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO improvement_findings ({FINDING}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (partnership_id, school_year, source) DO NOTHING"
    );
    let added = execute!(
        &mut c,
        &sql,
        f.id.clone(),
        f.partnership_id.clone(),
        f.school_year,
        f.source.clone(),
        f.status.clone(),
        f.title.clone(),
        f.detail.clone(),
        f.measure,
        f.decided_by.clone(),
        f.decided_by_name.clone(),
        f.decided_at
    )?;
    Ok(added == 1)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    pub id: String,
    pub partnership_id: String,
    /// goal, objective or step
    pub level: String,
    pub parent_id: Option<String>,
    pub title: String,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    /// YYYY-MM-DD
    pub due_on: Option<String>,
    pub status: String,
    pub note: String,
    pub created_at: i64,
    pub updated_by_name: String,
    pub updated_at: i64,
}

const PLAN: &str = "p.id, p.partnership_id, p.level, p.parent_id, p.title, p.owner_id, \
     u.display_name AS owner_name, p.due_on, p.status, p.note, p.created_at, p.updated_by_name, \
     p.updated_at";

/// A program's plan, in the order it was written.
pub async fn plan<'c>(conn: impl Into<Conn<'c>>, partnership: Id) -> StoreResult<Vec<PlanRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {PLAN} FROM improvement_plan p LEFT JOIN users u ON u.id = p.owner_id \
         WHERE p.partnership_id = $1 ORDER BY p.created_at, p.id"
    );
    Ok(fetch_all!(&mut c, PlanRow, &sql, partnership.to_string())?)
}

pub async fn plan_entry<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<PlanRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {PLAN} FROM improvement_plan p LEFT JOIN users u ON u.id = p.owner_id \
         WHERE p.id = $1"
    );
    Ok(fetch_optional!(&mut c, PlanRow, &sql, id.to_string())?)
}

pub async fn insert_plan_entry<'c>(conn: impl Into<Conn<'c>>, p: &PlanRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO improvement_plan (id, partnership_id, level, parent_id, title, owner_id, \
         due_on, status, note, created_at, updated_by_name, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        p.id.clone(),
        p.partnership_id.clone(),
        p.level.clone(),
        p.parent_id.clone(),
        p.title.clone(),
        p.owner_id.clone(),
        p.due_on.clone(),
        p.status.clone(),
        p.note.clone(),
        p.created_at,
        p.updated_by_name.clone(),
        p.updated_at
    )?;
    Ok(())
}

/// A step's new standing.
pub async fn set_status<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    status: &str,
    note: &str,
    by_name: &str,
    at: i64,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE improvement_plan SET status = $2, note = $3, updated_by_name = $4, updated_at = $5 \
         WHERE id = $1",
        id.to_string(),
        status.to_string(),
        note.to_string(),
        by_name.to_string(),
        at
    )?;
    Ok(())
}

/// Which findings each goal of a program answers: (goal, finding).
pub async fn links<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
) -> StoreResult<Vec<(String, String)>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        (String, String),
        "SELECT l.plan_id, l.finding_id FROM improvement_plan_findings l \
         JOIN improvement_plan p ON p.id = l.plan_id WHERE p.partnership_id = $1 \
         ORDER BY l.plan_id, l.finding_id",
        partnership.to_string()
    )?)
}

pub async fn insert_link<'c>(
    conn: impl Into<Conn<'c>>,
    plan: &str,
    finding: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO improvement_plan_findings (plan_id, finding_id) VALUES ($1, $2)",
        plan.to_string(),
        finding.to_string()
    )?;
    Ok(())
}

/// An open step someone owns, with the program it belongs to.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OwnedStepRow {
    pub id: String,
    pub partnership_id: String,
    pub agency_name: String,
    pub district_name: String,
    pub title: String,
    pub due_on: Option<String>,
    pub status: String,
    pub note: String,
}

/// The open steps a person owns, soonest due first.
pub async fn open_steps_of<'c>(
    conn: impl Into<Conn<'c>>,
    owner: &str,
) -> StoreResult<Vec<OwnedStepRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        OwnedStepRow,
        "SELECT p.id, p.partnership_id, a.name AS agency_name, d.name AS district_name, p.title, \
         p.due_on, p.status, p.note FROM improvement_plan p \
         JOIN partnerships s ON s.id = p.partnership_id \
         JOIN agencies a ON a.id = s.agency_id JOIN districts d ON d.id = s.district_id \
         WHERE p.owner_id = $1 AND p.level = 'step' AND p.status IN ('planned', 'under_way') \
         ORDER BY p.due_on, p.created_at LIMIT 50",
        owner.to_string()
    )?)
}

/// Each program's accepted findings and its steps open and late on `today` (YYYY-MM-DD):
/// (partnership, findings, open steps, late steps).
pub async fn standing<'c>(
    conn: impl Into<Conn<'c>>,
    today: &str,
) -> StoreResult<Vec<(String, i64, i64, i64)>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        (String, i64, i64, i64),
        "SELECT s.id, \
           (SELECT COUNT(*) FROM improvement_findings f WHERE f.partnership_id = s.id AND f.status = 'accepted'), \
           (SELECT COUNT(*) FROM improvement_plan p WHERE p.partnership_id = s.id AND p.level = 'step' \
              AND p.status IN ('planned', 'under_way')), \
           (SELECT COUNT(*) FROM improvement_plan p WHERE p.partnership_id = s.id AND p.level = 'step' \
              AND p.status IN ('planned', 'under_way') AND p.due_on < $1) \
         FROM partnerships s WHERE s.id IN (SELECT partnership_id FROM improvement_findings \
           UNION SELECT partnership_id FROM improvement_plan) ORDER BY s.id",
        today.to_string()
    )?)
}
