//! Sign-in with lockout and per-address throttling, the second-factor step, sign-out.

use crate::context::{source_of, Credential, Ctx, SESSION_COOKIE};
use crate::error::{WebError, WebResult};
use crate::routes::Routes;
use crate::views::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth as rules;
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;

pub fn routes() -> Routes {
    Routes::default()
        .get("/login", login_page)
        .post("/login", login_submit)
        .get("/login/second-factor", second_factor_page)
        .post("/login/second-factor", second_factor_submit)
        .post("/logout", logout)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    error: Option<String>,
    username: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only paths on this site are followed after sign-in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn login_page(Query(q): Query<NextQuery>) -> WebResult<Html<String>> {
    render(&LoginPage {
        next: safe_next(&q.next),
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The address failures are counted against; requests with none share one bucket.
pub fn sign_in_source(parts: &Parts, state: &AppState) -> String {
    source_of(parts, state).unwrap_or_else(|| "unknown".into())
}

enum Outcome2 {
    Session { token: String, second_factor: bool },
    Refused(WebError),
}

async fn login_submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    let source = sign_in_source(&parts, &state);
    let cross_site = parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site");
    if cross_site {
        return Err(WebError::Forbidden(
            "sign in from the Triad sign-in page".into(),
        ));
    }
    let next = safe_next(&form.next);
    match sign_in(&state, &form.username, &form.password, &source).await? {
        Outcome2::Session {
            token,
            second_factor,
        } => {
            let target = if second_factor {
                format!("/login/second-factor?next={}", urlencode(&next))
            } else {
                next
            };
            let mut response = Redirect::to(&target).into_response();
            set_session_cookie(&mut response, &token);
            Ok(response)
        }
        Outcome2::Refused(WebError::Unauthenticated) => {
            let page = LoginPage {
                next,
                error: Some(
                    "The user name or password is not right. Check them and try again.".into(),
                ),
                username: form.username.trim().to_string(),
            };
            Ok((axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
        Outcome2::Refused(other) => Err(other),
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// The cookie: `__Host-` (no Domain, Path=/, Secure), HttpOnly, SameSite=Strict. Browsers
/// accept Secure cookies over plain HTTP on loopback; elsewhere TLS is required.
fn set_session_cookie(response: &mut Response, token: &str) {
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn clear_session_cookie(response: &mut Response) {
    let cookie = format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn failure_event(user: Option<Id>, source: &str, action: &str, outcome: Outcome) -> AuditEvent {
    let mut event = AuditEvent::new(user, action, outcome).source(Some(source.to_string()));
    if let Some(u) = user {
        event = event.record("user", u);
    }
    event
}

/// Checks credentials, counting failures per account and address, per account, and per
/// address. A stranger at one address can lock an account only for that address, so the
/// officer signing in from elsewhere is not kept out.
async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    source: &str,
) -> WebResult<Outcome2> {
    let now = state.now();
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let db = &state.db;
    let mut conn = db.acquire().await?;
    if store::count_failures(&mut conn, None, Some(source), window).await?
        >= rules::FAILURES_PER_ADDRESS
    {
        triad_store::audit::record(
            db,
            failure_event(None, source, "auth.login.throttled", Outcome::Denied),
            now,
        )
        .await?;
        return Ok(Outcome2::Refused(WebError::TooManyRequests(
            "too many failed sign-ins from this address; wait 15 minutes and try again".into(),
        )));
    }
    let name = username.trim().to_lowercase();
    let user = store::user_by_name(&mut conn, &name)
        .await?
        .filter(|u| !u.disabled);
    let Some(user) = user else {
        // Spend the same time as a real check so user names cannot be probed by timing.
        store::spend_verification_time(password.to_string()).await;
        let mut tx = db.begin().await?;
        store::record_failure(&mut tx, &name, None, source, now).await?;
        triad_store::audit::append(
            &mut tx,
            failure_event(None, source, "auth.login.failure", Outcome::Failed),
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(Outcome2::Refused(WebError::Unauthenticated));
    };
    let user_id = user.user_id();
    if let Some(lock) = store::active_lock(&mut conn, user_id, source, now).await? {
        triad_store::audit::record(
            db,
            failure_event(Some(user_id), source, "auth.login.locked", Outcome::Denied),
            now,
        )
        .await?;
        let minutes = (lock.locked_until - now.millis()).div_euclid(60_000) + 1;
        return Ok(Outcome2::Refused(WebError::Forbidden(format!(
            "this account is locked after repeated failed sign-ins; try again in {minutes} minutes or ask a system administrator to unlock it"
        ))));
    }
    drop(conn);
    if !store::verify_password(password.to_string(), user.password_hash.clone()).await {
        record_failed_password(state, user_id, &name, source, now).await?;
        return Ok(Outcome2::Refused(WebError::Unauthenticated));
    }
    let token = store::new_secret("");
    let csrf_secret = store::new_secret("");
    let second_factor = user.totp_enabled;
    let mut tx = db.begin().await?;
    store::insert_session(
        &mut tx,
        &store::secret_hash(&token),
        user_id,
        &csrf_secret,
        !second_factor,
        Some(source.to_string()),
        now,
    )
    .await?;
    let action = if second_factor {
        "auth.login.password_ok"
    } else {
        "auth.login.success"
    };
    triad_store::audit::append(
        &mut tx,
        failure_event(Some(user_id), source, action, Outcome::Ok),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome2::Session {
        token,
        second_factor,
    })
}

/// Records a wrong password and locks the account when a limit is reached.
async fn record_failed_password(
    state: &AppState,
    user: Id,
    name: &str,
    source: &str,
    now: Timestamp,
) -> WebResult<()> {
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let mut tx = state.db.begin().await?;
    store::record_failure(&mut tx, name, Some(user), source, now).await?;
    triad_store::audit::append(
        &mut tx,
        failure_event(Some(user), source, "auth.login.failure", Outcome::Failed),
        now,
    )
    .await?;
    let here = store::count_failures(&mut tx, Some(user), Some(source), window).await?;
    let everywhere = store::count_failures(&mut tx, Some(user), None, window).await?;
    let lock_source = if everywhere >= rules::FAILURES_PER_ACCOUNT {
        Some(None)
    } else if here >= rules::FAILURES_PER_ACCOUNT_AND_ADDRESS {
        Some(Some(source))
    } else {
        None
    };
    if let Some(scope) = lock_source {
        let earlier = store::locks_since(&mut tx, user, now.minus_minutes(24 * 60)).await?;
        let until = now.plus_minutes(rules::lock_minutes(earlier));
        let lock = store::insert_lock(&mut tx, user, scope, now, until).await?;
        let event = failure_event(Some(user), source, "auth.lock", Outcome::Denied)
            .record("account_lock", lock);
        triad_store::audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    next: String,
    error: Option<String>,
}

async fn second_factor_page(Query(q): Query<NextQuery>) -> WebResult<Html<String>> {
    render(&SecondFactorPage {
        next: safe_next(&q.next),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// Completes a sign-in with a code from the authenticator app or a recovery code.
async fn second_factor_submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<SecondFactorForm>,
) -> WebResult<Response> {
    let now = state.now();
    let source = sign_in_source(&parts, &state);
    let token = crate::context::cookie(&parts, SESSION_COOKIE).ok_or(WebError::Unauthenticated)?;
    let token_hash = store::secret_hash(token);
    let mut conn = state.db.acquire().await?;
    let session = store::session_by_hash(&mut conn, &token_hash)
        .await?
        .ok_or(WebError::Unauthenticated)?;
    let alive = rules::session_alive(
        Timestamp::from_millis(session.created_at),
        Timestamp::from_millis(session.last_seen_at),
        now,
    );
    let user_id = Id::parse(&session.user_id).ok_or(WebError::Unauthenticated)?;
    let user = store::user_by_id(&mut conn, user_id)
        .await?
        .ok_or(WebError::Unauthenticated)?;
    drop(conn);
    if !alive || user.disabled {
        return Err(WebError::Unauthenticated);
    }
    let code = form.code.trim().replace(' ', "");
    let totp_ok = user
        .totp_secret
        .as_deref()
        .is_some_and(|secret| crate::auth::account::totp_matches(secret, &code, now));
    let mut tx = state.db.begin().await?;
    let ok = totp_ok || store::use_recovery_code(&mut tx, user_id, &code, now).await?;
    let next = safe_next(&form.next);
    if ok {
        store::complete_second_factor(&mut tx, &token_hash).await?;
        triad_store::audit::append(
            &mut tx,
            failure_event(Some(user_id), &source, "auth.login.success", Outcome::Ok),
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(Redirect::to(&next).into_response());
    }
    store::record_failure(&mut tx, &user.username, Some(user_id), &source, now).await?;
    triad_store::audit::append(
        &mut tx,
        failure_event(
            Some(user_id),
            &source,
            "auth.second_factor.failure",
            Outcome::Failed,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let page = SecondFactorPage {
        next,
        error: Some(
            "That code is not right. Enter the current code from your app, or a recovery code."
                .into(),
        ),
    };
    Ok((axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response())
}

/// Ends this session.
async fn logout(ctx: Ctx) -> WebResult<Response> {
    if let Credential::Session { token_hash, .. } = &ctx.credential {
        let mut tx = ctx.state.db.begin().await?;
        store::delete_session(&mut tx, token_hash).await?;
        triad_store::audit::append(
            &mut tx,
            ctx.event("auth.logout", Outcome::Ok)
                .record("user", ctx.actor.user),
            ctx.now,
        )
        .await?;
        tx.commit().await?;
        // Pages of this session still open elsewhere stop hearing its campuses.
        ctx.state
            .live
            .end_streams(&crate::live::holder_of(&ctx.credential));
    }
    let mut response = Redirect::to("/login").into_response();
    clear_session_cookie(&mut response);
    Ok(response)
}
