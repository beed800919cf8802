//! Campus safety operations: controlled movement and lockdown with unequal authority, live
//! status for every open page of the campus, and each event's timeline.

mod api;
mod notices;
mod pages;
pub use triad_app::operations as service;
pub use triad_app::operations::{drills, response};

pub use api::OperationsApiDoc;
pub use notices::{retry_forever as retry_notices, signature as webhook_signature, NoticeConfig};

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
