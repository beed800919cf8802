//! The organisation API under /api/v1: the same service calls as the pages, as JSON.

use super::people;
use super::service::{
    self, AgencyDetail, AssignmentView, CampusDetail, CampusView, DistrictDetail, Me, NamedRef,
    Overview,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use triad_store::org::District;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/me", me)
        .get("/api/v1/org", overview)
        .post("/api/v1/districts", create_district)
        .get("/api/v1/districts/{id}", district)
        .post("/api/v1/districts/{id}/campuses", create_campus)
        .post("/api/v1/districts/{id}/terms", add_term)
        .post("/api/v1/districts/{id}/non-school-days", add_non_school_day)
        .get("/api/v1/campuses/{id}", campus)
        .put("/api/v1/campuses/{id}", update_campus)
        .post("/api/v1/agencies", create_agency)
        .get("/api/v1/agencies/{id}", agency)
        .post("/api/v1/agencies/{id}/assignments", create_assignment)
        .post("/api/v1/partnerships", create_partnership)
        .post("/api/v1/agencies/{id}/people", add_person)
        .get("/api/v1/people/{id}", person)
        .put("/api/v1/people/{id}", update_person)
        .post("/api/v1/assignments/{id}/end", end_assignment)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        me,
        overview,
        create_district,
        district,
        create_campus,
        add_term,
        add_non_school_day,
        campus,
        update_campus,
        create_agency,
        agency,
        create_assignment,
        create_partnership,
        add_person,
        person,
        update_person,
        end_assignment
    ),
    components(schemas(
        Me,
        Overview,
        NamedRef,
        DistrictDetail,
        CampusView,
        CampusDetail,
        AgencyDetail,
        AssignmentView,
        ErrorBody,
        service::NewDistrict,
        service::NewAgency,
        service::NewPartnership,
        service::CampusInput,
        service::NewAssignment,
        service::NewTerm,
        service::NewNonSchoolDay,
        DistrictCreated,
        people::PersonView,
        people::PersonInput,
        people::EndAssignment,
        Created
    ))
)]
pub struct ApiDoc;

/// Who the token belongs to and the roles they hold.
#[utoipa::path(get, path = "/api/v1/me", tag = "org", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("token" = [])))]
async fn me(ctx: Ctx) -> Json<Me> {
    Json(service::me(&ctx))
}

/// The districts and agencies the caller can see.
#[utoipa::path(get, path = "/api/v1/org", tag = "org", responses((status = 200, body = Overview)), security(("token" = [])))]
async fn overview(ctx: Ctx) -> WebResult<Json<Overview>> {
    Ok(Json(service::overview(&ctx).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DistrictCreated {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub school_year_start: String,
}

impl From<District> for DistrictCreated {
    fn from(d: District) -> Self {
        Self {
            id: d.id,
            name: d.name,
            time_zone: d.time_zone,
            school_year_start: d.year_start,
        }
    }
}

/// Creates a district (system administrators).
#[utoipa::path(post, path = "/api/v1/districts", tag = "org", request_body = service::NewDistrict,
    params(("Idempotency-Key" = String, Header, description = "unique per intended write")),
    responses((status = 201, body = DistrictCreated), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_district(
    ctx: Ctx,
    Json(input): Json<service::NewDistrict>,
) -> WebResult<(StatusCode, Json<DistrictCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_district(&ctx, input).await?.into()),
    ))
}

/// A district: its calendar for the current school year, campuses and partner agencies.
#[utoipa::path(get, path = "/api/v1/districts/{id}", tag = "org", params(("id" = String, Path)), responses((status = 200, body = DistrictDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn district(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<DistrictDetail>> {
    Ok(Json(service::district_detail(&ctx, &id).await?))
}

/// Adds a campus to a district.
#[utoipa::path(post, path = "/api/v1/districts/{id}/campuses", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = service::CampusInput,
    responses((status = 201, body = CampusView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_campus(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<service::CampusInput>,
) -> WebResult<(StatusCode, Json<CampusView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_campus(&ctx, &id, input).await?),
    ))
}

