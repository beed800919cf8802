//! Accounts, role grants, sessions, personal access tokens and the record of failed sign-ins.

use crate::paging::{after_cursor, Order, Page};
use crate::{execute, fetch_all, fetch_optional, fetch_scalar, Conn, StoreError, StoreResult};
use rand::RngCore;
use sha2::{Digest, Sha256};
use triad_domain::auth::{Actor, Assignment, Grant, Partnership, Role, Scope};
use triad_domain::{Id, Timestamp};

pub use crate::passwords::{hash_password, spend_verification_time, verify_password};

/// A fresh secret of 256 random bits, URL-safe, with a prefix that says what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    use base64::Engine;
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Secrets are stored only as their SHA-256: a stolen database yields no usable session.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub person_id: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub created_at: i64,
}

impl UserRow {
    pub fn user_id(&self) -> Id {
        Id::parse(&self.id).unwrap_or_else(|| Id::from_parts("unparseable", 0))
    }
}

const USER_COLUMNS: &str = "id, username, person_id, display_name, password_hash, disabled, \
                            totp_secret, totp_enabled, created_at";

pub struct NewUser<'a> {
    pub id: Id,
    pub username: &'a str,
    pub display_name: &'a str,
    pub person: Option<Id>,
    pub password_hash: &'a str,
}

pub async fn insert_user<'c>(
    conn: impl Into<Conn<'c>>,
    user: &NewUser<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO users (id, username, person_id, display_name, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, FALSE, $6)",
        user.id.to_string(),
        user.username.to_string(),
        user.person.map(|p| p.to_string()),
        user.display_name.to_string(),
        user.password_hash.to_string(),
        now.millis(),
    )
    .map_err(|e| StoreError::from(e).or_conflict("that user name is taken"))?;
    Ok(())
}

pub async fn user_by_name<'c>(
    conn: impl Into<Conn<'c>>,
    username: &str,
) -> StoreResult<Option<UserRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    Ok(fetch_optional!(
        &mut c,
        UserRow,
        &sql,
        username.to_string()
    )?)
}

pub async fn user_by_id<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<UserRow>> {
    let mut c: Conn = conn.into();
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(fetch_optional!(&mut c, UserRow, &sql, id.to_string())?)
}

/// A page of the accounts, by user name.
pub async fn list_users<'c>(conn: impl Into<Conn<'c>>, page: Page) -> StoreResult<Vec<UserRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        "$2",
        "users",
        "",
        &["username", "id"],
        Order::Ascending,
        "1 = 1",
    );
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users WHERE {after} ORDER BY username, id LIMIT $1");
    Ok(fetch_all!(
        &mut c,
        UserRow,
        &sql,
        page.limit,
        page.cursor()
    )?)
}

/// How many accounts there are.
pub async fn count_users<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(&mut c, i64, "SELECT COUNT(*) FROM users")?)
}

pub async fn set_password<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    password_hash: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        password_hash.to_string(),
        user.to_string()
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Disables or re-enables an account; disabling ends every session and token at once.
pub async fn set_disabled<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    disabled: bool,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE users SET disabled = $1 WHERE id = $2",
        disabled,
        user.to_string()
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if disabled {
        execute!(
            &mut c,
            "DELETE FROM sessions WHERE user_id = $1",
            user.to_string()
        )?;
        execute!(
            &mut c,
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            now.millis(),
            user.to_string()
        )?;
    }
    Ok(())
}

fn scope_key(scope: Scope) -> String {
    match scope {
        Scope::Instance => "instance".into(),
        Scope::Agency { agency } => format!("agency:{agency}"),
        Scope::District { district } => format!("district:{district}"),
        Scope::Campus { campus, .. } => format!("campus:{campus}"),
    }
}

