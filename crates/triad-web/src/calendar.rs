//! A person's private calendar feed (`/calendar/{secret}.ics`), as iCalendar (RFC 5545): read
//! by calendar apps with no session, through the link its owner made on their account page.

use crate::context::source_of;
use crate::error::ErrorBody;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, EventLike};
use triad_app::calendar::CalendarFeed;
use triad_app::error::AppError;

pub fn routes() -> Routes {
    Routes::default().get("/calendar/{file}", feed)
}

async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    match triad_app::calendar::feed(&state.app, secret, source_of(&parts, &state)).await {
        Ok(feed) => {
            let base = crate::views::public_address(&state, &parts.headers);
            (
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                    // What the feed holds is private and changes: no copy kept on the way.
                    (header::CACHE_CONTROL, "private, no-store"),
                ],
                icalendar_text(&feed, &base, state.now()),
            )
                .into_response()
        }
        // Said as a page to a person who opens the link in a browser.
        Err(AppError::NotFound) => {
            let mut gone = StatusCode::NOT_FOUND.into_response();
            gone.extensions_mut().insert(ErrorBody {
                error: "not_found".into(),
                message: "this calendar link was stopped, or never existed: make a new one on your account page".into(),
                fields: Vec::new(),
            });
            gone
        }
        Err(e) => crate::error::WebError::from(e).into_response(),
    }
}

/// The feed as iCalendar: each entry a whole-day event on its day, linking to its page.
fn icalendar_text(feed: &CalendarFeed, base: &str, now: triad_domain::Timestamp) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("Triad: {}", feed.owner));
    for entry in &feed.entries {
        calendar.push(
            Event::new()
                .uid(&format!("{}@triad", entry.uid))
                .timestamp(now.to_datetime())
                .all_day(entry.on)
                .summary(&entry.summary)
                .url(&format!("{base}{}", entry.link))
                .done(),
        );
    }
    calendar.done().to_string()
}
