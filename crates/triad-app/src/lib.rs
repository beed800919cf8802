//! Triad's application layer, between the store and the web: what people can do, with no
//! HTTP, no HTML and no axum in it, so the web layer and the command line call the same code.
//!
//! It is being filled capability by capability (see docs/architecture.md): today it holds the
//! clock, the error type, reading spreadsheets and photos, the activity import, and the
//! surveys that need no signed-in person (campaigns, answers, imports, analysis, export).

pub mod activity_import;
pub mod clock;
pub mod error;
pub mod photo;
pub mod spreadsheet;
pub mod surveys;
pub mod upkeep;

pub use clock::{Clock, ShiftedClock, SystemClock};
pub use error::{AppError, AppResult};
