//! Collaboration surveys (seed 000; seed 004): instruments with their questions, answers read
//! from forms and from messy spreadsheets (every doubtful value flagged, never coerced), the
//! analysis per role with small groups suppressed, and themes coded in free text.

use crate::org::text_enum;
use crate::Invalid;
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

text_enum! {
    QuestionKind {
        Scale => "scale" / "Scale",
        YesNo => "yes_no" / "Yes or no",
        Text => "text" / "Free text",
        Choice => "choice" / "One choice",
        Role => "role" / "Your role",
    }
}

text_enum! {
    /// Which end of a scale is the favourable one: never assumed, part of the instrument.
    BestEnd {
        Low => "low" / "the lowest number is the best",
        High => "high" / "the highest number is the best",
    }
}

/// A scale's range and step, and what its ends mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub low_label: String,
    pub high_label: String,
    pub best: BestEnd,
}

impl Scale {
    /// The direction in words, for every view of the results.
    pub fn direction(&self) -> String {
        format!(
            "{} = {}, {} = {}",
            self.min, self.low_label, self.max, self.high_label
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub kind: QuestionKind,
    pub text: String,
    /// The text in Spanish, when the instrument has it.
    pub text_es: Option<String>,
    /// The column header of exports (kept as the original exports wrote it).
    pub header: String,
    pub scale: Option<Scale>,
    pub choices: Vec<String>,
}

/// The questions that were exported together as one table (one respondent per row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub questions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    pub key: String,
    pub name: String,
    pub questions: Vec<Question>,
    pub sections: Vec<Section>,
}

impl Instrument {
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }
}

fn q(key: &str, kind: QuestionKind, text: &str, text_es: &str, header: &str) -> Question {
    Question {
        key: key.into(),
        kind,
        text: text.into(),
        text_es: Some(text_es.into()),
        header: header.into(),
        scale: None,
        choices: Vec::new(),
    }
}

/// The key of the built-in instrument of seed 000.
pub const SRO_PARTNERSHIP: &str = "sro-partnership";

/// The four questions of the workshop survey (seed 000), with the column headers its exports
/// carry, so that results compare across years. On its relationship scale 1 is the strongest
/// relationship and 4 the weakest.
pub fn sro_partnership() -> Instrument {
    use QuestionKind::*;
    let mut relationship = q(
        "relationship",
        Scale,
        "How strong is the relationship between the SRO and educators? (1 strongest, 4 weakest)",
        "¿Qué tan fuerte es la relación entre el SRO y los educadores? (1 la más fuerte, 4 la más débil)",
        "Relationship 1,2,3,4",
    );
    relationship.scale = Some(self::Scale {
        min: 1.0,
        max: 4.0,
        step: 1.0,
        low_label: "strongest relationship".into(),
        high_label: "weakest relationship".into(),
        best: BestEnd::Low,
    });
    let questions = vec![
        q("role", Role, "Your role", "Su función", "SRO/Educator"),
        relationship,
        q(
            "relationship_why",
            Text,
            "Why did you score it that way?",
            "¿Por qué le dio esa puntuación?",
            "Why did you score it that way?",
        ),
        q(
            "open_accepting",
            YesNo,
            "Is the partnership open and accepting?",
            "¿Es la colaboración abierta y receptiva?",
            "Open and Accepting? Yes or No",
        ),
        q(
            "open_accepting_note",
            Text,
            "What is your roadblock or your success?",
            "¿Cuál es su obstáculo o su éxito?",
            "What is your Roadblock or your success?",
        ),
        q(
            "goal",
            Text,
            "Your goal, your why",
            "Su meta, su porqué",
            "Your Goal/Your Why",
        ),
        q(
            "goal_note",
            Text,
            "Roadblock or success",
            "Obstáculo o éxito",
            "Roadblock/Success",
        ),
        q(
            "connections",
            Text,
            "How are you building connections during non-crisis times?",
            "¿Cómo construye relaciones fuera de las crisis?",
            "How are you building connections during non-crisis times?",
        ),
        q(
            "connections_note",
            Text,
            "Roadblock or success",
            "Obstáculo o éxito",
            "Roadblock/Success",
        ),
    ];
    let section = |title: &str, keys: &[&str]| Section {
        title: title.into(),
        questions: keys.iter().map(|k| k.to_string()).collect(),
    };
    Instrument {
        key: SRO_PARTNERSHIP.into(),
        name: "SRO partnership (four questions)".into(),
        questions,
        sections: vec![
            section(
                "Relationships = SRO and Educator",
                &["role", "relationship", "relationship_why"],
            ),
            section(
                "Communication / Collaboration",
                &["role", "open_accepting", "open_accepting_note"],
            ),
            section("Shared Goals", &["role", "goal", "goal_note"]),
            section(
                "Non-crisis connections = success",
                &["role", "connections", "connections_note"],
            ),
        ],
    }
}

