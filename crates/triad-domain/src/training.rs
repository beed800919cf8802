//! Training records: the courses an officer took (the mandated basic SRO course, the yearly
//! in-service courses, others), the hours each agency requires, and who is short. Hours are
//! kept in tenths, so "7.5" is exact. A joint training, attended by the SRO and a school
//! administrator together, is marked and counted: training side by side is how each learns the
//! other's role (seed 003 item 22; seed 000).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::org::{parse_date, text_enum};
use crate::policy::{RecordClass, Resource, Tenant};
use crate::text::parse_text;
use crate::{Id, Invalid};

/// The record the policy weighs for an agency's training records (the caller marks one as the
/// actor's own when it is about them).
pub fn record(agency: Id) -> Resource {
    Resource::new(RecordClass::Personnel, Tenant::agency(agency))
}

text_enum! {
    /// What a course counts toward.
    Counts {
        Basic => "basic" / "Basic SRO course",
        InService => "in_service" / "Yearly in-service",
        Other => "other" / "Other",
    }
}

text_enum! {
    /// The year an agency counts in-service hours over.
    TrainingYear {
        Calendar => "calendar" / "Calendar year (January to December)",
        School => "school" / "School year (July to June)",
    }
}

/// The most hours one course may be recorded with (a full basic academy is under this).
pub const MAX_COURSE_TENTHS: i64 = 4000;
/// The most a requirement may ask, in hours.
pub const MAX_REQUIRED_HOURS: i64 = 1000;
/// The providers the form suggests (any other may be typed).
pub const PROVIDERS: &[&str] = &[
    "State police-training academy",
    "NASRO (National Association of School Resource Officers)",
    "U.S. Department of Justice",
    "The agency",
    "The school district",
];

/// What an agency asks of its SROs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirements {
    pub basic_tenths: i64,
    pub yearly_tenths: i64,
    pub year: TrainingYear,
}

impl Default for Requirements {
    /// 120 hours of basic SRO training (the seed's state), 40 hours of in-service a year (a
    /// commonly cited figure), counted over the calendar year, until the agency says.
    fn default() -> Self {
        Self {
            basic_tenths: 1200,
            yearly_tenths: 400,
            year: TrainingYear::Calendar,
        }
    }
}

/// Hours as typed ("7.5", "40", "7,5"): tenths, or the reason they are refused.
pub fn parse_hours(field: &'static str, text: &str, max_tenths: i64) -> Result<i64, Invalid> {
    let t = text.trim().replace(',', ".");
    if t.starts_with('-') {
        return Err(Invalid::one(field, "must not be negative"));
    }
    let bad = || Invalid::one(field, "must be a number of hours such as 8 or 7.5");
    let (whole, tenth) = match t.split_once('.') {
        Some((w, f)) if f.len() == 1 && f.chars().all(|c| c.is_ascii_digit()) => (w, f),
        Some((w, "")) => (w, "0"),
        Some(_) => {
            return Err(Invalid::one(
                field,
                "give hours to a tenth at most, such as 7.5",
            ))
        }
        None => (t.as_str(), "0"),
    };
    if whole.is_empty() || whole.len() > 6 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let tenths =
        whole.parse::<i64>().map_err(|_| bad())? * 10 + tenth.parse::<i64>().map_err(|_| bad())?;
    if tenths > max_tenths {
        return Err(Invalid::one(
            field,
            format!(
                "more than {} hours is not a number this records",
                max_tenths / 10
            ),
        ));
    }
    Ok(tenths)
}

/// Tenths of an hour as people read them: 75 reads "7.5", 80 reads "8".
pub fn show_hours(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

pub fn parse_requirements(basic: &str, yearly: &str, year: &str) -> Result<Requirements, Invalid> {
    let mut invalid = Invalid::default();
    let basic = invalid.check(parse_hours("basic_hours", basic, MAX_REQUIRED_HOURS * 10));
    let yearly = invalid.check(parse_hours("yearly_hours", yearly, MAX_REQUIRED_HOURS * 10));
    let year_kind = TrainingYear::from_code(year);
    if year_kind.is_none() {
        invalid.push(
            "training_year",
            "choose the calendar year or the school year",
        );
    }
    invalid.into_result()?;
    match (basic, yearly, year_kind) {
        (Some(basic_tenths), Some(yearly_tenths), Some(year)) => Ok(Requirements {
            basic_tenths,
            yearly_tenths,
            year,
        }),
        _ => Err(Invalid::one("basic_hours", "is required")),
    }
}

/// A course as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Course {
    pub title: String,
    pub provider: String,
    pub counts: Counts,
    pub tenths: i64,
    pub completed_on: NaiveDate,
    pub joint: bool,
}

pub struct CourseFields<'a> {
    pub title: &'a str,
    pub provider: &'a str,
    pub counts: &'a str,
    pub hours: &'a str,
    pub completed_on: &'a str,
    pub joint: bool,
}

