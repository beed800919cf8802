//! One's own account: password, personal access tokens, second factor, calendar link.

use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use triad_app::accounts::own::{self, own_user, Enrolment};
use triad_domain::policy::Action;

pub use triad_app::accounts::own::{create_own_token, own_tokens, revoke, TokenInput};

pub fn routes() -> Routes {
    Routes::default()
        .get("/account", account_page)
        .post("/account/password", change_password)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/revoke", revoke_token)
        .post("/account/calendar", make_calendar_link)
        .post("/account/calendar/stop", stop_calendar_link)
        .get("/account/second-factor", enrol_page)
        .post("/account/second-factor", enrol_confirm)
        .post("/account/recovery-codes", replace_recovery_codes)
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
    everywhere_form: FormToken,
    token_form: FormToken,
    new_token: Option<String>,
    recovery_form: FormToken,
    /// Recovery codes just made, shown this once.
    new_recovery_codes: Vec<String>,
    /// The live calendar link: when it was made and last read.
    calendar: Option<(String, String)>,
    /// A calendar link just made, in full, shown this once.
    new_calendar_link: Option<String>,
    calendar_form: FormToken,
    calendar_stop_form: FormToken,
    /// Identities at identity providers linked to this account.
    identities: Vec<super::provider_sign_in::IdentityLine>,
    /// Providers one may link an identity at: key, label, form.
    linkable: Vec<(String, String, FormToken)>,
}

/// What the account page shows once, just after it was made.
#[derive(Default)]
struct JustMade {
    token: Option<String>,
    recovery_codes: Vec<String>,
    calendar_link: Option<String>,
}

async fn account_page(ctx: Ctx) -> WebResult<Html<String>> {
    show_account(&ctx, JustMade::default()).await
}

async fn show_account(ctx: &Ctx, shown: JustMade) -> WebResult<Html<String>> {
    let user = own_user(ctx, Action::View).await?;
    let page = triad_store::paging::Page::first(crate::paging::MAX_LIMIT);
    let tokens = own_tokens(ctx, page)
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
    let calendar = triad_app::calendar::own_link(ctx).await?.map(|link| {
        (
            when(link.created_at),
            link.last_read_at
                .map(when)
                .unwrap_or_else(|| "never".into()),
        )
    });
    let (identities, linkable) = super::provider_sign_in::account_identities(ctx).await?;
    render(&AccountPage {
        identities,
        linkable,
        layout: Layout::new(ctx),
        username: user.username,
        totp_enabled: user.totp_enabled,
        tokens,
        password_form: ctx.form(),
        everywhere_form: ctx.form(),
        token_form: ctx.form(),
        new_token: shown.token,
        recovery_form: ctx.form(),
        new_recovery_codes: shown.recovery_codes,
        calendar,
        new_calendar_link: shown.calendar_link,
        calendar_form: ctx.form(),
        calendar_stop_form: ctx.form(),
    })
}

/// The account page showing a secret just made, this once: a replay of the request says so
/// instead of showing it again (see [`crate::forms::ShownOnce`]).
async fn show_once(ctx: &Ctx, shown: JustMade) -> WebResult<Response> {
    let mut page = show_account(ctx, shown).await?.into_response();
    page.extensions_mut().insert(crate::forms::ShownOnce);
    Ok(page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

async fn change_password(ctx: Ctx, Form(form): Form<PasswordForm>) -> WebResult<Response> {
    own::change_password(&ctx, form.current, form.password).await?;
    Ok(Redirect::to("/login").into_response())
}

async fn create_token(ctx: Ctx, Form(input): Form<TokenInput>) -> WebResult<Response> {
    let (_, secret) = create_own_token(&ctx, input).await?;
    let shown = JustMade {
        token: Some(secret),
        ..JustMade::default()
    };
    show_once(&ctx, shown).await
}

/// Makes a new calendar link (the old one stops) and shows it in full, this once.
async fn make_calendar_link(ctx: Ctx, headers: axum::http::HeaderMap) -> WebResult<Response> {
    let secret = triad_app::calendar::make_link(&ctx).await?;
    let base = crate::views::public_address(&ctx.state, &headers);
    let shown = JustMade {
        calendar_link: Some(format!("{base}/calendar/{secret}.ics")),
        ..JustMade::default()
    };
    show_once(&ctx, shown).await
}

async fn stop_calendar_link(ctx: Ctx) -> WebResult<Response> {
    triad_app::calendar::stop_link(&ctx).await?;
    Ok(Redirect::to("/account").into_response())
}

async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    revoke(&ctx, &id).await?;
    Ok(Redirect::to("/account").into_response())
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
    let secret = own::pending_secret(&ctx).await?;
    enrol_view(&ctx, secret, Vec::new(), None)
}

fn enrol_view(
    ctx: &Ctx,
    secret: String,
    recovery_codes: Vec<String>,
    error: Option<String>,
) -> WebResult<Html<String>> {
    let url = own::totp_url(&secret, &ctx.actor.username);
    let qr_svg = crate::qr::svg(&url, 200);
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

/// Replaces the account's recovery codes with new ones, shown this once.
async fn replace_recovery_codes(ctx: Ctx) -> WebResult<Response> {
    let Some(codes) = own::replace_recovery_codes(&ctx).await? else {
        return Ok(Redirect::to("/account/second-factor").into_response());
    };
    let shown = JustMade {
        recovery_codes: codes,
        ..JustMade::default()
    };
    show_once(&ctx, shown).await
}

async fn enrol_confirm(ctx: Ctx, Form(form): Form<EnrolForm>) -> WebResult<Response> {
    match own::confirm_enrolment(&ctx, &form.code).await? {
        Enrolment::NothingPending => Ok(Redirect::to("/account").into_response()),
        Enrolment::CodeMismatch { secret } => Ok(enrol_view(
            &ctx,
            secret,
            Vec::new(),
            Some(
                "That code did not match. Check the time on your phone and try the current code."
                    .into(),
            ),
        )?
        .into_response()),
        Enrolment::Enabled {
            secret,
            recovery_codes,
        } => {
            let mut page = enrol_view(&ctx, secret, recovery_codes, None)?.into_response();
            page.extensions_mut().insert(crate::forms::ShownOnce);
            Ok(page)
        }
    }
}
