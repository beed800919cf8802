//! Importing the activity logs people already keep (their own spreadsheets), for the command
//! line and the web alike. Columns are recognised by their header or named by a mapping; each
//! row is checked like an entry typed in and is imported or refused on its own, with the
//! reasons; an entry's id comes from the file's SHA-256 and its line, so importing the same
//! file again adds nothing.

use crate::change::Change;
use crate::error::{AppError, AppResult};
use crate::spreadsheet;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use triad_domain::activity::{Buckets, Draft, Entry};
use triad_domain::audit::{AuditEvent, Outcome};
use triad_domain::auth::{Actor, Role, Scope};
use triad_domain::org::loose as normalise;
use triad_domain::org::YearStart;
use triad_domain::policy::{RecordClass, Tenant};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::activity::{ActivityRow, Filing};
use triad_store::Db;

/// What happened to a file.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub file_sha256: String,
    pub rows_read: usize,
    pub imported: usize,
    pub already_present: usize,
    pub refused: Vec<Refusal>,
    /// Lines where something was changed while reading (a NUL byte removed): imported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Refusal>,
    /// Set when the database stopped the import part-way: the rows counted as imported are
    /// kept, and importing the same file again adds the rest (and nothing twice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// Rows saved per transaction. The import goes in short transactions through the writer, so
/// the writes of everyone else (and of a running server, for an import from the command line)
/// wait for one batch at most, never for the whole file. A row's identity is its file and
/// line, so an import stopped part-way is finished by importing the same file again.
const ROWS_PER_BATCH: usize = 500;

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Refusal {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub reasons: Vec<String>,
}

const FIELDS: &[(&str, &[&str])] = &[
    (
        "officer",
        &["officer", "username", "user", "sro", "officername"],
    ),
    ("campus", &["campus", "school", "site", "location"]),
    ("date", &["date", "day"]),
    ("time", &["time", "start", "starttime"]),
    (
        "category",
        &["category", "activity", "type", "activitytype"],
    ),
    (
        "minutes",
        &["minutes", "duration", "mins", "durationminutes"],
    ),
    ("students", &["students", "studentsreached"]),
    ("parents", &["parents", "parentsreached"]),
    ("staff", &["staff", "staffreached", "faculty"]),
    ("notes", &["notes", "note", "comments", "description"]),
    (
        "case_ref",
        &["case", "caseref", "casenumber", "casereference"],
    ),
    ("search_basis", &["searchbasis", "legalbasis", "basis"]),
    ("topic", &["topic", "presentationtopic", "subject"]),
    ("class_name", &["class", "classname", "period", "course"]),
    (
        "lesson_plan",
        &["lessonplan", "lessonplanlink", "lessonplanurl"],
    ),
    ("staff_group", &["staffgroup", "stafftype", "staffwith"]),
];

