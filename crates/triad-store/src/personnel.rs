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

/// The posts of every campus of a district that has one recorded.
pub async fn posts_of_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<PostRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        PostRow,
        "SELECT campus_id, uniform, office, notes, updated_by_name, updated_at FROM campus_post \
         WHERE campus_id IN (SELECT id FROM campuses WHERE district_id = $1)",
        district.to_string()
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

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PostingRow {
    pub id: String,
    pub agency_id: String,
    pub campus_id: String,
    pub title: String,
    pub opened_on: String,
    pub created_by: String,
    pub created_at: i64,
}

const POSTING_COLUMNS: &str = "id, agency_id, campus_id, title, opened_on, created_by, created_at";

pub async fn postings_of<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
) -> StoreResult<Vec<PostingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {POSTING_COLUMNS} FROM sro_postings WHERE agency_id = $1 ORDER BY opened_on DESC, created_at DESC"
    );
    Ok(fetch_all!(&mut c, PostingRow, &sql, agency.to_string())?)
}

pub async fn posting<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<PostingRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {POSTING_COLUMNS} FROM sro_postings WHERE id = $1");
    Ok(fetch_optional!(&mut c, PostingRow, &sql, id.to_string())?)
}

pub async fn insert_posting<'c>(conn: impl Into<Conn<'c>>, p: &PostingRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO sro_postings (id, agency_id, campus_id, title, opened_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        p.id.clone(),
        p.agency_id.clone(),
        p.campus_id.clone(),
        p.title.clone(),
        p.opened_on.clone(),
        p.created_by.clone(),
        p.created_at
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CandidateRow {
    pub id: String,
    pub posting_id: String,
    pub person_id: String,
    pub volunteered: bool,
    pub decision: String,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

const CANDIDATE_COLUMNS: &str =
    "id, posting_id, person_id, volunteered, decision, decided_at, created_at";

pub async fn candidates<'c>(
    conn: impl Into<Conn<'c>>,
    posting: Id,
) -> StoreResult<Vec<CandidateRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {CANDIDATE_COLUMNS} FROM sro_candidates WHERE posting_id = $1 ORDER BY created_at, id"
    );
    Ok(fetch_all!(&mut c, CandidateRow, &sql, posting.to_string())?)
}

pub async fn candidate<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<CandidateRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {CANDIDATE_COLUMNS} FROM sro_candidates WHERE id = $1");
    Ok(fetch_optional!(&mut c, CandidateRow, &sql, id.to_string())?)
}

/// Adds a candidate; `false` when they are already one for the posting.
pub async fn insert_candidate<'c>(
    conn: impl Into<Conn<'c>>,
    r: &CandidateRow,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "INSERT INTO sro_candidates (id, posting_id, person_id, volunteered, decision, decided_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6) ON CONFLICT (posting_id, person_id) DO NOTHING",
        r.id.clone(),
        r.posting_id.clone(),
        r.person_id.clone(),
        r.volunteered,
        r.decision.clone(),
        r.created_at
    )?;
    Ok(n == 1)
}

pub async fn decide<'c>(
    conn: impl Into<Conn<'c>>,
    candidate: Id,
    decision: &str,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE sro_candidates SET decision = $1, decided_at = $2 WHERE id = $3",
        decision.to_string(),
        at,
        candidate.to_string()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PanelRow {
    pub candidate_id: String,
    pub admin_id: String,
    pub admin_name: String,
    pub recommendation: String,
    pub comments: Option<String>,
    pub updated_at: i64,
}

/// The panel's input on a posting's candidates.
pub async fn panel_of_posting<'c>(
    conn: impl Into<Conn<'c>>,
    posting: Id,
) -> StoreResult<Vec<PanelRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        PanelRow,
        "SELECT p.candidate_id, p.admin_id, p.admin_name, p.recommendation, p.comments, p.updated_at \
         FROM panel_inputs p JOIN sro_candidates c ON c.id = p.candidate_id \
         WHERE c.posting_id = $1 ORDER BY p.admin_name",
        posting.to_string()
    )?)
}

pub async fn put_panel<'c>(conn: impl Into<Conn<'c>>, p: &PanelRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM panel_inputs WHERE candidate_id = $1 AND admin_id = $2",
        p.candidate_id.clone(),
        p.admin_id.clone()
    )?;
    execute!(
        &mut c,
        "INSERT INTO panel_inputs (candidate_id, admin_id, admin_name, recommendation, comments, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        p.candidate_id.clone(),
        p.admin_id.clone(),
        p.admin_name.clone(),
        p.recommendation.clone(),
        p.comments.clone(),
        p.updated_at
    )?;
    Ok(())
}

/// Candidates for posts on a campus still pending, without this administrator's input.
pub async fn panel_waiting<'c>(
    conn: impl Into<Conn<'c>>,
    campus: Id,
    admin: Id,
) -> StoreResult<Vec<(String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Waiting {
        posting_id: String,
        title: String,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Waiting,
        "SELECT DISTINCT s.id AS posting_id, s.title FROM sro_postings s \
         JOIN sro_candidates c ON c.posting_id = s.id AND c.decision = 'pending' \
         WHERE s.campus_id = $1 AND NOT EXISTS (SELECT 1 FROM panel_inputs p \
           WHERE p.candidate_id = c.id AND p.admin_id = $2) ORDER BY s.title",
        campus.to_string(),
        admin.to_string()
    )?;
    Ok(rows.into_iter().map(|r| (r.posting_id, r.title)).collect())
}

/// A person's candidacies: (posting id, title, decision), the newest post first.
pub async fn candidacies_of<'c>(
    conn: impl Into<Conn<'c>>,
    person: Id,
) -> StoreResult<Vec<(String, String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Candidacy {
        posting_id: String,
        title: String,
        decision: String,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Candidacy,
        "SELECT s.id AS posting_id, s.title, c.decision FROM sro_candidates c \
         JOIN sro_postings s ON s.id = c.posting_id WHERE c.person_id = $1 \
         ORDER BY s.opened_on DESC, s.created_at DESC",
        person.to_string()
    )?;
    Ok(rows
        .into_iter()
        .map(|r| (r.posting_id, r.title, r.decision))
        .collect())
}

/// The candidates of every post of an agency, in one read (its list of posts counts them).
pub async fn candidates_of_agency<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
) -> StoreResult<Vec<CandidateRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        CandidateRow,
        "SELECT c.id, c.posting_id, c.person_id, c.volunteered, c.decision, c.decided_at, c.created_at \
         FROM sro_candidates c JOIN sro_postings s ON s.id = c.posting_id WHERE s.agency_id = $1",
        agency.to_string()
    )?)
}

/// How many administrators gave input on each of a person's evaluations.
pub async fn input_counts<'c>(
    conn: impl Into<Conn<'c>>,
    person: Id,
) -> StoreResult<Vec<(String, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Count {
        evaluation_id: String,
        inputs: i64,
    }
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Count,
        "SELECT i.evaluation_id, COUNT(*) AS inputs FROM evaluation_inputs i \
         JOIN sro_evaluations e ON e.id = i.evaluation_id WHERE e.person_id = $1 \
         GROUP BY i.evaluation_id",
        person.to_string()
    )?;
    Ok(rows
        .into_iter()
        .map(|r| (r.evaluation_id, r.inputs))
        .collect())
}
