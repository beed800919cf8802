//! Connections, transactions and migrations for both engines.

use crate::error::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use std::str::FromStr;
use std::time::Duration;

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

/// A pool of connections to one of the two engines. SQLite takes one writer at a time; the
/// writer lock queues this process's writers fairly instead of letting them poll the file
/// lock (which makes the slowest write wait far longer than the rest).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool, WriterLock),
    Postgres(PgPool),
}

/// The queue of this process's SQLite writers.
#[derive(Debug, Clone, Default)]
pub struct WriterLock(std::sync::Arc<tokio::sync::Mutex<()>>);

/// A borrowed connection of either engine: what the query macros run on.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// An open transaction. Every write and its audit entry go through one, together.
pub enum Tx {
    Sqlite(
        Transaction<'static, Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
    ),
    Postgres(Transaction<'static, Postgres>),
}

/// A connection taken from the pool for a few reads.
pub enum Pooled {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl<'a> From<&'a mut Tx> for Conn<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        match tx {
            Tx::Sqlite(t, _) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
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

impl Db {
    /// Opens a database from its URL (`sqlite://path` or `postgres://…`), creating a SQLite
    /// file and its folder when missing, and brings its schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("the PostgreSQL URL is not valid: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("the SQLite URL is not valid: {e}")))?;
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        StoreError::Config(format!(
                            "cannot create the data folder {}: {e}",
                            parent.display()
                        ))
                    })?;
                }
            }
            // Custody and audit data must survive a power cut: WAL with a full sync on commit.
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool, WriterLock::default()))
        } else {
            Err(StoreError::Config(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the embedded migrations of this engine. A database that has migrations this
    /// binary does not know (written by a newer Triad) is refused rather than downgraded.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(pool, _) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Names of the migrations embedded for each engine, to check they match.
    pub fn migration_names(engine: Engine) -> Vec<String> {
        let migrator = match engine {
            Engine::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Engine::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator
            .iter()
            .map(|m| format!("{}_{}", m.version, m.description))
            .collect()
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`) so a transaction that reads before it writes never fails half-way.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let mut tx = match self {
            Db::Sqlite(pool, writers) => {
                let turn = writers.0.clone().lock_owned().await;
                let pool = pool.clone();
                let tx = detached(async move { pool.begin_with("BEGIN IMMEDIATE").await }).await?;
                Tx::Sqlite(tx, turn)
            }
            Db::Postgres(pool) => {
                let pool = pool.clone();
                Tx::Postgres(detached(async move { pool.begin().await }).await?)
            }
        };
        // A request's idempotency key commits with its first write, not in a commit of its own.
        crate::idempotency::record_pending(&mut tx).await?;
        Ok(tx)
    }

    /// A connection for reads.
    pub async fn acquire(&self) -> StoreResult<Pooled> {
        Ok(match self {
            Db::Sqlite(pool, _) => Pooled::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool, _) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Runs a BEGIN to completion even if the caller goes away half-way (a client that hangs up):
/// a BEGIN sent but never wrapped in a transaction object would leave its connection holding
/// the write lock. If the caller is gone, the finished transaction is dropped and rolled back.
async fn detached<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, sqlx::Error>> + Send + 'static,
) -> StoreResult<T> {
    tokio::spawn(work)
        .await
        .map_err(|e| StoreError::Config(format!("a database task failed: {e}")))?
        .map_err(StoreError::from)
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
