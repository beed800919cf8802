//! Password hashing with argon2id, bounded. Each check fills 19 MiB of memory for about the
//! time of a page load; a school's staff signing in at 7:55 would otherwise run dozens at
//! once and leave the process gigabytes larger (the allocator keeps what each thread used).
//! So checks run at most one per core at a time, each in one of a few buffers kept for the
//! purpose; the rest wait their turn briefly, and beyond that the server is busy.

use crate::{StoreError, StoreResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// How long a check waits for its turn before the server answers that it is busy.
pub const WAIT_FOR_TURN: Duration = Duration::from_secs(10);

/// Checks at once: one per core (what argon2 can use anyway).
fn turns() -> &'static Semaphore {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    TURNS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// The buffers checks fill: at most one per turn, kept while more checks are asked for (a
/// burst of sign-ins fills the same few), so the memory argon2 uses is bounded by the number
/// of cores rather than by the number of threads that ever ran one. The last check of a burst
/// lets them all go: kept idle, 19 MiB a core stayed in the server for good after its first
/// sign-in, a third of its memory on a quiet day.
fn buffers() -> &'static Mutex<Vec<Vec<Block>>> {
    static BUFFERS: OnceLock<Mutex<Vec<Vec<Block>>>> = OnceLock::new();
    BUFFERS.get_or_init(Mutex::default)
}

/// Checks asked for and not yet done: waiting for a turn or running.
static ASKED: AtomicUsize = AtomicUsize::new(0);
/// Buffers made (or grown) so far: what a burst did not find kept.
static MADE: AtomicUsize = AtomicUsize::new(0);

/// Counts a check as asked for until it is done or given up (a request that goes away).
struct Asked;

impl Asked {
    fn new() -> Self {
        ASKED.fetch_add(1, Ordering::SeqCst);
        Self
    }
}

impl Drop for Asked {
    fn drop(&mut self) {
        ASKED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Gives a turn back when the blocking work that took it ends (however it ends).
struct TurnGuard;

impl Drop for TurnGuard {
    fn drop(&mut self) {
        turns().add_permits(1);
    }
}

/// Runs `work` with a buffer of at least `blocks` blocks, on a blocking thread, in turn.
async fn in_turn<T: Send + 'static>(
    blocks: usize,
    work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
) -> StoreResult<T> {
    // The turn goes with the work: a request dropped while its check runs (a client that
    // hangs up) keeps the turn until the check ends, so dropped requests cannot start more
    // checks, and buffers, than there are turns.
    let asked = Asked::new();
    let turn = tokio::time::timeout(WAIT_FOR_TURN, turns().acquire())
        .await
        .map_err(|_| StoreError::Busy)?
        .map_err(|_| StoreError::Busy)?;
    turn.forget();
    let guard = TurnGuard;
    tokio::task::spawn_blocking(move || {
        let _turn = guard;
        let taken = buffers().lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut buffer = taken.unwrap_or_default();
        if buffer.len() < blocks {
            MADE.fetch_add(1, Ordering::Relaxed);
            buffer.resize(blocks, Block::default());
        }
        let result = work(&mut buffer[..blocks]);
        let mut kept = buffers().lock().unwrap_or_else(|e| e.into_inner());
        if ASKED.load(Ordering::SeqCst) > 1 {
            kept.push(buffer);
        } else {
            // Nobody else is asking: none is kept (this one goes as it leaves scope).
            kept.clear();
        }
        drop(asked);
        result
    })
    .await
    .map_err(|_| StoreError::Hashing)
}

/// Hashes a password with argon2id (the crate's defaults) and a random salt, in turn.
pub async fn hash_password(password: String) -> StoreResult<String> {
    // No kept buffer: hashing is rare (a new account, a new password), and the crate's own
    // allocation is fine here; taking a turn still bounds how many run at once.
    in_turn(0, move |_| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| StoreError::Hashing)
    })
    .await?
}

