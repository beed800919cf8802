//! Reporting incidents of service and reading them back: once for pages and API.
//!
//! An incident is a shared record of its campus. Its law-enforcement details belong to the
//! agency serving the campus: the school side sees that they exist and their status only.
//! When law enforcement reads a school record about a student, the officer names a purpose
//! and the disclosure is logged for the campus administrator (FERPA).

pub mod investigations;

use crate::campus::{self, Local};
use crate::change::Change;
use crate::context::{Ctx, PersonChoice};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::auth::RolesHere;
use triad_domain::incidents::{
    self as rules, Classification, DisclosurePurpose, IncidentKind, LeDetailKind, LeDetailStatus,
    PersonDraft, PersonKind, Provenance,
};
use triad_domain::org as org_rules;
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource};
use triad_domain::text::parse_text;
use triad_domain::{Id, Invalid};
use triad_store::incidents::{self as store, IncidentRow, LeDetailRow, ListedIncident};
use triad_store::org::Campus;
use triad_store::paging::Page;

/// An incident the actor may act on, with its campus and the campus's clock.
pub struct FoundIncident {
    pub row: IncidentRow,
    pub campus: Campus,
    pub local: Local,
    /// The roles the actor holds for this incident (its campus and agency): what every rule
    /// that depends on a role uses here.
    pub held: RolesHere,
}

impl FoundIncident {
    pub fn id(&self) -> Id {
        Id::parse(&self.row.id).unwrap_or_default()
    }

    pub fn agency(&self) -> Option<Id> {
        self.row.agency_id.as_deref().and_then(Id::parse)
    }

    /// The incident as a resource of a class: shared for the record itself, law-enforcement
    /// for its details.
    pub fn resource(&self, class: RecordClass) -> Resource {
        Resource::new(class, campus::tenant(&self.campus, self.agency()))
    }
}

/// Finds an incident and asks the policy; one out of reach is not found.
pub async fn find(ctx: &Ctx, id: &str, action: Action) -> AppResult<FoundIncident> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let row = store::get(&mut conn, parsed).await?;
    let campus = match &row {
        Some(r) => {
            ctx.campus(&mut conn, Id::parse(&r.campus_id).unwrap_or_default())
                .await?
        }
        None => None,
    };
    drop(conn);
    let (Some(row), Some(campus)) = (row, campus) else {
        // Asked anyway, so a missing id and a foreign one leave the same trace.
        let nowhere = Resource::new(
            RecordClass::Shared,
            triad_domain::policy::Tenant::campus(Id::from_parts("none", 0), parsed),
        );
        ctx.require(action, nowhere, ("incident", id)).await?;
        return Err(AppError::NotFound);
    };
    let local = campus::local(ctx, &campus).await?;
    let mut found = FoundIncident {
        row,
        campus,
        local,
        held: RolesHere::default(),
    };
    found.held = ctx
        .require(
            action,
            found.resource(RecordClass::Shared),
            ("incident", id),
        )
        .await?;
    Ok(found)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct IncidentInput {
    /// unknown_visitor, suspicious_person, use_of_force, campus_ban, reported_threat,
    /// evidence_collected, security_issue, maintenance_issue, criminal_offense or other
    #[serde(default)]
    pub kind: String,
    /// law_enforcement, school_conduct, both or neither
    #[serde(default)]
    pub classification: String,
    /// When it happened, campus time: YYYY-MM-DDTHH:MM
    #[serde(default)]
    pub occurred_at: String,
    /// Where on campus.
    #[serde(default)]
    pub location: String,
    /// Who reported it (a role or a name).
    #[serde(default)]
    pub reported_by: String,
    #[serde(default)]
    pub narrative: String,
    /// The people involved: kind (student, staff, visitor, unknown), name, description.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub people: Vec<PersonDraft>,
}

