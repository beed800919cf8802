//! Importing survey spreadsheets as people export them: CSV or TSV, UTF-8 (with or without a
//! BOM) or Windows-1252, one or several tables each under its own header row, roles typed any
//! way, blank lines and stray cells. Every row that is not an answer is skipped and reported;
//! every value that does not fit its question is flagged with its line and kept as written;
//! the original text of each row is kept. A response's identity is the file's SHA-256 and its
//! line, so importing the same file again adds nothing, and rows of different tables are
//! never joined into one respondent.

use crate::change::Change;
use crate::error::AppResult;
use serde::Serialize;
use sha2::{Digest, Sha256};
use triad_domain::org::loose as normalise;
use triad_domain::surveys::{self as rules, Flag, Instrument, Question, QuestionKind, Value};
use triad_domain::{Id, Invalid, Timestamp};
use triad_store::surveys::{self as store, AnswerRow, CampaignRow, CodingRow, ResponseRow};
use triad_store::Db;

/// The largest file read: far above any export of a workshop or a district's survey.
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SurveyImportReport {
    pub campaign: String,
    pub file_sha256: String,
    /// Lines of the file that held anything.
    pub rows_read: usize,
    pub responses_imported: usize,
    pub already_present: usize,
    pub skipped: Vec<Skipped>,
    pub flags: Vec<Flagged>,
    /// The campaign did not exist and was made for this import.
    #[serde(default)]
    pub campaign_created: bool,
    /// Lines read after a change the report must mention (a NUL byte removed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Skipped>,
}

/// A line that is not an answer (blank, a title, stray cells, before any header).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
    pub text: String,
}

/// A value that did not fit its question: kept as written, without a value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Flagged {
    pub line: usize,
    pub question: String,
    pub value: String,
    pub reason: String,
}

/// The columns of the table being read: which question each holds.
struct Table {
    section: String,
    columns: Vec<(usize, String)>,
}

/// Whether a row is a header of one of the instrument's tables, and which. The table whose
/// questions' headers the row names most wins ("Roadblock/Success" heads two tables; the
/// other column tells them apart). `map` names other headers: "Header text=question_key".
fn header(cells: &[String], instrument: &Instrument, map: &[(String, String)]) -> Option<Table> {
    let named = |cell: &str| -> Option<String> {
        let n = normalise(cell);
        if n.is_empty() {
            return None;
        }
        map.iter()
            .find(|(h, _)| normalise(h) == n)
            .map(|(_, k)| k.clone())
            .or_else(|| {
                instrument
                    .questions
                    .iter()
                    .find(|q| normalise(&q.header) == n)
                    .map(|q| q.key.clone())
            })
    };
    let sections: Vec<(String, Vec<String>)> = if instrument.sections.is_empty() {
        vec![(
            instrument.name.clone(),
            instrument.questions.iter().map(|q| q.key.clone()).collect(),
        )]
    } else {
        instrument
            .sections
            .iter()
            .map(|s| (s.title.clone(), s.questions.clone()))
            .collect()
    };
    let best = sections
        .iter()
        .map(|(title, keys)| {
            let mut columns: Vec<(usize, String)> = Vec::new();
            for (i, cell) in cells.iter().enumerate() {
                let candidates: Vec<&Question> = keys
                    .iter()
                    .filter_map(|k| instrument.question(k))
                    .filter(|q| normalise(&q.header) == normalise(cell))
                    .collect();
                let key = map
                    .iter()
                    .find(|(h, _)| normalise(h) == normalise(cell))
                    .map(|(_, k)| k.clone())
                    .filter(|k| keys.contains(k))
                    .or_else(|| candidates.first().map(|q| q.key.clone()));
                if let Some(k) = key.filter(|k| !columns.iter().any(|(_, c)| c == k)) {
                    columns.push((i, k));
                }
            }
            (title, columns)
        })
        .max_by_key(|(_, columns)| columns.len())?;
    let (title, mut columns) = best;
    let answers = columns
        .iter()
        .filter(|(_, k)| {
            instrument
                .question(k)
                .is_some_and(|q| q.kind != QuestionKind::Role)
        })
        .count();
    // A row naming no question of the table (or only the role) is data, not a header.
    if answers == 0 || cells.iter().filter(|c| named(c).is_some()).count() < columns.len() {
        return None;
    }
    // The seed's exports put the role, untitled or titled "SRO/Educator", in the first column.
    let role = instrument
        .questions
        .iter()
        .find(|q| q.kind == QuestionKind::Role)
        .map(|q| q.key.clone());
    if let Some(role) = role {
        if !columns.iter().any(|(_, k)| *k == role) && !columns.iter().any(|(i, _)| *i == 0) {
            columns.push((0, role));
        }
    }
    Some(Table {
        section: title.clone(),
        columns,
    })
}

