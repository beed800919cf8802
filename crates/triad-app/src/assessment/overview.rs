//! The programs a reader may assess, with where each stands, and the heat map: every
//! practice against every program for one school year, each cell the rating that counts on
//! that program's own page.

use super::{assess, counted, ratings_of, year_label};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use serde::Serialize;
use triad_domain::assessment::{self as rules, SRO_PROGRAM};
use triad_domain::policy::{decide, Action, Decision};
use triad_domain::{Id, Invalid};
use triad_store::assessment::{self as store, ProgramRow};
use triad_store::org::Partnership;

/// A program the reader may assess, with its current school year and how far people have
/// rated it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgramRef {
    pub partnership: String,
    pub agency: String,
    pub district: String,
    pub district_id: String,
    pub school_year: i64,
    pub year_label: String,
    /// Practices rated by people this school year (of 27).
    pub rated_by_people: i64,
    /// Findings accepted (every year), and the plan's steps still open and past their day.
    pub findings: i64,
    pub steps_open: i64,
    pub steps_late: i64,
}

fn readable(ctx: &Ctx, row: &ProgramRow) -> bool {
    match (Id::parse(&row.agency_id), Id::parse(&row.district_id)) {
        (Some(a), Some(d)) => {
            decide(&ctx.actor, Action::View, rules::record(a, d)) == Decision::Allow
        }
        _ => false,
    }
}

fn current_year(ctx: &Ctx, row: &ProgramRow) -> i64 {
    let tz = triad_domain::org::parse_time_zone(&row.time_zone).unwrap_or(chrono_tz::UTC);
    let start = triad_domain::org::YearStart::parse(&row.year_start)
        .unwrap_or(triad_domain::org::YearStart::AUGUST_FIRST);
    i64::from(
        start
            .school_year_of(ctx.now.to_datetime().with_timezone(&tz).date_naive())
            .0,
    )
}

/// The programs the reader may assess, by district.
pub async fn programs(ctx: &Ctx) -> AppResult<Vec<ProgramRef>> {
    let mut conn = ctx.app.db.acquire().await?;
    let rows = store::programs(&mut conn).await?;
    let counts = store::rated_counts(&mut conn).await?;
    let standing =
        triad_store::improvement::standing(&mut conn, &crate::context::today(ctx.now)).await?;
    Ok(rows
        .iter()
        .filter(|r| readable(ctx, r))
        .map(|r| {
            let year = current_year(ctx, r);
            let (findings, steps_open, steps_late) = standing
                .iter()
                .find(|s| s.0 == r.partnership_id)
                .map_or((0, 0, 0), |s| (s.1, s.2, s.3));
            ProgramRef {
                partnership: r.partnership_id.clone(),
                agency: r.agency_name.clone(),
                district: r.district_name.clone(),
                district_id: r.district_id.clone(),
                school_year: year,
                year_label: year_label(year),
                rated_by_people: counts
                    .iter()
                    .find(|c| c.partnership_id == r.partnership_id && c.school_year == year)
                    .map_or(0, |c| c.items),
                findings,
                steps_open,
                steps_late,
            }
        })
        .collect())
}

/// One program's column of the heat map.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeatColumn {
    pub partnership: String,
    pub agency: String,
    pub district: String,
    /// False when the program holds no records of the year (its cells are empty).
    pub assessed: bool,
    /// The rating that counts for each practice, 1 to 27 (met, partly_met, not_met,
    /// not_applicable; none when not rated).
    pub ratings: Vec<Option<String>>,
    pub met: usize,
    /// For a district on its own instance: who sent its signed export, and when it was made
    /// (its `partnership` is then empty: there is no program page here to open).
    pub imported_from: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeatRow {
    pub number: u8,
    pub short: String,
    pub group: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeatMap {
    pub school_year: i64,
    pub year_label: String,
    pub items: Vec<HeatRow>,
    pub programs: Vec<HeatColumn>,
    /// Whether the reader holds the state's view (districts imported from their own instance).
    pub state_view: bool,
}

/// Every practice against every program the reader may assess, for one school year (the year
/// it starts in; none: the current year of the first program's district).
pub async fn heat_map(ctx: &Ctx, year: Option<&str>) -> AppResult<HeatMap> {
    let programs: Vec<ProgramRow> = {
        let mut conn = ctx.app.db.acquire().await?;
        store::programs(&mut conn)
            .await?
            .into_iter()
            .filter(|r| readable(ctx, r))
            .collect()
    };
    let year =
        match year.map(str::trim).filter(|y| !y.is_empty()) {
            None => programs.first().map_or_else(
                || i64::from(chrono::Datelike::year(&ctx.now.to_datetime())),
                |r| current_year(ctx, r),
            ),
            Some(text) => match text.parse::<i64>() {
                Ok(y) if (2000..=2100).contains(&y) => y,
                _ => return Err(AppError::Invalid(Invalid::one(
                    "year",
                    "name the school year by the calendar year it starts in, e.g. 2026 for 2026–27",
                ))),
            },
        };
    let mut columns = Vec::new();
    for row in &programs {
        let p = Partnership {
            id: row.partnership_id.clone(),
            agency_id: row.agency_id.clone(),
            district_id: row.district_id.clone(),
            started_on: row.started_on.clone(),
        };
        let asked = year.to_string();
        let ratings = match assess(ctx, p.clone(), Some(&asked)).await {
            Ok(a) => Some(counted(a.scored(), &ratings_of(ctx, &p, year).await?)),
            // A year the program did not run or holds no records of: an empty column.
            Err(AppError::Invalid(_)) => None,
            Err(e) => return Err(e),
        };
        columns.push(HeatColumn {
            partnership: row.partnership_id.clone(),
            agency: row.agency_name.clone(),
            district: row.district_name.clone(),
            assessed: ratings.is_some(),
            met: ratings
                .iter()
                .flatten()
                .filter(|r| **r == Some(triad_domain::assessment::Rating::Met))
                .count(),
            ratings: ratings.map_or_else(
                || vec![None; SRO_PROGRAM.items.len()],
                |rs| rs.iter().map(|r| r.map(|r| r.code().to_string())).collect(),
            ),
            imported_from: None,
        });
    }
    columns.extend(super::exchange::imported_columns(ctx, year).await?);
    Ok(HeatMap {
        school_year: year,
        year_label: year_label(year),
        items: SRO_PROGRAM
            .items
            .iter()
            .map(|i| HeatRow {
                number: i.number,
                short: i.short.to_string(),
                group: i.group.label().to_string(),
            })
            .collect(),
        programs: columns,
        state_view: super::exchange::reads_state_view(ctx),
    })
}
