//! Group commit: writes that arrive together share one transaction and one commit.
//!
//! A commit that must survive a power cut waits for the disk, and every audited write takes
//! the audit chain's head: writes queue one behind another. At 32 writers at once most of a
//! write's time went on waiting for the commits ahead of it.
//!
//! So each process has one writer connection, and each write is a *member* of the batch open
//! on it: the member works inside its own savepoint, holding the writer alone while it does
//! (writes still run one at a time, as they must). When it is done it releases its savepoint
//! and, if other writes are queued, hands the writer on instead of committing. The last of a
//! burst (or the one that finds the batch full or old) commits for everybody. A member's
//! `commit` returns only once that commit is on disk, with its result: nobody is told a write
//! is saved before it is.
//!
//! A member that fails or is abandoned (a client that hangs up) is rolled back to its
//! savepoint; the others' writes stay. If the batch itself cannot go on (a savepoint cannot be
//! undone, the commit fails), every member of it gets an error and nothing of it is saved:
//! the writer connection is then replaced, which rolls back whatever it held.
//!
//! The batch also gathers its members' audit entries, in the order they were made, and chains
//! them onto the audit trail with its commit (appended by `audit::append`): a write spends no
//! statement of its own on the trail, and a batch reads and moves the chain's head once. The
//! chain, the data version and the COMMIT are one round trip (to the SQLite connection's
//! thread, or over the network to PostgreSQL), as a member's deferred statements, key claim
//! and release are (see [`crate::statement`]). A member undone takes its entries with it.
//! Nobody else can move the head meanwhile: the batch holds the write lock (SQLite) or the head
//! row (PostgreSQL) from its first statement to its commit.
//!
//! A write whose statements are all known before it is sent (a *prepared* write) needs no turn
//! of its own: prepared writes queue, and one task takes the turn and sends every one queued
//! by then in one round trip, releasing them into the batch together (see [`Group::write`]).

use crate::audit_chain::{Head, Unchained};
use crate::error::{StoreError, StoreResult};
use crate::hooks::{self, Hooks};
use crate::statement::Statement;
use crate::Engine;
use sqlx::{Connection, Database, Pool, Postgres, Row, Sqlite};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch, Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

/// Sent with the commit of every batch holding a write a page may show (migration 0056):
/// pages kept under the version before it are read again.
const MOVE_DATA_VERSION: &str = "UPDATE data_version SET version = version + 1 WHERE id = 1";

/// At most this many writes share one commit.
const MAX_MEMBERS: usize = 64;
/// A batch is handed on only while younger than this (by default), which bounds what its
/// first write waits. Measured at 32 writers on 2 cores: 4 ms and 16 ms give about the same
/// throughput, 16 ms a slightly lower p99 (fewer commits, each waiting for the disk).
const WINDOW: Duration = Duration::from_millis(16);
/// At most this many prepared writes go in one round trip on SQLite. Its driver keeps every
/// text it ran prepared (with the triggers it fires compiled in), and a text joining sixty
/// writes differs from one joining fifty-nine: kept for every count up to 64, they took 25 MiB
/// more under a burst of activity entries. Up to 8, a burst still needs a fraction of the round
/// trips, and what is kept stays small. PostgreSQL keeps nothing of a text sent this way.
const SQLITE_TOGETHER: usize = 8;
/// A member still without an answer after this long commits the batch itself: the writer it
/// was handed on to went away before taking its turn.
const STRANDED_AFTER: Duration = Duration::from_millis(50);

/// What became of a batch's commit, once known: `Err` holds the reason, for the log.
type Outcome = Option<Result<(), String>>;

type Pending<'a, T = ()> = Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'a>>;

/// An engine whose writes can be grouped.
pub trait Batchable: Database {
    const ENGINE: Engine;

    /// Runs statements without arguments on a connection.
    fn run<'a>(conn: &'a mut Self::Connection, sql: &'a str) -> Pending<'a>;

    /// Runs `statements` in order, then `tail` (statements without values), in one round trip:
    /// on SQLite to the connection's thread with the values bound, on PostgreSQL over the
    /// network with them written in (see [`crate::statement::written_in`]). The first to fail
    /// stops the rest.
    fn send<'a>(
        conn: &'a mut Self::Connection,
        statements: &'a [Statement],
        tail: &'a str,
    ) -> Pending<'a>;

    /// Runs the statements that open a batch; their one row is the audit chain's head.
    fn open<'a>(conn: &'a mut Self::Connection, sql: &'a str) -> Pending<'a, Option<Head>>;
}

