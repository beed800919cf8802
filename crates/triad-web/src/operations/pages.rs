//! Campus status pages: the status with the moves the person may try, and an event's
//! printable timeline.

use super::drills::{self, CampusDrills, HeldInput, ScheduleInput};
use super::response::{self, FollowUpInput, NoteInput, StepInput};
use super::service::{self, CampusStatusView, EventView, MoveChoice, MoveInput};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_domain::drills::DrillKind;
use triad_domain::operations::ThreatStep;

pub fn routes() -> Routes {
    Routes::default()
        .get("/campuses/{id}/status", status)
        .get("/districts/{id}/status", district_board)
        .post("/campuses/{id}/status", make_move)
        .get("/campus-events/{id}", event)
        .get("/campus-events/{id}/timeline.csv", timeline_csv)
        .post("/campus-events/{id}/steps", tick_step)
        .post("/campus-events/{id}/notes", add_note)
        .post("/campus-events/{id}/follow-ups", add_follow_up)
        .post(
            "/campus-events/{id}/follow-ups/{item}/done",
            complete_follow_up,
        )
        .post("/notices/{id}/acknowledge", acknowledge)
        .get("/campuses/{id}/drills", drills_page)
        .post("/campuses/{id}/drills", schedule_drill)
        .post("/drills/{id}/held", record_held)
}

fn to_event(id: &str) -> Response {
    Redirect::to(&format!("/campus-events/{id}")).into_response()
}

#[derive(Template)]
#[template(path = "operations/campus_status.html")]
struct StatusPage {
    layout: Layout,
    s: CampusStatusView,
    moves: Vec<(MoveChoice, FormToken)>,
}

async fn status(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let s = service::status(&ctx, &id).await?;
    let moves = s.moves.iter().map(|m| (m.clone(), ctx.form())).collect();
    render(&StatusPage {
        layout: Layout::new(&ctx),
        s,
        moves,
    })
}

async fn make_move(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<MoveInput>,
) -> WebResult<Response> {
    service::make_move(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/campuses/{id}/status")).into_response())
}

#[derive(Template)]
#[template(path = "operations/district_status.html")]
struct BoardPage {
    layout: Layout,
    b: service::DistrictBoard,
}

/// Every campus of a district and its status, for the district's leaders; it follows the
/// live stream like the banner.
async fn district_board(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let b = service::district_board(&ctx, &id).await?;
    render(&BoardPage {
        layout: Layout::new(&ctx),
        b,
    })
}

#[derive(Template)]
#[template(path = "operations/campus_event.html")]
struct EventPage {
    layout: Layout,
    e: EventView,
    steps: Vec<(ThreatStep, FormToken)>,
    note: FormToken,
    follow_up: FormToken,
    done: Vec<FormToken>,
    acknowledge: Vec<FormToken>,
    /// Who a follow-up may be given to, by name.
    owners: Vec<triad_app::context::PersonChoice>,
    /// Who may make contact with the reader, two together, by name.
    partners: Vec<triad_app::context::PersonChoice>,
}

async fn event(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let e = service::event(&ctx, &id).await?;
    let owners = response::owner_choices(&ctx, &id).await?;
    let partners = response::partner_choices(&ctx, &id).await?;
    render(&EventPage {
        owners,
        partners,
        layout: Layout::new(&ctx),
        steps: ThreatStep::ALL.iter().map(|s| (*s, ctx.form())).collect(),
        note: ctx.form(),
        follow_up: ctx.form(),
        done: e.follow_ups.iter().map(|_| ctx.form()).collect(),
        acknowledge: e.notices.iter().map(|_| ctx.form()).collect(),
        e,
    })
}

async fn timeline_csv(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let e = service::event(&ctx, &id).await?;
    crate::views::csv_attachment(&format!("campus-event-{}.csv", e.id), &e.timeline)
}

async fn tick_step(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<StepInput>,
) -> WebResult<Response> {
    response::tick_step(&ctx, &id, input).await?;
    Ok(to_event(&id))
}

async fn add_note(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<NoteInput>,
) -> WebResult<Response> {
    response::add_note(&ctx, &id, input).await?;
    Ok(to_event(&id))
}

async fn add_follow_up(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<FollowUpInput>,
) -> WebResult<Response> {
    response::add_follow_up(&ctx, &id, input).await?;
    Ok(to_event(&id))
}

async fn complete_follow_up(
    ctx: Ctx,
    Path((id, item)): Path<(String, String)>,
) -> WebResult<Response> {
    response::complete_follow_up(&ctx, &id, &item).await?;
    Ok(to_event(&id))
}

async fn acknowledge(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let event = response::acknowledge(&ctx, &id).await?;
    Ok(to_event(&event))
}

#[derive(Template)]
#[template(path = "operations/drills.html")]
struct DrillsPage {
    layout: Layout,
    d: CampusDrills,
    kinds: &'static [DrillKind],
    schedule: FormToken,
    held: Vec<FormToken>,
}

async fn drills_page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let d = drills::of_campus(&ctx, &id).await?;
    render(&DrillsPage {
        layout: Layout::new(&ctx),
        kinds: DrillKind::ALL,
        schedule: ctx.form(),
        held: d.drills.iter().map(|_| ctx.form()).collect(),
        d,
    })
}

async fn schedule_drill(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<ScheduleInput>,
) -> WebResult<Response> {
    drills::schedule(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/campuses/{id}/drills")).into_response())
}

async fn record_held(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<HeldInput>,
) -> WebResult<Response> {
    let campus = drills::record_held(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/campuses/{}/drills", campus.campus_id)).into_response())
}
