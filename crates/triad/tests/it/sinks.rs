//! Receivers for what Triad sends out, speaking the real protocols over TCP: a mail sink
//! (enough SMTP for a client to deliver a message) and a webhook receiver (enough HTTP/1.1 to
//! take a POST). Each keeps what it received for the test to read.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What a sink has received so far.
#[derive(Clone, Default)]
pub struct Received(Arc<Mutex<Vec<String>>>);

impl Received {
    fn push(&self, item: String) {
        self.0.lock().expect("sink lock").push(item);
    }

    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("sink lock").clone()
    }

    /// Waits (generously) until something received contains `wanted`.
    pub async fn wait_for(&self, wanted: &str) -> Option<String> {
        let deadline = std::time::Instant::now() + crate::support::PATIENCE;
        while std::time::Instant::now() < deadline {
            if let Some(found) = self.all().into_iter().find(|m| m.contains(wanted)) {
                return Some(found);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

/// Accepts connections on a free port and hands each to `session` with what is kept.
async fn listen<F, Fut>(scheme: &str, path: &str, session: F) -> (String, Received)
where
    F: Fn(tokio::net::TcpStream, Received) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a sink");
    let url = format!("{scheme}://{}{path}", listener.local_addr().expect("addr"));
    let received = Received::default();
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(session(stream, kept.clone()));
        }
    });
    (url, received)
}

/// The public address of the instances [`app_with_mail`] starts.
pub const PUBLIC: &str = "https://triad.district.test";

/// The configuration of an instance that sends email to a fresh [`mail_sink`], with a public
/// address and behind a TLS proxy (its network source is the `X-Forwarded-For` header), and
/// what the sink receives.
pub async fn mail_config() -> (triad_web::WebConfig, Received) {
    let (smtp_url, mail) = mail_sink().await;
    let config = triad_web::WebConfig {
        behind_tls_proxy: true,
        notices: triad_web::operations::NoticeConfig {
            smtp_url: Some(smtp_url),
            from: "Triad <triad@district.test>".into(),
            public_url: Some(PUBLIC.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    (config, mail)
}

/// An instance that sends email to a fresh sink, and what the sink receives.
pub async fn app_with_mail(engine: crate::support::Engine) -> (crate::support::TestApp, Received) {
    let (config, mail) = mail_config().await;
    (
        crate::support::TestApp::start_with(engine, config).await,
        mail,
    )
}

/// A received message as its reader sees it: quoted-printable soft line breaks (where a line
/// is long) taken out.
pub fn unfolded(message: &str) -> String {
    message.replace("=\r\n", "").replace("=\n", "")
}

/// An SMTP server that accepts every message; yields its `smtp://` URL.
pub async fn mail_sink() -> (String, Received) {
    listen("smtp", "", smtp_session).await
}

async fn smtp_session(stream: tokio::net::TcpStream, kept: Received) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut envelope = String::new();
    while let Some(line) = lines.next_line().await? {
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
            b"250 sink\r\n"
        } else if command.starts_with("MAIL FROM") || command.starts_with("RCPT TO") {
            envelope.push_str(&line);
            envelope.push('\n');
            b"250 OK\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 end with a dot\r\n").await?;
            let mut message = std::mem::take(&mut envelope);
            while let Some(data) = lines.next_line().await? {
                if data == "." {
                    break;
                }
                message.push_str(&data);
                message.push('\n');
            }
            kept.push(message);
            b"250 queued\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

/// An HTTP server that answers 200 to every request and keeps each as "headers\n\nbody";
/// yields its URL.
pub async fn webhook_sink() -> (String, Received) {
    listen("http", "/hook", http_request).await
}

async fn http_request(stream: tokio::net::TcpStream, kept: Received) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&lower);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    kept.push(format!("{head}\n{}", String::from_utf8_lossy(&body)));
    reader
        .get_mut()
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .await
}
