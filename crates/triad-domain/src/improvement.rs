//! The improvement cycle (seed 004: assess, find the challenges, plan, act, look again):
//! findings Triad proposes from an assessment and from survey results, and the plan of goals,
//! objectives and action steps that answers them.
//!
//! Triad proposes; people decide. A proposal becomes a finding only when someone accepts it
//! (as written or edited) and stays out of the way once someone dismisses it, so each proposal
//! has a stable `source` that names what it came from.

use crate::assessment::Rating;
use crate::org::{parse_name, text_enum};
use crate::surveys::{Gap, RespondentRole};
use crate::text::parse_text;
use crate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest detail of a finding and longest note on a step.
pub const DETAIL_MAX: usize = 2000;

/// When a survey result is worth a finding: the instance's settings, with these defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingThresholds {
    /// A gap between two roles' means on a scale question, in tenths of a scale point.
    pub gap_tenths: u32,
    /// A concern raised by at least this share of a role's respondents, in percent.
    pub theme_percent: u32,
}

impl Default for FindingThresholds {
    fn default() -> Self {
        Self {
            gap_tenths: 10,
            theme_percent: 20,
        }
    }
}

/// A finding Triad proposes: what it came from, in words a district can accept as they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// Stable name of what it came from: `item:12`, `gap:<campaign>:<question>:<role>:<role>`,
    /// `theme:<campaign>:<theme>`.
    pub source: String,
    pub title: String,
    pub detail: String,
    /// The figure that made it a finding (a gap in scale points, a theme's share of a role),
    /// for telling later whether it moved; none for a practice (its rating is the measure).
    pub measure: Option<f64>,
}

/// A practice as an assessment rated it.
pub struct RatedItem<'a> {
    pub number: u8,
    pub short: &'a str,
    pub rating: Option<Rating>,
    pub figures: &'a [String],
}

/// Every practice not met is a proposed finding, with the figures behind its rating.
pub fn from_items(items: &[RatedItem]) -> Vec<Proposal> {
    items
        .iter()
        .filter(|i| i.rating == Some(Rating::NotMet))
        .map(|i| Proposal {
            source: format!("item:{}", i.number),
            title: bounded_title(&format!("Practice {} not met: {}", i.number, i.short)),
            detail: if i.figures.is_empty() {
                "Rated not met.".to_string()
            } else {
                i.figures.join(" ")
            },
            measure: None,
        })
        .collect()
}

/// A gap between two roles on one question of one survey campaign.
pub struct GapFact<'a> {
    pub campaign_id: &'a str,
    pub campaign: &'a str,
    pub question_key: &'a str,
    pub question: &'a str,
    pub gap: &'a Gap,
}

/// Every gap at least as large as the threshold is a proposed finding.
pub fn from_gaps(gaps: &[GapFact], t: FindingThresholds) -> Vec<Proposal> {
    let least = f64::from(t.gap_tenths) / 10.0;
    gaps.iter()
        .filter(|g| g.gap.size.abs() + 1e-9 >= least)
        .map(|g| Proposal {
            source: format!(
                "gap:{}:{}:{}:{}",
                g.campaign_id,
                g.question_key,
                g.gap.first.code(),
                g.gap.second.code()
            ),
            title: bounded_title(&format!("Survey gap: {}", g.question)),
            detail: format!(
                "{} in “{}” ({} and {} answers).",
                g.gap.words, g.campaign, g.gap.first_n, g.gap.second_n
            ),
            measure: Some(g.gap.size),
        })
        .collect()
}

/// How many of a role's respondents to one campaign raised a theme in their own words.
pub struct ThemeFact<'a> {
    pub campaign_id: &'a str,
    pub campaign: &'a str,
    pub theme: &'a str,
    pub label: &'a str,
    /// The codebook marks the theme a concern (raising it means something is wrong).
    pub concern: bool,
    pub role: RespondentRole,
    pub raised: usize,
    pub respondents: usize,
}

/// Whether a role's group is large enough to be shown, and raised the theme often enough.
fn raised_often(f: &ThemeFact, min_group: usize, t: FindingThresholds) -> bool {
    f.raised > 0
        && f.respondents >= min_group.max(1)
        && f.raised * 100 >= f.respondents * t.theme_percent as usize
}

/// The share of the respondents in shown groups who raised a theme (its measure, compared
/// from one campaign to the next); none when no group is large enough to show.
pub fn theme_share(facts: &[&ThemeFact], min_group: usize) -> Option<f64> {
    let shown: Vec<&&ThemeFact> = facts
        .iter()
        .filter(|f| f.respondents >= min_group.max(1))
        .collect();
    let respondents: usize = shown.iter().map(|f| f.respondents).sum();
    let raised: usize = shown.iter().map(|f| f.raised).sum();
    (respondents > 0).then(|| raised as f64 / respondents as f64)
}

