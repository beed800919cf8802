//! Triad's storage. One implementation of every query runs on SQLite (embedded, the default)
//! and PostgreSQL (for scale): the SQL text is the same for both, written with `$n`
//! placeholders, and the [`run!`] macro hands it to whichever concrete sqlx driver is open.
//! sqlx's `Any` driver is avoided on purpose: it cannot carry every column type across both.

pub mod activity;
pub mod assessment;
pub mod audit;
mod audit_chain;
pub mod auth;
pub mod collaboration;
pub mod community;
mod conn;
pub mod crdc;
mod db;
pub mod disclosures;
pub mod drills;
pub mod email;
pub mod error;
pub mod evidence;
pub mod funding;
pub mod group_commit;
pub mod history;
pub mod hooks;
pub mod idempotency;
pub mod improvement;
pub mod incidents;
pub mod instance;
pub mod investigations;
pub mod jobs;
pub mod key_lookups;
pub mod meetings;
pub mod mou;
pub mod notifications;
pub mod operations;
pub mod org;
pub mod paging;
pub mod passwords;
mod pending_key;
pub mod personnel;
pub mod readers;
pub mod role_guide;
pub mod settings;
pub mod sqlite_backup;
pub mod sqlite_memory;
pub mod start_of_year;
pub mod state_aggregates;
pub mod statement;
pub mod surveys;
pub mod training;
pub mod visitors;

pub use conn::{Conn, Engine, Pooled};
pub use db::{Db, PreparedWrite, Tx};
pub use error::{StoreError, StoreResult};
