//! The audit trail's hash chain. Each entry commits to the one before it, so altering,
//! removing or reordering any entry breaks every hash after it. Entries hold ids, actions and
//! content hashes, never content: reading the trail teaches nothing about the records.

use crate::{Id, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ok" => Some(Outcome::Ok),
            "denied" => Some(Outcome::Denied),
            "failed" => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// What is to be recorded, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub actor: Option<Id>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub outcome: Outcome,
    pub source: Option<String>,
    pub content_hash: Option<String>,
    pub district: Option<Id>,
    pub agency: Option<Id>,
    /// The content's canonical JSON, between `content` and the moment the entry is stored,
    /// when it becomes `content_hash` keyed with the instance's secret ([`seal_content`]).
    /// Never stored or serialised.
    ///
    /// [`seal_content`]: AuditEvent::seal_content
    #[serde(skip)]
    pub content_pending: Option<String>,
}

/// The prefix of a content hash keyed with the instance's secret. Entries written before keyed
/// hashes carry a bare SHA-256 (64 hex characters); both kinds stay valid.
pub const KEYED_CONTENT: &str = "hmac-sha256:";

/// Whether a stored content hash is of a kind Triad writes: keyed (`hmac-sha256:` and 64 hex
/// characters) or, for entries written before keyed hashes, a bare SHA-256.
pub fn content_hash_is_known(hash: &str) -> bool {
    let hex64 = |t: &str| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit());
    hash.strip_prefix(KEYED_CONTENT).map_or(hex64(hash), hex64)
}

/// The keyed hash of content: HMAC-SHA256 of its canonical JSON with the instance's audit
/// secret. Short content (a yes/no, a category) cannot be recovered from it by hashing
/// candidates, as it could from a bare SHA-256.
pub fn keyed_content_hash(secret: &[u8], canonical: &str) -> String {
    use hmac::Mac;
    // HMAC takes a key of any length: this never fails. (If it did, the empty hash would be
    // flagged by verification as of no known kind.)
    match hmac::Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(canonical.as_bytes());
            format!(
                "{KEYED_CONTENT}{}",
                hex::encode(mac.finalize().into_bytes())
            )
        }
        Err(_) => String::new(),
    }
}

