//! An SRO's evaluation and the facts of the post on a campus (seed 003 items 2, 11 and 21): the
//! supervisor rates the officer on criteria written for the SRO's work, the administrators of
//! the officer's campuses give their own input alongside (each sees and edits only theirs),
//! and each campus records the uniform the officer wears and the office space given.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::org::text_enum;
use crate::text::parse_text;
use crate::Invalid;

text_enum! {
    /// How an officer does on one criterion.
    Rating {
        Exceeds => "exceeds" / "Exceeds expectations",
        Meets => "meets" / "Meets expectations",
        NeedsImprovement => "needs_improvement" / "Needs improvement",
        NotObserved => "not_observed" / "Not observed",
    }
}

/// The criteria an SRO is evaluated on: (code, what it asks).
pub const CRITERIA: &[(&str, &str)] = &[
    (
        "partnership",
        "Works with the administrator as a partner: meets weekly, shares what the law allows",
    ),
    (
        "students",
        "Builds trust with students: approachable, fair and respectful",
    ),
    (
        "teaching",
        "Prepares and gives law-related lessons and presentations",
    ),
    (
        "mentoring",
        "Mentors students and connects families with community services",
    ),
    (
        "law_enforcement",
        "Handles law-enforcement matters by the agency's procedures and the MOU",
    ),
    (
        "not_discipline",
        "Leaves school discipline to the administrators",
    ),
    (
        "visibility",
        "Is seen and reachable at arrival, dismissal, lunch and events",
    ),
    (
        "emergencies",
        "Prepares the campus for emergencies with its staff: plans, drills, lockdowns",
    ),
    (
        "professionalism",
        "Conducts themself and dresses as the agreement and the agency ask",
    ),
];

/// Ratings as sent (criterion code → rating code), checked: every criterion rated ("not
/// observed" is a rating), no unknown one.
pub fn parse_ratings(sent: &BTreeMap<String, String>) -> Result<BTreeMap<String, Rating>, Invalid> {
    let mut invalid = Invalid::default();
    let mut out = BTreeMap::new();
    for (code, _) in CRITERIA {
        match sent.get(*code).map(|r| Rating::from_code(r)) {
            Some(Some(rating)) => {
                out.insert(code.to_string(), rating);
            }
            Some(None) => invalid.push(
                "ratings",
                format!("{code}: choose exceeds, meets, needs_improvement or not_observed"),
            ),
            None => invalid.push(
                "ratings",
                format!("{code}: rate it (not_observed if you could not)"),
            ),
        }
    }
    for code in sent.keys() {
        if !CRITERIA.iter().any(|(c, _)| c == code) {
            invalid.push(
                "ratings",
                format!("{code} is not a criterion of the evaluation"),
            );
        }
    }
    invalid.into_result()?;
    Ok(out)
}

pub fn parse_comments(text: &str) -> Result<Option<String>, Invalid> {
    parse_text("comments", text, 4000)
}

/// The years of law-enforcement experience an SRO should have, unless the agency says (seed
/// 003: at least three).
pub const DEFAULT_MIN_YEARS: i64 = 3;

/// Full years between the day an officer started in law enforcement and `today`.
pub fn years_served(start: NaiveDate, today: NaiveDate) -> i64 {
    let mut years = i64::from(today.year() - start.year());
    if (today.month(), today.day()) < (start.month(), start.day()) {
        years -= 1;
    }
    years.max(0)
}

/// Whether a candidate has the experience asked; `None` when their start is not recorded.
pub fn meets_minimum(start: Option<NaiveDate>, today: NaiveDate, min_years: i64) -> Option<bool> {
    start.map(|s| years_served(s, today) >= min_years)
}

pub fn parse_min_years(text: &str) -> Result<i64, Invalid> {
    match text.trim().parse::<i64>() {
        Ok(n) if (0..=30).contains(&n) => Ok(n),
        _ => Err(Invalid::one(
            "min_years",
            "must be a whole number of years from 0 to 30",
        )),
    }
}

text_enum! {
    /// What an administrator on the interview panel says of a candidate.
    Recommendation {
        Recommend => "recommend" / "Recommend",
        Reservations => "reservations" / "Recommend with reservations",
        DoNotRecommend => "do_not_recommend" / "Do not recommend",
    }
}

text_enum! {
    /// Where a candidate for an SRO post stands.
    Selection {
        Pending => "pending" / "Under consideration",
        Selected => "selected" / "Selected",
        NotSelected => "not_selected" / "Not selected",
    }
}

text_enum! {
    /// What the officer wears on the campus (item 21).
    Uniform {
        Regulation => "regulation" / "Regulation uniform",
        Modified => "modified" / "Modified uniform (polo and duty belt)",
        PlainClothes => "plain_clothes" / "Plain clothes",
    }
}

text_enum! {
    /// Where the officer works from on the campus (item 2).
    Office {
        Dedicated => "dedicated" / "An office of the SRO's own",
        Shared => "shared" / "A shared office",
        None => "none" / "No office space",
    }
}

impl Uniform {
    /// The seed asks for a regulation or modified uniform, so the officer is easily seen.
    pub fn easily_identified(self) -> bool {
        self != Uniform::PlainClothes
    }
}

impl Office {
    /// The seed asks the school to give the SRO office space.
    pub fn provided(self) -> bool {
        self != Office::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(rating: &str) -> BTreeMap<String, String> {
        CRITERIA
            .iter()
            .map(|(c, _)| (c.to_string(), rating.to_string()))
            .collect()
    }

    #[test]
    fn every_criterion_is_rated_and_nothing_else() {
        let ok = parse_ratings(&all("meets")).unwrap();
        assert_eq!(ok.len(), CRITERIA.len());
        assert!(ok.values().all(|r| *r == Rating::Meets));
        let mut missing = all("meets");
        missing.remove("not_discipline");
        let e = parse_ratings(&missing).unwrap_err();
        assert!(e.errors[0].message.starts_with("not_discipline"), "{e:?}");
        let mut odd = all("not_observed");
        odd.insert("charm".into(), "exceeds".into());
        odd.insert("students".into(), "great".into());
        let e = parse_ratings(&odd).unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
        assert!(parse_comments(&"x".repeat(4001)).is_err());
    }

    #[test]
    fn experience_is_counted_in_full_years_against_the_minimum() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(years_served(d("2023-09-02"), d("2026-09-01")), 2);
        assert_eq!(years_served(d("2023-09-01"), d("2026-09-01")), 3);
        assert_eq!(years_served(d("2027-01-01"), d("2026-09-01")), 0);
        assert_eq!(
            meets_minimum(Some(d("2023-09-02")), d("2026-09-01"), 3),
            Some(false)
        );
        assert_eq!(
            meets_minimum(Some(d("2020-01-01")), d("2026-09-01"), 3),
            Some(true)
        );
        assert_eq!(meets_minimum(None, d("2026-09-01"), 3), None);
        assert_eq!(parse_min_years("3"), Ok(3));
        assert!(
            parse_min_years("-1").is_err()
                && parse_min_years("31").is_err()
                && parse_min_years("x").is_err()
        );
    }

    #[test]
    fn plain_clothes_and_no_office_are_what_the_seed_asks_against() {
        assert!(Uniform::Regulation.easily_identified() && Uniform::Modified.easily_identified());
        assert!(!Uniform::PlainClothes.easily_identified());
        assert!(Office::Shared.provided() && !Office::None.provided());
    }
}
