//! The layers around every route: errors rendered for people or programs, security headers,
//! the write guard, body and time limits. Also the few routes anyone may fetch.

use crate::error::ErrorBody;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Router;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
                   object-src 'none'";

pub fn layers(router: Router<AppState>, state: AppState) -> Router<AppState> {
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::forms::write_guard,
        ))
        .layer(middleware::from_fn(crate::nul::refuse_in_query))
        // The write guard caps each kind of body (forms, JSON, uploads) before handlers read it.
        .layer(DefaultBodyLimit::max(
            state.config.upload_limit.max(crate::forms::BODY_LIMIT),
        ))
        .layer(middleware::from_fn(render_errors))
        .layer(middleware::from_fn_with_state(state, headers))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

pub fn routes() -> Routes {
    Routes::default()
        .get("/static/style.css", style)
        .get("/static/app.js", script)
        .get("/static/live-worker.js", live_worker)
        .get("/healthz", health)
        .get("/health/ready", ready)
}

const STYLE: &str = include_str!("../static/style.css");
const SCRIPT: &str = include_str!("../static/app.js");
const LIVE_WORKER: &str = include_str!("../static/live-worker.js");

/// Changes whenever a static file does: pages ask for `/static/…?v=<this>`, so a browser that
/// kept an earlier release's script for its hour of caching still loads the new one with the
/// pages that need it.
pub fn asset_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest([STYLE, SCRIPT, LIVE_WORKER].concat());
        hex::encode(&digest[..6])
    })
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

/// The shared worker that holds a browser's one live status stream for all its Triad pages.
async fn live_worker() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LIVE_WORKER,
    )
}

async fn health(State(state): State<AppState>) -> Response {
    match state.db.acquire().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Ready to serve: the database answers and changes made on every instance reach this one
/// (on PostgreSQL, the live-status listener is connected and has caught up). A load balancer
/// sends nobody here before.
async fn ready(State(state): State<AppState>) -> Response {
    if state.db.acquire().await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    if !state.live.is_listening() {
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            "live status not connected yet",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    (StatusCode::OK, "ready").into_response()
}

async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.behind_tls_proxy {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    heading: String,
    message: String,
    /// Each field at fault, named in words, and what is wrong with it.
    fields: Vec<(String, String)>,
    /// The page the refused form was on.
    back: Option<String>,
}

/// The header a page's script sends a form with (see `static/app.js`).
pub const FORM_SENT_BY_SCRIPT: &str = "x-triad-form";

/// A field's name as people read it: `search_basis` is "Search basis".
fn field_in_words(field: &str) -> String {
    let spaced = field.replace(['_', '.'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "The form".into(),
    }
}

/// Turns every error (ours, or a rejection from the framework) into a page for people or
/// JSON for the API, with nothing of the internals.
async fn render_errors(request: Request, next: Next) -> Response {
    // A page's form sent by the page's script wants the error as data, to show each message
    // beside its field on the page as it was filled.
    let from_page_script = request.headers().contains_key(FORM_SENT_BY_SCRIPT);
    let is_api = request.uri().path().starts_with("/api/") || from_page_script;
    // Where a page's form came from, to send the person back to it.
    let came_from = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| axum::http::Uri::try_from(v).ok())
        .filter(|u| u.path().starts_with('/'))
        .and_then(|u| u.path_and_query().map(|p| p.to_string()));
    let next_path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let enrol_first = response
        .extensions()
        .get::<crate::error::EnrolFirst>()
        .is_some();
    // When to try again (a busy server) stays with the answer, page or JSON.
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let with_retry = |mut out: Response| {
        if let Some(value) = retry_after.clone() {
            out.headers_mut().insert(header::RETRY_AFTER, value);
        }
        out
    };
    let body = match response.extensions().get::<ErrorBody>() {
        Some(body) => body.clone(),
        // A page a handler rendered itself (the sign-in form with its message) stays as it is.
        None if is_html(&response) => return response,
        None => framework_error(status, response).await,
    };
    if is_api {
        let mut out = (status, axum::Json(&body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            out.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return with_retry(out);
    }
    if enrol_first {
        return Redirect::to("/account/second-factor").into_response();
    }
    if status == StatusCode::UNAUTHORIZED {
        let target = format!("/login?next={}", urlencode(&next_path));
        return Redirect::to(&target).into_response();
    }
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found".to_string(),
        StatusCode::FORBIDDEN => "Not allowed".to_string(),
        StatusCode::UNPROCESSABLE_ENTITY => "Please check the form".to_string(),
        s if s.is_server_error() => "Something went wrong".to_string(),
        s => s.canonical_reason().unwrap_or("Error").to_string(),
    };
    let page = ErrorPage {
        heading,
        message: body.message,
        fields: body
            .fields
            .into_iter()
            .map(|f| (field_in_words(f.field), f.message))
            .collect(),
        back: came_from.filter(|_| status == StatusCode::UNPROCESSABLE_ENTITY),
    };
    with_retry(match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "Something went wrong.").into_response(),
    })
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// A rejection from the framework (a malformed form or JSON body, a wrong content type, a
/// route that does not exist) as an error body. Its text names fields, never internals.
async fn framework_error(status: StatusCode, response: Response) -> ErrorBody {
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let message = match status {
        StatusCode::NOT_FOUND => "there is nothing here".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "this address does not accept that method".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => "the request is larger than Triad accepts".to_string(),
        s if s.is_server_error() => "something went wrong on our side".to_string(),
        _ if text.is_empty() => status.canonical_reason().unwrap_or("error").to_string(),
        _ => text,
    };
    ErrorBody {
        error: status
            .canonical_reason()
            .unwrap_or("error")
            .to_lowercase()
            .replace(' ', "_"),
        message,
        fields: Vec::new(),
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
