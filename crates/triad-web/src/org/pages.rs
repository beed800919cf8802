//! Organisation pages: a view over the same service calls the API makes.

use super::people;
use super::service::{self, AgencyDetail, CampusDetail, DistrictDetail, Overview};
use crate::context::Ctx;
use crate::error::WebResult;
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use triad_domain::org::CampusLevel;
use triad_domain::policy::Tenant;
use triad_domain::Id;

pub fn routes() -> Routes {
    Routes::default()
        .get("/org", overview)
        .post("/org/districts", create_district)
        .post("/org/agencies", create_agency)
        .post("/org/partnerships", create_partnership)
        .get("/districts/{id}", district)
        .post("/districts/{id}/campuses", create_campus)
        .post("/districts/{id}/terms", add_term)
        .post("/districts/{id}/non-school-days", add_non_school_day)
        .post("/districts/{id}/state-words", set_state_words)
        .get("/campuses/{id}", campus)
        .post("/campuses/{id}", update_campus)
        .get("/agencies/{id}", agency)
        .post("/agencies/{id}/assignments", create_assignment)
        .post("/agencies/{id}/people", add_person)
        .get("/people/{id}", person)
        .post("/people/{id}", update_person)
        .post("/assignments/{id}/end", end_assignment)
}

#[derive(Template)]
#[template(path = "org/org.html")]
struct OverviewPage {
    layout: Layout,
    overview: Overview,
    may_create: bool,
    district_form: FormToken,
    agency_form: FormToken,
    partnership_form: FormToken,
}

async fn overview(ctx: Ctx) -> WebResult<Html<String>> {
    let overview = service::overview(&ctx).await?;
    render(&OverviewPage {
        layout: Layout::new(&ctx),
        may_create: ctx.may_change(Tenant::INSTANCE),
        overview,
        district_form: ctx.form(),
        agency_form: ctx.form(),
        partnership_form: ctx.form(),
    })
}

async fn create_district(ctx: Ctx, Form(input): Form<service::NewDistrict>) -> WebResult<Response> {
    let d = service::create_district(&ctx, input).await?;
    Ok(Redirect::to(&format!("/districts/{}", d.id)).into_response())
}

async fn create_agency(ctx: Ctx, Form(input): Form<service::NewAgency>) -> WebResult<Response> {
    let a = service::create_agency(&ctx, input).await?;
    Ok(Redirect::to(&format!("/agencies/{}", a.id)).into_response())
}

async fn create_partnership(
    ctx: Ctx,
    Form(input): Form<service::NewPartnership>,
) -> WebResult<Response> {
    let target = format!("/districts/{}", input.district_id.trim());
    service::create_partnership(&ctx, input).await?;
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template)]
#[template(path = "org/district.html")]
struct DistrictPage {
    layout: Layout,
    d: DistrictDetail,
    may_change: bool,
    levels: &'static [CampusLevel],
    campus_form: FormToken,
    term_form: FormToken,
    day_form: FormToken,
    words_form: FormToken,
}

async fn district(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let d = service::district_detail(&ctx, &id).await?;
    let may_change = Id::parse(&d.id).is_some_and(|id| ctx.may_change(Tenant::district(id)));
    render(&DistrictPage {
        layout: Layout::new(&ctx),
        d,
        may_change,
        levels: CampusLevel::ALL,
        campus_form: ctx.form(),
        term_form: ctx.form(),
        day_form: ctx.form(),
        words_form: ctx.form(),
    })
}

async fn create_campus(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<service::CampusInput>,
) -> WebResult<Response> {
    let c = service::create_campus(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/campuses/{}", c.id)).into_response())
}

async fn add_term(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<service::NewTerm>,
) -> WebResult<Response> {
    service::add_term(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/districts/{id}")).into_response())
}

async fn add_non_school_day(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<service::NewNonSchoolDay>,
) -> WebResult<Response> {
    service::add_non_school_day(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/districts/{id}")).into_response())
}

async fn set_state_words(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<service::StateWordsInput>,
) -> WebResult<Response> {
    service::set_state_words(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/districts/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "org/campus.html")]
struct CampusPage {
    layout: Layout,
    c: CampusDetail,
    may_change: bool,
    levels: &'static [CampusLevel],
    form: FormToken,
}

async fn campus(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let c = service::campus_detail(&ctx, &id).await?;
    let may_change = match (Id::parse(&c.campus.district_id), Id::parse(&c.campus.id)) {
        (Some(d), Some(cid)) => ctx.may_change(Tenant::campus(d, cid)),
        _ => false,
    };
    render(&CampusPage {
        layout: Layout::new(&ctx),
        c,
        may_change,
        levels: CampusLevel::ALL,
        form: ctx.form(),
    })
}

async fn update_campus(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<service::CampusInput>,
) -> WebResult<Response> {
    let c = service::update_campus(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/campuses/{}", c.id)).into_response())
}

#[derive(Template)]
#[template(path = "org/agency.html")]
struct AgencyPage {
    layout: Layout,
    a: AgencyDetail,
    may_change: bool,
    campuses: Vec<(String, String)>,
    form: FormToken,
    person_form: FormToken,
}

async fn agency(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let a = service::agency_detail(&ctx, &id).await?;
    let may_change = Id::parse(&a.id).is_some_and(|id| ctx.may_change(Tenant::agency(id)));
    let mut campuses = Vec::new();
    if may_change {
        for d in &a.districts {
            if let Some(did) = Id::parse(&d.id) {
                for c in service::campuses_of(&ctx, did).await? {
                    campuses.push((c.id, format!("{} ({})", c.name, d.name)));
                }
            }
        }
    }
    render(&AgencyPage {
        layout: Layout::new(&ctx),
        a,
        may_change,
        campuses,
        form: ctx.form(),
        person_form: ctx.form(),
    })
}

async fn create_assignment(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<service::NewAssignment>,
) -> WebResult<Response> {
    service::create_assignment(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/agencies/{id}")).into_response())
}

async fn add_person(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<people::PersonInput>,
) -> WebResult<Response> {
    let person = people::add_person(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/people/{person}")).into_response())
}

#[derive(Template)]
#[template(path = "org/person.html")]
struct PersonPage {
    layout: Layout,
    p: people::PersonView,
    may_change: bool,
    form: FormToken,
    end_forms: Vec<FormToken>,
}

async fn person(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let p = people::person_detail(&ctx, &id).await?;
    let may_change = p
        .agency
        .as_ref()
        .and_then(|a| Id::parse(&a.id))
        .is_some_and(|a| ctx.may_change(Tenant::agency(a)));
    let end_forms = p.assignments.iter().map(|_| ctx.form()).collect();
    render(&PersonPage {
        layout: Layout::new(&ctx),
        p,
        may_change,
        form: ctx.form(),
        end_forms,
    })
}

async fn update_person(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<people::PersonInput>,
) -> WebResult<Response> {
    let p = people::update_person(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/people/{}", p.id)).into_response())
}

async fn end_assignment(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<people::EndAssignment>,
) -> WebResult<Response> {
    let a = people::end_assignment(&ctx, &id, input).await?;
    Ok(Redirect::to(&format!("/people/{}", a.person_id)).into_response())
}
