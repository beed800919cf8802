//! The memorandum of understanding between an agency and a district: the kinds of clause it
//! is written in, the elements a complete one carries (each with where that is asked for),
//! and the rules of its versions: drafts, the two sides' signatures, and comparison.
//!
//! A version is signed when a signatory of each side has signed exactly what it now says: a
//! signature is bound to the version's content hash, so a draft changed after one side signed
//! drops back to unsigned on that side. A signed version never changes; a change starts a new
//! draft.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::{RecordClass, Resource, Tenant};
use crate::{Id, Invalid, Timestamp};

/// The record the policy weighs for everything of a partnership's MOU: the agency's and the
/// district's together, above any campus.
pub fn record(agency: Id, district: Id) -> Resource {
    Resource::new(
        RecordClass::Agreement,
        Tenant {
            agency: Some(agency),
            district: Some(district),
            campus: None,
        },
    )
}

/// The kinds of clause an MOU is written in, in the order a printed MOU shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseKind {
    ProgramGoals,
    SroRole,
    NotDiscipline,
    ChainOfCommand,
    AgencyDuties,
    DistrictDuties,
    Searches,
    Investigations,
    Interviews,
    Arrests,
    Transport,
    InformationSharing,
    StudentRights,
    UniformAndDress,
    OfficeSpace,
    HoursAndEvents,
    Selection,
    Training,
    Evaluation,
    Funding,
    ReviewSchedule,
}

impl ClauseKind {
    pub const ALL: [ClauseKind; 21] = [
        ClauseKind::ProgramGoals,
        ClauseKind::SroRole,
        ClauseKind::NotDiscipline,
        ClauseKind::ChainOfCommand,
        ClauseKind::AgencyDuties,
        ClauseKind::DistrictDuties,
        ClauseKind::Searches,
        ClauseKind::Investigations,
        ClauseKind::Interviews,
        ClauseKind::Arrests,
        ClauseKind::Transport,
        ClauseKind::InformationSharing,
        ClauseKind::StudentRights,
        ClauseKind::UniformAndDress,
        ClauseKind::OfficeSpace,
        ClauseKind::HoursAndEvents,
        ClauseKind::Selection,
        ClauseKind::Training,
        ClauseKind::Evaluation,
        ClauseKind::Funding,
        ClauseKind::ReviewSchedule,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClauseKind::ProgramGoals => "program_goals",
            ClauseKind::SroRole => "sro_role",
            ClauseKind::NotDiscipline => "not_discipline",
            ClauseKind::ChainOfCommand => "chain_of_command",
            ClauseKind::AgencyDuties => "agency_duties",
            ClauseKind::DistrictDuties => "district_duties",
            ClauseKind::Searches => "searches",
            ClauseKind::Investigations => "investigations",
            ClauseKind::Interviews => "interviews",
            ClauseKind::Arrests => "arrests",
            ClauseKind::Transport => "transport",
            ClauseKind::InformationSharing => "information_sharing",
            ClauseKind::StudentRights => "student_rights",
            ClauseKind::UniformAndDress => "uniform_and_dress",
            ClauseKind::OfficeSpace => "office_space",
            ClauseKind::HoursAndEvents => "hours_and_events",
            ClauseKind::Selection => "selection",
            ClauseKind::Training => "training",
            ClauseKind::Evaluation => "evaluation",
            ClauseKind::Funding => "funding",
            ClauseKind::ReviewSchedule => "review_schedule",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The clause's heading in the MOU.
    pub fn heading(self) -> &'static str {
        match self {
            ClauseKind::ProgramGoals => "Goals of the program",
            ClauseKind::SroRole => "Role of the School Resource Officer",
            ClauseKind::NotDiscipline => "School discipline and law enforcement",
            ClauseKind::ChainOfCommand => "Chain of command",
            ClauseKind::AgencyDuties => "Duties of the law-enforcement agency",
            ClauseKind::DistrictDuties => "Duties of the school district",
            ClauseKind::Searches => "Searches",
            ClauseKind::Investigations => "Criminal investigations",
            ClauseKind::Interviews => "Interviews and interrogations",
            ClauseKind::Arrests => "Arrests, use of force and trespassers",
            ClauseKind::Transport => "Transport of students",
            ClauseKind::InformationSharing => "Information sharing",
            ClauseKind::StudentRights => "Students' rights in searches and questioning",
            ClauseKind::UniformAndDress => "Uniform and dress",
            ClauseKind::OfficeSpace => "Office space",
            ClauseKind::HoursAndEvents => "Hours and events covered",
            ClauseKind::Selection => "Selection of the SRO",
            ClauseKind::Training => "Training",
            ClauseKind::Evaluation => "Evaluation of the SRO",
            ClauseKind::Funding => "Funding",
            ClauseKind::ReviewSchedule => "Review of this memorandum",
        }
    }
}

