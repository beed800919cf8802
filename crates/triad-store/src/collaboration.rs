//! What the collaboration metrics read beyond meetings: the minutes an agency's officers
//! logged in each triad role on each campus, their joint trainings, and the action items open
//! on each campus at an instant.

use crate::{fetch_all, Conn, StoreResult};
use triad_domain::Id;

/// Minutes an agency's officers logged on a campus in a triad role on a day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayMinutes {
    pub campus: String,
    pub role: String,
    /// YYYY-MM-DD, the district's day.
    pub day: String,
    pub minutes: i64,
}

/// Minutes logged (not undone) by the agency's officers on the district's campuses in a
/// school year, by campus, triad role and day: one read of the year serves all its terms.
pub async fn role_minutes_by_day<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    district: Id,
    school_year: i64,
) -> StoreResult<Vec<DayMinutes>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        DayMinutes,
        "SELECT campus_id AS campus, triad_role AS role, local_date AS day, \
         CAST(SUM(minutes) AS BIGINT) AS minutes FROM activities \
         WHERE district_id = $1 AND school_year = $2 AND agency_id = $3 AND voided_at IS NULL \
         GROUP BY campus_id, triad_role, local_date ORDER BY local_date",
        district.to_string(),
        school_year,
        agency.to_string()
    )?)
}

/// A joint training (an officer with a school administrator) an agency's officer completed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JointTraining {
    pub person_id: String,
    /// YYYY-MM-DD
    pub completed_on: String,
}

/// The joint trainings the agency's officers completed from `first` to `last` (YYYY-MM-DD).
pub async fn joint_trainings<'c>(
    conn: impl Into<Conn<'c>>,
    agency: Id,
    first: &str,
    last: &str,
) -> StoreResult<Vec<JointTraining>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        JointTraining,
        "SELECT person_id, completed_on FROM training_records \
         WHERE agency_id = $1 AND joint AND completed_on >= $2 AND completed_on <= $3 \
         ORDER BY completed_on",
        agency.to_string(),
        first.to_string(),
        last.to_string()
    )?)
}

/// The action items of the district's campuses that were open at `at` (epoch ms): created by
/// then and not closed until after: (campus, items).
pub async fn open_items_at<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    at: i64,
) -> StoreResult<Vec<(String, i64)>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        (String, i64),
        "SELECT campus_id, COUNT(*) FROM action_items \
         WHERE campus_id IN (SELECT id FROM campuses WHERE district_id = $1) \
         AND created_at <= $2 AND (status = 'open' OR updated_at > $2) \
         GROUP BY campus_id ORDER BY campus_id",
        district.to_string(),
        at
    )?)
}