/// Which column holds which field, from the headers and the --map options.
fn columns(headers: &[String], map: &[String]) -> Result<HashMap<&'static str, usize>, Invalid> {
    // A header named twice would leave which column counts to chance.
    for (i, h) in headers.iter().enumerate() {
        let n = normalise(h);
        if n.is_empty() {
            continue;
        }
        if let Some(j) = headers[..i].iter().position(|other| normalise(other) == n) {
            return Err(Invalid::one(
                "file",
                format!(
                    "the header names '{}' twice (columns {} and {}): rename or remove one",
                    h.trim(),
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    let mut out = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let n = normalise(h);
        if let Some((field, _)) = FIELDS.iter().find(|(_, names)| names.contains(&n.as_str())) {
            out.entry(*field).or_insert(i);
        }
    }
    for m in map {
        let (column, field) = m
            .split_once('=')
            .ok_or_else(|| Invalid::one("map", format!("a mapping is COLUMN=FIELD, not '{m}'")))?;
        let field = FIELDS
            .iter()
            .map(|(f, _)| *f)
            .find(|f| *f == field.trim())
            .ok_or_else(|| Invalid::one("map", format!("there is no field '{field}'")))?;
        let index = headers
            .iter()
            .position(|h| h.trim() == column.trim())
            .ok_or_else(|| Invalid::one("map", format!("the file has no column '{column}'")))?;
        out.insert(field, index);
    }
    for needed in ["officer", "campus", "date", "category", "minutes"] {
        if !out.contains_key(needed) {
            return Err(Invalid::one(
                "file",
                format!("no column for '{needed}': name it in the header or map \"Your header={needed}\""),
            ));
        }
    }
    Ok(out)
}

/// A file read as a table: its header, the columns of the fields, the records below it, and
/// what reading it noticed line by line.
struct Table {
    cols: HashMap<&'static str, usize>,
    width: usize,
    rows: Vec<spreadsheet::Record>,
    notes: Vec<spreadsheet::LineNote>,
}

fn table(bytes: &[u8], map: &[String]) -> Result<Table, Invalid> {
    let file = spreadsheet::read_text(bytes)?;
    let (records, mut notes) = spreadsheet::records(&file.text, spreadsheet::delimiter(&file.text));
    notes.extend(file.notes);
    let mut records = records.into_iter().skip_while(|r| r.is_blank());
    let header = records
        .next()
        .ok_or_else(|| Invalid::one("file", "the file has no header line"))?;
    let cols = columns(&header.cells, map)?;
    let rows: Vec<spreadsheet::Record> = records.collect();
    // A column with data in it needs a header, or what it holds would be dropped unsaid.
    for (i, h) in header.cells.iter().enumerate() {
        if h.trim().is_empty() && rows.iter().any(|r| !r.cell(i).is_empty()) {
            return Err(Invalid::one(
                "file",
                format!(
                    "column {} has values but no header: name it, or remove the column",
                    i + 1
                ),
            ));
        }
    }
    Ok(Table {
        cols,
        width: header.cells.len(),
        rows,
        notes,
    })
}

/// An officer as the rows name them: their account, and who they were (roles, assignments)
/// on each date the rows name, read once per date.
struct Officer {
    user: triad_store::auth::UserRow,
    grants: Vec<triad_domain::auth::Grant>,
    on: HashMap<String, Actor>,
}

impl Officer {
    fn id(&self) -> Id {
        self.user.user_id()
    }

    /// The officer as of a date: the assignments in force that day.
    async fn as_of(&mut self, db: &Db, date: &str) -> AppResult<&Actor> {
        if !self.on.contains_key(date) {
            let actor =
                triad_store::auth::load_actor(&mut db.acquire().await?, &self.user, date).await?;
            self.on.insert(date.to_string(), actor);
        }
        self.on
            .get(date)
            .ok_or_else(|| AppError::Internal("an officer read just now is missing".into()))
    }
}

async fn officer(db: &Db, username: &str) -> AppResult<Option<Officer>> {
    let mut conn = db.acquire().await?;
    let Some(user) =
        triad_store::auth::user_by_name(&mut conn, &username.trim().to_lowercase()).await?
    else {
        return Ok(None);
    };
    let grants = triad_store::auth::grants_of(&mut conn, user.user_id()).await?;
    if !grants
        .iter()
        .any(|g| matches!(g.role, Role::Sro | Role::Sso))
    {
        return Ok(None);
    }
    Ok(Some(Officer {
        user,
        grants,
        on: HashMap::new(),
    }))
}

/// Where a row goes: the campus, what the officer logs as there, and for an SRO the agency
/// that assigned them there.
struct Place {
    campus: triad_store::org::Campus,
    role: Role,
    agency: Option<Id>,
}

impl Place {
    fn tenant(&self) -> Tenant {
        Tenant {
            agency: self.agency,
            ..Tenant::campus(self.campus.district(), self.campus.campus_id())
        }
    }
}

/// The campus a row names, among those the officer served on its date: as the SRO where an
/// agency they are an SRO of assigned them, as the SSO where they are its SSO. What they log
/// as there is the role they hold for that campus, asked of the access policy.
async fn place_for(db: &Db, officer: &Actor, name: &str) -> AppResult<Option<Place>> {
    let wanted = normalise(name);
    let mut candidates: Vec<(Id, Option<Id>)> = officer
        .sro_assignments()
        .map(|a| (a.campus, Some(a.agency)))
        .collect();
    candidates.extend(
        officer
            .grants
            .iter()
            .filter_map(|g| match (g.role, g.scope) {
                (Role::Sso, Scope::Campus { campus, .. }) => Some((campus, None)),
                _ => None,
            }),
    );
    let mut conn = db.acquire().await?;
    for (id, agency) in candidates {
        let Some(campus) = triad_store::org::campus(&mut conn, id).await? else {
            continue;
        };
        if normalise(&campus.name) != wanted && campus.id != name.trim() {
            continue;
        }
        let place = Place {
            campus,
            role: Role::Staff,
            agency,
        };
        let held = officer.roles_for(&place.tenant(), RecordClass::Shared);
        let role = if held.has(Role::Sro) {
            Role::Sro
        } else if held.has(Role::Sso) {
            Role::Sso
        } else {
            continue;
        };
        return Ok(Some(Place { role, ..place }));
    }
    Ok(None)
}

/// Checks one row and files it, or says why not.
async fn row(
    db: &Db,
    importer: &Importer<'_>,
    who: &mut Officer,
    cell: &(dyn Fn(&str) -> String + Sync),
    file_hash: &str,
    line: usize,
    now: Timestamp,
) -> AppResult<Result<ActivityRow, Vec<String>>> {
    let date = cell("date");
    let Ok(day) = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") else {
        return Ok(Err(vec!["date: must be a date written YYYY-MM-DD".into()]));
    };
    let sworn = who.as_of(db, &day.to_string()).await?.sworn;
    let place = place_for(db, who.as_of(db, &day.to_string()).await?, &cell("campus")).await?;
    let Some(place) = place else {
        return Ok(Err(vec![format!(
            "campus: '{}' is not a campus this officer served on {day}",
            cell("campus")
        )]));
    };
    if !importer.may_file_for(who.id(), &place.tenant()) {
        return Ok(Err(vec![format!(
            "officer: you may import your own entries (a supervisor, their officers'), not '{}''s",
            cell("officer")
        )]));
    }
    let campus = &place.campus;
    let district = triad_store::org::district(&mut db.acquire().await?, campus.district())
        .await?
        .ok_or_else(|| AppError::Internal("the campus's district is missing".into()))?;
    let tz = triad_domain::org::parse_time_zone(&district.time_zone).unwrap_or(chrono_tz::UTC);
    let time = if cell("time").is_empty() {
        "08:00".to_string()
    } else {
        cell("time")
    };
    let Ok(clock) = chrono::NaiveTime::parse_from_str(&time, "%H:%M") else {
        return Ok(Err(vec!["time: must be written HH:MM".into()]));
    };
    use chrono::TimeZone;
    let started = tz
        .from_local_datetime(&day.and_time(clock))
        .earliest()
        .map(|t| Timestamp::from_datetime(t.with_timezone(&chrono::Utc)));
    let category = triad_domain::activity::Category::ALL
        .iter()
        .find(|c| {
            normalise(c.code()) == normalise(&cell("category"))
                || normalise(c.label()) == normalise(&cell("category"))
        })
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| cell("category"));
    let draft = Draft {
        category,
        started_at: started,
        minutes: cell("minutes"),
        students: cell("students"),
        parents: cell("parents"),
        staff: cell("staff"),
        notes: cell("notes"),
        case_ref: cell("case_ref"),
        search_basis: normalise(&cell("search_basis")).replace("probablecause", "probable_cause"),
        initiated_by: String::new(),
        topic: cell("topic"),
        class_name: cell("class_name"),
        lesson_plan: cell("lesson_plan"),
        staff_group: triad_domain::activity::StaffGroup::ALL
            .iter()
            .find(|g| {
                normalise(g.code()) == normalise(&cell("staff_group"))
                    || normalise(g.label()) == normalise(&cell("staff_group"))
            })
            .map(|g| g.code().to_string())
            .unwrap_or_else(|| cell("staff_group")),
    };
    let entry = match Entry::parse(&draft, place.role, sworn, now) {
        Ok(e) => e,
        Err(invalid) => {
            return Ok(Err(invalid
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect()))
        }
    };
    let agency = place.agency.map(|a| a.to_string());
    let filing = Filing {
        author: who.id(),
        role: place.role,
        agency: agency.as_deref(),
        district: &campus.district_id,
        campus: &campus.id,
    };
    let start = YearStart::parse(&district.year_start).unwrap_or(YearStart::AUGUST_FIRST);
    let id = Id::from_parts(&format!("activity-import/{file_hash}"), line as u64);
    Ok(Ok(ActivityRow::new(
        id,
        &filing,
        &entry,
        Buckets::of(entry.started_at, tz, start),
        now,
        now,
    )))
}

/// Who imports: the instance's operator on the command line (any officer's rows), or a
/// person on the web (their own rows; a supervisor, their agency's officers' rows too).
pub enum Importer<'a> {
    Cli { actor: Option<Id> },
    Web(&'a Actor),
}

impl Importer<'_> {
    fn actor(&self) -> Option<Id> {
        match self {
            Importer::Cli { actor } => *actor,
            Importer::Web(a) => Some(a.user),
        }
    }

    fn source(&self) -> &'static str {
        match self {
            Importer::Cli { .. } => "cli",
            Importer::Web(_) => "web",
        }
    }

    /// Whether this importer may file entries in the officer's name at all: their own, or a
    /// supervisor's officers (an SRO of their agency). Each row is then checked at its place.
    fn may_import_for(&self, officer: &Officer) -> bool {
        match self {
            Importer::Cli { .. } => true,
            Importer::Web(a) => {
                a.user == officer.id()
                    || a.grants.iter().any(|g| match (g.role, g.scope) {
                        (Role::LeSupervisor, Scope::Agency { agency }) => officer
                            .grants
                            .iter()
                            .any(|o| o.role == Role::Sro && o.scope == Scope::Agency { agency }),
                        _ => false,
                    })
            }
        }
    }

    /// Whether this importer may file an entry in the officer's name at a row's place: their
    /// own, or (a supervisor) one the row files under their agency.
    fn may_file_for(&self, officer: Id, place: &Tenant) -> bool {
        match self {
            Importer::Cli { .. } => true,
            Importer::Web(a) => {
                a.user == officer
                    || a.roles_for(place, RecordClass::Shared)
                        .has(Role::LeSupervisor)
            }
        }
    }
}

