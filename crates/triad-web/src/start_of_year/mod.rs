//! A campus's start-of-year checklist.

mod api;
mod pages;
pub use triad_app::start_of_year as service;

pub use api::StartOfYearApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
