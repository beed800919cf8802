//! `triad activity import`: officers' own spreadsheets into the activity log.
//!
//! Rows are taken one by one: every valid row is imported, every refused row is reported
//! with its line and reasons, and nothing else changes. Rows are saved in short batches
//! through the writer, so a server running on the same database goes on writing meanwhile.
//! A row's identity is the file's SHA-256 and its line, so importing the same file again adds
//! nothing, and finishes an import the database stopped part-way (the report says so).

use crate::data::DataArgs;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use triad_app::activity_import::{import_followed, ImportReport, Importer, Progress};
use triad_app::AppResult;
use triad_domain::Timestamp;
use triad_store::Db;

#[derive(Subcommand)]
pub enum ActivityCommand {
    /// Import activity rows from a CSV file (UTF-8, with or without BOM, or Windows-1252).
    ///
    /// Columns are recognised by their header: officer (user name), campus (name), date
    /// (YYYY-MM-DD), time (HH:MM), category, minutes, students, parents, staff, notes, case,
    /// search basis. Use --map to name other headers.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Map a header of the file to a field: --map "Officer Name=officer".
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
}

pub async fn run(db: &Db, data: &DataArgs, cmd: ActivityCommand) -> Result<ExitCode> {
    let ActivityCommand::Import(args) = cmd;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let actor = crate::users::acting(db, data).await?;
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let mut room = RoomForTheServer::on(db);
    let report = import_followed(
        db,
        &bytes,
        &args.map,
        Importer::Cli { actor },
        now,
        &mut room,
    )
    .await
    .map_err(crate::data::operator_error)?;
    print(&report, args.json)?;
    Ok(if report.stopped.is_some() {
        ExitCode::from(4)
    } else if report.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// A server on the same SQLite file cannot queue its writes with the command line's: the
/// file's lock is the only arbiter, and a write waiting for it retries every 100 ms or so. An
/// import that took the lock again the moment it let go of it could keep a front-office write
/// waiting past its timeout. After each batch the import leaves the lock free for longer than
/// that retry, so a waiting write gets in within about one batch. (On PostgreSQL, writes wait
/// in order on their own.)
struct RoomForTheServer(std::time::Duration);

/// Longer than SQLite's longest step between retries for a lock (100 ms).
const ROOM_AFTER_A_BATCH: std::time::Duration = std::time::Duration::from_millis(120);

impl RoomForTheServer {
    fn on(db: &Db) -> Self {
        Self(match db.engine() {
            triad_store::Engine::Sqlite => ROOM_AFTER_A_BATCH,
            triad_store::Engine::Postgres => std::time::Duration::ZERO,
        })
    }
}

impl Progress for RoomForTheServer {
    async fn step(&mut self, _done: usize, _total: usize) -> AppResult<bool> {
        tokio::time::sleep(self.0).await;
        Ok(true)
    }
}

fn print(report: &ImportReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    println!(
        "{} rows read: {} imported, {} already present, {} refused.",
        report.rows_read,
        report.imported,
        report.already_present,
        report.refused.len()
    );
    for r in &report.refused {
        println!("  line {}: {}", r.line, r.reasons.join("; "));
    }
    if let Some(stopped) = &report.stopped {
        println!("Stopped: {stopped}.");
    }
    Ok(())
}
