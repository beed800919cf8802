//! Every write passes the write guard: pages must carry a CSRF token made for this session,
//! and every write, page or API, carries an idempotency key so a double tap or a retry over a
//! flaky connection is recorded once and answered with the first answer.

use crate::context::{Credential, Ctx};
use crate::error::WebError;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use triad_domain::audit::Outcome;
use triad_store::idempotency::{self, Claim, PendingKey};

/// The largest request body Triad accepts (forms and JSON). Uploads get their own limit.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The hidden fields of one rendered form.
#[derive(Debug, Clone)]
pub struct FormToken {
    pub idem: String,
    pub csrf: String,
}

/// HMAC-SHA256 of the form's idempotency key under the session's CSRF secret. HMAC takes
/// keys of any length, so this yields `None` only in theory; a `None` never verifies.
fn sign(secret: &str, idem: &str) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(idem.as_bytes());
    Some(hex::encode(mac.finalize().into_bytes()))
}

impl FormToken {
    /// A fresh token for a form shown in a session with this CSRF secret.
    pub fn new(secret: &str) -> Self {
        let idem = triad_store::auth::new_secret("");
        let csrf = sign(secret, &idem).unwrap_or_default();
        Self { idem, csrf }
    }
}

fn verify(secret: &str, idem: &str, csrf: &str) -> bool {
    use subtle::ConstantTimeEq;
    match sign(secret, idem) {
        Some(expected) if !csrf.is_empty() => expected.as_bytes().ct_eq(csrf.as_bytes()).into(),
        _ => false,
    }
}

/// Paths that write before anyone is signed in: signing in, and choosing a new password by
/// email (the link's secret is the credential).
fn is_sign_in(path: &str) -> bool {
    matches!(path, "/login" | "/login/second-factor" | "/login/forgot")
        || path.starts_with("/login/reset/")
}

/// An anonymous survey answer, or stopping an email from its one-click link (RFC 8058): no
/// account and no session, so no CSRF token either; the link's code is the credential.
fn is_anonymous_answer(path: &str) -> bool {
    path.starts_with("/s/") || path.starts_with("/email/stop/")
}

/// What makes two requests the same request, for their idempotency key: the method, the path
/// and the body. A form with files is compared by its parts (names, file names and the files'
/// SHA-256), not its bytes: a client sending it again draws a new boundary between the parts.
async fn request_hash(
    method: &Method,
    path: &str,
    headers: &axum::http::HeaderMap,
    body: &axum::body::Bytes,
) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update([0]);
    h.update(path);
    h.update([0]);
    let parts = if is_multipart(headers) {
        multipart(headers, body.clone()).await.ok()
    } else {
        None
    };
    match parts {
        Some(parts) => {
            h.update("multipart");
            for part in parts {
                h.update([0]);
                h.update(&part.name);
                h.update([0]);
                h.update(part.file_name.as_deref().unwrap_or(""));
                h.update([0]);
                h.update(Sha256::digest(&part.bytes));
            }
        }
        None => h.update(body),
    }
    hex::encode(h.finalize())
}

