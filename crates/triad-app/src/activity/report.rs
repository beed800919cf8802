//! Activity reports: a month or a semester, for an officer, a campus, an agency or a
//! district, read from the summary kept at write time. Counts by category and the balance of
//! time across the triad roles.

use crate::campus::Local;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::activity::{self as rules, Category, ReportPeriod, TriadRole};
use triad_domain::auth::{Role, Scope};
use triad_domain::org::YearStart;
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
use triad_domain::Id;
use triad_store::activity::{self as store, Comparison, ReportScope};

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
    /// month (the default), semester, year (school year to date) or custom (from and to).
    /// Months given without a period are read as custom.
    #[serde(default)]
    pub period: String,
    /// First month, YYYY-MM (custom).
    #[serde(default)]
    pub from: String,
    /// Last month, YYYY-MM (custom; default: the first).
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
    /// The triad role in words ("Other duties" for none).
    pub role: String,
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

/// One month of the trend: minutes in each triad role (in the order of the balance), and in
/// other duties.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendMonth {
    pub month: String,
    pub by_role: Vec<i64>,
    pub other_duties: i64,
}

/// One campus (for a district) or officer (for an agency) beside the others.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedView {
    pub id: String,
    pub name: String,
    pub entries: i64,
    pub minutes: i64,
    pub hours: String,
    /// Share of the time in each triad role, percent, in the order of the balance.
    pub shares: Vec<i64>,
    pub other_duties_minutes: i64,
    /// The day of the latest entry, in the district's calendar where there is one.
    pub last_entry: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub scope: String,
    pub title: String,
    /// The period asked for (month, semester, year, custom) and in words.
    pub period: String,
    pub period_label: String,
    pub from: String,
    pub to: String,
    pub lines: Vec<ReportLineView>,
    /// The four triad roles' time; meetings, training attended and other work are beside it.
    pub balance: Vec<BalanceView>,
    pub other_duties_minutes: i64,
    pub entries: i64,
    pub minutes: i64,
    pub hours: String,
    /// Month by month, over the period, or the school year to date when the period is one
    /// month.
    pub trend: Vec<TrendMonth>,
    /// `campus` (a district's report) or `officer` (an agency's); empty otherwise.
    pub compared: String,
    pub comparison: Vec<ComparedView>,
}

/// What a scope key names: the summary it reads, the resource the policy decides on, its
/// title and the calendar its months are read in (the district's, where there is one).
struct Resolved {
    scope: ReportScope,
    resource: Resource,
    title: String,
    local: Option<Local>,
}

async fn resolve(ctx: &Ctx, key: &str) -> AppResult<Resolved> {
    let (kind, id) = key
        .split_once(':')
        .ok_or_else(|| triad_domain::Invalid::one("scope", "choose a report"))?;
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let shared = |tenant| Resource::new(RecordClass::Shared, tenant);
    let district_local = |d: &triad_store::org::District| Local::of(d);
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
            let local = match agency {
                Some(agency) => crate::campus::agency_local(&mut conn, agency).await?,
                None => None,
            };
            Resolved {
                scope: ReportScope::Author(id),
                resource: shared(tenant).owned_by(id),
                title: user.display_name,
                local,
            }
        }
        "campus" => {
            let c = ctx.campus(&mut conn, id).await?.ok_or(AppError::NotFound)?;
            let d = triad_store::org::district(&mut conn, c.district()).await?;
            Resolved {
                scope: ReportScope::Campus(id),
                resource: shared(Tenant::campus(c.district(), id)),
                title: c.name,
                local: d.as_ref().map(district_local),
            }
        }
        "agency" => {
            let a = triad_store::org::agency(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            Resolved {
                scope: ReportScope::Agency(id),
                resource: shared(Tenant::agency(id)),
                title: a.name,
                local: crate::campus::agency_local(&mut conn, id).await?,
            }
        }
        "district" => {
            let d = ctx
                .district(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            Resolved {
                scope: ReportScope::District(id),
                resource: shared(Tenant::district(id)),
                local: Some(district_local(&d)),
                title: d.name,
            }
        }
        _ => return Err(triad_domain::Invalid::one("scope", "choose a report").into()),
    })
}