/// Checks a password against its stored PHC string, in turn, in a kept buffer. A stored
/// string that does not parse never matches. `Err(Busy)` when no turn came in time.
pub async fn verify_password(password: String, stored: String) -> StoreResult<bool> {
    let Some(check) = Check::parse(&stored) else {
        return Ok(false);
    };
    let blocks = check.params.block_count();
    in_turn(blocks, move |memory| {
        check.matches(password.as_bytes(), memory)
    })
    .await
}

/// What a stored hash says: how to recompute it, and what it must equal.
struct Check {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    expected: Vec<u8>,
}

impl Check {
    fn parse(stored: &str) -> Option<Self> {
        let hash = PasswordHash::new(stored).ok()?;
        let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
        let version = match hash.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&hash).ok()?;
        let mut salt = [0u8; 64];
        let salt = hash.salt?.decode_b64(&mut salt).ok()?.to_vec();
        let expected = hash.hash?.as_bytes().to_vec();
        Some(Self {
            algorithm,
            version,
            params,
            salt,
            expected,
        })
    }

    fn matches(&self, password: &[u8], memory: &mut [Block]) -> bool {
        let argon = Argon2::new(self.algorithm, self.version, self.params.clone());
        let mut out = vec![0u8; self.expected.len()];
        argon
            .hash_password_into_with_memory(password, &self.salt, &mut out, memory)
            .is_ok()
            && bool::from(out.ct_eq(&self.expected))
    }
}

/// Spends the time of one password check against a hash nobody knows the password of, so a
/// sign-in with an unknown user name (or a locked account) takes as long as a real check.
/// Like a real check it waits its turn, and is answered busy the same way, so a busy server
/// does not tell a known name from an unknown one either.
pub async fn spend_verification_time(password: String) -> StoreResult<()> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = match DUMMY.get() {
        Some(hash) => hash.clone(),
        None => {
            let mut unknowable = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut unknowable);
            let made = hash_password(hex::encode(unknowable)).await?;
            DUMMY.get_or_init(|| made).clone()
        }
    };
    verify_password(password, hash).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept buffers are the process's: one test at a time counts them.
    static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    #[tokio::test]
    async fn a_kept_buffer_checks_like_the_crate_does() {
        let _alone = ALONE.lock().await;
        let stored = hash_password("correct horse battery".into()).await.unwrap();
        assert!(
            verify_password("correct horse battery".into(), stored.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password("correct horse batterY".into(), stored.clone())
                .await
                .unwrap()
        );
        // The same buffer serves the next check, whatever the last one left in it.
        assert!(
            verify_password("correct horse battery".into(), stored.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("x".into(), "not a phc string".into())
            .await
            .unwrap());
        // A hash made with other parameters (as an older release might have) still checks.
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"older", &SaltString::generate(&mut rand::rngs::OsRng))
            .unwrap()
            .to_string();
        assert!(verify_password("older".into(), other.clone())
            .await
            .unwrap());
        assert!(!verify_password("newer".into(), other).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_of_checks_shares_the_kept_buffers_and_the_last_lets_them_go() {
        let _alone = ALONE.lock().await;
        let stored = hash_password("correct horse battery".into()).await.unwrap();
        let made_before = MADE.load(Ordering::Relaxed);
        let burst: Vec<_> = (0..8)
            .map(|_| {
                tokio::spawn(verify_password(
                    "correct horse battery".into(),
                    stored.clone(),
                ))
            })
            .collect();
        for check in burst {
            assert!(check.await.unwrap().unwrap());
        }
        let turns = std::thread::available_parallelism().map_or(2, |n| n.get());
        let made = MADE.load(Ordering::Relaxed) - made_before;
        assert!(
            (1..=turns).contains(&made),
            "8 checks at once made {made} buffers, at most one a turn ({turns})"
        );
        assert!(
            buffers().lock().unwrap().is_empty(),
            "no buffer is kept once nobody asks for a check"
        );
        assert_eq!(ASKED.load(Ordering::SeqCst), 0);
    }
}
