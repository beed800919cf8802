//! Campus bans and visitor sign-in with ban matching.

mod api;
mod pages;
pub use triad_app::visitors as service;

pub use api::VisitorsApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
