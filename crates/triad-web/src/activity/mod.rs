//! The activity log: quick entry from a phone, corrections within the window, the officer's
//! own list. `service` holds what pages and API both do.

mod api;
mod pages;
pub use triad_app::activity as service;
pub use triad_app::activity::jobs as import_job;
pub use triad_app::activity::{import, report};

use crate::routes::Routes;

pub use api::ActivityApiDoc;

pub fn routes() -> Routes {
    Routes::default()
        .merge(pages::routes())
        .merge(api::routes())
}
