//! The organisation of a program: agencies, districts with their calendar, campuses,
//! partnerships and people. Validation lives here so pages, API, CLI and demo data agree.

use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A display name: trimmed, not empty, of a length that fits on a page and a report.
pub fn parse_name(field: &'static str, text: &str) -> Result<String, Invalid> {
    let name = text.trim();
    if name.is_empty() {
        return Err(Invalid::one(field, "is required"));
    }
    if name.chars().count() > 200 {
        return Err(Invalid::one(field, "must be at most 200 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid::one(field, "must not contain control characters"));
    }
    Ok(name.to_string())
}

/// A calendar date written `YYYY-MM-DD` (as an HTML date input sends it).
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Invalid::one(field, "must be a date written YYYY-MM-DD"))
}

/// A day something happened, as a form sends it: empty means today; never a day still to come,
/// nor more than a year back (a record of the past year, not a history).
pub fn parse_recent_day(
    field: &'static str,
    text: &str,
    today: NaiveDate,
) -> Result<NaiveDate, Invalid> {
    if text.trim().is_empty() {
        return Ok(today);
    }
    let day = parse_date(field, text)?;
    if day > today {
        return Err(Invalid::one(field, "cannot be a day still to come"));
    }
    if (today - day).num_days() > 366 {
        return Err(Invalid::one(field, "must be within the last year"));
    }
    Ok(day)
}

/// An optional date: an empty field means none.
pub fn parse_optional_date(field: &'static str, text: &str) -> Result<Option<NaiveDate>, Invalid> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, text).map(Some)
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used by the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The words shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code.trim() { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::org::Labelled for $name {
            const ALL: &'static [Self] = $name::ALL;
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use text_enum;

/// A closed set of values with a stored code and words for people (every `text_enum!`), so a
/// form's choices are made once for all of them.
pub trait Labelled: Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
}

/// Text reduced to its lowercase letters and digits: how typed labels and spreadsheet headers
/// are compared ("Relationship 1,2,3,4" and "relationship1234" are the same header).
pub fn loose(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

text_enum! {
    /// The level of a campus, which decides what is expected of its program.
    CampusLevel {
        Elementary => "elementary" / "Elementary",
        Middle => "middle" / "Middle",
        High => "high" / "High",
        Other => "other" / "Other",
    }
}

/// A district's time zone, checked against the bundled time-zone database.
pub fn parse_time_zone(text: &str) -> Result<chrono_tz::Tz, Invalid> {
    text.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        Invalid::one(
            "time_zone",
            "must be a time zone name such as America/Chicago",
        )
    })
}

/// The month and day a district's school year starts (for example 1 August).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearStart {
    pub month: u32,
    pub day: u32,
}

impl YearStart {
    pub const AUGUST_FIRST: YearStart = YearStart { month: 8, day: 1 };

    /// Parses `MM-DD`. February 29 is refused: the year must start on a day every year has.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let err = || Invalid::one("school_year_start", "must be a month and day written MM-DD");
        let (m, d) = text.trim().split_once('-').ok_or_else(err)?;
        let month: u32 = m.parse().map_err(|_| err())?;
        let day: u32 = d.parse().map_err(|_| err())?;
        if NaiveDate::from_ymd_opt(2023, month, day).is_none() {
            return Err(err());
        }
        Ok(Self { month, day })
    }

    pub fn code(self) -> String {
        format!("{:02}-{:02}", self.month, self.day)
    }

    fn date_in(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day).unwrap_or(NaiveDate::MIN)
    }

    /// The school year a date belongs to, named by the calendar year it starts in.
    pub fn school_year_of(self, date: NaiveDate) -> SchoolYear {
        let start = self.date_in(date.year());
        if date >= start {
            SchoolYear(date.year())
        } else {
            SchoolYear(date.year() - 1)
        }
    }

    /// First and last day of a school year.
    pub fn bounds(self, year: SchoolYear) -> (NaiveDate, NaiveDate) {
        let first = self.date_in(year.0);
        let next = self.date_in(year.0 + 1);
        (first, next.pred_opt().unwrap_or(next))
    }

    /// The default calendar when a district has not entered its own: two semesters split at
    /// 1 January.
    pub fn default_terms(self, year: SchoolYear) -> Vec<Term> {
        let (first, last) = self.bounds(year);
        let january = NaiveDate::from_ymd_opt(year.0 + 1, 1, 1).unwrap_or(last);
        if january <= first || january > last {
            return vec![Term {
                name: "School year".into(),
                first_day: first,
                last_day: last,
            }];
        }
        vec![
            Term {
                name: "Fall semester".into(),
                first_day: first,
                last_day: january.pred_opt().unwrap_or(january),
            },
            Term {
                name: "Spring semester".into(),
                first_day: january,
                last_day: last,
            },
        ]
    }
}

/// A school year, named by the calendar year it starts in (2026 is "2026–27").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchoolYear(pub i32);

