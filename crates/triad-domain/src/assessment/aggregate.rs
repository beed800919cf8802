//! The signed aggregate a district's own instance sends to a state instance: for one school
//! year, each of the district's programs rated against the instrument, and the partnership
//! survey's relationship scores by role. It carries no record, no note and no person: ratings,
//! means of groups large enough to show (smaller groups are left empty by the sender, whose
//! smallest group it states), and names of organisations.
//!
//! The file is JSON: `{"aggregate": {…}, "signed_by": <base64 public key>, "signature":
//! <base64 Ed25519 signature>}`, where the signature covers the exact text of `aggregate` as it
//! stands in the file, after the line [`CONTEXT`] (so that a signature made for another purpose
//! with the same instance key can never pass for one of these).

use super::{Rating, SRO_PROGRAM};
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// What the aggregate's text is, named in it.
pub const FORMAT: &str = "triad.assessment-aggregate.v1";

/// Signed before the aggregate's text: what the signature is for.
pub const CONTEXT: &[u8] = b"triad assessment aggregate v1\n";

/// The most programs and survey campaigns one file may carry (a large district has a few
/// agencies; a few campaigns a year), and the longest name.
const MOST_PROGRAMS: usize = 200;
const MOST_SURVEYS: usize = 100;
const LONGEST_NAME: usize = 200;
/// The largest file taken, in bytes.
pub const LARGEST_FILE: usize = 1 << 20;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// One program of the district: its agency and the rating that counts for each practice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramAggregate {
    pub agency: String,
    /// False when the program holds no records of the year (its ratings are all empty).
    pub assessed: bool,
    /// The rating that counts for practices 1 to 27, by code; none when not rated.
    pub ratings: Vec<Option<String>>,
}

/// The partnership survey's relationship score by role in one campaign (1 strongest, 4
/// weakest); none where the group was too small to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyAggregate {
    pub campaign: String,
    /// YYYY-MM-DD
    pub opens_on: String,
    pub sro: Option<f64>,
    pub administrator: Option<f64>,
    pub educator: Option<f64>,
    pub sro_administrator_gap: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    pub format: String,
    pub instrument: String,
    pub instrument_version: u32,
    pub district: String,
    /// The calendar year the school year starts in.
    pub school_year: i64,
    /// RFC 3339, UTC: the newest export of a district's year is the one a state keeps.
    pub exported_at: String,
    /// The smallest group whose survey figures the sender shows.
    pub smallest_group: u32,
    pub programs: Vec<ProgramAggregate>,
    pub surveys: Vec<SurveyAggregate>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[serde(borrow)]
    aggregate: &'a RawValue,
    signed_by: String,
    signature: String,
}

/// Names a public key in a few characters, for people comparing it with the sender's.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let hex = hex::encode(Sha256::digest(key.as_bytes()));
    hex.as_bytes()[..16]
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The public key in the file's words (base64 of its 32 bytes).
pub fn key_text(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// Reads a public key given as base64 of its 32 bytes (as the file names its signer) or as the
/// PEM file an instance keeps (`instance-ed25519.pub.pem`).
pub fn parse_key(text: &str) -> Option<VerifyingKey> {
    use ed25519_dalek::pkcs8::DecodePublicKey;
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return VerifyingKey::from_public_key_pem(text).ok();
    }
    let bytes: [u8; 32] = B64.decode(text).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

fn signed_bytes(aggregate: &str) -> Vec<u8> {
    let mut out = CONTEXT.to_vec();
    out.extend_from_slice(aggregate.as_bytes());
    out
}

/// The signed file of an aggregate.
pub fn seal(a: &Aggregate, key: &SigningKey) -> String {
    let text = serde_json::to_string_pretty(a).unwrap_or_default();
    let signature = key.sign(&signed_bytes(&text));
    // The aggregate is written into the envelope by hand so that its signed text is exactly
    // what the file holds.
    format!(
        "{{\n\"aggregate\": {text},\n\"signed_by\": \"{}\",\n\"signature\": \"{}\"\n}}\n",
        key_text(&key.verifying_key()),
        B64.encode(signature.to_bytes())
    )
}

/// A file opened and checked: who signed it, what it says, and the digest that names it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub signed_by: VerifyingKey,
    pub aggregate: Aggregate,
    /// SHA-256 of the signed text (hex): the same file imported twice has the same digest.
    pub digest: String,
    /// The signed text, kept as it came.
    pub text: String,
    /// The signature, as the file gives it (base64).
    pub signature: String,
    /// When it was exported, in one form (UTC, milliseconds), so that which of two exports
    /// is newer is a comparison of text whatever offset each was written with.
    pub exported_at_utc: String,
}

