//! The activity log: what an SRO or SSO did, in categories that map to the roles of the triad
//! model, with the guardrails of the field (search basis, no school discipline).

use crate::auth::Role;
use crate::org::text_enum;
use crate::policy::RecordClass;
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

text_enum! {
    /// The roles of the SRO (NASRO's triad, plus the emergency-manager hat of seed 001). The
    /// balance of an officer's time across them is what the reports show.
    TriadRole {
        LawEnforcer => "law_enforcer" / "Law enforcer",
        Educator => "educator" / "Educator",
        InformalCounselor => "informal_counselor" / "Informal counselor",
        EmergencyManager => "emergency_manager" / "Emergency manager",
    }
}

text_enum! {
    /// What an activity entry records.
    Category {
        CounselingStudent => "counseling_student" / "Counseling session: student",
        CounselingParent => "counseling_parent" / "Counseling session: parent",
        CounselingStaff => "counseling_staff" / "Counseling session: staff",
        ClassroomPresentation => "classroom_presentation" / "Classroom presentation",
        Arrest => "arrest" / "Arrest",
        Investigation => "investigation" / "Investigation",
        Search => "search" / "Search",
        SafetyAudit => "safety_audit" / "Safety audit / physical-plant assessment",
        Patrol => "patrol" / "Patrol",
        Extracurricular => "extracurricular" / "Extracurricular event",
        CommunityPresentation => "community_presentation" / "Presentation to parents / community",
        StaffRelationship => "staff_relationship" / "Relationship building with staff",
        Meeting => "meeting" / "Meeting",
        Training => "training" / "Training attended",
        Referral => "referral" / "Referral to a community resource",
        Introduction => "introduction" / "Introduction to students / faculty",
        Escort => "escort" / "Escort",
        VisitorContact => "visitor_contact" / "Visitor contact",
        Other => "other" / "Other",
    }
}

impl Category {
    /// The triad role the category serves; none for the duties every job has (meetings,
    /// training the officer attends, anything else), which the reports show beside the
    /// balance as "other duties" rather than counting them as a role.
    pub fn triad_role(self) -> Option<TriadRole> {
        use Category::*;
        match self {
            Arrest | Investigation | Search | Patrol | Escort | VisitorContact => {
                Some(TriadRole::LawEnforcer)
            }
            ClassroomPresentation | CommunityPresentation | Introduction => {
                Some(TriadRole::Educator)
            }
            CounselingStudent | CounselingParent | CounselingStaff | StaffRelationship
            | Referral | Extracurricular => Some(TriadRole::InformalCounselor),
            SafetyAudit => Some(TriadRole::EmergencyManager),
            Meeting | Training | Other => None,
        }
    }

    /// The triad role as stored with every entry and summary line: its code, or
    /// [`OTHER_DUTIES`].
    pub fn triad_role_code(self) -> &'static str {
        self.triad_role().map_or(OTHER_DUTIES, TriadRole::code)
    }

    /// The triad role in words ("Other duties" for none).
    pub fn role_label(self) -> &'static str {
        self.triad_role()
            .map_or(OTHER_DUTIES_LABEL, TriadRole::label)
    }

    /// A single arrest, search or investigation by a sworn officer is a law-enforcement
    /// record; the rest (an SSO's search assistance included), and every count derived from
    /// entries, is shared.
    pub fn record_class(self, role: Role) -> RecordClass {
        match self {
            Category::Arrest | Category::Investigation | Category::Search if role == Role::Sro => {
                RecordClass::LawEnforcement
            }
            _ => RecordClass::Shared,
        }
    }

    /// Whether a person in this role may log the category. SSOs are not sworn: they do not
    /// arrest or investigate crimes, and they assist searches rather than conduct them.
    pub fn allowed_for(self, role: Role) -> bool {
        match role {
            Role::Sro => !matches!(self, Category::Escort | Category::VisitorContact),
            Role::Sso => !matches!(
                self,
                Category::Arrest | Category::Investigation | Category::ClassroomPresentation
            ),
            _ => false,
        }
    }

    /// The categories offered first on the quick-entry form.
    pub const QUICK: &'static [Category] = &[
        Category::CounselingStudent,
        Category::Patrol,
        Category::StaffRelationship,
        Category::ClassroomPresentation,
        Category::Meeting,
        Category::CounselingParent,
    ];

    /// An SSO's usual work: the front office's visitors and escorts among it.
    const SSO_QUICK: &'static [Category] = &[
        Category::Patrol,
        Category::VisitorContact,
        Category::Escort,
        Category::CounselingStudent,
        Category::StaffRelationship,
        Category::Meeting,
    ];

    /// What the entry also asks when this is chosen: `search` (its legal basis, or for an SSO
    /// the administrator who initiated it), `presentation` (topic and class), `staff` (which
    /// staff); none for the rest.
    pub fn needs(self) -> Option<&'static str> {
        match self {
            Category::Search => Some("search"),
            Category::ClassroomPresentation => Some("presentation"),
            Category::StaffRelationship | Category::CounselingStaff => Some("staff"),
            _ => None,
        }
    }
}

