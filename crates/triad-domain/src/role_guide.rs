//! The role guide: one page per role (the School Resource Officer, the School Safety Officer,
//! the school administrator and school staff) saying what each does, what each leaves to the
//! others, who handles what, and how to introduce the SRO to students and families.
//!
//! The texts below are the project's own defaults, written in its own words from the source
//! material (the roles of the SRO, SSO and administrator; defining roles before the officer
//! arrives; the workshop "hot sheet"; the SRO program practices). A district may replace any
//! section with its own text, section by section; those edits are stored elsewhere and keyed by
//! [`Section::code`], so codes here are stable and must never be reused for something else.
//!
//! Text format: plain text; paragraphs are separated by a blank line; a line starting with "- "
//! is a list item.

/// Whose page a section belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GuideRole {
    Sro,
    Sso,
    Administrator,
    Staff,
}

impl GuideRole {
    /// Every role, in the order the guide presents them.
    pub const ALL: [GuideRole; 4] = [
        GuideRole::Sro,
        GuideRole::Sso,
        GuideRole::Administrator,
        GuideRole::Staff,
    ];

    /// The stable code, used in section codes and URLs.
    pub fn code(self) -> &'static str {
        match self {
            GuideRole::Sro => "sro",
            GuideRole::Sso => "sso",
            GuideRole::Administrator => "administrator",
            GuideRole::Staff => "staff",
        }
    }

    /// The role for a code written by [`GuideRole::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "sro" => Some(GuideRole::Sro),
            "sso" => Some(GuideRole::Sso),
            "administrator" => Some(GuideRole::Administrator),
            "staff" => Some(GuideRole::Staff),
            _ => None,
        }
    }

    /// The heading of the role's page.
    pub fn heading(self) -> &'static str {
        match self {
            GuideRole::Sro => "The School Resource Officer",
            GuideRole::Sso => "The School Safety Officer",
            GuideRole::Administrator => "The school administrator",
            GuideRole::Staff => "School staff",
        }
    }
}

/// One section of a role's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub role: GuideRole,
    /// Stable code, unique across the guide, e.g. "sro.does", "sro.does_not",
    /// "staff.talking_points".
    pub code: &'static str,
    pub heading: &'static str,
    /// The default text: plain text, paragraphs separated by a blank line; a line starting with
    /// "- " is a list item.
    pub text: &'static str,
}

