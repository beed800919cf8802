//! What a program's assessment reads that no other capability reads the same way (the
//! program's entries, assignments, briefings, evaluations and selections across a school
//! year), and the ratings people give its practices.

use crate::{execute, fetch_all, fetch_optional, fetch_scalar, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

/// The entries of one category an agency's officers logged on one campus, as the assessment
/// counts them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryDaysRow {
    pub campus_id: String,
    pub category: String,
    /// Each entry as `YYYY-MM-DD:P`, P being 1 when a lesson plan (a link or a kept file) goes
    /// with it, separated by commas.
    pub days: String,
}

/// The entries (not undone) of some categories an agency's officers logged in a district in a
/// school year, one row per campus and category: a year's entries come in a few rows rather
/// than one row each, which the embedded engine hands over one by one between threads.
/// `categories` are the domain's own codes (letters and underscores), written into the
/// statement as they are.
pub async fn program_entries<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    district: Id,
    school_year: i64,
    categories: &[&'static str],
) -> StoreResult<Vec<EntryDaysRow>> {
    let mut c: Conn = conn.into();
    let listed: Vec<String> = categories
        .iter()
        .filter(|code| code.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        .map(|code| format!("'{code}'"))
        .collect();
    if listed.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT a.campus_id, a.category, string_agg(a.local_date || ':' || \
           CASE WHEN a.lesson_plan IS NOT NULL OR EXISTS \
             (SELECT 1 FROM activity_lesson_plans p WHERE p.activity_id = a.id) \
           THEN '1' ELSE '0' END, ',') AS days \
         FROM activities a WHERE a.district_id = $1 AND a.school_year = $2 AND a.agency_id = $3 \
         AND a.voided_at IS NULL AND a.category IN ({}) GROUP BY a.campus_id, a.category",
        listed.join(", ")
    );
    Ok(fetch_all!(
        &mut c,
        EntryDaysRow,
        &sql,
        district.to_string(),
        school_year,
        agency.to_string()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonthRow {
    /// YYYY-MM
    pub month: String,
    pub category: String,
    pub entries: i64,
}

/// Every entry of the agency's officers in the district in a school year, counted by month
/// and category (from the summaries the database keeps).
pub async fn program_months<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<MonthRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        MonthRow,
        "SELECT month, category, CAST(SUM(entries) AS BIGINT) AS entries FROM activity_summary \
         WHERE district_id = $1 AND school_year = $2 AND agency_id = $3 GROUP BY month, category",
        district.to_string(),
        school_year,
        agency.to_string()
    )?)
}

/// An assignment of an officer to a campus, with its dates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpanRow {
    pub person_id: String,
    pub person_name: String,
    pub agency_id: String,
    pub district_id: String,
    pub campus_id: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub le_experience_start: Option<String>,
}

/// Every assignment in force at some time between `first` and `last` of the officers the
/// agency assigned in the district in that time, including their assignments elsewhere (an
/// officer split between districts serves more than one campus all the same).
pub async fn officer_spans<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    district: Id,
    first: &str,
    last: &str,
) -> StoreResult<Vec<SpanRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        SpanRow,
        "SELECT a.person_id, p.display_name AS person_name, a.agency_id, a.district_id, a.campus_id, \
         a.starts_on, a.ends_on, p.le_experience_start \
         FROM assignments a JOIN people p ON p.id = a.person_id \
         WHERE a.starts_on <= $1 AND (a.ends_on IS NULL OR a.ends_on >= $2) \
         AND a.person_id IN (SELECT b.person_id FROM assignments b WHERE b.agency_id = $3 \
           AND b.district_id = $4 AND b.starts_on <= $1 AND (b.ends_on IS NULL OR b.ends_on >= $2)) \
         ORDER BY p.display_name, a.starts_on",
        last.to_string(),
        first.to_string(),
        agency.to_string(),
        district.to_string()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BriefingRow {
    pub person_id: String,
    pub held_on: String,
}

