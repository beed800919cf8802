//! Jobs: long work a request hands over (a large import), run by one instance at a time.
//!
//! An instance takes a job by writing its name and a lease into the row; it renews the lease
//! as the work goes on. A job whose lease ran out (its instance stopped) is taken again by
//! the next instance that looks. Only work that is idempotent runs as a job.

use crate::{execute, fetch_all, fetch_optional, Conn, StoreResult};
use serde::Serialize;
use triad_domain::Id;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub actor_id: String,
    pub input_key: String,
    pub options: String,
    pub state: String,
    pub done: i64,
    pub total: i64,
    pub report: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "id, kind, actor_id, input_key, options, state, done, total, report, \
                       error, attempts, lease_owner, lease_until, created_at, started_at, finished_at";

/// Waiting to be taken.
pub const QUEUED: &str = "queued";
/// Taken by an instance (see `lease_owner`, `lease_until`).
pub const RUNNING: &str = "running";
/// Ended with its report.
pub const DONE: &str = "done";
/// Ended without finishing, with the reason.
pub const FAILED: &str = "failed";

pub async fn insert<'c>(conn: impl Into<Conn<'c>>, job: &JobRow) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let sql = format!(
        "INSERT INTO jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    execute!(
        &mut c,
        &sql,
        job.id.clone(),
        job.kind.clone(),
        job.actor_id.clone(),
        job.input_key.clone(),
        job.options.clone(),
        job.state.clone(),
        job.done,
        job.total,
        job.report.clone(),
        job.error.clone(),
        job.attempts,
        job.lease_owner.clone(),
        job.lease_until,
        job.created_at,
        job.started_at,
        job.finished_at
    )?;
    Ok(())
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<JobRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    Ok(fetch_optional!(&mut c, JobRow, &sql, id.to_string())?)
}

/// Takes the oldest job waiting, or one whose lease ran out, for `owner` until `lease_until`.
/// Inside a write transaction: two instances never take the same job.
pub async fn take_next<'c>(
    conn: impl Into<Conn<'c>>,
    owner: &str,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<JobRow>> {
    let mut c: Conn = conn.into();
    let waiting = fetch_all!(
        &mut c,
        JobRow,
        &format!(
            "SELECT {COLUMNS} FROM jobs WHERE state = 'queued' OR (state = 'running' AND lease_until < $1) \
             ORDER BY created_at, id LIMIT 1"
        ),
        now
    )?;
    let Some(job) = waiting.into_iter().next() else {
        return Ok(None);
    };
    let taken = execute!(
        &mut c,
        "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, \
         started_at = COALESCE(started_at, $3) \
         WHERE id = $4 AND (state = 'queued' OR (state = 'running' AND lease_until < $3))",
        owner.to_string(),
        lease_until,
        now,
        job.id.clone()
    )?;
    if taken == 0 {
        return Ok(None);
    }
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
    Ok(fetch_optional!(&mut c, JobRow, &sql, job.id)?)
}

/// Notes how far a job got and renews its lease. False when the job is no longer `owner`'s
/// (its lease ran out and another instance took it): the work stops.
pub async fn progress<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    owner: &str,
    (done, total): (i64, i64),
    lease_until: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE jobs SET done = $1, total = $2, lease_until = $3 \
         WHERE id = $4 AND lease_owner = $5 AND state = 'running'",
        done,
        total,
        lease_until,
        id.to_string(),
        owner.to_string()
    )?;
    Ok(n == 1)
}

/// Ends `owner`'s job with its report (`DONE`) or the reason it could not finish (`FAILED`).
pub async fn finish<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    owner: &str,
    state: &str,
    report: Option<String>,
    error: Option<String>,
    now: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE jobs SET state = $1, report = $2, error = $3, finished_at = $4, lease_owner = NULL, \
         lease_until = NULL WHERE id = $5 AND lease_owner = $6 AND state = 'running'",
        state.to_string(),
        report,
        error,
        now,
        id.to_string(),
        owner.to_string()
    )?;
    Ok(n == 1)
}
