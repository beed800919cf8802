//! What requests read about who is acting and where, kept between requests.
//!
//! Identifying a request reads its session or token, the account, its grants, the person's
//! assignments and the partnerships (six to eight reads), and many requests then look up
//! campuses and districts. All of these change rarely, and every change to them moves the
//! database's access version in the same transaction (triggers, migration 0013). A request
//! reads that version first, one small read, and uses only what was kept under it. So a
//! revoked token, a disabled account, a grant taken away or a sign-out on any instance counts
//! from the next request, exactly as when everything was read each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use triad_domain::auth::Actor;
use triad_domain::{Id, Timestamp};
use triad_store::auth::UserRow;
use triad_store::org::{Campus, District};
use triad_store::{Pooled, StoreResult};

/// Entries kept at most, of each kind. Past that the kind starts again empty: at this size
/// that is rare, and no eviction order is worth its bookkeeping.
const MOST: usize = 20_000;

#[derive(Default)]
pub struct AccessCache {
    entries: Mutex<Entries>,
}

#[derive(Default)]
pub(crate) struct Entries {
    version: i64,
    holders: HashMap<String, CredentialHolder>,
    campuses: HashMap<Id, Campus>,
    districts: HashMap<Id, District>,
    /// The agency serving a campus on a day (assignments and partnerships move the version).
    serving_agencies: HashMap<(Id, String), Option<Id>>,
    /// People's names by user id (a name changed or an account removed moves the version).
    names: HashMap<Id, DisplayName>,
    /// The people of each district and of the agencies serving it (grants, partnerships and
    /// accounts disabled move the version).
    district_people: HashMap<Id, DistrictPeople>,
    /// The people a form's list of a district is drawn from, with who they are on a day
    /// (grants, assignments, sworn status and partnerships move the version; a new day is a
    /// new key, as an assignment starts or ends on a date).
    candidates: HashMap<(Id, String), Candidates>,
}

/// How the actor proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session: its token hash and the secret its CSRF tokens are made from.
    Session {
        token_hash: String,
        csrf_secret: String,
    },
    /// A personal access token, by id; a read-only one may not write.
    Token { id: String, read_only: bool },
    /// A calendar link, by id: it reads the person's calendar feed and nothing else, and
    /// never writes.
    CalendarLink { id: String },
    /// A job of the instance acting for a person (the weekly email of what is due for them):
    /// it reads as that person and never writes on their behalf.
    Job { name: &'static str },
}

impl Credential {
    /// What a session or token is known by where something lasts as long as it does (live
    /// streams, a disclosure): its kind and its stored hash or id, never its secret.
    pub fn holder_key(&self) -> String {
        match self {
            Credential::Session { token_hash, .. } => format!("session:{token_hash}"),
            Credential::Token { id, .. } => format!("token:{id}"),
            Credential::CalendarLink { id } => format!("calendar:{id}"),
            Credential::Job { name } => format!("job:{name}"),
        }
    }
}

/// Who holds a credential, as read under one access version.
#[derive(Clone)]
pub struct CredentialHolder {
    pub actor: Actor,
    pub credential: Credential,
    pub totp_enabled: bool,
    /// The identity provider this session was signed in through vouched for a second factor
    /// (its token's `amr`): it stands for Triad's own where the instance requires one.
    pub second_factor_by_provider: bool,
    /// The local date the assignments in force were read for.
    pub today: String,
    /// When the session began (sessions end after an absolute time).
    pub began: Option<Timestamp>,
    /// When a token stops working, if it was made with an end.
    pub expires_at: Option<Timestamp>,
    /// When the credential's use was last written down.
    pub last_seen: Option<Timestamp>,
}

/// A row looked up by key (an id, or an id and a day) that the access version covers.
pub(crate) trait VersionedRecord: Clone + Sized {
    type Key: std::hash::Hash + Eq + Clone;
    fn map(entries: &mut Entries) -> &mut HashMap<Self::Key, Self>;
    async fn load(conn: &mut Pooled, key: &Self::Key) -> StoreResult<Option<Self>>;
}

impl VersionedRecord for Campus {
    type Key = Id;

    fn map(entries: &mut Entries) -> &mut HashMap<Id, Self> {
        &mut entries.campuses
    }

    async fn load(conn: &mut Pooled, id: &Id) -> StoreResult<Option<Self>> {
        triad_store::org::campus(conn, *id).await
    }
}

impl VersionedRecord for District {
    type Key = Id;

    fn map(entries: &mut Entries) -> &mut HashMap<Id, Self> {
        &mut entries.districts
    }

    async fn load(conn: &mut Pooled, id: &Id) -> StoreResult<Option<Self>> {
        triad_store::org::district(conn, *id).await
    }
}

/// A person's name, by user id: the audit trail names who acted on each entry.
#[derive(Clone)]
pub(crate) struct DisplayName(pub String);

impl VersionedRecord for DisplayName {
    type Key = Id;

    fn map(entries: &mut Entries) -> &mut HashMap<Id, Self> {
        &mut entries.names
    }

    async fn load(conn: &mut Pooled, id: &Id) -> StoreResult<Option<Self>> {
        let user = triad_store::auth::user_by_id(conn, *id).await?;
        Ok(user.map(|u| DisplayName(u.display_name)))
    }
}

/// The active people of a district and of the agencies serving it, by name, as (user id,
/// name): whom a district leader's audit filter offers. At most [`DistrictPeople::MOST`].
#[derive(Clone)]
pub(crate) struct DistrictPeople(pub Arc<Vec<(String, String)>>);

