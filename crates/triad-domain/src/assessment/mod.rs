//! Program assessment: the 27 practices of the SRO Program Instrument (seed 003), in the
//! project's own words, and how a program (one agency and one district, for one school year)
//! is rated against them: from its records where the records can answer, by people where they
//! cannot, and by people over the records when they know better (with their reason).

pub mod aggregate;
mod campus;
pub mod checklist;
mod facts;
mod instrument;
mod people;
mod score;

pub use facts::{
    roll_up, CampusFacts, CampusScore, DirectoryFacts, Entry, Evidence, GrantFacts, MonthCount,
    MouFacts, OfficerFacts, ProgramFacts, Scored, SelectionFacts, Source, Thresholds,
    ENTRY_CATEGORIES,
};
pub use instrument::{Group, Instrument, Item, SRO_PROGRAM};
pub use score::{score, RECORDED_CATEGORIES};

use crate::org::text_enum;
use crate::policy::{RecordClass, Resource, Tenant};
use crate::{Id, Invalid};
use serde::{Deserialize, Serialize};

text_enum! {
    /// How well a program keeps a practice.
    Rating {
        Met => "met" / "Met",
        PartlyMet => "partly_met" / "Partly met",
        NotMet => "not_met" / "Not met",
        NotApplicable => "not_applicable" / "Not applicable",
    }
}

/// A program's assessment: the agency's and the district's together, read and rated by the
/// district's evaluators and leaders and by the agency's supervisors.
pub fn record(agency: Id, district: Id) -> Resource {
    Resource::new(
        RecordClass::Assessment,
        Tenant {
            agency: Some(agency),
            district: Some(district),
            campus: None,
        },
    )
}

/// Longest reason kept with a rating.
pub const NOTE_MAX: usize = 2000;

/// A person's rating of one item, checked: an item of the instrument, a rating, and the reason
/// (always asked: a rating by a person is only as good as what it rests on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRating {
    pub item: u8,
    pub rating: Rating,
    pub note: String,
}

impl PersonRating {
    pub fn parse(item: &str, rating: &str, note: &str) -> Result<Self, Invalid> {
        let (item, rating, note) = parse_rating(
            item,
            rating,
            note,
            |n| u8::try_from(n).is_ok_and(|n| SRO_PROGRAM.item(n).is_some()),
            "choose one of the 27 items of the instrument",
        )?;
        Ok(Self {
            item: u8::try_from(item).unwrap_or_default(),
            rating,
            note,
        })
    }
}

/// A person's rating of an item `known` says is there, with its reason: the item's number,
/// the rating and the reason, or every problem found (`unknown`: what to say of an item not
/// there).
pub fn parse_rating(
    item: &str,
    rating: &str,
    note: &str,
    known: impl Fn(i64) -> bool,
    unknown: &str,
) -> Result<(i64, Rating, String), Invalid> {
    let mut errors = Invalid::default();
    let item = item.trim().parse::<i64>().ok().filter(|n| known(*n));
    if item.is_none() {
        errors.push("item", unknown);
    }
    let rating = Rating::from_code(rating);
    if rating.is_none() {
        errors.push(
            "rating",
            "choose met, partly met, not met or not applicable",
        );
    }
    let note = note.trim();
    if note.is_empty() {
        errors.push(
            "note",
            "say what the rating rests on: what you saw, read or were told",
        );
    } else if note.chars().count() > NOTE_MAX {
        errors.push(
            "note",
            format!("keep the reason under {NOTE_MAX} characters"),
        );
    }
    match (item, rating) {
        (Some(item), Some(rating)) if errors.errors.is_empty() => {
            Ok((item, rating, note.to_string()))
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_rating_needs_an_item_a_rating_and_a_reason() {
        let ok = PersonRating::parse("20", "partly_met", " Met most weeks; spring was thin ");
        assert_eq!(
            ok,
            Ok(PersonRating {
                item: 20,
                rating: Rating::PartlyMet,
                note: "Met most weeks; spring was thin".into()
            })
        );
        let fields = |r: Result<PersonRating, Invalid>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.iter().map(|f| f.field.to_string()).collect())
                .unwrap_or_default()
        };
        assert_eq!(fields(PersonRating::parse("28", "met", "x")), ["item"]);
        assert_eq!(fields(PersonRating::parse("0", "met", "x")), ["item"]);
        assert_eq!(fields(PersonRating::parse("one", "met", "x")), ["item"]);
        assert_eq!(fields(PersonRating::parse("3", "great", "x")), ["rating"]);
        assert_eq!(fields(PersonRating::parse("3", "met", "   ")), ["note"]);
        let long = "x".repeat(NOTE_MAX + 1);
        assert_eq!(fields(PersonRating::parse("3", "met", &long)), ["note"]);
    }
}
