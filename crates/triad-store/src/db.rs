//! Connections, transactions and migrations for both engines.

use crate::conn::{Conn, Engine, Pooled};
use crate::error::{StoreError, StoreResult};
use crate::group_commit::{Framing, Group, Member, Prepared, WithRelease};
use crate::pending_key::PendingKey;
use crate::readers::Readers;
use crate::statement::Statement;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A pooled PostgreSQL connection idle this long is pinged before it is used again: the
/// server may have restarted or dropped it meanwhile.
const TEST_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// How many SQLite connections read for requests at once.
const READERS: usize = 8;

/// A pool of connections to one of the two engines, and this process's writers. Writes go
/// one at a time, queued fairly (rather than polling SQLite's file lock, which makes the
/// slowest write wait far longer than the rest), and those that queue together share a commit
/// (see [`crate::group_commit`]).
#[derive(Debug, Clone)]
pub enum Db {
    /// The pool serves migrations, backups and the writer; requests read through the readers.
    Sqlite(SqlitePool, Group<Sqlite>, Arc<Readers>),
    /// The second pool reads the pages of long lists (see [`Db::acquire_for_list`]).
    Postgres(PgPool, Group<Postgres>, PgPool),
}

/// An open transaction. Every write and its audit entry go through one, together; it may share
/// its commit with other writes, and `commit` returns when the write is on disk.
pub struct Tx {
    member: Membership,
    /// The request's idempotency key, when this transaction records it.
    key: KeyHold,
    /// The write's last statements, sent with its release (see [`Tx::defer`]).
    deferred: Vec<Statement>,
    hooks: Arc<crate::hooks::Hooks>,
}

/// A write all of whose statements are known before it is sent: its rows (in order), its
/// audit entries and its request's idempotency key go to the writer together, with those of
/// the other prepared writes of the moment (see [`Group::write`]). Nothing is read through it,
/// so it never waits for a turn on the writer of its own. Use [`Db::begin`] for a write that
/// reads what it wrote, or decides as it goes.
pub struct PreparedWrite {
    db: Db,
    key: KeyHold,
    write: Prepared,
}

enum Membership {
    Sqlite(Member<Sqlite>),
    Postgres(Member<Postgres>),
}

impl<'a> From<&'a mut Tx> for Conn<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        // A statement sent through the connection now would run before those deferred, and
        // not see what they write.
        debug_assert!(
            tx.deferred.is_empty(),
            "a transaction was used after it deferred statements: defer only a write's last"
        );
        match &mut tx.member {
            Membership::Sqlite(m) => Conn::Sqlite(m.connection()),
            Membership::Postgres(m) => Conn::Postgres(m.connection()),
        }
    }
}

impl Db {
    /// Keys this database's audit content hashes with the instance's secret
    /// ([`crate::instance::audit_secret`]). Until it is given, a random secret nobody knows
    /// is used, so no content hash is ever a bare, guessable one.
    pub fn use_content_secret(&self, secret: &[u8]) {
        match self {
            Db::Sqlite(_, group, _) => group.use_content_secret(secret),
            Db::Postgres(_, group, _) => group.use_content_secret(secret),
        }
    }

