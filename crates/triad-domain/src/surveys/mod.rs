//! Collaboration surveys (seed 000; seed 004): instruments with their questions, answers read
//! from forms and from messy spreadsheets (every doubtful value flagged, never coerced), the
//! analysis per role with small groups suppressed, and themes coded in free text.
//!
//! A file for each part; every item is named from here (`triad_domain::surveys::…`).

mod analysis;
mod instrument;
mod reading;
mod themes;

pub use analysis::*;
pub use instrument::*;
pub use reading::*;
pub use themes::*;

use crate::org::text_enum;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Who answered, as the analysis groups them.
    RespondentRole {
        Sro => "sro" / "SRO",
        Sso => "sso" / "SSO",
        Administrator => "administrator" / "Administrator",
        Educator => "educator" / "Educator / staff",
        Student => "student" / "Student",
        Parent => "parent" / "Parent",
        Other => "other" / "Other",
        Unknown => "unknown" / "Unknown",
    }
}

impl RespondentRole {
    /// The role as the Spanish form names it.
    pub fn label_es(self) -> &'static str {
        match self {
            RespondentRole::Sro => "Oficial de recursos escolares (SRO)",
            RespondentRole::Sso => "Oficial de seguridad escolar (SSO)",
            RespondentRole::Administrator => "Administrador o administradora",
            RespondentRole::Educator => "Docente o personal de la escuela",
            RespondentRole::Student => "Estudiante",
            RespondentRole::Parent => "Madre, padre o tutor",
            RespondentRole::Other => "Otra función",
            RespondentRole::Unknown => "Función desconocida",
        }
    }

    /// The group in a sentence ("SROs rate it … than administrators").
    pub fn plural(self) -> &'static str {
        match self {
            RespondentRole::Sro => "SROs",
            RespondentRole::Sso => "SSOs",
            RespondentRole::Administrator => "administrators",
            RespondentRole::Educator => "educators and staff",
            RespondentRole::Student => "students",
            RespondentRole::Parent => "parents",
            RespondentRole::Other => "others",
            RespondentRole::Unknown => "people of unknown role",
        }
    }
}

