//! Calling and lifting controlled movement and lockdowns: once for pages and API.
//!
//! The domain decides who may make which move; the store applies it only if the event is
//! still at the version the person saw (a stale page is refused, not applied on top of a
//! newer state); every move, accepted or refused, is on the audit trail, and accepted ones
//! are published live to the campus's open pages.

pub mod drills;
pub mod response;

use crate::campus::{self, Local};
use crate::change::Change;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::live::{self, LiveStatus, Watch};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::operations::{self as rules, CampusStatus, Move, State, ThreatStep, Who};
use triad_domain::policy::{Action, RecordClass};
use triad_domain::{Id, Invalid};
use triad_store::operations::{self as store, EventRow, LogRow};
use triad_store::org::Campus;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub status: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: String,
    pub campus_id: String,
    pub status: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub ended_how: Option<String>,
    /// The school lifted its own lockdown, accepting responsibility: flagged in every report.
    pub responsibility_accepted: bool,
    pub swept: bool,
    /// What was reported, when the event is a response to a potential threat.
    pub threat: Option<String>,
    /// The threat response's steps (empty for other events).
    pub checklist: Vec<StepView>,
    pub notices: Vec<response::NoticeView>,
    pub follow_ups: Vec<response::FollowUpView>,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub step: String,
    pub label: String,
    /// Ticked by Triad itself (the controlled movement, the notices).
    pub automatic: bool,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusStatusView {
    pub campus_id: String,
    pub campus: String,
    pub status: String,
    pub label: String,
    /// What the page was shown at: send it back with a move so a stale page is refused.
    pub version: i64,
    pub open: Option<EventView>,
    pub recent: Vec<EventView>,
    pub responsibility_statement: String,
    /// The moves the reader may make next, by their roles on this campus.
    pub moves: Vec<MoveChoice>,
    /// Who acts next, when the reader has no move to make.
    pub who_acts: String,
}

/// A move the reader may make, as the page offers it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MoveChoice {
    /// What to send as `action`.
    pub action: String,
    pub label: String,
    /// lockdown, caution, clear or step: how the page shows it.
    pub tone: String,
}

