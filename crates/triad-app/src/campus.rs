//! What every campus-scoped capability asks first: is this campus the actor's to act on, in
//! which time zone and school year does it live, and which agency serves it.

use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use triad_domain::auth::RolesHere;
use triad_domain::operations::StateWords;
use triad_domain::org::{self as org_rules, Term, YearStart};
use triad_domain::policy::{Action, RecordClass, Resource, Tenant};
use triad_domain::{Id, Timestamp};
use triad_store::org::Campus;

/// The tenant of a campus record, with the agency serving it when known (the supervisor of
/// that agency reads the campus's shared records).
pub fn tenant(campus: &Campus, agency: Option<Id>) -> Tenant {
    Tenant {
        agency,
        ..Tenant::campus(campus.district(), campus.campus_id())
    }
}

/// A campus the actor may act on for a class of record; one out of reach is not found.
pub async fn campus_for(
    ctx: &Ctx,
    id: &str,
    class: RecordClass,
    action: Action,
    record_type: &str,
) -> AppResult<Campus> {
    Ok(campus_held(ctx, id, class, action, record_type).await?.0)
}

/// [`campus_for`], with the roles the actor holds for that campus: what a rule that depends
/// on a role (who may lift a lockdown, who holds evidence) must use.
pub async fn campus_held(
    ctx: &Ctx,
    id: &str,
    class: RecordClass,
    action: Action,
    record_type: &str,
) -> AppResult<(Campus, RolesHere)> {
    let id = Id::parse(id).ok_or(AppError::NotFound)?;
    // Kept between requests under the access version (moved by any change to campuses).
    let campus = ctx.campus(&mut ctx.app.db.acquire().await?, id).await?;
    let tenant = campus
        .as_ref()
        .map(|c| tenant(c, None))
        .unwrap_or(Tenant::campus(Id::from_parts("none", 0), id));
    let held = ctx
        .require(
            action,
            Resource::new(class, tenant),
            (record_type, &id.to_string()),
        )
        .await?;
    Ok((campus.ok_or(AppError::NotFound)?, held))
}

/// A district's own words for the campus states (see [`StateWords`]).
pub fn words_of(d: &triad_store::org::District) -> StateWords {
    StateWords {
        controlled_movement: d.controlled_movement_words.clone(),
        lockdown: d.lockdown_words.clone(),
    }
}

/// The words a campus's district uses for its states.
pub async fn state_words(ctx: &Ctx, campus: &Campus) -> AppResult<StateWords> {
    let mut conn = ctx.app.db.acquire().await?;
    Ok(ctx
        .district(&mut conn, campus.district())
        .await?
        .map(|d| words_of(&d))
        .unwrap_or_default())
}

/// A campus's district clock: its time zone and the day its school year starts.
#[derive(Debug, Clone, Copy)]
pub struct Local {
    pub tz: chrono_tz::Tz,
    pub year_start: YearStart,
}

impl Local {
    pub fn date(&self, at: Timestamp) -> chrono::NaiveDate {
        at.to_datetime().with_timezone(&self.tz).date_naive()
    }

    pub fn school_year(&self, at: Timestamp) -> i64 {
        i64::from(self.year_start.school_year_of(self.date(at)).0)
    }

    /// An instant as the campus reads it, naming the zone: for a page that may show records
    /// of several districts.
    pub fn show_zoned(&self, millis: i64) -> String {
        Timestamp::from_millis(millis)
            .to_datetime()
            .with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// An instant as the campus reads it, for pages: `2026-09-02 08:40`. Written out field by
    /// field: a list shows fifty of these, and a format string is parsed again at every use.
    pub fn show(&self, millis: i64) -> String {
        use chrono::{Datelike, Timelike};
        let at = Timestamp::from_millis(millis)
            .to_datetime()
            .with_timezone(&self.tz);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute()
        )
    }
}

impl Local {
    /// A district's clock.
    pub fn of(d: &triad_store::org::District) -> Self {
        Local {
            tz: org_rules::parse_time_zone(&d.time_zone).unwrap_or(chrono_tz::UTC),
            year_start: YearStart::parse(&d.year_start).unwrap_or(YearStart::AUGUST_FIRST),
        }
    }
}

