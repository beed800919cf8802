//! Signed checkpoints of the audit chain. Whoever holds the database file can rewrite the
//! chain and its head together, so the chain alone proves nothing to them; a checkpoint kept
//! elsewhere does. It states the chain's length and the hash of its last entry at one
//! moment, signed with the instance key (which the database does not hold). The chain is
//! linear, so "the chain still extends this checkpoint" is simply "entry N still has this
//! hash".
//!
//! The text is a signed note, as transparency logs write them: the body (origin, size, hash),
//! a blank line, and one signature line `— <origin> <base64(key id ‖ signature)>`, where the
//! key id is the first four bytes of SHA-256(origin ‖ "\n" ‖ 0x01 ‖ public key).

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The chain's state at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log: the instance, by its key.
    pub origin: String,
    /// How many entries the chain had.
    pub size: i64,
    /// The hash of entry `size` (hex).
    pub hash: String,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The origin line an instance signs its checkpoints with.
pub fn origin_of(key: &VerifyingKey) -> String {
    format!(
        "triad-audit/{}",
        &hex::encode(Sha256::digest(key.as_bytes()))[..16]
    )
}

fn key_id(origin: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(origin.as_bytes());
    h.update(b"\n");
    h.update([0x01]);
    h.update(key.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

impl Checkpoint {
    fn body(&self) -> Option<String> {
        let hash = hex::decode(&self.hash).ok().filter(|h| h.len() == 32)?;
        Some(format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(hash)
        ))
    }

    /// The signed note.
    pub fn sign(&self, key: &SigningKey) -> String {
        let body = self.body().unwrap_or_default();
        let mut blob = key_id(&self.origin, &key.verifying_key()).to_vec();
        blob.extend_from_slice(&key.sign(body.as_bytes()).to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.origin, B64.encode(blob))
    }

    /// Reads a signed note and checks its signature with `key`: the checkpoint, or what is
    /// wrong with the note.
    pub fn open(note: &str, key: &VerifyingKey) -> Result<Checkpoint, String> {
        let (body, signatures) = note
            .split_once("\n\n")
            .ok_or("not a signed checkpoint (no signature after the body)")?;
        let body = format!("{body}\n");
        let mut lines = body.lines();
        let origin = lines.next().unwrap_or_default().to_string();
        let size = lines
            .next()
            .and_then(|l| l.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or("the checkpoint's size is not a number")?;
        let hash = lines
            .next()
            .and_then(|l| B64.decode(l).ok())
            .filter(|h| h.len() == 32)
            .map(hex::encode)
            .ok_or("the checkpoint's hash is not a SHA-256 in base64")?;
        if lines.next().is_some() {
            return Err("the checkpoint's body has more lines than origin, size and hash".into());
        }
        let expected = key_id(&origin, key);
        let signed = signatures.lines().any(|line| {
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                return false;
            };
            let Some((name, blob)) = rest.rsplit_once(' ') else {
                return false;
            };
            let Ok(blob) = B64.decode(blob) else {
                return false;
            };
            name == origin
                && blob.len() == 68
                && blob[..4] == expected
                && Signature::from_slice(&blob[4..])
                    .is_ok_and(|sig| key.verify_strict(body.as_bytes(), &sig).is_ok())
        });
        if !signed {
            return Err(
                "the checkpoint is not signed by this instance's key, or it was altered".into(),
            );
        }
        Ok(Checkpoint { origin, size, hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[5; 32])
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: origin_of(&key().verifying_key()),
            size: 1234,
            hash: "ab".repeat(32),
        }
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_only() {
        let note = checkpoint().sign(&key());
        assert_eq!(
            Checkpoint::open(&note, &key().verifying_key()).unwrap(),
            checkpoint()
        );
        let other = SigningKey::from_bytes(&[6; 32]).verifying_key();
        assert!(Checkpoint::open(&note, &other).is_err());
    }

    #[test]
    fn every_field_and_a_truncation_is_caught() {
        let note = checkpoint().sign(&key());
        let k = key().verifying_key();
        let edits = [
            note.replacen("1234", "1235", 1),
            note.replacen(&checkpoint().origin, "triad-audit/0000000000000000", 1),
            note.replacen("q6ur", "q6us", 1),
            note[..note.len() / 2].to_string(),
            note.replace('\u{2014}', "-"),
            String::new(),
        ];
        for edited in edits {
            assert_ne!(edited, note);
            assert!(Checkpoint::open(&edited, &k).is_err(), "{edited:?}");
        }
    }
}
