//! Reading the OneRoster 1.1 CSV bundle a student-information system exports: `manifest.csv`,
//! `orgs.csv` and `users.csv`, from a folder or a zip.
//!
//! `users.csv` is read as a stream: a large district's file (tens of MB, nearly all students)
//! is never held whole, and a student's row is passed over as it is read, so nothing of a
//! student is kept. Any fault (a missing file, a malformed line, a duplicate id, an unknown
//! school) refuses the whole bundle with every fault found, each with its file and line:
//! nothing is imported from a bundle that is not right.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};
use std::path::Path;
use triad_domain::Invalid;

/// The longest a row may be: a quote never closed would otherwise swallow the rest of a file.
const LONGEST_ROW: usize = 64 * 1024;
/// The most faults reported for one bundle; more are summed up.
const FAULTS_SHOWN: usize = 25;
/// `manifest.csv` and `orgs.csv` are read whole; past this they are not a district's.
const LARGEST_SMALL_FILE: u64 = 20 * 1024 * 1024;
/// The largest `users.csv` read (a zip may unpack to far more than was sent): a state's
/// largest districts export a few hundred MB with every student.
const LARGEST_USERS_FILE: u64 = 2 * 1024 * 1024 * 1024;
/// The most adults one district's roster holds (they are kept in memory to be compared).
const MOST_ADULTS: usize = 200_000;
/// The most departures a delta may give by id alone (most are students', kept only as a
/// 16-byte key each: an end-of-year delta of a large district is read in bounded memory).
const MOST_DEPARTURES: usize = 2_000_000;

/// Why a file was cut off while being read.
#[derive(Debug)]
enum Bound {
    LongRow,
    LargeFile,
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bound::LongRow => "a row runs on for more than 64 KB",
            Bound::LargeFile => "the file is larger than 2 GB",
        })
    }
}

impl std::error::Error for Bound {}

/// A file's bytes handed to the CSV parser within bounds: no row longer than [`LONGEST_ROW`]
/// (a quote never closed would otherwise have the parser hold the rest of the file as one
/// cell) and no more than [`LARGEST_USERS_FILE`] in all. A line break ends a row only outside
/// quotes, which an even number of quotes so far says (a doubled quote counts twice).
struct Bounded<R> {
    inner: R,
    in_quotes: bool,
    row: usize,
    total: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > LARGEST_USERS_FILE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                Bound::LargeFile,
            ));
        }
        for &byte in &buf[..n] {
            match byte {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' | b'\r' if !self.in_quotes => {
                    self.row = 0;
                    continue;
                }
                _ => {}
            }
            self.row += 1;
            if self.row > LONGEST_ROW {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    Bound::LongRow,
                ));
            }
        }
        Ok(n)
    }
}

/// Whether `users.csv` lists everyone (bulk) or only who changed (delta).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Everyone is listed: a person the roster made who is missing has left.
    Bulk,
    /// Only changes are listed: a person leaves only when marked `tobedeleted`.
    Delta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    School,
    District,
    /// A department, a state, a local or national body: no campus and no role.
    Other,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub source_id: String,
    pub name: String,
    pub kind: OrgKind,
}

/// The roster roles Triad imports; every other role (students above all) is passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterRole {
    Teacher,
    Aide,
    Administrator,
}

/// One adult of the roster, as `users.csv` lists them.
#[derive(Debug, Clone)]
pub struct RosterPerson {
    pub line: u64,
    pub source_id: String,
    /// Active and enabled; false when marked `tobedeleted` or `enabledUser` is false.
    pub active: bool,
    pub role: RosterRole,
    pub orgs: Vec<String>,
    pub username: String,
    pub name: String,
    pub email: Option<String>,
}

/// Rows of `users.csv` not imported, counted (never kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PassedOver {
    pub students: u64,
    /// Parents, guardians, relatives and proctors.
    pub family_and_proctors: u64,
}

