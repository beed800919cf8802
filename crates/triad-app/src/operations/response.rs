//! What happens on a campus event besides its status: the threat response checklist, the
//! notices to district leaders when police or sheriff are called (tracked until each is
//! acknowledged), notes during the event, and the after-action review with its follow-ups.
//! Everything lands on the event's timeline, which exports as CSV.

use crate::campus::{self, Local};
use crate::change::Change;
use crate::context::{Ctx, PersonChoice};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::operations::{self as rules, ThreatStep, TimelineKind, Who};
use triad_domain::org as org_rules;
use triad_domain::policy::{Action, OnlyBy, RecordClass, Resource};
use triad_domain::text::parse_text;
use triad_domain::{Id, Invalid};
use triad_store::operations::{self as store, EventRow, FollowUpRow, LogRow, NoticeRow};
use triad_store::org::Campus;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeView {
    pub id: String,
    pub recipient: String,
    pub created_at: String,
    /// Sent by email, by webhook, or not yet (with the number of attempts).
    pub delivery: String,
    pub acknowledged_at: Option<String>,
    /// The person reading is the recipient and has not acknowledged it yet.
    pub yours_to_acknowledge: bool,
}

pub(super) fn notice_view(ctx: &Ctx, n: NoticeRow, local: &Local) -> NoticeView {
    let mut sent = Vec::new();
    if let Some(t) = n.email_sent_at {
        sent.push(format!("emailed {}", local.show(t)));
    }
    if let Some(t) = n.webhook_sent_at {
        sent.push(format!("webhook {}", local.show(t)));
    }
    let delivery = if sent.is_empty() {
        match n.attempts {
            0 => "in Triad; email and webhook on their way".to_string(),
            a => format!("in Triad; not delivered outside yet ({a} attempts)"),
        }
    } else {
        format!("in Triad; {}", sent.join(", "))
    };
    NoticeView {
        yours_to_acknowledge: n.acknowledged_at.is_none()
            && n.recipient_id == ctx.actor.user.to_string(),
        id: n.id,
        recipient: n.recipient_name.unwrap_or(n.recipient_id),
        created_at: local.show(n.created_at),
        delivery,
        acknowledged_at: n.acknowledged_at.map(|t| local.show(t)),
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub due_on: Option<String>,
    pub done_at: Option<String>,
}

pub(super) fn follow_up_view(f: FollowUpRow, local: &Local) -> FollowUpView {
    FollowUpView {
        id: f.id,
        title: f.title,
        owner: f.owner_name,
        due_on: f.due_on,
        done_at: f.done_at.map(|t| local.show(t)),
    }
}

/// An event the actor may act on, with its campus and clock.
pub(super) struct FoundEvent {
    pub row: EventRow,
    pub campus: Campus,
    pub local: Local,
}

/// Finds an event and asks the policy (shared records of its campus); one out of reach is
/// not found.
pub(super) async fn find(ctx: &Ctx, id: &str, action: Action) -> AppResult<FoundEvent> {
    let parsed = Id::parse(id).ok_or(AppError::NotFound)?;
    let row = store::get(&mut ctx.app.db.acquire().await?, parsed).await?;
    let campus_id = row
        .as_ref()
        .map(|e| e.campus_id.clone())
        .unwrap_or_else(|| Id::new().to_string());
    let campus =
        campus::campus_for(ctx, &campus_id, RecordClass::Shared, action, "campus_event").await?;
    let row = row.ok_or(AppError::NotFound)?;
    let local = campus::local(ctx, &campus).await?;
    Ok(FoundEvent { row, campus, local })
}

/// Writes one timeline entry (and its audit event) in a transaction holding the event.
async fn log(
    ctx: &Ctx,
    tx: &mut Change,
    found: &FoundEvent,
    kind: TimelineKind,
    detail: String,
) -> AppResult<()> {
    let entry = LogRow {
        event_id: found.row.id.clone(),
        seq: 0,
        at: ctx.now.millis(),
        actor_id: ctx.actor.user.to_string(),
        actor_name: None,
        action: kind.code().into(),
        status: found.row.status.clone(),
        detail: Some(detail),
    };
    store::log(&mut *tx, &entry).await?;
    let audit = ctx
        .event(&format!("operations.{}", kind.code()), Outcome::Ok)
        .record("campus_event", &found.row.id)
        .content(&entry)
        .tenant(Some(found.campus.district()), None);
    tx.audit(audit);
    Ok(())
}

/// Holds the event for the transaction: it must still exist (it always does) and be open
/// when `open` is asked.
async fn hold(tx: &mut Change, found: &FoundEvent) -> AppResult<EventRow> {
    store::lock(&mut *tx, &found.row.id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// call_sro, keep_updated, extra_eyes, contact_in_pairs or police_called
    #[serde(default)]
    pub step: String,
    /// For contact_in_pairs: the user name of the partner who made contact with you.
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub note: String,
}

/// Ticks a step of an open threat response. Contact is recorded only in the seed's pairs;
/// calling police or sheriff sends the notices to the district leaders.
pub async fn tick_step(ctx: &Ctx, event_id: &str, input: StepInput) -> AppResult<()> {
    let found = find(ctx, event_id, Action::Change).await?;
    let step = ThreatStep::from_code(&input.step)
        .ok_or_else(|| Invalid::one("step", "choose a step of the checklist"))?;
    if step.is_automatic() {
        return Err(Invalid::one("step", "Triad ticks this step itself").into());
    }
    let note = parse_text("note", &input.note, 2000)?;
    let partner = match step {
        ThreatStep::ContactInPairs => {
            Some(contact_partner(ctx, &found.campus, &input.partner).await?)
        }
        _ => None,
    };
    let mut tx = ctx.change().await?;
    let event = hold(&mut tx, &found).await?;
    if event.threat.is_none() {
        return Err(AppError::Conflict(
            "this event is not a threat response".into(),
        ));
    }
    if event.ended_at.is_some() {
        return Err(AppError::Conflict(
            "the event is over: add an after-action note instead".into(),
        ));
    }
    if !store::tick(
        &mut tx,
        &event.id,
        step.code(),
        ctx.now.millis(),
        ctx.actor.user,
    )
    .await?
    {
        return Err(AppError::Conflict(format!(
            "“{}” is already ticked",
            step.label()
        )));
    }
    let mut detail = step.label().to_string();
    if let Some(p) = partner {
        detail.push_str(&format!(": {} and {p}", ctx.actor.display_name));
    }
    if let Some(n) = note {
        detail.push_str(&format!(" ({n})"));
    }
    log(ctx, &mut tx, &found, TimelineKind::Step, detail).await?;
    let notices = if step == ThreatStep::PoliceCalled {
        notify_leaders(ctx, &mut tx, &found).await?
    } else {
        0
    };
    tx.commit().await?;
    if notices > 0 {
        ctx.app.notices_written.notify_one();
    }
    Ok(())
}

/// Who a follow-up of an event may be given to: the people who work with its campus.
pub async fn owner_choices(ctx: &Ctx, event_id: &str) -> AppResult<Vec<PersonChoice>> {
    let found = find(ctx, event_id, Action::View).await?;
    let record = Resource::new(RecordClass::Shared, campus::tenant(&found.campus, None));
    ctx.choices(record, Action::View, |_| true).await
}

/// Who may make contact with the actor, two together, by name: the people of the campus who
/// make one of the seed's pairs with them (each counted by the roles they hold here).
pub async fn partner_choices(ctx: &Ctx, event_id: &str) -> AppResult<Vec<PersonChoice>> {
    let found = find(ctx, event_id, Action::View).await?;
    let here = campus::tenant(&found.campus, None);
    let mine = ctx.actor.roles_for(&here, RecordClass::Shared);
    let me = ctx.actor.user;
    let record = Resource::new(RecordClass::Directory, here);
    ctx.choices(record, Action::View, |p| {
        let theirs = p.actor.roles_for(&here, RecordClass::Shared);
        p.actor.user != me
            && rules::check_contact_pair(Who::from(&mine), Some(Who::from(&theirs))).is_ok()
    })
    .await
}

/// The partner named for a contact: someone who, with the actor, makes one of the seed's
/// pairs on this campus (each counts by the roles they hold here, not elsewhere). Yields their
/// name for the timeline.
async fn contact_partner(ctx: &Ctx, campus: &Campus, username: &str) -> AppResult<String> {
    let here = campus::tenant(campus, None);
    let mine = ctx.actor.roles_for(&here, RecordClass::Shared);
    let first = Who::from(&mine);
    if username.trim().is_empty() {
        let reason = rules::check_contact_pair(first, None).err().map(|r| r.0);
        return Err(Invalid::one("partner", reason.unwrap_or_default()).into());
    }
    // A partner is someone of this campus (its people read its directory entry); whether
    // they make a pair with the actor is the rule's to say. Anyone else, whoever they are
    // elsewhere (and whether they exist), is no partner here.
    let partner = ctx
        .named(
            username,
            Resource::new(RecordClass::Directory, here),
            Action::View,
        )
        .await?
        .filter(|n| n.actor.user != ctx.actor.user)
        .ok_or_else(|| {
            Invalid::one(
                "partner",
                "name a partner who serves this campus, by their user name (not yourself): its \
                 SRO, SSO or an administrator",
            )
        })?;
    let theirs = partner.actor.roles_for(&here, RecordClass::Shared);
    rules::check_contact_pair(first, Some(Who::from(&theirs)))
        .map_err(|r| Invalid::one("partner", r.0))?;
    Ok(partner.user.display_name)
}

/// Writes a notice to every district leader of the campus's district (the chief of campus
/// police or safety director, and the superintendent) and ticks the step. Yields how many.
async fn notify_leaders(ctx: &Ctx, tx: &mut Change, found: &FoundEvent) -> AppResult<usize> {
    let leaders = store::district_leaders(&mut *tx, found.campus.district()).await?;
    let subject = format!("Police or sheriff called to {}", found.campus.name);
    // The campus's state, in the words the district's people are trained on.
    let words = campus::state_words(ctx, &found.campus).await?;
    let status =
        rules::CampusStatus::from_code(&found.row.status).unwrap_or(rules::CampusStatus::Normal);
    let body = format!(
        "Police or sheriff were called to {} at {} during the response to a potential threat{}. \
The campus is under {}. You are notified as a district leader; please acknowledge.",
        found.campus.name,
        found.local.show(ctx.now.millis()),
        found
            .row
            .threat
            .as_deref()
            .map(|t| format!(" (reported: {t})"))
            .unwrap_or_default(),
        words.in_sentence(status)
    );
    for leader in &leaders {
        let notice = NoticeRow {
            id: Id::new().to_string(),
            event_id: found.row.id.clone(),
            recipient_id: leader.id.clone(),
            recipient_name: None,
            email: leader.email.clone(),
            subject: subject.clone(),
            body: body.clone(),
            created_at: ctx.now.millis(),
            email_sent_at: None,
            webhook_sent_at: None,
            attempts: 0,
            last_error: None,
            acknowledged_at: None,
        };
        store::insert_notice(&mut *tx, &notice).await?;
        let link = format!("/campus-events/{}", found.row.id);
        let message = format!("{subject}: acknowledge the notice");
        let in_app = triad_store::notifications::NewNotification {
            user: Id::parse(&leader.id).unwrap_or_default(),
            campus: Some(found.campus.campus_id()),
            message: &message,
            link: Some(&link),
            at: ctx.now.millis(),
        };
        triad_store::notifications::insert(&mut *tx, &in_app).await?;
        log(
            ctx,
            tx,
            found,
            TimelineKind::Notice,
            format!("Notice sent to {}", leader.display_name),
        )
        .await?;
    }
    if leaders.is_empty() {
        log(
            ctx,
            tx,
            found,
            TimelineKind::Notice,
            "No district leader has an account: notify the chief of campus police or safety director and the superintendent by phone".into(),
        )
        .await?;
    } else {
        let step = ThreatStep::LeadersNotified.code();
        store::tick(
            &mut *tx,
            &found.row.id,
            step,
            ctx.now.millis(),
            ctx.actor.user,
        )
        .await?;
    }
    Ok(leaders.len())
}

/// The recipient acknowledges a notice; the timeline records it.
pub async fn acknowledge(ctx: &Ctx, notice_id: &str) -> AppResult<String> {
    let notice = store::notice(&mut ctx.app.db.acquire().await?, notice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = find(ctx, &notice.event_id, Action::View).await?;
    let addressee = OnlyBy::Addressee(OnlyBy::stored(&notice.recipient_id));
    ctx.require(
        Action::Change,
        Resource::new(RecordClass::Shared, campus::tenant(&found.campus, None))
            .changed_only_by(addressee),
        ("campus_event_notice", &notice.id),
    )
    .await?;
    let mut tx = ctx.change().await?;
    hold(&mut tx, &found).await?;
    if !store::acknowledge(&mut tx, &notice.id, ctx.actor.user, ctx.now.millis()).await? {
        return Err(AppError::Conflict(
            "the notice is already acknowledged".into(),
        ));
    }
    let detail = format!("{} acknowledged the notice", ctx.actor.display_name);
    log(ctx, &mut tx, &found, TimelineKind::Acknowledged, detail).await?;
    tx.commit().await?;
    Ok(notice.event_id)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = EventNoteInput)]
pub struct NoteInput {
    /// note (during the event) or after_action (the review)
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub body: String,
}

/// A note on the timeline: during the event, or for the after-action review once it is over.
pub async fn add_note(ctx: &Ctx, event_id: &str, input: NoteInput) -> AppResult<()> {
    let found = find(ctx, event_id, Action::Change).await?;
    let kind = match TimelineKind::from_code(&input.kind) {
        Some(k @ (TimelineKind::Note | TimelineKind::AfterAction)) => k,
        _ => return Err(Invalid::one("kind", "choose a note or an after-action note").into()),
    };
    let body = parse_text("body", &input.body, 4000)?
        .ok_or_else(|| Invalid::one("body", "write the note"))?;
    let mut tx = ctx.change().await?;
    let event = hold(&mut tx, &found).await?;
    if kind == TimelineKind::AfterAction && event.ended_at.is_none() {
        return Err(AppError::Conflict(
            "the after-action review starts once the event is over; add a note for now".into(),
        ));
    }
    log(ctx, &mut tx, &found, kind, body).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = EventFollowUpInput)]
pub struct FollowUpInput {
    #[serde(default)]
    pub title: String,
    /// The owner's user name (optional).
    #[serde(default)]
    pub owner: String,
    /// YYYY-MM-DD, optional.
    #[serde(default)]
    pub due_on: String,
}

/// A follow-up item from the after-action review, with an owner and a due date.
pub async fn add_follow_up(ctx: &Ctx, event_id: &str, input: FollowUpInput) -> AppResult<()> {
    let found = find(ctx, event_id, Action::Change).await?;
    let mut invalid = Invalid::default();
    let title = invalid.check(org_rules::parse_name("title", &input.title));
    let due = invalid.check(org_rules::parse_optional_date("due_on", &input.due_on));
    // The owner is someone who may open this event (its campus's partners).
    let owner = if input.owner.trim().is_empty() {
        None
    } else {
        let record = Resource::new(RecordClass::Shared, campus::tenant(&found.campus, None));
        let named = ctx.named(&input.owner, record, Action::View).await?;
        if named.is_none() {
            invalid.push(
                "owner",
                "name someone who works with this campus, by their user name",
            );
        }
        named.map(|n| n.user)
    };
    invalid.into_result()?;
    let title = title.unwrap_or_default();
    let row = FollowUpRow {
        id: Id::new().to_string(),
        event_id: found.row.id.clone(),
        title: title.clone(),
        owner_id: owner.as_ref().map(|u| u.id.clone()),
        owner_name: None,
        due_on: due.flatten().map(|d| d.to_string()),
        done_at: None,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    hold(&mut tx, &found).await?;
    store::insert_follow_up(&mut tx, &row).await?;
    let owner = owner.map(|u| format!(" (owner: {})", u.display_name));
    let detail = format!("{title}{}", owner.unwrap_or_default());
    log(ctx, &mut tx, &found, TimelineKind::FollowUp, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a follow-up done.
pub async fn complete_follow_up(ctx: &Ctx, event_id: &str, follow_up: &str) -> AppResult<()> {
    let found = find(ctx, event_id, Action::Change).await?;
    let mut tx = ctx.change().await?;
    hold(&mut tx, &found).await?;
    let title = store::follow_ups(&mut tx, &found.row.id)
        .await?
        .into_iter()
        .find(|f| f.id == follow_up)
        .map(|f| f.title);
    let done = store::complete_follow_up(&mut tx, &found.row.id, follow_up, ctx.now.millis());
    let (Some(title), true) = (title, done.await?) else {
        return Err(AppError::Conflict(
            "that follow-up is not open on this event".into(),
        ));
    };
    log(ctx, &mut tx, &found, TimelineKind::FollowUpDone, title).await?;
    tx.commit().await?;
    Ok(())
}
