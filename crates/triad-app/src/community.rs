//! A district's community resource directory: the services partners refer families to, when
//! each was last checked (and which are overdue for a check), and the referrals the SROs make
//! (a day, a count, at most a case reference). Read by everyone of the district; entries kept
//! by its leader and the partners on its campuses; referrals recorded by SROs, whose details
//! only their author sees again (everyone else sees counts).

use crate::campus::{self, district_clock};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
pub use crate::show::Choice;
use serde::{Deserialize, Serialize};
use triad_domain::audit::Outcome;
use triad_domain::auth::Role;
use triad_domain::community::{self as rules, Category, EntryFields};
use triad_domain::policy::{decide, Action, Decision, KeptBy, RecordClass, Resource, Tenant};
use triad_domain::Id;
use triad_store::community::{self as store, ReferralRow, ResourceRow};

/// The setting that holds a district's period between checks, in days.
fn period_key(district: Id) -> String {
    format!("community.verify_days.{district}")
}

pub(crate) async fn verify_days(ctx: &Ctx, district: Id) -> AppResult<i64> {
    Ok(triad_store::settings::get_i64(
        &mut ctx.app.db.acquire().await?,
        &period_key(district),
        rules::DEFAULT_VERIFY_DAYS,
    )
    .await?)
}

/// A district the actor may `action` the directory of, with its name.
async fn district_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<(Id, String)> {
    crate::org::district_as(ctx, id, action, rules::record).await
}

