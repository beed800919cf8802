//! A campus's start-of-year checklist: each item done by the record that shows it (meetings,
//! training) or, for the two no record shows, marked by the SRO or the administrator with a
//! note. Read by the campus's partners; on the SRO's and the administrator's home pages until
//! complete (through the "what is due" service).

use crate::campus::{self, SchoolCalendar};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::meetings::{Held, MeetingKind};
use triad_domain::policy::{decide, Action, Decision, KeptBy, RecordClass, Resource};
use triad_domain::start_of_year::{self as rules, Evidence, StartItem};
use triad_domain::{Id, Invalid};
use triad_store::org::Campus;
use triad_store::start_of_year::{self as store, MarkRow};

fn shared(campus: &Campus) -> Resource {
    Resource::new(RecordClass::Shared, campus::tenant(campus, None))
}

fn marking(campus: &Campus) -> Resource {
    shared(campus).kept_by(KeptBy::StartOfYear)
}

async fn campus_for(
    ctx: &Ctx,
    id: &str,
    action: Action,
    resource: fn(&Campus) -> Resource,
) -> AppResult<Campus> {
    let found = match Id::parse(id) {
        Some(id) => ctx.campus(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let campus = found.ok_or(AppError::NotFound)?;
    ctx.require(action, resource(&campus), ("campus", &campus.id))
        .await?;
    Ok(campus)
}

/// What the campus's records say this school year (its meetings, read by the caller, who
/// needs them too), and the marks made by hand.
pub(crate) async fn evidence(
    ctx: &Ctx,
    campus: &Campus,
    cal: &SchoolCalendar,
    held: &[Held],
) -> AppResult<(Evidence, Vec<MarkRow>)> {
    let mut conn = ctx.app.db.acquire().await?;
    let sros = triad_store::org::active_assignments(
        &mut conn,
        &cal.today.to_string(),
        None,
        None,
        Some(campus.campus_id()),
        None,
    )
    .await?;
    let marks = store::marks(&mut conn, campus.campus_id(), cal.year).await?;
    drop(conn);
    let mut current = None;
    let mut joint = false;
    for a in &sros {
        let (Some(person), Some(agency)) = (Id::parse(&a.person_id), Id::parse(&a.agency_id))
        else {
            continue;
        };
        let (is_current, took_joint) =
            crate::training::current_and_joint(ctx, person, agency).await?;
        current = Some(current.unwrap_or(true) && is_current);
        joint |= took_joint;
    }
    let evidence = Evidence {
        review_with_all_three: held
            .iter()
            .any(|m| m.kind == MeetingKind::SemesterReview && m.all_three_present),
        sro_training_current: current,
        joint_training_held: joint,
        faculty_meeting_with_sro: held
            .iter()
            .any(|m| m.kind == MeetingKind::Faculty && m.sro_present),
        introduction_held: held.iter().any(|m| m.kind == MeetingKind::Introduction),
        marked: marks
            .iter()
            .filter_map(|m| StartItem::from_code(&m.item))
            .collect(),
    };
    Ok((evidence, marks))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub code: String,
    pub label: String,
    pub done: bool,
    /// What record shows it done.
    pub shown_by: String,
    /// Marked by hand: by whom, when, and the note.
    pub marked: Option<String>,
    /// Where its record is.
    pub link: Option<String>,
    /// The actor may mark it done here.
    pub may_mark: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Checklist {
    pub campus_id: String,
    pub campus: String,
    pub school_year: i64,
    pub items: Vec<ChecklistItem>,
    pub done: usize,
}

pub async fn checklist(ctx: &Ctx, campus: &str) -> AppResult<Checklist> {
    let campus = campus_for(ctx, campus, Action::View, shared).await?;
    let cal = campus::calendar(ctx, &campus).await?;
    let rows = triad_store::meetings::of_campus(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        cal.year,
    )
    .await?;
    let (evidence, marks) = evidence(ctx, &campus, &cal, &crate::meetings::held(&rows)).await?;
    let local = campus::district_clock(ctx, &campus.district().to_string()).await?;
    let may_mark = decide(&ctx.actor, Action::Change, marking(&campus)) == Decision::Allow;
    let meetings = format!("/campuses/{}/meetings", campus.id);
    let items: Vec<ChecklistItem> = StartItem::ALL
        .iter()
        .map(|item| {
            let done = rules::is_done(*item, &evidence);
            let mark = marks.iter().find(|m| m.item == item.code());
            let link = match item {
                StartItem::MouReviewed | StartItem::StaffBriefed | StartItem::Introductions => {
                    Some(meetings.clone())
                }
                StartItem::MattersAgreed => Some(format!(
                    "/districts/{}/role-guide#administrator.handing_over",
                    campus.district()
                )),
                StartItem::TrainingCurrent | StartItem::JointTraining => None,
            };
            ChecklistItem {
                code: item.code().into(),
                label: item.label().into(),
                done,
                shown_by: item.shown_by().into(),
                marked: if *item == StartItem::TrainingCurrent
                    && evidence.sro_training_current.is_none()
                {
                    Some("no SRO is assigned to the campus: nothing to be current".into())
                } else {
                    mark.map(|m| {
                        format!(
                            "marked by {} on {}: {}",
                            m.marked_by_name,
                            local.show(m.marked_at),
                            m.note
                        )
                    })
                },
                link,
                may_mark: may_mark && item.marked_by_hand(),
            }
        })
        .collect();
    Ok(Checklist {
        done: items.iter().filter(|i| i.done).count(),
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        school_year: cal.year,
        items,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MarkInput {
    /// What was planned or agreed.
    #[serde(default)]
    pub note: String,
}

/// Marks an item no other record shows done, for this school year.
pub async fn mark(ctx: &Ctx, campus: &str, item: &str, input: &MarkInput) -> AppResult<()> {
    let campus = campus_for(ctx, campus, Action::Change, marking).await?;
    let Some(item) = StartItem::from_code(item).filter(|i| i.marked_by_hand()) else {
        return Err(Invalid::one(
            "item",
            "only the joint training and the agreement on law-enforcement matters are marked by hand; the other items are shown done by their records",
        )
        .into());
    };
    let Some(note) = triad_domain::text::parse_text("note", &input.note, 1000)? else {
        return Err(Invalid::one("note", "say what was planned or agreed, and when").into());
    };
    let cal = campus::calendar(ctx, &campus).await?;
    let row = MarkRow {
        item: item.code().into(),
        note,
        marked_by: ctx.actor.user.to_string(),
        marked_by_name: ctx.actor.display_name.clone(),
        marked_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::mark(&mut tx, campus.campus_id(), cal.year, &row).await?;
    tx.audit(
        ctx.event("start_of_year.mark", Outcome::Ok)
            .record("campus", &campus.id)
            .content(&(cal.year, &row))
            .tenant(Some(campus.district()), None),
    );
    tx.commit().await?;
    Ok(())
}
