//! Evaluation pages (an officer's list and the form for this year's; one evaluation with the
//! administrators' input) and a campus's post facts.

use super::service::{
    self, CampusPost, EvaluationDetail, PersonEvaluations, PostInput, RatingsInput,
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
use std::collections::BTreeMap;

pub fn routes() -> Routes {
    Routes::default()
        .get("/people/{id}/evaluations", evaluations)
        .post("/people/{id}/evaluations", write)
        .get("/evaluations/{id}", evaluation)
        .post("/evaluations/{id}/input", give_input)
        .get("/campuses/{id}/post", post)
        .post("/campuses/{id}/post", set_post)
}

#[derive(Template)]
#[template(path = "personnel/evaluations.html")]
struct EvaluationsPage {
    layout: Layout,
    e: PersonEvaluations,
    write_form: FormToken,
}

async fn evaluations(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let e = service::of_person(&ctx, &id).await?;
    render(&EvaluationsPage {
        layout: Layout::new(&ctx),
        e,
        write_form: ctx.form(),
    })
}

/// The form's fields are the criteria by their codes, `comments`, and the form's token.
async fn write(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> WebResult<Response> {
    let e = service::write(&ctx, &id, &RatingsInput::from_form(&fields)).await?;
    Ok(crate::views::redirect(&format!("/evaluations/{}", e.id)))
}

#[derive(Template)]
#[template(path = "personnel/evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    e: EvaluationDetail,
    input_form: FormToken,
}

async fn evaluation(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let e = service::detail(&ctx, &id).await?;
    render(&EvaluationPage {
        layout: Layout::new(&ctx),
        e,
        input_form: ctx.form(),
    })
}

async fn give_input(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> WebResult<Response> {
    service::give_input(&ctx, &id, &RatingsInput::from_form(&fields)).await?;
    Ok(crate::views::redirect(&format!("/evaluations/{id}")))
}

#[derive(Template)]
#[template(path = "personnel/post.html")]
struct PostPage {
    layout: Layout,
    p: CampusPost,
    form: FormToken,
}

async fn post(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let p = service::post(&ctx, &id).await?;
    render(&PostPage {
        layout: Layout::new(&ctx),
        p,
        form: ctx.form(),
    })
}

async fn set_post(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<PostInput>,
) -> WebResult<Response> {
    service::set_post(&ctx, &id, &input).await?;
    Ok(crate::views::redirect(&format!("/campuses/{id}/post")))
}

impl EvaluationPage {
    /// Whether the actor's own input rated a criterion so.
    fn chose(&self, criterion: &str, rating: &str) -> bool {
        self.e
            .criteria
            .iter()
            .any(|c| c.code == criterion && c.mine.as_deref() == Some(rating))
    }
}
