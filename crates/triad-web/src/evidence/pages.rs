//! Evidence pages: an item with its photos, custody history and the hand-over forms.

use super::service::{self, ItemDetail, StatusInput, TransferInput};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_domain::evidence::EvidenceStatus;

pub fn routes() -> Routes {
    Routes::default()
        .post("/incidents/{id}/evidence", intake)
        .get("/evidence/{id}", item)
        .get("/evidence/{id}/custody.json", super::api::custody_download)
        .post("/evidence/{id}/transfer", transfer)
        .post("/evidence/{id}/acknowledge", acknowledge)
        .post("/evidence/{id}/status", set_status)
        .get("/photos/{id}", super::api::photo_view)
        .get("/photos/{id}/original", super::api::photo_original)
}

async fn intake(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let item = super::intake(&ctx, &id, &headers, body).await?;
    Ok(Redirect::to(&format!("/evidence/{}", item.id)).into_response())
}

#[derive(Template)]
#[template(path = "evidence/evidence.html")]
struct ItemPage {
    layout: Layout,
    d: ItemDetail,
    statuses: Vec<EvidenceStatus>,
    transfer_form: FormToken,
    acknowledge_form: FormToken,
    status_form: FormToken,
    /// Who the item may be handed to, by name (for its holder).
    receivers: Vec<triad_app::context::PersonChoice>,
}

async fn item(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let d = service::item(&ctx, &id).await?;
    let receivers = if d.held_by_me && d.pending_receiver.is_none() {
        service::receiver_choices(&ctx, &id).await?
    } else {
        Vec::new()
    };
    render(&ItemPage {
        receivers,
        layout: Layout::new(&ctx),
        d,
        statuses: EvidenceStatus::ALL
            .iter()
            .copied()
            .filter(|s| *s != EvidenceStatus::Collected)
            .collect(),
        transfer_form: ctx.form(),
        acknowledge_form: ctx.form(),
        status_form: ctx.form(),
    })
}

fn back(id: &str) -> Response {
    Redirect::to(&format!("/evidence/{id}")).into_response()
}

async fn transfer(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<TransferInput>,
) -> WebResult<Response> {
    service::transfer(&ctx, &id, input).await?;
    Ok(back(&id))
}

async fn acknowledge(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    service::acknowledge(&ctx, &id).await?;
    Ok(back(&id))
}

async fn set_status(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<StatusInput>,
) -> WebResult<Response> {
    service::set_status(&ctx, &id, input).await?;
    Ok(back(&id))
}
