//! Triad's domain layer: the vocabulary of the SRO–SSO–administrator partnership, its rules and
//! the one access policy every route asks. Pure Rust: no I/O, no async, no SQL, no HTTP. Time
//! comes in as a parameter so every rule can be tested at any instant.

pub mod activity;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod checkpoint;
pub mod community;
pub mod crdc;
pub mod drills;
pub mod error;
pub mod evidence;
pub mod funding;
pub mod ids;
pub mod improvement;
pub mod incidents;
pub mod investigations;
pub mod meetings;
pub mod mou;
pub mod officer_facts;
pub mod operations;
pub mod org;
pub mod personnel;
pub mod policy;
pub mod role_guide;
pub mod start_of_year;
pub mod surveys;
pub mod text;
pub mod time;
pub mod training;
pub mod visitors;

pub use error::{FieldError, Invalid};
pub use ids::Id;
pub use time::Timestamp;
