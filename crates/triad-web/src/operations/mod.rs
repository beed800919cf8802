//! Campus safety operations: controlled movement and lockdown with unequal authority, live
//! status for every open page of the campus, and each event's timeline.

mod api;
mod pages;
pub mod service;

pub use api::OperationsApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