text_enum! {
    /// Why a value read from a spreadsheet (or a form) was not taken as it stands.
    Flag {
        OutOfRange => "out_of_range" / "outside the scale",
        RunTogether => "run_together" / "several numbers run together",
        FinerStep => "finer_step" / "kept as given: finer than the scale's step",
        NotANumber => "not_a_number" / "text in a scale question",
        NotYesNo => "not_yes_no" / "neither yes nor no",
        NotAChoice => "not_a_choice" / "not one of the choices",
        UnknownRole => "unknown_role" / "a role Triad does not know (kept as unknown)",
    }
}

/// A value as understood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Bool(bool),
    Text(String),
}

/// What a raw answer came to: a value (or none), and the flags it earned.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub value: Option<Value>,
    pub flags: Vec<Flag>,
}

impl Read {
    fn value(v: Value) -> Self {
        Read {
            value: Some(v),
            flags: Vec::new(),
        }
    }

    fn flagged(flag: Flag) -> Self {
        Read {
            value: None,
            flags: vec![flag],
        }
    }

    const BLANK: Read = Read {
        value: None,
        flags: Vec::new(),
    };
}

/// Reads one raw answer for a question. A blank is no answer; anything that does not fit is
/// flagged and left without a value (the caller keeps the original text), never coerced.
pub fn read(question: &Question, raw: &str) -> Read {
    let text = raw.trim();
    if text.is_empty() {
        return Read::BLANK;
    }
    match question.kind {
        QuestionKind::Scale => match &question.scale {
            Some(scale) => read_scale(scale, text),
            None => Read::flagged(Flag::NotANumber),
        },
        QuestionKind::YesNo => match crate::org::loose(text).as_str() {
            "yes" | "y" | "si" | "sí" | "true" => Read::value(Value::Bool(true)),
            "no" | "n" | "false" => Read::value(Value::Bool(false)),
            _ => Read::flagged(Flag::NotYesNo),
        },
        QuestionKind::Choice => question
            .choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(text))
            .map(|c| Read::value(Value::Text(c.clone())))
            .unwrap_or_else(|| Read::flagged(Flag::NotAChoice)),
        QuestionKind::Role => {
            let role = normalise_role(text);
            let mut r = Read::value(Value::Text(role.code().into()));
            if role == RespondentRole::Unknown {
                r.flags.push(Flag::UnknownRole);
            }
            r
        }
        QuestionKind::Text => Read::value(Value::Text(text.into())),
    }
}

fn read_scale(scale: &Scale, text: &str) -> Read {
    let groups: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|g| !g.is_empty())
        .collect();
    if groups.len() > 1 {
        return Read::flagged(Flag::RunTogether);
    }
    let only_number = text
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
    let Some(n) = groups
        .first()
        .filter(|_| only_number)
        .and_then(|g| text.parse::<f64>().ok().or_else(|| g.parse::<f64>().ok()))
    else {
        return Read::flagged(Flag::NotANumber);
    };
    if n < scale.min || n > scale.max {
        // "23" on a 1–4 scale is two answers typed into one cell, not twenty-three.
        let digits: Vec<f64> = text
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(f64::from)
            .collect();
        let all_in_range =
            digits.len() > 1 && digits.iter().all(|d| *d >= scale.min && *d <= scale.max);
        return Read::flagged(if all_in_range && !text.contains('.') {
            Flag::RunTogether
        } else {
            Flag::OutOfRange
        });
    }
    let steps = (n - scale.min) / scale.step;
    let mut r = Read::value(Value::Number(n));
    if (steps - steps.round()).abs() > 1e-9 {
        r.flags.push(Flag::FinerStep);
    }
    r
}

