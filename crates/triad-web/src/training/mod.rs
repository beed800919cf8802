//! Training records: a person's courses and certificates, an agency's roster against its
//! requirements, and a district's counts.

mod api;
mod pages;
pub use triad_app::training as service;

pub use api::TrainingApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}

/// A certificate as a download, never shown in the page.
fn certificate_download(c: service::Certificate) -> axum::response::Response {
    crate::views::file_attachment(&c.media_type, &c.file_name, c.bytes)
}