pub fn parse_course(f: &CourseFields, today: NaiveDate) -> Result<Course, Invalid> {
    let mut invalid = Invalid::default();
    let title = invalid.check(parse_text("title", f.title, 200)).flatten();
    if title.is_none() && !invalid.errors.iter().any(|e| e.field == "title") {
        invalid.push("title", "is required");
    }
    let provider = invalid
        .check(parse_text("provider", f.provider, 200))
        .flatten();
    if provider.is_none() && !invalid.errors.iter().any(|e| e.field == "provider") {
        invalid.push(
            "provider",
            "say who gave the course, such as the state academy or NASRO",
        );
    }
    let counts = Counts::from_code(f.counts);
    if counts.is_none() {
        invalid.push(
            "counts",
            "choose the basic SRO course, yearly in-service or other",
        );
    }
    let tenths = invalid.check(parse_hours("hours", f.hours, MAX_COURSE_TENTHS));
    if tenths == Some(0) {
        invalid.push("hours", "must be more than zero");
    }
    let completed = invalid.check(parse_date("completed_on", f.completed_on));
    if completed.is_some_and(|d| d > today) {
        invalid.push("completed_on", "cannot be a day still to come");
    }
    if completed.is_some_and(|d| d.year() < 1970) {
        invalid.push("completed_on", "must be a day since 1970");
    }
    invalid.into_result()?;
    match (title, provider, counts, tenths, completed) {
        (Some(title), Some(provider), Some(counts), Some(tenths), Some(completed_on)) => {
            Ok(Course {
                title,
                provider,
                counts,
                tenths,
                completed_on,
                joint: f.joint,
            })
        }
        _ => Err(Invalid::one("title", "is required")),
    }
}

/// The first and last day of the training year a day falls in.
pub fn year_of(kind: TrainingYear, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(day);
    match kind {
        TrainingYear::Calendar => (ymd(day.year(), 1, 1), ymd(day.year(), 12, 31)),
        TrainingYear::School => {
            let start = if day.month() >= 7 {
                day.year()
            } else {
                day.year() - 1
            };
            (ymd(start, 7, 1), ymd(start + 1, 6, 30))
        }
    }
}

/// How the year reads: "2026" or "2026–27".
pub fn year_label(kind: TrainingYear, day: NaiveDate) -> String {
    let (first, _) = year_of(kind, day);
    match kind {
        TrainingYear::Calendar => first.year().to_string(),
        TrainingYear::School => format!("{}–{:02}", first.year(), (first.year() + 1) % 100),
    }
}

/// One course as the standing counts it.
#[derive(Debug, Clone, Copy)]
pub struct Taken {
    pub counts: Counts,
    pub tenths: i64,
    pub completed_on: NaiveDate,
    pub joint: bool,
}

/// Where one officer stands on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub basic_tenths: i64,
    pub basic_short_tenths: i64,
    pub year_label: String,
    pub year_tenths: i64,
    pub year_short_tenths: i64,
    /// Joint trainings in the training year.
    pub joint_this_year: usize,
}

impl Standing {
    pub fn is_short(&self) -> bool {
        self.basic_short_tenths > 0 || self.year_short_tenths > 0
    }
}

/// Basic hours ever taken, and in-service hours in the training year that holds `today`.
pub fn standing(courses: &[Taken], req: &Requirements, today: NaiveDate) -> Standing {
    let (first, last) = year_of(req.year, today);
    let in_year = |c: &&Taken| c.completed_on >= first && c.completed_on <= last;
    let basic: i64 = courses
        .iter()
        .filter(|c| c.counts == Counts::Basic)
        .map(|c| c.tenths)
        .sum();
    let year: i64 = courses
        .iter()
        .filter(in_year)
        .filter(|c| c.counts == Counts::InService)
        .map(|c| c.tenths)
        .sum();
    Standing {
        basic_tenths: basic,
        basic_short_tenths: (req.basic_tenths - basic).max(0),
        year_label: year_label(req.year, today),
        year_tenths: year,
        year_short_tenths: (req.yearly_tenths - year).max(0),
        joint_this_year: courses.iter().filter(in_year).filter(|c| c.joint).count(),
    }
}

/// Whether an officer's training is current on a day: the basic course complete, and the
/// in-service hours met for the training year just ended or for this one (a year just begun
/// has few hours yet; a checklist done in August must not reopen on the first of January).
pub fn is_current(courses: &[Taken], req: &Requirements, today: NaiveDate) -> bool {
    let now = standing(courses, req, today);
    if now.basic_short_tenths > 0 {
        return false;
    }
    let (first, _) = year_of(req.year, today);
    let last_year = first.pred_opt().map(|day| standing(courses, req, day));
    now.year_short_tenths == 0 || last_year.is_some_and(|s| s.year_short_tenths == 0)
}

