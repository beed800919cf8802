//! Meeting pages: a campus's meetings with its cadence, one meeting with its action items.

use super::service::{self, CampusMeetings, ItemInput, MeetingDetail, MeetingInput, StatusInput};
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
use triad_domain::meetings::{MeetingKind, CONVERSATION_STARTERS};

pub fn routes() -> Routes {
    Routes::default()
        .get("/campuses/{id}/meetings", campus_meetings)
        .post("/campuses/{id}/meetings", record)
        .get("/meetings/{id}", meeting)
        .post("/meetings/{id}/items", add_item)
        .post("/action-items/{id}", set_status)
}

#[derive(Template)]
#[template(path = "meetings/meetings.html")]
struct MeetingsPage {
    layout: Layout,
    m: CampusMeetings,
    /// The MOU versions a semester review may name (those the person may read).
    mou_versions: Vec<triad_app::mou::ReviewChoice>,
    kinds: &'static [MeetingKind],
    agenda: String,
    form: FormToken,
}

#[derive(Deserialize)]
pub struct AgendaQuery {
    /// `starters` pre-fills the agenda with the conversation starters.
    #[serde(default)]
    agenda: String,
}

async fn campus_meetings(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<AgendaQuery>,
) -> WebResult<Html<String>> {
    let m = service::campus_meetings(&ctx, &id).await?;
    let agenda = if q.agenda == "starters" {
        CONVERSATION_STARTERS
            .iter()
            .map(|s| format!("- {s}"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        String::new()
    };
    let mou_versions = triad_app::mou::review_choices(&ctx, &m.district_id).await?;
    render(&MeetingsPage {
        layout: Layout::new(&ctx),
        mou_versions,
        m,
        kinds: MeetingKind::ALL,
        agenda,
        form: ctx.form(),
    })
}

async fn record(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<MeetingInput>,
) -> WebResult<Response> {
    let m = service::record(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/meetings/{}", m.id)).into_response())
}

#[derive(Template)]
#[template(path = "meetings/meeting.html")]
struct MeetingPage {
    layout: Layout,
    d: MeetingDetail,
    form: FormToken,
    status_forms: Vec<FormToken>,
    /// Who an action item may be given to, by name.
    owners: Vec<triad_app::context::PersonChoice>,
}

async fn meeting(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let d = service::meeting(&ctx, &id).await?;
    let status_forms = d.items.iter().map(|_| ctx.form()).collect();
    let owners = service::owner_choices(&ctx, &id).await?;
    render(&MeetingPage {
        layout: Layout::new(&ctx),
        owners,
        d,
        form: ctx.form(),
        status_forms,
    })
}

async fn add_item(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<ItemInput>,
) -> WebResult<Response> {
    let item = service::add_item(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/meetings/{}", item.meeting_id)).into_response())
}

async fn set_status(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<StatusInput>,
) -> WebResult<Response> {
    let item = service::set_status(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/meetings/{}", item.meeting_id)).into_response())
}
