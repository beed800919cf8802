//! Every item rated from hand-built records, each at the edge of its threshold.

use super::score;
use crate::activity::Category;
use crate::assessment::people::school_weeks;
use crate::assessment::*;
use crate::meetings::school_days;
use crate::meetings::{Held, MeetingKind};
use crate::mou::Clause;
use crate::mou::{template, ClauseKind};
use crate::org::Term;
use crate::personnel::{Office, Uniform};
use crate::Id;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

fn id(n: u64) -> Id {
    Id::from_parts("assessment-test", n)
}

fn terms() -> Vec<Term> {
    vec![
        Term {
            name: "Fall".into(),
            first_day: d(2026, 8, 12),
            last_day: d(2026, 12, 18),
        },
        Term {
            name: "Spring".into(),
            first_day: d(2027, 1, 6),
            last_day: d(2027, 5, 21),
        },
    ]
}

fn campus(n: u64) -> CampusFacts {
    CampusFacts {
        campus: id(n),
        name: format!("Campus {n}"),
        meetings: Vec::new(),
        office: None,
        uniform: None,
    }
}

fn officer(n: u64) -> OfficerFacts {
    OfficerFacts {
        person: id(100 + n),
        name: format!("Officer {n}"),
        campuses_held: 1,
        assigned_on: d(2026, 8, 1),
        briefings: Vec::new(),
        training_current: true,
        evaluation: None,
        volunteered: None,
        experience_start: None,
    }
}

/// A finished year with two campuses and two officers and nothing else recorded.
fn year() -> ProgramFacts {
    let terms = terms();
    ProgramFacts {
        until: d(2027, 7, 31),
        year_over: true,
        school_days: school_days(&terms, &[]),
        terms,
        mou: None,
        campuses: vec![campus(1), campus(2)],
        officers: vec![officer(1), officer(2)],
        entries: Vec::new(),
        months: Vec::new(),
        grants: Vec::new(),
        directory: DirectoryFacts::default(),
        selections: Vec::new(),
        min_years: 3,
    }
}

fn held(kind: MeetingKind, on: NaiveDate) -> Held {
    Held {
        kind,
        on,
        sro_present: true,
        all_three_present: true,
    }
}

fn entry(campus: u64, category: Category, on: NaiveDate) -> Entry {
    Entry {
        campus: id(campus),
        category,
        on,
        lesson_plan: false,
    }
}

fn rating(item: u8, facts: &ProgramFacts) -> Option<Rating> {
    score(item, facts, &Thresholds::default()).rating
}

use Rating::{Met, NotApplicable, NotMet, PartlyMet};

#[test]
fn campus_ratings_roll_up_to_met_only_when_every_campus_meets_it() {
    assert_eq!(roll_up(&[Some(Met), Some(Met)]), Some(Met));
    assert_eq!(roll_up(&[Some(Met), Some(NotMet)]), Some(PartlyMet));
    assert_eq!(roll_up(&[Some(NotMet), Some(NotMet)]), Some(NotMet));
    assert_eq!(roll_up(&[Some(PartlyMet), Some(NotMet)]), Some(PartlyMet));
    assert_eq!(
        roll_up(&[Some(Met), None]),
        Some(Met),
        "an unknown campus is left out"
    );
    assert_eq!(roll_up(&[None, None]), None);
    assert_eq!(roll_up(&[]), None);
    assert_eq!(roll_up(&[Some(NotApplicable)]), Some(NotApplicable));
}

