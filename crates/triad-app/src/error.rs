//! The application layer's one error type: what went wrong, in words for the person who
//! asked, with no HTTP in it. The web layer turns it into a status and a page or an API
//! answer; the command line into an exit code and a message.

use triad_domain::Invalid;
use triad_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing there, or nothing the person may know is there.
    #[error("there is nothing here")]
    NotFound,
    /// The person may not do this; the reason is for them.
    #[error("{0}")]
    Forbidden(String),
    /// Fields at fault, each with what to do.
    #[error("some fields need attention")]
    Invalid(Invalid),
    /// What was sent cannot be read at all (a file that is not a spreadsheet).
    #[error("{0}")]
    Unreadable(String),
    /// The records are not in a state that allows it (already done, changed meanwhile).
    #[error("{0}")]
    Conflict(String),
    /// The database is at its limit or a write batch failed: nothing was done; try again.
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours; the detail is for the log, never for the person.
    #[error("something went wrong on our side")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// What a refusal of the access policy is answered as: a record outside the actor's
    /// tenants is not there for them.
    pub fn from_decision(decision: triad_domain::policy::Decision) -> Self {
        use triad_domain::policy::Decision;
        match decision {
            Decision::NotFound | Decision::Allow => AppError::NotFound,
            Decision::Forbidden => AppError::Forbidden("your role does not allow this here".into()),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::Invalid(i)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Busy => AppError::Unavailable(
                "many people are signing in at this moment; try again in a few seconds".into(),
            ),
            e if e.is_busy() => {
                tracing::warn!(error = %e, "the database was busy past the wait");
                AppError::Unavailable(
                    "the database is busy at this moment; try again in a few seconds".into(),
                )
            }
            StoreError::Commit(detail) => {
                tracing::warn!(%detail, "a write batch did not commit");
                AppError::Unavailable("this was not saved; send it again in a moment".into())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}
