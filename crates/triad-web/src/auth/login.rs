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
#[template(path = "auth/login.html")]
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

/// Only paths on this site are followed after sign-in: a single leading slash, then printable
/// ASCII with no backslash. Browsers drop tabs and newlines from a URL (`/<TAB>/host` becomes
/// `//host`, another site) and read a backslash as a slash, so neither is let through;
/// anything else goes home.
fn safe_next(next: &str) -> String {
    let on_this_site = next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if on_this_site {
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

/// What a refused sign-in says, whatever the reason: a wrong password, a name that does not
/// exist, or an account locked after repeated failures all read the same, so a stranger
/// cannot learn which names exist. The lock shows on the Users page and the audit trail.
const NOT_SIGNED_IN: &str = "The user name or password is not right, or the account is locked \
    for a while after repeated failed sign-ins. Check them and try again later, or ask a \
    system administrator.";

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
                error: Some(NOT_SIGNED_IN.into()),
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
        store::spend_verification_time(password.to_string()).await?;
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
    if store::active_lock(&mut conn, user_id, source, now)
        .await?
        .is_some()
    {
        drop(conn);
        // The same check and the same answer as a wrong password: the lock is not told.
        store::spend_verification_time(password.to_string()).await?;
        triad_store::audit::record(
            db,
            failure_event(Some(user_id), source, "auth.login.locked", Outcome::Denied),
            now,
        )
        .await?;
        return Ok(Outcome2::Refused(WebError::Unauthenticated));
    }
    drop(conn);
    if !store::verify_password(password.to_string(), user.password_hash.clone()).await? {
        record_failure(state, user_id, &name, source, now, "auth.login.failure").await?;
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

/// Records a wrong password or second-factor code (`action` says which) and locks the
/// account when a limit is reached: both count against the same limits.
async fn record_failure(
    state: &AppState,
    user: Id,
    name: &str,
    source: &str,
    now: Timestamp,
    action: &str,
) -> WebResult<()> {
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let mut tx = state.db.begin().await?;
    store::record_failure(&mut tx, name, Some(user), source, now).await?;
    triad_store::audit::append(
        &mut tx,
        failure_event(Some(user), source, action, Outcome::Failed),
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
#[template(path = "auth/second_factor.html")]
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
    if !alive || user.disabled {
        return Err(WebError::Unauthenticated);
    }
    let next = safe_next(&form.next);
    // The same throttle and locks as passwords: a guesser of codes is stopped like a guesser
    // of passwords.
    let window = now.minus_minutes(rules::FAILURE_WINDOW_MINUTES);
    let throttled = store::count_failures(&mut conn, None, Some(&source), window).await?
        >= rules::FAILURES_PER_ADDRESS;
    let locked = store::active_lock(&mut conn, user_id, &source, now)
        .await?
        .is_some();
    drop(conn);
    if throttled || locked {
        return end_pending_sign_in(&state, &token_hash, user_id, &source, "auth.login.locked")
            .await;
    }
    // One try is taken before the code is checked, so a burst of guesses sent at once gets
    // no more than SECOND_FACTOR_TRIES checks between them.
    let mut tx = state.db.begin().await?;
    let tried =
        store::take_second_factor_try(&mut tx, &token_hash, rules::SECOND_FACTOR_TRIES).await?;
    tx.commit().await?;
    let ended = "auth.second_factor.ended";
    let Some(tries) = tried else {
        return end_pending_sign_in(&state, &token_hash, user_id, &source, ended).await;
    };
    let code = form.code.trim().replace(' ', "");
    let step = user
        .totp_secret
        .as_deref()
        .and_then(|secret| crate::auth::account::totp_step(secret, &code, now));
    let mut tx = state.db.begin().await?;
    // A code is taken once: its step must be later than every step accepted before (RFC 6238
    // section 5.2), so a code seen over a shoulder or replayed from another address fails.
    let ok = match step {
        Some(step) => store::take_totp_step(&mut tx, user_id, step).await?,
        None => store::use_recovery_code(&mut tx, user_id, &code, now).await?,
    };
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
    drop(tx);
    record_failure(
        &state,
        user_id,
        &user.username,
        &source,
        now,
        "auth.second_factor.failure",
    )
    .await?;
    // That was the last try this sign-in had: it ends, and the person starts again.
    if tries >= rules::SECOND_FACTOR_TRIES {
        return end_pending_sign_in(&state, &token_hash, user_id, &source, ended).await;
    }
    let page = SecondFactorPage {
        next,
        error: Some(
            "That code is not right. Enter the current code from your app, or a recovery code."
                .into(),
        ),
    };
    Ok((axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response())
}

/// Ends a sign-in waiting for its second factor (too many wrong codes, or the account locked
/// meanwhile): the person starts again from the password.
async fn end_pending_sign_in(
    state: &AppState,
    token_hash: &str,
    user: Id,
    source: &str,
    action: &str,
) -> WebResult<Response> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    store::delete_session(&mut tx, token_hash).await?;
    triad_store::audit::append(
        &mut tx,
        failure_event(Some(user), source, action, Outcome::Denied),
        now,
    )
    .await?;
    tx.commit().await?;
    let page = LoginPage {
        next: "/".into(),
        error: Some(
            "This sign-in has ended: too many wrong codes, or the account is locked for a while \
             after repeated failures. Sign in again later, or ask a system administrator."
                .into(),
        ),
        username: String::new(),
    };
    let mut response = (axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response();
    clear_session_cookie(&mut response);
    Ok(response)
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
        ctx.state.live.end_streams(&ctx.credential.holder_key());
    }
    let mut response = Redirect::to("/login").into_response();
    clear_session_cookie(&mut response);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for kept in [
            "/",
            "/campuses/abc/status",
            "/reports/activity?month=2026-10",
        ] {
            assert_eq!(safe_next(kept), kept);
        }
        for sent_home in [
            "",
            "//example.org",
            "/\t/example.org",
            "/\n/example.org",
            "/\r/example.org",
            "/\\example.org",
            "/\\/example.org",
            "https://example.org/",
            "example.org",
            "/caf\u{e9}",
            "/a b",
            "/\u{0}",
        ] {
            assert_eq!(safe_next(sent_home), "/", "{sent_home:?}");
        }
    }
}
