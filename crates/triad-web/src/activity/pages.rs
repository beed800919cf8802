//! The activity pages: the quick-entry form a phone shows first, and one entry with its
//! correction form.

use super::import_job::JobView;
use super::service::{self, ActivityInput, CampusChoice};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use triad_domain::activity::{Category, SearchBasis, StaffGroup, DISCIPLINE};
use triad_domain::Timestamp;
use triad_store::activity::ActivityRow;

pub fn routes() -> Routes {
    Routes::default()
        .get("/activity", quick_entry)
        .post("/activity", log)
        .get("/activity/{id}", entry)
        .post("/activity/{id}", correct)
        .post("/activity/{id}/undo", undo)
        .get("/activity/{id}/lesson-plan", lesson_plan)
        .post("/activity/{id}/lesson-plan", attach_lesson_plan)
        .get("/reports/activity", report_page)
        .get("/activity/import", import_page)
        .post("/activity/import", import_upload)
        .get("/activity/import/{id}", import_job_page)
}

#[derive(Template)]
#[template(path = "activity/activity_import.html")]
struct ImportPage {
    layout: Layout,
    fields: Vec<&'static str>,
    report: Option<triad_app::activity_import::ImportReport>,
    /// An import still running, or one that failed.
    job: Option<JobView>,
    form: FormToken,
}

fn import_page_with(ctx: &Ctx, job: Option<JobView>) -> WebResult<Html<String>> {
    render(&ImportPage {
        layout: Layout::new(ctx),
        fields: triad_app::activity_import::field_names(),
        report: job.as_ref().and_then(|j| j.report.clone()),
        job,
        form: ctx.form(),
    })
}

async fn import_page(ctx: Ctx) -> WebResult<Html<String>> {
    super::import::may_import(&ctx).await?;
    import_page_with(&ctx, None)
}

/// A file sent is imported as a job: its report when it ended within a few seconds, else the
/// job's page, which follows it.
async fn import_upload(
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    super::import::may_import(&ctx).await?;
    let (input, file) = crate::forms::read_input(&headers, body, "file").await?;
    let job =
        super::import_job::start(&ctx, input, file, ctx.state.config.import_answer_within).await?;
    if job.ended() {
        return Ok(import_page_with(&ctx, Some(job))?.into_response());
    }
    Ok(Redirect::to(&format!("/activity/import/{}", job.id)).into_response())
}

async fn import_job_page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let job = super::import_job::job(&ctx, &id).await?;
    import_page_with(&ctx, Some(job))
}