/// Checks a user-built instrument: keys unique and plain, a scale with a sensible range.
pub fn check_instrument(i: &Instrument) -> Result<(), Invalid> {
    let mut invalid = Invalid::default();
    if i.questions.is_empty() {
        invalid.push("questions", "an instrument needs at least one question");
    }
    let mut keys = std::collections::HashSet::new();
    for question in &i.questions {
        let plain = !question.key.is_empty()
            && question
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain || !keys.insert(question.key.clone()) {
            invalid.push(
                "questions",
                format!(
                    "question key '{}' must be unique, in lowercase letters, digits and _",
                    question.key
                ),
            );
        }
        if question.text.trim().is_empty() {
            invalid.push(
                "questions",
                format!("question '{}' needs its text", question.key),
            );
        }
        match (&question.kind, &question.scale) {
            (QuestionKind::Scale, Some(s))
                if s.min < s.max && s.step > 0.0 && s.step <= s.max - s.min => {}
            (QuestionKind::Scale, _) => invalid.push(
                "questions",
                format!(
                    "scale question '{}' needs a range (min below max) and a step",
                    question.key
                ),
            ),
            (QuestionKind::Choice, _) if question.choices.len() < 2 => invalid.push(
                "questions",
                format!(
                    "choice question '{}' needs at least two choices",
                    question.key
                ),
            ),
            _ => {}
        }
    }
    invalid.into_result()
}

/// How many questions the page's builder offers (the API takes any number).
pub const BUILDER_ROWS: usize = 6;

/// An instrument built on a form: rows `qN_text`, `qN_kind` (scale, yes_no, text, choice),
/// for scales `qN_min`, `qN_max`, `qN_low`, `qN_high` and `qN_best` (low or high), for choices
/// `qN_choices` (separated by `|`). Blank rows are skipped; the respondent's role is always
/// asked first. The key of each question is made from its row.
pub fn build_instrument(name: &str, field: &dyn Fn(&str) -> String) -> Result<Instrument, Invalid> {
    let mut invalid = Invalid::default();
    let mut questions = vec![Question {
        key: "role".into(),
        kind: QuestionKind::Role,
        text: "Your role".into(),
        text_es: Some("Su función".into()),
        header: "Role".into(),
        scale: None,
        choices: Vec::new(),
    }];
    for n in 1..=BUILDER_ROWS {
        let f = |part: &str| field(&format!("q{n}_{part}")).trim().to_string();
        let text = f("text");
        if text.is_empty() {
            continue;
        }
        let Some(kind) = QuestionKind::from_code(&f("kind")).filter(|k| *k != QuestionKind::Role)
        else {
            invalid.push("questions", format!("question {n}: choose its kind"));
            continue;
        };
        let scale = (kind == QuestionKind::Scale).then(|| {
            let number = |part: &str| f(part).parse::<f64>().ok();
            let (min, max) = (
                number("min").unwrap_or(f64::NAN),
                number("max").unwrap_or(f64::NAN),
            );
            Scale {
                min,
                max,
                step: 1.0,
                low_label: f("low"),
                high_label: f("high"),
                best: BestEnd::from_code(&f("best")).unwrap_or(BestEnd::High),
            }
        });
        if let Some(s) = &scale {
            if s.low_label.is_empty() || s.high_label.is_empty() {
                invalid.push(
                    "questions",
                    format!("question {n}: say what each end of the scale means"),
                );
            }
        }
        let choices: Vec<String> = f("choices")
            .split('|')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        questions.push(Question {
            key: format!("q{n}"),
            kind,
            header: text.clone(),
            text,
            text_es: None,
            scale,
            choices: if kind == QuestionKind::Choice {
                choices
            } else {
                Vec::new()
            },
        });
    }
    let instrument = Instrument {
        key: format!(
            "custom-{}",
            name.trim()
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        ),
        name: name.trim().to_string(),
        questions,
        sections: Vec::new(),
    };
    if instrument.questions.len() == 1 {
        invalid.push("questions", "write at least one question");
    }
    invalid.check(check_instrument(&instrument));
    invalid.into_result()?;
    Ok(instrument)
}

