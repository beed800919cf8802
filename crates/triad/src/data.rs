//! What every command shares: where the instance's data lives (the database and the data
//! folder), opening the database, and how a refusal reads at the command line. The commands'
//! own modules use this, never the command line's dispatch.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use triad_store::Db;

#[derive(Args, Clone)]
pub struct DataArgs {
    /// The database: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "TRIAD_DATABASE_URL",
        global = true,
        default_value = "sqlite://./triad-data/triad.db"
    )]
    pub database_url: String,
    /// Folder for stored files (photos) and the instance keys.
    #[arg(
        long,
        env = "TRIAD_DATA_DIR",
        global = true,
        default_value = "./triad-data"
    )]
    pub data_dir: PathBuf,
    /// Who is acting, for the audit trail of commands that change data (a user name).
    #[arg(long = "as", env = "TRIAD_AS", global = true)]
    pub acting_as: Option<String>,
}

/// The database URL, from the flag, the environment, or the file a `_FILE` variable names.
pub fn database_url(data: &DataArgs) -> Result<String> {
    if let Ok(path) = std::env::var("TRIAD_DATABASE_URL_FILE") {
        let url = std::fs::read_to_string(&path)
            .with_context(|| format!("reading TRIAD_DATABASE_URL_FILE ({path})"))?;
        return Ok(url.trim().to_string());
    }
    Ok(data.database_url.clone())
}

pub async fn open(data: &DataArgs) -> Result<Db> {
    let url = database_url(data)?;
    let db = Db::open(&url)
        .await
        .with_context(|| "opening the database".to_string())?;
    // Audit entries written by a command are keyed with the instance's secret when the data
    // folder has one (the server makes it on first start); otherwise with a random secret
    // nobody knows, so no hash is ever guessable. Nothing is created here.
    if let Some(secret) = triad_store::instance::existing_audit_secret(&data.data_dir)
        .with_context(|| "reading the instance's audit secret".to_string())?
    {
        db.use_content_secret(&secret);
    }
    Ok(db)
}

/// What a service refused or failed at, for the operator at the command line (internals
/// included: the operator runs the instance).
pub fn operator_error(e: triad_app::AppError) -> anyhow::Error {
    use triad_app::AppError;
    match e {
        AppError::Invalid(invalid) => anyhow::anyhow!("{invalid}"),
        AppError::Internal(detail) => anyhow::anyhow!("{detail}"),
        other => anyhow::anyhow!("{other}"),
    }
}
