//! A district's community resource directory and the referrals made to it.

mod api;
mod pages;
pub use triad_app::community as service;

pub use api::CommunityApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}