pub async fn add_grant<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    grant: Grant,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    let (agency, district, campus) = match grant.scope {
        Scope::Instance => (None, None, None),
        Scope::Agency { agency } => (Some(agency), None, None),
        Scope::District { district } => (None, Some(district), None),
        Scope::Campus { district, campus } => (None, Some(district), Some(campus)),
    };
    execute!(
        &mut c,
        "INSERT INTO grants (id, user_id, role, scope_key, agency_id, district_id, campus_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, role, scope_key) DO NOTHING",
        Id::new().to_string(),
        user.to_string(),
        grant.role.code(),
        scope_key(grant.scope),
        agency.map(|i| i.to_string()),
        district.map(|i| i.to_string()),
        campus.map(|i| i.to_string()),
        now.millis(),
    )?;
    Ok(())
}

pub async fn remove_grant<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    grant: Grant,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "DELETE FROM grants WHERE user_id = $1 AND role = $2 AND scope_key = $3",
        user.to_string(),
        grant.role.code(),
        scope_key(grant.scope)
    )?;
    Ok(n > 0)
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    agency_id: Option<String>,
    district_id: Option<String>,
    campus_id: Option<String>,
}

impl GrantRow {
    fn into_grant(self) -> Option<Grant> {
        let role = Role::from_code(&self.role)?;
        let id = |t: Option<String>| t.as_deref().and_then(Id::parse);
        let scope = match (id(self.agency_id), id(self.district_id), id(self.campus_id)) {
            (None, None, None) => Scope::Instance,
            (Some(agency), None, None) => Scope::Agency { agency },
            (None, Some(district), None) => Scope::District { district },
            (None, Some(district), Some(campus)) => Scope::Campus { district, campus },
            _ => return None,
        };
        Some(Grant { role, scope })
    }
}

pub async fn grants_of<'c>(conn: impl Into<Conn<'c>>, user: Id) -> StoreResult<Vec<Grant>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        GrantRow,
        "SELECT role, agency_id, district_id, campus_id FROM grants WHERE user_id = $1 ORDER BY role, scope_key",
        user.to_string()
    )?;
    Ok(rows.into_iter().filter_map(GrantRow::into_grant).collect())
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    agency_id: String,
    district_id: String,
    campus_id: String,
}

#[derive(sqlx::FromRow)]
struct PersonFlags {
    sworn: bool,
}

/// Everything the access policy needs about a user, as of a date (for assignments).
pub async fn load_actor<'c>(
    conn: impl Into<Conn<'c>>,
    user: &UserRow,
    today: &str,
) -> StoreResult<Actor> {
    let mut c: Conn = conn.into();
    let grants = grants_of(&mut c, user.user_id()).await?;
    let person = user.person_id.as_deref().and_then(Id::parse);
    let (sworn, assignments) = match person {
        None => (false, Vec::new()),
        Some(p) => {
            let flags = fetch_optional!(
                &mut c,
                PersonFlags,
                "SELECT sworn FROM people WHERE id = $1",
                p.to_string()
            )?;
            let rows = fetch_all!(
                &mut c,
                AssignmentRow,
                "SELECT agency_id, district_id, campus_id FROM assignments \
                 WHERE person_id = $1 AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)",
                p.to_string(),
                today.to_string()
            )?;
            let assignments = rows
                .into_iter()
                .filter_map(|r| {
                    Some(Assignment {
                        agency: Id::parse(&r.agency_id)?,
                        district: Id::parse(&r.district_id)?,
                        campus: Id::parse(&r.campus_id)?,
                    })
                })
                .collect();
            (flags.map(|f| f.sworn).unwrap_or(false), assignments)
        }
    };
    let partnerships = partnerships_of_grants(&mut c, &grants).await?;
    Ok(Actor {
        user: user.user_id(),
        person,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        sworn,
        grants,
        assignments,
        partnerships,
    })
}

