//! Who may act on a campaign: starting one, reading its analysis and export, importing into
//! it; and the cache of its analysis.

use crate::error::{AppError, AppResult};
use crate::surveys::analysis::{summary, Summary};
use crate::surveys::campaigns::{create, min_group, NewCampaign};
use crate::surveys::export::{export, ExportRow};
use serde::Deserialize;
use triad_domain::{Id, Invalid};
use triad_store::paging::Page;
use triad_store::surveys::{self as store, CampaignRow};

/// A campaign the person may act on: its district's aggregate figures (district leaders,
/// evaluators) or, for `RecordClass::Shared`, the answers themselves (district leaders).
pub(super) async fn campaign_for(
    ctx: &crate::context::Ctx,
    id: &str,
    class: triad_domain::policy::RecordClass,
) -> AppResult<CampaignRow> {
    campaign_acting(ctx, id, class, triad_domain::policy::Action::View).await
}

pub(super) async fn campaign_acting(
    ctx: &crate::context::Ctx,
    id: &str,
    class: triad_domain::policy::RecordClass,
    action: triad_domain::policy::Action,
) -> AppResult<CampaignRow> {
    use triad_domain::policy::{Resource, Tenant};
    let row = store::campaign(&mut ctx.app.db.acquire().await?, id)
        .await?
        .filter(|c| c.id == id);
    let tenant = row
        .as_ref()
        .and_then(|c| c.district_id.as_deref())
        .and_then(Id::parse)
        .map(Tenant::district)
        .unwrap_or(Tenant::INSTANCE);
    ctx.require(
        action,
        Resource::new(class, tenant),
        ("survey_campaign", id),
    )
    .await?;
    row.ok_or(AppError::NotFound)
}

fn district_tenant(id: &str) -> AppResult<(Id, triad_domain::policy::Tenant)> {
    let d = Id::parse(id).ok_or(AppError::NotFound)?;
    Ok((d, triad_domain::policy::Tenant::district(d)))
}

/// A district's campaigns (its leaders and evaluators).
/// A page of a district's campaigns, newest first.
pub async fn of_district(
    ctx: &crate::context::Ctx,
    district: &str,
    page: Page,
) -> AppResult<Vec<CampaignRow>> {
    use triad_domain::policy::{Action, RecordClass, Resource};
    let (d, tenant) = district_tenant(district)?;
    ctx.require(
        Action::View,
        Resource::new(RecordClass::Aggregate, tenant),
        ("survey_campaigns", district),
    )
    .await?;
    Ok(store::of_district(&mut ctx.app.db.acquire().await?, &d.to_string(), page).await?)
}

/// A campaign as its district's page shows it: whether it is open, who is asked, and how
/// many of each role had answered by the end of yesterday (a group smaller than the minimum
/// is not counted out loud).
pub struct CampaignCard {
    pub row: CampaignRow,
    /// open, closed or not_yet.
    pub state: &'static str,
    pub state_words: String,
    pub asked: Vec<String>,
    /// (role, how many; none: fewer than the smallest group shown).
    pub counts: Vec<(String, Option<i64>)>,
    pub min_group: usize,
    /// The last day the counts include.
    pub counted_through: String,
}

/// The district's campaigns as cards (its leaders and evaluators), newest first.
pub async fn cards(
    ctx: &crate::context::Ctx,
    district: &str,
    page: Page,
) -> AppResult<Vec<CampaignCard>> {
    use triad_domain::surveys::RespondentRole;
    let rows = of_district(ctx, district, page).await?;
    let local = crate::campus::district_clock(ctx, district).await?;
    let today = local.date(ctx.now);
    let yesterday = today.pred_opt().unwrap_or(today).to_string();
    let today = today.to_string();
    let min = min_group(&ctx.app.db).await?;
    let mut conn = ctx.app.db.acquire().await?;
    let mut out = Vec::new();
    for row in rows {
        let (state, state_words) = if today < row.opens_on {
            ("not_yet", format!("Opens on {}", row.opens_on))
        } else if today > row.closes_on {
            ("closed", format!("Closed on {}", row.closes_on))
        } else {
            ("open", format!("Open until {}", row.closes_on))
        };
        let asked: Vec<RespondentRole> = row
            .audience
            .split_whitespace()
            .filter_map(RespondentRole::from_code)
            .collect();
        let counted = store::role_counts_before(&mut conn, &row.id, &today).await?;
        let counts = asked
            .iter()
            .map(|role| {
                let n = counted
                    .iter()
                    .find(|c| c.role == role.code())
                    .map_or(0, |c| c.n);
                let shown = (usize::try_from(n).unwrap_or(0) >= min).then_some(n);
                (role.label().to_string(), shown)
            })
            .collect();
        out.push(CampaignCard {
            state,
            state_words,
            asked: asked.iter().map(|r| r.label().to_string()).collect(),
            counts,
            min_group: min,
            counted_through: yesterday.clone(),
            row,
        });
    }
    Ok(out)
}

