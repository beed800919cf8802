//! Instruments: their sections, questions and scales, the built-in SRO-partnership
//! instrument, and instruments a district builds (checked before they are used).

use crate::org::text_enum;
use crate::Invalid;
use serde::{Deserialize, Serialize};

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
    /// The ends in Spanish, when the instrument has them.
    #[serde(default)]
    pub low_label_es: Option<String>,
    #[serde(default)]
    pub high_label_es: Option<String>,
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

/// The key of the built-in instrument of seed 000.
pub const SRO_PARTNERSHIP: &str = "sro-partnership";

/// The four questions of the workshop survey (seed 000), with the column headers its exports
/// carry, so that results compare across years. On its relationship scale 1 is the strongest
/// relationship and 4 the weakest. Its texts (English and Spanish) are a data file,
/// `data/surveys/sro-partnership.json`, in the form campaigns store instruments in.
pub fn sro_partnership() -> Instrument {
    static BUILT_IN: std::sync::OnceLock<Instrument> = std::sync::OnceLock::new();
    BUILT_IN
        .get_or_init(|| built_in(include_str!("../../data/surveys/sro-partnership.json")))
        .clone()
}

/// Reads a data file built into Triad. It is read at every start and checked by the tests,
/// so a file that does not read is a build defect, not something a user can cause.
pub(super) fn built_in<T: serde::de::DeserializeOwned>(json: &str) -> T {
    match serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => panic!("a survey data file built into Triad does not read: {e}"),
    }
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
                low_label_es: None,
                high_label_es: None,
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
