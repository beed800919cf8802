//! The directory page: the district's services by category, those overdue for a check
//! flagged, with one tap to mark one checked, the SRO's referral form under each, and the form
//! to add a service.

use super::service::{self, Directory, DirectoryQuery, EntryInput, PeriodInput, ReferralInput};
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
        .get("/districts/{id}/community", directory)
        .post("/districts/{id}/community", add)
        .post("/districts/{id}/community/period", set_period)
        .post("/community/{id}", update)
        .post("/community/{id}/verify", verify)
        .post("/community/{id}/retire", retire)
        .post("/community/{id}/referrals", refer)
}

/// The forms under one entry.
struct EntryForms {
    verify: FormToken,
    retire: FormToken,
    refer: FormToken,
    edit: FormToken,
}

#[derive(Template)]
#[template(path = "community/directory.html")]
struct DirectoryPage {
    layout: Layout,
    d: Directory,
    q: DirectoryQuery,
    forms: Vec<EntryForms>,
    add_form: FormToken,
    period_form: FormToken,
}

async fn directory(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DirectoryQuery>,
) -> WebResult<Html<String>> {
    let d = service::directory(&ctx, &id, &q).await?;
    let forms = d
        .entries
        .iter()
        .map(|_| EntryForms {
            verify: ctx.form(),
            retire: ctx.form(),
            refer: ctx.form(),
            edit: ctx.form(),
        })
        .collect();
    render(&DirectoryPage {
        layout: Layout::new(&ctx),
        d,
        q,
        forms,
        add_form: ctx.form(),
        period_form: ctx.form(),
    })
}

fn back_to(district: &str, entry: Option<&str>) -> Response {
    let anchor = entry.map(|e| format!("#entry-{e}")).unwrap_or_default();
    crate::views::redirect(&format!("/districts/{district}/community{anchor}"))
}

async fn add(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<EntryInput>,
) -> WebResult<Response> {
    let row = service::add(&ctx, &id, &input).await?;
    Ok(back_to(&id, Some(&row.id)))
}

async fn update(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<EntryInput>,
) -> WebResult<Response> {
    let row = service::update(&ctx, &id, &input).await?;
    Ok(back_to(&row.district_id, Some(&row.id)))
}

async fn verify(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let row = service::verify(&ctx, &id).await?;
    Ok(back_to(&row.district_id, Some(&row.id)))
}

async fn refer(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<ReferralInput>,
) -> WebResult<Response> {
    let r = service::refer(&ctx, &id, &input).await?;
    Ok(back_to(&r.district_id, Some(&r.resource_id)))
}

async fn set_period(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PeriodInput>,
) -> WebResult<Response> {
    service::set_verify_days(&ctx, &id, &input).await?;
    Ok(back_to(&id, None))
}

impl DirectoryPage {
    fn category_selected(&self, code: &str) -> bool {
        self.q.category == code
    }
}

async fn retire(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let row = service::retire(&ctx, &id).await?;
    Ok(back_to(&row.district_id, None))
}
