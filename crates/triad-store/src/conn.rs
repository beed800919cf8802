//! A connection of either engine and the macros that run one body of SQL code on it: the
//! bottom of the store, below transactions, the write batches and the audit chain.

use sqlx::{PgConnection, Postgres, SqliteConnection};

/// Runs the same code against whichever engine a connection belongs to. The body is written
/// once; each arm is compiled for its own concrete driver, so both keep their native types.
#[macro_export]
macro_rules! run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $crate::Conn::from($conn) {
            $crate::Conn::Sqlite($c) => $body,
            $crate::Conn::Postgres($c) => $body,
        }
    };
}

/// Executes a statement with its arguments bound in order; yields rows affected.
#[macro_export]
macro_rules! execute {
    ($conn:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::run!($conn, |c| sqlx::query($sql)$(.bind($arg))*.execute(c).await.map(|r| r.rows_affected()))
    };
}

/// Fetches every row as `$t` (a `sqlx::FromRow` type).
#[macro_export]
macro_rules! fetch_all {
    ($conn:expr, $t:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::run!($conn, |c| sqlx::query_as::<_, $t>($sql)$(.bind($arg))*.fetch_all(c).await)
    };
}

/// Fetches at most one row as `$t`.
#[macro_export]
macro_rules! fetch_optional {
    ($conn:expr, $t:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::run!($conn, |c| sqlx::query_as::<_, $t>($sql)$(.bind($arg))*.fetch_optional(c).await)
    };
}

/// Fetches a single scalar (a count, a sum).
#[macro_export]
macro_rules! fetch_scalar {
    ($conn:expr, $t:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::run!($conn, |c| sqlx::query_scalar::<_, $t>($sql)$(.bind($arg))*.fetch_one(c).await)
    };
}

/// Which engine an instance runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A borrowed connection of either engine: what the query macros run on.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// A connection taken from the pool for a few reads.
pub enum Pooled {
    Sqlite(crate::readers::Reader),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl<'a> From<&'a mut SqliteConnection> for Conn<'a> {
    fn from(c: &'a mut SqliteConnection) -> Self {
        Conn::Sqlite(c)
    }
}

impl<'a> From<&'a mut PgConnection> for Conn<'a> {
    fn from(c: &'a mut PgConnection) -> Self {
        Conn::Postgres(c)
    }
}

impl<'a> From<&'a mut Pooled> for Conn<'a> {
    fn from(p: &'a mut Pooled) -> Self {
        match p {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl<'a, 'b> From<&'a mut Conn<'b>> for Conn<'a> {
    fn from(c: &'a mut Conn<'b>) -> Self {
        match c {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Conn<'_> {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }
}

/// The most arguments one SQLite statement is given. SQLite finds each argument's slot by a
/// scan of the statement's parameter names, so binding a statement costs the square of its
/// arguments: a 400-row batch of 29 columns spent seconds binding, 93 % of a bulk load.
const SQLITE_ARGUMENTS: usize = 300;

/// How many rows one multi-row INSERT of `width` columns takes: `most` on PostgreSQL (where a
/// statement is a round trip), as many as keep binding cheap on SQLite (in process).
pub(crate) fn rows_per_statement(engine: Engine, width: usize, most: usize) -> usize {
    match engine {
        Engine::Sqlite => (SQLITE_ARGUMENTS / width.max(1)).clamp(1, most.max(1)),
        Engine::Postgres => most.max(1),
    }
}

/// The VALUES list of a multi-row INSERT: `rows` tuples of `width` numbered placeholders.
pub(crate) fn placeholders(rows: usize, width: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=width).map(|i| format!("${}", r * width + i)).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    tuples.join(", ")
}

/// `$first, $first+1, …`: `count` numbered placeholders for an IN list.
pub(crate) fn numbered(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row type read alike from both engines.
pub(crate) trait RowOfBoth:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}

impl<T> RowOfBoth for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

/// Runs a query whose arguments are all text, bound in order.
pub(crate) async fn fetch_bound<T>(
    c: &mut Conn<'_>,
    sql: &str,
    args: &[String],
) -> crate::StoreResult<Vec<T>>
where
    T: RowOfBoth,
{
    fetch_bound_planned(c, sql, args, true).await
}

/// As [`fetch_bound`]; without `keep_plan`, PostgreSQL plans the statement at every call, for
/// its tables as they are then, instead of keeping a plan made when they were small. SQLite
/// keeps it prepared either way: its plans probe an index whatever the table's size.
pub(crate) async fn fetch_bound_planned<T>(
    c: &mut Conn<'_>,
    sql: &str,
    args: &[String],
    keep_plan: bool,
) -> crate::StoreResult<Vec<T>>
where
    T: RowOfBoth,
{
    let persistent = keep_plan || matches!(c, Conn::Sqlite(_));
    Ok(crate::run!(c, |c| {
        let mut q = sqlx::query_as::<_, T>(sql).persistent(persistent);
        for a in args {
            q = q.bind(a.as_str());
        }
        q.fetch_all(c).await
    })?)
}
