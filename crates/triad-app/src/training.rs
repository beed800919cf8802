//! Training records: each officer's courses with their certificates, the agency's
//! requirements (basic SRO hours, yearly in-service hours, the year they count over), who is
//! short, and the counts a district leader or an evaluator sees. A person reads and adds their
//! own; their agency's supervisors read and add everyone's.

use crate::campus::agency_local;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
pub use crate::show::Choice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use triad_domain::audit::Outcome;
use triad_domain::policy::{decide, Action, Decision, RecordClass, Resource, Tenant};
use triad_domain::training::{
    self as rules, Counts, CourseFields, Requirements, Standing, Taken, TrainingYear,
};
use triad_domain::Id;
use triad_store::org::Person;
use triad_store::training::{self as store, TrainingRow};

/// The largest certificate kept, in bytes.
pub const MAX_CERTIFICATE_BYTES: usize = 10 * 1024 * 1024;

/// The record the policy weighs for a person's training: the agency's, and the actor's own
/// when it is about them.
pub(crate) fn record_of(ctx: &Ctx, agency: Id, person: Id) -> Resource {
    let record = rules::record(agency);
    if ctx.actor.person == Some(person) {
        record.owned_by(ctx.actor.user)
    } else {
        record
    }
}

/// A person of an agency whose training the actor may `action`, with the agency.
pub(crate) async fn person_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<(Person, Id)> {
    let found = match Id::parse(id) {
        Some(pid) => triad_store::org::person(&mut ctx.app.db.acquire().await?, pid).await?,
        None => None,
    };
    let Some(person) = found else {
        return Err(AppError::NotFound);
    };
    let (Some(pid), Some(agency)) = (
        Id::parse(&person.id),
        person.agency_id.as_deref().and_then(Id::parse),
    ) else {
        // Training is kept for an agency's people; nobody else's is here.
        return Err(AppError::NotFound);
    };
    ctx.require(action, record_of(ctx, agency, pid), ("person", &person.id))
        .await?;
    Ok((person, agency))
}

pub(crate) async fn requirements(ctx: &Ctx, agency: Id) -> AppResult<Requirements> {
    let mut conn = ctx.app.db.acquire().await?;
    let [basic, yearly, year] = store::requirement_keys(agency);
    let d = Requirements::default();
    Ok(Requirements {
        basic_tenths: triad_store::settings::get_i64(&mut conn, &basic, d.basic_tenths).await?,
        yearly_tenths: triad_store::settings::get_i64(&mut conn, &yearly, d.yearly_tenths).await?,
        year: triad_store::settings::get(&mut conn, &year)
            .await?
            .as_deref()
            .and_then(TrainingYear::from_code)
            .unwrap_or(d.year),
    })
}

/// Today on the agency's clock (its first district's; UTC for an agency serving none).
async fn agency_today(ctx: &Ctx, agency: Id) -> AppResult<chrono::NaiveDate> {
    let local = agency_local(&mut ctx.app.db.acquire().await?, agency).await?;
    Ok(match local {
        Some(l) => l.date(ctx.now),
        None => ctx.now.to_datetime().date_naive(),
    })
}

/// The courses that count: every record not voided.
pub(crate) fn taken(rows: &[TrainingRow]) -> Vec<Taken> {
    rows.iter()
        .filter(|r| r.voided_at.is_none())
        .filter_map(|r| {
            Some(Taken {
                counts: Counts::from_code(&r.counts)?,
                tenths: r.tenths,
                completed_on: chrono::NaiveDate::parse_from_str(&r.completed_on, "%Y-%m-%d")
                    .ok()?,
                joint: r.joint,
            })
        })
        .collect()
}

/// Whether a person's training is current today, and whether they took a joint training with
/// an administrator in the last twelve months: with no policy check, for the start-of-year
/// checklist, which discloses these two answers and never the hours.
pub(crate) async fn current_and_joint(
    ctx: &Ctx,
    person: Id,
    agency: Id,
) -> AppResult<(bool, bool)> {
    let req = requirements(ctx, agency).await?;
    let today = agency_today(ctx, agency).await?;
    let rows = store::of_person(&mut ctx.app.db.acquire().await?, person).await?;
    let courses = taken(&rows);
    let joint = courses
        .iter()
        .any(|c| c.joint && c.completed_on <= today && (today - c.completed_on).num_days() <= 365);
    Ok((rules::is_current(&courses, &req, today), joint))
}