/// The middleware.
pub async fn write_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match guard(state, request, next).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn guard(state: AppState, request: Request, next: Next) -> Result<Response, WebError> {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let limit = if is_multipart(&parts.headers) {
        state.config.upload_limit
    } else {
        BODY_LIMIT
    };
    // A declared length over the cap is refused without keeping a byte of it. A body only a
    // little over is read and dropped first, so the client (still sending) gets the answer
    // rather than a reset connection; a far larger one is cut off at once.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > limit) {
        if n <= 2 * limit {
            let _ = axum::body::to_bytes(body, 2 * limit).await;
        }
        return Err(WebError::PayloadTooLarge);
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebError::PayloadTooLarge)?;
    crate::nul::refuse_in_body(&parts.headers, &bytes)?;
    if is_sign_in(&path) || is_anonymous_answer(&path) {
        let request = Request::from_parts(parts, Body::from(bytes));
        return Ok(next.run(request).await);
    }
    let ctx = Ctx::identify(&parts, &state).await?;
    if matches!(
        ctx.credential,
        Credential::Token {
            read_only: true,
            ..
        }
    ) {
        return Err(WebError::from(
            ctx.deny(
                "this token may only read: make a token that may write for this",
                ("api_token", "write"),
            )
            .await,
        ));
    }
    let is_api = path.starts_with("/api/");
    let key = if is_api {
        parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .filter(|k| !k.is_empty() && k.len() <= 200)
            .ok_or_else(|| {
                WebError::BadRequest(
                    "every API write needs an Idempotency-Key header (1 to 200 characters)".into(),
                )
            })?
    } else {
        form_key(&ctx, &parts, &bytes).await?
    };
    let actor_key = ctx.actor.user.to_string();
    let hash = request_hash(&parts.method, &path, &parts.headers, &bytes).await;
    // A request with this key that is running here (it was when this one came, or its write
    // is recorded without an answer yet) is said to be still recording. One that ended
    // meanwhile kept its answer before it stopped: a second look finds it.
    let was_running = state.answers.is_running(&actor_key, &key);
    let mut earlier = earlier(&state, &actor_key, &key, &hash).await?;
    let unsettled = match earlier {
        Claim::Fresh => was_running,
        Claim::Recorded { .. } => true,
        Claim::Done { .. } | Claim::Mismatch => false,
    };
    if unsettled {
        if state.answers.is_running(&actor_key, &key) {
            return Ok(still_recording(is_api));
        }
        earlier = self::earlier(&state, &actor_key, &key, &hash).await?;
    }
    match earlier {
        Claim::Fresh => {}
        Claim::Done {
            status,
            location,
            body,
        } => return Ok(replay(status, location, body)),
        Claim::Recorded { record_id, .. } => {
            // Its write is saved and nobody here is answering it: the server stopped between
            // the commit and storing the answer, or another instance is still answering. Say
            // it was recorded, and which record it made.
            let answer = recorded(is_api, record_id, (&actor_key, &key, &hash), state.now());
            let response = replay(answer.status, answer.location.clone(), answer.body.clone());
            state.answers.keep(&state.db, answer);
            return Ok(response);
        }
        Claim::Mismatch => {
            return Err(WebError::Conflict(
                "this idempotency key was already used for a different request".into(),
            ))
        }
    }
    let pending = PendingKey::new(&actor_key, &key, &hash, ctx.now);
    let running = state.answers.start(&actor_key, &key);
    parts.extensions.insert(ctx);
    // A write, once accepted, runs to its end even if the client hangs up half-way: nothing
    // accepted is lost, and no transaction is left half-done. Its first transaction records
    // the key (one commit for both).
    let request = Request::from_parts(parts, Body::from(bytes));
    let answer_within = state.config.write_answer_within;
    let mut task = tokio::spawn(async move {
        let response = idempotency::with_key(pending.clone(), next.run(request)).await;
        let settled = settle(
            &state,
            &pending,
            (&actor_key, &key, &hash),
            is_api,
            response,
        )
        .await;
        drop(running);
        settled
    });
    match tokio::time::timeout(answer_within, &mut task).await {
        Ok(joined) => {
            joined.map_err(|e| WebError::Internal(format!("a write task failed: {e}")))?
        }
        // The write goes on, and its answer is kept for the same key: never "not saved" for
        // a write that may be saving.
        Err(_) => Ok(still_recording(is_api)),
    }
}

