//! Simultaneous investigations (seed 001; seed 003 items 4 and 7): on one incident a criminal
//! investigation led by the SRO and an administrative one led by the school run side by side.
//! Each side's notes are that side's records; a coordination thread is read by both; and
//! the order of priority is safety, then the law, then the school.

use crate::incidents::Classification;
use crate::org::text_enum;
use crate::policy::RecordClass;
use crate::Invalid;
use serde::{Deserialize, Serialize};

text_enum! {
    Side {
        Criminal => "criminal" / "Criminal investigation (SRO lead)",
        Administrative => "administrative" / "Administrative investigation (school lead)",
    }
}

impl Side {
    /// The class of this side's notes: the sworn side's law-enforcement records, or the
    /// school's own.
    pub fn record_class(self) -> RecordClass {
        match self {
            Side::Criminal => RecordClass::LawEnforcement,
            Side::Administrative => RecordClass::School,
        }
    }

    /// Whether an incident so classified can carry this side's investigation.
    pub fn fits(self, classification: Classification) -> bool {
        use Classification::*;
        match self {
            Side::Criminal => matches!(classification, LawEnforcement | Both),
            Side::Administrative => matches!(classification, SchoolConduct | Both),
        }
    }

    /// What the other side reads in the coordination thread when this one opens (seed 003
    /// item 7: the SRO informs the school of investigations opened; the school tells the SRO).
    pub fn opening_notice(self) -> &'static str {
        match self {
            Side::Criminal => "The SRO opened a criminal investigation on this incident.",
            Side::Administrative => {
                "The school opened an administrative investigation on this incident."
            }
        }
    }
}

text_enum! {
    /// Where a note is written: one side's own notes, or the thread both sides read.
    Thread {
        Criminal => "criminal" / "Criminal investigation notes",
        Administrative => "administrative" / "Administrative investigation notes",
        Coordination => "coordination" / "Coordination between the two sides",
    }
}

impl Thread {
    pub fn side(self) -> Option<Side> {
        match self {
            Thread::Criminal => Some(Side::Criminal),
            Thread::Administrative => Some(Side::Administrative),
            Thread::Coordination => None,
        }
    }

    pub fn of(side: Side) -> Thread {
        match side {
            Side::Criminal => Thread::Criminal,
            Side::Administrative => Thread::Administrative,
        }
    }

    pub fn record_class(self) -> RecordClass {
        self.side()
            .map(Side::record_class)
            .unwrap_or(RecordClass::Shared)
    }
}

text_enum! {
    NoteKind {
        Note => "note" / "Note",
        Opened => "opened" / "Investigation opened",
        CrimeReported => "crime_reported" / "The school reports a possible crime to the SRO",
        Sanction => "sanction" / "Sanction discussed",
        Closed => "closed" / "Investigation closed",
    }
}

/// The order of priority shown on every simultaneous investigation (seed 001).
pub const PRIORITY: [(&str, &str); 3] = [
    ("Safety", "everyone"),
    (
        "The law and state law",
        "the SRO, the police or the sheriff's office",
    ),
    ("The school", "the school administration"),
];

/// A note as written: the kinds people choose (opening and closing are written by Triad),
/// and the kinds that belong to the coordination thread only.
pub fn check_note(thread: Thread, kind: NoteKind, body: &str) -> Result<String, Invalid> {
    let mut invalid = Invalid::default();
    if matches!(kind, NoteKind::Opened | NoteKind::Closed) {
        invalid.push(
            "kind",
            "opening and closing are recorded by opening or closing the investigation",
        );
    }
    if matches!(kind, NoteKind::CrimeReported | NoteKind::Sanction)
        && thread != Thread::Coordination
    {
        invalid.push("kind", "crimes reported and sanctions discussed go in the coordination thread, which both sides read");
    }
    let body = invalid
        .check(crate::text::parse_text("body", body, 8000))
        .flatten();
    if body.is_none() && invalid.errors.is_empty() {
        invalid.push("body", "write the note");
    }
    invalid.into_result()?;
    Ok(body.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_keeps_its_own_class_and_the_thread_is_shared() {
        assert_eq!(Thread::Criminal.record_class(), RecordClass::LawEnforcement);
        assert_eq!(Thread::Administrative.record_class(), RecordClass::School);
        assert_eq!(Thread::Coordination.record_class(), RecordClass::Shared);
        assert!(Side::Criminal.fits(Classification::Both));
        assert!(!Side::Criminal.fits(Classification::SchoolConduct));
        assert!(!Side::Administrative.fits(Classification::LawEnforcement));
    }

    #[test]
    fn sanctions_are_discussed_in_the_open_thread_only() {
        assert!(check_note(Thread::Coordination, NoteKind::Sanction, "3 days ISS").is_ok());
        let e = check_note(Thread::Criminal, NoteKind::Sanction, "3 days ISS").unwrap_err();
        assert_eq!(e.errors[0].field, "kind");
        assert!(check_note(Thread::Criminal, NoteKind::Closed, "x").is_err());
        assert_eq!(
            check_note(Thread::Criminal, NoteKind::Note, "   ")
                .unwrap_err()
                .errors[0]
                .field,
            "body"
        );
    }
}
