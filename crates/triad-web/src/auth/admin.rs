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
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::auth::{self as store, NewAccount};
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
#[template(path = "admin_users.html")]
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

async fn users_page(ctx: Ctx) -> WebResult<Html<String>> {
    ctx.require(Action::View, accounts(), ("users", "all"))
        .await?;
    let mut conn = ctx.state.db.acquire().await?;
    let locks = store::active_locks(&mut conn, ctx.now).await?;
    let mut users = Vec::new();
    for u in store::list_users(&mut conn).await? {
        let grants = store::grants_of(&mut conn, u.user_id()).await?;
        let mut roles: Vec<&str> = grants.iter().map(|g| g.role.label()).collect();
        roles.dedup();
        users.push(UserLine {
            locked_until: locks
                .iter()
                .filter(|l| l.user_id == u.id)
                .map(|l| l.locked_until)
                .max()
                .map(when),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            roles: roles.join(", "),
            disabled: u.disabled,
            form: ctx.form(),
        });
    }
    drop(conn);
    render(&UsersPage {
        layout: Layout::new(&ctx),
        users,
        roles: Role::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        scopes: scope_options(&ctx.state.db).await?,
        form: ctx.form(),
    })
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    sworn: Option<String>,
}

/// Reads a role and scope from a form into a grant the domain accepts.
pub async fn parse_grant(db: &Db, role: &str, scope: &str) -> Result<Grant, WebError> {
    let role = Role::from_code(role)
        .ok_or_else(|| WebError::Invalid(Invalid::one("role", "choose a role")))?;
    let scope = parse_scope(db, scope).await?;
    Ok(Grant::new(role, scope)?)
}

async fn create_user(ctx: Ctx, Form(form): Form<NewUserForm>) -> WebResult<Response> {
    ctx.require(Action::Change, accounts(), ("users", "new"))
        .await?;
    let grant = parse_grant(&ctx.state.db, &form.role, &form.scope).await?;
    let account = NewAccount {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        grant: Some(grant),
        sworn: form.sworn.is_some(),
        le_experience_start: None,
    };
    store::create_account(&ctx.state.db, account, &ctx.by()).await?;
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

async fn disable_user(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let id = target(&ctx, &id).await?;
    if id == ctx.actor.user {
        return Err(WebError::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    store::disable_account(&ctx.state.db, id, true, &ctx.by()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn enable_user(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let id = target(&ctx, &id).await?;
    store::disable_account(&ctx.state.db, id, false, &ctx.by()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn unlock_user(ctx: Ctx, Path(id): Path<String>) -> WebResult<Response> {
    let id = target(&ctx, &id).await?;
    store::unlock_account(&ctx.state.db, id, &ctx.by()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

async fn add_grant(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> WebResult<Response> {
    let id = target(&ctx, &id).await?;
    let grant = parse_grant(&ctx.state.db, &form.role, &form.scope).await?;
    store::grant_role(&ctx.state.db, id, grant, &ctx.by()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
