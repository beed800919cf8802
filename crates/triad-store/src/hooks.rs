//! Pause and failure points in the write path, for tests of what happens between two of its
//! steps (a request dropped while its release is in flight, a commit that fails, an error
//! after a commit) without sleeping and hoping. Each database has its own, so tests running
//! at once do not trip each other's, and the points of the write path fire only in writes
//! that record a request's idempotency key: the server's own background writes (a job's
//! batches, a credential's last use, notices) pass them by.
//!
//! They exist only with the `test-hooks` feature, which only the test build turns on; without
//! it every point is a no-op the compiler removes.

#[cfg(feature = "test-hooks")]
mod armed {
    use crate::error::{StoreError, StoreResult};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use tokio::sync::Notify;

    /// The points armed on one database, by name. Each fires once.
    #[derive(Default)]
    pub struct Hooks {
        points: Mutex<HashMap<&'static str, Point>>,
    }

    enum Point {
        Pause(Pause),
        Fail,
    }

    /// A pause a test armed: it learns when the write reached the point and says when it may
    /// go on.
    #[derive(Clone, Default)]
    pub struct Pause {
        reached: Arc<Notify>,
        go: Arc<Notify>,
    }

    impl Pause {
        /// Waits until a write has reached the point (and is waiting there).
        pub async fn reached(&self) {
            self.reached.notified().await;
        }

        /// Lets the write that waits at the point go on.
        pub fn go(&self) {
            self.go.notify_one();
        }
    }

    impl Hooks {
        /// The next write to reach `point` waits there until the test says go.
        pub fn pause_at(&self, point: &'static str) -> Pause {
            let pause = Pause::default();
            self.points().insert(point, Point::Pause(pause.clone()));
            pause
        }

        /// The next write to reach `point` fails there.
        pub fn fail_at(&self, point: &'static str) {
            self.points().insert(point, Point::Fail);
        }

        fn points(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Point>> {
            self.points.lock().unwrap_or_else(|e| e.into_inner())
        }

        /// Where the write path passes `point`.
        pub(crate) async fn at(&self, point: &'static str) -> StoreResult<()> {
            let armed = self.points().remove(point);
            match armed {
                None => Ok(()),
                Some(Point::Fail) => Err(StoreError::Commit(format!("failed at {point} (test)"))),
                Some(Point::Pause(pause)) => {
                    pause.reached.notify_one();
                    pause.go.notified().await;
                    Ok(())
                }
            }
        }
    }
}

#[cfg(not(feature = "test-hooks"))]
mod armed {
    use crate::error::StoreResult;

    /// Without the `test-hooks` feature no point is ever armed.
    #[derive(Default)]
    pub struct Hooks;

    impl Hooks {
        #[inline(always)]
        pub(crate) async fn at(&self, _point: &'static str) -> StoreResult<()> {
            Ok(())
        }
    }
}

pub use armed::*;

/// After a write's release statement came back, before the writer notes it (a request
/// dropped here must not lose the write's audit entries nor undo it).
pub const RELEASE_SENT: &str = "release_sent";
/// Just before a batch's closing round trip (its audit chain and COMMIT): failing here fails
/// the whole batch.
pub const BEFORE_COMMIT: &str = "before_commit";
/// Just after a write's transaction committed, as a fallible step after it would fail.
pub const AFTER_COMMIT: &str = "after_commit";
/// Where the live-status listener waits before reconnecting, after its connection was lost.
pub const LISTENER_RECONNECT: &str = "listener_reconnect";