/// A response read from one row, ready to store.
struct Parsed {
    response: ResponseRow,
    answers: Vec<AnswerRow>,
}

/// What every row of one file is read against.
struct Reading<'a> {
    campaign: &'a CampaignRow,
    instrument: &'a Instrument,
    file_hash: &'a str,
    today: &'a str,
}

fn parse_row(
    r: &Reading<'_>,
    table: &Table,
    cells: &[String],
    line: usize,
    report: &mut SurveyImportReport,
) -> Option<Parsed> {
    let Reading {
        campaign,
        instrument,
        file_hash,
        today,
    } = *r;
    let original = cells.join("\t");
    let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("").trim();
    let answered = table
        .columns
        .iter()
        .filter(|(_, k)| {
            instrument
                .question(k)
                .is_some_and(|q| q.kind != QuestionKind::Role)
        })
        .any(|(i, _)| !cell(*i).is_empty());
    let mapped = |i: usize| table.columns.iter().any(|(c, _)| *c == i);
    let stray: Vec<&str> = (0..cells.len())
        .filter(|i| !mapped(*i))
        .map(cell)
        .filter(|c| !c.is_empty())
        .collect();
    if !answered {
        report.skipped.push(Skipped {
            line,
            reason: "no answer in this line (stray cells)".into(),
            text: original,
        });
        return None;
    }
    if !stray.is_empty() {
        report.flags.push(Flagged {
            line,
            question: "-".into(),
            value: stray.join(" | "),
            reason: "stray cells beside the table, not read (kept in the row's original text)"
                .into(),
        });
    }
    let id = Id::from_parts(&format!("survey-import/{file_hash}"), line as u64).to_string();
    let mut role = rules::RespondentRole::Unknown;
    let mut role_text = None;
    let mut answers = Vec::new();
    for (i, key) in &table.columns {
        let Some(question) = instrument.question(key) else {
            continue;
        };
        let raw = cell(*i);
        let read = rules::read(question, raw);
        if question.kind == QuestionKind::Role {
            role = rules::normalise_role(raw);
            role_text = Some(raw.to_string()).filter(|r| !r.is_empty());
        }
        for flag in &read.flags {
            report.flags.push(Flagged {
                line,
                question: key.clone(),
                value: raw.to_string(),
                reason: flag.label().into(),
            });
        }
        if raw.is_empty() || question.kind == QuestionKind::Role {
            continue;
        }
        answers.push(answer_row(
            &id,
            &campaign.id,
            key,
            read.value,
            raw,
            &read.flags,
        ));
    }
    Some(Parsed {
        response: ResponseRow {
            id,
            campaign_id: campaign.id.clone(),
            role: role.code().into(),
            role_text,
            source: "import".into(),
            import_key: Some(format!("{file_hash}:{line}")),
            original: Some(original),
            section: Some(table.section.clone()),
            answered_on: today.into(),
        },
        answers,
    })
}

/// The stored form of one answer.
pub fn answer_row(
    response: &str,
    campaign: &str,
    key: &str,
    value: Option<Value>,
    raw: &str,
    flags: &[Flag],
) -> AnswerRow {
    let (number, boolean, text) = match value {
        Some(Value::Number(n)) => (Some(n), None, None),
        Some(Value::Bool(b)) => (None, Some(b), None),
        Some(Value::Text(t)) => (None, None, Some(t)),
        None => (None, None, None),
    };
    AnswerRow {
        response_id: response.into(),
        campaign_id: campaign.into(),
        question_key: key.into(),
        value_number: number,
        value_bool: boolean,
        value_text: text,
        original: Some(raw.to_string()),
        flags: Some(flags.iter().map(|f| f.code()).collect::<Vec<_>>().join(" "))
            .filter(|f| !f.is_empty()),
    }
}

