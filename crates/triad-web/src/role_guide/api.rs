//! The role guide in the API: the same calls as its page.

use super::service::{self, BlockView, Guide, RolePage, SectionInput, SectionView};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/districts/{id}/role-guide", guide)
        .put("/api/v1/districts/{id}/role-guide/{code}", save)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(guide, save),
    components(schemas(Guide, RolePage, SectionView, BlockView, SectionInput))
)]
pub struct RoleGuideApiDoc;

/// The district's role guide: the SRO, SSO, administrator and staff pages, each section in
/// the district's words where its leader rewrote it, the project's otherwise.
#[utoipa::path(get, path = "/api/v1/districts/{id}/role-guide", tag = "role_guide", params(("id" = String, Path)), responses((status = 200, body = Guide), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn guide(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<Guide>> {
    Ok(Json(service::guide(&ctx, &id).await?))
}

/// Rewrites one section (by its code, such as `staff.talking_points`) for the district; an
/// empty text restores the project's.
#[utoipa::path(put, path = "/api/v1/districts/{id}/role-guide/{code}", tag = "role_guide", params(("id" = String, Path), ("code" = String, Path), ("Idempotency-Key" = String, Header)), request_body = SectionInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn save(
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
    Json(input): Json<SectionInput>,
) -> WebResult<StatusCode> {
    service::save_section(&ctx, &id, &code, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
