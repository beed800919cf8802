//! Gathering what the records say about a program's school year. The assessment is an
//! aggregate: it reads other capabilities' tables straight from the store (their services
//! would ask their own record's policy, which an evaluator does not pass) and hands on only
//! figures and dates.

use crate::campus::{Local, SchoolCalendar};
use crate::context::Ctx;
use crate::error::AppResult;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use triad_domain::activity::Category;
use triad_domain::assessment::{
    CampusFacts, DirectoryFacts, Entry, GrantFacts, MonthCount, MouFacts, OfficerFacts,
    ProgramFacts, SelectionFacts, ENTRY_CATEGORIES,
};
use triad_domain::personnel::{Office, Uniform};
use triad_domain::{Id, Timestamp};
use triad_store::assessment as store;
use triad_store::org::Partnership;

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// The facts of a program's year, and whether any record of the year exists at all.
pub(crate) struct Gathered {
    pub facts: ProgramFacts,
    pub has_records: bool,
}

pub(crate) async fn gather(
    ctx: &Ctx,
    p: &Partnership,
    agency: Id,
    district: Id,
    cal: &SchoolCalendar,
    local: &Local,
) -> AppResult<Gathered> {
    let year = triad_domain::org::SchoolYear(i32::try_from(cal.year).unwrap_or(0));
    let (first, last) = local.year_start.bounds(year);
    let year_over = cal.today > last;
    let until = if year_over { last } else { cal.today };
    let (first_s, last_s) = (first.to_string(), last.to_string());
    let mut conn = ctx.app.db.acquire().await?;

    // The officers the agency assigned in the district in the year, and the campuses they
    // served there: the program's campuses.
    let spans = store::officer_spans(&mut conn, agency, district, &first_s, &last_s).await?;
    let ours = |s: &store::SpanRow| {
        s.agency_id == agency.to_string() && s.district_id == district.to_string()
    };
    let campus_ids: BTreeSet<String> = spans
        .iter()
        .filter(|s| ours(s))
        .map(|s| s.campus_id.clone())
        .collect();
    // The district's meetings and posts in one read each, then each campus's share.
    let meetings = triad_store::meetings::of_district(&mut conn, district, cal.year).await?;
    let posts = triad_store::personnel::posts_of_district(&mut conn, district).await?;
    let mut campuses = Vec::new();
    for id in campus_ids.iter().filter_map(|c| Id::parse(c)) {
        let Some(c) = ctx.campus(&mut conn, id).await? else {
            continue;
        };
        let here: Vec<_> = meetings
            .iter()
            .filter(|m| m.campus_id == c.id)
            .cloned()
            .collect();
        let post = posts.iter().find(|p| p.campus_id == c.id);
        campuses.push(CampusFacts {
            campus: id,
            name: c.name.clone(),
            meetings: crate::meetings::held(&here),
            office: post.and_then(|p| Office::from_code(&p.office)),
            uniform: post.and_then(|p| Uniform::from_code(&p.uniform)),
        });
    }
    campuses.sort_by(|a, b| a.name.cmp(&b.name));

    let briefings = store::briefings_between(&mut conn, agency, &first_s, &last_s).await?;
    let evaluated: BTreeMap<String, i64> = store::evaluations_of_year(&mut conn, agency, cal.year)
        .await?
        .into_iter()
        .map(|e| (e.person_id, e.inputs))
        .collect();
    let candidacies = store::candidacies_in_district(&mut conn, agency, district).await?;
    let training = triad_store::training::of_agency(&mut conn, agency).await?;
    let people: BTreeSet<(String, String)> = spans
        .iter()
        .filter(|s| ours(s))
        .map(|s| (s.person_id.clone(), s.person_name.clone()))
        .collect();
    drop(conn);
    let requirements = crate::training::requirements(ctx, agency).await?;
    let min_years = crate::selection::min_years(ctx, agency).await?;
    let mut conn = ctx.app.db.acquire().await?;

    let mut officers = Vec::new();
    for (person_id, name) in &people {
        let Some(person) = Id::parse(person_id) else {
            continue;
        };
        let own: Vec<&store::SpanRow> =
            spans.iter().filter(|s| &s.person_id == person_id).collect();
        let assigned_on = own
            .iter()
            .filter(|s| ours(s))
            .filter_map(|s| day(&s.starts_on))
            .min()
            .unwrap_or(first);
        let rows: Vec<_> = training
            .iter()
            .filter(|t| &t.person_id == person_id)
            .cloned()
            .collect();
        let taken = crate::training::taken(&rows);
        let selected = candidacies
            .iter()
            .find(|c| &c.person_id == person_id && c.decision == "selected");
        officers.push(OfficerFacts {
            person,
            name: name.clone(),
            campuses_held: most_at_once(&own, first, last),
            assigned_on,
            briefings: briefings
                .iter()
                .filter(|b| &b.person_id == person_id)
                .filter_map(|b| day(&b.held_on))
                .collect(),
            training_current: triad_domain::training::is_current(&taken, &requirements, until),
            evaluation: evaluated
                .get(person_id)
                .map(|n| usize::try_from(*n).unwrap_or(0)),
            volunteered: selected.map(|c| c.volunteered),
            experience_start: own
                .first()
                .and_then(|s| s.le_experience_start.as_deref())
                .and_then(day),
        });
    }

    let categories: Vec<&'static str> = ENTRY_CATEGORIES.iter().map(|c| c.code()).collect();
    let entries: Vec<Entry> =
        store::program_entries(&mut conn, agency, district, cal.year, &categories)
            .await?
            .iter()
            .filter_map(|row| {
                let campus = Id::parse(&row.campus_id)?;
                let category = Category::from_code(&row.category)?;
                Some(row.days.split(',').filter_map(move |one| {
                    let (on, plan) = one.split_once(':')?;
                    Some(Entry {
                        campus,
                        category,
                        on: day(on)?,
                        lesson_plan: plan == "1",
                    })
                }))
            })
            .flatten()
            .collect();
    let months: Vec<MonthCount> = store::program_months(&mut conn, agency, district, cal.year)
        .await?
        .into_iter()
        .filter_map(|m| {
            let (y, mo) = m.month.split_once('-')?;
            Some(MonthCount {
                month: (y.parse().ok()?, mo.parse().ok()?),
                category: Category::from_code(&m.category)?,
                entries: usize::try_from(m.entries).unwrap_or(0),
            })
        })
        .collect();

    let mou = in_force(&mut conn, p, local, until).await?;
    let grants = triad_store::funding::of_partnership(&mut conn, crate::partnership::id(p))
        .await?
        .into_iter()
        .filter_map(|g| {
            Some(GrantFacts {
                funder: g.funder,
                starts_on: day(&g.starts_on)?,
                ends_on: day(&g.ends_on)?,
                plan_on: g.plan_at.map(|ms| local.date(Timestamp::from_millis(ms))),
            })
        })
        .collect();
    let resources = triad_store::community::of_district(&mut conn, district).await?;
    let referrals = triad_store::community::counts_since(&mut conn, district, &first_s)
        .await?
        .iter()
        .map(|r| usize::try_from(r.referrals).unwrap_or(0))
        .sum();
    drop(conn);
    let verify_days = crate::community::verify_days(ctx, district).await?;
    let directory = DirectoryFacts {
        resources: resources.len(),
        stale: resources
            .iter()
            .filter(|r| {
                day(&r.verified_on)
                    .is_none_or(|v| triad_domain::community::is_stale(v, until, verify_days))
            })
            .count(),
        referrals,
    };
    let selections = candidacies
        .iter()
        .filter(|c| c.decision == "selected")
        .filter_map(|c| {
            let on = local.date(Timestamp::from_millis(c.decided_at?));
            (first <= on && on <= last).then(|| SelectionFacts {
                campus: c.campus_name.clone(),
                decided_on: on,
                panel_inputs: usize::try_from(c.panel_inputs).unwrap_or(0),
            })
        })
        .collect();

    let has_records = !officers.is_empty()
        || !months.is_empty()
        || campuses.iter().any(|c| !c.meetings.is_empty());
    Ok(Gathered {
        facts: ProgramFacts {
            until,
            year_over,
            terms: cal.terms.clone(),
            school_days: cal.school_days.clone(),
            mou,
            campuses,
            officers,
            entries,
            months,
            grants,
            directory,
            selections,
            min_years,
        },
        has_records,
    })
}