macro_rules! batchable {
    ($db:ty, $engine:expr) => {
        impl Batchable for $db {
            const ENGINE: Engine = $engine;

            fn run<'a>(conn: &'a mut Self::Connection, sql: &'a str) -> Pending<'a> {
                Box::pin(async move { sqlx::Executor::execute(conn, sql).await.map(|_| ()) })
            }

            fn send<'a>(
                conn: &'a mut Self::Connection,
                statements: &'a [Statement],
                tail: &'a str,
            ) -> Pending<'a> {
                Box::pin(async move {
                    if statements.is_empty() {
                        return sqlx::Executor::execute(conn, tail).await.map(|_| ());
                    }
                    if Self::ENGINE == Engine::Sqlite {
                        let (sql, values) = crate::statement::joined(statements, tail);
                        return crate::bind_values!(sqlx::query(&sql), values)
                            .execute(conn)
                            .await
                            .map(|_| ());
                    }
                    // Without bound values the driver sends the text as one simple query.
                    let sql = crate::statement::written_in(statements, tail);
                    sqlx::Executor::execute(conn, sql.as_str())
                        .await
                        .map(|_| ())
                })
            }

            fn open<'a>(conn: &'a mut Self::Connection, sql: &'a str) -> Pending<'a, Option<Head>> {
                Box::pin(async move {
                    let rows = sqlx::Executor::fetch_all(conn, sql).await?;
                    rows.first()
                        .map(|row| {
                            Ok(Head {
                                seq: row.try_get("seq")?,
                                hash: row.try_get("hash")?,
                            })
                        })
                        .transpose()
                })
            }
        }
    };
}
batchable!(Sqlite, Engine::Sqlite);
batchable!(Postgres, Engine::Postgres);

/// The writers of one process on one database, and the batch they share.
pub struct Group<DB: Batchable> {
    slot: Arc<Mutex<WriterSlot<DB>>>,
    /// Writers queued for their turn: while there are some, a finished member hands on.
    waiting: Arc<AtomicUsize>,
    /// Prepared writes waiting to be sent (see [`Group::write`]).
    prepared: Arc<std::sync::Mutex<Vec<Queued>>>,
    /// A task is sending the prepared writes: a write queued meanwhile is sent by it.
    sending_prepared: Arc<AtomicBool>,
    batches: Arc<AtomicU64>,
    /// Prepared writes sent again one by one after the round trip they shared failed.
    sent_again_alone: Arc<AtomicU64>,
    /// The window, in microseconds.
    window: Arc<AtomicU64>,
    /// The secret audit content hashes are keyed with (the instance's, once it is given;
    /// until then a random one nobody knows, so no hash is ever guessable).
    content_secret: Arc<std::sync::RwLock<Vec<u8>>>,
    hooks: Arc<Hooks>,
}

impl<DB: Batchable> Clone for Group<DB> {
    fn clone(&self) -> Self {
        Self {
            slot: Arc::clone(&self.slot),
            waiting: Arc::clone(&self.waiting),
            prepared: Arc::clone(&self.prepared),
            sending_prepared: Arc::clone(&self.sending_prepared),
            batches: Arc::clone(&self.batches),
            sent_again_alone: Arc::clone(&self.sent_again_alone),
            window: Arc::clone(&self.window),
            content_secret: Arc::clone(&self.content_secret),
            hooks: Arc::clone(&self.hooks),
        }
    }
}

impl<DB: Batchable> std::fmt::Debug for Group<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .field("batches", &self.batches.load(Ordering::Relaxed))
            .finish()
    }
}

struct WriterSlot<DB: Batchable> {
    /// None once the database is closed.
    writer: Option<Writer<DB>>,
}

/// The statements that frame batches on an engine.
pub struct Framing {
    /// Run once on every new writer connection.
    pub setup: String,
    /// Opens a batch and reads the audit chain's head (columns `seq` and `hash`).
    pub begin: String,
    /// Ends a batch that keeps its writes: the engine's work left for the end of a
    /// transaction, then the COMMIT, in one round trip.
    pub commit: String,
}

struct Writer<DB: Batchable> {
    conn: DB::Connection,
    state: State,
    pool: Pool<DB>,
    /// The engine's statements; `begin` also makes the first member's savepoint, in the same
    /// round trip.
    framing: Framing,
    /// The connection has not run `framing.setup` yet. It runs before the first batch, not on
    /// connecting: the database may not be migrated yet when the writer connects.
    needs_setup: bool,
}

