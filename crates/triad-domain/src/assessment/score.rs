//! Rating each practice from a program's records. The facts come in already read (the store
//! reads them, the application gathers them); every rule here is a plain function of them, so
//! each threshold's edge is tested on hand-built records.

use super::instrument::SRO_PROGRAM;
use super::Rating;
use crate::activity::Category;
use crate::meetings::{cadence, Held, MeetingKind};
use crate::mou::Clause;
use crate::org::Term;
use crate::personnel::{years_served, Office, Uniform};
use crate::Id;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeSet;

/// The figures a practice is measured against. The seed's figures are the defaults where it
/// gives one (six faculty meetings, a weekly principal meeting); the rest are the project's
/// defaults for "as time permits", and every one is an instance setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// Item 3: faculty or administrative meetings with the SRO in a school year, per campus.
    pub faculty_meetings: u32,
    /// Item 20: the share of school weeks (percent) with an SRO–principal meeting.
    pub weekly_meeting_percent: u32,
    /// Item 12: the share of school weeks (percent) in which each SRO attended a briefing.
    pub briefing_percent: u32,
    /// Item 14: classroom presentations with a lesson plan, across the program, in a year.
    pub prepared_presentations: u32,
    /// Item 18: presentations to parents or the community, across the program, in a year.
    pub community_presentations: u32,
    /// Item 17: extracurricular events with students, per campus, in a year.
    pub extracurricular: u32,
    /// Item 19: relationship-building contacts with school staff, per campus, in a year.
    pub staff_contacts: u32,
    /// Item 11: safety audits (physical-plant assessments), per campus, in a year.
    pub safety_audits: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            faculty_meetings: crate::meetings::FACULTY_MEETINGS_TARGET as u32,
            weekly_meeting_percent: 90,
            briefing_percent: 25,
            prepared_presentations: 2,
            community_presentations: 1,
            extracurricular: 3,
            staff_contacts: 3,
            safety_audits: 1,
        }
    }
}

/// The signed MOU in force for the year.
#[derive(Debug, Clone)]
pub struct MouFacts {
    pub version: i64,
    pub signed_on: NaiveDate,
    pub clauses: Vec<Clause>,
}

/// A campus of the program: one an SRO of the agency served during the year.
#[derive(Debug, Clone)]
pub struct CampusFacts {
    pub campus: Id,
    pub name: String,
    pub meetings: Vec<Held>,
    /// As recorded now: the post keeps no history by year.
    pub office: Option<Office>,
    pub uniform: Option<Uniform>,
}

/// An SRO of the agency assigned in the district during the year.
#[derive(Debug, Clone)]
pub struct OfficerFacts {
    pub person: Id,
    pub name: String,
    /// Campuses the officer served at once (the most on any day of the year), any agency.
    pub campuses_held: usize,
    pub assigned_on: NaiveDate,
    pub briefings: Vec<NaiveDate>,
    /// Basic and yearly training complete at the end of the period counted.
    pub training_current: bool,
    /// This school year's evaluation, with how many administrators gave input to it.
    pub evaluation: Option<usize>,
    /// From the officer's selection record; `None` when there is none.
    pub volunteered: Option<bool>,
    pub experience_start: Option<NaiveDate>,
}

/// An activity entry of the program's officers in the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub campus: Id,
    pub category: Category,
    pub on: NaiveDate,
    pub lesson_plan: bool,
}

#[derive(Debug, Clone)]
pub struct GrantFacts {
    pub funder: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub plan_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct DirectoryFacts {
    pub resources: usize,
    /// Resources not checked within the district's period.
    pub stale: usize,
    pub referrals: usize,
}

/// An SRO selected for a campus of the district during the year.
#[derive(Debug, Clone)]
pub struct SelectionFacts {
    pub campus: String,
    pub decided_on: NaiveDate,
    pub panel_inputs: usize,
}

/// Everything the records say about a program's school year.
#[derive(Debug, Clone)]
pub struct ProgramFacts {
    /// The last day counted: the year's last day once it is over, today before.
    pub until: NaiveDate,
    pub year_over: bool,
    pub terms: Vec<Term>,
    pub school_days: Vec<NaiveDate>,
    pub mou: Option<MouFacts>,
    pub campuses: Vec<CampusFacts>,
    pub officers: Vec<OfficerFacts>,
    pub entries: Vec<Entry>,
    pub grants: Vec<GrantFacts>,
    pub directory: DirectoryFacts,
    pub selections: Vec<SelectionFacts>,
    /// The agency's minimum years of experience (item 24).
    pub min_years: i64,
}

/// Where the records behind a figure are kept, for a link to them (given only to people who
/// may read them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Source {
    Mou,
    Funding,
    Community,
    Postings,
    Meetings(Id),
    Activity(Id),
    Post(Id),
    Training(Id),
    Evaluations(Id),
}