#[test]
fn items_1_and_10_read_the_signed_mou_in_force() {
    let mut facts = year();
    assert_eq!(rating(1, &facts), Some(NotMet), "no MOU");
    assert_eq!(rating(10, &facts), Some(NotMet));
    let written = |kinds: &[ClauseKind]| -> Vec<Clause> {
        kinds
            .iter()
            .map(|k| Clause {
                kind: *k,
                text: format!("The partners agree on {}.", k.heading()),
            })
            .collect()
    };
    use ClauseKind::*;
    let item_1 = [
        ProgramGoals,
        SroRole,
        ChainOfCommand,
        AgencyDuties,
        DistrictDuties,
    ];
    facts.mou = Some(MouFacts {
        version: 2,
        signed_on: d(2026, 8, 3),
        clauses: written(&item_1),
    });
    let one = score(1, &facts, &Thresholds::default());
    assert_eq!(one.rating, Some(Met), "{:?}", one.figures);
    assert_eq!(one.evidence[0].dates, [d(2026, 8, 3)]);
    assert_eq!(rating(10, &facts), Some(NotMet), "no procedure written");
    // One element left as the template's fill-in: partly met, and the figure names it.
    let mut clauses = written(&item_1[..4]);
    clauses.push(Clause {
        kind: DistrictDuties,
        text: template(DistrictDuties).to_string(),
    });
    clauses.extend(written(&[Searches, Investigations]));
    facts.mou = Some(MouFacts {
        version: 3,
        signed_on: d(2026, 9, 1),
        clauses,
    });
    let one = score(1, &facts, &Thresholds::default());
    assert_eq!(one.rating, Some(PartlyMet));
    assert!(one.figures[0].contains("4 of 5"), "{:?}", one.figures);
    assert!(one.figures[0].contains(DistrictDuties.heading()));
    assert_eq!(rating(10, &facts), Some(PartlyMet));
}

#[test]
fn item_3_needs_six_faculty_meetings_with_the_sro_on_each_campus() {
    let mut facts = year();
    let faculty = |n: u32| -> Vec<Held> {
        (0..n)
            .map(|i| held(MeetingKind::Faculty, d(2026, 9, 1 + i)))
            .collect()
    };
    facts.campuses[0].meetings = faculty(6);
    facts.campuses[1].meetings = faculty(6);
    assert_eq!(rating(3, &facts), Some(Met));
    facts.campuses[1].meetings = faculty(5);
    let three = score(3, &facts, &Thresholds::default());
    assert_eq!(three.rating, Some(PartlyMet));
    assert_eq!(three.campuses[1].figure, "5 of 6");
    assert_eq!(three.campuses[1].rating, Some(PartlyMet));
    // A faculty meeting without the SRO does not count.
    facts.campuses[1].meetings.push(Held {
        sro_present: false,
        ..held(MeetingKind::Faculty, d(2026, 10, 1))
    });
    assert_eq!(rating(3, &facts), Some(PartlyMet));
    facts.campuses[0].meetings.clear();
    facts.campuses[1].meetings.clear();
    assert_eq!(rating(3, &facts), Some(NotMet));
    // The threshold is a setting.
    let t = Thresholds {
        faculty_meetings: 5,
        ..Thresholds::default()
    };
    facts.campuses[0].meetings = faculty(5);
    facts.campuses[1].meetings = faculty(5);
    assert_eq!(score(3, &facts, &t).rating, Some(Met));
}

#[test]
fn item_20_counts_school_weeks_with_a_principal_meeting() {
    let mut facts = year();
    let weeks: Vec<NaiveDate> = facts
        .school_days
        .iter()
        .map(|d| crate::org::week_start(*d))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let n = weeks.len();
    // A meeting on the Tuesday of each week of the first k school weeks.
    let meetings = |k: usize| -> Vec<Held> {
        weeks[..k]
            .iter()
            .map(|w| held(MeetingKind::WeeklyPrincipal, *w + chrono::Days::new(1)))
            .collect()
    };
    let needed = (n * 90).div_ceil(100);
    facts.campuses[0].meetings = meetings(needed);
    facts.campuses[1].meetings = meetings(needed);
    assert_eq!(rating(20, &facts), Some(Met), "{needed} of {n} weeks");
    facts.campuses[1].meetings = meetings(needed - 1);
    assert_eq!(
        rating(20, &facts),
        Some(PartlyMet),
        "one campus one week short"
    );
    facts.campuses[0].meetings = meetings(n.div_ceil(2) - 1);
    facts.campuses[1].meetings = meetings(n.div_ceil(2) - 1);
    assert_eq!(rating(20, &facts), Some(NotMet), "under half the weeks");
    let twenty = score(20, &facts, &Thresholds::default());
    assert_eq!(
        twenty.campuses[0].figure,
        format!("{} of {n} school weeks", n.div_ceil(2) - 1)
    );
}

