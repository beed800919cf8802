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
