//! Rating each practice from a program's records. The facts come in already read (the store
//! reads them, the application gathers them); every rule here is a plain function of them, so
//! each threshold's edge is tested on hand-built records. The practices about the program as a
//! whole are here; those judged per campus and those about its officers have their own files.

use super::campus::{campus_item, safety_audits};
use super::facts::{
    against, counted, entries_of, evidence, share, GrantFacts, MonthCount, ProgramFacts, Scored,
    Source, Thresholds,
};
use super::instrument::SRO_PROGRAM;
use super::people::{
    admin_input, briefings, evaluations, experience, one_campus, panels, training, voluntary,
};
use super::Rating;
use crate::activity::Category;
use crate::meetings::MeetingKind;
use crate::Id;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

/// Rates one item of the instrument from a program's records.
pub fn score(item: u8, facts: &ProgramFacts, t: &Thresholds) -> Scored {
    let per_campus = SRO_PROGRAM.item(item).is_some_and(|i| i.per_campus);
    if per_campus {
        return campus_item(item, facts, t);
    }
    match item {
        1 => mou_item(1, facts),
        8 => semester_reviews(facts),
        9 => one_campus(facts),
        10 => mou_item(10, facts),
        11 => safety_audits(facts, t),
        12 => briefings(facts, t),
        13 => grants(facts),
        14 => presentations(facts, t),
        15 => directory(facts),
        16 => records_kept(facts),
        18 => community_presentations(facts, t),
        22 => training(facts),
        23 => voluntary(facts),
        24 => experience(facts),
        25 => evaluations(facts),
        26 => admin_input(facts),
        27 => panels(facts),
        _ => Scored::new(
            item,
            None,
            "Rated by a person: the records do not show this.",
        ),
    }
}

fn mou_item(item: u8, facts: &ProgramFacts) -> Scored {
    let Some(mou) = &facts.mou else {
        return Scored::new(
            item,
            Some(Rating::NotMet),
            format!(
                "No MOU signed by both sides was in force by {}.",
                facts.until
            ),
        );
    };
    let checks = crate::mou::checklist_for_item(&mou.clauses, item);
    let written = checks.iter().filter(|c| c.met).count();
    let missing: Vec<&str> = checks
        .iter()
        .filter(|c| !c.met)
        .map(|c| c.heading)
        .collect();
    let what = if item == 1 {
        "of the elements the practice names"
    } else {
        "written procedures"
    };
    let mut figure = format!(
        "MOU version {} signed {}: {written} of {} {what} written.",
        mou.version,
        mou.signed_on,
        checks.len()
    );
    if !missing.is_empty() {
        figure.push_str(&format!(" Missing: {}.", missing.join(", ")));
    }
    Scored::new(item, share(written, checks.len()), figure).with(evidence(
        "MOU signed by both sides",
        vec![mou.signed_on],
        Source::Mou,
    ))
}

fn semester_reviews(facts: &ProgramFacts) -> Scored {
    let reviews: Vec<(Id, NaiveDate)> = facts
        .campuses
        .iter()
        .flat_map(|c| {
            c.meetings
                .iter()
                .filter(|m| m.kind == MeetingKind::SemesterReview && m.all_three_present)
                .map(move |m| (c.campus, m.on))
        })
        .filter(|(_, on)| *on <= facts.until)
        .collect();
    let mut due = 0;
    let mut held = 0;
    let mut lines = Vec::new();
    for term in facts.terms.iter().filter(|t| t.first_day <= facts.until) {
        let in_term = reviews
            .iter()
            .any(|(_, on)| term.first_day <= *on && *on <= term.last_day);
        let ended = term.last_day <= facts.until;
        if ended || in_term {
            due += 1;
            held += usize::from(in_term);
            lines.push(format!(
                "{}: {}",
                term.name,
                if in_term { "held" } else { "not held" }
            ));
        }
    }
    let figure = if due == 0 {
        "No term has ended yet and no review was held.".to_string()
    } else {
        format!(
            "Semester reviews with the SRO, the supervisor and the administrator all there: {held} of {due} terms ({}).",
            lines.join("; ")
        )
    };
    let mut scored = Scored::new(8, share(held, due), figure);
    for campus in &facts.campuses {
        let dates: Vec<NaiveDate> = reviews
            .iter()
            .filter(|(c, _)| *c == campus.campus)
            .map(|(_, on)| *on)
            .collect();
        scored = scored.with(evidence(
            &format!("Semester review at {}", campus.name),
            dates,
            Source::Meetings(campus.campus),
        ));
    }
    scored
}

