//! `triad serve` (and the demo's serving): the web server with its daily and hourly upkeep.
//! The one module of the binary that names the web layer.

use anyhow::{bail, Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use triad_store::instance::Instance;
use triad_store::Db;

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on. Plain HTTP is served only on loopback unless a TLS proxy is in front.
    #[arg(long, env = "TRIAD_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A reverse proxy in front of Triad terminates TLS (allows non-loopback addresses, sends HSTS,
    /// trusts X-Forwarded-For for the client address).
    #[arg(long, env = "TRIAD_BEHIND_TLS_PROXY")]
    pub behind_tls_proxy: bool,
    /// Require a second factor (TOTP) for sworn officers and administrators.
    #[arg(long, env = "TRIAD_REQUIRE_SECOND_FACTOR")]
    pub require_second_factor: bool,
    /// The largest form with photos accepted, in megabytes (each photo is also capped at 25).
    #[arg(long, env = "TRIAD_UPLOAD_LIMIT_MB", default_value_t = 40)]
    pub upload_limit_mb: usize,
    /// The SMTP relay notices to district leaders go out by: smtp://host:port (plain, a local
    /// relay), smtp://host?tls=required (STARTTLS) or smtps://user:password@host.
    #[arg(long, env = "TRIAD_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of notice emails.
    #[arg(
        long,
        env = "TRIAD_NOTICE_FROM",
        default_value = "Triad <triad@localhost>"
    )]
    pub notice_from: String,
    /// A URL that receives every notice as JSON signed with HMAC-SHA256 (needs
    /// TRIAD_WEBHOOK_SECRET).
    #[arg(long, env = "TRIAD_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// The webhook's signing secret (give it in the environment, not on the command line).
    #[arg(long, env = "TRIAD_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Triad's address as people reach it (https://triad.example.org), for links in emails.
    #[arg(long, env = "TRIAD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A TOML file of the identity providers people sign in through (OpenID Connect; see
    /// docs/sign-in.md). Needs --public-url: providers send people back to it.
    #[arg(long, env = "TRIAD_IDENTITY_PROVIDERS")]
    pub identity_providers: Option<PathBuf>,
}

/// Visitor sign-ins past their retention period, requests for a new password past their
/// hour, provider sign-ins that never came back and the old log of changed bans go once a
/// day (and at start). Several instances may each run it: the purge is idempotent.
async fn purge_daily(db: Db) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    loop {
        every_day.tick().await;
        let now = triad_domain::Timestamp::from_datetime(chrono::Utc::now());
        match triad_app::upkeep::purge_visitors(&db, now, None).await {
            Ok(n) => tracing::info!(removed = n, "visitor sign-ins past retention purged"),
            Err(e) => tracing::error!(error = %e, "purging visitor sign-ins failed"),
        }
        if let Err(e) = triad_app::upkeep::forget_old_password_resets(&db, now).await {
            tracing::error!(error = %e, "forgetting old password reset requests failed");
        }
        if let Err(e) = triad_app::upkeep::forget_unfinished_sign_ins(&db, now).await {
            tracing::error!(error = %e, "forgetting unfinished provider sign-ins failed");
        }
        if let Err(e) =
            triad_app::upkeep::forget_old_ban_changes(&db, triad_app::upkeep::BAN_CHANGES_KEPT)
                .await
        {
            tracing::error!(error = %e, "forgetting the old log of changed bans failed");
        }
    }
}

/// Every hour (and at start): idempotency keys past their keeping time go, the past days'
/// counts of anonymous survey answers go to the audit trail, and a signed checkpoint of the
/// trail is written when it has grown enough since the last.
async fn hourly(db: Db, data_dir: PathBuf) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let now = triad_domain::Timestamp::from_datetime(chrono::Utc::now());
        match triad_app::upkeep::purge_expired_keys(&db, now).await {
            Ok(n) => tracing::debug!(removed = n, "expired idempotency keys purged"),
            Err(e) => tracing::error!(error = %e, "purging idempotency keys failed"),
        }
        if let Err(e) = triad_app::surveys::campaigns::audit_answer_days(&db, now).await {
            tracing::error!(error = %e, "writing survey answer counts to the audit trail failed");
        }
        match crate::audit_cli::write_due_checkpoint(&db, &data_dir).await {
            Ok(Some(path)) => tracing::info!(path = %path.display(), "audit checkpoint written"),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "writing an audit checkpoint failed"),
        }
    }
}

/// Serves the instance until Ctrl-C, with its daily and hourly upkeep.
pub async fn serve(db: Db, instance: Instance, data_dir: &Path, args: ServeArgs) -> Result<()> {
    if !args.addr.ip().is_loopback() && !args.behind_tls_proxy {
        bail!(
            "refusing to serve plain HTTP on {}: sign-in cookies need TLS away from loopback. Put Triad behind a reverse proxy that terminates TLS and pass --behind-tls-proxy (see docs/operations.md)",
            args.addr
        );
    }
    if args.webhook_url.is_some() && args.webhook_secret.as_deref().unwrap_or("").len() < 16 {
        bail!("a notice webhook needs TRIAD_WEBHOOK_SECRET of at least 16 characters, so receivers can tell Triad's notices from forgeries");
    }
    let providers = match &args.identity_providers {
        None => triad_web::auth::providers::Providers::default(),
        Some(path) => {
            let list = triad_web::auth::providers::read_providers_file(path)
                .map_err(anyhow::Error::msg)?;
            let Some(public_url) = args.public_url.as_deref() else {
                bail!("identity providers need --public-url (TRIAD_PUBLIC_URL): Triad's address as browsers reach it, which providers send people back to");
            };
            for provider in &list {
                if let Some(district) = provider.district {
                    let mut conn = db.acquire().await?;
                    if triad_store::org::district(&mut conn, district)
                        .await?
                        .is_none()
                    {
                        bail!("identity provider {:?}: district {district} is not one of this instance's", provider.key);
                    }
                }
            }
            println!("Sign-in through {} identity provider(s)", list.len());
            triad_web::auth::providers::Providers::new(
                list,
                public_url,
                std::time::Duration::from_secs(10),
            )
            .map_err(anyhow::Error::msg)?
        }
    };
    let config = triad_web::WebConfig {
        providers,
        behind_tls_proxy: args.behind_tls_proxy,
        require_second_factor: args.require_second_factor,
        upload_limit: args.upload_limit_mb.max(1) * 1024 * 1024,
        notices: triad_web::operations::NoticeConfig {
            smtp_url: args.smtp_url,
            from: args.notice_from,
            webhook_url: args.webhook_url,
            webhook_secret: args.webhook_secret,
            public_url: args.public_url,
        },
        ..triad_web::WebConfig::default()
    };
    tokio::spawn(purge_daily(db.clone()));
    tokio::spawn(hourly(db.clone(), data_dir.to_path_buf()));
    let state = triad_web::AppState::new(
        db,
        std::sync::Arc::new(triad_web::SystemClock),
        config,
        instance,
    );
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    println!("Triad is serving on http://{}", listener.local_addr()?);
    triad_web::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
