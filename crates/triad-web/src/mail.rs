//! Sending one plain-text email through the SMTP relay the instance is configured with (the
//! notices' `TRIAD_SMTP_URL` and sender).

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Sends `text` to `to` through the relay at `smtp_url`, from `from`. The error says what
/// failed, for the log; it never holds the relay's password.
pub async fn send_text(
    smtp_url: &str,
    from: &str,
    to: &str,
    subject: &str,
    text: String,
) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
    let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .body(text)
        .map_err(|e| format!("message: {e}"))?;
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
        .map_err(|e| format!("SMTP address: {e}"))?
        .timeout(Some(Duration::from_secs(10)))
        .build();
    mailer
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP: {e}"))
}