enum State {
    /// No transaction is open on the writer connection.
    Idle,
    /// A statement that opens or ends a transaction did not finish: whether one is open is
    /// not known, so the connection is replaced before the next batch.
    Unsure,
    Open(Batch),
}

struct Batch {
    id: u64,
    /// Members whose writes are in the batch, waiting for its commit.
    released: usize,
    opened: Instant,
    /// Where the member savepoint stands.
    savepoint: Savepoint,
    /// The audit chain's head, read as the batch opened.
    head: Option<Head>,
    /// Audit entries of the batch's writes, chained onto the trail before the commit.
    audit: Vec<Unchained>,
    /// How many of them there were when the open member began: undoing it drops the rest.
    audit_before_member: usize,
    /// A member that records a request's idempotency key released into it (test points fire
    /// only in such batches; see [`crate::hooks`]).
    keyed: bool,
    /// A member that may change what pages show released into it: the commit moves the data
    /// version (see [`MOVE_DATA_VERSION`]).
    moves_data: bool,
    outcome: watch::Sender<Outcome>,
}

impl Batch {
    /// Counts a write released into the batch, which its commit now waits on.
    fn take_in(&mut self, keyed: bool, moves_data: bool) -> Released {
        self.released += 1;
        self.keyed |= keyed;
        self.moves_data |= moves_data;
        (self.id, self.outcome.subscribe())
    }
}

/// The savepoint each member works in, between members and during one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// None is made: the next member makes its own.
    Absent,
    /// An empty one waits for the next member: it was made in the same round trip as the
    /// statement before it (the batch's begin, the previous member's release, or its
    /// undoing), so a member costs no round trip of its own to begin.
    Ready,
    /// A member works in it: undoing the member rolls back to it.
    InUse,
    /// A member's release was sent and its result never noted. The task that sends releases
    /// cannot be cancelled by a request, so this is seen only if the runtime stopped it: what
    /// the batch holds is then unknown, and it is abandoned whole.
    Releasing,
}

type WriterTurn<DB> = OwnedMappedMutexGuard<WriterSlot<DB>, Writer<DB>>;

/// One write's share of a batch: the transaction is the batch's, the savepoint its own.
pub struct Member<DB: Batchable> {
    turn: WriterTurn<DB>,
    cleanup: Cleanup<DB>,
    /// What is sent with the release: if any of it fails, the release is not made and the
    /// member is undone.
    with_release: WithRelease,
    /// Whether the write may change what a page shows (all but a credential's last use).
    moves_data: bool,
}

/// What a member sends with its release, in the same round trip.
#[derive(Debug, Default)]
pub(crate) struct WithRelease {
    /// The write's last statements, whose answers nobody waits for (see
    /// [`crate::Tx::defer`]), in order.
    pub(crate) statements: Vec<Statement>,
    /// It records the request's idempotency key (test points fire only for such writes; see
    /// [`crate::hooks`]).
    pub(crate) keyed: bool,
}

/// A write all of whose statements are known before it takes the writer: it never reads
/// through the writer, so it needs no turn of its own (see [`Group::write`]).
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub(crate) with_release: WithRelease,
    /// Its audit entries, in the order they were made.
    pub(crate) audit: Vec<Unchained>,
    pub(crate) moves_data: bool,
}

/// A prepared write waiting to be sent, and where its answer goes: the batch it was released
/// into, or why it was not.
struct Queued {
    write: Prepared,
    answer: oneshot::Sender<StoreResult<Released>>,
}

/// The batch a write was released into, and how to learn whether it committed.
type Released = (u64, watch::Receiver<Outcome>);

/// Settles the writer after a member that never committed (its request failed or went
/// away): a task rolls the member back and commits or hands on the rest.
struct Cleanup<DB: Batchable> {
    group: Group<DB>,
    armed: bool,
}

impl<DB: Batchable> Drop for Cleanup<DB> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        // Undoing takes statements, which a destructor cannot wait for. Without a runtime the
        // process is ending, and the connection's close rolls the batch back.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let group = self.group.clone();
            runtime.spawn(async move {
                if let Ok(turn) = group.take_turn().await {
                    group.settle(turn, false).await;
                }
            });
        }
    }
}

/// Counts a writer as queued for as long as it waits, even if it stops waiting half-way.
struct InLine<'a>(&'a AtomicUsize);

