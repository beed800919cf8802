//! A partnership's MOU: its versions, a draft's clauses and checklist, signatures, the
//! comparison of two versions, and a print layout.

mod api;
mod pages;
pub use triad_app::mou as service;

pub use api::MouApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
