//! Facts about an officer's post that the program assessment reads from the records (seed
//! 003): one campus per SRO (item 7; more is allowed but shown), attendance at the agency's
//! briefings (item 12: the SRO stays part of the agency and hears of cases touching their
//! schools), and presentations prepared and given (item 14: lesson plans for law-related
//! presentations; item 18: presentations to parents and the community).

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use crate::activity::Category;
use crate::org::{spread_too_thin, week_start};
use crate::Id;

/// How the officers of a set of assignments in force are spread over campuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OneCampusEach {
    pub officers: usize,
    /// Officers assigned to more than one campus, each with how many.
    pub spread: Vec<(Id, usize)>,
}

impl OneCampusEach {
    pub fn holds(&self) -> bool {
        self.spread.is_empty()
    }
}

/// From assignments in force as (officer, campus): who serves more than one campus.
pub fn one_campus_each(assignments: &[(Id, Id)]) -> OneCampusEach {
    let mut campuses: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for (officer, campus) in assignments {
        campuses.entry(*officer).or_default().insert(*campus);
    }
    OneCampusEach {
        officers: campuses.len(),
        spread: campuses
            .iter()
            .filter(|(_, c)| spread_too_thin(c.len()))
            .map(|(o, c)| (*o, c.len()))
            .collect(),
    }
}

/// An officer's attendance at agency briefings over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BriefingAttendance {
    pub briefings: usize,
    /// Weeks (Monday to Sunday) the period touches.
    pub weeks: usize,
    pub weeks_with_a_briefing: usize,
}

/// Briefings attended between `from` and `to` (both included), and the weeks that had one.
pub fn briefing_attendance(
    days: &[NaiveDate],
    from: NaiveDate,
    to: NaiveDate,
) -> BriefingAttendance {
    let inside: BTreeSet<NaiveDate> = days
        .iter()
        .copied()
        .filter(|d| from <= *d && *d <= to)
        .collect();
    let weeks = if to < from {
        0
    } else {
        usize::try_from((week_start(to) - week_start(from)).num_days() / 7 + 1).unwrap_or(0)
    };
    BriefingAttendance {
        briefings: inside.len(),
        weeks,
        weeks_with_a_briefing: inside
            .iter()
            .map(|d| week_start(*d))
            .collect::<BTreeSet<_>>()
            .len(),
    }
}

/// One activity entry as presentations count it.
#[derive(Debug, Clone, Copy)]
pub struct Logged {
    pub category: Category,
    pub on: NaiveDate,
    pub lesson_plan: bool,
}

/// Presentations an officer logged over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Presentations {
    pub classroom: usize,
    /// Classroom presentations with a lesson plan attached: prepared, as item 14 asks.
    pub prepared: usize,
    pub to_parents_and_community: usize,
}

pub fn presentations(entries: &[Logged], from: NaiveDate, to: NaiveDate) -> Presentations {
    let mut p = Presentations::default();
    for e in entries.iter().filter(|e| from <= e.on && e.on <= to) {
        match e.category {
            Category::ClassroomPresentation => {
                p.classroom += 1;
                p.prepared += usize::from(e.lesson_plan);
            }
            Category::CommunityPresentation => p.to_parents_and_community += 1,
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_officer_on_two_campuses_is_shown_and_one_listed_twice_is_not() {
        let (a, b) = (Id::from_parts("officer", 1), Id::from_parts("officer", 2));
        let (x, y) = (Id::from_parts("campus", 1), Id::from_parts("campus", 2));
        let facts = one_campus_each(&[(a, x), (b, x), (b, y), (a, x)]);
        assert_eq!(facts.officers, 2);
        assert_eq!(facts.spread, vec![(b, 2)]);
        assert!(!facts.holds());
        assert!(one_campus_each(&[(a, x), (b, y)]).holds());
        assert!(one_campus_each(&[]).holds());
    }

    #[test]
    fn briefings_count_once_a_day_and_weeks_from_monday() {
        // 2026-09-01 is a Tuesday; the period touches five weeks.
        let days = [
            day("2026-09-01"),
            day("2026-09-01"),
            day("2026-09-03"),
            day("2026-09-15"),
            day("2026-10-05"),
            day("2026-08-31"),
        ];
        let a = briefing_attendance(&days, day("2026-09-01"), day("2026-09-30"));
        assert_eq!(
            a,
            BriefingAttendance {
                briefings: 3,
                weeks: 5,
                weeks_with_a_briefing: 2
            }
        );
        assert_eq!(
            briefing_attendance(&days, day("2026-09-30"), day("2026-09-01")).weeks,
            0
        );
    }

    #[test]
    fn a_presentation_is_prepared_when_it_has_its_lesson_plan() {
        let logged = |category, on: &str, lesson_plan| Logged {
            category,
            on: day(on),
            lesson_plan,
        };
        let entries = [
            logged(Category::ClassroomPresentation, "2026-09-10", true),
            logged(Category::ClassroomPresentation, "2026-09-11", false),
            logged(Category::CommunityPresentation, "2026-09-12", false),
            logged(Category::Patrol, "2026-09-12", false),
            logged(Category::ClassroomPresentation, "2026-06-01", true),
        ];
        assert_eq!(
            presentations(&entries, day("2026-08-01"), day("2027-07-31")),
            Presentations {
                classroom: 2,
                prepared: 1,
                to_parents_and_community: 1
            }
        );
    }
}
