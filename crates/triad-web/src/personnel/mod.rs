//! SRO evaluations with the administrators' input, and the facts of the post on a campus.

mod api;
mod pages;
pub use triad_app::personnel as service;

pub use api::PersonnelApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