/// The period a query asks for and the months it covers: this month by default; a preset
/// counts in the district's calendar where there is one.
fn period(
    ctx: &Ctx,
    q: &ReportQuery,
    local: Option<&Local>,
) -> AppResult<(ReportPeriod, String, String)> {
    let chosen = if q.period.trim().is_empty() {
        if q.from.trim().is_empty() && q.to.trim().is_empty() {
            ReportPeriod::Month
        } else {
            ReportPeriod::Custom
        }
    } else {
        ReportPeriod::from_code(&q.period).ok_or_else(|| {
            triad_domain::Invalid::one(
                "period",
                "choose this month, this semester, the school year to date or months you choose",
            )
        })?
    };
    let today = match local {
        Some(l) => l.date(ctx.now),
        None => ctx.now.to_datetime().date_naive(),
    };
    let start = local.map_or(YearStart::AUGUST_FIRST, |l| l.year_start);
    if let Some((from, to)) = rules::period_months(chosen, today, start) {
        return Ok((chosen, from, to));
    }
    if q.from.trim().is_empty() {
        return Err(triad_domain::Invalid::one("from", "choose the first month").into());
    }
    let from = rules::parse_month("from", &q.from)?;
    let to = if q.to.trim().is_empty() {
        from.clone()
    } else {
        rules::parse_month("to", &q.to)?
    };
    if to < from {
        return Err(triad_domain::Invalid::one("to", "must not be before the first month").into());
    }
    Ok((chosen, from, to))
}

