//! Drills (seed 000): scheduled, then held, per campus; whether the SRO took part; counts per
//! school year.

use crate::org::{parse_date, text_enum};
use crate::text::parse_text;
use crate::time::parse_local;
use crate::{Invalid, Timestamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

text_enum! {
    DrillKind {
        Lockdown => "lockdown" / "Lockdown",
        Fire => "fire" / "Fire evacuation",
        Shelter => "shelter" / "Shelter in place",
        Evacuation => "evacuation" / "Evacuation and reunification",
        SevereWeather => "severe_weather" / "Severe weather",
        Tabletop => "tabletop" / "Tabletop exercise",
    }
}

/// A drill put on the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    pub kind: DrillKind,
    pub on: NaiveDate,
    pub notes: Option<String>,
}

pub fn parse_scheduled(kind: &str, on: &str, notes: &str) -> Result<Scheduled, Invalid> {
    let mut invalid = Invalid::default();
    let kind = DrillKind::from_code(kind);
    if kind.is_none() {
        invalid.push("kind", "choose the kind of drill");
    }
    let on = invalid.check(parse_date("scheduled_on", on));
    let notes = invalid.check(parse_text("notes", notes, 4000)).flatten();
    invalid.into_result()?;
    match (kind, on) {
        (Some(kind), Some(on)) => Ok(Scheduled { kind, on, notes }),
        _ => Err(Invalid::one("kind", "choose the kind of drill")),
    }
}

/// What is recorded once a drill has been held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub at: Timestamp,
    pub duration_minutes: i64,
    pub participants: i64,
    pub sro_took_part: bool,
    pub after_action: Option<String>,
}

/// The raw form of a held drill.
#[derive(Debug, Clone, Default)]
pub struct HeldDraft<'a> {
    pub held_at: &'a str,
    pub duration_minutes: &'a str,
    pub participants: &'a str,
    pub sro_took_part: &'a str,
    pub after_action: &'a str,
}

fn parse_whole(field: &'static str, text: &str, max: i64, what: &str) -> Result<i64, Invalid> {
    match text.trim().parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Ok(n),
        _ => Err(Invalid::one(
            field,
            format!("must be {what} from 0 to {max}"),
        )),
    }
}

/// A held drill: in the past, lasting at most a school day, with a yes or no on the SRO.
pub fn parse_held(d: &HeldDraft<'_>, tz: chrono_tz::Tz, now: Timestamp) -> Result<Held, Invalid> {
    let mut invalid = Invalid::default();
    let at = invalid.check(parse_local("held_at", d.held_at, tz));
    if at.is_some_and(|at| at > now.plus_minutes(5)) {
        invalid.push(
            "held_at",
            "a drill is recorded as held once it has happened",
        );
    }
    let duration = invalid.check(parse_whole(
        "duration_minutes",
        d.duration_minutes,
        600,
        "a number of minutes",
    ));
    if duration == Some(0) {
        invalid.push("duration_minutes", "a drill lasts at least a minute");
    }
    let participants = invalid.check(parse_whole(
        "participants",
        d.participants,
        20_000,
        "a number of people",
    ));
    let sro = match d.sro_took_part.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            invalid.push("sro_took_part", "say whether the SRO took part");
            None
        }
    };
    let after_action = invalid
        .check(parse_text("after_action", d.after_action, 4000))
        .flatten();
    invalid.into_result()?;
    match (at, duration, participants, sro) {
        (Some(at), Some(duration_minutes), Some(participants), Some(sro_took_part)) => Ok(Held {
            at,
            duration_minutes,
            participants,
            sro_took_part,
            after_action,
        }),
        _ => Err(Invalid::one("held_at", "is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft<'a>(held_at: &'a str, minutes: &'a str, sro: &'a str) -> HeldDraft<'a> {
        HeldDraft {
            held_at,
            duration_minutes: minutes,
            participants: "640",
            sro_took_part: sro,
            after_action: " Door 4 did not latch. ",
        }
    }

    #[test]
    fn a_held_drill_is_read_in_campus_time() {
        let now = Timestamp::from_millis(1_800_000_000_000);
        let held = parse_held(
            &draft("2026-09-14T10:05", "12", "yes"),
            chrono_tz::America::Chicago,
            now,
        )
        .unwrap();
        assert_eq!(held.at.rfc3339(), "2026-09-14T15:05:00.000Z");
        assert_eq!(held.duration_minutes, 12);
        assert!(held.sro_took_part);
        assert_eq!(held.after_action.as_deref(), Some("Door 4 did not latch."));
    }

    #[test]
    fn a_drill_in_the_future_or_without_an_answer_on_the_sro_is_refused() {
        let now = Timestamp::from_millis(1_700_000_000_000);
        let e = parse_held(&draft("2030-01-01T10:00", "0", ""), chrono_tz::UTC, now).unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["held_at", "duration_minutes", "sro_took_part"],
            "{e:?}"
        );
        assert!(parse_scheduled("fire", "2026-13-01", "").is_err());
        assert!(parse_scheduled("picnic", "2026-10-01", "").is_err());
        assert_eq!(
            parse_scheduled("fire", "2026-10-01", "").unwrap().kind,
            DrillKind::Fire
        );
    }
}
