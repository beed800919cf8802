//! Signing in through an identity provider, and linking one's account to an identity there:
//! off to the provider with a state, a nonce and a PKCE challenge; back at `/login/callback`,
//! where the state is taken once, by the browser that left, and the ID token is checked.

use super::login::{
    after_sign_in, safe_next, set_session_cookie, sign_in_source, LoginPage, NextQuery,
};
use super::providers::{Provider, ProviderFailure};
use crate::context::{cookie, Ctx};
use crate::error::{WebError, WebResult};
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use triad_app::identity_sign_in::{self, IdentitySignIn, ProviderPolicy, Refusal};
use triad_store::auth as store;

/// The cookie that ties a sign-in's return to the browser that left for the provider.
/// SameSite=Lax: the return is a top-level navigation from the provider's site, which a
/// Strict cookie would not come back with.
const BROWSER_COOKIE: &str = "__Host-triad_provider";

pub fn routes() -> Routes {
    Routes::default()
        .get("/login/with/{key}", sign_in_with)
        .get(super::providers::CALLBACK_PATH, callback)
        .post("/account/identities/link", link_identity)
        .post("/account/identities/unlink", unlink_identity)
}

/// Starts a sign-in: off to the provider.
async fn sign_in_with(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    let provider = state
        .config
        .providers
        .find(&key)
        .ok_or(WebError::NotFound)?;
    let source = sign_in_source(&parts, &state);
    send_to_provider(&state, provider, &safe_next(&q.next), None, &source).await
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    provider: String,
}

/// A signed-in person links their account to their identity at a provider: they sign in
/// there, and the identity that comes back is linked to this account.
async fn link_identity(ctx: Ctx, Form(form): Form<LinkForm>) -> WebResult<Response> {
    let state = &ctx.state;
    let provider = state.config.providers.find(&form.provider).ok_or_else(|| {
        WebError::BadRequest("choose one of the identity providers on your account page".into())
    })?;
    // The link is made only while this session is still signed in when the person comes back.
    let triad_app::access::Credential::Session { token_hash, .. } = &ctx.credential else {
        return Err(WebError::Forbidden(
            "link a sign-in from your account page".into(),
        ));
    };
    let source = ctx.source.clone().unwrap_or_else(|| "unknown".into());
    send_to_provider(state, provider, "/account", Some(token_hash), &source).await
}

#[derive(Deserialize)]
pub struct UnlinkForm {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    subject: String,
}

async fn unlink_identity(ctx: Ctx, Form(form): Form<UnlinkForm>) -> WebResult<Response> {
    if !identity_sign_in::unlink_own(&ctx, &form.issuer, &form.subject).await? {
        return Err(WebError::BadRequest(
            "that sign-in is not linked to your account".into(),
        ));
    }
    Ok(Redirect::to("/account").into_response())
}

async fn send_to_provider(
    state: &AppState,
    provider: &Provider,
    next: &str,
    link_session: Option<&str>,
    source: &str,
) -> WebResult<Response> {
    let authorization = match state.config.providers.authorization(provider).await {
        Ok(authorization) => authorization,
        Err(failure) => return failed(state, provider, failure, next).await,
    };
    let browser = store::new_secret("");
    let sent = store::SentSignIn {
        state: &authorization.state,
        browser: &browser,
        provider: &provider.key,
        nonce: &authorization.nonce,
        pkce_verifier: &authorization.pkce_verifier,
        next_path: next,
        link_session,
        source,
    };
    if !store::insert_sign_in(&state.db, &sent, state.now()).await? {
        return Err(WebError::TooManyRequests(
            "too many sign-ins were started from this address lately; wait ten minutes and try again".into(),
        ));
    }
    // Linking starts from a form: a form's navigation may only go to Triad itself (the pages'
    // `form-action 'self'`), redirects included, so a page of Triad's moves on to the provider.
    let mut response = if link_session.is_some() {
        continue_to(
            &authorization.url,
            &format!("Going on to {}…", provider.label),
        )?
    } else {
        Redirect::to(&authorization.url).into_response()
    };
    let lifetime = store::SIGN_IN_LIFETIME_MS / 1000;
    set_cookie(
        &mut response,
        &format!("{BROWSER_COOKIE}={browser}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={lifetime}"),
    );
    Ok(response)
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: String,
    /// Set instead of `code` when the provider did not sign the person in (RFC 6749 4.1.2.1).
    #[serde(default)]
    error: String,
}

/// What a sign-in that cannot be finished says: the state was used already, is too old, or
/// came back to another browser than the one that left.
const START_AGAIN: &str = "This sign-in could not be finished: it was already used, took more \
    than ten minutes, or was started in another browser. Start again below.";

