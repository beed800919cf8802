//! The audit page and export: district leaders see their districts' entries, system
//! administrators every entry. Entries hold ids and hashes, never record content.

use crate::context::Ctx;
use crate::error::WebResult;
use crate::paging::next_link;
use crate::routes::Routes;
use crate::views::{render, Layout};
use askama::Template;
use axum::extract::Query;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;
use triad_app::audit_trail::{entries, AuditQuery, EntryView, PAGE_LIMIT};

pub fn routes() -> Routes {
    Routes::default()
        .get("/audit", page)
        .get("/api/v1/audit", api)
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    layout: Layout,
    q: AuditQuery,
    entries: Vec<EntryView>,
    /// The people the filter offers: (user id, name).
    people: Vec<(String, String)>,
    /// The link to the older entries, the filter kept, when there may be more.
    older: Option<String>,
    /// An "older" page asked for past the last entry.
    past_end: bool,
}

/// How many entries a page of the audit trail shows, as every list of Triad pages (the API and
/// the CSV take `limit`).
const ENTRIES_PER_PAGE: i64 = 50;

async fn page(ctx: Ctx, Query(mut q): Query<AuditQuery>) -> WebResult<Response> {
    if q.format != "csv" && q.limit.is_none() {
        q.limit = Some(ENTRIES_PER_PAGE);
    }
    let entries: Vec<EntryView> = entries(&ctx, &q).await?;
    if q.format == "csv" {
        return csv(entries);
    }
    let full = entries.len() as i64 >= q.limit.unwrap_or(ENTRIES_PER_PAGE);
    let older = entries.last().filter(|_| full).map(|last| {
        let kept = [
            ("action", q.action.clone()),
            ("outcome", q.outcome.clone()),
            ("actor", q.actor.clone()),
            ("from", q.from.clone()),
            ("to", q.to.clone()),
            ("before", last.seq.to_string()),
        ];
        format!(
            "/audit?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    });
    let people = triad_app::audit_trail::actor_choices(&ctx, &entries, &q.actor).await?;
    Ok(render(&AuditPage {
        layout: Layout::new(&ctx),
        people,
        past_end: entries.is_empty() && q.before.is_some(),
        older,
        q,
        entries,
    })?
    .into_response())
}

fn csv(entries: Vec<EntryView>) -> WebResult<Response> {
    crate::views::csv_attachment("triad-audit.csv", &entries)
}

/// Audit entries, newest first (district leaders: their districts; system administrators:
/// all).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = [EntryView], headers(("Link" = String, description = "the next page, when there may be one")))), security(("token" = [])))]
pub async fn api(ctx: Ctx, uri: Uri, Query(q): Query<AuditQuery>) -> WebResult<Response> {
    let entries: Vec<EntryView> = entries(&ctx, &q).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, PAGE_LIMIT);
    // A full page may have more behind it: name the next one (the same filter, older).
    let next = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let mut response = Json(entries).into_response();
    if let Some(link) = next.and_then(|before| next_link(&uri, "before", &before.to_string())) {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api), components(schemas(EntryView)))]
pub struct AuditApiDoc;
