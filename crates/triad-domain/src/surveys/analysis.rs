//! The analysis: figures per respondent role with small groups suppressed, and the gaps
//! between roles.

use super::*;
use serde::Serialize;

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
