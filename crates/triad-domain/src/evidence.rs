//! Evidence and its chain of custody (seed 001: all evidence goes to the SRO; photograph it;
//! track every hand-over until disposition).
//!
//! Every custody record commits to the one before it (a hash chain per item) and is signed
//! with the instance's Ed25519 key when it is written. An export carries the records, the
//! photo hashes and the signed head, so anyone holding it can check, without Triad and
//! without trusting the database, that nothing in the history was altered, removed or
//! reordered.

use crate::auth::{Role, RolesHere};
use crate::org::text_enum;
use crate::Invalid;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

text_enum! {
    /// Where an item stands, from intake to its disposition.
    EvidenceStatus {
        Collected => "collected" / "Collected, on its way to the SRO",
        InCustody => "in_custody" / "In law-enforcement custody",
        HeldForHearing => "held_for_hearing" / "Held for a hearing",
        HeldForCourt => "held_for_court" / "Held for court",
        ReturnedToOwner => "returned_to_owner" / "Returned to its owner",
        Destroyed => "destroyed" / "Destroyed after the disposition was received",
    }
}

impl EvidenceStatus {
    /// A returned or destroyed item's history is closed: nothing more can happen to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            EvidenceStatus::ReturnedToOwner | EvidenceStatus::Destroyed
        )
    }
}

text_enum! {
    /// The kinds of record in a custody history.
    CustodyKind {
        Intake => "intake" / "Taken in",
        Photo => "photo" / "Photo added",
        TransferOffered => "transfer_offered" / "Released for transfer",
        TransferReceived => "transfer_received" / "Receipt acknowledged",
        Status => "status" / "Status changed",
    }
}

/// Which side of the partnership someone holds evidence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    School,
    LawEnforcement,
}

/// The side a person holds evidence for, by the roles they hold for the item's campus and
/// agency; `None` if they cannot hold it there at all (staff, evaluators, district leaders
/// and system administrators take no custody).
pub fn custody_side(held: &RolesHere) -> Option<Side> {
    side_of(held.roles())
}

fn side_of(roles: &[Role]) -> Option<Side> {
    if roles
        .iter()
        .any(|r| matches!(r, Role::Sro | Role::LeSupervisor))
    {
        Some(Side::LawEnforcement)
    } else if roles
        .iter()
        .any(|r| matches!(r, Role::CampusAdmin | Role::Sso))
    {
        Some(Side::School)
    } else {
        None
    }
}

fn closed(status: EvidenceStatus) -> Invalid {
    Invalid::one(
        "status",
        format!(
            "this item is closed ({}): its custody can no longer change",
            status.label().to_lowercase()
        ),
    )
}

/// What a transfer is checked against.
#[derive(Debug, Clone, Copy)]
pub struct TransferCheck<'a> {
    pub status: EvidenceStatus,
    /// The item has been in law-enforcement hands at some point.
    pub went_to_law_enforcement: bool,
    /// A transfer already waits for its receiver.
    pub pending: bool,
    /// The receiver's roles for the item's campus and agency.
    pub receiver: &'a RolesHere,
    pub receiver_is_holder: bool,
}

/// Checks a transfer before anything is written.
pub fn check_transfer(t: TransferCheck<'_>) -> Result<(), Invalid> {
    if t.status.is_final() {
        return Err(closed(t.status));
    }
    if t.pending {
        return Err(Invalid::one(
            "receiver",
            "a transfer of this item is waiting for its receiver to acknowledge it",
        ));
    }
    if t.receiver_is_holder {
        return Err(Invalid::one(
            "receiver",
            "this person already holds the item",
        ));
    }
    match custody_side(t.receiver) {
        None => Err(Invalid::one(
            "receiver",
            "this person cannot hold evidence: custody passes between campus administrators, \
             SSOs and law-enforcement officers",
        )),
        Some(Side::School) if t.went_to_law_enforcement => Err(Invalid::one(
            "receiver",
            "once evidence has gone to the SRO it stays with law enforcement; the school works \
             from the photos (no physical evidence at a disciplinary hearing)",
        )),
        Some(_) => Ok(()),
    }
}

