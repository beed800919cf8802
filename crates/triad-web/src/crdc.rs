//! The district leader's Civil Rights Data Collection counts: the page, its CSV, and the same
//! in the API.

use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use triad_app::assessment::YearChoice;
use triad_app::crdc::{self as service, CrdcCampus, CrdcCounts, CrdcRecord};

pub fn routes() -> Routes {
    Routes::default()
        .get("/districts/{id}/crdc", page)
        .get("/districts/{id}/crdc.csv", csv)
        .get("/api/v1/districts/{id}/crdc", api)
}

#[derive(Debug, Default, Deserialize)]
struct YearQuery {
    year: Option<String>,
}

#[derive(Template)]
#[template(path = "crdc/district.html")]
struct CrdcPage {
    layout: Layout,
    c: CrdcCounts,
}

async fn page(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<Html<String>> {
    let c = service::of_district(&ctx, &id, q.year.as_deref()).await?;
    render(&CrdcPage {
        layout: Layout::new(&ctx),
        c,
    })
}

/// One row of the CSV: a campus's counts, small ones marked.
#[derive(Serialize)]
struct Row<'a> {
    school_year: &'a str,
    campus: &'a str,
    referrals_to_law_enforcement: usize,
    school_related_arrests: usize,
    too_small_to_publish: &'a str,
    all_arrests_in_activity_logs: i64,
    all_incidents_with_an_arrest: usize,
    sworn_officers_fte: f64,
    /// The school safety officers who hold the campus today (their posts have no dates).
    security_staff_fte_today: f64,
}

async fn csv(ctx: Ctx, Path(id): Path<String>, Query(q): Query<YearQuery>) -> WebResult<Response> {
    let c = service::of_district(&ctx, &id, q.year.as_deref()).await?;
    let rows: Vec<Row> = c
        .campuses
        .iter()
        .map(|campus| Row {
            school_year: &c.year_label,
            campus: &campus.name,
            referrals_to_law_enforcement: campus.referrals,
            school_related_arrests: campus.arrests,
            too_small_to_publish: match (campus.referrals_too_small, campus.arrests_too_small) {
                (true, true) => "referrals and arrests",
                (true, false) => "referrals",
                (false, true) => "arrests",
                (false, false) => "",
            },
            all_arrests_in_activity_logs: campus.arrests_in_logs,
            all_incidents_with_an_arrest: campus.incidents_with_arrest,
            sworn_officers_fte: campus.sworn_fte,
            security_staff_fte_today: campus.security_fte,
        })
        .collect();
    crate::views::csv_attachment(&format!("crdc {} {}.csv", c.district, c.school_year), &rows)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api),
    components(schemas(CrdcCounts, CrdcCampus, CrdcRecord, YearChoice))
)]
pub struct CrdcApiDoc;

/// A district's Civil Rights Data Collection counts for a school year (`year`: the calendar
/// year it starts in; none, the current one), per campus: referrals to law enforcement and
/// school-related arrests counted as incidents (with the incidents behind them), arrest
/// entries in the officers' logs, and the full-time equivalents of sworn officers and security
/// staff. Counts above zero and under `small_under` are marked too small to publish. For the
/// district's leader.
#[utoipa::path(get, path = "/api/v1/districts/{id}/crdc", tag = "assessment", params(("id" = String, Path), ("year" = Option<String>, Query)), responses((status = 200, body = CrdcCounts), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn api(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<Json<CrdcCounts>> {
    Ok(Json(
        service::of_district(&ctx, &id, q.year.as_deref()).await?,
    ))
}
