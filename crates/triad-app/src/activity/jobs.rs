//! A spreadsheet sent from the web is imported as a job, so the request never outlasts the
//! work. The request checks the file's header, stores the file and queues the job, in one
//! commit with its idempotency key (a retry with the same key names the same job); then it
//! waits a few seconds for the job and answers with the report, or with the job's page
//! (progress, then the report) when the file is long.
//!
//! Every instance runs a loop that takes waiting jobs one at a time under a lease it renews
//! after each batch of rows (see [`triad_store::jobs`]): one instance runs a job, and a job
//! whose instance stopped is taken up again when its lease runs out. Running an import again
//! is safe: a row is known by its file and line, so the second run adds only what the first
//! did not, and its report says how many were there already.

use super::import::{self, ImportInput};
use crate::activity_import::{self as importer, ImportReport, Importer, Progress};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::App;
use serde::Serialize;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Invalid};
use triad_store::jobs::{self as store, JobRow};

/// The kind of job an activity import is.
const KIND: &str = "activity_import";
/// How long a lease lasts; renewed after every batch of rows (a batch takes well under this).
const LEASE: Duration = Duration::from_secs(60);
/// How often an idle instance looks for jobs another instance queued or left behind.
const LOOK_EVERY: Duration = Duration::from_secs(5);

/// What the instance's job loop and the requests waiting for a job tell each other.
pub struct Jobs {
    /// A job was queued here: look now rather than at the next round.
    queued: Notify,
    /// A job ended here (its id).
    ended: broadcast::Sender<String>,
    /// This instance's name on the leases it holds.
    owner: String,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            queued: Notify::new(),
            ended: broadcast::channel(64).0,
            owner: format!("instance-{}", Id::random()),
        }
    }
}

/// A job as its page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: String,
    /// queued, running, done or failed.
    pub state: String,
    /// Rows saved so far, of `total` (0 until the file has been read).
    pub done: i64,
    pub total: i64,
    /// The import's report, once done.
    pub report: Option<ImportReport>,
    /// Why it could not finish, when failed.
    pub error: Option<String>,
}

impl JobView {
    fn of(job: &JobRow) -> Self {
        Self {
            id: job.id.clone(),
            state: job.state.clone(),
            done: job.done,
            total: job.total,
            report: job
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            error: job.error.clone(),
        }
    }

    pub fn ended(&self) -> bool {
        self.state == store::DONE || self.state == store::FAILED
    }
}

/// Queues the import of a file sent from the web, in the sender's name, and waits up to
/// `answer_within` for it to end.
pub async fn start(
    ctx: &Ctx,
    input: ImportInput,
    file: Option<bytes::Bytes>,
    answer_within: Duration,
) -> AppResult<JobView> {
    import::may_import(ctx).await?;
    let bytes = file.ok_or_else(|| Invalid::one("file", "choose the CSV file to import"))?;
    let map = input.mapping();
    importer::check(&bytes, &map)?;
    let files = &ctx.app.instance.files;
    let input_key = files.put("imports", "csv", bytes.to_vec()).await?;
    let job = JobRow {
        id: Id::new().to_string(),
        kind: KIND.into(),
        actor_id: ctx.actor.user.to_string(),
        input_key: input_key.clone(),
        options: serde_json::json!({ "map": map }).to_string(),
        state: store::QUEUED.into(),
        done: 0,
        total: 0,
        report: None,
        error: None,
        attempts: 0,
        lease_owner: None,
        lease_until: None,
        created_at: ctx.now.millis(),
        started_at: None,
        finished_at: None,
    };
    let queued = async {
        let mut tx = ctx.app.db.begin().await?;
        store::insert(&mut tx, &job).await?;
        let event = ctx
            .event("activity.import.queued", Outcome::Ok)
            .record("import_job", &job.id);
        triad_store::audit::append(&mut tx, event, ctx.now).await?;
        tx.commit().await
    };
    if let Err(e) = queued.await {
        files.discard(&[input_key]).await;
        return Err(e.into());
    }
    let mut ended = ctx.app.jobs.ended.subscribe();
    ctx.app.jobs.queued.notify_one();
    let _ = tokio::time::timeout(answer_within, async {
        while let Ok(id) = ended.recv().await {
            if id == job.id {
                break;
            }
        }
    })
    .await;
    let now = store::get(&mut ctx.app.db.acquire().await?, id_of(&job.id)?).await?;
    Ok(JobView::of(now.as_ref().unwrap_or(&job)))
}

fn id_of(text: &str) -> AppResult<Id> {
    Id::parse(text).ok_or(AppError::NotFound)
}