/// An agency's clock: that of the district it has served longest. Its officers' entries are
/// dated on their campuses' clocks, so "this month" must be the month there, not in UTC (on a
/// US evening UTC is already in the next month). An agency serving districts in several time
/// zones reads its reports on its first district's.
pub async fn agency_local(conn: &mut triad_store::Pooled, agency: Id) -> AppResult<Option<Local>> {
    let Some(first) = triad_store::org::partnerships_of_agency(&mut *conn, agency)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let district = match Id::parse(&first.district_id) {
        Some(id) => triad_store::org::district(&mut *conn, id).await?,
        None => None,
    };
    Ok(district.as_ref().map(Local::of))
}

/// A district's clock, by its id (UTC for one that does not read).
pub async fn district_clock(ctx: &Ctx, district: &str) -> AppResult<Local> {
    let found = match Id::parse(district) {
        Some(id) => ctx.district(&mut ctx.app.db.acquire().await?, id).await?,
        None => None,
    };
    Ok(found.as_ref().map_or(
        Local {
            tz: chrono_tz::UTC,
            year_start: YearStart::AUGUST_FIRST,
        },
        Local::of,
    ))
}

pub async fn local(ctx: &Ctx, campus: &Campus) -> AppResult<Local> {
    let d = ctx
        .district(&mut ctx.app.db.acquire().await?, campus.district())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Local::of(&d))
}

/// The agency serving a campus today: its assigned officer's, else the district's partner.
/// Kept between requests under the access version, which assignments and partnerships move.
pub async fn serving_agency(ctx: &Ctx, campus: &Campus) -> AppResult<Option<Id>> {
    let today = crate::context::today(ctx.now);
    let kept = &ctx.app.access;
    if let Some(agency) = kept.serving_agency(ctx.access_version, campus.campus_id(), &today) {
        return Ok(agency);
    }
    let agency = read_serving_agency(ctx, campus, &today).await?;
    kept.keep_serving_agency(ctx.access_version, campus.campus_id(), &today, agency);
    Ok(agency)
}

async fn read_serving_agency(ctx: &Ctx, campus: &Campus, today: &str) -> AppResult<Option<Id>> {
    let mut conn = ctx.app.db.acquire().await?;
    let assigned = triad_store::org::active_assignments(
        &mut conn,
        today,
        None,
        None,
        Some(campus.campus_id()),
        None,
    )
    .await?;
    if let Some(a) = assigned.first() {
        return Ok(Id::parse(&a.agency_id));
    }
    let partners = triad_store::org::partnerships_of_district(&mut conn, campus.district()).await?;
    Ok(partners.first().and_then(|p| Id::parse(&p.agency_id)))
}

/// A page of a campus a person may open.
#[derive(Debug, Clone)]
pub struct CampusLink {
    pub href: String,
    pub label: &'static str,
}

/// The pages of a campus, those the person may open: the policy decides, so staff are not
/// shown links to the partners' shared records.
pub fn links(ctx: &Ctx, campus: &Campus) -> Vec<CampusLink> {
    let id = &campus.id;
    let pages = [
        (
            format!("/campuses/{id}/status"),
            "Status and lockdown",
            RecordClass::Shared,
        ),
        (
            format!("/campuses/{id}/meetings"),
            "Meetings and cadence",
            RecordClass::Shared,
        ),
        (
            format!("/campuses/{id}/incidents"),
            "Incidents",
            RecordClass::Shared,
        ),
        (
            format!("/campuses/{id}/visitors"),
            "Visitors",
            RecordClass::Shared,
        ),
        (format!("/campuses/{id}/bans"), "Bans", RecordClass::Shared),
        (
            format!("/campuses/{id}/drills"),
            "Drills",
            RecordClass::Shared,
        ),
        (
            format!("/campuses/{id}/post"),
            "The SRO's post",
            RecordClass::Shared,
        ),
        (
            format!("/campuses/{id}/start-of-year"),
            "Start of the school year",
            RecordClass::Shared,
        ),
        (
            format!("/reports/activity?scope=campus:{id}"),
            "Activity report",
            RecordClass::Aggregate,
        ),
        (
            format!("/districts/{}/role-guide", campus.district()),
            "Role guide",
            RecordClass::Directory,
        ),
        (
            format!("/districts/{}/community", campus.district()),
            "Community resources",
            RecordClass::Community,
        ),
    ];
    pages
        .into_iter()
        .filter(|(_, _, class)| {
            let resource = Resource::new(*class, tenant(campus, None));
            triad_domain::policy::decide(&ctx.actor, Action::View, resource)
                == triad_domain::policy::Decision::Allow
        })
        .map(|(href, label, _)| CampusLink { href, label })
        .collect()
}