    /// The test points of this database's write path (see [`crate::hooks`]).
    pub fn hooks(&self) -> &Arc<crate::hooks::Hooks> {
        match self {
            Db::Sqlite(_, group, _) => group.hooks(),
            Db::Postgres(_, group, _) => group.hooks(),
        }
    }

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
            let pool = pg_pool().connect_with(options.clone()).await?;
            // A list's page costs PostgreSQL several times as much to plan as to run (the
            // visitor list: 0.2–1 ms to plan, 0.1–0.2 to run), and its best plan is the same
            // whatever campus, day or cursor is asked: its connections plan each statement
            // once and keep the plan. Not every read's plan is: the audit trail's rare
            // outcomes need the values to be seen (a kept plan read the whole trail for them).
            // Connected when first used: an instance that serves no list opens none.
            let lists = pg_pool()
                .connect_lazy_with(options.options([("plan_cache_mode", "force_generic_plan")]));
            // A batch first takes the audit chain's head, which nearly every write takes
            // anyway: batches of several instances then queue in one order, and none can hold
            // rows another waits for while it waits for the head.
            //
            // On the writer, the activity summaries are added to once per batch, just before
            // its commit (migration 0014): one update per summary row instead of one per entry.
            let framing = Framing {
                setup: concat!(
                    "SET triad.summaries_at_commit = 'on'; ",
                    "CREATE TEMPORARY TABLE IF NOT EXISTS activity_summary_pending ",
                    "OF activity_summary_change ON COMMIT DELETE ROWS"
                )
                .into(),
                begin: format!("BEGIN; {} FOR UPDATE", crate::audit_chain::READ_HEAD),
                commit: "SELECT activity_summary_fold(); COMMIT".into(),
            };
            let group = Group::new(&pool, framing).await?;
            Ok(Db::Postgres(pool, group, lists))
        } else if url.starts_with("sqlite:") {
            // Before the first connection: SQLite takes its allocator only before it starts.
            crate::sqlite_memory::configure();
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
            // Pooled connections only read: every write goes through the writer, and a write
            // beside it (which would wait for the file lock, and fail under steady writes) is
            // refused at once instead. The writer and the migrations lift it for themselves.
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("query_only", "ON")
                // Each connection's thread hands rows over through a buffer of this many; with
                // sqlx's 50, a page of 100 rows stopped that thread half-way until the request
                // took the first 50 (two more thread switches). A page's rows fit whole.
                .row_buffer_size(256);
            // A connection to a local file does not go stale: testing it before every use
            // would cost a round trip to its worker thread for nothing.
            let readers = Readers::new(options.clone(), READERS);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            // The write lock at once, so a transaction that reads before it writes never fails
            // half-way.
            // Each write of a batch works inside a savepoint, and SQLite keeps the pages a
            // savepoint changes in a journal of its own until it is released. Past 64 KiB that
            // journal went to a temporary file: created, written page by page and deleted
            // again on every batch, 39 % of the writer thread's time under a burst of activity
            // entries. In memory it holds one write's pages at a time.
            let framing = Framing {
                setup: "PRAGMA query_only = OFF; PRAGMA temp_store = MEMORY".into(),
                begin: format!("BEGIN IMMEDIATE; {}", crate::audit_chain::READ_HEAD),
                commit: "COMMIT".into(),
            };
            let group = Group::new(&pool, framing).await?;
            Ok(Db::Sqlite(pool, group, readers))
        } else {
            Err(StoreError::Config(
                "the database URL must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Postgres(..) => Engine::Postgres,
        }
    }

    /// Applies the embedded migrations of this engine. A database that has migrations this
    /// binary does not know (written by a newer Triad) is refused rather than downgraded.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(pool, ..) => {
                // On a connection of its own that may write, closed after (never back in the
                // pool of connections that only read).
                let mut conn = pool.acquire().await?.detach();
                sqlx::query("PRAGMA query_only = OFF")
                    .execute(&mut conn)
                    .await?;
                let migrated = sqlx::migrate!("./migrations/sqlite").run(&mut conn).await;
                let _ = sqlx::Connection::close(conn).await;
                migrated?
            }
            Db::Postgres(pool, ..) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
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

    /// After a bulk write of `rows` rows into `tables`, brings PostgreSQL's planner statistics
    /// for them up to date, as autovacuum would within about a minute: until then a list read
    /// right after an import of thousands of rows is planned for the table as it was, and can
    /// read and sort everything instead of walking an index to its page. Fewer rows than
    /// [`Db::BULK_ROWS`] change nothing the planner would notice. SQLite's planner keeps no
    /// statistics (Triad never runs ANALYZE there), so nothing is done on it.
    ///
    /// A failure is logged, not returned: the rows are saved, and autovacuum will come.
    pub async fn refresh_statistics_after(&self, rows: usize, tables: &[&'static str]) {
        let Db::Postgres(pool, ..) = self else {
            return;
        };
        if rows < Self::BULK_ROWS || tables.is_empty() {
            return;
        }
        // The names are the code's own constants, never input.
        let sql = format!("ANALYZE {}", tables.join(", "));
        if let Err(e) = sqlx::query(&sql).execute(pool).await {
            tracing::warn!(error = %e, ?tables, "planner statistics were not refreshed after a bulk write");
        }
    }

    /// How many rows make a write bulk enough to refresh the planner's statistics after.
    pub const BULK_ROWS: usize = 1000;

    /// Begins a write transaction: a member of the open batch (see [`crate::group_commit`]).
    /// The request's first records its idempotency key (see `Tx::commit`).
    pub async fn begin(&self) -> StoreResult<Tx> {
        let mut tx = self.begin_unkeyed().await?;
        tx.key = KeyHold::of(crate::pending_key::take_pending());
        Ok(tx)
    }

    /// Begins a write transaction that does not record the request's idempotency key: the
    /// audit entry of a refusal or a failure, which is kept although the request did nothing.
    pub async fn begin_unkeyed(&self) -> StoreResult<Tx> {
        let member = match self {
            Db::Sqlite(_, group, _) => Membership::Sqlite(group.join().await?),
            Db::Postgres(_, group, _) => Membership::Postgres(group.join().await?),
        };
        Ok(Tx {
            member,
            key: KeyHold::of(None),
            deferred: Vec::new(),
            hooks: Arc::clone(self.hooks()),
        })
    }

    /// Prepares a write whose statements are all known before it is sent (see
    /// [`PreparedWrite`]). The request's first records its idempotency key.
    pub fn prepare(&self) -> PreparedWrite {
        let mut write = self.prepare_unkeyed();
        write.key = KeyHold::of(crate::pending_key::take_pending());
        write
    }

    /// Prepares a write that does not record the request's idempotency key (see
    /// [`Db::begin_unkeyed`]).
    pub fn prepare_unkeyed(&self) -> PreparedWrite {
        PreparedWrite {
            db: self.clone(),
            key: KeyHold::of(None),
            write: Prepared {
                moves_data: true,
                ..Prepared::default()
            },
        }
    }

    /// How many write batches this process has opened (each write is in one; writes that
    /// arrive together share one).
    pub fn write_batches(&self) -> u64 {
        match self {
            Db::Sqlite(_, group, _) => group.batches_opened(),
            Db::Postgres(_, group, _) => group.batches_opened(),
        }
    }

    /// Prepared writes this process sent again one by one, because the round trip they shared
    /// with others failed (one of them was at fault, and only it is refused).
    pub fn writes_sent_again_alone(&self) -> u64 {
        match self {
            Db::Sqlite(_, group, _) => group.sent_again_alone(),
            Db::Postgres(_, group, _) => group.sent_again_alone(),
        }
    }

    /// Writes of this process waiting for their turn on the writer now (a test waits on it
    /// to know a write has queued).
    pub fn writes_waiting(&self) -> usize {
        match self {
            Db::Sqlite(_, group, _) => group.writes_waiting(),
            Db::Postgres(_, group, _) => group.writes_waiting(),
        }
    }

    /// How long a batch of writes may keep taking queued writes before it is committed
    /// (16 ms by default: longer shares more, but makes the batch's first write wait longer).
    pub fn set_write_window(&self, window: Duration) {
        match self {
            Db::Sqlite(_, group, _) => group.set_window(window),
            Db::Postgres(_, group, _) => group.set_window(window),
        }
    }

    /// A connection for reads.
    pub async fn acquire(&self) -> StoreResult<Pooled> {
        Ok(match self {
            Db::Sqlite(_, _, readers) => Pooled::Sqlite(readers.lend().await?),
            Db::Postgres(pool, ..) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// A connection to read a page of a long list on (the incidents or sign-ins of a campus, a
    /// campaign's written answers), whose plan does not depend on the values asked: on
    /// PostgreSQL its statements are planned once per connection and the plan kept. Reads
    /// whose best plan depends on the values (how rare an outcome is, whether a filter is
    /// given) use [`Db::acquire`].
    pub async fn acquire_for_list(&self) -> StoreResult<Pooled> {
        Ok(match self {
            Db::Sqlite(_, _, readers) => Pooled::Sqlite(readers.lend().await?),
            Db::Postgres(_, _, lists) => Pooled::Postgres(lists.acquire().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool, group, readers) => {
                group.close().await;
                readers.close().await;
                pool.close().await
            }
            Db::Postgres(pool, group, lists) => {
                group.close().await;
                lists.close().await;
                pool.close().await
            }
        }
    }
}

/// How the PostgreSQL pools lend connections. A connection is tested only after it sat idle:
/// one in use a moment ago is known to be alive, and a ping before every use would be a round
/// trip more per read.
fn pg_pool() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > TEST_WHEN_IDLE_FOR {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// The request's key held by a transaction until it commits. A transaction that does not
/// commit (rolled back, refused, dropped) gives it back, so the request's next write records
/// it: a key must never be left unrecorded by a request that goes on to write.
struct KeyHold {
    key: Option<Arc<PendingKey>>,
    /// The record the write made or changed (its first audited one), recorded with the key.
    record: Option<(String, String)>,
}

impl Drop for KeyHold {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            key.give_back();
        }
    }
}

impl Tx {
    /// This write changes nothing a page shows, so its commit need not make pages kept under
    /// the data version be read again (a credential's last use, written once a minute for
    /// each person signed in). Every other write moves it.
    pub fn shown_nowhere(&mut self) {
        match &mut self.member {
            Membership::Sqlite(m) => m.shown_nowhere(),
            Membership::Postgres(m) => m.shown_nowhere(),
        }
    }

    /// Adds an audit entry to this write, chained onto the trail with its batch's commit.
    pub(crate) fn audit(&mut self, entry: crate::audit_chain::Unchained) -> StoreResult<()> {
        self.key.note(&entry);
        match &mut self.member {
            Membership::Sqlite(m) => m.audit(entry),
            Membership::Postgres(m) => m.audit(entry),
        }
    }

    /// Sends `statement` with the write's release instead of now: a write's last statements,
    /// whose answer nobody waits for, then cost the writer no round trip of their own. Nothing
    /// may be read or written through the transaction after it: it would run before them. A
    /// statement that fails there fails the commit, and nothing of the write is kept.
    pub fn defer(&mut self, statement: Statement) {
        self.deferred.push(statement);
    }

    /// Keeps the transaction's writes; returns once they are committed. A request whose key
    /// another request recorded first is refused here, and nothing of it is kept.
    ///
    /// The request's key, when this is its first write, is recorded in the round trip that
    /// releases the write into its batch, with the record the write made: it costs no
    /// statement and no commit of its own, and what a retry needs is saved with the write.
    pub async fn commit(mut self) -> StoreResult<()> {
        let mut with_release = WithRelease {
            statements: std::mem::take(&mut self.deferred),
            ..WithRelease::default()
        };
        self.key.claim_with(&mut with_release);
        match &mut self.member {
            Membership::Sqlite(m) => m.send_with_release(with_release),
            Membership::Postgres(m) => m.send_with_release(with_release),
        }
        let kept = match self.member {
            Membership::Sqlite(m) => m.commit().await,
            Membership::Postgres(m) => m.commit().await,
        };
        self.key.settle(kept, &self.hooks).await
    }
}

impl PreparedWrite {
    /// Adds a statement, run after those added before it.
    pub fn push(&mut self, statement: Statement) {
        self.write.with_release.statements.push(statement);
    }

    /// This write changes nothing a page shows (see [`Tx::shown_nowhere`]).
    pub fn shown_nowhere(&mut self) {
        self.write.moves_data = false;
    }

    /// Adds an audit entry, chained onto the trail with the write's batch's commit.
    pub(crate) fn audit(&mut self, entry: crate::audit_chain::Unchained) {
        self.key.note(&entry);
        self.write.audit.push(entry);
    }

    /// Saves the write; returns once it is committed. A request whose key another request
    /// recorded first is refused here, and nothing of it is kept (see [`Tx::commit`]).
    pub async fn commit(mut self) -> StoreResult<()> {
        let mut write = std::mem::take(&mut self.write);
        self.key.claim_with(&mut write.with_release);
        let kept = match &self.db {
            Db::Sqlite(_, group, _) => group.write(write).await,
            Db::Postgres(_, group, _) => group.write(write).await,
        };
        self.key.settle(kept, self.db.hooks()).await
    }
}

impl KeyHold {
    fn of(key: Option<Arc<PendingKey>>) -> Self {
        Self { key, record: None }
    }

    /// Notes the record an audit entry names, if the write named none before.
    fn note(&mut self, entry: &crate::audit_chain::Unchained) {
        if self.record.is_none() {
            self.record = entry.record();
        }
    }

    /// Sends the key's claim with the write's release, after the write's own statements: the
    /// text is the same for every write of a kind.
    fn claim_with(&self, with_release: &mut WithRelease) {
        with_release.keyed = self.key.is_some();
        if let Some(key) = &self.key {
            with_release
                .statements
                .push(key.claim(self.record.as_ref()));
        }
    }

    /// What became of a write that held the request's key: a kept write records it as the
    /// request's; a write refused because another request recorded the key first says so.
    async fn settle(
        mut self,
        kept: StoreResult<()>,
        hooks: &crate::hooks::Hooks,
    ) -> StoreResult<()> {
        match (&self.key, kept) {
            (Some(key), Ok(())) => {
                key.mark_taken(self.record.take().map(|(_, id)| id));
                self.key = None;
                hooks.at(crate::hooks::AFTER_COMMIT).await
            }
            // Only the key's own refusal says so: a statement sent with the release may break
            // a key of its own table (a second open visit), which its caller explains.
            (Some(_), Err(e)) if e.breaks_unique_key_of(crate::pending_key::CLAIMED_IN) => Err(
                StoreError::Conflict(crate::pending_key::KEY_TAKEN.to_string()),
            ),
            (Some(_), Err(e)) => Err(e),
            (None, kept) => kept,
        }
    }
}