/// How many programs a kept aggregate's text holds, without reading their ratings (0 for a
/// text that no longer reads).
pub fn program_count(aggregate_text: &str) -> usize {
    #[derive(Deserialize)]
    struct Programs {
        programs: Vec<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Programs>(aggregate_text).map_or(0, |p| p.programs.len())
}

/// Why a file is refused, in words for the person importing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this is not a Triad assessment export: {0}")]
    NotAnExport(String),
    #[error("the file was changed after it was signed, or the signature is not of this file")]
    BadSignature,
    #[error("{0}")]
    Invalid(String),
}

/// Opens a file: its envelope, its signature over the aggregate's exact text, and the
/// aggregate's content, each checked. Whether the signer is trusted is the caller's question.
pub fn open(file: &[u8]) -> Result<Opened, Refusal> {
    if file.len() > LARGEST_FILE {
        return Err(Refusal::NotAnExport(format!(
            "it is larger than {} KiB",
            LARGEST_FILE / 1024
        )));
    }
    let text = std::str::from_utf8(file)
        .map_err(|_| Refusal::NotAnExport("it is not UTF-8 text".into()))?;
    let envelope: Envelope = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Refusal::NotAnExport(format!("it is not the export's JSON ({e})")))?;
    let key_bytes: [u8; 32] = B64
        .decode(envelope.signed_by.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Refusal::NotAnExport("its signer's key is not a public key".into()))?;
    let signed_by = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| Refusal::NotAnExport("its signer's key is not a public key".into()))?;
    let signature: [u8; 64] = B64
        .decode(envelope.signature.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Refusal::BadSignature)?;
    let aggregate_text = envelope.aggregate.get();
    signed_by
        .verify_strict(
            &signed_bytes(aggregate_text),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| Refusal::BadSignature)?;
    let aggregate: Aggregate = serde_json::from_str(aggregate_text)
        .map_err(|e| Refusal::Invalid(format!("the export's content is not understood ({e})")))?;
    check(&aggregate)?;
    let exported_at_utc = chrono::DateTime::parse_from_rfc3339(&aggregate.exported_at)
        .map_err(|_| Refusal::Invalid("the export's time of export is not a date and time".into()))?
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Ok(Opened {
        signed_by,
        digest: hex::encode(Sha256::digest(aggregate_text.as_bytes())),
        text: aggregate_text.to_string(),
        signature: envelope.signature.trim().to_string(),
        exported_at_utc,
        aggregate,
    })
}

fn name_ok(name: &str) -> bool {
    let trimmed = name.trim();
    !trimmed.is_empty()
        && trimmed.chars().count() <= LONGEST_NAME
        && !trimmed.chars().any(char::is_control)
}

fn mean_ok(m: Option<f64>, low: f64, high: f64) -> bool {
    m.is_none_or(|m| m.is_finite() && (low..=high).contains(&m))
}

