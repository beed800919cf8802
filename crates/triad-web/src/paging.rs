//! Pages of the API's lists: `limit` (capped) and `after` (a cursor: the id of the last item
//! of the page before), with a `Link: <…>; rel="next"` header on every full page. One shape
//! for every list, so a client pages them all with the same few lines.

use crate::error::WebResult;
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use triad_domain::{Id, Invalid};
pub use triad_store::paging::Page;

/// The most items one answer carries.
pub const MAX_LIMIT: i64 = 500;
/// How many items a list gives when the client does not say.
pub const DEFAULT_LIMIT: i64 = 50;

/// The query of a list: how many, and after which item.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items (1 to 500; default 50).
    #[serde(default)]
    pub limit: Option<i64>,
    /// The next page: the items after this one (the cursor the `Link: rel="next"` header
    /// names).
    #[serde(default)]
    pub after: Option<String>,
}

impl PageQuery {
    /// The page asked for; a limit out of range or a cursor that is not one is refused by
    /// name rather than quietly replaced.
    pub fn page(&self) -> WebResult<Page> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Invalid::one("limit", "must be between 1 and 500").into());
        }
        let after = match self.after.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Id::parse(text).ok_or_else(|| {
                Invalid::one("after", "is not a cursor this list gave (an item's id)")
            })?),
        };
        Ok(Page { limit, after })
    }
}

/// A list as the API answers it: the body as JSON (the items, or a record that holds them),
/// and the link to the next page when this one is full (a full page may have more behind
/// it; the last page may then be empty).
pub struct Listed<T> {
    pub body: T,
    pub next: Option<String>,
    pub uri: Uri,
}

impl<T> Listed<T> {
    pub fn new(body: T, next: Option<String>, uri: Uri) -> Self {
        Self { body, next, uri }
    }
}

impl<T> Listed<Vec<T>> {
    /// `items`, one page of a list, where `cursor_of` gives the cursor an item stands for.
    pub fn items(items: Vec<T>, page: Page, uri: Uri, cursor_of: impl Fn(&T) -> String) -> Self {
        let next = next_cursor(&items, page, cursor_of);
        Self::new(items, next, uri)
    }
}

/// The cursor of the page after `items`, when they fill `page`.
pub fn next_cursor<T>(items: &[T], page: Page, cursor_of: impl Fn(&T) -> String) -> Option<String> {
    if items.len() as i64 >= page.limit {
        items.last().map(cursor_of)
    } else {
        None
    }
}

impl<T: Serialize> IntoResponse for Listed<T> {
    fn into_response(self) -> Response {
        let link = self
            .next
            .and_then(|cursor| next_link(&self.uri, "after", &cursor));
        let mut response = Json(self.body).into_response();
        if let Some(link) = link {
            response.headers_mut().insert(header::LINK, link);
        }
        response
    }
}

/// The same request with `key` set to `value` (every other parameter kept), as a `Link`
/// header naming the next page.
pub fn next_link(uri: &Uri, key: &str, value: &str) -> Option<HeaderValue> {
    let mut pairs: Vec<(String, String)> = uri
        .query()
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    pairs.retain(|(k, _)| k != key);
    pairs.push((key.to_string(), value.to_string()));
    let query = serde_urlencoded::to_string(&pairs).ok()?;
    HeaderValue::from_str(&format!("<{}?{query}>; rel=\"next\"", uri.path())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_out_of_range_or_a_foreign_cursor_is_refused_by_name() {
        for limit in [0, -1, MAX_LIMIT + 1] {
            let q = PageQuery {
                limit: Some(limit),
                after: None,
            };
            assert!(q.page().is_err(), "limit {limit}");
        }
        let q = PageQuery {
            limit: None,
            after: Some("'; DROP TABLE users; --".into()),
        };
        assert!(q.page().is_err());
        assert_eq!(
            PageQuery::default().page().unwrap(),
            Page::first(DEFAULT_LIMIT)
        );
    }

    #[test]
    fn the_next_link_keeps_the_filter_and_replaces_the_cursor() {
        let uri: Uri = "/api/v1/campuses/x/visitors?days=7&after=old&limit=2"
            .parse()
            .unwrap();
        let link = next_link(&uri, "after", "new").unwrap();
        assert_eq!(
            link.to_str().unwrap(),
            "</api/v1/campuses/x/visitors?days=7&limit=2&after=new>; rel=\"next\""
        );
    }
}