/// The partnerships of every agency and district the grants are held in.
async fn partnerships_of_grants<'c>(
    conn: impl Into<Conn<'c>>,
    grants: &[Grant],
) -> StoreResult<Vec<Partnership>> {
    let mut c: Conn = conn.into();
    let mut out: Vec<Partnership> = Vec::new();
    for grant in grants {
        let rows = match grant.scope {
            Scope::Agency { agency } => crate::org::partnerships_of_agency(&mut c, agency).await?,
            Scope::District { district } | Scope::Campus { district, .. } => {
                crate::org::partnerships_of_district(&mut c, district).await?
            }
            Scope::Instance => Vec::new(),
        };
        for row in rows {
            if let (Some(agency), Some(district)) =
                (Id::parse(&row.agency_id), Id::parse(&row.district_id))
            {
                let p = Partnership { agency, district };
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub csrf_secret: String,
    pub second_factor_done: bool,
}

pub async fn insert_session<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
    user: Id,
    csrf_secret: &str,
    second_factor_done: bool,
    source: Option<String>,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, csrf_secret, second_factor_done, source) \
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
        token_hash.to_string(),
        user.to_string(),
        now.millis(),
        csrf_secret.to_string(),
        second_factor_done,
        source
    )?;
    Ok(())
}

pub async fn session_by_hash<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
) -> StoreResult<Option<SessionRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        SessionRow,
        "SELECT user_id, created_at, last_seen_at, csrf_secret, second_factor_done FROM sessions WHERE token_hash = $1",
        token_hash.to_string()
    )?)
}

/// Marks a session used now. Only written when a minute has passed, so reads stay reads.
pub async fn touch_session<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3",
        now.millis(),
        token_hash.to_string(),
        now.millis() - TOUCH_EVERY_MS
    )?;
    Ok(())
}

pub async fn delete_session<'c>(conn: impl Into<Conn<'c>>, token_hash: &str) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM sessions WHERE token_hash = $1",
        token_hash.to_string()
    )?;
    Ok(())
}

/// Takes a TOTP time step for an account, once: true when it is later than every step
/// accepted before (then it is recorded), false for a step already used or an earlier one.
/// One conditional statement, so two sign-ins racing with the same code cannot both win.
pub async fn take_totp_step<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    step: i64,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let taken = execute!(
        &mut c,
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
        step,
        user.to_string()
    )?;
    Ok(taken == 1)
}

/// Takes one of a pending sign-in's `limit` tries at a second-factor code, before the code
/// is checked: how many tries it has used with this one, or `None` when none is left (or the
/// sign-in is gone or already complete). One conditional statement, so guesses sent at once
/// cannot take more than `limit` between them.
pub async fn take_second_factor_try<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
    limit: i64,
) -> StoreResult<Option<i64>> {
    #[derive(sqlx::FromRow)]
    struct Tries {
        second_factor_tries: i64,
    }
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        Tries,
        "UPDATE sessions SET second_factor_tries = second_factor_tries + 1 \
         WHERE token_hash = $1 AND second_factor_done = FALSE AND second_factor_tries < $2 \
         RETURNING CAST(second_factor_tries AS BIGINT) AS second_factor_tries",
        token_hash.to_string(),
        limit
    )?
    .map(|t| t.second_factor_tries))
}

pub async fn complete_second_factor<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE sessions SET second_factor_done = TRUE WHERE token_hash = $1",
        token_hash.to_string()
    )?;
    Ok(())
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, created_at, last_used_at, revoked_at, expires_at, read_only";

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The token stops working at this instant (milliseconds), if set.
    pub expires_at: Option<i64>,
    /// The token may only read.
    pub read_only: bool,
}

pub async fn insert_token<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    user: Id,
    name: &str,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    insert_token_of_kind(conn, id, user, name, token_hash, now, TokenKind::default()).await
}

/// How long a token lasts and what it may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenKind {
    pub expires_at: Option<Timestamp>,
    pub read_only: bool,
}

pub async fn insert_token_of_kind<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    user: Id,
    name: &str,
    token_hash: &str,
    now: Timestamp,
    kind: TokenKind,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, read_only) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id.to_string(),
        user.to_string(),
        name.to_string(),
        token_hash.to_string(),
        now.millis(),
        kind.expires_at.map(|t| t.millis()),
        kind.read_only
    )?;
    Ok(())
}

/// A page of a person's tokens, newest first.
pub async fn tokens_of<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    page: Page,
) -> StoreResult<Vec<TokenRow>> {
    let mut c: Conn = conn.into();
    let after = after_cursor(
        "$3",
        "api_tokens",
        "",
        &["created_at", "id"],
        Order::Descending,
        "user_id = $1",
    );
    Ok(fetch_all!(
        &mut c,
        TokenRow,
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND {after} \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        ),
        user.to_string(),
        page.limit,
        page.cursor()
    )?)
}