/// Told after every batch how far an import got; says whether to go on (a job stops when
/// another instance has taken it over).
pub trait Progress {
    fn step(
        &mut self,
        done: usize,
        total: usize,
    ) -> impl std::future::Future<Output = AppResult<bool>> + Send;
}

/// Nobody follows the import (the command line prints the report at the end).
pub struct Unwatched;

impl Progress for Unwatched {
    async fn step(&mut self, _done: usize, _total: usize) -> AppResult<bool> {
        Ok(true)
    }
}

/// Checks that a file can be imported at all (it is text with a header line naming an
/// officer column), before it is queued: what a person must fix is said at once.
pub fn check(bytes: &[u8], map: &[String]) -> AppResult<()> {
    table(bytes, map)?;
    Ok(())
}

/// Imports a file's rows: each row is checked and imported or refused on its own; rows
/// already imported (the same file before) are counted, not added again.
pub async fn import(
    db: &Db,
    bytes: &[u8],
    map: &[String],
    importer: Importer<'_>,
    now: Timestamp,
) -> AppResult<ImportReport> {
    import_followed(db, bytes, map, importer, now, &mut Unwatched).await
}

/// [`import`], telling `progress` after every batch.
pub async fn import_followed(
    db: &Db,
    bytes: &[u8],
    map: &[String],
    importer: Importer<'_>,
    now: Timestamp,
    progress: &mut impl Progress,
) -> AppResult<ImportReport> {
    let file_hash = hex::encode(Sha256::digest(bytes));
    let Table {
        cols,
        width,
        rows: records,
        notes,
    } = table(bytes, map)?;
    let mut report = ImportReport {
        file_sha256: file_hash.clone(),
        ..Default::default()
    };
    // Lines that could not be read as they are, or whose bytes are not valid text, are
    // refused with the reason; a removed NUL byte is said and the row goes on.
    let mut refused_lines: HashMap<usize, String> = HashMap::new();
    for note in notes {
        if note.reason.contains("NUL") {
            report.notes.push(Refusal {
                line: note.line,
                reasons: vec![note.reason],
            });
        } else {
            refused_lines.entry(note.line).or_insert(note.reason);
        }
    }
    let mut officers: HashMap<String, Option<Officer>> = HashMap::new();
    let mut rows: Vec<ActivityRow> = Vec::new();
    for (line, reason) in refused_lines.iter().filter(|(line, _)| {
        !records
            .iter()
            .any(|r| (r.line..=r.last_line).contains(line))
    }) {
        report.refused.push(Refusal {
            line: *line,
            reasons: vec![reason.clone()],
        });
    }
    for record in &records {
        if record.is_blank() {
            continue;
        }
        let line = record.line;
        report.rows_read += 1;
        if let Some(reason) = (record.line..=record.last_line).find_map(|l| refused_lines.get(&l)) {
            report.refused.push(Refusal {
                line,
                reasons: vec![reason.clone()],
            });
            continue;
        }
        // A row whose cells run over several lines and do not fit the header is most likely
        // rows merged by a stray quote: said, never imported as one.
        if record.last_line > record.line && record.cells.len() != width {
            report.refused.push(Refusal {
                line,
                reasons: vec![format!(
                    "lines {}–{} read as one row of {} cells (the header has {}): a quote is probably not closed; fix it and import again",
                    record.line,
                    record.last_line,
                    record.cells.len(),
                    width
                )],
            });
            continue;
        }
        let cell = |f: &str| {
            cols.get(f)
                .map(|i| record.cell(*i))
                .unwrap_or("")
                .to_string()
        };
        let name = cell("officer");
        if !officers.contains_key(&name) {
            officers.insert(name.clone(), officer(db, &name).await?);
        }
        let Some(Some(who)) = officers.get_mut(&name) else {
            report.refused.push(Refusal {
                line,
                reasons: vec![format!("officer: no SRO or SSO is named '{name}'")],
            });
            continue;
        };
        if !importer.may_import_for(who) {
            report.refused.push(Refusal {
                line,
                reasons: vec![format!(
                    "officer: you may import your own entries (a supervisor, their officers'), not '{name}''s"
                )],
            });
            continue;
        }
        match row(db, &importer, who, &cell, &file_hash, line, now).await? {
            Ok(r) => rows.push(r),
            Err(reasons) => report.refused.push(Refusal { line, reasons }),
        }
    }
    for batch in rows.chunks(ROWS_PER_BATCH) {
        match save_batch(db, batch, &importer, now).await {
            Ok((imported, present)) => {
                report.imported += imported;
                report.already_present += present;
                let done = report.imported + report.already_present;
                if !progress.step(done, rows.len()).await? {
                    report.stopped = Some(format!(
                        "stopped after {done} of {} rows: another server took this import over",
                        rows.len()
                    ));
                    break;
                }
            }
            // Nothing saved yet: the request failed as a whole and may be sent again.
            Err(e) if report.imported + report.already_present == 0 => return Err(e),
            Err(e) => {
                tracing::error!(error = %e, "an activity import stopped part-way");
                report.stopped = Some(format!(
                    "the database stopped the import after {} of {} rows: import the same file \
                     again to add the rest (rows already imported are not added twice)",
                    report.imported + report.already_present,
                    rows.len()
                ));
                break;
            }
        }
    }
    db.refresh_statistics_after(report.imported, &["activities", "audit_log"])
        .await;
    Ok(report)
}

/// Saves one batch of rows with their audit entries, in one short transaction. Yields how
/// many were new and how many were there already.
async fn save_batch(
    db: &Db,
    batch: &[ActivityRow],
    importer: &Importer<'_>,
    now: Timestamp,
) -> AppResult<(usize, usize)> {
    let (mut imported, mut present) = (0, 0);
    let mut tx = Change::open(db, now).await?;
    for r in batch {
        if triad_store::activity::insert_if_new(&mut tx, r).await? {
            imported += 1;
            let event = AuditEvent::new(importer.actor(), "activity.import", Outcome::Ok)
                .record("activity", &r.id)
                .content(r)
                .source(Some(importer.source().into()))
                .tenant(
                    Id::parse(&r.district_id),
                    r.agency_id.as_deref().and_then(Id::parse),
                );
            tx.audit(event);
        } else {
            present += 1;
        }
    }
    // A batch of rows already present wrote nothing: there is nothing to commit or audit.
    if imported > 0 {
        tx.commit().await?;
    }
    Ok((imported, present))
}

/// The fields a column can be mapped to, for the form's help.
pub fn field_names() -> Vec<&'static str> {
    FIELDS.iter().map(|(f, _)| *f).collect()
}
