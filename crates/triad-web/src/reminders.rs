//! Reminders by email, sent by a job every instance runs (each reminder claimed once in the
//! database), and the page their one-click stop link opens. Sent only where Triad can send
//! email and knows its public address, which the links are built from.

use crate::context::source_of;
use crate::routes::Routes;
use crate::views::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use triad_app::error::AppError;

/// How often the job looks for reminders to send.
const EVERY: Duration = Duration::from_secs(15 * 60);

pub fn routes() -> Routes {
    Routes::default()
        .get("/email/stop/{token}", stop_page)
        .post("/email/stop/{token}", stop)
}

/// How many emails a round sent, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub reminders: usize,
    pub digests: usize,
}

/// Sends the reminders and weekly emails due now; how many went out. One that could not be
/// sent is given back, for the next round.
pub async fn send_due(state: &AppState) -> Result<Sent, AppError> {
    let config = &state.config.notices;
    let mut sent = Sent::default();
    let (Some(smtp_url), Some(base)) = (config.smtp_url.as_deref(), config.public_url.as_deref())
    else {
        return Ok(sent);
    };
    let base = base.trim_end_matches('/');
    let mut due = triad_app::reminders::claim_due(&state.app).await?;
    due.extend(triad_app::reminders::claim_digests(&state.app).await?);
    for reminder in due {
        let text = reminder
            .text
            .replace("{link}", &format!("{base}{}", reminder.link));
        let stop_url = format!("{base}/email/stop/{}", reminder.stop_token);
        let delivered = crate::mail::send_stoppable(
            smtp_url,
            &config.from,
            &reminder.to,
            &reminder.subject,
            text,
            &stop_url,
        )
        .await;
        match delivered {
            Ok(()) if reminder.kind == triad_app::reminders::WEEKLY_DIGEST => sent.digests += 1,
            Ok(()) => sent.reminders += 1,
            Err(e) => {
                tracing::warn!(error = %e, "a reminder could not be sent; it is tried again");
                triad_app::reminders::release(&state.app, &reminder).await?;
            }
        }
    }
    Ok(sent)
}

/// Sends reminders for as long as the server runs, a round every 15 minutes from a quarter
/// hour after it starts (a restart sends nothing twice either way: every email is claimed).
pub async fn remind_forever(state: AppState) {
    loop {
        tokio::time::sleep(EVERY).await;
        if let Err(e) = send_due(&state).await {
            tracing::warn!(error = %e, "reminders: a round failed");
        }
    }
}

#[derive(Template)]
#[template(path = "email_stop.html")]
struct StopPage {
    /// What the link stops, when its token holds.
    what: Option<&'static str>,
    action: String,
    done: bool,
}

/// The stop link opened in a browser: a button, since opening a link (or a mail filter that
/// follows it) must change nothing.
async fn stop_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let what = triad_app::reminders::read_stop_token(&state.app, &token)
        .ok()
        .and_then(|(_, kind)| triad_app::reminders::kind_in_words(kind));
    page(StopPage {
        what,
        action: format!("/email/stop/{token}"),
        done: false,
    })
}

/// Stops that kind of email for that person: the one-click POST of RFC 8058, with no session.
async fn stop(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let source = source_of(&parts, &state);
    match triad_app::reminders::stop(&state.app, &token, source).await {
        Ok(what) => page(StopPage {
            what: Some(what),
            action: String::new(),
            done: true,
        }),
        Err(AppError::NotFound) => page(StopPage {
            what: None,
            action: String::new(),
            done: false,
        }),
        Err(e) => crate::error::WebError::from(e).into_response(),
    }
}

fn page(page: StopPage) -> Response {
    let status = if page.what.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    match render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}
