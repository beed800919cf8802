//! Program years scored lately. Scoring reads a year of a program's records (tens of
//! milliseconds on a district of five years); the records behind an annual assessment do not
//! need to be fresher than a minute, so a page opened by many at once is scored once. The
//! ratings people give are read on every view and never kept here.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use triad_domain::assessment::Scored;

/// A program's year as its records rate it.
#[derive(Debug, Clone)]
pub struct Scoring {
    /// False when the program holds no record of the year (nothing else is kept then).
    pub has_records: bool,
    /// The last day counted.
    pub until: NaiveDate,
    pub year_over: bool,
    pub scored: Vec<Scored>,
}

type Entries = HashMap<(String, i64), (Instant, Arc<Scoring>)>;

#[derive(Default)]
pub struct Cache {
    entries: std::sync::Mutex<Entries>,
    /// One scoring at a time: many readers of one page wait for one scoring.
    pub(super) computing: tokio::sync::Mutex<()>,
}

impl Cache {
    pub const FRESH_FOR: Duration = Duration::from_secs(60);
    /// The most program years kept (a state's programs for a few years).
    const MOST: usize = 4096;

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn get(&self, partnership: &str, year: i64) -> Option<Arc<Scoring>> {
        let entries = self.entries();
        let (at, s) = entries.get(&(partnership.to_string(), year))?;
        (at.elapsed() < Self::FRESH_FOR).then(|| Arc::clone(s))
    }

    pub(super) fn put(&self, partnership: &str, year: i64, s: Arc<Scoring>) {
        let mut entries = self.entries();
        if entries.len() >= Self::MOST {
            entries.retain(|_, (at, _)| at.elapsed() < Self::FRESH_FOR);
        }
        entries.insert((partnership.to_string(), year), (Instant::now(), s));
    }
}
