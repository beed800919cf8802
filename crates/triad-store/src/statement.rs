//! A write statement held as its text and values, so it can run now or travel later with
//! others. On SQLite every statement is a round trip to the connection's thread, on PostgreSQL
//! one over the network, and a write holds the one writer for all of its round trips:
//! statements whose answer nobody needs can go together, in one (see [`crate::Tx::defer`] and
//! the batch's commit in `group_commit`).

use crate::conn::Conn;
use crate::StoreResult;

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(Option<String>),
    Integer(Option<i64>),
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Integer(v)
    }
}

/// One statement, its placeholders numbered `$1…` in the order of `values`. The text is the
/// code's own (never input), so a `$` in it is always a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) sql: String,
    pub(crate) values: Vec<Value>,
}

/// Binds a statement's values in order onto a query of either engine's driver.
#[macro_export]
#[doc(hidden)]
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut q = $query;
        for value in $values {
            q = match value {
                $crate::statement::Value::Text(v) => q.bind(v.clone()),
                $crate::statement::Value::Integer(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

impl Statement {
    pub fn new(sql: impl Into<String>, values: Vec<Value>) -> Self {
        Self {
            sql: sql.into(),
            values,
        }
    }

    /// Runs the statement now; yields the rows it affected.
    pub async fn execute<'c>(&self, conn: impl Into<Conn<'c>>) -> StoreResult<u64> {
        let mut c: Conn = conn.into();
        Ok(crate::run!(&mut c, |c| {
            crate::bind_values!(sqlx::query(&self.sql), &self.values)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?)
    }
}

/// Statements joined into one text for SQLite, then `tail` (statements without values), with
/// every value in the order the text asks for it. SQLite runs such a text in one call, a
/// statement after another, and stops at the first that fails.
///
/// Each placeholder `$n` is written as an anonymous `?`, its value taken in its place (twice
/// if the statement names it twice). The driver looks a named placeholder's number up by name,
/// which SQLite finds by walking the statement's list of names: for the hundreds of values of
/// a round trip of writes that took 8 % of the writer's time. An anonymous one is simply the
/// next value. A placeholder without a value is written `NULL`, as the driver leaves it.
pub(crate) fn joined<'s>(statements: &'s [Statement], tail: &str) -> (String, Vec<&'s Value>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    for statement in statements {
        sql.push_str(&replace_placeholders(&statement.sql, |n| {
            match n.checked_sub(1).and_then(|i| statement.values.get(i)) {
                Some(value) => {
                    values.push(value);
                    "?".into()
                }
                None => "NULL".into(),
            }
        }));
        sql.push_str("; ");
    }
    sql.push_str(tail);
    (sql, values)
}

/// Statements and then `tail` as one text for PostgreSQL, each statement's values written in
/// where its placeholders were. Statements with bound values cannot share a round trip there
/// (the driver sends each on its own), but a text of plain statements goes in one, and runs
/// a statement after another, stopping at the first that fails.
pub(crate) fn written_in(statements: &[Statement], tail: &str) -> String {
    let mut sql = String::new();
    for statement in statements {
        sql.push_str(&replace_placeholders(&statement.sql, |n| {
            match n.checked_sub(1).and_then(|i| statement.values.get(i)) {
                Some(value) => literal(value),
                // A placeholder without its value fails there as it would when bound.
                None => format!("${n}"),
            }
        }));
        sql.push_str("; ");
    }
    sql.push_str(tail);
    sql
}

/// A value as a PostgreSQL expression of the type the driver binds it as (`text`, `int8`).
///
/// Text is an escape string (`E'…'`), whose escapes PostgreSQL reads the same whatever
/// `standard_conforming_strings` says: every backslash is doubled and every quote written
/// twice, so nothing in it can end the literal. Text holding a NUL, which PostgreSQL's text
/// cannot store, is written as hex digits and their decoding, which PostgreSQL refuses as it
/// refuses such a value bound. (Hex for every value cost a 32-entry audit insert 1.2 ms to
/// parse and plan instead of 0.3-0.5, inside the writer's turn.)
pub(crate) fn literal(value: &Value) -> String {
    match value {
        Value::Text(Some(text)) if text.contains('\0') => format!(
            "convert_from(decode('{}', 'hex'), 'UTF8')",
            hex::encode(text.as_bytes())
        ),
        Value::Text(Some(text)) => {
            let mut out = String::with_capacity(text.len() + 10);
            out.push_str("E'");
            for ch in text.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\'' => out.push_str("''"),
                    _ => out.push(ch),
                }
            }
            out.push_str("'::text");
            out
        }
        Value::Text(None) => "NULL::text".into(),
        Value::Integer(Some(n)) => format!("({n})::int8"),
        Value::Integer(None) => "NULL::int8".into(),
    }
}

