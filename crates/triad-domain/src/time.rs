//! Instants in UTC to the millisecond. Stored as integer milliseconds on both engines, so
//! they sort and compare the same everywhere and no engine truncates them.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(at.timestamp_millis())
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    pub const fn plus_minutes(self, minutes: i64) -> Self {
        Self(self.0 + minutes * 60_000)
    }

    pub const fn minus_minutes(self, minutes: i64) -> Self {
        Self(self.0 - minutes * 60_000)
    }

    /// Whether a time someone reports for what already happened (an incident, a sign-in, a
    /// notice served) lies ahead of `now`, beyond the skew allowed between a phone's clock and
    /// the server's ([`REPORTED_TIME_SKEW_MINUTES`]).
    pub const fn is_in_the_future(self, now: Timestamp) -> bool {
        self.0 > now.plus_minutes(REPORTED_TIME_SKEW_MINUTES).0
    }

    /// RFC 3339 with milliseconds, `Z` suffix: how instants appear in exports and the API.
    pub fn rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

/// How far a reported time may run ahead of the server's clock: a phone's clock is often a
/// minute off, and a time entered to the minute rounds up.
pub const REPORTED_TIME_SKEW_MINUTES: i64 = 2;

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// A local date and time as a form sends it (`YYYY-MM-DDTHH:MM`, the `datetime-local` input),
/// read in a campus's time zone. A time skipped by a daylight-saving change is refused.
pub fn parse_local(
    field: &'static str,
    text: &str,
    tz: chrono_tz::Tz,
) -> Result<Timestamp, crate::Invalid> {
    use chrono::NaiveDateTime;
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").map_err(|_| {
        crate::Invalid::one(field, "must be a date and time written YYYY-MM-DDTHH:MM")
    })?;
    let at = tz
        .from_local_datetime(&local)
        .earliest()
        .ok_or_else(|| crate::Invalid::one(field, "does not exist in the campus's time zone"))?;
    Ok(Timestamp::from_datetime(at.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_time_may_run_a_little_ahead_of_the_server() {
        let now = Timestamp::from_millis(1_800_000_000_000);
        assert!(!now.is_in_the_future(now));
        assert!(!now.minus_minutes(60).is_in_the_future(now));
        assert!(!now
            .plus_minutes(REPORTED_TIME_SKEW_MINUTES)
            .is_in_the_future(now));
        assert!(
            Timestamp::from_millis(now.plus_minutes(REPORTED_TIME_SKEW_MINUTES).millis() + 1)
                .is_in_the_future(now)
        );
        assert!(now.plus_minutes(60).is_in_the_future(now));
    }
}
