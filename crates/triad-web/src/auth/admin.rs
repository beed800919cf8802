//! Account administration: system administrators create accounts with a first role, disable
//! them (ending every session), unlock them, give and end roles, and change the instance's
//! settings; district leaders give and end the school roles of their own district.

use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_app::accounts::{new_account_scopes, ScopeOption};
use triad_domain::auth::Role;

pub use triad_app::accounts::{
    change_account, create_account, end_grant, find_users, grant, user_detail, user_summaries,
    AccountChange, GrantInput, NewUserInput, UserQuery, UserSummary,
};

pub fn routes() -> Routes {
    Routes::default()
        .get("/admin/users", users_page)
        .post("/admin/users", create_user)
        .get("/admin/users/new", new_user_page)
        .post("/admin/users/{id}/disable", disable_user)
        .post("/admin/users/{id}/enable", enable_user)
        .post("/admin/users/{id}/unlock", unlock_user)
        .get("/admin/users/{id}", user_page)
        .post("/admin/users/{id}/grants", add_grant)
        .post("/admin/users/{id}/grants/end", end_role)
        .post("/admin/users/{id}/identities/move", move_identity)
        .get("/admin/settings", settings_page)
        .post("/admin/settings", change_setting)
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
    q: UserQuery,
    users: Vec<UserLine>,
    /// The link to the next page, when there may be one.
    next: Option<String>,
    past_end: bool,
    /// A district leader's list: only the people of their districts, and no new account.
    district_only: bool,
    roles: Vec<(&'static str, &'static str)>,
}

async fn users_page(ctx: Ctx, Query(q): Query<UserQuery>) -> WebResult<Html<String>> {
    let list = find_users(&ctx, &q).await?;
    let users = list
        .users
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
    let next = list.next.map(|after| {
        let query = [
            ("q", q.q.as_str()),
            ("role", q.role.as_str()),
            ("after", after.as_str()),
        ];
        format!(
            "/admin/users?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    });
    render(&UsersPage {
        layout: Layout::new(&ctx),
        users,
        next,
        past_end: list.past_end,
        district_only: list.district_only,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        q,
    })
}

/// The new account's form, on a page of its own: its list of places (every agency, district
/// and campus of the instance) is long at a state's scale, and the list of people is read far
/// more often than an account is made.
#[derive(Template)]
#[template(path = "auth/admin_user_new.html")]
struct NewUserPage {
    layout: Layout,
    roles: Vec<(&'static str, &'static str)>,
    scopes: Vec<ScopeOption>,
    form: FormToken,
}

async fn new_user_page(ctx: Ctx) -> WebResult<Html<String>> {
    let scopes = new_account_scopes(&ctx).await?;
    render(&NewUserPage {
        layout: Layout::new(&ctx),
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        scopes,
        form: ctx.form(),
    })
}

#[derive(Template)]
#[template(path = "auth/admin_user.html")]
struct UserPage {
    layout: Layout,
    u: triad_app::accounts::UserDetail,
    /// One form token per role held (each has its own End button), and one to give a role.
    end_forms: Vec<FormToken>,
    form: FormToken,
    /// The district sign-ins linked to the account, each with the form that moves it to the
    /// person's existing account (shown for an account with no role and no password).
    identities: Vec<(String, triad_store::auth::IdentityRow, FormToken)>,
    /// The account was made by a sign-in and holds nothing: its sign-in may move.
    movable: bool,
}

async fn user_page(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let u = user_detail(&ctx, &id).await?;
    let identities = triad_app::accounts::identities::identities_of(&ctx, &id)
        .await?
        .into_iter()
        .map(|row| {
            let label = ctx
                .state
                .config
                .providers
                .find(&row.provider)
                .map_or_else(|| row.provider.clone(), |p| p.label.clone());
            (label, row, ctx.form())
        })
        .collect();
    render(&UserPage {
        movable: u.grants.is_empty() && !u.own,
        identities,
        layout: Layout::new(&ctx),
        end_forms: u.grants.iter().map(|_| ctx.form()).collect(),
        form: ctx.form(),
        u,
    })
}

/// Gives the sign-in of an account it made to the person's existing account.
async fn move_identity(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<triad_app::accounts::identities::MoveIdentity>,
) -> WebResult<Response> {
    triad_app::accounts::identities::move_identity(&ctx, &id, &input).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn end_role(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<GrantInput>,
) -> WebResult<Response> {
    end_grant(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "auth/admin_settings.html")]
struct SettingsPage {
    layout: Layout,
    settings: Vec<(triad_app::instance_settings::SettingView, String, FormToken)>,
}

async fn settings_page(ctx: Ctx) -> WebResult<Html<String>> {
    use triad_app::instance_settings::Takes;
    let settings = triad_app::instance_settings::all(&ctx)
        .await?
        .into_iter()
        .map(|s| {
            let takes = match s.takes {
                Takes::Whole { min, max, unit } => format!("{min} to {max} {unit}"),
                Takes::YesNo => "yes or no".into(),
            };
            (s, takes, ctx.form())
        })
        .collect();
    render(&SettingsPage {
        layout: Layout::new(&ctx),
        settings,
    })
}

#[derive(serde::Deserialize)]
struct SettingInput {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: String,
}

async fn change_setting(ctx: Ctx, Form(input): Form<SettingInput>) -> WebResult<Response> {
    triad_app::instance_settings::set(&ctx, &input.key, &input.value).await?;
    Ok(Redirect::to("/admin/settings").into_response())
}

async fn create_user(ctx: Ctx, Form(input): Form<NewUserInput>) -> WebResult<Response> {
    let id = create_account(&ctx, input).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
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
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
