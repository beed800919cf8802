//! The start of the school year: what the partners of a campus work through before the fall
//! (seed 000's hot sheet; seed 002: define the roles before the officer arrives). Each item is
//! shown done by a record: a semester review of the MOU held by all three, the SRO's training
//! current, a joint training, a faculty meeting with the SRO, introductions held; two items
//! that no other record shows (a joint training planned, what is and is not a law-enforcement
//! matter agreed) are marked by the SRO or the administrator with a note.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::text_enum;

text_enum! {
    /// One item of the checklist, in the order it is worked through.
    StartItem {
        MouReviewed => "mou_reviewed" / "The MOU reviewed together by the SRO, the LE supervisor and the administrator",
        TrainingCurrent => "training_current" / "The SRO's training current",
        JointTraining => "joint_training" / "A joint training of the SRO and an administrator planned",
        MattersAgreed => "matters_agreed" / "What is and is not a law-enforcement matter agreed",
        StaffBriefed => "staff_briefed" / "The triad reviewed with all staff",
        Introductions => "introductions" / "Introductions held",
    }
}

impl StartItem {
    /// Whether the SRO or the administrator may mark it done by hand (no other record shows
    /// it, or a plan is all there is before the fall).
    pub fn marked_by_hand(self) -> bool {
        matches!(self, StartItem::JointTraining | StartItem::MattersAgreed)
    }

    /// What record shows the item done, in words for the checklist.
    pub fn shown_by(self) -> &'static str {
        match self {
            StartItem::MouReviewed => "a semester review meeting this school year with all three present",
            StartItem::TrainingCurrent => "the training records of every SRO on the campus: basic course and this year's in-service hours",
            StartItem::JointTraining => "a training the SRO attended with an administrator this year, or a plan marked here",
            StartItem::MattersAgreed => "marked here by the SRO or the administrator, with what was agreed",
            StartItem::StaffBriefed => "a faculty meeting this school year with the SRO present",
            StartItem::Introductions => "an introduction meeting this school year",
        }
    }
}

/// What the campus's records say, for one school year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub review_with_all_three: bool,
    /// `None`: no SRO is assigned to the campus (nothing to be current: the item holds).
    pub sro_training_current: Option<bool>,
    pub joint_training_held: bool,
    pub faculty_meeting_with_sro: bool,
    pub introduction_held: bool,
    /// Items marked done by hand.
    pub marked: Vec<StartItem>,
}

pub fn is_done(item: StartItem, e: &Evidence) -> bool {
    match item {
        StartItem::MouReviewed => e.review_with_all_three,
        StartItem::TrainingCurrent => e.sro_training_current != Some(false),
        StartItem::JointTraining => e.joint_training_held || e.marked.contains(&item),
        StartItem::MattersAgreed => e.marked.contains(&item),
        StartItem::StaffBriefed => e.faculty_meeting_with_sro,
        StartItem::Introductions => e.introduction_held,
    }
}

/// The items still to do, in order.
pub fn remaining(e: &Evidence) -> Vec<StartItem> {
    StartItem::ALL
        .iter()
        .copied()
        .filter(|i| !is_done(*i, e))
        .collect()
}

/// How many days before the first school day the checklist becomes due on the home pages
/// (before that it is worth knowing).
pub const DUE_DAYS_BEFORE_FIRST_DAY: i64 = 21;

/// Whether an unfinished checklist is due on `today` (rather than worth knowing).
pub fn is_due(today: NaiveDate, first_school_day: Option<NaiveDate>) -> bool {
    first_school_day.is_none_or(|first| (first - today).num_days() <= DUE_DAYS_BEFORE_FIRST_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_is_done_only_by_the_record_that_shows_it() {
        let none = Evidence {
            sro_training_current: Some(false),
            ..Evidence::default()
        };
        assert_eq!(remaining(&none), StartItem::ALL.to_vec());
        let cases: [(StartItem, Evidence); 7] = [
            (
                StartItem::MouReviewed,
                Evidence {
                    review_with_all_three: true,
                    ..none.clone()
                },
            ),
            (
                StartItem::TrainingCurrent,
                Evidence {
                    sro_training_current: Some(true),
                    ..none.clone()
                },
            ),
            (
                StartItem::JointTraining,
                Evidence {
                    joint_training_held: true,
                    ..none.clone()
                },
            ),
            (
                StartItem::JointTraining,
                Evidence {
                    marked: vec![StartItem::JointTraining],
                    ..none.clone()
                },
            ),
            (
                StartItem::MattersAgreed,
                Evidence {
                    marked: vec![StartItem::MattersAgreed],
                    ..none.clone()
                },
            ),
            (
                StartItem::StaffBriefed,
                Evidence {
                    faculty_meeting_with_sro: true,
                    ..none.clone()
                },
            ),
            (
                StartItem::Introductions,
                Evidence {
                    introduction_held: true,
                    ..none.clone()
                },
            ),
        ];
        for (item, evidence) in cases {
            for other in StartItem::ALL {
                assert_eq!(
                    is_done(*other, &evidence),
                    *other == item,
                    "{item:?} evidence, {other:?}"
                );
            }
        }
        // A mark by hand does nothing for an item a record must show.
        let marked_all = Evidence {
            marked: StartItem::ALL.to_vec(),
            sro_training_current: Some(false),
            ..Evidence::default()
        };
        assert_eq!(
            remaining(&marked_all),
            vec![
                StartItem::MouReviewed,
                StartItem::TrainingCurrent,
                StartItem::StaffBriefed,
                StartItem::Introductions
            ]
        );
        // A campus with no SRO has no training to be current: the item holds.
        assert!(is_done(StartItem::TrainingCurrent, &Evidence::default()));
        let hand: Vec<_> = StartItem::ALL
            .iter()
            .filter(|i| i.marked_by_hand())
            .collect();
        assert_eq!(hand, [&StartItem::JointTraining, &StartItem::MattersAgreed]);
    }

    #[test]
    fn the_checklist_is_due_three_weeks_before_the_first_school_day() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!is_due(d("2026-07-20"), Some(d("2026-08-12"))));
        assert!(is_due(d("2026-07-22"), Some(d("2026-08-12"))));
        assert!(is_due(d("2026-09-01"), Some(d("2026-08-12"))));
        assert!(is_due(d("2026-09-01"), None));
    }
}
