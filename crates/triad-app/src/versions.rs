//! The versions every request reads first, before it uses what this instance kept (who holds
//! its credential, the cards of a home page): one read serves the requests that arrive
//! together.
//!
//! A request may share a read only if the read was sent after the request arrived: then it
//! sees every change committed before the request came, on this instance or another, exactly as
//! a read of its own would. So a request that arrives while a read is on its way waits for the
//! next one, which starts as soon as that read is back and serves everyone who arrived
//! meanwhile. Under load, thirty-two requests at once cost one or two reads instead of
//! thirty-two (on PostgreSQL each is a round trip over the network; on SQLite one to a reader's
//! thread); a request alone waits for a read of its own, as before.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;
use triad_store::auth::Versions;
use triad_store::{Db, StoreResult};

/// The shared reads of one instance's versions.
pub struct SharedReads {
    db: Db,
    rounds: Mutex<Rounds>,
    /// The last round read, and what it read (`None` when it failed: each of its requests then
    /// reads for itself, and meets the error itself).
    done: watch::Sender<Done>,
    /// How many reads were sent, for the benchmark's count of round trips.
    sent: AtomicU64,
}

#[derive(Default)]
struct Rounds {
    /// The last round sent.
    started: u64,
    /// The round the latest request waits for.
    wanted: u64,
    /// Whether a task is sending the rounds wanted, one after another.
    reading: bool,
}

#[derive(Clone, Copy)]
struct Done {
    round: u64,
    versions: Option<Versions>,
}

impl SharedReads {
    pub fn new(db: Db) -> Arc<Self> {
        Arc::new(Self {
            db,
            rounds: Mutex::default(),
            done: watch::Sender::new(Done {
                round: 0,
                versions: None,
            }),
            sent: AtomicU64::new(0),
        })
    }

    fn rounds(&self) -> MutexGuard<'_, Rounds> {
        self.rounds.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many reads were sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The versions as a read sent after this call began found them.
    pub async fn read(self: &Arc<Self>) -> StoreResult<Versions> {
        // Subscribed before the round is chosen, so its end cannot be missed.
        let mut done = self.done.subscribe();
        let round = {
            let mut rounds = self.rounds();
            let round = rounds.started + 1;
            rounds.wanted = round;
            if !rounds.reading {
                rounds.reading = true;
                // A task of its own sends the reads: a request given up by its client (its
                // future dropped) must not strand those waiting on its read.
                tokio::spawn(Arc::clone(self).send_rounds());
            }
            round
        };
        let shared = done
            .wait_for(|d| d.round >= round)
            .await
            .ok()
            .and_then(|d| d.versions);
        match shared {
            Some(versions) => Ok(versions),
            None => triad_store::auth::versions(&mut self.db.acquire().await?).await,
        }
    }

    /// Sends the rounds wanted, one after another, until no request waits.
    async fn send_rounds(self: Arc<Self>) {
        let mut sending = Sending {
            reads: &self,
            finished: false,
        };
        loop {
            let round = {
                let mut rounds = self.rounds();
                if rounds.wanted <= rounds.started {
                    rounds.reading = false;
                    sending.finished = true;
                    return;
                }
                rounds.started = rounds.wanted;
                rounds.started
            };
            self.sent.fetch_add(1, Ordering::Relaxed);
            let versions = match self.db.acquire().await {
                Ok(mut conn) => triad_store::auth::versions(&mut conn).await.ok(),
                Err(_) => None,
            };
            self.done.send_replace(Done { round, versions });
        }
    }
}

/// Ends the sending if its task is dropped part way (the runtime shutting down, a panic): the
/// requests waiting are released to read for themselves, and the next request starts anew.
struct Sending<'a> {
    reads: &'a SharedReads,
    finished: bool,
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut rounds = self.reads.rounds();
        rounds.reading = false;
        rounds.started = rounds.wanted;
        let round = rounds.wanted;
        drop(rounds);
        self.reads.done.send_replace(Done {
            round,
            versions: None,
        });
    }
}
