//! The home page: one page per person, built from the roles they hold — what is theirs to
//! see and do.

use crate::context::{today, Ctx};
use crate::error::WebResult;
use crate::org::service::{
    self, AgencyDetail, AssignmentView, CampusDetail, DistrictDetail, NamedRef,
};
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::response::Html;
use triad_domain::auth::{Role, Scope};
use triad_domain::policy::Tenant;
use triad_store::auth::LockView;

pub fn routes() -> Routes {
    Routes::default().get("/", home)
}

pub struct DistrictHome {
    pub detail: DistrictDetail,
    /// Campuses with no SRO assigned today.
    pub uncovered: Vec<NamedRef>,
}

pub struct AdminHome {
    pub users: i64,
    pub locks: Vec<LockView>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    my_assignments: Option<Vec<AssignmentView>>,
    campuses: Vec<CampusDetail>,
    agencies: Vec<AgencyDetail>,
    districts: Vec<DistrictHome>,
    evaluator_districts: Option<Vec<NamedRef>>,
    admin: Option<AdminHome>,
    second_factor_missing: bool,
    /// The person's open action items, soonest due first.
    items: Vec<crate::meetings::service::ItemView>,
    /// Campuses on this page without an SRO–principal meeting recorded this week.
    no_meeting_this_week: Vec<String>,
    notifications: Vec<crate::notifications::NotificationView>,
    notification_forms: Vec<crate::forms::FormToken>,
    /// Bans ending soon on the campuses the person administers: (campus, ban).
    expiring_bans: Vec<(String, crate::visitors::service::BanView)>,
}

async fn home(ctx: Ctx) -> WebResult<Html<String>> {
    let actor = &ctx.actor;
    let my_assignments = if actor.has_role(Role::Sro) {
        Some(sro_assignments(&ctx).await?)
    } else {
        None
    };
    let mut campuses = Vec::new();
    let mut agencies = Vec::new();
    let mut districts = Vec::new();
    for grant in &actor.grants {
        match (grant.role, grant.scope) {
            (Role::Sso | Role::CampusAdmin | Role::Staff, Scope::Campus { campus, .. })
                if !campuses
                    .iter()
                    .any(|c: &CampusDetail| c.campus.id == campus.to_string()) =>
            {
                campuses.push(service::campus_detail(&ctx, &campus.to_string()).await?);
            }
            (Role::LeSupervisor, Scope::Agency { agency }) => {
                agencies.push(service::agency_detail(&ctx, &agency.to_string()).await?)
            }
            (Role::DistrictLeader, Scope::District { district }) => {
                districts.push(district_home(&ctx, &district.to_string()).await?)
            }
            _ => {}
        }
    }
    let evaluator_districts = if actor.has_role(Role::Evaluator) {
        Some(service::overview(&ctx).await?.districts)
    } else {
        None
    };
    let admin = if actor.has_role(Role::SystemAdmin) {
        Some(admin_home(&ctx).await?)
    } else {
        None
    };
    let second_factor_missing = actor.needs_strong_auth() && !ctx.second_factor_enabled;
    let items = crate::meetings::service::my_open_items(&ctx).await?;
    let mut campus_ids: Vec<String> = campuses.iter().map(|c| c.campus.id.clone()).collect();
    campus_ids.extend(my_assignments.iter().flatten().map(|a| a.campus_id.clone()));
    let no_meeting_this_week = without_meeting_this_week(&ctx, campus_ids).await?;
    let notifications =
        crate::notifications::unread(&ctx, triad_store::paging::Page::first(50)).await?;
    let notification_forms = notifications.iter().map(|_| ctx.form()).collect();
    let expiring_bans = expiring_bans(&ctx).await?;
    render(&HomePage {
        notifications,
        notification_forms,
        expiring_bans,
        items,
        no_meeting_this_week,
        layout: Layout::new(&ctx),
        name: actor.display_name.clone(),
        my_assignments,
        campuses,
        agencies,
        districts,
        evaluator_districts,
        admin,
        second_factor_missing,
    })
}

