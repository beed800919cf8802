//! Choosing a new password by email: every request kept an hour for its limits, and the
//! single-use secret a request's link carries when it found an account.

use super::*;
use crate::{execute, fetch_optional};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::{Id, Timestamp};

/// How long a reset link works.
pub const RESET_LIFETIME_MS: i64 = 30 * 60 * 1000;
/// The window the limits below count requests in.
pub const RESET_WINDOW_MS: i64 = 60 * 60 * 1000;
/// At most this many links an hour to one email address, to one account, and asked from one
/// network address: enough for a person who lost an email, too few to flood a mailbox.
pub const RESETS_PER_ADDRESS: i64 = 3;
pub const RESETS_PER_ACCOUNT: i64 = 3;
pub const RESETS_PER_SOURCE: i64 = 10;

/// An email address as the limits know it: its hash, without case.
pub fn address_hash(email: &str) -> String {
    secret_hash(&email.trim().to_lowercase())
}

/// Whether another link may be sent now: to this address, from this network address, and (when
/// it is known) to this account.
pub async fn reset_allowed<'c>(
    conn: impl Into<Conn<'c>>,
    address: &str,
    source: &str,
    user: Option<Id>,
    now: Timestamp,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let since = now.millis() - RESET_WINDOW_MS;
    let counts: Option<(i64, i64, i64)> = fetch_optional!(
        &mut c,
        (i64, i64, i64),
        "SELECT \
           (SELECT COUNT(*) FROM password_resets WHERE address_hash = $1 AND requested_at >= $4), \
           (SELECT COUNT(*) FROM password_resets WHERE source = $2 AND requested_at >= $4), \
           (SELECT COUNT(*) FROM password_resets WHERE user_id = $3 AND requested_at >= $4)",
        address.to_string(),
        source.to_string(),
        user.map(|u| u.to_string()),
        since
    )?;
    let (by_address, by_source, by_user) = counts.unwrap_or_default();
    Ok(by_address < RESETS_PER_ADDRESS
        && by_source < RESETS_PER_SOURCE
        && by_user < RESETS_PER_ACCOUNT)
}

/// Keeps a request: with `user`, it makes a link's secret (returned this once, kept hashed);
/// without, it only counts toward the limits.
pub async fn record_reset_request(
    db: &crate::Db,
    address: &str,
    source: &str,
    user: Option<Id>,
    now: Timestamp,
) -> StoreResult<Option<String>> {
    let secret = user.map(|_| new_secret("triad_reset_"));
    let mut tx = db.begin().await?;
    execute!(
        &mut tx,
        "INSERT INTO password_resets (id, address_hash, user_id, secret_hash, source, requested_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Id::new().to_string(),
        address.to_string(),
        user.map(|u| u.to_string()),
        secret.as_deref().map(secret_hash),
        source.to_string(),
        now.millis(),
        now.millis() + RESET_LIFETIME_MS
    )?;
    if let Some(user) = user {
        let event = AuditEvent::new(None, "auth.password_reset.sent", Outcome::Ok)
            .record("user", user)
            .source(Some(source.to_string()));
        crate::audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(secret)
}

/// The account a link's secret may still set a password for: not used, not past its 30
/// minutes, its account not disabled.
pub async fn reset_holder<'c>(
    conn: impl Into<Conn<'c>>,
    secret: &str,
    now: Timestamp,
) -> StoreResult<Option<UserRow>> {
    let mut c: Conn = conn.into();
    let user: Option<(String,)> = fetch_optional!(
        &mut c,
        (String,),
        "SELECT user_id FROM password_resets WHERE secret_hash = $1 AND user_id IS NOT NULL \
         AND used_at IS NULL AND expires_at > $2",
        secret_hash(secret),
        now.millis()
    )?;
    let Some(id) = user.and_then(|(id,)| Id::parse(&id)) else {
        return Ok(None);
    };
    Ok(user_by_id(&mut c, id).await?.filter(|u| !u.disabled))
}

/// Sets the password a link was sent for, once: the link and every other link of the account
/// are spent, and every session of the account ends. `None`: the link was used, or ran out,
/// meanwhile (nothing changed).
pub async fn reset_password(
    db: &crate::Db,
    secret: &str,
    password: String,
    source: &str,
    now: Timestamp,
) -> StoreResult<Option<Id>> {
    let Some(user) = reset_holder(&mut db.acquire().await?, secret, now).await? else {
        return Ok(None);
    };
    triad_domain::auth::check_new_password(
        &password,
        &[user.username.as_str(), user.display_name.as_str()],
    )?;
    let hash = hash_password(password).await?;
    let id = user.user_id();
    let mut tx = db.begin().await?;
    // Spent only if still good: of two uses at once, one sets the password.
    let spent = execute!(
        &mut tx,
        "UPDATE password_resets SET used_at = $1 WHERE secret_hash = $2 AND used_at IS NULL \
         AND expires_at > $1",
        now.millis(),
        secret_hash(secret)
    )?;
    if spent != 1 {
        return Ok(None);
    }
    execute!(
        &mut tx,
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        now.millis(),
        id.to_string()
    )?;
    let by = ChangedBy {
        actor: Some(id),
        source: Some(source.to_string()),
        now,
    };
    replace_password(&mut tx, id, &hash, &by, "auth.password_reset.used").await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Spent links past the window are of no more use to the limits.
pub async fn forget_old_resets<'c>(conn: impl Into<Conn<'c>>, now: Timestamp) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "DELETE FROM password_resets WHERE requested_at < $1",
        now.millis() - RESET_WINDOW_MS
    )?)
}
