//! Accounts: the administration of everyone's by system administrators (create with a first
//! role, disable, enable, unlock, grant more roles), and one's own ([`own`]: password, tokens,
//! second factor).

pub mod identities;
pub mod own;
pub mod reset;

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

/// What the new-account form offers (system administrators only): every scope a first role
/// can be held in.
pub async fn new_account_scopes(ctx: &Ctx) -> AppResult<Vec<ScopeOption>> {
    ctx.require(Action::Change, accounts(), ("users", "new"))
        .await?;
    scope_options(&ctx.app.db).await
}

/// The scopes of the districts a leader leads: each district and its campuses.
pub async fn district_scope_options(db: &Db, districts: &[Id]) -> AppResult<Vec<ScopeOption>> {
    let mut conn = db.acquire().await?;
    let mut out = Vec::new();
    for id in districts {
        let Some(d) = org::district(&mut conn, *id).await? else {
            continue;
        };
        out.push(ScopeOption {
            key: format!("district:{}", d.id),
            label: format!("District: {}", d.name),
        });
        for c in org::campuses_of(&mut conn, *id).await? {
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
    let rows = store::list_users(&mut conn, page).await?;
    summaries_of(&mut conn, rows, &locks).await
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

/// Gives a role: a system administrator any, a district leader the school roles of their own
/// district; never to oneself. A refusal is on the audit trail.
pub async fn grant(ctx: &Ctx, id: &str, input: GrantInput) -> AppResult<()> {
    let (id, grant) = manageable(ctx, id, &input, "account.grant").await?;
    Ok(store::grant_role(&ctx.app.db, id, grant, &ctx.by()).await?)
}

/// Ends a role a person holds, under the same rules as giving it.
pub async fn end_grant(ctx: &Ctx, id: &str, input: GrantInput) -> AppResult<()> {
    let (id, grant) = manageable(ctx, id, &input, "account.grant.end").await?;
    if !store::end_grant(&ctx.app.db, id, grant, &ctx.by()).await? {
        return Err(AppError::Conflict(
            "this person does not hold that role there (it may have just been ended)".into(),
        ));
    }
    Ok(())
}

/// Who manages accounts: a system administrator every one (through the policy, on the audit
/// trail), a district leader the people who hold a role in a district they lead. Yields the
/// districts a leader is limited to (none for an administrator).
async fn account_manager(ctx: &Ctx, action: Action, record: &str) -> AppResult<Option<Vec<Id>>> {
    let led = triad_domain::auth::districts_led(&ctx.actor);
    if ctx.actor.has_role(Role::SystemAdmin) || led.is_empty() {
        ctx.require(action, accounts(), ("user", record)).await?;
        return Ok(None);
    }
    Ok(Some(led))
}

/// An account the actor may see: any for an administrator; for a district leader, one that
/// holds a role in a district they lead, or holds none and is of one (made by the district's
/// identity provider or roster); any other is not found. With its roles.
pub(crate) async fn visible_account(
    ctx: &Ctx,
    id: &str,
    action: Action,
) -> AppResult<(store::UserRow, Vec<Grant>, Option<Vec<Id>>)> {
    let limited_to = account_manager(ctx, action, id).await?;
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let row = store::user_by_id(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let held = store::grants_of(&mut conn, id).await?;
    if let Some(led) = &limited_to {
        let in_led = |g: &Grant| match g.scope {
            Scope::District { district } | Scope::Campus { district, .. } => {
                led.contains(&district)
            }
            _ => false,
        };
        if !held.iter().any(in_led) && !store::waiting_for_role_in(&mut conn, id, led).await? {
            // Out of their districts: not found, as a record of another tenant is, and on
            // the audit trail as every refusal is.
            triad_store::audit::record(
                &ctx.app.db,
                ctx.event("access.user", Outcome::Denied).record("user", id),
                ctx.now,
            )
            .await?;
            return Err(AppError::NotFound);
        }
    }
    Ok((row, held, limited_to))
}

/// The account a grant is given to or taken from, and the grant, once the rules allow the
/// actor to.
async fn manageable(
    ctx: &Ctx,
    id: &str,
    input: &GrantInput,
    action: &str,
) -> AppResult<(Id, Grant)> {
    let (row, _, _) = visible_account(ctx, id, Action::Change).await?;
    let id = row.user_id();
    let grant = parse_grant(&ctx.app.db, &input.role, &input.scope).await?;
    let refusal = if !triad_domain::auth::may_manage(&ctx.actor, grant) {
        Some("you give and end only the school roles of the districts you lead")
    } else {
        triad_domain::auth::may_grant(Some(ctx.actor.user), id).err()
    };
    if let Some(reason) = refusal {
        triad_store::audit::record(
            &ctx.app.db,
            ctx.event(action, Outcome::Denied).record("user", id),
            ctx.now,
        )
        .await?;
        return Err(AppError::Forbidden(reason.into()));
    }
    Ok((id, grant))
}

/// What the Users page asks for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Words in the user name or full name.
    #[serde(default)]
    pub q: String,
    /// A role held (its code); empty: any.
    #[serde(default)]
    pub role: String,
    /// The last account of the page before (the next page starts after it).
    #[serde(default)]
    pub after: String,
}

/// A page of the Users list.
#[derive(Clone)]
pub struct UserList {
    pub users: Vec<UserSummary>,
    /// Where the next page starts, when there may be one.
    pub next: Option<String>,
    /// A page asked for past the end of the list (or after an account that is not there).
    pub past_end: bool,
    /// Only the people of the districts the actor leads (not a system administrator).
    pub district_only: bool,
}

/// How many accounts a page of the Users list shows.
pub const USERS_PER_PAGE: i64 = 50;

/// The accounts a query finds: every one for a system administrator; for a district leader,
/// the people who hold a role in a district they lead.
pub async fn find_users(ctx: &Ctx, query: &UserQuery) -> AppResult<UserList> {
    let districts = account_manager(ctx, Action::View, "all").await?;
    let role = match query.role.trim() {
        "" => None,
        code => Some(Role::from_code(code).ok_or_else(|| {
            AppError::Invalid(Invalid::one(
                "role",
                "choose a role from the list, or any role",
            ))
        })?),
    };
    let after = match query.after.trim() {
        "" => None,
        text => Some(Id::parse(text).ok_or_else(|| {
            AppError::Invalid(Invalid::one(
                "after",
                "this page link is not one of Triad's",
            ))
        })?),
    };
    let filter = store::UserFilter {
        text: query.q.chars().take(100).collect(),
        role,
        districts: districts.clone(),
    };
    let page = Page {
        limit: USERS_PER_PAGE + 1,
        after,
    };
    let key = (
        districts,
        filter.text.clone(),
        query.role.trim().to_string(),
        after,
    );
    let kept = ctx
        .app
        .user_pages
        .get_or_build(key, ctx.versions(), ctx.now, || async {
            let mut conn = ctx.app.db.acquire().await?;
            let mut rows = store::search_users(&mut conn, &filter, page).await?;
            let more = rows.len() as i64 > USERS_PER_PAGE;
            rows.truncate(USERS_PER_PAGE as usize);
            let locks = store::active_locks(&mut conn, ctx.now).await?;
            let users = summaries_of(&mut conn, rows, &locks).await?;
            Ok::<_, AppError>(UserList {
                past_end: users.is_empty() && after.is_some(),
                next: more.then(|| users.last().map(|u| u.id.clone())).flatten(),
                users,
                district_only: filter.districts.is_some(),
            })
        })
        .await?;
    let mut list = UserList::clone(&kept);
    // A lock that ended since the page was read no longer shows (a new lock, or one lifted,
    // is a write: the page is read again).
    for user in &mut list.users {
        user.locked_until = user.locked_until.filter(|until| *until > ctx.now.millis());
    }
    Ok(list)
}

/// Pages of the Users list, kept while nothing is written (see [`crate::fresh::Current`]), by
/// what they show: the districts whose people they list (none: every account), the words,
/// the role and where the page starts. Who may see which districts is decided on every view,
/// before a page is looked up.
pub type KeptUserPages =
    crate::fresh::Current<(Option<Vec<Id>>, String, String, Option<Id>), UserList>;

/// Accounts as a list shows them, their roles read in one statement for all of them.
async fn summaries_of(
    conn: &mut triad_store::Pooled,
    rows: Vec<store::UserRow>,
    locks: &[store::LockView],
) -> AppResult<Vec<UserSummary>> {
    let mut grants = store::grants_of_users(&mut *conn, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|u| {
            let held = grants.remove(&u.id).unwrap_or_default();
            summary_with(u, &held, locks)
        })
        .collect())
}

async fn summary_of(
    conn: &mut triad_store::Pooled,
    u: store::UserRow,
    locks: &[store::LockView],
) -> AppResult<UserSummary> {
    let held = store::grants_of(&mut *conn, u.user_id()).await?;
    Ok(summary_with(u, &held, locks))
}

fn summary_with(
    u: store::UserRow,
    held: &[triad_domain::auth::Grant],
    locks: &[store::LockView],
) -> UserSummary {
    let mut roles: Vec<String> = held.iter().map(|g| g.role.code().to_string()).collect();
    roles.dedup();
    UserSummary {
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
    }
}

/// A role someone holds, as the account page shows it.
pub struct GrantView {
    pub role: String,
    pub role_label: String,
    pub scope: String,
    pub scope_label: String,
    /// Whether the actor may end it.
    pub may_end: bool,
}

/// One account with its roles, and what the actor may give it.
pub struct UserDetail {
    pub summary: UserSummary,
    pub grants: Vec<GrantView>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub scopes: Vec<ScopeOption>,
    /// The actor's own account: they change none of its roles.
    pub own: bool,
}

/// An account, for a system administrator, or for a district leader when the person holds a
/// role in a district they lead (anyone else's is not found).
pub async fn user_detail(ctx: &Ctx, id: &str) -> AppResult<UserDetail> {
    let (row, held, limited_to) = visible_account(ctx, id, Action::View).await?;
    let id = row.user_id();
    let admin = limited_to.is_none();
    let led = limited_to.unwrap_or_default();
    let mut conn = ctx.app.db.acquire().await?;
    let locks = store::active_locks(&mut conn, ctx.now).await?;
    let all_scopes = scope_options(&ctx.app.db).await?;
    let label_of = |key: &str| {
        all_scopes
            .iter()
            .find(|s| s.key == key)
            .map_or_else(|| key.to_string(), |s| s.label.clone())
    };
    let own = id == ctx.actor.user;
    let grants = held
        .iter()
        .map(|g| {
            let key = store::scope_key(g.scope);
            GrantView {
                role: g.role.code().into(),
                role_label: g.role.label().into(),
                scope_label: label_of(&key),
                scope: key,
                may_end: !own && triad_domain::auth::may_manage(&ctx.actor, *g),
            }
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .filter(|r| admin || triad_domain::auth::DISTRICT_GRANTS.contains(r))
        .map(|r| (r.code(), r.label()))
        .collect();
    let scopes = if admin {
        all_scopes
    } else {
        district_scope_options(&ctx.app.db, &led).await?
    };
    Ok(UserDetail {
        summary: summary_of(&mut conn, row, &locks).await?,
        grants,
        roles,
        scopes,
        own,
    })
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
