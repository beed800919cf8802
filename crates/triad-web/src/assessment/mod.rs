//! A program's assessment against the SRO Program Instrument: the page, its CSV export and
//! the same in the API.

mod api;
mod collaboration;
mod exchange;
mod improvement;
mod pages;
mod practices;
pub use triad_app::assessment as service;

pub use api::AssessmentApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes()
        .merge(improvement::routes())
        .merge(collaboration::routes())
        .merge(exchange::routes())
        .merge(practices::routes())
        .merge(api::routes())
}
