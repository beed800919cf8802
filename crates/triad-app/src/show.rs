//! How instants are shown to people where no campus's zone applies.

use triad_domain::Timestamp;

/// An instant in UTC, to the minute, saying so.
pub fn when(ms: i64) -> String {
    Timestamp::from_millis(ms)
        .to_datetime()
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}
