//! Instance settings: a small key–value table with defaults in the code.

use crate::{execute, fetch_optional, Conn, StoreResult};

#[derive(sqlx::FromRow)]
struct Value {
    value: String,
}

pub async fn get<'c>(conn: impl Into<Conn<'c>>, key: &str) -> StoreResult<Option<String>> {
    let mut c: Conn = conn.into();
    let row = fetch_optional!(
        &mut c,
        Value,
        "SELECT value FROM settings WHERE key = $1",
        key.to_string()
    )?;
    Ok(row.map(|r| r.value))
}

/// A whole-number setting, or its default when unset or unreadable.
pub async fn get_i64<'c>(conn: impl Into<Conn<'c>>, key: &str, default: i64) -> StoreResult<i64> {
    Ok(get(conn, key)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default))
}

pub async fn set<'c>(conn: impl Into<Conn<'c>>, key: &str, value: &str) -> StoreResult<()> {
    let mut c: Conn = conn.into();
    execute!(
        &mut c,
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key.to_string(),
        value.to_string()
    )?;
    Ok(())
}
