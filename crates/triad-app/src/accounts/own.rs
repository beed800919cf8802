//! One's own account: password, personal access tokens, second factor and recovery codes.

use crate::access::Credential;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use totp_rs::{Algorithm, Secret, TOTP};
use triad_domain::audit::Outcome;
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::auth::{self as store, TokenRow, UserRow};
use triad_store::paging::Page;

/// The actor's own account row, after the policy agreed to the action on it.
pub async fn own_user(ctx: &Ctx, action: Action) -> AppResult<UserRow> {
    ctx.require(
        action,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    store::user_by_id(&mut ctx.app.db.acquire().await?, ctx.actor.user)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the actor's password, given their current one. Every session of the account ends.
pub async fn change_password(ctx: &Ctx, current: String, password: String) -> AppResult<()> {
    let user = own_user(ctx, Action::Change).await?;
    if !store::verify_password(current, user.password_hash).await? {
        return Err(Invalid::one("current", "is not your current password").into());
    }
    store::change_password(&ctx.app.db, ctx.actor.user, password, &ctx.by()).await?;
    Ok(())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    #[serde(default)]
    pub name: String,
    /// The last day the token works (YYYY-MM-DD, within two years); empty: until revoked.
    #[serde(default)]
    pub expires_on: String,
    /// The token may only read (a report or dashboard).
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub read_only: bool,
}

/// Makes a personal access token for the actor; the secret is returned this once.
pub async fn create_own_token(ctx: &Ctx, input: TokenInput) -> AppResult<(Id, String)> {
    ctx.require(
        Action::Change,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    let mut kind = store::TokenKind {
        expires_at: token_end(&input.expires_on, ctx.now)?,
        read_only: input.read_only,
    };
    // A token made with a token lasts no longer than the one that made it: an expiring token
    // cannot make itself a successor that never ends.
    if let Credential::Token { id, .. } = &ctx.credential {
        let maker = match Id::parse(id) {
            Some(id) => store::token_by_id(&mut ctx.app.db.acquire().await?, id).await?,
            None => None,
        };
        if let Some(end) = maker.and_then(|t| t.expires_at) {
            let end = Timestamp::from_millis(end);
            kind.expires_at = Some(kind.expires_at.map_or(end, |own| own.min(end)));
        }
    }
    Ok(store::create_token(&ctx.app.db, ctx.actor.user, &input.name, kind, &ctx.by()).await?)
}

/// The instant a token made now stops working: the end of its last day (UTC), which must be
/// from today to two years ahead.
fn token_end(last_day: &str, now: Timestamp) -> AppResult<Option<Timestamp>> {
    let Some(day) = triad_domain::org::parse_optional_date("expires_on", last_day)? else {
        return Ok(None);
    };
    let today = now.to_datetime().date_naive();
    if day < today || day > today + chrono::Duration::days(731) {
        return Err(Invalid::one(
            "expires_on",
            "choose a last day from today to two years ahead, or leave it empty",
        )
        .into());
    }
    Ok(day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|end| Timestamp::from_datetime(end.and_utc())))
}

/// Revokes a token: one's own, or anyone's for a system administrator.
pub async fn revoke(ctx: &Ctx, id: &str) -> AppResult<()> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let token = store::token_by_id(&mut ctx.app.db.acquire().await?, id).await?;
    // Unknown tokens and other people's tokens answer alike.
    let owner = token
        .as_ref()
        .and_then(|t| Id::parse(&t.user_id))
        .unwrap_or_else(Id::new);
    let resource = Resource::new(RecordClass::Accounts, Tenant::INSTANCE).owned_by(owner);
    ctx.require(Action::Change, resource, ("api_token", &id.to_string()))
        .await?;
    token.ok_or(AppError::NotFound)?;
    Ok(store::revoke_token_audited(&ctx.app.db, id, &ctx.by()).await?)
}

/// The actor's own tokens (never their secrets).
pub async fn own_tokens(ctx: &Ctx, page: Page) -> AppResult<Vec<TokenRow>> {
    ctx.require(
        Action::View,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    Ok(store::tokens_of(&mut ctx.app.db.acquire().await?, ctx.actor.user, page).await?)
}

fn totp(secret_b32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Triad".into()),
        account.to_string(),
    )
    .ok()
}

/// The `otpauth://` address an authenticator app scans to hold the secret.
pub fn totp_url(secret_b32: &str, account: &str) -> String {
    totp(secret_b32, account)
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// The time step (30 s) a six-digit code belongs to, if it matches the secret at this instant
/// or one step either side (a phone's clock drifts). The caller must still take the step once
/// ([`store::take_totp_step`]), so a code cannot be used twice.
pub fn totp_step(secret_b32: &str, code: &str, now: Timestamp) -> Option<i64> {
    use subtle::ConstantTimeEq;
    if code.len() != 6 {
        return None;
    }
    let totp = totp(secret_b32, "triad")?;
    let step_now = now.millis().div_euclid(30_000);
    (step_now - 1..=step_now + 1).find(|step| {
        let at = u64::try_from(step * 30).unwrap_or(0);
        bool::from(totp.generate(at).as_bytes().ct_eq(code.as_bytes()))
    })
}

/// The secret to set up the second factor with: the one waiting for its confirmation, or a
/// new one, stored but not enabled until a code from the app confirms it was scanned.
pub async fn pending_secret(ctx: &Ctx) -> AppResult<String> {
    let user = own_user(ctx, Action::Change).await?;
    if let (Some(secret), false) = (user.totp_secret, user.totp_enabled) {
        return Ok(secret);
    }
    let mut bytes = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    // Not on the audit trail: a secret not yet confirmed changes nothing of how the account
    // signs in. Its confirmation is audited.
    let mut tx = ctx.app.db.begin().await?;
    store::set_totp_secret(&mut tx, ctx.actor.user, Some(&secret), false).await?;
    tx.commit().await?;
    Ok(secret)
}

/// Ten fresh single-use recovery codes (stored only hashed).
fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            store::new_secret("")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(10)
                .collect()
        })
        .collect()
}

