//! The practices judged on each campus of a program (2, 3, 5, 11, 17, 19, 20, 21), rolled up
//! to the program.

use super::facts::{
    against, counted, entries_of, evidence, roll_up, CampusScore, Evidence, ProgramFacts, Scored,
    Source, Thresholds,
};
use super::Rating;
use crate::activity::Category;
use crate::meetings::{cadence, MeetingKind};
use crate::personnel::Office;
use chrono::NaiveDate;

/// Entries of some categories counted on each campus against a target.
pub(super) fn campus_counts(
    item: u8,
    facts: &ProgramFacts,
    categories: &[Category],
    target: u32,
    kind: &str,
) -> Scored {
    let entries = entries_of(facts, categories);
    let mut campuses = Vec::new();
    let mut scored = Scored::new(item, None, String::new());
    for c in &facts.campuses {
        let dates: Vec<NaiveDate> = entries
            .iter()
            .filter(|e| e.campus == c.campus)
            .map(|e| e.on)
            .collect();
        campuses.push(CampusScore {
            campus: c.campus,
            name: c.name.clone(),
            rating: Some(against(dates.len(), target)),
            figure: format!("{} of {target}", dates.len()),
        });
        scored = scored.with(evidence(
            &format!("{kind} at {}", c.name),
            dates,
            Source::Activity(c.campus),
        ));
    }
    let kept = campuses
        .iter()
        .filter(|c| c.rating == Some(Rating::Met))
        .count();
    scored.rating = roll_up(&campuses.iter().map(|c| c.rating).collect::<Vec<_>>());
    scored.figures = vec![format!(
        "{kept} of {} campuses with at least {target}{} ({kind}).",
        campuses.len(),
        counted(facts)
    )];
    scored.campuses = campuses;
    scored
}

/// Item 11: the SRO's part in safety planning, read from the safety audits logged on each
/// campus.
pub(super) fn safety_audits(facts: &ProgramFacts, t: &Thresholds) -> Scored {
    campus_counts(
        11,
        facts,
        &[Category::SafetyAudit],
        t.safety_audits,
        "safety audits",
    )
}