/// The record of a disposition, required before an item is destroyed or returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    /// The court or hearing disposition that allows it (case number, date received).
    pub disposition_ref: Option<String>,
    /// Who approved the destruction or return.
    pub approved_by: Option<String>,
    /// Who the item went back to.
    pub returned_to: Option<String>,
}

/// Checks a change of status by the holder.
pub fn check_status_change(
    from: EvidenceStatus,
    to: EvidenceStatus,
    disposition: &Disposition,
) -> Result<(), Invalid> {
    if from.is_final() {
        return Err(closed(from));
    }
    let mut invalid = Invalid::default();
    match to {
        EvidenceStatus::Collected => invalid.push("status", "an item is collected only at intake"),
        EvidenceStatus::Destroyed => {
            if disposition.disposition_ref.is_none() {
                invalid.push(
                    "disposition_ref",
                    "an item is destroyed only on receipt of the disposition: say which",
                );
            }
            if disposition.approved_by.is_none() {
                invalid.push("approved_by", "say who approved the destruction");
            }
        }
        EvidenceStatus::ReturnedToOwner => {
            if disposition.returned_to.is_none() {
                invalid.push("returned_to", "say who the item was returned to");
            }
            if disposition.approved_by.is_none() {
                invalid.push("approved_by", "say who approved the return");
            }
        }
        _ if to == from => invalid.push("status", "the item already has this status"),
        _ => {}
    }
    invalid.into_result()
}

/// The hash the first record of every item's chain links to.
pub const GENESIS: &str = crate::audit::GENESIS;

/// One signed record of an item's custody history, exactly as stored and exported. `data` is
/// a JSON text kept verbatim: it is hashed as written, so no re-serialisation can change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyRecord {
    pub item_id: String,
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub actor_id: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
    pub signature: String,
}

fn link_hash(r: &CustodyRecord) -> String {
    let mut h = Sha256::new();
    for part in [
        "triad-custody/1",
        &r.item_id,
        &r.seq.to_string(),
        &r.at.to_string(),
        &r.kind,
        &r.actor_id,
        &r.data,
        &r.prev_hash,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// What a new record says, before it is linked and signed.
pub struct NewCustodyRecord<'a> {
    pub item_id: &'a str,
    pub at: crate::Timestamp,
    pub kind: CustodyKind,
    pub actor_id: &'a str,
    pub data: String,
}

/// Links a record after `previous` (or to the genesis) and signs it.
pub fn link(
    new: NewCustodyRecord<'_>,
    previous: Option<(i64, &str)>,
    key: &SigningKey,
) -> CustodyRecord {
    let (prev_seq, prev_hash) = previous.unwrap_or((0, GENESIS));
    let mut record = CustodyRecord {
        item_id: new.item_id.to_string(),
        seq: prev_seq + 1,
        at: new.at.millis(),
        kind: new.kind.code().to_string(),
        actor_id: new.actor_id.to_string(),
        data: new.data,
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
        signature: String::new(),
    };
    record.hash = link_hash(&record);
    record.signature = hex::encode(key.sign(record.hash.as_bytes()).to_bytes());
    record
}

/// Where a custody history stops being what it claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The first record that does not match (0: the bundle as a whole).
    pub seq: i64,
    pub reason: String,
}

fn broken(seq: i64, reason: impl Into<String>) -> Break {
    Break {
        seq,
        reason: reason.into(),
    }
}

fn check_signature(key: &VerifyingKey, hash: &str, signature: &str) -> bool {
    check_signature_bytes(key, hash.as_bytes(), signature)
}

fn check_signature_bytes(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Ok(bytes) = hex::decode(signature) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify_strict(message, &sig).is_ok()
}

