//! Visitor and ban pages: the front office's sign-in, a sign-in with its matches, and the
//! printable list of bans in force.

use super::service::{
    self, BanInput, BanList, CampusVisitors, MatchInput, VisitorInput, VisitorView,
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
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_domain::visitors::IdType;

pub fn routes() -> Routes {
    Routes::default()
        .post("/incidents/{id}/bans", issue_ban)
        .get("/campuses/{id}/bans", bans)
        .get("/bans/{id}/photo", super::api::ban_photo)
        .get("/campuses/{id}/visitors", campus_visitors)
        .post("/campuses/{id}/visitors", sign_in)
        .get("/visitors/{id}", visitor)
        .post("/visitors/{id}/sign-out", sign_out)
        .post("/ban-matches/{id}", decide_match)
}

async fn issue_ban(
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let (input, photo) = crate::forms::read_input::<BanInput>(&headers, body, "photo").await?;
    service::issue_ban(&ctx, &id, input, photo).await?;
    Ok(Redirect::to(&format!("/incidents/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "visitors/bans.html")]
struct BansPage {
    layout: Layout,
    m: BanList,
}

async fn bans(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let m = service::bans(&ctx, &id, triad_store::paging::Page::ALL).await?;
    render(&BansPage {
        layout: Layout::new(&ctx),
        m,
    })
}

#[derive(Template)]
#[template(path = "visitors/visitors.html")]
struct VisitorsPage {
    layout: Layout,
    m: CampusVisitors,
    q: VisitorsQuery,
    /// The link to the next page of the day's list, when there may be one.
    next: Option<String>,
    past_end: bool,
    id_types: &'static [IdType],
    form: FormToken,
}

/// The day's list: a name to look for, and where the page starts.
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct VisitorsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
}

/// How many sign-ins a page of the day's list shows.
const VISITORS_PER_PAGE: i64 = 50;

async fn campus_visitors(
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<VisitorsQuery>,
) -> WebResult<Html<String>> {
    let after = match q.after.trim() {
        "" => None,
        text => Some(triad_domain::Id::parse(text).ok_or_else(|| {
            crate::error::WebError::from(triad_app::AppError::Invalid(triad_domain::Invalid::one(
                "after",
                "this page link is not one of Triad's",
            )))
        })?),
    };
    let page = triad_store::paging::Page {
        limit: VISITORS_PER_PAGE + 1,
        after,
    };
    let mut m = service::campus_visitors(&ctx, &id, &q.q, page).await?;
    let more = m.visitors.len() as i64 > VISITORS_PER_PAGE;
    m.visitors.truncate(VISITORS_PER_PAGE as usize);
    let next = m.visitors.last().filter(|_| more).map(|last| {
        let kept = [("q", q.q.as_str()), ("after", last.id.as_str())];
        format!(
            "/campuses/{id}/visitors?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    });
    render(&VisitorsPage {
        layout: Layout::new(&ctx),
        past_end: m.visitors.is_empty() && after.is_some(),
        next,
        q,
        m,
        id_types: IdType::ALL,
        form: ctx.form(),
    })
}

async fn sign_in(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<VisitorInput>,
) -> WebResult<Response> {
    let v = service::sign_in(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/visitors/{}", v.id)).into_response())
}

#[derive(Template)]
#[template(path = "visitors/visitor.html")]
struct VisitorPage {
    layout: Layout,
    v: VisitorView,
    sign_out_form: FormToken,
    match_forms: Vec<(FormToken, FormToken)>,
}

async fn visitor(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let v = service::visitor(&ctx, &id).await?;
    let match_forms = v.matches.iter().map(|_| (ctx.form(), ctx.form())).collect();
    render(&VisitorPage {
        layout: Layout::new(&ctx),
        v,
        sign_out_form: ctx.form(),
        match_forms,
    })
}

async fn sign_out(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    service::sign_out(&ctx, &id).await?;
    Ok(Redirect::to(&format!("/visitors/{id}")).into_response())
}

async fn decide_match(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<MatchInput>,
) -> WebResult<Response> {
    let v = service::decide_match(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/visitors/{}", v.id)).into_response())
}