/// An element a complete MOU carries, the clause that carries it, and who asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Element {
    pub clause: ClauseKind,
    /// What the element is, in a line.
    pub asks: &'static str,
    /// Where it is asked for: the program's own best-practice list and public sources
    /// (`reference/mou-and-reports.md`).
    pub sources: &'static [&'static str],
}

const SEED_ITEM_1: &str = "SRO best practices, item 1 (a written MOU)";
const SEED_ITEM_10: &str = "SRO best practices, item 10 (written procedures)";

/// The required elements, in the order of the MOU. Uniform, office space, hours and funding
/// are clauses an MOU may carry without being incomplete without them.
pub const REQUIRED: [Element; 17] = [
    Element {
        clause: ClauseKind::ProgramGoals,
        asks: "the goals of the program",
        sources: &[SEED_ITEM_1, "ED/DOJ SECURe rubrics, step 1", "COPS MOU fact sheet"],
    },
    Element {
        clause: ClauseKind::SroRole,
        asks: "the role of the SRO",
        sources: &[SEED_ITEM_1, "NASRO standards", "ED/DOJ SECURe rubrics"],
    },
    Element {
        clause: ClauseKind::NotDiscipline,
        asks: "that school discipline is the educators' and not the SRO's",
        sources: &["ED/DOJ SECURe rubrics", "NASRO standards", "Kentucky KRS 158.4414"],
    },
    Element {
        clause: ClauseKind::ChainOfCommand,
        asks: "who the SRO reports to, and for what",
        sources: &[SEED_ITEM_1, "COPS in Schools MOU requirement", "Florida Statutes 1006.12"],
    },
    Element {
        clause: ClauseKind::AgencyDuties,
        asks: "the duties of the law-enforcement agency",
        sources: &[SEED_ITEM_1, "COPS MOU fact sheet"],
    },
    Element {
        clause: ClauseKind::DistrictDuties,
        asks: "the duties of the school district",
        sources: &[SEED_ITEM_1, "COPS MOU fact sheet"],
    },
    Element {
        clause: ClauseKind::Searches,
        asks: "written procedures for searches",
        sources: &[SEED_ITEM_10],
    },
    Element {
        clause: ClauseKind::Investigations,
        asks: "written procedures for criminal investigations",
        sources: &[SEED_ITEM_10],
    },
    Element {
        clause: ClauseKind::Interviews,
        asks: "written procedures for interviews and interrogations",
        sources: &[SEED_ITEM_10, "Massachusetts model MOU"],
    },
    Element {
        clause: ClauseKind::Arrests,
        asks: "written procedures for arrests, use of force and trespassers",
        sources: &[SEED_ITEM_10, "Massachusetts model MOU"],
    },
    Element {
        clause: ClauseKind::Transport,
        asks: "written procedures for transporting students in official vehicles",
        sources: &[SEED_ITEM_10],
    },
    Element {
        clause: ClauseKind::InformationSharing,
        asks: "what information is shared, how, and under which privacy law",
        sources: &["COPS MOU fact sheet", "SRO Performance Evaluation guide, tool 1", "Virginia Code 22.1-280.2:3"],
    },
    Element {
        clause: ClauseKind::StudentRights,
        asks: "students' rights when searched or questioned: when parents and administrators are told and present; students with disabilities",
        sources: &["ED/DOJ SECURe rubrics, step 2", "Massachusetts model MOU"],
    },
    Element {
        clause: ClauseKind::Selection,
        asks: "how the SRO is selected, with the school's voice",
        sources: &["ED/DOJ SECURe rubrics, step 3", "NASRO standards"],
    },
    Element {
        clause: ClauseKind::Training,
        asks: "the training the SRO completes",
        sources: &["ED/DOJ SECURe rubrics, step 4", "Maryland Safe to Learn Act"],
    },
    Element {
        clause: ClauseKind::Evaluation,
        asks: "how the SRO is evaluated, with the administrators' input",
        sources: &["ED/DOJ SECURe rubrics, step 5", "Massachusetts model MOU"],
    },
    Element {
        clause: ClauseKind::ReviewSchedule,
        asks: "when the partners review the MOU together",
        sources: &["SRO best practices, item 8 (a review each semester)", "Virginia Code 22.1-280.2:3"],
    },
];