/// The agency briefings its people attended between two days (both included).
pub async fn briefings_between<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    first: &str,
    last: &str,
) -> StoreResult<Vec<BriefingRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        BriefingRow,
        "SELECT person_id, held_on FROM briefings WHERE agency_id = $1 AND held_on >= $2 \
         AND held_on <= $3",
        agency.to_string(),
        first.to_string(),
        last.to_string()
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluatedRow {
    pub person_id: String,
    pub inputs: i64,
}

/// The agency's evaluations of a school year, each with how many administrators gave input.
pub async fn evaluations_of_year<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    school_year: i64,
) -> StoreResult<Vec<EvaluatedRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        EvaluatedRow,
        "SELECT e.person_id, COUNT(i.admin_id) AS inputs FROM sro_evaluations e \
         LEFT JOIN evaluation_inputs i ON i.evaluation_id = e.id \
         WHERE e.agency_id = $1 AND e.school_year = $2 GROUP BY e.person_id",
        agency.to_string(),
        school_year
    )?)
}

/// A candidacy for a post of the agency on a campus of the district.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidacyRow {
    pub person_id: String,
    pub campus_name: String,
    pub volunteered: bool,
    pub decision: String,
    pub decided_at: Option<i64>,
    pub panel_inputs: i64,
}

pub async fn candidacies_in_district<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    district: Id,
) -> StoreResult<Vec<CandidacyRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        CandidacyRow,
        "SELECT c.person_id, k.name AS campus_name, c.volunteered, c.decision, c.decided_at, \
         (SELECT COUNT(*) FROM panel_inputs i WHERE i.candidate_id = c.id) AS panel_inputs \
         FROM sro_candidates c JOIN sro_postings s ON s.id = c.posting_id \
         JOIN campuses k ON k.id = s.campus_id \
         WHERE s.agency_id = $1 AND k.district_id = $2 ORDER BY c.created_at",
        agency.to_string(),
        district.to_string()
    )?)
}

/// A rating a person gave one practice of a program's year.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RatingRow {
    pub id: String,
    pub partnership_id: String,
    pub school_year: i64,
    pub instrument: String,
    pub item: i64,
    pub rating: String,
    pub computed: Option<String>,
    pub note: String,
    pub rated_by: String,
    pub rated_by_name: String,
    pub rated_at: i64,
}

/// The ratings people gave a program's year against one instrument or checklist, newest
/// first.
pub async fn ratings<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
    school_year: i64,
    instrument: &str,
) -> StoreResult<Vec<RatingRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        RatingRow,
        "SELECT id, partnership_id, school_year, instrument, item, rating, computed, note, \
         rated_by, rated_by_name, rated_at FROM assessment_ratings \
         WHERE partnership_id = $1 AND school_year = $2 AND instrument = $3 \
         ORDER BY rated_at DESC, id DESC",
        partnership.to_string(),
        school_year,
        instrument.to_string()
    )?)
}

/// Every rating people gave a program's school years `first..=last`, against any instrument or
/// checklist, newest first: what one assessment page shows, in one read.
pub async fn ratings_in_years<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
    first: i64,
    last: i64,
) -> StoreResult<Vec<RatingRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        RatingRow,
        "SELECT id, partnership_id, school_year, instrument, item, rating, computed, note, \
         rated_by, rated_by_name, rated_at FROM assessment_ratings \
         WHERE partnership_id = $1 AND school_year BETWEEN $2 AND $3 \
         ORDER BY rated_at DESC, id DESC",
        partnership.to_string(),
        first,
        last
    )?)
}

pub async fn insert_rating<'c>(conn: impl Into<Conn<'c>>, r: &RatingRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO assessment_ratings (id, partnership_id, school_year, instrument, item, rating, \
         computed, note, rated_by, rated_by_name, rated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        r.id.clone(),
        r.partnership_id.clone(),
        r.school_year,
        r.instrument.clone(),
        r.item,
        r.rating.clone(),
        r.computed.clone(),
        r.note.clone(),
        r.rated_by.clone(),
        r.rated_by_name.clone(),
        r.rated_at
    )?;
    Ok(())
}

