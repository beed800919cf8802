//! What is due this week for a person, campus by campus: the campus's state, the week's
//! SRO–principal meeting (held or not), the cadence so far, this term's review of the MOU,
//! the start-of-year checklist while any of it is left, evaluations waiting for an
//! administrator's input,
//! the campus's open action items, evidence waiting for the person to acknowledge receiving
//! it, the campus's bans ending this week, the next drill, the visitors signed in now. One entry kind
//! per source, read from the store under the access policy, so work to come (program
//! records, the assessment, an email digest) adds a kind here rather than a page of its own.

use crate::campus::{self, SchoolCalendar};
use crate::context::Ctx;
use crate::error::AppResult;
use serde::Serialize;
use triad_domain::auth::{Role, RolesHere, Scope};
use triad_domain::meetings::{self as meeting_rules, ActionStatus};
use triad_domain::operations::CampusStatus;
use triad_domain::policy::RecordClass;
use triad_store::org::Campus;

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    CampusState,
    PrincipalMeeting,
    CadenceGap,
    SemesterReview,
    StartOfYear,
    EvaluationInput,
    PanelInput,
    ActionItems,
    EvidenceToReceive,
    BansEnding,
    NextDrill,
    VisitorsNow,
}

/// How much an entry asks of the person now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// A campus not at normal.
    Now,
    /// Late, or to do this week.
    Due,
    /// Worth knowing.
    Info,
    /// Done this week.
    Done,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueEntry {
    pub kind: DueKind,
    pub urgency: Urgency,
    pub text: String,
    pub link: Option<String>,
}

impl DueEntry {
    /// The urgency as pages mark it (a class name).
    pub fn urgency_code(&self) -> &'static str {
        match self.urgency {
            Urgency::Now => "now",
            Urgency::Due => "due",
            Urgency::Info => "info",
            Urgency::Done => "done",
        }
    }
}

/// One campus's week, most urgent first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusWeek {
    pub campus_id: String,
    pub campus: String,
    pub district: String,
    pub entries: Vec<DueEntry>,
}

/// The campuses a person is on (their campus roles and an SRO's assignments), each with
/// what is due there this week. A campus the policy no longer lets them read is left out.
pub async fn this_week(ctx: &Ctx) -> AppResult<Vec<CampusWeek>> {
    let mut out = Vec::new();
    for (campus, here) in campuses_on(ctx).await? {
        let district = ctx
            .district(&mut ctx.app.db.acquire().await?, campus.district())
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        let mut entries = campus_entries(ctx, &campus, &here).await?;
        entries.sort_by_key(|e| e.urgency);
        out.push(CampusWeek {
            campus_id: campus.id.clone(),
            campus: campus.name.clone(),
            district,
            entries,
        });
    }
    Ok(out)
}

/// The campuses a person is on (their campus roles and an SRO's assignments) with their roles
/// there, each once; a campus the policy no longer lets them read is left out.
pub(crate) async fn campuses_on(ctx: &Ctx) -> AppResult<Vec<(Campus, RolesHere)>> {
    let ids = ctx
        .actor
        .grants
        .iter()
        .filter_map(|g| match g.scope {
            Scope::Campus { campus, .. } => Some(campus),
            _ => None,
        })
        .chain(ctx.actor.sro_assignments().map(|a| a.campus));
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let mut conn = ctx.app.db.acquire().await?;
    for id in ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(campus) = ctx.campus(&mut conn, id).await? else {
            continue;
        };
        let here = ctx
            .actor
            .roles_for(&campus::tenant(&campus, None), RecordClass::Shared);
        if !here.is_empty() {
            out.push((campus, here));
        }
    }
    Ok(out)
}

/// The partners of the program: who the meetings, items and front desk are for.
pub(crate) fn partner(here: &RolesHere) -> bool {
    [Role::Sro, Role::Sso, Role::CampusAdmin]
        .iter()
        .any(|r| here.has(*r))
}

