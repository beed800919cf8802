//! No text a client sends may hold a NUL character (a zero byte). PostgreSQL refuses one in
//! text while SQLite keeps it, so the same request would be saved on one engine and fail on
//! the other; no field of Triad has a use for one. Refused here, before any handler, with the
//! field named: in the address's query, a JSON body, a form, or a form's text parts (files
//! are bytes and may hold anything).

use crate::error::WebError;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses a request whose query holds a NUL in a name or a value.
pub async fn refuse_in_query(request: Request, next: Next) -> Response {
    if let Some(query) = request.uri().query() {
        if let Some(name) = in_pairs(query.as_bytes()) {
            return refused(&name).into_response();
        }
    }
    next.run(request).await
}

/// The error for a field that holds a NUL.
pub fn refused(field: &str) -> WebError {
    WebError::BadRequest(format!(
        "`{field}` holds a NUL character (a zero byte), which no text may contain"
    ))
}

/// Refuses a JSON or form body holding a NUL in any text. Other bodies (uploads) are checked
/// part by part where they are read.
pub fn refuse_in_body(headers: &axum::http::HeaderMap, body: &[u8]) -> Result<(), WebError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let found = if content_type.starts_with("application/json") {
        // A body that is not JSON is the handler's to refuse, with its own message.
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|value| in_json(&value, ""))
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        in_pairs(body)
    } else {
        None
    };
    found.map_or(Ok(()), |field| Err(refused(&field)))
}

/// The first name in `a=b&c=d` whose name or value decodes to text with a NUL.
fn in_pairs(encoded: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(encoded).ok()?;
    pairs
        .into_iter()
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.replace('\0', "\\0"))
}

/// Where in a JSON value a string (or an object's key) holds a NUL, as a dotted path.
fn in_json(value: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    let here = || {
        if at.is_empty() {
            "body".to_string()
        } else {
            at.to_string()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(here()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| in_json(item, &format!("{}[{i}]", here()))),
        Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            let path = if at.is_empty() {
                name.replace('\0', "\\0")
            } else {
                format!("{at}.{}", name.replace('\0', "\\0"))
            };
            if name.contains('\0') {
                Some(path)
            } else {
                in_json(item, &path)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_field_holding_a_nul_is_named() {
        assert_eq!(
            in_json(&json!({"note": "a\u{0}b"}), ""),
            Some("note".into())
        );
        assert_eq!(
            in_json(&json!({"steps": [{"text": "ok"}, {"text": "\u{0}"}]}), ""),
            Some("steps[1].text".into())
        );
        assert_eq!(in_json(&json!({"a\u{0}": 1}), ""), Some("a\\0".into()));
        assert_eq!(in_json(&json!("\u{0}"), ""), Some("body".into()));
        assert_eq!(in_json(&json!({"note": "fine", "n": 0}), ""), None);
        // The six characters `\u0000` written as text are not a NUL.
        let text: serde_json::Value = serde_json::from_str(r#"{"note": "\\u0000"}"#).unwrap();
        assert_eq!(in_json(&text, ""), None);
    }

    #[test]
    fn forms_and_queries_are_decoded_before_looking() {
        assert_eq!(in_pairs(b"q=ab%00c&x=1"), Some("q".into()));
        assert_eq!(in_pairs(b"ok=1&n%00=2"), Some("n\\0".into()));
        assert_eq!(
            in_pairs(b"q=%2500"),
            None,
            "an encoded percent sign is text"
        );
        assert_eq!(in_pairs(b"q=plain"), None);
    }
}
