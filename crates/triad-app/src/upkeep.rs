//! What runs on a schedule (the server each hour, or the operator from the command line):
//! forgetting visitor sign-ins past their retention, and the idempotency keys past theirs.

use crate::change::Change;
use crate::error::AppResult;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Timestamp};
use triad_store::idempotency;
use triad_store::Db;

/// How long visitor sign-ins are kept, in days (setting `visitors.retention_days`).
pub const RETENTION_SETTING: &str = "visitors.retention_days";
/// One school year by default.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;

/// Removes sign-ins older than the retention period, except those linked to an incident.
/// Audited; yields how many went.
pub async fn purge_visitors(db: &Db, now: Timestamp, actor: Option<Id>) -> AppResult<u64> {
    let days = triad_store::settings::get_i64(
        &mut db.acquire().await?,
        RETENTION_SETTING,
        DEFAULT_RETENTION_DAYS,
    )
    .await?;
    let before = now.millis() - days.max(1) * 86_400_000;
    let mut tx = Change::open(db, now).await?;
    let removed = triad_store::visitors::purge_visitors(&mut tx, before).await?;
    let event = AuditEvent::new(actor, "visitor.purge", Outcome::Ok).content(&(before, removed));
    tx.audit(event);
    tx.commit().await?;
    Ok(removed)
}

/// Forgets idempotency keys older than the setting `idempotency.keep_hours` (default 24).
/// Several instances may each run it.
pub async fn purge_expired_keys(db: &Db, now: Timestamp) -> AppResult<u64> {
    let hours = triad_store::settings::get_i64(
        &mut db.acquire().await?,
        idempotency::KEEP_SETTING,
        idempotency::DEFAULT_KEEP_HOURS,
    )
    .await?
    .max(1);
    Ok(idempotency::purge_before(db, now.minus_minutes(hours * 60)).await?)
}

/// Requests to choose a new password older than their hour's limits are of no more use: each
/// was spent, ran out or found no account.
pub async fn forget_old_password_resets(db: &Db, now: Timestamp) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let removed = triad_store::auth::forget_old_resets(&mut tx, now).await?;
    tx.commit().await?;
    Ok(removed)
}

/// Sign-ins sent to an identity provider that never came back (their ten minutes are over):
/// their nonce and PKCE verifier are of no more use to anyone.
pub async fn forget_unfinished_sign_ins(db: &Db, now: Timestamp) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let removed = triad_store::auth::forget_old_sign_ins(&mut tx, now).await?;
    tx.commit().await?;
    Ok(removed)
}

/// How many versions of the log of changed bans are kept: a kept district older than that is
/// read whole (about a minute's worth would do; bans change a few times a day).
pub const BAN_CHANGES_KEPT: i64 = 10_000;

/// Forgets the log of changed bans (migration 0060) but for its newest `keep` versions (the
/// server keeps [`BAN_CHANGES_KEPT`]). Several instances may each run it.
pub async fn forget_old_ban_changes(db: &Db, keep: i64) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let forgotten = triad_store::visitors::forget_old_ban_changes(&mut tx, keep).await?;
    tx.commit().await?;
    Ok(forgotten)
}
