//! Figures computed lately, kept a short while. Some pages read many records to show a few
//! figures (a survey of thousands of answers, a program year scored, four years of
//! collaboration); what they show need not be fresher than a few seconds to a minute, so a page
//! opened by many at once is computed once. What people decide (ratings, findings) is read on
//! every view and never kept here.

use crate::error::AppResult;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;
use triad_domain::Timestamp;

/// Values computed at most `for_` ago by the instance's clock, by key.
pub struct Fresh<K, V> {
    for_: Duration,
    entries: std::sync::Mutex<HashMap<K, (Timestamp, Arc<V>)>>,
    /// One computation at a time: many readers of one page wait for one computation rather than
    /// each computing it.
    computing: tokio::sync::Mutex<()>,
}

impl<K: Eq + Hash, V> Fresh<K, V> {
    /// The most values kept (a state's programs for a few years); older ones go first.
    const MOST: usize = 4096;

    pub fn new(for_: Duration) -> Self {
        Self {
            for_,
            entries: std::sync::Mutex::default(),
            computing: tokio::sync::Mutex::default(),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Timestamp, Arc<V>)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a value computed `at` is still fresh `now` (a clock set back makes it stale).
    fn fresh(&self, at: Timestamp, now: Timestamp) -> bool {
        let age = now.millis() - at.millis();
        age >= 0 && u128::from(age.unsigned_abs()) < self.for_.as_millis()
    }

    fn get(&self, key: &K, now: Timestamp) -> Option<Arc<V>> {
        let entries = self.entries();
        let (at, v) = entries.get(key)?;
        self.fresh(*at, now).then(|| Arc::clone(v))
    }

    /// The value kept for `key` if it is fresh `now`, or else `compute`'s, kept from now.
    pub async fn get_or_compute<F, Fut>(
        &self,
        now: Timestamp,
        key: K,
        compute: F,
    ) -> AppResult<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<V>>,
    {
        if let Some(v) = self.get(&key, now) {
            return Ok(v);
        }
        let _turn = self.computing.lock().await;
        if let Some(v) = self.get(&key, now) {
            return Ok(v);
        }
        let v = Arc::new(compute().await?);
        let mut entries = self.entries();
        if entries.len() >= Self::MOST {
            entries.retain(|_, (at, _)| self.fresh(*at, now));
        }
        entries.insert(key, (now, Arc::clone(&v)));
        Ok(v)
    }

    /// Forgets the values whose keys `which` picks (after a change they depend on).
    pub fn forget(&self, which: impl Fn(&K) -> bool) {
        self.entries().retain(|k, _| !which(k));
    }
}

/// Values built from many reads, kept by key while the database's versions are those they
/// were read under (see [`triad_store::auth::Versions`]), or brought up to date to them
/// ([`Current::get_or_update`]), and at most `for_` after they were built whole: any write moves
/// the data version, so a kept value is never older than the last write; the age limit is for
/// what time alone changes (a step falling late, a ban ending). Unlike [`Fresh`], computations
/// of different keys run at once: each key is one person's page.
///
/// `Under` is what a value is kept under: all the versions by default, or one of them for a
/// value read from tables only that version follows (a district's bans, under the ban
/// version), which then stays kept while other writes go on.
pub struct Current<K, V, Under = triad_store::auth::Versions> {
    for_: Duration,
    /// The most values kept; past it, the outdated go, and if none is, all of them.
    most: usize,
    entries: std::sync::Mutex<HashMap<K, CurrentEntry<V, Under>>>,
    /// One build at a time per key: after a write, the requests that find a page outdated
    /// wait for one of them to read it rather than all reading it at once.
    building: std::sync::Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

/// A value kept under versions that are no longer the database's, still young enough to be
/// brought up to date (see [`Current::get_or_update`]).
pub struct Outdated<V, Under> {
    /// What it was kept under.
    pub versions: Under,
    /// When it was last built whole.
    pub built_at: Timestamp,
    pub value: Arc<V>,
}

struct CurrentEntry<V, Under> {
    versions: Under,
    at: Timestamp,
    value: Arc<V>,
}

impl<K: Eq + Hash + Clone, V, Under: Copy + Eq> Current<K, V, Under> {
    pub fn new(for_: Duration) -> Self {
        Self::bounded(for_, 2048)
    }

    /// Keeping at most `most` values (for values that run to kilobytes each).
    pub fn bounded(for_: Duration, most: usize) -> Self {
        Self {
            for_,
            most,
            entries: std::sync::Mutex::default(),
            building: std::sync::Mutex::default(),
        }
    }

