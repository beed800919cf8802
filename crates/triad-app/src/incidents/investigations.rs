//! Simultaneous investigations on one incident: a criminal one led by the SRO and an
//! administrative one led by the school. Each side's notes are read by that side only (the
//! policy decides, by record class); the coordination thread is read by both; opening a side
//! tells the other side in that thread; closing one side leaves the other running.

use super::{find, FoundIncident};
use crate::change::Change;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::incidents::Classification;
use triad_domain::investigations::{self as rules, NoteKind, Side, Thread};
use triad_domain::policy::{decide, Action, Decision, RecordClass};
use triad_domain::{Id, Invalid};
use triad_store::investigations::{self as store, InvestigationRow, NoteRow};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoteView {
    pub kind: String,
    pub body: String,
    pub author: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SideView {
    pub side: String,
    pub label: String,
    /// Opened: who leads it and since when.
    pub lead: Option<String>,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    /// The reader may read this side's notes (its own side).
    pub readable: bool,
    /// The reader may write to this side (open it, add notes, close it).
    pub writable: bool,
    /// The incident's classification allows this side.
    pub fits: bool,
    pub notes: Vec<NoteView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Priority {
    pub order: usize,
    pub what: String,
    pub who: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvestigationsView {
    pub incident_id: String,
    pub campus: String,
    pub classification: String,
    /// Both sides are open at once.
    pub simultaneous: bool,
    pub priority: Vec<Priority>,
    pub sides: Vec<SideView>,
    pub coordination: Vec<NoteView>,
    /// The reader may write in the coordination thread.
    pub may_coordinate: bool,
}

fn allowed(ctx: &Ctx, found: &FoundIncident, action: Action, class: RecordClass) -> bool {
    // The criminal side belongs to the agency serving the campus: without one there is none.
    (class != RecordClass::LawEnforcement || found.agency().is_some())
        && decide(&ctx.actor, action, found.resource(class)) == Decision::Allow
}

/// Asks the policy for one side's (or the thread's) records, with a trace in the audit trail.
async fn require(
    ctx: &Ctx,
    found: &FoundIncident,
    action: Action,
    thread: Thread,
) -> AppResult<()> {
    if thread.record_class() == RecordClass::LawEnforcement && found.agency().is_none() {
        return Err(AppError::Conflict(
            "no law-enforcement agency serves this campus".into(),
        ));
    }
    ctx.require(
        action,
        found.resource(thread.record_class()),
        (&format!("investigation_{}", thread.code()), &found.row.id),
    )
    .await?;
    Ok(())
}

fn note_view(n: NoteRow, found: &FoundIncident) -> NoteView {
    NoteView {
        kind: NoteKind::from_code(&n.kind)
            .map(|k| k.label())
            .unwrap_or("")
            .into(),
        body: n.body,
        author: n.author_name.unwrap_or(n.author_id),
        at: found.local.show(n.created_at),
    }
}

fn classification(found: &FoundIncident) -> Classification {
    Classification::from_code(&found.row.classification).unwrap_or(Classification::Neither)
}

/// The investigations of an incident as the reader may see them.
pub async fn view(ctx: &Ctx, incident_id: &str) -> AppResult<InvestigationsView> {
    let found = find(ctx, incident_id, Action::View).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::of_incident(&mut conn, found.id()).await?;
    drop(conn);
    let mut sides = Vec::new();
    for side in Side::ALL {
        let row = rows.iter().find(|r| r.side == side.code());
        let readable = allowed(ctx, &found, Action::View, side.record_class());
        let notes = if readable && row.is_some() {
            require(ctx, &found, Action::View, Thread::of(*side)).await?;
            let rows = store::notes(
                &mut ctx.app.db.acquire().await?,
                found.id(),
                Thread::of(*side).code(),
            )
            .await?;
            rows.into_iter().map(|n| note_view(n, &found)).collect()
        } else {
            Vec::new()
        };
        sides.push(SideView {
            side: side.code().into(),
            label: side.label().into(),
            lead: row.map(|r| r.lead_name.clone().unwrap_or_else(|| r.lead_id.clone())),
            opened_at: row.map(|r| found.local.show(r.opened_at)),
            closed_at: row.and_then(|r| r.closed_at).map(|t| found.local.show(t)),
            readable,
            writable: allowed(ctx, &found, Action::Change, side.record_class()),
            fits: side.fits(classification(&found)),
            notes,
        });
    }
    let coordination = store::notes(
        &mut ctx.app.db.acquire().await?,
        found.id(),
        Thread::Coordination.code(),
    )
    .await?;
    Ok(InvestigationsView {
        incident_id: found.row.id.clone(),
        campus: found.campus.name.clone(),
        classification: classification(&found).label().into(),
        simultaneous: rows.len() == Side::ALL.len() && rows.iter().all(|r| r.closed_at.is_none()),
        priority: rules::PRIORITY
            .iter()
            .enumerate()
            .map(|(i, (what, who))| Priority {
                order: i + 1,
                what: (*what).into(),
                who: (*who).into(),
            })
            .collect(),
        sides,
        coordination: coordination
            .into_iter()
            .map(|n| note_view(n, &found))
            .collect(),
        may_coordinate: allowed(ctx, &found, Action::Change, RecordClass::Shared),
    })
}

fn note(found: &FoundIncident, ctx: &Ctx, thread: Thread, kind: NoteKind, body: &str) -> NoteRow {
    NoteRow {
        id: Id::new().to_string(),
        incident_id: found.row.id.clone(),
        thread: thread.code().into(),
        kind: kind.code().into(),
        body: body.into(),
        author_id: ctx.actor.user.to_string(),
        author_name: None,
        created_at: ctx.now.millis(),
    }
}

/// Writes a note and its audit event in one transaction.
async fn write(ctx: &Ctx, found: &FoundIncident, n: &NoteRow) -> AppResult<()> {
    let mut tx = ctx.change().await?;
    store::add_note(&mut tx, n).await?;
    append_audit(ctx, &mut tx, found, "investigation.note", n).await?;
    tx.commit().await?;
    Ok(())
}

async fn append_audit<T: Serialize>(
    ctx: &Ctx,
    tx: &mut Change,
    found: &FoundIncident,
    action: &str,
    content: &T,
) -> AppResult<()> {
    let event = ctx
        .event(action, Outcome::Ok)
        .record("incident", &found.row.id)
        .content(content)
        .tenant(Some(found.campus.district()), found.agency());
    tx.audit(event);
    Ok(())
}

/// Tells the campus's partners (administrators and assigned officers) in Triad.
async fn tell_campus(ctx: &Ctx, found: &FoundIncident, message: &str) -> AppResult<()> {
    let today = crate::context::today(ctx.now);
    let mut tx = ctx.change().await?;
    let link = format!("/incidents/{}/investigations", found.row.id);
    for user in
        triad_store::notifications::campus_recipients(&mut tx, found.campus.campus_id(), &today)
            .await?
    {
        if user == ctx.actor.user {
            continue;
        }
        let n = triad_store::notifications::NewNotification {
            user,
            campus: Some(found.campus.campus_id()),
            message,
            link: Some(&link),
            at: ctx.now.millis(),
        };
        triad_store::notifications::insert(&mut tx, &n).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Opens one side's investigation, led by the person opening it; the other side reads that
/// it was opened in the coordination thread.
pub async fn open(ctx: &Ctx, incident_id: &str, side: &str) -> AppResult<InvestigationsView> {
    let found = find(ctx, incident_id, Action::View).await?;
    let side = Side::from_code(side).ok_or(AppError::NotFound)?;
    require(ctx, &found, Action::Change, Thread::of(side)).await?;
    if !side.fits(classification(&found)) {
        return Err(Invalid::one(
            "side",
            format!(
                "this incident is classified “{}”: reclassify it before opening {}",
                classification(&found).label(),
                side.label().to_lowercase()
            ),
        )
        .into());
    }
    let row = InvestigationRow {
        id: Id::new().to_string(),
        incident_id: found.row.id.clone(),
        side: side.code().into(),
        lead_id: ctx.actor.user.to_string(),
        lead_name: None,
        opened_at: ctx.now.millis(),
        closed_at: None,
        closing_note: None,
    };
    let opened = note(
        &found,
        ctx,
        Thread::Coordination,
        NoteKind::Opened,
        side.opening_notice(),
    );
    let mut tx = ctx.change().await?;
    store::open(&mut tx, &row).await?;
    store::add_note(&mut tx, &opened).await?;
    append_audit(ctx, &mut tx, &found, "investigation.open", &row).await?;
    tx.commit().await?;
    tell_campus(ctx, &found, side.opening_notice()).await?;
    view(ctx, incident_id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    /// note; in the coordination thread also crime_reported or sanction
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub body: String,
}

/// Adds a note to one side's notes (while that side is open) or to the coordination thread.
/// `thread`: criminal or administrative (that side's own notes), or coordination (both read it).
pub async fn add_note(
    ctx: &Ctx,
    incident_id: &str,
    thread: &str,
    input: NoteInput,
) -> AppResult<InvestigationsView> {
    let found = find(ctx, incident_id, Action::View).await?;
    let thread = Thread::from_code(thread).ok_or(AppError::NotFound)?;
    let kind = NoteKind::from_code(&input.kind).unwrap_or(NoteKind::Note);
    require(ctx, &found, Action::Change, thread).await?;
    let body = rules::check_note(thread, kind, &input.body)?;
    if let Some(side) = thread.side() {
        let rows = store::of_incident(&mut ctx.app.db.acquire().await?, found.id()).await?;
        match rows.iter().find(|r| r.side == side.code()) {
            None => {
                return Err(AppError::Conflict(format!(
                    "open the {} first",
                    side.label().to_lowercase()
                )))
            }
            Some(r) if r.closed_at.is_some() => {
                return Err(AppError::Conflict(format!(
                    "the {} is closed",
                    side.label().to_lowercase()
                )))
            }
            Some(_) => {}
        }
    }
    write(ctx, &found, &note(&found, ctx, thread, kind, &body)).await?;
    if kind == NoteKind::CrimeReported {
        tell_campus(
            ctx,
            &found,
            "The school reports a possible crime to the SRO on an incident",
        )
        .await?;
    }
    view(ctx, incident_id).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CloseInput {
    /// How it ended, for that side's notes.
    #[serde(default)]
    pub note: String,
}

/// Closes one side. The other side, if open, goes on.
pub async fn close(
    ctx: &Ctx,
    incident_id: &str,
    side: &str,
    input: CloseInput,
) -> AppResult<InvestigationsView> {
    let found = find(ctx, incident_id, Action::View).await?;
    let side = Side::from_code(side).ok_or(AppError::NotFound)?;
    require(ctx, &found, Action::Change, Thread::of(side)).await?;
    let body = triad_domain::text::parse_text("note", &input.note, 4000)?
        .ok_or_else(|| Invalid::one("note", "say how the investigation ended"))?;
    let mut tx = ctx.change().await?;
    if !store::close(&mut tx, found.id(), side.code(), ctx.now.millis(), &body).await? {
        return Err(AppError::Conflict(format!(
            "the {} is not open",
            side.label().to_lowercase()
        )));
    }
    let private = note(&found, ctx, Thread::of(side), NoteKind::Closed, &body);
    let shared = note(
        &found,
        ctx,
        Thread::Coordination,
        NoteKind::Closed,
        &format!("The {} was closed.", side.label().to_lowercase()),
    );
    for n in [&private, &shared] {
        store::add_note(&mut tx, n).await?;
    }
    append_audit(ctx, &mut tx, &found, "investigation.close", &private).await?;
    tx.commit().await?;
    view(ctx, incident_id).await
}
