//! Live campus status, and urgent notices for named people (a possible banned person at the
//! front desk): a change is published once committed and every open page of that campus (or
//! of that person) hears it through Server-Sent Events. Within one server a broadcast channel carries
//! it; on PostgreSQL a NOTIFY carries it to every instance, each of which re-broadcasts it.
//!
//! A browser allows only six connections to one server over HTTP/1.1, and a stream holds one
//! for as long as it is open. The pages of one browser therefore share one stream (a shared
//! worker holds it, see `static/live-worker.js`), and the hub bounds how many streams one
//! session or token may hold at once in this instance: opening one more closes the oldest,
//! which is told it was superseded so it does not reconnect and close the next.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, oneshot, watch};

/// How many live streams one session or token may hold at once in one instance. A browser
/// needs one (its pages share it); the margin covers a browser without shared workers, whose
/// pages each hold their own, and a page reconnecting before its old stream is noticed gone.
pub const STREAMS_PER_HOLDER: usize = 4;

/// What a page is told when a campus's status changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveStatus {
    pub district_id: String,
    pub campus_id: String,
    pub status: String,
    pub label: String,
    pub event_id: Option<String>,
    pub version: i64,
    /// The campus's name, for a banner that says where.
    #[serde(default)]
    pub campus: String,
    /// When the status in force was called, campus time (HH:MM); none at normal.
    #[serde(default)]
    pub since: Option<String>,
    /// Who called it, by name; none at normal.
    #[serde(default)]
    pub called_by: Option<String>,
}

/// An urgent notice for named people, on every page they have open (it is also on their home
/// page, written in the same change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveNotice {
    pub district_id: String,
    pub campus_id: String,
    /// The users it is for.
    #[serde(default)]
    pub recipients: Vec<String>,
    pub message: String,
    pub link: String,
}

/// What travels on the live streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Live {
    Status(LiveStatus),
    Notice(LiveNotice),
}

/// Sends `message` to every instance when `tx` commits (PostgreSQL). Yields it back when this
/// instance is to publish it itself once the commit is done (SQLite, one instance): a page never
/// hears of a change that was rolled back.
pub async fn send_at_commit(
    tx: &mut crate::change::Change,
    message: Live,
) -> triad_store::StoreResult<Option<Live>> {
    let payload = serde_json::to_string(&message).unwrap_or_default();
    let sent = triad_store::operations::notify(&mut *tx, &payload).await?;
    Ok((!sent).then_some(message))
}

/// A campus's status as its event leaves it (the event's status while it is open; normal,
/// version 0, once it has ended or when there is none), with the campus's name and, while
/// not normal, when the status in force was called and by whom (its timeline says). Read on
/// the connection given, so a change sees its own timeline before it commits.
pub async fn status_of(
    conn: &mut triad_store::Conn<'_>,
    campus: &triad_store::org::Campus,
    event: Option<&triad_store::operations::EventRow>,
) -> triad_store::StoreResult<LiveStatus> {
    let district = triad_store::org::district(&mut *conn, campus.district()).await?;
    status_in(conn, district.as_ref(), campus, event).await
}

/// [`status_of`] for a campus of `district`, read once by the caller for all its campuses.
pub async fn status_in(
    conn: &mut triad_store::Conn<'_>,
    district: Option<&triad_store::org::District>,
    campus: &triad_store::org::Campus,
    event: Option<&triad_store::operations::EventRow>,
) -> triad_store::StoreResult<LiveStatus> {
    use triad_domain::operations::{CampusStatus, Move};
    let words = district.map(crate::campus::words_of).unwrap_or_default();
    let open = event.filter(|e| e.ended_at.is_none());
    let state = open
        .and_then(|e| CampusStatus::from_code(&e.status))
        .unwrap_or(CampusStatus::Normal);
    let mut out = LiveStatus {
        district_id: campus.district_id.clone(),
        campus_id: campus.id.clone(),
        status: state.code().to_string(),
        label: words.label(state),
        event_id: event.map(|e| e.id.clone()),
        version: open.map_or(0, |e| e.version),
        campus: campus.name.clone(),
        since: None,
        called_by: None,
    };
    let Some(e) = open else {
        return Ok(out);
    };
    // The moves that put a campus in the status it is in.
    let calls: &[Move] = match state {
        CampusStatus::Lockdown => &[Move::CallLockdown],
        CampusStatus::ControlledMovement => &[Move::CallControlledMovement, Move::ReportThreat],
        CampusStatus::Normal => &[],
    };
    let timeline = triad_store::operations::timeline(&mut *conn, &e.id).await?;
    let called = timeline
        .iter()
        .rev()
        .find(|l| calls.iter().any(|m| m.code() == l.action));
    if let Some(l) = called {
        let tz = district
            .and_then(|d| triad_domain::org::parse_time_zone(&d.time_zone).ok())
            .unwrap_or(chrono_tz::UTC);
        out.since = Some(
            triad_domain::Timestamp::from_millis(l.at)
                .to_datetime()
                .with_timezone(&tz)
                .format("%H:%M")
                .to_string(),
        );
        out.called_by = l.actor_name.clone();
    }
    Ok(out)
}