/// The themes of a response's free-text answers, as codings.
/// Stores a response's answers and the themes found in them: two statements.
pub async fn store_answers<'c>(
    conn: impl Into<triad_store::Conn<'c>>,
    instrument: &Instrument,
    answers: &[AnswerRow],
) -> triad_store::StoreResult<()> {
    let mut c: triad_store::Conn = conn.into();
    store::insert_answers(&mut c, answers).await?;
    store::insert_codings(&mut c, &codings(instrument, answers)).await
}

fn codings(instrument: &Instrument, answers: &[AnswerRow]) -> Vec<CodingRow> {
    let codebook = rules::seed_codebook();
    answers
        .iter()
        .filter(|a| {
            instrument
                .question(&a.question_key)
                .is_some_and(|q| q.kind == QuestionKind::Text)
        })
        .flat_map(|a| {
            let text = a.value_text.clone().unwrap_or_default();
            rules::code(&text, codebook)
                .into_iter()
                .map(move |c| CodingRow {
                    response_id: a.response_id.clone(),
                    campaign_id: a.campaign_id.clone(),
                    question_key: a.question_key.clone(),
                    theme: c.theme,
                    phrase: Some(c.phrase),
                    source: "auto".into(),
                    removed: false,
                })
        })
        .collect()
}

