//! The SRO Program Instrument as data: 27 practices in three groups, each with why it matters,
//! whether it is judged per campus, and whether Triad's records can answer it. Written in the
//! project's own words; the version moves whenever a practice's wording or scoring changes, so
//! an assessment always says which text it was made against.

use crate::org::text_enum;
use serde::{Deserialize, Serialize};

text_enum! {
    /// The instrument's three groups of practice.
    Group {
        Management => "management" / "Management",
        SchoolActivities => "school_activities" / "School activities",
        Personnel => "personnel" / "Personnel",
    }
}

/// One practice of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Item {
    pub number: u8,
    pub group: Group,
    /// A short name for lists and the heat map.
    pub short: &'static str,
    /// What a program does when it keeps the practice.
    pub practice: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// Judged on each campus of the program and rolled up (met when every campus meets it).
    pub per_campus: bool,
    /// Triad's records can rate it; otherwise a person does.
    pub from_records: bool,
}

/// A versioned set of practices.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Instrument {
    pub code: &'static str,
    pub version: u32,
    pub title: &'static str,
    pub items: &'static [Item],
}

impl Instrument {
    /// How ratings name the instrument and its version ("sro-program@1"): a later version's
    /// ratings are never read as this one's.
    pub fn key(&self) -> String {
        format!("{}@{}", self.code, self.version)
    }

    pub fn item(&self, number: u8) -> Option<&'static Item> {
        self.items.iter().find(|i| i.number == number)
    }
}

const fn item(
    number: u8,
    group: Group,
    short: &'static str,
    practice: &'static str,
    rationale: &'static str,
    per_campus: bool,
    from_records: bool,
) -> Item {
    Item {
        number,
        group,
        short,
        practice,
        rationale,
        per_campus,
        from_records,
    }
}

use Group::{Management as M, Personnel as P, SchoolActivities as S};

