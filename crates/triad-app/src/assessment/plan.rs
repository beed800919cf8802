//! The improvement plan: goals answering findings, objectives under them, and action steps
//! with an owner who works in the program, a due day and where each stands; moved by its
//! owner (from their home page) or by those who write the plan.

use super::findings::FindingRef;
use crate::campus::Local;
use crate::context::{Ctx, PersonChoice};
use crate::error::{AppError, AppResult};
use crate::partnership;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use triad_domain::assessment as rules;
use triad_domain::audit::Outcome;
use triad_domain::improvement::{NewEntry, PlanLevel, StatusChange, StepStatus};
use triad_domain::policy::{decide, Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Invalid};
use triad_store::improvement::{self as store, PlanRow};
use triad_store::org::Partnership;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanEntryView {
    pub id: String,
    pub partnership: String,
    /// goal, objective or step
    pub level: String,
    pub level_label: String,
    pub title: String,
    pub owner: Option<String>,
    pub due_on: Option<String>,
    pub status: String,
    pub status_label: String,
    pub note: String,
    pub updated: String,
    /// A step's due day has passed while it is still open.
    pub late: bool,
    /// The findings a goal answers.
    pub findings: Vec<FindingRef>,
    #[schema(no_recursion)]
    pub children: Vec<PlanEntryView>,
    /// The reader may change where a step stands (its owner, or a rater of the program).
    pub may_update: bool,
}

/// The people a step may be given to: anyone who works under the partnership's MOU or on one
/// of the district's campuses.
async fn program_records(ctx: &Ctx, p: &Partnership) -> AppResult<Vec<Resource>> {
    let (agency, district) = partnership::ids(p);
    let campuses =
        triad_store::org::campuses_of(&mut ctx.app.db.acquire().await?, district).await?;
    let mut records = vec![triad_domain::mou::record(agency, district)];
    records.extend(
        campuses
            .iter()
            .map(|c| Resource::new(RecordClass::Shared, Tenant::campus(district, c.campus_id()))),
    );
    Ok(records)
}

/// Whether the reader works in the program, by the rule a step's owner is chosen by.
async fn works_in(ctx: &Ctx, p: &Partnership) -> AppResult<bool> {
    let records = program_records(ctx, p).await?;
    Ok(triad_domain::policy::allows_any(
        &ctx.actor,
        Action::View,
        &records,
    ))
}

pub(super) fn may_change(ctx: &Ctx, p: &Partnership) -> bool {
    decide(
        &ctx.actor,
        Action::Change,
        partnership::record(p, rules::record),
    ) == triad_domain::policy::Decision::Allow
}

pub(super) fn entry_view(
    row: &PlanRow,
    rows: &[PlanRow],
    findings: &HashMap<String, FindingRef>,
    links: &[(String, String)],
    ctx: &Ctx,
    writer: bool,
    local: &Local,
) -> PlanEntryView {
    let status = StepStatus::from_code(&row.status);
    let is_step = row.level == PlanLevel::Step.code();
    let today = local.date(ctx.now).to_string();
    PlanEntryView {
        id: row.id.clone(),
        partnership: row.partnership_id.clone(),
        level: row.level.clone(),
        level_label: PlanLevel::from_code(&row.level)
            .map_or("", |l| l.label())
            .to_string(),
        title: row.title.clone(),
        owner: row.owner_name.clone(),
        due_on: row.due_on.clone(),
        status: row.status.clone(),
        status_label: status.map_or("", |s| s.label()).to_string(),
        note: row.note.clone(),
        updated: format!("{} on {}", row.updated_by_name, local.show(row.updated_at)),
        late: is_step
            && status.is_some_and(StepStatus::open)
            && row.due_on.as_deref().is_some_and(|d| d < today.as_str()),
        findings: links
            .iter()
            .filter(|(plan, _)| *plan == row.id)
            .filter_map(|(_, f)| findings.get(f).cloned())
            .collect(),
        children: rows
            .iter()
            .filter(|r| r.parent_id.as_deref() == Some(row.id.as_str()))
            .map(|r| entry_view(r, rows, findings, links, ctx, writer, local))
            .collect(),
        may_update: is_step
            && (writer || row.owner_id.as_deref() == Some(ctx.actor.user.to_string().as_str())),
    }
}

