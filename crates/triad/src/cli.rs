//! The command line: flags, `TRIAD_*` environment variables, and `*_FILE` for secrets.

use crate::data::{open, DataArgs};
use crate::server::ServeArgs;
use crate::{backup, demo, users};
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use triad_store::instance::Instance;
use triad_store::Db;

#[derive(Parser)]
#[command(
    name = "triad",
    version,
    about = "Triad: records, operations and assessment for the partnership of School Resource Officers, School Safety Officers and school administrators.",
    long_about = "Triad: records, operations and assessment for the partnership of School Resource \
Officers, School Safety Officers and school administrators.\n\n\
Every option can also be set with the environment variable shown beside it. A secret can be \
read from a file instead: set TRIAD_DATABASE_URL_FILE to a file holding the database URL.\n\n\
Start here: `triad demo` fills a demo district into ./triad-data and serves it on \
http://127.0.0.1:8080."
)]
pub struct Cli {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve Triad.
    Serve(ServeArgs),
    /// Fill a deterministic demo (once; an existing database keeps its data), print the demo
    /// sign-ins, and serve.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        demo: demo::DemoArgs,
        /// Fill the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(users::UserCommand),
    /// The activity log.
    #[command(subcommand)]
    Activity(crate::activity_import::ActivityCommand),
    /// A district's roster from its student-information system (OneRoster 1.1).
    #[command(subcommand)]
    Roster(crate::roster_cli::RosterCommand),
    /// Collaboration surveys: campaigns, spreadsheet imports, analysis, exports.
    #[command(subcommand)]
    Survey(crate::survey_cli::SurveyCommand),
    /// Instance settings (for example `activity.correction_hours`, default 72); the list is
    /// `triad_app::instance_settings::KNOWN`, also on the administrator's Settings page.
    #[command(subcommand)]
    Setting(SettingCommand),
    /// Copy a live instance (database, stored files, instance keys) into a new folder.
    Backup {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Restore a backup folder into the configured database and data folder.
    Restore {
        /// The backup folder.
        dir: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Evidence: export a signed custody history, verify one offline.
    #[command(subcommand)]
    Evidence(crate::evidence_cli::EvidenceCommand),
    /// Visitor records.
    #[command(subcommand)]
    Visitors(VisitorsCommand),
    /// The instance key (signs custody records, checkpoints and state exports) and the audit
    /// secret.
    #[command(subcommand)]
    Keys(crate::audit_cli::KeysCommand),
}

#[derive(Subcommand)]
pub enum VisitorsCommand {
    /// Remove sign-ins older than the retention period (setting `visitors.retention_days`,
    /// default 365), except those linked to an incident. The server also does this daily.
    Purge,
}

#[derive(Subcommand)]
pub enum SettingCommand {
    /// Show a setting's value.
    Get { key: String },
    /// Change a setting (on the audit trail).
    Set { key: String, value: String },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and every custody history, and name the first entry that does
    /// not match; with --checkpoint, also prove the chain still extends each signed checkpoint.
    Verify {
        /// A signed checkpoint kept away from the database (repeatable).
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
        /// The instance's public key file, if the data folder's key is not to be trusted.
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
    /// Sign the chain's head now: a checkpoint to keep outside the database (mail it to the
    /// district, put it on another disk). Printed, or written to --out.
    Checkpoint {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn dispatch(cli: Cli) -> Result<ExitCode> {
    let data = cli.data;
    match cli.command {
        Command::Serve(args) => {
            let db = open(&data).await?;
            let instance = Instance::open(&data.data_dir)?;
            crate::server::serve(db, instance, &data.data_dir, args).await?;
        }
        Command::Demo {
            serve: args,
            demo: demo_args,
            no_serve,
        } => {
            std::fs::create_dir_all(&data.data_dir)
                .with_context(|| format!("creating {}", data.data_dir.display()))?;
            let db = open(&data).await?;
            let instance = Instance::open(&data.data_dir)?;
            demo::fill(&db, &instance, &demo_args).await?;
            if !no_serve {
                crate::server::serve(db, instance, &data.data_dir, args).await?;
            }
        }
        Command::Migrate => {
            let db = open(&data).await?;
            println!(
                "The database schema is up to date ({} migrations).",
                Db::migration_names(db.engine()).len()
            );
        }
        Command::User(cmd) => {
            let db = open(&data).await?;
            return users::run(&db, &data, cmd).await;
        }
        Command::Activity(cmd) => {
            let db = open(&data).await?;
            return crate::activity_import::run(&db, &data, cmd).await;
        }
        Command::Roster(cmd) => {
            let db = open(&data).await?;
            return crate::roster_cli::run(&db, &data, cmd).await;
        }
        Command::Survey(cmd) => {
            let db = open(&data).await?;
            return crate::survey_cli::run(&db, &data, cmd).await;
        }
        Command::Setting(cmd) => {
            let db = open(&data).await?;
            return setting(&db, &data, cmd).await;
        }
        Command::Backup { dir } => {
            let db = open(&data).await?;
            backup::backup(&db, &data, &dir).await?;
        }
        Command::Restore { dir, force } => {
            backup::restore(&data, &dir, force).await?;
        }
        Command::Evidence(cmd) => return crate::evidence_cli::run(&data, cmd).await,
        Command::Visitors(VisitorsCommand::Purge) => {
            let db = open(&data).await?;
            let actor = users::acting(&db, &data).await?;
            let now = triad_domain::Timestamp::from_datetime(chrono::Utc::now());
            let removed = triad_app::upkeep::purge_visitors(&db, now, actor)
                .await
                .map_err(|e| anyhow::anyhow!("purging visitors: {e}"))?;
            println!("Removed {removed} visitor sign-ins past the retention period.");
        }
        Command::Audit(AuditCommand::Verify {
            checkpoint,
            public_key,
        }) => {
            let db = open(&data).await?;
            let trail = crate::audit_cli::verify_trail(
                &db,
                &data.data_dir,
                &checkpoint,
                public_key.as_deref(),
            )
            .await?;
            if trail.is_none() {
                return Ok(ExitCode::from(2));
            }
            return match crate::evidence_cli::verify_all(&db, &data).await? {
                Ok((items, records)) => {
                    println!("Custody histories are intact: {records} records of {items} evidence items verified.");
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    println!("A custody history is BROKEN at {broken}.");
                    Ok(ExitCode::from(2))
                }
            };
        }
        Command::Keys(cmd) => return crate::audit_cli::keys(&data, cmd).await,
        Command::Audit(AuditCommand::Checkpoint { out }) => {
            let db = open(&data).await?;
            return crate::audit_cli::checkpoint(&db, &data.data_dir, out.as_deref()).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn setting(db: &Db, data: &DataArgs, cmd: SettingCommand) -> Result<ExitCode> {
    match cmd {
        SettingCommand::Get { key } => {
            let value = triad_store::settings::get(&mut db.acquire().await?, &key).await?;
            println!("{key} = {}", value.unwrap_or_else(|| "(default)".into()));
        }
        SettingCommand::Set { key, value } => {
            // Checked before anything is written: an unknown key or a bad value says why.
            if let Err(invalid) = triad_app::instance_settings::check(&key, &value) {
                let said: Vec<String> = invalid.errors.iter().map(|e| e.message.clone()).collect();
                bail!("{key}: {}", said.join("; "));
            }
            let actor = crate::users::acting(db, data).await?;
            let now = triad_domain::Timestamp::from_datetime(chrono::Utc::now());
            let value = triad_app::instance_settings::write(
                db,
                actor,
                Some("cli".into()),
                &key,
                &value,
                now,
            )
            .await?;
            println!("{key} = {value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
