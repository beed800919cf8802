//! A district's community resource directory and the referrals made to it.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResourceRow {
    pub id: String,
    pub district_id: String,
    pub name: String,
    pub category: String,
    pub contact: String,
    pub hours: Option<String>,
    pub languages: Option<String>,
    pub eligibility: Option<String>,
    pub verified_on: String,
    pub verified_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, district_id, name, category, contact, hours, languages, eligibility, \
                       verified_on, verified_by, created_at, updated_at";

/// A district's directory, by category and name.
pub async fn of_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
) -> StoreResult<Vec<ResourceRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM community_resources WHERE district_id = $1 AND retired_at IS NULL \
         ORDER BY category, name, id"
    );
    Ok(fetch_all!(&mut c, ResourceRow, &sql, district.to_string())?)
}

pub async fn resource<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<ResourceRow>> {
    let mut c: Conn = conn.into();
    let sql =
        format!("SELECT {COLUMNS} FROM community_resources WHERE id = $1 AND retired_at IS NULL");
    Ok(fetch_optional!(&mut c, ResourceRow, &sql, id.to_string())?)
}

/// An entry whether or not it was retired (to retire it once, and answer a second time).
pub async fn resource_even_retired<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
) -> StoreResult<Option<ResourceRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM community_resources WHERE id = $1");
    Ok(fetch_optional!(&mut c, ResourceRow, &sql, id.to_string())?)
}

/// Writes an entry: a new one, or every field of an existing one.
pub async fn put<'c>(conn: impl Into<Conn<'c>>, r: &ResourceRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let updated = execute!(
        &mut c,
        "UPDATE community_resources SET name = $1, category = $2, contact = $3, hours = $4, \
         languages = $5, eligibility = $6, verified_on = $7, verified_by = $8, updated_at = $9 \
         WHERE id = $10",
        r.name.clone(),
        r.category.clone(),
        r.contact.clone(),
        r.hours.clone(),
        r.languages.clone(),
        r.eligibility.clone(),
        r.verified_on.clone(),
        r.verified_by.clone(),
        r.updated_at,
        r.id.clone()
    )?;
    if updated == 0 {
        execute!(
            &mut c,
            "INSERT INTO community_resources (id, district_id, name, category, contact, hours, \
             languages, eligibility, verified_on, verified_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            r.id.clone(),
            r.district_id.clone(),
            r.name.clone(),
            r.category.clone(),
            r.contact.clone(),
            r.hours.clone(),
            r.languages.clone(),
            r.eligibility.clone(),
            r.verified_on.clone(),
            r.verified_by.clone(),
            r.created_at,
            r.updated_at
        )?;
    }
    Ok(())
}

/// Takes a service that closed off the directory (it stays in the records, with its referrals).
pub async fn retire<'c>(conn: impl Into<Conn<'c>>, id: Id, by: Id, at: i64) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE community_resources SET retired_at = $1, retired_by = $2 WHERE id = $3 AND retired_at IS NULL",
        at,
        by.to_string(),
        id.to_string()
    )?;
    Ok(n == 1)
}

/// Marks an entry checked on a day, by someone.
pub async fn verify<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    on: &str,
    by: Id,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE community_resources SET verified_on = $1, verified_by = $2, updated_at = $3 WHERE id = $4",
        on.to_string(),
        by.to_string(),
        at,
        id.to_string()
    )?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReferralRow {
    pub id: String,
    pub resource_id: String,
    pub district_id: String,
    pub campus_id: String,
    pub author_id: String,
    pub referred_on: String,
    pub people: i64,
    pub case_reference: Option<String>,
    pub created_at: i64,
}

pub async fn insert_referral<'c>(conn: impl Into<Conn<'c>>, r: &ReferralRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO referrals (id, resource_id, district_id, campus_id, author_id, referred_on, \
         people, case_reference, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        r.id.clone(),
        r.resource_id.clone(),
        r.district_id.clone(),
        r.campus_id.clone(),
        r.author_id.clone(),
        r.referred_on.clone(),
        r.people,
        r.case_reference.clone(),
        r.created_at
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReferralCount {
    pub resource_id: String,
    pub referrals: i64,
    pub people: i64,
}

/// How many referrals, and people, each of a district's services received since a day.
pub async fn counts_since<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    since: &str,
) -> StoreResult<Vec<ReferralCount>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        ReferralCount,
        "SELECT resource_id, COUNT(*) AS referrals, CAST(SUM(people) AS BIGINT) AS people FROM referrals \
         WHERE district_id = $1 AND referred_on >= $2 GROUP BY resource_id",
        district.to_string(),
        since.to_string()
    )?)
}

/// One person's referrals in a district, the latest first.
pub async fn referrals_by<'c>(
    conn: impl Into<Conn<'c>>,
    author: Id,
    district: Id,
    limit: i64,
) -> StoreResult<Vec<ReferralRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        ReferralRow,
        "SELECT id, resource_id, district_id, campus_id, author_id, referred_on, people, \
         case_reference, created_at FROM referrals WHERE author_id = $1 AND district_id = $2 \
         ORDER BY referred_on DESC, created_at DESC LIMIT $3",
        author.to_string(),
        district.to_string(),
        limit
    )?)
}