/// The statements of writes sent together (`lengths`: how many of them are each write's, in
/// order), with alike writes' rows inserted by one statement a table. PostgreSQL parses, plans
/// and starts each statement of a text on its own, inside the writer's turn: at 32 clients an
/// incident's row cost it 47 µs inserted alone and 35 µs as one of a shared insert, and a whole
/// report 12-21 % less of its CPU.
///
/// Writes next to each other are alike when their statements have the same texts in the same
/// order and every one is a plain insert of one row of values ([`row_of_plain_insert`]).
/// Their statements then go table by table instead of write by write. That order changes no
/// row: such an insert reads nothing, and what the triggers on inserts keep (the activity
/// summaries, the version rows and the log of changed bans, migrations 0013, 0014, 0059 and
/// 0060) only adds up. Any other
/// write keeps its own statements, in its place. A write that would fail alone fails what it
/// was merged with, as any write sent together does: those writes are then sent again one by
/// one.
pub(crate) fn merged(statements: &[Statement], lengths: &[usize]) -> Vec<Statement> {
    let mut writes = Vec::with_capacity(lengths.len());
    let mut rest = statements;
    for &length in lengths {
        let (write, after) = rest.split_at(length.min(rest.len()));
        writes.push(write);
        rest = after;
    }
    let mut out = Vec::with_capacity(statements.len());
    let mut first = 0;
    while first < writes.len() {
        let write = writes[first];
        // Where each statement's row begins, if every one is a plain insert.
        let rows: Option<Vec<usize>> = write.iter().map(|s| row_of_plain_insert(&s.sql)).collect();
        let mut end = first + 1;
        if let Some(rows) = rows.filter(|rows| !rows.is_empty()) {
            while end < writes.len() && same_texts(write, writes[end]) {
                end += 1;
            }
            if end - first > 1 {
                for (at, row) in rows.into_iter().enumerate() {
                    out.push(rows_in_one(writes[first..end].iter().map(|w| &w[at]), row));
                }
                first = end;
                continue;
            }
        }
        out.extend(write.iter().cloned());
        first = end;
    }
    out.extend(rest.iter().cloned());
    out
}

fn same_texts(a: &[Statement], b: &[Statement]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.sql == b.sql)
}

/// Plain inserts of the same text, whose row begins at `row`, as one insert of all their rows.
fn rows_in_one<'s>(inserts: impl Iterator<Item = &'s Statement>, row: usize) -> Statement {
    let mut sql = String::new();
    let mut values = Vec::new();
    for insert in inserts {
        if sql.is_empty() {
            sql.push_str(&insert.sql[..row]);
        } else {
            sql.push_str(", ");
        }
        sql.push_str(&renumbered(&insert.sql[row..], values.len()));
        values.extend(insert.values.iter().cloned());
    }
    Statement { sql, values }
}

/// Where the row of a plain insert begins: `INSERT INTO t (…) VALUES (…)` with one row and
/// nothing after it (no `ON CONFLICT`, no `RETURNING`), the only statements [`merged`] joins.
/// `None` for any other statement.
fn row_of_plain_insert(sql: &str) -> Option<usize> {
    const VALUES: &str = " VALUES (";
    if !sql.starts_with("INSERT INTO ") {
        return None;
    }
    let row = sql.find(VALUES)? + VALUES.len() - 1;
    let mut depth = 0usize;
    let mut quoted = false;
    for (at, ch) in sql[row..].char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    // The row must end the text.
                    return (row + at + 1 == sql.len()).then_some(row);
                }
            }
            _ => {}
        }
    }
    None
}

/// `sql` with every placeholder `$n` written `$(n + offset)`.
fn renumbered(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    replace_placeholders(sql, |n| format!("${}", n + offset))
}