/// Checks an item's records in order: numbering, links, hashes and signatures. `Ok` carries
/// the number of records checked.
/// A record's signature holds with any of `keys`: the instance's key, and the keys it had
/// before a rotation.
pub fn verify_chain(
    item_id: &str,
    records: &[CustodyRecord],
    keys: &[VerifyingKey],
) -> Result<usize, Break> {
    let mut prev = GENESIS.to_string();
    for (i, r) in records.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if r.item_id != item_id {
            return Err(broken(r.seq, "belongs to another item"));
        }
        if r.seq != expected_seq {
            return Err(broken(
                expected_seq,
                format!("record {expected_seq} is missing or out of order"),
            ));
        }
        if r.prev_hash != prev {
            return Err(broken(r.seq, "does not link to the record before it"));
        }
        if link_hash(r) != r.hash {
            return Err(broken(
                r.seq,
                "its content does not match its hash (altered)",
            ));
        }
        if !keys
            .iter()
            .any(|key| check_signature(key, &r.hash, &r.signature))
        {
            return Err(broken(
                r.seq,
                "its signature does not verify with the instance key",
            ));
        }
        prev = r.hash.clone();
    }
    Ok(records.len())
}

/// The photo hashes an export lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoHash {
    pub id: String,
    pub sha256: String,
    pub media_type: String,
}

/// The last record of a history, as the statement of an export names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The format of a bundle file (docs/custody-bundle.md).
pub const BUNDLE_FORMAT: &str = "triad-custody-bundle/2";
/// The format of the signed statement a bundle carries.
pub const STATEMENT_FORMAT: &str = "triad-custody-statement/2";
/// Bundles written before the statement was signed: their item and photo list were not.
const EARLIER_FORMAT: &str = "triad-custody-bundle/1";

/// Everything a bundle asserts beside its records: the item as Triad shows it, the photos'
/// hashes, the history's last record, the key and the time of export. It is signed as the
/// exact bytes of its JSON text, which the bundle carries verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub format: String,
    pub item_id: String,
    pub item: serde_json::Value,
    pub photos: Vec<PhotoHash>,
    pub head: Head,
    /// The instance's public key (hex): compare its fingerprint with the instance's.
    pub public_key: String,
    /// The instance's earlier keys (hex) that signed some of the records, before the
    /// instance key was rotated: the statement, signed by `public_key`, vouches for them.
    /// Absent when `public_key` signed every record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_keys: Vec<String>,
    pub exported_at: String,
}

/// Everything needed to check an item's custody history offline: the statement as signed,
/// its signature, and every custody record as stored (each signed on its own and chained).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    pub format: String,
    /// The statement's JSON text, verbatim: its UTF-8 bytes are what `signature` signs.
    pub statement: String,
    /// Ed25519 signature (hex) of the statement's bytes, by the key the statement names.
    pub signature: String,
    pub records: Vec<CustodyRecord>,
}

/// What an export states about an item, before it is signed.
pub struct Export<'a> {
    pub item_id: &'a str,
    /// The instance's keys from before its key was rotated (none if it never was): those
    /// that signed a record of this history are named in the statement.
    pub earlier_keys: &'a [VerifyingKey],
    pub item: serde_json::Value,
    pub photos: Vec<PhotoHash>,
    pub records: Vec<CustodyRecord>,
    pub exported_at: String,
}

