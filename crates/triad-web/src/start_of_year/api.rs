//! The start-of-year checklist in the API: the same calls as its page.

use super::service::{self, Checklist, ChecklistItem, MarkInput};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/campuses/{id}/start-of-year", checklist)
        .post("/api/v1/campuses/{id}/start-of-year/{code}", mark)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(checklist, mark),
    components(schemas(Checklist, ChecklistItem, MarkInput))
)]
pub struct StartOfYearApiDoc;

/// The campus's start-of-year checklist for this school year: each item, whether its record
/// shows it done, and what that record is.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/start-of-year", tag = "start_of_year", params(("id" = String, Path)), responses((status = 200, body = Checklist), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn checklist(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<Checklist>> {
    Ok(Json(service::checklist(&ctx, &id).await?))
}

/// Marks `joint_training` or `matters_agreed` done for this school year, with a note (the
/// campus's SRO or administrator); the other items answer 422: their records show them.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/start-of-year/{code}", tag = "start_of_year", params(("id" = String, Path), ("code" = String, Path), ("Idempotency-Key" = String, Header)), request_body = MarkInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn mark(
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
    Json(input): Json<MarkInput>,
) -> WebResult<StatusCode> {
    service::mark(&ctx, &id, &code, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