fn grants(facts: &ProgramFacts) -> Scored {
    let first = facts
        .terms
        .first()
        .map(|t| t.first_day)
        .unwrap_or(facts.until);
    let running: Vec<&GrantFacts> = facts
        .grants
        .iter()
        .filter(|g| g.ends_on >= first && g.starts_on <= facts.until)
        .collect();
    if running.is_empty() {
        return Scored::new(
            13,
            Some(Rating::NotApplicable),
            "No grant paid for the program this year.",
        );
    }
    let mut kept = 0;
    let mut lines = Vec::new();
    for g in &running {
        let due = crate::funding::plan_due(g.starts_on, g.ends_on);
        let state = match g.plan_on {
            Some(on) if on <= due => {
                kept += 1;
                format!("plan recorded {on}, due {due}")
            }
            Some(on) => format!("plan recorded late, {on} (due {due})"),
            None if due > facts.until => {
                kept += 1;
                format!("plan not due until {due}")
            }
            None => format!("no plan, due {due}"),
        };
        lines.push(format!("{} (ends {}): {state}", g.funder, g.ends_on));
    }
    let plans: Vec<NaiveDate> = running.iter().filter_map(|g| g.plan_on).collect();
    Scored::new(
        13,
        share(kept, running.len()),
        format!(
            "{kept} of {} grants with a continuation plan on time: {}.",
            running.len(),
            lines.join("; ")
        ),
    )
    .with(evidence(
        "Continuation plan recorded",
        plans,
        Source::Funding,
    ))
}

fn presentations(facts: &ProgramFacts, t: &Thresholds) -> Scored {
    let classroom = entries_of(facts, &[Category::ClassroomPresentation]);
    let prepared: Vec<NaiveDate> = classroom
        .iter()
        .filter(|e| e.lesson_plan)
        .map(|e| e.on)
        .collect();
    let rating = if prepared.len() >= t.prepared_presentations as usize {
        Rating::Met
    } else if classroom.is_empty() {
        Rating::NotMet
    } else {
        Rating::PartlyMet
    };
    let mut scored = Scored::new(
        14,
        Some(rating),
        format!(
            "{} classroom presentations{}, {} with a lesson plan (target {}).",
            classroom.len(),
            counted(facts),
            prepared.len(),
            t.prepared_presentations
        ),
    );
    for c in &facts.campuses {
        let dates = classroom
            .iter()
            .filter(|e| e.campus == c.campus)
            .map(|e| e.on)
            .collect();
        scored = scored.with(evidence(
            &format!("Classroom presentations at {}", c.name),
            dates,
            Source::Activity(c.campus),
        ));
    }
    scored
}

fn community_presentations(facts: &ProgramFacts, t: &Thresholds) -> Scored {
    let given = entries_of(facts, &[Category::CommunityPresentation]);
    let mut scored = Scored::new(
        18,
        Some(against(given.len(), t.community_presentations)),
        format!(
            "{} presentations to parents or the community{} (target {}).",
            given.len(),
            counted(facts),
            t.community_presentations
        ),
    );
    for c in &facts.campuses {
        let dates = given
            .iter()
            .filter(|e| e.campus == c.campus)
            .map(|e| e.on)
            .collect();
        scored = scored.with(evidence(
            &format!("Presentations to parents or community at {}", c.name),
            dates,
            Source::Activity(c.campus),
        ));
    }
    scored
}

fn directory(facts: &ProgramFacts) -> Scored {
    let d = facts.directory;
    let current = d.resources - d.stale.min(d.resources);
    let rating = if d.resources == 0 {
        Rating::NotMet
    } else {
        share(current, d.resources).unwrap_or(Rating::NotMet)
    };
    Scored::new(
        15,
        Some(rating),
        format!(
            "{current} of {} community resources checked within the district's period; {} referrals{}.",
            d.resources,
            d.referrals,
            counted(facts)
        ),
    )
}

/// The categories the instrument asks officers to keep records of (item 16).
pub const RECORDED_CATEGORIES: [Category; 7] = [
    Category::CounselingStudent,
    Category::CounselingParent,
    Category::ClassroomPresentation,
    Category::Arrest,
    Category::Investigation,
    Category::Search,
    Category::SafetyAudit,
];

fn records_kept(facts: &ProgramFacts) -> Scored {
    let month = |d: NaiveDate| (d.year(), d.month());
    let school_months: BTreeSet<(i32, u32)> = facts
        .school_days
        .iter()
        .filter(|d| **d <= facts.until)
        .map(|d| month(*d))
        .collect();
    let last = month(facts.until);
    let counted_months: Vec<&MonthCount> = facts
        .months
        .iter()
        .filter(|m| m.month <= last && m.entries > 0)
        .collect();
    let logged: BTreeSet<(i32, u32)> = counted_months
        .iter()
        .map(|m| m.month)
        .filter(|m| school_months.contains(m))
        .collect();
    let by_category: Vec<String> = RECORDED_CATEGORIES
        .iter()
        .map(|c| {
            let n: usize = counted_months
                .iter()
                .filter(|m| m.category == *c)
                .map(|m| m.entries)
                .sum();
            format!("{}: {n}", c.label())
        })
        .collect();
    Scored::new(
        16,
        share(logged.len(), school_months.len()),
        format!(
            "Entries logged in {} of {} school months{}. {}.",
            logged.len(),
            school_months.len(),
            counted(facts),
            by_category.join("; ")
        ),
    )
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
