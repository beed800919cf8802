//! Incidents of service (seed 001: document every one): what happened, where, who reported
//! it, who was involved, and whose matter it is. The classification decides who may act on
//! it: school discipline is never handed to the SRO.

use crate::auth::{Role, RolesHere};
use crate::org::text_enum;
use crate::Invalid;
use serde::{Deserialize, Serialize};

text_enum! {
    /// What kind of incident of service was met.
    IncidentKind {
        UnknownVisitor => "unknown_visitor" / "Unknown visitor",
        SuspiciousPerson => "suspicious_person" / "Suspicious person",
        UseOfForce => "use_of_force" / "Use of force / response to resistance",
        CampusBan => "campus_ban" / "Campus ban",
        ReportedThreat => "reported_threat" / "Reported threat",
        EvidenceCollected => "evidence_collected" / "Evidence collected",
        SecurityIssue => "security_issue" / "Security issue",
        MaintenanceIssue => "maintenance_issue" / "Maintenance issue",
        CriminalOffense => "criminal_offense" / "Criminal offense",
        Other => "other" / "Other",
    }
}

text_enum! {
    /// Whose matter an incident is. The SRO handles the law; administrators handle conduct.
    Classification {
        LawEnforcement => "law_enforcement" / "Law-enforcement matter",
        SchoolConduct => "school_conduct" / "School-conduct matter",
        Both => "both" / "Both: law enforcement and school conduct",
        Neither => "neither" / "Neither (for the record)",
    }
}

impl Classification {
    /// Incidents that are both run a school investigation and a criminal one side by side;
    /// the simultaneous-investigation capability picks them up through this.
    pub fn runs_simultaneous_investigations(self) -> bool {
        self == Classification::Both
    }

    pub fn involves_law_enforcement(self) -> bool {
        matches!(self, Classification::LawEnforcement | Classification::Both)
    }
}

text_enum! {
    /// How a person was involved, with the fewest identifiers that serve.
    PersonKind {
        Student => "student" / "Student",
        Staff => "staff" / "Staff member",
        Visitor => "visitor" / "Visitor",
        Unknown => "unknown" / "Unknown person",
    }
}

text_enum! {
    /// Where a record came from (FERPA): the law-enforcement unit's records are not education
    /// records; the school's are, and their disclosure to the SRO is logged.
    Provenance {
        LawEnforcementUnit => "law_enforcement_unit" / "Law-enforcement unit",
        School => "school" / "School",
    }
}

/// Whether the students an incident names are withheld from its reader until the reader
/// discloses the record to themself, with a reason (FERPA): a school's record (an education
/// record) naming a student, read by law enforcement. The law-enforcement unit's own records
/// are not education records, and a record naming no student has no one to withhold.
pub fn students_withheld(
    read_by_law_enforcement: bool,
    provenance: Option<Provenance>,
    people: &[PersonKind],
) -> bool {
    read_by_law_enforcement
        && provenance == Some(Provenance::School)
        && people.contains(&PersonKind::Student)
}

impl Provenance {
    /// The provenance of what a person writes about a record, by the roles they hold for its
    /// campus and agency: law enforcement's own record only when they write as its officer
    /// there, not because they are an officer somewhere else.
    pub fn of_writer(held: &RolesHere) -> Self {
        if held.has(Role::Sro) || held.has(Role::LeSupervisor) {
            Provenance::LawEnforcementUnit
        } else {
            Provenance::School
        }
    }
}

text_enum! {
    /// Why a school record about a student is shown to law enforcement (FERPA): the officer
    /// names one, and the disclosure is logged with it for the campus administrator.
    DisclosurePurpose {
        HealthOrSafety => "health_or_safety" / "Health or safety emergency",
        SchoolRequest => "school_request" / "The school asked for law-enforcement help",
        Investigation => "investigation" / "Law-enforcement investigation of this incident",
        CourtOrder => "court_order" / "Court order or subpoena",
    }
}

text_enum! {
    /// Law-enforcement details of an incident: the school side sees that they exist and their
    /// status, never their content.
    LeDetailKind {
        InvestigationNotes => "investigation_notes" / "Investigation notes",
        Arrest => "arrest" / "Arrest",
        UseOfForceReport => "use_of_force_report" / "Use-of-force report",
    }
}

text_enum! {
    /// Where a law-enforcement detail stands.
    LeDetailStatus {
        Open => "open" / "Open",
        Closed => "closed" / "Closed",
    }
}

text_enum! {
    /// Where a follow-up stands.
    FollowUpStatus {
        Open => "open" / "Open",
        Done => "done" / "Done",
    }
}

