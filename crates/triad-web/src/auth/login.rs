//! Sign-in with lockout and per-address throttling, the second-factor step, sign-out.

use crate::context::{source_of, Ctx, SESSION_COOKIE};
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
use triad_app::sign_in::{self, CodeSignIn, PasswordSignIn};
use triad_store::auth as store;

pub fn routes() -> Routes {
    Routes::default()
        .get("/login", login_page)
        .post("/login", login_submit)
        .get("/login/second-factor", second_factor_page)
        .post("/login/second-factor", second_factor_submit)
        .post("/logout", logout)
        .post("/account/sign-out-everywhere", sign_out_everywhere)
}

#[derive(Template)]
#[template(path = "auth/login.html")]
pub(super) struct LoginPage {
    next: String,
    error: Option<String>,
    username: String,
    /// A forgotten password can be reset by email here.
    email_reset: bool,
    /// Each identity provider's sign-in address and label.
    providers: Vec<(String, String)>,
    /// Only system administrators sign in with a password: the form is folded away.
    passwords_folded: bool,
}

impl LoginPage {
    pub(super) async fn new(
        state: &AppState,
        next: String,
        error: Option<String>,
        username: String,
    ) -> WebResult<Self> {
        let providers: Vec<(String, String)> = state
            .config
            .providers
            .list
            .iter()
            .map(|p| {
                let query =
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                (format!("/login/with/{}?{query}", p.key), p.label.clone())
            })
            .collect();
        let passwords_folded = !providers.is_empty()
            && !store::passwords_for_everyone(&mut state.db.acquire().await?).await?;
        Ok(Self {
            next,
            error,
            username,
            email_reset: super::reset::email_reset(state).is_some(),
            providers,
            passwords_folded,
        })
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    pub(super) next: String,
}

/// Only paths on this site are followed after sign-in: a single leading slash, then printable
/// ASCII with no backslash. Browsers drop tabs and newlines from a URL (`/<TAB>/host` becomes
/// `//host`, another site) and read a backslash as a slash, so neither is let through;
/// anything else goes home.
pub(super) fn safe_next(next: &str) -> String {
    // A page address is short; a long one is someone's payload (it would also be kept).
    let on_this_site = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if on_this_site {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> WebResult<Html<String>> {
    render(&LoginPage::new(&state, safe_next(&q.next), None, String::new()).await?)
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

async fn login_submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    let source = sign_in_source(&parts, &state);
    refuse_cross_site(&parts, "sign in from the Triad sign-in page")?;
    let next = safe_next(&form.next);
    match sign_in::with_password(&state, &form.username, &form.password, &source).await? {
        PasswordSignIn::Session {
            token,
            second_factor,
        } => {
            let mut response = Redirect::to(&after_sign_in(next, second_factor)).into_response();
            set_session_cookie(&mut response, &token);
            Ok(response)
        }
        PasswordSignIn::Refused => {
            let username = form.username.trim().to_string();
            let page = LoginPage::new(&state, next, Some(NOT_SIGNED_IN.into()), username).await?;
            Ok((axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
        PasswordSignIn::Throttled => Err(WebError::TooManyRequests(
            "too many failed sign-ins from this address; wait 15 minutes and try again".into(),
        )),
    }
}

/// Forms sent before anyone is signed in (signing in, choosing a new password) come from
/// Triad's own pages: a browser that says the form came from another site is refused.
pub(super) fn refuse_cross_site(parts: &Parts, what_to_do: &str) -> WebResult<()> {
    let cross_site = parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site");
    if cross_site {
        return Err(WebError::Forbidden(what_to_do.into()));
    }
    Ok(())
}

/// Where a new session goes: to `next`, or first to its second factor's code.
pub(super) fn after_sign_in(next: String, second_factor: bool) -> String {
    if second_factor {
        format!("/login/second-factor?next={}", urlencode(&next))
    } else {
        next
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// The cookie: `__Host-` (no Domain, Path=/, Secure), HttpOnly, SameSite=Strict. Browsers
/// accept Secure cookies over plain HTTP on loopback; elsewhere TLS is required.
pub(super) fn set_session_cookie(response: &mut Response, token: &str) {
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
    let source = sign_in_source(&parts, &state);
    let token = crate::context::cookie(&parts, SESSION_COOKIE).ok_or(WebError::Unauthenticated)?;
    let token_hash = store::secret_hash(token);
    let next = safe_next(&form.next);
    match sign_in::with_code(&state, &token_hash, &form.code, &source).await? {
        CodeSignIn::NotPending => Err(WebError::Unauthenticated),
        CodeSignIn::SignedIn => Ok(Redirect::to(&next).into_response()),
        CodeSignIn::WrongCode => {
            let page = SecondFactorPage {
                next,
                error: Some(
                    "That code is not right. Enter the current code from your app, or a recovery code."
                        .into(),
                ),
            };
            Ok((axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
        CodeSignIn::Ended => {
            let ended = "This sign-in has ended: too many wrong codes, or the account is locked \
                for a while after repeated failures. Sign in again later, or ask a system \
                administrator.";
            let page =
                LoginPage::new(&state, "/".into(), Some(ended.into()), String::new()).await?;
            let mut response =
                (axum::http::StatusCode::UNAUTHORIZED, render(&page)?).into_response();
            clear_session_cookie(&mut response);
            Ok(response)
        }
    }
}

/// Ends this session.
async fn logout(ctx: Ctx) -> WebResult<Response> {
    sign_in::sign_out(&ctx).await?;
    let mut response = Redirect::to("/login").into_response();
    clear_session_cookie(&mut response);
    Ok(response)
}

/// Ends every session of the person, this one too, and leaves them at the sign-in page.
async fn sign_out_everywhere(ctx: Ctx) -> WebResult<Response> {
    sign_in::sign_out_everywhere(&ctx).await?;
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
