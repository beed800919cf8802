//! The checklist page: each item, done or not, what shows it, and for the two marked by hand
//! a short form for the SRO or the administrator.

use super::service::{self, Checklist, MarkInput};
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
        .get("/campuses/{id}/start-of-year", checklist)
        .post("/campuses/{id}/start-of-year/{code}", mark)
}

#[derive(Template)]
#[template(path = "start_of_year/checklist.html")]
struct ChecklistPage {
    layout: Layout,
    c: Checklist,
    forms: Vec<FormToken>,
}

async fn checklist(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let c = service::checklist(&ctx, &id).await?;
    let forms = c.items.iter().map(|_| ctx.form()).collect();
    render(&ChecklistPage {
        layout: Layout::new(&ctx),
        c,
        forms,
    })
}

async fn mark(
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
    Form(input): Form<MarkInput>,
) -> WebResult<Response> {
    service::mark(&ctx, &id, &code, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/campuses/{id}/start-of-year#{code}"
    )))
}