/// A person involved in an incident (named apart from the organisation's people).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = InvolvedPersonView)]
pub struct PersonView {
    pub kind: String,
    pub kind_label: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// A student's identity withheld from law enforcement until a purpose is stated.
    pub withheld: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentSummary {
    pub id: String,
    pub campus_id: String,
    pub kind: String,
    pub kind_label: String,
    pub classification: String,
    pub classification_label: String,
    pub occurred_at: String,
    pub location: String,
    pub provenance: String,
}

fn summary(r: &ListedIncident, local: &Local) -> IncidentSummary {
    IncidentSummary {
        id: r.id.clone(),
        campus_id: r.campus_id.clone(),
        kind_label: IncidentKind::from_code(&r.kind)
            .map(|k| k.label())
            .unwrap_or("Incident")
            .into(),
        kind: r.kind.clone(),
        classification_label: Classification::from_code(&r.classification)
            .map(|c| c.label())
            .unwrap_or("")
            .into(),
        classification: r.classification.clone(),
        occurred_at: local.show(r.occurred_at),
        location: r.location.clone(),
        provenance: r.provenance.clone(),
    }
}

/// Checks an incident's input for a campus, at the campus's clock.
fn parse(
    input: &IncidentInput,
    local: &Local,
    now: triad_domain::Timestamp,
) -> Result<Parsed, Invalid> {
    let mut invalid = Invalid::default();
    let kind = IncidentKind::from_code(&input.kind);
    if kind.is_none() {
        invalid.push("kind", "choose what kind of incident this was");
    }
    let classification = Classification::from_code(&input.classification);
    if classification.is_none() {
        invalid.push(
            "classification",
            "say whose matter it is: law enforcement, school conduct, both or neither",
        );
    }
    let occurred_at = invalid.check(triad_domain::time::parse_local(
        "occurred_at",
        &input.occurred_at,
        local.tz,
    ));
    if occurred_at.is_some_and(|at| at.is_in_the_future(now)) {
        invalid.push(
            "occurred_at",
            "an incident is reported once it has happened: this time is in the future",
        );
    }
    let location = invalid.check(org_rules::parse_name("location", &input.location));
    let reported_by = invalid.check(parse_text("reported_by", &input.reported_by, 200));
    let narrative = invalid.check(parse_text(
        "narrative",
        &input.narrative,
        rules::NARRATIVE_MAX,
    ));
    if matches!(narrative, Some(None)) {
        invalid.push("narrative", "say what happened");
    }
    let people = invalid.check(rules::parse_people(&input.people));
    invalid.into_result()?;
    match (
        kind,
        classification,
        occurred_at,
        location,
        reported_by,
        narrative,
        people,
    ) {
        (
            Some(kind),
            Some(classification),
            Some(occurred_at),
            Some(location),
            Some(reported_by),
            Some(Some(narrative)),
            Some(people),
        ) => Ok(Parsed {
            kind,
            classification,
            occurred_at,
            location,
            reported_by,
            narrative,
            people,
        }),
        _ => Err(Invalid::one("kind", "the incident could not be read")),
    }
}

struct Parsed {
    kind: IncidentKind,
    classification: Classification,
    occurred_at: triad_domain::Timestamp,
    location: String,
    reported_by: Option<String>,
    narrative: String,
    people: Vec<triad_domain::incidents::Involved>,
}

/// Reports an incident on a campus. Used by pages, the API and a confirmed ban match.
pub async fn report(
    ctx: &Ctx,
    campus_id: &str,
    input: IncidentInput,
) -> AppResult<IncidentSummary> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::Change,
        "campus_incidents",
    )
    .await?;
    // Everything the write and the answer need is worked out before the write takes the
    // writer, and its rows go with the release: the commit is the last step that may fail.
    let local = campus::local(ctx, &campus).await?;
    let report = Report::of(ctx, &campus, &local, &input).await?;
    let mut change = ctx.prepared_change();
    change.audit(report.event);
    change.write(store::insert_statement(&report.row));
    for person in store::people_statements(report.id, &report.people) {
        change.write(person);
    }
    change.commit().await?;
    Ok(summary(&report.row.listed(), &local))
}