pub(super) async fn event_view(ctx: &Ctx, e: EventRow, local: &Local) -> AppResult<EventView> {
    let mut conn = ctx.app.db.acquire().await?;
    let timeline = store::timeline(&mut conn, &e.id).await?;
    let steps = store::steps(&mut conn, &e.id).await?;
    let notices = store::notices(&mut conn, &e.id).await?;
    let follow_ups = store::follow_ups(&mut conn, &e.id).await?;
    // The timeline in the district's own words for its states.
    let words = match Id::parse(&e.district_id) {
        Some(d) => ctx
            .district(&mut conn, d)
            .await?
            .map(|d| campus::words_of(&d))
            .unwrap_or_default(),
        None => Default::default(),
    };
    drop(conn);
    let checklist = if e.threat.is_some() {
        ThreatStep::ALL
            .iter()
            .map(|step| {
                let done = steps.iter().find(|s| s.step == step.code());
                StepView {
                    step: step.code().into(),
                    label: step.label().into(),
                    automatic: step.is_automatic(),
                    done_at: done.map(|d| local.show(d.done_at)),
                    done_by: done.and_then(|d| d.done_by_name.clone()),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(EventView {
        timeline: timeline
            .into_iter()
            .map(|l| TimelineEntry {
                at: local.show(l.at),
                actor: l.actor_name.unwrap_or(l.actor_id),
                action: words.timeline_label(&l.action),
                status: words.status_label(&l.status),
                detail: l.detail,
            })
            .collect(),
        checklist,
        notices: notices
            .into_iter()
            .map(|n| response::notice_view(ctx, n, local))
            .collect(),
        follow_ups: follow_ups
            .into_iter()
            .map(|f| response::follow_up_view(f, local))
            .collect(),
        threat: e.threat,
        id: e.id,
        campus_id: e.campus_id,
        status: e.status,
        started_at: local.show(e.started_at),
        ended_at: e.ended_at.map(|t| local.show(t)),
        ended_how: e.ended_how,
        responsibility_accepted: e.responsibility_accepted,
        swept: e.swept,
    })
}

/// A campus's status now, its open event with its timeline, and its recent events.
pub async fn status(ctx: &Ctx, campus_id: &str) -> AppResult<CampusStatusView> {
    let (campus, here) = campus::campus_held(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::View,
        "campus_status",
    )
    .await?;
    let local = campus::local(ctx, &campus).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let open = store::open_event(&mut conn, campus.campus_id()).await?;
    let recent_rows = store::of_campus(&mut conn, campus.campus_id(), 10).await?;
    drop(conn);
    let (status, version) = open
        .as_ref()
        .map(|e| (e.status.clone(), e.version))
        .unwrap_or(("normal".into(), 0));
    let state = State {
        status: CampusStatus::from_code(&status).unwrap_or(CampusStatus::Normal),
        swept: open.as_ref().is_some_and(|e| e.swept),
    };
    // What the reader may do next, by the roles they hold for this campus only.
    let threat_response_open = open.as_ref().is_some_and(|e| e.threat.is_some());
    let words = campus::state_words(ctx, &campus).await?;
    let moves = rules::next_moves(state, Who::from(&here), threat_response_open)
        .into_iter()
        .map(|m| MoveChoice {
            action: m.code().into(),
            label: words.move_label(m),
            tone: m.tone().code().into(),
        })
        .collect();
    let mut recent = Vec::new();
    for e in recent_rows.into_iter().filter(|e| e.ended_at.is_some()) {
        recent.push(event_view(ctx, e, &local).await?);
    }
    Ok(CampusStatusView {
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        label: words.label(state.status),
        status,
        version,
        open: match open {
            Some(e) => Some(event_view(ctx, e, &local).await?),
            None => None,
        },
        recent,
        responsibility_statement: rules::RESPONSIBILITY_STATEMENT.into(),
        moves,
        who_acts: rules::who_acts(state, &words),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MoveInput {
    /// controlled_movement, lockdown, sweep, all_clear, school_lift or end_controlled_movement
    #[serde(default)]
    pub action: String,
    /// The version the page showed (0 when the campus was normal).
    #[serde(default)]
    pub version: String,
    /// For a sweep: the areas checked.
    #[serde(default)]
    pub areas: String,
    /// For a sweep: responding police or deputies without an account.
    #[serde(default)]
    pub responders: String,
    /// For a school lift: the responsibility statement, accepted (any non-empty value).
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub accept_responsibility: bool,
    #[serde(default)]
    pub note: String,
    /// For a potential threat: what was seen or reported, and where.
    #[serde(default)]
    pub threat: String,
}

/// Makes a move on a campus's status.
pub async fn make_move(
    ctx: &Ctx,
    campus_id: &str,
    input: MoveInput,
) -> AppResult<CampusStatusView> {
    let (campus, here) = campus::campus_held(
        ctx,
        campus_id,
        RecordClass::Shared,
        Action::Change,
        "campus_status",
    )
    .await?;
    let m = Move::from_code(&input.action)
        .ok_or_else(|| Invalid::one("action", "choose what to do"))?;
    let seen: i64 = input
        .version
        .trim()
        .parse()
        .map_err(|_| Invalid::one("version", "reload the page and try again"))?;
    let detail = rules::move_detail(
        m,
        rules::MoveNotes {
            areas: &input.areas,
            responders: &input.responders,
            note: &input.note,
            threat: &input.threat,
        },
    )?;
    // Read before the write: a refusal speaks the district's words for its states.
    let words = campus::state_words(ctx, &campus).await?;
    let mut tx = ctx.change().await?;
    let open = store::open_event(&mut tx, campus.campus_id()).await?;
    let (state, version) = match &open {
        Some(e) => (
            State {
                status: CampusStatus::from_code(&e.status).unwrap_or(CampusStatus::Normal),
                swept: e.swept,
            },
            e.version,
        ),
        None => (State::NORMAL, 0),
    };
    if seen != version {
        drop(tx);
        return Err(refused(ctx, &campus, m, &format!(
            "the campus status changed since this page was shown: it is now {}; look again before acting",
            words.in_sentence(state.status)
        )).await);
    }
    // Authority comes from the roles held for this campus only: the SSO here who is the
    // administrator of another school does not lift this one's lockdown for it.
    let who = Who::from(&here);
    let threat_response_open = open.as_ref().is_some_and(|e| e.threat.is_some());
    if let Err(reason) = rules::may_open_threat_response(m, threat_response_open) {
        drop(tx);
        return Err(refused(ctx, &campus, m, &reason.in_words(&words)).await);
    }
    let next = match rules::apply(state, m, who, input.accept_responsibility) {
        Ok(next) => next,
        Err(reason) => {
            drop(tx);
            return Err(refused(ctx, &campus, m, &reason.in_words(&words)).await);
        }
    };
    let threat = (m == Move::ReportThreat).then(|| input.threat.trim().to_string());
    let event = write_move(ctx, &mut tx, &campus, open, m, next, seen, detail, threat).await?;
    let live =
        live::status_of(&mut triad_store::Conn::from(&mut tx), &campus, Some(&event)).await?;
    let publish_here = live::send_at_commit(&mut tx, live::Live::Status(live)).await?;
    tx.commit().await?;
    if let Some(message) = publish_here {
        ctx.app.live.publish(message);
    }
    status(ctx, campus_id).await
}

/// A refused move: on the audit trail, answered with the reason.
async fn refused(ctx: &Ctx, campus: &Campus, m: Move, reason: &str) -> AppError {
    let event = ctx
        .event(&format!("operations.{}", m.code()), Outcome::Denied)
        .record("campus", &campus.id)
        .tenant(Some(campus.district()), None);
    match triad_store::audit::record(&ctx.app.db, event, ctx.now).await {
        Ok(_) => AppError::Conflict(reason.to_string()),
        Err(e) => e.into(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn write_move(
    ctx: &Ctx,
    tx: &mut Change,
    campus: &Campus,
    open: Option<EventRow>,
    m: Move,
    next: State,
    seen: i64,
    detail: Option<String>,
    threat: Option<String>,
) -> AppResult<EventRow> {
    let ends = next.status == CampusStatus::Normal;
    let event = match open {
        None => {
            let e = EventRow {
                id: Id::new().to_string(),
                district_id: campus.district_id.clone(),
                campus_id: campus.id.clone(),
                status: next.status.code().into(),
                swept: next.swept,
                started_at: ctx.now.millis(),
                started_by: ctx.actor.user.to_string(),
                ended_at: None,
                ended_how: None,
                responsibility_accepted: false,
                version: 1,
                threat: threat.clone(),
            };
            store::insert(&mut *tx, &e).await?;
            e
        }
        Some(mut e) => {
            e.status = next.status.code().into();
            e.swept = next.swept;
            e.version += 1;
            if threat.is_some() {
                e.threat = threat.clone();
            }
            if ends {
                e.ended_at = Some(ctx.now.millis());
                e.ended_how = Some(m.code().into());
                e.responsibility_accepted = m == Move::SchoolLift;
            }
            if !store::advance(&mut *tx, &e, seen).await? {
                return Err(AppError::Conflict(
                    "the campus status changed at the same moment: look again".into(),
                ));
            }
            e
        }
    };
    let entry = LogRow {
        event_id: event.id.clone(),
        seq: event.version,
        at: ctx.now.millis(),
        actor_id: ctx.actor.user.to_string(),
        actor_name: None,
        action: m.code().into(),
        status: next.status.code().into(),
        detail,
    };
    store::log(&mut *tx, &entry).await?;
    if threat.is_some() {
        let step = ThreatStep::ControlledMovement.code();
        store::tick(&mut *tx, &event.id, step, ctx.now.millis(), ctx.actor.user).await?;
    }
    let audit = ctx
        .event(&format!("operations.{}", m.code()), Outcome::Ok)
        .record("campus_event", &event.id)
        .content(&entry)
        .tenant(Some(campus.district()), None);
    tx.audit(audit);
    Ok(event)
}

/// One event with its whole timeline, for the after-action review.
pub async fn event(ctx: &Ctx, id: &str) -> AppResult<EventView> {
    let found = response::find(ctx, id, Action::View).await?;
    event_view(ctx, found.row, &found.local).await
}

/// The current status of a campus, for the live stream's first message. Whether a campus is
/// locked down is for everyone on it (staff included) and those above it, like the campus's
/// directory entry; the timeline's details stay with the campus partners.
pub async fn live_now(ctx: &Ctx, campus_id: &str) -> AppResult<LiveStatus> {
    let campus = campus::campus_for(
        ctx,
        campus_id,
        RecordClass::Directory,
        Action::View,
        "campus_status",
    )
    .await?;
    let mut pooled = ctx.app.db.acquire().await?;
    let mut conn = triad_store::Conn::from(&mut pooled);
    let open = store::open_event(&mut conn, campus.campus_id()).await?;
    Ok(live::status_of(&mut conn, &campus, open.as_ref()).await?)
}

/// A district's status board: every campus, its status now, since when and who called it,
/// for the district's leaders (those who read its campuses' shared records).
pub struct DistrictBoard {
    pub district_id: String,
    pub district: String,
    pub campuses: Vec<LiveStatus>,
}

/// A district whose campuses' status the actor may follow (its leaders): the policy is asked.
async fn district_watched(ctx: &Ctx, district_id: &str) -> AppResult<Id> {
    let district = Id::parse(district_id).ok_or(AppError::NotFound)?;
    let tenant = triad_domain::policy::Tenant::district(district);
    ctx.require(
        Action::View,
        triad_domain::policy::Resource::new(RecordClass::Shared, tenant),
        ("district_status", district_id),
    )
    .await?;
    Ok(district)
}

pub async fn district_board(ctx: &Ctx, district_id: &str) -> AppResult<DistrictBoard> {
    let district = district_watched(ctx, district_id).await?;
    let mut pooled = ctx.app.db.acquire().await?;
    let mut conn = triad_store::Conn::from(&mut pooled);
    let row = triad_store::org::district(&mut conn, district)
        .await?
        .ok_or(AppError::NotFound)?;
    let open = store::open_in_district(&mut conn, district).await?;
    let mut campuses = Vec::new();
    for campus in triad_store::org::campuses_of(&mut conn, district).await? {
        let event = open.iter().find(|e| e.campus_id == campus.id);
        campuses.push(live::status_in(&mut conn, Some(&row), &campus, event).await?);
    }
    // Campuses in an event first, lockdowns before the rest; then by name.
    let rank = |s: &LiveStatus| match s.status.as_str() {
        "lockdown" => 0,
        "normal" => 2,
        _ => 1,
    };
    campuses.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.campus.cmp(&b.campus)));
    Ok(DistrictBoard {
        district_id: district.to_string(),
        district: row.name,
        campuses,
    })
}

/// What one person's live stream watches, and its state now: every campus they are on, and
/// every campus not at normal in the districts they lead (one entry per campus). A campus or
/// district the policy no longer lets them see is left out, not an error for the whole page.
pub async fn watched_now(ctx: &Ctx) -> AppResult<(Watch, Vec<LiveStatus>)> {
    let wanted = Watch::of(&ctx.actor);
    // The stream follows only what the policy let through now, not what was asked for.
    let mut watch = Watch {
        user: wanted.user.clone(),
        ..Watch::default()
    };
    let mut now: Vec<LiveStatus> = Vec::new();
    for district in &wanted.districts {
        match district_live_now(ctx, district).await {
            Ok((_, open)) => {
                watch.districts.push(district.clone());
                now.extend(open);
            }
            Err(AppError::NotFound | AppError::Forbidden(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for campus in &wanted.campuses {
        match live_now(ctx, campus).await {
            Ok(status) => {
                watch.campuses.push(campus.clone());
                if !now.iter().any(|s| &s.campus_id == campus) {
                    now.push(status);
                }
            }
            Err(AppError::NotFound | AppError::Forbidden(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((watch, now))
}

/// The campuses of a district not at normal, for a district leader's live stream.
pub async fn district_live_now(
    ctx: &Ctx,
    district_id: &str,
) -> AppResult<(String, Vec<LiveStatus>)> {
    let district = district_watched(ctx, district_id).await?;
    let mut pooled = ctx.app.db.acquire().await?;
    let mut conn = triad_store::Conn::from(&mut pooled);
    let open = store::open_in_district(&mut conn, district).await?;
    let row = triad_store::org::district(&mut conn, district).await?;
    let mut now = Vec::with_capacity(open.len());
    for e in &open {
        let Some(id) = Id::parse(&e.campus_id) else {
            continue;
        };
        if let Some(campus) = triad_store::org::campus(&mut conn, id).await? {
            now.push(live::status_in(&mut conn, row.as_ref(), &campus, Some(e)).await?);
        }
    }
    Ok((district.to_string(), now))
}
