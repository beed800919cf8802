//! Themes coded in free text with a codebook (the seed's, or a district's own).

use serde::{Deserialize, Serialize};

/// A theme of the codebook and the phrases that signal it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    pub key: String,
    pub label: String,
    pub phrases: Vec<String>,
    /// Raising the theme means something is wrong (misuse of the SRO, turnover), so a theme
    /// many raise is worth a finding; most themes are topics, said in praise as often.
    #[serde(default)]
    pub concern: bool,
}

/// The themes these answers carry (seed 000, seed 004), to start a district's codebook: a
/// data file, `data/surveys/seed-codebook.json`, each theme with the phrases that signal it.
pub fn seed_codebook() -> &'static [Theme] {
    static SEED: std::sync::OnceLock<Vec<Theme>> = std::sync::OnceLock::new();
    SEED.get_or_init(|| {
        super::instrument::built_in(include_str!("../../data/surveys/seed-codebook.json"))
    })
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
