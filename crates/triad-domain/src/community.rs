//! The community resource directory: the services an SRO or an administrator refers a family
//! to (mental health, crisis lines, child protective services, youth court, food, housing…),
//! each with the day someone last checked it still answers as listed, and the referrals made
//! to it. A referral records the day, how many people and at most a case reference: there is
//! no field for a student's name, and a reference that reads like one is refused.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::{parse_date, text_enum};
use crate::policy::{RecordClass, Resource, Tenant};
use crate::text::parse_text;
use crate::{Id, Invalid};

text_enum! {
    /// What a service is for.
    Category {
        MentalHealth => "mental_health" / "Mental health",
        Crisis => "crisis" / "Crisis",
        ChildProtective => "child_protective" / "Child protective services",
        YouthCourt => "youth_court" / "Youth court and diversion",
        SubstanceUse => "substance_use" / "Substance use",
        Housing => "housing" / "Housing",
        Food => "food" / "Food",
        FamilySupport => "family_support" / "Family support",
        Other => "other" / "Other",
    }
}

/// The record the policy weighs for a district's directory and its referral counts.
pub fn record(district: Id) -> Resource {
    Resource::new(RecordClass::Community, Tenant::district(district))
}

/// How long an entry may go unverified before it is flagged, unless the district says.
pub const DEFAULT_VERIFY_DAYS: i64 = 180;
pub const MIN_VERIFY_DAYS: i64 = 7;
pub const MAX_VERIFY_DAYS: i64 = 730;
/// The most people one referral may count (a family, a group referred together).
pub const MAX_PEOPLE: i64 = 50;

pub fn parse_verify_days(text: &str) -> Result<i64, Invalid> {
    let days: i64 = text
        .trim()
        .parse()
        .map_err(|_| Invalid::one("verify_days", "must be a whole number of days, such as 180"))?;
    if !(MIN_VERIFY_DAYS..=MAX_VERIFY_DAYS).contains(&days) {
        return Err(Invalid::one(
            "verify_days",
            format!("must be between {MIN_VERIFY_DAYS} and {MAX_VERIFY_DAYS} days"),
        ));
    }
    Ok(days)
}

/// A directory entry as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub name: String,
    pub category: Category,
    pub contact: String,
    pub hours: Option<String>,
    pub languages: Option<String>,
    pub eligibility: Option<String>,
    pub verified_on: NaiveDate,
}

/// An entry's fields as a form or the API sends them.
#[derive(Debug, Clone, Default)]
pub struct EntryFields<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub contact: &'a str,
    pub hours: &'a str,
    pub languages: &'a str,
    pub eligibility: &'a str,
    /// YYYY-MM-DD; empty means today.
    pub verified_on: &'a str,
}

pub fn parse_entry(f: &EntryFields, today: NaiveDate) -> Result<Entry, Invalid> {
    let mut invalid = Invalid::default();
    let name = invalid.check(parse_text("name", f.name, 200)).flatten();
    if name.is_none() && !invalid.errors.iter().any(|e| e.field == "name") {
        invalid.push("name", "is required");
    }
    let category = Category::from_code(f.category);
    if category.is_none() {
        invalid.push(
            "category",
            "choose one: mental health, crisis, child protective services, youth court, substance use, housing, food, family support or other",
        );
    }
    let contact = invalid
        .check(parse_text("contact", f.contact, 500))
        .flatten();
    if contact.is_none() && !invalid.errors.iter().any(|e| e.field == "contact") {
        invalid.push(
            "contact",
            "say how to reach it: a phone number, an address or a web page",
        );
    }
    let hours = invalid.check(parse_text("hours", f.hours, 300)).flatten();
    let languages = invalid
        .check(parse_text("languages", f.languages, 300))
        .flatten();
    let eligibility = invalid
        .check(parse_text("eligibility", f.eligibility, 1000))
        .flatten();
    let verified_on = if f.verified_on.trim().is_empty() {
        Some(today)
    } else {
        invalid.check(parse_date("verified_on", f.verified_on))
    };
    if verified_on.is_some_and(|d| d > today) {
        invalid.push("verified_on", "cannot be a day still to come");
    }
    invalid.into_result()?;
    match (name, category, contact, verified_on) {
        (Some(name), Some(category), Some(contact), Some(verified_on)) => Ok(Entry {
            name,
            category,
            contact,
            hours,
            languages,
            eligibility,
            verified_on,
        }),
        _ => Err(Invalid::one("name", "is required")),
    }
}

/// Whether an entry last verified on `verified_on` is flagged on `today`.
pub fn is_stale(verified_on: NaiveDate, today: NaiveDate, verify_days: i64) -> bool {
    (today - verified_on).num_days() > verify_days
}

