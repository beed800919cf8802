//! Collaboration surveys: campaigns of an instrument (the seed's four questions or one users
//! built), anonymous answers, spreadsheet imports, the analysis by role with small groups
//! suppressed, and themes in free text.

mod api;
mod pages;
pub use triad_app::surveys::coding;
pub use triad_app::surveys::manage as service;

pub use api::SurveysApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