impl<'a> InLine<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<DB: Batchable> Group<DB> {
    /// Takes a writer connection of its own from `pool`, framing batches on it with `framing`.
    pub async fn new(pool: &Pool<DB>, framing: Framing) -> StoreResult<Self> {
        let framing = Framing {
            begin: format!("{}; SAVEPOINT member", framing.begin),
            ..framing
        };
        let conn = pool.acquire().await?.detach();
        let writer = Writer {
            conn,
            state: State::Idle,
            pool: pool.clone(),
            framing,
            needs_setup: true,
        };
        Ok(Self {
            slot: Arc::new(Mutex::new(WriterSlot {
                writer: Some(writer),
            })),
            waiting: Arc::default(),
            prepared: Arc::default(),
            sending_prepared: Arc::default(),
            batches: Arc::default(),
            sent_again_alone: Arc::default(),
            window: Arc::new(AtomicU64::new(WINDOW.as_micros() as u64)),
            content_secret: Arc::new(std::sync::RwLock::new({
                let mut unknown = vec![0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut unknown);
                unknown
            })),
            hooks: Arc::default(),
        })
    }

    /// The test points of this database's write path.
    pub fn hooks(&self) -> &Arc<Hooks> {
        &self.hooks
    }

    /// Keys audit content hashes with the instance's secret from now on.
    pub fn use_content_secret(&self, secret: &[u8]) {
        let mut kept = self
            .content_secret
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *kept = secret.to_vec();
    }

    /// Joins the open batch, or opens one.
    pub async fn join(&self) -> StoreResult<Member<DB>> {
        let mut turn = self.take_turn().await?;
        let cleanup = Cleanup {
            group: self.clone(),
            armed: true,
        };
        turn.undo_abandoned().await;
        if !matches!(turn.state, State::Open(_)) {
            turn.open(self.batches.fetch_add(1, Ordering::Relaxed))
                .await?;
        }
        let writer = &mut *turn;
        if let State::Open(batch) = &mut writer.state {
            if batch.savepoint != Savepoint::Ready {
                DB::run(&mut writer.conn, "SAVEPOINT member").await?;
            }
            batch.savepoint = Savepoint::InUse;
            batch.audit_before_member = batch.audit.len();
        }
        Ok(Member {
            turn,
            cleanup,
            with_release: WithRelease::default(),
            moves_data: true,
        })
    }

    /// Saves a prepared write; returns once it is committed (or failed with its batch).
    ///
    /// Prepared writes that arrive together go to the writer together: one task takes the
    /// writer's turn, as any member does, and sends every write queued by then in one round
    /// trip, each after the one before it, then releases them into the batch at once. Where a
    /// member holds the writer for a round trip of its own and hands it on (waking the next
    /// request's task), the writer then waits on neither. If that round trip fails, it is
    /// undone and each write is sent again alone, so that only the one at fault fails.
    ///
    /// The sending task is the process's, not the request's: once queued, a write is sent and
    /// its commit finished whatever becomes of the request, as a member's release is.
    pub(crate) async fn write(&self, mut write: Prepared) -> StoreResult<()> {
        for entry in &mut write.audit {
            self.seal(entry);
        }
        let (answer, answered) = oneshot::channel();
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Queued { write, answer });
        if !self.sending_prepared.swap(true, Ordering::SeqCst) {
            let group = self.clone();
            tokio::spawn(async move { group.send_prepared().await });
        }
        let (batch, outcome) = answered
            .await
            .map_err(|_| StoreError::Commit("the write's release was cut off".into()))??;
        self.outcome(batch, outcome).await
    }

    /// Sends the queued prepared writes, a turn on the writer at a time, until none is left.
    async fn send_prepared(&self) {
        loop {
            match self.take_turn().await {
                Ok(turn) => self.send_queued(turn).await,
                Err(e) => {
                    for queued in self.take_queued(usize::MAX) {
                        let _ = queued.answer.send(Err(StoreError::Config(e.to_string())));
                    }
                }
            }
            // A write queued after the queue was last read, and before this, saw a sender
            // at work and left its sending to it.
            self.sending_prepared.store(false, Ordering::SeqCst);
            if self.queued_count() == 0 || self.sending_prepared.swap(true, Ordering::SeqCst) {
                return;
            }
        }
    }

    fn take_queued(&self, most: usize) -> Vec<Queued> {
        let mut queue = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        let taken = most.min(queue.len());
        queue.drain(..taken).collect()
    }

    fn queued_count(&self) -> usize {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// One turn's work: sends the writes queued now (as many as the batch has room for) and
    /// releases them into the open batch, then hands the batch on or ends it.
    async fn send_queued(&self, mut turn: WriterTurn<DB>) {
        turn.undo_abandoned().await;
        let room = match &turn.state {
            State::Open(batch) => MAX_MEMBERS.saturating_sub(batch.released),
            _ => MAX_MEMBERS,
        };
        let together = match DB::ENGINE {
            Engine::Sqlite => room.min(SQLITE_TOGETHER),
            Engine::Postgres => room,
        };
        let mut writes = self.take_queued(together);
        if writes.is_empty() {
            // The batch is full: committed now, the writes go into the next.
            return self.settle(turn, room == 0).await;
        }
        if let Err(e) = self.ready_for_member(&mut turn).await {
            let reason = e.to_string();
            for queued in writes {
                let _ = queued.answer.send(Err(StoreError::Commit(reason.clone())));
            }
            return self.settle(turn, false).await;
        }
        let hooks = Arc::clone(&self.hooks);
        if writes.len() > 1 {
            let State::Open(batch) = &turn.state else {
                return;
            };
            let hand_on = self.hands_on(batch.released + writes.len(), batch.opened);
            let keyed = writes.iter().any(|q| q.write.with_release.keyed);
            // Moved out and back rather than copied: the texts and values may be long.
            let lengths: Vec<usize> = writes
                .iter()
                .map(|q| q.write.with_release.statements.len())
                .collect();
            let mut together = Vec::new();
            for queued in &mut writes {
                together.append(&mut queued.write.with_release.statements);
            }
            // PostgreSQL parses and plans each statement of the text anew: there alike writes'
            // rows go in one insert a table. SQLite runs the texts it keeps prepared.
            let sent_as = match DB::ENGINE {
                Engine::Postgres => Cow::Owned(crate::statement::merged(&together, &lengths)),
                Engine::Sqlite => Cow::Borrowed(together.as_slice()),
            };
            let Ok(sent) = turn.send_release(&sent_as, hand_on, keyed, &hooks).await else {
                // A test point stopped it there: the batch is abandoned, as a member's.
                return;
            };
            if sent.is_ok() {
                for queued in writes {
                    let answer = turn.note_released(queued.write);
                    let _ = queued.answer.send(answer);
                }
                return self.hand_on_or_end(turn, hand_on).await;
            }
            // Undone; each goes again alone.
            turn.undo_abandoned().await;
            self.sent_again_alone
                .fetch_add(writes.len() as u64, Ordering::Relaxed);
            let mut together = together.into_iter();
            for (queued, length) in writes.iter_mut().zip(lengths) {
                queued.write.with_release.statements = together.by_ref().take(length).collect();
            }
        }
        let last = writes.len() - 1;
        for (i, queued) in writes.into_iter().enumerate() {
            if !matches!(&turn.state, State::Open(b) if b.savepoint == Savepoint::Ready) {
                if let Err(e) = self.ready_for_member(&mut turn).await {
                    let _ = queued.answer.send(Err(e));
                    continue;
                }
            }
            // The next write's savepoint goes with this release.
            let again = match &turn.state {
                State::Open(batch) if i == last => self.hands_on(batch.released + 1, batch.opened),
                _ => true,
            };
            let keyed = queued.write.with_release.keyed;
            let statements = &queued.write.with_release.statements;
            let Ok(sent) = turn.send_release(statements, again, keyed, &hooks).await else {
                return;
            };
            let answer = match sent {
                Ok(()) => turn.note_released(queued.write),
                Err(e) => {
                    turn.undo_abandoned().await;
                    Err(e.into())
                }
            };
            let _ = queued.answer.send(answer);
        }
        self.settle(turn, false).await
    }

    /// Hashes an audit entry's content with the secret audit hashes are keyed with.
    fn seal(&self, entry: &mut Unchained) {
        entry.seal(
            &self
                .content_secret
                .read()
                .unwrap_or_else(|e| e.into_inner()),
        );
    }

    /// Opens a batch if none is, and makes sure an empty member savepoint waits in it.
    async fn ready_for_member(&self, turn: &mut WriterTurn<DB>) -> StoreResult<()> {
        if !matches!(turn.state, State::Open(_)) {
            turn.open(self.batches.fetch_add(1, Ordering::Relaxed))
                .await?;
        }
        let writer = &mut **turn;
        if let State::Open(batch) = &mut writer.state {
            if batch.savepoint != Savepoint::Ready {
                DB::run(&mut writer.conn, "SAVEPOINT member").await?;
                batch.savepoint = Savepoint::Ready;
            }
            // Prepared writes add their audit entries once released: undoing one must not
            // take entries of the writes before it.
            batch.audit_before_member = batch.audit.len();
        }
        Ok(())
    }

    /// Writes waiting for their turn on the writer now, and prepared writes queued to be sent
    /// (with the task that sends them, once it waits for its turn).
    pub fn writes_waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst) + self.queued_count()
    }

    /// Batches opened so far.
    pub fn batches_opened(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Prepared writes sent again one by one so far, because a round trip they shared failed.
    pub fn sent_again_alone(&self) -> u64 {
        self.sent_again_alone.load(Ordering::Relaxed)
    }

    /// How long a batch may take in queued writes before it is committed.
    pub fn set_window(&self, window: Duration) {
        let micros = u64::try_from(window.as_micros()).unwrap_or(u64::MAX);
        self.window.store(micros, Ordering::Relaxed);
    }

    /// Closes the writer connection (rolling back a batch still open).
    pub async fn close(&self) {
        self.slot.lock().await.writer = None;
    }

    async fn take_turn(&self) -> StoreResult<WriterTurn<DB>> {
        let slot = {
            let _in_line = InLine::enter(&self.waiting);
            Arc::clone(&self.slot).lock_owned().await
        };
        OwnedMutexGuard::try_map(slot, |s| s.writer.as_mut())
            .map_err(|_| StoreError::Config("the database is closed".into()))
    }

    /// Between members: hands the batch on to a queued writer, or ends it (commits it, or
    /// rolls it back when nobody's write is in it). `force` commits even with writers queued.
    async fn settle(&self, mut turn: WriterTurn<DB>, force: bool) {
        turn.undo_abandoned().await;
        let State::Open(batch) = &turn.state else {
            return;
        };
        let hand_on = !force && self.hands_on(batch.released, batch.opened);
        self.hand_on_or_end(turn, hand_on).await;
    }

    /// Leaves the batch open for the queued writer (`hand_on`), or ends it: commits it, or
    /// rolls it back when nobody's write is in it.
    async fn hand_on_or_end(&self, mut turn: WriterTurn<DB>, hand_on: bool) {
        let State::Open(batch) = &turn.state else {
            return;
        };
        let hooks = Arc::clone(&self.hooks);
        if batch.released == 0 {
            turn.end("ROLLBACK", &hooks).await;
        } else if !hand_on {
            // A task of its own, so that a request that goes away half-way through the
            // commit does not leave the others without an answer.
            let _ = tokio::spawn(async move { turn.end("COMMIT", &hooks).await }).await;
        }
    }

    /// Whether a batch holding `released` writes, opened at `opened`, goes on to a queued
    /// writer (or prepared write) rather than being committed now.
    fn hands_on(&self, released: usize, opened: Instant) -> bool {
        (self.waiting.load(Ordering::SeqCst) > 0 || self.queued_count() > 0)
            && released < MAX_MEMBERS
            && opened.elapsed() < Duration::from_micros(self.window.load(Ordering::Relaxed))
    }

    /// Waits for the batch a member released into to end, and says how it went.
    async fn outcome(&self, batch: u64, mut outcome: watch::Receiver<Outcome>) -> StoreResult<()> {
        loop {
            if let Some(result) = outcome.borrow_and_update().clone() {
                return result.map_err(StoreError::Commit);
            }
            match tokio::time::timeout(STRANDED_AFTER, outcome.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    return Err(StoreError::Commit(
                        "the batch was abandoned; none of it was saved".into(),
                    ))
                }
                Err(_) => {
                    let turn = self.take_turn().await?;
                    if matches!(&turn.state, State::Open(b) if b.id == batch) {
                        self.settle(turn, true).await;
                    }
                }
            }
        }
    }
}

