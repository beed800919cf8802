//! Selecting an SRO for a campus: posts, candidates, the panel's input, the decision.

mod api;
mod pages;
pub use triad_app::selection as service;

pub use api::SelectionApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
