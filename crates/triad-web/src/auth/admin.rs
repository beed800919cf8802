//! Account administration for system administrators: create accounts with a first role,
//! disable them (ending every session), unlock them, grant more roles.

use crate::context::Ctx;
use crate::error::{WebError, WebResult};
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use triad_domain::audit::Outcome;
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::auth::{self as store, NewAccount};
use triad_store::paging::Page;
use triad_store::{org, Db};

pub fn routes() -> Routes {
    Routes::default()
        .get("/admin/users", users_page)
        .post("/admin/users", create_user)
        .post("/admin/users/{id}/disable", disable_user)
        .post("/admin/users/{id}/enable", enable_user)
        .post("/admin/users/{id}/unlock", unlock_user)
        .post("/admin/users/{id}/grants", add_grant)
}

fn accounts() -> Resource {
    Resource::new(RecordClass::Accounts, Tenant::INSTANCE)
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

pub struct ScopeOption {
    pub key: String,
    pub label: String,
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

/// Every scope a role can be granted in: the instance, each agency, district and campus.
async fn scope_options(db: &Db) -> WebResult<Vec<ScopeOption>> {
    let mut conn = db.acquire().await?;
    let mut out = vec![ScopeOption {
        key: "instance".into(),
        label: "Whole instance".into(),
    }];
    for a in org::agencies(&mut conn).await? {
        out.push(ScopeOption {
            key: format!("agency:{}", a.id),
            label: format!("Agency: {}", a.name),
        });
    }
    for d in org::districts(&mut conn).await? {
        out.push(ScopeOption {
            key: format!("district:{}", d.id),
            label: format!("District: {}", d.name),
        });
        let district = Id::parse(&d.id).ok_or(WebError::NotFound)?;
        for c in org::campuses_of(&mut conn, district).await? {
            out.push(ScopeOption {
                key: format!("campus:{}", c.id),
                label: format!("Campus: {} ({})", c.name, d.name),
            });
        }
    }
    Ok(out)
}

/// Reads a scope key from a form, checking the agency, district or campus exists.
pub async fn parse_scope(db: &Db, key: &str) -> Result<Scope, WebError> {
    let bad = || WebError::Invalid(Invalid::one("scope", "choose where the role is held"));
    let mut conn = db.acquire().await?;
    let (kind, id) = key.split_once(':').unwrap_or((key, ""));
    let id = Id::parse(id);
    let scope = match (kind, id) {
        ("instance", _) => Scope::Instance,
        ("agency", Some(agency)) => {
            org::agency(&mut conn, agency).await?.ok_or_else(bad)?;
            Scope::Agency { agency }
        }
        ("district", Some(district)) => {
            org::district(&mut conn, district).await?.ok_or_else(bad)?;
            Scope::District { district }
        }
        ("campus", Some(campus)) => {
            let c = org::campus(&mut conn, campus).await?.ok_or_else(bad)?;
            Scope::Campus {
                district: c.district(),
                campus,
            }
        }
        _ => return Err(bad()),
    };
    Ok(scope)
}

/// An account as the Users page and the API list it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub disabled: bool,
    /// When the latest sign-in lock in force ends (milliseconds since the epoch, UTC).
    pub locked_until: Option<i64>,
}

/// A page of the accounts, by user name, with their roles and any lock in force.
pub async fn user_summaries(
    ctx: &Ctx,
    page: triad_store::paging::Page,
) -> WebResult<Vec<UserSummary>> {
    ctx.require(Action::View, accounts(), ("users", "all"))
        .await?;
    let mut conn = ctx.state.db.acquire().await?;
    let locks = store::active_locks(&mut conn, ctx.now).await?;
    let mut users = Vec::new();
    for u in store::list_users(&mut conn, page).await? {
        let mut roles: Vec<String> = store::grants_of(&mut conn, u.user_id())
            .await?
            .iter()
            .map(|g| g.role.code().to_string())
            .collect();
        roles.dedup();
        users.push(UserSummary {
            locked_until: locks
                .iter()
                .filter(|l| l.user_id == u.id)
                .map(|l| l.locked_until)
                .max(),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            roles,
            disabled: u.disabled,
        });
    }
    Ok(users)
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUserInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    /// sro, sso, campus_admin, staff, le_supervisor, district_leader, evaluator, system_admin
    #[serde(default)]
    pub role: String,
    /// instance, agency:ID, district:ID or campus:ID
    #[serde(default)]
    pub scope: String,
    #[serde(default, deserialize_with = "crate::forms::checkbox")]
    pub sworn: bool,
}

/// Reads a role and scope from a form into a grant the domain accepts.
pub async fn parse_grant(db: &Db, role: &str, scope: &str) -> Result<Grant, WebError> {
    let role = Role::from_code(role)
        .ok_or_else(|| WebError::Invalid(Invalid::one("role", "choose a role")))?;
    let scope = parse_scope(db, scope).await?;
    Ok(Grant::new(role, scope)?)
}

pub async fn create_account(ctx: &Ctx, input: NewUserInput) -> WebResult<Id> {
    ctx.require(Action::Change, accounts(), ("users", "new"))
        .await?;
    let grant = parse_grant(&ctx.state.db, &input.role, &input.scope).await?;
    let account = NewAccount {
        username: input.username,
        display_name: input.display_name,
        password: input.password,
        grant: Some(grant),
        sworn: input.sworn,
        le_experience_start: None,
    };
    Ok(store::create_account(&ctx.state.db, account, &ctx.by()).await?)
}

async fn create_user(ctx: Ctx, Form(input): Form<NewUserInput>) -> WebResult<Response> {
    create_account(&ctx, input).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn target(ctx: &Ctx, id: &str) -> WebResult<Id> {
    let id = Id::parse(id).ok_or(WebError::NotFound)?;
    ctx.require(Action::Change, accounts(), ("user", &id.to_string()))
        .await?;
    store::user_by_id(&mut ctx.state.db.acquire().await?, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(id)
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy)]
pub enum AccountChange {
    Disable,
    Enable,
    Unlock,
}

pub async fn change_account(ctx: &Ctx, id: &str, change: AccountChange) -> WebResult<()> {
    let id = target(ctx, id).await?;
    let db = &ctx.state.db;
    match change {
        AccountChange::Disable if id == ctx.actor.user => {
            return Err(WebError::Conflict(
                "you cannot disable your own account".into(),
            ))
        }
        AccountChange::Disable => store::disable_account(db, id, true, &ctx.by()).await?,
        AccountChange::Enable => store::disable_account(db, id, false, &ctx.by()).await?,
        AccountChange::Unlock => {
            store::unlock_account(db, id, &ctx.by()).await?;
        }
    }
    Ok(())
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GrantInput {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub scope: String,
}

pub async fn grant(ctx: &Ctx, id: &str, input: GrantInput) -> WebResult<()> {
    let id = target(ctx, id).await?;
    if let Err(reason) = triad_domain::auth::may_grant(Some(ctx.actor.user), id) {
        triad_store::audit::record(
            &ctx.state.db,
            ctx.event("account.grant", Outcome::Denied)
                .record("user", id),
            ctx.now,
        )
        .await?;
        return Err(WebError::Forbidden(reason.into()));
    }
    let grant = parse_grant(&ctx.state.db, &input.role, &input.scope).await?;
    Ok(store::grant_role(&ctx.state.db, id, grant, &ctx.by()).await?)
}

async fn add_grant(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<GrantInput>,
) -> WebResult<Response> {
    grant(&ctx, &id, input).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