/// A bundle, read and checked.
#[derive(Debug, Clone)]
pub struct Roster {
    pub mode: Mode,
    pub orgs: Vec<Org>,
    pub people: Vec<RosterPerson>,
    pub passed_over: PassedOver,
    /// Departures given only by their id (a `tobedeleted` row with every other field empty,
    /// as OneRoster allows in a delta), by [`departure_key`]: whoever they were leaves.
    pub departed: HashSet<[u8; 16]>,
}

/// A roster id as the departures given by id alone are kept: the first 16 bytes of its
/// SHA-256 (no two ids of a roster share one in practice).
pub fn departure_key(source_id: &str) -> [u8; 16] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(source_id.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Faults found so far, each naming its file and line.
#[derive(Default)]
struct Faults {
    list: Vec<String>,
    more: usize,
}

impl Faults {
    fn add(&mut self, message: String) {
        if self.list.len() < FAULTS_SHOWN {
            self.list.push(message);
        } else {
            self.more += 1;
        }
    }

    fn into_result(self) -> Result<(), Invalid> {
        if self.list.is_empty() {
            return Ok(());
        }
        let mut invalid = Invalid::default();
        for message in self.list {
            invalid.push("bundle", message);
        }
        if self.more > 0 {
            invalid.push(
                "bundle",
                format!("and {} more faults like these", self.more),
            );
        }
        invalid.push(
            "bundle",
            "nothing was imported: correct the bundle and send it again",
        );
        Err(invalid)
    }
}

fn refuse(message: impl Into<String>) -> Invalid {
    Invalid::one("bundle", message)
}

/// Reads a bundle from a folder holding its files.
pub fn read_folder(folder: &Path) -> Result<Roster, Invalid> {
    let open = |name: &str| -> Result<std::fs::File, Invalid> {
        std::fs::File::open(folder.join(name))
            .map_err(|_| refuse(format!("the folder has no {name}: a OneRoster bundle has manifest.csv, orgs.csv and users.csv")))
    };
    let manifest = read_small(open("manifest.csv")?, "manifest.csv")?;
    let orgs = read_small(open("orgs.csv")?, "orgs.csv")?;
    let (mode, orgs) = read_head(&manifest, &orgs)?;
    read_users(std::io::BufReader::new(open("users.csv")?), mode, orgs)
}

/// Reads a bundle from a zip (its files at the top or in one folder).
pub fn read_zip<R: Read + Seek>(zip: R) -> Result<Roster, Invalid> {
    let mut archive = zip::ZipArchive::new(zip)
        .map_err(|_| refuse("this is not a zip file a OneRoster export makes: send the export's zip, or its three CSV files in a zip"))?;
    let find = |name: &str| -> Result<usize, Invalid> {
        let found: Vec<usize> = (0..archive.len())
            .filter(|&i| {
                // A file at the top of the zip or in a folder of it (never a folder itself).
                archive.name_for_index(i).is_some_and(|entry| {
                    entry.is_ok_and(|entry| {
                        entry
                            .rsplit('/')
                            .next()
                            .is_some_and(|file| file.eq_ignore_ascii_case(name))
                    })
                })
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(refuse(format!("the zip has no {name}: a OneRoster bundle has manifest.csv, orgs.csv and users.csv"))),
            _ => Err(refuse(format!("the zip has more than one {name}: send one district's bundle"))),
        }
    };
    let (manifest, orgs, users) = (find("manifest.csv")?, find("orgs.csv")?, find("users.csv")?);
    let unreadable = |name: &str| {
        refuse(format!("{name} in the zip cannot be read (damaged, or packed in a way this reader does not know)"))
    };
    let manifest = read_small(
        archive
            .by_index(manifest)
            .map_err(|_| unreadable("manifest.csv"))?,
        "manifest.csv",
    )?;
    let orgs = read_small(
        archive.by_index(orgs).map_err(|_| unreadable("orgs.csv"))?,
        "orgs.csv",
    )?;
    let (mode, orgs) = read_head(&manifest, &orgs)?;
    let users = archive
        .by_index(users)
        .map_err(|_| unreadable("users.csv"))?;
    read_users(users, mode, orgs)
}

fn read_small(file: impl Read, name: &str) -> Result<Vec<u8>, Invalid> {
    let mut bytes = Vec::new();
    file.take(LARGEST_SMALL_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| refuse(format!("{name} cannot be read")))?;
    if bytes.len() as u64 > LARGEST_SMALL_FILE {
        return Err(refuse(format!(
            "{name} is larger than {} MB: this is not one district's roster",
            LARGEST_SMALL_FILE / 1024 / 1024
        )));
    }
    Ok(bytes)
}

/// A CSV file's header, its columns found by name (any case, a byte-order mark ignored).
struct Columns {
    file: &'static str,
    index: HashMap<String, usize>,
}

impl Columns {
    /// Reads a file's header and checks it has every column `required`.
    fn read<R: Read>(
        reader: &mut csv::Reader<R>,
        file: &'static str,
        required: &[&str],
    ) -> Result<Self, Invalid> {
        let header = reader
            .headers()
            .map_err(|_| refuse(format!("{file} cannot be read as CSV")))?
            .clone();
        let columns = Columns::new(file, &header);
        columns.require(required)?;
        Ok(columns)
    }

    fn new(file: &'static str, header: &csv::StringRecord) -> Self {
        let index = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    name.trim_start_matches('\u{feff}')
                        .trim()
                        .to_ascii_lowercase(),
                    i,
                )
            })
            .collect();
        Columns { file, index }
    }

    fn require(&self, names: &[&str]) -> Result<(), Invalid> {
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !self.index.contains_key(&n.to_ascii_lowercase()))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(refuse(format!(
                "{} has no column {}: is this a OneRoster 1.1 export?",
                self.file,
                missing.join(", ")
            )))
        }
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        self.index
            .get(&name.to_ascii_lowercase())
            .and_then(|&i| row.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// The line a row starts on as a spreadsheet numbers it (the header is line 1): counted by
/// rows, so a file with old Mac line endings (CR only) is numbered right too.
fn line_of(position: Option<&csv::Position>) -> u64 {
    position.map_or(0, |p| p.record() + 1)
}

fn csv_reader<R: Read>(input: R) -> csv::Reader<Bounded<R>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(Bounded {
            inner: input,
            in_quotes: false,
            row: 0,
            total: 0,
        })
}

