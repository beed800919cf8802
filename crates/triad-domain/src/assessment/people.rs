//! The practices about the program's officers (9, 12, 22 to 27): their campuses, briefings,
//! training, selection and evaluations.

use super::facts::{
    counted, evidence, share, Evidence, OfficerFacts, ProgramFacts, Scored, Source, Thresholds,
};
use super::Rating;
use crate::personnel::years_served;
use chrono::NaiveDate;
use std::collections::BTreeSet;

pub(super) fn one_campus(facts: &ProgramFacts) -> Scored {
    let single = facts
        .officers
        .iter()
        .filter(|o| o.campuses_held <= 1)
        .count();
    let spread: Vec<String> = facts
        .officers
        .iter()
        .filter(|o| o.campuses_held > 1)
        .map(|o| format!("{} ({} campuses)", o.name, o.campuses_held))
        .collect();
    let mut figure = format!(
        "{single} of {} SROs served one campus.",
        facts.officers.len()
    );
    if !spread.is_empty() {
        figure.push_str(&format!(" More than one: {}.", spread.join(", ")));
    }
    if facts.officers.is_empty() {
        figure = "No SRO of the agency was assigned in the district this year.".into();
    }
    Scored::new(9, share(single, facts.officers.len()), figure)
}

pub(super) fn briefings(facts: &ProgramFacts, t: &Thresholds) -> Scored {
    let weeks: BTreeSet<NaiveDate> = school_weeks(facts);
    let mut kept = 0;
    let mut lines = Vec::new();
    let mut scored = Scored::new(12, None, String::new());
    for o in &facts.officers {
        let with: BTreeSet<NaiveDate> = o
            .briefings
            .iter()
            .filter(|d| **d <= facts.until)
            .map(|d| crate::org::week_start(*d))
            .filter(|w| weeks.contains(w))
            .collect();
        let ok = !weeks.is_empty() && with.len() * 100 >= t.briefing_percent as usize * weeks.len();
        kept += usize::from(ok);
        lines.push(format!(
            "{}: {} of {} weeks",
            o.name,
            with.len(),
            weeks.len()
        ));
        scored = scored.with(evidence(
            &format!("Briefings attended by {}", o.name),
            o.briefings
                .iter()
                .copied()
                .filter(|d| *d <= facts.until)
                .collect(),
            Source::Training(o.person),
        ));
    }
    scored.rating = if weeks.is_empty() {
        None
    } else {
        share(kept, facts.officers.len())
    };
    scored.figures = vec![format!(
        "{kept} of {} SROs attended a briefing in at least {}% of school weeks{} ({}).",
        facts.officers.len(),
        t.briefing_percent,
        counted(facts),
        lines.join("; ")
    )];
    scored
}

pub(super) fn school_weeks(facts: &ProgramFacts) -> BTreeSet<NaiveDate> {
    facts
        .school_days
        .iter()
        .filter(|d| **d <= facts.until)
        .map(|d| crate::org::week_start(*d))
        .collect()
}

fn officers_share(
    item: u8,
    facts: &ProgramFacts,
    ok: impl Fn(&OfficerFacts) -> Option<bool>,
    what: &str,
) -> Scored {
    let answers: Vec<(String, Option<bool>)> = facts
        .officers
        .iter()
        .map(|o| (o.name.clone(), ok(o)))
        .collect();
    let known = answers.iter().filter(|(_, a)| a.is_some()).count();
    let kept = answers.iter().filter(|(_, a)| *a == Some(true)).count();
    let unknown: Vec<&str> = answers
        .iter()
        .filter(|(_, a)| a.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    let rating = if known == 0 {
        None
    } else if unknown.is_empty() {
        share(kept, known)
    } else if kept > 0 {
        Some(Rating::PartlyMet)
    } else {
        Some(Rating::NotMet)
    };
    let mut figure = format!("{kept} of {} SROs {what}.", facts.officers.len());
    if !unknown.is_empty() {
        figure.push_str(&format!(" No record for: {}.", unknown.join(", ")));
    }
    Scored::new(item, rating, figure)
}

pub(super) fn training(facts: &ProgramFacts) -> Scored {
    let mut scored = officers_share(
        22,
        facts,
        |o| Some(o.training_current),
        "had their basic and yearly training complete",
    );
    for o in &facts.officers {
        scored.evidence.push(Evidence {
            kind: format!("Training of {}", o.name),
            count: 1,
            dates: Vec::new(),
            source: Source::Training(o.person),
        });
    }
    scored
}

pub(super) fn voluntary(facts: &ProgramFacts) -> Scored {
    officers_share(
        23,
        facts,
        |o| o.volunteered,
        "volunteered for the post they were selected for",
    )
}

pub(super) fn experience(facts: &ProgramFacts) -> Scored {
    officers_share(
        24,
        facts,
        |o| {
            o.experience_start
                .map(|s| years_served(s, o.assigned_on) >= facts.min_years)
        },
        &format!(
            "had at least {} years of law-enforcement experience when assigned",
            facts.min_years
        ),
    )
}

pub(super) fn evaluations(facts: &ProgramFacts) -> Scored {
    let written = facts
        .officers
        .iter()
        .filter(|o| o.evaluation.is_some())
        .count();
    let mut scored = if written == 0 && !facts.year_over {
        Scored::new(
            25,
            None,
            "No evaluation written yet this school year (they are due by its end).",
        )
    } else {
        Scored::new(
            25,
            share(written, facts.officers.len()),
            format!(
                "{written} of {} SROs evaluated this school year on the SRO-specific criteria.",
                facts.officers.len()
            ),
        )
    };
    for o in facts.officers.iter().filter(|o| o.evaluation.is_some()) {
        scored.evidence.push(Evidence {
            kind: format!("Evaluation of {}", o.name),
            count: 1,
            dates: Vec::new(),
            source: Source::Evaluations(o.person),
        });
    }
    scored
}

pub(super) fn admin_input(facts: &ProgramFacts) -> Scored {
    let evaluated: Vec<usize> = facts.officers.iter().filter_map(|o| o.evaluation).collect();
    let with_input = evaluated.iter().filter(|n| **n > 0).count();
    if evaluated.is_empty() {
        return Scored::new(26, None, "No evaluation written yet this school year.");
    }
    Scored::new(
        26,
        share(with_input, evaluated.len()),
        format!(
            "{with_input} of {} evaluations with an administrator's input.",
            evaluated.len()
        ),
    )
}

pub(super) fn panels(facts: &ProgramFacts) -> Scored {
    if facts.selections.is_empty() {
        return Scored::new(
            27,
            None,
            "No SRO was selected for a campus of the district this year.",
        );
    }
    let with = facts
        .selections
        .iter()
        .filter(|s| s.panel_inputs > 0)
        .count();
    let lines: Vec<String> = facts
        .selections
        .iter()
        .map(|s| {
            format!(
                "{} ({}): {} panel recommendations",
                s.campus, s.decided_on, s.panel_inputs
            )
        })
        .collect();
    Scored::new(
        27,
        share(with, facts.selections.len()),
        format!(
            "{with} of {} selections with an administrator on the panel: {}.",
            facts.selections.len(),
            lines.join("; ")
        ),
    )
    .with(evidence(
        "SRO selections decided",
        facts.selections.iter().map(|s| s.decided_on).collect(),
        Source::Postings,
    ))
}
