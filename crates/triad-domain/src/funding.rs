//! Grants that pay for an SRO position or program for a limited time, and the rule that a
//! plan for continuing the program is in place a year before the money ends (seed 003, item
//! 13: too often nobody asks how the costs will be carried once a grant stops).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::policy::{RecordClass, Resource, Tenant};
use crate::text::parse_text;
use crate::{Id, Invalid};

/// The record the policy weighs for a partnership's funding: the agency's and the district's
/// together, read and written by their leaders only.
pub fn record(agency: Id, district: Id) -> Resource {
    Resource::new(
        RecordClass::Funding,
        Tenant {
            agency: Some(agency),
            district: Some(district),
            campus: None,
        },
    )
}

/// How long before a grant's end its continuation plan is due.
pub const PLAN_LEAD_MONTHS: u32 = 12;
/// How long before the plan's due date the leaders' home pages start to mention it.
pub const NOTICE_DAYS: i64 = 90;
/// The largest amount a grant may be recorded with, in cents (a billion dollars): anything
/// larger is a typing mistake.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000_000;

/// A grant as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantTerms {
    /// The position or program it pays for.
    pub covers: String,
    pub funder: String,
    pub amount_cents: i64,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
}

/// Reads an amount of money as people type it: "250000", "250,000.00", "$1,200.5".
pub fn parse_amount(field: &'static str, text: &str) -> Result<i64, Invalid> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    let bad = || {
        Invalid::one(
            field,
            "must be an amount in dollars, such as 125000 or 125,000.00",
        )
    };
    if cleaned.is_empty() {
        return Err(Invalid::one(field, "is required"));
    }
    if cleaned.starts_with('-') {
        return Err(Invalid::one(field, "must not be negative"));
    }
    let (whole, cents) = match cleaned.split_once('.') {
        Some((w, c)) if c.len() <= 2 && c.chars().all(|d| d.is_ascii_digit()) => {
            (w, format!("{c:0<2}"))
        }
        Some(_) => return Err(bad()),
        None => (cleaned.as_str(), "00".to_string()),
    };
    if whole.is_empty() || !whole.chars().all(|d| d.is_ascii_digit()) || whole.len() > 12 {
        return Err(bad());
    }
    let total =
        whole.parse::<i64>().map_err(|_| bad())? * 100 + cents.parse::<i64>().map_err(|_| bad())?;
    if total > MAX_AMOUNT_CENTS {
        return Err(Invalid::one(
            field,
            "is larger than any grant this records (a billion dollars)",
        ));
    }
    Ok(total)
}

/// Dollars and cents as people read them: 125000 dollars reads "$125,000.00".
pub fn show_amount(cents: i64) -> String {
    let dollars = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, d) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("${grouped}.{:02}", cents % 100)
}

/// Checks a grant as entered; every problem is named by its field.
pub fn parse_grant(
    covers: &str,
    funder: &str,
    amount: &str,
    starts: &str,
    ends: &str,
) -> Result<GrantTerms, Invalid> {
    let mut invalid = Invalid::default();
    let covers = invalid.check(parse_text("covers", covers, 200)).flatten();
    if covers.is_none() && invalid.errors.is_empty() {
        invalid.push("covers", "say which position or program the grant pays for");
    }
    let funder_text = invalid.check(parse_text("funder", funder, 200));
    if funder_text == Some(None) {
        invalid.push("funder", "is required");
    }
    let amount = invalid.check(parse_amount("amount", amount));
    let starts = invalid.check(crate::org::parse_date("starts", starts));
    let ends = invalid.check(crate::org::parse_date("ends", ends));
    for (field, day) in [("starts", starts), ("ends", ends)] {
        if day.is_some_and(|d| !(1990..=2100).contains(&chrono::Datelike::year(&d))) {
            invalid.push(field, "must be a day between 1990 and 2100");
        }
    }
    if amount == Some(0) {
        invalid.push("amount", "must be more than zero");
    }
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            invalid.push("ends", "must be after the day the grant starts");
        }
    }
    invalid.into_result()?;
    match (covers, funder_text.flatten(), amount, starts, ends) {
        (Some(covers), Some(funder), Some(amount_cents), Some(starts), Some(ends)) => {
            Ok(GrantTerms {
                covers,
                funder,
                amount_cents,
                starts,
                ends,
            })
        }
        _ => Err(Invalid::one("covers", "is required")),
    }
}

/// A continuation plan as written: how the position or program goes on once the grant ends.
pub fn parse_plan(text: &str) -> Result<String, Invalid> {
    match parse_text("plan", text, 4000)? {
        Some(plan) => Ok(plan),
        None => Err(Invalid::one(
            "plan",
            "say how the position or program is paid for after the grant ends",
        )),
    }
}

/// The day a grant's continuation plan is due: a year before the grant ends (a grant of less
/// than a year needs its plan from the day it starts).
pub fn plan_due(starts: NaiveDate, ends: NaiveDate) -> NaiveDate {
    ends.checked_sub_months(Months::new(PLAN_LEAD_MONTHS))
        .unwrap_or(ends)
        .max(starts)
}

