//! Logging and correcting activities, once for pages and API.

pub mod import;
pub mod jobs;
pub mod report;

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use triad_domain::activity::{self as rules, Draft, Entry};
use triad_domain::audit::Outcome;
use triad_domain::auth::{Role, Scope};
use triad_domain::org::{self as org_rules, YearStart};
use triad_domain::policy::{Action, KeptBy, OnlyBy, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::activity::{self as store, ActivityRow, LessonPlanRow};

/// A campus the officer may log activity on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusChoice {
    pub id: String,
    pub name: String,
    pub district_id: String,
    pub agency_id: Option<String>,
}

/// Who is logging: an SRO on the campuses they are assigned to by an agency they are an SRO
/// of, and an SSO on the campuses they are the SSO of. One person may be both, on different
/// campuses: what they log as is decided per campus, by the roles they hold there.
pub struct Officer {
    pub campuses: Vec<CampusChoice>,
}

/// The actor as an officer. Anyone else is refused by the policy (and the refusal audited).
pub async fn officer(ctx: &Ctx) -> AppResult<Officer> {
    let mut campuses: Vec<CampusChoice> = Vec::new();
    let mut conn = ctx.app.db.acquire().await?;
    for a in ctx.actor.sro_assignments() {
        if let Some(c) = ctx.campus(&mut conn, a.campus).await? {
            campuses.push(CampusChoice {
                id: c.id,
                name: c.name,
                district_id: c.district_id,
                agency_id: Some(a.agency.to_string()),
            });
        }
    }
    for g in &ctx.actor.grants {
        if let (Role::Sso, Scope::Campus { campus, .. }) = (g.role, g.scope) {
            let id = campus.to_string();
            if campuses.iter().any(|c| c.id == id) {
                continue;
            }
            if let Some(c) = ctx.campus(&mut conn, campus).await? {
                campuses.push(CampusChoice {
                    id: c.id,
                    name: c.name,
                    district_id: c.district_id,
                    agency_id: None,
                });
            }
        }
    }
    drop(conn);
    let tenant = campuses.first().map(tenant_of).unwrap_or(Tenant::INSTANCE);
    // With no campus to log on, this asks about the instance and is refused (and audited).
    ctx.require(
        Action::Change,
        Resource::new(RecordClass::Shared, tenant),
        ("activity", "new"),
    )
    .await?;
    if campuses.is_empty() {
        return Err(AppError::Forbidden(
            "the activity log is kept by SROs and SSOs on their campuses".into(),
        ));
    }
    Ok(Officer { campuses })
}

/// What the actor logs as on one of their campuses: SRO where they are its SRO, SSO where
/// they are its SSO (asked of the policy for that campus, audited if refused).
async fn role_on(ctx: &Ctx, campus: &CampusChoice) -> AppResult<Role> {
    let held = ctx
        .require(
            Action::Change,
            Resource::new(RecordClass::Shared, tenant_of(campus)).kept_by(KeptBy::ActivityLog),
            ("activity", "new"),
        )
        .await?;
    // The policy allowed the log's keepers only.
    Ok(if held.has(Role::Sro) {
        Role::Sro
    } else {
        Role::Sso
    })
}

fn tenant_of(c: &CampusChoice) -> Tenant {
    Tenant {
        agency: c.agency_id.as_deref().and_then(Id::parse),
        district: Id::parse(&c.district_id),
        campus: Id::parse(&c.id),
    }
}

fn resource_of(row: &ActivityRow) -> Resource {
    let tenant = Tenant {
        agency: row.agency_id.as_deref().and_then(Id::parse),
        district: Id::parse(&row.district_id),
        campus: Id::parse(&row.campus_id),
    };
    Resource::new(row.class(), tenant)
}