/// The stored triad role of the entries that serve none (meetings, training attended, other).
pub const OTHER_DUTIES: &str = "other_duties";
pub const OTHER_DUTIES_LABEL: &str = "Other duties";

/// A stored triad-role code in words.
pub fn role_label_of(code: &str) -> &'static str {
    TriadRole::from_code(code).map_or(OTHER_DUTIES_LABEL, TriadRole::label)
}

/// How many tiles the quick entry shows.
pub const QUICK_TILES: usize = 6;

/// The durations offered as one tap, in minutes; anything else is typed.
pub const QUICK_MINUTES: [i64; 5] = [10, 15, 30, 45, 60];

/// The quick entry's tiles for a person: what they logged most in the last 30 days
/// (`recent`, in any order, repeats counted), then their role's usual work, never a category
/// their role may not log.
pub fn quick_tiles(role: Role, recent: &[Category]) -> Vec<Category> {
    let mut counted: Vec<(Category, usize)> = Vec::new();
    for c in recent.iter().filter(|c| c.allowed_for(role)) {
        match counted.iter_mut().find(|(k, _)| k == c) {
            Some((_, n)) => *n += 1,
            None => counted.push((*c, 1)),
        }
    }
    // Most logged first; a tie keeps the order they were first seen (most recent first).
    counted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let defaults = if role == Role::Sso {
        Category::SSO_QUICK
    } else {
        Category::QUICK
    };
    let mut tiles: Vec<Category> = counted.into_iter().map(|(c, _)| c).collect();
    for c in defaults.iter().filter(|c| c.allowed_for(role)) {
        if !tiles.contains(c) {
            tiles.push(*c);
        }
    }
    tiles.truncate(QUICK_TILES);
    tiles
}

text_enum! {
    /// The staff a relationship-building entry was with (seed 003: faculty, custodial, food
    /// service, bus drivers).
    StaffGroup {
        Faculty => "faculty" / "Faculty",
        Custodial => "custodial" / "Custodial staff",
        FoodService => "food_service" / "Food service",
        BusDrivers => "bus_drivers" / "Bus drivers",
        Office => "office" / "Office staff",
        OtherStaff => "other" / "Other staff",
    }
}

/// The kinds of lesson-plan file kept with a classroom presentation: what teachers write lesson
/// plans in. Each is checked by its first bytes as well as its name, so a program or a page
/// renamed `.pdf` is refused.
const LESSON_PLAN_KINDS: &[(&str, &str, &[u8])] = &[
    ("pdf", "application/pdf", b"%PDF-"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    (
        "odt",
        "application/vnd.oasis.opendocument.text",
        b"PK\x03\x04",
    ),
    (
        "odp",
        "application/vnd.oasis.opendocument.presentation",
        b"PK\x03\x04",
    ),
    ("txt", "text/plain; charset=utf-8", b""),
];

/// The media types a kept lesson-plan file is served as, one per kind accepted.
pub fn lesson_plan_media_types() -> impl Iterator<Item = &'static str> {
    LESSON_PLAN_KINDS
        .iter()
        .map(|(_, media_type, _)| *media_type)
}

