//! Accounts: the administration of everyone's by system administrators (create with a first
//! role, disable, enable, unlock, grant more roles), and one's own ([`own`]: password, tokens,
//! second factor).

pub mod own;

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use triad_domain::audit::Outcome;
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::auth::{self as store, ChangedBy, NewAccount};
use triad_store::paging::Page;
use triad_store::{org, Db};

fn accounts() -> Resource {
    Resource::new(RecordClass::Accounts, Tenant::INSTANCE)
}

impl Ctx {
    /// Who makes an account change, from where, when: what the account store audits.
    pub fn by(&self) -> ChangedBy {
        ChangedBy {
            actor: Some(self.actor.user),
            source: self.source.clone(),
            now: self.now,
        }
    }

    /// The actor's own account, as a resource the policy decides on.
    pub fn own_account(&self) -> Resource {
        Resource::new(RecordClass::Accounts, Tenant::INSTANCE).owned_by(self.actor.user)
    }
}

/// A place a role can be held, as a form offers it.
pub struct ScopeOption {
    pub key: String,
    pub label: String,
}

/// Every scope a role can be granted in: the instance, each agency, district and campus.
pub async fn scope_options(db: &Db) -> AppResult<Vec<ScopeOption>> {
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
        let district = Id::parse(&d.id).ok_or(AppError::NotFound)?;
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
pub async fn parse_scope(db: &Db, key: &str) -> AppResult<Scope> {
    let bad = || AppError::Invalid(Invalid::one("scope", "choose where the role is held"));
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
pub async fn user_summaries(ctx: &Ctx, page: Page) -> AppResult<Vec<UserSummary>> {
    ctx.require(Action::View, accounts(), ("users", "all"))
        .await?;
    let mut conn = ctx.app.db.acquire().await?;
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
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub sworn: bool,
}

/// Reads a role and scope from a form into a grant the domain accepts.
pub async fn parse_grant(db: &Db, role: &str, scope: &str) -> AppResult<Grant> {
    let role = Role::from_code(role)
        .ok_or_else(|| AppError::Invalid(Invalid::one("role", "choose a role")))?;
    let scope = parse_scope(db, scope).await?;
    Ok(Grant::new(role, scope)?)
}

pub async fn create_account(ctx: &Ctx, input: NewUserInput) -> AppResult<Id> {
    ctx.require(Action::Change, accounts(), ("users", "new"))
        .await?;
    let grant = parse_grant(&ctx.app.db, &input.role, &input.scope).await?;
    let account = NewAccount {
        username: input.username,
        display_name: input.display_name,
        password: input.password,
        grant: Some(grant),
        sworn: input.sworn,
        le_experience_start: None,
    };
    Ok(store::create_account(&ctx.app.db, account, &ctx.by()).await?)
}

/// An account an administrator acts on; one that is not there is not found.
async fn target(ctx: &Ctx, id: &str) -> AppResult<Id> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    ctx.require(Action::Change, accounts(), ("user", &id.to_string()))
        .await?;
    store::user_by_id(&mut ctx.app.db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(id)
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy)]
pub enum AccountChange {
    Disable,
    Enable,
    Unlock,
}

pub async fn change_account(ctx: &Ctx, id: &str, change: AccountChange) -> AppResult<()> {
    let id = target(ctx, id).await?;
    let db = &ctx.app.db;
    match change {
        AccountChange::Disable if id == ctx.actor.user => {
            return Err(AppError::Conflict(
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GrantInput {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub scope: String,
}

pub async fn grant(ctx: &Ctx, id: &str, input: GrantInput) -> AppResult<()> {
    let id = target(ctx, id).await?;
    if let Err(reason) = triad_domain::auth::may_grant(Some(ctx.actor.user), id) {
        triad_store::audit::record(
            &ctx.app.db,
            ctx.event("account.grant", Outcome::Denied)
                .record("user", id),
            ctx.now,
        )
        .await?;
        return Err(AppError::Forbidden(reason.into()));
    }
    let grant = parse_grant(&ctx.app.db, &input.role, &input.scope).await?;
    Ok(store::grant_role(&ctx.app.db, id, grant, &ctx.by()).await?)
}

/// What a system administrator's home page shows of the accounts.
pub struct AdminHome {
    pub users: i64,
    pub locks: Vec<store::LockView>,
}

/// How many accounts there are, and the sign-in locks in force.
pub async fn overview(ctx: &Ctx) -> AppResult<AdminHome> {
    ctx.require(Action::View, accounts(), ("users", "all"))
        .await?;
    let mut conn = ctx.app.db.acquire().await?;
    Ok(AdminHome {
        users: triad_store::auth::count_users(&mut conn).await?,
        locks: triad_store::auth::active_locks(&mut conn, ctx.now).await?,
    })
}
