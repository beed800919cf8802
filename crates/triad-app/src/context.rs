//! The acting person of a request or a command: who they are, when and from where they act,
//! and the one gate every capability passes through, [`Ctx::require`]. The web layer builds
//! one from a session cookie or an API token; every service takes one.

use crate::access::{Candidates, Credential, DisplayName, DistrictPeople, VersionedRecord};
use crate::error::{AppError, AppResult};
use crate::App;
use std::sync::Arc;
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::{Actor, RolesHere};
use triad_domain::policy::{allows_any, decide, Action, Decision, Resource};
use triad_domain::{Id, Timestamp};
use triad_store::auth as store;
use triad_store::org::{Campus, District};
use triad_store::Pooled;

/// The signed-in actor.
#[derive(Clone)]
pub struct Ctx {
    pub app: App,
    pub actor: Actor,
    pub credential: Credential,
    /// The address the request came from, for the audit trail.
    pub source: Option<String>,
    pub now: Timestamp,
    /// The account has a second factor set up (TOTP), or the identity provider this session
    /// signed in through vouched for one.
    pub second_factor_enabled: bool,
    /// The access version the actor was read under: lookups through the access cache during
    /// this request use it (see [`crate::access`]).
    pub access_version: i64,
    /// The data version the request began under (see [`triad_store::auth::Versions::data`]):
    /// what was built from reads under it is still current for this request.
    pub data_version: i64,
    /// The ban version the request began under (see [`triad_store::auth::Versions::bans`]):
    /// the bans in force kept under it are the ones a sign-in is checked against.
    pub ban_version: i64,
}

/// A person named in a field of a record: an action item's owner, a follow-up's assignee, an
/// evidence receiver, a contact partner.
pub struct Named {
    pub user: store::UserRow,
    /// Who they are today, for the rules that depend on their roles for the record.
    pub actor: Actor,
}

impl Ctx {
    /// The versions this request began under: what a [`crate::fresh::Current`] keeps a page
    /// under.
    pub fn versions(&self) -> store::Versions {
        store::Versions {
            access: self.access_version,
            data: self.data_version,
            bans: self.ban_version,
        }
    }

    /// The active person a field names by user name, among the people who may `action` the
    /// record the field belongs to. Anyone else (someone of another district, a disabled
    /// account, a name nobody has) is the same `None`, so a field never tells which names
    /// exist, and nobody is handed what they could not open. Every such field asks this.
    pub async fn named(
        &self,
        username: &str,
        record: Resource,
        action: Action,
    ) -> AppResult<Option<Named>> {
        self.named_for_any(username, &[record], action).await
    }

    /// As [`Ctx::named`], for a field whose holder may `action` any one of several records
    /// (a plan step's owner works with the partnership or with one of its campuses).
    pub async fn named_for_any(
        &self,
        username: &str,
        records: &[Resource],
        action: Action,
    ) -> AppResult<Option<Named>> {
        let name = username.trim().to_lowercase();
        if name.is_empty() {
            return Ok(None);
        }
        let mut conn = self.app.db.acquire().await?;
        let Some(user) = store::user_by_name(&mut conn, &name)
            .await?
            .filter(|u| !u.disabled)
        else {
            return Ok(None);
        };
        let actor = store::load_actor(&mut conn, &user, &today(self.now)).await?;
        let holds = allows_any(&actor, action, records);
        Ok(holds.then_some(Named { user, actor }))
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
    ) -> AppResult<Vec<Named>> {
        self.people_who_may_any(district, &[record], action, text, limit)
            .await
    }

    /// As [`Ctx::people_who_may`], for a field any holder of one of several records may fill
    /// (the same rule as [`Ctx::named_for_any`]).
    pub async fn people_who_may_any(
        &self,
        district: Id,
        records: &[Resource],
        action: Action,
        text: &str,
        limit: usize,
    ) -> AppResult<Vec<Named>> {
        let day = today(self.now);
        let mut conn = self.app.db.acquire().await?;
        // A form's whole list (no words typed) is kept between requests; a search is read.
        let candidates = if text.is_empty() {
            self.kept::<Candidates>(&mut conn, (district, day)).await?
        } else {
            Some(Candidates::read(&mut conn, district, text, &day).await?)
        };
        Ok(candidates
            .iter()
            .flat_map(|c| c.0.iter())
            .filter(|(_, actor)| allows_any(actor, action, records))
            .map(|(user, actor)| Named {
                user: user.clone(),
                actor: actor.clone(),
            })
            .take(limit)
            .collect())
    }

    /// A campus by id, kept between requests (see [`crate::access`]). `conn` is the
    /// request's own: a second one per request could leave the pool waiting on itself.
    pub async fn campus(&self, conn: &mut Pooled, id: Id) -> AppResult<Option<Campus>> {
        self.kept(conn, id).await
    }

    /// A district by id, kept between requests, as [`Ctx::campus`].
    pub async fn district(&self, conn: &mut Pooled, id: Id) -> AppResult<Option<District>> {
        self.kept(conn, id).await
    }