/// A lesson-plan file accepted for keeping: its extension and media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonPlanKind {
    pub extension: &'static str,
    pub media_type: &'static str,
}

impl LessonPlanKind {
    /// Checks a file sent as a lesson plan by its name and its content.
    pub fn of(file_name: &str, bytes: &[u8]) -> Result<Self, Invalid> {
        const FIELD: &str = "lesson_plan_file";
        if bytes.is_empty() {
            return Err(Invalid::one(FIELD, "choose a lesson-plan file to attach"));
        }
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        let Some((extension, media_type, magic)) = LESSON_PLAN_KINDS
            .iter()
            .find(|(ext, _, _)| *ext == extension)
        else {
            return Err(Invalid::one(
                FIELD,
                "a lesson plan is a PDF, Word (.docx), PowerPoint (.pptx), OpenDocument (.odt, .odp) or plain-text (.txt) file",
            ));
        };
        let text_ok =
            *extension != "txt" || (std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0));
        if !bytes.starts_with(magic) || !text_ok {
            return Err(Invalid::one(
                FIELD,
                format!("this file is not the .{extension} file its name says it is"),
            ));
        }
        Ok(Self {
            extension,
            media_type,
        })
    }
}

impl Category {
    /// Whether entries of the category say what was presented (topic, class, lesson plan).
    pub fn has_presentation(self) -> bool {
        self == Category::ClassroomPresentation
    }

    /// Whether entries of the category say which staff they were with.
    pub fn has_staff_group(self) -> bool {
        matches!(
            self,
            Category::StaffRelationship | Category::CounselingStaff
        )
    }
}

text_enum! {
    /// The legal basis of a search by a sworn officer.
    SearchBasis {
        ProbableCause => "probable_cause" / "Probable cause",
        Warrant => "warrant" / "Warrant",
        Consent => "consent" / "Consent",
        Exigent => "exigent" / "Exigent circumstances",
    }
}

/// Requests that are school discipline, offered in the picker so that the officer is told at
/// once that they belong to the administrator (seed 001: the SRO does not discipline).
pub const DISCIPLINE: &[(&str, &str)] = &[
    ("detention", "Detention"),
    ("classroom_management", "Classroom management"),
    ("code_of_conduct", "Code-of-conduct enforcement"),
];

/// The answer when school discipline is offered as an activity.
pub fn discipline_refusal(administrator: Option<&str>) -> Invalid {
    let who = administrator
        .map(|name| format!("the campus administrator ({name})"))
        .unwrap_or_else(|| "the campus administrator".to_string());
    Invalid::one(
        "category",
        format!(
            "school discipline is not an SRO activity: hand it to {who}, who decides on discipline"
        ),
    )
}

pub const MAX_MINUTES: i64 = 24 * 60;
pub const MAX_PEOPLE: i64 = 5_000;
pub const NOTES_MAX: usize = 500;
/// Entries may be corrected by their author for this many hours by default (a setting).
pub const DEFAULT_CORRECTION_HOURS: i64 = 72;
/// A stray tap may be undone by its author for this many minutes by default (a setting).
pub const DEFAULT_UNDO_MINUTES: i64 = 10;

/// An activity as entered, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Draft {
    pub category: String,
    pub started_at: Option<Timestamp>,
    pub minutes: String,
    pub students: String,
    pub parents: String,
    pub staff: String,
    pub notes: String,
    pub case_ref: String,
    pub search_basis: String,
    /// For an SSO's search assistance: the administrator who initiated the search.
    pub initiated_by: String,
    /// A classroom presentation's topic, class and lesson-plan link.
    pub topic: String,
    pub class_name: String,
    pub lesson_plan: String,
    /// Relationship building or counseling with staff: which staff.
    pub staff_group: String,
}

/// A checked activity entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub category: Category,
    pub started_at: Timestamp,
    pub minutes: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
    pub notes: Option<String>,
    pub case_ref: Option<String>,
    pub search_basis: Option<SearchBasis>,
    pub initiated_by: Option<crate::Id>,
    pub topic: Option<String>,
    pub class_name: Option<String>,
    pub lesson_plan: Option<String>,
    pub staff_group: Option<StaffGroup>,
}

