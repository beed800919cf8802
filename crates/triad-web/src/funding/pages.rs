//! The funding page: a partnership's grants, the soonest ending first, with the form to add
//! one and, for each, its continuation plan.

use super::service::{self, GrantTermsInput, PartnershipFunding, PlanInput};
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
        .get("/partnerships/{id}/funding", funding)
        .post("/partnerships/{id}/grants", add_grant)
        .post("/grants/{id}/plan", record_plan)
        .post("/grants/{id}", correct)
}

#[derive(Template)]
#[template(path = "funding/partnership.html")]
struct FundingPage {
    layout: Layout,
    f: PartnershipFunding,
    add_form: FormToken,
    plan_forms: Vec<FormToken>,
    correct_forms: Vec<FormToken>,
}

async fn funding(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let f = service::of_partnership(&ctx, &id).await?;
    let plan_forms = f.grants.iter().map(|_| ctx.form()).collect();
    let correct_forms = f.grants.iter().map(|_| ctx.form()).collect();
    render(&FundingPage {
        layout: Layout::new(&ctx),
        f,
        add_form: ctx.form(),
        plan_forms,
        correct_forms,
    })
}

async fn add_grant(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<GrantTermsInput>,
) -> WebResult<Response> {
    service::add_grant(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/partnerships/{id}/funding"
    )))
}

async fn record_plan(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PlanInput>,
) -> WebResult<Response> {
    let partnership = service::record_plan(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/partnerships/{partnership}/funding#grant-{id}"
    )))
}

async fn correct(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<GrantTermsInput>,
) -> WebResult<Response> {
    let g = service::correct(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/partnerships/{}/funding#grant-{}",
        g.partnership_id, g.id
    )))
}
