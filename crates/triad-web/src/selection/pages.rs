//! The agency's posts (for its supervisor) and one post with its candidates: the supervisor's
//! decisions, the panel administrators' recommendations.

use super::service::{
    self, AgencyPostings, CandidateInput, DecisionInput, MinimumInput, PanelInput, PostingDetail,
    PostingInput,
};
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
        .get("/agencies/{id}/postings", postings)
        .post("/agencies/{id}/postings", open_posting)
        .post("/agencies/{id}/postings/minimum", set_minimum)
        .get("/postings/{id}", posting)
        .post("/postings/{id}/candidates", add_candidate)
        .post("/candidates/{id}/decision", decide)
        .post("/candidates/{id}/panel", panel)
}

#[derive(Template)]
#[template(path = "selection/postings.html")]
struct PostingsPage {
    layout: Layout,
    p: AgencyPostings,
    open_form: FormToken,
    minimum_form: FormToken,
}

async fn postings(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let p = service::postings(&ctx, &id).await?;
    render(&PostingsPage {
        layout: Layout::new(&ctx),
        p,
        open_form: ctx.form(),
        minimum_form: ctx.form(),
    })
}

async fn open_posting(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PostingInput>,
) -> WebResult<Response> {
    let row = service::open_posting(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/postings/{}", row.id)))
}

async fn set_minimum(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<MinimumInput>,
) -> WebResult<Response> {
    service::set_minimum(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/agencies/{id}/postings")))
}

/// The forms under one candidate.
struct CandidateForms {
    decide: FormToken,
    panel: FormToken,
}

#[derive(Template)]
#[template(path = "selection/posting.html")]
struct PostingPage {
    layout: Layout,
    p: PostingDetail,
    add_form: FormToken,
    forms: Vec<CandidateForms>,
}

async fn posting(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let p = service::posting(&ctx, &id).await?;
    let forms = p
        .candidates
        .iter()
        .map(|_| CandidateForms {
            decide: ctx.form(),
            panel: ctx.form(),
        })
        .collect();
    render(&PostingPage {
        layout: Layout::new(&ctx),
        p,
        add_form: ctx.form(),
        forms,
    })
}

async fn add_candidate(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<CandidateInput>,
) -> WebResult<Response> {
    let c = service::add_candidate(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/postings/{}",
        c.posting_id
    )))
}

async fn decide(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<DecisionInput>,
) -> WebResult<Response> {
    let posting = service::decide_candidate(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/postings/{posting}")))
}

async fn panel(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PanelInput>,
) -> WebResult<Response> {
    let posting = service::panel_input(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/postings/{posting}")))
}
