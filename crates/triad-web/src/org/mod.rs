//! The organisation: agencies, districts and their calendars, campuses, partnerships, SRO
//! assignments. `service` holds what pages and the API both do; `pages` and `api` only
//! translate.

mod api;
mod pages;
mod picker;
pub use triad_app::org as service;
pub use triad_app::org::people;

use crate::routes::Routes;

pub use api::ApiDoc;
pub use picker::PickerApiDoc;

pub fn routes() -> Routes {
    Routes::default()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(picker::routes())
}
