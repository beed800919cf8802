//! Campus safety operations: controlled movement and lockdown with unequal authority, live
//! status for every open page of the campus, and each event's timeline.

mod api;
pub mod drills;
mod notices;
mod pages;
pub mod response;
pub mod service;

pub use api::OperationsApiDoc;
pub use notices::{retry_forever as retry_notices, signature as webhook_signature, NoticeConfig};

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