/// A row read, or the fault that stops the file: a line that is not UTF-8 or never ends.
fn next_row<R: Read>(
    reader: &mut csv::Reader<Bounded<R>>,
    row: &mut csv::StringRecord,
    file: &str,
) -> Result<bool, Invalid> {
    let before = line_of(row.position());
    match reader.read_record(row) {
        // (A row cannot run on past 64 KB: the reader stops it first.)
        Ok(more) => Ok(more),
        Err(e) => {
            let line = line_of(e.position());
            if let csv::ErrorKind::Io(io) = e.kind() {
                if let Some(bound) = io.get_ref().and_then(|e| e.downcast_ref::<Bound>()) {
                    return Err(refuse(match bound {
                        Bound::LongRow => format!(
                            "{file}, after line {before}: a quote is never closed ({bound})"
                        ),
                        Bound::LargeFile => {
                            format!("{file}: {bound}: this is not one district's roster")
                        }
                    }));
                }
            }
            Err(refuse(match e.kind() {
                csv::ErrorKind::Utf8 { .. } => format!(
                    "{file} line {line} is not UTF-8 text: OneRoster files are UTF-8; export the bundle again"
                ),
                _ => format!("{file} line {line} cannot be read as CSV"),
            }))
        }
    }
}

/// The manifest's mode for users, and the organisations.
fn read_head(manifest: &[u8], orgs: &[u8]) -> Result<(Mode, Vec<Org>), Invalid> {
    let mut reader = csv_reader(manifest);
    let columns = Columns::read(&mut reader, "manifest.csv", &["propertyName", "value"])?;
    let mut properties = HashMap::new();
    let mut row = csv::StringRecord::new();
    while next_row(&mut reader, &mut row, "manifest.csv")? {
        properties.insert(
            columns.get(&row, "propertyName").to_ascii_lowercase(),
            columns.get(&row, "value").to_ascii_lowercase(),
        );
    }
    let version = properties.get("oneroster.version").map(String::as_str);
    if version != Some("1.1") {
        return Err(refuse(format!(
            "manifest.csv says OneRoster version {}: Triad reads OneRoster 1.1 bundles",
            version.unwrap_or("(none)")
        )));
    }
    let mode_of = |file: &str| {
        match properties.get(file).map(String::as_str) {
        Some("bulk") => Ok(Mode::Bulk),
        Some("delta") => Ok(Mode::Delta),
        other => Err(refuse(format!(
            "manifest.csv says {file} is {}: the bundle must hold orgs.csv and users.csv (bulk or delta)",
            other.unwrap_or("absent")
        ))),
    }
    };
    mode_of("file.orgs")?;
    let mode = mode_of("file.users")?;

    let mut reader = csv_reader(orgs);
    let columns = Columns::read(&mut reader, "orgs.csv", &["sourcedId", "name", "type"])?;
    let mut faults = Faults::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut found = Vec::new();
    while next_row(&mut reader, &mut row, "orgs.csv")? {
        let line = line_of(row.position());
        let source_id = columns.get(&row, "sourcedId").to_string();
        let name = columns.get(&row, "name").to_string();
        if source_id.is_empty() {
            faults.add(format!("orgs.csv line {line}: the sourcedId is empty"));
            continue;
        }
        if let Some(first) = seen.insert(source_id.clone(), line) {
            faults.add(format!(
                "orgs.csv line {line}: sourcedId {source_id} is already on line {first}"
            ));
            continue;
        }
        let kind = match columns.get(&row, "type").to_ascii_lowercase().as_str() {
            "school" => OrgKind::School,
            "district" => OrgKind::District,
            "department" | "local" | "state" | "national" => OrgKind::Other,
            other => {
                faults.add(format!(
                    "orgs.csv line {line}: the type '{other}' is not one OneRoster 1.1 knows (school, district, department, local, state, national)"
                ));
                continue;
            }
        };
        if kind == OrgKind::School && name.is_empty() {
            faults.add(format!("orgs.csv line {line}: the school has no name"));
            continue;
        }
        found.push(Org {
            source_id,
            name,
            kind,
        });
    }
    faults.into_result()?;
    Ok((mode, found))
}