/// The months from `from` to `to`, inclusive (YYYY-MM).
fn months_between(from: &str, to: &str) -> Vec<String> {
    let parse = |m: &str| chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok();
    let (Some(mut at), Some(last)) = (parse(from), parse(to)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while at <= last && out.len() < 240 {
        out.push(at.format("%Y-%m").to_string());
        at = at
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(last.succ_opt().unwrap_or(last));
    }
    out
}

/// The balance of minutes across the four triad roles, and the minutes in none.
fn split(lines: &[(String, i64)]) -> (Vec<(TriadRole, i64, i64)>, i64) {
    let by_role: Vec<(TriadRole, i64)> = lines
        .iter()
        .filter_map(|(role, minutes)| Some((TriadRole::from_code(role)?, *minutes)))
        .collect();
    let other = lines
        .iter()
        .filter(|(role, _)| TriadRole::from_code(role).is_none())
        .map(|(_, m)| m)
        .sum();
    (rules::balance(&by_role), other)
}

/// The report for a query, after the policy agreed.
pub async fn report(ctx: &Ctx, q: &ReportQuery) -> AppResult<Report> {
    let resolved = resolve(ctx, q.scope.trim()).await?;
    ctx.require(
        Action::View,
        resolved.resource,
        ("activity_report", q.scope.trim()),
    )
    .await?;
    let (chosen, from, to) = period(ctx, q, resolved.local.as_ref())?;
    // What a report shows depends on its scope and months alone (who may read it is decided
    // above): one built since the last write serves everyone who may read it. A district's
    // costs some milliseconds of the database's time (every campus's lines and latest entry).
    let scope = q.scope.trim();
    let key = (
        scope.to_string(),
        chosen.code().to_string(),
        from.clone(),
        to.clone(),
    );
    let kept = ctx
        .app
        .activity_reports
        .get_or_build(key, ctx.versions(), ctx.now, || {
            build(ctx, resolved, scope, chosen, from, to)
        })
        .await?;
    Ok(Report::clone(&kept))
}

/// Activity reports by scope, period and months, kept while nothing is written.
pub type KeptReports = crate::fresh::Current<(String, String, String, String), Report>;

async fn build(
    ctx: &Ctx,
    resolved: Resolved,
    scope: &str,
    chosen: ReportPeriod,
    from: String,
    to: String,
) -> AppResult<Report> {
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::report(&mut conn, resolved.scope, &from, &to).await?;
    let (balance, other_duties_minutes) = split(
        &rows
            .iter()
            .map(|r| (r.triad_role.clone(), r.minutes))
            .collect::<Vec<_>>(),
    );
    // A month alone has no trend: the school year to date shows where it sits.
    let trend_from = if from == to {
        let start = resolved
            .local
            .as_ref()
            .map_or(YearStart::AUGUST_FIRST, |l| l.year_start);
        rules::period_months(
            ReportPeriod::Year,
            chrono::NaiveDate::parse_from_str(&format!("{to}-01"), "%Y-%m-%d").unwrap_or_default(),
            start,
        )
        .map_or(from.clone(), |(first, _)| first)
    } else {
        from.clone()
    };
    let monthly = store::trend(&mut conn, resolved.scope, &trend_from, &to).await?;
    let trend = months_between(&trend_from, &to)
        .into_iter()
        .map(|month| {
            let of_month: Vec<(String, i64)> = monthly
                .iter()
                .filter(|m| m.key == month)
                .map(|m| (m.triad_role.clone(), m.minutes))
                .collect();
            let (balance, other_duties) = split(&of_month);
            TrendMonth {
                month,
                by_role: balance.iter().map(|(_, minutes, _)| *minutes).collect(),
                other_duties,
            }
        })
        .collect();
    let (compared, comparison) = comparison(
        &mut conn,
        resolved.scope,
        resolved.local.as_ref(),
        &from,
        &to,
    )
    .await?;
    let minutes = rows.iter().map(|r| r.minutes).sum();
    Ok(Report {
        scope: scope.to_string(),
        title: resolved.title,
        period: chosen.code().into(),
        period_label: chosen.label().into(),
        entries: rows.iter().map(|r| r.entries).sum(),
        minutes,
        hours: rules::hours(minutes),
        lines: rows
            .into_iter()
            .map(|r| ReportLineView {
                label: Category::from_code(&r.category)
                    .map(|c| c.label())
                    .unwrap_or("Other")
                    .into(),
                role: rules::role_label_of(&r.triad_role).into(),
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
        balance: balance
            .into_iter()
            .map(|(role, minutes, percent)| BalanceView {
                triad_role: role.code().into(),
                label: role.label().into(),
                minutes,
                percent,
            })
            .collect(),
        other_duties_minutes,
        trend,
        compared,
        comparison,
    })
}

/// A district's campuses side by side (for its leader), or an agency's officers (for their
/// supervisor): hours, share by triad role, and the latest entry.
async fn comparison(
    conn: &mut triad_store::Pooled,
    scope: ReportScope,
    local: Option<&Local>,
    from: &str,
    to: &str,
) -> AppResult<(String, Vec<ComparedView>)> {
    let (kind, by, names): (&str, Comparison, Vec<(String, String)>) = match scope {
        ReportScope::District(d) => {
            let campuses = triad_store::org::campuses_of(&mut *conn, d).await?;
            (
                "campus",
                Comparison::CampusesOf(d),
                campuses.into_iter().map(|c| (c.id, c.name)).collect(),
            )
        }
        ReportScope::Agency(a) => {
            let officers =
                triad_store::auth::holders_of(&mut *conn, Role::Sro, &format!("agency:{a}"))
                    .await?;
            (
                "officer",
                Comparison::OfficersOf(a),
                officers
                    .into_iter()
                    .map(|(id, name)| (id.to_string(), name))
                    .collect(),
            )
        }
        _ => return Ok((String::new(), Vec::new())),
    };
    let lines = store::compare(&mut *conn, by, from, to).await?;
    let keys: Vec<String> = names.iter().map(|(id, _)| id.clone()).collect();
    let latest: std::collections::HashMap<String, i64> =
        store::latest_entries(&mut *conn, by, &keys)
            .await?
            .into_iter()
            .filter_map(|l| Some((l.key, l.started_at?)))
            .collect();
    let mut out = Vec::new();
    for (id, name) in names {
        let mine: Vec<&store::RoleMinutes> = lines.iter().filter(|l| l.key == id).collect();
        let (balance, other_duties_minutes) = split(
            &mine
                .iter()
                .map(|l| (l.triad_role.clone(), l.minutes))
                .collect::<Vec<_>>(),
        );
        let minutes: i64 = mine.iter().map(|l| l.minutes).sum();
        let last = latest.get(&id).copied();
        out.push(ComparedView {
            name,
            entries: mine.iter().map(|l| l.entries).sum(),
            minutes,
            hours: rules::hours(minutes),
            shares: balance.iter().map(|(_, _, percent)| *percent).collect(),
            other_duties_minutes,
            last_entry: last.map(|ms| match local {
                Some(l) => l.date(triad_domain::Timestamp::from_millis(ms)).to_string(),
                None => triad_domain::Timestamp::from_millis(ms)
                    .to_datetime()
                    .date_naive()
                    .to_string(),
            }),
            id,
        });
    }
    Ok((kind.to_string(), out))
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
