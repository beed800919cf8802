//! Recording meetings and action items, and the cadence of a campus: once for pages and API.

use crate::context::{Ctx, PersonChoice};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::meetings::{self as rules, ActionStatus, Cadence, Held, MeetingKind};
use triad_domain::org::{self as org_rules, YearStart};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::meetings::{self as store, ActionItemRow, MeetingRow};
use triad_store::org::Campus;

fn shared(campus: &Campus) -> Resource {
    Resource::new(
        RecordClass::Shared,
        Tenant::campus(campus.district(), campus.campus_id()),
    )
}

/// A campus whose meetings the actor may read or record.
async fn campus_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<Campus> {
    crate::campus::campus_for(ctx, id, RecordClass::Shared, action, "campus_meetings").await
}

/// The school year a day falls in for a campus's district, with its terms and school days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    pub id: String,
    pub campus_id: String,
    pub kind: String,
    pub kind_label: String,
    pub held_on: String,
    pub sro_present: bool,
    pub attendees: Option<String>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    /// A semester review: the MOU version it reviewed.
    pub mou_version_id: Option<String>,
    pub supervisor_present: bool,
    pub admin_present: bool,
    /// A semester review attended by the SRO, the LE supervisor and the administrator, as
    /// the review is meant to be held.
    pub all_three_present: bool,
}

