//! `triad roster import`: a district's OneRoster 1.1 bundle (a folder or a zip) into its
//! accounts, or with `--dry-run` what would change, as text or JSON.

use crate::data::DataArgs;
use anyhow::{anyhow, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use triad_app::roster::{bundle, PersonLine, RosterReport, RosterRequest};
use triad_domain::{Id, Timestamp};
use triad_store::auth::ChangedBy;
use triad_store::Db;

#[derive(Subcommand)]
pub enum RosterCommand {
    /// Import a OneRoster 1.1 CSV bundle (manifest.csv, orgs.csv, users.csv; a folder or a
    /// zip) into a district's accounts. Students are never imported.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The bundle: a folder holding its CSV files, or a zip.
    pub path: PathBuf,
    /// The district's id (as `triad user add --scope district:ID` names it).
    #[arg(long)]
    pub district: String,
    /// Match a school to a campus the first time: --school "SOURCEDID=Campus name" (or the
    /// campus's id, or `none` for a school not on Triad).
    #[arg(long = "school", value_name = "SOURCEDID=CAMPUS")]
    pub schools: Vec<String>,
    /// Show what would be created, changed and disabled, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Confirm that as many people left as the bundle says, when it would disable more than
    /// half of the roster's accounts (five or more); otherwise such a bundle is refused.
    #[arg(long)]
    pub confirm_leavers: bool,
}

pub async fn run(db: &Db, data: &DataArgs, cmd: RosterCommand) -> Result<ExitCode> {
    let RosterCommand::Import(args) = cmd;
    let district = Id::parse(args.district.trim())
        .ok_or_else(|| anyhow!("'{}' is not a district id", args.district))?;
    let path = args.path.clone();
    // Reading a large users.csv takes a while and blocks: off the runtime's threads.
    let read = tokio::task::spawn_blocking(move || {
        if path.is_dir() {
            bundle::read_folder(&path)
        } else {
            let file = std::fs::File::open(&path).map_err(|e| {
                triad_domain::Invalid::one(
                    "bundle",
                    format!("{} cannot be opened: {e}", path.display()),
                )
            })?;
            bundle::read_zip(std::io::BufReader::new(file))
        }
    })
    .await?;
    let roster = match read {
        Ok(roster) => roster,
        Err(invalid) => return Ok(refused(&invalid)),
    };
    let by = ChangedBy {
        actor: crate::users::acting(db, data).await?,
        source: Some("cli".into()),
        now: Timestamp::from_datetime(chrono::Utc::now()),
    };
    let request = RosterRequest {
        district,
        mappings: args.schools,
        dry_run: args.dry_run,
        confirm_leavers: args.confirm_leavers,
    };
    let report = match triad_app::roster::import(db, &roster, &request, &by).await {
        Ok(report) => report,
        Err(triad_app::AppError::Invalid(invalid)) => return Ok(refused(&invalid)),
        Err(e) => return Err(crate::data::operator_error(e)),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// A bundle refused: every fault on its own line, and the exit status 2.
fn refused(invalid: &triad_domain::Invalid) -> ExitCode {
    eprintln!("The roster was not imported:");
    for e in &invalid.errors {
        eprintln!("  {}", e.message);
    }
    ExitCode::from(2)
}

fn print(report: &RosterReport) {
    let verb = if report.applied { "" } else { "would be " };
    println!(
        "{}{}: {} created, {} changed, {} disabled, {} unchanged{}.",
        report.district_name,
        if report.applied {
            ""
        } else {
            " (dry run: nothing was changed)"
        },
        report.created.len(),
        report.changed.len(),
        report.disabled.len(),
        report.unchanged,
        if report.not_imported.is_empty() {
            String::new()
        } else {
            format!(", {} not imported", report.not_imported.len())
        }
    );
    println!(
        "Passed over (never imported): {} students, {} parents, guardians, relatives and proctors.",
        report.passed_over.students, report.passed_over.family_and_proctors
    );
    println!("Schools:");
    for s in &report.schools {
        match &s.campus_name {
            Some(campus) => println!("  {} ({}) is {campus}", s.name, s.source_id),
            None => println!(
                "  {} ({}) is not a campus on Triad: match it with --school \"{}=CAMPUS\"",
                s.name, s.source_id, s.source_id
            ),
        }
    }
    let list = |title: String, people: &[PersonLine]| {
        if people.is_empty() {
            return;
        }
        println!("{title}:");
        for p in people {
            let at = if p.line > 0 {
                format!("line {}: ", p.line)
            } else {
                String::new()
            };
            let who = if p.username.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.username)
            };
            println!("  {at}{}{who}: {}", p.name, p.what.join("; "));
        }
    };
    list(format!("Accounts {verb}created"), &report.created);
    list(format!("Accounts {verb}changed"), &report.changed);
    list(format!("Accounts {verb}disabled"), &report.disabled);
    list("Left as they are".into(), &report.left_alone);
    list("Not imported".into(), &report.not_imported);
}