impl<DB: Batchable> Writer<DB> {
    async fn open(&mut self, id: u64) -> StoreResult<()> {
        if matches!(self.state, State::Unsure) {
            self.replace_connection().await?;
        }
        if self.needs_setup && !self.framing.setup.is_empty() {
            DB::run(&mut self.conn, &self.framing.setup).await?;
        }
        self.needs_setup = false;
        self.state = State::Unsure;
        let head = DB::open(&mut self.conn, &self.framing.begin).await?;
        self.state = State::Open(Batch {
            id,
            released: 0,
            opened: Instant::now(),
            savepoint: Savepoint::Ready,
            head,
            audit: Vec::new(),
            audit_before_member: 0,
            keyed: false,
            moves_data: false,
            outcome: watch::Sender::new(None),
        });
        Ok(())
    }

    /// Sends `statements` and the release of the member savepoint in one round trip (`again`:
    /// and makes the next member's savepoint with it). The outer error is a test point's
    /// (see [`hooks::RELEASE_SENT`]), which leaves the release unnoted; the inner one the
    /// database's, which leaves the member's savepoint in use, to be undone.
    async fn send_release(
        &mut self,
        statements: &[Statement],
        again: bool,
        keyed: bool,
        hooks: &Hooks,
    ) -> StoreResult<Result<(), sqlx::Error>> {
        let State::Open(batch) = &mut self.state else {
            return Err(StoreError::Commit("the batch ended under a write".into()));
        };
        batch.savepoint = Savepoint::Releasing;
        let release = if again {
            "RELEASE SAVEPOINT member; SAVEPOINT member"
        } else {
            "RELEASE SAVEPOINT member"
        };
        let sent = DB::send(&mut self.conn, statements, release).await;
        // Tests stop here, with the release done in the database and not yet noted, and drop
        // the request meanwhile.
        if keyed {
            hooks.at(hooks::RELEASE_SENT).await?;
        }
        let State::Open(batch) = &mut self.state else {
            return Err(StoreError::Commit("the batch ended under a write".into()));
        };
        batch.savepoint = match (&sent, again) {
            (Err(_), _) => Savepoint::InUse,
            (Ok(()), true) => Savepoint::Ready,
            (Ok(()), false) => Savepoint::Absent,
        };
        Ok(sent)
    }