/// A record's canonical JSON (keys sorted), what content hashes are taken of.
pub fn canonical<T: Serialize>(content: &T) -> String {
    serde_json::to_value(content)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

impl AuditEvent {
    pub fn new(actor: Option<Id>, action: &str, outcome: Outcome) -> Self {
        Self {
            actor,
            action: action.to_string(),
            record_type: None,
            record_id: None,
            outcome,
            source: None,
            content_hash: None,
            district: None,
            agency: None,
            content_pending: None,
        }
    }

    pub fn record(mut self, record_type: &str, record_id: impl ToString) -> Self {
        self.record_type = Some(record_type.to_string());
        self.record_id = Some(record_id.to_string());
        self
    }

    /// Records a hash of the content (never the content): keyed when the entry is stored.
    pub fn content<T: Serialize>(mut self, content: &T) -> Self {
        self.content_pending = Some(canonical(content));
        self.content_hash = None;
        self
    }

    /// Turns pending content into its keyed hash, with the instance's audit secret (called by
    /// the store as the entry is appended).
    pub fn seal_content(&mut self, secret: &[u8]) {
        if let Some(canonical) = self.content_pending.take() {
            self.content_hash = Some(keyed_content_hash(secret, &canonical));
        }
    }

    pub fn source(mut self, source: Option<String>) -> Self {
        self.source = source;
        self
    }

    pub fn tenant(mut self, district: Option<Id>, agency: Option<Id>) -> Self {
        self.district = district;
        self.agency = agency;
        self
    }
}

/// An entry as stored: the event, its place in the chain and the hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: Id,
    pub at: Timestamp,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// Places an event after the entry numbered `prev_seq` whose hash is `prev_hash`.
    pub fn chain(event: AuditEvent, id: Id, at: Timestamp, prev_seq: i64, prev_hash: &str) -> Self {
        let mut entry = Self {
            seq: prev_seq + 1,
            id,
            at,
            event,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The hash this entry must carry: SHA-256 over its previous hash and every field,
    /// each length-prefixed so no two different entries encode alike.
    pub fn compute_hash(&self) -> String {
        let e = &self.event;
        let id = self.id.to_string();
        let seq = self.seq.to_string();
        let at = self.at.millis().to_string();
        let actor = e.actor.map(|a| a.to_string());
        let district = e.district.map(|a| a.to_string());
        let agency = e.agency.map(|a| a.to_string());
        let fields: [Option<&str>; 13] = [
            Some(&self.prev_hash),
            Some(&seq),
            Some(&id),
            Some(&at),
            actor.as_deref(),
            Some(&e.action),
            e.record_type.as_deref(),
            e.record_id.as_deref(),
            Some(e.outcome.code()),
            e.source.as_deref(),
            e.content_hash.as_deref(),
            district.as_deref(),
            agency.as_deref(),
        ];
        let mut hasher = Sha256::new();
        for field in fields {
            match field {
                None => hasher.update(b"-"),
                Some(text) => {
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
            }
        }
        hex::encode(hasher.finalize())
    }
}

/// The bare SHA-256 of a record's canonical JSON: what entries written before keyed hashes
/// kept of content (guessable for short content; [`keyed_content_hash`] replaced it).
pub fn content_hash<T: Serialize>(content: &T) -> String {
    hex::encode(Sha256::digest(canonical(content).as_bytes()))
}

/// Where a chain stops being what it claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub id: Option<Id>,
    pub reason: String,
}

/// Walks the chain in order and checks every link; `Ok` carries the number of entries.
/// Stops at the first entry that does not match.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: Option<String>,
    checked: u64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: Some(GENESIS.to_string()),
            checked: 0,
        }
    }

    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), Break> {
        let broken = |reason: String| Break {
            seq: entry.seq,
            id: Some(entry.id),
            reason,
        };
        if entry.seq != self.expected_seq {
            return Err(broken(format!(
                "entry {} is missing or out of order (found {})",
                self.expected_seq, entry.seq
            )));
        }
        if self.prev_hash.as_deref() != Some(entry.prev_hash.as_str()) {
            return Err(broken("does not link to the entry before it".into()));
        }
        if entry
            .event
            .content_hash
            .as_deref()
            .is_some_and(|h| !content_hash_is_known(h))
        {
            return Err(broken(
                "its content hash is of no kind Triad writes (altered)".into(),
            ));
        }
        if entry.compute_hash() != entry.hash {
            return Err(broken(
                "its content does not match its hash (the entry was altered)".into(),
            ));
        }
        self.expected_seq += 1;
        self.prev_hash = Some(entry.hash.clone());
        self.checked += 1;
        Ok(())
    }

    /// Checks that the chain ends where the recorded head says it does, so entries removed
    /// from the end are noticed too.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        let last_seq = self.expected_seq - 1;
        if last_seq != head_seq || self.prev_hash.as_deref() != Some(head_hash) {
            return Err(Break {
                seq: last_seq + 1,
                id: None,
                reason: format!(
                    "the chain ends at entry {last_seq} but its head says entry {head_seq}"
                ),
            });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let (seq, hash) = out
                .last()
                .map(|e| (e.seq, e.hash.clone()))
                .unwrap_or((0, GENESIS.to_string()));
            let event = AuditEvent::new(Some(Id::from_parts("u", 1)), "test.write", Outcome::Ok)
                .record("thing", i);
            out.push(AuditEntry::chain(
                event,
                Id::from_parts("a", i as u64),
                Timestamp::from_millis(i as i64),
                seq,
                &hash,
            ));
        }
        out
    }

    fn verify(entries: &[AuditEntry]) -> Result<u64, Break> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.check(e)?;
        }
        let (seq, hash) = entries
            .last()
            .map(|e| (e.seq, e.hash.clone()))
            .unwrap_or((0, GENESIS.to_string()));
        v.finish(seq, &hash)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut entries = chain(5);
        entries[2].event.action = "test.other".into();
        assert_eq!(verify(&entries).map_err(|b| b.seq), Err(3));
    }

    #[test]
    fn a_removed_entry_is_noticed() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(verify(&entries).map_err(|b| b.seq), Err(3));
    }

    #[test]
    fn a_truncated_tail_is_noticed_against_the_head() {
        let entries = chain(5);
        let mut v = ChainVerifier::new();
        for e in &entries[..3] {
            assert!(v.check(e).is_ok());
        }
        assert!(v.finish(5, &entries[4].hash).is_err());
    }

    #[test]
    fn content_hashes_ignore_key_order() {
        let a = serde_json::json!({"a": 1, "b": 2});
        let b = serde_json::json!({"b": 2, "a": 1});
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(
            content_hash(&a),
            content_hash(&serde_json::json!({"a": 2, "b": 2}))
        );
    }
}
