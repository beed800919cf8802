//! What every record of a partnership (its MOU, its funding) needs first: the partnership
//! itself, found only when the policy lets the actor act on that kind of record, and the
//! names and clock of its two sides.

use crate::campus::{district_clock, Local};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use triad_domain::policy::{Action, Resource};
use triad_domain::Id;
use triad_store::org::Partnership;

/// The record a kind of partnership record makes of the agency and the district
/// (`triad_domain::mou::record`, `triad_domain::funding::record`).
pub type RecordOf = fn(Id, Id) -> Resource;

/// The record the policy weighs for a partnership (one whose ids do not read belongs to
/// nobody's tenant).
pub fn record(p: &Partnership, of: RecordOf) -> Resource {
    let (agency, district) = ids(p);
    of(agency, district)
}

fn unreadable() -> Id {
    Id::from_parts("unreadable", 0)
}

/// The partnership's agency and district (an id that does not read names nobody).
pub fn ids(p: &Partnership) -> (Id, Id) {
    (
        Id::parse(&p.agency_id).unwrap_or_else(unreadable),
        Id::parse(&p.district_id).unwrap_or_else(unreadable),
    )
}

/// The partnership's own id (one that does not read names nobody).
pub fn id(p: &Partnership) -> Id {
    Id::parse(&p.id).unwrap_or_else(unreadable)
}

/// A partnership whose records of kind `of` the actor may `action`; unknown and unreachable
/// ones are both not found.
pub async fn find(ctx: &Ctx, id: &str, action: Action, of: RecordOf) -> AppResult<Partnership> {
    let found = match Id::parse(id) {
        Some(id) => triad_store::org::partnership(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    let Some(p) = found else {
        return Err(AppError::NotFound);
    };
    ctx.require(action, record(&p, of), ("partnership", &p.id))
        .await?;
    Ok(p)
}

/// The two sides' names and the district's clock (the partnership's days are the district's).
pub struct Sides {
    pub agency: String,
    pub district: String,
    pub local: Local,
}

pub async fn sides(ctx: &Ctx, p: &Partnership) -> AppResult<Sides> {
    let mut conn = ctx.app.db.acquire().await?;
    let agency = match Id::parse(&p.agency_id) {
        Some(id) => triad_store::org::agency(&mut conn, id).await?,
        None => None,
    };
    let district = match Id::parse(&p.district_id) {
        Some(id) => ctx.district(&mut conn, id).await?,
        None => None,
    };
    drop(conn);
    Ok(Sides {
        agency: agency.map(|a| a.name).unwrap_or_default(),
        district: district.map(|d| d.name).unwrap_or_default(),
        local: district_clock(ctx, &p.district_id).await?,
    })
}
