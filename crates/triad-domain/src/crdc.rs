//! The counts the federal Civil Rights Data Collection asks of every district about law
//! enforcement at school, as far as Triad's records can give them: referrals to law
//! enforcement and school-related arrests counted as incidents (Triad does not identify
//! students, so never as unduplicated students nor by any student group), and the
//! full-time equivalents of sworn officers and of security staff on each campus.

use chrono::NaiveDate;
use std::collections::HashMap;

/// A counted incident: a law-enforcement matter (or both) naming a student is a referral to
/// law enforcement; one with an arrest recorded is a school-related arrest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub law_enforcement_matter: bool,
    pub names_student: bool,
    pub arrest_recorded: bool,
}

impl IncidentFacts {
    /// A student reported to law enforcement for something on campus, at a school event or on
    /// school transport, whatever came of it: with an SRO on campus, an incident classified a
    /// law-enforcement matter that names a student. An arrest is a referral too.
    pub fn is_referral(&self) -> bool {
        self.names_student && (self.law_enforcement_matter || self.arrest_recorded)
    }

    /// A student arrested for something at school or referred by the school.
    pub fn is_arrest(&self) -> bool {
        self.names_student && self.arrest_recorded
    }
}

/// A person's post on a campus over some days (an SRO's assignment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub person: String,
    pub campus: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl Post {
    fn holds_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }
}

/// Each campus's full-time equivalent of officers over the school days counted: on each day,
/// an officer posted to k campuses counts 1/k on each; a campus's figure is the average over
/// the days (no day counted: nothing). An officer posted half the year is half an FTE.
pub fn fte_over_days(posts: &[Post], days: &[NaiveDate]) -> HashMap<String, f64> {
    let mut total: HashMap<String, f64> = HashMap::new();
    if days.is_empty() {
        return total;
    }
    let mut people: Vec<&str> = posts.iter().map(|p| p.person.as_str()).collect();
    people.sort_unstable();
    people.dedup();
    for person in people {
        let theirs: Vec<&Post> = posts.iter().filter(|p| p.person == person).collect();
        for day in days {
            let held: Vec<&&Post> = theirs.iter().filter(|p| p.holds_on(*day)).collect();
            let share = 1.0 / held.len().max(1) as f64;
            for post in held {
                *total.entry(post.campus.clone()).or_default() += share;
            }
        }
    }
    let n = days.len() as f64;
    total.values_mut().for_each(|v| *v /= n);
    total
}

/// Each campus's full-time equivalent of staff who hold campuses today without dates (school
/// safety officers): each person counts 1/k on each of the k campuses they hold.
pub fn fte_today(holders: &[(String, String)]) -> HashMap<String, f64> {
    let mut total: HashMap<String, f64> = HashMap::new();
    for (person, campus) in holders {
        let k = holders.iter().filter(|(p, _)| p == person).count();
        *total.entry(campus.clone()).or_default() += 1.0 / k as f64;
    }
    total
}

/// A count above zero and under the threshold is too small to publish as it is: with a few
/// incidents on a campus, the students behind them may be known.
pub fn too_small(count: usize, threshold: usize) -> bool {
    count > 0 && count < threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, d).unwrap()
    }

    fn post(person: &str, campus: &str, from: u32, to: Option<u32>) -> Post {
        Post {
            person: person.into(),
            campus: campus.into(),
            starts_on: day(from),
            ends_on: to.map(day),
        }
    }

    #[test]
    fn referrals_and_arrests_are_incidents_naming_a_student() {
        let facts = |le, student, arrest| IncidentFacts {
            law_enforcement_matter: le,
            names_student: student,
            arrest_recorded: arrest,
        };
        assert!(facts(true, true, false).is_referral());
        assert!(!facts(true, true, false).is_arrest());
        assert!(
            facts(false, true, true).is_referral(),
            "an arrest is a referral"
        );
        assert!(facts(true, true, true).is_arrest());
        assert!(
            !facts(true, false, true).is_referral(),
            "no student, no referral"
        );
        assert!(!facts(true, false, true).is_arrest(), "an adult trespasser");
        assert!(
            !facts(false, true, false).is_referral(),
            "school conduct only"
        );
    }

    #[test]
    fn an_officer_counts_by_the_days_and_campuses_they_serve() {
        let days: Vec<NaiveDate> = (1..=10).map(day).collect();
        let posts = [
            // All ten days on campus A.
            post("ana", "A", 1, None),
            // Five days on B alone, then five shared between B and C.
            post("ben", "B", 1, None),
            post("ben", "C", 6, Some(30)),
            // Never on a counted day.
            post("cy", "D", 20, None),
        ];
        let fte = fte_over_days(&posts, &days);
        assert!((fte["A"] - 1.0).abs() < 1e-9);
        assert!((fte["B"] - 0.75).abs() < 1e-9, "{}", fte["B"]);
        assert!((fte["C"] - 0.25).abs() < 1e-9);
        assert!(!fte.contains_key("D"));
        assert!(fte_over_days(&posts, &[]).is_empty());
        let fte = fte_today(&[
            ("sam".into(), "A".into()),
            ("sam".into(), "B".into()),
            ("kim".into(), "A".into()),
        ]);
        assert!((fte["A"] - 1.5).abs() < 1e-9);
        assert!((fte["B"] - 0.5).abs() < 1e-9);
    }

    #[test]
    fn small_counts_are_marked_and_zero_is_not() {
        assert!(!too_small(0, 10));
        assert!(too_small(1, 10));
        assert!(too_small(9, 10));
        assert!(!too_small(10, 10));
    }
}
