//! The acting person on every request: who they are (from their session cookie on pages, from
//! a personal access token on the API), where the request came from, and the one gate every
//! route passes through, [`Ctx::require`].

use crate::access::{CredentialHolder, VersionedRecord};
use crate::error::WebError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::{session_alive, Actor, RolesHere};
use triad_domain::policy::{decide, Action, Decision, Resource};
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;
use triad_store::org::{Campus, District};
use triad_store::Pooled;

pub const SESSION_COOKIE: &str = "__Host-triad_session";

pub use crate::access::Credential;

/// The signed-in actor of a request.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub actor: Actor,
    pub credential: Credential,
    pub source: Option<String>,
    pub now: Timestamp,
    /// The account has a second factor set up (TOTP).
    pub second_factor_enabled: bool,
    /// The access version the actor was read under: lookups through the access cache during
    /// this request use it (see [`crate::access`]).
    pub access_version: i64,
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
            today: today.to_string(),
            began,
            expires_at,
            last_seen,
        })
    }
}

impl CredentialHolder {
    /// A session idle or old past its limits is read again: another instance may have seen
    /// it since, and if not, reading it again ends it.
    fn is_alive(&self, now: Timestamp) -> bool {
        if self.expires_at.is_some_and(|end| end <= now) {
            return false;
        }
        match (self.began, self.last_seen) {
            (Some(began), Some(last_seen)) => session_alive(began, last_seen, now),
            _ => true,
        }
    }

    /// Writes down that the credential is in use, at most once a minute. Says whether it did.
    /// Through the writer, like every write: on SQLite a write beside it would wait for the
    /// file lock and fail under steady writes. A touch that fails is tried again at the next
    /// request; the request itself goes on.
    async fn note_use(&mut self, db: &triad_store::Db, now: Timestamp) -> bool {
        let recent = self
            .last_seen
            .is_some_and(|at| at.millis() > now.millis() - store::TOUCH_EVERY_MS);
        if recent {
            return false;
        }
        let touched = async {
            let mut tx = db.begin_unkeyed().await?;
            match &self.credential {
                Credential::Session { token_hash, .. } => {
                    store::touch_session(&mut tx, token_hash, now).await?
                }
                Credential::Token { id, .. } => store::touch_token(&mut tx, id, now).await?,
            }
            tx.commit().await
        };
        if let Err(e) = touched.await {
            tracing::warn!(error = %e, "a credential's last use could not be written down");
            return false;
        }
        self.last_seen = Some(now);
        true
    }
}

/// The local date in the instance's reference zone, for "assignments in force today".
/// A person named in a field of a record: an action item's owner, a follow-up's assignee, an
/// evidence receiver, a contact partner.
pub struct Named {
    pub user: store::UserRow,
    /// Who they are today, for the rules that depend on their roles for the record.
    pub actor: Actor,
}

impl Ctx {
    /// The active person a field names by user name, among the people who may `action` the
    /// record the field belongs to. Anyone else (someone of another district, a disabled
    /// account, a name nobody has) is the same `None`, so a field never tells which names
    /// exist, and nobody is handed what they could not open. Every such field asks this.
    pub async fn named(
        &self,
        username: &str,
        record: Resource,
        action: Action,
    ) -> Result<Option<Named>, WebError> {
        let name = username.trim().to_lowercase();
        if name.is_empty() {
            return Ok(None);
        }
        let mut conn = self.state.db.acquire().await?;
        let Some(user) = store::user_by_name(&mut conn, &name)
            .await?
            .filter(|u| !u.disabled)
        else {
            return Ok(None);
        };
        let actor = store::load_actor(&mut conn, &user, &today(self.now)).await?;
        Ok(may_hold(&actor, action, record).then_some(Named { user, actor }))
    }

    /// The people of `district` (and of the agencies partnered with it) whose name contains
    /// `text` and who may `action` the record, by name, at most `limit`: what a picker for a
    /// field of that record offers. The same rule as [`Ctx::named`], so whoever a picker shows
    /// is accepted by the field and no one else is.
    pub async fn people_who_may(
        &self,
        district: Id,
        record: Resource,
        action: Action,
        text: &str,
        limit: usize,
    ) -> Result<Vec<Named>, WebError> {
        // Read a few more than asked: some of those found may not hold this record.
        const CANDIDATES: i64 = 200;
        let mut conn = self.state.db.acquire().await?;
        let day = today(self.now);
        let users = store::people_near_district(&mut conn, district, text, CANDIDATES).await?;
        let actors = store::load_actors(&mut conn, &users, &day).await?;
        Ok(users
            .into_iter()
            .zip(actors)
            .filter(|(_, actor)| may_hold(actor, action, record))
            .map(|(user, actor)| Named { user, actor })
            .take(limit)
            .collect())
    }
}

