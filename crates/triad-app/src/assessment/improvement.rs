//! The improvement cycle of a program: findings proposed from its assessment (practices not
//! met) and from its surveys (large gaps between roles, concerns many raised), decided by
//! people, and the plan of goals, objectives and action steps that answers them, with whether
//! what each finding measured has moved since.

use super::findings::{self, FindingView};
use super::plan::{self, PlanEntryView};
use super::{chosen_year, year_choices, year_label, years, YearChoice};
use crate::context::{Ctx, PersonChoice};
use crate::error::AppResult;
use crate::partnership;
use serde::Serialize;
use std::collections::HashMap;
use triad_domain::assessment as rules;
use triad_domain::improvement::PlanLevel;
use triad_domain::policy::Action;
use triad_store::improvement as store;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Improvement {
    pub partnership: String,
    pub agency: String,
    pub district: String,
    pub school_year: i64,
    pub year_label: String,
    pub years: Vec<YearChoice>,
    /// What Triad proposes for the year that nobody has decided on.
    pub proposals: Vec<FindingView>,
    /// Accepted findings of every year, newest year first.
    pub findings: Vec<FindingView>,
    /// The year's dismissed proposals.
    pub dismissed: Vec<FindingView>,
    /// The goals, each with its objectives and their steps.
    pub plan: Vec<PlanEntryView>,
    /// The reader may decide findings and write the plan.
    pub may_change: bool,
    /// Who a step may be given to.
    pub owners: Vec<PersonChoice>,
}

/// A program's findings and plan for a school year (`year`: the year it starts in; none, the
/// current one).
pub async fn of_program(ctx: &Ctx, id: &str, year: Option<&str>) -> AppResult<Improvement> {
    let p = partnership::find(ctx, id, Action::View, rules::record).await?;
    let sides = partnership::sides(ctx, &p).await?;
    let local = &sides.local;
    let allowed = years(&p, local, ctx.now);
    let year = chosen_year(year, &allowed)?;
    let current = allowed.first().copied().unwrap_or(year);
    let surveys_readable = findings::surveys_readable(ctx, &p);
    let campaigns = findings::district_campaigns(ctx, &p).await?;
    let (decided, plan, links) = {
        let mut conn = ctx.app.db.acquire().await?;
        let pid = partnership::id(&p);
        (
            store::findings(&mut conn, pid).await?,
            store::plan(&mut conn, pid).await?,
            store::links(&mut conn, pid).await?,
        )
    };
    // What Triad proposes reads the year's scoring and surveys: kept a minute, like them.
    // Deciding on one checks it against what Triad proposes at that moment.
    let proposed = ctx
        .app
        .proposals
        .get_or_compute(ctx.now, (p.id.clone(), year, surveys_readable), || {
            findings::proposals(ctx, &p, local, year, &campaigns)
        })
        .await?;
    let mut read = findings::Readings::default();
    let mut findings = Vec::new();
    let mut dismissed = Vec::new();
    for f in &decided {
        if f.status == "accepted" {
            let from_survey = !f.source.starts_with("item:");
            if from_survey && !surveys_readable {
                let mut shown = findings::finding_view(f, local, None);
                shown.detail = findings::SURVEY_NOT_SHOWN.to_string();
                findings.push(shown);
                continue;
            }
            let m = findings::movement(ctx, f, (&p, local, current), &campaigns, &mut read).await?;
            findings.push(findings::finding_view(f, local, Some(m)));
        } else if f.school_year == year {
            dismissed.push(findings::finding_view(f, local, None));
        }
    }
    let refs: HashMap<String, findings::FindingRef> = findings
        .iter()
        .filter_map(|f| {
            Some((
                f.id.clone()?,
                findings::FindingRef {
                    id: f.id.clone()?,
                    title: f.title.clone(),
                    moved: f.moved.clone(),
                    moved_label: f.moved_label.clone(),
                },
            ))
        })
        .collect();
    let writer = plan::may_change(ctx, &p);
    let owners = if writer {
        plan::owner_choices(ctx, &p).await?
    } else {
        Vec::new()
    };
    Ok(Improvement {
        partnership: p.id.clone(),
        agency: sides.agency.clone(),
        district: sides.district.clone(),
        school_year: year,
        year_label: year_label(year),
        years: year_choices(&allowed),
        proposals: proposed
            .iter()
            .filter(|pr| {
                !decided
                    .iter()
                    .any(|d| d.school_year == year && d.source == pr.source)
            })
            .map(|pr| findings::proposal_view(pr, year))
            .collect(),
        findings,
        dismissed,
        plan: plan
            .iter()
            .filter(|r| r.level == PlanLevel::Goal.code())
            .map(|r| plan::entry_view(r, &plan, &refs, &links, ctx, writer, local))
            .collect(),
        may_change: writer,
        owners,
    })
}