    /// A person's name by user id, kept between requests as [`Ctx::campus`].
    pub async fn display_name(&self, conn: &mut Pooled, user: Id) -> AppResult<Option<String>> {
        Ok(self
            .kept::<DisplayName>(conn, user)
            .await?
            .map(|name| name.0))
    }

    /// The active people of a district and of the agencies serving it, by name, as (user id,
    /// name), kept between requests as [`Ctx::campus`]. Whoever may see them is for the caller
    /// to have asked.
    pub async fn district_people(
        &self,
        conn: &mut Pooled,
        district: Id,
    ) -> AppResult<Arc<Vec<(String, String)>>> {
        Ok(self
            .kept::<DistrictPeople>(conn, district)
            .await?
            .map(|people| people.0)
            .unwrap_or_default())
    }

    async fn kept<T: VersionedRecord>(
        &self,
        conn: &mut Pooled,
        key: T::Key,
    ) -> AppResult<Option<T>> {
        let access = &self.app.access;
        if let Some(row) = access.row::<T>(self.access_version, &key) {
            return Ok(Some(row));
        }
        let found = T::load(conn, &key).await?;
        if let Some(row) = &found {
            access.keep_row(self.access_version, key, row.clone());
        }
        Ok(found)
    }

    /// Asks the access policy. A denial is written to the audit trail and answered as
    /// forbidden, or as not found when the record lies outside the actor's tenants. Reads of
    /// law-enforcement and school records are audited too.
    pub async fn require(
        &self,
        action: Action,
        resource: Resource,
        record: (&str, &str),
    ) -> AppResult<RolesHere> {
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
            triad_store::audit::record(&self.app.db, event, self.now).await?;
        }
        match decision {
            // What the actor may do next to this record depends on these roles alone.
            Decision::Allow => Ok(self.actor.roles_for(&resource.tenant, resource.class)),
            // Refused because the record binds the change to someone else: say who may.
            Decision::Forbidden => Err(
                match triad_domain::policy::record_rule_refusal(&self.actor, action, resource) {
                    Some(reason) => AppError::Forbidden(reason.into()),
                    None => AppError::from_decision(Decision::Forbidden),
                },
            ),
            other => Err(AppError::from_decision(other)),
        }
    }

    /// Refuses an action for a reason the policy's table does not hold (only the author may
    /// correct an entry), on the audit trail like every other denial.
    pub async fn deny(&self, reason: &str, record: (&str, &str)) -> AppError {
        let event = self
            .event("access.denied", Outcome::Denied)
            .record(record.0, record.1);
        match triad_store::audit::record(&self.app.db, event, self.now).await {
            Ok(_) => AppError::Forbidden(reason.to_string()),
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
            Credential::Token { .. } | Credential::CalendarLink { .. } | Credential::Job { .. } => {
                None
            }
        }
    }
}

/// A person a form offers for a field, by name; the field takes the user name.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PersonChoice {
    pub username: String,
    pub name: String,
}

/// The most people a form's list offers.
pub(crate) const CHOICES: usize = 500;

impl Ctx {
    /// The people a field of `record` may name, by name, for a form's list: exactly those
    /// [`Ctx::named`] accepts for it, less those `keep` refuses (a rule of the field on top,
    /// judged by the roles the person holds for the record).
    pub async fn choices(
        &self,
        record: Resource,
        action: Action,
        keep: impl Fn(&Named) -> bool,
    ) -> AppResult<Vec<PersonChoice>> {
        let Some(district) = record.tenant.district else {
            return Ok(Vec::new());
        };
        let people = self
            .people_who_may(district, record, action, "", CHOICES)
            .await?;
        let mut out: Vec<PersonChoice> = people
            .iter()
            .filter(|p| keep(p))
            .map(|p| PersonChoice {
                username: p.user.username.clone(),
                name: p.user.display_name.clone(),
            })
            .collect();
        out.sort_by_key(|p| p.name.to_lowercase());
        Ok(out)
    }
}

/// Whether a credential still holds for something that outlasts its request (a live stream):
/// the session is not ended (signed out, a new password) and the token is not revoked or past
/// its last day, and the account is not disabled. The idle timeout is not applied: a status
/// page left open at a front desk keeps following the campus. A database that cannot be read
/// this moment ends nothing.
pub async fn still_held(app: &App, credential: &Credential) -> bool {
    let Ok(mut conn) = app.db.acquire().await else {
        return true;
    };
    let now = app.now();
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
        Credential::CalendarLink { id } => match store::calendar_link_by_id(&mut conn, id).await {
            Ok(Some(link)) => link.user_id,
            Ok(None) => return false,
            Err(_) => return true,
        },
        // A job holds for as long as it runs.
        Credential::Job { .. } => return true,
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

/// The local date in the instance's reference zone, for "assignments in force today".
pub fn today(now: Timestamp) -> String {
    now.to_datetime()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}
