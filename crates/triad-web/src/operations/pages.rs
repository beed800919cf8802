//! Campus status pages: the status with the moves the person may try, and an event's
//! printable timeline.

use super::service::{self, CampusStatusView, EventView, MoveInput};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_domain::operations::Move;

pub fn routes() -> Routes {
    Routes::default()
        .get("/campuses/{id}/status", status)
        .post("/campuses/{id}/status", make_move)
        .get("/campus-events/{id}", event)
}

#[derive(Template)]
#[template(path = "campus_status.html")]
struct StatusPage {
    layout: Layout,
    s: CampusStatusView,
    moves: Vec<(Move, FormToken)>,
}

async fn status(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let s = service::status(&ctx, &id).await?;
    let moves = Move::ALL.iter().map(|m| (*m, ctx.form())).collect();
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
#[template(path = "campus_event.html")]
struct EventPage {
    layout: Layout,
    e: EventView,
}

async fn event(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let e = service::event(&ctx, &id).await?;
    render(&EventPage {
        layout: Layout::new(&ctx),
        e,
    })
}