/// A token that has not been revoked, by the hash of its secret.
pub async fn live_token<'c>(
    conn: impl Into<Conn<'c>>,
    token_hash: &str,
) -> StoreResult<Option<TokenRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        TokenRow,
        &format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        ),
        token_hash.to_string()
    )?)
}

/// Notes that a token was used, at most once a minute (the token list shows it).
pub async fn touch_token<'c>(
    conn: impl Into<Conn<'c>>,
    id: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        now.millis(),
        id.to_string(),
        now.millis() - TOUCH_EVERY_MS
    )?;
    Ok(())
}

/// How often a session's or token's last use is written down: a write on every request would
/// cost more than the minute it tells.
pub const TOUCH_EVERY_MS: i64 = 60_000;

/// The version of everything a request's identity is read from (accounts, sessions, tokens,
/// grants, people, assignments, partnerships, campuses, districts). Triggers move it in the
/// transaction of every change to those (migration 0013), so an identity read under the
/// version a request finds is still true for that request.
pub async fn access_version<'c>(conn: impl Into<Conn<'c>>) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(
        &mut c,
        i64,
        "SELECT version FROM access_version WHERE id = 1"
    )?)
}

pub async fn token_by_id<'c>(conn: impl Into<Conn<'c>>, id: Id) -> StoreResult<Option<TokenRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        TokenRow,
        &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"),
        id.to_string()
    )?)
}

pub async fn revoke_token<'c>(
    conn: impl Into<Conn<'c>>,
    id: Id,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        now.millis(),
        id.to_string()
    )?;
    Ok(())
}

pub async fn record_failure<'c>(
    conn: impl Into<Conn<'c>>,
    username: &str,
    user: Option<Id>,
    source: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO login_failures (id, username, user_id, source, at) VALUES ($1, $2, $3, $4, $5)",
        Id::new().to_string(),
        username.to_string(),
        user.map(|u| u.to_string()),
        source.to_string(),
        now.millis()
    )?;
    Ok(())
}

/// Counts recent failures: for a user (from one source, or from all when `source` is
/// `None`), or from a source whatever user it named (when `user` is `None`).
pub async fn count_failures<'c>(
    conn: impl Into<Conn<'c>>,
    user: Option<Id>,
    source: Option<&str>,
    since: Timestamp,
) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM login_failures WHERE at >= $1 AND ($2 IS NULL OR user_id = $2) AND ($3 IS NULL OR source = $3)",
        since.millis(),
        user.map(|u| u.to_string()),
        source.map(str::to_string)
    )?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LockRow {
    pub id: String,
    pub user_id: String,
    pub source: Option<String>,
    pub locked_at: i64,
    pub locked_until: i64,
}

/// A lock in force for this user at `now`: one for every address, or one for this source.
pub async fn active_lock<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    source: &str,
    now: Timestamp,
) -> StoreResult<Option<LockRow>> {
    let mut c: Conn = conn.into();
    Ok(fetch_optional!(
        &mut c,
        LockRow,
        "SELECT id, user_id, source, locked_at, locked_until FROM account_locks \
         WHERE user_id = $1 AND cleared_at IS NULL AND locked_until > $2 AND (source IS NULL OR source = $3) \
         ORDER BY locked_until DESC LIMIT 1",
        user.to_string(),
        now.millis(),
        source.to_string()
    )?)
}

pub async fn locks_since<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    since: Timestamp,
) -> StoreResult<i64> {
    let mut c: Conn = conn.into();
    Ok(fetch_scalar!(
        &mut c,
        i64,
        "SELECT COUNT(*) FROM account_locks WHERE user_id = $1 AND locked_at >= $2",
        user.to_string(),
        since.millis()
    )?)
}

