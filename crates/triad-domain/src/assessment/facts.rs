//! What the rules read (a program's records of a school year, gathered by the application)
//! and what they give (a rating with its figures and evidence), with the small rules every
//! practice shares: how a share or a count becomes a rating, and how campuses roll up.

use super::Rating;
use crate::activity::Category;
use crate::meetings::Held;
use crate::mou::Clause;
use crate::org::Term;
use crate::personnel::{Office, Uniform};
use crate::Id;
use chrono::NaiveDate;
use serde::Serialize;

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

/// The categories whose entries the rules read one by one (with their campus and day); the
/// rest are read as counts a month ([`MonthCount`]).
pub const ENTRY_CATEGORIES: [Category; 7] = [
    Category::Extracurricular,
    Category::StaffRelationship,
    Category::CounselingStaff,
    Category::SafetyAudit,
    Category::ClassroomPresentation,
    Category::CommunityPresentation,
    Category::Introduction,
];

/// How many entries of a category the program's officers logged in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthCount {
    /// (year, month)
    pub month: (i32, u32),
    pub category: Category,
    pub entries: usize,
}

/// An activity entry of the program's officers in the district, of [`ENTRY_CATEGORIES`].
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
    /// Every entry of the year, counted by month and category.
    pub months: Vec<MonthCount>,
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
    pub(super) fn new(item: u8, rating: Option<Rating>, figure: impl Into<String>) -> Self {
        Self {
            item,
            rating,
            figures: vec![figure.into()],
            evidence: Vec::new(),
            campuses: Vec::new(),
        }
    }

    pub(super) fn with(mut self, evidence: Evidence) -> Self {
        if evidence.count > 0 {
            self.evidence.push(evidence);
        }
        self
    }
}

pub(super) fn evidence(kind: &str, dates: Vec<NaiveDate>, source: Source) -> Evidence {
    Evidence {
        kind: kind.to_string(),
        count: dates.len(),
        dates,
        source,
    }
}

/// How many of a whole kept the practice: all met, none not met, some partly met; nothing to
/// judge, no rating.
pub(super) fn share(kept: usize, of: usize) -> Option<Rating> {
    match (kept, of) {
        (_, 0) => None,
        (k, n) if k >= n => Some(Rating::Met),
        (0, _) => Some(Rating::NotMet),
        _ => Some(Rating::PartlyMet),
    }
}

/// A count against a target: the target met, some short of it, none not met.
pub(super) fn against(count: usize, target: u32) -> Rating {
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

/// Words for a figure counted before the year is over.
pub(super) fn counted(facts: &ProgramFacts) -> &'static str {
    if facts.year_over {
        ""
    } else {
        " so far"
    }
}

/// The entries of some categories up to the last day counted.
pub(super) fn entries_of(facts: &ProgramFacts, categories: &[Category]) -> Vec<Entry> {
    facts
        .entries
        .iter()
        .filter(|e| categories.contains(&e.category) && e.on <= facts.until)
        .copied()
        .collect()
}
