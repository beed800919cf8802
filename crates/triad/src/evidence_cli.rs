//! `triad evidence export|verify` and the custody half of `triad audit verify`.
//!
//! An export is a JSON bundle: the item as shown, the photo hashes, every custody record as
//! stored and signed, a head signed at export, and the instance's public key. `verify` needs
//! nothing but the bundle (and, to be sure of the signer, the instance's public key file).

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use triad_domain::evidence::{self as rules, Bundle, PhotoHash};
use triad_domain::Id;
use triad_store::{instance, Db};

#[derive(Subcommand)]
pub enum EvidenceCommand {
    /// Write an item's custody history as a signed bundle anyone can verify offline.
    Export {
        /// The evidence item's id.
        item: String,
        /// The file to write (default: custody-ITEM.json in the current folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a bundle offline: every record's hash, link and signature, and the signed head.
    /// Names the first record that does not match.
    Verify {
        bundle: PathBuf,
        /// The instance's public key (keys/instance-ed25519.pub.pem): the bundle must be
        /// signed by it. Without it, compare the fingerprint printed with the instance's.
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
}

pub async fn run(data: &crate::data::DataArgs, cmd: EvidenceCommand) -> Result<ExitCode> {
    match cmd {
        EvidenceCommand::Export { item, out } => {
            let db = crate::data::open(data).await?;
            export(&db, data, &item, out).await
        }
        EvidenceCommand::Verify { bundle, public_key } => verify(&bundle, public_key.as_deref()),
    }
}

async fn export(
    db: &Db,
    data: &crate::data::DataArgs,
    item: &str,
    out: Option<PathBuf>,
) -> Result<ExitCode> {
    let Some(id) = Id::parse(item) else {
        bail!("{item} is not an evidence item id");
    };
    let mut conn = db.acquire().await?;
    let Some(row) = triad_store::evidence::get(&mut conn, id).await? else {
        bail!("there is no evidence item {item}");
    };
    let records = triad_store::evidence::records(&mut conn, &row.id).await?;
    let photos = triad_store::evidence::photos(&mut conn, id)
        .await?
        .into_iter()
        .map(|p| PhotoHash {
            id: p.id,
            sha256: p.sha256,
            media_type: p.media_type,
        })
        .collect();
    let key = instance::signing_key(&data.data_dir)?;
    let earlier_keys = instance::retired_public_keys(&data.data_dir)?;
    let bundle = rules::sign_bundle(
        rules::Export {
            item_id: &row.id,
            earlier_keys: &earlier_keys,
            item: serde_json::to_value(&row)?,
            photos,
            records,
            exported_at: chrono::Utc::now().to_rfc3339(),
        },
        &key,
    );
    let path = out.unwrap_or_else(|| PathBuf::from(format!("custody-{}.json", row.id)));
    std::fs::write(&path, serde_json::to_vec_pretty(&bundle)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "Wrote {} ({} custody records), signed by key {}.",
        path.display(),
        bundle.records.len(),
        rules::fingerprint(&key.verifying_key())
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(path: &std::path::Path, public_key: Option<&std::path::Path>) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let bundle: Bundle = match serde_json::from_str(&text) {
        Ok(b) => b,
        Err(e) => {
            println!(
                "NOT VERIFIED: {} is not a custody bundle ({e}).",
                path.display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let trusted = public_key.map(instance::public_key_file).transpose()?;
    match rules::verify_bundle(&bundle, trusted.as_ref()) {
        Ok(v) => {
            let statement = v.statement.as_ref();
            let status = statement
                .and_then(|s| s.item.get("status"))
                .and_then(|s| s.as_str())
                .unwrap_or("?");
            println!(
                "VERIFIED: item {} (status {status}, as exported): {} custody records and {} photo hashes are intact, signed by key {}{}.",
                statement.map(|s| s.item_id.as_str()).unwrap_or("?"),
                v.records,
                v.photos,
                v.key_fingerprint,
                if trusted.is_some() { " (the key given)" } else { "; compare it with the instance's key" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(b) if b.seq == 0 => {
            println!("NOT VERIFIED: {}.", b.reason);
            Ok(ExitCode::from(2))
        }
        Err(b) => {
            println!("NOT VERIFIED: custody record {}: {}.", b.seq, b.reason);
            Ok(ExitCode::from(2))
        }
    }
}

/// Recomputes every item's custody chain against the instance key (and its keys from before
/// each rotation). `Ok(Err)` names the first item and record that do not match.
pub async fn verify_all(
    db: &Db,
    data: &crate::data::DataArgs,
) -> Result<Result<(usize, usize), String>> {
    let keys = instance::known_public_keys(&data.data_dir)?;
    let mut conn = db.acquire().await?;
    let items = triad_store::evidence::all_item_ids(&mut conn).await?;
    let mut records = 0;
    for item in &items {
        let history = triad_store::evidence::records(&mut conn, item).await?;
        match rules::verify_chain(item, &history, &keys) {
            Ok(n) => records += n,
            Err(b) => {
                return Ok(Err(format!(
                    "custody record {} of evidence item {item}: {}",
                    b.seq, b.reason
                )))
            }
        }
    }
    Ok(Ok((items.len(), records)))
}
