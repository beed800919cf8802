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
struct HomePage<'a> {
    layout: Layout,
    name: String,
    /// What the services said, kept or just read (the template reads its fields as the
    /// page's own, through `Deref`).
    data: &'a HomeData,
    /// The open improvement-plan steps the person owns, each with its form.
    my_steps: Vec<(&'a triad_app::assessment::MyStep, crate::forms::FormToken)>,
    step_statuses: Vec<(&'static str, &'static str)>,
    notification_forms: Vec<crate::forms::FormToken>,
    second_factor_missing: bool,
    /// The account holds no role yet (made by a sign-in through the district's provider, or
    /// a district administrator from the roster): it is told whom to ask.
    no_role: bool,
}

impl std::ops::Deref for HomePage<'_> {
    type Target = HomeData;

    fn deref(&self) -> &HomeData {
        self.data
    }
}

/// What a home shows from the services: about twenty reads. It is kept per person while
/// nothing has been written and their access is unchanged, for at most a minute (what time
/// alone changes: a step falling late, a ban ending); see [`triad_app::fresh::Current`]. The
/// forms on the page are made anew for every view.
pub struct HomeData {
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
    /// An SRO's own training standing.
    my_training: Option<triad_app::training::PersonTraining>,
    /// Their own candidacies for SRO posts.
    my_candidacies: Vec<triad_app::selection::Candidacy>,
    /// The person's open action items, soonest due first.
    items: Vec<crate::meetings::service::ItemView>,
    steps: Vec<triad_app::assessment::MyStep>,
    notifications: Vec<crate::notifications::NotificationView>,
    /// Bans ending soon on the campuses the person administers: (campus, ban).
    expiring_bans: Vec<(String, crate::visitors::service::BanView)>,
}

/// The homes kept between views, by person (see [`HomeData`]).
pub type KeptHomes = triad_app::fresh::Current<triad_domain::Id, HomeData>;

async fn home(ctx: Ctx) -> WebResult<Html<String>> {
    let actor = &ctx.actor;
    let data = ctx
        .state
        .homes
        .get_or_build(actor.user, ctx.versions(), ctx.now, || read_home(&ctx))
        .await?;
    render(&HomePage {
        my_steps: data.steps.iter().map(|s| (s, ctx.form())).collect(),
        notification_forms: data.notifications.iter().map(|_| ctx.form()).collect(),
        step_statuses: triad_domain::improvement::StepStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        layout: Layout::new(&ctx),
        name: actor.display_name.clone(),
        data: &data,
        second_factor_missing: actor.needs_strong_auth() && !ctx.second_factor_enabled,
        no_role: actor.grants.is_empty(),
    })
}

/// Reads what the person's home shows from each capability's service.
async fn read_home(ctx: &Ctx) -> WebResult<HomeData> {
    let actor = &ctx.actor;
    // An SRO sees where their own training stands.
    let my_training = match actor.person.filter(|_| actor.has_role(Role::Sro)) {
        Some(person) => match crate::training::service::of_person(ctx, &person.to_string()).await {
            Ok(t) => Some(t),
            Err(triad_app::AppError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let my_candidacies = triad_app::selection::my_candidacies(ctx).await?;
    let my_assignments = if actor.has_role(Role::Sro) {
        Some(service::my_assignments(ctx).await?)
    } else {
        None
    };
    let mut agencies = Vec::new();
    let mut districts = Vec::new();
    for grant in &actor.grants {
        match (grant.role, grant.scope) {
            (Role::LeSupervisor, Scope::Agency { agency }) => {
                agencies.push(service::agency_detail(ctx, &agency.to_string()).await?)
            }
            (Role::DistrictLeader, Scope::District { district }) => {
                districts.push(service::district_home(ctx, &district.to_string()).await?)
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
            let standing = triad_app::mou::standing_of(ctx, &partner.partnership_id).await?;
            mous.push((partner.name.clone(), standing));
        }
        if partner.funding_readable {
            for grant in triad_app::funding::plans_due(ctx, &partner.partnership_id).await? {
                plans_due.push((partner.name.clone(), partner.partnership_id.clone(), grant));
            }
        }
    }
    let mut campuses = Vec::new();
    for week in triad_app::due::this_week(ctx).await? {
        let detail = service::campus_detail(ctx, &week.campus_id).await?;
        campuses.push((detail, week.entries));
    }
    let evaluator_districts = if actor.has_role(Role::Evaluator) {
        let mut programs = Vec::new();
        for d in service::overview(ctx).await?.districts {
            let campaigns = crate::surveys::service::of_district(
                ctx,
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
        triad_app::assessment::programs(ctx).await?
    } else {
        Vec::new()
    };
    let admin = if actor.has_role(Role::SystemAdmin) {
        Some(triad_app::accounts::overview(ctx).await?)
    } else {
        None
    };
    Ok(HomeData {
        items: crate::meetings::service::my_open_items(ctx).await?,
        steps: triad_app::assessment::my_steps(ctx).await?,
        notifications: crate::notifications::unread(ctx, triad_store::paging::Page::first(50))
            .await?,
        expiring_bans: expiring_bans(ctx).await?,
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