/// An optional short text of at most `max` characters.
fn short(field: &'static str, text: &str, max: usize, invalid: &mut Invalid) -> Option<String> {
    let text = text.trim();
    if text.chars().count() > max {
        invalid.push(field, format!("must be at most {max} characters"));
        return None;
    }
    Some(text.to_string()).filter(|t| !t.is_empty())
}

/// A lesson plan is a link to where it is kept (the district's drive, a learning platform).
fn lesson_plan(text: &str, invalid: &mut Invalid) -> Option<String> {
    let link = short("lesson_plan", text, 500, invalid)?;
    let web = link.starts_with("https://") || link.starts_with("http://");
    if !web || link.contains(char::is_whitespace) {
        invalid.push(
            "lesson_plan",
            "must be a web link (https://…) to the lesson plan",
        );
        return None;
    }
    Some(link)
}

fn count(field: &'static str, text: &str, max: i64, invalid: &mut Invalid) -> i64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    match text.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => n,
        Ok(_) => {
            invalid.push(field, format!("must be between 0 and {max}"));
            0
        }
        Err(_) => {
            invalid.push(field, "must be a whole number");
            0
        }
    }
}

impl Entry {
    /// Checks a draft for an officer of `role` (sworn or not) at `now`.
    pub fn parse(draft: &Draft, role: Role, sworn: bool, now: Timestamp) -> Result<Entry, Invalid> {
        let code = draft.category.trim();
        if DISCIPLINE.iter().any(|(c, _)| *c == code) {
            return Err(discipline_refusal(None));
        }
        let mut invalid = Invalid::default();
        let category = Category::from_code(code);
        match category {
            None => invalid.push("category", "choose what you did"),
            Some(c) if !c.allowed_for(role) => invalid.push(
                "category",
                format!("a {} does not log “{}”", role.label(), c.label()),
            ),
            _ => {}
        }
        let started_at = draft.started_at.unwrap_or(now);
        if started_at > now.plus_minutes(5) {
            invalid.push("started_at", "cannot be in the future");
        }
        let minutes = match draft.minutes.trim().parse::<i64>() {
            Ok(m) if (1..=MAX_MINUTES).contains(&m) => m,
            Ok(_) => {
                invalid.push("minutes", "must be between 1 minute and 24 hours");
                0
            }
            Err(_) => {
                invalid.push("minutes", "must be a number of minutes");
                0
            }
        };
        let students = count("students", &draft.students, MAX_PEOPLE, &mut invalid);
        let parents = count("parents", &draft.parents, MAX_PEOPLE, &mut invalid);
        let staff = count("staff", &draft.staff, MAX_PEOPLE, &mut invalid);
        let notes = Some(draft.notes.trim().to_string()).filter(|n| !n.is_empty());
        if notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > NOTES_MAX)
        {
            invalid.push("notes", format!("must be at most {NOTES_MAX} characters"));
        }
        let case_ref = Some(draft.case_ref.trim().to_string()).filter(|n| !n.is_empty());
        if case_ref.as_ref().is_some_and(|c| c.chars().count() > 64) {
            invalid.push("case_ref", "must be at most 64 characters");
        }
        let basis_text = draft.search_basis.trim();
        let search_basis = SearchBasis::from_code(basis_text);
        if !basis_text.is_empty() && search_basis.is_none() {
            invalid.push(
                "search_basis",
                "choose probable cause, warrant, consent or exigent circumstances",
            );
        }
        if category == Some(Category::Search)
            && sworn
            && search_basis.is_none()
            && basis_text.is_empty()
        {
            invalid.push(
                "search_basis",
                "a search by a sworn officer needs its legal basis: probable cause, a warrant, consent or exigent circumstances",
            );
        }
        let topic = short("topic", &draft.topic, 120, &mut invalid);
        let class_name = short("class_name", &draft.class_name, 80, &mut invalid);
        let lesson_plan = lesson_plan(&draft.lesson_plan, &mut invalid);
        let group_text = draft.staff_group.trim();
        let staff_group = StaffGroup::from_code(group_text);
        if !group_text.is_empty() && staff_group.is_none() {
            invalid.push(
                "staff_group",
                "choose faculty, custodial, food service, bus drivers, office or other staff",
            );
        }
        let initiated_by = crate::Id::parse(&draft.initiated_by);
        if category == Some(Category::Search) && role == Role::Sso && initiated_by.is_none() {
            invalid.push(
                "initiated_by",
                "an SSO assists searches an administrator initiated: name the administrator",
            );
        }
        invalid.into_result()?;
        let category = category.ok_or_else(|| Invalid::one("category", "choose what you did"))?;
        Ok(Entry {
            category,
            started_at,
            minutes,
            students,
            parents,
            staff,
            notes,
            case_ref,
            search_basis: if category == Category::Search {
                search_basis
            } else {
                None
            },
            initiated_by: if category == Category::Search {
                initiated_by
            } else {
                None
            },
            // Details that belong to another category are not kept.
            topic: topic.filter(|_| category.has_presentation()),
            class_name: class_name.filter(|_| category.has_presentation()),
            lesson_plan: lesson_plan.filter(|_| category.has_presentation()),
            staff_group: staff_group.filter(|_| category.has_staff_group()),
        })
    }
}