/// A concern raised by at least the threshold's share of some role's respondents (a group
/// large enough to be shown at all) is a proposed finding, one per campaign and theme, naming
/// each role that raised it often.
pub fn from_themes(themes: &[ThemeFact], min_group: usize, t: FindingThresholds) -> Vec<Proposal> {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for f in themes.iter().filter(|f| f.concern) {
        if !keys.contains(&(f.campaign_id, f.theme)) {
            keys.push((f.campaign_id, f.theme));
        }
    }
    keys.into_iter()
        .filter_map(|(campaign_id, theme)| {
            let facts: Vec<&ThemeFact> = themes
                .iter()
                .filter(|f| f.campaign_id == campaign_id && f.theme == theme)
                .collect();
            let often: Vec<String> = facts
                .iter()
                .filter(|f| raised_often(f, min_group, t))
                .map(|f| format!("{} of {} {}", f.raised, f.respondents, f.role.plural()))
                .collect();
            let first = facts.first()?;
            (!often.is_empty()).then(|| Proposal {
                source: format!("theme:{campaign_id}:{theme}"),
                title: bounded_title(&format!("Raised often: {}", first.label)),
                detail: format!(
                    "Raised in their own words in “{}” by {}.",
                    first.campaign,
                    join_words(&often)
                ),
                measure: theme_share(&facts, min_group),
            })
        })
        .collect()
}

/// A proposal's title within what a finding's title may hold (a long question is cut, with
/// an ellipsis), so that it can be accepted as written.
fn bounded_title(title: &str) -> String {
    const MAX: usize = 200;
    if title.chars().count() <= MAX {
        title.to_string()
    } else {
        let cut: String = title.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// "a", "a and b", "a, b and c".
fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

text_enum! {
    /// Whether what a finding measured moved since.
    Moved {
        Better => "better" / "Better",
        Same => "same" / "No change",
        Worse => "worse" / "Worse",
    }
}

fn rank(r: Rating) -> Option<u8> {
    match r {
        Rating::Met => Some(2),
        Rating::PartlyMet => Some(1),
        Rating::NotMet => Some(0),
        Rating::NotApplicable => None,
    }
}

/// How a practice's rating moved between two assessments (none when either cannot be
/// compared: not rated, or not applicable).
pub fn rating_moved(then: Option<Rating>, now: Option<Rating>) -> Option<Moved> {
    let (a, b) = (rank(then?)?, rank(now?)?);
    Some(match b.cmp(&a) {
        std::cmp::Ordering::Greater => Moved::Better,
        std::cmp::Ordering::Equal => Moved::Same,
        std::cmp::Ordering::Less => Moved::Worse,
    })
}

/// How a measured finding moved: a gap or a concern's share is better smaller. Differences
/// under a twentieth are no change (a gap of 1.02 against 1.0 is the same gap).
pub fn measure_moved(then: f64, now: f64) -> Moved {
    let (a, b) = (then.abs(), now.abs());
    if (a - b).abs() < 0.05 {
        Moved::Same
    } else if b < a {
        Moved::Better
    } else {
        Moved::Worse
    }
}

/// A person's decision on a proposal: accept (as written or edited) or dismiss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Accept { title: String, detail: String },
    Dismiss { reason: String },
}

impl Decision {
    pub fn parse(decision: &str, title: &str, detail: &str) -> Result<Self, Invalid> {
        match decision.trim() {
            "accept" => {
                let mut errors = Invalid::default();
                let title = errors.check(parse_name("title", title));
                let detail = errors.check(parse_text("detail", detail, DETAIL_MAX));
                errors.into_result()?;
                Ok(Decision::Accept {
                    title: title.unwrap_or_default(),
                    detail: detail.flatten().unwrap_or_default(),
                })
            }
            "dismiss" => Ok(Decision::Dismiss {
                reason: parse_text("detail", detail, DETAIL_MAX)?.unwrap_or_default(),
            }),
            _ => Err(Invalid::one("decision", "choose accept or dismiss")),
        }
    }
}

text_enum! {
    /// The three levels of a plan: a goal answers findings, an objective is a measurable part
    /// of a goal, an action step is one person's task toward an objective.
    PlanLevel {
        Goal => "goal" / "Goal",
        Objective => "objective" / "Objective",
        Step => "step" / "Action step",
    }
}

impl PlanLevel {
    /// The level an entry of this level sits under (none: a goal stands alone).
    pub fn parent(self) -> Option<PlanLevel> {
        match self {
            PlanLevel::Goal => None,
            PlanLevel::Objective => Some(PlanLevel::Goal),
            PlanLevel::Step => Some(PlanLevel::Objective),
        }
    }
}

text_enum! {
    /// Where an action step stands.
    StepStatus {
        Planned => "planned" / "Planned",
        UnderWay => "under_way" / "Under way",
        Done => "done" / "Done",
        Dropped => "dropped" / "Dropped",
    }
}

impl StepStatus {
    /// Still someone's to do.
    pub fn open(self) -> bool {
        matches!(self, StepStatus::Planned | StepStatus::UnderWay)
    }
}

/// A new entry of a plan, checked apart from who owns it and what it sits under (which the
/// records answer). A step has an owner and a due day, today or later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub level: PlanLevel,
    pub title: String,
    pub due_on: Option<NaiveDate>,
}

