//! Meetings of the partnership and the cadence the program is measured by (seed 003: a weekly
//! SRO–principal meeting, at least six faculty or administrative meetings a year with the SRO,
//! a semester review of the MOU, introductions at the start of the year).

use crate::org::{text_enum, week_start, Term};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

text_enum! {
    /// The kinds of meeting the program keeps.
    MeetingKind {
        WeeklyPrincipal => "weekly_principal" / "Weekly SRO–principal meeting",
        Faculty => "faculty" / "Faculty / administrative meeting",
        SemesterReview => "semester_review" / "Semester review (SRO, LE supervisor, administrator)",
        ThreatAssessment => "threat_assessment" / "Threat-assessment team meeting",
        CheckIn => "check_in" / "Bi-weekly check-in",
        Introduction => "introduction" / "Introduction of the SRO to students / faculty",
    }
}

text_enum! {
    /// Where an action item stands.
    ActionStatus {
        Open => "open" / "Open",
        Done => "done" / "Done",
        Dropped => "dropped" / "Dropped",
    }
}

/// Questions to start the SRO–administrator conversation, paraphrased from the workshop's
/// hot sheet (seed 000); an agenda can begin with them.
pub const CONVERSATION_STARTERS: &[&str] = &[
    "How involved should the SRO be during and after school hours, given our time and resources?",
    "What are our safety goals for this year?",
    "Who does what day to day: the SRO, teachers, administrators?",
    "Who does what during a crisis?",
    "To whom does the SRO answer, and for what: the police supervisor or the school administrator?",
    "What has to be documented, and by whom?",
    "Uniform or plain clothes?",
    "How do we work with outside agencies such as child protective services?",
    "What would help this year run smoothly?",
    "What should each of us know about the other?",
];

/// The seed's target of faculty or administrative meetings with the SRO in a school year.
pub const FACULTY_MEETINGS_TARGET: usize = 6;
/// Introductions count when they happen within this many days of the first school day.
pub const INTRODUCTION_WINDOW_DAYS: i64 = 30;

/// A meeting as cadence sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub kind: MeetingKind,
    pub on: NaiveDate,
    pub sro_present: bool,
    /// The SRO, the LE supervisor and the administrator all attended (what a semester review
    /// of the MOU asks).
    pub all_three_present: bool,
}

/// How a campus kept the cadence in a school year, up to a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cadence {
    /// School weeks so far (weeks with at least one school day).
    pub school_weeks: usize,
    /// Of those, weeks with an SRO–principal meeting.
    pub weeks_with_principal_meeting: usize,
    pub faculty_meetings_with_sro: usize,
    pub faculty_meetings_target: usize,
    /// Per term (in order): whether a semester review was held within it with the SRO, the LE
    /// supervisor and the administrator all there (one without all three does not count).
    pub semester_reviews: Vec<(String, bool)>,
    pub introductions_done: bool,
}

/// Computes the cadence of a campus from its meetings, the school days of the year and its
/// terms, counting up to `until`.
pub fn cadence(
    meetings: &[Held],
    school_days: &[NaiveDate],
    terms: &[Term],
    until: NaiveDate,
) -> Cadence {
    let days: Vec<NaiveDate> = school_days
        .iter()
        .copied()
        .filter(|d| *d <= until)
        .collect();
    let weeks: BTreeSet<NaiveDate> = days.iter().map(|d| week_start(*d)).collect();
    let principal_weeks: BTreeSet<NaiveDate> = meetings
        .iter()
        .filter(|m| m.kind == MeetingKind::WeeklyPrincipal && m.on <= until)
        .map(|m| week_start(m.on))
        .filter(|w| weeks.contains(w))
        .collect();
    let first_day = days.first().copied();
    Cadence {
        school_weeks: weeks.len(),
        weeks_with_principal_meeting: principal_weeks.len(),
        faculty_meetings_with_sro: meetings
            .iter()
            .filter(|m| m.kind == MeetingKind::Faculty && m.sro_present && m.on <= until)
            .count(),
        faculty_meetings_target: FACULTY_MEETINGS_TARGET,
        semester_reviews: terms
            .iter()
            .map(|t| {
                let held = meetings.iter().any(|m| {
                    m.kind == MeetingKind::SemesterReview
                        && m.all_three_present
                        && t.first_day <= m.on
                        && m.on <= t.last_day
                });
                (t.name.clone(), held)
            })
            .collect(),
        introductions_done: first_day.is_some_and(|first| {
            meetings.iter().any(|m| {
                m.kind == MeetingKind::Introduction
                    && m.on >= first
                    && (m.on - first).num_days() <= INTRODUCTION_WINDOW_DAYS
            })
        }),
    }
}

