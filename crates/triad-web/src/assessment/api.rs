//! The assessment in the API: the same calls as its page.

use super::pages::YearQuery;
use super::service::{
    self, AssessmentCampus, AssessmentEvidence, AssessmentItem, AssessmentRating,
    AssessmentSummary, CampusChoice, ChecklistItemView, ChecklistView, Collaboration,
    DecisionInput, DistrictPractices, FindingRef, FindingView, HeatColumn, HeatMap, HeatRow,
    ImportReport, ImportView, Improvement, OwnKey, PlanEntryInput, PlanEntryView, PracticeInput,
    PracticeView, ProgramAssessment, RatingInput, RelatedPractice, RoleShare, SenderInput,
    SenderView, StateImports, StatusInput, SurveyPoint, TermPoint, YearChoice,
};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use triad_app::context::PersonChoice;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/partnerships/{id}/assessment", assessment)
        .post("/api/v1/partnerships/{id}/assessment/ratings", rate)
        .get("/api/v1/assessments", heat_map)
        .get("/api/v1/partnerships/{id}/improvement", improvement)
        .get("/api/v1/partnerships/{id}/collaboration", collaboration)
        .post("/api/v1/partnerships/{id}/findings", decide)
        .post("/api/v1/partnerships/{id}/plan", add_entry)
        .post("/api/v1/plan-steps/{id}/status", step_status)
        .get("/api/v1/districts/{id}/assessment-export", aggregate_export)
        .get("/api/v1/assessment-imports", state_imports)
        .post("/api/v1/assessment-senders", add_sender)
        .post("/api/v1/assessment-senders/{id}/withdraw", withdraw_sender)
        .post("/api/v1/assessment-imports", import_aggregate)
        .get("/api/v1/districts/{id}/practices", district_practices)
        .post("/api/v1/districts/{id}/practices", add_practice)
        .post("/api/v1/district-practices/{id}/retire", retire_practice)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        assessment,
        rate,
        heat_map,
        improvement,
        decide,
        add_entry,
        step_status,
        collaboration,
        aggregate_export,
        state_imports,
        add_sender,
        withdraw_sender,
        import_aggregate,
        district_practices,
        add_practice,
        retire_practice
    ),
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
        HeatRow,
        Improvement,
        FindingView,
        FindingRef,
        PlanEntryView,
        PersonChoice,
        DecisionInput,
        PlanEntryInput,
        StatusInput,
        Collaboration,
        TermPoint,
        RoleShare,
        SurveyPoint,
        CampusChoice,
        StateImports,
        OwnKey,
        SenderView,
        ImportView,
        SenderInput,
        ImportReport,
        ChecklistView,
        ChecklistItemView,
        RelatedPractice,
        DistrictPractices,
        PracticeView,
        PracticeInput
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

/// A program's improvement cycle (`year`: the school year whose proposals to show, by the
/// calendar year it starts in; none, the current one): what Triad proposes from the year's
/// assessment (practices not met) and surveys (gaps between roles, concerns many raised) that
/// nobody has decided on, the accepted findings of every year with what they measured then and
/// now, and the plan of goals, objectives and steps.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/improvement", tag = "assessment", params(("id" = String, Path), ("year" = Option<String>, Query)), responses((status = 200, body = Improvement), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn improvement(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<Json<Improvement>> {
    Ok(Json(
        service::improvement_of(&ctx, &id, q.year.as_deref()).await?,
    ))
}

/// Accepts (as written or edited) or dismisses one proposal of a school year, named by its
/// `source`. A proposal Triad no longer makes, or one already decided, answers 422.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/findings", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = DecisionInput,
    responses((status = 201, body = FindingView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn decide(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<DecisionInput>,
) -> WebResult<(StatusCode, Json<FindingView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::decide_finding(&ctx, &id, &input).await?),
    ))
}

/// Adds a goal (with the accepted finding it answers), an objective under a goal, or an action
/// step under an objective, owned by someone who works in the program and due today or later.
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/plan", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PlanEntryInput,
    responses((status = 201, body = PlanEntryView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_entry(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PlanEntryInput>,
) -> WebResult<(StatusCode, Json<PlanEntryView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_entry(&ctx, &id, &input).await?),
    ))
}

