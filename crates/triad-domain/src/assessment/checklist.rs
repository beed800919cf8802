//! Checklists rated beside the SRO Program Instrument: the federal one (the five action steps
//! of the 2016 federal guidance for school–police partnerships, in the project's words) and a
//! district's own practices. People rate them, with their reason; each item names the
//! instrument's practices whose ratings bear on it, shown beside it as evidence. They never
//! change the 27 practices' ratings, so programs stay comparable across districts.

use super::{Rating, SRO_PROGRAM};
use crate::text::parse_text;
use crate::Invalid;

/// The federal checklist's code in ratings.
pub const FEDERAL: &str = "federal-steps";
/// A district's own practices' code in ratings.
pub const DISTRICT: &str = "district";
/// The federal checklist's version: its ratings are kept as `federal-steps@1`, so a later
/// wording's are never read as this one's. A district's practices need none: each is never
/// rewritten, only retired.
const FEDERAL_VERSION: u32 = 1;

/// How ratings of a checklist name it.
pub fn stored_as(code: &str) -> String {
    if code == FEDERAL {
        format!("{FEDERAL}@{FEDERAL_VERSION}")
    } else {
        code.to_string()
    }
}

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub number: u16,
    pub short: String,
    pub practice: String,
    /// The instrument's practices whose ratings bear on this one.
    pub related: Vec<u8>,
}

/// The federal checklist, version 1: what a partnership should have in place, by the five
/// action steps of the federal guidance.
pub fn federal_steps() -> Vec<ChecklistItem> {
    let item = |number, short: &str, practice: &str, related: &[u8]| ChecklistItem {
        number,
        short: short.to_string(),
        practice: practice.to_string(),
        related: related.to_vec(),
    };
    vec![
        item(
            1,
            "Lasting partnerships with a written MOU",
            "The district, the agency and the people with a stake in students' justice and civil rights work together, and the partnership is written in an agreement both sides signed before officers were placed.",
            &[1, 8, 10, 13],
        ),
        item(
            2,
            "An MOU that keeps to civil rights law",
            "The agreement keeps officers out of school discipline and within the constitutional and statutory rights of students, and says how records are shared and how arrests and referrals are reported.",
            &[1, 8],
        ),
        item(
            3,
            "Officers recruited and chosen for schools",
            "Officers are chosen for work with young people, volunteer for it, and the school takes part in choosing them.",
            &[23, 24, 27],
        ),
        item(
            4,
            "Officers and school staff kept trained",
            "Officers and the school staff who work with them are trained, together where they can be, in adolescent development, de-escalation, disability and bias.",
            &[22],
        ),
        item(
            5,
            "Evaluation and recognition",
            "Officers and school staff are evaluated regularly against the program's goals, with the school's input, and good work is recognised.",
            &[25, 26],
        ),
    ]
}

/// The longest short name and description of a district's practice.
const SHORT_MAX: usize = 120;
const PRACTICE_MAX: usize = 2000;

/// A district's new practice, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPractice {
    pub short: String,
    pub practice: String,
    pub related: Vec<u8>,
}

impl NewPractice {
    /// `related`: the instrument's practice numbers, separated by commas or spaces (blank:
    /// none).
    pub fn parse(short: &str, practice: &str, related: &str) -> Result<Self, Invalid> {
        let mut errors = Invalid::default();
        let short = errors.check(parse_text("short", short, SHORT_MAX));
        let practice = errors.check(parse_text("practice", practice, PRACTICE_MAX));
        let mut numbers = Vec::new();
        for part in related
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
        {
            match part
                .parse::<u8>()
                .ok()
                .filter(|n| SRO_PROGRAM.item(*n).is_some())
            {
                Some(n) if !numbers.contains(&n) => numbers.push(n),
                Some(_) => {}
                None => {
                    errors.push(
                        "related",
                        format!(
                            "“{part}” is not one of the instrument's practices (1 to {})",
                            SRO_PROGRAM.items.len()
                        ),
                    );
                    break;
                }
            }
        }
        numbers.sort_unstable();
        let short = short.flatten();
        let practice = practice.flatten();
        if short.is_none() && !errors.errors.iter().any(|e| e.field == "short") {
            errors.push("short", "name the practice in a few words");
        }
        if practice.is_none() && !errors.errors.iter().any(|e| e.field == "practice") {
            errors.push(
                "practice",
                "say what the practice is, as the district expects it",
            );
        }
        errors.into_result()?;
        match (short, practice) {
            (Some(short), Some(practice)) => Ok(Self {
                short,
                practice,
                related: numbers,
            }),
            _ => Err(Invalid::one("short", "name the practice in a few words")),
        }
    }
}

/// Reads the numbers a practice is related to, as stored ("1,8,10").
pub fn related_of(stored: &str) -> Vec<u8> {
    stored
        .split(',')
        .filter_map(|n| n.trim().parse::<u8>().ok())
        .filter(|n| SRO_PROGRAM.item(*n).is_some())
        .collect()
}

/// The same numbers as stored.
pub fn related_text(related: &[u8]) -> String {
    related
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The ratings the related practices have, for showing beside an item (none: not rated).
pub fn related_ratings(
    item: &ChecklistItem,
    counted: &[Option<Rating>],
) -> Vec<(u8, Option<Rating>)> {
    item.related
        .iter()
        .map(|n| {
            let at = SRO_PROGRAM.items.iter().position(|i| i.number == *n);
            (*n, at.and_then(|i| counted.get(i).copied().flatten()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_federal_steps_are_five_and_name_real_practices() {
        let steps = federal_steps();
        assert_eq!(steps.len(), 5);
        for (i, s) in steps.iter().enumerate() {
            assert_eq!(usize::from(s.number), i + 1);
            assert!(!s.related.is_empty());
            assert!(s.related.iter().all(|n| SRO_PROGRAM.item(*n).is_some()));
        }
    }

    #[test]
    fn a_district_practice_needs_a_name_and_words_and_real_related_practices() {
        let ok = NewPractice::parse(" Bus duty ", "The SRO is at the buses.", "21, 5 5").unwrap();
        assert_eq!(ok.short, "Bus duty");
        assert_eq!(ok.related, vec![5, 21]);
        assert_eq!(related_of(&related_text(&ok.related)), ok.related);
        for (short, practice, related, field) in [
            ("", "words", "", "short"),
            ("name", " ", "", "practice"),
            ("name", "words", "28", "related"),
            ("name", "words", "0", "related"),
            ("name", "words", "three", "related"),
            (&"x".repeat(121)[..], "words", "", "short"),
        ] {
            let err = NewPractice::parse(short, practice, related).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{short:?} {related:?}");
        }
    }

    #[test]
    fn related_ratings_come_from_the_counted_ones() {
        let mut counted = vec![None; 27];
        counted[21] = Some(Rating::Met);
        let step = &federal_steps()[3];
        assert_eq!(
            related_ratings(step, &counted),
            vec![(22, Some(Rating::Met))]
        );
        let step = &federal_steps()[4];
        assert_eq!(
            related_ratings(step, &counted),
            vec![(25, None), (26, None)]
        );
    }
}
