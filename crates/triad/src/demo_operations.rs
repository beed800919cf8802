//! Campus safety operations for the demo: a false alarm the school lifted itself (accepting
//! responsibility), a real lockdown cleared by the SRO after a sweep, a threat response that
//! called the sheriff and notified the district's leaders, drills, and a simultaneous
//! investigation, so the timeline, after-action and investigation pages have history to show.

use anyhow::Result;
use chrono::NaiveDate;
use rand::Rng;
use triad_domain::drills::DrillKind;
use triad_domain::incidents::{Classification, IncidentKind};
use triad_domain::investigations::{NoteKind, Side, Thread};
use triad_domain::operations::{Move, ThreatStep, TimelineKind, RESPONSIBILITY_STATEMENT};
use triad_domain::Id;
use triad_store::operations::{EventRow, LogRow};

use crate::demo_incidents::{Ctx, DemoCampus};

const MINUTE: i64 = 60_000;

/// Drills on every campus; on a campus with an SRO that tells a `story`, one past event.
pub async fn generate(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    story: Option<usize>,
    days: &[(NaiveDate, i64)],
) -> Result<()> {
    drills(c, campus, days).await?;
    let Some(n) = story else {
        return Ok(());
    };
    let (Some((sro, _)), Some(&(day, year))) = (campus.sro, days.iter().rev().nth(5 + n * 7))
    else {
        return Ok(());
    };
    match n {
        0 => false_alarm(c, campus, day).await,
        1 => cleared_lockdown(c, campus, sro, day).await,
        2 => threat_response(c, campus, sro, day, year).await,
        _ => Ok(()),
    }
}

struct Step<'a> {
    at: i64,
    by: Id,
    action: &'a str,
    status: &'a str,
    detail: Option<String>,
}