/// One clause of a version as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub kind: ClauseKind,
    pub text: String,
}

/// The longest text a clause may hold.
pub const CLAUSE_MAX_CHARS: usize = 20_000;

/// A clause's text as it will be stored: trimmed, within the length, and with its lines
/// ended the same way whatever the browser sent.
pub fn parse_clause_text(text: &str) -> Result<String, Invalid> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.chars().count() > CLAUSE_MAX_CHARS {
        return Err(Invalid::one(
            "text",
            format!("a clause holds at most {CLAUSE_MAX_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::one("text", "remove the control characters"));
    }
    Ok(text.to_string())
}

/// Whether a clause says something: not empty, and no "[…]" left of the template to fill in.
pub fn is_written(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && !has_fill_in(text)
}

/// Whether a "[" is closed by a "]" later in the text: the template's marks of what each
/// partnership writes for itself.
fn has_fill_in(text: &str) -> bool {
    text.find('[')
        .is_some_and(|open| text[open..].contains(']'))
}

/// An element of the checklist and whether the version carries it.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub element: Element,
    pub heading: &'static str,
    pub met: bool,
}

/// The checklist of a version: every required element, met when its clause is written.
pub fn checklist(clauses: &[Clause]) -> Vec<Check> {
    REQUIRED
        .iter()
        .map(|element| Check {
            element: *element,
            heading: element.clause.heading(),
            met: clauses
                .iter()
                .any(|c| c.kind == element.clause && is_written(&c.text)),
        })
        .collect()
}

/// The part of the checklist one practice of the SRO Program Instrument names: item 1 (the
/// agreement's goals, roles, chain of command and duties) or item 10 (written procedures).
pub fn checklist_for_item(clauses: &[Clause], item: u8) -> Vec<Check> {
    let source = match item {
        1 => SEED_ITEM_1,
        10 => SEED_ITEM_10,
        _ => return Vec::new(),
    };
    checklist(clauses)
        .into_iter()
        .filter(|c| c.element.sources.contains(&source))
        .collect()
}

/// The required elements a version still lacks.
pub fn missing(clauses: &[Clause]) -> Vec<Element> {
    checklist(clauses)
        .into_iter()
        .filter(|c| !c.met)
        .map(|c| c.element)
        .collect()
}

/// The hash a signature is bound to: the version's clauses, in clause order, each with its
/// kind, so the same words under another heading hash differently.
pub fn content_hash(clauses: &[Clause]) -> String {
    let mut sorted: Vec<&Clause> = clauses.iter().collect();
    sorted.sort_by_key(|c| c.kind);
    let mut hasher = Sha256::new();
    for c in sorted {
        hasher.update(c.kind.code().as_bytes());
        hasher.update([0]);
        hasher.update((c.text.len() as u64).to_be_bytes());
        hasher.update(c.text.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The two parties to an MOU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Agency,
    District,
}

impl Side {
    pub fn code(self) -> &'static str {
        match self {
            Side::Agency => "agency",
            Side::District => "district",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Side::Agency, Side::District]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Agency => "For the law-enforcement agency",
            Side::District => "For the school district",
        }
    }
}

/// A signature as recorded: who, for which side, when, over which content, and whether they
/// signed knowing required elements were missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub side: Side,
    pub signer: Id,
    pub at: Timestamp,
    pub content_hash: String,
    pub acknowledged_missing: bool,
}

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Open to edits; a side may have signed what it says now.
    Draft,
    /// Both sides signed what it says: it never changes again.
    Signed,
}

/// The signatures that still hold: those over what the version says now (a signature over
/// an earlier text of the draft has lapsed).
pub fn standing_signatures<'a>(
    signatures: &'a [Signature],
    current_hash: &'a str,
) -> impl Iterator<Item = &'a Signature> + 'a {
    signatures
        .iter()
        .filter(move |s| s.content_hash == current_hash)
}

/// Signed when both sides hold a signature over the current content.
pub fn standing(signatures: &[Signature], current_hash: &str) -> Standing {
    let signed = |side| standing_signatures(signatures, current_hash).any(|s| s.side == side);
    if signed(Side::Agency) && signed(Side::District) {
        Standing::Signed
    } else {
        Standing::Draft
    }
}

