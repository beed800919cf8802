//! `triad user …`: accounts from the command line, audited like the pages (`--as` names who
//! acts; otherwise the entry says it came from the command line).

use crate::data::DataArgs;
use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use triad_domain::auth::{Grant, Role, Scope};
use triad_domain::{Id, Timestamp};
use triad_store::auth::{self as store, ChangedBy, NewAccount};
use triad_store::{org, Db};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account with its first role. The password is read from --password-file, or
    /// TRIAD_PASSWORD, or the first line of standard input.
    Add {
        username: String,
        /// Full name, as shown on pages.
        #[arg(long)]
        name: String,
        /// sro, sso, campus_admin, staff, le_supervisor, district_leader, evaluator, system_admin
        #[arg(long)]
        role: String,
        /// Where the role is held: instance, agency:ID, district:ID or campus:ID.
        #[arg(long, default_value = "instance")]
        scope: String,
        /// The person is a sworn law-enforcement officer.
        #[arg(long)]
        sworn: bool,
        /// The day the person's law-enforcement career began (YYYY-MM-DD), for years of
        /// experience.
        #[arg(long)]
        experience_since: Option<String>,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Set a new password (read like `add`); every session of the account ends.
    Passwd {
        username: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Disable an account: its sessions and tokens end at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Lift the sign-in locks of an account.
    Unlock { username: String },
    /// List accounts and their roles.
    List,
}

fn read_password(file: &Option<PathBuf>) -> Result<String> {
    if let Some(path) = file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(text.trim_end_matches(['\n', '\r']).to_string());
    }
    if let Ok(p) = std::env::var("TRIAD_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn user_id(db: &Db, username: &str) -> Result<Id> {
    let name = username.trim().to_lowercase();
    let row = store::user_by_name(&mut db.acquire().await?, &name).await?;
    row.map(|u| u.user_id())
        .ok_or_else(|| anyhow!("there is no user named {name}"))
}

/// The user named by `--as`, who acts for the audit trail.
pub async fn acting(db: &Db, data: &DataArgs) -> Result<Option<Id>> {
    match &data.acting_as {
        Some(name) => Ok(Some(user_id(db, name).await?)),
        None => Ok(None),
    }
}

async fn by(db: &Db, data: &DataArgs) -> Result<ChangedBy> {
    let actor = acting(db, data).await?;
    Ok(ChangedBy {
        actor,
        source: Some("cli".into()),
        now: Timestamp::from_datetime(chrono::Utc::now()),
    })
}

/// Reads `instance`, `agency:ID`, `district:ID` or `campus:ID`, checking it exists.
async fn scope(db: &Db, text: &str) -> Result<Scope> {
    let mut conn = db.acquire().await?;
    let (kind, id) = text.split_once(':').unwrap_or((text, ""));
    let id = || Id::parse(id).ok_or_else(|| anyhow!("'{text}' does not name a valid id"));
    Ok(match kind {
        "instance" => Scope::Instance,
        "agency" => {
            let agency = id()?;
            org::agency(&mut conn, agency)
                .await?
                .ok_or_else(|| anyhow!("no agency {agency}"))?;
            Scope::Agency { agency }
        }
        "district" => {
            let district = id()?;
            org::district(&mut conn, district)
                .await?
                .ok_or_else(|| anyhow!("no district {district}"))?;
            Scope::District { district }
        }
        "campus" => {
            let campus = id()?;
            let c = org::campus(&mut conn, campus)
                .await?
                .ok_or_else(|| anyhow!("no campus {campus}"))?;
            Scope::Campus {
                district: c.district(),
                campus,
            }
        }
        _ => bail!("a scope is instance, agency:ID, district:ID or campus:ID"),
    })
}

pub async fn run(db: &Db, data: &DataArgs, cmd: UserCommand) -> Result<ExitCode> {
    let by = by(db, data).await?;
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            scope: scope_text,
            sworn,
            experience_since,
            password_file,
        } => {
            let role = Role::from_code(&role).ok_or_else(|| anyhow!("unknown role '{role}'"))?;
            let experience = match experience_since {
                Some(text) => {
                    Some(triad_domain::org::parse_date("experience_since", &text)?.to_string())
                }
                None => None,
            };
            let grant = Grant::new(role, scope(db, &scope_text).await?)?;
            let password = read_password(&password_file)?;
            let account = NewAccount {
                username,
                display_name: name,
                password,
                grant: Some(grant),
                sworn,
                le_experience_start: experience,
            };
            let id = store::create_account(db, account, &by).await?;
            println!("Created user {id}.");
        }
        UserCommand::Passwd {
            username,
            password_file,
        } => {
            let id = user_id(db, &username).await?;
            store::change_password(db, id, read_password(&password_file)?, &by).await?;
            println!("Password changed; every session of {username} has ended.");
        }
        UserCommand::Disable { username } => {
            store::disable_account(db, user_id(db, &username).await?, true, &by).await?;
            println!("{username} is disabled; their sessions and tokens have ended.");
        }
        UserCommand::Enable { username } => {
            store::disable_account(db, user_id(db, &username).await?, false, &by).await?;
            println!("{username} is enabled.");
        }
        UserCommand::Unlock { username } => {
            let n = store::unlock_account(db, user_id(db, &username).await?, &by).await?;
            println!("{username}: {n} lock(s) lifted.");
        }
        UserCommand::List => {
            let mut conn = db.acquire().await?;
            for u in store::list_users(&mut conn, triad_store::paging::Page::ALL).await? {
                let roles: Vec<&str> = store::grants_of(&mut conn, u.user_id())
                    .await?
                    .iter()
                    .map(|g| g.role.code())
                    .collect();
                let state = if u.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<8} {:<32} {}",
                    u.username,
                    state,
                    u.display_name,
                    roles.join(",")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