/// What a signed aggregate must say to be taken: this format and instrument, a district and a
/// school year, and for each program a rating of each practice by a known code.
pub fn check(a: &Aggregate) -> Result<(), Refusal> {
    let bad = |why: String| Err(Refusal::Invalid(why));
    if a.format != FORMAT {
        return bad(format!(
            "the export is of format “{}”; this instance reads “{FORMAT}”",
            a.format
        ));
    }
    if a.instrument != SRO_PROGRAM.code || a.instrument_version != SRO_PROGRAM.version {
        return bad(format!(
            "the export rates against “{}” version {}; this instance reads “{}” version {}",
            a.instrument, a.instrument_version, SRO_PROGRAM.code, SRO_PROGRAM.version
        ));
    }
    if !name_ok(&a.district) {
        return bad("the export names no district, or a name too long to be one".into());
    }
    if !(2000..=2100).contains(&a.school_year) {
        return bad(format!("{} is not a school year", a.school_year));
    }
    if chrono::DateTime::parse_from_rfc3339(&a.exported_at).is_err() {
        return bad("the export's time of export is not a date and time".into());
    }
    if a.smallest_group == 0 {
        return bad("the export states no smallest group for its survey figures".into());
    }
    if a.programs.is_empty() || a.programs.len() > MOST_PROGRAMS {
        return bad(format!(
            "an export holds from 1 to {MOST_PROGRAMS} programs; this one holds {}",
            a.programs.len()
        ));
    }
    for (n, p) in a.programs.iter().enumerate() {
        let which = n + 1;
        if !name_ok(&p.agency) {
            return bad(format!("program {which} names no agency"));
        }
        if p.ratings.len() != SRO_PROGRAM.items.len() {
            return bad(format!(
                "program {which} ({}) rates {} practices, not {}",
                p.agency,
                p.ratings.len(),
                SRO_PROGRAM.items.len()
            ));
        }
        for (i, r) in p.ratings.iter().enumerate() {
            if let Some(code) = r {
                if Rating::from_code(code).is_none() {
                    return bad(format!(
                        "program {which} ({}) rates practice {} “{code}”, which is not a rating",
                        p.agency,
                        i + 1
                    ));
                }
            }
        }
        if !p.assessed && p.ratings.iter().any(Option::is_some) {
            return bad(format!(
                "program {which} ({}) has ratings but says it was not assessed",
                p.agency
            ));
        }
    }
    if a.surveys.len() > MOST_SURVEYS {
        return bad(format!(
            "an export holds at most {MOST_SURVEYS} survey campaigns"
        ));
    }
    for s in &a.surveys {
        if !name_ok(&s.campaign)
            || chrono::NaiveDate::parse_from_str(&s.opens_on, "%Y-%m-%d").is_err()
        {
            return bad("a survey campaign has no name or no day it opened".into());
        }
        let means_ok = [s.sro, s.administrator, s.educator]
            .iter()
            .all(|m| mean_ok(*m, 1.0, 4.0))
            && mean_ok(s.sro_administrator_gap, -3.0, 3.0);
        if !means_ok {
            return bad(format!(
                "the survey “{}” has a score outside the scale (1 to 4)",
                s.campaign
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn sample() -> Aggregate {
        let mut ratings = vec![Some("met".to_string()); 27];
        ratings[3] = None;
        ratings[8] = Some("not_met".into());
        Aggregate {
            format: FORMAT.into(),
            instrument: SRO_PROGRAM.code.into(),
            instrument_version: SRO_PROGRAM.version,
            district: "Lakeview Unified".into(),
            school_year: 2026,
            exported_at: "2026-12-01T16:00:00Z".into(),
            smallest_group: 5,
            programs: vec![ProgramAggregate {
                agency: "Lakeview Police".into(),
                assessed: true,
                ratings,
            }],
            surveys: vec![SurveyAggregate {
                campaign: "Fall partnership survey".into(),
                opens_on: "2026-10-01".into(),
                sro: Some(1.5),
                administrator: None,
                educator: Some(2.25),
                sro_administrator_gap: None,
            }],
        }
    }

    #[test]
    fn a_sealed_file_opens_to_what_was_sealed_with_its_signer() {
        let file = seal(&sample(), &key(1));
        let opened = open(file.as_bytes()).expect("opens");
        assert_eq!(opened.aggregate, sample());
        assert_eq!(opened.signed_by, key(1).verifying_key());
        // The same aggregate sealed again is the same file: the digest names it.
        let again = open(seal(&sample(), &key(1)).as_bytes()).expect("opens");
        assert_eq!(again.digest, opened.digest);
    }

    #[test]
    fn a_changed_rating_or_a_changed_signer_breaks_the_signature() {
        let file = seal(&sample(), &key(1));
        let tampered = file.replacen("\"not_met\"", "\"met\"", 1);
        assert_ne!(tampered, file);
        assert_eq!(open(tampered.as_bytes()).err(), Some(Refusal::BadSignature));
        // Another key named as the signer of the same text.
        let other = file.replace(
            &key_text(&key(1).verifying_key()),
            &key_text(&key(2).verifying_key()),
        );
        assert_eq!(open(other.as_bytes()).err(), Some(Refusal::BadSignature));
        // Whitespace inside the signed text is part of it.
        let spaced = file.replacen("\"district\":", "\"district\" :", 1);
        assert_eq!(open(spaced.as_bytes()).err(), Some(Refusal::BadSignature));
    }

    #[test]
    fn the_key_signs_for_this_purpose_only() {
        // A signature by the same key over the bare text (as another use of the key might
        // make) does not pass.
        let text = serde_json::to_string_pretty(&sample()).unwrap_or_default();
        let bare = key(1).sign(text.as_bytes());
        let file = format!(
            "{{\"aggregate\": {text}, \"signed_by\": \"{}\", \"signature\": \"{}\"}}",
            key_text(&key(1).verifying_key()),
            B64.encode(bare.to_bytes())
        );
        assert_eq!(open(file.as_bytes()).err(), Some(Refusal::BadSignature));
    }

    #[test]
    fn files_that_are_not_exports_are_refused_by_what_is_wrong() {
        for (file, why) in [
            (&b"\xff\xfe"[..], "UTF-8"),
            (b"", "JSON"),
            (b"{\"aggregate\": {}", "JSON"),
            (
                b"{\"aggregate\": {}, \"signed_by\": \"abc\", \"signature\": \"\"}",
                "key",
            ),
            (b"[1, 2]", "JSON"),
        ] {
            match open(file) {
                Err(Refusal::NotAnExport(words)) => assert!(words.contains(why), "{words}"),
                other => panic!("{file:?}: {other:?}"),
            }
        }
        let huge = vec![b' '; LARGEST_FILE + 1];
        assert!(matches!(open(&huge), Err(Refusal::NotAnExport(_))));
    }

    #[test]
    fn signed_content_that_makes_no_sense_is_refused() {
        type Change = Box<dyn Fn(&mut Aggregate)>;
        let cases: Vec<(&str, Change)> = vec![
            ("format", Box::new(|a| a.format = "other".into())),
            ("version", Box::new(|a| a.instrument_version = 2)),
            ("district", Box::new(|a| a.district = " ".into())),
            ("school year", Box::new(|a| a.school_year = 1900)),
            (
                "time of export",
                Box::new(|a| a.exported_at = "today".into()),
            ),
            ("smallest group", Box::new(|a| a.smallest_group = 0)),
            ("programs", Box::new(|a| a.programs.clear())),
            (
                "agency",
                Box::new(|a| a.programs[0].agency = "\u{7}".into()),
            ),
            (
                "rates 26",
                Box::new(|a| {
                    a.programs[0].ratings.pop();
                }),
            ),
            (
                "not a rating",
                Box::new(|a| {
                    a.programs[0].ratings[0] = Some("excellent".into());
                }),
            ),
            ("not assessed", Box::new(|a| a.programs[0].assessed = false)),
            (
                "outside the scale",
                Box::new(|a| a.surveys[0].sro = Some(9.0)),
            ),
            (
                "outside the scale",
                Box::new(|a| a.surveys[0].educator = Some(0.5)),
            ),
            (
                "day it opened",
                Box::new(|a| a.surveys[0].opens_on = "soon".into()),
            ),
        ];
        for (why, change) in cases {
            let mut a = sample();
            change(&mut a);
            match open(seal(&a, &key(1)).as_bytes()) {
                Err(Refusal::Invalid(words)) => assert!(words.contains(why), "{why}: {words}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_field_the_format_does_not_have_is_refused() {
        let file = seal(&sample(), &key(1));
        // Signed, but carrying what an aggregate never holds (a note, a name).
        let text = serde_json::to_string_pretty(&sample())
            .unwrap_or_default()
            .replacen(
                "\"district\":",
                "\"note\": \"a student's name\",\n  \"district\":",
                1,
            );
        let signature = key(1).sign(&signed_bytes(&text));
        let extra = format!(
            "{{\"aggregate\": {text}, \"signed_by\": \"{}\", \"signature\": \"{}\"}}",
            key_text(&key(1).verifying_key()),
            B64.encode(signature.to_bytes())
        );
        assert!(open(file.as_bytes()).is_ok());
        assert!(matches!(open(extra.as_bytes()), Err(Refusal::Invalid(_))));
    }

    #[test]
    fn a_key_is_read_as_base64_or_pem_and_nothing_else() {
        use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
        let key = key(3).verifying_key();
        assert_eq!(parse_key(&key_text(&key)), Some(key));
        let pem = key.to_public_key_pem(LineEnding::LF).unwrap_or_default();
        assert_eq!(parse_key(&format!("  {pem}\n")), Some(key));
        for bad in [
            "",
            "abc",
            &B64.encode([0u8; 31]),
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        ] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_fingerprint_is_short_and_differs_by_key() {
        let a = fingerprint(&key(1).verifying_key());
        assert_eq!(a.len(), 19);
        assert_ne!(a, fingerprint(&key(2).verifying_key()));
    }
}
