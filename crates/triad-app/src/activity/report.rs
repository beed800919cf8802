//! Activity reports: a month or a semester, for an officer, a campus, an agency or a
//! district, read from the summary kept at write time. Counts by category and the balance of
//! time across the triad roles.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::activity::{self as rules, Category, TriadRole};
use triad_domain::auth::{Role, Scope};
use triad_domain::org::YearStart;
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
use triad_domain::Id;
use triad_store::activity::{self as store, ReportScope};

/// A report someone may ask for, as the picker lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeChoice {
    /// officer:ID, campus:ID, agency:ID or district:ID
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// officer:ID, campus:ID, agency:ID or district:ID; empty lists the reports you may read.
    #[serde(default)]
    pub scope: String,
    /// First month, YYYY-MM (default: this month).
    #[serde(default)]
    pub from: String,
    /// Last month, YYYY-MM (default: the first).
    #[serde(default)]
    pub to: String,
    /// csv for a download (pages only).
    #[serde(default)]
    pub format: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportLineView {
    pub category: String,
    pub label: String,
    pub triad_role: String,
    pub entries: i64,
    pub minutes: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BalanceView {
    pub triad_role: String,
    pub label: String,
    pub minutes: i64,
    pub percent: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub scope: String,
    pub title: String,
    pub from: String,
    pub to: String,
    pub lines: Vec<ReportLineView>,
    pub balance: Vec<BalanceView>,
    pub entries: i64,
    pub minutes: i64,
}

/// What a scope key names, the resource the policy decides on, and its title.
async fn resolve(ctx: &Ctx, key: &str) -> AppResult<(ReportScope, Resource, String)> {
    let (kind, id) = key
        .split_once(':')
        .ok_or_else(|| triad_domain::Invalid::one("scope", "choose a report"))?;
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let shared = |tenant| Resource::new(RecordClass::Shared, tenant);
    Ok(match kind {
        "officer" => {
            let user = triad_store::auth::user_by_id(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let agency = triad_store::auth::grants_of(&mut conn, id)
                .await?
                .iter()
                .find_map(|g| match g.scope {
                    Scope::Agency { agency } => Some(agency),
                    _ => None,
                });
            let tenant = agency.map(Tenant::agency).unwrap_or(Tenant::INSTANCE);
            (
                ReportScope::Author(id),
                shared(tenant).owned_by(id),
                user.display_name,
            )
        }
        "campus" => {
            let c = ctx.campus(&mut conn, id).await?.ok_or(AppError::NotFound)?;
            (
                ReportScope::Campus(id),
                shared(Tenant::campus(c.district(), id)),
                c.name,
            )
        }
        "agency" => {
            let a = triad_store::org::agency(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            (ReportScope::Agency(id), shared(Tenant::agency(id)), a.name)
        }
        "district" => {
            let d = ctx
                .district(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            (
                ReportScope::District(id),
                shared(Tenant::district(id)),
                d.name,
            )
        }
        _ => return Err(triad_domain::Invalid::one("scope", "choose a report").into()),
    })
}

/// The months a query covers; by default the current month.
fn months(ctx: &Ctx, q: &ReportQuery) -> AppResult<(String, String)> {
    let this_month = ctx.now.to_datetime().format("%Y-%m").to_string();
    let from = if q.from.trim().is_empty() {
        this_month
    } else {
        rules::parse_month("from", &q.from)?
    };
    let to = if q.to.trim().is_empty() {
        from.clone()
    } else {
        rules::parse_month("to", &q.to)?
    };
    if to < from {
        return Err(triad_domain::Invalid::one("to", "must not be before the first month").into());
    }
    Ok((from, to))
}

/// The report for a query, after the policy agreed.
pub async fn report(ctx: &Ctx, q: &ReportQuery) -> AppResult<Report> {
    let (scope, resource, title) = resolve(ctx, q.scope.trim()).await?;
    ctx.require(Action::View, resource, ("activity_report", q.scope.trim()))
        .await?;
    let (from, to) = months(ctx, q)?;
    let rows = store::report(&mut ctx.app.db.acquire().await?, scope, &from, &to).await?;
    let by_role: Vec<(TriadRole, i64)> = rows
        .iter()
        .filter_map(|r| Some((TriadRole::from_code(&r.triad_role)?, r.minutes)))
        .collect();
    let balance = rules::balance(&by_role)
        .into_iter()
        .map(|(role, minutes, percent)| BalanceView {
            triad_role: role.code().into(),
            label: role.label().into(),
            minutes,
            percent,
        })
        .collect();
    Ok(Report {
        scope: q.scope.trim().to_string(),
        title,
        entries: rows.iter().map(|r| r.entries).sum(),
        minutes: rows.iter().map(|r| r.minutes).sum(),
        lines: rows
            .into_iter()
            .map(|r| ReportLineView {
                label: Category::from_code(&r.category)
                    .map(|c| c.label())
                    .unwrap_or("Other")
                    .into(),
                category: r.category,
                triad_role: r.triad_role,
                entries: r.entries,
                minutes: r.minutes,
                students: r.students,
                parents: r.parents,
                staff: r.staff,
            })
            .collect(),
        from,
        to,
        balance,
    })
}

/// Every report the actor may read: their own log, their campuses, agencies, districts, and
/// the officers of the agencies they supervise.
pub async fn choices(ctx: &Ctx) -> AppResult<Vec<ScopeChoice>> {
    let mut out = Vec::new();
    let mut conn = ctx.app.db.acquire().await?;
    if ctx.actor.has_role(Role::Sro) || ctx.actor.has_role(Role::Sso) {
        out.push(ScopeChoice {
            key: format!("officer:{}", ctx.actor.user),
            label: format!("My activity ({})", ctx.actor.display_name),
        });
    }
    let allowed = |r: Resource| decide(&ctx.actor, Action::View, r) == Decision::Allow;
    let mut campuses: Vec<Id> = ctx.actor.assignments.iter().map(|a| a.campus).collect();
    for g in &ctx.actor.grants {
        match g.scope {
            Scope::Campus { campus, .. } => campuses.push(campus),
            Scope::District { district } if g.role == Role::DistrictLeader => {
                if let Some(d) = ctx.district(&mut conn, district).await? {
                    out.push(ScopeChoice {
                        key: format!("district:{district}"),
                        label: format!("District: {}", d.name),
                    });
                }
                campuses.extend(
                    triad_store::org::campuses_of(&mut conn, district)
                        .await?
                        .iter()
                        .map(|c| c.campus_id()),
                );
            }
            Scope::Agency { agency } if g.role == Role::LeSupervisor => {
                if let Some(a) = triad_store::org::agency(&mut conn, agency).await? {
                    out.push(ScopeChoice {
                        key: format!("agency:{agency}"),
                        label: format!("Agency: {}", a.name),
                    });
                }
                for (id, name) in
                    triad_store::auth::holders_of(&mut conn, Role::Sro, &format!("agency:{agency}"))
                        .await?
                {
                    out.push(ScopeChoice {
                        key: format!("officer:{id}"),
                        label: format!("Officer: {name}"),
                    });
                }
            }
            _ => {}
        }
    }
    campuses.dedup();
    for id in campuses {
        if let Some(c) = ctx.campus(&mut conn, id).await? {
            if allowed(Resource::new(
                RecordClass::Shared,
                Tenant::campus(c.district(), id),
            )) {
                out.push(ScopeChoice {
                    key: format!("campus:{id}"),
                    label: format!("Campus: {}", c.name),
                });
            }
        }
    }
    Ok(out)
}

/// The school year's semesters as month ranges, for the picker's shortcuts.
pub fn semesters(ctx: &Ctx) -> Vec<(String, String, String)> {
    let today = ctx.now.to_datetime().date_naive();
    let year = YearStart::AUGUST_FIRST.school_year_of(today);
    YearStart::AUGUST_FIRST
        .default_terms(year)
        .into_iter()
        .map(|t| {
            (
                t.name,
                t.first_day.format("%Y-%m").to_string(),
                t.last_day.format("%Y-%m").to_string(),
            )
        })
        .collect()
}