    fn kept(&self, key: &K, versions: Under, now: Timestamp) -> Option<Arc<V>> {
        let entries = self.entries();
        let entry = entries.get(key)?;
        self.holds(entry, versions, now)
            .then(|| Arc::clone(&entry.value))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, CurrentEntry<V, Under>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn holds(&self, entry: &CurrentEntry<V, Under>, versions: Under, now: Timestamp) -> bool {
        let age = now.millis() - entry.at.millis();
        entry.versions == versions
            && age >= 0
            && u128::from(age.unsigned_abs()) < self.for_.as_millis()
    }

    /// The value kept for `key` if it was built under `versions` less than `for_` before
    /// `now`, or else `build`'s, kept under `versions`. `versions` must have been read before
    /// `build` reads anything: a write landing during the build then makes the next request
    /// build again rather than keep what it may have missed.
    pub async fn get_or_build<F, Fut, E>(
        &self,
        key: K,
        versions: Under,
        now: Timestamp,
        build: F,
    ) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        self.get_or_update(key, versions, now, |_| async move {
            build().await.map(|value| (Arc::new(value), now))
        })
        .await
    }

    /// As [`Self::get_or_build`], but `update` is handed the value kept under other versions
    /// when it was built less than `for_` before `now` ([`Outdated`]), to bring up to date
    /// rather than build whole. It answers the value and when the value it started from was
    /// built whole (`now` for a value built whole), so that a value is built whole at least
    /// once every `for_` however often it is updated.
    pub async fn get_or_update<F, Fut, E>(
        &self,
        key: K,
        versions: Under,
        now: Timestamp,
        update: F,
    ) -> Result<Arc<V>, E>
    where
        F: FnOnce(Option<Outdated<V, Under>>) -> Fut,
        Fut: Future<Output = Result<(Arc<V>, Timestamp), E>>,
    {
        if let Some(value) = self.kept(&key, versions, now) {
            return Ok(value);
        }
        let turn = Arc::clone(
            self.building
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(key.clone())
                .or_default(),
        );
        let value = {
            let _building = turn.lock().await;
            // Built by the request this one waited for, under the same versions: kept as is.
            match self.kept(&key, versions, now) {
                Some(value) => Ok(value),
                None => update(self.outdated(&key, now))
                    .await
                    .map(|(value, built_at)| {
                        self.keep(key.clone(), versions, built_at, now, value)
                    }),
            }
        };
        // The last request of a build forgets its turn (the map holds one, this one one).
        let mut building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if Arc::strong_count(&turn) == 2 {
            building.remove(&key);
        }
        value
    }

    /// The value kept for `key` under any versions, if built less than `for_` before `now`.
    fn outdated(&self, key: &K, now: Timestamp) -> Option<Outdated<V, Under>> {
        let entries = self.entries();
        let entry = entries.get(key)?;
        self.holds(entry, entry.versions, now).then(|| Outdated {
            versions: entry.versions,
            built_at: entry.at,
            value: Arc::clone(&entry.value),
        })
    }

    fn keep(
        &self,
        key: K,
        versions: Under,
        built_at: Timestamp,
        now: Timestamp,
        value: Arc<V>,
    ) -> Arc<V> {
        let mut entries = self.entries();
        // Full: the values past their age go first, then those under other versions (which
        // only an update could still use), and if none is, all of them.
        if entries.len() >= self.most {
            entries.retain(|_, e| self.holds(e, e.versions, now));
        }
        if entries.len() >= self.most {
            entries.retain(|_, e| self.holds(e, versions, now));
        }
        if entries.len() >= self.most {
            entries.clear();
        }
        entries.insert(
            key,
            CurrentEntry {
                versions,
                at: built_at,
                value: Arc::clone(&value),
            },
        );
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: i64 = 1_780_000_000_000;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(NOON + ms)
    }

    #[tokio::test]
    async fn a_value_is_computed_once_while_fresh_and_again_when_forgotten() {
        let kept: Fresh<&str, u32> = Fresh::new(Duration::from_secs(60));
        let mut computed = 0;
        for ms in [0, 1_000, 59_999] {
            let v = kept
                .get_or_compute(at(ms), "a", || async {
                    computed += 1;
                    Ok(7)
                })
                .await
                .ok();
            assert_eq!(v.as_deref(), Some(&7));
        }
        assert_eq!(computed, 1);
        kept.forget(|k| *k == "a");
        let _ = kept.get_or_compute(at(2), "a", || async { Ok(8) }).await;
        assert_eq!(kept.get(&"a", at(3)).as_deref(), Some(&8));
    }

