//! `triad survey`: start a campaign, import a spreadsheet export into one, print its
//! analysis, export its answers.

use crate::data::{operator_error, DataArgs};
use anyhow::{anyhow, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use triad_app::surveys::{analysis, campaigns, export, import};
use triad_domain::{Id, Timestamp};
use triad_store::Db;

#[derive(Subcommand)]
pub enum SurveyCommand {
    /// Start a campaign (the seed's four questions unless --instrument-file gives another).
    Create(CreateArgs),
    /// Import a spreadsheet export (CSV or TSV; UTF-8 or Windows-1252) into a campaign,
    /// creating it if it does not exist. Exit code 3 when lines were skipped or values flagged.
    Import(ImportArgs),
    /// The analysis of a campaign: by role, gaps, themes, trend; small groups suppressed.
    Summary(SummaryArgs),
    /// Every answer of a campaign with its role, flags and original text.
    Export(ExportArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    /// The district (its id) the campaign belongs to.
    #[arg(long)]
    pub district: Option<String>,
    /// A user-built instrument as JSON.
    #[arg(long)]
    pub instrument_file: Option<PathBuf>,
    /// Roles asked, e.g. "sro administrator educator".
    #[arg(long, default_value = "sro sso administrator educator")]
    pub audience: String,
    #[arg(long)]
    pub opens: String,
    #[arg(long)]
    pub closes: String,
    /// One-time links to make (printed once).
    #[arg(long, default_value_t = 0)]
    pub tokens: usize,
    /// The district's notice to students and parents.
    #[arg(long, default_value = "")]
    pub notice: String,
    /// The title in Spanish (required when students or parents are asked).
    #[arg(long, default_value = "")]
    pub name_es: String,
    /// The notice in Spanish (required when students or parents are asked).
    #[arg(long, default_value = "")]
    pub notice_es: String,
    /// One campus of the district (its id) instead of the whole district.
    #[arg(long)]
    pub campus: Option<String>,
}

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// The campaign, by name (created with the instrument if it does not exist).
    #[arg(long)]
    pub campaign: String,
    /// The built-in instrument of a new campaign.
    #[arg(long, default_value = "sro-partnership")]
    pub instrument: String,
    /// The district of a new campaign (its id).
    #[arg(long)]
    pub district: Option<String>,
    /// Map a header of the file to a question: --map "How strong=relationship".
    #[arg(long = "map", value_name = "COLUMN=QUESTION")]
    pub map: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SummaryArgs {
    #[arg(long)]
    pub campaign: String,
    #[arg(long)]
    pub json: bool,
    /// The smallest group shown (default: the setting surveys.min_group, 5).
    #[arg(long)]
    pub min_group: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub campaign: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

async fn campaign(db: &Db, name: &str) -> Result<triad_store::surveys::CampaignRow> {
    triad_store::surveys::campaign(&mut db.acquire().await?, name)
        .await?
        .ok_or_else(|| anyhow!("no campaign is named '{name}'"))
}

fn district(id: &Option<String>) -> Result<Option<Id>> {
    id.as_deref()
        .map(|d| Id::parse(d).ok_or_else(|| anyhow!("'{d}' is not a district id")))
        .transpose()
}

pub async fn run(db: &Db, data: &DataArgs, cmd: SurveyCommand) -> Result<ExitCode> {
    let now = Timestamp::from_datetime(chrono::Utc::now());
    let actor = crate::users::acting(db, data).await?;
    match cmd {
        SurveyCommand::Create(a) => {
            let instrument = match &a.instrument_file {
                Some(f) => Some(
                    serde_json::from_slice(&std::fs::read(f)?).context("reading the instrument")?,
                ),
                None => None,
            };
            let input = campaigns::NewCampaign {
                name: a.name,
                instrument_key: String::new(),
                instrument,
                audience: a.audience,
                opens_on: a.opens,
                closes_on: a.closes,
                tokens: a.tokens.to_string(),
                notice: a.notice,
                name_es: a.name_es,
                notice_es: a.notice_es,
                campus: a.campus.unwrap_or_default(),
            };
            let (c, tokens) = campaigns::create(db, &input, district(&a.district)?, actor, now)
                .await
                .map_err(operator_error)?;
            println!(
                "Campaign '{}' ({}), link code {}",
                c.name, c.id, c.public_code
            );
            for t in tokens {
                println!("  one-time token: {t}");
            }
        }
        SurveyCommand::Import(a) => {
            let size = std::fs::metadata(&a.file)
                .with_context(|| format!("reading {}", a.file.display()))?
                .len();
            if size > import::MAX_FILE_BYTES as u64 {
                return Err(anyhow!(
                    "{} is {} MB, larger than the {} MB Triad reads: export only the survey's columns, or split it",
                    a.file.display(),
                    size / 1024 / 1024,
                    import::MAX_FILE_BYTES / 1024 / 1024
                ));
            }
            let bytes =
                std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
            let (c, created) = match triad_store::surveys::campaign(
                &mut db.acquire().await?,
                &a.campaign,
            )
            .await?
            {
                Some(c) if c.instrument_key != a.instrument => {
                    return Err(anyhow!(
                        "campaign '{}' uses the instrument '{}', not '{}'",
                        c.name,
                        c.instrument_key,
                        a.instrument
                    ))
                }
                Some(c) => (c, false),
                None => {
                    // The file is checked first: an import that cannot be read makes nothing.
                    if a.instrument.trim().is_empty()
                        || a.instrument == triad_domain::surveys::SRO_PARTNERSHIP
                    {
                        import::check(&bytes, &a.map, &triad_domain::surveys::sro_partnership())
                            .map_err(|e| operator_error(triad_app::AppError::from(e)))?;
                    }
                    let today = now.to_datetime().date_naive().to_string();
                    let input = campaigns::NewCampaign {
                        name: a.campaign.clone(),
                        instrument_key: a.instrument.clone(),
                        audience: "sro sso administrator educator".into(),
                        opens_on: today.clone(),
                        closes_on: today,
                        ..Default::default()
                    };
                    let made = campaigns::create(db, &input, district(&a.district)?, actor, now)
                        .await
                        .map_err(operator_error)?
                        .0;
                    (made, true)
                }
            };
            let mut report = import::import(db, &c, &bytes, &a.map, actor, "cli", now)
                .await
                .map_err(operator_error)?;
            report.campaign_created = created;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{} lines read: {} responses imported, {} already present, {} lines skipped, {} values flagged.",
                    report.rows_read, report.responses_imported, report.already_present, report.skipped.len(), report.flags.len()
                );
                for s in &report.skipped {
                    println!("  line {}: skipped, {}", s.line, s.reason);
                }
                for f in &report.flags {
                    println!(
                        "  line {}: {} '{}': {}",
                        f.line, f.question, f.value, f.reason
                    );
                }
            }
            return Ok(if report.skipped.is_empty() && report.flags.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            });
        }
        SurveyCommand::Summary(a) => {
            let c = campaign(db, &a.campaign).await?;
            let min = match a.min_group {
                Some(n) => n.max(1),
                None => campaigns::min_group(db).await.map_err(operator_error)?,
            };
            let s = analysis::summary(db, &c, min)
                .await
                .map_err(operator_error)?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print_summary(&s);
            }
        }
        SurveyCommand::Export(a) => {
            let c = campaign(db, &a.campaign).await?;
            let rows = export::export(db, &c, triad_store::paging::Page::ALL)
                .await
                .map_err(operator_error)?;
            match a.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(std::io::stdout());
                    for r in &rows {
                        w.serialize(r)?;
                    }
                    w.flush()?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(s: &analysis::Summary) {
    println!(
        "{} ({}), {} responses; groups under {} are not shown.",
        s.campaign, s.instrument, s.responses, s.min_group
    );
    for q in &s.questions {
        println!("\n{}", q.text);
        if let Some(d) = &q.direction {
            println!("  scale: {d}");
        }
        for g in &q.groups {
            match (g.n, g.mean) {
                (Some(n), Some(m)) => {
                    println!("  {:<22} n={n:<4} mean {m:.2}  {:?}", g.role, g.counts)
                }
                (Some(n), None) => println!("  {:<22} n={n:<4} {:?}", g.role, g.counts),
                _ => println!("  {:<22} (too few to show)", g.role),
            }
        }
    }
    for g in &s.gaps {
        println!(
            "\nGap, {} ({}; n = {}): {}",
            g.between, g.question, g.n, g.words
        );
    }
    if !s.themes.is_empty() {
        println!("\nThemes in the free-text answers:");
        for t in &s.themes {
            let by: Vec<String> = t
                .by_role
                .iter()
                .map(|(r, n)| {
                    format!(
                        "{r} {}",
                        n.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
                    )
                })
                .collect();
            println!("  {:<48} {}", t.label, by.join(", "));
        }
    }
}
