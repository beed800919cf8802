//! MOU pages: the partnership's versions and signatories, one version (edited while a draft,
//! printed once signed), and two versions side by side.

use super::service::{
    self, ClausesInput, Comparison, PartnershipMou, SignInput, SignatoryInput, VersionDetail,
};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, Response};
use axum::Form;
use serde::Deserialize;
use triad_app::context::PersonChoice;

pub fn routes() -> Routes {
    Routes::default()
        .get("/partnerships/{id}/mou", partnership)
        .post("/partnerships/{id}/mou/drafts", start_draft)
        .post("/partnerships/{id}/mou/signatory", designate)
        .get("/mou/{id}", version)
        .post("/mou/{id}", save)
        .post("/mou/{id}/sign", sign)
        .get("/mou/{id}/compare", compare)
}

#[derive(Template)]
#[template(path = "mou/partnership.html")]
struct PartnershipPage {
    layout: Layout,
    m: PartnershipMou,
    choices: Vec<PersonChoice>,
    draft_form: FormToken,
    signatory_form: FormToken,
}

async fn partnership(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let m = service::of_partnership(&ctx, &id).await?;
    let choices = service::signatory_choices(&ctx, &id).await?;
    render(&PartnershipPage {
        layout: Layout::new(&ctx),
        m,
        choices,
        draft_form: ctx.form(),
        signatory_form: ctx.form(),
    })
}

async fn start_draft(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let v = service::start_draft(&ctx, &id).await?;
    Ok(crate::views::redirect(&format!("/mou/{}", v.id)))
}

async fn designate(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<SignatoryInput>,
) -> WebResult<Response> {
    service::designate(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/partnerships/{id}/mou")))
}

#[derive(Template)]
#[template(path = "mou/version.html")]
struct VersionPage {
    layout: Layout,
    v: VersionDetail,
    edit_form: FormToken,
    sign_form: FormToken,
}

async fn version(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let v = service::version_detail(&ctx, &id).await?;
    render(&VersionPage {
        layout: Layout::new(&ctx),
        v,
        edit_form: ctx.form(),
        sign_form: ctx.form(),
    })
}

/// The form's fields are the clauses by their codes (and its token, which is not a clause).
async fn save(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(clauses): Form<std::collections::BTreeMap<String, String>>,
) -> WebResult<Response> {
    service::save_clauses(&ctx, &id, &ClausesInput { clauses }).await?;
    Ok(crate::views::redirect(&format!("/mou/{id}")))
}

async fn sign(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<SignInput>,
) -> WebResult<Response> {
    service::sign(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/mou/{id}")))
}

#[derive(Deserialize)]
struct CompareQuery {
    #[serde(default)]
    with: String,
}

#[derive(Template)]
#[template(path = "mou/compare.html")]
struct ComparePage {
    layout: Layout,
    c: Comparison,
}

async fn compare(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> WebResult<Html<String>> {
    let c = service::compare(&ctx, &id, &q.with).await?;
    render(&ComparePage {
        layout: Layout::new(&ctx),
        c,
    })
}
