//! The activity log in the API.

use super::service::{self, ActivityInput};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::paging::{Listed, PageQuery};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::Json;
use serde::Serialize;
use triad_store::activity::ActivityRow;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/activities", mine)
        .post("/api/v1/activities", log)
        .get("/api/v1/activities/{id}", entry)
        .put("/api/v1/activities/{id}", correct)
        .post("/api/v1/activities/{id}/undo", undo)
        .get("/api/v1/reports/activity", report)
        .post("/api/v1/activities/import", import)
        .get("/api/v1/activities/import/{id}", import_job)
        .get("/api/v1/activities/{id}/lesson-plan", lesson_plan)
        .post("/api/v1/activities/{id}/lesson-plan", attach_lesson_plan)
}

/// A classroom presentation's lesson-plan file (the newest sent), for anyone who may read the
/// entry.
#[utoipa::path(get, path = "/api/v1/activities/{id}/lesson-plan", tag = "activity", params(("id" = String, Path)),
    responses((status = 200, description = "the file, as an attachment", body = Vec<u8>), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn lesson_plan(ctx: Ctx, Path(id): Path<String>) -> WebResult<axum::response::Response> {
    super::pages::lesson_plan_file(&ctx, &id).await
}

/// Attaches a lesson-plan file to a classroom presentation (multipart: the file as `file`):
/// its author, within the correction window. PDF, .docx, .pptx, .odt, .odp or .txt, checked
/// by content. Earlier files stay in the record.
#[utoipa::path(post, path = "/api/v1/activities/{id}/lesson-plan", tag = "activity", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 201, body = LessonPlanView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn attach_lesson_plan(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<(StatusCode, Json<LessonPlanView>)> {
    let plan = super::pages::receive_lesson_plan(&ctx, &id, &headers, body).await?;
    Ok((StatusCode::CREATED, Json(plan.into())))
}

/// A lesson-plan file as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LessonPlanView {
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: i64,
}

impl From<triad_store::activity::LessonPlanRow> for LessonPlanView {
    fn from(p: triad_store::activity::LessonPlanRow) -> Self {
        Self {
            file_name: p.file_name,
            media_type: p.media_type,
            size_bytes: p.size_bytes,
            sha256: p.sha256,
            uploaded_at: p.uploaded_at,
        }
    }
}