/// The most campuses an officer served on any one day of the year.
fn most_at_once(spans: &[&store::SpanRow], first: NaiveDate, last: NaiveDate) -> usize {
    let active = |on: NaiveDate| -> usize {
        spans
            .iter()
            .filter(|s| {
                day(&s.starts_on).is_some_and(|d| d <= on)
                    && s.ends_on.as_deref().and_then(day).is_none_or(|e| e >= on)
            })
            .map(|s| s.campus_id.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    };
    spans
        .iter()
        .filter_map(|s| day(&s.starts_on))
        .map(|d| d.clamp(first, last))
        .map(active)
        .max()
        .unwrap_or(0)
}

/// The newest version signed by both sides on or before `until`.
async fn in_force(
    conn: &mut triad_store::Pooled,
    p: &Partnership,
    local: &Local,
    until: NaiveDate,
) -> AppResult<Option<MouFacts>> {
    let versions = triad_store::mou::versions(&mut *conn, crate::partnership::id(p)).await?;
    let Some((version, signed_on)) = versions.into_iter().find_map(|v| {
        let on = local.date(Timestamp::from_millis(v.signed_at?));
        (on <= until).then_some((v, on))
    }) else {
        return Ok(None);
    };
    let Some(id) = Id::parse(&version.id) else {
        return Ok(None);
    };
    let clauses = triad_store::mou::clauses(&mut *conn, id).await?;
    Ok(Some(MouFacts {
        version: version.number,
        signed_on,
        clauses: crate::mou::clauses_of(clauses),
    }))
}