/// An activity as sent by the form or the API. Empty fields take their defaults.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActivityInput {
    #[serde(default)]
    pub campus_id: String,
    /// One of the category codes (counseling_student, patrol, search, …).
    #[serde(default)]
    pub category: String,
    /// The form's "something else" list; wins over `category` when filled.
    #[serde(default)]
    pub category_other: String,
    /// Local time on the campus, YYYY-MM-DDTHH:MM; empty means now.
    #[serde(default)]
    pub started_at: String,
    /// Minutes, or `other` with the minutes in `minutes_other` (a form's duration buttons).
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub minutes_other: String,
    #[serde(default)]
    pub students: String,
    #[serde(default)]
    pub parents: String,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub case_ref: String,
    /// probable_cause, warrant, consent or exigent (searches by sworn officers).
    #[serde(default)]
    pub search_basis: String,
    /// The initiating administrator's user id (an SSO's search assistance).
    #[serde(default)]
    pub initiated_by: String,
    /// A classroom presentation's topic.
    #[serde(default)]
    pub topic: String,
    /// A classroom presentation's class (period, course, teacher).
    #[serde(default)]
    pub class_name: String,
    /// A link (https://…) to the presentation's lesson plan.
    #[serde(default)]
    pub lesson_plan: String,
    /// Relationship building or counseling with staff: faculty, custodial, food_service,
    /// bus_drivers, office or other.
    #[serde(default)]
    pub staff_group: String,
}

/// The campus's administrators by name: discipline goes to them; an SSO's search assistance
/// names one of them.
async fn administrators(ctx: &Ctx, campus: &str) -> AppResult<Vec<(String, String)>> {
    Ok(triad_store::auth::holders_of(
        &mut ctx.app.db.acquire().await?,
        Role::CampusAdmin,
        &format!("campus:{campus}"),
    )
    .await?)
}

/// Checks and places an activity: the campus must be one of the officer's, the instant is
/// read in the district's time zone, and the buckets are computed for reports.
async fn build(
    ctx: &Ctx,
    officer: &Officer,
    input: &ActivityInput,
    id: Id,
    created_at: Timestamp,
) -> AppResult<ActivityRow> {
    let campus = officer
        .campuses
        .iter()
        .find(|c| c.id == input.campus_id.trim())
        .ok_or_else(|| {
            Invalid::one(
                "campus_id",
                "choose one of the campuses you are assigned to",
            )
        })?;
    let district_id = Id::parse(&campus.district_id).ok_or(AppError::NotFound)?;
    let district = ctx
        .district(&mut ctx.app.db.acquire().await?, district_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = org_rules::parse_time_zone(&district.time_zone).unwrap_or(chrono_tz::UTC);
    let code = if input.category_other.trim().is_empty() {
        input.category.trim()
    } else {
        input.category_other.trim()
    };
    if rules::DISCIPLINE.iter().any(|(c, _)| *c == code) {
        let admins = administrators(ctx, &campus.id).await?;
        return Err(rules::discipline_refusal(admins.first().map(|a| a.1.as_str())).into());
    }
    let started_at = if input.started_at.trim().is_empty() {
        None
    } else {
        Some(triad_domain::time::parse_local(
            "started_at",
            &input.started_at,
            tz,
        )?)
    };
    let draft = Draft {
        category: code.to_string(),
        started_at,
        minutes: if input.minutes.trim() == "other" {
            input.minutes_other.clone()
        } else {
            input.minutes.clone()
        },
        students: input.students.clone(),
        parents: input.parents.clone(),
        staff: input.staff.clone(),
        notes: input.notes.clone(),
        case_ref: input.case_ref.clone(),
        search_basis: input.search_basis.clone(),
        initiated_by: input.initiated_by.clone(),
        topic: input.topic.clone(),
        class_name: input.class_name.clone(),
        lesson_plan: input.lesson_plan.clone(),
        staff_group: input.staff_group.clone(),
    };
    let role = role_on(ctx, campus).await?;
    let entry = Entry::parse(&draft, role, ctx.actor.sworn, ctx.now)?;
    if let Some(admin) = entry.initiated_by {
        let admins = administrators(ctx, &campus.id).await?;
        if !admins.iter().any(|(id, _)| *id == admin.to_string()) {
            return Err(
                Invalid::one("initiated_by", "name an administrator of this campus").into(),
            );
        }
    }
    let start = YearStart::parse(&district.year_start).unwrap_or(YearStart::AUGUST_FIRST);
    let filing = store::Filing {
        author: ctx.actor.user,
        role,
        agency: campus.agency_id.as_deref(),
        district: &campus.district_id,
        campus: &campus.id,
    };
    let buckets = rules::Buckets::of(entry.started_at, tz, start);
    Ok(ActivityRow::new(
        id, &filing, &entry, buckets, created_at, ctx.now,
    ))
}

/// Logs an activity; returns the stored entry.
pub async fn log(ctx: &Ctx, input: ActivityInput) -> AppResult<ActivityRow> {
    let officer = officer(ctx).await?;
    let row = build(ctx, &officer, &input, Id::new(), ctx.now).await?;
    ctx.require(Action::Change, resource_of(&row), ("activity", &row.id))
        .await?;
    let event = ctx
        .event("activity.create", Outcome::Ok)
        .record("activity", &row.id)
        .content(&row)
        .tenant(
            Id::parse(&row.district_id),
            row.agency_id.as_deref().and_then(Id::parse),
        );
    // Nothing is read back: the entry goes with the other writes of the moment.
    let mut change = ctx.prepared_change();
    change.audit(event);
    change.write(store::insert_new_statement(&row));
    change.commit().await?;
    Ok(row)
}

/// An entry, for anyone the policy lets read it (reads of law-enforcement entries are
/// audited by the policy gate).
pub async fn entry(ctx: &Ctx, id: &str) -> AppResult<ActivityRow> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let row = store::get(&mut ctx.app.db.acquire().await?, id).await?;
    let resource = row.as_ref().map(resource_of).unwrap_or(Resource::new(
        RecordClass::Shared,
        Tenant::campus(Id::from_parts("none", 0), id),
    ));
    ctx.require(Action::View, resource, ("activity", &id.to_string()))
        .await?;
    row.ok_or(AppError::NotFound)
}