/// Replaces the account's recovery codes with new ones, to be shown this once: the old ones
/// stop working (after a lost list, or codes that a backup of an earlier release may hold).
/// `None` when the account has no second factor to recover.
pub async fn replace_recovery_codes(ctx: &Ctx) -> AppResult<Option<Vec<String>>> {
    let user = own_user(ctx, Action::Change).await?;
    if !user.totp_enabled {
        return Ok(None);
    }
    let codes = new_recovery_codes();
    let mut tx = ctx.change().await?;
    store::replace_recovery_codes(&mut tx, ctx.actor.user, &codes).await?;
    tx.audit(
        ctx.event("account.recovery_codes.replace", Outcome::Ok)
            .record("user", ctx.actor.user),
    );
    tx.commit().await?;
    Ok(Some(codes))
}

/// What confirming the second factor came to.
pub enum Enrolment {
    /// Nothing waits for a confirmation (already on, or never started).
    NothingPending,
    /// The code does not match the secret now: the secret still waits.
    CodeMismatch { secret: String },
    /// On, with recovery codes to be shown this once.
    Enabled {
        secret: String,
        recovery_codes: Vec<String>,
    },
}

/// Turns the second factor on once a code from the app matches the secret waiting.
pub async fn confirm_enrolment(ctx: &Ctx, code: &str) -> AppResult<Enrolment> {
    let user = own_user(ctx, Action::Change).await?;
    let Some(secret) = user.totp_secret.filter(|_| !user.totp_enabled) else {
        return Ok(Enrolment::NothingPending);
    };
    let Some(step) = totp_step(&secret, code.trim(), ctx.now) else {
        return Ok(Enrolment::CodeMismatch { secret });
    };
    let codes = new_recovery_codes();
    let mut tx = ctx.change().await?;
    store::set_totp_secret(&mut tx, ctx.actor.user, Some(&secret), true).await?;
    // The code that confirmed the set-up cannot then sign anyone in.
    store::take_totp_step(&mut tx, ctx.actor.user, step).await?;
    store::replace_recovery_codes(&mut tx, ctx.actor.user, &codes).await?;
    tx.audit(
        ctx.event("account.second_factor.enable", Outcome::Ok)
            .record("user", ctx.actor.user),
    );
    tx.commit().await?;
    Ok(Enrolment::Enabled {
        secret,
        recovery_codes: codes,
    })
}
