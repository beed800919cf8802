//! The acting person on every request: who they are (from their session cookie on pages, from
//! a personal access token on the API), where the request came from, and the one gate every
//! route passes through, [`Ctx::require`].

use crate::error::WebError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::{session_alive, Actor};
use triad_domain::policy::{decide, Action, Decision, Resource};
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;

pub const SESSION_COOKIE: &str = "__Host-triad_session";

/// How the actor proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session: its token hash and the secret its CSRF tokens are made from.
    Session {
        token_hash: String,
        csrf_secret: String,
    },
    /// A personal access token, by id.
    Token { id: String },
}

/// The signed-in actor of a request.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub actor: Actor,
    pub credential: Credential,
    pub source: Option<String>,
    pub now: Timestamp,
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

/// The local date in the instance's reference zone, for "assignments in force today".
pub fn today(now: Timestamp) -> String {
    now.to_datetime()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

impl Ctx {
    /// Identifies the actor. The API takes only tokens and pages only cookies, so a page's
    /// cookie can never be used to drive the API from another site.
    pub async fn identify(parts: &Parts, state: &AppState) -> Result<Self, WebError> {
        let now = state.now();
        let is_api = parts.uri.path().starts_with("/api/");
        let mut conn = state.db.acquire().await?;
        let (user_id, credential) = if is_api {
            let token = bearer(parts).ok_or(WebError::Unauthenticated)?;
            let row = store::use_token(&mut conn, &store::secret_hash(token), now)
                .await?
                .ok_or(WebError::Unauthenticated)?;
            (row.user_id.clone(), Credential::Token { id: row.id })
        } else {
            let token = cookie(parts, SESSION_COOKIE).ok_or(WebError::Unauthenticated)?;
            let token_hash = store::secret_hash(token);
            let session = store::session_by_hash(&mut conn, &token_hash)
                .await?
                .ok_or(WebError::Unauthenticated)?;
            let alive = session_alive(
                Timestamp::from_millis(session.created_at),
                Timestamp::from_millis(session.last_seen_at),
                now,
            );
            if !alive {
                store::delete_session(&mut conn, &token_hash).await?;
                return Err(WebError::Unauthenticated);
            }
            if !session.second_factor_done {
                return Err(WebError::Unauthenticated);
            }
            store::touch_session(&mut conn, &token_hash, now).await?;
            (
                session.user_id,
                Credential::Session {
                    token_hash,
                    csrf_secret: session.csrf_secret,
                },
            )
        };
        let user_id = Id::parse(&user_id).ok_or(WebError::Unauthenticated)?;
        let user = store::user_by_id(&mut conn, user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(WebError::Unauthenticated)?;
        let actor = store::load_actor(&mut conn, &user, &today(now)).await?;
        let path = parts.uri.path();
        let enrolling = path.starts_with("/account/second-factor") || path == "/logout";
        if state.config.require_second_factor
            && actor.needs_strong_auth()
            && !user.totp_enabled
            && !enrolling
        {
            return Err(WebError::SecondFactorRequired);
        }
        Ok(Ctx {
            state: state.clone(),
            actor,
            credential,
            source: source_of(parts, state),
            now,
        })
    }

    /// Asks the access policy. A denial is written to the audit trail and answered as 403,
    /// or as 404 when the record lies outside the actor's tenants. Reads of law-enforcement
    /// and school records are audited too.
    pub async fn require(
        &self,
        action: Action,
        resource: Resource,
        record: (&str, &str),
    ) -> Result<(), WebError> {
        let decision = decide(&self.actor, action, resource);
        let verb = match action {
            Action::View => "view",
            Action::Change => "change",
        };
        let audited = decision != Decision::Allow
            || (action == Action::View && resource.class.read_is_audited());
        if audited {
            let outcome = if decision == Decision::Allow {
                Outcome::Ok
            } else {
                Outcome::Denied
            };
            let event = self
                .event(&format!("access.{}.{verb}", resource.class.code()), outcome)
                .record(record.0, record.1)
                .tenant(resource.tenant.district, resource.tenant.agency);
            triad_store::audit::record(&self.state.db, event, self.now).await?;
        }
        match decision {
            Decision::Allow => Ok(()),
            other => Err(WebError::from_decision(other)),
        }
    }

    /// Refuses an action for a reason the policy's table does not hold (only the author may
    /// correct an entry), on the audit trail like every other denial.
    pub async fn deny(&self, reason: &str, record: (&str, &str)) -> WebError {
        let event = self
            .event("access.denied", Outcome::Denied)
            .record(record.0, record.1);
        match triad_store::audit::record(&self.state.db, event, self.now).await {
            Ok(_) => WebError::Forbidden(reason.to_string()),
            Err(e) => e.into(),
        }
    }

    /// An audit event by this actor from this request's address.
    pub fn event(&self, action: &str, outcome: Outcome) -> AuditEvent {
        AuditEvent::new(Some(self.actor.user), action, outcome).source(self.source.clone())
    }

    pub fn csrf_secret(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_secret, .. } => Some(csrf_secret),
            Credential::Token { .. } => None,
        }
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
