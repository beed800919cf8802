//! Incidents of service: reporting, classification, follow-ups, law-enforcement details and
//! the FERPA disclosure log.

mod api;
pub mod investigations;
mod pages;
pub mod service;

pub use api::IncidentsApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