/// A status as people read it.
pub fn label(status: &str) -> String {
    triad_domain::operations::CampusStatus::from_code(status)
        .map(|s| s.label())
        .unwrap_or("Normal")
        .into()
}

/// What one person's live stream carries: the campuses they are on (campus-scoped roles and
/// an SRO's assignments) and every campus of the districts they lead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    pub campuses: Vec<String>,
    pub districts: Vec<String>,
    /// The person whose notices the stream carries (none on a campus's or district's own
    /// stream).
    pub user: Option<String>,
}

impl Watch {
    pub fn of(actor: &triad_domain::auth::Actor) -> Self {
        use triad_domain::auth::{Role, Scope};
        let mut campuses: Vec<String> = actor
            .grants
            .iter()
            .filter_map(|g| match g.scope {
                Scope::Campus { campus, .. } => Some(campus.to_string()),
                _ => None,
            })
            // An assignment counts where the person is an SRO of the agency that made it (as
            // the access policy reads it).
            .chain(actor.sro_assignments().map(|a| a.campus.to_string()))
            .collect();
        let mut districts: Vec<String> = actor
            .grants
            .iter()
            .filter_map(|g| match g.scope {
                Scope::District { district } if g.role == Role::DistrictLeader => {
                    Some(district.to_string())
                }
                _ => None,
            })
            .collect();
        for list in [&mut campuses, &mut districts] {
            list.sort();
            list.dedup();
        }
        Self {
            campuses,
            districts,
            user: Some(actor.user.to_string()),
        }
    }

    /// One campus's stream.
    pub fn campus(id: String) -> Self {
        Self {
            campuses: vec![id],
            ..Self::default()
        }
    }

    /// One district's stream.
    pub fn district(id: String) -> Self {
        Self {
            districts: vec![id],
            ..Self::default()
        }
    }

    /// No campus to follow (notices go to people on campuses, so none either).
    pub fn is_empty(&self) -> bool {
        self.campuses.is_empty() && self.districts.is_empty()
    }

    pub fn wants(&self, message: &Live) -> bool {
        match message {
            Live::Status(status) => {
                self.campuses.contains(&status.campus_id)
                    || self.districts.contains(&status.district_id)
            }
            Live::Notice(notice) => self
                .user
                .as_ref()
                .is_some_and(|user| notice.recipients.contains(user)),
        }
    }
}

/// Why a stream was ended by the server rather than by its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The holder opened more streams than allowed; this, the oldest, gave way.
    Superseded,
    /// The session ended (signed out).
    SignedOut,
    /// The stream fell behind the changes and skipped some: the client reconnects at once
    /// and starts again from the state now.
    Lagged,
}

impl Ended {
    pub fn code(self) -> &'static str {
        match self {
            Ended::Superseded => "superseded",
            Ended::SignedOut => "signed_out",
            Ended::Lagged => "lagged",
        }
    }
}

struct OpenStream {
    id: u64,
    end: oneshot::Sender<Ended>,
}

#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Live>,
    /// The streams open in this instance, by holder (`session:<hash>` or `token:<id>`),
    /// oldest first.
    streams: Arc<Mutex<HashMap<String, VecDeque<OpenStream>>>>,
    next_stream: Arc<AtomicU64>,
    /// Whether changes made on every instance reach this one now: the listener is connected
    /// and has re-read what it may have missed (always, on SQLite, once started).
    listening: Arc<watch::Sender<bool>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
            streams: Arc::default(),
            next_stream: Arc::default(),
            listening: Arc::new(watch::Sender::new(false)),
        }
    }
}

/// A stream's place among its holder's open streams: given back when the stream is dropped
/// (its client went away or the server ended it).
pub struct StreamSlot {
    hub: Hub,
    holder: String,
    id: u64,
    /// Resolves when the server ends this stream.
    pub ended: oneshot::Receiver<Ended>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.hub.lock();
        if let Some(open) = streams.get_mut(&self.holder) {
            open.retain(|s| s.id != self.id);
            if open.is_empty() {
                streams.remove(&self.holder);
            }
        }
    }
}

impl Hub {
    /// Whether changes made on every instance reach this one now (`/health/ready`).
    pub fn is_listening(&self) -> bool {
        *self.listening.borrow()
    }

    /// Waits until changes made on every instance reach this one.
    pub async fn wait_listening(&self) {
        let mut seen = self.listening.subscribe();
        let _ = seen.wait_for(|listening| *listening).await;
    }

