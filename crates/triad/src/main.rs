//! `triad`: the one binary. Serves the web application, fills a demo district, migrates,
//! manages accounts, backs up and restores, and verifies the audit trail.

mod activity_import;
mod audit_cli;
mod backup;
mod cli;
mod data;
mod demo;
mod demo_activity;
mod demo_improvement;
mod demo_incidents;
mod demo_mou;
mod demo_operations;
mod demo_program;
mod demo_surveys;
mod evidence_cli;
mod roster_cli;
mod server;
mod survey_cli;
mod users;

use anyhow::Result;
use clap::Parser;

/// jemalloc rather than the C library's allocator. A row is allocated on its SQLite
/// connection's thread and freed on the request's: glibc spent 30-40 % of a list page's CPU
/// on such frees and on consolidating its arenas. With jemalloc the field benchmark's lists run
/// about 20-35 % faster and its writes 10-15 %, and the server's peak memory is no higher
/// (the activity benchmark: 95.8 MiB against 98.2; the goal is under 100). mimalloc was as
/// fast but kept 114-120 MiB, holding freed memory for its threads.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: cli::Cli) -> Result<std::process::ExitCode> {
    cli::dispatch(args).await
}