/// Back from the provider.
async fn callback(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<CallbackQuery>,
) -> WebResult<Response> {
    let source = sign_in_source(&parts, &state);
    let browser = cookie(&parts, BROWSER_COOKIE)
        .unwrap_or_default()
        .to_string();
    let returned = if browser.is_empty() || q.state.is_empty() {
        None
    } else {
        store::take_sign_in(&state.db, &q.state, &browser, state.now()).await?
    };
    let Some(returned) = returned else {
        if !q.state.is_empty() {
            let detail = "a state unknown, used already, too old, or from another browser";
            identity_sign_in::record_rejected(&state, "", detail, &source).await?;
        }
        return login_page(&state, "/", START_AGAIN, StatusCode::BAD_REQUEST).await;
    };
    let next = safe_next(&returned.next_path);
    let Some(provider) = state.config.providers.find(&returned.provider) else {
        return login_page(&state, &next, START_AGAIN, StatusCode::BAD_REQUEST).await;
    };
    if !q.error.is_empty() || q.code.is_empty() {
        let message = format!(
            "{} did not sign you in. Try again, or ask your district's IT office if it keeps happening.",
            provider.label
        );
        return login_page(&state, &next, &message, StatusCode::UNAUTHORIZED).await;
    }
    let identity = match state
        .config
        .providers
        .identity(
            provider,
            &q.code,
            &returned.pkce_verifier,
            &returned.nonce,
            state.now(),
        )
        .await
    {
        Ok(identity) => identity,
        Err(failure) => {
            if let ProviderFailure::Rejected(detail) = &failure {
                identity_sign_in::record_rejected(&state, &provider.key, detail, &source).await?;
            }
            return failed(&state, provider, failure, &next).await;
        }
    };
    let policy = ProviderPolicy {
        key: &provider.key,
        email_domains: &provider.email_domains,
        require_verified_email: provider.require_verified_email,
        district: provider.district,
        roster_accounts: provider.roster_accounts,
    };
    let link_session = returned.link_session_hash.as_deref();
    let outcome =
        identity_sign_in::with_identity(&state, &policy, &identity, link_session, &source).await?;
    match outcome {
        IdentitySignIn::Session {
            token,
            second_factor,
        } => {
            let target = after_sign_in(next, second_factor);
            let mut response = continue_to(&target, "Signing in…")?;
            set_session_cookie(&mut response, &token);
            forget_browser(&mut response);
            Ok(response)
        }
        IdentitySignIn::Linked => {
            let mut response = continue_to("/account", "Linked")?;
            forget_browser(&mut response);
            Ok(response)
        }
        IdentitySignIn::Refused(refusal) => {
            let label = &provider.label;
            let message = match refusal {
                Refusal::EmailDomain => format!(
                    "That {label} account is not one Triad accepts here: only addresses at {} may \
                     sign in. Use your district account.",
                    provider.email_domains.join(", ")
                ),
                Refusal::EmailNotVerified => format!(
                    "{label} has not verified the email address of that account, so Triad cannot \
                     accept it. Ask your district's IT office."
                ),
                Refusal::Disabled => "Your Triad account is disabled. Ask a system administrator \
                     or your district's safety director."
                    .to_string(),
                Refusal::LinkEnded => "You were signed out of Triad before the link was made, \
                     so nothing was linked. Sign in and link again from your account page."
                    .to_string(),
                Refusal::LinkedElsewhere => format!(
                    "That {label} account is already linked to another Triad account. Sign in with \
                     it, or ask a system administrator."
                ),
            };
            login_page(&state, &next, &message, StatusCode::FORBIDDEN).await
        }
    }
}

/// A provider that could not be reached or gave an answer that failed its checks: the page
/// says which in words, the log says what exactly.
async fn failed(
    state: &AppState,
    provider: &Provider,
    failure: ProviderFailure,
    next: &str,
) -> WebResult<Response> {
    let label = &provider.label;
    let (message, status) = match failure {
        ProviderFailure::Unreachable(detail) => {
            tracing::warn!(provider = %provider.key, %detail, "identity provider unreachable");
            (
                format!(
                    "{label} did not answer. Try again in a few minutes; if you have a Triad \
                     password, you can sign in with it meanwhile."
                ),
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
        ProviderFailure::Rejected(detail) => {
            tracing::warn!(provider = %provider.key, %detail, "identity provider's answer refused");
            (
                format!(
                    "{label}'s answer could not be trusted, so you are not signed in. Try again; \
                     if it keeps happening, tell your district's IT office."
                ),
                StatusCode::UNAUTHORIZED,
            )
        }
    };
    login_page(state, next, &message, status).await
}

async fn login_page(
    state: &AppState,
    next: &str,
    message: &str,
    status: StatusCode,
) -> WebResult<Response> {
    let page = LoginPage::new(
        state,
        next.to_string(),
        Some(message.to_string()),
        String::new(),
    )
    .await?;
    let mut response = (status, render(&page)?).into_response();
    forget_browser(&mut response);
    Ok(response)
}

fn forget_browser(response: &mut Response) {
    set_cookie(
        response,
        &format!("{BROWSER_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
}

#[derive(Template)]
#[template(path = "auth/continue.html")]
struct ContinuePage {
    heading: String,
    target: String,
}

/// A page of Triad's that moves on to `target` itself. After a sign-in it is the answer that
/// sets the session: a redirect would carry on the provider's navigation, and the session
/// cookie (SameSite=Strict) is not sent on a navigation another site began; one Triad's own
/// page begins is.
fn continue_to(target: &str, heading: &str) -> WebResult<Response> {
    Ok(render(&ContinuePage {
        heading: heading.to_string(),
        target: target.to_string(),
    })?
    .into_response())
}

/// The account page's part: the identities linked, and the providers one may link.
pub struct IdentityLine {
    pub provider: String,
    pub email: String,
    pub issuer: String,
    pub subject: String,
    pub form: FormToken,
}

pub async fn account_identities(
    ctx: &Ctx,
) -> WebResult<(Vec<IdentityLine>, Vec<(String, String, FormToken)>)> {
    let providers = &ctx.state.config.providers;
    let linked = identity_sign_in::own_identities(ctx)
        .await?
        .into_iter()
        .map(|row| IdentityLine {
            provider: providers
                .find(&row.provider)
                .map_or_else(|| row.provider.clone(), |p| p.label.clone()),
            email: row.email.unwrap_or_default(),
            issuer: row.issuer,
            subject: row.subject,
            form: ctx.form(),
        })
        .collect();
    let linkable = providers
        .list
        .iter()
        .map(|p| (p.key.clone(), p.label.clone(), ctx.form()))
        .collect();
    Ok((linked, linkable))
}