/// An entry the actor may `action`, with its district.
async fn entry_for(ctx: &Ctx, id: &str, action: Action) -> AppResult<(ResourceRow, Id)> {
    let row = match Id::parse(id) {
        Some(id) => store::resource(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let (district, _) = district_for(ctx, &row.district_id, action).await?;
    Ok((row, district))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub contact: String,
    pub hours: Option<String>,
    pub languages: Option<String>,
    pub eligibility: Option<String>,
    /// YYYY-MM-DD
    pub verified_on: String,
    pub verified_days_ago: i64,
    /// Not verified within the district's period.
    pub stale: bool,
    /// Referrals to it in the last twelve months, and the people they counted.
    pub referrals_last_year: i64,
    pub people_last_year: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralView {
    pub resource: String,
    pub campus: String,
    pub referred_on: String,
    pub people: i64,
    pub case_reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Directory {
    pub district_id: String,
    pub district: String,
    /// Entries not verified within this many days are flagged.
    pub verify_days: i64,
    pub entries: Vec<ServiceView>,
    pub stale: usize,
    /// The actor may add, correct and verify entries.
    pub may_edit: bool,
    /// The actor may change the period between checks (the district's leader).
    pub may_set_period: bool,
    /// The campuses the actor records referrals from (an SRO's), as code = id, label = name.
    pub referral_campuses: Vec<Choice>,
    /// The actor's own latest referrals in the district.
    pub my_referrals: Vec<ReferralView>,
    pub categories: Vec<Choice>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct DirectoryQuery {
    /// Only this category (its code).
    #[serde(default)]
    pub category: String,
    /// Only entries overdue for a check.
    #[serde(default, deserialize_with = "crate::input::checkbox")]
    pub stale: bool,
}

/// Whether the actor is the SRO of a campus (who records referrals from it).
fn is_sro_of(ctx: &Ctx, c: &triad_store::org::Campus) -> bool {
    ctx.actor
        .roles_for(&campus::tenant(c, None), RecordClass::Shared)
        .has(Role::Sro)
}

fn allowed(ctx: &Ctx, action: Action, resource: Resource) -> bool {
    decide(&ctx.actor, action, resource) == Decision::Allow
}

pub async fn directory(ctx: &Ctx, district: &str, q: &DirectoryQuery) -> AppResult<Directory> {
    let (id, name) = district_for(ctx, district, Action::View).await?;
    let period = verify_days(ctx, id).await?;
    let today = district_clock(ctx, &id.to_string()).await?.date(ctx.now);
    let year_ago = today - chrono::Days::new(365);
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::of_district(&mut conn, id).await?;
    let counts = store::counts_since(&mut conn, id, &year_ago.to_string()).await?;
    let campuses = triad_store::org::campuses_of(&mut conn, id).await?;
    let mine = store::referrals_by(&mut conn, ctx.actor.user, id, 20).await?;
    drop(conn);
    let category = Category::from_code(&q.category);
    let all: Vec<ServiceView> = rows
        .iter()
        .map(|r| {
            let verified =
                chrono::NaiveDate::parse_from_str(&r.verified_on, "%Y-%m-%d").unwrap_or(today);
            let count = counts.iter().find(|c| c.resource_id == r.id);
            ServiceView {
                id: r.id.clone(),
                name: r.name.clone(),
                category: r.category.clone(),
                category_label: Category::from_code(&r.category)
                    .map_or(r.category.as_str(), |c| c.label())
                    .into(),
                contact: r.contact.clone(),
                hours: r.hours.clone(),
                languages: r.languages.clone(),
                eligibility: r.eligibility.clone(),
                verified_on: r.verified_on.clone(),
                verified_days_ago: (today - verified).num_days(),
                stale: rules::is_stale(verified, today, period),
                referrals_last_year: count.map_or(0, |c| c.referrals),
                people_last_year: count.map_or(0, |c| c.people),
            }
        })
        .collect();
    let stale = all.iter().filter(|e| e.stale).count();
    let entries = all
        .into_iter()
        .filter(|e| category.is_none_or(|c| e.category == c.code()))
        .filter(|e| !q.stale || e.stale)
        .collect();
    let referral_campuses: Vec<Choice> = campuses
        .iter()
        .filter(|c| is_sro_of(ctx, c))
        .map(|c| Choice {
            code: c.id.clone(),
            label: c.name.clone(),
        })
        .collect();
    let my_referrals = mine
        .into_iter()
        .map(|r| ReferralView {
            resource: rows
                .iter()
                .find(|e| e.id == r.resource_id)
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            campus: campuses
                .iter()
                .find(|c| c.id == r.campus_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            referred_on: r.referred_on,
            people: r.people,
            case_reference: r.case_reference,
        })
        .collect();
    Ok(Directory {
        district_id: id.to_string(),
        district: name,
        verify_days: period,
        entries,
        stale,
        may_edit: allowed(ctx, Action::Change, rules::record(id)),
        may_set_period: allowed(
            ctx,
            Action::Change,
            Resource::new(RecordClass::Directory, Tenant::district(id)),
        ),
        referral_campuses,
        my_referrals,
        categories: Choice::all::<Category>(),
    })
}

/// An entry as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EntryInput {
    #[serde(default)]
    pub name: String,
    /// mental_health, crisis, child_protective, youth_court, substance_use, housing, food,
    /// family_support or other
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub eligibility: String,
    /// The day it was last checked, YYYY-MM-DD; empty means today.
    #[serde(default)]
    pub verified_on: String,
}

fn fields(input: &EntryInput) -> EntryFields<'_> {
    EntryFields {
        name: &input.name,
        category: &input.category,
        contact: &input.contact,
        hours: &input.hours,
        languages: &input.languages,
        eligibility: &input.eligibility,
        verified_on: &input.verified_on,
    }
}

async fn write_entry(
    ctx: &Ctx,
    district: Id,
    existing: Option<&ResourceRow>,
    input: &EntryInput,
) -> AppResult<ResourceRow> {
    let today = district_clock(ctx, &district.to_string())
        .await?
        .date(ctx.now);
    // A correction that leaves the day empty keeps the day it was last checked.
    let mut sent = fields(input);
    let kept_day = existing.map(|e| e.verified_on.clone()).unwrap_or_default();
    if sent.verified_on.trim().is_empty() && existing.is_some() {
        sent.verified_on = &kept_day;
    }
    let entry = rules::parse_entry(&sent, today)?;
    // Whoever changes the day checked is who checked it; a correction of the rest is not one.
    let verified_by = match existing {
        Some(e) if e.verified_on == entry.verified_on.to_string() => e.verified_by.clone(),
        _ => ctx.actor.user.to_string(),
    };
    let row = ResourceRow {
        id: existing.map_or_else(|| Id::new().to_string(), |e| e.id.clone()),
        district_id: district.to_string(),
        name: entry.name,
        category: entry.category.code().into(),
        contact: entry.contact,
        hours: entry.hours,
        languages: entry.languages,
        eligibility: entry.eligibility,
        verified_on: entry.verified_on.to_string(),
        verified_by,
        created_at: existing.map_or(ctx.now.millis(), |e| e.created_at),
        updated_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::put(&mut tx, &row).await?;
    tx.audit(
        ctx.event(
            if existing.is_some() {
                "community.edit"
            } else {
                "community.add"
            },
            Outcome::Ok,
        )
        .record("community_resource", &row.id)
        .content(&row)
        .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(row)
}

pub async fn add(ctx: &Ctx, district: &str, input: &EntryInput) -> AppResult<ResourceRow> {
    let (id, _) = district_for(ctx, district, Action::Change).await?;
    write_entry(ctx, id, None, input).await
}

pub async fn update(ctx: &Ctx, entry: &str, input: &EntryInput) -> AppResult<ResourceRow> {
    let (row, district) = entry_for(ctx, entry, Action::Change).await?;
    write_entry(ctx, district, Some(&row), input).await
}

/// Marks an entry checked today: its contact and hours still hold.
pub async fn verify(ctx: &Ctx, entry: &str) -> AppResult<ResourceRow> {
    let (row, district) = entry_for(ctx, entry, Action::Change).await?;
    let today = district_clock(ctx, &district.to_string())
        .await?
        .date(ctx.now)
        .to_string();
    let id = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    store::verify(&mut tx, id, &today, ctx.actor.user, ctx.now.millis()).await?;
    tx.audit(
        ctx.event("community.verify", Outcome::Ok)
            .record("community_resource", &row.id)
            .content(&(&row.id, &today))
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(row)
}

/// Takes a service that closed off the directory: it stays in the records with its
/// referrals, and no one is sent there again.
pub async fn retire(ctx: &Ctx, entry: &str) -> AppResult<ResourceRow> {
    let row = match Id::parse(entry) {
        Some(id) => store::resource_even_retired(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let row = row.ok_or(AppError::NotFound)?;
    let (district, _) = district_for(ctx, &row.district_id, Action::Change).await?;
    let id = Id::parse(&row.id).ok_or(AppError::NotFound)?;
    let mut tx = ctx.change().await?;
    if !store::retire(&mut tx, id, ctx.actor.user, ctx.now.millis()).await? {
        // Retired already: nothing changes.
        return Ok(row);
    }
    tx.audit(
        ctx.event("community.retire", Outcome::Ok)
            .record("community_resource", &row.id)
            .content(&row.id)
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PeriodInput {
    /// Days an entry may go unverified before it is flagged (7 to 730).
    #[serde(default)]
    pub verify_days: String,
}

/// Sets how long an entry may go unchecked before it is flagged (the district's leader).
pub async fn set_verify_days(ctx: &Ctx, district: &str, input: &PeriodInput) -> AppResult<()> {
    let id = Id::parse(district).ok_or(AppError::NotFound)?;
    ctx.require(
        Action::Change,
        Resource::new(RecordClass::Directory, Tenant::district(id)),
        ("district", district),
    )
    .await?;
    let days = rules::parse_verify_days(&input.verify_days)?;
    let mut tx = ctx.change().await?;
    triad_store::settings::set(&mut tx, &period_key(id), &days.to_string()).await?;
    tx.audit(
        ctx.event("community.period", Outcome::Ok)
            .record("district", district)
            .content(&days)
            .tenant(Some(id), None),
    );
    tx.commit().await?;
    Ok(())
}

/// A referral as a form or the API sends it: the campus it was made from, the day (empty:
/// today), how many people (empty: one) and at most a case reference. There is no field for
/// a name.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReferralInput {
    #[serde(default)]
    pub campus: String,
    #[serde(default)]
    pub referred_on: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub case_reference: String,
}

/// Records a referral to a service, from a campus where the actor is the SRO.
pub async fn refer(ctx: &Ctx, entry: &str, input: &ReferralInput) -> AppResult<ReferralRow> {
    let (row, district) = entry_for(ctx, entry, Action::View).await?;
    // Someone who is the SRO of no campus of the district is refused before their input is
    // read: what they sent does not matter.
    let campuses =
        triad_store::org::campuses_of(&mut ctx.app.db.acquire().await?, district).await?;
    if !campuses.iter().any(|c| is_sro_of(ctx, c)) {
        return Err(ctx
            .deny(KeptBy::Referral.refusal(), ("community_resource", &row.id))
            .await);
    }
    let campus = match Id::parse(&input.campus) {
        Some(id) => ctx.campus(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let Some(campus) = campus.filter(|c| c.district() == district) else {
        return Err(triad_domain::Invalid::one(
            "campus",
            "choose the campus of this district the referral was made from",
        )
        .into());
    };
    ctx.require(
        Action::Change,
        Resource::new(RecordClass::Shared, campus::tenant(&campus, None)).kept_by(KeptBy::Referral),
        ("campus", &campus.id),
    )
    .await?;
    let today = district_clock(ctx, &district.to_string())
        .await?
        .date(ctx.now);
    let r = rules::parse_referral(
        &input.referred_on,
        &input.people,
        &input.case_reference,
        today,
    )?;
    let referral = ReferralRow {
        id: Id::new().to_string(),
        resource_id: row.id.clone(),
        district_id: district.to_string(),
        campus_id: campus.id.clone(),
        author_id: ctx.actor.user.to_string(),
        referred_on: r.referred_on.to_string(),
        people: r.people,
        case_reference: r.case_reference,
        created_at: ctx.now.millis(),
    };
    let mut tx = ctx.change().await?;
    store::insert_referral(&mut tx, &referral).await?;
    tx.audit(
        ctx.event("community.refer", Outcome::Ok)
            .record("referral", &referral.id)
            .content(&referral)
            .tenant(Some(district), None),
    );
    tx.commit().await?;
    Ok(referral)
}
