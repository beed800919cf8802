//! Reading the audit trail: district leaders read their districts' entries, system
//! administrators every entry. Entries hold ids and hashes, never record content.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use triad_domain::audit::{AuditEntry, Outcome};
use triad_domain::auth::{Role, Scope};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Timestamp};
use triad_store::audit::Filter;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only entries by this user id.
    #[serde(default)]
    pub actor: String,
    /// Only actions starting with this text (for example `auth.` or `org.campus`).
    #[serde(default)]
    pub action: String,
    /// ok, denied or failed.
    #[serde(default)]
    pub outcome: String,
    /// From this day (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub from: String,
    /// Up to and including this day (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub to: String,
    /// csv for a download.
    #[serde(default)]
    pub format: String,
    /// How many entries (at most 1,000; a CSV download at most 100,000). Default 500.
    #[serde(default)]
    pub limit: Option<i64>,
    /// The next page: entries before this one (the `seq` the `Link: rel="next"` header
    /// names).
    #[serde(default)]
    pub before: Option<i64>,
}

/// The most entries a page or an API answer carries; a CSV download may carry more.
pub const PAGE_LIMIT: i64 = 1000;
const CSV_LIMIT: i64 = 100_000;

/// Which districts' entries the actor may read: `None` for all (system administrators).
async fn reach(ctx: &Ctx) -> AppResult<Option<Vec<Id>>> {
    let audit = |tenant| Resource::new(RecordClass::Audit, tenant);
    if ctx.actor.has_role(Role::SystemAdmin) {
        ctx.require(Action::View, audit(Tenant::INSTANCE), ("audit", "all"))
            .await?;
        return Ok(None);
    }
    let districts: Vec<Id> = ctx
        .actor
        .grants
        .iter()
        .filter(|g| g.role == Role::DistrictLeader)
        .filter_map(|g| match g.scope {
            Scope::District { district } => Some(district),
            _ => None,
        })
        .collect();
    match districts.first() {
        None => {
            // Ask the policy anyway so the denial is decided and audited in one place.
            ctx.require(Action::View, audit(Tenant::INSTANCE), ("audit", "all"))
                .await?;
            Err(AppError::NotFound)
        }
        Some(first) => {
            ctx.require(
                Action::View,
                audit(Tenant::district(*first)),
                ("audit", &first.to_string()),
            )
            .await?;
            Ok(Some(districts))
        }
    }
}

fn day_start(field: &'static str, text: &str, plus_days: i64) -> AppResult<Option<Timestamp>> {
    Ok(triad_domain::org::parse_optional_date(field, text)?
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| Timestamp::from_datetime(dt.and_utc() + chrono::Duration::days(plus_days))))
}

fn filter(q: &AuditQuery, districts: Option<Vec<Id>>) -> AppResult<Filter> {
    let actor = if q.actor.trim().is_empty() {
        None
    } else {
        Some(
            Id::parse(&q.actor)
                .ok_or_else(|| triad_domain::Invalid::one("actor", "is not a user id"))?,
        )
    };
    let outcome =
        if q.outcome.trim().is_empty() {
            None
        } else {
            Some(Outcome::from_code(q.outcome.trim()).ok_or_else(|| {
                triad_domain::Invalid::one("outcome", "choose ok, denied or failed")
            })?)
        };
    Ok(Filter {
        districts,
        actor,
        action_prefix: Some(q.action.trim().to_string()).filter(|a| !a.is_empty()),
        outcome,
        since: day_start("from", &q.from, 0)?,
        until: day_start("to", &q.to, 1)?,
        before_seq: q.before,
        limit: q.limit.unwrap_or(500).clamp(
            1,
            if q.format == "csv" {
                CSV_LIMIT
            } else {
                PAGE_LIMIT
            },
        ),
    })
}

/// One entry as the page, the CSV and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    /// The actor's name, for people reading the trail.
    pub actor_name: Option<String>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub outcome: String,
    pub source: Option<String>,
    pub content_hash: Option<String>,
    pub hash: String,
}

impl From<AuditEntry> for EntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at.rfc3339(),
            actor: e.event.actor.map(|a| a.to_string()),
            actor_name: None,
            action: e.event.action,
            record_type: e.event.record_type,
            record_id: e.event.record_id,
            outcome: e.event.outcome.code().to_string(),
            source: e.event.source,
            content_hash: e.event.content_hash,
            hash: e.hash,
        }
    }
}

/// The entries the actor may read that the query asks for, newest first.
pub async fn entries(ctx: &Ctx, q: &AuditQuery) -> AppResult<Vec<EntryView>> {
    let districts = reach(ctx).await?;
    let f = filter(q, districts)?;
    let mut entries: Vec<EntryView> = triad_store::audit::list(&ctx.app.db, &f)
        .await?
        .into_iter()
        .map(EntryView::from)
        .collect();
    // Each person's name, kept between requests under the access version.
    let mut conn = ctx.app.db.acquire().await?;
    for e in &mut entries {
        if let Some(actor) = e.actor.as_deref().and_then(Id::parse) {
            e.actor_name = ctx.display_name(&mut conn, actor).await?;
        }
    }
    Ok(entries)
}

/// The people whose entries the reader may filter on, by name: for a district leader, the
/// people of their districts (and of the agencies serving them); for a system administrator,
/// whose trail holds everyone of the instance (thousands at a state's scale), the people of
/// the entries shown and the one chosen (every name on the page also links to its filter).
/// The filter takes the user id.
pub async fn actor_choices(
    ctx: &Ctx,
    shown: &[EntryView],
    chosen: &str,
) -> AppResult<Vec<(String, String)>> {
    let mut conn = ctx.app.db.acquire().await?;
    let mut people: Vec<(String, String)> = match reach(ctx).await? {
        None => {
            let mut people: Vec<(String, String)> = shown
                .iter()
                .filter_map(|e| Some((e.actor.clone()?, e.actor_name.clone()?)))
                .collect();
            if let Some(id) = Id::parse(chosen) {
                if let Some(name) = ctx.display_name(&mut conn, id).await? {
                    people.push((id.to_string(), name));
                }
            }
            people
        }
        Some(districts) => {
            let mut people = Vec::new();
            for d in districts {
                people.extend(ctx.district_people(&mut conn, d).await?.iter().cloned());
            }
            people
        }
    };
    people.sort_by_cached_key(|(id, name)| (name.to_lowercase(), id.clone()));
    people.dedup();
    Ok(people)
}
