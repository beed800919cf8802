//! The acting person on every request: who they are (from their session cookie on pages, from
//! a personal access token on the API) and where the request came from. What they may do is
//! asked of [`triad_app::Ctx::require`], which this context derefs to.

use crate::error::WebError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use triad_app::access::CredentialHolder;
use triad_domain::auth::session_alive;
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;
use triad_store::Pooled;

pub const SESSION_COOKIE: &str = "__Host-triad_session";

pub use triad_app::access::Credential;
pub use triad_app::context::{still_held, today};

/// The signed-in actor of a request: the application's context ([`triad_app::Ctx`], what
/// every service takes; this derefs to it) with the web state the handlers need besides.
#[derive(Clone)]
pub struct Ctx {
    acting: triad_app::Ctx,
    pub state: AppState,
}

impl std::ops::Deref for Ctx {
    type Target = triad_app::Ctx;

    fn deref(&self) -> &triad_app::Ctx {
        &self.acting
    }
}

/// The address a request came from: the peer, or the proxy's forwarded address when the
/// operator said a proxy terminates TLS in front of Triad.
pub fn source_of(parts: &Parts, state: &AppState) -> Option<String> {
    if state.config.behind_tls_proxy {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_string());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The credential a request presents, by the hash of its secret.
enum Presented {
    Session(String),
    Token(String),
}

impl Presented {
    /// What the access cache knows the holder by: the kind as well as the secret's hash, so
    /// a session's secret sent as an API token is never taken for a token.
    fn cache_key(&self) -> String {
        match self {
            Presented::Session(hash) => format!("session:{hash}"),
            Presented::Token(hash) => format!("token:{hash}"),
        }
    }

    /// Reads who holds the credential: a live token, or a session that is alive and past its
    /// second factor, of an account that is not disabled.
    async fn holder(
        &self,
        conn: &mut Pooled,
        state: &AppState,
        now: Timestamp,
        today: &str,
    ) -> Result<CredentialHolder, WebError> {
        let mut expires_at = None;
        let mut second_factor_by_provider = false;
        let (user_id, credential, began, last_seen) = match self {
            Presented::Token(hash) => {
                let token = store::live_token(&mut *conn, hash)
                    .await?
                    .ok_or(WebError::Unauthenticated)?;
                expires_at = token.expires_at.map(Timestamp::from_millis);
                if expires_at.is_some_and(|end| end <= now) {
                    return Err(WebError::Unauthenticated);
                }
                let last_used = token.last_used_at.map(Timestamp::from_millis);
                (
                    token.user_id,
                    Credential::Token {
                        id: token.id,
                        read_only: token.read_only,
                    },
                    None,
                    last_used,
                )
            }
            Presented::Session(hash) => {
                let session = store::session_by_hash(&mut *conn, hash)
                    .await?
                    .ok_or(WebError::Unauthenticated)?;
                let began = Timestamp::from_millis(session.created_at);
                let last_seen = Timestamp::from_millis(session.last_seen_at);
                if !session_alive(began, last_seen, now) {
                    // Through the writer, like every change to what identity is read from.
                    let mut tx = state.db.begin().await?;
                    store::delete_session(&mut tx, hash).await?;
                    tx.commit().await?;
                    return Err(WebError::Unauthenticated);
                }
                if !session.second_factor_done {
                    return Err(WebError::Unauthenticated);
                }
                second_factor_by_provider = session.second_factor_by_provider;
                let credential = Credential::Session {
                    token_hash: hash.clone(),
                    csrf_secret: session.csrf_secret,
                };
                (session.user_id, credential, Some(began), Some(last_seen))
            }
        };
        let user_id = Id::parse(&user_id).ok_or(WebError::Unauthenticated)?;
        let user = store::user_by_id(&mut *conn, user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(WebError::Unauthenticated)?;
        Ok(CredentialHolder {
            actor: store::load_actor(&mut *conn, &user, today).await?,
            credential,
            totp_enabled: user.totp_enabled,
            second_factor_by_provider,
            today: today.to_string(),
            began,
            expires_at,
            last_seen,
        })
    }
}

impl Ctx {
    /// Identifies the actor. The API takes only tokens and pages only cookies, so a page's
    /// cookie can never be used to drive the API from another site.
    pub async fn identify(parts: &Parts, state: &AppState) -> Result<Self, WebError> {
        let now = state.now();
        let presented = if parts.uri.path().starts_with("/api/") {
            Presented::Token(store::secret_hash(
                bearer(parts).ok_or(WebError::Unauthenticated)?,
            ))
        } else {
            Presented::Session(store::secret_hash(
                cookie(parts, SESSION_COOKIE).ok_or(WebError::Unauthenticated)?,
            ))
        };
        let key = presented.cache_key();
        let versions = state.app.versions.read().await?;
        let version = versions.access;
        let today = today(now);
        let kept = state
            .access
            .holder(version, &key)
            .filter(|h| h.today == today && h.is_alive(now));
        let mut holder = match kept {
            Some(holder) => holder,
            None => {
                let mut conn = state.db.acquire().await?;
                let holder = presented.holder(&mut conn, state, now, &today).await?;
                state.access.keep_holder(version, &key, holder.clone());
                holder
            }
        };
        if holder.note_use(&state.db, now).await {
            state.access.keep_holder(version, &key, holder.clone());
        }
        let path = parts.uri.path();
        let enrolling = path.starts_with("/account/second-factor") || path == "/logout";
        if state.config.require_second_factor
            && holder.actor.needs_strong_auth()
            && !holder.totp_enabled
            && !holder.second_factor_by_provider
            && !enrolling
        {
            return Err(WebError::SecondFactorRequired);
        }
        Ok(Ctx {
            acting: triad_app::Ctx {
                app: state.app.clone(),
                actor: holder.actor,
                credential: holder.credential,
                source: source_of(parts, state),
                now,
                second_factor_enabled: holder.totp_enabled || holder.second_factor_by_provider,
                access_version: version,
                data_version: versions.data,
                ban_version: versions.bans,
            },
            state: state.clone(),
        })
    }
}

impl<S> FromRequestParts<S> for Ctx
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let state = AppState::from_ref(state);
        let ctx = Ctx::identify(parts, &state).await?;
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}