/// Records behind a figure: their kind, how many, and their dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub kind: String,
    pub count: usize,
    pub dates: Vec<NaiveDate>,
    pub source: Source,
}

/// An item rated on one campus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampusScore {
    pub campus: Id,
    pub name: String,
    pub rating: Option<Rating>,
    pub figure: String,
}

/// An item rated from the records: `None` when they cannot answer it (a person rates it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub item: u8,
    pub rating: Option<Rating>,
    pub figures: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub campuses: Vec<CampusScore>,
}

impl Scored {
    fn new(item: u8, rating: Option<Rating>, figure: impl Into<String>) -> Self {
        Self {
            item,
            rating,
            figures: vec![figure.into()],
            evidence: Vec::new(),
            campuses: Vec::new(),
        }
    }

    fn with(mut self, evidence: Evidence) -> Self {
        if evidence.count > 0 {
            self.evidence.push(evidence);
        }
        self
    }
}

fn evidence(kind: &str, dates: Vec<NaiveDate>, source: Source) -> Evidence {
    Evidence {
        kind: kind.to_string(),
        count: dates.len(),
        dates,
        source,
    }
}

/// How many of a whole kept the practice: all met, none not met, some partly met; nothing to
/// judge, no rating.
fn share(kept: usize, of: usize) -> Option<Rating> {
    match (kept, of) {
        (_, 0) => None,
        (k, n) if k >= n => Some(Rating::Met),
        (0, _) => Some(Rating::NotMet),
        _ => Some(Rating::PartlyMet),
    }
}

/// A count against a target: the target met, some short of it, none not met.
fn against(count: usize, target: u32) -> Rating {
    if count >= target as usize {
        Rating::Met
    } else if count > 0 {
        Rating::PartlyMet
    } else {
        Rating::NotMet
    }
}

/// A practice judged on every campus, rolled up: met when every campus meets it, not met when
/// none does, partly met otherwise. Campuses the records cannot answer for (and those where
/// it does not apply) are left out; with none left, no rating.
pub fn roll_up(ratings: &[Option<Rating>]) -> Option<Rating> {
    let judged: Vec<Rating> = ratings
        .iter()
        .flatten()
        .copied()
        .filter(|r| *r != Rating::NotApplicable)
        .collect();
    if judged.is_empty() {
        return ratings
            .contains(&Some(Rating::NotApplicable))
            .then_some(Rating::NotApplicable);
    }
    if judged.iter().all(|r| *r == Rating::Met) {
        Some(Rating::Met)
    } else if judged.iter().all(|r| *r == Rating::NotMet) {
        Some(Rating::NotMet)
    } else {
        Some(Rating::PartlyMet)
    }
}

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

fn counted(facts: &ProgramFacts) -> &'static str {
    if facts.year_over {
        ""
    } else {
        " so far"
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

fn one_campus(facts: &ProgramFacts) -> Scored {
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

fn entries_of(facts: &ProgramFacts, categories: &[Category]) -> Vec<Entry> {
    facts
        .entries
        .iter()
        .filter(|e| categories.contains(&e.category) && e.on <= facts.until)
        .copied()
        .collect()
}

fn campus_counts(
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

fn safety_audits(facts: &ProgramFacts, t: &Thresholds) -> Scored {
    campus_counts(
        11,
        facts,
        &[Category::SafetyAudit],
        t.safety_audits,
        "safety audits",
    )
}

fn briefings(facts: &ProgramFacts, t: &Thresholds) -> Scored {
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

fn school_weeks(facts: &ProgramFacts) -> BTreeSet<NaiveDate> {
    facts
        .school_days
        .iter()
        .filter(|d| **d <= facts.until)
        .map(|d| crate::org::week_start(*d))
        .collect()
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
    let logged: BTreeSet<(i32, u32)> = facts
        .entries
        .iter()
        .filter(|e| e.on <= facts.until)
        .map(|e| month(e.on))
        .filter(|m| school_months.contains(m))
        .collect();
    let by_category: Vec<String> = RECORDED_CATEGORIES
        .iter()
        .map(|c| {
            let n = facts
                .entries
                .iter()
                .filter(|e| e.category == *c && e.on <= facts.until)
                .count();
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

fn campus_item(item: u8, facts: &ProgramFacts, t: &Thresholds) -> Scored {
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
    }
    scored
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

fn training(facts: &ProgramFacts) -> Scored {
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

fn voluntary(facts: &ProgramFacts) -> Scored {
    officers_share(
        23,
        facts,
        |o| o.volunteered,
        "volunteered for the post they were selected for",
    )
}

fn experience(facts: &ProgramFacts) -> Scored {
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

fn evaluations(facts: &ProgramFacts) -> Scored {
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

fn admin_input(facts: &ProgramFacts) -> Scored {
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

fn panels(facts: &ProgramFacts) -> Scored {
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

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
