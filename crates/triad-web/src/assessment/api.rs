//! The assessment in the API: the same calls as its page.

use super::pages::YearQuery;
use super::service::{
    self, AssessmentCampus, AssessmentEvidence, AssessmentItem, AssessmentRating,
    AssessmentSummary, HeatColumn, HeatMap, HeatRow, ProgramAssessment, RatingInput, YearChoice,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/partnerships/{id}/assessment", assessment)
        .post("/api/v1/partnerships/{id}/assessment/ratings", rate)
        .get("/api/v1/assessments", heat_map)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(assessment, rate, heat_map),
    components(schemas(
        ProgramAssessment,
        AssessmentSummary,
        AssessmentItem,
        AssessmentEvidence,
        AssessmentCampus,
        AssessmentRating,
        YearChoice,
        RatingInput,
        HeatMap,
        HeatColumn,
        HeatRow
    ))
)]
pub struct AssessmentApiDoc;

/// A program's assessment for a school year (`year`: the calendar year it starts in; none, the
/// current one): the 27 practices, each rated from the records where they can answer (with
/// the figures, and the kind, count and dates of the records behind them) and by people where
/// they cannot or over the records. A year outside the program's, or one with no records,
/// answers 422.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/assessment", tag = "assessment", params(("id" = String, Path), ("year" = Option<String>, Query)), responses((status = 200, body = ProgramAssessment), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn assessment(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<Json<ProgramAssessment>> {
    Ok(Json(
        service::of_program(&ctx, &id, q.year.as_deref()).await?,
    ))
}

/// Rates one practice of a program's year with the reason it rests on (required). The
/// records' own rating is kept beside it; the newest rating by a person counts.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/assessment/ratings", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = RatingInput,
    responses((status = 201, body = AssessmentRating), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn rate(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<RatingInput>,
) -> WebResult<(StatusCode, Json<AssessmentRating>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::rate(&ctx, &id, &input).await?),
    ))
}

/// Every practice against every program the caller may assess, for one school year (`year`:
/// the calendar year it starts in; none, the current one): each cell the rating that counts on
/// the program's own assessment. A program with no records of the year has an empty column.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessment", params(("year" = Option<String>, Query)), responses((status = 200, body = HeatMap), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn heat_map(ctx: Ctx, Query(q): Query<YearQuery>) -> WebResult<Json<HeatMap>> {
    Ok(Json(service::heat_map(&ctx, q.year.as_deref()).await?))
}