/// Bans ending soon on the campuses the actor administers.
async fn expiring_bans(ctx: &Ctx) -> WebResult<Vec<(String, crate::visitors::service::BanView)>> {
    let mut out = Vec::new();
    for grant in &ctx.actor.grants {
        let (Role::CampusAdmin, Scope::Campus { campus, .. }) = (grant.role, grant.scope) else {
            continue;
        };
        let Some(row) = ctx
            .campus(&mut ctx.state.db.acquire().await?, campus)
            .await?
        else {
            continue;
        };
        for ban in crate::visitors::service::expiring_bans(ctx, &row).await? {
            out.push((row.name.clone(), ban));
        }
    }
    Ok(out)
}

/// The campuses among these with no SRO–principal meeting recorded since Monday.
async fn without_meeting_this_week(ctx: &Ctx, campuses: Vec<String>) -> WebResult<Vec<String>> {
    let mut conn = ctx.state.db.acquire().await?;
    let mut out = Vec::new();
    for id in campuses {
        let Some(campus) = triad_domain::Id::parse(&id) else {
            continue;
        };
        let Some(row) = ctx.campus(&mut conn, campus).await? else {
            continue;
        };
        // The week as the campus's own clock reads it.
        let tz = ctx
            .district(&mut conn, row.district())
            .await?
            .and_then(|d| triad_domain::org::parse_time_zone(&d.time_zone).ok())
            .unwrap_or(chrono_tz::UTC);
        let today = ctx.now.to_datetime().with_timezone(&tz).date_naive();
        let monday = triad_domain::org::week_start(today).to_string();
        if !triad_store::meetings::held_since(&mut conn, campus, "weekly_principal", &monday)
            .await?
        {
            out.push(id);
        }
    }
    Ok(out)
}

async fn sro_assignments(ctx: &Ctx) -> WebResult<Vec<AssignmentView>> {
    let Some(person) = ctx.actor.person else {
        return Ok(Vec::new());
    };
    let rows = triad_store::org::active_assignments(
        &mut ctx.state.db.acquire().await?,
        &today(ctx.now),
        None,
        None,
        None,
        Some(person),
    )
    .await?;
    let thin = triad_domain::org::spread_too_thin(rows.len());
    Ok(rows
        .into_iter()
        .map(|a| AssignmentView::from_row(a, thin))
        .collect())
}

async fn district_home(ctx: &Ctx, id: &str) -> WebResult<DistrictHome> {
    let detail = service::district_detail(ctx, id).await?;
    let mut conn = ctx.state.db.acquire().await?;
    let district = triad_domain::Id::parse(id);
    let assigned = triad_store::org::active_assignments(
        &mut conn,
        &today(ctx.now),
        None,
        district,
        None,
        None,
    )
    .await?;
    let uncovered = detail
        .campuses
        .iter()
        .filter(|c| !assigned.iter().any(|a| a.campus_id == c.id))
        .map(|c| NamedRef {
            id: c.id.clone(),
            name: c.name.clone(),
        })
        .collect();
    Ok(DistrictHome { detail, uncovered })
}

async fn admin_home(ctx: &Ctx) -> WebResult<AdminHome> {
    ctx.require(
        triad_domain::policy::Action::View,
        triad_domain::policy::Resource::new(
            triad_domain::policy::RecordClass::Accounts,
            Tenant::INSTANCE,
        ),
        ("users", "all"),
    )
    .await?;
    let mut conn = ctx.state.db.acquire().await?;
    Ok(AdminHome {
        users: triad_store::auth::count_users(&mut conn).await?,
        locks: triad_store::auth::active_locks(&mut conn, ctx.now).await?,
    })
}

/// Template helper: instants as people read them.
pub fn at(ms: &i64) -> String {
    when(*ms)
}