/// Adds a term to the district calendar.
#[utoipa::path(post, path = "/api/v1/districts/{id}/terms", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = service::NewTerm,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_term(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<service::NewTerm>,
) -> WebResult<StatusCode> {
    service::add_term(&ctx, &id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a day without school in the district calendar.
#[utoipa::path(post, path = "/api/v1/districts/{id}/non-school-days", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = service::NewNonSchoolDay,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_non_school_day(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<service::NewNonSchoolDay>,
) -> WebResult<StatusCode> {
    service::add_non_school_day(&ctx, &id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A campus and the officers assigned to it today.
#[utoipa::path(get, path = "/api/v1/campuses/{id}", tag = "org", params(("id" = String, Path)), responses((status = 200, body = CampusDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn campus(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<CampusDetail>> {
    Ok(Json(service::campus_detail(&ctx, &id).await?))
}

/// Renames a campus or changes its level; the earlier version is kept in its history.
#[utoipa::path(put, path = "/api/v1/campuses/{id}", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = service::CampusInput,
    responses((status = 200, body = CampusView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn update_campus(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<service::CampusInput>,
) -> WebResult<Json<CampusView>> {
    Ok(Json(service::update_campus(&ctx, &id, input).await?))
}

/// Creates a law-enforcement agency (system administrators).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "org", params(("Idempotency-Key" = String, Header)), request_body = service::NewAgency,
    responses((status = 201, body = NamedRef), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_agency(
    ctx: Ctx,
    Json(input): Json<service::NewAgency>,
) -> WebResult<(StatusCode, Json<NamedRef>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_agency(&ctx, input).await?),
    ))
}

/// An agency: partner districts, officers and today's assignments.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "org", params(("id" = String, Path)), responses((status = 200, body = AgencyDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn agency(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<AgencyDetail>> {
    Ok(Json(service::agency_detail(&ctx, &id).await?))
}

/// Assigns an officer to a campus. A second campus is flagged, not refused.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/assignments", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = service::NewAssignment,
    responses((status = 201, body = AssignmentView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_assignment(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<service::NewAssignment>,
) -> WebResult<(StatusCode, Json<AssignmentView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_assignment(&ctx, &id, input).await?),
    ))
}

/// Records that an agency serves a district.
#[utoipa::path(post, path = "/api/v1/partnerships", tag = "org", params(("Idempotency-Key" = String, Header)), request_body = service::NewPartnership,
    responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn create_partnership(
    ctx: Ctx,
    Json(input): Json<service::NewPartnership>,
) -> WebResult<StatusCode> {
    service::create_partnership(&ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

/// Adds a person (an officer, with or without an account) to an agency.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/people", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = people::PersonInput,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_person(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<people::PersonInput>,
) -> WebResult<(StatusCode, Json<Created>)> {
    let id = people::add_person(&ctx, &id, input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A person: sworn status, years of experience, assignments in force.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "org", params(("id" = String, Path)), responses((status = 200, body = people::PersonView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn person(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<people::PersonView>> {
    Ok(Json(people::person_detail(&ctx, &id).await?))
}

/// Corrects a person; the earlier version is kept in the history.
#[utoipa::path(put, path = "/api/v1/people/{id}", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = people::PersonInput,
    responses((status = 200, body = people::PersonView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn update_person(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<people::PersonInput>,
) -> WebResult<Json<people::PersonView>> {
    Ok(Json(people::update_person(&ctx, &id, input).await?))
}

/// Ends an SRO assignment on a day.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/end", tag = "org", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = people::EndAssignment,
    responses((status = 200, body = AssignmentView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn end_assignment(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<people::EndAssignment>,
) -> WebResult<Json<AssignmentView>> {
    Ok(Json(people::end_assignment(&ctx, &id, input).await?))
}
