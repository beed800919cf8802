//! The MOU in the API: the same calls as its pages.

use super::service::{
    self, CheckView, ClauseView, ClausesInput, Comparison, PartnershipMou, SignInput,
    SignatoryInput, SignatoryView, SignatureView, VersionDetail, VersionSummary,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/partnerships/{id}/mou", partnership)
        .post("/api/v1/partnerships/{id}/mou/drafts", start_draft)
        .put("/api/v1/partnerships/{id}/mou/signatory", designate)
        .get("/api/v1/mou/{id}", version)
        .put("/api/v1/mou/{id}/clauses", save)
        .post("/api/v1/mou/{id}/signatures", sign)
        .get("/api/v1/mou/{id}/compare", compare)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(partnership, start_draft, designate, version, save, sign, compare),
    components(schemas(
        PartnershipMou,
        VersionSummary,
        SignatoryView,
        VersionDetail,
        ClauseView,
        CheckView,
        SignatureView,
        ClausesInput,
        SignInput,
        SignatoryInput,
        Comparison,
        Draft,
        Signed
    ))
)]
pub struct MouApiDoc;

/// A partnership's MOU: its versions (newest first) and each side's signatory.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/mou", tag = "mou", params(("id" = String, Path)), responses((status = 200, body = PartnershipMou), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn partnership(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<PartnershipMou>> {
    Ok(Json(service::of_partnership(&ctx, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Draft {
    pub id: String,
    pub number: i64,
}

/// Starts a draft from the latest version (or, for a first one, the project's template).
/// Refused while another draft is open.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/mou/drafts", tag = "mou", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 201, body = Draft), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
async fn start_draft(ctx: Ctx, Path(id): Path<String>) -> WebResult<(StatusCode, Json<Draft>)> {
    let v = service::start_draft(&ctx, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(Draft {
            id: v.id,
            number: v.number,
        }),
    ))
}

/// Designates who signs for the caller's side (a supervisor of the agency, a leader of the
/// district).
#[utoipa::path(put, path = "/api/v1/partnerships/{id}/mou/signatory", tag = "mou", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = SignatoryInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn designate(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<SignatoryInput>,
) -> WebResult<StatusCode> {
    service::designate(&ctx, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One version: its clauses, the checklist of required elements with their sources, its
/// signatures (a lapsed one is marked), and what the caller may do.
#[utoipa::path(get, path = "/api/v1/mou/{id}", tag = "mou", params(("id" = String, Path)), responses((status = 200, body = VersionDetail), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn version(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<VersionDetail>> {
    Ok(Json(service::version_detail(&ctx, &id).await?))
}

/// Writes clauses of a draft; a signed version answers 409.
#[utoipa::path(put, path = "/api/v1/mou/{id}/clauses", tag = "mou", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = ClausesInput,
    responses((status = 200, body = VersionDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn save(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<ClausesInput>,
) -> WebResult<Json<VersionDetail>> {
    service::save_clauses(&ctx, &id, &input).await?;
    Ok(Json(service::version_detail(&ctx, &id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Signed {
    /// draft (the other side has not signed this text yet) or signed
    pub standing: String,
}

/// Signs the version for the side the caller is the designated signatory of.
#[utoipa::path(post, path = "/api/v1/mou/{id}/signatures", tag = "mou", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = SignInput,
    responses((status = 201, body = Signed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn sign(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<SignInput>,
) -> WebResult<(StatusCode, Json<Signed>)> {
    let standing = service::sign(&ctx, &id, &input).await?;
    let standing = match standing {
        triad_domain::mou::Standing::Draft => "draft",
        triad_domain::mou::Standing::Signed => "signed",
    };
    Ok((
        StatusCode::CREATED,
        Json(Signed {
            standing: standing.into(),
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// The id of the other version of the same MOU.
    #[serde(default)]
    with: String,
}

/// Two versions of one MOU clause by clause, the older first.
#[utoipa::path(get, path = "/api/v1/mou/{id}/compare", tag = "mou", params(("id" = String, Path), CompareQuery), responses((status = 200, body = Comparison), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn compare(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> WebResult<Json<Comparison>> {
    Ok(Json(service::compare(&ctx, &id, &q.with).await?))
}