/// A partnership with its two sides' names and the district's clock.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramRow {
    pub partnership_id: String,
    pub agency_id: String,
    pub agency_name: String,
    pub district_id: String,
    pub district_name: String,
    pub time_zone: String,
    pub year_start: String,
    pub started_on: String,
}

/// Every partnership of the instance, by district and agency name.
pub async fn programs<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<ProgramRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        ProgramRow,
        "SELECT p.id AS partnership_id, a.id AS agency_id, a.name AS agency_name, \
         d.id AS district_id, d.name AS district_name, d.time_zone, d.year_start, p.started_on \
         FROM partnerships p JOIN agencies a ON a.id = p.agency_id \
         JOIN districts d ON d.id = p.district_id ORDER BY d.name, a.name"
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatedCount {
    pub partnership_id: String,
    pub school_year: i64,
    pub items: i64,
}

/// How many practices people have rated, per program and school year.
pub async fn rated_counts<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<Vec<RatedCount>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        RatedCount,
        "SELECT partnership_id, school_year, COUNT(DISTINCT item) AS items \
         FROM assessment_ratings WHERE instrument = $1 GROUP BY partnership_id, school_year",
        triad_domain::assessment::SRO_PROGRAM.key()
    )?)
}

/// A district's own practice.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PracticeRow {
    pub id: String,
    pub district_id: String,
    pub number: i64,
    pub short: String,
    pub practice: String,
    /// The instrument's related practices, "1,8,10".
    pub related: String,
    pub added_by: String,
    pub added_at: i64,
    pub retired_at: Option<i64>,
}

const PRACTICE: &str =
    "id, district_id, number, short, practice, related, added_by, added_at, retired_at";

/// Every practice a district added, retired ones too, by number.
pub async fn district_practices<'c>(
    conn: impl Into<Conn<'c>>,
    district: &str,
) -> StoreResult<Vec<PracticeRow>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("SELECT {PRACTICE} FROM district_practices WHERE district_id = $1 ORDER BY number");
    Ok(fetch_all!(&mut c, PracticeRow, &sql, district.to_string())?)
}

pub async fn district_practice<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
) -> StoreResult<Option<PracticeRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {PRACTICE} FROM district_practices WHERE id = $1");
    Ok(fetch_optional!(&mut c, PracticeRow, &sql, id.to_string())?)
}

/// Adds a practice numbered after the district's last: its number, or none when another was
/// numbered the same at the same moment (send again).
pub async fn add_district_practice<'c>(
    conn: impl Into<Conn<'c>>,
    p: &PracticeRow,
) -> StoreResult<Option<i64>> {
    let mut c: Conn = conn.into();
    let added = execute!(
        &mut c,
        "INSERT INTO district_practices (id, district_id, number, short, practice, related, \
         added_by, added_at) \
         SELECT $1, $2, COALESCE(MAX(number), 0) + 1, $3, $4, $5, $6, $7 \
         FROM district_practices WHERE district_id = $2 \
         ON CONFLICT (district_id, number) DO NOTHING",
        p.id.clone(),
        p.district_id.clone(),
        p.short.clone(),
        p.practice.clone(),
        p.related.clone(),
        p.added_by.clone(),
        p.added_at
    )?;
    if added == 0 {
        return Ok(None);
    }
    Ok(Some(fetch_scalar!(
        &mut c,
        i64,
        "SELECT number FROM district_practices WHERE id = $1",
        p.id.clone()
    )?))
}

/// Retires a practice; false when it was already retired.
pub async fn retire_district_practice<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let changed = execute!(
        &mut c,
        "UPDATE district_practices SET retired_at = $2 WHERE id = $1 AND retired_at IS NULL",
        id.to_string(),
        at
    )?;
    Ok(changed == 1)
}