/// Receives a lesson-plan file (multipart, field `file`) for an entry, once its author is known
/// to be allowed to attach one.
pub(super) async fn receive_lesson_plan(
    ctx: &Ctx,
    id: &str,
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<triad_store::activity::LessonPlanRow> {
    let row = service::lesson_plan_target(ctx, id).await?;
    let parts = if crate::forms::is_multipart(headers) {
        crate::forms::multipart(headers, body).await?
    } else {
        Vec::new()
    };
    let (name, bytes) = parts
        .into_iter()
        .find(|p| p.name == "file" && p.file_name.is_some())
        .map(|p| (p.file_name.unwrap_or_default(), p.bytes))
        .unwrap_or_default();
    Ok(service::attach_lesson_plan(ctx, &row, &name, &bytes).await?)
}

/// An entry's lesson-plan file, to save.
pub(super) async fn lesson_plan_file(ctx: &Ctx, id: &str) -> WebResult<Response> {
    let (plan, bytes) = service::lesson_plan(ctx, id).await?;
    Ok(crate::views::file_attachment(
        &plan.media_type,
        &plan.file_name,
        bytes,
    ))
}

async fn lesson_plan(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    lesson_plan_file(&ctx, &id).await
}

async fn attach_lesson_plan(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Response> {
    receive_lesson_plan(&ctx, &id, &headers, body).await?;
    Ok(Redirect::to(&format!("/activity/{id}")).into_response())
}

/// One entry as a line on a page.
#[derive(Clone)]
pub struct Line {
    pub id: String,
    pub when: String,
    pub category: String,
    pub minutes: i64,
    pub campus: String,
    /// Undone by its author: kept, counted nowhere.
    pub undone: bool,
}

fn line(row: &ActivityRow, started: String, campuses: &[CampusChoice]) -> Line {
    Line {
        id: row.id.clone(),
        when: started,
        category: Category::from_code(&row.category)
            .map(|c| c.label())
            .unwrap_or("Other")
            .to_string(),
        minutes: row.minutes,
        campus: campuses
            .iter()
            .find(|c| c.id == row.campus_id)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        undone: row.voided_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "activity/activity.html")]
struct QuickEntry {
    layout: Layout,
    campuses: Vec<CampusChoice>,
    usual: String,
    choices: service::QuickChoices,
    durations: [i64; 5],
    bases: &'static [SearchBasis],
    staff_groups: &'static [StaffGroup],
    discipline: &'static [(&'static str, &'static str)],
    recent: Vec<Line>,
    saved: Option<Line>,
    /// Minutes the entry just saved may still be undone, when it may.
    undo_minutes: Option<i64>,
    /// The entry just undone.
    undone: Option<Line>,
    form: FormToken,
}

#[derive(Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: String,
    #[serde(default)]
    undone: String,
}

async fn quick_entry(ctx: Ctx, Query(q): Query<Saved>) -> WebResult<Html<String>> {
    let officer = service::officer(&ctx).await?;
    let rows = service::mine(&ctx, triad_store::paging::Page::first(20)).await?;
    let usual = service::usual_campus(&ctx, &officer).await?;
    let choices = service::quick_choices(&ctx, &officer).await?;
    let just_saved = rows
        .iter()
        .find(|r| r.id == q.saved && r.voided_at.is_none());
    let minutes = service::undo_minutes(&ctx).await?;
    let undo_minutes = just_saved
        .filter(|r| {
            triad_domain::activity::may_undo(Timestamp::from_millis(r.created_at), ctx.now, minutes)
        })
        .map(|_| minutes);
    let started = service::started_times(&ctx, &rows).await?;
    let lines: Vec<Line> = rows
        .iter()
        .zip(started)
        .map(|(r, at)| line(r, at, &officer.campuses))
        .collect();
    let shown = |id: &str| lines.iter().find(|l| l.id == id).cloned();
    let saved = just_saved.and_then(|r| shown(&r.id));
    let undone = rows
        .iter()
        .find(|r| r.id == q.undone && r.voided_at.is_some())
        .and_then(|r| shown(&r.id));
    render(&QuickEntry {
        undo_minutes,
        undone,
        layout: Layout::new(&ctx),
        recent: lines,
        campuses: officer.campuses,
        usual,
        choices,
        durations: triad_domain::activity::QUICK_MINUTES,
        bases: SearchBasis::ALL,
        staff_groups: StaffGroup::ALL,
        discipline: DISCIPLINE,
        saved,
        form: ctx.form(),
    })
}

async fn log(ctx: Ctx, Form(input): Form<ActivityInput>) -> WebResult<Response> {
    let row = service::log(&ctx, input).await?;
    Ok(Redirect::to(&format!("/activity?saved={}", row.id)).into_response())
}

async fn undo(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let row = service::undo(&ctx, &id).await?;
    Ok(Redirect::to(&format!("/activity?undone={}", row.id)).into_response())
}

#[derive(Template)]
#[template(path = "activity/activity_entry.html")]
struct EntryPage {
    layout: Layout,
    row: ActivityRow,
    category: String,
    when: String,
    local_start: String,
    may_correct: bool,
    /// When its author undid it.
    undone_when: Option<String>,
    hours: i64,
    /// A classroom presentation, which may have a lesson-plan file.
    presentation: bool,
    lesson_plan_file: Option<triad_store::activity::LessonPlanRow>,
    all: &'static [Category],
    bases: &'static [SearchBasis],
    staff_groups: &'static [StaffGroup],
    form: FormToken,
}

async fn entry(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let row = service::entry(&ctx, &id).await?;
    let hours = service::correction_hours(&ctx).await?;
    let local_start = service::local_start(&ctx, &row).await?;
    let may_correct = row.author_id == ctx.actor.user.to_string()
        && row.voided_at.is_none()
        && triad_domain::activity::may_correct(
            Timestamp::from_millis(row.created_at),
            ctx.now,
            hours,
        );
    let lesson_plan_file = service::lesson_plan_of(&ctx, &row).await?;
    // Its start, and when it was undone, in the district's time.
    let clock = triad_app::campus::district_clock(&ctx, &row.district_id).await?;
    render(&EntryPage {
        layout: Layout::new(&ctx),
        lesson_plan_file,
        presentation: Category::from_code(&row.category).is_some_and(|c| c.has_presentation()),
        category: Category::from_code(&row.category)
            .map(|c| c.label())
            .unwrap_or("Other")
            .to_string(),
        when: clock.show_zoned(row.started_at),
        local_start,
        undone_when: row.voided_at.map(|at| clock.show_zoned(at)),
        row,
        may_correct,
        hours,
        all: Category::ALL,
        bases: SearchBasis::ALL,
        staff_groups: StaffGroup::ALL,
        form: ctx.form(),
    })
}

async fn correct(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<ActivityInput>,
) -> WebResult<Response> {
    let row = service::correct(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/activity/{}", row.id)).into_response())
}

#[derive(Template)]
#[template(path = "activity/activity_report.html")]
struct ReportPage {
    layout: Layout,
    q: super::report::ReportQuery,
    choices: Vec<super::report::ScopeChoice>,
    periods: &'static [triad_domain::activity::ReportPeriod],
    /// The period shown as chosen.
    period: String,
    report: Option<super::report::Report>,
    /// Each line with its time in hours.
    lines: Vec<(super::report::ReportLineView, String)>,
    other_duties: String,
    balance_chart: String,
    trend_chart: String,
}

async fn report_page(ctx: Ctx, Query(q): Query<super::report::ReportQuery>) -> WebResult<Response> {
    let report = if q.scope.trim().is_empty() {
        None
    } else {
        Some(super::report::report(&ctx, &q).await?)
    };
    if let (Some(r), "csv") = (&report, q.format.as_str()) {
        return csv(r);
    }
    let hours = triad_domain::activity::hours;
    let (balance_chart, trend_chart) = report.as_ref().map(charts).unwrap_or_default();
    render(&ReportPage {
        layout: Layout::new(&ctx),
        choices: super::report::choices(&ctx).await?,
        periods: triad_domain::activity::ReportPeriod::ALL,
        period: report
            .as_ref()
            .map(|r| r.period.clone())
            .unwrap_or_else(|| "month".into()),
        lines: report
            .as_ref()
            .map(|r| {
                r.lines
                    .iter()
                    .map(|l| (l.clone(), hours(l.minutes)))
                    .collect()
            })
            .unwrap_or_default(),
        other_duties: report
            .as_ref()
            .map(|r| hours(r.other_duties_minutes))
            .unwrap_or_default(),
        balance_chart,
        trend_chart,
        q,
        report,
    })
    .map(IntoResponse::into_response)
}

/// The report's two charts: the balance across the triad roles, and its hours month by month.
fn charts(r: &super::report::Report) -> (String, String) {
    let items: Vec<(String, i64, String)> = r
        .balance
        .iter()
        .map(|b| {
            (
                b.label.clone(),
                b.percent,
                triad_domain::activity::hours(b.minutes),
            )
        })
        .collect();
    let balance = crate::charts::bars("Share of time by triad role", &items);
    let months: Vec<String> = r.trend.iter().map(|m| m.month.clone()).collect();
    let in_hours = |minutes: i64| Some((minutes as f64 / 6.0).round() / 10.0);
    let mut series: Vec<(String, Vec<Option<f64>>)> = r
        .balance
        .iter()
        .enumerate()
        .map(|(n, b)| {
            let hours = r
                .trend
                .iter()
                .map(|m| in_hours(m.by_role.get(n).copied().unwrap_or(0)));
            (b.label.clone(), hours.collect())
        })
        .collect();
    series.push((
        triad_domain::activity::OTHER_DUTIES_LABEL.into(),
        r.trend.iter().map(|m| in_hours(m.other_duties)).collect(),
    ));
    let trend = crate::charts::lines("Hours by triad role, month by month", "h", &months, &series);
    (balance, trend)
}

fn csv(r: &super::report::Report) -> WebResult<Response> {
    let name = format!("triad-activity-{}-{}.csv", r.from, r.to);
    crate::views::csv_attachment(&name, &r.lines)
}
