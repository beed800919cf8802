//! Evidence and its chain of custody.

mod api;
mod pages;
pub mod service;

pub use api::EvidenceApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