#[test]
fn item_8_needs_a_review_with_all_three_in_every_term_that_ended() {
    let mut facts = year();
    facts.campuses[0].meetings = vec![held(MeetingKind::SemesterReview, d(2026, 10, 5))];
    assert_eq!(rating(8, &facts), Some(PartlyMet), "fall only");
    facts.campuses[1].meetings = vec![held(MeetingKind::SemesterReview, d(2027, 2, 5))];
    assert_eq!(
        rating(8, &facts),
        Some(Met),
        "a review on any campus counts"
    );
    // Without the supervisor it is not a review.
    facts.campuses[1].meetings = vec![Held {
        all_three_present: false,
        ..held(MeetingKind::SemesterReview, d(2027, 2, 5))
    }];
    assert_eq!(rating(8, &facts), Some(PartlyMet));
    // In the first term, before it ends and with no review: nothing to rate yet.
    facts.until = d(2026, 11, 1);
    facts.year_over = false;
    facts.campuses[0].meetings.clear();
    assert_eq!(rating(8, &facts), None);
    facts.campuses[0].meetings = vec![held(MeetingKind::SemesterReview, d(2026, 10, 5))];
    assert_eq!(rating(8, &facts), Some(Met));
}

#[test]
fn item_5_wants_introductions_within_thirty_days_of_the_first_school_day() {
    let mut facts = year();
    facts.campuses[0].meetings = vec![held(MeetingKind::Introduction, d(2026, 9, 11))];
    facts.entries = vec![entry(2, Category::Introduction, d(2026, 8, 20))];
    assert_eq!(
        rating(5, &facts),
        Some(Met),
        "day 30 and an entry the SRO logged"
    );
    facts.campuses[0].meetings = vec![held(MeetingKind::Introduction, d(2026, 9, 12))];
    assert_eq!(
        rating(5, &facts),
        Some(PartlyMet),
        "day 31 is late, not missing"
    );
    facts.entries.clear();
    facts.campuses[0].meetings.clear();
    assert_eq!(rating(5, &facts), Some(NotMet));
}

#[test]
fn items_2_and_21_read_each_campus_post() {
    let mut facts = year();
    let two = score(2, &year(), &Thresholds::default());
    assert_eq!(two.rating, None, "nothing recorded: a person rates");
    assert_eq!(
        two.figures,
        ["None of the 2 campuses has this recorded yet: a person rates it."],
        "not '0 of 2 campuses give an office'"
    );
    facts.campuses[0].office = Some(Office::Dedicated);
    assert_eq!(
        rating(2, &facts),
        Some(Met),
        "the unknown campus is left out"
    );
    facts.campuses[1].office = Some(Office::Shared);
    assert_eq!(rating(2, &facts), Some(PartlyMet));
    facts.campuses[0].office = Some(Office::None);
    facts.campuses[1].office = Some(Office::None);
    assert_eq!(rating(2, &facts), Some(NotMet));
    facts.campuses[0].uniform = Some(Uniform::Modified);
    facts.campuses[1].uniform = Some(Uniform::Regulation);
    assert_eq!(rating(21, &facts), Some(Met));
    facts.campuses[1].uniform = Some(Uniform::PlainClothes);
    let uniform = score(21, &facts, &Thresholds::default());
    assert_eq!(uniform.rating, Some(PartlyMet));
    assert_eq!(uniform.campuses[1].rating, Some(NotMet));
}

#[test]
fn items_17_19_and_11_count_entries_on_each_campus() {
    let mut facts = year();
    let on = d(2026, 10, 1);
    for _ in 0..3 {
        facts.entries.push(entry(1, Category::Extracurricular, on));
        facts.entries.push(entry(2, Category::Extracurricular, on));
    }
    assert_eq!(rating(17, &facts), Some(Met));
    facts.entries.pop();
    assert_eq!(rating(17, &facts), Some(PartlyMet), "one campus at 2 of 3");
    facts.entries.push(entry(1, Category::CounselingStaff, on));
    facts
        .entries
        .push(entry(1, Category::StaffRelationship, on));
    facts
        .entries
        .push(entry(1, Category::StaffRelationship, on));
    let nineteen = score(19, &facts, &Thresholds::default());
    assert_eq!(nineteen.campuses[0].rating, Some(Met));
    assert_eq!(nineteen.campuses[1].rating, Some(NotMet));
    assert_eq!(nineteen.rating, Some(PartlyMet));
    assert_eq!(nineteen.evidence.len(), 1, "only campuses with records");
    assert_eq!(nineteen.evidence[0].count, 3);
    assert_eq!(rating(11, &facts), Some(NotMet));
    facts.entries.push(entry(1, Category::SafetyAudit, on));
    facts.entries.push(entry(2, Category::SafetyAudit, on));
    assert_eq!(rating(11, &facts), Some(Met));
    // Entries after the day counted are not counted.
    facts.until = d(2026, 9, 30);
    facts.year_over = false;
    assert_eq!(rating(11, &facts), Some(NotMet));
}