/// Who a step may be given to, for the form's list: the same rule as the field's.
pub(super) async fn owner_choices(ctx: &Ctx, p: &Partnership) -> AppResult<Vec<PersonChoice>> {
    let records = program_records(ctx, p).await?;
    let (_, district) = partnership::ids(p);
    let people = ctx
        .people_who_may_any(
            district,
            &records,
            Action::View,
            "",
            crate::context::CHOICES,
        )
        .await?;
    let mut out: Vec<PersonChoice> = people
        .iter()
        .map(|n| PersonChoice {
            username: n.user.username.clone(),
            name: n.user.display_name.clone(),
        })
        .collect();
    out.sort_by_key(|c| c.name.to_lowercase());
    Ok(out)
}

/// A new entry of the plan, as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanEntryInput {
    /// goal, objective or step
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub title: String,
    /// An objective's goal, a step's objective.
    #[serde(default)]
    pub parent: String,
    /// A goal: the accepted finding it answers (optional).
    #[serde(default)]
    pub finding: String,
    /// A step: its owner's user name, someone who works in the program.
    #[serde(default)]
    pub owner: String,
    /// A step: YYYY-MM-DD, today or later.
    #[serde(default)]
    pub due_on: String,
}

/// Adds a goal (answering a finding), an objective under a goal, or an action step under an
/// objective with its owner and due day.
pub async fn add_entry(ctx: &Ctx, id: &str, input: &PlanEntryInput) -> AppResult<PlanEntryView> {
    let p = partnership::find(ctx, id, Action::Change, rules::record).await?;
    let local = crate::campus::district_clock(ctx, &p.district_id).await?;
    let mut invalid = Invalid::default();
    let entry = invalid.check(NewEntry::parse(
        &input.level,
        &input.title,
        &input.due_on,
        local.date(ctx.now),
    ));
    let pid = partnership::id(&p);
    let (plan, decided) = {
        let mut conn = ctx.app.db.acquire().await?;
        (
            store::plan(&mut conn, pid).await?,
            store::findings(&mut conn, pid).await?,
        )
    };
    let level = entry.as_ref().map(|e| e.level);
    let parent = level.and_then(PlanLevel::parent).and_then(|wanted| {
        let found = plan
            .iter()
            .find(|r| r.id == input.parent.trim() && r.level == wanted.code());
        if found.is_none() {
            invalid.push(
                "parent",
                format!(
                    "choose the {} of this plan it belongs to",
                    wanted.label().to_lowercase()
                ),
            );
        }
        found.map(|r| r.id.clone())
    });
    let finding = match (level, input.finding.trim()) {
        (Some(PlanLevel::Goal), chosen) if !chosen.is_empty() => {
            let found = decided
                .iter()
                .find(|f| f.id == chosen && f.status == "accepted");
            if found.is_none() {
                invalid.push("finding", "choose one of this program's accepted findings");
            }
            found.map(|f| f.id.clone())
        }
        _ => None,
    };
    let owner = if level == Some(PlanLevel::Step) {
        let records = program_records(ctx, &p).await?;
        let named = ctx
            .named_for_any(&input.owner, &records, Action::View)
            .await?;
        if named.is_none() {
            invalid.push(
                "owner",
                "name someone who works in this program (on one of its campuses, or under its MOU), by their user name",
            );
        }
        named
    } else {
        None
    };
    invalid.into_result()?;
    let Some(entry) = entry else {
        return Err(AppError::Internal("plan entry checked but absent".into()));
    };
    let row = PlanRow {
        id: Id::new().to_string(),
        partnership_id: p.id.clone(),
        level: entry.level.code().to_string(),
        parent_id: parent,
        title: entry.title,
        owner_id: owner.as_ref().map(|o| o.user.id.clone()),
        owner_name: owner.as_ref().map(|o| o.user.display_name.clone()),
        due_on: entry.due_on.map(|d| d.to_string()),
        status: StepStatus::Planned.code().to_string(),
        note: String::new(),
        created_at: ctx.now.millis(),
        updated_by_name: ctx.actor.display_name.clone(),
        updated_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert_plan_entry(&mut tx, &row).await?;
    if let Some(f) = &finding {
        store::insert_link(&mut tx, &row.id, f).await?;
    }
    tx.audit(
        ctx.event("improvement.plan", Outcome::Ok)
            .record("improvement_plan", &row.id)
            .content(&(&row, &finding))
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    let refs = HashMap::new();
    Ok(entry_view(&row, &[], &refs, &[], ctx, true, &local))
}

/// Where a step stands, as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StatusInput {
    /// planned, under_way, done or dropped
    #[serde(default)]
    pub status: String,
    /// What was done, or why it is dropped (required to drop it).
    #[serde(default)]
    pub note: String,
}

/// Moves a step: by its owner, or by someone who may write the program's plan; anyone else is
/// refused (and someone outside the program finds no such step).
pub async fn set_step_status(
    ctx: &Ctx,
    step: &str,
    input: &StatusInput,
) -> AppResult<PlanEntryView> {
    let found = match Id::parse(step) {
        Some(id) => store::plan_entry(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let Some(row) = found.filter(|r| r.level == PlanLevel::Step.code()) else {
        return Err(AppError::NotFound);
    };
    let p = match Id::parse(&row.partnership_id) {
        Some(id) => triad_store::org::partnership(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    }
    .ok_or(AppError::NotFound)?;
    // Its owner moves it while they still work in the program; anyone else needs the plan.
    let owner = row.owner_id.as_deref() == Some(ctx.actor.user.to_string().as_str())
        && works_in(ctx, &p).await?;
    if !owner {
        ctx.require(
            Action::Change,
            partnership::record(&p, rules::record),
            ("improvement_plan", &row.id),
        )
        .await?;
    }
    let change = StatusChange::parse(&input.status, &input.note)?;
    let mut tx = ctx.change().await?;
    store::set_status(
        &mut tx,
        Id::parse(&row.id).ok_or(AppError::NotFound)?,
        change.status.code(),
        &change.note,
        &ctx.actor.display_name,
        ctx.now.millis(),
    )
    .await?;
    tx.audit(
        ctx.event("improvement.step", Outcome::Ok)
            .record("improvement_plan", &row.id)
            .content(&(change.status.code(), &change.note))
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    let local = crate::campus::district_clock(ctx, &p.district_id).await?;
    let updated = PlanRow {
        status: change.status.code().to_string(),
        note: change.note,
        updated_by_name: ctx.actor.display_name.clone(),
        updated_at: ctx.now.millis(),
        ..row
    };
    let refs = HashMap::new();
    Ok(entry_view(&updated, &[], &refs, &[], ctx, !owner, &local))
}

/// An open step of the person's own, for their home page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyStep {
    pub id: String,
    pub program: String,
    pub title: String,
    pub due_on: Option<String>,
    pub late: bool,
    pub status: String,
    pub status_label: String,
    pub note: String,
}

/// The open steps the person owns in programs they still work in, soonest due first; late
/// by the program's district's day.
pub async fn my_steps(ctx: &Ctx) -> AppResult<Vec<MyStep>> {
    let rows = store::open_steps_of(
        &mut ctx.app.db.acquire().await?,
        &ctx.actor.user.to_string(),
    )
    .await?;
    // Each program once: whether the person still works in it, and its district's day.
    let mut programs: HashMap<String, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        if !programs.contains_key(&r.partnership_id) {
            let found = match Id::parse(&r.partnership_id) {
                Some(id) => {
                    triad_store::org::partnership(&mut ctx.app.db.acquire().await?, id).await?
                }
                None => None,
            };
            let today = match found {
                Some(p) if works_in(ctx, &p).await? => {
                    let local = crate::campus::district_clock(ctx, &p.district_id).await?;
                    Some(local.date(ctx.now).to_string())
                }
                _ => None,
            };
            programs.insert(r.partnership_id.clone(), today);
        }
        let Some(Some(today)) = programs.get(&r.partnership_id) else {
            continue;
        };
        out.push(MyStep {
            late: r.due_on.as_deref().is_some_and(|d| d < today.as_str()),
            id: r.id,
            program: format!("{} and {}", r.agency_name, r.district_name),
            title: r.title,
            due_on: r.due_on,
            status_label: StepStatus::from_code(&r.status)
                .map_or("", |s| s.label())
                .to_string(),
            status: r.status,
            note: r.note,
        });
    }
    Ok(out)
}
