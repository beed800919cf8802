//! Evidence and its chain of custody.

mod api;
mod pages;
pub mod photo;
pub mod service;

pub use api::{image, EvidenceApiDoc};

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
