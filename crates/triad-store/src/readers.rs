//! SQLite's reading connections, lent to one request at a time.
//!
//! sqlx's pool tests every connection given back to it with a round trip to the connection's
//! thread (a ping), and a request gives back a connection after every few reads: on a list
//! page that round trip took a tenth of the server's CPU. A connection to a local file does
//! not go stale, and its thread runs the commands it is sent in order: a read its request
//! abandoned (the client went away) is finished or dropped before the next borrower's first
//! statement runs. Readers hold no transaction (every write goes through the writer), so
//! nothing is left open to flush either. These connections are lent and taken back without
//! the round trip.

use crate::error::StoreResult;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Connection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedMappedMutexGuard, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a reading connection before it is refused (as sqlx's pool).
const WAIT_AT_MOST: Duration = Duration::from_secs(10);

/// A place for one connection, opened when first lent and kept open.
type Slot = Arc<tokio::sync::Mutex<Option<SqliteConnection>>>;

/// At most as many reading connections as slots.
pub struct Readers {
    options: SqliteConnectOptions,
    slots: Vec<Slot>,
    /// One turn per slot. A [`Reader`] lets go of its slot before its turn, so whoever holds
    /// a turn finds a slot free.
    turns: Arc<Semaphore>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("slots", &self.slots.len())
            .field("turns free", &self.turns.available_permits())
            .finish()
    }
}

impl Readers {
    pub fn new(options: SqliteConnectOptions, most: usize) -> Arc<Self> {
        Arc::new(Self {
            options,
            slots: (0..most).map(|_| Slot::default()).collect(),
            turns: Arc::new(Semaphore::new(most)),
        })
    }

    /// A connection for this request's reads, until the [`Reader`] is dropped. The first free
    /// slot is taken: the busiest connections stay warm and the rest are opened only under
    /// load.
    pub async fn lend(&self) -> StoreResult<Reader> {
        let turn = tokio::time::timeout(WAIT_AT_MOST, Arc::clone(&self.turns).acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let mut held = self
            .slots
            .iter()
            .find_map(|slot| Arc::clone(slot).try_lock_owned().ok())
            .ok_or(sqlx::Error::PoolClosed)?;
        if held.is_none() {
            *held = Some(SqliteConnection::connect_with(&self.options).await?);
        }
        let conn =
            OwnedMutexGuard::try_map(held, Option::as_mut).map_err(|_| sqlx::Error::PoolClosed)?;
        Ok(Reader { conn, _turn: turn })
    }

    /// Lends no more, and closes the connections not lent.
    pub async fn close(&self) {
        self.turns.close();
        for slot in &self.slots {
            let idle = slot.try_lock().ok().and_then(|mut held| held.take());
            if let Some(conn) = idle {
                let _ = conn.close().await;
            }
        }
    }
}

/// A reading connection lent to one request; given back when dropped. The fields drop in
/// order: the slot is free before the turn is.
pub struct Reader {
    conn: OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>,
    _turn: OwnedSemaphorePermit,
}

impl std::ops::Deref for Reader {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}
