//! `triad audit verify|checkpoint`, and the checkpoints the server writes as the trail grows.
//!
//! A checkpoint (see `triad_domain::checkpoint`) is the chain's length and last hash, signed
//! with the instance key; kept outside the database, it shows whether the chain was rewritten
//! since. The server writes one every [`CHECKPOINT_EVERY`] entries into the data folder's
//! `checkpoints/`; `triad audit checkpoint` writes one now.

use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use triad_domain::checkpoint::{origin_of, Checkpoint};
use triad_domain::Timestamp;
use triad_store::{instance, Db};

/// How many entries between the checkpoints the server writes.
pub const CHECKPOINT_EVERY: i64 = 1000;

/// The folder the server's checkpoints go to.
pub fn checkpoints_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("checkpoints")
}

/// Signs the chain's head now. Yields the note.
async fn sign_head(db: &Db, data_dir: &Path) -> Result<(i64, String)> {
    let key = instance::signing_key(data_dir)?;
    let head = triad_store::audit::head(&mut db.acquire().await?).await?;
    let note = Checkpoint {
        origin: origin_of(&key.verifying_key()),
        size: head.seq,
        hash: head.hash,
    }
    .sign(&key);
    Ok((head.seq, note))
}

fn keep(data_dir: &Path, size: i64, note: &str) -> Result<PathBuf> {
    let dir = checkpoints_dir(data_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{size:012}.note"));
    std::fs::write(&path, note).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// `triad audit checkpoint`: signs the chain's head now, keeps it in the data folder, and
/// writes it to `out` (or prints it) for the operator to keep elsewhere.
pub async fn checkpoint(db: &Db, data_dir: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let (size, note) = sign_head(db, data_dir).await?;
    let kept = keep(data_dir, size, &note)?;
    match out {
        Some(path) => {
            std::fs::write(path, &note).with_context(|| format!("writing {}", path.display()))?;
            println!(
                "Checkpoint of {size} entries written to {} (and {}). Keep a copy away from this machine.",
                path.display(),
                kept.display()
            );
        }
        None => print!("{note}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the server's next checkpoint once the trail has grown by [`CHECKPOINT_EVERY`]
/// entries since the last; one instance writes each (the database says which).
pub async fn write_due_checkpoint(db: &Db, data_dir: &Path) -> Result<Option<PathBuf>> {
    let head = triad_store::audit::head(&mut db.acquire().await?).await?;
    let last = triad_store::audit::last_checkpoint(&mut db.acquire().await?)
        .await?
        .unwrap_or(0);
    if head.seq < last + CHECKPOINT_EVERY {
        return Ok(None);
    }
    let now = triad_domain::Timestamp::from_datetime(chrono::Utc::now());
    let (size, note) = sign_head(db, data_dir).await?;
    if !triad_store::audit::claim_checkpoint(db, size, now).await? {
        return Ok(None);
    }
    Ok(Some(keep(data_dir, size, &note)?))
}

/// The audit half of `triad audit verify [--checkpoint FILE]…`: the chain, and that it still
/// extends each checkpoint given (signed by this instance's key, or the key file). Prints
/// what it found; yields the number of entries when the trail is intact.
pub async fn verify_trail(
    db: &Db,
    data_dir: &Path,
    checkpoints: &[PathBuf],
    public_key: Option<&Path>,
) -> Result<Option<u64>> {
    // The key given, else every key the instance has signed with (a checkpoint kept from
    // before a key rotation is signed by the key of then).
    let keys = match public_key {
        Some(path) => vec![instance::public_key_file(path)?],
        None => instance::known_public_keys(data_dir)?,
    };
    let mut expected = Vec::new();
    for path in checkpoints {
        let note = std::fs::read_to_string(path).unwrap_or_default();
        // Refused by every key: the reason the instance's key of now gives.
        let opened = keys
            .iter()
            .map(|key| Checkpoint::open(&note, key))
            .find(Result::is_ok)
            .unwrap_or_else(|| Checkpoint::open(&note, &keys[0]));
        match opened {
            Ok(c) => expected.push((c.size, c.hash)),
            Err(reason) => {
                println!("NOT VERIFIED: checkpoint {}: {reason}.", path.display());
                return Ok(None);
            }
        }
    }
    match triad_store::audit::verify_extending(db, &expected).await? {
        Ok(n) => {
            println!("The audit trail is intact: {n} entries verified.");
            if !expected.is_empty() {
                println!(
                    "It extends the {} signed checkpoint(s) given.",
                    expected.len()
                );
            }
            Ok(Some(n))
        }
        Err(b) => {
            let id = b.id.map(|i| format!(" ({i})")).unwrap_or_default();
            println!(
                "The audit trail is BROKEN at entry {}{id}: {}.",
                b.seq, b.reason
            );
            Ok(None)
        }
    }
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Print the fingerprints of the instance key and of its keys from before each rotation.
    Show,
    /// Replace the instance key and the audit secret with new ones. What the old ones signed
    /// still verifies (their public half and the old secret are kept under keys/retired/);
    /// the old private key is destroyed. Restart every instance afterwards: until then they
    /// sign with the key of before. Give the state the new fingerprint for its exports.
    Rotate,
}

/// `triad keys show|rotate`.
pub async fn keys(data: &crate::data::DataArgs, cmd: KeysCommand) -> Result<ExitCode> {
    use triad_domain::evidence::fingerprint;
    let data_dir = &data.data_dir;
    match cmd {
        KeysCommand::Show => {
            let key = instance::signing_key(data_dir)?.verifying_key();
            println!("Instance key: {}", fingerprint(&key));
            for earlier in instance::retired_public_keys(data_dir)? {
                println!("Earlier key (still verifies): {}", fingerprint(&earlier));
            }
        }
        KeysCommand::Rotate => {
            let rotation = instance::rotate_keys(data_dir)?;
            // Opened after the rotation: the entry's content hash is keyed with the new secret.
            let db = crate::data::open(data).await?;
            let actor = crate::users::acting(&db, data).await?;
            let content = serde_json::json!({
                "retired_key": fingerprint(&rotation.retired_key),
                "new_key": fingerprint(&rotation.new_key),
            });
            let event = triad_domain::audit::AuditEvent::new(
                actor,
                "instance.keys.rotate",
                triad_domain::audit::Outcome::Ok,
            )
            .content(&content)
            .source(Some("cli".into()));
            triad_store::audit::record(&db, event, Timestamp::from_datetime(chrono::Utc::now()))
                .await?;
            println!(
                "The instance key is now {} (it was {}); the audit secret is new too.",
                fingerprint(&rotation.new_key),
                fingerprint(&rotation.retired_key)
            );
            println!("What the earlier key and secret signed still verifies. Restart every instance now.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
