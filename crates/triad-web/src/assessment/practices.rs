//! A district's own practices, rated beside the instrument: the list, the form that adds one,
//! and retiring one no longer asked.

use super::service::{self, DistrictPractices, PracticeInput};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, Response};
use axum::Form;

pub fn routes() -> Routes {
    Routes::default()
        .get("/districts/{id}/practices", page)
        .post("/districts/{id}/practices", add)
        .post("/district-practices/{id}/retire", retire)
}

#[derive(Template)]
#[template(path = "assessment/practices.html")]
struct PracticesPage {
    layout: Layout,
    m: DistrictPractices,
    add_form: Option<FormToken>,
    retire_forms: Vec<FormToken>,
}

async fn page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let m = service::district_practices(&ctx, &id).await?;
    render(&PracticesPage {
        layout: Layout::new(&ctx),
        add_form: m.may_change.then(|| ctx.form()),
        retire_forms: m.practices.iter().map(|_| ctx.form()).collect(),
        m,
    })
}

async fn add(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PracticeInput>,
) -> WebResult<Response> {
    let added = service::add_practice(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/districts/{id}/practices#practice-{}",
        added.number
    )))
}

async fn retire(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let (district, retired) = service::retire_practice(&ctx, &id).await?;
    Ok(crate::views::redirect(&format!(
        "/districts/{district}/practices#practice-{}",
        retired.number
    )))
}
