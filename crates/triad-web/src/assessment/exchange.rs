//! The signed aggregate between instances: the district's download for its state, and the
//! state's page of sending instances and imported files.

use super::service::{self, ImportReport, SenderInput, StateImports};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, Response};
use axum::Form;

pub fn routes() -> Routes {
    Routes::default()
        .get("/districts/{id}/assessment-export", export)
        .get("/assessments/imports", page)
        .post("/assessments/senders", add_sender)
        .post("/assessments/senders/{id}/withdraw", withdraw_sender)
        .post("/assessments/imports", import)
}

/// The district's signed file for its state, as a download.
async fn export(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<super::pages::YearQuery>,
) -> WebResult<Response> {
    let (name, file) = service::aggregate_export(&ctx, &id, q.year.as_deref()).await?;
    Ok(crate::views::file_attachment(
        "application/json",
        &name,
        file.into_bytes(),
    ))
}

#[derive(Template)]
#[template(path = "assessment/state_imports.html")]
struct StatePage {
    layout: Layout,
    m: StateImports,
    sender_form: Option<FormToken>,
    import_form: Option<FormToken>,
    report: Option<ImportReport>,
    /// What the administrator just did to the list of senders.
    changed: Option<String>,
}

async fn show(
    ctx: &Ctx,
    report: Option<ImportReport>,
    changed: Option<String>,
) -> WebResult<Html<String>> {
    let m = service::state_imports(ctx).await?;
    render(&StatePage {
        layout: Layout::new(ctx),
        sender_form: m.adds_senders.then(|| ctx.form()),
        import_form: m.imports.then(|| ctx.form()),
        m,
        report,
        changed,
    })
}

async fn page(ctx: Ctx) -> WebResult<Html<String>> {
    show(&ctx, None, None).await
}

async fn add_sender(ctx: Ctx, Form(input): Form<SenderInput>) -> WebResult<Html<String>> {
    let added = service::add_sender(&ctx, &input).await?;
    show(
        &ctx,
        None,
        Some(format!(
            "Added: {} (key {}). Files it signs can now be imported.",
            added.name, added.fingerprint
        )),
    )
    .await
}

async fn withdraw_sender(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let withdrawn = service::withdraw_sender(&ctx, &id).await?;
    show(
        &ctx,
        None,
        Some(format!(
            "Withdrawn: {} (key {}). Files it signs are refused, and what it sent is off the program assessments; its imports are kept below, and adding its key again restores them.",
            withdrawn.name, withdrawn.fingerprint
        )),
    )
    .await
}

async fn import(
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> WebResult<Html<String>> {
    let (_, file): (serde_json::Value, _) =
        crate::forms::read_input(&headers, body, "file").await?;
    let report = service::import_aggregate(&ctx, file.as_deref()).await?;
    show(&ctx, Some(report), None).await
}
