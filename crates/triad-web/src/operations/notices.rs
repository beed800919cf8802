//! Notices to district leaders when police or sheriff are called to a campus (seed 001: the
//! chief of campus police or safety director and the superintendent are told at the earliest
//! opportunity). A notice is written in the same transaction as the step that calls for it;
//! this module then delivers it by email (SMTP) and by a signed webhook, retrying until each
//! configured channel has taken it. Delivery is at least once: receivers de-duplicate on the
//! notice id. Triad does not replace the district's emergency notification or 911 systems.

use crate::AppState;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;
use triad_store::operations::{self as store, NoticeRow};

/// Where notices go besides Triad's own pages.
#[derive(Clone, Default)]
pub struct NoticeConfig {
    /// An SMTP relay, as `smtp://host:port` (plain, for a local relay), `smtp://host?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS).
    pub smtp_url: Option<String>,
    /// The sender of notice emails.
    pub from: String,
    /// A URL that receives each notice as signed JSON.
    pub webhook_url: Option<String>,
    /// The secret the webhook's HMAC-SHA256 signature is made with.
    pub webhook_secret: Option<String>,
    /// Triad's address as people reach it, for links in emails.
    pub public_url: Option<String>,
}

impl std::fmt::Debug for NoticeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The SMTP URL may hold a password and the secret is one: neither is printed.
        f.debug_struct("NoticeConfig")
            .field("email", &self.smtp_url.is_some())
            .field("webhook", &self.webhook_url.is_some())
            .finish()
    }
}

/// A delivery is given up after this many attempts; the notice stays on the event's page,
/// unacknowledged, for people to chase by phone.
const MAX_ATTEMPTS: i64 = 20;

/// How often undelivered notices are retried.
pub const RETRY_EVERY: Duration = Duration::from_secs(30);

/// The body of the webhook: what a paging or messaging system needs to pass a notice on.
#[derive(Debug, Serialize)]
struct WebhookBody<'a> {
    notice_id: &'a str,
    event_id: &'a str,
    recipient: &'a str,
    recipient_email: Option<&'a str>,
    subject: &'a str,
    body: &'a str,
    created_at: i64,
    link: String,
}

/// The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, so a
/// receiver can check both who sent it and that it is not an old one replayed.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn link(config: &NoticeConfig, event_id: &str) -> String {
    let base = config
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/');
    format!("{base}/campus-events/{event_id}")
}

async fn send_email(config: &NoticeConfig, url: &str, n: &NoticeRow) -> Result<(), String> {
    let text = format!(
        "{}\n\nAcknowledge it in Triad: {}\n\nTriad does not replace 911 or the district's emergency notification system.\n",
        n.body,
        link(config, &n.event_id)
    );
    let to = n.email.as_deref().unwrap_or_default();
    crate::mail::send_text(url, &config.from, to, &n.subject, text).await
}

async fn send_webhook(
    config: &NoticeConfig,
    url: &str,
    n: &NoticeRow,
    unix_seconds: i64,
) -> Result<(), String> {
    let body = serde_json::to_vec(&WebhookBody {
        notice_id: &n.id,
        event_id: &n.event_id,
        recipient: n.recipient_name.as_deref().unwrap_or(&n.recipient_id),
        recipient_email: n.email.as_deref(),
        subject: &n.subject,
        body: &n.body,
        created_at: n.created_at,
        link: link(config, &n.event_id),
    })
    .map_err(|e| e.to_string())?;
    let secret = config.webhook_secret.as_deref().unwrap_or_default();
    let response = reqwest::Client::new()
        .post(url)
        .timeout(Duration::from_secs(10))
        .header("content-type", "application/json")
        .header("x-triad-signature", signature(secret, unix_seconds, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("webhook: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("webhook answered {}", response.status()))
    }
}

/// Tries every notice still owed a channel once. Only one delivery runs at a time in an
/// instance, so a notice written while the retry loop runs is not sent twice by it.
pub async fn deliver_pending(state: &AppState) -> triad_store::StoreResult<usize> {
    let _turn = state.deliveries.lock().await;
    let config = &state.config.notices;
    let email_on = config.smtp_url.is_some();
    let webhook_on = config.webhook_url.is_some();
    if !email_on && !webhook_on {
        return Ok(0);
    }
    let pending = store::undelivered(
        &mut state.db.acquire().await?,
        MAX_ATTEMPTS,
        email_on,
        webhook_on,
        100,
    )
    .await?;
    for n in &pending {
        let now = state.now();
        let mut errors = Vec::new();
        let mut emailed = None;
        if let (Some(url), None, Some(_)) = (&config.smtp_url, n.email_sent_at, &n.email) {
            match send_email(config, url, n).await {
                Ok(()) => emailed = Some(now.millis()),
                Err(e) => errors.push(e),
            }
        }
        let mut hooked = None;
        if let (Some(url), None) = (&config.webhook_url, n.webhook_sent_at) {
            match send_webhook(config, url, n, now.millis() / 1000).await {
                Ok(()) => hooked = Some(now.millis()),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            tracing::warn!(notice = %n.id, errors = %errors.join("; "), "notice not delivered yet");
        }
        let error = Some(errors.join("; ")).filter(|e| !e.is_empty());
        // Through the writer, like every write.
        let mut tx = state.db.begin_unkeyed().await?;
        store::delivered(&mut tx, &n.id, emailed, hooked, error).await?;
        tx.commit().await?;
    }
    Ok(pending.len())
}

/// Delivers notices for as long as the server runs: as soon as a change writes some (the
/// application tells [`triad_app::App::notices_written`] once it committed), and again every
/// little while for those not delivered yet.
pub async fn retry_forever(state: AppState) {
    loop {
        if let Err(e) = deliver_pending(&state).await {
            tracing::warn!(error = %e, "notices: delivery failed");
        }
        tokio::select! {
            _ = state.notices_written.notified() => {}
            _ = tokio::time::sleep(RETRY_EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let a = signature("s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature("s3cret", 1_700_000_001, b"{\"a\":1}"));
        assert_ne!(a, signature("s3cret", 1_700_000_000, b"{\"a\":2}"));
        assert_ne!(a, signature("other", 1_700_000_000, b"{\"a\":1}"));
    }
}