    /// Notes a prepared write released into the open batch, its audit entries with it.
    fn note_released(&mut self, write: Prepared) -> StoreResult<Released> {
        let State::Open(batch) = &mut self.state else {
            return Err(StoreError::Commit("the batch ended under a write".into()));
        };
        batch.audit.extend(write.audit);
        batch.audit_before_member = batch.audit.len();
        Ok(batch.take_in(write.with_release.keyed, write.moves_data))
    }

    /// Rolls back a member that began and never finished.
    async fn undo_abandoned(&mut self) {
        let State::Open(batch) = &mut self.state else {
            return;
        };
        match batch.savepoint {
            Savepoint::Absent | Savepoint::Ready => {}
            Savepoint::Releasing => {
                tracing::error!("a write's release was cut off; its whole batch is abandoned");
                self.abandon().await;
            }
            Savepoint::InUse => {
                batch.audit.truncate(batch.audit_before_member);
                // Rolling back to a savepoint keeps it, empty: ready for the next member.
                let undone = DB::run(&mut self.conn, "ROLLBACK TO SAVEPOINT member").await;
                batch.savepoint = if undone.is_ok() {
                    Savepoint::Ready
                } else {
                    Savepoint::Absent
                };
                if let Err(e) = undone {
                    tracing::error!(error = %e, "a write could not be rolled back alone; its whole batch is abandoned");
                    self.abandon().await;
                }
            }
        }
    }

