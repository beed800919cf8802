//! A partnership's grants and their continuation plans.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct GrantRow {
    pub id: String,
    pub partnership_id: String,
    pub covers: String,
    pub funder: String,
    pub amount_cents: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub plan: Option<String>,
    pub plan_by: Option<String>,
    pub plan_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

const COLUMNS: &str = "id, partnership_id, covers, funder, amount_cents, starts_on, ends_on, \
                       plan, plan_by, plan_at, created_by, created_at";

/// A partnership's grants, the soonest ending first.
pub async fn of_partnership<'c>(
    conn: impl Into<Conn<'c>>,
    partnership: Id,
) -> StoreResult<Vec<GrantRow>> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "SELECT {COLUMNS} FROM funding_grants WHERE partnership_id = $1 ORDER BY ends_on, created_at"
    );
    Ok(fetch_all!(&mut c, GrantRow, &sql, partnership.to_string())?)
}

pub async fn grant<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<GrantRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM funding_grants WHERE id = $1");
    Ok(fetch_optional!(&mut c, GrantRow, &sql, id.to_string())?)
}

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, g: &GrantRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO funding_grants (id, partnership_id, covers, funder, amount_cents, starts_on, ends_on, \
         plan, plan_by, plan_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, $8, $9)",
        g.id.clone(),
        g.partnership_id.clone(),
        g.covers.clone(),
        g.funder.clone(),
        g.amount_cents,
        g.starts_on.clone(),
        g.ends_on.clone(),
        g.created_by.clone(),
        g.created_at
    )?;
    Ok(())
}

/// Records (or rewrites) a grant's continuation plan.
pub async fn set_plan<'c>(
    conn: impl Into<Conn<'c>>,
    grant: Id,
    plan: &str,
    by: Id,
    at: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE funding_grants SET plan = $1, plan_by = $2, plan_at = $3 WHERE id = $4",
        plan.to_string(),
        by.to_string(),
        at,
        grant.to_string()
    )?;
    Ok(n == 1)
}

/// Corrects a grant's terms (what it pays for, funder, amount, days).
pub async fn correct<'c>(conn: impl Into<Conn<'c>>, g: &GrantRow) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE funding_grants SET covers = $1, funder = $2, amount_cents = $3, starts_on = $4, \
         ends_on = $5 WHERE id = $6",
        g.covers.clone(),
        g.funder.clone(),
        g.amount_cents,
        g.starts_on.clone(),
        g.ends_on.clone(),
        g.id.clone()
    )?;
    Ok(n == 1)
}