/// Reads `users.csv` row by row, keeping only the adults Triad imports.
fn read_users<R: Read>(users: R, mode: Mode, orgs: Vec<Org>) -> Result<Roster, Invalid> {
    let mut reader = csv_reader(users);
    let columns = Columns::read(
        &mut reader,
        "users.csv",
        &[
            "sourcedId",
            "status",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
            "email",
        ],
    )?;
    let known: HashMap<&str, &Org> = orgs.iter().map(|o| (o.source_id.as_str(), o)).collect();
    let mut faults = Faults::default();
    let mut passed_over = PassedOver::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut people = Vec::new();
    let mut row = csv::StringRecord::new();
    let mut departed = HashSet::new();
    while next_row(&mut reader, &mut row, "users.csv")? {
        let line = line_of(row.position());
        // A delta's departure may be only an id and its status: whoever it was leaves, if
        // Triad has them (most are students, never kept).
        let by_id_alone = columns.get(&row, "role").is_empty()
            && columns
                .get(&row, "status")
                .eq_ignore_ascii_case("tobedeleted");
        if by_id_alone {
            let source_id = columns.get(&row, "sourcedId");
            if source_id.is_empty() {
                faults.add(format!("users.csv line {line}: the sourcedId is empty"));
            } else if seen.contains_key(source_id) || !departed.insert(departure_key(source_id)) {
                faults.add(format!(
                    "users.csv line {line}: sourcedId {source_id} is listed more than once"
                ));
            } else if departed.len() > MOST_DEPARTURES {
                return Err(refuse(format!(
                    "users.csv gives more than {MOST_DEPARTURES} departures: this is not one district's roster"
                )));
            }
            continue;
        }
        let role = match columns.get(&row, "role").to_ascii_lowercase().as_str() {
            "teacher" => RosterRole::Teacher,
            "aide" => RosterRole::Aide,
            "administrator" => RosterRole::Administrator,
            "student" => {
                passed_over.students += 1;
                continue;
            }
            "guardian" | "parent" | "relative" | "proctor" => {
                passed_over.family_and_proctors += 1;
                continue;
            }
            other => {
                faults.add(format!(
                    "users.csv line {line}: the role '{other}' is not one OneRoster 1.1 knows"
                ));
                continue;
            }
        };
        if people.len() >= MOST_ADULTS {
            return Err(refuse(format!(
                "users.csv holds more than {MOST_ADULTS} adults: this is not one district's roster"
            )));
        }
        match read_person(&columns, &row, line, role, &known) {
            Ok(person) => {
                if departed.contains(&departure_key(&person.source_id)) {
                    faults.add(format!(
                        "users.csv line {line}: sourcedId {} is listed more than once",
                        person.source_id
                    ));
                } else if let Some(first) = seen.insert(person.source_id.clone(), line) {
                    faults.add(format!(
                        "users.csv line {line}: sourcedId {} is already on line {first}",
                        person.source_id
                    ));
                } else {
                    people.push(person);
                }
            }
            Err(problems) => problems.into_iter().for_each(|p| faults.add(p)),
        }
    }
    faults.into_result()?;
    Ok(Roster {
        mode,
        orgs,
        people,
        passed_over,
        departed,
    })
}

