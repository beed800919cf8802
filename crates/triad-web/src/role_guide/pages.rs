//! The role guide page: every role's sections in reading order (printed without the forms),
//! and, for the district's leader, a box under each section to rewrite it.

use super::service::{self, Guide, SectionInput};
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
        .get("/districts/{id}/role-guide", guide)
        .post("/districts/{id}/role-guide/{code}", save)
}

#[derive(Template)]
#[template(path = "role_guide/guide.html")]
struct GuidePage {
    layout: Layout,
    g: Guide,
    /// One form per section, in the guide's order (leaders only).
    forms: Vec<FormToken>,
}

async fn guide(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let g = service::guide(&ctx, &id).await?;
    let forms = if g.may_edit {
        g.roles
            .iter()
            .flat_map(|r| r.sections.iter())
            .map(|_| ctx.form())
            .collect()
    } else {
        Vec::new()
    };
    render(&GuidePage {
        layout: Layout::new(&ctx),
        g,
        forms,
    })
}

async fn save(
    ctx: Ctx,
    Path((id, code)): Path<(String, String)>,
    Form(input): Form<SectionInput>,
) -> WebResult<Response> {
    service::save_section(&ctx, &id, &code, &input).await?;
    Ok(crate::views::redirect(&format!(
        "/districts/{id}/role-guide#{code}"
    )))
}

impl GuidePage {
    /// The form of the n-th section of the guide (counted across the roles).
    fn form(&self, role: &usize, section: &usize) -> Option<&FormToken> {
        let (role, section) = (*role, *section);
        let before: usize = self.g.roles[..role].iter().map(|r| r.sections.len()).sum();
        self.forms.get(before + section)
    }
}