/// A job of the actor's own; anyone else's is not found (and the try is on the audit trail).
pub async fn job(ctx: &Ctx, id: &str) -> AppResult<JobView> {
    let job = store::get(&mut ctx.app.db.acquire().await?, id_of(id)?).await?;
    match job {
        Some(job) if job.actor_id == ctx.actor.user.to_string() => Ok(JobView::of(&job)),
        _ => Err(
            match ctx.deny("not your import", ("import_job", id)).await {
                AppError::Forbidden(_) => AppError::NotFound,
                other => other,
            },
        ),
    }
}

/// The instance's job loop: takes the jobs waiting (queued here or elsewhere, or left by an
/// instance that stopped) one at a time, until the server stops.
pub async fn run(state: App) {
    loop {
        match take_next(&state).await {
            Ok(Some(job)) => {
                let id = job.id.clone();
                run_one(&state, job).await;
                let _ = state.jobs.ended.send(id);
            }
            Ok(None) => {
                let _ = tokio::time::timeout(LOOK_EVERY, state.jobs.queued.notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "jobs: could not look for work");
                tokio::time::sleep(LOOK_EVERY).await;
            }
        }
    }
}

fn lease_end(state: &App) -> i64 {
    state.now().millis() + i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX)
}

async fn take_next(state: &App) -> triad_store::StoreResult<Option<JobRow>> {
    let mut tx = state.db.begin_unkeyed().await?;
    let job = store::take_next(
        &mut tx,
        &state.jobs.owner,
        state.now().millis(),
        lease_end(state),
    )
    .await?;
    tx.commit().await?;
    Ok(job)
}

/// Renews the job's lease after each batch, and notes how far it got.
struct Lease<'a> {
    state: &'a App,
    job: &'a str,
}

impl Progress for Lease<'_> {
    async fn step(&mut self, done: usize, total: usize) -> crate::AppResult<bool> {
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let mut tx = self.state.db.begin_unkeyed().await?;
        let ours = store::progress(
            &mut tx,
            self.job,
            &self.state.jobs.owner,
            (count(done), count(total)),
            lease_end(self.state),
        )
        .await?;
        tx.commit().await?;
        Ok(ours)
    }
}

async fn run_one(state: &App, job: JobRow) {
    let outcome = import_for(state, &job).await;
    // A job another instance took over is not ours to end: `finish` then changes nothing.
    let (how, report, error) = match outcome {
        Ok(report) => (
            store::DONE,
            serde_json::to_string(&report).ok(),
            None::<String>,
        ),
        Err(e) => {
            if let AppError::Internal(detail) = &e {
                tracing::error!(%detail, job = %job.id, "an import job failed");
            }
            (store::FAILED, None, Some(e.to_string()))
        }
    };
    let ended = async {
        let mut tx = state.db.begin_unkeyed().await?;
        let event = AuditEvent::new(
            Id::parse(&job.actor_id),
            "activity.import.ended",
            if how == store::DONE {
                Outcome::Ok
            } else {
                Outcome::Failed
            },
        )
        .record("import_job", &job.id);
        let ours = store::finish(
            &mut tx,
            &job.id,
            &state.jobs.owner,
            how,
            report,
            error,
            state.now().millis(),
        )
        .await?;
        if ours {
            triad_store::audit::append(&mut tx, event, state.now()).await?;
        }
        tx.commit().await?;
        triad_store::StoreResult::Ok(ours)
    };
    match ended.await {
        Ok(true) => state.instance.files.discard(&[job.input_key]).await,
        Ok(false) => {}
        // Left running: its lease runs out and the job is taken up again.
        Err(e) => {
            tracing::warn!(error = %e, job = %job.id, "an import job's end could not be written")
        }
    }
}

/// Runs the import a job holds, as its sender (with the roles they hold now).
async fn import_for(state: &App, job: &JobRow) -> AppResult<ImportReport> {
    let gone = || {
        AppError::Invalid(Invalid::one(
            "file",
            "the person who sent this import can no longer import",
        ))
    };
    let user_id = id_of(&job.actor_id)?;
    let mut conn = state.db.acquire().await?;
    let user = triad_store::auth::user_by_id(&mut conn, user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(gone)?;
    let today = crate::context::today(state.now());
    let actor = triad_store::auth::load_actor(&mut conn, &user, &today).await?;
    drop(conn);
    let bytes = state.instance.files.get(&job.input_key).await?;
    let map: Vec<String> = serde_json::from_str::<serde_json::Value>(&job.options)
        .ok()
        .and_then(|o| serde_json::from_value(o["map"].clone()).ok())
        .unwrap_or_default();
    let mut lease = Lease {
        state,
        job: &job.id,
    };
    importer::import_followed(
        &state.db,
        &bytes,
        &map,
        Importer::Web(&actor),
        state.now(),
        &mut lease,
    )
    .await
}
