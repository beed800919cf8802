//! Identities at an identity provider (OpenID Connect) linked to accounts, and the sign-ins
//! sent to a provider that have not come back yet.

use super::*;
use crate::{execute, fetch_all, fetch_optional, StoreError};
use triad_domain::{Id, Timestamp};

/// How long a sign-in sent to a provider may take to come back: time to type a password and
/// a code there, not long enough for a link found later in a browser's history to work.
pub const SIGN_IN_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// A sign-in on its way to a provider. `state` and `browser` are the secrets themselves
/// here; only their hashes are kept.
pub struct SentSignIn<'a> {
    pub state: &'a str,
    pub browser: &'a str,
    pub provider: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub next_path: &'a str,
    /// The hash of the session that asked to link an identity (none: signing in).
    pub link_session: Option<&'a str>,
    /// The address the sign-in was asked from.
    pub source: &'a str,
}

/// At most this many sign-ins sent to providers from one address within their lifetime: a
/// school's network shares one address, a script hammering the sign-in start is stopped.
pub const SIGN_INS_PER_SOURCE: i64 = 60;

/// A sign-in back from its provider, as it was sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReturnedSignIn {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub link_session_hash: Option<String>,
}

/// Keeps a sign-in sent to a provider; `false` when its address has sent too many lately
/// (nothing kept). Sign-ins past their lifetime go first.
pub async fn insert_sign_in(
    db: &crate::Db,
    sent: &SentSignIn<'_>,
    now: Timestamp,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    forget_old_sign_ins(&mut tx, now).await?;
    let recent: i64 = crate::fetch_scalar!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM identity_sign_ins WHERE source = $1",
        sent.source.to_string()
    )?;
    if recent >= SIGN_INS_PER_SOURCE {
        return Ok(false);
    }
    execute!(
        &mut tx,
        "INSERT INTO identity_sign_ins (state_hash, browser_hash, provider, nonce, pkce_verifier, \
         next_path, link_session_hash, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        secret_hash(sent.state),
        secret_hash(sent.browser),
        sent.provider.to_string(),
        sent.nonce.to_string(),
        sent.pkce_verifier.to_string(),
        sent.next_path.to_string(),
        sent.link_session.map(str::to_string),
        sent.source.to_string(),
        now.millis()
    )?;
    tx.commit().await?;
    Ok(true)
}

/// Takes a sign-in back, once: only with the browser secret it was sent with and within its
/// lifetime. Of two returns with the same state, one gets it; a replayed state finds nothing.
pub async fn take_sign_in(
    db: &crate::Db,
    state: &str,
    browser: &str,
    now: Timestamp,
) -> StoreResult<Option<ReturnedSignIn>> {
    let mut tx = db.begin().await?;
    let found = fetch_optional!(
        &mut tx,
        ReturnedSignIn,
        "SELECT provider, nonce, pkce_verifier, next_path, link_session_hash FROM identity_sign_ins \
         WHERE state_hash = $1 AND browser_hash = $2 AND created_at > $3",
        secret_hash(state),
        secret_hash(browser),
        now.millis() - SIGN_IN_LIFETIME_MS
    )?;
    if found.is_none() {
        return Ok(None);
    }
    let taken = execute!(
        &mut tx,
        "DELETE FROM identity_sign_ins WHERE state_hash = $1",
        secret_hash(state)
    )?;
    tx.commit().await?;
    Ok(found.filter(|_| taken == 1))
}

/// Sign-ins that never came back are of no more use.
pub async fn forget_old_sign_ins<'c>(
    conn: impl Into<Conn<'c>>,
    now: Timestamp,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    Ok(execute!(
        &mut c,
        "DELETE FROM identity_sign_ins WHERE created_at < $1",
        now.millis() - SIGN_IN_LIFETIME_MS
    )?)
}

/// An identity linked to an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityRow {
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
    pub provider: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub linked_at: i64,
}

/// The account an identity is linked to.
pub async fn identity_account<'c>(
    conn: impl Into<Conn<'c>>,
    issuer: &str,
    subject: &str,
) -> StoreResult<Option<Id>> {
    let mut c: Conn = conn.into();
    let row: Option<(String,)> = fetch_optional!(
        &mut c,
        (String,),
        "SELECT user_id FROM identities WHERE issuer = $1 AND subject = $2",
        issuer.to_string(),
        subject.to_string()
    )?;
    Ok(row.and_then(|(id,)| Id::parse(&id)))
}