/// One figure of the analysis for one group, or the group suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupFigure {
    pub role: RespondentRole,
    /// None when the group is suppressed (too small to show without singling anyone out).
    pub n: Option<usize>,
    pub mean: Option<f64>,
    /// For scales: how many gave each value (whole values of the scale, and "other" for finer
    /// ones); for yes/no: [yes, no].
    pub counts: Vec<(String, usize)>,
}

/// The answers to one question, by role, with small groups suppressed. When one group alone
/// would be suppressed, the next smallest is suppressed too, so that no suppressed figure can
/// be had by subtracting the shown ones from a total.
pub fn summarise(
    question: &Question,
    answers: &[(RespondentRole, Value)],
    min_group: usize,
) -> Vec<GroupFigure> {
    let mut figures: Vec<GroupFigure> = RespondentRole::ALL
        .iter()
        .filter_map(|role| {
            let values: Vec<&Value> = answers
                .iter()
                .filter(|(r, _)| r == role)
                .map(|(_, v)| v)
                .collect();
            (!values.is_empty()).then(|| figure(question, *role, &values))
        })
        .collect();
    let small: Vec<usize> = (0..figures.len())
        .filter(|i| figures[*i].n.unwrap_or(0) < min_group)
        .collect();
    let mut hide = small.clone();
    if small.len() == 1 && figures.len() > 1 {
        let next = (0..figures.len())
            .filter(|i| !small.contains(i))
            .min_by_key(|i| figures[*i].n.unwrap_or(0));
        hide.extend(next);
    }
    for i in hide {
        figures[i] = GroupFigure {
            role: figures[i].role,
            n: None,
            mean: None,
            counts: Vec::new(),
        };
    }
    figures
}

fn figure(question: &Question, role: RespondentRole, values: &[&Value]) -> GroupFigure {
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| match v {
            Value::Number(n) => Some(*n),
            _ => None,
        })
        .collect();
    let counts = match (&question.kind, &question.scale) {
        (QuestionKind::Scale, Some(s)) => {
            let mut out = Vec::new();
            let mut x = s.min;
            while x <= s.max + 1e-9 {
                let c = numbers.iter().filter(|n| (**n - x).abs() < 1e-9).count();
                out.push((format!("{x}"), c));
                x += s.step;
            }
            let finer = numbers.len() - out.iter().map(|(_, c)| c).sum::<usize>();
            if finer > 0 {
                out.push(("between steps".into(), finer));
            }
            out
        }
        (QuestionKind::YesNo, _) => {
            let yes = values.iter().filter(|v| **v == &Value::Bool(true)).count();
            vec![("yes".into(), yes), ("no".into(), values.len() - yes)]
        }
        _ => Vec::new(),
    };
    GroupFigure {
        role,
        n: Some(values.len()),
        mean: (!numbers.is_empty()).then(|| numbers.iter().sum::<f64>() / numbers.len() as f64),
        counts,
    }
}

/// How far two groups' means on a scale are apart, in words that follow the scale's direction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub first: RespondentRole,
    pub second: RespondentRole,
    pub first_n: usize,
    pub second_n: usize,
    /// The difference of the means (first minus second), in scale points.
    pub size: f64,
    pub words: String,
}

