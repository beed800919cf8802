//! Evidence and its chain of custody.

mod api;
mod pages;
pub use triad_app::evidence as service;

pub use api::EvidenceApiDoc;

pub fn routes() -> crate::routes::Routes {
    pages::routes().merge(api::routes())
}

/// Takes an item in from a form with files, pages and API alike. The body is read only once
/// the actor is known to be allowed.
async fn intake(
    ctx: &crate::Ctx,
    incident: &str,
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> crate::error::WebResult<service::ItemSummary> {
    let allowed = service::may_take_in(ctx, incident).await?;
    if !crate::forms::is_multipart(headers) {
        return Err(triad_domain::Invalid::one(
            "photo",
            "send the intake as a form with files (multipart/form-data) so the photos come with it",
        )
        .into());
    }
    let parts = crate::forms::multipart(headers, body).await?;
    Ok(service::intake(ctx, allowed, &parts).await?)
}
