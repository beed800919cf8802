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
use std::sync::{Arc, Mutex};
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
    /// The slots not lent.
    free: Mutex<Vec<usize>>,
    lendable: Arc<Semaphore>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("slots", &self.slots.len())
            .field("lendable", &self.lendable.available_permits())
            .finish()
    }
}

impl Readers {
    pub fn new(options: SqliteConnectOptions, most: usize) -> Arc<Self> {
        Arc::new(Self {
            options,
            slots: (0..most).map(|_| Slot::default()).collect(),
            free: Mutex::new((0..most).collect()),
            lendable: Arc::new(Semaphore::new(most)),
        })
    }

    fn free(&self) -> std::sync::MutexGuard<'_, Vec<usize>> {
        self.free.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection for this request's reads, until the [`Reader`] is dropped.
    pub async fn lend(self: &Arc<Self>) -> StoreResult<Reader> {
        let turn = tokio::time::timeout(WAIT_AT_MOST, Arc::clone(&self.lendable).acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // A turn is a free slot: there are as many turns as slots.
        let index = self.free().pop().ok_or(sqlx::Error::PoolClosed)?;
        match self.open(index).await {
            Ok(conn) => Ok(Reader {
                conn,
                index,
                readers: Arc::clone(self),
                _turn: turn,
            }),
            Err(e) => {
                self.free().push(index);
                Err(e)
            }
        }
    }

    async fn open(
        &self,
        index: usize,
    ) -> StoreResult<OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>> {
        let slot = self.slots.get(index).ok_or(sqlx::Error::PoolClosed)?;
        let mut held = Arc::clone(slot).lock_owned().await;
        if held.is_none() {
            *held = Some(SqliteConnection::connect_with(&self.options).await?);
        }
        Ok(OwnedMutexGuard::try_map(held, Option::as_mut).map_err(|_| sqlx::Error::PoolClosed)?)
    }

    /// Lends no more, and closes the connections not lent.
    pub async fn close(&self) {
        self.lendable.close();
        for slot in &self.slots {
            let idle = slot.try_lock().ok().and_then(|mut held| held.take());
            if let Some(conn) = idle {
                let _ = conn.close().await;
            }
        }
    }
}

/// A reading connection lent to one request; given back when dropped.
pub struct Reader {
    conn: OwnedMappedMutexGuard<Option<SqliteConnection>, SqliteConnection>,
    index: usize,
    readers: Arc<Readers>,
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

impl Drop for Reader {
    /// The slot is free again; its lock and the turn are let go right after, with the fields.
    fn drop(&mut self) {
        self.readers.free().push(self.index);
    }
}