/// Rates a practice judged on each campus.
pub(super) fn campus_item(item: u8, facts: &ProgramFacts, t: &Thresholds) -> Scored {
    match item {
        17 => {
            return campus_counts(
                17,
                facts,
                &[Category::Extracurricular],
                t.extracurricular,
                "extracurricular events",
            )
        }
        19 => {
            return campus_counts(
                19,
                facts,
                &[Category::StaffRelationship, Category::CounselingStaff],
                t.staff_contacts,
                "contacts with school staff",
            )
        }
        _ => {}
    }
    let mut scored = Scored::new(item, None, String::new());
    let first_day = facts.school_days.first().copied();
    for c in &facts.campuses {
        let cad = cadence(&c.meetings, &facts.school_days, &facts.terms, facts.until);
        let dates_of = |kind: MeetingKind, sro: bool| -> Vec<NaiveDate> {
            c.meetings
                .iter()
                .filter(|m| m.kind == kind && (!sro || m.sro_present) && m.on <= facts.until)
                .map(|m| m.on)
                .collect()
        };
        let (rating, figure, found) = match item {
            2 => match c.office {
                Some(office) => {
                    let rating = match office {
                        Office::Dedicated => Rating::Met,
                        Office::Shared => Rating::PartlyMet,
                        Office::None => Rating::NotMet,
                    };
                    (Some(rating), office.label().to_string(), None)
                }
                None => (None, "not recorded".to_string(), None),
            },
            21 => match c.uniform {
                Some(u) if u.easily_identified() => {
                    (Some(Rating::Met), u.label().to_string(), None)
                }
                Some(u) => (Some(Rating::NotMet), u.label().to_string(), None),
                None => (None, "not recorded".to_string(), None),
            },
            3 => {
                let dates = dates_of(MeetingKind::Faculty, true);
                (
                    Some(against(dates.len(), t.faculty_meetings)),
                    format!("{} of {}", dates.len(), t.faculty_meetings),
                    Some(evidence(
                        &format!("Faculty meetings with the SRO at {}", c.name),
                        dates,
                        Source::Meetings(c.campus),
                    )),
                )
            }
            20 => {
                let dates = dates_of(MeetingKind::WeeklyPrincipal, false);
                let weeks = cad.school_weeks;
                let with = cad.weeks_with_principal_meeting;
                let rating = if weeks == 0 {
                    None
                } else if with * 100 >= t.weekly_meeting_percent as usize * weeks {
                    Some(Rating::Met)
                } else if with * 2 >= weeks {
                    Some(Rating::PartlyMet)
                } else {
                    Some(Rating::NotMet)
                };
                (
                    rating,
                    format!("{with} of {weeks} school weeks"),
                    Some(evidence(
                        &format!("Weekly meetings at {}", c.name),
                        dates,
                        Source::Meetings(c.campus),
                    )),
                )
            }
            _ => {
                // Item 5: an introduction (a meeting, or one the SRO logged) close to the first
                // school day; one later in the year is better than none.
                let mut dates = dates_of(MeetingKind::Introduction, false);
                dates.extend(
                    facts
                        .entries
                        .iter()
                        .filter(|e| {
                            e.campus == c.campus
                                && e.category == Category::Introduction
                                && e.on <= facts.until
                        })
                        .map(|e| e.on),
                );
                dates.sort();
                let on_time = first_day.is_some_and(|first| {
                    dates.iter().any(|d| {
                        *d >= first
                            && (*d - first).num_days() <= crate::meetings::INTRODUCTION_WINDOW_DAYS
                    })
                });
                let rating = match first_day {
                    None => None,
                    Some(first) if first > facts.until => None,
                    Some(_) if on_time || cad.introductions_done => Some(Rating::Met),
                    Some(_) if !dates.is_empty() => Some(Rating::PartlyMet),
                    Some(_) => Some(Rating::NotMet),
                };
                let figure = match dates.first() {
                    Some(d) => format!("first on {d}"),
                    None => "none recorded".into(),
                };
                (
                    rating,
                    figure,
                    Some(evidence(
                        &format!("Introductions at {}", c.name),
                        dates,
                        Source::Meetings(c.campus),
                    )),
                )
            }
        };
        scored.campuses.push(CampusScore {
            campus: c.campus,
            name: c.name.clone(),
            rating,
            figure,
        });
        if let Some(e) = found {
            scored = scored.with(e);
        }
        if matches!(item, 2 | 21) {
            scored.evidence.push(Evidence {
                kind: format!("The post at {} as recorded now", c.name),
                count: usize::from(c.office.is_some() || c.uniform.is_some()),
                dates: Vec::new(),
                source: Source::Post(c.campus),
            });
        }
    }
    scored.evidence.retain(|e| e.count > 0);
    scored.rating = roll_up(&scored.campuses.iter().map(|c| c.rating).collect::<Vec<_>>());
    let met = scored
        .campuses
        .iter()
        .filter(|c| c.rating == Some(Rating::Met))
        .count();
    let what = match item {
        2 => "give the SRO an office of their own",
        21 => "see the SRO in uniform",
        3 => "had the SRO in enough faculty meetings",
        20 => "kept the weekly meeting",
        _ => "introduced the SRO at the start of the year",
    };
    scored.figures = vec![format!(
        "{met} of {} campuses {what}{}.",
        scored.campuses.len(),
        counted(facts)
    )];
    if scored.campuses.is_empty() {
        scored.figures = vec!["No campus had an SRO of the agency this year.".into()];
    } else if scored.campuses.iter().all(|c| c.rating.is_none()) {
        scored.figures = vec![format!(
            "None of the {} campuses has this recorded yet: a person rates it.",
            scored.campuses.len()
        )];
    }
    scored
}