/// Whether an author may still correct an entry made at `created`.
pub fn may_correct(created: Timestamp, now: Timestamp, window_hours: i64) -> bool {
    now < created.plus_minutes(window_hours * 60)
}

/// How long after logging an entry its author may undo it: the undo setting, never past the
/// correction window.
pub fn undo_minutes(undo_setting: i64, correction_hours: i64) -> i64 {
    undo_setting.min(correction_hours.saturating_mul(60)).max(0)
}

/// Whether an author may still undo an entry made at `created`.
pub fn may_undo(created: Timestamp, now: Timestamp, undo_minutes: i64) -> bool {
    now < created.plus_minutes(undo_minutes)
}

/// Where an instant falls in a district's calendar, computed once at write time so reports
/// group by plain columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buckets {
    pub school_year: i64,
    pub local_date: String,
    pub week_start: String,
    pub month: String,
}

impl Buckets {
    pub fn of(at: Timestamp, tz: chrono_tz::Tz, year_start: crate::org::YearStart) -> Self {
        use chrono::Datelike;
        let local = at.to_datetime().with_timezone(&tz).date_naive();
        Buckets {
            school_year: i64::from(year_start.school_year_of(local).0),
            local_date: local.to_string(),
            week_start: crate::org::week_start(local).to_string(),
            month: format!("{:04}-{:02}", local.year(), local.month()),
        }
    }
}

/// A month written `YYYY-MM`, as reports are bucketed.
pub fn parse_month(field: &'static str, text: &str) -> Result<String, Invalid> {
    let t = text.trim();
    chrono::NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m").to_string())
        .map_err(|_| Invalid::one(field, "must be a month written YYYY-MM"))
}

/// How an officer's time splits across the triad roles: minutes and whole percent per role,
/// in the order of [`TriadRole::ALL`].
pub fn balance(minutes_by_role: &[(TriadRole, i64)]) -> Vec<(TriadRole, i64, i64)> {
    let total: i64 = minutes_by_role.iter().map(|(_, m)| *m).sum();
    TriadRole::ALL
        .iter()
        .map(|role| {
            let minutes: i64 = minutes_by_role
                .iter()
                .filter(|(r, _)| r == role)
                .map(|(_, m)| *m)
                .sum();
            let percent = if total > 0 {
                (minutes * 100 + total / 2) / total
            } else {
                0
            };
            (*role, minutes, percent)
        })
        .collect()
}

text_enum! {
    /// The spans a report offers at one tap.
    ReportPeriod {
        Month => "month" / "This month",
        Semester => "semester" / "This semester",
        Year => "year" / "School year to date",
        Custom => "custom" / "Months I choose",
    }
}

