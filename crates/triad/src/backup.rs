//! `triad backup` and `triad restore`: a consistent copy of a live instance.

use crate::data::{database_url, DataArgs};
use anyhow::{bail, Context, Result};
use std::path::Path;
use triad_store::{Db, Engine};

const DB_FILE: &str = "triad.db";
const FILES: &str = "files";
const KEYS: &str = "keys";

/// Copies the database (SQLite: through the online backup API, while the server runs), the
/// stored files and the instance keys into a new folder.
pub async fn backup(db: &Db, data: &DataArgs, dir: &Path) -> Result<()> {
    if dir.exists()
        && dir
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty: choose a new folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    match db.engine() {
        Engine::Sqlite => {
            triad_store::sqlite_backup::backup_to(db, &dir.join(DB_FILE)).await?;
            println!("Database copied with SQLite's online backup.");
        }
        Engine::Postgres => {
            println!(
                "The database is on PostgreSQL: back it up with pg_dump (for example \
                 `pg_dump --format=custom --file={}/triad.pgdump \"$DATABASE_URL\"`). \
                 Stored files and instance keys are copied now.",
                dir.display()
            );
        }
    }
    copy_tree(&data.data_dir.join(FILES), &dir.join(FILES))?;
    copy_tree(&data.data_dir.join(KEYS), &dir.join(KEYS))?;
    println!("Backup written to {}.", dir.display());
    Ok(())
}

/// Puts a backup in place: the database file (SQLite), the stored files and the keys.
pub async fn restore(data: &DataArgs, dir: &Path, force: bool) -> Result<()> {
    let url = database_url(data)?;
    let backup_db = dir.join(DB_FILE);
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let target = Path::new(path.split('?').next().unwrap_or(path));
        if !backup_db.exists() {
            bail!(
                "{} has no {DB_FILE}: is it a Triad backup of a SQLite instance?",
                dir.display()
            );
        }
        if target.exists() && !force {
            bail!(
                "{} exists: stop Triad and pass --force to replace it",
                target.display()
            );
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        for suffix in ["-wal", "-shm"] {
            let side = target.with_file_name(format!(
                "{}{suffix}",
                target
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or(DB_FILE)
            ));
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
        std::fs::copy(&backup_db, target)
            .with_context(|| format!("copying the database to {}", target.display()))?;
    } else {
        println!("The database is on PostgreSQL: restore it with pg_restore. Stored files and keys are restored now.");
    }
    copy_tree(&dir.join(FILES), &data.data_dir.join(FILES))?;
    copy_tree(&dir.join(KEYS), &data.data_dir.join(KEYS))?;
    println!(
        "Restored from {}. Run `triad audit verify` to check the audit trail.",
        dir.display()
    );
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if !from.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}