/// Every section of the default guide, role by role, in reading order.
pub const SECTIONS: &[Section] = &[
    // ----- The School Resource Officer -----
    Section {
        role: GuideRole::Sro,
        code: "sro.does",
        heading: "What the SRO does",
        text: "A School Resource Officer is a sworn, career police officer whom a law \
               enforcement agency assigns to work in and with a school. The campus is the \
               officer's beat, and the students, staff and visitors on it are the community the \
               officer serves. The work is usually described as a triad of three roles.\n\n\
               - Law enforcement: discouraging crime by being visible and patrolling without a \
               fixed routine, investigating offenses on or near campus, making an arrest when \
               the law calls for one, and documenting every call for service.\n\
               - Informal counseling and mentoring: building trust with students, listening, \
               connecting young people and families with services in the community, and \
               showing students what a good officer looks like.\n\
               - Education: teaching law-related lessons, speaking to classes and parent \
               groups, and being a resource for teachers on topics such as constitutional \
               rights or careers in public safety.\n\n\
               The SRO also helps the school prepare for emergencies: assessing the building's \
               safety and security, helping administrators and first responders write the \
               school's safety plans, running tabletop exercises, and taking charge at a scene \
               where lives or safety are at risk.",
    },
    Section {
        role: GuideRole::Sro,
        code: "sro.does_not",
        heading: "What the SRO does not do",
        text: "The SRO keeps the school safe under the law; keeping order under the school's \
               rules belongs to educators. Mixing the two confuses students and staff about who \
               the officer is, and can turn a school matter into a police record. The SRO \
               therefore does not:\n\n\
               - Decide or hand out school discipline, or take part in choosing a consequence \
               under the code of conduct.\n\
               - Enforce school rules that are not crimes, such as dress code, phones, lateness, \
               hall passes or classroom behavior.\n\
               - Act as the administrator's disciplinarian, sit in on a meeting to intimidate a \
               student, or serve as a threat that teachers can invoke.\n\
               - Manage classrooms, supervise or cover classes, or monitor lessons.\n\
               - Search a student, a locker or a bag to uncover a school-rule violation. As a \
               sworn officer, the SRO searches only on the legal grounds that apply to police, \
               usually probable cause or a warrant, and under agency policy.\n\
               - Take the place of the counselor, social worker or psychologist. The officer \
               may help when safety is at stake, but follows the law of the jurisdiction on \
               mental-health holds and risk assessments.\n\n\
               When a school-rule question comes to the SRO, the officer passes it back to an \
               administrator.",
    },
    Section {
        role: GuideRole::Sro,
        code: "sro.working_together",
        heading: "Working with the administrator",
        text: "The partnership works when the SRO and the principal talk often, and before \
               problems arise rather than only during them.\n\n\
               - Meet every week with the principal or a designee to go over concerns, coming \
               events and what each of you has noticed.\n\
               - Join faculty or administrative meetings several times a year (the program \
               guidance suggests at least six), so staff see the officer as part of the school.\n\
               - Meet each semester with the administrator and the officer's supervisor to set \
               priorities and decide whether the MOU needs changes.\n\
               - Keep each other informed: the administrator reports any crime, or word of a \
               planned one, on or near campus; the SRO mentions investigations the officer has \
               opened that touch the school.\n\
               - Share information only as the law and the MOU allow. Student records, juvenile \
               records and police reports each have their own rules; when unsure, ask before \
               sharing.\n\
               - When both of you look into the same incident, each keeps to their own lane \
               with respect: safety first, then the law (the SRO), then school rules (the \
               administration).\n\
               - Train together when you can; joint training builds understanding of each \
               other's roles.",
    },
    // ----- The School Safety Officer -----
    Section {
        role: GuideRole::Sso,
        code: "sso.does",
        heading: "What the SSO does",
        text: "A School Safety Officer belongs to the school or district safety staff. SSOs are \
               not sworn police officers. Their first duty is to protect the district's \
               students, staff and visitors, and they support both the administrators and the \
               SRO.\n\n\
               - Patrol the campus on foot, often and without a set pattern, so that their \
               presence discourages trouble.\n\
               - Greet unfamiliar visitors, ask for identification and walk them to the office \
               to sign in, treating everyone with courtesy.\n\
               - Escort a student to the office when a staff member has referred the student \
               with a discipline form.\n\
               - Respond first to emergencies, call for help, and keep people safe until the SRO \
               or the police arrive.\n\
               - Talk with students, staff, parents and guests, and be a steady, positive role \
               model.\n\
               - Document every call for service, and report security and maintenance problems \
               such as broken locks, lights or fences.\n\
               - Help with a search when an administrator has started it and asks for help, \
               under district policy.",
    },
    Section {
        role: GuideRole::Sso,
        code: "sso.does_not",
        heading: "What the SSO does not do",
        text: "An SSO carries no police powers. These limits protect the students, the district \
               and the SSO alike.\n\n\
               - No arrests beyond what state law allows any private citizen. Detaining or \
               arresting someone is a matter for the SRO or the police.\n\
               - No criminal investigations. The SSO secures the scene, keeps people safe, notes \
               what happened and who was there, and hands the matter and any evidence to the \
               SRO.\n\
               - No searches on the SSO's own initiative. An SSO helps with a search only when \
               an administrator has started it under school authority, and never searches on \
               the SRO's behalf.\n\
               - No school discipline: administrators decide consequences under the code of \
               conduct.\n\
               - No classroom management and no monitoring of classes.\n\
               - No approaching a possible threat alone. Call the SRO or 911 and wait \
               for a partner.\n\n\
               When an SSO is unsure whether something is a crime, the right move is to call \
               the SRO, not to handle it alone.",
    },
    Section {
        role: GuideRole::Sso,
        code: "sso.working_together",
        heading: "Working with the SRO and the administrator",
        text: "The SSO is the partnership's extra eyes and ears on campus. What the SSO sees \
               goes to whoever owns it: possible crimes to the SRO, school-rule matters to an \
               administrator.\n\n\
               - If a threat appears and the SSO is the only safety officer on site, call the \
               SRO, and 911 if the danger is immediate; keep the line open and keep passing on \
               what you see. Ask the office to put the school under controlled movement.\n\
               - Approach a possible threat only with a partner and only when it is safe to do \
               so: SRO and SSO, SRO and administrator, or SSO and administrator.\n\
               - Administrators, SROs and SSOs may each call a lockdown. Only the SRO or another \
               full-time certified officer gives the all clear, after checking the campus.\n\
               - Hand anything that may be evidence to the SRO promptly; a photograph of it goes \
               with the report.\n\
               - Take part in the regular safety conversation with the SRO and the \
               administrator, bring the patterns you notice on patrol, and know the campus \
               safety plan and your part in it.\n\
               - Document incidents the same way every time, so the SRO and the administrator \
               can rely on your notes.",
    },
    // ----- The school administrator -----
    Section {
        role: GuideRole::Administrator,
        code: "administrator.does",
        heading: "What the administrator does",
        text: "The principal leads the campus and owns its culture, its rules and its \
               discipline. The SRO and the SSO are partners in safety, but decisions about \
               students under the code of conduct stay with the school.\n\n\
               - Decide every school-rule matter: look into conduct violations, hold \
               conferences and hearings, and choose consequences under district policy.\n\
               - Search students or belongings under school authority when district policy and \
               the law allow, with an SSO assisting if needed.\n\
               - Settle the SRO's and the SSO's roles with the officer before the first day, in \
               line with the MOU, and tell staff plainly what those roles are.\n\
               - Introduce the SRO in person to staff, new students and families at the start \
               of the year, and explain what the program is for.\n\
               - Give the officer a private space to meet students and keep confidential \
               records.\n\
               - Include the SRO in faculty meetings, safety assessments and safety planning, \
               and invite the officer to school events.\n\
               - Tell the SRO about any crime, or word of a planned one, on or near campus.\n\
               - When a criminal act is also a conduct violation, talk with the SRO about \
               consequences that fit the offense.\n\
               - Give the officer's agency your view on the SRO's performance, and take part in \
               choosing a new SRO.",
    },
    Section {
        role: GuideRole::Administrator,
        code: "administrator.does_not_ask",
        heading: "What not to ask of the SRO",
        text: "The SRO works for the law enforcement agency, not for the school, and answers to \
               the law. Some requests, however well meant, put the officer in a compromising \
               position and blur roles for students. Do not ask the SRO to:\n\n\
               - Enforce a school rule that is not a crime, or stand by only so that a student \
               takes a rule seriously.\n\
               - Decide, deliver or witness a discipline consequence as if the officer were an \
               assistant principal.\n\
               - Search a student, locker, bag, phone or car so the school can find a rule \
               violation. School officials may often search on less than an officer needs, and \
               an officer searching at the school's request must meet the police standard.\n\
               - Take charge of a class, cover a room, or deal with behavior in a classroom.\n\
               - Question a student for the school's discipline file.\n\
               - Stand in for the counselor, social worker or psychologist.\n\
               - Reverse a decision the officer has made within their own authority after you \
               have handed a matter over.\n\n\
               If you are not sure whether a request fits the officer's role, ask the SRO \
               directly; a frank answer now prevents a conflict later.",
    },
    Section {
        role: GuideRole::Administrator,
        code: "administrator.handing_over",
        heading: "Handing a matter to the SRO, and when not to",
        text: "Sort every situation in the same order: safety first (everyone's job), then the \
               law (the SRO or the police), then school rules (the administration).\n\n\
               - Emergency or immediate threat: call 911 and keep the line open, then notify \
               the SRO. Either of you may call 911, and the SRO may call for more officers \
               before arriving. If outside police come, tell the district's safety director \
               and the superintendent as soon as you can.\n\
               - Law enforcement matter: a possible crime on or near campus, such as a weapon, \
               drugs, an assault, a theft or a threat, or word that one is planned. Tell the SRO \
               promptly; the SRO leads the criminal investigation. Leave the scene as it is, \
               give any evidence to the SRO, and bring a photograph, not the item, to a \
               discipline hearing.\n\
               - Discipline matter: a rule broken with no crime involved. Keep it. Never call \
               the SRO only to enforce a school rule.\n\
               - Both: most crimes at school also break the code of conduct. Your school inquiry \
               and the SRO's criminal one can run side by side; agree on timing and respect \
               each other's authority, with the students' best interest as the shared aim.\n\n\
               Once you hand a matter over, let the SRO handle it. The officer's choices, for \
               example about an arrest or a mental-health hold, follow the law and agency \
               policy. Asking the SRO whether something is a crime is seeking advice, not \
               handing it over.",
    },
    Section {
        role: GuideRole::Administrator,
        code: "administrator.conversation_starters",
        heading: "Questions for your first meetings with a new SRO",
        text: "Use these to open your first conversations with a new SRO, ideally before the \
               officer's first day and again after a few weeks. Write down what you agree and \
               check it against the MOU.\n\n\
               - How involved will you be before, during and after school hours, and what time \
               and resources does each of us have?\n\
               - What are our safety goals for the year?\n\
               - Day to day, what do you, the teachers and the administrators each do?\n\
               - What does each of us do in a crisis, and who is in charge of what?\n\
               - Whom do you report to, your police supervisor or me, and for what?\n\
               - How will we tell a law enforcement matter from a discipline matter, and what \
               happens when we disagree?\n\
               - What must be documented, by whom, and where is it kept?\n\
               - Will you wear a uniform or plain clothes?\n\
               - How do we work with child protective services and other outside agencies?\n\
               - What may we share with each other, and what does the law keep private?\n\
               - When will we meet each week?\n\
               - How should staff reach you, and for what?\n\
               - What would help this year run smoothly?\n\
               - What else should I know about you, and what would you like to know about us?",
    },
    // ----- School staff -----
    Section {
        role: GuideRole::Staff,
        code: "staff.expect",
        heading: "What to expect of the SRO",
        text: "The School Resource Officer is a sworn police officer assigned to our school by \
               the local law enforcement agency. The officer is part of our school community \
               but works for the police department, not the school district.\n\n\
               Expect to see the officer in the halls and on the grounds, at lunch, at arrival \
               and dismissal, and at events. The SRO is here to keep the school safe, to build \
               relationships with students, and to teach. Invite the officer to speak to your \
               class on a law-related topic; many officers welcome the chance.\n\n\
               The SRO steps in when a crime may have been committed or someone's safety is at \
               risk. The officer does not handle classroom behavior or school discipline and \
               will refer those matters to an administrator. Please do not use the officer as \
               a threat (\"keep that up and the officer will deal with you\"): it teaches \
               students to fear an adult whose job is to protect them.\n\n\
               It is natural to have questions about an armed, uniformed officer in the \
               building. Bring them to the principal or to the SRO.",
    },
    Section {
        role: GuideRole::Staff,
        code: "staff.when_to_call",
        heading: "When to call the SRO, and when to go to an administrator",
        text: "Your campus safety plan says how to reach the SRO (radio, phone or office) and \
               who covers when the officer is away; your administrator will share it at the \
               start of the year.\n\n\
               Call 911 first, then the office and the SRO, when:\n\n\
               - Someone is in immediate danger, or a person on campus is threatening harm. \
               Follow the lockdown or other procedure you have practiced.\n\n\
               Tell the SRO promptly when:\n\n\
               - You believe a crime has happened or is being planned on or near campus, such \
               as drugs, a theft, an assault, or a report that someone has a weapon.\n\
               - An unknown adult will not sign in or show identification, or behaves \
               suspiciously.\n\
               - You find something that may be evidence. Leave it where it is if you safely \
               can.\n\n\
               Go to an administrator instead when:\n\n\
               - A student breaks a classroom or school rule: behavior, dress code, phones, \
               lateness, disrespect.\n\
               - You are not sure whether something is a crime. The administrator will decide, \
               with the SRO if needed.\n\
               - A student may be thinking of harming themselves. Follow the district's \
               protocol with the counselor and an administrator; if the danger is immediate, \
               treat it as an emergency.",
    },
    Section {
        role: GuideRole::Staff,
        code: "staff.talking_points",
        heading: "Talking points: introducing the SRO to students and families",
        text: "Use these when you introduce the SRO to your class, at orientation, or when a \
               family asks about the officer, and adapt the words to your students' age. Some \
               students and families have had hard experiences with police; listen to their \
               concerns rather than argue, and pass them on to the principal.\n\n\
               - Our school has a School Resource Officer, a police officer whose assignment is \
               our school and everyone in it.\n\
               - The officer's job is to help keep everyone safe, to get to know students, and \
               to teach. It is not to catch students breaking school rules.\n\
               - Teachers and the principal handle school rules and consequences; the officer \
               deals with safety and the law.\n\
               - You can talk to the officer about something that worries you, like a threat \
               you heard about or something unsafe online.\n\
               - Some things the officer hears must be acted on to keep someone safe, just as \
               with teachers.\n\
               - You will see the officer at lunch, in the halls, and at games and events. Say \
               hello; questions are welcome.\n\
               - Families can meet the officer at school events or a coffee hour, and can reach \
               the officer through the school office.\n\
               - Questions or concerns about the officer's role go to the principal.",
    },
];

