//! One's own account: password, personal access tokens, second factor.

use crate::context::{Credential, Ctx};
use crate::error::{WebError, WebResult};
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use totp_rs::{Algorithm, Secret, TOTP};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Timestamp};
use triad_store::auth::{self as store, ChangedBy};

pub fn routes() -> Routes {
    Routes::default()
        .get("/account", account_page)
        .post("/account/password", change_password)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/revoke", revoke_token)
        .get("/account/second-factor", enrol_page)
        .post("/account/second-factor", enrol_confirm)
        .post("/account/recovery-codes", replace_recovery_codes)
}

impl Ctx {
    pub fn by(&self) -> ChangedBy {
        ChangedBy {
            actor: Some(self.actor.user),
            source: self.source.clone(),
            now: self.now,
        }
    }

    /// The actor's own account, as a resource the policy decides on.
    pub(super) fn own_account(&self) -> Resource {
        Resource::new(RecordClass::Accounts, Tenant::INSTANCE).owned_by(self.actor.user)
    }
}

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
    /// "until revoked", or the day it ends; "read only" where it may not write.
    pub kind: String,
    pub form: FormToken,
}

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    totp_enabled: bool,
    tokens: Vec<TokenLine>,
    password_form: FormToken,
    token_form: FormToken,
    new_token: Option<String>,
    recovery_form: FormToken,
    /// Recovery codes just made, shown this once.
    new_recovery_codes: Vec<String>,
}

async fn account_page(ctx: Ctx) -> WebResult<Html<String>> {
    show_account(&ctx, None).await
}

async fn show_account(ctx: &Ctx, new_token: Option<String>) -> WebResult<Html<String>> {
    show_account_with(ctx, new_token, Vec::new()).await
}

async fn show_account_with(
    ctx: &Ctx,
    new_token: Option<String>,
    new_recovery_codes: Vec<String>,
) -> WebResult<Html<String>> {
    let user = own_user(ctx, Action::View).await?;
    let page = triad_store::paging::Page::first(crate::paging::MAX_LIMIT);
    let tokens = store::tokens_of(&mut ctx.state.db.acquire().await?, ctx.actor.user, page)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.is_some(),
            kind: format!(
                "{}{}",
                t.expires_at
                    .map(|end| format!("ends {}", when(end - 1)))
                    .unwrap_or_else(|| "until revoked".into()),
                if t.read_only { ", read only" } else { "" }
            ),
            form: ctx.form(),
        })
        .collect();
    render(&AccountPage {
        layout: Layout::new(ctx),
        username: user.username,
        totp_enabled: user.totp_enabled,
        tokens,
        password_form: ctx.form(),
        token_form: ctx.form(),
        new_token,
        recovery_form: ctx.form(),
        new_recovery_codes,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

async fn change_password(ctx: Ctx, Form(form): Form<PasswordForm>) -> WebResult<Response> {
    let user = own_user(&ctx, Action::Change).await?;
    if !store::verify_password(form.current, user.password_hash).await? {
        return Err(WebError::Invalid(triad_domain::Invalid::one(
            "current",
            "is not your current password",
        )));
    }
    store::change_password(&ctx.state.db, ctx.actor.user, form.password, &ctx.by()).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    #[serde(default)]
    pub name: String,
    /// The last day the token works (YYYY-MM-DD, within two years); empty: until revoked.
    #[serde(default)]
    pub expires_on: String,
    /// The token may only read (a report or dashboard).
    #[serde(default, deserialize_with = "crate::forms::checkbox")]
    pub read_only: bool,
}

/// Makes a personal access token for the actor; the secret is returned this once.
pub async fn create_own_token(ctx: &Ctx, input: TokenInput) -> WebResult<(Id, String)> {
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
            Some(id) => store::token_by_id(&mut ctx.state.db.acquire().await?, id).await?,
            None => None,
        };
        if let Some(end) = maker.and_then(|t| t.expires_at) {
            let end = triad_domain::Timestamp::from_millis(end);
            kind.expires_at = Some(kind.expires_at.map_or(end, |own| own.min(end)));
        }
    }
    Ok(store::create_token(&ctx.state.db, ctx.actor.user, &input.name, kind, &ctx.by()).await?)
}

/// The instant a token made now stops working: the end of its last day (UTC), which must be
/// from today to two years ahead.
fn token_end(
    last_day: &str,
    now: triad_domain::Timestamp,
) -> WebResult<Option<triad_domain::Timestamp>> {
    let Some(day) = triad_domain::org::parse_optional_date("expires_on", last_day)? else {
        return Ok(None);
    };
    let today = now.to_datetime().date_naive();
    if day < today || day > today + chrono::Duration::days(731) {
        return Err(triad_domain::Invalid::one(
            "expires_on",
            "choose a last day from today to two years ahead, or leave it empty",
        )
        .into());
    }
    Ok(day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|end| triad_domain::Timestamp::from_datetime(end.and_utc())))
}

async fn create_token(ctx: Ctx, Form(input): Form<TokenInput>) -> WebResult<Response> {
    let (_, secret) = create_own_token(&ctx, input).await?;
    let mut page = show_account(&ctx, Some(secret)).await?.into_response();
    page.extensions_mut().insert(crate::forms::ShownOnce);
    Ok(page)
}