fn read_person(
    columns: &Columns,
    row: &csv::StringRecord,
    line: u64,
    role: RosterRole,
    known: &HashMap<&str, &Org>,
) -> Result<RosterPerson, Vec<String>> {
    let mut problems = Vec::new();
    let at = |what: String| format!("users.csv line {line}: {what}");
    let source_id = columns.get(row, "sourcedId").to_string();
    if source_id.is_empty() {
        problems.push(at("the sourcedId is empty".into()));
    }
    let status = match columns.get(row, "status").to_ascii_lowercase().as_str() {
        "" | "active" => true,
        "tobedeleted" | "inactive" => false,
        other => {
            problems.push(at(format!(
                "the status '{other}' is not active or tobedeleted"
            )));
            true
        }
    };
    let enabled = match columns
        .get(row, "enabledUser")
        .to_ascii_lowercase()
        .as_str()
    {
        "" | "true" => true,
        "false" => false,
        other => {
            problems.push(at(format!("enabledUser '{other}' is not true or false")));
            true
        }
    };
    let orgs: Vec<String> = columns
        .get(row, "orgSourcedIds")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if orgs.is_empty() {
        problems.push(at(
            "the person belongs to no org (orgSourcedIds is empty)".into()
        ));
    }
    for org in &orgs {
        if !known.contains_key(org.as_str()) {
            problems.push(at(format!("org {org} is not in orgs.csv")));
        }
    }
    let given = columns.get(row, "givenName");
    let family = columns.get(row, "familyName");
    let name = match triad_domain::org::parse_name("name", &format!("{given} {family}")) {
        Ok(name) => name,
        Err(_) => {
            problems.push(at(
                "the name is empty, longer than 200 characters or holds control characters".into(),
            ));
            String::new()
        }
    };
    let email = columns.get(row, "email");
    let email = if email.is_empty() {
        None
    } else if looks_like_email(email) {
        Some(email.to_ascii_lowercase())
    } else {
        problems.push(at(format!("'{email}' is not an email address")));
        None
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(RosterPerson {
        line,
        source_id,
        active: status && enabled,
        role,
        orgs,
        username: columns.get(row, "username").to_string(),
        name,
        email,
    })
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && text.len() <= 254
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MANIFEST: &[u8] =
        b"propertyName,value\noneroster.version,1.1\nfile.orgs,bulk\nfile.users,delta\n";
    const ORGS: &[u8] =
        b"sourcedId,status,dateLastModified,name,type\nsch-1,active,,Home High,school\n";

    fn users(text: &str) -> Result<Roster, Invalid> {
        let (mode, orgs) = read_head(MANIFEST, ORGS)?;
        read_users(text.as_bytes(), mode, orgs)
    }

    const HEADER: &str =
        "sourcedId,status,enabledUser,orgSourcedIds,role,username,givenName,familyName,email";

    #[test]
    fn old_mac_line_endings_a_byte_order_mark_and_any_header_case_read_alike() {
        let text = format!(
            "\u{feff}{}\rt-1,active,true,sch-1,Teacher,tm,Tess,Morgan,TM@Home.Example\rs-1,active,true,sch-1,student,s,S,T,\r",
            HEADER.to_uppercase()
        );
        let roster = users(&text).unwrap();
        assert_eq!(roster.mode, Mode::Delta);
        assert_eq!(roster.people.len(), 1);
        assert_eq!(roster.people[0].name, "Tess Morgan");
        assert_eq!(roster.people[0].email.as_deref(), Some("tm@home.example"));
        assert_eq!(roster.people[0].line, 2);
        assert_eq!(roster.passed_over.students, 1);
    }

    #[test]
    fn a_person_marked_to_be_deleted_or_not_enabled_is_not_active() {
        let text = format!(
            "{HEADER}\nt-1,tobedeleted,true,sch-1,teacher,a,A,B,\nt-2,active,false,sch-1,aide,c,C,D,\n"
        );
        let roster = users(&text).unwrap();
        assert!(roster.people.iter().all(|p| !p.active));
    }

    #[test]
    fn every_fault_is_named_with_its_line_and_nothing_is_kept() {
        let text = format!(
            "{HEADER}\nt-1,active,maybe,sch-1,teacher,a,A,B,not-an-address\n,active,true,,teacher,b,,,\n"
        );
        let faults: Vec<String> = users(&text)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.message)
            .collect();
        let all = faults.join("\n");
        assert!(all.contains("line 2: enabledUser 'maybe'"), "{all}");
        assert!(
            all.contains("line 2: 'not-an-address' is not an email address"),
            "{all}"
        );
        assert!(all.contains("line 3: the sourcedId is empty"), "{all}");
        assert!(
            all.contains("line 3: the person belongs to no org"),
            "{all}"
        );
        assert!(all.contains("line 3: the name is empty"), "{all}");
        assert!(all.ends_with("nothing was imported: correct the bundle and send it again"));
    }

    #[test]
    fn a_missing_column_a_wrong_version_and_text_that_is_not_utf8_are_refused() {
        let missing = users("sourcedId,role\nt-1,teacher\n").unwrap_err();
        assert!(
            missing.errors[0].message.contains("no column status"),
            "{missing:?}"
        );
        let old = read_head(b"propertyName,value\noneroster.version,1.0\n", ORGS).unwrap_err();
        assert!(old.errors[0].message.contains("OneRoster 1.1"));
        let mut latin1 = format!("{HEADER}\nt-1,active,true,sch-1,teacher,a,Ren").into_bytes();
        latin1.extend_from_slice(b"\xe9e,B,\n");
        let (mode, orgs) = read_head(MANIFEST, ORGS).unwrap();
        let refused = read_users(&latin1[..], mode, orgs).unwrap_err();
        assert!(
            refused.errors[0].message.contains("line 2 is not UTF-8"),
            "{refused:?}"
        );
    }

    #[test]
    fn something_that_is_not_a_zip_is_told_so() {
        let refused = read_zip(std::io::Cursor::new(b"sourcedId,name\n".to_vec())).unwrap_err();
        assert!(refused.errors[0].message.contains("not a zip file"));
    }

    #[test]
    fn a_quote_never_closed_stops_the_file_at_64_kb_and_says_where() {
        let mut text = format!("{HEADER}\nt-1,active,true,sch-1,teacher,a,A,B,\nt-2,active,true,\"sch-1,teacher,b,C,D,\n");
        for n in 0..50_000 {
            text.push_str(&format!("s-{n},active,true,sch-1,student,s,S,T,\n"));
        }
        let refused = users(&text).unwrap_err();
        let message = &refused.errors[0].message;
        assert!(
            message.contains("after line 2: a quote is never closed"),
            "{message}"
        );
    }
}