impl From<MeetingRow> for MeetingView {
    fn from(m: MeetingRow) -> Self {
        let all_three_present = all_three(&m);
        Self {
            kind_label: MeetingKind::from_code(&m.kind)
                .map(|k| k.label())
                .unwrap_or("Meeting")
                .into(),
            id: m.id,
            campus_id: m.campus_id,
            kind: m.kind,
            held_on: m.held_on,
            all_three_present,
            sro_present: m.sro_present,
            attendees: m.attendees,
            agenda: m.agenda,
            minutes: m.minutes,
            mou_version_id: m.mou_version_id,
            supervisor_present: m.supervisor_present,
            admin_present: m.admin_present,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusMeetings {
    pub campus_id: String,
    pub district_id: String,
    pub campus: String,
    pub school_year: i64,
    pub meetings: Vec<MeetingView>,
    #[schema(value_type = Object)]
    pub cadence: Cadence,
}

/// The SRO, the LE supervisor and the administrator were all there.
fn all_three(m: &MeetingRow) -> bool {
    m.sro_present && m.supervisor_present && m.admin_present
}

/// Meetings as the cadence counts them.
pub(crate) fn held(rows: &[MeetingRow]) -> Vec<Held> {
    rows.iter()
        .filter_map(|m| {
            Some(Held {
                kind: MeetingKind::from_code(&m.kind)?,
                on: org_rules::parse_date("held_on", &m.held_on).ok()?,
                sro_present: m.sro_present,
                all_three_present: all_three(m),
            })
        })
        .collect()
}

/// A campus's meetings this school year and the cadence they add up to so far.
pub async fn campus_meetings(ctx: &Ctx, campus: &str) -> AppResult<CampusMeetings> {
    let campus = campus_for(ctx, campus, Action::View).await?;
    let cal = crate::campus::calendar(ctx, &campus).await?;
    let rows = store::of_campus(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        cal.year,
    )
    .await?;
    let held = held(&rows);
    Ok(CampusMeetings {
        campus_id: campus.id.clone(),
        district_id: campus.district_id.clone(),
        campus: campus.name.clone(),
        school_year: cal.year,
        cadence: rules::cadence(&held, &cal.school_days, &cal.terms, cal.today),
        meetings: rows.into_iter().map(MeetingView::from).collect(),
    })
}

/// Who an action item of a meeting may be given to: the people who work with its campus.
pub async fn owner_choices(ctx: &Ctx, meeting_id: &str) -> AppResult<Vec<PersonChoice>> {
    let (_, campus) = meeting_for(ctx, meeting_id, Action::View).await?;
    ctx.choices(shared(&campus), Action::View, |_| true).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeetingInput {
    /// weekly_principal, faculty, semester_review, threat_assessment, check_in or introduction
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub held_on: String,
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub sro_present: bool,
    /// Who attended, as written (names and roles).
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub minutes: String,
    /// A semester review: the id of the MOU version it reviewed (a version of the campus's
    /// district's MOU).
    #[serde(default)]
    pub mou_version: String,
    /// A semester review: the LE supervisor attended.
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub supervisor_present: bool,
    /// A semester review: the campus administrator attended.
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub admin_present: bool,
}

/// Records a meeting held on a campus.
pub async fn record(ctx: &Ctx, campus: &str, input: MeetingInput) -> AppResult<MeetingView> {
    let campus = campus_for(ctx, campus, Action::Change).await?;
    let cal = crate::campus::calendar(ctx, &campus).await?;
    let mut invalid = Invalid::default();
    let kind = MeetingKind::from_code(&input.kind);
    if kind.is_none() {
        invalid.push("kind", "choose the kind of meeting");
    }
    let held_on = invalid.check(org_rules::parse_date("held_on", &input.held_on));
    if held_on.is_some_and(|d| d > cal.today) {
        invalid.push("held_on", "a meeting is recorded once it has been held");
    }
    let attendees = invalid.check(triad_domain::text::parse_text(
        "attendees",
        &input.attendees,
        1000,
    ));
    let agenda = invalid.check(triad_domain::text::parse_text(
        "agenda",
        &input.agenda,
        5000,
    ));
    let minutes = invalid.check(triad_domain::text::parse_text(
        "minutes",
        &input.minutes,
        20000,
    ));
    let review = kind == Some(MeetingKind::SemesterReview);
    if !review && (input.supervisor_present || input.admin_present) {
        invalid.push(
            "kind",
            "the supervisor's and the administrator's attendance is recorded for a semester review",
        );
    }
    let mou_version =
        reviewed_version(&mut invalid, &campus, &input.mou_version, review, ctx).await?;
    invalid.into_result()?;
    let (Some(kind), Some(held_on), Some(attendees), Some(agenda), Some(minutes)) =
        (kind, held_on, attendees, agenda, minutes)
    else {
        return Err(AppError::NotFound);
    };
    let d = ctx
        .district(&mut ctx.app.db.acquire().await?, campus.district())
        .await?
        .ok_or(AppError::NotFound)?;
    let start = YearStart::parse(&d.year_start).unwrap_or(YearStart::AUGUST_FIRST);
    let row = MeetingRow {
        id: Id::new().to_string(),
        district_id: campus.district_id.clone(),
        campus_id: campus.id.clone(),
        kind: kind.code().into(),
        held_on: held_on.to_string(),
        school_year: i64::from(start.school_year_of(held_on).0),
        sro_present: input.sro_present,
        attendees,
        agenda,
        minutes,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
        updated_at: ctx.now.millis(),
        mou_version_id: mou_version,
        supervisor_present: review && input.supervisor_present,
        admin_present: review && input.admin_present,
    };
    let mut tx = ctx.change().await?;
    store::insert(&mut tx, &row).await?;
    let event = ctx
        .event("meeting.create", Outcome::Ok)
        .record("meeting", &row.id)
        .content(&row)
        .tenant(Some(campus.district()), None);
    tx.audit(event);
    tx.commit().await?;
    Ok(row.into())
}

/// The MOU version a semester review names: one of the campus's district's MOU. Any other
/// id (another district's, one that does not exist) gets the same answer, so the field tells
/// nothing of other districts.
async fn reviewed_version(
    invalid: &mut Invalid,
    campus: &Campus,
    named: &str,
    review: bool,
    ctx: &Ctx,
) -> AppResult<Option<String>> {
    let named = named.trim();
    if named.is_empty() {
        return Ok(None);
    }
    if !review {
        invalid.push("mou_version", "only a semester review reviews the MOU");
        return Ok(None);
    }
    let mut conn = ctx.app.db.acquire().await?;
    let version = match Id::parse(named) {
        Some(id) => triad_store::mou::version(&mut conn, id).await?,
        None => None,
    };
    let partnership = match version.as_ref().and_then(|v| Id::parse(&v.partnership_id)) {
        Some(id) => triad_store::org::partnership(&mut conn, id).await?,
        None => None,
    };
    match (version, partnership) {
        (Some(v), Some(p)) if p.district_id == campus.district_id => Ok(Some(v.id)),
        _ => {
            invalid.push("mou_version", "choose a version of this district's MOU");
            Ok(None)
        }
    }
}

/// A meeting the actor may act on, with its campus.
async fn meeting_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<(MeetingRow, Campus)> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    let mut conn = ctx.app.db.acquire().await?;
    let meeting = store::get(&mut conn, id).await?;
    let campus = match &meeting {
        Some(m) => {
            triad_store::org::campus(
                &mut conn,
                Id::parse(&m.campus_id).ok_or(AppError::NotFound)?,
            )
            .await?
        }
        None => None,
    };
    drop(conn);
    let resource = campus.as_ref().map(shared).unwrap_or(Resource::new(
        RecordClass::Shared,
        Tenant::campus(Id::from_parts("none", 0), id),
    ));
    ctx.require(action, resource, ("meeting", &id.to_string()))
        .await?;
    match (meeting, campus) {
        (Some(m), Some(c)) => Ok((m, c)),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingDetail {
    pub meeting: MeetingView,
    pub campus: String,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: String,
    pub meeting_id: String,
    pub title: String,
    pub owner: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
    /// Open and past its due date.
    pub overdue: bool,
}

fn item_view(i: ActionItemRow, today: &str) -> ItemView {
    ItemView {
        overdue: i.status == ActionStatus::Open.code()
            && i.due_on.as_deref().is_some_and(|d| d < today),
        id: i.id,
        meeting_id: i.meeting_id,
        title: i.title,
        owner: i.owner_name,
        due_on: i.due_on,
        status: i.status,
    }
}

pub async fn meeting(ctx: &Ctx, id: &str) -> AppResult<MeetingDetail> {
    let (m, campus) = meeting_for(ctx, id, Action::View).await?;
    let today = crate::context::today(ctx.now);
    let items = store::items_of_meeting(
        &mut ctx.app.db.acquire().await?,
        Id::parse(&m.id).ok_or(AppError::NotFound)?,
    )
    .await?;
    Ok(MeetingDetail {
        meeting: m.into(),
        campus: campus.name,
        items: items.into_iter().map(|i| item_view(i, &today)).collect(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    #[serde(default)]
    pub title: String,
    /// The owner's user name.
    #[serde(default)]
    pub owner: String,
    /// YYYY-MM-DD, optional.
    #[serde(default)]
    pub due_on: String,
}

/// Adds an action item with an owner and a due date to a meeting.
pub async fn add_item(ctx: &Ctx, meeting_id: &str, input: ItemInput) -> AppResult<ItemView> {
    let (m, campus) = meeting_for(ctx, meeting_id, Action::Change).await?;
    let mut invalid = Invalid::default();
    let title = invalid.check(org_rules::parse_name("title", &input.title));
    let due = invalid.check(org_rules::parse_optional_date("due_on", &input.due_on));
    // The owner is someone who may open this meeting (its campus's partners).
    let owner = if input.owner.trim().is_empty() {
        None
    } else {
        let named = ctx
            .named(&input.owner, shared(&campus), Action::View)
            .await?;
        if named.is_none() {
            invalid.push(
                "owner",
                "name someone who works with this campus, by their user name",
            );
        }
        named.map(|n| n.user.user_id())
    };
    invalid.into_result()?;
    let (Some(title), Some(due)) = (title, due) else {
        return Err(AppError::NotFound);
    };
    let id = Id::new();
    let meeting = Id::parse(&m.id).ok_or(AppError::NotFound)?;
    let item = store::NewItem {
        id,
        meeting,
        campus: campus.campus_id(),
        title: &title,
        owner,
        due_on: due.map(|d| d.to_string()),
    };
    let mut tx = ctx.change().await?;
    store::insert_item(&mut tx, &item, ctx.now).await?;
    let event = ctx
        .event("meeting.item.create", Outcome::Ok)
        .record("action_item", id)
        .content(&title)
        .tenant(Some(campus.district()), None);
    tx.audit(event);
    let row = store::item(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(item_view(row, &crate::context::today(ctx.now)))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StatusInput {
    /// open, done or dropped
    #[serde(default)]
    pub status: String,
}

/// Marks an action item done, dropped or open again.
pub async fn set_status(ctx: &Ctx, item_id: &str, input: StatusInput) -> AppResult<ItemView> {
    let id = Id::parse(item_id).ok_or(AppError::NotFound)?;
    let item = store::item(&mut ctx.app.db.acquire().await?, id).await?;
    let meeting = item
        .as_ref()
        .map(|i| i.meeting_id.clone())
        .unwrap_or_else(|| Id::new().to_string());
    let (_, campus) = meeting_for(ctx, &meeting, Action::Change).await?;
    let status = ActionStatus::from_code(&input.status)
        .ok_or_else(|| Invalid::one("status", "choose open, done or dropped"))?;
    let mut tx = ctx.change().await?;
    store::set_item_status(&mut tx, id, status.code(), ctx.now).await?;
    let event = ctx
        .event("meeting.item.status", Outcome::Ok)
        .record("action_item", id)
        .content(&status.code())
        .tenant(Some(campus.district()), None);
    tx.audit(event);
    let row = store::item(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(item_view(row, &crate::context::today(ctx.now)))
}

/// The actor's own open action items, for the home page.
pub async fn my_open_items(ctx: &Ctx) -> AppResult<Vec<ItemView>> {
    let today = crate::context::today(ctx.now);
    let mut conn = ctx.app.db.acquire().await?;
    let mut out = Vec::new();
    for item in store::open_items_of(&mut conn, ctx.actor.user).await? {
        // Owning an item gives no access of its own: the campus must still be theirs.
        let Some(campus) = triad_store::org::campus(
            &mut conn,
            Id::parse(&item.campus_id).ok_or(AppError::NotFound)?,
        )
        .await?
        else {
            continue;
        };
        if triad_domain::policy::decide(&ctx.actor, Action::View, shared(&campus))
            == triad_domain::policy::Decision::Allow
        {
            out.push(item_view(item, &today));
        }
    }
    Ok(out)
}
