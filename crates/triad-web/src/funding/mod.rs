//! A partnership's grants and their continuation plans, for its two sides' leaders.

mod api;
mod pages;
pub use triad_app::funding as service;

pub use api::FundingApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
