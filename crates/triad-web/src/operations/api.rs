//! Campus status in the API, and the live stream pages listen to.

use super::drills::{self, CampusDrills, DrillCount, DrillView, HeldInput, ScheduleInput};
use super::response::{self, FollowUpInput, FollowUpView, NoteInput, NoticeView, StepInput};
use super::service::{self, CampusStatusView, EventView, MoveInput, StepView, TimelineEntry};
use crate::context::Ctx;
use crate::error::{ErrorBody, WebResult};
use crate::live::{Ended, Live, LiveStatus, Watch};
use crate::routes::Routes;
use axum::extract::Path;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use tokio::sync::broadcast;

pub fn routes() -> Routes {
    Routes::default()
        .get("/api/v1/campuses/{id}/status", status)
        .post("/api/v1/campuses/{id}/status", make_move)
        .get("/api/v1/campus-events/{id}", event)
        .post("/api/v1/campus-events/{id}/steps", tick_step)
        .post("/api/v1/campus-events/{id}/notes", add_note)
        .post("/api/v1/campus-events/{id}/follow-ups", add_follow_up)
        .post(
            "/api/v1/campus-events/{id}/follow-ups/{item}/done",
            complete_follow_up,
        )
        .post("/api/v1/notices/{id}/acknowledge", acknowledge)
        .get("/api/v1/campuses/{id}/drills", campus_drills)
        .post("/api/v1/campuses/{id}/drills", schedule_drill)
        .post("/api/v1/drills/{id}/held", record_held)
        .get("/live", live_for_person)
        .get("/campuses/{id}/live", live)
        .get("/districts/{id}/live", district_live)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        status,
        make_move,
        event,
        tick_step,
        add_note,
        add_follow_up,
        complete_follow_up,
        acknowledge,
        campus_drills,
        schedule_drill,
        record_held
    ),
    components(schemas(
        CampusStatusView,
        EventView,
        TimelineEntry,
        MoveInput,
        LiveStatus,
        StepView,
        NoticeView,
        FollowUpView,
        StepInput,
        NoteInput,
        FollowUpInput,
        CampusDrills,
        DrillView,
        DrillCount,
        ScheduleInput,
        HeldInput
    ))
)]
pub struct OperationsApiDoc;

/// A campus's status, its open event with its timeline, and its recent events.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/status", tag = "operations", params(("id" = String, Path)), responses((status = 200, body = CampusStatusView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn status(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<CampusStatusView>> {
    Ok(Json(service::status(&ctx, &id).await?))
}

