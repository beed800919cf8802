//! Drills per campus: put on the calendar, then recorded as held (when, how long, how many
//! took part, whether the SRO did, the after-action notes), and counted per school year.

use crate::campus::{self, Local};
use crate::change::Change;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::drills::{self as rules, DrillKind, HeldDraft};
use triad_domain::org::SchoolYear;
use triad_domain::policy::{Action, RecordClass};
use triad_domain::Id;
use triad_store::drills::{self as store, DrillRow};
use triad_store::org::Campus;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrillView {
    pub id: String,
    pub campus_id: String,
    pub kind: String,
    pub kind_label: String,
    pub scheduled_on: String,
    pub held_at: Option<String>,
    pub duration_minutes: Option<i64>,
    pub participants: Option<i64>,
    pub sro_took_part: Option<bool>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrillCount {
    pub school_year: String,
    pub kind: String,
    pub scheduled: i64,
    pub held: i64,
    pub held_with_sro: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampusDrills {
    pub campus_id: String,
    pub campus: String,
    pub school_year: String,
    pub drills: Vec<DrillView>,
    /// Every school year on record, newest first.
    pub counts: Vec<DrillCount>,
}

fn view(d: DrillRow, local: &Local) -> DrillView {
    let kind = DrillKind::from_code(&d.kind);
    DrillView {
        kind_label: kind.map(|k| k.label()).unwrap_or("").into(),
        id: d.id,
        campus_id: d.campus_id,
        kind: d.kind,
        scheduled_on: d.scheduled_on,
        held_at: d.held_at.map(|t| local.show(t)),
        duration_minutes: d.duration_minutes,
        participants: d.participants,
        sro_took_part: d.sro_took_part,
        notes: d.notes,
    }
}

async fn campus_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<Campus> {
    campus::campus_for(ctx, id, RecordClass::Shared, action, "drills").await
}

fn year_label(year: i64) -> String {
    SchoolYear(i32::try_from(year).unwrap_or_default()).to_string()
}

/// A campus's drills of the current school year, and the counts of every year.
pub async fn of_campus(ctx: &Ctx, campus_id: &str) -> AppResult<CampusDrills> {
    let campus = campus_for(ctx, campus_id, Action::View).await?;
    let local = campus::local(ctx, &campus).await?;
    let year = local.school_year(ctx.now);
    let mut conn = ctx.app.db.acquire().await?;
    let drills = store::of_campus(&mut conn, campus.campus_id(), year).await?;
    let counts = store::counts(&mut conn, campus.campus_id()).await?;
    Ok(CampusDrills {
        campus_id: campus.id.clone(),
        campus: campus.name.clone(),
        school_year: year_label(year),
        drills: drills.into_iter().map(|d| view(d, &local)).collect(),
        counts: counts
            .into_iter()
            .map(|c| DrillCount {
                school_year: year_label(c.school_year),
                kind: DrillKind::from_code(&c.kind)
                    .map(|k| k.label())
                    .unwrap_or("")
                    .into(),
                scheduled: c.scheduled,
                held: c.held,
                held_with_sro: c.with_sro,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    /// lockdown, fire, shelter, evacuation, severe_weather or tabletop
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub scheduled_on: String,
    #[serde(default)]
    pub notes: String,
}

/// Puts a drill on the campus's calendar.
pub async fn schedule(ctx: &Ctx, campus_id: &str, input: ScheduleInput) -> AppResult<DrillView> {
    let campus = campus_for(ctx, campus_id, Action::Change).await?;
    let local = campus::local(ctx, &campus).await?;
    let s = rules::parse_scheduled(&input.kind, &input.scheduled_on, &input.notes)?;
    let row = DrillRow {
        id: Id::new().to_string(),
        district_id: campus.district_id.clone(),
        campus_id: campus.id.clone(),
        kind: s.kind.code().into(),
        scheduled_on: s.on.to_string(),
        school_year: i64::from(local.year_start.school_year_of(s.on).0),
        held_at: None,
        duration_minutes: None,
        participants: None,
        sro_took_part: None,
        notes: s.notes,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert(&mut tx, &row).await?;
    audit(ctx, &mut tx, &campus, "drill.schedule", &row).await?;
    tx.commit().await?;
    Ok(view(row, &local))
}

async fn audit(
    ctx: &Ctx,
    tx: &mut Change,
    campus: &Campus,
    action: &str,
    row: &DrillRow,
) -> AppResult<()> {
    let event = ctx
        .event(action, Outcome::Ok)
        .record("drill", &row.id)
        .content(row)
        .tenant(Some(campus.district()), None);
    tx.audit(event);
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HeldInput {
    /// When it was held, campus time: YYYY-MM-DDTHH:MM
    #[serde(default)]
    pub held_at: String,
    #[serde(default)]
    pub duration_minutes: String,
    #[serde(default)]
    pub participants: String,
    /// yes or no
    #[serde(default)]
    pub sro_took_part: String,
    #[serde(default)]
    pub after_action: String,
}

/// Records a scheduled drill as held. It counts in the school year it was held in.
pub async fn record_held(ctx: &Ctx, drill_id: &str, input: HeldInput) -> AppResult<DrillView> {
    let parsed = Id::parse(drill_id).ok_or(AppError::NotFound)?;
    let row = store::get(&mut ctx.app.db.acquire().await?, parsed).await?;
    let campus_id = row
        .as_ref()
        .map(|d| d.campus_id.clone())
        .unwrap_or_else(|| Id::new().to_string());
    let campus = campus_for(ctx, &campus_id, Action::Change).await?;
    let mut row = row.ok_or(AppError::NotFound)?;
    let local = campus::local(ctx, &campus).await?;
    let draft = HeldDraft {
        held_at: &input.held_at,
        duration_minutes: &input.duration_minutes,
        participants: &input.participants,
        sro_took_part: &input.sro_took_part,
        after_action: &input.after_action,
    };
    let held = rules::parse_held(&draft, local.tz, ctx.now)?;
    row.held_at = Some(held.at.millis());
    row.duration_minutes = Some(held.duration_minutes);
    row.participants = Some(held.participants);
    row.sro_took_part = Some(held.sro_took_part);
    row.school_year = local.school_year(held.at);
    row.notes = match (row.notes.take(), held.after_action) {
        (Some(plan), Some(after)) => Some(format!("{plan}\n\nAfter action: {after}")),
        (plan, after) => after.map(|a| format!("After action: {a}")).or(plan),
    };
    let mut tx = ctx.change().await?;
    if !store::record_held(&mut tx, &row).await? {
        return Err(AppError::Conflict(
            "this drill is already recorded as held".into(),
        ));
    }
    audit(ctx, &mut tx, &campus, "drill.held", &row).await?;
    tx.commit().await?;
    Ok(view(row, &local))
}