/// The correction window, in hours (the instance setting, 72 by default).
pub async fn correction_hours(ctx: &Ctx) -> AppResult<i64> {
    let mut conn = ctx.app.db.acquire().await?;
    Ok(triad_store::settings::get_i64(
        &mut conn,
        "activity.correction_hours",
        rules::DEFAULT_CORRECTION_HOURS,
    )
    .await?)
}

/// The instance setting for how long an entry just logged may be undone.
pub const UNDO_SETTING: &str = "activity.undo_minutes";

/// How many minutes after logging an entry its author may undo it (the setting, 10 by
/// default, never past the correction window).
pub async fn undo_minutes(ctx: &Ctx) -> AppResult<i64> {
    let hours = correction_hours(ctx).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let setting =
        triad_store::settings::get_i64(&mut conn, UNDO_SETTING, rules::DEFAULT_UNDO_MINUTES)
            .await?;
    Ok(rules::undo_minutes(setting, hours))
}

/// An entry its author may act on: the author only (checked by the policy), not undone.
async fn authors_entry(ctx: &Ctx, id: &str) -> AppResult<ActivityRow> {
    let before = entry(ctx, id).await?;
    let author = OnlyBy::Author(OnlyBy::stored(&before.author_id));
    ctx.require(
        Action::Change,
        resource_of(&before).changed_only_by(author),
        ("activity", &before.id),
    )
    .await?;
    if before.voided_at.is_some() {
        return Err(AppError::Conflict(
            "this entry was undone; log a new one if it did happen".into(),
        ));
    }
    Ok(before)
}

/// An entry its author may still change: the author only, within the correction window.
async fn changeable(ctx: &Ctx, id: &str) -> AppResult<ActivityRow> {
    let before = authors_entry(ctx, id).await?;
    let hours = correction_hours(ctx).await?;
    if !rules::may_correct(Timestamp::from_millis(before.created_at), ctx.now, hours) {
        return Err(AppError::Conflict(format!("entries can be corrected for {hours} hours; this one is older. Log a new entry that says what changed")));
    }
    Ok(before)
}

/// A classroom presentation its author may attach a lesson-plan file to (checked before the
/// file is read).
pub async fn lesson_plan_target(ctx: &Ctx, id: &str) -> AppResult<ActivityRow> {
    let row = changeable(ctx, id).await?;
    let presentation =
        rules::Category::from_code(&row.category).is_some_and(|c| c.has_presentation());
    if !presentation {
        return Err(Invalid::one(
            "lesson_plan_file",
            "only a classroom presentation has a lesson plan",
        )
        .into());
    }
    Ok(row)
}

