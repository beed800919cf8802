//! What the organisation pages and API do, once: parse, ask the policy, write with the audit
//! entry in one transaction, read back.

pub mod people;

use crate::context::{today, Ctx};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::Role;
use triad_domain::org::{self as rules, CampusLevel, YearStart};
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::org::{self as store, AssignmentRow, Campus, District, NonSchoolDay, TermRow};

fn directory(tenant: Tenant) -> Resource {
    Resource::new(RecordClass::Directory, tenant)
}

/// A district the actor may `action` a record of (the record `of` makes of it), with its name.
/// For the district's own records kept by other capabilities (its role guide, its community
/// directory).
pub async fn district_as(
    ctx: &Ctx,
    id: &str,
    action: Action,
    of: fn(Id) -> Resource,
) -> AppResult<(Id, String)> {
    let id = parse_id(id)?;
    ctx.require(action, of(id), ("district", &id.to_string()))
        .await?;
    let district = ctx
        .district(&mut ctx.app.db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((id, district.name))
}

fn parse_id(text: &str) -> AppResult<Id> {
    Id::parse(text).ok_or(AppError::NotFound)
}

impl Ctx {
    fn audit(&self, action: &str) -> AuditEvent {
        self.event(action, Outcome::Ok)
    }

    /// Whether the actor may change directory records of this tenant (to show the forms).
    pub fn may_change(&self, tenant: Tenant) -> bool {
        decide(&self.actor, Action::Change, directory(tenant)) == Decision::Allow
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

/// The other side of a partnership, and the partnership's MOU when the actor may read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnerRef {
    pub id: String,
    pub name: String,
    pub partnership_id: String,
    /// The actor may open the partnership's MOU.
    pub mou_readable: bool,
    /// The actor may open the partnership's grants (its leaders only).
    pub funding_readable: bool,
    /// The actor may open the program's assessment (its evaluators and leaders).
    pub assessment_readable: bool,
}

fn partner_ref(ctx: &Ctx, p: &store::Partnership, id: String, name: String) -> PartnerRef {
    let may_read = |of: crate::partnership::RecordOf| {
        decide(&ctx.actor, Action::View, crate::partnership::record(p, of)) == Decision::Allow
    };
    PartnerRef {
        id,
        name,
        partnership_id: p.id.clone(),
        mou_readable: may_read(triad_domain::mou::record),
        funding_readable: may_read(triad_domain::funding::record),
        assessment_readable: may_read(triad_domain::assessment::record),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub districts: Vec<NamedRef>,
    pub agencies: Vec<NamedRef>,
}

/// The records of a list the actor may see, by the tenant each belongs to.
fn visible(ctx: &Ctx, rows: Vec<(String, String)>, tenant: fn(Id) -> Tenant) -> Vec<NamedRef> {
    rows.into_iter()
        .filter(|(id, _)| {
            Id::parse(id).is_some_and(|id| {
                decide(&ctx.actor, Action::View, directory(tenant(id))) == Decision::Allow
            })
        })
        .map(|(id, name)| NamedRef { id, name })
        .collect()
}

/// The districts and agencies the actor can see.
pub async fn overview(ctx: &Ctx) -> AppResult<Overview> {
    let mut conn = ctx.app.db.acquire().await?;
    let districts = store::districts(&mut conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let agencies = store::agencies(&mut conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(Overview {
        districts: visible(ctx, districts, Tenant::district),
        agencies: visible(ctx, agencies, Tenant::agency),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewDistrict {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub time_zone: String,
    /// MM-DD; the default is 08-01.
    #[serde(default)]
    pub school_year_start: String,
}

pub async fn create_district(ctx: &Ctx, input: NewDistrict) -> AppResult<District> {
    ctx.require(
        Action::Change,
        directory(Tenant::INSTANCE),
        ("district", "new"),
    )
    .await?;
    let mut invalid = Invalid::default();
    let name = invalid.check(rules::parse_name("name", &input.name));
    let tz = invalid.check(rules::parse_time_zone(&input.time_zone));
    let start = if input.school_year_start.trim().is_empty() {
        Some(YearStart::AUGUST_FIRST)
    } else {
        invalid.check(YearStart::parse(&input.school_year_start))
    };
    invalid.into_result()?;
    let (Some(name), Some(tz), Some(start)) = (name, tz, start) else {
        return Err(AppError::NotFound);
    };
    let id = Id::new();
    let row = store::NewDistrict {
        id,
        name: &name,
        time_zone: tz.name(),
        year_start: &start.code(),
    };
    let mut tx = ctx.change().await?;
    store::insert_district(&mut tx, &row, ctx.now).await?;
    let content =
        serde_json::json!({"name": name, "time_zone": tz.name(), "year_start": start.code()});
    tx.audit(
        ctx.audit("org.district.create")
            .record("district", id)
            .content(&content)
            .tenant(Some(id), None),
    );
    let district = store::district(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(district)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAgency {
    #[serde(default)]
    pub name: String,
}

pub async fn create_agency(ctx: &Ctx, input: NewAgency) -> AppResult<NamedRef> {
    ctx.require(
        Action::Change,
        directory(Tenant::INSTANCE),
        ("agency", "new"),
    )
    .await?;
    let name = rules::parse_name("name", &input.name)?;
    let id = Id::new();
    let mut tx = ctx.change().await?;
    store::insert_agency(&mut tx, id, &name, ctx.now).await?;
    tx.audit(
        ctx.audit("org.agency.create")
            .record("agency", id)
            .content(&name)
            .tenant(None, Some(id)),
    );
    tx.commit().await?;
    Ok(NamedRef {
        id: id.to_string(),
        name,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPartnership {
    #[serde(default)]
    pub agency_id: String,
    #[serde(default)]
    pub district_id: String,
    #[serde(default)]
    pub started_on: String,
}

pub async fn create_partnership(ctx: &Ctx, input: NewPartnership) -> AppResult<()> {
    ctx.require(
        Action::Change,
        directory(Tenant::INSTANCE),
        ("partnership", "new"),
    )
    .await?;
    let mut invalid = Invalid::default();
    let started = invalid.check(rules::parse_date("started_on", &input.started_on));
    let agency = Id::parse(&input.agency_id);
    let district = Id::parse(&input.district_id);
    let mut conn = ctx.app.db.acquire().await?;
    let agency_ok = match agency {
        Some(a) => store::agency(&mut conn, a).await?.is_some(),
        None => false,
    };
    let district_ok = match district {
        Some(d) => store::district(&mut conn, d).await?.is_some(),
        None => false,
    };
    drop(conn);
    if !agency_ok {
        invalid.push("agency_id", "choose an agency");
    }
    if !district_ok {
        invalid.push("district_id", "choose a district");
    }
    invalid.into_result()?;
    let (Some(agency), Some(district), Some(started)) = (agency, district, started) else {
        return Err(AppError::NotFound);
    };
    let id = Id::new();
    let mut tx = ctx.change().await?;
    store::insert_partnership(&mut tx, id, agency, district, &started.to_string(), ctx.now).await?;
    tx.audit(
        ctx.audit("org.partnership.create")
            .record("partnership", id)
            .tenant(Some(district), Some(agency)),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TermView {
    pub name: String,
    pub first_day: String,
    pub last_day: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayView {
    pub day: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusView {
    pub id: String,
    pub district_id: String,
    pub name: String,
    /// elementary, middle, high or other
    pub level: String,
    pub level_label: String,
}

impl From<Campus> for CampusView {
    fn from(c: Campus) -> Self {
        Self {
            id: c.id,
            district_id: c.district_id,
            name: c.name,
            level_label: CampusLevel::from_code(&c.level)
                .map(|l| l.label())
                .unwrap_or("Other")
                .to_string(),
            level: c.level,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistrictDetail {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub school_year_start: String,
    /// The school year shown, named by the year it starts in.
    pub school_year: i32,
    pub school_year_label: String,
    pub terms: Vec<TermView>,
    /// True when the district has not entered its own terms and the default applies.
    pub default_terms: bool,
    pub non_school_days: Vec<DayView>,
    pub campuses: Vec<CampusView>,
    pub partners: Vec<PartnerRef>,
    /// The district's own words for controlled movement and lockdown; empty: Triad's.
    pub controlled_movement_words: String,
    pub lockdown_words: String,
    /// The actor may read the counts of the district's officers' training.
    pub training_readable: bool,
}

/// The school year that contains today in the district's own time zone.
fn current_school_year(d: &District, ctx: &Ctx) -> (YearStart, triad_domain::org::SchoolYear) {
    let start = YearStart::parse(&d.year_start).unwrap_or(YearStart::AUGUST_FIRST);
    let tz = rules::parse_time_zone(&d.time_zone).unwrap_or(chrono_tz::UTC);
    let local = ctx.now.to_datetime().with_timezone(&tz).date_naive();
    (start, start.school_year_of(local))
}

pub async fn district_detail(ctx: &Ctx, id: &str) -> AppResult<DistrictDetail> {
    let id = parse_id(id)?;
    ctx.require(
        Action::View,
        directory(Tenant::district(id)),
        ("district", &id.to_string()),
    )
    .await?;
    let mut conn = ctx.app.db.acquire().await?;
    let d = store::district(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (start, year) = current_school_year(&d, ctx);
    let stored: Vec<TermRow> = store::terms_of(&mut conn, id, i64::from(year.0)).await?;
    let default_terms = stored.is_empty();
    let terms = if default_terms {
        start
            .default_terms(year)
            .into_iter()
            .map(|t| TermView {
                name: t.name,
                first_day: t.first_day.to_string(),
                last_day: t.last_day.to_string(),
            })
            .collect()
    } else {
        stored
            .into_iter()
            .map(|t| TermView {
                name: t.name,
                first_day: t.first_day,
                last_day: t.last_day,
            })
            .collect()
    };
    let days: Vec<NonSchoolDay> = store::non_school_days(&mut conn, id, i64::from(year.0)).await?;
    let campuses = store::campuses_of(&mut conn, id)
        .await?
        .into_iter()
        .map(CampusView::from)
        .collect();
    let mut partners = Vec::new();
    for p in store::partnerships_of_district(&mut conn, id).await? {
        if let Some(a) = store::agency(&mut conn, parse_id(&p.agency_id)?).await? {
            partners.push(partner_ref(ctx, &p, a.id, a.name));
        }
    }
    Ok(DistrictDetail {
        training_readable: crate::training::counts_readable(ctx, id),
        controlled_movement_words: d.controlled_movement_words.clone().unwrap_or_default(),
        lockdown_words: d.lockdown_words.clone().unwrap_or_default(),
        id: d.id,
        name: d.name,
        time_zone: d.time_zone,
        school_year_start: d.year_start,
        school_year: year.0,
        school_year_label: year.to_string(),
        terms,
        default_terms,
        non_school_days: days
            .into_iter()
            .map(|n| DayView {
                day: n.day,
                label: n.label,
            })
            .collect(),
        campuses,
        partners,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CampusInput {
    #[serde(default)]
    pub name: String,
    /// elementary, middle, high or other
    #[serde(default)]
    pub level: String,
}

fn parse_campus(input: &CampusInput) -> Result<(String, CampusLevel), Invalid> {
    let mut invalid = Invalid::default();
    let name = invalid.check(rules::parse_name("name", &input.name));
    let level = CampusLevel::from_code(&input.level);
    if level.is_none() {
        invalid.push("level", "choose elementary, middle, high or other");
    }
    invalid.into_result()?;
    match (name, level) {
        (Some(n), Some(l)) => Ok((n, l)),
        _ => Err(Invalid::one("name", "is required")),
    }
}

pub async fn create_campus(ctx: &Ctx, district: &str, input: CampusInput) -> AppResult<CampusView> {
    let district = parse_id(district)?;
    ctx.require(
        Action::Change,
        directory(Tenant::district(district)),
        ("district", &district.to_string()),
    )
    .await?;
    store::district(&mut ctx.app.db.acquire().await?, district)
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, level) = parse_campus(&input)?;
    let id = Id::new();
    let campus = store::campus_row(id, district, &name, level.code(), ctx.now);
    // Nothing to read on the way: the campus goes with the other writes of the moment, and
    // the answer is made from what was written.
    let mut change = ctx.prepared_change();
    change.write(store::insert_campus_statement(&campus));
    let content = serde_json::json!({"name": name, "level": level.code()});
    change.audit(
        ctx.audit("org.campus.create")
            .record("campus", id)
            .content(&content)
            .tenant(Some(district), None),
    );
    change.commit().await?;
    Ok(campus.into())
}

/// Finds a campus and checks the actor may act on it; a campus out of reach is not found.
async fn campus_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<Campus> {
    let id = parse_id(id)?;
    let campus = store::campus(&mut ctx.app.db.acquire().await?, id).await?;
    // Unknown ids and foreign campuses answer alike.
    let tenant = campus
        .as_ref()
        .map(|c| Tenant::campus(c.district(), c.campus_id()))
        .unwrap_or(Tenant::campus(Id::from_parts("none", 0), id));
    ctx.require(action, directory(tenant), ("campus", &id.to_string()))
        .await?;
    campus.ok_or(AppError::NotFound)
}

pub async fn update_campus(ctx: &Ctx, id: &str, input: CampusInput) -> AppResult<CampusView> {
    let campus = campus_for(ctx, id, Action::Change).await?;
    let (name, level) = parse_campus(&input)?;
    let mut tx = ctx.change().await?;
    let updated = store::update_campus(
        &mut tx,
        campus.campus_id(),
        &name,
        level.code(),
        ctx.actor.user,
        ctx.now,
    )
    .await?;
    let content = serde_json::json!({"name": name, "level": level.code()});
    tx.audit(
        ctx.audit("org.campus.update")
            .record("campus", &campus.id)
            .content(&content)
            .tenant(Some(campus.district()), None),
    );
    tx.commit().await?;
    Ok(updated.into())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    pub id: String,
    pub person_id: String,
    pub officer: String,
    pub agency_id: String,
    pub campus_id: String,
    pub campus: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// The officer holds more than one campus now: against the one-campus recommendation.
    pub spread_too_thin: bool,
}

impl AssignmentView {
    pub fn from_row(a: AssignmentRow, spread_too_thin: bool) -> Self {
        Self {
            spread_too_thin,
            id: a.id,
            person_id: a.person_id,
            officer: a.person_name,
            agency_id: a.agency_id,
            campus_id: a.campus_id,
            campus: a.campus_name,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
        }
    }
}

fn assignment_views(
    rows: Vec<AssignmentRow>,
    counts: &std::collections::HashMap<String, usize>,
) -> Vec<AssignmentView> {
    rows.into_iter()
        .map(|a| {
            let held = counts.get(&a.person_id).copied().unwrap_or(1);
            AssignmentView::from_row(a, rules::spread_too_thin(held))
        })
        .collect()
}

/// How many campuses each of some officers holds today, over every agency and district.
async fn campus_counts(
    ctx: &Ctx,
    officers: store::OfficersOf,
) -> AppResult<std::collections::HashMap<String, usize>> {
    let mut conn = ctx.app.db.acquire().await?;
    Ok(store::campuses_held(&mut conn, &today(ctx.now), officers).await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusDetail {
    pub campus: CampusView,
    pub district: String,
    pub officers: Vec<AssignmentView>,
    /// The campus's pages the reader may open (for pages, not the API).
    #[serde(skip)]
    #[schema(ignore)]
    pub links: Vec<crate::campus::CampusLink>,
}

pub async fn campus_detail(ctx: &Ctx, id: &str) -> AppResult<CampusDetail> {
    let campus = campus_for(ctx, id, Action::View).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let district = store::district(&mut conn, campus.district())
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let rows = store::active_assignments(
        &mut conn,
        &today(ctx.now),
        None,
        None,
        Some(campus.campus_id()),
        None,
    )
    .await?;
    drop(conn);
    let counts = campus_counts(ctx, store::OfficersOf::Campus(campus.campus_id())).await?;
    Ok(CampusDetail {
        links: crate::campus::links(ctx, &campus),
        campus: campus.into(),
        district,
        officers: assignment_views(rows, &counts),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficerView {
    pub id: String,
    pub name: String,
    pub sworn: bool,
    pub years_of_experience: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyDetail {
    pub id: String,
    pub name: String,
    pub districts: Vec<PartnerRef>,
    pub officers: Vec<OfficerView>,
    pub assignments: Vec<AssignmentView>,
    /// The actor may open the agency's training roster (its supervisors).
    pub training_readable: bool,
}

impl AgencyDetail {
    /// Assignments of officers who serve more than one campus.
    pub fn thin_count(&self) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.spread_too_thin)
            .count()
    }
}

pub async fn agency_detail(ctx: &Ctx, id: &str) -> AppResult<AgencyDetail> {
    let id = parse_id(id)?;
    ctx.require(
        Action::View,
        directory(Tenant::agency(id)),
        ("agency", &id.to_string()),
    )
    .await?;
    let mut conn = ctx.app.db.acquire().await?;
    let agency = store::agency(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut districts = Vec::new();
    for p in store::partnerships_of_agency(&mut conn, id).await? {
        if let Some(d) = store::district(&mut conn, parse_id(&p.district_id)?).await? {
            districts.push(partner_ref(ctx, &p, d.id, d.name));
        }
    }
    let on = ctx.now.to_datetime().date_naive();
    let officers = store::people_of_agency(&mut conn, id)
        .await?
        .into_iter()
        .map(|p| OfficerView {
            years_of_experience: p
                .le_experience_start
                .as_deref()
                .and_then(|s| rules::parse_date("le_experience_start", s).ok())
                .map(|start| rules::years_of_experience(start, on)),
            id: p.id,
            name: p.display_name,
            sworn: p.sworn,
        })
        .collect();
    let rows =
        store::active_assignments(&mut conn, &today(ctx.now), Some(id), None, None, None).await?;
    drop(conn);
    let counts = campus_counts(ctx, store::OfficersOf::Agency(id)).await?;
    Ok(AgencyDetail {
        training_readable: decide(&ctx.actor, Action::View, triad_domain::training::record(id))
            == Decision::Allow,
        id: agency.id,
        name: agency.name,
        districts,
        officers,
        assignments: assignment_views(rows, &counts),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAssignment {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub campus_id: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
}

/// Assigns a sworn officer of the agency to a campus of a partner district. A second campus
/// is allowed and flagged, never refused.
pub async fn create_assignment(
    ctx: &Ctx,
    agency: &str,
    input: NewAssignment,
) -> AppResult<AssignmentView> {
    let agency = parse_id(agency)?;
    let mut conn = ctx.app.db.acquire().await?;
    let campus = match Id::parse(&input.campus_id) {
        Some(c) => store::campus(&mut conn, c).await?,
        None => None,
    };
    let tenant = Tenant {
        agency: Some(agency),
        district: campus.as_ref().map(Campus::district),
        campus: campus.as_ref().map(Campus::campus_id),
    };
    drop(conn);
    ctx.require(
        Action::Change,
        directory(Tenant::agency(agency)),
        ("agency", &agency.to_string()),
    )
    .await?;
    let mut invalid = Invalid::default();
    let starts = invalid.check(rules::parse_date("starts_on", &input.starts_on));
    let ends = invalid.check(rules::parse_optional_date("ends_on", &input.ends_on));
    if let (Some(s), Some(Some(e))) = (starts, ends) {
        if e < s {
            invalid.push("ends_on", "must not be before the start");
        }
    }
    let mut conn = ctx.app.db.acquire().await?;
    let person = match Id::parse(&input.person_id) {
        Some(p) => store::person(&mut conn, p).await?,
        None => None,
    };
    let officer_ok = person
        .as_ref()
        .is_some_and(|p| p.sworn && p.agency_id.as_deref() == Some(agency.to_string().as_str()));
    if !officer_ok {
        invalid.push("person_id", "choose a sworn officer of this agency");
    }
    match &campus {
        None => invalid.push("campus_id", "choose a campus"),
        Some(c) => {
            let partners = store::partnerships_of_agency(&mut conn, agency).await?;
            if !partners.iter().any(|p| p.district_id == c.district_id) {
                invalid.push(
                    "campus_id",
                    "this agency has no partnership with that campus's district",
                );
            }
        }
    }
    drop(conn);
    invalid.into_result()?;
    let (Some(person), Some(campus), Some(starts), Some(ends)) = (person, campus, starts, ends)
    else {
        return Err(AppError::NotFound);
    };
    // The campus's district must allow it too: a district leader of another district cannot
    // place officers on campuses that are not theirs.
    ctx.require(Action::Change, directory(tenant), ("campus", &campus.id))
        .await?;
    let id = Id::new();
    let starts = starts.to_string();
    let ends = ends.map(|e| e.to_string());
    let row = store::NewAssignment {
        id,
        person: parse_id(&person.id)?,
        agency,
        district: campus.district(),
        campus: campus.campus_id(),
        starts_on: &starts,
        ends_on: ends.as_deref(),
    };
    let mut tx = ctx.change().await?;
    store::insert_assignment(&mut tx, &row, ctx.now).await?;
    let content = serde_json::json!({"person": person.id, "campus": campus.id, "starts_on": starts, "ends_on": ends});
    tx.audit(
        ctx.audit("org.assignment.create")
            .record("assignment", id)
            .content(&content)
            .tenant(Some(campus.district()), Some(agency)),
    );
    tx.commit().await?;
    let on = today(ctx.now);
    let held = store::active_assignments(
        &mut ctx.app.db.acquire().await?,
        &on,
        None,
        None,
        None,
        Some(parse_id(&person.id)?),
    )
    .await?
    .len();
    Ok(AssignmentView {
        id: id.to_string(),
        person_id: person.id,
        officer: person.display_name,
        agency_id: agency.to_string(),
        campus_id: campus.id,
        campus: campus.name,
        starts_on: starts,
        ends_on: ends,
        spread_too_thin: rules::spread_too_thin(held),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StateWordsInput {
    /// The district's word for controlled movement (e.g. "Secure" or "Hold"); empty: Triad's.
    #[serde(default)]
    pub controlled_movement_words: String,
    /// The district's word for lockdown; empty: Triad's.
    #[serde(default)]
    pub lockdown_words: String,
}

/// Sets the words the district's staff are trained on for the campus states, shown on every
/// page and banner of the district. The authority rules do not change with them.
pub async fn set_state_words(ctx: &Ctx, district: &str, input: StateWordsInput) -> AppResult<()> {
    let district = parse_id(district)?;
    ctx.require(
        Action::Change,
        directory(Tenant::district(district)),
        ("district", &district.to_string()),
    )
    .await?;
    let words = triad_domain::operations::StateWords::parse(
        &input.controlled_movement_words,
        &input.lockdown_words,
    )?;
    let mut tx = ctx.change().await?;
    let changed = store::set_state_words(
        &mut tx,
        district,
        words.controlled_movement.as_deref(),
        words.lockdown.as_deref(),
    )
    .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    tx.audit(
        ctx.audit("org.district.state_words")
            .record("district", district)
            .content(&words)
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewTerm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub first_day: String,
    #[serde(default)]
    pub last_day: String,
}

pub async fn add_term(ctx: &Ctx, district: &str, input: NewTerm) -> AppResult<()> {
    let district = parse_id(district)?;
    ctx.require(
        Action::Change,
        directory(Tenant::district(district)),
        ("district", &district.to_string()),
    )
    .await?;
    let d = store::district(&mut ctx.app.db.acquire().await?, district)
        .await?
        .ok_or(AppError::NotFound)?;
    let term = rules::Term::parse(&input.name, &input.first_day, &input.last_day)?;
    let start = YearStart::parse(&d.year_start).unwrap_or(YearStart::AUGUST_FIRST);
    let year = start.school_year_of(term.first_day);
    if start.school_year_of(term.last_day) != year {
        return Err(Invalid::one(
            "last_day",
            "a term must end in the school year it starts in",
        )
        .into());
    }
    let mut tx = ctx.change().await?;
    let id = store::insert_term(
        &mut tx,
        district,
        i64::from(year.0),
        &term.name,
        &term.first_day.to_string(),
        &term.last_day.to_string(),
    )
    .await?;
    tx.audit(
        ctx.audit("org.term.create")
            .record("term", id)
            .content(&term)
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewNonSchoolDay {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub label: String,
}

pub async fn add_non_school_day(
    ctx: &Ctx,
    district: &str,
    input: NewNonSchoolDay,
) -> AppResult<()> {
    let district = parse_id(district)?;
    ctx.require(
        Action::Change,
        directory(Tenant::district(district)),
        ("district", &district.to_string()),
    )
    .await?;
    let d = store::district(&mut ctx.app.db.acquire().await?, district)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut invalid = Invalid::default();
    let day = invalid.check(rules::parse_date("day", &input.day));
    let label = invalid.check(rules::parse_name("label", &input.label));
    invalid.into_result()?;
    let (Some(day), Some(label)) = (day, label) else {
        return Err(AppError::NotFound);
    };
    let year = YearStart::parse(&d.year_start)
        .unwrap_or(YearStart::AUGUST_FIRST)
        .school_year_of(day);
    let mut tx = ctx.change().await?;
    store::insert_non_school_day(
        &mut tx,
        district,
        &day.to_string(),
        i64::from(year.0),
        &label,
    )
    .await?;
    tx.audit(
        ctx.audit("org.non_school_day.create")
            .record("non_school_day", day)
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(())
}

/// A person's roles, for the API's "who am I".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub sworn: bool,
    pub roles: Vec<String>,
}

pub fn me(ctx: &Ctx) -> Me {
    Me {
        user_id: ctx.actor.user.to_string(),
        username: ctx.actor.username.clone(),
        display_name: ctx.actor.display_name.clone(),
        sworn: ctx.actor.sworn,
        roles: ctx
            .actor
            .roles()
            .iter()
            .map(|r: &Role| r.code().to_string())
            .collect(),
    }
}

/// A district's page for its leaders: the district, and its campuses with no SRO assigned today.
pub struct DistrictHome {
    pub detail: DistrictDetail,
    /// Campuses with no SRO assigned today.
    pub uncovered: Vec<NamedRef>,
}

/// The campuses the actor serves as an SRO today.
pub async fn my_assignments(ctx: &Ctx) -> AppResult<Vec<AssignmentView>> {
    let Some(person) = ctx.actor.person else {
        return Ok(Vec::new());
    };
    let rows = triad_store::org::active_assignments(
        &mut ctx.app.db.acquire().await?,
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

pub async fn district_home(ctx: &Ctx, id: &str) -> AppResult<DistrictHome> {
    let detail = district_detail(ctx, id).await?;
    let mut conn = ctx.app.db.acquire().await?;
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

/// The campuses of a district, for a form that offers them: the district's directory, which
/// the policy is asked for.
pub async fn campuses_of(ctx: &Ctx, district: Id) -> AppResult<Vec<Campus>> {
    ctx.require(
        Action::View,
        directory(Tenant::district(district)),
        ("district", &district.to_string()),
    )
    .await?;
    Ok(store::campuses_of(&mut ctx.app.db.acquire().await?, district).await?)
}