/// Checks that the bytes are a text export, and reads them.
fn text_of(bytes: &[u8]) -> Result<crate::spreadsheet::Text, Invalid> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Invalid::one(
            "file",
            format!(
                "the file is larger than {} MB: split it, or export only the survey's columns",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    crate::spreadsheet::read_text(bytes)
}

/// Checks, before anything is written (a campaign made for it, say), that a file can be read
/// into an instrument's questions: it is text, and some row of it is a header of them.
pub fn check(bytes: &[u8], map: &[String], instrument: &Instrument) -> Result<(), Invalid> {
    let file = text_of(bytes)?;
    let map = parse_map(map, instrument)?;
    let (records, _) =
        crate::spreadsheet::records(&file.text, crate::spreadsheet::delimiter(&file.text));
    if records
        .iter()
        .any(|r| header(&r.cells, instrument, &map).is_some())
    {
        Ok(())
    } else {
        Err(no_header())
    }
}

fn no_header() -> Invalid {
    Invalid::one(
        "file",
        "no header row of this campaign's questions was found: name the columns with a mapping (Header=question)",
    )
}

/// Reads a file into a campaign (whose instrument it must match); writes all of it or none.
pub async fn import(
    db: &Db,
    campaign: &CampaignRow,
    bytes: &[u8],
    map: &[String],
    actor: Option<Id>,
    source: &str,
    now: Timestamp,
) -> AppResult<SurveyImportReport> {
    let file = text_of(bytes)?;
    let instrument: Instrument = serde_json::from_str(&campaign.instrument)
        .map_err(|e| crate::error::AppError::Internal(format!("campaign instrument: {e}")))?;
    let map = parse_map(map, &instrument)?;
    let file_hash = hex::encode(Sha256::digest(bytes));
    let delimiter = crate::spreadsheet::delimiter(&file.text);
    let tab = delimiter == b'\t';
    let (records, read_notes) = crate::spreadsheet::records(&file.text, delimiter);
    let mut report = SurveyImportReport {
        campaign: campaign.name.clone(),
        file_sha256: file_hash.clone(),
        ..Default::default()
    };
    // Lines that could not be read as they are are skipped with the reason; a removed NUL
    // byte is said and the line is read.
    let mut unreadable: std::collections::HashMap<usize, String> = Default::default();
    for note in read_notes.into_iter().chain(file.notes) {
        if note.reason.contains("NUL") {
            report.notes.push(Skipped {
                line: note.line,
                reason: note.reason,
                text: String::new(),
            });
        } else {
            unreadable.entry(note.line).or_insert(note.reason);
        }
    }
    for (line, reason) in &unreadable {
        if !records
            .iter()
            .any(|r| (r.line..=r.last_line).contains(line))
        {
            report.skipped.push(Skipped {
                line: *line,
                reason: reason.clone(),
                text: String::new(),
            });
        }
    }
    let today = now.to_datetime().date_naive().to_string();
    let mut table: Option<Table> = None;
    let mut parsed = Vec::new();
    // Record by record (a quoted answer may run over several lines), each with the number of
    // the line it begins on.
    let mut after = 0;
    for record in &records {
        let line = record.line;
        // The lines between two records are blank (the reader passes them by).
        if table.is_some() {
            for blank in after + 1..line {
                report.skipped.push(Skipped {
                    line: blank,
                    reason: "blank line".into(),
                    text: String::new(),
                });
            }
        }
        after = record.last_line;
        let cells = record.cells.clone();
        let text_line = cells.join(if tab { "\t" } else { "," });
        if let Some(reason) = (record.line..=record.last_line).find_map(|l| unreadable.get(&l)) {
            report.rows_read += 1;
            report.skipped.push(Skipped {
                line,
                reason: reason.clone(),
                text: text_line,
            });
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            if table.is_some() {
                report.skipped.push(Skipped {
                    line,
                    reason: "blank line".into(),
                    text: String::new(),
                });
            }
            continue;
        }
        report.rows_read += 1;
        let filled: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
        if filled.len() == 1
            && instrument
                .sections
                .iter()
                .any(|s| normalise(&s.title) == normalise(filled[0]))
        {
            report.skipped.push(Skipped {
                line,
                reason: "a table's title".into(),
                text: text_line.clone(),
            });
            continue;
        }
        if let Some(t) = header(&cells, &instrument, &map) {
            table = Some(t);
            continue;
        }
        if tab && cells.len() == 1 && cells[0].matches(',').count() >= 2 {
            report.skipped.push(Skipped {
                line,
                reason: "this line is comma-separated in a tab-separated file: re-export it".into(),
                text: cells.join(""),
            });
            continue;
        }
        let Some(t) = &table else {
            if cells.iter().any(|c| !c.trim().is_empty()) {
                report.skipped.push(Skipped {
                    line,
                    reason: "before any header row Triad recognises (name columns with --map)"
                        .into(),
                    text: cells.join("\t"),
                });
            }
            continue;
        };
        let reading = Reading {
            campaign,
            instrument: &instrument,
            file_hash: &file_hash,
            today: &today,
        };
        if let Some(p) = parse_row(&reading, t, &cells, line, &mut report) {
            parsed.push(p);
        }
    }
    if table.is_none() {
        return Err(no_header().into());
    }
    let mut tx = Change::open(db, now).await?;
    for p in &parsed {
        if !store::insert_response(&mut tx, &p.response).await? {
            report.already_present += 1;
            continue;
        }
        report.responses_imported += 1;
        store_answers(&mut tx, &instrument, &p.answers).await?;
    }
    // One entry for the file: anonymous answers name no one, not even by response id.
    let event = triad_domain::audit::AuditEvent::new(
        actor,
        "survey.import",
        triad_domain::audit::Outcome::Ok,
    )
    .record("survey_campaign", &campaign.id)
    .content(&file_hash)
    .source(Some(source.into()))
    .tenant(campaign.district_id.as_deref().and_then(Id::parse), None);
    tx.audit(event);
    tx.commit().await?;
    db.refresh_statistics_after(
        report.responses_imported,
        &["survey_responses", "survey_answers", "survey_codings"],
    )
    .await;
    Ok(report)
}

/// "Header text=question_key" pairs, checked against the instrument.
fn parse_map(map: &[String], instrument: &Instrument) -> Result<Vec<(String, String)>, Invalid> {
    map.iter()
        .map(|m| {
            let (column, key) = m.rsplit_once('=').ok_or_else(|| {
                Invalid::one("map", format!("a mapping is COLUMN=QUESTION, not '{m}'"))
            })?;
            let key = key.trim();
            if instrument.question(key).is_none() {
                let keys: Vec<&str> = instrument
                    .questions
                    .iter()
                    .map(|q| q.key.as_str())
                    .collect();
                return Err(Invalid::one(
                    "map",
                    format!(
                        "the instrument has no question '{key}' (it has {})",
                        keys.join(", ")
                    ),
                ));
            }
            Ok((column.trim().to_string(), key.to_string()))
        })
        .collect()
}