#[test]
fn item_9_wants_every_officer_on_one_campus() {
    let mut facts = year();
    assert_eq!(rating(9, &facts), Some(Met));
    facts.officers[1].campuses_held = 2;
    let nine = score(9, &facts, &Thresholds::default());
    assert_eq!(nine.rating, Some(PartlyMet));
    assert!(nine.figures[0].contains("Officer 2 (2 campuses)"));
    facts.officers.clear();
    assert_eq!(rating(9, &facts), None);
}

#[test]
fn item_12_counts_weeks_with_a_briefing_for_each_officer() {
    let mut facts = year();
    let weeks: Vec<NaiveDate> = school_weeks(&facts).into_iter().collect();
    let needed = (weeks.len() * 25).div_ceil(100);
    facts.officers[0].briefings = weeks[..needed].to_vec();
    facts.officers[1].briefings = weeks[..needed].to_vec();
    assert_eq!(rating(12, &facts), Some(Met));
    facts.officers[1].briefings = weeks[..needed - 1].to_vec();
    assert_eq!(rating(12, &facts), Some(PartlyMet));
    facts.officers[0].briefings.clear();
    facts.officers[1].briefings.clear();
    assert_eq!(rating(12, &facts), Some(NotMet));
}

#[test]
fn item_13_asks_for_a_plan_a_year_before_a_grant_ends() {
    let mut facts = year();
    assert_eq!(rating(13, &facts), Some(NotApplicable), "no grant");
    facts.grants = vec![GrantFacts {
        funder: "COPS".into(),
        starts_on: d(2025, 1, 1),
        ends_on: d(2027, 6, 30),
        plan_on: Some(d(2026, 6, 30)),
    }];
    assert_eq!(rating(13, &facts), Some(Met), "on the due day");
    facts.grants[0].plan_on = Some(d(2026, 7, 1));
    assert_eq!(rating(13, &facts), Some(NotMet), "a day late");
    facts.grants[0].plan_on = None;
    facts.until = d(2026, 6, 29);
    facts.year_over = false;
    facts.terms[0].first_day = d(2026, 6, 1);
    assert_eq!(rating(13, &facts), Some(Met), "not due yet");
    facts.until = d(2026, 7, 1);
    assert_eq!(rating(13, &facts), Some(NotMet), "due and missing");
    // A grant that ended before the year does not count.
    facts.grants[0].ends_on = d(2026, 5, 31);
    assert_eq!(rating(13, &facts), Some(NotApplicable));
}

#[test]
fn items_14_and_18_count_presentations_across_the_program() {
    let mut facts = year();
    assert_eq!(rating(14, &facts), Some(NotMet));
    assert_eq!(rating(18, &facts), Some(NotMet));
    facts
        .entries
        .push(entry(1, Category::ClassroomPresentation, d(2026, 9, 9)));
    assert_eq!(rating(14, &facts), Some(PartlyMet), "given, not prepared");
    facts.entries.push(Entry {
        lesson_plan: true,
        ..entry(1, Category::ClassroomPresentation, d(2026, 9, 10))
    });
    assert_eq!(rating(14, &facts), Some(PartlyMet), "1 prepared of 2");
    facts.entries.push(Entry {
        lesson_plan: true,
        ..entry(2, Category::ClassroomPresentation, d(2026, 9, 11))
    });
    assert_eq!(rating(14, &facts), Some(Met));
    facts
        .entries
        .push(entry(2, Category::CommunityPresentation, d(2026, 11, 2)));
    assert_eq!(rating(18, &facts), Some(Met));
}

#[test]
fn item_15_wants_a_directory_checked_within_its_period() {
    let mut facts = year();
    assert_eq!(rating(15, &facts), Some(NotMet), "no directory");
    facts.directory = DirectoryFacts {
        resources: 4,
        stale: 0,
        referrals: 7,
    };
    assert_eq!(rating(15, &facts), Some(Met));
    facts.directory.stale = 1;
    assert_eq!(rating(15, &facts), Some(PartlyMet));
    facts.directory.stale = 4;
    assert_eq!(rating(15, &facts), Some(NotMet));
}

