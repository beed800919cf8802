//! Account administration for system administrators: create accounts with a first role,
//! disable them (ending every session), unlock them, grant more roles.

use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_app::accounts::{scope_options, ScopeOption};
use triad_domain::auth::Role;
use triad_store::paging::Page;

pub use triad_app::accounts::{
    change_account, create_account, grant, user_summaries, AccountChange, GrantInput, NewUserInput,
    UserSummary,
};

pub fn routes() -> Routes {
    Routes::default()
        .get("/admin/users", users_page)
        .post("/admin/users", create_user)
        .post("/admin/users/{id}/disable", disable_user)
        .post("/admin/users/{id}/enable", enable_user)
        .post("/admin/users/{id}/unlock", unlock_user)
        .post("/admin/users/{id}/grants", add_grant)
}

pub struct UserLine {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub disabled: bool,
    pub locked_until: Option<String>,
    pub form: FormToken,
}

#[derive(Template)]
#[template(path = "auth/admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserLine>,
    roles: Vec<(&'static str, &'static str)>,
    scopes: Vec<ScopeOption>,
    form: FormToken,
}

async fn users_page(ctx: Ctx) -> WebResult<Html<String>> {
    let users = user_summaries(&ctx, Page::first(crate::paging::MAX_LIMIT))
        .await?
        .into_iter()
        .map(|u| UserLine {
            roles: u
                .roles
                .iter()
                .filter_map(|r| Role::from_code(r))
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            locked_until: u.locked_until.map(when),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            form: ctx.form(),
        })
        .collect();
    render(&UsersPage {
        layout: Layout::new(&ctx),
        users,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        scopes: scope_options(&ctx.state.db).await?,
        form: ctx.form(),
    })
}

async fn create_user(ctx: Ctx, Form(input): Form<NewUserInput>) -> WebResult<Response> {
    create_account(&ctx, input).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn disable_user(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    change_account(&ctx, &id, AccountChange::Disable).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn enable_user(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    change_account(&ctx, &id, AccountChange::Enable).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn unlock_user(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    change_account(&ctx, &id, AccountChange::Unlock).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn add_grant(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<GrantInput>,
) -> WebResult<Response> {
    grant(&ctx, &id, input).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