    /// Ends the open batch with `COMMIT` or `ROLLBACK` and tells its members.
    async fn end(&mut self, how: &'static str, hooks: &Hooks) {
        let State::Open(mut batch) = std::mem::replace(&mut self.state, State::Unsure) else {
            return;
        };
        let result = match how {
            "COMMIT" => {
                let audit = std::mem::take(&mut batch.audit);
                self.chain_and_commit(&batch, audit, hooks).await
            }
            _ => DB::run(&mut self.conn, how).await.map_err(StoreError::from),
        };
        let outcome = match (how, &result) {
            ("COMMIT", Ok(())) => Ok(()),
            (_, Ok(())) => Err("rolled back".to_string()),
            (_, Err(e)) => Err(e.to_string()),
        };
        batch.outcome.send_replace(Some(outcome));
        match result {
            Ok(()) => self.state = State::Idle,
            Err(e) => {
                tracing::error!(error = %e, "a write batch did not end cleanly");
                self.abandon().await;
            }
        }
    }

    async fn chain_and_commit(
        &mut self,
        batch: &Batch,
        audit: Vec<Unchained>,
        hooks: &Hooks,
    ) -> StoreResult<()> {
        let chain = crate::audit_chain::chain(DB::ENGINE, batch.head.clone(), audit)?;
        if batch.keyed {
            hooks.at(hooks::BEFORE_COMMIT).await?;
        }
        // The chain, the data version and the COMMIT go together, in one round trip.
        let commit = if batch.moves_data {
            format!("{MOVE_DATA_VERSION}; {}", self.framing.commit)
        } else {
            self.framing.commit.clone()
        };
        Ok(DB::send(&mut self.conn, &chain, &commit).await?)
    }