/// Revokes a token: one's own, or anyone's for a system administrator.
pub async fn revoke(ctx: &Ctx, id: &str) -> WebResult<()> {
    let id = Id::parse(id).ok_or(WebError::NotFound)?;
    let token = store::token_by_id(&mut ctx.state.db.acquire().await?, id).await?;
    // Unknown tokens and other people's tokens answer alike.
    let owner = token
        .as_ref()
        .and_then(|t| Id::parse(&t.user_id))
        .unwrap_or_else(Id::new);
    let resource = Resource::new(RecordClass::Accounts, Tenant::INSTANCE).owned_by(owner);
    ctx.require(Action::Change, resource, ("api_token", &id.to_string()))
        .await?;
    token.ok_or(WebError::NotFound)?;
    Ok(store::revoke_token_audited(&ctx.state.db, id, &ctx.by()).await?)
}

async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    revoke(&ctx, &id).await?;
    Ok(Redirect::to("/account").into_response())
}

/// The actor's own account row, after the policy agreed to the action on it.
async fn own_user(ctx: &Ctx, action: Action) -> WebResult<store::UserRow> {
    ctx.require(
        action,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    store::user_by_id(&mut ctx.state.db.acquire().await?, ctx.actor.user)
        .await?
        .ok_or(WebError::NotFound)
}

/// The actor's own tokens (never their secrets).
pub async fn own_tokens(
    ctx: &Ctx,
    page: triad_store::paging::Page,
) -> WebResult<Vec<store::TokenRow>> {
    ctx.require(
        Action::View,
        ctx.own_account(),
        ("user", &ctx.actor.user.to_string()),
    )
    .await?;
    Ok(store::tokens_of(&mut ctx.state.db.acquire().await?, ctx.actor.user, page).await?)
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

#[derive(Template)]
#[template(path = "auth/second_factor_enrol.html")]
struct EnrolPage {
    layout: Layout,
    secret: String,
    qr_svg: String,
    form: FormToken,
    recovery_codes: Vec<String>,
    error: Option<String>,
}

/// Shows a new secret as a QR code. The secret is stored, not yet enabled, until a code
/// from the app confirms it was scanned.
async fn enrol_page(ctx: Ctx) -> WebResult<Html<String>> {
    let user = own_user(&ctx, Action::Change).await?;
    let secret = match (&user.totp_secret, user.totp_enabled) {
        (Some(s), false) => s.clone(),
        _ => {
            let mut bytes = [0u8; 20];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let s = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
            let mut tx = ctx.state.db.begin().await?;
            store::set_totp_secret(&mut tx, ctx.actor.user, Some(&s), false).await?;
            tx.commit().await?;
            s
        }
    };
    enrol_view(&ctx, secret, Vec::new(), None)
}

fn enrol_view(
    ctx: &Ctx,
    secret: String,
    recovery_codes: Vec<String>,
    error: Option<String>,
) -> WebResult<Html<String>> {
    let url = totp(&secret, &ctx.actor.username)
        .map(|t| t.get_url())
        .unwrap_or_default();
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    render(&EnrolPage {
        layout: Layout::new(ctx),
        secret,
        qr_svg,
        form: ctx.form(),
        recovery_codes,
        error,
    })
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    code: String,
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

/// Replaces the account's recovery codes with new ones, shown this once: the old ones stop
/// working (after a lost list, or codes that a backup of an earlier release may hold).
async fn replace_recovery_codes(ctx: Ctx) -> WebResult<Response> {
    let user = own_user(&ctx, Action::Change).await?;
    if !user.totp_enabled {
        return Ok(Redirect::to("/account/second-factor").into_response());
    }
    let codes = new_recovery_codes();
    let mut tx = ctx.state.db.begin().await?;
    store::replace_recovery_codes(&mut tx, ctx.actor.user, &codes).await?;
    triad_store::audit::append(
        &mut tx,
        ctx.event(
            "account.recovery_codes.replace",
            triad_domain::audit::Outcome::Ok,
        )
        .record("user", ctx.actor.user),
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    let mut page = show_account_with(&ctx, None, codes).await?.into_response();
    page.extensions_mut().insert(crate::forms::ShownOnce);
    Ok(page)
}

async fn enrol_confirm(ctx: Ctx, Form(form): Form<EnrolForm>) -> WebResult<Response> {
    let user = own_user(&ctx, Action::Change).await?;
    let Some(secret) = user.totp_secret.filter(|_| !user.totp_enabled) else {
        return Ok(Redirect::to("/account").into_response());
    };
    let step = totp_step(&secret, form.code.trim(), ctx.now);
    if step.is_none() {
        return Ok(enrol_view(
            &ctx,
            secret,
            Vec::new(),
            Some(
                "That code did not match. Check the time on your phone and try the current code."
                    .into(),
            ),
        )?
        .into_response());
    }
    let codes = new_recovery_codes();
    let mut tx = ctx.state.db.begin().await?;
    store::set_totp_secret(&mut tx, ctx.actor.user, Some(&secret), true).await?;
    // The code that confirmed the set-up cannot then sign anyone in.
    if let Some(step) = step {
        store::take_totp_step(&mut tx, ctx.actor.user, step).await?;
    }
    store::replace_recovery_codes(&mut tx, ctx.actor.user, &codes).await?;
    triad_store::audit::append(
        &mut tx,
        ctx.event(
            "account.second_factor.enable",
            triad_domain::audit::Outcome::Ok,
        )
        .record("user", ctx.actor.user),
        ctx.now,
    )
    .await?;
    tx.commit().await?;
    let mut page = enrol_view(&ctx, secret, codes, None)?.into_response();
    page.extensions_mut().insert(crate::forms::ShownOnce);
    Ok(page)
}