/// The school days of a year: weekdays inside its terms that are not days without school.
pub fn school_days(terms: &[Term], closed: &[NaiveDate]) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out = Vec::new();
    for t in terms {
        let mut d = t.first_day;
        while d <= t.last_day {
            if d.weekday().num_days_from_monday() < 5 && !closed.contains(&d) {
                out.push(d);
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(if m >= 8 { 2026 } else { 2027 }, m, day).unwrap_or(NaiveDate::MIN)
    }

    fn terms() -> Vec<Term> {
        vec![
            Term {
                name: "Fall".into(),
                first_day: d(8, 12),
                last_day: d(12, 18),
            },
            Term {
                name: "Spring".into(),
                first_day: d(1, 6),
                last_day: d(5, 21),
            },
        ]
    }

    #[test]
    fn school_days_skip_weekends_and_closures() {
        let days = school_days(&terms(), &[d(9, 7)]);
        assert!(!days.contains(&d(8, 15)), "a Saturday");
        assert!(!days.contains(&d(9, 7)), "Labor Day");
        assert!(days.contains(&d(8, 12)));
        assert!(!days.contains(&d(12, 25)), "between terms");
    }

    #[test]
    fn cadence_counts_weeks_meetings_reviews_and_introductions() {
        let days = school_days(&terms(), &[]);
        let meetings = vec![
            Held {
                kind: MeetingKind::WeeklyPrincipal,
                on: d(8, 12),
                sro_present: true,
                all_three_present: false,
            },
            Held {
                kind: MeetingKind::WeeklyPrincipal,
                on: d(8, 13),
                sro_present: true,
                all_three_present: false,
            },
            Held {
                kind: MeetingKind::WeeklyPrincipal,
                on: d(8, 19),
                sro_present: true,
                all_three_present: false,
            },
            Held {
                kind: MeetingKind::Faculty,
                on: d(9, 2),
                sro_present: true,
                all_three_present: false,
            },
            Held {
                kind: MeetingKind::Faculty,
                on: d(10, 2),
                sro_present: false,
                all_three_present: false,
            },
            Held {
                kind: MeetingKind::SemesterReview,
                on: d(12, 10),
                sro_present: true,
                all_three_present: true,
            },
            Held {
                kind: MeetingKind::Introduction,
                on: d(8, 20),
                sro_present: true,
                all_three_present: false,
            },
        ];
        let c = cadence(&meetings, &days, &terms(), d(8, 28));
        assert_eq!((c.school_weeks, c.weeks_with_principal_meeting), (3, 2));
        assert_eq!(
            c.faculty_meetings_with_sro, 0,
            "nothing after the cut-off counts"
        );
        assert!(c.introductions_done);
        let year = cadence(&meetings, &days, &terms(), d(5, 21));
        assert_eq!(
            year.faculty_meetings_with_sro, 1,
            "a meeting without the SRO does not count"
        );
        assert_eq!(
            year.semester_reviews,
            vec![("Fall".to_string(), true), ("Spring".to_string(), false)]
        );
        // A review the LE supervisor (or the SRO, or the administrator) missed is not one.
        let partial: Vec<Held> = meetings
            .iter()
            .map(|m| Held {
                all_three_present: false,
                ..*m
            })
            .collect();
        assert_eq!(
            cadence(&partial, &days, &terms(), d(5, 21)).semester_reviews,
            vec![("Fall".to_string(), false), ("Spring".to_string(), false)]
        );
        let late = vec![Held {
            kind: MeetingKind::Introduction,
            on: d(11, 1),
            sro_present: true,
            all_three_present: false,
        }];
        assert!(!cadence(&late, &days, &terms(), d(5, 21)).introductions_done);
    }
}