/// The section with this code, if the default guide has one.
pub fn section(code: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.code == code)
}

/// The sections of one role's page, in reading order.
pub fn sections_of(role: GuideRole) -> impl Iterator<Item = &'static Section> {
    SECTIONS.iter().filter(move |s| s.role == role)
}

/// A piece of a section as a page shows it: a paragraph, or a list of items.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    pub list: bool,
    /// A paragraph's one line of text, or each item of a list.
    pub items: Vec<String>,
}

/// Reads a section's text into paragraphs and lists: a blank line ends a paragraph, a line
/// starting with "- " is a list item; the other lines of a paragraph join with a space.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            out.push(Block {
                list: false,
                items: vec![paragraph.join(" ")],
            });
            paragraph.clear();
        }
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut paragraph, &mut out);
        } else if let Some(item) = line.strip_prefix("- ") {
            flush(&mut paragraph, &mut out);
            match out.last_mut() {
                Some(b) if b.list => b.items.push(item.trim().to_string()),
                _ => out.push(Block {
                    list: true,
                    items: vec![item.trim().to_string()],
                }),
            }
        } else {
            // A paragraph line straight after a list starts a new paragraph.
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// The longest text a district may write for a section.
pub const MAX_SECTION_CHARS: usize = 8000;

/// A district's own text for a section: `None` (an empty text) restores the project's.
pub fn parse_section_text(text: &str) -> Result<Option<String>, crate::Invalid> {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    crate::text::parse_text("text", &normalised, MAX_SECTION_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_role_has_at_least_two_sections() {
        for role in GuideRole::ALL {
            assert!(
                sections_of(role).count() >= 2,
                "{role:?} has too few sections"
            );
        }
    }

    #[test]
    fn codes_are_unique() {
        let codes: BTreeSet<&str> = SECTIONS.iter().map(|s| s.code).collect();
        assert_eq!(codes.len(), SECTIONS.len());
    }

    #[test]
    fn codes_start_with_their_role() {
        for s in SECTIONS {
            let prefix = format!("{}.", s.role.code());
            assert!(
                s.code.starts_with(&prefix),
                "{} is not under {prefix}",
                s.code
            );
            assert!(
                s.code.len() > prefix.len(),
                "{} has nothing after the role",
                s.code
            );
        }
    }

    #[test]
    fn role_codes_round_trip() {
        for role in GuideRole::ALL {
            assert_eq!(GuideRole::from_code(role.code()), Some(role));
            assert!(!role.heading().is_empty());
        }
        assert_eq!(GuideRole::from_code("principal"), None);
        assert_eq!(GuideRole::from_code(""), None);
    }

    #[test]
    fn sections_are_grouped_by_role_in_order() {
        let in_order = SECTIONS.windows(2).all(|w| w[0].role <= w[1].role);
        assert!(
            in_order,
            "sections must run role by role, in GuideRole::ALL order"
        );
        let all_sorted = GuideRole::ALL.windows(2).all(|w| w[0] < w[1]);
        assert!(
            all_sorted,
            "GuideRole::ALL must follow the declaration order"
        );
    }

    #[test]
    fn the_required_sections_exist() {
        for code in [
            "sro.does",
            "sro.does_not",
            "sro.working_together",
            "sso.does",
            "sso.does_not",
            "sso.working_together",
            "administrator.does",
            "administrator.does_not_ask",
            "administrator.handing_over",
            "administrator.conversation_starters",
            "staff.expect",
            "staff.when_to_call",
            "staff.talking_points",
        ] {
            assert!(section(code).is_some(), "missing {code}");
        }
        assert!(section("sro").is_none());
        assert!(section("nobody.does").is_none());
    }

    #[test]
    fn talking_points_are_a_list() {
        let s = section("staff.talking_points").unwrap();
        assert_eq!(s.role, GuideRole::Staff);
        let items = s.text.lines().filter(|l| l.starts_with("- ")).count();
        assert!(items >= 3, "only {items} talking points");
    }

    #[test]
    fn conversation_starters_are_questions() {
        let s = section("administrator.conversation_starters").unwrap();
        let items: Vec<&str> = s.text.lines().filter(|l| l.starts_with("- ")).collect();
        assert!(items.len() >= 5);
        assert!(items.iter().all(|l| l.ends_with('?')));
    }

    #[test]
    fn texts_are_filled_in_and_well_formed() {
        for s in SECTIONS {
            assert!(!s.heading.trim().is_empty(), "{} has no heading", s.code);
            assert!(!s.text.trim().is_empty(), "{} has no text", s.code);
            assert!(!s.text.contains('['), "{} has a placeholder", s.code);
            assert!(!s.text.contains("  "), "{} has a doubled space", s.code);
            assert!(
                !s.text.contains("\n\n\n"),
                "{} has an extra blank line",
                s.code
            );
            for line in s.text.lines() {
                assert_eq!(
                    line,
                    line.trim(),
                    "{}: stray whitespace in {line:?}",
                    s.code
                );
            }
            let words = s.text.split_whitespace().count();
            assert!((60..=280).contains(&words), "{} has {words} words", s.code);
        }
    }

    #[test]
    fn a_text_reads_as_paragraphs_and_lists() {
        let b = blocks("One line\nand its next.\n\n- first\n- second\nAfter.\n\n\n- again");
        assert_eq!(
            b,
            vec![
                Block {
                    list: false,
                    items: vec!["One line and its next.".into()]
                },
                Block {
                    list: true,
                    items: vec!["first".into(), "second".into()]
                },
                Block {
                    list: false,
                    items: vec!["After.".into()]
                },
                Block {
                    list: true,
                    items: vec!["again".into()]
                },
            ]
        );
        assert!(blocks("  \n\n").is_empty());
        for s in SECTIONS {
            assert!(!blocks(s.text).is_empty(), "{}", s.code);
        }
        assert_eq!(parse_section_text(" \r\n "), Ok(None));
        assert_eq!(parse_section_text("a\r\nb\rc"), Ok(Some("a\nb\nc".into())));
        assert!(parse_section_text(&"x".repeat(MAX_SECTION_CHARS + 1)).is_err());
    }
}