/// A campaign's flyer: its name, notice and link (the district's leaders, who hand it out).
pub async fn flyer(ctx: &crate::context::Ctx, id: &str) -> AppResult<CampaignRow> {
    campaign_for(ctx, id, triad_domain::policy::RecordClass::Shared).await
}

/// Starts a campaign of a district (its leaders); yields it with its one-time tokens.
pub async fn start(
    ctx: &crate::context::Ctx,
    district: &str,
    input: &NewCampaign,
) -> AppResult<(CampaignRow, Vec<String>)> {
    use triad_domain::policy::{Action, RecordClass, Resource};
    let (d, tenant) = district_tenant(district)?;
    ctx.require(
        Action::Change,
        Resource::new(RecordClass::Shared, tenant),
        ("survey_campaigns", district),
    )
    .await?;
    create(&ctx.app.db, input, Some(d), Some(ctx.actor.user), ctx.now).await
}

/// The analysis of a campaign (district leaders, evaluators), small groups suppressed.
pub async fn summary_for(ctx: &crate::context::Ctx, id: &str) -> AppResult<Summary> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Aggregate).await?;
    let min = min_group(&ctx.app.db).await?;
    let s = ctx
        .app
        .survey_summaries
        .get_or_compute(ctx.now, (c.id.clone(), min), || {
            summary(&ctx.app.db, &c, min)
        })
        .await?;
    Ok(Summary::clone(&s))
}

/// The answers of a page of a campaign's responses (the district's leaders: the answers
/// themselves are shared records, not aggregates).
pub async fn export_for(
    ctx: &crate::context::Ctx,
    id: &str,
    responses: Page,
) -> AppResult<(String, Vec<ExportRow>)> {
    let c = campaign_for(ctx, id, triad_domain::policy::RecordClass::Shared).await?;
    Ok((
        c.public_code.clone(),
        export(&ctx.app.db, &c, responses).await?,
    ))
}

/// Summaries computed lately (by campaign and smallest group shown), so a campaign of many
/// thousand answers is not re-read on every page view. An answer or a correction made through
/// this instance forgets its campaign's summaries; what other instances (or the command line)
/// write shows within half a minute.
pub type Summaries = crate::fresh::Fresh<(String, usize), Summary>;

/// Forgets a campaign's summaries after a change to its answers or codings.
pub fn forget_summaries(kept: &Summaries, campaign: &str) {
    kept.forget(|(c, _)| c == campaign);
}

/// Imports a spreadsheet export into a campaign from the web (the district's leaders).
pub async fn import_upload(
    ctx: &crate::context::Ctx,
    id: &str,
    map: &str,
    file: Option<bytes::Bytes>,
) -> AppResult<crate::surveys::import::SurveyImportReport> {
    let c = campaign_acting(
        ctx,
        id,
        triad_domain::policy::RecordClass::Shared,
        triad_domain::policy::Action::Change,
    )
    .await?;
    let bytes =
        file.ok_or_else(|| Invalid::one("file", "choose the spreadsheet export to import"))?;
    let map: Vec<String> = map
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let report = crate::surveys::import::import(
        &ctx.app.db,
        &c,
        &bytes,
        &map,
        Some(ctx.actor.user),
        "web",
        ctx.now,
    )
    .await?;
    forget_summaries(&ctx.app.survey_summaries, &c.id);
    Ok(report)
}

/// The form of a web import: the file comes as the `file` part.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportForm {
    /// One "Header=question" per line.
    #[serde(default)]
    pub map: String,
}

/// Whether the person may import into the campaign: a quiet check for showing the form (the
/// import itself asks the policy again, on the record).
pub fn may_import(ctx: &crate::context::Ctx, s: &Summary) -> bool {
    allowed(ctx, s, triad_domain::policy::Action::Change)
}

/// Whether the person may read the campaign's answers themselves (its export and its coded
/// themes): the district's leaders, not an evaluator who reads its aggregates. A quiet check
/// for showing the links; each page asks the policy again.
pub fn may_read_answers(ctx: &crate::context::Ctx, s: &Summary) -> bool {
    allowed(ctx, s, triad_domain::policy::Action::View)
}

/// Whether the person may start a campaign in the district (its leaders, not an evaluator):
/// a quiet check for showing the form; starting one asks the policy again.
pub fn may_start(ctx: &crate::context::Ctx, district: &str) -> bool {
    Id::parse(district).is_some_and(|d| allowed_in(ctx, d, triad_domain::policy::Action::Change))
}

/// What the policy says of `action` on the shared records of the campaign's district.
fn allowed(ctx: &crate::context::Ctx, s: &Summary, action: triad_domain::policy::Action) -> bool {
    s.district_id
        .as_deref()
        .and_then(Id::parse)
        .is_some_and(|d| allowed_in(ctx, d, action))
}

fn allowed_in(
    ctx: &crate::context::Ctx,
    district: Id,
    action: triad_domain::policy::Action,
) -> bool {
    use triad_domain::policy::{decide, Decision, RecordClass, Resource, Tenant};
    let resource = Resource::new(RecordClass::Shared, Tenant::district(district));
    decide(&ctx.actor, action, resource) == Decision::Allow
}
