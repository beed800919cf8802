//! The district's role guide: the four roles' pages, printable, each section rewritable by
//! the district's leader.

mod api;
mod pages;
pub use triad_app::role_guide as service;

pub use api::RoleGuideApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
