//! Incidents of service: reporting, classification, follow-ups, law-enforcement details and
//! the FERPA disclosure log.

mod api;
mod pages;
pub use triad_app::incidents as service;
pub use triad_app::incidents::investigations;

pub use api::IncidentsApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
