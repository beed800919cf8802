//! Collaboration surveys: campaigns of an instrument (the seed's four questions or one users
//! built), anonymous answers, spreadsheet imports, the analysis by role with small groups
//! suppressed, and themes in free text.

pub mod analysis;
mod api;
pub mod coding;
pub mod export;
pub mod import;
mod pages;
pub mod service;

pub use api::SurveysApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