/// Calls controlled movement or a lockdown, records a sweep, gives the all clear (sworn
/// officers, after a sweep), or lifts a lockdown for the school with responsibility accepted.
/// A refused move answers 409 with the reason; so does a move made on a stale version.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/status", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = MoveInput,
    responses((status = 200, body = CampusStatusView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn make_move(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<MoveInput>,
) -> WebResult<Json<CampusStatusView>> {
    Ok(Json(service::make_move(&ctx, &id, input).await?))
}

/// One event and its minute-by-minute timeline.
#[utoipa::path(get, path = "/api/v1/campus-events/{id}", tag = "operations", params(("id" = String, Path)), responses((status = 200, body = EventView), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn event(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<EventView>> {
    Ok(Json(service::event(&ctx, &id).await?))
}

/// Ticks a step of an open threat response. Contact is recorded only with a partner of the
/// seed's pairs; `police_called` sends the notices to the district leaders.
#[utoipa::path(post, path = "/api/v1/campus-events/{id}/steps", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = StepInput,
    responses((status = 200, body = EventView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn tick_step(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<StepInput>,
) -> WebResult<Json<EventView>> {
    response::tick_step(&ctx, &id, input).await?;
    Ok(Json(service::event(&ctx, &id).await?))
}

/// Adds a note during the event, or an after-action note once it is over.
#[utoipa::path(post, path = "/api/v1/campus-events/{id}/notes", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = NoteInput,
    responses((status = 200, body = EventView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_note(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<NoteInput>,
) -> WebResult<Json<EventView>> {
    response::add_note(&ctx, &id, input).await?;
    Ok(Json(service::event(&ctx, &id).await?))
}

/// Adds a follow-up item from the after-action review.
#[utoipa::path(post, path = "/api/v1/campus-events/{id}/follow-ups", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = FollowUpInput,
    responses((status = 200, body = EventView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn add_follow_up(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<FollowUpInput>,
) -> WebResult<Json<EventView>> {
    response::add_follow_up(&ctx, &id, input).await?;
    Ok(Json(service::event(&ctx, &id).await?))
}

/// Marks a follow-up item done.
#[utoipa::path(post, path = "/api/v1/campus-events/{id}/follow-ups/{item}/done", tag = "operations", params(("id" = String, Path), ("item" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = EventView), (status = 409, body = ErrorBody)), security(("token" = [])))]
async fn complete_follow_up(
    ctx: Ctx,
    Path((id, item)): Path<(String, String)>,
) -> WebResult<Json<EventView>> {
    response::complete_follow_up(&ctx, &id, &item).await?;
    Ok(Json(service::event(&ctx, &id).await?))
}

/// The notified district leader acknowledges a notice.
#[utoipa::path(post, path = "/api/v1/notices/{id}/acknowledge", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)),
    responses((status = 200, body = EventView), (status = 409, body = ErrorBody)), security(("token" = [])))]
async fn acknowledge(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<EventView>> {
    let event = response::acknowledge(&ctx, &id).await?;
    Ok(Json(service::event(&ctx, &event).await?))
}

/// A campus's drills this school year, and the counts of every year.
#[utoipa::path(get, path = "/api/v1/campuses/{id}/drills", tag = "operations", params(("id" = String, Path)), responses((status = 200, body = CampusDrills), (status = 404, body = ErrorBody)), security(("token" = [])))]
async fn campus_drills(ctx: Ctx, Path(id): Path<String>) -> WebResult<Json<CampusDrills>> {
    Ok(Json(drills::of_campus(&ctx, &id).await?))
}

/// Puts a drill on the campus's calendar.
#[utoipa::path(post, path = "/api/v1/campuses/{id}/drills", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = ScheduleInput,
    responses((status = 200, body = DrillView), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn schedule_drill(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<ScheduleInput>,
) -> WebResult<Json<DrillView>> {
    Ok(Json(drills::schedule(&ctx, &id, input).await?))
}

/// Records a scheduled drill as held.
#[utoipa::path(post, path = "/api/v1/drills/{id}/held", tag = "operations", params(("id" = String, Path), ("Idempotency-Key" = String, Header)), request_body = HeldInput,
    responses((status = 200, body = DrillView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
async fn record_held(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<HeldInput>,
) -> WebResult<Json<DrillView>> {
    Ok(Json(drills::record_held(&ctx, &id, input).await?))
}

fn sse_event(status: &LiveStatus) -> Result<Event, Infallible> {
    Ok(Event::default()
        .event("status")
        .data(serde_json::to_string(status).unwrap_or_default()))
}

/// A change as its stream sends it: a `status` event, or a `notice` (what to say and where
/// to go; whom else it was for is not sent).
fn live_event(message: &Live) -> Result<Event, Infallible> {
    match message {
        Live::Status(status) => sse_event(status),
        Live::Notice(notice) => Ok(Event::default().event("notice").data(
            serde_json::json!({
                "campus_id": notice.campus_id,
                "message": notice.message,
                "link": notice.link,
            })
            .to_string(),
        )),
    }
}

/// Server-Sent Events for the pages of one browser (they share it): a `snapshot` of every
/// campus the person is on and every campus not at normal in the districts they lead, then a
/// `status` event for each change, and a `notice` event for an urgent notice addressed to the
/// person (a possible banned person at a front desk). A new snapshot replaces everything the
/// page knew about statuses; a notice missed while no page was open waits on the home page.
async fn live_for_person(
    ctx: Ctx,
) -> WebResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let receiver = ctx.state.live.subscribe();
    let (watch, now) = service::watched_now(&ctx).await?;
    let snapshot = Event::default()
        .event("snapshot")
        .data(serde_json::to_string(&now).unwrap_or_default());
    Ok(stream_of(&ctx, receiver, vec![Ok(snapshot)], watch))
}

/// Server-Sent Events: the campus's status now, then every change as it is committed.
async fn live(
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let receiver = ctx.state.live.subscribe();
    let now = service::live_now(&ctx, &id).await?;
    let watch = Watch::campus(now.campus_id.clone());
    Ok(stream_of(&ctx, receiver, vec![sse_event(&now)], watch))
}

/// Server-Sent Events for a district leader: every campus of the district not at normal now,
/// then every change on any of its campuses.
async fn district_live(
    ctx: Ctx,
    Path(id): Path<String>,
) -> WebResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let receiver = ctx.state.live.subscribe();
    let (district, now) = service::district_live_now(&ctx, &id).await?;
    let first = now.iter().map(sse_event).collect();
    Ok(stream_of(&ctx, receiver, first, Watch::district(district)))
}

/// The first events, then the changes `watch` wants, until the client goes away or the server
/// ends the stream (the holder opened too many, signed out, or the stream fell behind); an
/// `ended` event says which, so the page knows whether to reconnect.
fn stream_of(
    ctx: &Ctx,
    receiver: broadcast::Receiver<Live>,
    first: Vec<Result<Event, Infallible>>,
    watch: Watch,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let slot = ctx.state.live.open_stream(&ctx.credential.holder_key());
    let (state, credential) = (ctx.state.clone(), ctx.credential.clone());
    let every = ctx.state.config.live_recheck;
    let recheck = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let changes = stream::unfold(Some((receiver, slot, recheck)), move |open| {
        let (watch, state, credential) = (watch.clone(), state.clone(), credential.clone());
        async move {
            let (mut rx, mut slot, mut recheck) = open?;
            let ended = loop {
                tokio::select! {
                    // A session signed out on another instance, a new password, a revoked or
                    // expired token, a disabled account: the stream ends within `live_recheck`.
                    _ = recheck.tick() => {
                        if !crate::context::still_held(&state, &credential).await {
                            break Ended::SignedOut;
                        }
                    }
                    ended = &mut slot.ended => match ended {
                        Ok(why) => break why,
                        Err(_) => return None,
                    },
                    change = rx.recv() => match change {
                        Ok(message) if watch.wants(&message) => {
                            return Some((live_event(&message), Some((rx, slot, recheck))));
                        }
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(_)) => break Ended::Lagged,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                }
            };
            Some((Ok(Event::default().event("ended").data(ended.code())), None))
        }
    });
    Sse::new(stream::iter(first).chain(changes)).keep_alive(KeepAlive::default())
}