#[test]
fn item_16_wants_records_in_every_school_month() {
    let mut facts = year();
    assert_eq!(rating(16, &facts), Some(NotMet));
    // Aug 2026 to May 2027: ten school months.
    let months = [
        (2026, 8),
        (2026, 9),
        (2026, 10),
        (2026, 11),
        (2026, 12),
        (2027, 1),
        (2027, 2),
        (2027, 3),
        (2027, 4),
        (2027, 5),
    ];
    for (y, m) in months {
        facts.months.push(MonthCount {
            month: (y, m),
            category: Category::Patrol,
            entries: 3,
        });
    }
    facts.months.push(MonthCount {
        month: (2026, 9),
        category: Category::Search,
        entries: 2,
    });
    assert_eq!(rating(16, &facts), Some(Met));
    facts.months.remove(4);
    let sixteen = score(16, &facts, &Thresholds::default());
    assert_eq!(sixteen.rating, Some(PartlyMet));
    assert!(
        sixteen.figures[0].contains("9 of 10"),
        "{:?}",
        sixteen.figures
    );
    assert!(
        sixteen.figures[0].contains("Search: 2"),
        "{:?}",
        sixteen.figures
    );
    // A month after the day counted is not counted.
    facts.until = d(2026, 11, 30);
    facts.year_over = false;
    let so_far = score(16, &facts, &Thresholds::default());
    assert!(
        so_far.figures[0].contains("of 4 school months so far"),
        "{:?}",
        so_far.figures
    );
}

#[test]
fn items_22_to_24_read_each_officer() {
    let mut facts = year();
    assert_eq!(rating(22, &facts), Some(Met));
    facts.officers[0].training_current = false;
    assert_eq!(rating(22, &facts), Some(PartlyMet));
    assert_eq!(
        rating(23, &facts),
        None,
        "no selection records: a person rates"
    );
    facts.officers[0].volunteered = Some(true);
    let voluntary = score(23, &facts, &Thresholds::default());
    assert_eq!(voluntary.rating, Some(PartlyMet), "one unknown");
    assert!(voluntary.figures[0].contains("No record for: Officer 2"));
    facts.officers[1].volunteered = Some(true);
    assert_eq!(rating(23, &facts), Some(Met));
    // Experience counted on the day of the assignment: three years to the day is enough.
    facts.officers[0].experience_start = Some(d(2023, 8, 1));
    facts.officers[1].experience_start = Some(d(2023, 8, 1));
    assert_eq!(rating(24, &facts), Some(Met));
    facts.officers[1].experience_start = Some(d(2023, 8, 2));
    assert_eq!(rating(24, &facts), Some(PartlyMet), "a day short");
    facts.min_years = 5;
    assert_eq!(rating(24, &facts), Some(NotMet));
}

#[test]
fn items_25_to_27_read_evaluations_and_panels() {
    let mut facts = year();
    assert_eq!(
        rating(25, &facts),
        Some(NotMet),
        "the year is over, none written"
    );
    assert_eq!(rating(26, &facts), None);
    facts.year_over = false;
    facts.until = d(2027, 3, 1);
    assert_eq!(rating(25, &facts), None, "still due this year");
    facts.officers[0].evaluation = Some(0);
    assert_eq!(rating(25, &facts), Some(PartlyMet));
    assert_eq!(rating(26, &facts), Some(NotMet));
    facts.officers[1].evaluation = Some(2);
    assert_eq!(rating(25, &facts), Some(Met));
    assert_eq!(rating(26, &facts), Some(PartlyMet));
    assert_eq!(rating(27, &facts), None, "no selection this year");
    facts.selections = vec![
        SelectionFacts {
            campus: "Campus 1".into(),
            decided_on: d(2026, 7, 20),
            panel_inputs: 2,
        },
        SelectionFacts {
            campus: "Campus 2".into(),
            decided_on: d(2026, 7, 21),
            panel_inputs: 0,
        },
    ];
    assert_eq!(rating(27, &facts), Some(PartlyMet));
}

#[test]
fn items_4_6_and_7_are_rated_by_people() {
    for item in [4, 6, 7] {
        assert_eq!(rating(item, &year()), None);
    }
}
