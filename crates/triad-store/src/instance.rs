//! What an instance keeps beside its database, in its data folder: the Ed25519 key that signs
//! custody records (made on first start), and stored files (evidence photos) under
//! server-chosen names. Backups copy both.

use crate::{StoreError, StoreResult};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const PRIVATE_KEY: &str = "instance-ed25519.pem";
const PUBLIC_KEY: &str = "instance-ed25519.pub.pem";

fn config(what: &str, path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("{what} {}: {e}", path.display()))
}

pub fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

/// The secret audit content hashes are keyed with: 32 random bytes beside the instance key,
/// outside the database, in backups. Every instance of a deployment reads the same file.
const AUDIT_SECRET: &str = "audit-content.key";

/// Creates the instance key pair and the audit secret if they do not exist yet.
pub fn ensure_keys(data_dir: &Path) -> StoreResult<()> {
    ensure_key_pair(data_dir)?;
    audit_secret(data_dir).map(|_| ())
}

/// The secret audit content hashes are keyed with (made on first use); give it to the
/// database with [`crate::Db::use_content_secret`].
pub fn audit_secret(data_dir: &Path) -> StoreResult<Vec<u8>> {
    if let Some(secret) = existing_audit_secret(data_dir)? {
        return Ok(secret);
    }
    let dir = keys_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| config("creating", &dir, e))?;
    let path = dir.join(AUDIT_SECRET);
    // Written whole to a file of its own, then linked into place: a crash leaves no empty
    // secret behind, and of two instances starting at once the first link wins.
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let partial = dir.join(format!(".{AUDIT_SECRET}.{}", hex::encode(&secret[..4])));
    write_private(&partial, hex::encode(secret).as_bytes())
        .map_err(|e| config("writing", &partial, e))?;
    let linked = std::fs::hard_link(&partial, &path);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(config("writing", &path, e)),
    }
    existing_audit_secret(data_dir)?.ok_or_else(|| config("reading", &path, "it is missing"))
}

/// The audit secret if this data folder has one (commands that only read or write a little
/// use it when present and never make one: the server does, on first start).
pub fn existing_audit_secret(data_dir: &Path) -> StoreResult<Option<Vec<u8>>> {
    let path = keys_dir(data_dir).join(AUDIT_SECRET);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(config("reading", &path, e)),
    };
    hex::decode(text.trim())
        .ok()
        .filter(|s| s.len() == 32)
        .map(Some)
        .ok_or_else(|| config("decoding", &path, "not 32 bytes in hex"))
}

fn ensure_key_pair(data_dir: &Path) -> StoreResult<()> {
    let dir = keys_dir(data_dir);
    let private = dir.join(PRIVATE_KEY);
    if private.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| config("creating", &dir, e))?;
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let lf = ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF;
    let pem = key
        .to_pkcs8_pem(lf)
        .map_err(|e| config("encoding the key for", &private, e))?;
    write_private(&private, pem.as_bytes()).map_err(|e| config("writing", &private, e))?;
    let public = key
        .verifying_key()
        .to_public_key_pem(lf)
        .map_err(|e| config("encoding the public key for", &private, e))?;
    let public_path = dir.join(PUBLIC_KEY);
    std::fs::write(&public_path, public).map_err(|e| config("writing", &public_path, e))?;
    Ok(())
}

/// Where the keys and secrets a rotation replaced are kept: the public half of each earlier
/// instance key (its private half is destroyed) and each earlier audit secret, so what they
/// signed still verifies.
const RETIRED: &str = "retired";

/// What a key rotation did: the fingerprints of the instance key before and after.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub retired_key: VerifyingKey,
    pub new_key: VerifyingKey,
}

/// Replaces the instance key and the audit secret with new ones. The old public key and the
/// old secret are kept under `keys/retired/` first, so custody records, checkpoints and email
/// links made before still verify; the old private key is destroyed, so nothing new can be
/// signed with it. Each file is written whole and renamed into place: a crash part-way
/// leaves the old key (and a retired copy of it) or the new one, never neither.
pub fn rotate_keys(data_dir: &Path) -> StoreResult<Rotation> {
    let dir = keys_dir(data_dir);
    let old = signing_key(data_dir)?;
    let old_secret = existing_audit_secret(data_dir)?
        .ok_or_else(|| config("reading", &dir.join(AUDIT_SECRET), "it is missing"))?;
    let retired = dir.join(RETIRED);
    std::fs::create_dir_all(&retired).map_err(|e| config("creating", &retired, e))?;
    let lf = ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF;
    let name = |bytes: &[u8]| hex::encode(&sha2::Sha256::digest(bytes)[..8]);
    let old_public = old.verifying_key();
    let retired_public = retired.join(format!(
        "instance-ed25519-{}.pub.pem",
        name(old_public.as_bytes())
    ));
    let pem = old_public
        .to_public_key_pem(lf)
        .map_err(|e| config("encoding the public key for", &retired_public, e))?;
    replace_file(&retired_public, pem.as_bytes(), false)?;
    let retired_secret = retired.join(format!("audit-content-{}.key", name(&old_secret)));
    replace_file(&retired_secret, hex::encode(&old_secret).as_bytes(), true)?;

    let new = SigningKey::generate(&mut rand::rngs::OsRng);
    let private = dir.join(PRIVATE_KEY);
    let pem = new
        .to_pkcs8_pem(lf)
        .map_err(|e| config("encoding the key for", &private, e))?;
    replace_file(&private, pem.as_bytes(), true)?;
    let public = new
        .verifying_key()
        .to_public_key_pem(lf)
        .map_err(|e| config("encoding the public key for", &private, e))?;
    replace_file(&dir.join(PUBLIC_KEY), public.as_bytes(), false)?;
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    replace_file(
        &dir.join(AUDIT_SECRET),
        hex::encode(secret).as_bytes(),
        true,
    )?;
    Ok(Rotation {
        retired_key: old_public,
        new_key: new.verifying_key(),
    })
}

