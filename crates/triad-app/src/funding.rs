//! A partnership's grants: what each pays for, from whom, until when, and the plan for
//! carrying the cost after it ends (due a year before). Once for pages, the API and the
//! leaders' home pages.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::partnership::{self, Sides};
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::funding::{self as rules, PlanStanding};
use triad_domain::policy::Action;
use triad_domain::Id;
use triad_store::funding::{self as store, GrantRow};
use triad_store::org::Partnership;

async fn partnership_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<Partnership> {
    partnership::find(ctx, id, action, rules::record).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    pub id: String,
    pub covers: String,
    pub funder: String,
    /// In cents.
    pub amount_cents: i64,
    /// As people read it: "$250,000.00".
    pub amount: String,
    /// YYYY-MM-DD
    pub starts: String,
    /// YYYY-MM-DD
    pub ends: String,
    /// The day the continuation plan is due (a year before the end), YYYY-MM-DD.
    pub plan_due: String,
    /// recorded, not_yet, due_soon, overdue or ended_without
    pub plan_standing: String,
    /// The leaders' home pages name it now.
    pub needs_plan: bool,
    /// The standing in words.
    pub plan_words: String,
    pub plan: Option<String>,
    pub plan_recorded: Option<String>,
}

fn view(g: &GrantRow, today: chrono::NaiveDate, sides: &Sides) -> GrantView {
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or(today);
    let (starts, ends) = (day(&g.starts_on), day(&g.ends_on));
    let due = rules::plan_due(starts, ends);
    let standing = rules::plan_standing(starts, ends, g.plan.is_some(), today);
    let plan_words = match standing {
        PlanStanding::Recorded => "continuation plan recorded".to_string(),
        PlanStanding::NotYet => format!("continuation plan due by {due}"),
        PlanStanding::DueSoon => format!(
            "continuation plan due by {due}, in {} days",
            (due - today).num_days()
        ),
        PlanStanding::Overdue => format!(
            "continuation plan was due by {due} and is not recorded; the grant ends on {ends}"
        ),
        PlanStanding::EndedWithout => "ended without a continuation plan".to_string(),
    };
    GrantView {
        id: g.id.clone(),
        covers: g.covers.clone(),
        funder: g.funder.clone(),
        amount_cents: g.amount_cents,
        amount: rules::show_amount(g.amount_cents),
        starts: g.starts_on.clone(),
        ends: g.ends_on.clone(),
        plan_due: due.to_string(),
        plan_standing: standing.code().into(),
        needs_plan: standing.on_home(),
        plan_words,
        plan: g.plan.clone(),
        plan_recorded: g.plan_at.map(|at| sides.local.show(at)),
    }
}

/// A partnership's funding at a glance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartnershipFunding {
    pub partnership_id: String,
    pub agency: String,
    pub district: String,
    /// The soonest ending first.
    pub grants: Vec<GrantView>,
    /// Grants whose plan the leaders' home pages name now.
    pub needs_plan: usize,
}

pub async fn of_partnership(ctx: &Ctx, id: &str) -> AppResult<PartnershipFunding> {
    let p = partnership_for(ctx, id, Action::View).await?;
    let pid = Id::parse(&p.id).ok_or(AppError::NotFound)?;
    let sides = partnership::sides(ctx, &p).await?;
    let today = sides.local.date(ctx.now);
    let rows = store::of_partnership(&mut ctx.app.db.acquire().await?, pid).await?;
    let grants: Vec<GrantView> = rows.iter().map(|g| view(g, today, &sides)).collect();
    Ok(PartnershipFunding {
        needs_plan: grants.iter().filter(|g| g.needs_plan).count(),
        partnership_id: p.id,
        agency: sides.agency,
        district: sides.district,
        grants,
    })
}

/// A grant as a form or an API call sends it; dates YYYY-MM-DD, the amount in dollars.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct GrantTermsInput {
    #[serde(default)]
    pub covers: String,
    #[serde(default)]
    pub funder: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub ends: String,
}

impl GrantTermsInput {
    fn terms(&self) -> Result<rules::GrantTerms, triad_domain::Invalid> {
        rules::parse_grant(
            &self.covers,
            &self.funder,
            &self.amount,
            &self.starts,
            &self.ends,
        )
    }
}

pub async fn add_grant(
    ctx: &Ctx,
    partnership: &str,
    input: &GrantTermsInput,
) -> AppResult<GrantRow> {
    let p = partnership_for(ctx, partnership, Action::Change).await?;
    let terms = input.terms()?;
    let row = GrantRow {
        id: Id::new().to_string(),
        partnership_id: p.id.clone(),
        covers: terms.covers,
        funder: terms.funder,
        amount_cents: terms.amount_cents,
        starts_on: terms.starts.to_string(),
        ends_on: terms.ends.to_string(),
        plan: None,
        plan_by: None,
        plan_at: None,
        created_by: ctx.actor.user.to_string(),
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert(&mut tx, &row).await?;
    tx.audit(
        ctx.event("grant.add", Outcome::Ok)
            .record("grant", &row.id)
            .content(&row)
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(row)
}

/// Corrects a grant's terms (the two sides' leaders); its plan, if recorded, stays.
pub async fn correct(ctx: &Ctx, grant: &str, input: &GrantTermsInput) -> AppResult<GrantRow> {
    let row = match Id::parse(grant) {
        Some(id) => store::grant(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let p = partnership_for(ctx, &row.partnership_id, Action::Change).await?;
    let terms = input.terms()?;
    let corrected = GrantRow {
        covers: terms.covers,
        funder: terms.funder,
        amount_cents: terms.amount_cents,
        starts_on: terms.starts.to_string(),
        ends_on: terms.ends.to_string(),
        ..row
    };
    let mut tx = ctx.change().await?;
    store::correct(&mut tx, &corrected).await?;
    tx.audit(
        ctx.event("grant.correct", Outcome::Ok)
            .record("grant", &corrected.id)
            .content(&corrected)
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(corrected)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    /// How the position or program is paid for once the grant ends.
    #[serde(default)]
    pub plan: String,
}

/// Records a grant's continuation plan (a later one replaces it; the audit trail keeps each).
pub async fn record_plan(ctx: &Ctx, grant: &str, input: &PlanInput) -> AppResult<String> {
    let row = match Id::parse(grant) {
        Some(id) => store::grant(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let p = partnership_for(ctx, &row.partnership_id, Action::Change).await?;
    let plan = rules::parse_plan(&input.plan)?;
    let gid = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    if !store::set_plan(&mut tx, gid, &plan, ctx.actor.user, ctx.now.millis()).await? {
        return Err(AppError::NotFound);
    }
    tx.audit(
        ctx.event("grant.plan", Outcome::Ok)
            .record("grant", &row.id)
            .content(&(&row.id, &plan))
            .tenant(Id::parse(&p.district_id), Id::parse(&p.agency_id)),
    );
    tx.commit().await?;
    Ok(p.id)
}

/// The grants of a partnership whose continuation plan a leader's home page names now: due
/// within 90 days, or late while the grant still runs.
pub async fn plans_due(ctx: &Ctx, partnership: &str) -> AppResult<Vec<GrantView>> {
    let f = of_partnership(ctx, partnership).await?;
    Ok(f.grants.into_iter().filter(|g| g.needs_plan).collect())
}