/// The months (YYYY-MM, first and last) a preset period covers on `today`; none for the
/// months a person chooses.
pub fn period_months(
    period: ReportPeriod,
    today: chrono::NaiveDate,
    start: crate::org::YearStart,
) -> Option<(String, String)> {
    let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    let year = start.school_year_of(today);
    match period {
        ReportPeriod::Month => Some((month(today), month(today))),
        ReportPeriod::Semester => start
            .default_terms(year)
            .into_iter()
            .find(|t| t.first_day <= today && today <= t.last_day)
            .map(|t| (month(t.first_day), month(today))),
        ReportPeriod::Year => Some((month(start.bounds(year).0), month(today))),
        ReportPeriod::Custom => None,
    }
}

/// Minutes as a supervisor reads them: "37 h 05 min", "45 min".
pub fn hours(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if h == 0 {
        format!("{m} min")
    } else {
        format!("{h} h {m:02} min")
    }
}

/// Who imports activity logs from a spreadsheet: officers (their own logs) and their
/// supervisors. Each imported row is then checked like an entry typed in.
pub fn imports_logs(actor: &crate::auth::Actor) -> bool {
    [Role::Sro, Role::Sso, Role::LeSupervisor]
        .iter()
        .any(|r| actor.has_role(*r))
}

/// Why anyone else is refused the import.
pub const IMPORT_REFUSAL: &str = "importing activity logs is for officers and their supervisors";

#[cfg(test)]
mod tests {
    #[test]
    fn quick_tiles_follow_what_the_person_logs_and_never_offer_what_they_may_not() {
        use super::{quick_tiles, Category::*, QUICK_TILES};
        use crate::auth::Role;
        // Nothing logged yet: the role's usual work; an SSO's has visitors and escorts and no
        // classroom presentation (not theirs to log).
        let sso = quick_tiles(Role::Sso, &[]);
        assert!(
            sso.contains(&VisitorContact) && sso.contains(&Escort),
            "{sso:?}"
        );
        assert!(sso.iter().all(|c| c.allowed_for(Role::Sso)));
        assert_eq!(quick_tiles(Role::Sro, &[]), super::Category::QUICK);
        // What the SRO logs most comes first; what they may not log never shows.
        let sro = quick_tiles(Role::Sro, &[Search, Patrol, Search, Escort, Search, Patrol]);
        assert_eq!(&sro[..2], &[Search, Patrol]);
        assert!(!sro.contains(&Escort));
        assert_eq!(sro.len(), QUICK_TILES);
    }

    #[test]
    fn officers_and_their_supervisors_import_logs_and_no_one_else() {
        use crate::auth::{Actor, Grant, Role, Scope};
        use crate::Id;
        let with = |role: Role| Actor {
            user: Id::from_parts("import-test", 1),
            person: None,
            username: "x".into(),
            display_name: "X".into(),
            sworn: false,
            grants: vec![Grant {
                role,
                scope: Scope::Instance,
            }],
            assignments: vec![],
            partnerships: vec![],
        };
        for role in Role::ALL {
            let expected = matches!(role, Role::Sro | Role::Sso | Role::LeSupervisor);
            assert_eq!(super::imports_logs(&with(*role)), expected, "{role:?}");
        }
    }

    #[test]
    fn lesson_plans_are_checked_by_name_and_content() {
        use super::LessonPlanKind;
        let pdf = LessonPlanKind::of("Internet safety.PDF", b"%PDF-1.7\n...").unwrap();
        assert_eq!(pdf.media_type, "application/pdf");
        assert_eq!(pdf.extension, "pdf");
        assert_eq!(
            LessonPlanKind::of("plan.docx", b"PK\x03\x04rest")
                .unwrap()
                .extension,
            "docx"
        );
        assert!(LessonPlanKind::of("plan.txt", "Objectifs: sécurité".as_bytes()).is_ok());
        let refused = |name: &str, bytes: &[u8]| LessonPlanKind::of(name, bytes).unwrap_err();
        assert!(refused("plan.pdf", b"\x89PNG\r\n").errors[0]
            .message
            .contains("not the .pdf file"));
        assert!(refused("plan.exe", b"MZ").errors[0]
            .message
            .contains("PDF, Word"));
        assert!(refused("plan", b"%PDF-").errors[0]
            .message
            .contains("PDF, Word"));
        assert!(refused("plan.txt", b"a\0b").errors[0]
            .message
            .contains(".txt"));
        assert!(refused("plan.pdf", b"").errors[0]
            .message
            .contains("choose"));
        assert_eq!(refused("plan.pdf", b"").errors[0].field, "lesson_plan_file");
    }