impl NewEntry {
    pub fn parse(
        level: &str,
        title: &str,
        due_on: &str,
        today: NaiveDate,
    ) -> Result<Self, Invalid> {
        let mut errors = Invalid::default();
        let level = PlanLevel::from_code(level);
        if level.is_none() {
            errors.push("level", "choose a goal, an objective or an action step");
        }
        let title = errors.check(parse_name("title", title));
        let due = errors
            .check(crate::org::parse_optional_date("due_on", due_on))
            .flatten();
        match (level, due) {
            (Some(PlanLevel::Step), None) if !errors.errors.iter().any(|e| e.field == "due_on") => {
                errors.push("due_on", "give the day the step is due")
            }
            (_, Some(day)) if day < today => errors.push("due_on", "must be today or a later day"),
            _ => {}
        }
        errors.into_result()?;
        Ok(NewEntry {
            level: level.unwrap_or(PlanLevel::Goal),
            title: title.unwrap_or_default(),
            due_on: due,
        })
    }
}

/// A step's new standing, with a note; dropping a step says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: StepStatus,
    pub note: String,
}

impl StatusChange {
    pub fn parse(status: &str, note: &str) -> Result<Self, Invalid> {
        let Some(status) = StepStatus::from_code(status) else {
            return Err(Invalid::one(
                "status",
                "choose planned, under way, done or dropped",
            ));
        };
        let note = parse_text("note", note, DETAIL_MAX)?.unwrap_or_default();
        if status == StepStatus::Dropped && note.is_empty() {
            return Err(Invalid::one("note", "say why the step is dropped"));
        }
        Ok(StatusChange { status, note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(size: f64) -> Gap {
        Gap {
            first: RespondentRole::Sro,
            second: RespondentRole::Administrator,
            first_n: 6,
            second_n: 8,
            size,
            words: "SROs rate it worse".into(),
        }
    }

    #[test]
    fn a_practice_not_met_is_proposed_and_others_are_not() {
        let figures = vec!["Faculty meetings: 2 of 6.".to_string()];
        let items = [
            RatedItem {
                number: 3,
                short: "Faculty meetings",
                rating: Some(Rating::NotMet),
                figures: &figures,
            },
            RatedItem {
                number: 4,
                short: "Written procedures",
                rating: Some(Rating::PartlyMet),
                figures: &[],
            },
            RatedItem {
                number: 5,
                short: "Introductions",
                rating: None,
                figures: &[],
            },
        ];
        let proposed = from_items(&items);
        assert_eq!(proposed.len(), 1);
        assert_eq!(proposed[0].source, "item:3");
        assert_eq!(proposed[0].title, "Practice 3 not met: Faculty meetings");
        assert_eq!(proposed[0].detail, "Faculty meetings: 2 of 6.");
    }

    #[test]
    fn a_gap_is_proposed_from_the_threshold_up_either_way() {
        let t = FindingThresholds::default();
        let (at, under, other_way) = (gap(1.0), gap(0.99), gap(-1.4));
        let fact = |g| GapFact {
            campaign_id: "c1",
            campaign: "Spring survey",
            question_key: "relationship",
            question: "How strong is the relationship?",
            gap: g,
        };
        let proposed = from_gaps(&[fact(&at), fact(&under), fact(&other_way)], t);
        assert_eq!(proposed.len(), 2, "1.0 and -1.4, not 0.99");
        assert_eq!(proposed[0].source, "gap:c1:relationship:sro:administrator");
        assert_eq!(proposed[1].measure, Some(-1.4));
        let stricter = FindingThresholds {
            gap_tenths: 15,
            ..t
        };
        assert!(from_gaps(&[fact(&other_way)], stricter).is_empty());
        let long = "How strong is it? ".repeat(20);
        let long_fact = GapFact {
            question: &long,
            ..fact(&at)
        };
        let title = &from_gaps(&[long_fact], t)[0].title;
        assert_eq!(title.chars().count(), 200, "accepted as written: {title}");
        assert!(crate::org::parse_name("title", title).is_ok());
    }

    #[test]
    fn a_concern_is_proposed_when_enough_of_a_shown_group_raised_it() {
        let fact = |role, concern, raised, respondents| ThemeFact {
            campaign_id: "c1",
            campaign: "Spring survey",
            theme: "discipline_misuse",
            label: "Misuse of the SRO for discipline",
            concern,
            role,
            raised,
            respondents,
        };
        let t = FindingThresholds::default();
        let edu = RespondentRole::Educator;
        let one = |f| from_themes(&[f], 5, t);
        assert_eq!(one(fact(edu, true, 2, 10)).len(), 1, "20 % is enough");
        assert_eq!(one(fact(edu, true, 2, 11)).len(), 0, "18 % is not");
        assert_eq!(one(fact(edu, false, 9, 10)).len(), 0, "not a concern");
        assert_eq!(
            one(fact(edu, true, 2, 4)).len(),
            0,
            "a group too small to show"
        );
        assert_eq!(one(fact(edu, true, 0, 0)).len(), 0);
        // One proposal for the theme, naming the roles that raised it often; its measure is
        // the share of every shown respondent.
        let facts = [
            fact(edu, true, 3, 10),
            fact(RespondentRole::Sro, true, 1, 10),
            fact(RespondentRole::Administrator, true, 2, 5),
            fact(RespondentRole::Sso, true, 2, 2),
        ];
        let proposed = from_themes(&facts, 5, t);
        assert_eq!(proposed.len(), 1);
        let p = &proposed[0];
        assert_eq!(p.source, "theme:c1:discipline_misuse");
        assert_eq!(
            p.detail,
            "Raised in their own words in “Spring survey” by 3 of 10 educators and staff and 2 of 5 administrators."
        );
        assert_eq!(p.measure, Some(6.0 / 25.0), "the SSOs' group is too small");
    }

    #[test]
    fn movement_reads_ratings_up_and_gaps_down() {
        use Rating::*;
        assert_eq!(
            rating_moved(Some(NotMet), Some(PartlyMet)),
            Some(Moved::Better)
        );
        assert_eq!(rating_moved(Some(Met), Some(NotMet)), Some(Moved::Worse));
        assert_eq!(rating_moved(Some(Met), Some(Met)), Some(Moved::Same));
        assert_eq!(rating_moved(Some(NotMet), None), None);
        assert_eq!(rating_moved(Some(NotApplicable), Some(Met)), None);
        assert_eq!(measure_moved(1.2, 0.4), Moved::Better);
        assert_eq!(
            measure_moved(-1.2, 0.4),
            Moved::Better,
            "a gap's size, not its side"
        );
        assert_eq!(measure_moved(1.0, 1.04), Moved::Same);
        assert_eq!(measure_moved(0.2, 0.3), Moved::Worse);
    }

    #[test]
    fn a_decision_accepts_with_a_title_or_dismisses() {
        assert_eq!(
            Decision::parse("accept", " Faculty meetings ", " two of six "),
            Ok(Decision::Accept {
                title: "Faculty meetings".into(),
                detail: "two of six".into()
            })
        );
        assert!(Decision::parse("accept", "  ", "x").is_err());
        assert_eq!(
            Decision::parse("dismiss", "", ""),
            Ok(Decision::Dismiss {
                reason: String::new()
            })
        );
        assert!(Decision::parse("maybe", "t", "").is_err());
        assert!(Decision::parse("accept", "t", &"x".repeat(DETAIL_MAX + 1)).is_err());
    }

    #[test]
    fn a_step_has_a_due_day_from_today_and_a_dropped_step_a_reason() {
        let today = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let step = NewEntry::parse("step", "Invite the SRO", "2026-09-01", today).unwrap();
        assert_eq!(step.level, PlanLevel::Step);
        let field = |r: Result<NewEntry, Invalid>| r.unwrap_err().errors[0].field.to_string();
        assert_eq!(field(NewEntry::parse("step", "x", "", today)), "due_on");
        assert_eq!(
            field(NewEntry::parse("step", "x", "2026-08-31", today)),
            "due_on"
        );
        assert_eq!(field(NewEntry::parse("step", "x", "soon", today)), "due_on");
        assert_eq!(field(NewEntry::parse("wish", "x", "", today)), "level");
        assert_eq!(field(NewEntry::parse("goal", "", "", today)), "title");
        assert!(NewEntry::parse("goal", "Meet weekly", "", today).is_ok());
        assert_eq!(PlanLevel::Step.parent(), Some(PlanLevel::Objective));
        assert!(StatusChange::parse("done", "").is_ok());
        assert!(StatusChange::parse("dropped", " ").is_err());
        assert!(StatusChange::parse("dropped", "the grant ended").is_ok());
        assert!(StatusChange::parse("finished", "").is_err());
    }
}
