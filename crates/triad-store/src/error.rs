//! The storage layer's one error type. Messages of `Invalid` and `Conflict` are written for
//! users; database errors are for the log only.

use triad_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A shared commit failed (or its batch was abandoned): nothing of the write is saved.
    #[error("database: the commit failed: {0}")]
    Commit(String),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("password hashing failed")]
    Hashing,
    /// Too many password checks are waiting: the caller should try again shortly.
    #[error("busy: too many sign-ins at once")]
    Busy,
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// An error that says "not now" rather than "wrong": no connection free in time, or a lock
    /// held past the busy timeout (SQLite's BUSY and LOCKED; PostgreSQL's lock timeouts,
    /// serialization failures and deadlocks). Nothing was done; the same request may be sent
    /// again.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Busy | StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            StoreError::Database(sqlx::Error::Database(db)) => matches!(
                db.code().as_deref(),
                Some("5" | "6" | "517" | "55P03" | "40001" | "40P01")
            ),
            _ => false,
        }
    }

    /// Whether this is a unique-key violation in `table`. PostgreSQL names the table; SQLite's
    /// message does ("UNIQUE constraint failed: table.column, …").
    pub fn breaks_unique_key_of(&self, table: &str) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                e.table() == Some(table)
                    || e.message().split_once(": ").is_some_and(|(_, columns)| {
                        columns
                            .split(", ")
                            .any(|c| c.split_once('.').is_some_and(|(t, _)| t == table))
                    })
            }
            _ => false,
        }
    }

    /// Turns a unique-constraint violation into a conflict users can act on.
    pub fn or_conflict(self, message: &str) -> Self {
        match &self {
            StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                StoreError::Conflict(message.to_string())
            }
            _ => self,
        }
    }
}