pub async fn insert_lock<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    source: Option<&str>,
    now: Timestamp,
    until: Timestamp,
) -> StoreResult<Id> {
    let mut c: Conn = conn.into();
    let id = Id::new();
    execute!(
        &mut c,
        "INSERT INTO account_locks (id, user_id, source, locked_at, locked_until) VALUES ($1, $2, $3, $4, $5)",
        id.to_string(),
        user.to_string(),
        source.map(str::to_string),
        now.millis(),
        until.millis()
    )?;
    Ok(id)
}

/// Clears every lock of a user and forgets the failures that caused them, so the officer
/// can sign in at once.
pub async fn clear_locks<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    by: Id,
    now: Timestamp,
) -> StoreResult<u64> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE account_locks SET cleared_at = $1, cleared_by = $2 WHERE user_id = $3 AND cleared_at IS NULL AND locked_until > $1",
        now.millis(),
        by.to_string(),
        user.to_string()
    )?;
    execute!(
        &mut c,
        "DELETE FROM login_failures WHERE user_id = $1",
        user.to_string()
    )?;
    Ok(n)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LockView {
    pub user_id: String,
    pub username: String,
    pub source: Option<String>,
    pub locked_at: i64,
    pub locked_until: i64,
}

pub async fn active_locks<'c>(
    conn: impl Into<Conn<'c>>,
    now: Timestamp,
) -> StoreResult<Vec<LockView>> {
    let mut c: Conn = conn.into();
    Ok(fetch_all!(
        &mut c,
        LockView,
        "SELECT l.user_id, u.username, l.source, l.locked_at, l.locked_until FROM account_locks l \
         JOIN users u ON u.id = l.user_id WHERE l.cleared_at IS NULL AND l.locked_until > $1 ORDER BY l.locked_at DESC",
        now.millis()
    )?)
}

/// A new account, as an administrator or the CLI asks for it.
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grant: Option<Grant>,
    pub sworn: bool,
    pub le_experience_start: Option<String>,
}

/// Who performs an account change and from where, for the audit trail.
#[derive(Debug, Clone)]
pub struct By {
    pub actor: Option<Id>,
    pub source: Option<String>,
    pub now: Timestamp,
}

impl By {
    fn event(&self, action: &str) -> AuditEvent {
        AuditEvent::new(self.actor, action, Outcome::Ok).source(self.source.clone())
    }
}

use triad_domain::audit::{AuditEvent, Outcome};