/// Reads a role as people type it ("sro", "S.R.O.", "Principal", "teacher "): the variants
/// of each role, or unknown (the original text is kept beside it by the caller).
pub fn normalise_role(text: &str) -> RespondentRole {
    let t = crate::org::loose(text);
    const VARIANTS: &[(RespondentRole, &[&str])] = &[
        (
            RespondentRole::Sro,
            &[
                "sro",
                "sros",
                "schoolresourceofficer",
                "resourceofficer",
                "officer",
                "deputy",
                "police",
            ],
        ),
        (
            RespondentRole::Sso,
            &[
                "sso",
                "ssos",
                "schoolsafetyofficer",
                "safetyofficer",
                "security",
            ],
        ),
        (
            RespondentRole::Administrator,
            &[
                "admin",
                "administrator",
                "administrators",
                "administration",
                "principal",
                "assistantprincipal",
                "ap",
                "vp",
                "viceprincipal",
            ],
        ),
        (
            RespondentRole::Educator,
            &[
                "educator",
                "educators",
                "teacher",
                "teachers",
                "staff",
                "counselor",
                "faculty",
                "educatorstaff",
            ],
        ),
        (RespondentRole::Student, &["student", "students"]),
        (RespondentRole::Parent, &["parent", "parents", "guardian"]),
        (RespondentRole::Other, &["other"]),
    ];
    VARIANTS
        .iter()
        .find(|(_, names)| names.contains(&t.as_str()))
        .map(|(role, _)| *role)
        .unwrap_or(RespondentRole::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relationship() -> Question {
        sro_partnership().question("relationship").unwrap().clone()
    }

    #[test]
    fn roles_are_read_as_people_type_them() {
        for (typed, role) in [
            ("SRO", RespondentRole::Sro),
            (" s.r.o. ", RespondentRole::Sro),
            ("Principal", RespondentRole::Administrator),
            ("ADMIN", RespondentRole::Administrator),
            ("teacher", RespondentRole::Educator),
            ("Educator", RespondentRole::Educator),
            ("", RespondentRole::Unknown),
            ("bus driver", RespondentRole::Unknown),
        ] {
            assert_eq!(normalise_role(typed), role, "{typed}");
        }
    }

    #[test]
    fn scale_values_are_flagged_never_coerced() {
        let q = relationship();
        assert_eq!(read(&q, "2").value, Some(Value::Number(2.0)));
        assert_eq!(read(&q, " ").value, None);
        assert!(
            read(&q, " ").flags.is_empty(),
            "a blank is no answer, not an error"
        );
        let half = read(&q, "1.5");
        assert_eq!(
            (half.value, half.flags),
            (Some(Value::Number(1.5)), vec![Flag::FinerStep])
        );
        assert_eq!(read(&q, "5").flags, vec![Flag::OutOfRange]);
        assert_eq!(read(&q, "0").flags, vec![Flag::OutOfRange]);
        assert_eq!(read(&q, "23").flags, vec![Flag::RunTogether]);
        assert_eq!(read(&q, "2 3").flags, vec![Flag::RunTogether]);
        assert_eq!(read(&q, "2/3").flags, vec![Flag::RunTogether]);
        assert_eq!(read(&q, "good").flags, vec![Flag::NotANumber]);
        assert_eq!(read(&q, "2 - pretty good").flags, vec![Flag::NotANumber]);
        assert!(read(&q, "99").value.is_none());
    }

    #[test]
    fn yes_no_and_roles_read_their_variants() {
        let i = sro_partnership();
        let open = i.question("open_accepting").unwrap();
        assert_eq!(read(open, "Yes!").value, Some(Value::Bool(true)));
        assert_eq!(read(open, "no").value, Some(Value::Bool(false)));
        assert_eq!(read(open, "mostly").flags, vec![Flag::NotYesNo]);
        let role = i.question("role").unwrap();
        assert_eq!(read(role, "Janitor").flags, vec![Flag::UnknownRole]);
    }

    #[test]
    fn small_groups_are_suppressed_and_cannot_be_subtracted_out() {
        let q = relationship();
        let mut answers = Vec::new();
        answers.extend((0..6).map(|_| (RespondentRole::Sro, Value::Number(1.0))));
        answers.extend((0..8).map(|_| (RespondentRole::Administrator, Value::Number(3.0))));
        answers.extend((0..2).map(|_| (RespondentRole::Educator, Value::Number(2.0))));
        let f = summarise(&q, &answers, 5);
        let shown: Vec<_> = f.iter().filter(|g| g.n.is_some()).map(|g| g.role).collect();
        assert_eq!(
            shown,
            [RespondentRole::Administrator],
            "the educators and, with them, the SROs are hidden"
        );
        let mut answers = answers.clone();
        answers.extend((0..5).map(|_| (RespondentRole::Educator, Value::Number(2.0))));
        let f = summarise(&q, &answers, 5);
        assert!(f.iter().all(|g| g.n.is_some()));
        let sro = f.iter().find(|g| g.role == RespondentRole::Sro).unwrap();
        assert_eq!((sro.n, sro.mean), (Some(6), Some(1.0)));
        assert_eq!(sro.counts[0], ("1".to_string(), 6));
        let g = gap(&q, &f, RespondentRole::Sro, RespondentRole::Administrator).unwrap();
        assert_eq!((g.size, g.first_n, g.second_n), (-2.0, 6, 8));
        assert!(g.words.contains("2.0 points better"), "{}", g.words);
        assert!(
            g.words.contains("1 = strongest relationship"),
            "{}",
            g.words
        );
    }

    #[test]
    fn themes_say_which_phrase_found_them() {
        let codes = code(
            "Full support from upper admin; we meet weekly",
            seed_codebook(),
        );
        let keys: Vec<_> = codes
            .iter()
            .map(|c| (c.theme.as_str(), c.phrase.as_str()))
            .collect();
        assert!(
            keys.contains(&("leadership_support", "support from")),
            "{keys:?}"
        );
        assert!(keys.contains(&("regular_meetings", "weekly")), "{keys:?}");
        assert!(code("", seed_codebook()).is_empty());
    }

    #[test]
    fn exported_cells_do_not_run_as_formulas() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+1"), "'+1");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("plain"), "plain");
    }

    #[test]
    fn an_instrument_is_built_from_the_form_with_its_direction() {
        let form = |k: &str| {
            match k {
                "q1_text" => "How well does the SRO know the students?",
                "q1_kind" => "scale",
                "q1_min" => "1",
                "q1_max" => "5",
                "q1_low" => "not at all",
                "q1_high" => "very well",
                "q1_best" => "high",
                "q2_text" => "How often do you talk?",
                "q2_kind" => "choice",
                "q2_choices" => "Daily | Weekly | Monthly",
                _ => "",
            }
            .to_string()
        };
        let i = build_instrument("Fall check-in", &form).unwrap();
        assert_eq!(i.questions.len(), 3, "the role, then the two questions");
        assert_eq!(
            i.questions[1].scale.as_ref().unwrap().direction(),
            "1 = not at all, 5 = very well"
        );
        assert_eq!(i.questions[2].choices, ["Daily", "Weekly", "Monthly"]);
        let bad = |k: &str| {
            if k == "q1_text" {
                "Rate it".into()
            } else if k == "q1_kind" {
                "scale".into()
            } else {
                String::new()
            }
        };
        let e = build_instrument("Bad", &bad).unwrap_err();
        assert!(
            e.errors.iter().any(|e| e.message.contains("each end")),
            "{e:?}"
        );
        assert!(build_instrument("Empty", &|_: &str| String::new()).is_err());
    }

    #[test]
    fn the_seed_instrument_is_valid_and_user_built_ones_are_checked() {
        assert!(check_instrument(&sro_partnership()).is_ok());
        let mut bad = sro_partnership();
        bad.questions[1].scale.as_mut().unwrap().min = 4.0;
        bad.questions.push(bad.questions[2].clone());
        let e = check_instrument(&bad).unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
    }

    #[test]
    fn the_built_in_data_files_read_and_hold_together() {
        let instrument = sro_partnership();
        assert_eq!(instrument.key, SRO_PARTNERSHIP);
        assert!(check_instrument(&instrument).is_ok());
        assert_eq!(instrument.questions.len(), 9);
        assert!(
            instrument.questions.iter().all(|q| q.text_es.is_some()),
            "every text in Spanish too"
        );
        for section in &instrument.sections {
            for key in &section.questions {
                assert!(instrument.question(key).is_some(), "{key} is a question");
            }
        }
        let codebook = seed_codebook();
        let keys: std::collections::BTreeSet<&str> =
            codebook.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys.len(), codebook.len(), "theme keys are unique");
        assert!(codebook.iter().all(|t| !t.phrases.is_empty()));
    }
}