impl std::fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}–{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

/// A term of the district calendar (a semester, a trimester…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Term {
    pub fn parse(name: &str, first_day: &str, last_day: &str) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check(parse_name("name", name));
        let first = invalid.check(parse_date("first_day", first_day));
        let last = invalid.check(parse_date("last_day", last_day));
        if let (Some(f), Some(l)) = (first, last) {
            if l < f {
                invalid.push("last_day", "must not be before the first day");
            }
        }
        invalid.into_result()?;
        match (name, first, last) {
            (Some(name), Some(first_day), Some(last_day)) => Ok(Term {
                name,
                first_day,
                last_day,
            }),
            _ => Err(Invalid::one("name", "is required")),
        }
    }
}

/// The Monday that starts the week of a date: the bucket weekly cadence is counted in.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    let back = i64::from(date.weekday().num_days_from_monday());
    date - chrono::Duration::days(back)
}

/// Whole years of law-enforcement experience on a date, from the day it started.
pub fn years_of_experience(started: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(started).unwrap_or(0)
}

/// The recommendation (seed 003) is one campus per SRO; more is allowed but shown.
pub fn spread_too_thin(active_campuses: usize) -> bool {
    active_campuses > 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn school_year_turns_on_its_start_day() {
        let start = YearStart::AUGUST_FIRST;
        assert_eq!(start.school_year_of(d(2026, 7, 31)), SchoolYear(2025));
        assert_eq!(start.school_year_of(d(2026, 8, 1)), SchoolYear(2026));
        assert_eq!(SchoolYear(2026).to_string(), "2026–27");
        assert_eq!(SchoolYear(2099).to_string(), "2099–00");
    }

    #[test]
    fn default_calendar_is_two_semesters_split_at_new_year() {
        let terms = YearStart::AUGUST_FIRST.default_terms(SchoolYear(2026));
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[0].first_day, d(2026, 8, 1));
        assert_eq!(terms[0].last_day, d(2026, 12, 31));
        assert_eq!(terms[1].first_day, d(2027, 1, 1));
        assert_eq!(terms[1].last_day, d(2027, 7, 31));
    }

    #[test]
    fn a_year_starting_in_january_has_one_term() {
        let start = YearStart { month: 1, day: 1 };
        let terms = start.default_terms(SchoolYear(2027));
        assert_eq!(terms.len(), 1);
        assert_eq!(terms[0].last_day, d(2027, 12, 31));
    }

    #[test]
    fn year_start_refuses_impossible_days() {
        assert!(YearStart::parse("02-29").is_err());
        assert!(YearStart::parse("13-01").is_err());
        assert!(YearStart::parse("aug").is_err());
        assert_eq!(
            YearStart::parse(" 07-15 ").map(|s| s.code()),
            Ok("07-15".into())
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            parse_name("name", "  Lincoln High "),
            Ok("Lincoln High".into())
        );
        assert!(parse_name("name", "   ").is_err());
        assert!(parse_name("name", &"x".repeat(201)).is_err());
        assert!(parse_name("name", "a\u{0}b").is_err());
    }

    #[test]
    fn terms_must_not_end_before_they_start() {
        let err = Term::parse("Fall", "2026-12-01", "2026-08-01").err();
        assert_eq!(err.map(|e| e.errors[0].field), Some("last_day"));
    }

    #[test]
    fn experience_counts_whole_years() {
        assert_eq!(years_of_experience(d(2020, 9, 1), d(2023, 8, 31)), 2);
        assert_eq!(years_of_experience(d(2020, 9, 1), d(2023, 9, 1)), 3);
        assert_eq!(years_of_experience(d(2024, 9, 1), d(2023, 9, 1)), 0);
    }

    #[test]
    fn more_than_one_campus_is_flagged() {
        assert!(!spread_too_thin(1));
        assert!(spread_too_thin(2));
    }

    proptest! {
        #[test]
        fn every_date_falls_inside_its_school_year(days in 0i64..40_000, m in 1u32..=12, dd in 1u32..=28) {
            let date = d(1990, 1, 1) + chrono::Duration::days(days);
            let start = YearStart { month: m, day: dd };
            let year = start.school_year_of(date);
            let (first, last) = start.bounds(year);
            prop_assert!(first <= date && date <= last);
            let terms = start.default_terms(year);
            prop_assert_eq!(terms.first().map(|t| t.first_day), Some(first));
            prop_assert_eq!(terms.last().map(|t| t.last_day), Some(last));
            prop_assert!(terms.iter().filter(|t| t.first_day <= date && date <= t.last_day).count() == 1);
        }

        #[test]
        fn week_start_is_a_monday_within_six_days(days in 0i64..40_000) {
            let date = d(1990, 1, 1) + chrono::Duration::days(days);
            let monday = week_start(date);
            prop_assert_eq!(monday.weekday(), chrono::Weekday::Mon);
            prop_assert!(date - monday < chrono::Duration::days(7) && monday <= date);
        }
    }
}