/// Keeps a lesson-plan file with a classroom presentation (`lesson_plan_target` first). Every
/// file sent is kept; the newest is the entry's lesson plan.
pub async fn attach_lesson_plan(
    ctx: &Ctx,
    row: &ActivityRow,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<LessonPlanRow> {
    let kind = rules::LessonPlanKind::of(file_name, bytes)?;
    let file_name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    let files = &ctx.app.instance.files;
    let file_key = files
        .put("lesson-plans", kind.extension, bytes.to_vec())
        .await?;
    let plan = LessonPlanRow {
        id: Id::new().to_string(),
        activity_id: row.id.clone(),
        file_key,
        file_name,
        media_type: kind.media_type.to_string(),
        size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(bytes)),
        uploaded_by: ctx.actor.user.to_string(),
        uploaded_at: ctx.now.millis(),
    };
    let stored = store_lesson_plan(ctx, row, &plan).await;
    if stored.is_err() {
        files.discard(std::slice::from_ref(&plan.file_key)).await;
    }
    stored.map(|()| plan)
}

async fn store_lesson_plan(ctx: &Ctx, row: &ActivityRow, plan: &LessonPlanRow) -> AppResult<()> {
    let mut tx = ctx.change().await?;
    store::insert_lesson_plan(&mut tx, plan).await?;
    let event = ctx
        .event("activity.lesson_plan", Outcome::Ok)
        .record("activity", &row.id)
        .content(plan)
        .tenant(
            Id::parse(&row.district_id),
            row.agency_id.as_deref().and_then(Id::parse),
        );
    tx.audit(event);
    tx.commit().await?;
    Ok(())
}

/// An entry's lesson-plan file and its bytes, for anyone who may read the entry.
pub async fn lesson_plan(ctx: &Ctx, id: &str) -> AppResult<(LessonPlanRow, Vec<u8>)> {
    let row = entry(ctx, id).await?;
    let plan = lesson_plan_of(ctx, &row).await?.ok_or(AppError::NotFound)?;
    let bytes = ctx.app.instance.files.get(&plan.file_key).await?;
    Ok((plan, bytes))
}

/// An entry's lesson-plan file, if it has one (without its bytes).
pub async fn lesson_plan_of(ctx: &Ctx, row: &ActivityRow) -> AppResult<Option<LessonPlanRow>> {
    Ok(store::lesson_plan(&mut ctx.app.db.acquire().await?, &row.id).await?)
}

/// Corrects an entry: its author only, within the window; the earlier version is kept.
pub async fn correct(ctx: &Ctx, id: &str, input: ActivityInput) -> AppResult<ActivityRow> {
    let before = changeable(ctx, id).await?;
    let officer = officer(ctx).await?;
    let id = Id::parse(&before.id).ok_or(AppError::NotFound)?;
    let corrected = build(
        ctx,
        &officer,
        &input,
        id,
        Timestamp::from_millis(before.created_at),
    )
    .await?;
    let mut tx = ctx.change().await?;
    let after = store::correct(&mut tx, &corrected, ctx.actor.user, ctx.now).await?;
    let event = ctx
        .event("activity.correct", Outcome::Ok)
        .record("activity", &after.id)
        .content(&after)
        .tenant(
            Id::parse(&after.district_id),
            after.agency_id.as_deref().and_then(Id::parse),
        );
    tx.audit(event);
    tx.commit().await?;
    Ok(after)
}