/// Writes a file whole under a temporary name, synced, then renames it over `path`.
fn replace_file(path: &Path, bytes: &[u8], private: bool) -> StoreResult<()> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let written = if private {
        write_private(&partial, bytes)
    } else {
        std::fs::write(&partial, bytes)
            .and_then(|()| std::fs::File::open(&partial).and_then(|f| f.sync_all()))
    };
    written.map_err(|e| config("writing", &partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| config("writing", path, e))
}

/// The instance's earlier public keys (before each rotation), oldest first by name.
pub fn retired_public_keys(data_dir: &Path) -> StoreResult<Vec<VerifyingKey>> {
    retired_files(data_dir, ".pub.pem")?
        .iter()
        .map(|path| public_key_file(path))
        .collect()
}

/// The instance's earlier audit secrets (before each rotation).
pub fn retired_audit_secrets(data_dir: &Path) -> StoreResult<Vec<Vec<u8>>> {
    retired_files(data_dir, ".key")?
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| config("reading", path, e))?;
            hex::decode(text.trim())
                .ok()
                .filter(|s| s.len() == 32)
                .ok_or_else(|| config("decoding", path, "not 32 bytes in hex"))
        })
        .collect()
}

fn retired_files(data_dir: &Path, ending: &str) -> StoreResult<Vec<PathBuf>> {
    let dir = keys_dir(data_dir).join(RETIRED);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(config("reading", &dir, e)),
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(ending))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Every key the instance has signed with: its key now, then its earlier ones.
pub fn known_public_keys(data_dir: &Path) -> StoreResult<Vec<VerifyingKey>> {
    let mut keys = vec![signing_key(data_dir)?.verifying_key()];
    keys.extend(retired_public_keys(data_dir)?);
    Ok(keys)
}

/// Reads the instance's signing key.
pub fn signing_key(data_dir: &Path) -> StoreResult<SigningKey> {
    let path = keys_dir(data_dir).join(PRIVATE_KEY);
    let pem = std::fs::read_to_string(&path).map_err(|e| config("reading", &path, e))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| config("decoding", &path, e))
}

/// Reads a public key from a PEM file (the instance's `instance-ed25519.pub.pem`).
pub fn public_key_file(path: &Path) -> StoreResult<VerifyingKey> {
    use ed25519_dalek::pkcs8::DecodePublicKey;
    let pem = std::fs::read_to_string(path).map_err(|e| config("reading", path, e))?;
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| config("decoding", path, e))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Stored files under the data folder's `files/`. Names are chosen by the server (a fresh id
/// and a kind), never taken from an upload. A file is written to a temporary name, synced and
/// renamed, so a crash leaves either the whole file or none.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("files"),
        }
    }

    /// Where a key lives. Keys are `kind/id` with a server-made id; anything else is refused.
    fn path(&self, key: &str) -> StoreResult<PathBuf> {
        let safe = key.split('/').count() == 2
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/' || c == '.');
        if !safe || key.contains("..") {
            return Err(StoreError::Config(format!("not a stored-file key: {key}")));
        }
        Ok(self.root.join(key))
    }

    /// Stores bytes under a new key of this kind (`photos-original`, `photos-view`).
    pub async fn put(&self, kind: &str, extension: &str, bytes: Vec<u8>) -> StoreResult<String> {
        let key = format!("{kind}/{}.{extension}", triad_domain::Id::new());
        let path = self.path(&key)?;
        tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
            .await
            .map_err(|e| StoreError::Config(format!("a file task failed: {e}")))?
            .map_err(|e| StoreError::Config(format!("storing a file: {e}")))?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> StoreResult<Vec<u8>> {
        let path = self.path(key)?;
        tokio::fs::read(&path)
            .await
            .map_err(|e| config("reading", &path, e))
    }

    /// Removes files written for a change that was then refused.
    pub async fn discard(&self, keys: &[String]) {
        for key in keys {
            if let Ok(path) = self.path(key) {
                let _ = tokio::fs::remove_file(path).await;
            }
        }
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("partial");
    let mut f = std::fs::File::create(&partial)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&partial, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The instance's key and files, as the server holds them.
#[derive(Clone)]
pub struct Instance {
    pub signing_key: Arc<SigningKey>,
    pub files: FileStore,
    /// What audit content hashes are keyed with.
    pub audit_secret: Arc<Vec<u8>>,
    /// The keys and secrets of before each rotation ([`rotate_keys`]): what they signed
    /// still verifies.
    pub retired_keys: Arc<Vec<VerifyingKey>>,
    pub retired_audit_secrets: Arc<Vec<Vec<u8>>>,
}

impl Instance {
    /// Opens the data folder, making the key on first use.
    pub fn open(data_dir: &Path) -> StoreResult<Self> {
        ensure_keys(data_dir)?;
        Ok(Self {
            signing_key: Arc::new(signing_key(data_dir)?),
            files: FileStore::new(data_dir),
            audit_secret: Arc::new(audit_secret(data_dir)?),
            retired_keys: Arc::new(retired_public_keys(data_dir)?),
            retired_audit_secrets: Arc::new(retired_audit_secrets(data_dir)?),
        })
    }
}
