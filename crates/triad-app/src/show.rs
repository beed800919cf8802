//! How instants are shown to people where no campus's zone applies, and the choices a form
//! offers.

use triad_domain::Timestamp;

/// An instant in UTC, to the minute, saying so.
pub fn when(ms: i64) -> String {
    Timestamp::from_millis(ms)
        .to_datetime()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

/// A figure as pages and exports show it: to two decimal places.
pub fn two_places(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A value a form offers: the code it sends and the words it shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

impl Choice {
    /// Every value of a closed set, in its order, as a form offers them.
    pub fn all<T: triad_domain::org::Labelled>() -> Vec<Choice> {
        T::ALL
            .iter()
            .map(|v| Choice {
                code: v.code().into(),
                label: v.label().into(),
            })
            .collect()
    }
}