    use super::*;

    fn draft(category: &str, minutes: &str) -> Draft {
        Draft {
            category: category.into(),
            minutes: minutes.into(),
            ..Default::default()
        }
    }

    const NOW: Timestamp = Timestamp::from_millis(1_790_000_000_000);

    #[test]
    fn categories_serve_a_triad_role_except_the_duties_every_job_has() {
        for c in Category::ALL {
            let none = matches!(c, Category::Meeting | Category::Training | Category::Other);
            assert_eq!(c.triad_role().is_none(), none, "{c:?}");
        }
        assert_eq!(
            Category::CounselingStudent.triad_role(),
            Some(TriadRole::InformalCounselor)
        );
        assert_eq!(
            Category::ClassroomPresentation.triad_role(),
            Some(TriadRole::Educator)
        );
        assert_eq!(Category::Arrest.triad_role(), Some(TriadRole::LawEnforcer));
        assert_eq!(Category::Meeting.triad_role_code(), OTHER_DUTIES);
        assert_eq!(Category::Training.role_label(), "Other duties");
        assert_eq!(role_label_of("educator"), "Educator");
    }

    #[test]
    fn arrests_searches_and_investigations_are_law_enforcement_records() {
        assert_eq!(
            Category::Arrest.record_class(Role::Sro),
            RecordClass::LawEnforcement
        );
        assert_eq!(
            Category::Search.record_class(Role::Sro),
            RecordClass::LawEnforcement
        );
        assert_eq!(
            Category::Search.record_class(Role::Sso),
            RecordClass::Shared
        );
        assert_eq!(
            Category::Patrol.record_class(Role::Sro),
            RecordClass::Shared
        );
    }

    #[test]
    fn a_quick_counseling_entry_parses() {
        let mut d = draft("counseling_student", "15");
        d.students = "1".into();
        let e = Entry::parse(&d, Role::Sro, true, NOW).map_err(|e| e.to_string());
        assert_eq!(
            e.map(|e| (e.category, e.minutes, e.students, e.started_at)),
            Ok((Category::CounselingStudent, 15, 1, NOW))
        );
    }

    #[test]
    fn a_sworn_search_needs_its_legal_basis() {
        let refused = Entry::parse(&draft("search", "20"), Role::Sro, true, NOW);
        assert_eq!(
            refused.err().map(|e| e.errors[0].field),
            Some("search_basis")
        );
        let mut d = draft("search", "20");
        d.search_basis = "warrant".into();
        assert_eq!(
            Entry::parse(&d, Role::Sro, true, NOW)
                .ok()
                .and_then(|e| e.search_basis),
            Some(SearchBasis::Warrant)
        );
    }

    #[test]
    fn discipline_is_not_an_sro_activity() {
        let e = Entry::parse(&draft("detention", "10"), Role::Sro, true, NOW).err();
        let message = e.map(|e| e.errors[0].message.clone()).unwrap_or_default();
        assert!(message.contains("not an SRO activity") && message.contains("administrator"));
    }

    #[test]
    fn absurd_values_are_refused_field_by_field() {
        let mut d = draft("patrol", "1500");
        d.students = "-3".into();
        d.started_at = Some(NOW.plus_minutes(60));
        let fields: Vec<&str> = Entry::parse(&d, Role::Sro, true, NOW)
            .err()
            .map(|e| e.errors.iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, vec!["started_at", "minutes", "students"]);
        assert!(Entry::parse(&draft("juggling", "5"), Role::Sro, true, NOW).is_err());
        assert!(Entry::parse(&draft("patrol", "0"), Role::Sro, true, NOW).is_err());
    }

