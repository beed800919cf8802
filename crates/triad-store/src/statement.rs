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

/// Statements joined into one text, each one's placeholders moved past those of the
/// statements before it, then `tail` (statements without values); with every value in order.
/// SQLite runs such a text in one call, a statement after another, and stops at the first that
/// fails.
pub(crate) fn joined<'s>(statements: &'s [Statement], tail: &str) -> (String, Vec<&'s Value>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    for statement in statements {
        sql.push_str(&renumbered(&statement.sql, values.len()));
        sql.push_str("; ");
        values.extend(&statement.values);
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

/// `sql` with every placeholder `$n` written `$(n + offset)`.
fn renumbered(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    replace_placeholders(sql, |n| format!("${}", n + offset))
}

/// `sql` with every placeholder `$n` replaced by `with(n)`.
fn replace_placeholders(sql: &str, with: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&with(n)),
            Err(_) => out.push('$'),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_statements_number_their_placeholders_in_turn() {
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
            "INSERT INTO a (x, y) VALUES ($1, $2); INSERT INTO c (z, w) VALUES ($4, $3); RELEASE SAVEPOINT member"
        );
        assert_eq!(
            values,
            vec![
                &Value::from(1),
                &Value::from("b"),
                &Value::Text(None),
                &Value::from(3)
            ]
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

    #[test]
    fn placeholders_of_several_digits_move_whole() {
        assert_eq!(renumbered("($9, $10, $100)", 291), "($300, $301, $391)");
        assert_eq!(renumbered("no placeholders", 5), "no placeholders");
        assert_eq!(renumbered("$1", 0), "$1");
    }
}