async fn campus_entries(ctx: &Ctx, campus: &Campus, here: &RolesHere) -> AppResult<Vec<DueEntry>> {
    // Everyone on the campus learns its state; the rest is the partners' work, and so is
    // the status page it links to.
    let mut state = state(ctx, campus).await?;
    if !partner(here) {
        state.link = None;
    }
    let mut entries = vec![state];
    if partner(here) {
        let cal = campus::calendar(ctx, campus).await?;
        // This year's meetings, read once for the week, the cadence and the checklist.
        let rows = triad_store::meetings::of_campus(
            &mut ctx.app.db.acquire().await?,
            campus.campus_id(),
            cal.year,
        )
        .await?;
        let held = crate::meetings::held(&rows);
        entries.extend(meetings(campus, &cal, &held));
        if here.has(Role::Sro) || here.has(Role::CampusAdmin) {
            entries.extend(start_of_year(ctx, campus, &cal, &held).await?);
        }
        if here.has(Role::CampusAdmin) {
            entries.extend(evaluation_inputs(ctx, campus, &cal).await?);
            entries.extend(
                crate::selection::panel_waiting(ctx, campus)
                    .await?
                    .into_iter()
                    .map(|(posting, title)| DueEntry {
                        kind: DueKind::PanelInput,
                        urgency: Urgency::Due,
                        text: format!("Your recommendation on the candidates for {title} is asked"),
                        link: Some(format!("/postings/{posting}")),
                    }),
            );
        }
        entries.extend(action_items(ctx, campus, &cal).await?);
        entries.extend(evidence_to_receive(ctx, campus).await?);
        entries.extend(bans_ending(ctx, campus, &cal).await?);
        entries.extend(next_drill(ctx, campus, &cal).await?);
        entries.extend(visitors(ctx, campus).await?);
    }
    Ok(entries)
}

async fn state(ctx: &Ctx, campus: &Campus) -> AppResult<DueEntry> {
    let words = campus::state_words(ctx, campus).await?;
    let open =
        triad_store::operations::open_event(&mut ctx.app.db.acquire().await?, campus.campus_id())
            .await?;
    let status = open
        .as_ref()
        .and_then(|e| CampusStatus::from_code(&e.status))
        .unwrap_or(CampusStatus::Normal);
    Ok(DueEntry {
        kind: DueKind::CampusState,
        urgency: if status == CampusStatus::Normal {
            Urgency::Info
        } else {
            Urgency::Now
        },
        text: match status {
            CampusStatus::Normal => "Campus status: normal".into(),
            _ => format!("{} in force now", words.label(status)),
        },
        link: Some(format!("/campuses/{}/status", campus.id)),
    })
}

/// This week's SRO–principal meeting, held or not, and the weeks of the year without one.
fn meetings(campus: &Campus, cal: &SchoolCalendar, held: &[meeting_rules::Held]) -> Vec<DueEntry> {
    let monday = triad_domain::org::week_start(cal.today);
    let this_week = held
        .iter()
        .filter(|m| m.kind == meeting_rules::MeetingKind::WeeklyPrincipal && m.on >= monday)
        .map(|m| m.on)
        .max();
    let link = Some(format!("/campuses/{}/meetings", campus.id));
    let mut out = vec![match this_week {
        Some(on) => DueEntry {
            kind: DueKind::PrincipalMeeting,
            urgency: Urgency::Done,
            text: format!("SRO–principal meeting held this week ({on})"),
            link: link.clone(),
        },
        None => DueEntry {
            kind: DueKind::PrincipalMeeting,
            urgency: Urgency::Due,
            text: "SRO–principal meeting: not held yet this week".into(),
            link: link.clone(),
        },
    }];
    let cadence = meeting_rules::cadence(held, &cal.school_days, &cal.terms, cal.today);
    let missed = cadence
        .school_weeks
        .saturating_sub(cadence.weeks_with_principal_meeting);
    if missed > 0 {
        out.push(DueEntry {
            kind: DueKind::CadenceGap,
            urgency: Urgency::Info,
            text: format!(
                "{missed} of {} school weeks this year without an SRO–principal meeting",
                cadence.school_weeks
            ),
            link: link.clone(),
        });
    }
    out.extend(semester_review(&cadence, cal, link));
    out
}

