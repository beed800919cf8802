//! An SRO's evaluation and the facts of the post on a campus (seed 003 items 2, 11 and 21): the
//! supervisor rates the officer on criteria written for the SRO's work, the administrators of
//! the officer's campuses give their own input alongside (each sees and edits only theirs),
//! and each campus records the uniform the officer wears and the office space given.

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
    fn plain_clothes_and_no_office_are_what_the_seed_asks_against() {
        assert!(Uniform::Regulation.easily_identified() && Uniform::Modified.easily_identified());
        assert!(!Uniform::PlainClothes.easily_identified());
        assert!(Office::Shared.provided() && !Office::None.provided());
    }
}