/// A campus's school year as its district keeps it: the terms, the school days (without the
/// days it closed) and today, by the district's clock.
pub struct SchoolCalendar {
    pub year: i64,
    pub terms: Vec<Term>,
    pub school_days: Vec<chrono::NaiveDate>,
    pub today: chrono::NaiveDate,
}

pub async fn calendar(ctx: &Ctx, campus: &Campus) -> AppResult<SchoolCalendar> {
    district_calendar(ctx, campus.district(), None).await
}

/// A district's calendar for a school year (`None`: the one that holds today): its stored
/// terms, or the default ones when none are stored, and its school days.
pub async fn district_calendar(
    ctx: &Ctx,
    district: Id,
    year: Option<i64>,
) -> AppResult<SchoolCalendar> {
    let mut conn = ctx.app.db.acquire().await?;
    let d = triad_store::org::district(&mut conn, district)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = org_rules::parse_time_zone(&d.time_zone).unwrap_or(chrono_tz::UTC);
    let start = YearStart::parse(&d.year_start).unwrap_or(YearStart::AUGUST_FIRST);
    let today = ctx.now.to_datetime().with_timezone(&tz).date_naive();
    let year = match year.and_then(|y| i32::try_from(y).ok()) {
        Some(y) => triad_domain::org::SchoolYear(y),
        None => start.school_year_of(today),
    };
    let stored = triad_store::org::terms_of(&mut conn, district, i64::from(year.0)).await?;
    let terms: Vec<Term> = if stored.is_empty() {
        start.default_terms(year)
    } else {
        stored
            .iter()
            .filter_map(|t| Term::parse(&t.name, &t.first_day, &t.last_day).ok())
            .collect()
    };
    let closed: Vec<chrono::NaiveDate> =
        triad_store::org::non_school_days(&mut conn, district, i64::from(year.0))
            .await?
            .iter()
            .filter_map(|n| org_rules::parse_date("day", &n.day).ok())
            .collect();
    Ok(SchoolCalendar {
        year: i64::from(year.0),
        school_days: triad_domain::meetings::school_days(&terms, &closed),
        terms,
        today,
    })
}

/// Refuses an empty page of a campus's list (`table`) that followed a cursor no longer in it
/// (removed by retention since, or taken from another list): read as the end, it would hide
/// every row after it. The first page and a page with rows pass untouched.
pub async fn check_cursor(
    ctx: &Ctx,
    table: &str,
    campus: &Campus,
    page: triad_store::paging::Page,
    rows_found: usize,
) -> AppResult<()> {
    let Some(after) = page.after.filter(|_| rows_found == 0) else {
        return Ok(());
    };
    let mut conn = ctx.app.db.acquire().await?;
    if triad_store::paging::cursor_in_list(&mut conn, table, "campus_id", campus.campus_id(), after)
        .await?
    {
        Ok(())
    } else {
        Err(triad_domain::Invalid::one(
            "after",
            "is no longer in this list (it may have been removed); start again from the first page",
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_is_shown_as_the_format_string_would_show_it() {
        for tz in [
            chrono_tz::UTC,
            chrono_tz::America::New_York,
            chrono_tz::Pacific::Chatham,
        ] {
            let local = Local {
                tz,
                year_start: YearStart::AUGUST_FIRST,
            };
            // Every 7 hours 13 minutes across 1969–2040, through every change of the clocks.
            let mut millis: i64 = -86_400_000;
            while millis < 2_240_000_000_000 {
                let expected = Timestamp::from_millis(millis)
                    .to_datetime()
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string();
                assert_eq!(local.show(millis), expected, "{millis} in {tz}");
                millis += (7 * 60 + 13) * 60_000;
            }
        }
    }
}