/// Validates and creates an account with its person record and first role, audited, in one
/// transaction. Returns the new user's id.
pub async fn create_account(db: &crate::Db, account: NewAccount, by: &By) -> StoreResult<Id> {
    let mut invalid = triad_domain::Invalid::default();
    let username = invalid.check(triad_domain::auth::parse_username(&account.username));
    let display_name = invalid.check(triad_domain::org::parse_name(
        "display_name",
        &account.display_name,
    ));
    let personal: Vec<&str> = [account.username.as_str(), account.display_name.as_str()]
        .into_iter()
        .collect();
    invalid.check(triad_domain::auth::check_new_password(
        &account.password,
        &personal,
    ));
    invalid.into_result()?;
    let (Some(username), Some(display_name)) = (username, display_name) else {
        return Err(StoreError::NotFound);
    };
    let hash = hash_password(account.password).await?;
    let (agency, district) = match account.grant.map(|g| g.scope) {
        Some(Scope::Agency { agency }) => (Some(agency), None),
        Some(Scope::District { district }) | Some(Scope::Campus { district, .. }) => {
            (None, Some(district))
        }
        _ => (None, None),
    };
    let user = Id::new();
    let person = Id::new();
    let mut tx = db.begin().await?;
    crate::org::insert_person(
        &mut tx,
        &crate::org::NewPerson {
            id: person,
            display_name: &display_name,
            email: None,
            agency,
            district,
            sworn: account.sworn,
            le_experience_start: account.le_experience_start.clone(),
        },
        by.now,
    )
    .await?;
    insert_user(
        &mut tx,
        &NewUser {
            id: user,
            username: &username,
            display_name: &display_name,
            person: Some(person),
            password_hash: &hash,
        },
        by.now,
    )
    .await?;
    if let Some(grant) = account.grant {
        add_grant(&mut tx, user, grant, by.now).await?;
    }
    let content = serde_json::json!({"username": username, "display_name": display_name, "grant": account.grant, "sworn": account.sworn});
    crate::audit::append(
        &mut tx,
        by.event("account.create")
            .record("user", user)
            .content(&content)
            .tenant(district, agency),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// The setting that makes a new password end the account's API tokens too (yes/no,
/// default no).
pub const TOKENS_END_SETTING: &str = "accounts.password_change_ends_tokens";

/// Sets a new password after checking it; every session of the account ends (and, with
/// [`TOKENS_END_SETTING`], every API token).
pub async fn change_password(
    db: &crate::Db,
    user: Id,
    password: String,
    by: &By,
) -> StoreResult<()> {
    let row = user_by_id(&mut db.acquire().await?, user)
        .await?
        .ok_or(StoreError::NotFound)?;
    triad_domain::auth::check_new_password(
        &password,
        &[row.username.as_str(), row.display_name.as_str()],
    )?;
    let hash = hash_password(password).await?;
    let mut tx = db.begin().await?;
    set_password(&mut tx, user, &hash).await?;
    execute!(
        &mut tx,
        "DELETE FROM sessions WHERE user_id = $1",
        user.to_string()
    )?;
    // With the setting on, a new password also ends every API token (a leaked password may
    // have made some).
    let end_tokens = crate::settings::get(&mut tx, TOKENS_END_SETTING)
        .await?
        .is_some_and(|v| matches!(v.trim(), "yes" | "true" | "on"));
    if end_tokens {
        execute!(
            &mut tx,
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            by.now.millis(),
            user.to_string()
        )?;
    }
    crate::audit::append(
        &mut tx,
        by.event("account.password").record("user", user),
        by.now,
    )
    .await?;
    tx.commit().await
}

/// Disables (or re-enables) an account, audited.
pub async fn disable_account(db: &crate::Db, user: Id, disabled: bool, by: &By) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    set_disabled(&mut tx, user, disabled, by.now).await?;
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    crate::audit::append(&mut tx, by.event(action).record("user", user), by.now).await?;
    tx.commit().await
}

/// Grants a role, audited.
/// Gives an account a role, audited; the people who answer for the records the role opens
/// (see [`triad_domain::auth::overseers_of`]) are told on their home page, in the same
/// transaction. The caller has checked [`triad_domain::auth::may_grant`].
pub async fn grant_role(db: &crate::Db, user: Id, grant: Grant, by: &By) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let grantee = user_by_id(&mut tx, user)
        .await?
        .ok_or(StoreError::NotFound)?;
    add_grant(&mut tx, user, grant, by.now).await?;
    if let Some(overseers) = triad_domain::auth::overseers_of(grant) {
        let granter = match by.actor {
            Some(actor) => user_by_id(&mut tx, actor)
                .await?
                .map_or_else(|| "Someone".to_string(), |u| u.display_name),
            None => "The command line".to_string(),
        };
        let place = match grant.scope {
            Scope::Campus { .. } => "on a campus of your district",
            Scope::District { .. } => "for your district",
            _ => "in your agency",
        };
        let message = format!(
            "{granter} gave {} the role {} {place}: it opens records you answer for. If you \
             did not expect it, ask your system administrator.",
            grantee.display_name,
            grant.role.label()
        );
        for (id, _) in holders_of(&mut tx, overseers.role, &scope_key(overseers.scope)).await? {
            let Some(id) = Id::parse(&id) else { continue };
            crate::notifications::insert(
                &mut tx,
                &crate::notifications::NewNotification {
                    user: id,
                    campus: None,
                    message: &message,
                    link: None,
                    at: by.now.millis(),
                },
            )
            .await?;
        }
    }
    crate::audit::append(
        &mut tx,
        by.event("account.grant")
            .record("user", user)
            .content(&grant),
        by.now,
    )
    .await?;
    tx.commit().await
}

