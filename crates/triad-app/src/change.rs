//! One audited change: every write a person makes goes through here. [`Ctx::change`] opens the
//! transaction; the service writes its rows through it (it reads as a [`Tx`]) and says what it
//! did with [`Change::audit`]; [`Change::commit`] puts those audit entries with the write and
//! commits. A change that records nothing is refused at commit, so no write reaches the
//! database without its entry on the audit trail.
//!
//! The write-path rules hold as before (see docs/architecture.md): the commit is the last
//! fallible step, and a release the group commit has started finishes in a task no request
//! can cancel. A change dropped before commit is rolled back, its audit entries with it.
//! Refusals are written by [`Ctx::deny`] and [`Ctx::require`], each in a write of its own.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use std::future::Future;
use triad_domain::audit::AuditEvent;
use triad_domain::Timestamp;
use triad_store::statement::Statement;
use triad_store::{Conn, Db, PreparedWrite, StoreResult, Tx};

/// A change and what it writes through: an open transaction by default, or a write prepared
/// whole ([`PreparedChange`]).
pub struct Change<W = Tx> {
    write: W,
    entries: Vec<AuditEvent>,
    at: Timestamp,
}

/// A change whose rows are all known before it writes (an incident report, a sign-in with no
/// ban to check): nothing is read through it, so it goes to the database with the other such
/// changes of the moment, in one round trip (see [`PreparedWrite`]). The same rules hold as
/// for any change: its audit entries are saved with it or not at all, and one that records
/// nothing is refused.
pub type PreparedChange = Change<PreparedWrite>;

/// What a change writes through.
pub trait Writes: triad_store::audit::Audited {
    fn commit(self) -> impl Future<Output = StoreResult<()>> + Send;
}

impl Writes for Tx {
    fn commit(self) -> impl Future<Output = StoreResult<()>> + Send {
        Tx::commit(self)
    }
}

impl Writes for PreparedWrite {
    fn commit(self) -> impl Future<Output = StoreResult<()>> + Send {
        PreparedWrite::commit(self)
    }
}

impl Ctx {
    /// Opens a change made by this actor now.
    pub async fn change(&self) -> AppResult<Change> {
        Change::open(&self.app.db, self.now).await
    }

    /// Prepares a change made by this actor now, whose rows are all known before it writes.
    pub fn prepared_change(&self) -> PreparedChange {
        Change {
            write: self.app.db.prepare(),
            entries: Vec::new(),
            at: self.now,
        }
    }
}

impl Change {
    /// Opens a change made at `at` where no signed-in person acts through a [`Ctx`]: the
    /// command line's imports, the server's own upkeep. Its audit entries name who, if anyone.
    pub async fn open(db: &Db, at: Timestamp) -> AppResult<Change> {
        Ok(Change {
            write: db.begin().await?,
            entries: Vec::new(),
            at,
        })
    }
}

impl PreparedChange {
    /// Adds a row's statement, written after those added before it.
    pub fn write(&mut self, statement: Statement) {
        self.write.push(statement);
    }
}

impl<W: Writes> Change<W> {
    /// Records what the change did; the entry is saved by the same commit, or not at all.
    pub fn audit(&mut self, event: AuditEvent) {
        self.entries.push(event);
    }

    /// Saves the change with its audit entries, in the order they were recorded.
    pub async fn commit(self) -> AppResult<()> {
        self.save(None).await
    }

    /// Saves the change like [`Change::commit`]; a unique key broken by a statement sent with
    /// the commit ([`Tx::defer`], [`PreparedChange::write`]) is refused as a conflict that
    /// says `duplicate`.
    pub async fn commit_refusing_duplicates(self, duplicate: &str) -> AppResult<()> {
        self.save(Some(duplicate)).await
    }

    async fn save(mut self, duplicate: Option<&str>) -> AppResult<()> {
        append_entries(&mut self.write, std::mem::take(&mut self.entries), self.at).await?;
        let kept = self.write.commit().await;
        refusing_duplicates(kept, duplicate)
    }
}

/// Puts a change's audit entries with its write, in the order they were recorded; a change
/// that recorded none is refused.
async fn append_entries<W: triad_store::audit::Audited>(
    write: &mut W,
    entries: Vec<AuditEvent>,
    at: Timestamp,
) -> AppResult<()> {
    if entries.is_empty() {
        return Err(AppError::Internal(
            "a change was committed without an audit entry".into(),
        ));
    }
    for event in entries {
        triad_store::audit::append(write, event, at).await?;
    }
    Ok(())
}

/// A commit's result, a unique key broken by one of its statements refused as `duplicate`.
fn refusing_duplicates(kept: StoreResult<()>, duplicate: Option<&str>) -> AppResult<()> {
    kept.map_err(|e| match duplicate {
        Some(message) => e.or_conflict(message),
        None => e,
    })?;
    Ok(())
}

/// The change's rows are written and read through its transaction.
impl std::ops::Deref for Change {
    type Target = Tx;

    fn deref(&self) -> &Tx {
        &self.write
    }
}

impl std::ops::DerefMut for Change {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.write
    }
}

impl<'a> From<&'a mut Change> for Conn<'a> {
    fn from(change: &'a mut Change) -> Self {
        Conn::from(&mut change.write)
    }
}