/// An ended event with its timeline, written as it happened.
async fn event(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    threat: Option<&str>,
    ended_how: Move,
    steps: &[Step<'_>],
) -> Result<Id> {
    let id = c.id("campus-event");
    let first = &steps[0];
    let last = &steps[steps.len() - 1];
    let row = EventRow {
        id: id.to_string(),
        district_id: campus.district.to_string(),
        campus_id: campus.campus.to_string(),
        status: "normal".into(),
        swept: steps.iter().any(|s| s.action == Move::RecordSweep.code()),
        started_at: first.at,
        started_by: first.by.to_string(),
        ended_at: Some(last.at),
        ended_how: Some(ended_how.code().into()),
        responsibility_accepted: ended_how == Move::SchoolLift,
        version: steps.len() as i64,
        threat: threat.map(str::to_string),
    };
    triad_store::operations::insert(&mut *c.tx, &row).await?;
    for s in steps {
        let entry = LogRow {
            event_id: row.id.clone(),
            seq: 0,
            at: s.at,
            actor_id: s.by.to_string(),
            actor_name: None,
            action: s.action.into(),
            status: s.status.into(),
            detail: s.detail.clone(),
        };
        triad_store::operations::log(&mut *c.tx, &entry).await?;
    }
    Ok(id)
}

async fn false_alarm(c: &mut Ctx<'_>, campus: &DemoCampus, day: NaiveDate) -> Result<()> {
    let start = c.during(day);
    let by = campus.principal;
    let steps = [
        Step { at: start, by, action: Move::CallLockdown.code(), status: "lockdown", detail: Some("A student reported a weapon; it was a phone in a holster.".into()) },
        Step { at: start + 9 * MINUTE, by, action: TimelineKind::Note.code(), status: "lockdown", detail: Some("The SRO is at a court hearing across town; the assistant principal and SSO checked the student and the bag.".into()) },
        Step { at: start + 14 * MINUTE, by, action: Move::SchoolLift.code(), status: "normal", detail: Some(format!("Accepted: {RESPONSIBILITY_STATEMENT}")) },
        Step { at: start + 3 * 24 * 60 * MINUTE, by, action: TimelineKind::AfterAction.code(), status: "normal", detail: Some("Call the SRO's supervisor for an officer when the SRO is away.".into()) },
    ];
    event(c, campus, None, Move::SchoolLift, &steps).await?;
    Ok(())
}

async fn cleared_lockdown(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    sro: Id,
    day: NaiveDate,
) -> Result<()> {
    let start = c.during(day);
    let steps = [
        Step { at: start, by: campus.principal, action: Move::CallLockdown.code(), status: "lockdown", detail: Some("Shots reported near the practice field.".into()) },
        Step { at: start + 31 * MINUTE, by: sro, action: Move::RecordSweep.code(), status: "lockdown", detail: Some("Areas checked: every building, the fields and the bus loop\nResponding officers: Deputies Ruiz and Clark (county)".into()) },
        Step { at: start + 38 * MINUTE, by: sro, action: Move::AllClear.code(), status: "normal", detail: Some("Fireworks set off behind the fence; no one hurt.".into()) },
    ];
    let id = event(c, campus, None, Move::AllClear, &steps).await?;
    let follow_up = triad_store::operations::FollowUpRow {
        id: c.id("event-follow-up").to_string(),
        event_id: id.to_string(),
        title: "Fix the portable classroom door that would not lock".into(),
        owner_id: Some(campus.principal.to_string()),
        owner_name: None,
        due_on: Some((day + chrono::Duration::days(14)).to_string()),
        done_at: None,
        created_by: campus.principal.to_string(),
        created_at: start + 2 * 24 * 60 * MINUTE,
    };
    triad_store::operations::insert_follow_up(&mut *c.tx, &follow_up).await?;
    Ok(())
}

/// A threat answered by the checklist, the sheriff called and the leaders told; the incident
/// it became runs a criminal and an administrative investigation side by side.
async fn threat_response(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    sro: Id,
    day: NaiveDate,
    year: i64,
) -> Result<()> {
    let start = c.during(day);
    let threat = "A former student posted that he was coming to the school with a gun";
    let steps = [
        Step {
            at: start,
            by: campus.principal,
            action: Move::ReportThreat.code(),
            status: "controlled_movement",
            detail: Some(format!("Reported: {threat}")),
        },
        Step {
            at: start + 2 * MINUTE,
            by: campus.principal,
            action: TimelineKind::Step.code(),
            status: "controlled_movement",
            detail: Some(ThreatStep::CallSro.label().into()),
        },
        Step {
            at: start + 4 * MINUTE,
            by: sro,
            action: TimelineKind::Step.code(),
            status: "controlled_movement",
            detail: Some(format!(
                "{} (county SO, two units)",
                ThreatStep::PoliceCalled.label()
            )),
        },
        Step {
            at: start + 5 * MINUTE,
            by: sro,
            action: TimelineKind::Notice.code(),
            status: "controlled_movement",
            detail: Some("Notices sent to the district leaders".into()),
        },
        Step {
            at: start + 52 * MINUTE,
            by: sro,
            action: Move::EndControlledMovement.code(),
            status: "normal",
            detail: Some("The former student was found at home by deputies; no weapon.".into()),
        },
    ];
    let event_id = event(c, campus, Some(threat), Move::EndControlledMovement, &steps).await?;
    for (step, by, minutes) in [
        (ThreatStep::ControlledMovement, campus.principal, 0),
        (ThreatStep::CallSro, campus.principal, 2),
        (ThreatStep::PoliceCalled, sro, 4),
        (ThreatStep::LeadersNotified, sro, 5),
    ] {
        triad_store::operations::tick(
            &mut *c.tx,
            &event_id.to_string(),
            step.code(),
            start + minutes * MINUTE,
            by,
        )
        .await?;
    }
    let leaders = triad_store::operations::district_leaders(&mut *c.tx, campus.district).await?;
    for leader in leaders {
        let notice = triad_store::operations::NoticeRow {
            id: c.id("notice").to_string(),
            event_id: event_id.to_string(),
            recipient_id: leader.id.clone(),
            recipient_name: None,
            email: leader.email.clone(),
            subject: "Police or sheriff called".into(),
            body: format!("Police or sheriff were called during the response to a potential threat ({threat})."),
            created_at: start + 5 * MINUTE,
            email_sent_at: None,
            webhook_sent_at: None,
            attempts: 0,
            last_error: None,
            acknowledged_at: None,
        };
        triad_store::operations::insert_notice(&mut *c.tx, &notice).await?;
        if let Some(id) = Id::parse(&leader.id) {
            triad_store::operations::acknowledge(&mut *c.tx, &notice.id, id, start + 20 * MINUTE)
                .await?;
        }
    }
    let incident = crate::demo_incidents::incident(c, campus, day, year, (IncidentKind::ReportedThreat, Classification::Both, "Online", "A former student posted a threat to come to the school armed; deputies found him at home.")).await?;
    investigations(c, campus, sro, incident, start).await
}

async fn investigations(
    c: &mut Ctx<'_>,
    campus: &DemoCampus,
    sro: Id,
    incident: Id,
    start: i64,
) -> Result<()> {
    for (side, lead) in [
        (Side::Criminal, sro),
        (Side::Administrative, campus.principal),
    ] {
        let row = triad_store::investigations::InvestigationRow {
            id: c.id("investigation").to_string(),
            incident_id: incident.to_string(),
            side: side.code().into(),
            lead_id: lead.to_string(),
            lead_name: None,
            opened_at: start + 60 * MINUTE,
            closed_at: None,
            closing_note: None,
        };
        triad_store::investigations::open(&mut *c.tx, &row).await?;
    }
    let notes = [
        (
            Thread::Coordination,
            NoteKind::Opened,
            sro,
            Side::Criminal.opening_notice(),
        ),
        (
            Thread::Coordination,
            NoteKind::Opened,
            campus.principal,
            Side::Administrative.opening_notice(),
        ),
        (
            Thread::Criminal,
            NoteKind::Note,
            sro,
            "Screenshots preserved; the juvenile probation officer informed.",
        ),
        (
            Thread::Administrative,
            NoteKind::Note,
            campus.principal,
            "Threat-assessment team met; a safety plan is being drafted with the family.",
        ),
        (
            Thread::Coordination,
            NoteKind::Sanction,
            campus.principal,
            "Trespass warning for the former student discussed; the SRO will serve it.",
        ),
    ];
    for (k, (thread, kind, author, body)) in notes.into_iter().enumerate() {
        let note = triad_store::investigations::NoteRow {
            id: c.id("investigation-note").to_string(),
            incident_id: incident.to_string(),
            thread: thread.code().into(),
            kind: kind.code().into(),
            body: body.into(),
            author_id: author.to_string(),
            author_name: None,
            created_at: start + (61 + k as i64) * MINUTE,
        };
        triad_store::investigations::add_note(&mut *c.tx, &note).await?;
    }
    Ok(())
}

/// A fire and a lockdown drill held this school year, and a severe-weather drill to come.
async fn drills(c: &mut Ctx<'_>, campus: &DemoCampus, days: &[(NaiveDate, i64)]) -> Result<()> {
    let held = [(DrillKind::Fire, 10usize), (DrillKind::Lockdown, 40)];
    for (kind, back) in held {
        let Some(&(day, year)) = days.iter().rev().nth(back) else {
            continue;
        };
        let at = c.during(day);
        let sro_took_part = campus.sro.is_some() && c.rng.gen_bool(0.8);
        let row = triad_store::drills::DrillRow {
            id: c.id("drill").to_string(),
            district_id: campus.district.to_string(),
            campus_id: campus.campus.to_string(),
            kind: kind.code().into(),
            scheduled_on: day.to_string(),
            school_year: year,
            held_at: Some(at),
            duration_minutes: Some(c.rng.gen_range(8..25)),
            participants: Some(c.rng.gen_range(300..900)),
            sro_took_part: Some(sro_took_part),
            notes: Some("After action: the portables heard the announcement late.".into()),
            created_by: campus.principal.to_string(),
            created_at: at,
        };
        triad_store::drills::insert(&mut *c.tx, &row).await?;
    }
    if let Some(&(last, year)) = days.last() {
        let row = triad_store::drills::DrillRow {
            id: c.id("drill").to_string(),
            district_id: campus.district.to_string(),
            campus_id: campus.campus.to_string(),
            kind: DrillKind::SevereWeather.code().into(),
            scheduled_on: (last + chrono::Duration::days(21)).to_string(),
            school_year: year,
            held_at: None,
            duration_minutes: None,
            participants: None,
            sro_took_part: None,
            notes: Some("With the county emergency manager.".into()),
            created_by: campus.principal.to_string(),
            created_at: c.now.millis(),
        };
        triad_store::drills::insert(&mut *c.tx, &row).await?;
    }
    Ok(())
}