/// Creates a personal access token; the secret is returned once and stored only hashed.
pub async fn create_token(
    db: &crate::Db,
    user: Id,
    name: &str,
    kind: TokenKind,
    by: &By,
) -> StoreResult<(Id, String)> {
    let name = triad_domain::org::parse_name("name", name)?;
    let secret = new_secret("triad_pat_");
    let id = Id::new();
    let mut tx = db.begin().await?;
    let hash = secret_hash(&secret);
    insert_token_of_kind(&mut tx, id, user, &name, &hash, by.now, kind).await?;
    crate::audit::append(
        &mut tx,
        by.event("token.create").record("api_token", id),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

pub async fn revoke_token_audited(db: &crate::Db, id: Id, by: &By) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    revoke_token(&mut tx, id, by.now).await?;
    crate::audit::append(
        &mut tx,
        by.event("token.revoke").record("api_token", id),
        by.now,
    )
    .await?;
    tx.commit().await
}

/// Lifts every lock on an account at once, audited.
pub async fn unlock_account(db: &crate::Db, user: Id, by: &By) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let cleared = clear_locks(&mut tx, user, by.actor.unwrap_or(user), by.now).await?;
    crate::audit::append(
        &mut tx,
        by.event("account.unlock").record("user", user),
        by.now,
    )
    .await?;
    tx.commit().await?;
    Ok(cleared)
}

pub async fn set_totp_secret<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    secret: Option<&str>,
    enabled: bool,
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "UPDATE users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3",
        secret.map(str::to_string),
        enabled,
        user.to_string()
    )?;
    Ok(())
}

/// Replaces the recovery codes of a user with new ones (stored hashed).
pub async fn replace_recovery_codes<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    codes: &[String],
) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "DELETE FROM recovery_codes WHERE user_id = $1",
        user.to_string()
    )?;
    for code in codes {
        execute!(
            &mut c,
            "INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)",
            Id::new().to_string(),
            user.to_string(),
            secret_hash(code)
        )?;
    }
    Ok(())
}

/// Uses up a recovery code; true when it was valid and unused.
pub async fn use_recovery_code<'c>(
    conn: impl Into<Conn<'c>>,
    user: Id,
    code: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let mut c: Conn = conn.into();
    let n = execute!(
        &mut c,
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        now.millis(),
        user.to_string(),
        secret_hash(code.trim())
    )?;
    Ok(n == 1)
}

/// Active accounts that hold a role in a district or in an agency partnered with it, whose
/// name or user name contains `text` (any case), by name: the people a picker in that district
/// may offer, before the policy says which of them may act on the record at hand.
pub async fn people_near_district<'c>(
    conn: impl Into<Conn<'c>>,
    district: Id,
    text: &str,
    limit: i64,
) -> StoreResult<Vec<UserRow>> {
    let mut c: Conn = conn.into();
    let escaped: String = text
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|ch| match ch {
            '%' | '_' | '\\' => vec!['\\', ch],
            _ => vec![ch],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.disabled = FALSE AND EXISTS \
         (SELECT 1 FROM grants g WHERE g.user_id = u.id AND (g.district_id = $1 OR g.agency_id IN \
         (SELECT agency_id FROM partnerships WHERE district_id = $1))) \
         AND (LOWER(u.display_name) LIKE $2 ESCAPE '\\' OR LOWER(u.username) LIKE $2 ESCAPE '\\') \
         ORDER BY u.display_name, u.id LIMIT $3"
    );
    Ok(fetch_all!(
        &mut c,
        UserRow,
        &sql,
        district.to_string(),
        pattern,
        limit
    )?)
}

#[derive(sqlx::FromRow)]
struct Holder {
    id: String,
    display_name: String,
}

/// Active users holding a role in a scope (`campus:ID`, `district:ID`, …), by name.
pub async fn holders_of<'c>(
    conn: impl Into<Conn<'c>>,
    role: Role,
    scope_key: &str,
) -> StoreResult<Vec<(String, String)>> {
    let mut c: Conn = conn.into();
    let rows = fetch_all!(
        &mut c,
        Holder,
        "SELECT u.id, u.display_name FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.role = $1 AND g.scope_key = $2 AND u.disabled = FALSE ORDER BY u.display_name",
        role.code(),
        scope_key.to_string()
    )?;
    Ok(rows.into_iter().map(|h| (h.id, h.display_name)).collect())
}