/// What a certificate file is, by its first bytes: a PDF or an image, or nothing Triad keeps.
pub fn certificate_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", "png"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn taken(counts: Counts, hours: i64, on: &str, joint: bool) -> Taken {
        Taken {
            counts,
            tenths: hours * 10,
            completed_on: day(on),
            joint,
        }
    }

    #[test]
    fn the_shortfall_counts_the_school_year_that_holds_today() {
        let req = Requirements {
            basic_tenths: 1200,
            yearly_tenths: 400,
            year: TrainingYear::School,
        };
        let courses = [
            taken(Counts::Basic, 120, "2019-03-01", false),
            // The last day of the 2025–26 school year, and the first of 2026–27.
            taken(Counts::InService, 24, "2026-06-30", true),
            taken(Counts::InService, 16, "2026-07-01", true),
            taken(Counts::Other, 30, "2026-08-01", false),
        ];
        let june = standing(&courses, &req, day("2026-06-30"));
        assert_eq!(june.year_label, "2025–26");
        assert_eq!((june.year_tenths, june.year_short_tenths), (240, 160));
        assert_eq!(june.joint_this_year, 1);
        let july = standing(&courses, &req, day("2026-07-01"));
        assert_eq!(july.year_label, "2026–27");
        assert_eq!((july.year_tenths, july.year_short_tenths), (160, 240));
        assert_eq!(july.basic_short_tenths, 0);
        assert!(july.is_short());
        // Counted over the calendar year, both courses are in 2026.
        let calendar = Requirements {
            year: TrainingYear::Calendar,
            ..req
        };
        let december = standing(&courses, &calendar, day("2026-12-31"));
        assert_eq!(december.year_label, "2026");
        assert_eq!(december.year_short_tenths, 0);
        assert!(!december.is_short());
        // No basic course: short of all of it.
        let none = standing(&[], &req, day("2026-12-01"));
        assert_eq!(none.basic_short_tenths, 1200);
        assert_eq!(
            year_of(TrainingYear::School, day("2027-01-15")),
            (day("2026-07-01"), day("2027-06-30"))
        );
    }

    #[test]
    fn training_is_current_with_the_basic_course_and_last_or_this_years_hours() {
        let req = Requirements {
            basic_tenths: 1200,
            yearly_tenths: 400,
            year: TrainingYear::Calendar,
        };
        let basic = taken(Counts::Basic, 120, "2019-03-01", false);
        let last_year = taken(Counts::InService, 40, "2025-10-01", false);
        let this_year = taken(Counts::InService, 40, "2026-03-01", false);
        // January: last year's hours carry it; a year later, only that year's would.
        assert!(is_current(&[basic, last_year], &req, day("2026-01-02")));
        assert!(is_current(&[basic, last_year], &req, day("2026-12-31")));
        assert!(!is_current(&[basic, last_year], &req, day("2027-01-02")));
        assert!(is_current(&[basic, this_year], &req, day("2026-08-01")));
        assert!(
            !is_current(&[last_year, this_year], &req, day("2026-08-01")),
            "no basic course"
        );
        assert!(!is_current(&[basic], &req, day("2026-08-01")));
    }

    #[test]
    fn hours_that_are_negative_or_absurd_are_refused() {
        assert_eq!(parse_hours("hours", "7.5", MAX_COURSE_TENTHS), Ok(75));
        assert_eq!(parse_hours("hours", "8", MAX_COURSE_TENTHS), Ok(80));
        assert_eq!(parse_hours("hours", "7,5", MAX_COURSE_TENTHS), Ok(75));
        assert_eq!(parse_hours("hours", "400", MAX_COURSE_TENTHS), Ok(4000));
        for bad in ["-8", "400.1", "1e3", "7.25", "", "eight", "99999999"] {
            assert!(
                parse_hours("hours", bad, MAX_COURSE_TENTHS).is_err(),
                "{bad:?}"
            );
        }
        assert_eq!(show_hours(75), "7.5");
        assert_eq!(show_hours(1200), "120");
        let today = day("2026-12-01");
        let f = |hours, on| CourseFields {
            title: "De-escalation",
            provider: "NASRO",
            counts: "in_service",
            hours,
            completed_on: on,
            joint: false,
        };
        assert!(parse_course(&f("8", "2026-11-30"), today).is_ok());
        assert_eq!(
            parse_course(&f("0", "2026-11-30"), today)
                .unwrap_err()
                .errors[0]
                .field,
            "hours"
        );
        assert_eq!(
            parse_course(&f("8", "2026-12-02"), today)
                .unwrap_err()
                .errors[0]
                .field,
            "completed_on"
        );
        assert!(parse_requirements("120", "40", "school").is_ok());
        let e = parse_requirements("-1", "2000", "fiscal").unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["basic_hours", "yearly_hours", "training_year"]);
    }

    #[test]
    fn a_certificate_is_a_pdf_or_an_image_by_its_bytes_not_its_name() {
        assert_eq!(
            certificate_type(b"%PDF-1.7 ..."),
            Some(("application/pdf", "pdf"))
        );
        assert_eq!(
            certificate_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(("image/jpeg", "jpg"))
        );
        assert!(certificate_type(b"<html><script>").is_none());
        assert!(certificate_type(b"PK\x03\x04 a word file").is_none());
        assert!(certificate_type(b"").is_none());
    }
}
