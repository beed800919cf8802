//! Training in the API: the same calls as its pages.

use super::service::{
    self, AgencyTraining, BriefingInput, BriefingsView, Choice, CourseInput, DistrictTraining,
    OfficerStanding, PersonTraining, RecordView, RequirementsInput, RequirementsView, StandingView,
    VoidInput,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Serialize;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/people/{id}/training", person)
        .post("/api/v1/people/{id}/training", add)
        .post("/api/v1/people/{id}/briefings", record_briefing)
        .get("/api/v1/training/{id}/certificate", certificate)
        .post("/api/v1/training/{id}/void", void)
        .get("/api/v1/agencies/{id}/training", agency)
        .put(
            "/api/v1/agencies/{id}/training/requirements",
            set_requirements,
        )
        .get("/api/v1/districts/{id}/training", district)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        person,
        add,
        record_briefing,
        certificate,
        void,
        agency,
        set_requirements,
        district
    ),
    components(schemas(
        PersonTraining,
        RecordView,
        BriefingsView,
        BriefingInput,
        VoidInput,
        StandingView,
        RequirementsView,
        Choice,
        CourseInput,
        AgencyTraining,
        OfficerStanding,
        RequirementsInput,
        DistrictTraining,
        Recorded
    ))
)]
pub struct TrainingApiDoc;

/// A person's courses and where they stand against their agency's requirements (the person
/// and their agency's supervisors).
#[utoipa::path(get, path = "/api/v1/people/{id}/training", tag = "training", params(("id" = String, Path)), responses((status = 200, body = PersonTraining), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn person(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<PersonTraining>> {
    Ok(Json(service::of_person(&ctx, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Recorded {
    pub id: String,
    /// The certificate's SHA-256, as kept.
    pub certificate_sha256: Option<String>,
}

/// Records a course: JSON, or `multipart/form-data` with the same fields and the certificate
/// (a PDF, JPEG or PNG of at most 10 MB) under `certificate`.
#[utoipa::path(post, path = "/api/v1/people/{id}/training", tag = "training", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = CourseInput,
    responses((status = 201, body = Recorded), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<(StatusCode, Json<Recorded>)> {
    let (input, file) = crate::forms::read_input(&headers, body, "certificate").await?;
    let row = service::add(&ctx, &id, &input, file).await?;
    Ok((
        StatusCode::CREATED,
        Json(Recorded {
            id: row.id,
            certificate_sha256: row.certificate_sha256,
        }),
    ))
}

/// A course's certificate as uploaded, as an attachment.
#[utoipa::path(get, path = "/api/v1/training/{id}/certificate", tag = "training", params(("id" = String, Path)), responses((status = 200, description = "the file, as an attachment", body = Vec<u8>), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn certificate(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    Ok(super::certificate_download(
        service::certificate(&ctx, &id).await?,
    ))
}

/// The agency's sworn people against its requirements, those short first (its supervisors).
#[utoipa::path(get, path = "/api/v1/agencies/{id}/training", tag = "training", params(("id" = String, Path)), responses((status = 200, body = AgencyTraining), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn agency(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<AgencyTraining>> {
    Ok(Json(service::of_agency(&ctx, &id).await?))
}

/// Sets the agency's requirements: basic SRO hours, yearly in-service hours, and whether the
/// year is the calendar year or the school year (July to June).
#[utoipa::path(put, path = "/api/v1/agencies/{id}/training/requirements", tag = "training", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = RequirementsInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn set_requirements(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<RequirementsInput>,
) -> WebResult<StatusCode> {
    service::set_requirements(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many of the officers serving the district today are short of training (counts only).
#[utoipa::path(get, path = "/api/v1/districts/{id}/training", tag = "training", params(("id" = String, Path)), responses((status = 200, body = DistrictTraining), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn district(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<DistrictTraining>> {
    Ok(Json(service::of_district(&ctx, &id).await?))
}

/// Records an agency briefing the person attended (the person or their supervisor); a day
/// already recorded is kept once.
#[utoipa::path(post, path = "/api/v1/people/{id}/briefings", tag = "training", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = BriefingInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn record_briefing(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<BriefingInput>,
) -> WebResult<StatusCode> {
    service::record_briefing(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Voids a wrong training record, with the reason (the agency's supervisor): it stays and no
/// longer counts; a second void answers 409.
#[utoipa::path(post, path = "/api/v1/training/{id}/void", tag = "training", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = VoidInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn void(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<VoidInput>,
) -> WebResult<StatusCode> {
    service::void(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
