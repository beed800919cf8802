//! What the Civil Rights Data Collection counts read: a district's incidents of a school year
//! that law enforcement touched, its officers' arrest entries, the SRO assignments and the
//! SSO posts of its campuses.

use crate::{fetch_all, Conn, StoreResult};
use triad_domain::Id;

/// An incident of the year that is a law-enforcement matter or has an arrest recorded, with
/// whether it names a student.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CountedIncidentRow {
    pub id: String,
    pub campus_id: String,
    pub occurred_at: i64,
    pub classification: String,
    pub names_student: bool,
    pub arrest_recorded: bool,
}

pub async fn incidents<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<CountedIncidentRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        CountedIncidentRow,
        "SELECT i.id, i.campus_id, i.occurred_at, i.classification, \
           EXISTS (SELECT 1 FROM incident_people p WHERE p.incident_id = i.id AND p.kind = 'student') \
             AS names_student, \
           EXISTS (SELECT 1 FROM incident_le_details d WHERE d.incident_id = i.id AND d.kind = 'arrest') \
             AS arrest_recorded \
         FROM incidents i WHERE i.district_id = $1 AND i.school_year = $2 \
         AND (i.classification IN ('law_enforcement', 'both') \
           OR EXISTS (SELECT 1 FROM incident_le_details d WHERE d.incident_id = i.id AND d.kind = 'arrest')) \
         ORDER BY i.occurred_at, i.id",
        district.to_string(),
        school_year
    )?)
}

/// How many arrest entries officers logged on each campus of the district in the year (not
/// undone): (campus, entries).
pub async fn arrest_entries<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<(String, i64)>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        (String, i64),
        "SELECT campus_id, COUNT(*) FROM activities WHERE district_id = $1 AND school_year = $2 \
         AND category = 'arrest' AND voided_at IS NULL GROUP BY campus_id ORDER BY campus_id",
        district.to_string(),
        school_year
    )?)
}

/// Every assignment, in any district, of the officers assigned in this district between
/// `first` and `last` (YYYY-MM-DD), overlapping those days: (person, campus, starts, ends).
pub async fn assignments<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    first: &str,
    last: &str,
) -> StoreResult<Vec<(String, String, String, Option<String>)>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        (String, String, String, Option<String>),
        "SELECT a.person_id, a.campus_id, a.starts_on, a.ends_on FROM assignments a \
         WHERE a.starts_on <= $2 AND (a.ends_on IS NULL OR a.ends_on >= $3) \
         AND a.person_id IN (SELECT b.person_id FROM assignments b WHERE b.district_id = $1 \
           AND b.starts_on <= $2 AND (b.ends_on IS NULL OR b.ends_on >= $3)) \
         ORDER BY a.person_id, a.starts_on",
        district.to_string(),
        last.to_string(),
        first.to_string()
    )?)
}

/// Every campus post of the school safety officers who hold one in this district, in any
/// district: (user, campus).
pub async fn safety_officer_posts<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<(String, String)>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        (String, String),
        "SELECT g.user_id, g.campus_id FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.role = 'sso' AND g.campus_id IS NOT NULL AND NOT u.disabled \
         AND g.user_id IN (SELECT h.user_id FROM grants h WHERE h.role = 'sso' AND h.district_id = $1) \
         ORDER BY g.user_id, g.campus_id",
        district.to_string()
    )?)
}
