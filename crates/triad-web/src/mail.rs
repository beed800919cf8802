//! Sending one plain-text email through the SMTP relay the instance is configured with (the
//! notices' `TRIAD_SMTP_URL` and sender).

use lettre::message::header::{HeaderName, HeaderValue};
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
    send(smtp_url, from, to, subject, text, None).await
}

/// Like [`send_text`], for email a person may stop: `stop_url` stops it with one click, from
/// the mail program's own button (RFC 8058) or from the link at the end of the text.
pub async fn send_stoppable(
    smtp_url: &str,
    from: &str,
    to: &str,
    subject: &str,
    text: String,
    stop_url: &str,
) -> Result<(), String> {
    let text = format!("{text}\nStop these emails: {stop_url}\n");
    send(smtp_url, from, to, subject, text, Some(stop_url)).await
}

async fn send(
    smtp_url: &str,
    from: &str,
    to: &str,
    subject: &str,
    text: String,
    stop_url: Option<&str>,
) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
    let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
    let mut builder = Message::builder().from(from).to(to).subject(subject);
    if let Some(url) = stop_url {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    let message = builder.body(text).map_err(|e| format!("message: {e}"))?;
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