/// Undoes an entry its author logged moments ago (a stray tap): the entry is kept, marked
/// undone, and counted in no report. Only within the undo minutes; a second undo changes
/// nothing and says so.
pub async fn undo(ctx: &Ctx, id: &str) -> AppResult<ActivityRow> {
    let before = authors_entry(ctx, id).await?;
    let minutes = undo_minutes(ctx).await?;
    if !rules::may_undo(Timestamp::from_millis(before.created_at), ctx.now, minutes) {
        return Err(AppError::Conflict(format!(
            "an entry can be undone for {minutes} minutes after it is logged; this one is older. Open it to correct it"
        )));
    }
    let id = Id::parse(&before.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    if !store::void(&mut tx, id, ctx.actor.user, ctx.now).await? {
        return Err(AppError::Conflict(
            "this entry was undone; log a new one if it did happen".into(),
        ));
    }
    let after = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let event = ctx
        .event("activity.undo", Outcome::Ok)
        .record("activity", &after.id)
        .content(&after)
        .tenant(
            Id::parse(&after.district_id),
            after.agency_id.as_deref().and_then(Id::parse),
        );
    tx.audit(event);
    tx.commit().await?;
    Ok(after)
}

/// When each entry began, in its district's time and naming the zone (an officer may serve
/// campuses of two districts).
pub async fn started_times(ctx: &Ctx, rows: &[ActivityRow]) -> AppResult<Vec<String>> {
    let mut clocks: Vec<(String, crate::campus::Local)> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let local = match clocks.iter().find(|(d, _)| d == &row.district_id) {
            Some((_, l)) => *l,
            None => {
                let l = crate::campus::district_clock(ctx, &row.district_id).await?;
                clocks.push((row.district_id.clone(), l));
                l
            }
        };
        out.push(local.show_zoned(row.started_at));
    }
    Ok(out)
}

/// The officer's own latest entries.
pub async fn mine(ctx: &Ctx, page: triad_store::paging::Page) -> AppResult<Vec<ActivityRow>> {
    officer(ctx).await?;
    Ok(store::recent_by_author(&mut ctx.app.db.acquire().await?, ctx.actor.user, page).await?)
}

/// What the quick entry offers a person: tiles from what they logged in the last 30 days
/// (or their role's usual work), every other category their role may log, and for an SSO
/// each campus's administrators, who initiate the searches SSOs assist.
pub struct QuickChoices {
    pub role: Role,
    pub tiles: Vec<rules::Category>,
    pub others: Vec<rules::Category>,
    /// (campus id, user id, name).
    pub administrators: Vec<(String, String, String)>,
}

pub async fn quick_choices(ctx: &Ctx, officer: &Officer) -> AppResult<QuickChoices> {
    let role = if ctx.actor.has_role(Role::Sro) {
        Role::Sro
    } else {
        Role::Sso
    };
    let since = ctx.now.millis() - 30 * 86_400_000;
    let recent: Vec<rules::Category> =
        store::recent_categories(&mut ctx.app.db.acquire().await?, ctx.actor.user, since, 500)
            .await?
            .iter()
            .filter_map(|code| rules::Category::from_code(code))
            .collect();
    let tiles = rules::quick_tiles(role, &recent);
    let others = rules::Category::ALL
        .iter()
        .copied()
        .filter(|c| c.allowed_for(role) && !tiles.contains(c))
        .collect();
    let mut administrators = Vec::new();
    if role == Role::Sso {
        for c in &officer.campuses {
            for (id, name) in self::administrators(ctx, &c.id).await? {
                administrators.push((c.id.clone(), id, name));
            }
        }
    }
    Ok(QuickChoices {
        role,
        tiles,
        others,
        administrators,
    })
}

/// The campus an officer's quick entry starts on: that of their latest entry, if they still
/// serve it, else their first.
pub async fn usual_campus(ctx: &Ctx, officer: &Officer) -> AppResult<String> {
    let usual = store::usual_campus(&mut ctx.app.db.acquire().await?, ctx.actor.user).await?;
    Ok(usual
        .filter(|c| officer.campuses.iter().any(|o| &o.id == c))
        .or_else(|| officer.campuses.first().map(|c| c.id.clone()))
        .unwrap_or_default())
}

/// The start of an entry in its campus's time zone, as a datetime-local field wants it.
pub async fn local_start(ctx: &Ctx, row: &ActivityRow) -> AppResult<String> {
    let district = match triad_domain::Id::parse(&row.district_id) {
        Some(d) => ctx.district(&mut ctx.app.db.acquire().await?, d).await?,
        None => None,
    };
    let tz = district
        .and_then(|d| triad_domain::org::parse_time_zone(&d.time_zone).ok())
        .unwrap_or(chrono_tz::UTC);
    Ok(Timestamp::from_millis(row.started_at)
        .to_datetime()
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M")
        .to_string())
}