/// Whether a person the actor names may hold the record the field belongs to.
fn may_hold(person: &Actor, action: Action, record: Resource) -> bool {
    decide(person, action, record) == Decision::Allow
}

/// Whether a credential still holds for something that outlasts its request (a live stream):
/// the session is not ended (signed out, a new password) and the token is not revoked or past
/// its last day, and the account is not disabled. The idle timeout is not applied: a status
/// page left open at a front desk keeps following the campus. A database that cannot be read
/// this moment ends nothing.
pub async fn still_held(state: &AppState, credential: &Credential) -> bool {
    let Ok(mut conn) = state.db.acquire().await else {
        return true;
    };
    let now = state.now();
    let user = match credential {
        Credential::Session { token_hash, .. } => {
            match store::session_by_hash(&mut conn, token_hash).await {
                Ok(Some(s)) if s.second_factor_done => s.user_id,
                Ok(_) => return false,
                Err(_) => return true,
            }
        }
        Credential::Token { id, .. } => {
            let Some(id) = Id::parse(id) else {
                return false;
            };
            match store::token_by_id(&mut conn, id).await {
                Ok(Some(t))
                    if t.revoked_at.is_none()
                        && t.expires_at.is_none_or(|end| end > now.millis()) =>
                {
                    t.user_id
                }
                Ok(_) => return false,
                Err(_) => return true,
            }
        }
    };
    let Some(user) = Id::parse(&user) else {
        return false;
    };
    match store::user_by_id(&mut conn, user).await {
        Ok(Some(u)) => !u.disabled,
        Ok(None) => false,
        Err(_) => true,
    }
}

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
        let mut conn = state.db.acquire().await?;
        let version = store::access_version(&mut conn).await?;
        let today = today(now);
        let kept = state
            .access
            .holder(version, &key)
            .filter(|h| h.today == today && h.is_alive(now));
        let mut holder = match kept {
            Some(holder) => holder,
            None => {
                let holder = presented.holder(&mut conn, state, now, &today).await?;
                state.access.keep_holder(version, &key, holder.clone());
                holder
            }
        };
        drop(conn);
        if holder.note_use(&state.db, now).await {
            state.access.keep_holder(version, &key, holder.clone());
        }
        let path = parts.uri.path();
        let enrolling = path.starts_with("/account/second-factor") || path == "/logout";
        if state.config.require_second_factor
            && holder.actor.needs_strong_auth()
            && !holder.totp_enabled
            && !enrolling
        {
            return Err(WebError::SecondFactorRequired);
        }
        Ok(Ctx {
            state: state.clone(),
            actor: holder.actor,
            credential: holder.credential,
            source: source_of(parts, state),
            now,
            second_factor_enabled: holder.totp_enabled,
            access_version: version,
        })
    }

    /// A campus by id, kept between requests (see [`crate::access`]). `conn` is the
    /// request's own: a second one per request could leave the pool waiting on itself.
    pub async fn campus(&self, conn: &mut Pooled, id: Id) -> Result<Option<Campus>, WebError> {
        self.kept(conn, id).await
    }

    /// A district by id, kept between requests, as [`Ctx::campus`].
    pub async fn district(&self, conn: &mut Pooled, id: Id) -> Result<Option<District>, WebError> {
        self.kept(conn, id).await
    }

    async fn kept<T: VersionedRecord>(
        &self,
        conn: &mut Pooled,
        id: Id,
    ) -> Result<Option<T>, WebError> {
        let access = &self.state.access;
        if let Some(row) = access.row::<T>(self.access_version, id) {
            return Ok(Some(row));
        }
        let found = T::load(conn, id).await?;
        if let Some(row) = &found {
            access.keep_row(self.access_version, id, row.clone());
        }
        Ok(found)
    }

    /// Asks the access policy. A denial is written to the audit trail and answered as 403,
    /// or as 404 when the record lies outside the actor's tenants. Reads of law-enforcement
    /// and school records are audited too.
    pub async fn require(
        &self,
        action: Action,
        resource: Resource,
        record: (&str, &str),
    ) -> Result<RolesHere, WebError> {
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
            // What the actor may do next to this record depends on these roles alone.
            Decision::Allow => Ok(self.actor.roles_for(&resource.tenant, resource.class)),
            // Refused because the record binds the change to someone else: say who may.
            Decision::Forbidden => Err(
                match triad_domain::policy::bound_to_another(&self.actor, action, resource) {
                    Some(reason) => WebError::Forbidden(reason.into()),
                    None => WebError::from_decision(Decision::Forbidden),
                },
            ),
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