    /// Gives up the open batch: its members get an error (their answer channel closes) and a
    /// fresh connection replaces this one, whose closing rolls back what it held.
    async fn abandon(&mut self) {
        self.state = State::Unsure;
        if let Err(e) = self.replace_connection().await {
            tracing::error!(error = %e, "no new writer connection yet; the next write retries");
        }
    }

    async fn replace_connection(&mut self) -> StoreResult<()> {
        let fresh = self.pool.acquire().await?.detach();
        let old = std::mem::replace(&mut self.conn, fresh);
        self.state = State::Idle;
        self.needs_setup = true;
        if let Err(e) = old.close().await {
            tracing::warn!(error = %e, "the old writer connection did not close cleanly");
        }
        Ok(())
    }
}

impl<DB: Batchable> Member<DB> {
    /// The writer connection, inside this member's savepoint.
    pub fn connection(&mut self) -> &mut DB::Connection {
        &mut self.turn.conn
    }

    /// Adds an audit entry to the batch, to be chained onto the trail before its commit.
    pub(crate) fn audit(&mut self, mut entry: Unchained) -> StoreResult<()> {
        self.cleanup.group.seal(&mut entry);
        match &mut self.turn.state {
            State::Open(batch) => {
                batch.audit.push(entry);
                Ok(())
            }
            _ => Err(StoreError::Commit("the batch ended under a write".into())),
        }
    }

    /// Sends `with_release` just before the release, in its round trip where the engine
    /// allows. Its error is the commit's, and undoes the member.
    pub(crate) fn send_with_release(&mut self, with_release: WithRelease) {
        self.with_release = with_release;
    }

    /// The write changes nothing a page shows (see [`crate::Tx::shown_nowhere`]).
    pub(crate) fn shown_nowhere(&mut self) {
        self.moves_data = false;
    }

    /// Keeps this member's writes; returns once they are committed (or failed with their
    /// batch).
    ///
    /// The release runs in a task of its own, as the commit does: once its statement is sent,
    /// a request that goes away (a timeout, a client hanging up, shutdown) cannot stop it
    /// half-way, between the database releasing the savepoint and the writer noting it. Undone
    /// there, the member's rows would commit without their audit entries, or the whole batch
    /// would be lost for a savepoint that no longer exists.
    pub async fn commit(self) -> StoreResult<()> {
        let Member {
            turn,
            mut cleanup,
            with_release,
            moves_data,
        } = self;
        // From here the release task settles the writer, whatever becomes of this request.
        cleanup.armed = false;
        let group = cleanup.group.clone();
        let releasing = tokio::spawn(release(group.clone(), turn, with_release, moves_data));
        let (batch, outcome) = releasing
            .await
            .map_err(|_| StoreError::Commit("the write's release was cut off".into()))??;
        group.outcome(batch, outcome).await
    }
}

/// Releases a member's savepoint into its batch (with the statement that travels with it), then
/// hands the batch on or ends it. Yields the batch, to wait for its outcome.
async fn release<DB: Batchable>(
    group: Group<DB>,
    mut turn: WriterTurn<DB>,
    with_release: WithRelease,
    moves_data: bool,
) -> StoreResult<Released> {
    let State::Open(batch) = &turn.state else {
        return Err(StoreError::Commit("the batch ended under a write".into()));
    };
    // Decided once, before the release: handing on, the next member's savepoint is made with
    // it.
    let hand_on = group.hands_on(batch.released + 1, batch.opened);
    let WithRelease { statements, keyed } = with_release;
    if let Err(e) = turn
        .send_release(&statements, hand_on, keyed, &group.hooks)
        .await?
    {
        // Not released (a statement before it failed, such as a key already taken): the
        // member is undone alone and the batch goes on for the others.
        group.settle(turn, false).await;
        return Err(e.into());
    }
    let State::Open(batch) = &mut turn.state else {
        return Err(StoreError::Commit("the batch ended under a write".into()));
    };
    let released = batch.take_in(keyed, moves_data);
    group.hand_on_or_end(turn, hand_on).await;
    Ok(released)
}