/// Writes an incident and its audit entry inside a caller's transaction.
pub async fn report_in(
    ctx: &Ctx,
    tx: &mut Change,
    campus: &Campus,
    input: &IncidentInput,
) -> AppResult<IncidentRow> {
    let local = campus::local(ctx, campus).await?;
    let report = Report::of(ctx, campus, &local, input).await?;
    store::insert(&mut *tx, &report.row).await?;
    store::insert_people(&mut *tx, report.id, &report.people).await?;
    tx.audit(report.event);
    Ok(report.row)
}

/// An incident as it is to be written: its row, the people involved, its audit entry.
struct Report {
    id: Id,
    row: IncidentRow,
    people: Vec<triad_domain::incidents::Involved>,
    event: triad_domain::audit::AuditEvent,
}

impl Report {
    async fn of(
        ctx: &Ctx,
        campus: &Campus,
        local: &Local,
        input: &IncidentInput,
    ) -> AppResult<Self> {
        let p = parse(input, local, ctx.now)?;
        let agency = campus::serving_agency(ctx, campus).await?;
        let id = Id::new();
        let row = IncidentRow {
            id: id.to_string(),
            district_id: campus.district_id.clone(),
            campus_id: campus.id.clone(),
            agency_id: agency.map(|a| a.to_string()),
            kind: p.kind.code().into(),
            classification: p.classification.code().into(),
            occurred_at: p.occurred_at.millis(),
            location: p.location,
            reported_by: p.reported_by,
            narrative: p.narrative,
            // An officer's records are the law-enforcement unit's only where they are its
            // officer.
            provenance: Provenance::of_writer(
                &ctx.actor
                    .roles_for(&campus::tenant(campus, agency), RecordClass::Shared),
            )
            .code()
            .into(),
            school_year: local.school_year(p.occurred_at),
            created_by: ctx.actor.user.to_string(),
            created_at: ctx.now.millis(),
            updated_at: ctx.now.millis(),
        };
        let event = ctx
            .event("incident.create", Outcome::Ok)
            .record("incident", &row.id)
            .content(&(&row, &p.people))
            .tenant(Some(campus.district()), agency);
        Ok(Self {
            id,
            row,
            people: p.people,
            event,
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusIncidents {
    pub campus_id: String,
    pub campus: String,
    pub incidents: Vec<IncidentSummary>,
}

/// A page of a campus's incidents, newest first.
pub async fn campus_incidents(
    ctx: &Ctx,
    campus_id: &str,
    page: Page,
) -> AppResult<CampusIncidents> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::View,
        "campus_incidents",
    )
    .await?;
    let local = campus::local(ctx, &campus).await?;
    let rows = store::of_campus(
        &mut ctx.app.db.acquire_for_list().await?,
        campus.campus_id(),
        page,
    )
    .await?;
    campus::check_cursor(ctx, "incidents", &campus, page, rows.len()).await?;
    Ok(CampusIncidents {
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        incidents: rows.iter().map(|r| summary(r, &local)).collect(),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeDetailView {
    pub id: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    /// Only for the law-enforcement side; the school side sees that the detail exists.
    pub content: Option<String>,
}

/// A follow-up task of an incident (named apart from a campus event's follow-ups).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = IncidentFollowUpView)]
pub struct FollowUpView {
    pub id: String,
    pub title: String,
    pub assignee: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
}

/// One incident as its own capability shows it; its evidence and bans are added where the
/// incident's whole file is shown (`incident_file`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentRecord {
    pub incident: IncidentSummary,
    pub campus: String,
    pub reported_by: Option<String>,
    pub narrative: String,
    pub people: Vec<PersonView>,
    /// Students' identities are withheld until a purpose is stated (law enforcement reading a
    /// school record).
    pub purpose_needed: bool,
    pub follow_ups: Vec<FollowUpView>,
    pub le_details: Vec<LeDetailView>,
    /// The actor reads law-enforcement content and may add details.
    pub law_enforcement_view: bool,
    /// Both a school and a criminal investigation run on this incident.
    pub simultaneous_investigations: bool,
}

/// Whether the actor reads the law-enforcement side of an incident.
fn reads_law_enforcement(ctx: &Ctx, found: &FoundIncident) -> bool {
    found.agency().is_some()
        && decide(
            &ctx.actor,
            Action::View,
            found.resource(RecordClass::LawEnforcement),
        ) == Decision::Allow
}

/// Whether the students of an incident are withheld from the actor until a disclosure: a
/// school record about a student read by law enforcement (FERPA).
async fn needs_disclosure(ctx: &Ctx, found: &FoundIncident) -> AppResult<bool> {
    let people = store::people(&mut ctx.app.db.acquire().await?, found.id()).await?;
    let kinds: Vec<PersonKind> = people
        .iter()
        .filter_map(|p| PersonKind::from_code(&p.kind))
        .collect();
    Ok(triad_domain::incidents::students_withheld(
        reads_law_enforcement(ctx, found),
        Provenance::from_code(&found.row.provenance),
        &kinds,
    ))
}

/// Whether the incident was disclosed to the actor in this session (or with this token).
async fn disclosed_here(ctx: &Ctx, found: &FoundIncident) -> AppResult<bool> {
    Ok(triad_store::disclosures::opened(
        &mut ctx.app.db.acquire().await?,
        &found.row.id,
        ctx.actor.user,
        &ctx.credential.holder_key(),
    )
    .await?)
}

/// One incident. Law enforcement reading a school record about a student sees the student's
/// identity only once they disclosed it to themselves, with a reason ([`disclose_for`]), in
/// this session; each later view is an audited read.
pub async fn incident(ctx: &Ctx, id: &str) -> AppResult<(IncidentRecord, FoundIncident)> {
    let found = find(ctx, id, Action::View).await?;
    let le = reads_law_enforcement(ctx, &found);
    let mut withhold = needs_disclosure(ctx, &found).await?;
    if withhold && disclosed_here(ctx, &found).await? {
        withhold = false;
        let read = ctx
            .event("ferpa.read", Outcome::Ok)
            .record("incident", &found.row.id)
            .tenant(Some(found.campus.district()), found.agency());
        triad_store::audit::record(&ctx.app.db, read, ctx.now).await?;
    }
    let mut conn = ctx.app.db.acquire().await?;
    let people = store::people(&mut conn, found.id()).await?;
    let details = store::le_details(&mut conn, found.id()).await?;
    if le && !details.is_empty() {
        ctx.require(
            Action::View,
            found.resource(RecordClass::LawEnforcement),
            ("incident_le_details", id),
        )
        .await?;
    }
    let follow_ups = store::follow_ups(&mut conn, found.id()).await?;
    drop(conn);
    let classification = Classification::from_code(&found.row.classification);
    let record = IncidentRecord {
        incident: summary(&found.row.listed(), &found.local),
        campus: found.campus.name.clone(),
        reported_by: found.row.reported_by.clone(),
        narrative: found.row.narrative.clone(),
        people: people
            .into_iter()
            .map(|p| person_view(p, withhold))
            .collect(),
        purpose_needed: withhold,
        follow_ups: follow_ups
            .into_iter()
            .map(|f| FollowUpView {
                id: f.id,
                title: f.title,
                assignee: f.assignee_name,
                due_on: f.due_on,
                status: f.status,
            })
            .collect(),
        le_details: details.into_iter().map(|d| le_view(d, le)).collect(),
        law_enforcement_view: le,
        simultaneous_investigations: classification
            .is_some_and(|c| c.runs_simultaneous_investigations()),
    };
    Ok((record, found))
}

fn person_view(p: triad_store::incidents::PersonRow, withhold: bool) -> PersonView {
    let kind = PersonKind::from_code(&p.kind);
    let hidden = withhold && kind == Some(PersonKind::Student);
    PersonView {
        kind_label: kind.map(|k| k.label()).unwrap_or("Person").into(),
        kind: p.kind,
        name: if hidden { None } else { p.name },
        description: if hidden { None } else { p.description },
        withheld: hidden,
    }
}

fn le_view(d: LeDetailRow, le: bool) -> LeDetailView {
    LeDetailView {
        kind_label: LeDetailKind::from_code(&d.kind)
            .map(|k| k.label())
            .unwrap_or("Detail")
            .into(),
        id: d.id,
        kind: d.kind,
        status: d.status,
        content: le.then_some(d.content),
    }
}

/// An officer discloses a school record about a student to themself, with the reason: one
/// disclosure row for the session (or token), after which the incident shows the student's
/// identity to them until it ends. Asking again in the same session records nothing new.
pub async fn disclose_for(ctx: &Ctx, id: &str, purpose: &str) -> AppResult<()> {
    let found = find(ctx, id, Action::View).await?;
    let purpose = DisclosurePurpose::from_code(purpose.trim())
        .ok_or_else(|| Invalid::one("purpose", "choose why you need the student's identity"))?;
    if needs_disclosure(ctx, &found).await? && !disclosed_here(ctx, &found).await? {
        disclose(ctx, &found, purpose).await?;
    }
    Ok(())
}

/// Logs that a school record about a student was shown to law enforcement, and why.
async fn disclose(ctx: &Ctx, found: &FoundIncident, purpose: DisclosurePurpose) -> AppResult<()> {
    let row = triad_store::disclosures::DisclosureRow {
        id: Id::new().to_string(),
        district_id: found.campus.district_id.clone(),
        campus_id: found.campus.id.clone(),
        record_type: "incident".into(),
        record_id: found.row.id.clone(),
        disclosed_to: ctx.actor.user.to_string(),
        disclosed_to_name: None,
        purpose: purpose.code().into(),
        at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    triad_store::disclosures::insert(&mut tx, &row, &ctx.credential.holder_key()).await?;
    let event = ctx
        .event("ferpa.disclosure", Outcome::Ok)
        .record("incident", &found.row.id)
        .content(&row)
        .tenant(Some(found.campus.district()), found.agency());
    tx.audit(event);
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FollowUpInput {
    #[serde(default)]
    pub title: String,
    /// The assignee's user name.
    #[serde(default)]
    pub assignee: String,
    /// YYYY-MM-DD, optional.
    #[serde(default)]
    pub due_on: String,
}

/// Who a follow-up of an incident may be given to: the people who work on its campus's
/// incidents and may take this kind of matter (a school-conduct matter goes to no officer).
pub async fn assignee_choices(ctx: &Ctx, id: &str) -> AppResult<Vec<PersonChoice>> {
    let found = find(ctx, id, Action::View).await?;
    let resource = found.resource(RecordClass::Shared);
    let classification =
        Classification::from_code(&found.row.classification).unwrap_or(Classification::Neither);
    ctx.choices(resource, Action::View, |p| {
        let held = p.actor.roles_for(&resource.tenant, RecordClass::Shared);
        rules::check_follow_up_assignee(classification, &held).is_ok()
    })
    .await
}

/// Adds a follow-up. A school-conduct matter cannot be handed to an officer.
pub async fn add_follow_up(ctx: &Ctx, id: &str, input: FollowUpInput) -> AppResult<FollowUpView> {
    let found = find(ctx, id, Action::Change).await?;
    let mut invalid = Invalid::default();
    let title = invalid.check(org_rules::parse_name("title", &input.title));
    let due = invalid.check(org_rules::parse_optional_date("due_on", &input.due_on));
    // The assignee counts by the roles they hold for this incident, and must be able to
    // open it; anyone else reads like a name that does not exist.
    let resource = found.resource(RecordClass::Shared);
    let assignee = ctx.named(&input.assignee, resource, Action::View).await?;
    let assignee_here = assignee
        .as_ref()
        .map(|n| n.actor.roles_for(&resource.tenant, RecordClass::Shared));
    match &assignee_here {
        None => invalid.push(
            "assignee",
            "name someone who works on this campus's incidents, by their user name",
        ),
        Some(held) => {
            let classification = Classification::from_code(&found.row.classification)
                .unwrap_or(Classification::Neither);
            invalid.check(rules::check_follow_up_assignee(classification, held));
        }
    }
    invalid.into_result()?;
    let (Some(title), Some(due), Some(assignee)) = (title, due, assignee) else {
        return Err(AppError::NotFound);
    };
    let new = store::NewFollowUp {
        id: Id::new(),
        incident: found.id(),
        title: &title,
        assignee: assignee.user.user_id(),
        due_on: due.map(|d| d.to_string()),
        by: ctx.actor.user,
        at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert_follow_up(&mut tx, &new).await?;
    let event = ctx
        .event("incident.follow_up.create", Outcome::Ok)
        .record("incident", &found.row.id)
        .content(&title)
        .tenant(Some(found.campus.district()), found.agency());
    tx.audit(event);
    tx.commit().await?;
    Ok(FollowUpView {
        id: new.id.to_string(),
        title: title.clone(),
        assignee: Some(assignee.user.display_name),
        due_on: new.due_on,
        status: "open".into(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LeDetailInput {
    /// investigation_notes, arrest or use_of_force_report
    #[serde(default)]
    pub kind: String,
    /// open or closed
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub content: String,
}

/// Adds a law-enforcement detail: the agency's sworn side only.
pub async fn add_le_detail(ctx: &Ctx, id: &str, input: LeDetailInput) -> AppResult<LeDetailView> {
    let found = find(ctx, id, Action::View).await?;
    let Some(agency) = found.agency() else {
        return Err(ctx
            .deny("no agency serves this campus", ("incident", id))
            .await);
    };
    ctx.require(
        Action::Change,
        found.resource(RecordClass::LawEnforcement),
        ("incident_le_details", id),
    )
    .await?;
    let mut invalid = Invalid::default();
    let kind = LeDetailKind::from_code(&input.kind);
    if kind.is_none() {
        invalid.push(
            "kind",
            "choose investigation notes, an arrest or a use-of-force report",
        );
    }
    let status = LeDetailStatus::from_code(&input.status).unwrap_or(LeDetailStatus::Open);
    let content = invalid.check(parse_text("content", &input.content, rules::NARRATIVE_MAX));
    if matches!(content, Some(None)) {
        invalid.push("content", "write the detail");
    }
    invalid.into_result()?;
    let (Some(kind), Some(Some(content))) = (kind, content) else {
        return Err(AppError::NotFound);
    };
    let row = LeDetailRow {
        id: Id::new().to_string(),
        incident_id: found.row.id.clone(),
        agency_id: agency.to_string(),
        kind: kind.code().into(),
        status: status.code().into(),
        content,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
        updated_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert_le_detail(&mut tx, &row).await?;
    let event = ctx
        .event("incident.le_detail.create", Outcome::Ok)
        .record("incident_le_detail", &row.id)
        .content(&row)
        .tenant(Some(found.campus.district()), Some(agency));
    tx.audit(event);
    tx.commit().await?;
    Ok(le_view(row, true))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisclosureView {
    pub id: String,
    pub record_type: String,
    pub record_id: String,
    pub disclosed_to: String,
    pub purpose: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusDisclosures {
    pub campus_id: String,
    pub campus: String,
    pub disclosures: Vec<DisclosureView>,
}

/// The FERPA disclosure log of a campus: for its administrators and the district leader.
pub async fn disclosures(ctx: &Ctx, campus_id: &str, page: Page) -> AppResult<CampusDisclosures> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::School,
        Action::View,
        "campus_disclosures",
    )
    .await?;
    let local = campus::local(ctx, &campus).await?;
    let rows = triad_store::disclosures::of_campus(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        page,
    )
    .await?;
    Ok(CampusDisclosures {
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        disclosures: rows
            .into_iter()
            .map(|d| DisclosureView {
                id: d.id,
                purpose: DisclosurePurpose::from_code(&d.purpose)
                    .map(|p| p.label())
                    .unwrap_or("")
                    .into(),
                record_type: d.record_type,
                record_id: d.record_id,
                disclosed_to: d.disclosed_to_name.unwrap_or(d.disclosed_to),
                at: local.show(d.at),
            })
            .collect(),
    })
}