/// This term's review of the MOU by the SRO, the LE supervisor and the administrator: held,
/// or still to hold (due in the term's last month, worth knowing before).
fn semester_review(
    cadence: &meeting_rules::Cadence,
    cal: &SchoolCalendar,
    link: Option<String>,
) -> Option<DueEntry> {
    let (term, (name, held)) = cal
        .terms
        .iter()
        .zip(&cadence.semester_reviews)
        .find(|(t, _)| t.first_day <= cal.today && cal.today <= t.last_day)?;
    let (urgency, text) = if *held {
        (
            Urgency::Done,
            format!("Semester review of the MOU held this {name}"),
        )
    } else {
        let last_month = (term.last_day - cal.today).num_days() <= 30;
        (
            if last_month { Urgency::Due } else { Urgency::Info },
            format!(
                "Semester review of the MOU with the SRO, the LE supervisor and the administrator together: not held yet this {name}, which ends {}",
                term.last_day
            ),
        )
    };
    Some(DueEntry {
        kind: DueKind::SemesterReview,
        urgency,
        text,
        link,
    })
}

/// The start-of-year checklist, while any of it is left: due from three weeks before the
/// first school day, worth knowing before that.
async fn start_of_year(
    ctx: &Ctx,
    campus: &Campus,
    cal: &SchoolCalendar,
    held: &[meeting_rules::Held],
) -> AppResult<Option<DueEntry>> {
    use triad_domain::start_of_year::{self as rules, StartItem};
    let (evidence, _) = crate::start_of_year::evidence(ctx, campus, cal, held).await?;
    let left = rules::remaining(&evidence);
    let Some(next) = left.first() else {
        return Ok(None);
    };
    let total = StartItem::ALL.len();
    Ok(Some(DueEntry {
        kind: DueKind::StartOfYear,
        urgency: if rules::is_due(cal.today, cal.school_days.first().copied()) {
            Urgency::Due
        } else {
            Urgency::Info
        },
        text: format!(
            "Start of the school year: {} of {total} done; next: {}",
            total - left.len(),
            next.label()
        ),
        link: Some(format!("/campuses/{}/start-of-year", campus.id)),
    }))
}

/// Evaluations of this year of the campus's officers that wait for this administrator's input.
async fn evaluation_inputs(
    ctx: &Ctx,
    campus: &Campus,
    cal: &SchoolCalendar,
) -> AppResult<Vec<DueEntry>> {
    Ok(crate::personnel::awaiting_input(ctx, campus, cal.year)
        .await?
        .into_iter()
        .map(|(id, officer)| DueEntry {
            kind: DueKind::EvaluationInput,
            urgency: Urgency::Due,
            text: format!("Your input on {officer}'s evaluation this school year is asked"),
            link: Some(format!("/evaluations/{id}")),
        })
        .collect())
}

async fn action_items(
    ctx: &Ctx,
    campus: &Campus,
    cal: &SchoolCalendar,
) -> AppResult<Vec<DueEntry>> {
    let open = triad_store::meetings::open_items_of_campus(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
    )
    .await?;
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let today = cal.today.to_string();
    let overdue = open
        .iter()
        .filter(|i| {
            i.status == ActionStatus::Open.code()
                && i.due_on.as_deref().is_some_and(|d| d < today.as_str())
        })
        .count();
    Ok(vec![DueEntry {
        kind: DueKind::ActionItems,
        urgency: if overdue > 0 {
            Urgency::Due
        } else {
            Urgency::Info
        },
        text: {
            let items = match open.len() {
                1 => "1 open action item".to_string(),
                n => format!("{n} open action items"),
            };
            match overdue {
                0 => items,
                n => format!("{items}, {n} overdue"),
            }
        },
        link: Some(format!("/campuses/{}/meetings", campus.id)),
    }])
}