/// Checks that a follow-up may be assigned to a person holding these roles. A school-conduct
/// matter is the administrators' to act on: the SRO does not discipline (seeds 001, 002).
pub fn check_follow_up_assignee(
    classification: Classification,
    assignee: &RolesHere,
) -> Result<(), Invalid> {
    let is_officer = assignee.has(Role::Sro) || assignee.has(Role::LeSupervisor);
    if classification == Classification::SchoolConduct && is_officer {
        return Err(Invalid::one(
            "assignee",
            "this is a school-conduct matter: school discipline is the campus administrators' \
             job, not the SRO's. Assign it to an administrator; the SRO may be told, not tasked",
        ));
    }
    Ok(())
}

pub const NARRATIVE_MAX: usize = 20_000;
pub const LOCATION_MAX: usize = 200;

/// One person involved, as entered: a kind and the fewest identifiers that serve.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub kind: String,
    pub name: String,
    pub description: String,
}

/// A checked person involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involved {
    pub kind: PersonKind,
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Checks the people involved. Rows left entirely blank (an unused line of the form) are
/// skipped; an unknown person needs a description, since there is no name to go by.
pub fn parse_people(drafts: &[PersonDraft]) -> Result<Vec<Involved>, Invalid> {
    let mut invalid = Invalid::default();
    let mut out = Vec::new();
    for d in drafts {
        if d.kind.trim().is_empty() && d.name.trim().is_empty() && d.description.trim().is_empty() {
            continue;
        }
        let Some(kind) = PersonKind::from_code(&d.kind) else {
            invalid.push(
                "people",
                "say whether each person is a student, staff member, visitor or unknown",
            );
            continue;
        };
        let name = invalid.check(crate::text::parse_text("people", &d.name, 200));
        let description = invalid.check(crate::text::parse_text("people", &d.description, 500));
        let (Some(name), Some(description)) = (name, description) else {
            continue;
        };
        if name.is_none() && description.is_none() {
            invalid.push(
                "people",
                "give a name or a description for each person involved",
            );
            continue;
        }
        out.push(Involved {
            kind,
            name,
            description,
        });
    }
    invalid.into_result().map(|()| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_conduct_is_never_handed_to_the_sro() {
        let refused = check_follow_up_assignee(
            Classification::SchoolConduct,
            &RolesHere::new(vec![Role::Sro], false),
        )
        .unwrap_err();
        assert_eq!(refused.errors[0].field, "assignee");
        assert!(refused.errors[0].message.contains("not the SRO's"));
        assert!(check_follow_up_assignee(
            Classification::SchoolConduct,
            &RolesHere::new(vec![Role::CampusAdmin], false)
        )
        .is_ok());
        assert!(check_follow_up_assignee(
            Classification::Both,
            &RolesHere::new(vec![Role::Sro], false)
        )
        .is_ok());
        assert!(check_follow_up_assignee(
            Classification::LawEnforcement,
            &RolesHere::new(vec![Role::Sro], false)
        )
        .is_ok());
    }

    #[test]
    fn only_incidents_that_are_both_run_two_investigations() {
        let both: Vec<_> = Classification::ALL
            .iter()
            .filter(|c| c.runs_simultaneous_investigations())
            .collect();
        assert_eq!(both, vec![&Classification::Both]);
    }

    #[test]
    fn people_need_a_kind_and_something_to_know_them_by() {
        let blank = PersonDraft::default();
        let student = PersonDraft {
            kind: "student".into(),
            name: "J. R.".into(),
            description: String::new(),
        };
        let people = parse_people(&[blank, student]).unwrap();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].kind, PersonKind::Student);
        let nameless = PersonDraft {
            kind: "unknown".into(),
            ..Default::default()
        };
        assert!(parse_people(&[nameless]).is_err());
        let kindless = PersonDraft {
            name: "Someone".into(),
            ..Default::default()
        };
        assert!(parse_people(&[kindless]).is_err());
    }

    #[test]
    fn what_officers_write_is_the_law_enforcement_units() {
        assert_eq!(
            Provenance::of_writer(&RolesHere::new(vec![Role::Sro], false)),
            Provenance::LawEnforcementUnit
        );
        assert_eq!(
            Provenance::of_writer(&RolesHere::new(vec![Role::Sso], false)),
            Provenance::School
        );
        assert_eq!(
            Provenance::of_writer(&RolesHere::new(vec![Role::CampusAdmin], false)),
            Provenance::School
        );
    }

    #[test]
    fn only_law_enforcement_reading_a_school_record_about_a_student_is_withheld() {
        use PersonKind::*;
        let school = Some(Provenance::School);
        assert!(students_withheld(true, school, &[Staff, Student]));
        assert!(
            !students_withheld(false, school, &[Student]),
            "the school reads its own"
        );
        assert!(!students_withheld(
            true,
            Some(Provenance::LawEnforcementUnit),
            &[Student]
        ));
        assert!(!students_withheld(true, school, &[Staff, Visitor, Unknown]));
        assert!(
            !students_withheld(true, None, &[Student]),
            "an unknown provenance is not a school's"
        );
    }
}