/// The identities linked to an account.
pub async fn identities_of<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
) -> StoreResult<Vec<IdentityRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        IdentityRow,
        "SELECT issuer, subject, user_id, provider, email, email_verified, linked_at FROM identities \
         WHERE user_id = $1 ORDER BY linked_at, subject",
        user.to_string()
    )?)
}

/// An identity to link.
pub struct NewIdentity<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub provider: &'a str,
    pub email: Option<&'a str>,
    pub email_verified: bool,
}

/// Links an identity to an account. An identity is linked to one account at most: linking one
/// already linked is a conflict.
pub async fn link_identity(
    tx: &mut crate::Tx,
    identity: &NewIdentity<'_>,
    user: Id,
    now: Timestamp,
) -> StoreResult<()> {
    execute!(
        &mut *tx,
        "INSERT INTO identities (issuer, subject, user_id, provider, email, email_verified, linked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        identity.issuer.to_string(),
        identity.subject.to_string(),
        user.to_string(),
        identity.provider.to_string(),
        identity.email.map(str::to_string),
        identity.email_verified,
        now.millis()
    )
    .map_err(|e| StoreError::from(e).or_conflict("that identity is linked to another account"))?;
    Ok(())
}

/// Moves an identity from one account to another: how many moved (0 or 1).
pub async fn move_identity(
    tx: &mut crate::Tx,
    issuer: &str,
    subject: &str,
    from: Id,
    to: Id,
) -> StoreResult<u64> {
    Ok(execute!(
        &mut *tx,
        "UPDATE identities SET user_id = $1 WHERE issuer = $2 AND subject = $3 AND user_id = $4",
        to.to_string(),
        issuer.to_string(),
        subject.to_string(),
        from.to_string()
    )?)
}

/// Unlinks an identity from an account: how many were (0 or 1).
pub async fn unlink_identity(
    tx: &mut crate::Tx,
    user: Id,
    issuer: &str,
    subject: &str,
) -> StoreResult<u64> {
    Ok(execute!(
        &mut *tx,
        "DELETE FROM identities WHERE user_id = $1 AND issuer = $2 AND subject = $3",
        user.to_string(),
        issuer.to_string(),
        subject.to_string()
    )?)
}

/// Notes that the provider vouched for a second factor at this session's sign-in.
pub async fn note_second_factor_by_provider(
    tx: &mut crate::Tx,
    token_hash: &str,
) -> StoreResult<()> {
    execute!(
        &mut *tx,
        "UPDATE sessions SET second_factor_by_provider = TRUE WHERE token_hash = $1",
        token_hash.to_string()
    )?;
    Ok(())
}

/// The account a district's roster made for the person with this address, when it is the one
/// enabled account with the address, still on the roster, holding only roles that roster gave,
/// without a password and without a linked identity: the account a first sign-in through the district's provider may take
/// (see docs/sign-in.md, `roster_accounts`). Accounts made by hand are never found here, and
/// an address two accounts share finds none.
pub async fn unclaimed_roster_account<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    email: &str,
) -> StoreResult<Option<Id>> {
    let mut c: Conn = conn.into();
    let found: Vec<(String,)> = fetch_all!(
        &mut c,
        (String,),
        "SELECT u.id FROM roster_people r JOIN users u ON u.id = r.user_id \
         JOIN people p ON p.id = u.person_id \
         WHERE r.district_id = $1 AND r.removed_at IS NULL AND NOT u.disabled \
         AND u.password_hash = '' AND LOWER(p.email) = $2 \
         AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id) \
         AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id AND \
           (g.given_by_roster = FALSE OR g.district_id IS NULL OR g.district_id <> $1)) \
         AND NOT EXISTS (SELECT 1 FROM users o JOIN people q ON q.id = o.person_id \
           WHERE LOWER(q.email) = $2 AND o.id <> u.id AND NOT o.disabled) LIMIT 2",
        district.to_string(),
        email.to_lowercase()
    )?;
    Ok(match found.as_slice() {
        [(id,)] => Id::parse(id),
        _ => None,
    })
}