/// `sql` with every placeholder `$n` replaced by `with(n)`, in the order they appear. A `$`
/// inside a quoted literal or name is left as it is: it is no placeholder.
fn replace_placeholders(sql: &str, mut with: impl FnMut(usize) -> String) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote = None;
    let mut rest = sql;
    while let Some(at) = rest.find(['$', '\'', '"']) {
        out.push_str(&rest[..at]);
        let found = rest.as_bytes()[at] as char;
        rest = &rest[at + 1..];
        if found != '$' {
            // A doubled quote inside a literal closes and reopens it: the same in effect.
            quote = match quote {
                None => Some(found),
                Some(open) if open == found => None,
                open => open,
            };
            out.push(found);
            continue;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) if quote.is_none() => {
                out.push_str(&with(n));
                rest = &rest[digits..];
            }
            _ => out.push('$'),
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_statements_take_their_values_in_the_order_they_are_asked() {
        let first = Statement::new(
            "INSERT INTO a (x, y) VALUES ($1, $2)",
            vec![1.into(), "b".into()],
        );
        let second = Statement::new(
            "INSERT INTO c (z, w) VALUES ($2, $1)",
            vec![Value::Text(None), 3.into()],
        );
        let statements = [first, second];
        let (sql, values) = joined(&statements, "RELEASE SAVEPOINT member");
        assert_eq!(
            sql,
            "INSERT INTO a (x, y) VALUES (?, ?); INSERT INTO c (z, w) VALUES (?, ?); RELEASE SAVEPOINT member"
        );
        assert_eq!(
            values,
            vec![
                &Value::from(1),
                &Value::from("b"),
                &Value::from(3),
                &Value::Text(None),
            ]
        );
    }

    #[test]
    fn a_joined_value_goes_wherever_its_placeholder_is_and_quotes_hold_none() {
        let update = Statement::new(
            "UPDATE a SET x = $2, note = 'costs $1', \"$1\" = 'it''s $2' WHERE id = $1 AND $2 IS NOT NULL AND y = $3",
            vec!["k".into(), 7.into()],
        );
        let statements = [update];
        let (sql, values) = joined(&statements, "COMMIT");
        assert_eq!(
            sql,
            "UPDATE a SET x = ?, note = 'costs $1', \"$1\" = 'it''s $2' WHERE id = ? AND ? IS NOT NULL AND y = NULL; COMMIT"
        );
        assert_eq!(
            values,
            vec![&Value::from(7), &Value::from("k"), &Value::from(7)]
        );
    }

    #[test]
    fn values_written_in_cannot_leave_their_literal() {
        let insert = Statement::new(
            "INSERT INTO a (x, y, z, w, v) VALUES ($1, $2, $3, $4, $5)",
            vec![
                "'); DROP TABLE a; --".into(),
                Value::Text(None),
                (-42).into(),
                Value::Integer(None),
                r"ends in a backslash \".into(),
            ],
        );
        let text = written_in(&[insert], "RELEASE SAVEPOINT member");
        assert_eq!(
            text,
            r"INSERT INTO a (x, y, z, w, v) VALUES (E'''); DROP TABLE a; --'::text, NULL::text, (-42)::int8, NULL::int8, E'ends in a backslash \\'::text); RELEASE SAVEPOINT member"
        );
        // Text PostgreSQL cannot store is sent in a form it refuses, as it refuses it bound.
        assert_eq!(
            literal(&Value::from("a\0b")),
            "convert_from(decode('610062', 'hex'), 'UTF8')"
        );
    }

    #[test]
    fn a_value_is_written_in_wherever_its_placeholder_is() {
        let update = Statement::new(
            "UPDATE a SET x = $2 WHERE id = $1 AND $2 IS NOT NULL AND price > $10",
            vec!["k".into(), 7.into()],
        );
        assert_eq!(
            written_in(&[update], "COMMIT"),
            "UPDATE a SET x = (7)::int8 WHERE id = E'k'::text AND (7)::int8 IS NOT NULL AND price > $10; COMMIT"
        );
    }

    fn insert(table: &str, values: Vec<Value>) -> Statement {
        Statement::new(
            format!("INSERT INTO {table} (x, y) VALUES ($1, $2)"),
            values,
        )
    }

    #[test]
    fn alike_writes_insert_their_rows_table_by_table() {
        let statements = [
            insert("a", vec![1.into(), "p".into()]),
            insert("keys", vec!["k1".into(), Value::Text(None)]),
            insert("a", vec![2.into(), "q".into()]),
            insert("keys", vec!["k2".into(), "r".into()]),
            insert("a", vec![3.into(), "it's (here)".into()]),
            insert("keys", vec!["k3".into(), "s".into()]),
        ];
        let merged = merged(&statements, &[2, 2, 2]);
        assert_eq!(
            merged.iter().map(|s| s.sql.as_str()).collect::<Vec<_>>(),
            [
                "INSERT INTO a (x, y) VALUES ($1, $2), ($3, $4), ($5, $6)",
                "INSERT INTO keys (x, y) VALUES ($1, $2), ($3, $4), ($5, $6)"
            ]
        );
        assert_eq!(
            merged[0].values,
            vec![
                1.into(),
                "p".into(),
                2.into(),
                "q".into(),
                3.into(),
                "it's (here)".into()
            ]
        );
        assert_eq!(
            written_in(&merged[1..], "COMMIT"),
            "INSERT INTO keys (x, y) VALUES (E'k1'::text, NULL::text), (E'k2'::text, E'r'::text), \
             (E'k3'::text, E's'::text); COMMIT"
        );
    }

    #[test]
    fn only_plain_inserts_of_alike_neighbours_are_joined() {
        let upsert = Statement::new(
            "INSERT INTO s (x, y) VALUES ($1, $2) ON CONFLICT (x) DO UPDATE SET y = s.y + 1",
            vec![1.into(), 1.into()],
        );
        let update = Statement::new("UPDATE a SET y = $1", vec![5.into()]);
        let statements = vec![
            // Two alike writes, joined.
            insert("a", vec![1.into(), "p".into()]),
            insert("a", vec![2.into(), "q".into()]),
            // An upsert reads what is there: its write and the next, alike, stay as they are.
            insert("a", vec![3.into(), "r".into()]),
            upsert.clone(),
            insert("a", vec![4.into(), "s".into()]),
            upsert.clone(),
            // A write of other statements keeps its place between alike ones.
            update.clone(),
            insert("a", vec![5.into(), "t".into()]),
            insert("b", vec![6.into(), "u".into()]),
            insert("a", vec![7.into(), "v".into()]),
        ];
        let merged = merged(&statements, &[1, 1, 2, 2, 1, 2, 1]);
        let texts: Vec<&str> = merged.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            texts,
            [
                "INSERT INTO a (x, y) VALUES ($1, $2), ($3, $4)",
                "INSERT INTO a (x, y) VALUES ($1, $2)",
                upsert.sql.as_str(),
                "INSERT INTO a (x, y) VALUES ($1, $2)",
                upsert.sql.as_str(),
                "UPDATE a SET y = $1",
                "INSERT INTO a (x, y) VALUES ($1, $2)",
                "INSERT INTO b (x, y) VALUES ($1, $2)",
                "INSERT INTO a (x, y) VALUES ($1, $2)",
            ]
        );
        let values: Vec<&Value> = merged.iter().flat_map(|s| &s.values).collect();
        let sent: Vec<&Value> = statements.iter().flat_map(|s| &s.values).collect();
        assert_eq!(
            values, sent,
            "every value is sent once, in the writes' order"
        );
    }

    #[test]
    fn a_plain_insert_is_one_row_of_values_and_nothing_after() {
        let plain = "INSERT INTO a (x, y) VALUES ($1, lower('(x)'))";
        assert_eq!(row_of_plain_insert(plain), Some(plain.find("($1").unwrap()));
        for other in [
            "INSERT INTO a (x) VALUES ($1) RETURNING x",
            "INSERT INTO a (x) VALUES ($1) ON CONFLICT DO NOTHING",
            "INSERT INTO a (x) VALUES ($1), ($2)",
            "INSERT INTO a (x) SELECT x FROM b WHERE y = $1",
            "INSERT INTO a (x) VALUES ($1",
            "UPDATE a SET x = $1",
            "DELETE FROM a WHERE x IN (VALUES ($1))",
        ] {
            assert_eq!(row_of_plain_insert(other), None, "{other}");
        }
    }

    #[test]
    fn placeholders_of_several_digits_move_whole() {
        assert_eq!(renumbered("($9, $10, $100)", 291), "($300, $301, $391)");
        assert_eq!(renumbered("no placeholders", 5), "no placeholders");
        assert_eq!(renumbered("$1", 0), "$1");
    }
}
