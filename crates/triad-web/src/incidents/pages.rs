//! Incident pages: a campus's incidents with the report form, one incident with everything
//! hanging off it, and the campus's FERPA disclosure log.

use super::investigations::{self as inv, CloseInput, InvestigationsView, NoteInput};
use super::service::{
    self, CampusDisclosures, CampusIncidents, FollowUpInput, IncidentInput, LeDetailInput,
};
use crate::context::Ctx;
use crate::error::{WebError, WebResult};
use crate::forms::FormToken;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use triad_domain::incidents::{Classification, IncidentKind, PersonDraft, PersonKind};
use triad_store::paging::Page;

pub fn routes() -> Routes {
    Routes::default()
        .get("/campuses/{id}/incidents", campus_incidents)
        .post("/campuses/{id}/incidents", report)
        .post("/incidents/{id}/follow-ups", add_follow_up)
        .post("/incidents/{id}/le-details", add_le_detail)
        .get("/campuses/{id}/disclosures", disclosures)
        .get("/incidents/{id}/investigations", investigations)
        .post("/incidents/{id}/investigations/{side}", open_investigation)
        .post(
            "/incidents/{id}/investigations/{side}/notes",
            add_investigation_note,
        )
        .post(
            "/incidents/{id}/investigations/{side}/close",
            close_investigation,
        )
}

#[derive(Template)]
#[template(path = "incidents/investigations.html")]
struct InvestigationsPage {
    layout: Layout,
    v: InvestigationsView,
    /// One form each: open or close per side, a note per side, the coordination note.
    side_forms: Vec<(FormToken, FormToken)>,
    coordinate: FormToken,
}

async fn investigations(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let v = inv::view(&ctx, &id).await?;
    render(&InvestigationsPage {
        layout: Layout::new(&ctx),
        side_forms: v.sides.iter().map(|_| (ctx.form(), ctx.form())).collect(),
        coordinate: ctx.form(),
        v,
    })
}

fn to_investigations(id: &str) -> Response {
    Redirect::to(&format!("/incidents/{id}/investigations")).into_response()
}

async fn open_investigation(
    ctx: Ctx,
    Path((id, side)): Path<(String, String)>,
) -> WebResult<Response> {
    inv::open(&ctx, &id, &side).await?;
    Ok(to_investigations(&id))
}

async fn add_investigation_note(
    ctx: Ctx,
    Path((id, side)): Path<(String, String)>,
    Form(input): Form<NoteInput>,
) -> WebResult<Response> {
    inv::add_note(&ctx, &id, &side, input).await?;
    Ok(to_investigations(&id))
}

async fn close_investigation(
    ctx: Ctx,
    Path((id, side)): Path<(String, String)>,
    Form(input): Form<CloseInput>,
) -> WebResult<Response> {
    inv::close(&ctx, &id, &side, input).await?;
    Ok(to_investigations(&id))
}

/// Rows for people involved on the report form.
const PEOPLE_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "incidents/incidents.html")]
struct IncidentsPage {
    layout: Layout,
    m: CampusIncidents,
    kinds: &'static [IncidentKind],
    classifications: &'static [Classification],
    person_kinds: &'static [PersonKind],
    rows: Vec<usize>,
    preset_kind: String,
    /// The link to the older incidents, when there may be more.
    next: Option<String>,
    past_end: bool,
    form: FormToken,
}

#[derive(Deserialize)]
pub struct KindQuery {
    /// Pre-selects the kind (the visitor page links here for an unknown person).
    #[serde(default)]
    kind: String,
    /// Where the page of the list starts (after this incident).
    #[serde(default)]
    after: String,
}

/// How many incidents a page of the campus's list shows.
const INCIDENTS_PER_PAGE: i64 = 50;

async fn campus_incidents(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<KindQuery>,
) -> WebResult<Html<String>> {
    let after = match q.after.trim() {
        "" => None,
        text => Some(triad_domain::Id::parse(text).ok_or_else(|| {
            WebError::from(triad_app::AppError::Invalid(triad_domain::Invalid::one(
                "after",
                "this page link is not one of Triad's",
            )))
        })?),
    };
    let page = Page {
        limit: INCIDENTS_PER_PAGE + 1,
        after,
    };
    let mut m = service::campus_incidents(&ctx, &id, page).await?;
    let more = m.incidents.len() as i64 > INCIDENTS_PER_PAGE;
    m.incidents.truncate(INCIDENTS_PER_PAGE as usize);
    let next = m
        .incidents
        .last()
        .filter(|_| more)
        .map(|last| format!("/campuses/{id}/incidents?after={}", last.id));
    render(&IncidentsPage {
        layout: Layout::new(&ctx),
        past_end: m.incidents.is_empty() && after.is_some(),
        next,
        m,
        kinds: IncidentKind::ALL,
        classifications: Classification::ALL,
        person_kinds: PersonKind::ALL,
        rows: (1..=PEOPLE_ROWS).collect(),
        preset_kind: q.kind,
        form: ctx.form(),
    })
}

/// The report form: the incident's fields and a few numbered rows of people.
#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    reported_by: String,
    #[serde(default)]
    narrative: String,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

impl ReportForm {
    fn into_input(mut self) -> IncidentInput {
        let people = (1..=PEOPLE_ROWS)
            .map(|n| PersonDraft {
                kind: self
                    .rest
                    .remove(&format!("person{n}_kind"))
                    .unwrap_or_default(),
                name: self
                    .rest
                    .remove(&format!("person{n}_name"))
                    .unwrap_or_default(),
                description: self
                    .rest
                    .remove(&format!("person{n}_description"))
                    .unwrap_or_default(),
            })
            .collect();
        IncidentInput {
            kind: self.kind,
            classification: self.classification,
            occurred_at: self.occurred_at,
            location: self.location,
            reported_by: self.reported_by,
            narrative: self.narrative,
            people,
        }
    }
}

async fn report(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> WebResult<Response> {
    let incident = service::report(&ctx, &id, form.into_input()).await?;
    Ok(Redirect::to(&format!("/incidents/{}", incident.id)).into_response())
}

fn back(id: &str) -> Response {
    Redirect::to(&format!("/incidents/{id}")).into_response()
}

async fn add_follow_up(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<FollowUpInput>,
) -> WebResult<Response> {
    service::add_follow_up(&ctx, &id, input).await?;
    Ok(back(&id))
}

async fn add_le_detail(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<LeDetailInput>,
) -> WebResult<Response> {
    service::add_le_detail(&ctx, &id, input).await?;
    Ok(back(&id))
}

#[derive(Template)]
#[template(path = "incidents/disclosures.html")]
struct DisclosuresPage {
    layout: Layout,
    m: CampusDisclosures,
}

async fn disclosures(ctx: Ctx, Path(id): Path<String>) -> WebResult<Html<String>> {
    let m = service::disclosures(&ctx, &id, Page::first(crate::paging::MAX_LIMIT)).await?;
    render(&DisclosuresPage {
        layout: Layout::new(&ctx),
        m,
    })
}
