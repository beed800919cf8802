//! Meetings of the partnership, their action items and the cadence they add up to.

mod api;
mod pages;
pub use triad_app::meetings as service;

use crate::routes::Routes;

pub use api::MeetingsApiDoc;

pub fn routes() -> Routes {
    Routes::default()
        .merge(pages::routes())
        .merge(api::routes())
}
