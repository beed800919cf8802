//! People of an agency (officers with or without an account) and the end of an SRO
//! assignment: what pages and API both do.

use super::{AssignmentView, NamedRef};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::org as rules;
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::org::{self as store, Person};

fn directory(tenant: Tenant) -> Resource {
    Resource::new(RecordClass::Directory, tenant)
}

/// A person's tenant: their agency, or else their district.
fn tenant_of(p: &Person) -> Tenant {
    Tenant {
        agency: p.agency_id.as_deref().and_then(Id::parse),
        district: p.district_id.as_deref().and_then(Id::parse),
        campus: None,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub agency: Option<NamedRef>,
    pub sworn: bool,
    pub le_experience_start: Option<String>,
    pub years_of_experience: Option<u32>,
    /// Below the three years of experience seed 003 recommends for an SRO.
    pub under_three_years: bool,
    pub assignments: Vec<AssignmentView>,
    /// The actor may open the person's training (the person and their agency's supervisors).
    pub training_readable: bool,
}

/// Finds a person the actor may act on; one out of reach is not found.
async fn person_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<Person> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let person = store::person(&mut ctx.app.db.acquire().await?, id).await?;
    let tenant = person
        .as_ref()
        .map(tenant_of)
        .unwrap_or(Tenant::agency(Id::from_parts("none", 0)));
    ctx.require(action, directory(tenant), ("person", &id.to_string()))
        .await?;
    person.ok_or(AppError::NotFound)
}

pub async fn person_detail(ctx: &Ctx, id: &str) -> AppResult<PersonView> {
    let p = person_for(ctx, id, Action::View).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let agency = match p.agency_id.as_deref().and_then(Id::parse) {
        Some(a) => store::agency(&mut conn, a).await?.map(|a| NamedRef {
            id: a.id,
            name: a.name,
        }),
        None => None,
    };
    let person_id = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let rows = store::active_assignments(
        &mut conn,
        &crate::context::today(ctx.now),
        None,
        None,
        None,
        Some(person_id),
    )
    .await?;
    let thin = rules::spread_too_thin(rows.len());
    let years = p
        .le_experience_start
        .as_deref()
        .and_then(|s| rules::parse_date("le_experience_start", s).ok())
        .map(|start| rules::years_of_experience(start, ctx.now.to_datetime().date_naive()));
    let training_readable = match (Id::parse(&p.id), p.agency_id.as_deref().and_then(Id::parse)) {
        (Some(pid), Some(agency)) => crate::training::readable(ctx, agency, pid),
        _ => false,
    };
    Ok(PersonView {
        training_readable,
        id: p.id,
        name: p.display_name,
        agency,
        under_three_years: p.sworn && years.is_some_and(|y| y < 3),
        sworn: p.sworn,
        le_experience_start: p.le_experience_start,
        years_of_experience: years,
        assignments: rows
            .into_iter()
            .map(|a| AssignmentView::from_row(a, thin))
            .collect(),
    })
}

/// What is entered about a person.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub sworn: bool,
    /// The day their law-enforcement career began (YYYY-MM-DD), optional.
    #[serde(default)]
    pub le_experience_start: String,
}

fn parse_person(input: &PersonInput) -> Result<(String, Option<String>), Invalid> {
    let mut invalid = Invalid::default();
    let name = invalid.check(rules::parse_name("name", &input.name));
    let start = invalid.check(rules::parse_optional_date(
        "le_experience_start",
        &input.le_experience_start,
    ));
    invalid.into_result()?;
    match (name, start) {
        (Some(n), Some(s)) => Ok((n, s.map(|d| d.to_string()))),
        _ => Err(Invalid::one("name", "is required")),
    }
}

/// Adds a person to an agency's roster (an officer who may not have an account).
pub async fn add_person(ctx: &Ctx, agency: &str, input: PersonInput) -> AppResult<String> {
    let agency = Id::parse(agency).ok_or(AppError::NotFound)?;
    ctx.require(
        Action::Change,
        directory(Tenant::agency(agency)),
        ("agency", &agency.to_string()),
    )
    .await?;
    store::agency(&mut ctx.app.db.acquire().await?, agency)
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, start) = parse_person(&input)?;
    let id = Id::new();
    let row = store::NewPerson {
        id,
        display_name: &name,
        email: None,
        agency: Some(agency),
        district: None,
        sworn: input.sworn,
        le_experience_start: start.clone(),
    };
    let mut tx = ctx.change().await?;
    store::insert_person(&mut tx, &row, ctx.now).await?;
    let content =
        serde_json::json!({"name": name, "sworn": input.sworn, "le_experience_start": start});
    let event = ctx
        .event("org.person.create", Outcome::Ok)
        .record("person", id)
        .content(&content)
        .tenant(None, Some(agency));
    tx.audit(event);
    tx.commit().await?;
    Ok(id.to_string())
}

/// Corrects a person; the earlier version is kept in the history.
pub async fn update_person(ctx: &Ctx, id: &str, input: PersonInput) -> AppResult<PersonView> {
    let p = person_for(ctx, id, Action::Change).await?;
    let (name, start) = parse_person(&input)?;
    let change = store::PersonChange {
        display_name: &name,
        sworn: input.sworn,
        le_experience_start: start.clone(),
    };
    let person_id = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let tenant = tenant_of(&p);
    let mut tx = ctx.change().await?;
    store::update_person(&mut tx, person_id, &change, ctx.actor.user, ctx.now).await?;
    let content =
        serde_json::json!({"name": name, "sworn": input.sworn, "le_experience_start": start});
    let event = ctx
        .event("org.person.update", Outcome::Ok)
        .record("person", person_id)
        .content(&content)
        .tenant(tenant.district, tenant.agency);
    tx.audit(event);
    tx.commit().await?;
    person_detail(ctx, id).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct EndAssignment {
    /// The last day of the assignment (YYYY-MM-DD).
    #[serde(default)]
    pub ends_on: String,
}

/// Ends an assignment on a day; the earlier version is kept in the history.
pub async fn end_assignment(
    ctx: &Ctx,
    id: &str,
    input: EndAssignment,
) -> AppResult<AssignmentView> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let row = store::assignment(&mut ctx.app.db.acquire().await?, id).await?;
    let tenant = row
        .as_ref()
        .map(|a| Tenant {
            agency: Id::parse(&a.agency_id),
            district: Id::parse(&a.district_id),
            campus: Id::parse(&a.campus_id),
        })
        .unwrap_or(Tenant::agency(Id::from_parts("none", 0)));
    ctx.require(
        Action::Change,
        directory(tenant),
        ("assignment", &id.to_string()),
    )
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let ends = rules::parse_date("ends_on", &input.ends_on)?;
    if ends.to_string() < row.starts_on {
        return Err(Invalid::one("ends_on", "must not be before the assignment started").into());
    }
    let mut tx = ctx.change().await?;
    let ended =
        store::end_assignment(&mut tx, id, &ends.to_string(), ctx.actor.user, ctx.now).await?;
    let event = ctx
        .event("org.assignment.end", Outcome::Ok)
        .record("assignment", id)
        .content(&ends)
        .tenant(tenant.district, tenant.agency);
    tx.audit(event);
    tx.commit().await?;
    Ok(AssignmentView::from_row(ended, false))
}
