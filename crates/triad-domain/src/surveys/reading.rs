//! Answers read as people give them: from a form or a messy spreadsheet cell, every
//! doubtful value flagged and kept as written, never coerced; and cells made safe to export.

use super::*;
use crate::org::text_enum;
use serde::{Deserialize, Serialize};

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

/// A cell for a CSV export that a spreadsheet will not run as a formula: text starting with
/// `=`, `+`, `-`, `@` (or a tab or carriage return) is prefixed with an apostrophe.
pub fn safe_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}