    pub fn publish(&self, message: Live) {
        // No listener is not an error: nobody has the page open.
        let _ = self.sender.send(message);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.sender.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<OpenStream>>> {
        // A panic while holding this lock leaves the map whole (every change is one call).
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a place for one more stream of `holder`, ending its oldest streams beyond
    /// [`STREAMS_PER_HOLDER`].
    pub fn open_stream(&self, holder: &str) -> StreamSlot {
        let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
        let (end, ended) = oneshot::channel();
        let mut streams = self.lock();
        let open = streams.entry(holder.to_string()).or_default();
        while open.len() >= STREAMS_PER_HOLDER {
            if let Some(oldest) = open.pop_front() {
                let _ = oldest.end.send(Ended::Superseded);
            }
        }
        open.push_back(OpenStream { id, end });
        StreamSlot {
            hub: self.clone(),
            holder: holder.to_string(),
            id,
            ended,
        }
    }

    /// Ends every stream a holder has open here (at sign-out).
    pub fn end_streams(&self, holder: &str) {
        if let Some(open) = self.lock().remove(holder) {
            for stream in open {
                let _ = stream.end.send(Ended::SignedOut);
            }
        }
    }

    /// How many streams are open in this instance, all holders together.
    pub fn streams_open(&self) -> usize {
        self.lock().values().map(VecDeque::len).sum()
    }

    /// How many streams a holder has open in this instance.
    pub fn open_streams(&self, holder: &str) -> usize {
        self.lock().get(holder).map_or(0, VecDeque::len)
    }
}

/// The name the pages of one session give the shared worker that holds their stream: pages
/// of another session (after signing out and in again) get a worker, and a stream, of their
/// own. Derived from the stored hash, so it reveals nothing about the session's secret.
pub fn worker_name(credential: &crate::access::Credential) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("triad-live-worker:{}", credential.holder_key()));
    format!("triad-live-{}", hex::encode(&digest[..8]))
}

/// Forwards status changes and notices notified by every instance (PostgreSQL) into this
/// one's hub. At start-up and after every reconnect it first re-reads the campuses whose status
/// may have changed unheard (every open event, and those ended since the connection was lost)
/// and publishes them, then reports itself listening. A notice sent while it was down is not
/// sent again: it waits on its recipients' home pages.
pub async fn listen(db: triad_store::Db, hub: Hub, clock: Arc<dyn crate::Clock>) {
    use triad_store::operations::Listening;
    // Nothing was heard before start-up: re-read every open event.
    let mut lost_at = clock.now().millis();
    triad_store::operations::listen(db.clone(), |what| {
        let (db, hub, clock) = (db.clone(), hub.clone(), clock.clone());
        let since = lost_at;
        if what == Listening::Lost {
            lost_at = clock.now().millis();
        }
        // Owned before the future: the notification's text lives only for this call.
        let step = match what {
            Listening::Notified(payload) => {
                Some(serde_json::from_str::<Live>(payload).ok())
            }
            _ => None,
        };
        let connected = what == Listening::Connected;
        async move {
            match step {
                Some(notified) => {
                    if let Some(message) = notified {
                        hub.publish(message);
                    }
                }
                None if connected => {
                    // A minute of slack for clocks of several instances that disagree.
                    if let Err(e) = republish(&db, &hub, since - 60_000).await {
                        tracing::warn!(error = %e, "live status: re-reading after a reconnect failed");
                    }
                    hub.listening.send_replace(true);
                }
                None => {
                    hub.listening.send_replace(false);
                    tracing::warn!("live status: the listener lost its connection; reconnecting");
                }
            }
        }
    })
    .await;
}

/// Publishes the status of every campus whose event is open, or ended since `since`.
async fn republish(db: &triad_store::Db, hub: &Hub, since: i64) -> triad_store::StoreResult<()> {
    let mut pooled = db.acquire().await?;
    let mut conn = triad_store::Conn::from(&mut pooled);
    let events = triad_store::operations::changed_since(&mut conn, since).await?;
    for e in &events {
        let Some(id) = triad_domain::Id::parse(&e.campus_id) else {
            continue;
        };
        if let Some(campus) = triad_store::org::campus(&mut conn, id).await? {
            hub.publish(Live::Status(status_of(&mut conn, &campus, Some(e)).await?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_keeps_at_most_the_bound_and_the_oldest_give_way() {
        let hub = Hub::default();
        let mut slots: Vec<StreamSlot> = (0..STREAMS_PER_HOLDER + 2)
            .map(|_| hub.open_stream("session:a"))
            .collect();
        assert_eq!(hub.open_streams("session:a"), STREAMS_PER_HOLDER);
        assert_eq!(slots[0].ended.try_recv(), Ok(Ended::Superseded));
        assert_eq!(slots[1].ended.try_recv(), Ok(Ended::Superseded));
        assert!(
            slots[2].ended.try_recv().is_err(),
            "a newer stream stays open"
        );
        // Another holder is not affected.
        let mut other = hub.open_stream("session:b");
        assert!(other.ended.try_recv().is_err());
        // Dropped streams give their place back.
        slots.clear();
        assert_eq!(hub.open_streams("session:a"), 0);
        hub.end_streams("session:b");
        assert_eq!(other.ended.try_recv(), Ok(Ended::SignedOut));
    }
}