/// The 27-practice instrument for a school resource officer program (seed 003).
pub const SRO_PROGRAM: Instrument = Instrument {
    code: "sro-program",
    version: 1,
    title: "SRO Program Instrument",
    items: &[
        item(1, M, "Written MOU",
            "The agency and the district write their agreement together, and it states the program's goals, the SRO's role, the chain of command and what each side is responsible for.",
            "A partnership works when both sides planned it; a jointly written agreement settles expectations before they become problems, and state law may require it in writing.",
            false, true),
        item(2, M, "Private office space",
            "Each school gives its SRO a private office or space to talk with students, answer their questions and keep resource material.",
            "Students and staff need somewhere confidential to speak with the officer, and the officer needs a dignified place for interviews and for records.",
            true, true),
        item(3, M, "SRO in faculty meetings",
            "Administrators bring the SRO into at least six faculty or administrative meetings in the school year.",
            "The officer brings a different view to the school's problems, and being in the room shows the officer belongs to the school community.",
            true, true),
        item(4, M, "Sanctions agreed together",
            "The SRO and the administrator work out together the legal and school consequences when a student commits a crime that the board's rules also penalise.",
            "Most crimes at school are also conduct violations; the two views together make for fitting responses, with the prosecutor consulted on charges.",
            false, false),
        item(5, M, "Introductions at the start of the year",
            "Administrators introduce the SRO in person to new students and to staff at the start of the year and explain what the program is for.",
            "Students who understand the officer's role lose their misconceptions and use what the officer offers.",
            true, true),
        item(6, M, "Discipline stays with the school",
            "School staff, not the officer, handle student misconduct that is not a crime.",
            "The code of conduct is the educators' to enforce; an officer enforcing both codes blurs everyone's idea of the roles.",
            false, false),
        item(7, M, "Crimes reported to the SRO",
            "School officials tell the officer of crimes on or near school property and of warnings that one may happen; the SRO leads the investigation and tells the school what investigations the officer has opened.",
            "An investigation started at once is likelier to succeed and to follow legal procedure, and the exchange shows the program's cooperation.",
            false, false),
        item(8, M, "Review every semester",
            "The SRO, the law-enforcement supervisor and the administrator meet at least once a semester to set priorities and plans and to decide whether the MOU needs changes.",
            "Meeting twice a year lets the three work through problems before they become conflicts and keeps them agreed.",
            false, true),
        item(9, M, "One campus per SRO",
            "Each officer serves one school or campus, to build real relationships and to have time for all three roles: advisor, educator and law enforcer.",
            "An officer split between schools has no time to teach or advise, and trust needs frequent contact.",
            false, true),
        item(10, M, "Written procedures",
            "The agency has written procedures for the officer's searches, criminal investigations, interviews, arrests (use of force, trespassers) and transport of students, which the SRO follows and administrators know.",
            "Both the district and the agency carry the liability of the SRO's work; written procedures protect both, and administrators who know them understand the officer's limits.",
            false, true),
        item(11, M, "SRO in safety planning",
            "Administrators involve the officer in assessing the buildings and grounds and in writing the school's safety and security plans and policies.",
            "A public-safety professional strengthens the plans and makes the officer's part in an emergency clear.",
            false, true),
        item(12, M, "Agency briefings attended",
            "The SRO attends the agency's briefings, and the agency encourages its officers to share information with the SRO.",
            "The SRO is the link between the agency and the school and needs to know what the agency knows, including cases involving the school's students.",
            false, true),
        item(13, M, "Plan for when a grant ends",
            "Where a time-limited grant pays for the program, the agency and the district have a plan to continue it, in place at least a year before the grant ends.",
            "Programs funded by grants too often end with the grant; a plan made a year ahead keeps the officer in the school.",
            false, true),
        item(14, S, "Prepared classroom presentations",
            "As time allows, the SRO prepares lesson plans and gives presentations on law-related topics, with help from experienced teachers where needed.",
            "Officers can speak about the law and its consequences with authority, and presentations reach a wide range of students.",
            false, true),
        item(15, S, "Community resource directory",
            "The SRO keeps an up-to-date directory of community services to refer students and families who need help, and acts as a link to the community.",
            "Once trusted, the officer is asked for help with everyday problems; knowing the services means sending people to the right place.",
            false, true),
        item(16, S, "Activity records kept",
            "Officers keep records of their work: counseling with students and parents, classroom presentations, arrests, investigations, searches, safety audits and other major activities.",
            "Records let the officer account for the work to the supervisor and the school, and show what the job involves.",
            false, true),
        item(17, S, "Extracurricular activities",
            "The SRO takes part in activities with students outside the classroom.",
            "Informal settings let students seek guidance, build rapport and weaken stereotypes of police.",
            true, true),
        item(18, S, "Presentations to parents and community",
            "As time allows, the SRO presents to parent groups, community committees and educators' organisations about the program and the law.",
            "The officer links the school and the community, learns their concerns and earns support for the program.",
            false, true),
        item(19, S, "Relationships with school staff",
            "The SRO gets to know teachers, custodians, food-service staff and bus drivers.",
            "Staff who trust the officer are often the ones who help solve a safety problem.",
            true, true),
        item(20, S, "Weekly meeting with the principal",
            "The officer meets the principal or a designee at least once a week to talk about problems and share information.",
            "Frequent exchanges let the officer and the administrator each do their job better and in step.",
            true, true),
        item(21, P, "Uniform",
            "The SRO wears a regulation or modified uniform at school, to be easy to recognise and visible.",
            "Students, staff and emergency responders must be able to find the officer quickly; a uniform also deters trespassers and sets a professional example.",
            true, true),
        item(22, P, "Training",
            "The SRO completes the state's mandated basic SRO training and then annual training related to the role, for example from the state, NASRO or the U.S. Department of Justice; the SRO and administrators train together when they can.",
            "Work in a school asks for skills patrol training does not teach.",
            false, true),
        item(23, P, "Voluntary assignment",
            "SRO vacancies are posted throughout the agency and only officers who want to work with youth are considered.",
            "Working with young people in a school is demanding; it should be chosen, not assigned.",
            false, true),
        item(24, P, "Three years' experience",
            "An SRO has at least three years of law-enforcement experience.",
            "The job needs judgement about the law and discretion that come with experience, especially with juveniles.",
            false, true),
        item(25, P, "SRO-specific evaluation",
            "The agency evaluates the officer against criteria specific to the SRO role.",
            "An SRO's duties differ from patrol's, so the evaluation should measure the school duties.",
            false, true),
        item(26, P, "Administrators' input to the evaluation",
            "The agency asks school administrators for their view when it evaluates the SRO.",
            "The officer spends most of the day at school; the administrators know whether the duties in the MOU are done.",
            false, true),
        item(27, P, "Administrators on the interview panel",
            "School administrators take part in interviewing SRO candidates and have a say in who is hired.",
            "The partnership depends on administrators trusting the officer chosen.",
            false, true),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instrument_has_27_items_in_order_in_three_groups() {
        let numbers: Vec<u8> = SRO_PROGRAM.items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, (1..=27).collect::<Vec<u8>>());
        let in_group = |g: Group| SRO_PROGRAM.items.iter().filter(|i| i.group == g).count();
        assert_eq!(
            (
                in_group(Group::Management),
                in_group(Group::SchoolActivities),
                in_group(Group::Personnel)
            ),
            (13, 7, 7)
        );
        let per_campus: Vec<u8> = SRO_PROGRAM
            .items
            .iter()
            .filter(|i| i.per_campus)
            .map(|i| i.number)
            .collect();
        assert_eq!(
            per_campus,
            [2, 3, 5, 17, 19, 20, 21],
            "the issue's campus items"
        );
        let by_people: Vec<u8> = SRO_PROGRAM
            .items
            .iter()
            .filter(|i| !i.from_records)
            .map(|i| i.number)
            .collect();
        assert_eq!(by_people, [4, 6, 7]);
    }
}
