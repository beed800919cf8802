//! Themes coded in free text with a codebook (the seed's, or a district's own).

use serde::{Deserialize, Serialize};

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