/// Imports a CSV of activity rows (multipart: the file as `file`, optional `map` with one
/// COLUMN=FIELD per line). Each row is imported or refused on its own with the reasons; the
/// same file imported again adds nothing. Officers import their own rows; a supervisor also
/// their agency's officers'.
#[utoipa::path(post, path = "/api/v1/activities/import", tag = "activity", params(("Idempotency-Key" = String, Header)),
    request_body(content = super::import::ImportInput, content_type = "multipart/form-data"),
    responses((status = 200, body = triad_app::activity_import::ImportReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn import(
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<axum::response::Response> {
    use axum::response::IntoResponse;
    super::import::may_import(&ctx).await?;
    let (input, file) = crate::forms::read_input(&headers, body, "file").await?;
    let job =
        super::import_job::start(&ctx, input, file, ctx.state.config.import_answer_within).await?;
    match (&job.report, job.ended()) {
        (Some(report), true) => Ok(Json(report.clone()).into_response()),
        _ => {
            let location = format!("/api/v1/activities/import/{}", job.id);
            let mut response = (StatusCode::ACCEPTED, Json(job)).into_response();
            if let Ok(value) = axum::http::HeaderValue::from_str(&location) {
                response
                    .headers_mut()
                    .insert(axum::http::header::LOCATION, value);
            }
            Ok(response)
        }
    }
}

/// An import sent through the API that is still running (or that failed): its progress,
/// then its report. Only its sender sees it.
#[utoipa::path(get, path = "/api/v1/activities/import/{id}", tag = "activity", params(("id" = String, Path)),
    responses((status = 200, body = super::import_job::JobView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn import_job(
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Json<super::import_job::JobView>> {
    Ok(Json(super::import_job::job(&ctx, &id).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        mine,
        log,
        entry,
        correct,
        undo,
        report,
        import,
        import_job,
        lesson_plan,
        attach_lesson_plan
    ),
    components(schemas(
        LessonPlanView,
        super::import::ImportInput,
        super::import_job::JobView,
        triad_app::activity_import::ImportReport,
        triad_app::activity_import::Refusal,
        ActivityInput,
        ActivityView,
        super::report::Report,
        super::report::ReportLineView,
        super::report::BalanceView,
        super::report::TrendMonth,
        super::report::ComparedView
    ))
)]
pub struct ActivityApiDoc;

/// An activity entry.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    pub id: String,
    pub campus_id: String,
    pub category: String,
    pub triad_role: String,
    pub record_class: String,
    /// UTC, RFC 3339.
    pub started_at: String,
    pub local_date: String,
    pub minutes: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
    pub notes: Option<String>,
    pub case_ref: Option<String>,
    pub search_basis: Option<String>,
    pub initiated_by: Option<String>,
    pub topic: Option<String>,
    pub class_name: Option<String>,
    pub lesson_plan: Option<String>,
    pub staff_group: Option<String>,
    pub version: i64,
    /// When its author undid it (UTC, RFC 3339): kept, counted in no report.
    pub undone_at: Option<String>,
}

impl From<ActivityRow> for ActivityView {
    fn from(r: ActivityRow) -> Self {
        Self {
            id: r.id,
            campus_id: r.campus_id,
            category: r.category,
            triad_role: r.triad_role,
            record_class: r.record_class,
            started_at: triad_domain::Timestamp::from_millis(r.started_at).rfc3339(),
            local_date: r.local_date,
            minutes: r.minutes,
            students: r.students,
            parents: r.parents,
            staff: r.staff,
            notes: r.notes,
            case_ref: r.case_ref,
            search_basis: r.search_basis,
            initiated_by: r.initiated_by,
            topic: r.topic,
            class_name: r.class_name,
            lesson_plan: r.lesson_plan,
            staff_group: r.staff_group,
            version: r.version,
            undone_at: r
                .voided_at
                .map(|t| triad_domain::Timestamp::from_millis(t).rfc3339()),
        }
    }
}

/// The caller's entries, newest first (SROs and SSOs), a page at a time.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activity", params(PageQuery),
    responses((status = 200, body = [ActivityView], headers(("Link" = String, description = "the next page, when there may be one"))), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn mine(
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> WebResult<Listed<Vec<ActivityView>>> {
    let page = q.page()?;
    let rows = service::mine(&ctx, page).await?;
    let views = rows.into_iter().map(ActivityView::from).collect();
    Ok(Listed::items(views, page, uri, |v: &ActivityView| {
        v.id.clone()
    }))
}

/// Logs an activity. Searches by sworn officers need their legal basis; school discipline is
/// refused and handed to the administrator.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activity", params(("Idempotency-Key" = String, Header)), request_body = ActivityInput,
    responses((status = 201, body = ActivityView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn log(
    ctx: Ctx,
    Json(input): Json<ActivityInput>,
) -> WebResult<(StatusCode, Json<ActivityView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::log(&ctx, input).await?.into()),
    ))
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activity", params(("id" = String, Path)), responses((status = 200, body = ActivityView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn entry(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<ActivityView>> {
    Ok(Json(service::entry(&ctx, &id).await?.into()))
}

/// Corrects an entry (its author, within the correction window); the earlier version is kept.
#[utoipa::path(put, path = "/api/v1/activities/{id}", tag = "activity", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = ActivityInput,
    responses((status = 200, body = ActivityView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn correct(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<ActivityInput>,
) -> WebResult<Json<ActivityView>> {
    Ok(Json(service::correct(&ctx, &id, input).await?.into()))
}

/// Undoes an entry just logged (its author, for a few minutes after logging it: the
/// `activity.undo_minutes` setting, 10 by default). The entry is kept, marked undone, and
/// counted in no report; undoing it again answers 409 and changes nothing.
#[utoipa::path(post, path = "/api/v1/activities/{id}/undo", tag = "activity", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = ActivityView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
async fn undo(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<ActivityView>> {
    Ok(Json(service::undo(&ctx, &id).await?.into()))
}

/// An activity report: counts by category and the balance across the triad roles, for an
/// officer, a campus, an agency or a district, over a span of months.
#[utoipa::path(get, path = "/api/v1/reports/activity", tag = "activity", params(super::report::ReportQuery),
    responses((status = 200, body = super::report::Report), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn report(
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<super::report::ReportQuery>,
) -> WebResult<Json<super::report::Report>> {
    Ok(Json(super::report::report(&ctx, &q).await?))
}