/// Writes an item's bundle: the statement, signed with the instance key, and the records.
pub fn sign_bundle(export: Export<'_>, key: &SigningKey) -> Bundle {
    let (seq, hash) = export
        .records
        .last()
        .map(|r| (r.seq, r.hash.clone()))
        .unwrap_or((0, GENESIS.to_string()));
    let current = key.verifying_key();
    let earlier_keys = export
        .earlier_keys
        .iter()
        .filter(|earlier| {
            export.records.iter().any(|r| {
                !check_signature(&current, &r.hash, &r.signature)
                    && check_signature(earlier, &r.hash, &r.signature)
            })
        })
        .map(|k| hex::encode(k.as_bytes()))
        .collect();
    let statement = Statement {
        format: STATEMENT_FORMAT.into(),
        item_id: export.item_id.to_string(),
        item: export.item,
        photos: export.photos,
        head: Head { seq, hash },
        public_key: hex::encode(current.as_bytes()),
        earlier_keys,
        exported_at: export.exported_at,
    };
    let text = serde_json::to_string(&statement).unwrap_or_default();
    Bundle {
        format: BUNDLE_FORMAT.into(),
        signature: hex::encode(key.sign(text.as_bytes()).to_bytes()),
        statement: text,
        records: export.records,
    }
}

/// A short, readable fingerprint of a public key, to compare by eye or over the phone.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub records: usize,
    pub photos: usize,
    pub key_fingerprint: String,
    /// The statement that was verified: the item as exported, for the reader.
    #[serde(skip)]
    pub statement: Option<Statement>,
}

