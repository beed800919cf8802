//! Training pages: a person's (their standing, their courses, the form to add one with its
//! certificate), the agency's roster for its supervisors, a district's counts.

use super::service::{
    self, AgencyTraining, BriefingInput, DistrictTraining, PersonTraining, RequirementsInput,
    VoidInput,
};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use axum::Form;

pub fn routes() -> Routes {
    Routes::default()
        .get("/people/{id}/training", person)
        .post("/people/{id}/training", add)
        .post("/people/{id}/briefings", record_briefing)
        .get("/training/{id}/certificate", certificate)
        .post("/training/{id}/void", void)
        .get("/agencies/{id}/training", agency)
        .post("/agencies/{id}/training/requirements", set_requirements)
        .get("/districts/{id}/training", district)
}

#[derive(Template)]
#[template(path = "training/person.html")]
struct PersonPage {
    layout: Layout,
    t: PersonTraining,
    add_form: FormToken,
    briefing_form: FormToken,
    /// One per record (the supervisor voids a wrong one).
    void_forms: Vec<FormToken>,
}

async fn person(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let t = service::of_person(&ctx, &id).await?;
    render(&PersonPage {
        layout: Layout::new(&ctx),
        add_form: ctx.form(),
        briefing_form: ctx.form(),
        void_forms: t.records.iter().map(|_| ctx.form()).collect(),
        t,
    })
}

async fn add(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let (input, file) = crate::forms::read_input(&headers, body, "certificate").await?;
    service::add(&ctx, &id, &input, file).await?;
    Ok(crate::views::redirect(&format!("/people/{id}/training")))
}

async fn certificate(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    Ok(super::certificate_download(
        service::certificate(&ctx, &id).await?,
    ))
}

#[derive(Template)]
#[template(path = "training/agency.html")]
struct AgencyPage {
    layout: Layout,
    a: AgencyTraining,
    requirements_form: FormToken,
}

async fn agency(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let a = service::of_agency(&ctx, &id).await?;
    render(&AgencyPage {
        layout: Layout::new(&ctx),
        a,
        requirements_form: ctx.form(),
    })
}

async fn set_requirements(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<RequirementsInput>,
) -> WebResult<Response> {
    service::set_requirements(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/agencies/{id}/training")))
}

#[derive(Template)]
#[template(path = "training/district.html")]
struct DistrictPage {
    layout: Layout,
    d: DistrictTraining,
}

async fn district(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let d = service::of_district(&ctx, &id).await?;
    render(&DistrictPage {
        layout: Layout::new(&ctx),
        d,
    })
}

async fn record_briefing(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<BriefingInput>,
) -> WebResult<Response> {
    service::record_briefing(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/people/{id}/training#briefings"
    )))
}

async fn void(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<VoidInput>,
) -> WebResult<Response> {
    let person = service::void(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/people/{person}/training"
    )))
}