/// Moves an action step (planned, under way, done, dropped with a reason): by its owner, or by
/// someone who writes the program's plan. Anyone else is refused.
#[utoipa::path(post, path = "/api/v1/plan-steps/{id}/status", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = StatusInput,
    responses((status = 200, body = PlanEntryView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn step_status(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<StatusInput>,
) -> WebResult<Json<PlanEntryView>> {
    Ok(Json(service::set_step_status(&ctx, &id, &input).await?))
}

/// A program's collaboration metrics per term of its recent school years (`campus`: one of the
/// district's campuses; none, the whole district): weekly principal meetings kept, semester
/// reviews held with all three, the SROs' logged time by triad role, action items open at each
/// term's end, and (district-wide) the partnership survey's relationship score by role.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/collaboration", tag = "assessment", params(("id" = String, Path), ("campus" = Option<String>, Query)), responses((status = 200, body = Collaboration), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn collaboration(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::collaboration::CampusQuery>,
) -> WebResult<Json<Collaboration>> {
    Ok(Json(
        service::collaboration_of(&ctx, &id, q.campus.as_deref()).await?,
    ))
}

/// The district's signed aggregate of a school year for its state (`year`: the calendar year it
/// starts in; none, the current one): each program's rating of the 27 practices and the
/// partnership survey's relationship scores by role (groups too small to show left empty), no
/// record, note or person; signed with this instance's key over the exact text of `aggregate`.
/// For the district's leaders and evaluators.
#[utoipa::path(get, path = "/api/v1/districts/{id}/assessment-export", tag = "assessment", params(("id" = String, Path), ("year" = Option<String>, Query)), responses((status = 200, description = "The signed file (JSON)", content_type = "application/json"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn aggregate_export(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> WebResult<axum::response::Response> {
    let (name, file) = service::aggregate_export(&ctx, &id, q.year.as_deref()).await?;
    Ok(crate::views::file_attachment(
        "application/json",
        &name,
        file.into_bytes(),
    ))
}

/// The instances this one takes signed aggregates from, what they sent, and this instance's
/// own public key (for the administrator and the state's evaluators).
#[utoipa::path(get, path = "/api/v1/assessment-imports", tag = "assessment", responses((status = 200, body = StateImports), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn state_imports(ctx: Ctx) -> WebResult<Json<StateImports>> {
    Ok(Json(service::state_imports(&ctx).await?))
}

/// Adds an instance whose signed aggregates this one takes, by its public key (base64 of its
/// 32 bytes, or its PEM file). The instance's administrator.
#[utoipa::path(post, path = "/api/v1/assessment-senders", tag = "assessment", params(("Idempotency-Key" = String, Header)), request_body = SenderInput,
    responses((status = 201, body = SenderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_sender(
    ctx: Ctx,
    Json(input): Json<SenderInput>,
) -> WebResult<(StatusCode, Json<SenderView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_sender(&ctx, &input).await?),
    ))
}

/// Withdraws trust from a sending instance (the administrator): files it signs are refused
/// from now on and what it sent leaves the heat map; its imports are kept, and adding its key
/// again restores them.
#[utoipa::path(post, path = "/api/v1/assessment-senders/{id}/withdraw", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = SenderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn withdraw_sender(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<SenderView>> {
    Ok(Json(service::withdraw_sender(&ctx, &id).await?))
}

/// Imports a district's signed aggregate (the body is the file as exported). Refused, with
/// nothing changed, when its signer is not an added instance, when it was changed after it was
/// signed, or when an export of the same district's year as new or newer is already imported.
/// A state evaluator.
#[utoipa::path(post, path = "/api/v1/assessment-imports", tag = "assessment", params(("Idempotency-Key" = String, Header)), request_body(content = String, content_type = "application/json", description = "The signed file"),
    responses((status = 201, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn import_aggregate(
    ctx: Ctx,
    body: axum::body::Bytes,
) -> WebResult<(StatusCode, Json<ImportReport>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::import_aggregate(&ctx, Some(&body)).await?),
    ))
}

/// A district's own practices, rated beside the instrument on its programs' assessments
/// (retired ones too). Its leaders and evaluators.
#[utoipa::path(get, path = "/api/v1/districts/{id}/practices", tag = "assessment", params(("id" = String, Path)), responses((status = 200, body = DistrictPractices), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn district_practices(
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Json<DistrictPractices>> {
    Ok(Json(service::district_practices(&ctx, &id).await?))
}

/// Adds a practice to the district's own, numbered after its last.
#[utoipa::path(post, path = "/api/v1/districts/{id}/practices", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = PracticeInput,
    responses((status = 201, body = PracticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_practice(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<PracticeInput>,
) -> WebResult<(StatusCode, Json<PracticeView>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_practice(&ctx, &id, &input).await?),
    ))
}

/// Retires a district's practice: no longer asked from the current school year on; its
/// earlier ratings stay. One already retired answers 422.
#[utoipa::path(post, path = "/api/v1/district-practices/{id}/retire", tag = "assessment", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = PracticeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn retire_practice(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<PracticeView>> {
    Ok(Json(service::retire_practice(&ctx, &id).await?.1))
}