/// Whether the actor may open a person's training (the person and their agency's supervisors).
pub fn readable(ctx: &Ctx, agency: Id, person: Id) -> bool {
    decide(&ctx.actor, Action::View, record_of(ctx, agency, person)) == Decision::Allow
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequirementsView {
    pub basic_hours: String,
    pub yearly_hours: String,
    /// calendar or school
    pub training_year: String,
    pub training_year_label: String,
}

impl From<Requirements> for RequirementsView {
    fn from(r: Requirements) -> Self {
        Self {
            basic_hours: rules::show_hours(r.basic_tenths),
            yearly_hours: rules::show_hours(r.yearly_tenths),
            training_year: r.year.code().into(),
            training_year_label: r.year.label().into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandingView {
    pub basic_hours: String,
    pub basic_short: String,
    /// The training year counted: "2026" or "2026–27".
    pub year: String,
    pub year_hours: String,
    pub year_short: String,
    pub joint_this_year: usize,
    /// Short of the basic course or of this year's in-service hours.
    pub short: bool,
}

impl From<Standing> for StandingView {
    fn from(s: Standing) -> Self {
        Self {
            basic_hours: rules::show_hours(s.basic_tenths),
            basic_short: rules::show_hours(s.basic_short_tenths),
            year_hours: rules::show_hours(s.year_tenths),
            year_short: rules::show_hours(s.year_short_tenths),
            joint_this_year: s.joint_this_year,
            short: s.is_short(),
            year: s.year_label,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub id: String,
    pub title: String,
    pub provider: String,
    pub counts: String,
    pub counts_label: String,
    pub hours: String,
    pub completed_on: String,
    /// Attended by the SRO and a school administrator together.
    pub joint: bool,
    /// A certificate was uploaded (download it at /training/{id}/certificate).
    pub certificate: bool,
    /// Entered by the officer themself rather than their supervisor.
    pub entered_by_officer: bool,
    /// Voided by the supervisor, with the reason: it no longer counts.
    pub voided: Option<String>,
}

/// One person's training: their standing against the agency's requirements and their courses.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonTraining {
    pub person_id: String,
    pub name: String,
    pub agency_id: String,
    pub requirements: RequirementsView,
    pub standing: StandingView,
    pub records: Vec<RecordView>,
    pub providers: Vec<String>,
    pub kinds: Vec<Choice>,
    pub briefings: BriefingsView,
    /// The actor voids records (the agency's supervisor).
    pub may_void: bool,
}

/// Agency briefings attended in the training year so far (seed 003 item 12).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BriefingsView {
    pub this_year: usize,
    pub weeks: usize,
    pub weeks_with_a_briefing: usize,
    /// The latest days attended, YYYY-MM-DD.
    pub recent: Vec<String>,
}

pub async fn of_person(ctx: &Ctx, id: &str) -> AppResult<PersonTraining> {
    let (person, agency) = person_for(ctx, id, Action::View).await?;
    let pid = Id::parse(&person.id).ok_or(AppError::NotFound)?;
    let req = requirements(ctx, agency).await?;
    let today = agency_today(ctx, agency).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::of_person(&mut conn, pid).await?;
    let days = store::briefings_of(&mut conn, pid).await?;
    drop(conn);
    let standing = rules::standing(&taken(&rows), &req, today);
    let (year_start, _) = rules::year_of(req.year, today);
    let parsed: Vec<chrono::NaiveDate> = days
        .iter()
        .filter_map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect();
    let attended = triad_domain::officer_facts::briefing_attendance(&parsed, year_start, today);
    Ok(PersonTraining {
        may_void: decide(
            &ctx.actor,
            Action::Change,
            record_of(ctx, agency, pid).kept_by(triad_domain::policy::KeptBy::TrainingVoid),
        ) == Decision::Allow,
        briefings: BriefingsView {
            this_year: attended.briefings,
            weeks: attended.weeks,
            weeks_with_a_briefing: attended.weeks_with_a_briefing,
            recent: days.into_iter().take(10).collect(),
        },
        person_id: person.id,
        name: person.display_name,
        agency_id: agency.to_string(),
        requirements: req.into(),
        standing: standing.into(),
        records: rows
            .into_iter()
            .map(|r| RecordView {
                counts_label: Counts::from_code(&r.counts)
                    .map_or(r.counts.as_str(), |c| c.label())
                    .into(),
                hours: rules::show_hours(r.tenths),
                certificate: r.certificate_key.is_some(),
                entered_by_officer: r.self_recorded,
                voided: r
                    .voided_at
                    .map(|_| r.void_reason.clone().unwrap_or_default()),
                id: r.id,
                title: r.title,
                provider: r.provider,
                counts: r.counts,
                completed_on: r.completed_on,
                joint: r.joint,
            })
            .collect(),
        providers: rules::PROVIDERS.iter().map(|p| p.to_string()).collect(),
        kinds: Choice::all::<Counts>(),
    })
}

/// A course as a form or the API sends it; the certificate, if any, comes beside it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CourseInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub provider: String,
    /// basic, in_service or other
    #[serde(default)]
    pub counts: String,
    /// Hours, to a tenth: "8", "7.5".
    #[serde(default)]
    pub hours: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub completed_on: String,
    /// A school administrator attended it with the SRO.
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub joint: bool,
}

/// Records a course for a person, with its certificate (a PDF or an image) kept as uploaded.
pub async fn add(
    ctx: &Ctx,
    person: &str,
    input: &CourseInput,
    certificate: Option<bytes::Bytes>,
) -> AppResult<TrainingRow> {
    let (person, agency) = person_for(ctx, person, Action::Change).await?;
    let today = agency_today(ctx, agency).await?;
    let course = rules::parse_course(
        &CourseFields {
            title: &input.title,
            provider: &input.provider,
            counts: &input.counts,
            hours: &input.hours,
            completed_on: &input.completed_on,
            joint: input.joint,
        },
        today,
    );
    let kind = certificate.as_deref().map(rules::certificate_type);
    let mut invalid = match &course {
        Err(e) => e.clone(),
        Ok(_) => triad_domain::Invalid::default(),
    };
    if kind == Some(None) {
        invalid.push(
            "certificate",
            "must be a PDF or an image (JPEG or PNG); this file is neither",
        );
    }
    if certificate
        .as_ref()
        .is_some_and(|c| c.len() > MAX_CERTIFICATE_BYTES)
    {
        invalid.push("certificate", "must be at most 10 MB");
    }
    invalid.into_result()?;
    let course = course?;
    let mut stored = None;
    if let (Some(bytes), Some(Some((media_type, extension)))) = (certificate, kind) {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        let key = ctx
            .app
            .instance
            .files
            .put("certificates", extension, bytes.to_vec())
            .await?;
        stored = Some((key, sha, media_type));
    }
    let row = TrainingRow {
        id: Id::new().to_string(),
        person_id: person.id.clone(),
        agency_id: agency.to_string(),
        title: course.title,
        provider: course.provider,
        counts: course.counts.code().into(),
        tenths: course.tenths,
        completed_on: course.completed_on.to_string(),
        joint: course.joint,
        certificate_key: stored.as_ref().map(|s| s.0.clone()),
        certificate_sha256: stored.as_ref().map(|s| s.1.clone()),
        certificate_type: stored.as_ref().map(|s| s.2.to_string()),
        recorded_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
        self_recorded: ctx.actor.person == Some(Id::parse(&person.id).ok_or(AppError::NotFound)?),
        voided_at: None,
        void_reason: None,
    };
    let written = async {
        let mut tx = ctx.change().await?;
        store::insert(&mut tx, &row).await?;
        tx.audit(
            ctx.event("training.add", Outcome::Ok)
                .record("training", &row.id)
                .content(&row)
                .tenant(None, Some(agency)),
        );
        tx.commit().await
    }
    .await;
    if let Err(e) = written {
        // The record was not kept: neither is its file.
        if let Some((key, _, _)) = stored {
            ctx.app.instance.files.discard(&[key]).await;
        }
        return Err(e);
    }
    Ok(row)
}

/// A certificate as uploaded, to be served as a download only.
pub struct Certificate {
    pub media_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub async fn certificate(ctx: &Ctx, record: &str) -> AppResult<Certificate> {
    let row = match Id::parse(record) {
        Some(id) => store::record(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    person_for(ctx, &row.person_id, Action::View).await?;
    let (Some(key), Some(media_type)) = (row.certificate_key, row.certificate_type) else {
        return Err(AppError::NotFound);
    };
    let extension = key.rsplit('.').next().unwrap_or("bin").to_string();
    Ok(Certificate {
        bytes: ctx.app.instance.files.get(&key).await?,
        media_type,
        file_name: format!("training-certificate-{}.{extension}", row.completed_on),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficerStanding {
    pub person_id: String,
    pub name: String,
    pub standing: StandingView,
}

/// An agency's roster against its requirements, those short first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyTraining {
    pub agency_id: String,
    pub agency: String,
    pub requirements: RequirementsView,
    pub officers: Vec<OfficerStanding>,
    pub short: usize,
    pub years: Vec<Choice>,
}

pub async fn of_agency(ctx: &Ctx, agency: &str) -> AppResult<AgencyTraining> {
    let id = Id::parse(agency).ok_or(AppError::NotFound)?;
    ctx.require(Action::View, rules::record(id), ("agency", agency))
        .await?;
    let mut conn = ctx.app.db.acquire().await?;
    let name = triad_store::org::agency(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?
        .name;
    let people = triad_store::org::people_of_agency(&mut conn, id).await?;
    let rows = store::of_agency(&mut conn, id).await?;
    drop(conn);
    let req = requirements(ctx, id).await?;
    let today = agency_today(ctx, id).await?;
    let mut by_person: BTreeMap<&str, Vec<TrainingRow>> = BTreeMap::new();
    for r in &rows {
        by_person
            .entry(r.person_id.as_str())
            .or_default()
            .push(r.clone());
    }
    let mut officers: Vec<OfficerStanding> = people
        .iter()
        .filter(|p| p.sworn)
        .map(|p| {
            let mine = by_person.get(p.id.as_str()).map_or(&[][..], Vec::as_slice);
            OfficerStanding {
                person_id: p.id.clone(),
                name: p.display_name.clone(),
                standing: rules::standing(&taken(mine), &req, today).into(),
            }
        })
        .collect();
    officers.sort_by_key(|o| !o.standing.short);
    Ok(AgencyTraining {
        agency_id: id.to_string(),
        agency: name,
        requirements: req.into(),
        short: officers.iter().filter(|o| o.standing.short).count(),
        officers,
        years: Choice::all::<TrainingYear>(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RequirementsInput {
    #[serde(default)]
    pub basic_hours: String,
    #[serde(default)]
    pub yearly_hours: String,
    /// calendar or school
    #[serde(default)]
    pub training_year: String,
}

/// Sets what the agency asks of its SROs (its supervisors).
pub async fn set_requirements(ctx: &Ctx, agency: &str, input: &RequirementsInput) -> AppResult<()> {
    let id = Id::parse(agency).ok_or(AppError::NotFound)?;
    ctx.require(Action::Change, rules::record(id), ("agency", agency))
        .await?;
    let req = rules::parse_requirements(
        &input.basic_hours,
        &input.yearly_hours,
        &input.training_year,
    )?;
    let [basic, yearly, year] = store::requirement_keys(id);
    let mut tx = ctx.change().await?;
    triad_store::settings::set(&mut tx, &basic, &req.basic_tenths.to_string()).await?;
    triad_store::settings::set(&mut tx, &yearly, &req.yearly_tenths.to_string()).await?;
    triad_store::settings::set(&mut tx, &year, req.year.code()).await?;
    tx.audit(
        ctx.event("training.requirements", Outcome::Ok)
            .record("agency", agency)
            .content(&req)
            .tenant(None, Some(id)),
    );
    tx.commit().await?;
    Ok(())
}

/// What a district's leader and evaluators see of training: counts of the officers serving its
/// campuses today, never a name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistrictTraining {
    pub district_id: String,
    pub district: String,
    pub officers: usize,
    pub short_of_basic: usize,
    pub short_of_yearly: usize,
    pub joint_this_year: usize,
}

/// Whether the actor may read a district's training counts (for links).
pub fn counts_readable(ctx: &Ctx, district: Id) -> bool {
    decide(&ctx.actor, Action::View, counts_record(district)) == Decision::Allow
}

fn counts_record(district: Id) -> Resource {
    Resource::new(RecordClass::Aggregate, Tenant::district(district))
}

pub async fn of_district(ctx: &Ctx, district: &str) -> AppResult<DistrictTraining> {
    let id = Id::parse(district).ok_or(AppError::NotFound)?;
    ctx.require(Action::View, counts_record(id), ("district", district))
        .await?;
    let mut conn = ctx.app.db.acquire().await?;
    let name = ctx
        .district(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?
        .name;
    let today_text = crate::context::today(ctx.now);
    let assigned =
        triad_store::org::active_assignments(&mut conn, &today_text, None, Some(id), None, None)
            .await?;
    drop(conn);
    let mut officers: BTreeMap<String, Id> = BTreeMap::new();
    for a in &assigned {
        if let Some(agency) = Id::parse(&a.agency_id) {
            officers.insert(a.person_id.clone(), agency);
        }
    }
    let mut agencies: BTreeMap<Id, (Requirements, chrono::NaiveDate, Vec<TrainingRow>)> =
        BTreeMap::new();
    for agency in officers.values() {
        if agencies.contains_key(agency) {
            continue;
        }
        let rows = store::of_agency(&mut ctx.app.db.acquire().await?, *agency).await?;
        agencies.insert(
            *agency,
            (
                requirements(ctx, *agency).await?,
                agency_today(ctx, *agency).await?,
                rows,
            ),
        );
    }
    let mut counts = DistrictTraining {
        district_id: id.to_string(),
        district: name,
        officers: officers.len(),
        short_of_basic: 0,
        short_of_yearly: 0,
        joint_this_year: 0,
    };
    for (person, agency) in &officers {
        let Some((req, today, rows)) = agencies.get(agency) else {
            continue;
        };
        let mine: Vec<TrainingRow> = rows
            .iter()
            .filter(|r| &r.person_id == person)
            .cloned()
            .collect();
        let s = rules::standing(&taken(&mine), req, *today);
        counts.short_of_basic += usize::from(s.basic_short_tenths > 0);
        counts.short_of_yearly += usize::from(s.year_short_tenths > 0);
        counts.joint_this_year += s.joint_this_year;
    }
    Ok(counts)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BriefingInput {
    /// The day of the briefing, YYYY-MM-DD; empty means today.
    #[serde(default)]
    pub held_on: String,
}

/// Records an agency briefing the person attended (the person or their supervisor). A day
/// already recorded is kept once.
pub async fn record_briefing(ctx: &Ctx, person: &str, input: &BriefingInput) -> AppResult<()> {
    let (person, agency) = person_for(ctx, person, Action::Change).await?;
    let pid = Id::parse(&person.id).ok_or(AppError::NotFound)?;
    let today = agency_today(ctx, agency).await?;
    let day = triad_domain::org::parse_recent_day("held_on", &input.held_on, today)?;
    let mut tx = ctx.change().await?;
    let inserted = store::insert_briefing(
        &mut tx,
        pid,
        agency,
        &day.to_string(),
        ctx.actor.user,
        ctx.now.millis(),
    )
    .await?;
    // A day already recorded: nothing changes, nothing to audit.
    if !inserted {
        return Ok(());
    }
    tx.audit(
        ctx.event("training.briefing", Outcome::Ok)
            .record("person", &person.id)
            .content(&(&person.id, day.to_string()))
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct VoidInput {
    /// Why the record is wrong.
    #[serde(default)]
    pub reason: String,
}

/// Voids a training record that is wrong (the agency's supervisor): it stays, with the reason,
/// and no longer counts.
pub async fn void(ctx: &Ctx, record: &str, input: &VoidInput) -> AppResult<String> {
    let row = match Id::parse(record) {
        Some(id) => store::record(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let (person, agency) = person_for(ctx, &row.person_id, Action::View).await?;
    let pid = Id::parse(&person.id).ok_or(AppError::NotFound)?;
    ctx.require(
        Action::Change,
        record_of(ctx, agency, pid).kept_by(triad_domain::policy::KeptBy::TrainingVoid),
        ("training", &row.id),
    )
    .await?;
    let Some(reason) = triad_domain::text::parse_text("reason", &input.reason, 500)? else {
        return Err(triad_domain::Invalid::one("reason", "say why the record is wrong").into());
    };
    let id = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    if !store::void(&mut tx, id, ctx.actor.user, ctx.now.millis(), &reason).await? {
        return Err(AppError::Conflict("this record is already void".into()));
    }
    tx.audit(
        ctx.event("training.void", Outcome::Ok)
            .record("training", &row.id)
            .content(&(&row.id, &reason))
            .tenant(None, Some(agency)),
    );
    tx.commit().await?;
    Ok(person.id)
}