    #[tokio::test]
    async fn an_outdated_value_is_updated_and_still_built_whole_once_its_time_is_up() {
        let kept: Current<&str, u32, i64> = Current::new(Duration::from_secs(60));
        // What each call's update was handed: the version and build time of an outdated value.
        let handed = std::sync::Mutex::new(Vec::new());
        let ask = |version: i64, ms: i64| {
            let handed = &handed;
            let kept = &kept;
            async move {
                kept.get_or_update("a", version, at(ms), |outdated| async move {
                    let value = match outdated {
                        Some(o) => {
                            handed.lock().unwrap().push(Some((o.versions, o.built_at)));
                            (Arc::new(*o.value + 1), o.built_at)
                        }
                        None => {
                            handed.lock().unwrap().push(None);
                            (Arc::new(10), at(ms))
                        }
                    };
                    Ok::<_, crate::error::AppError>(value)
                })
                .await
                .ok()
                .map(|v| *v)
            }
        };
        assert_eq!(ask(1, 0).await, Some(10), "built whole");
        assert_eq!(ask(2, 30_000).await, Some(11), "brought up to date");
        assert_eq!(ask(2, 31_000).await, Some(11), "kept");
        // A minute after it was built whole, it is built whole again, however recently updated.
        assert_eq!(ask(2, 60_000).await, Some(10), "built whole again");
        assert_eq!(
            *handed.lock().unwrap(),
            [None, Some((1, at(0))), None],
            "what each update was handed"
        );
    }

    fn versions(access: i64, data: i64) -> triad_store::auth::Versions {
        triad_store::auth::Versions {
            access,
            data,
            bans: 0,
        }
    }

    #[tokio::test]
    async fn requests_that_find_a_value_outdated_at_once_build_it_once() {
        let kept: Current<&str, u32> = Current::new(Duration::from_secs(60));
        let counted = std::sync::atomic::AtomicUsize::new(0);
        let builds = &counted;
        let request = |data: i64| {
            kept.get_or_build("a", versions(1, data), at(0), move || async move {
                builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // The build waits on the database: the other requests arrive meanwhile.
                tokio::task::yield_now().await;
                Ok::<_, crate::error::AppError>(data as u32)
            })
        };
        let (a, b, c) = tokio::join!(request(1), request(1), request(1));
        assert_eq!(
            [a.ok(), b.ok(), c.ok()].map(|v| v.as_deref().copied()),
            [Some(1); 3]
        );
        assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A request under newer versions than the one it waited for builds its own.
        let (a, b) = tokio::join!(request(2), request(3));
        assert_eq!(
            [a.ok(), b.ok()].map(|v| v.as_deref().copied()),
            [Some(2), Some(3)]
        );
        assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 3);
        assert!(
            kept.building.lock().unwrap().is_empty(),
            "every turn is forgotten"
        );
    }

    #[tokio::test]
    async fn a_value_is_built_again_after_any_write_a_change_of_access_or_a_minute() {
        let kept: Current<&str, u32> = Current::new(Duration::from_secs(60));
        let mut built = Vec::new();
        for (ms, access, data) in [
            (0, 1, 1),      // built
            (1_000, 1, 1),  // kept
            (2_000, 1, 2),  // a write: built
            (3_000, 1, 2),  // kept
            (4_000, 2, 2),  // a grant changed: built
            (64_000, 2, 2), // a minute later: built
            (63_000, 2, 2), // a clock set back: built
        ] {
            let v = kept
                .get_or_build("a", versions(access, data), at(ms), || async {
                    built.push(ms);
                    Ok::<_, crate::error::AppError>(ms as u32)
                })
                .await
                .ok();
            assert!(v.is_some());
        }
        assert_eq!(built, [0, 2_000, 4_000, 64_000, 63_000]);
        let other = kept
            .get_or_build("b", versions(2, 2), at(63_001), || async {
                Ok::<_, crate::error::AppError>(9)
            })
            .await
            .ok();
        assert_eq!(other.as_deref(), Some(&9), "each key is built for itself");
        let failed = kept
            .get_or_build("c", versions(2, 2), at(63_002), || async {
                Err(crate::error::AppError::NotFound)
            })
            .await;
        assert!(failed.is_err());
        let after = kept
            .get_or_build("c", versions(2, 2), at(63_003), || async {
                Ok::<_, crate::error::AppError>(3)
            })
            .await
            .ok();
        assert_eq!(after.as_deref(), Some(&3), "a failed build is not kept");
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept() {
        let kept: Fresh<&str, u32> = Fresh::new(Duration::from_secs(60));
        let failed = kept
            .get_or_compute(at(0), "a", || async {
                Err(crate::error::AppError::NotFound)
            })
            .await;
        assert!(failed.is_err());
        assert!(kept.get(&"a", at(0)).is_none());
    }

    #[tokio::test]
    async fn a_value_a_minute_old_or_from_a_clock_set_back_is_computed_again() {
        let kept: Fresh<&str, u32> = Fresh::new(Duration::from_secs(60));
        let _ = kept.get_or_compute(at(0), "a", || async { Ok(1) }).await;
        let later = kept
            .get_or_compute(at(60_000), "a", || async { Ok(2) })
            .await;
        assert_eq!(later.ok().as_deref(), Some(&2));
        let earlier = kept
            .get_or_compute(at(59_000), "a", || async { Ok(3) })
            .await;
        assert_eq!(earlier.ok().as_deref(), Some(&3));
    }
}