/// The answer to a write still being worked on: `202`, and the same request with the same
/// key learns how it ended.
fn still_recording(is_api: bool) -> Response {
    let message = "this is still being recorded: send the same request again (with the same \
                   key) in a few seconds to learn how it ended";
    let mut response = if is_api {
        let body = serde_json::json!({ "recording": true, "message": message });
        let mut response = (StatusCode::ACCEPTED, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    } else {
        let page = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
                    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                    <title>Still saving</title><link rel=\"stylesheet\" href=\"/static/style.css\">\
                    <main><h1>Still saving</h1><p>Many people are saving at this moment. What you \
                    sent is being recorded: reload this page in a few seconds (and send it again \
                    when asked) to see that it was saved. It will not be saved twice.</p>\
                    <p><a href=\"/\">Home</a></p></main></html>";
        (StatusCode::ACCEPTED, axum::response::Html(page)).into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

/// What became of an earlier request with this key: an answer this instance has not stored
/// yet, or what the database holds.
async fn earlier(
    state: &AppState,
    actor_key: &str,
    key: &str,
    hash: &str,
) -> Result<Claim, WebError> {
    Ok(match state.answers.claim(actor_key, key, hash) {
        Some(claim) => claim,
        None => state.key_lookups.lookup(actor_key, key, hash).await?,
    })
}

/// Checks the CSRF token of a page form and returns its idempotency key.
async fn form_key(
    ctx: &Ctx,
    parts: &axum::http::request::Parts,
    body: &axum::body::Bytes,
) -> Result<String, WebError> {
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let fields: Vec<(String, String)> = if is_form {
        serde_urlencoded::from_bytes(body)
            .map_err(|_| WebError::BadRequest("the form could not be read".into()))?
    } else if is_multipart(&parts.headers) {
        multipart(&parts.headers, body.clone())
            .await?
            .into_iter()
            .filter(|p| p.file_name.is_none())
            .map(|p| (p.name.clone(), p.text()))
            .collect()
    } else {
        return Err(WebError::UnsupportedMediaType);
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (idem, csrf) = (field("_idem"), field("_csrf"));
    let valid = ctx
        .csrf_secret()
        .is_some_and(|secret| !idem.is_empty() && verify(secret, &idem, &csrf));
    if !valid {
        let event = ctx
            .event("security.csrf.rejected", Outcome::Denied)
            .record("path", parts.uri.path());
        triad_store::audit::record(&ctx.state.db, event, ctx.now).await?;
        return Err(WebError::Forbidden(
            "this form has expired or did not come from this Triad page; reload the page and try again"
                .into(),
        ));
    }
    Ok(idem)
}

/// Keeps a successful answer for replays. A failed request whose write was not saved leaves
/// no key behind, so the person can correct it and send it again. A request that failed after
/// its write was saved is answered that it was recorded (and kept so): a key is never freed
/// once its write committed, or the retry would write it twice.
async fn settle(
    state: &AppState,
    pending: &PendingKey,
    (actor_key, key, request_hash): (&str, &str, &str),
    is_api: bool,
    response: Response,
) -> Result<Response, WebError> {
    let status = response.status();
    if !(status.is_success() || status.is_redirection()) {
        if !pending.was_taken() {
            return Ok(response);
        }
        tracing::error!(%status, "a write was saved and its request failed after; answered as recorded");
        let answer = recorded(
            is_api,
            pending.record(),
            (actor_key, key, request_hash),
            state.now(),
        );
        let response = replay(answer.status, answer.location.clone(), answer.body.clone());
        state.answers.keep(&state.db, answer);
        return Ok(response);
    }
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let shown_once = response.extensions().get::<ShownOnce>().is_some();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * BODY_LIMIT)
        .await
        .map_err(|e| WebError::Internal(format!("reading a response: {e}")))?;
    let answer = idempotency::Answer {
        actor_key: actor_key.to_string(),
        key: key.to_string(),
        request_hash: request_hash.to_string(),
        status: status.as_u16(),
        location,
        body: Some(replay_body(&bytes, shown_once)),
        at: state.now().millis(),
    };
    state.answers.keep(&state.db, answer);
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Marks an answer that carries a secret shown once (a new API token, recovery codes, a
/// campaign's one-time links): its replay says so instead of showing it again.
#[derive(Debug, Clone, Copy)]
pub struct ShownOnce;

/// What a replay of an answer says, and all that is kept of it: the record's id when the
/// answer named one, never the answer itself. An answer may hold a secret shown once, or a
/// record's content that the person may no longer be allowed to read by the time they retry;
/// the id lets a client read the record again through the access policy.
fn replay_body(answer: &[u8], shown_once: bool) -> String {
    // The answer's own id, or the id of the one record it wraps ({"campaign": {"id": …}}).
    let id = serde_json::from_slice::<serde_json::Value>(answer)
        .ok()
        .and_then(|v| {
            let direct = v.get("id").cloned();
            let wrapped = v
                .as_object()
                .and_then(|o| o.values().find_map(|inner| inner.get("id").cloned()));
            direct.or(wrapped)
        })
        .and_then(|id| id.as_str().map(str::to_string));
    let message = if shown_once {
        "this was already recorded; what it showed once (a secret) is not kept and cannot be \
         shown again: make a new one if it was lost"
    } else {
        "this was already recorded; read the record for its details"
    };
    let mut out = serde_json::json!({ "replayed": true, "message": message });
    if let Some(id) = id {
        out["id"] = serde_json::Value::String(id);
    }
    out.to_string()
}

/// The answer to a write that is saved but whose own answer is not known (it failed after the
/// commit, or the server stopped before keeping it): the API is told it was recorded and the
/// record's id; a page goes home, where the record shows.
fn recorded(
    is_api: bool,
    record_id: Option<String>,
    (actor_key, key, request_hash): (&str, &str, &str),
    now: triad_domain::Timestamp,
) -> idempotency::Answer {
    let (status, location, body) = if is_api {
        let mut body = serde_json::json!({
            "replayed": true,
            "message": "this was recorded; its answer was not kept: read the record for its details",
        });
        if let Some(id) = record_id {
            body["id"] = serde_json::Value::String(id);
        }
        (200, None, Some(body.to_string()))
    } else {
        (303, Some("/".to_string()), None)
    };
    idempotency::Answer {
        actor_key: actor_key.to_string(),
        key: key.to_string(),
        request_hash: request_hash.to_string(),
        status,
        location,
        body,
        at: now.millis(),
    }
}

fn replay(status: u16, location: Option<String>, body: Option<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let (true, Some(location)) = (status.is_redirection(), &location) {
        return Redirect::to(location).into_response();
    }
    let mut response = (status, body.unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if status != StatusCode::NO_CONTENT {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

pub use triad_app::input::checkbox;

pub use triad_app::input::{text_fields, Part};

/// Whether a request carries a multipart body (a form with files).
pub fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Reads a buffered multipart body into its parts. The write guard has already capped its
/// size, so reading it whole is bounded.
pub async fn multipart(
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Vec<Part>, WebError> {
    let unreadable = || WebError::BadRequest("the form with files could not be read".into());
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(unreadable)?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut reader = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = reader.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| unreadable())?;
        // A file is bytes and may hold zeros; a text field or a name may not.
        let text_nul = file_name.is_none() && bytes.contains(&0);
        if text_nul || name.contains('\0') || file_name.as_deref().is_some_and(|f| f.contains('\0'))
        {
            return Err(crate::nul::refused(&name.replace('\0', "\\0")));
        }
        parts.push(Part {
            name,
            file_name,
            bytes,
        });
    }
    Ok(parts)
}

/// The first non-empty file sent under a field name.
pub fn file(parts: &[Part], name: &str) -> Option<axum::body::Bytes> {
    parts
        .iter()
        .find(|p| p.name == name && p.file_name.is_some() && !p.bytes.is_empty())
        .map(|p| p.bytes.clone())
}

/// A write's fields from a JSON body, a form, or a form with files; with the file sent under
/// `file_field`, if any. Pages and the API share it.
pub async fn read_input<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
    file_field: &str,
) -> Result<(T, Option<axum::body::Bytes>), WebError> {
    let unreadable = || WebError::BadRequest("the form could not be read".into());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if is_multipart(headers) {
        let parts = multipart(headers, body).await?;
        return Ok((text_fields(&parts)?, file(&parts, file_field)));
    }
    if content_type.starts_with("application/json") {
        return serde_json::from_slice(&body)
            .map(|v| (v, None))
            .map_err(|e| WebError::BadRequest(format!("the JSON could not be read: {e}")));
    }
    serde_urlencoded::from_bytes(&body)
        .map(|v| (v, None))
        .map_err(|_| unreadable())
}