/// A referral as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Referral {
    pub referred_on: NaiveDate,
    pub people: i64,
    pub case_reference: Option<String>,
}

/// A case reference: a report or incident number such as "2026-0142" or "CR-88/3": digits
/// and - / # . with at most three letters (a prefix), and at least one digit, so a name, or
/// initials run into a name, cannot pass for one. A bare number is taken as the case number
/// it is asked to be; the form says never to write a student's identifier there.
pub fn parse_case_reference(text: &str) -> Result<Option<String>, Invalid> {
    let Some(t) = parse_text("case_reference", text, 40)? else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '#' | '.');
    let letters = t.chars().filter(char::is_ascii_alphabetic).count();
    if !t.chars().all(allowed) || !t.chars().any(|c| c.is_ascii_digit()) || letters > 3 {
        return Err(Invalid::one(
            "case_reference",
            "must be a case or report number (digits and - / # . with at most a three-letter prefix); never a name or a student's identifier",
        ));
    }
    Ok(Some(t))
}

pub fn parse_referral(
    referred_on: &str,
    people: &str,
    case_reference: &str,
    today: NaiveDate,
) -> Result<Referral, Invalid> {
    let mut invalid = Invalid::default();
    let day = invalid.check(crate::org::parse_recent_day(
        "referred_on",
        referred_on,
        today,
    ));
    let count = if people.trim().is_empty() {
        Some(1)
    } else {
        match people.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_PEOPLE).contains(&n) => Some(n),
            _ => {
                invalid.push(
                    "people",
                    format!("must be a whole number from 1 to {MAX_PEOPLE}"),
                );
                None
            }
        }
    };
    let reference = invalid.check(parse_case_reference(case_reference));
    invalid.into_result()?;
    match (day, count, reference) {
        (Some(referred_on), Some(people), Some(case_reference)) => Ok(Referral {
            referred_on,
            people,
            case_reference,
        }),
        _ => Err(Invalid::one("referred_on", "is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_entry_is_stale_once_its_period_has_passed_since_it_was_verified() {
        let today = day("2026-12-01");
        assert!(!is_stale(day("2026-06-04"), today, 180), "180 days ago");
        assert!(is_stale(day("2026-06-03"), today, 180), "181 days ago");
        assert!(!is_stale(today, today, 7));
        assert!(is_stale(day("2026-11-23"), today, 7));
        assert_eq!(parse_verify_days("90"), Ok(90));
        for bad in ["", "6", "731", "ninety", "-1", "1.5"] {
            assert!(parse_verify_days(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_entry_needs_a_name_a_category_and_a_way_to_reach_it() {
        let today = day("2026-12-01");
        let ok = parse_entry(
            &EntryFields {
                name: " County Food Bank ",
                category: "food",
                contact: "555-0100, 12 Main St",
                verified_on: "",
                ..Default::default()
            },
            today,
        )
        .unwrap();
        assert_eq!(ok.name, "County Food Bank");
        assert_eq!(ok.verified_on, today);
        assert_eq!(ok.hours, None);
        let bad = parse_entry(
            &EntryFields {
                name: "",
                category: "snacks",
                contact: " ",
                verified_on: "2026-12-02",
                ..Default::default()
            },
            today,
        )
        .unwrap_err();
        let fields: Vec<_> = bad.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "category", "contact", "verified_on"]);
    }

    #[test]
    fn a_referral_counts_people_and_never_takes_a_name() {
        let today = day("2026-12-01");
        let r = parse_referral("", "", "", today).unwrap();
        assert_eq!(
            (r.referred_on, r.people, r.case_reference),
            (today, 1, None)
        );
        let r = parse_referral("2026-11-30", "3", "CR-2026/0142", today).unwrap();
        assert_eq!(r.case_reference.as_deref(), Some("CR-2026/0142"));
        for (date, people, reference, field) in [
            ("", "", "John Smith", "case_reference"),
            ("", "", "Smith", "case_reference"),
            ("", "", "Ana-María 7", "case_reference"),
            ("", "", "JSmith07", "case_reference"),
            ("", "", "Smith.J.2010", "case_reference"),
            ("", "0", "", "people"),
            ("", "51", "", "people"),
            ("", "two", "", "people"),
            ("2026-12-02", "", "", "referred_on"),
            ("2025-11-29", "", "", "referred_on"),
            ("yesterday", "", "", "referred_on"),
        ] {
            let e = parse_referral(date, people, reference, today).unwrap_err();
            assert_eq!(e.errors[0].field, field, "{date} {people} {reference}");
        }
    }
}
