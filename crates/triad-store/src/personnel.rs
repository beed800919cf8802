//! SRO evaluations with the administrators' input, and the facts of the post on a campus.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EvaluationRow {
    pub id: String,
    pub person_id: String,
    pub agency_id: String,
    pub school_year: i64,
    /// Criterion code → rating code, as JSON.
    pub ratings: String,
    pub comments: Option<String>,
    pub written_by: String,
    pub written_by_name: String,
    pub created_at: i64,
}

const EVALUATION_COLUMNS: &str = "id, person_id, agency_id, school_year, ratings, comments, \
                                  written_by, written_by_name, created_at";

pub async fn evaluations_of<'c>(
    conn: impl Into<Conn<'c>>,
    person: Id,
) -> StoreResult<Vec<EvaluationRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {EVALUATION_COLUMNS} FROM sro_evaluations WHERE person_id = $1 ORDER BY school_year DESC"
    );
    Ok(fetch_all!(&mut c, EvaluationRow, &sql, person.to_string())?)
}

pub async fn evaluation<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
) -> StoreResult<Option<EvaluationRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {EVALUATION_COLUMNS} FROM sro_evaluations WHERE id = $1");
    Ok(fetch_optional!(
        &mut c,
        EvaluationRow,
        &sql,
        id.to_string()
    )?)
}

/// Writes an evaluation; `false` when the officer already has one for that school year.
pub async fn insert_evaluation<'c>(
    conn: impl Into<Conn<'c>>,
    e: &EvaluationRow,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "INSERT INTO sro_evaluations (id, person_id, agency_id, school_year, ratings, comments, \
         written_by, written_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (person_id, school_year) DO NOTHING",
        e.id.clone(),
        e.person_id.clone(),
        e.agency_id.clone(),
        e.school_year,
        e.ratings.clone(),
        e.comments.clone(),
        e.written_by.clone(),
        e.written_by_name.clone(),
        e.created_at
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct InputRow {
    pub evaluation_id: String,
    pub admin_id: String,
    pub admin_name: String,
    pub campus_id: String,
    pub ratings: String,
    pub comments: Option<String>,
    pub updated_at: i64,
}

pub async fn inputs<'c>(conn: impl Into<Conn<'c>>, evaluation: Id) -> StoreResult<Vec<InputRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        InputRow,
        "SELECT evaluation_id, admin_id, admin_name, campus_id, ratings, comments, updated_at \
         FROM evaluation_inputs WHERE evaluation_id = $1 ORDER BY admin_name",
        evaluation.to_string()
    )?)
}

/// Writes an administrator's input (replacing their earlier one).
pub async fn put_input<'c>(conn: impl Into<Conn<'c>>, i: &InputRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM evaluation_inputs WHERE evaluation_id = $1 AND admin_id = $2",
        i.evaluation_id.clone(),
        i.admin_id.clone()
    )?;
    execute!(
        &mut c,
        "INSERT INTO evaluation_inputs (evaluation_id, admin_id, admin_name, campus_id, ratings, \
         comments, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        i.evaluation_id.clone(),
        i.admin_id.clone(),
        i.admin_name.clone(),
        i.campus_id.clone(),
        i.ratings.clone(),
        i.comments.clone(),
        i.updated_at
    )?;
    Ok(())
}

/// The evaluations of a school year of officers assigned to a campus that still wait for this
/// administrator's input.
pub async fn awaiting_input<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    school_year: i64,
    admin: Id,
    today: &str,
) -> StoreResult<Vec<(String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Waiting {
        id: String,
        display_name: String,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Waiting,
        "SELECT DISTINCT e.id, p.display_name FROM sro_evaluations e \
         JOIN people p ON p.id = e.person_id \
         JOIN assignments a ON a.person_id = e.person_id AND a.campus_id = $1 \
           AND a.starts_on <= $2 AND (a.ends_on IS NULL OR a.ends_on >= $2) \
         WHERE e.school_year = $3 AND NOT EXISTS (SELECT 1 FROM evaluation_inputs i \
           WHERE i.evaluation_id = e.id AND i.admin_id = $4) ORDER BY p.display_name",
        campus.to_string(),
        today.to_string(),
        school_year,
        admin.to_string()
    )?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PostRow {
    pub campus_id: String,
    pub uniform: String,
    pub office: String,
    pub notes: Option<String>,
    pub updated_by_name: String,
    pub updated_at: i64,
}

pub async fn post<'c>(conn: impl Into<Conn<'c>>, campus: Id) -> StoreResult<Option<PostRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        PostRow,
        "SELECT campus_id, uniform, office, notes, updated_by_name, updated_at FROM campus_post WHERE campus_id = $1",
        campus.to_string()
    )?)
}

pub async fn put_post<'c>(conn: impl Into<Conn<'c>>, p: &PostRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM campus_post WHERE campus_id = $1",
        p.campus_id.clone()
    )?;
    execute!(
        &mut c,
        "INSERT INTO campus_post (campus_id, uniform, office, notes, updated_by_name, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        p.campus_id.clone(),
        p.uniform.clone(),
        p.office.clone(),
        p.notes.clone(),
        p.updated_by_name.clone(),
        p.updated_at
    )?;
    Ok(())
}
