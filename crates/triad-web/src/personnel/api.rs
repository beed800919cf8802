//! Evaluations and campus post facts in the API: the same calls as their pages.

use super::service::{
    self, CampusPost, Choice, CriterionView, EvaluationDetail, EvaluationSummary, InputView,
    PersonEvaluations, PostInput, RatingsInput,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/people/{id}/evaluations", evaluations)
        .post("/api/v1/people/{id}/evaluations", write)
        .get("/api/v1/evaluations/{id}", evaluation)
        .put("/api/v1/evaluations/{id}/input", give_input)
        .get("/api/v1/campuses/{id}/post", post)
        .put("/api/v1/campuses/{id}/post", set_post)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(evaluations, write, evaluation, give_input, post, set_post),
    components(schemas(
        PersonEvaluations,
        EvaluationSummary,
        EvaluationDetail,
        CriterionView,
        InputView,
        RatingsInput,
        CampusPost,
        PostInput,
        Choice,
        Written
    ))
)]
pub struct PersonnelApiDoc;

/// An officer's evaluations, a school year each (the officer and their supervisor).
#[utoipa::path(get, path = "/api/v1/people/{id}/evaluations", tag = "personnel", params(("id" = String, Path)), responses((status = 200, body = PersonEvaluations), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn evaluations(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<PersonEvaluations>> {
    Ok(Json(service::of_person(&ctx, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Written {
    pub id: String,
}

/// Writes this school year's evaluation: every criterion rated (exceeds, meets,
/// needs_improvement or not_observed) and comments (the agency's supervisor; one a year, a
/// second answers 409).
#[utoipa::path(post, path = "/api/v1/people/{id}/evaluations", tag = "personnel", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = RatingsInput,
    responses((status = 201, body = Written), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn write(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<RatingsInput>,
) -> WebResult<(StatusCode, Json<Written>)> {
    let e = service::write(&ctx, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Written { id: e.id })))
}

/// One evaluation: for the supervisor and the officer, the ratings and every administrator's
/// input; for an administrator of the officer's campus, only their own input.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "personnel", params(("id" = String, Path)), responses((status = 200, body = EvaluationDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn evaluation(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<EvaluationDetail>> {
    Ok(Json(service::detail(&ctx, &id).await?))
}

/// An administrator of the officer's campus gives (or rewrites) their input: every criterion
/// rated, and comments.
#[utoipa::path(put, path = "/api/v1/evaluations/{id}/input", tag = "personnel", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = RatingsInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn give_input(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<RatingsInput>,
) -> WebResult<StatusCode> {
    service::give_input(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The campus's post: the uniform the SRO wears and the office space given.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/post", tag = "personnel", params(("id" = String, Path)), responses((status = 200, body = CampusPost), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn post(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<CampusPost>> {
    Ok(Json(service::post(&ctx, &id).await?))
}

/// Records the campus's uniform (regulation, modified, plain_clothes) and office (dedicated,
/// shared, none) facts.
#[utoipa::path(put, path = "/api/v1/campuses/{id}/post", tag = "personnel", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PostInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn set_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PostInput>,
) -> WebResult<StatusCode> {
    service::set_post(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