/// Whether a signature may be added: never twice for a side over the same content, never to
/// a signed version, and over missing elements only when the signer says they know.
pub fn may_sign(
    clauses: &[Clause],
    signatures: &[Signature],
    side: Side,
    acknowledged_missing: bool,
) -> Result<(), Invalid> {
    let hash = content_hash(clauses);
    if standing(signatures, &hash) == Standing::Signed {
        return Err(Invalid::one(
            "version",
            "this version is signed by both sides; start a new draft to change it",
        ));
    }
    if standing_signatures(signatures, &hash).any(|s| s.side == side) {
        return Err(Invalid::one(
            "side",
            "this side has already signed this text",
        ));
    }
    let missing = missing(clauses);
    if !missing.is_empty() && !acknowledged_missing {
        return Err(Invalid::one(
            "acknowledged_missing",
            format!(
                "{} required element(s) are missing ({}); confirm that you sign without them",
                missing.len(),
                missing
                    .iter()
                    .map(|e| e.clause.heading())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(())
}

/// How a clause differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    Same,
    Added,
    Removed,
    Changed,
}

/// A clause of either version and how it changed from the older to the newer.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseComparison {
    pub kind: ClauseKind,
    pub heading: &'static str,
    pub older: Option<String>,
    pub newer: Option<String>,
    pub difference: Difference,
}

/// Two versions side by side, clause by clause in the MOU's order (a blank clause counts as
/// absent).
pub fn compare(older: &[Clause], newer: &[Clause]) -> Vec<ClauseComparison> {
    let text_of = |clauses: &[Clause], kind| {
        clauses
            .iter()
            .find(|c| c.kind == kind && !c.text.trim().is_empty())
            .map(|c| c.text.clone())
    };
    ClauseKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let (a, b) = (text_of(older, kind), text_of(newer, kind));
            let difference = match (&a, &b) {
                (None, None) => return None,
                (Some(_), None) => Difference::Removed,
                (None, Some(_)) => Difference::Added,
                (Some(x), Some(y)) if x == y => Difference::Same,
                _ => Difference::Changed,
            };
            Some(ClauseComparison {
                kind,
                heading: kind.heading(),
                older: a,
                newer: b,
                difference,
            })
        })
        .collect()
}

