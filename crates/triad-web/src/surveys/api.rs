//! Surveys in the API: a district's campaigns, starting one, a campaign's analysis and export.

use super::service;
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::paging::{next_cursor, Listed, PageQuery};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::Uri;
use axum::{Extension, Json};
use serde::Serialize;
use triad_app::surveys::analysis::{
    FigureView, GapView, QuestionSummary, Summary, ThemeView, TrendPoint,
};
use triad_app::surveys::campaigns::NewCampaign;
use triad_app::surveys::export::ExportRow;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/districts/{id}/surveys", campaigns)
        .post("/api/v1/districts/{id}/surveys", start)
        .get("/api/v1/surveys/{id}", summary)
        .get("/api/v1/surveys/{id}/answers", answers)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(campaigns, start, summary, answers),
    components(schemas(
        CampaignView,
        Started,
        NewCampaign,
        Summary,
        QuestionSummary,
        FigureView,
        GapView,
        ThemeView,
        TrendPoint,
        ExportRow
    ))
)]
pub struct SurveysApiDoc;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    pub id: String,
    pub name: String,
    pub instrument: String,
    pub opens_on: String,
    pub closes_on: String,
    /// The anonymous link is /s/{code}.
    pub code: String,
}

impl From<triad_store::surveys::CampaignRow> for CampaignView {
    fn from(c: triad_store::surveys::CampaignRow) -> Self {
        CampaignView {
            id: c.id,
            name: c.name,
            instrument: c.instrument_key,
            opens_on: c.opens_on,
            closes_on: c.closes_on,
            code: c.public_code,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Started {
    pub campaign: CampaignView,
    /// One-time tokens (shown this once): each link /s/{code}?t={token} answers once.
    pub tokens: Vec<String>,
}

/// A district's campaigns (its leaders and evaluators).
#[utoipa::path(get, path = "/api/v1/districts/{id}/surveys", tag = "surveys", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = [CampaignView], headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn campaigns(
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<Vec<CampaignView>>> {
    let page = q.page()?;
    let views = service::of_district(&ctx, &id, page)
        .await?
        .into_iter()
        .map(CampaignView::from)
        .collect();
    Ok(Listed::items(views, page, uri, |c: &CampaignView| {
        c.id.clone()
    }))
}

/// Starts a campaign: the seed's four questions unless an instrument is given.
#[utoipa::path(post, path = "/api/v1/districts/{id}/surveys", tag = "surveys", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = NewCampaign,
    responses((status = 200, body = Started), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn start(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<NewCampaign>,
) -> WebResult<(Extension<crate::forms::ShownOnce>, Json<Started>)> {
    let (c, tokens) = service::start(&ctx, &id, &input).await?;
    // Its one-time links are shown this once.
    Ok((
        Extension(crate::forms::ShownOnce),
        Json(Started {
            campaign: c.into(),
            tokens,
        }),
    ))
}

/// A campaign's analysis by role, gaps, themes and trend; groups under the minimum size are
/// not shown.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", params(("id" = String, Path)), responses((status = 200, body = Summary), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn summary(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<Summary>> {
    Ok(Json(service::summary_for(&ctx, &id).await?))
}

/// The answers of a campaign with their role, flags and original text, a page of responses
/// at a time (`limit` counts responses; every answer of a response is on the same page).
/// Responses come in the order of their random ids, never the order they were given.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/answers", tag = "surveys", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = [ExportRow], headers(("Link" = String, description = "the next page, when there may be one"))), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn answers(
    ctx: Ctx,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<Vec<ExportRow>>> {
    let page = q.page()?;
    let rows = service::export_for(&ctx, &id, page).await?.1;
    let mut responses: Vec<&str> = rows.iter().map(|r| r.response.as_str()).collect();
    responses.dedup();
    let next = next_cursor(&responses, page, |r| r.to_string());
    Ok(Listed::new(rows, next, uri))
}
