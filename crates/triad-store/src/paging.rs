//! Pages of long lists, by keyset: a page is at most `limit` rows that come after a cursor row
//! in the list's own order. The cursor is the id of the last row a client was given; the
//! database looks that row's sort key up again, so a cursor stays valid while rows are added,
//! and a page never costs more than its `limit` rows however deep the client has read.
//!
//! The cursor row is looked up within the same scope as the list (the same campus, the same
//! author): an id from somewhere else yields an empty page and tells nothing about that row.

use triad_domain::Id;

/// One page of a list: how many rows, and after which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub after: Option<Id>,
}

impl Page {
    /// Every row: for lists that must be whole to be safe (the front office's printed list
    /// of bans) or to be right (a summary over them), never for an API answer.
    pub const ALL: Self = Self::first(i64::MAX);

    /// The first `limit` rows.
    pub const fn first(limit: i64) -> Self {
        Self { limit, after: None }
    }

    /// The cursor as the SQL binds it: empty text for the first page.
    pub fn cursor(&self) -> String {
        self.after.map(|id| id.to_string()).unwrap_or_default()
    }
}

/// Which way a list runs along its sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// The condition that keeps the rows of `page` after its cursor (bound at `param`, as
/// [`Page::cursor`] gives it) in a list of `table` sorted by `key` (its last column must be
/// unique, normally `id`). `alias` prefixes the outer query's columns (`"d."` or `""`); `scope`
/// restricts the cursor lookup to the list's own rows and names columns of `table` unprefixed.
///
/// The text names the cursor's row only when the page has one. A plan made once for the text
/// (SQLite's always, PostgreSQL's for lists) could not leave out an `OR` for the first page,
/// and would then filter every row before the cursor instead of starting the walk there.
pub fn after_cursor(
    page: &Page,
    param: &str,
    table: &str,
    alias: &str,
    key: &[&str],
    order: Order,
    scope: &str,
) -> String {
    if page.after.is_none() {
        // The parameter is still named: both engines want every bound value used.
        return format!("{param} = ''");
    }
    let outer: Vec<String> = key.iter().map(|k| format!("{alias}{k}")).collect();
    let inner = key.join(", ");
    let op = match order {
        Order::Ascending => ">",
        Order::Descending => "<",
    };
    format!(
        "({}) {op} (SELECT {inner} FROM {table} WHERE id = {param} AND {scope})",
        outer.join(", ")
    )
}

/// Whether a cursor still names a row of its list: `table`'s row `cursor` whose
/// `scope_column` holds `scope`. An empty page after a cursor that is not (a row removed by
/// retention since, or a cursor of another list) would read as the end of the list; the
/// caller says so instead. `table` and `scope_column` are the caller's constants.
pub async fn cursor_in_list<'c>(
    conn: impl Into<crate::Conn<'c>>,
    table: &str,
    scope_column: &str,
    scope: Id,
    cursor: Id,
) -> crate::StoreResult<bool> {
    let mut c: crate::Conn = conn.into();
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1 AND {scope_column} = $2");
    let n = crate::fetch_scalar!(&mut c, i64, &sql, cursor.to_string(), scope.to_string())?;
    Ok(n > 0)
}

/// The condition that `text` (an SQL expression) holds the parameter `param`, which is what was
/// typed, trimmed and lowercased; the match is of any case.
///
/// Asked with a function rather than LIKE: PostgreSQL reckons a third of the rows pass rather
/// than almost none, so a page of a list walks its index in order and stops at the page. Told
/// a search for "guest1" kept 3 of a day's 11,000 sign-ins (all of them held it), it read and
/// sorted the whole day: 16 ms against 0.3 ms.
pub fn holds_typed(engine: crate::Engine, text: &str, param: &str) -> String {
    let position = match engine {
        crate::Engine::Sqlite => "instr",
        crate::Engine::Postgres => "strpos",
    };
    format!("{position}(LOWER({text}), {param}) > 0")
}

/// A LIKE pattern (with `ESCAPE '\'`) for rows whose text contains what was typed, in any
/// case: typed `%`, `_` and `\` match themselves. None when nothing was typed.
pub fn contains_pattern(typed: &str) -> Option<String> {
    let escaped: String = typed
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|ch| match ch {
            '%' | '_' | '\\' => vec!['\\', ch],
            _ => vec![ch],
        })
        .collect();
    (!escaped.is_empty()).then(|| format!("%{escaped}%"))
}
