//! Answers kept for replays of a write (the same idempotency key sent again). A write's
//! answer is known once its transaction has committed; it is then stored in the background,
//! many answers to one commit, so a burst of writes pays one extra commit rather than one
//! each. Until an answer is stored, this instance answers replays from memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use triad_store::idempotency::{self, Answer, Claim};
use triad_store::Db;

#[derive(Default)]
pub struct Answers {
    waiting: Mutex<HashMap<(String, String), Answer>>,
    storing: AtomicBool,
    /// Keys of the writes this instance is working on now, with how many requests work on
    /// each: two sent at the same moment may both start before either has recorded its key,
    /// and the first to finish must not make the other look abandoned.
    running: Mutex<HashMap<(String, String), usize>>,
}

/// A write this instance is working on, for as long as the value lives.
pub struct Running {
    answers: Arc<Answers>,
    key: (String, String),
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut running = self.answers.running();
        if let Some(count) = running.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.key);
            }
        }
    }
}

impl Answers {
    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Answer>> {
        // A panic while holding the lock cannot leave the map half-changed: take it anyway.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), usize>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that this instance works on the write with this key until the value is dropped.
    pub fn start(self: &Arc<Self>, actor_key: &str, key: &str) -> Running {
        let key = (actor_key.to_string(), key.to_string());
        *self.running().entry(key.clone()).or_insert(0) += 1;
        Running {
            answers: Arc::clone(self),
            key,
        }
    }

    /// Whether this instance is working on the write with this key now.
    pub fn is_running(&self, actor_key: &str, key: &str) -> bool {
        self.running()
            .contains_key(&(actor_key.to_string(), key.to_string()))
    }

    /// An answer not stored yet, as a claim.
    pub fn claim(&self, actor_key: &str, key: &str, request_hash: &str) -> Option<Claim> {
        let waiting = self.waiting();
        let a = waiting.get(&(actor_key.to_string(), key.to_string()))?;
        Some(if a.request_hash != request_hash {
            Claim::Mismatch
        } else {
            Claim::Done {
                status: a.status,
                location: a.location.clone(),
                body: a.body.clone(),
            }
        })
    }

    /// Keeps an answer and makes sure a background task is storing answers.
    pub fn keep(self: &Arc<Self>, db: &Db, answer: Answer) {
        self.waiting()
            .insert((answer.actor_key.clone(), answer.key.clone()), answer);
        if self.storing.swap(true, Ordering::SeqCst) {
            return;
        }
        let (answers, db) = (Arc::clone(self), db.clone());
        tokio::spawn(async move { answers.store_all(&db).await });
    }

    /// Stores what is waiting, in batches, until nothing is.
    async fn store_all(&self, db: &Db) {
        loop {
            let batch: Vec<Answer> = self.waiting().values().cloned().collect();
            if batch.is_empty() {
                self.storing.store(false, Ordering::SeqCst);
                // An answer kept just before the flag went down would wait for the next
                // write: take it now unless another task already has.
                if self.waiting().is_empty() || self.storing.swap(true, Ordering::SeqCst) {
                    return;
                }
                continue;
            }
            match idempotency::finish_many(db, &batch).await {
                Ok(()) => {
                    let mut waiting = self.waiting();
                    for a in &batch {
                        waiting.remove(&(a.actor_key.clone(), a.key.clone()));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "storing answers for replays failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_stays_running_until_every_request_on_it_is_done() {
        let answers = Arc::new(Answers::default());
        let first = answers.start("actor", "key");
        let second = answers.start("actor", "key");
        drop(first);
        assert!(
            answers.is_running("actor", "key"),
            "the second still works on it"
        );
        drop(second);
        assert!(!answers.is_running("actor", "key"));
    }
}