/// The project's starting text for a first draft: each clause says what the partners
/// decide, with "[…]" where only they can fill it in (a clause with one left counts as not
/// yet written).
pub fn template(kind: ClauseKind) -> &'static str {
    match kind {
        ClauseKind::ProgramGoals => "The agency and the district place a School Resource Officer in [campus or campuses] to keep students and staff safe, to build trust between young people and the police, and to teach about the law. The partners measure progress by [the measures the partners choose].",
        ClauseKind::SroRole => "The SRO works in three roles: as a law-enforcement officer, as an informal counselor and mentor, and as an educator who teaches classes on law and safety. The SRO spends [share] of the school day on campus.",
        ClauseKind::NotDiscipline => "School discipline belongs to the school's administrators. The SRO does not enforce school rules or take part in disciplinary decisions, and acts only on matters of law. Staff hand a matter to the SRO when [the cases the partners list].",
        ClauseKind::ChainOfCommand => "The SRO is an employee of the agency and reports to [supervisor's title] for police matters. On campus the SRO coordinates daily work with the principal. Disagreements go first to the principal and the supervisor, then to [the district's and the agency's contacts].",
        ClauseKind::AgencyDuties => "The agency selects, trains, equips, supervises and evaluates the SRO, provides a replacement when the SRO is absent for more than [number] school days, and [other duties].",
        ClauseKind::DistrictDuties => "The district provides the SRO with an office, a telephone and access to the campus, includes the SRO in safety planning and staff meetings, and [other duties].",
        ClauseKind::Searches => "The SRO searches students only under the agency's written procedure [name or number of the procedure], which the campus administrators have read. Searches under school policy are made by administrators.",
        ClauseKind::Investigations => "Criminal investigations on campus follow the agency's written procedure [name or number]. The SRO tells the principal of an investigation unless doing so would harm it.",
        ClauseKind::Interviews => "Interviews and interrogations of students follow the agency's written procedure [name or number], including when a parent and an administrator are told and present.",
        ClauseKind::Arrests => "Arrests on campus, the use of force and the removal of trespassers follow the agency's written procedures [names or numbers]. Where the law allows, an arrest is made away from other students.",
        ClauseKind::Transport => "Students are transported in official vehicles only under the agency's written procedure [name or number], with a parent and the principal told [when].",
        ClauseKind::InformationSharing => "The partners share information only as the privacy laws allow, under [the laws and the district's records policy]. The SRO's law-enforcement records are kept by the agency and are not part of students' education records.",
        ClauseKind::StudentRights => "When a student is searched or questioned, a parent and an administrator are told [when] and may be present [when]. Students with disabilities are questioned with [the supports the partners agree].",
        ClauseKind::UniformAndDress => "The SRO wears [the regulation or a modified uniform] on campus so that students, staff and emergency responders can see who the officer is.",
        ClauseKind::OfficeSpace => "The district provides the SRO a private office at each campus served, where students can talk in confidence.",
        ClauseKind::HoursAndEvents => "The SRO is on campus [from when to when] on school days and at [the events covered]. Overtime for events is paid by [party].",
        ClauseKind::Selection => "The agency chooses SROs among officers who volunteer and have at least [years] years of experience. Administrators of the campus take part in the interviews.",
        ClauseKind::Training => "Before the assignment the SRO completes [basic hours] hours of basic SRO training, and [yearly hours] hours of in-service training every year. SROs and administrators attend [a joint training] together.",
        ClauseKind::Evaluation => "The agency evaluates the SRO every [period] with criteria specific to the SRO's work, and asks the principal for written input.",
        ClauseKind::Funding => "The cost of the SRO position is shared as follows: [the share of each party]. Positions paid by a time-limited grant have a plan to continue them at least a year before the grant ends.",
        ClauseKind::ReviewSchedule => "The SRO, the agency supervisor and the campus administrator meet at least once a semester to review this memorandum and decide whether it needs changes. The partners renew it every [term].",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(kinds: &[ClauseKind]) -> Vec<Clause> {
        kinds
            .iter()
            .map(|k| Clause {
                kind: *k,
                text: format!("What the partners agreed on {}.", k.heading()),
            })
            .collect()
    }

    #[test]
    fn every_clause_kind_is_checked_and_each_required_one_alone_is_reported_missing() {
        let all = written(&ClauseKind::ALL);
        assert!(missing(&all).is_empty());
        for kind in ClauseKind::ALL {
            let without: Vec<Clause> = all.iter().filter(|c| c.kind != kind).cloned().collect();
            let required = REQUIRED.iter().any(|e| e.clause == kind);
            let lacks: Vec<ClauseKind> = missing(&without).iter().map(|e| e.clause).collect();
            assert_eq!(
                lacks,
                if required { vec![kind] } else { vec![] },
                "{kind:?}"
            );
            // A clause left blank, or with a fill-in of the template, counts as missing too.
            for text in ["", "   \n", "The SRO reports to [name the supervisor]."] {
                let mut blank = all.clone();
                blank.iter_mut().find(|c| c.kind == kind).unwrap().text = text.into();
                assert_eq!(
                    missing(&blank).len(),
                    usize::from(required),
                    "{kind:?} {text:?}"
                );
            }
        }
        // Every required element names where it is asked for.
        assert!(REQUIRED.iter().all(|e| !e.sources.is_empty()));
        assert_eq!(missing(&[]).len(), REQUIRED.len());
        // A bracket that is never closed, or closed before it opens, is prose.
        assert!(is_written("Hours: 7:30 to 3:30 [weekdays"));
        assert!(is_written("See item ] then [ later"));
    }

    #[test]
    fn the_template_is_a_draft_to_fill_in_not_a_finished_mou() {
        let clauses: Vec<Clause> = ClauseKind::ALL
            .iter()
            .map(|k| Clause {
                kind: *k,
                text: template(*k).into(),
            })
            .collect();
        // Every required clause asks the partners for their own words.
        assert_eq!(missing(&clauses).len(), REQUIRED.len());
    }

    #[test]
    fn codes_round_trip() {
        for kind in ClauseKind::ALL {
            assert_eq!(ClauseKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ClauseKind::from_code("discipline"), None);
        assert_eq!(Side::from_code("agency"), Some(Side::Agency));
        assert_eq!(Side::from_code("parents"), None);
    }

    fn signature(side: Side, clauses: &[Clause]) -> Signature {
        Signature {
            side,
            signer: Id::new(),
            at: Timestamp::from_millis(1),
            content_hash: content_hash(clauses),
            acknowledged_missing: false,
        }
    }

    #[test]
    fn a_version_is_signed_when_both_sides_signed_what_it_says_now() {
        let mut clauses = written(&ClauseKind::ALL);
        let hash = content_hash(&clauses);
        let agency = signature(Side::Agency, &clauses);
        assert_eq!(
            standing(std::slice::from_ref(&agency), &hash),
            Standing::Draft
        );
        assert!(may_sign(&clauses, std::slice::from_ref(&agency), Side::Agency, false).is_err());
        assert!(may_sign(
            &clauses,
            std::slice::from_ref(&agency),
            Side::District,
            false
        )
        .is_ok());
        // The draft changes after the agency signed: the agency's signature lapses.
        clauses[0].text.push_str(" And more.");
        let hash = content_hash(&clauses);
        assert_eq!(
            standing_signatures(std::slice::from_ref(&agency), &hash).count(),
            0
        );
        let district = signature(Side::District, &clauses);
        let both = [agency, district.clone()];
        assert_eq!(standing(&both, &hash), Standing::Draft);
        let again = signature(Side::Agency, &clauses);
        let signed = [both[0].clone(), district, again];
        assert_eq!(standing(&signed, &hash), Standing::Signed);
        let refused = may_sign(&clauses, &signed, Side::District, true).unwrap_err();
        assert!(refused.to_string().contains("new draft"), "{refused}");
    }

    #[test]
    fn signing_over_missing_elements_needs_the_signer_to_say_so() {
        let clauses = written(&[ClauseKind::ProgramGoals]);
        let refused = may_sign(&clauses, &[], Side::District, false).unwrap_err();
        assert!(refused.to_string().contains("16 required"), "{refused}");
        assert!(may_sign(&clauses, &[], Side::District, true).is_ok());
    }

    #[test]
    fn the_hash_binds_each_text_to_its_heading_and_ignores_order() {
        let a = vec![
            Clause {
                kind: ClauseKind::Searches,
                text: "x".into(),
            },
            Clause {
                kind: ClauseKind::Arrests,
                text: "y".into(),
            },
        ];
        let reordered = vec![a[1].clone(), a[0].clone()];
        assert_eq!(content_hash(&a), content_hash(&reordered));
        let swapped = vec![
            Clause {
                kind: ClauseKind::Searches,
                text: "y".into(),
            },
            Clause {
                kind: ClauseKind::Arrests,
                text: "x".into(),
            },
        ];
        assert_ne!(content_hash(&a), content_hash(&swapped));
        // Text that runs into the next clause's kind cannot collide with a split elsewhere.
        let joined = vec![Clause {
            kind: ClauseKind::Searches,
            text: "xarrests".into(),
        }];
        assert_ne!(content_hash(&a), content_hash(&joined));
    }

    #[test]
    fn comparison_names_each_clause_added_removed_changed_or_the_same() {
        let older = vec![
            Clause {
                kind: ClauseKind::ProgramGoals,
                text: "Safe schools.".into(),
            },
            Clause {
                kind: ClauseKind::Searches,
                text: "As policy 5.1.".into(),
            },
            Clause {
                kind: ClauseKind::Transport,
                text: "Never.".into(),
            },
        ];
        let newer = vec![
            Clause {
                kind: ClauseKind::ProgramGoals,
                text: "Safe schools.".into(),
            },
            Clause {
                kind: ClauseKind::Searches,
                text: "As policy 5.2.".into(),
            },
            Clause {
                kind: ClauseKind::Funding,
                text: "Shared.".into(),
            },
            Clause {
                kind: ClauseKind::Arrests,
                text: "  ".into(),
            },
        ];
        let seen: Vec<(ClauseKind, Difference)> = compare(&older, &newer)
            .iter()
            .map(|c| (c.kind, c.difference))
            .collect();
        assert_eq!(
            seen,
            vec![
                (ClauseKind::ProgramGoals, Difference::Same),
                (ClauseKind::Searches, Difference::Changed),
                (ClauseKind::Transport, Difference::Removed),
                (ClauseKind::Funding, Difference::Added),
            ]
        );
    }

    #[test]
    fn clause_text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(parse_clause_text("  a\r\nb\rc  ").unwrap(), "a\nb\nc");
        assert!(parse_clause_text(&"x".repeat(CLAUSE_MAX_CHARS + 1)).is_err());
        assert!(parse_clause_text("bell\u{7}").is_err());
    }
}