/// Every value stored under a `sha256` key in a record's data: the photo hashes the custody
/// history itself vouches for.
fn hashes_in(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("sha256", serde_json::Value::String(h)) => out.push(h.clone()),
                    _ => hashes_in(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| hashes_in(v, out)),
        _ => {}
    }
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Verifies a bundle offline: the statement's signature over its exact bytes, every record's
/// hash, link and signature, the statement's head against the last record, and each photo
/// hash against the hashes the records vouch for, all compared exactly. With `trusted`, the
/// bundle must be signed by that key; without it, the caller must compare the fingerprint
/// returned with the instance's own.
pub fn verify_bundle(bundle: &Bundle, trusted: Option<&VerifyingKey>) -> Result<Verified, Break> {
    if bundle.format == EARLIER_FORMAT {
        return Err(broken(
            0,
            format!("{EARLIER_FORMAT} is an earlier format whose item and photo list are not signed: export the item again"),
        ));
    }
    if bundle.format != BUNDLE_FORMAT {
        return Err(broken(0, format!("not a {BUNDLE_FORMAT} file")));
    }
    let statement: Statement = serde_json::from_str(&bundle.statement)
        .map_err(|_| broken(0, "the statement is not readable"))?;
    if statement.format != STATEMENT_FORMAT {
        return Err(broken(
            0,
            format!("the statement is not a {STATEMENT_FORMAT}"),
        ));
    }
    let key = hex::decode(&statement.public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| broken(0, "the public key in the statement is not an Ed25519 key"))?;
    if trusted.is_some_and(|t| t != &key) {
        return Err(broken(
            0,
            "the bundle is signed by a different key than the one trusted",
        ));
    }
    if !check_signature_bytes(&key, bundle.statement.as_bytes(), &bundle.signature) {
        return Err(broken(
            0,
            "the statement's signature does not verify: the item, its photos or its head were altered",
        ));
    }
    let mut keys = vec![key];
    for earlier in &statement.earlier_keys {
        keys.push(
            hex::decode(earlier)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .and_then(|b| VerifyingKey::from_bytes(&b).ok())
                .ok_or_else(|| {
                    broken(0, "an earlier key in the statement is not an Ed25519 key")
                })?,
        );
    }
    let records = verify_chain(&statement.item_id, &bundle.records, &keys)?;
    let last = bundle
        .records
        .last()
        .map(|r| (r.seq, r.hash.as_str()))
        .unwrap_or((0, GENESIS));
    if last != (statement.head.seq, statement.head.hash.as_str()) {
        return Err(broken(
            statement.head.seq,
            "the signed head does not match the last record: records were removed or added",
        ));
    }
    let mut vouched = Vec::new();
    for r in &bundle.records {
        if let Ok(data) = serde_json::from_str::<serde_json::Value>(&r.data) {
            hashes_in(&data, &mut vouched);
        }
    }
    for photo in &statement.photos {
        if !is_sha256(&photo.sha256) || !vouched.contains(&photo.sha256) {
            return Err(broken(
                0,
                format!("photo {} is not in the custody history", photo.id),
            ));
        }
    }
    // And the other way: a photo the history took in but the export leaves out.
    if let Some(missing) = vouched
        .iter()
        .find(|h| !statement.photos.iter().any(|p| &p.sha256 == *h))
    {
        return Err(broken(
            0,
            format!("the custody history took in a photo ({missing}) the bundle does not list"),
        ));
    }
    Ok(Verified {
        records,
        photos: statement.photos.len(),
        key_fingerprint: fingerprint(&key),
        statement: Some(statement),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn history(n: usize) -> Vec<CustodyRecord> {
        let key = key();
        let mut out: Vec<CustodyRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|r| (r.seq, r.hash.clone()));
            let new = NewCustodyRecord {
                item_id: "item-1",
                at: Timestamp::from_millis(1_000 + i as i64),
                kind: if i == 0 {
                    CustodyKind::Intake
                } else {
                    CustodyKind::TransferOffered
                },
                actor_id: "officer",
                data: format!(r#"{{"step":{i},"sha256":"{}"}}"#, "ab".repeat(32)),
            };
            out.push(link(
                new,
                prev.as_ref().map(|(s, h)| (*s, h.as_str())),
                &key,
            ));
        }
        out
    }

    fn bundle(records: Vec<CustodyRecord>) -> Bundle {
        sign_bundle(
            Export {
                item_id: "item-1",
                earlier_keys: &[],
                item: serde_json::json!({"status": "destroyed"}),
                // The photo the history's records name.
                photos: vec![PhotoHash {
                    id: "p1".into(),
                    sha256: "ab".repeat(32),
                    media_type: "image/jpeg".into(),
                }],
                records,
                exported_at: "now".into(),
            },
            &key(),
        )
    }

    /// A bundle whose first record vouches for one photo.
    fn with_photo() -> Bundle {
        let photo = "ab".repeat(32);
        let first = link(
            NewCustodyRecord {
                item_id: "item-1",
                at: Timestamp::from_millis(1_000),
                kind: CustodyKind::Intake,
                actor_id: "u1",
                data: serde_json::json!({"photos": [{"id": "p1", "sha256": photo}]}).to_string(),
            },
            None,
            &key(),
        );
        sign_bundle(
            Export {
                item_id: "item-1",
                earlier_keys: &[],
                item: serde_json::json!({"status": "in_custody"}),
                photos: vec![PhotoHash {
                    id: "p1".into(),
                    sha256: photo,
                    media_type: "image/jpeg".into(),
                }],
                records: vec![first],
                exported_at: "now".into(),
            },
            &key(),
        )
    }

    /// Re-signs nothing: changes one field of the statement as a forger with a text editor
    /// would, keeping the signature.
    fn edit_statement(b: &Bundle, from: &str, to: &str) -> Bundle {
        let mut edited = b.clone();
        assert!(edited.statement.contains(from), "{}", edited.statement);
        edited.statement = edited.statement.replacen(from, to, 1);
        edited
    }

    #[test]
    fn the_statement_is_signed_whole() {
        let b = with_photo();
        assert!(verify_bundle(&b, None).is_ok());
        for (from, to) in [
            ("\"in_custody\"", "\"destroyed\""),
            ("\"exported_at\":\"now\"", "\"exported_at\":\"then\""),
            (&"ab".repeat(32), &"cd".repeat(32)),
            ("\"seq\":1", "\"seq\":2"),
        ] {
            let e = verify_bundle(&edit_statement(&b, from, to), None).unwrap_err();
            assert_eq!(e.seq, 0, "{from}: {e:?}");
            assert!(e.reason.contains("signature"), "{from}: {e:?}");
        }
        // Whitespace is part of the signed bytes too.
        let mut spaced = b.clone();
        spaced.statement.push(' ');
        assert!(verify_bundle(&spaced, None).is_err());
    }

    #[test]
    fn photo_hashes_compare_exactly() {
        // An empty or partial hash, even re-signed by the instance key, is not vouched for.
        for fake in ["", "ab", &"ab".repeat(31)] {
            let mut b = with_photo();
            let mut statement: Statement = serde_json::from_str(&b.statement).unwrap();
            statement.photos[0].sha256 = fake.to_string();
            b.statement = serde_json::to_string(&statement).unwrap();
            b.signature = hex::encode(key().sign(b.statement.as_bytes()).to_bytes());
            let e = verify_bundle(&b, None).unwrap_err();
            assert!(e.reason.contains("photo p1"), "{fake:?}: {e:?}");
        }
    }

    #[test]
    fn a_photo_the_history_took_in_must_be_listed() {
        let b = with_photo();
        let mut statement: Statement = serde_json::from_str(&b.statement).unwrap();
        statement.photos.clear();
        let mut forged = b.clone();
        forged.statement = serde_json::to_string(&statement).unwrap();
        forged.signature = hex::encode(key().sign(forged.statement.as_bytes()).to_bytes());
        let e = verify_bundle(&forged, None).unwrap_err();
        assert!(e.reason.contains("does not list"), "{e:?}");
    }

    #[test]
    fn an_earlier_format_is_refused_with_what_to_do() {
        let mut b = with_photo();
        b.format = EARLIER_FORMAT.into();
        assert!(verify_bundle(&b, None)
            .unwrap_err()
            .reason
            .contains("export the item again"));
    }

    #[test]
    fn an_untouched_history_verifies() {
        let b = bundle(history(4));
        let v = verify_bundle(&b, Some(&key().verifying_key())).unwrap();
        assert_eq!(v.records, 4);
        assert_eq!(v.key_fingerprint, fingerprint(&key().verifying_key()));
    }

    #[test]
    fn altering_any_record_names_it() {
        for victim in 0..4 {
            let mut b = bundle(history(4));
            b.records[victim].data = b.records[victim].data.replace("step", "stop");
            let e = verify_bundle(&b, None).unwrap_err();
            assert_eq!(e.seq, victim as i64 + 1, "{e:?}");
        }
    }

    #[test]
    fn a_rehashed_forgery_fails_its_signature() {
        let mut b = bundle(history(3));
        b.records[1].data = "{}".into();
        b.records[1].hash = link_hash(&b.records[1]);
        let e = verify_bundle(&b, None).unwrap_err();
        assert_eq!(e.seq, 2);
        assert!(e.reason.contains("signature"));
    }

    #[test]
    fn removing_or_reordering_records_is_caught() {
        let mut dropped_last = bundle(history(3));
        dropped_last.records.pop();
        assert!(verify_bundle(&dropped_last, None)
            .unwrap_err()
            .reason
            .contains("head"));
        let mut dropped_middle = bundle(history(3));
        dropped_middle.records.remove(1);
        assert_eq!(verify_bundle(&dropped_middle, None).unwrap_err().seq, 2);
        let mut swapped = bundle(history(3));
        swapped.records.swap(0, 1);
        assert_eq!(verify_bundle(&swapped, None).unwrap_err().seq, 1);
    }

    #[test]
    fn another_key_is_not_trusted() {
        let b = bundle(history(2));
        let other = SigningKey::from_bytes(&[9; 32]).verifying_key();
        assert_eq!(verify_bundle(&b, Some(&other)).unwrap_err().seq, 0);
    }

    #[test]
    fn evidence_that_went_to_the_sro_never_goes_back_to_the_school() {
        let base = TransferCheck {
            status: EvidenceStatus::InCustody,
            went_to_law_enforcement: true,
            pending: false,
            receiver: &RolesHere::new(vec![Role::CampusAdmin], false),
            receiver_is_holder: false,
        };
        assert!(check_transfer(base).is_err());
        assert!(check_transfer(TransferCheck {
            went_to_law_enforcement: false,
            ..base
        })
        .is_ok());
        assert!(check_transfer(TransferCheck {
            receiver: &RolesHere::new(vec![Role::Staff], false),
            went_to_law_enforcement: false,
            ..base
        })
        .is_err());
        assert!(check_transfer(TransferCheck {
            receiver: &RolesHere::new(vec![Role::Sro], false),
            ..base
        })
        .is_ok());
        assert!(check_transfer(TransferCheck {
            receiver: &RolesHere::new(vec![Role::Sro], false),
            status: EvidenceStatus::Destroyed,
            ..base
        })
        .is_err());
        assert!(check_transfer(TransferCheck {
            receiver: &RolesHere::new(vec![Role::Sro], false),
            pending: true,
            ..base
        })
        .is_err());
    }

    #[test]
    fn destruction_needs_the_disposition_and_an_approver() {
        let none = Disposition::default();
        let e = check_status_change(
            EvidenceStatus::HeldForCourt,
            EvidenceStatus::Destroyed,
            &none,
        )
        .unwrap_err();
        assert_eq!(e.errors.len(), 2);
        let ok = Disposition {
            disposition_ref: Some("Case 24-113, disposition received 2027-03-02".into()),
            approved_by: Some("Lt. Ruiz".into()),
            returned_to: None,
        };
        assert!(
            check_status_change(EvidenceStatus::HeldForCourt, EvidenceStatus::Destroyed, &ok)
                .is_ok()
        );
        assert!(
            check_status_change(EvidenceStatus::Destroyed, EvidenceStatus::HeldForCourt, &ok)
                .is_err()
        );
    }

    #[test]
    fn a_history_signed_before_and_after_a_key_rotation_verifies_through_the_new_key() {
        let old = SigningKey::from_bytes(&[3; 32]);
        let new = key();
        let mut records: Vec<CustodyRecord> = Vec::new();
        for (i, signer) in [&old, &old, &new].into_iter().enumerate() {
            let prev = records.last().map(|r| (r.seq, r.hash.clone()));
            records.push(link(
                NewCustodyRecord {
                    item_id: "item-1",
                    at: Timestamp::from_millis(1_000 + i as i64),
                    kind: CustodyKind::Intake,
                    actor_id: "officer",
                    data: "{}".into(),
                },
                prev.as_ref().map(|(s, h)| (*s, h.as_str())),
                signer,
            ));
        }
        let export = |earlier: &[VerifyingKey]| {
            sign_bundle(
                Export {
                    item_id: "item-1",
                    earlier_keys: earlier,
                    item: serde_json::json!({}),
                    photos: vec![],
                    records: records.clone(),
                    exported_at: "now".into(),
                },
                &new,
            )
        };
        // An unrelated earlier key is not named; the one that signed is.
        let stranger = SigningKey::from_bytes(&[4; 32]).verifying_key();
        let bundle = export(&[stranger, old.verifying_key()]);
        let statement: Statement = serde_json::from_str(&bundle.statement).unwrap();
        assert_eq!(
            statement.earlier_keys,
            [hex::encode(old.verifying_key().as_bytes())]
        );
        let verified = verify_bundle(&bundle, Some(&new.verifying_key())).unwrap();
        assert_eq!(verified.records, 3);
        // Without the earlier key, the first record does not verify.
        let err = verify_bundle(&export(&[]), None).unwrap_err();
        assert_eq!(err.seq, 1);
        // A history signed by one key names no earlier key: the statement is as before.
        assert!(!bundle_of_one_key().statement.contains("earlier_keys"));
    }

    fn bundle_of_one_key() -> Bundle {
        bundle(history(2))
    }
}