/// The gap between two groups on a scale question, when both are shown (large enough).
pub fn gap(
    question: &Question,
    figures: &[GroupFigure],
    first: RespondentRole,
    second: RespondentRole,
) -> Option<Gap> {
    let scale = question.scale.as_ref()?;
    let find = |role| figures.iter().find(|f| f.role == role);
    let (a, b) = (find(first)?, find(second)?);
    let (an, am, bn, bm) = (a.n?, a.mean?, b.n?, b.mean?);
    let size = am - bm;
    let first_better = match scale.best {
        BestEnd::Low => size < 0.0,
        BestEnd::High => size > 0.0,
    };
    let words = if size.abs() < 0.05 {
        format!(
            "{} and {} rate it the same",
            first.plural(),
            second.plural()
        )
    } else {
        format!(
            "{} rate it {:.1} points {} than {} ({})",
            first.plural(),
            size.abs(),
            if first_better { "better" } else { "worse" },
            second.plural(),
            scale.direction()
        )
    };
    Some(Gap {
        first,
        second,
        first_n: an,
        second_n: bn,
        size,
        words,
    })
}

/// A theme of the codebook and the phrases that signal it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    pub key: String,
    pub label: String,
    pub phrases: Vec<String>,
}

/// The themes these answers carry (seed 000, seed 004), to start a district's codebook.
pub fn seed_codebook() -> Vec<Theme> {
    let t = |key: &str, label: &str, phrases: &[&str]| Theme {
        key: key.into(),
        label: label.into(),
        phrases: phrases.iter().map(|p| p.to_string()).collect(),
    };
    vec![
        t(
            "role_clarity",
            "Role clarity",
            &[
                "role",
                "roles",
                "what is and is not",
                "law enforcement issue",
                "job description",
                "expectations",
            ],
        ),
        t(
            "communication",
            "Communication",
            &[
                "communicat",
                "talk",
                "open door",
                "email",
                "informed",
                "updates",
            ],
        ),
        t(
            "trust",
            "Trust",
            &["trust", "respect", "rapport", "relationship"],
        ),
        t(
            "admin_turnover",
            "Administrator turnover",
            &[
                "new admin",
                "new principal",
                "turnover",
                "changed admin",
                "admin change",
            ],
        ),
        t(
            "inclusion",
            "Inclusion in school life",
            &[
                "included",
                "inclusion",
                "lunch",
                "games",
                "events",
                "classroom",
                "part of the school",
                "extracurricular",
            ],
        ),
        t(
            "discipline_misuse",
            "Misuse of the SRO for discipline or intimidation",
            &[
                "discipline",
                "scare",
                "intimidat",
                "threaten students",
                "dress code",
                "tardies",
            ],
        ),
        t(
            "leadership_support",
            "Leadership support",
            &[
                "support from",
                "upper admin",
                "leadership",
                "superintendent",
                "chief",
                "backing",
            ],
        ),
        t(
            "drills_planning",
            "Drills and safety planning",
            &[
                "drill",
                "lockdown",
                "safety plan",
                "emergency plan",
                "crisis",
            ],
        ),
        t(
            "regular_meetings",
            "Regular meetings",
            &["meeting", "weekly", "check-in", "check in", "sit down"],
        ),
        t(
            "training",
            "Training",
            &["training", "nasro", "project unite", "trained"],
        ),
        t(
            "information_sharing",
            "Information sharing",
            &["information", "share", "sharing", "ferpa", "records"],
        ),
    ]
}

/// A theme found in an answer, with the phrase that triggered it (so the coding explains
/// itself and a person can correct it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coding {
    pub theme: String,
    pub phrase: String,
}

/// The themes of a free-text answer: each theme at most once, by its first matching phrase.
pub fn code(text: &str, codebook: &[Theme]) -> Vec<Coding> {
    let lower = text.to_lowercase();
    codebook
        .iter()
        .filter_map(|theme| {
            theme
                .phrases
                .iter()
                .find(|p| !p.is_empty() && lower.contains(&p.to_lowercase()))
                .map(|p| Coding {
                    theme: theme.key.clone(),
                    phrase: p.clone(),
                })
        })
        .collect()
}

/// A cell for a CSV export that a spreadsheet will not run as a formula: text starting with
/// `=`, `+`, `-`, `@` (or a tab or carriage return) is prefixed with an apostrophe.
pub fn safe_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
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
            &seed_codebook(),
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
        assert!(code("", &seed_codebook()).is_empty());
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
}