    #[test]
    fn school_safety_officers_do_not_arrest() {
        assert!(Entry::parse(&draft("arrest", "30"), Role::Sso, false, NOW).is_err());
        assert!(Entry::parse(&draft("escort", "30"), Role::Sso, false, NOW).is_ok());
        assert!(Entry::parse(&draft("escort", "30"), Role::Sro, true, NOW).is_err());
        let refused = Entry::parse(&draft("search", "10"), Role::Sso, false, NOW);
        assert_eq!(
            refused.err().map(|e| e.errors[0].field),
            Some("initiated_by")
        );
        let mut d = draft("search", "10");
        d.initiated_by = crate::Id::from_parts("admin", 1).to_string();
        assert!(Entry::parse(&d, Role::Sso, false, NOW).is_ok());
    }

    #[test]
    fn the_balance_splits_time_across_the_four_roles() {
        let b = balance(&[
            (TriadRole::LawEnforcer, 300),
            (TriadRole::Educator, 100),
            (TriadRole::LawEnforcer, 100),
        ]);
        assert_eq!(b[0], (TriadRole::LawEnforcer, 400, 80));
        assert_eq!(b[1], (TriadRole::Educator, 100, 20));
        assert_eq!(b[2].2 + b[3].2, 0);
        assert!(balance(&[]).iter().all(|(_, m, p)| *m == 0 && *p == 0));
    }

    #[test]
    fn buckets_follow_the_districts_clock() {
        // 03:30 UTC on 1 August is still 31 July in Chicago: the previous school year.
        let at = Timestamp::from_datetime(
            chrono::DateTime::parse_from_rfc3339("2026-08-01T03:30:00Z")
                .map(|d| d.with_timezone(&chrono::Utc))
                .unwrap_or_default(),
        );
        let b = Buckets::of(
            at,
            chrono_tz::America::Chicago,
            crate::org::YearStart::AUGUST_FIRST,
        );
        assert_eq!(
            (
                b.school_year,
                b.local_date.as_str(),
                b.month.as_str(),
                b.week_start.as_str()
            ),
            (2025, "2026-07-31", "2026-07", "2026-07-27")
        );
    }

    #[test]
    fn months_are_checked() {
        assert_eq!(parse_month("from", " 2026-09 "), Ok("2026-09".to_string()));
        assert!(parse_month("from", "2026-13").is_err());
        assert!(parse_month("from", "Sept").is_err());
    }

    #[test]
    fn corrections_close_after_the_window() {
        assert!(may_correct(NOW, NOW.plus_minutes(71 * 60), 72));
        assert!(!may_correct(NOW, NOW.plus_minutes(72 * 60), 72));
    }

    #[test]
    fn report_periods_end_this_month_and_start_where_their_span_does() {
        let start = crate::org::YearStart::AUGUST_FIRST;
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let months = |p, today| period_months(p, today, start).unwrap();
        assert_eq!(
            months(ReportPeriod::Month, d(2026, 11, 30)),
            ("2026-11".into(), "2026-11".into())
        );
        assert_eq!(
            months(ReportPeriod::Semester, d(2026, 11, 30)),
            ("2026-08".into(), "2026-11".into())
        );
        assert_eq!(
            months(ReportPeriod::Semester, d(2027, 3, 2)),
            ("2027-01".into(), "2027-03".into())
        );
        assert_eq!(
            months(ReportPeriod::Year, d(2027, 3, 2)),
            ("2026-08".into(), "2027-03".into())
        );
        assert_eq!(
            period_months(ReportPeriod::Custom, d(2027, 3, 2), start),
            None
        );
        assert_eq!(hours(45), "45 min");
        assert_eq!(hours(1372986), "22883 h 06 min");
        assert_eq!(hours(125), "2 h 05 min");
    }

    #[test]
    fn undo_is_short_and_never_outlasts_the_correction_window() {
        assert_eq!(undo_minutes(10, 72), 10);
        assert_eq!(
            undo_minutes(600, 2),
            120,
            "capped by a correction window of two hours"
        );
        assert_eq!(undo_minutes(-5, 72), 0, "a negative setting offers no undo");
        assert!(may_undo(NOW, NOW.plus_minutes(9), 10));
        assert!(!may_undo(NOW, NOW.plus_minutes(10), 10));
        assert!(!may_undo(NOW, NOW, 0));
    }
}
