//! Idempotency keys looked up together. Every write looks its key up before it runs (a retry
//! is answered from what the first request came to), and at 32 writers at once that was one
//! statement each: a round trip over the network to PostgreSQL, or to a SQLite reader's
//! thread. Here the lookups asked while a statement is on its way go together in the next one.
//!
//! A lookup is answered only by a statement sent after it was asked, so it sees every key
//! committed before its request arrived, exactly as a statement of its own would. A statement
//! that fails answers nobody: each of its requests then looks its key up alone, and meets the
//! error itself.

use crate::conn::{fetch_bound_planned, placeholders};
use crate::idempotency::{claim_of, Claim, Row, LOOKED_UP};
use crate::{Conn, Db, StoreResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// At most this many statements are on their way at once. With one, every lookup that came
/// while a statement was out waited for it to return before its own was sent; with two, a
/// lookup rarely waits, and a burst still shares statements.
const SENDERS: usize = 2;

/// The most keys one statement looks up.
const KEYS_PER_STATEMENT: usize = 64;

/// Whose key (the actor's) and the key itself.
type Key = (String, String);

struct Asked {
    key: Key,
    /// Told the row found under the key, if any.
    answer: oneshot::Sender<Option<Row>>,
}

#[derive(Default)]
struct Queue {
    asked: Vec<Asked>,
    /// How many tasks are sending statements (at most [`SENDERS`]): a lookup queued while
    /// they all have one on its way goes in the next.
    senders: usize,
}

/// The lookups of one instance, sent together.
pub struct SharedLookups {
    db: Db,
    queue: Mutex<Queue>,
    /// How many statements were sent, for the tests that they are shared.
    sent: AtomicU64,
}

impl SharedLookups {
    pub fn new(db: Db) -> Arc<Self> {
        Arc::new(Self {
            db,
            queue: Mutex::default(),
            sent: AtomicU64::new(0),
        })
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        // Nothing is left half-changed under the lock: take it even after a panic.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many statements were sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// What an earlier request with this key came to, as a statement sent after this call
    /// began found it.
    pub async fn lookup(
        self: &Arc<Self>,
        actor_key: &str,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<Claim> {
        let (answer, answered) = oneshot::channel();
        {
            let mut queue = self.queue();
            queue.asked.push(Asked {
                key: (actor_key.to_string(), key.to_string()),
                answer,
            });
            if queue.senders < SENDERS {
                queue.senders += 1;
                // A task of its own sends the statements: a request given up by its client
                // (its future dropped) must not strand the lookups queued behind its own.
                tokio::spawn(Arc::clone(self).send());
            }
        }
        match answered.await {
            Ok(row) => Ok(claim_of(row, request_hash)),
            Err(_) => crate::idempotency::lookup(&self.db, actor_key, key, request_hash).await,
        }
    }

    /// Sends the lookups queued, a statement at a time, until none is left.
    async fn send(self: Arc<Self>) {
        let mut sending = Sending {
            lookups: &self,
            finished: false,
        };
        loop {
            let asked: Vec<Asked> = {
                let mut queue = self.queue();
                if queue.asked.is_empty() {
                    queue.senders -= 1;
                    sending.finished = true;
                    return;
                }
                let taken = queue.asked.len().min(KEYS_PER_STATEMENT);
                queue.asked.drain(..taken).collect()
            };
            self.sent.fetch_add(1, Ordering::Relaxed);
            let keys: Vec<&Key> = asked.iter().map(|a| &a.key).collect();
            // On an error the senders are dropped unanswered: each request looks up alone.
            if let Ok(found) = find(&self.db, &keys).await {
                for a in asked {
                    // A request sent twice at once asks twice: both are told the same row.
                    let _ = a.answer.send(found.get(&a.key).cloned());
                }
            }
        }
    }
}

/// Ends a sender's part if its task is dropped part way (the runtime shutting down, a panic).
/// When it was the last, the lookups queued are dropped unanswered, so each looks up alone,
/// and the next starts anew.
struct Sending<'a> {
    lookups: &'a SharedLookups,
    finished: bool,
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut queue = self.lookups.queue();
        queue.senders -= 1;
        if queue.senders == 0 {
            queue.asked.clear();
        }
    }
}

#[derive(sqlx::FromRow)]
struct Found {
    actor_key: String,
    key: String,
    #[sqlx(flatten)]
    row: Row,
}

/// The rows of these keys, by key: each pair asked is looked up by the primary key (on both
/// engines a join from the list of pairs, one probe each).
async fn find(db: &Db, keys: &[&Key]) -> StoreResult<HashMap<Key, Row>> {
    let pairs = padded(keys.to_vec());
    let sql = format!(
        "SELECT i.actor_key, i.key, {LOOKED_UP} FROM (VALUES {}) AS asked \
         JOIN idempotency_keys i ON i.actor_key = asked.column1 AND i.key = asked.column2",
        placeholders(pairs.len(), 2)
    );
    let arguments: Vec<String> = pairs
        .into_iter()
        .flat_map(|(actor, key)| [actor.clone(), key.clone()])
        .collect();
    // Planned at every call on PostgreSQL: a plan kept from when the table was small (a fresh
    // district, or the keys of a quiet night) hashed the list and read the whole table,
    // measured at 1.3-1.4 ms a lookup on average and 30 ms at worst once a burst of writes
    // had filled it with tens of thousands of keys, where probing the primary key once a pair
    // takes 0.06 ms. Planning it takes about 0.1 ms, shared by the lookups of the statement.
    let mut pooled = db.acquire().await?;
    let rows: Vec<Found> =
        fetch_bound_planned(&mut Conn::from(&mut pooled), &sql, &arguments, false).await?;
    Ok(rows
        .into_iter()
        .map(|f| ((f.actor_key, f.key), f.row))
        .collect())
}

/// Lengthens a list to the next power of two by repeating its last value: each length is a
/// text of its own, which both engines' drivers keep prepared, so a few lengths serve all.
pub(crate) fn padded<T: Clone>(mut values: Vec<T>) -> Vec<T> {
    if let Some(last) = values.last().cloned() {
        values.resize(values.len().next_power_of_two(), last);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_padded_to_a_power_of_two_with_its_last_value() {
        let list = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(padded(list(1)), list(1));
        assert_eq!(padded(list(3)), ["0", "1", "2", "2"]);
        assert_eq!(padded(list(33)).len(), 64);
        assert!(padded(Vec::<String>::new()).is_empty());
    }
}