impl DistrictPeople {
    pub const MOST: i64 = 1000;
}

impl VersionedRecord for DistrictPeople {
    type Key = Id;

    fn map(entries: &mut Entries) -> &mut HashMap<Id, Self> {
        &mut entries.district_people
    }

    async fn load(conn: &mut Pooled, id: &Id) -> StoreResult<Option<Self>> {
        let people = triad_store::auth::people_near_district(conn, *id, "", Self::MOST).await?;
        let named = people.into_iter().map(|u| (u.id, u.display_name)).collect();
        Ok(Some(DistrictPeople(Arc::new(named))))
    }
}

/// People of a district and of the agencies serving it, by name, with who they are on a day
/// (at most [`Candidates::MOST`]): those a form's list may offer. Their accounts' secrets are
/// left blank (the access version does not cover them, and nothing offering a person needs
/// them).
#[derive(Clone)]
pub(crate) struct Candidates(pub Arc<Vec<(UserRow, Actor)>>);

impl Candidates {
    /// More than a list offers: some of those found may not hold the record it is for.
    pub const MOST: i64 = 200;

    /// Those whose name or user name holds `text` (all of them for none), by name.
    pub async fn read(conn: &mut Pooled, district: Id, text: &str, day: &str) -> StoreResult<Self> {
        use triad_store::auth as store;
        let users = store::people_near_district(&mut *conn, district, text, Self::MOST).await?;
        let actors = store::load_actors(&mut *conn, &users, day).await?;
        let people = users
            .into_iter()
            .map(|user| UserRow {
                password_hash: String::new(),
                totp_secret: None,
                ..user
            })
            .zip(actors)
            .collect();
        Ok(Candidates(Arc::new(people)))
    }
}

impl VersionedRecord for Candidates {
    /// The district and the day (an assignment starts or ends on a date).
    type Key = (Id, String);

    fn map(entries: &mut Entries) -> &mut HashMap<(Id, String), Self> {
        &mut entries.candidates
    }

    async fn load(conn: &mut Pooled, (district, day): &(Id, String)) -> StoreResult<Option<Self>> {
        Ok(Some(Self::read(conn, *district, "", day).await?))
    }
}

impl AccessCache {
    /// The entries, if they can serve `version`: a newer version empties them, and an older
    /// one (a request that began before the last change) is served from the database.
    fn at(&self, version: i64) -> Option<MutexGuard<'_, Entries>> {
        // A panic while holding the lock cannot leave the maps half-changed: take it anyway.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if version > entries.version {
            *entries = Entries {
                version,
                ..Entries::default()
            };
        }
        (version == entries.version).then_some(entries)
    }

    pub fn holder(&self, version: i64, credential: &str) -> Option<CredentialHolder> {
        self.at(version)?.holders.get(credential).cloned()
    }

    pub fn keep_holder(&self, version: i64, credential: &str, holder: CredentialHolder) {
        if let Some(mut entries) = self.at(version) {
            keep(&mut entries.holders, credential.to_string(), holder);
        }
    }

    pub(crate) fn serving_agency(&self, version: i64, campus: Id, day: &str) -> Option<Option<Id>> {
        self.at(version)?
            .serving_agencies
            .get(&(campus, day.to_string()))
            .copied()
    }

    pub(crate) fn keep_serving_agency(
        &self,
        version: i64,
        campus: Id,
        day: &str,
        agency: Option<Id>,
    ) {
        if let Some(mut entries) = self.at(version) {
            keep(
                &mut entries.serving_agencies,
                (campus, day.to_string()),
                agency,
            );
        }
    }

    pub(crate) fn row<T: VersionedRecord>(&self, version: i64, key: &T::Key) -> Option<T> {
        T::map(&mut *self.at(version)?).get(key).cloned()
    }

    pub(crate) fn keep_row<T: VersionedRecord>(&self, version: i64, key: T::Key, row: T) {
        if let Some(mut entries) = self.at(version) {
            keep(T::map(&mut entries), key, row);
        }
    }
}

fn keep<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>, key: K, value: V) {
    if map.len() >= MOST && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, value);
}

impl CredentialHolder {
    /// A session idle or old past its limits is read again: another instance may have seen
    /// it since, and if not, reading it again ends it.
    pub fn is_alive(&self, now: Timestamp) -> bool {
        if self.expires_at.is_some_and(|end| end <= now) {
            return false;
        }
        match (self.began, self.last_seen) {
            (Some(began), Some(last_seen)) => {
                triad_domain::auth::session_alive(began, last_seen, now)
            }
            _ => true,
        }
    }

    /// Writes down that the credential is in use, at most once a minute. Says whether it did.
    /// Through the writer, like every write: on SQLite a write beside it would wait for the
    /// file lock and fail under steady writes. A touch that fails is tried again at the next
    /// request; the request itself goes on.
    pub async fn note_use(&mut self, db: &triad_store::Db, now: Timestamp) -> bool {
        use triad_store::auth as store;
        let recent = self
            .last_seen
            .is_some_and(|at| at.millis() > now.millis() - store::TOUCH_EVERY_MS);
        if recent {
            return false;
        }
        let touched = async {
            let mut tx = db.begin_unkeyed().await?;
            tx.shown_nowhere();
            match &self.credential {
                Credential::Session { token_hash, .. } => {
                    store::touch_session(&mut tx, token_hash, now).await?
                }
                Credential::Token { id, .. } => store::touch_token(&mut tx, id, now).await?,
                Credential::CalendarLink { id } => {
                    store::touch_calendar_link(&mut tx, id, now).await?
                }
                Credential::Job { .. } => {}
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