/// Where a grant's continuation plan stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStanding {
    /// Recorded: nothing to do.
    Recorded,
    /// Not recorded, and its due date is more than [`NOTICE_DAYS`] away.
    NotYet,
    /// Not recorded, and due within [`NOTICE_DAYS`].
    DueSoon,
    /// Not recorded, and its due date has passed while the grant still runs.
    Overdue,
    /// Not recorded, and the grant has ended: too late to plan, shown on the funding page only.
    EndedWithout,
}

impl PlanStanding {
    pub fn code(self) -> &'static str {
        match self {
            PlanStanding::Recorded => "recorded",
            PlanStanding::NotYet => "not_yet",
            PlanStanding::DueSoon => "due_soon",
            PlanStanding::Overdue => "overdue",
            PlanStanding::EndedWithout => "ended_without",
        }
    }

    /// Whether the leaders' home pages say so.
    pub fn on_home(self) -> bool {
        matches!(self, PlanStanding::DueSoon | PlanStanding::Overdue)
    }
}

pub fn plan_standing(
    starts: NaiveDate,
    ends: NaiveDate,
    plan_recorded: bool,
    today: NaiveDate,
) -> PlanStanding {
    if plan_recorded {
        return PlanStanding::Recorded;
    }
    let due = plan_due(starts, ends);
    if today >= ends {
        PlanStanding::EndedWithout
    } else if today >= due {
        PlanStanding::Overdue
    } else if (due - today).num_days() <= NOTICE_DAYS {
        PlanStanding::DueSoon
    } else {
        PlanStanding::NotYet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn amounts_read_as_people_type_them_and_absurd_ones_are_refused() {
        assert_eq!(parse_amount("amount", "250000"), Ok(25_000_000));
        assert_eq!(parse_amount("amount", "$250,000.5"), Ok(25_000_050));
        assert_eq!(parse_amount("amount", " 1,200.05 "), Ok(120_005));
        for bad in [
            "",
            "-5",
            "12.345",
            "abc",
            "1.2.3",
            "99999999999999",
            "1e6",
            ".",
        ] {
            assert!(parse_amount("amount", bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(show_amount(25_000_050), "$250,000.50");
        assert_eq!(show_amount(5), "$0.05");
        assert_eq!(show_amount(100_000_000), "$1,000,000.00");
    }

    #[test]
    fn a_grant_that_ends_before_it_starts_is_refused_by_the_end_field() {
        let e =
            parse_grant("SRO position", "State", "100", "2027-06-30", "2026-07-01").unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "ends");
        let same = parse_grant("SRO position", "State", "100", "2027-06-30", "2027-06-30");
        assert!(same.is_err(), "a grant of no days");
        for (amount, starts, ends, field) in [
            ("0", "2026-07-01", "2027-06-30", "amount"),
            ("10", "0001-01-01", "2027-06-30", "starts"),
            ("10", "2026-07-01", "9999-12-31", "ends"),
        ] {
            let e = parse_grant("SRO position", "State", amount, starts, ends).unwrap_err();
            assert_eq!(e.errors[0].field, field, "{amount} {starts} {ends}");
        }
        let all = parse_grant("", " ", "-1", "June", "").unwrap_err();
        let fields: Vec<_> = all.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["covers", "funder", "amount", "starts", "ends"]);
        let ok = parse_grant(
            " SRO position ",
            "COPS",
            "$1,000",
            "2026-07-01",
            "2029-06-30",
        )
        .unwrap();
        assert_eq!(ok.covers, "SRO position");
        assert_eq!(ok.amount_cents, 100_000);
    }

    #[test]
    fn the_plan_is_due_a_year_before_the_end_and_named_from_ninety_days_before() {
        let ends = day("2028-06-30");
        let starts = day("2025-07-01");
        assert_eq!(plan_due(starts, ends), day("2027-06-30"));
        // A leap day's year back is the last of February.
        assert_eq!(plan_due(starts, day("2028-02-29")), day("2027-02-28"));
        // Six months of money: the plan is due the day it starts.
        assert_eq!(
            plan_due(day("2026-09-01"), day("2027-02-28")),
            day("2026-09-01")
        );
        let at = |d| plan_standing(starts, ends, false, day(d));
        assert_eq!(at("2026-12-01"), PlanStanding::NotYet);
        assert_eq!(at("2027-04-01"), PlanStanding::DueSoon);
        assert!(at("2027-04-01").on_home());
        assert_eq!(at("2027-06-30"), PlanStanding::Overdue);
        assert_eq!(at("2028-06-29"), PlanStanding::Overdue);
        assert_eq!(at("2028-06-30"), PlanStanding::EndedWithout);
        assert!(!at("2028-06-30").on_home());
        assert_eq!(
            plan_standing(starts, ends, true, day("2027-06-30")),
            PlanStanding::Recorded
        );
        assert!(parse_plan("  ").is_err());
        assert_eq!(
            parse_plan(" The city budget carries it ").unwrap(),
            "The city budget carries it"
        );
    }
}