/// Evidence released to the person and waiting for them to acknowledge receiving it: custody
/// is in the air until they do.
async fn evidence_to_receive(ctx: &Ctx, campus: &Campus) -> AppResult<Vec<DueEntry>> {
    let waiting = triad_store::evidence::awaiting_receipt_by(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        ctx.actor.user,
    )
    .await?;
    Ok(waiting
        .into_iter()
        .map(|(id, description)| DueEntry {
            kind: DueKind::EvidenceToReceive,
            urgency: Urgency::Due,
            text: format!("Evidence waits for you to acknowledge receiving it: {description}"),
            link: Some(format!("/evidence/{id}")),
        })
        .collect())
}

/// The campus's bans that end within the coming seven days, counted (an email carries no
/// one's name): the partners decide whether to renew them before they lapse.
async fn bans_ending(ctx: &Ctx, campus: &Campus, cal: &SchoolCalendar) -> AppResult<Vec<DueEntry>> {
    let week_end = cal.today + chrono::Duration::days(6);
    let ending = triad_store::visitors::bans_ending(
        &mut ctx.app.db.acquire().await?,
        campus.district(),
        campus.campus_id(),
        &cal.today.to_string(),
        &week_end.to_string(),
    )
    .await?;
    if ending == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![DueEntry {
        kind: DueKind::BansEnding,
        urgency: Urgency::Due,
        text: match ending {
            1 => format!("1 campus ban ends by {week_end}: renew it or let it end"),
            n => format!("{n} campus bans end by {week_end}: renew them or let them end"),
        },
        link: Some(format!("/campuses/{}/bans", campus.id)),
    }])
}

/// The next drill to hold: one past its date and not recorded first, else the next scheduled.
async fn next_drill(ctx: &Ctx, campus: &Campus, cal: &SchoolCalendar) -> AppResult<Vec<DueEntry>> {
    let drills = triad_store::drills::of_campus(
        &mut ctx.app.db.acquire().await?,
        campus.campus_id(),
        cal.year,
    )
    .await?;
    let today = cal.today.to_string();
    let Some(next) = drills.iter().find(|d| d.held_at.is_none()) else {
        return Ok(Vec::new());
    };
    let kind = triad_domain::drills::DrillKind::from_code(&next.kind)
        .map(|k| k.label())
        .unwrap_or("Drill");
    let late = next.scheduled_on < today;
    Ok(vec![DueEntry {
        kind: DueKind::NextDrill,
        urgency: if late { Urgency::Due } else { Urgency::Info },
        text: if late {
            format!(
                "{kind} drill scheduled {} is not recorded as held",
                next.scheduled_on
            )
        } else {
            format!("Next drill: {kind}, {}", next.scheduled_on)
        },
        link: Some(format!("/campuses/{}/drills", campus.id)),
    }])
}

async fn visitors(ctx: &Ctx, campus: &Campus) -> AppResult<Vec<DueEntry>> {
    let now =
        triad_store::visitors::signed_in_now(&mut ctx.app.db.acquire().await?, campus.campus_id())
            .await?;
    Ok(vec![DueEntry {
        kind: DueKind::VisitorsNow,
        urgency: Urgency::Info,
        text: match now {
            0 => "No visitors signed in now".into(),
            1 => "1 visitor signed in now".into(),
            n if n >= triad_store::visitors::OPEN_VISITS_COUNTED => {
                format!("{n} or more visitors signed in now: sign out those who have left")
            }
            n => format!("{n} visitors signed in now"),
        },
        link: Some(format!("/campuses/{}/visitors", campus.id)),
    }])
}
