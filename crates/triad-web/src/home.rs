//! The home page: one page per person, built from the roles they hold — what is theirs to
//! see and do.

use crate::context::Ctx;
use crate::error::WebResult;
use crate::org::service::{
    self, AgencyDetail, AssignmentView, CampusDetail, DistrictHome, NamedRef,
};
use crate::routes::Routes;
use crate::views::{render, when, Layout};
use askama::Template;
use axum::response::Html;
use triad_app::accounts::AdminHome;
use triad_domain::auth::{Role, Scope};

pub fn routes() -> Routes {
    Routes::default().get("/", home)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    my_assignments: Option<Vec<AssignmentView>>,
    /// Each campus the person is on, with its week (SROs, SSOs, administrators and staff
    /// alike: one layout).
    campuses: Vec<(CampusDetail, Vec<triad_app::due::DueEntry>)>,
    agencies: Vec<AgencyDetail>,
    districts: Vec<DistrictHome>,
    /// Where each of their partnerships' MOU stands (district leaders and LE supervisors):
    /// (the other side's name, its standing), by partnership.
    mous: Vec<(String, triad_app::mou::MouStanding)>,
    /// Grants whose continuation plan is due soon or late, by partner (the same leaders).
    plans_due: Vec<(String, String, triad_app::funding::GrantView)>,
    /// The programs an evaluator reads, each with the survey analyses they may open.
    evaluator_districts: Option<Vec<(NamedRef, Vec<triad_store::surveys::CampaignRow>)>>,
    /// The programs the person may assess (evaluators and the two sides' leaders).
    programs: Vec<triad_app::assessment::ProgramRef>,
    admin: Option<AdminHome>,
    second_factor_missing: bool,
    /// The account holds no role yet (made by a sign-in through the district's provider, or
    /// a district administrator from the roster): it is told whom to ask.
    no_role: bool,
    /// An SRO's own training standing.
    my_training: Option<triad_app::training::PersonTraining>,
    /// Their own candidacies for SRO posts.
    my_candidacies: Vec<triad_app::selection::Candidacy>,
    /// The person's open action items, soonest due first.
    items: Vec<crate::meetings::service::ItemView>,
    /// The open improvement-plan steps the person owns, each with its form.
    my_steps: Vec<(triad_app::assessment::MyStep, crate::forms::FormToken)>,
    step_statuses: Vec<(&'static str, &'static str)>,
    notifications: Vec<crate::notifications::NotificationView>,
    notification_forms: Vec<crate::forms::FormToken>,
    /// Bans ending soon on the campuses the person administers: (campus, ban).
    expiring_bans: Vec<(String, crate::visitors::service::BanView)>,
}

async fn home(ctx: Ctx) -> WebResult<Html<String>> {
    let actor = &ctx.actor;
    // An SRO sees where their own training stands.
    let my_training = match actor.person.filter(|_| actor.has_role(Role::Sro)) {
        Some(person) => {
            match crate::training::service::of_person(&ctx, &person.to_string()).await {
                Ok(t) => Some(t),
                Err(triad_app::AppError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let my_candidacies = triad_app::selection::my_candidacies(&ctx).await?;
    let my_assignments = if actor.has_role(Role::Sro) {
        Some(service::my_assignments(&ctx).await?)
    } else {
        None
    };
    let mut agencies = Vec::new();
    let mut districts = Vec::new();
    for grant in &actor.grants {
        match (grant.role, grant.scope) {
            (Role::LeSupervisor, Scope::Agency { agency }) => {
                agencies.push(service::agency_detail(&ctx, &agency.to_string()).await?)
            }
            (Role::DistrictLeader, Scope::District { district }) => {
                districts.push(service::district_home(&ctx, &district.to_string()).await?)
            }
            _ => {}
        }
    }
    // The page composes the MOU's standing from its own service, partner by partner.
    let mut mous = Vec::new();
    let partners = districts
        .iter()
        .flat_map(|d| d.detail.partners.iter())
        .chain(agencies.iter().flat_map(|a| a.districts.iter()));
    let mut plans_due = Vec::new();
    for partner in partners {
        if partner.mou_readable {
            let standing = triad_app::mou::standing_of(&ctx, &partner.partnership_id).await?;
            mous.push((partner.name.clone(), standing));
        }
        if partner.funding_readable {
            for grant in triad_app::funding::plans_due(&ctx, &partner.partnership_id).await? {
                plans_due.push((partner.name.clone(), partner.partnership_id.clone(), grant));
            }
        }
    }
    let mut campuses = Vec::new();
    for week in triad_app::due::this_week(&ctx).await? {
        let detail = service::campus_detail(&ctx, &week.campus_id).await?;
        campuses.push((detail, week.entries));
    }
    let evaluator_districts = if actor.has_role(Role::Evaluator) {
        let mut programs = Vec::new();
        for d in service::overview(&ctx).await?.districts {
            let campaigns = crate::surveys::service::of_district(
                &ctx,
                &d.id,
                triad_store::paging::Page::first(10),
            )
            .await?;
            programs.push((d, campaigns));
        }
        Some(programs)
    } else {
        None
    };
    let programs = if [Role::Evaluator, Role::DistrictLeader, Role::LeSupervisor]
        .iter()
        .any(|r| actor.has_role(*r))
    {
        triad_app::assessment::programs(&ctx).await?
    } else {
        Vec::new()
    };
    let admin = if actor.has_role(Role::SystemAdmin) {
        Some(triad_app::accounts::overview(&ctx).await?)
    } else {
        None
    };
    let second_factor_missing = actor.needs_strong_auth() && !ctx.second_factor_enabled;
    let items = crate::meetings::service::my_open_items(&ctx).await?;
    let my_steps = triad_app::assessment::my_steps(&ctx)
        .await?
        .into_iter()
        .map(|s| (s, ctx.form()))
        .collect();
    let notifications =
        crate::notifications::unread(&ctx, triad_store::paging::Page::first(50)).await?;
    let notification_forms = notifications.iter().map(|_| ctx.form()).collect();
    let expiring_bans = expiring_bans(&ctx).await?;
    render(&HomePage {
        notifications,
        notification_forms,
        expiring_bans,
        items,
        my_steps,
        step_statuses: triad_domain::improvement::StepStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        layout: Layout::new(&ctx),
        name: actor.display_name.clone(),
        my_assignments,
        campuses,
        agencies,
        districts,
        mous,
        plans_due,
        my_training,
        my_candidacies,
        evaluator_districts,
        programs,
        admin,
        second_factor_missing,
        no_role: actor.grants.is_empty(),
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

/// Template helper: instants as people read them.
pub fn at(ms: &i64) -> String {
    when(*ms)
}
