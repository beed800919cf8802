//! Reading the spreadsheets people actually export: CSV or tab- or semicolon-separated text,
//! in UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's
//! "Unicode text") or Windows-1252 (office computers), with LF, CRLF or CR-only (old Mac)
//! line endings, quoted cells holding commas, tabs and line breaks. Both importers read files
//! through here, so a file reads the same whichever it is sent to.
//!
//! Nothing is silently changed: the encoding is decided from the whole file (a valid UTF-8
//! file is never read as anything else), and each line where something had to be done (a
//! byte that is not valid in the file's encoding, a NUL byte removed, a quote never closed)
//! is reported with its number.

use triad_domain::Invalid;

/// A file's text, ready to split into records, and what reading it noticed line by line.
#[derive(Debug)]
pub struct Text {
    pub text: String,
    pub encoding: &'static str,
    pub notes: Vec<LineNote>,
}

/// Something a line of the file needs its sender to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineNote {
    pub line: usize,
    pub reason: String,
}

fn refuse(message: &str) -> Invalid {
    Invalid::one("file", message)
}

/// What a file is, when its first bytes say it is not text at all.
fn not_text(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"PK\x03\x04") {
        Some("this is an Excel workbook (or another zip file), not text: in the spreadsheet, choose Save As, then CSV")
    } else if starts(b"\xD0\xCF\x11\xE0") {
        Some("this is an old Excel workbook (.xls), not text: in the spreadsheet, choose Save As, then CSV")
    } else if starts(b"%PDF") {
        Some("this is a PDF, not a spreadsheet export: export the sheet as CSV")
    } else if starts(b"\x89PNG") || starts(b"\xFF\xD8\xFF") || starts(b"GIF8") {
        Some("this is an image, not a spreadsheet export (it holds binary data): export the sheet as CSV")
    } else {
        None
    }
}

/// Reads a file's bytes as text.
pub fn read_text(bytes: &[u8]) -> Result<Text, Invalid> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(refuse(
            "the file is empty: export the sheet again, with its rows",
        ));
    }
    if let Some(message) = not_text(bytes) {
        return Err(refuse(message));
    }
    let (mut text, encoding, mut notes) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, encoding_rs::UTF_16LE, "UTF-16")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, encoding_rs::UTF_16BE, "UTF-16")
    } else {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        eight_bit(body)
    };
    // Control characters other than tab and line breaks are what binary files are made of.
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\0'))
        .count();
    let nul = text.matches('\0').count();
    // A stray NUL or two in a text file is a damaged export, said line by line below; more
    // than one character in a hundred is no text at all.
    let odd = control + nul;
    if odd > 4 && odd * 100 > text.chars().count() {
        return Err(refuse(
            "this is not a CSV or TSV export (it holds binary data); save the sheet as CSV or tab-separated text",
        ));
    }
    if nul > 0 {
        for line in lines_holding(&text, '\0') {
            notes.push(LineNote {
                line,
                reason: "held a NUL byte, removed".into(),
            });
        }
        text = text.replace('\0', "");
    }
    // One line ending: CRLF and lone CR (old Mac exports) become LF. Line numbers are those
    // of this text, which are the file's.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    notes.sort_by_key(|n| n.line);
    Ok(Text {
        text,
        encoding,
        notes,
    })
}

fn utf16(
    body: &[u8],
    encoding: &'static encoding_rs::Encoding,
    name: &'static str,
) -> (String, &'static str, Vec<LineNote>) {
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let text = text.into_owned();
    let notes = if had_errors {
        replaced(
            &text,
            &format!("holds characters that are not valid {name}"),
        )
    } else {
        Vec::new()
    };
    (text, name, notes)
}

/// UTF-8 when the file is UTF-8 (a few bad bytes in a file otherwise full of UTF-8 are
/// reported, not a reason to read the rest another way); Windows-1252 when it has no UTF-8
/// beyond ASCII at all.
fn eight_bit(body: &[u8]) -> (String, &'static str, Vec<LineNote>) {
    if let Ok(text) = std::str::from_utf8(body) {
        return (text.to_string(), "UTF-8", Vec::new());
    }
    let (mut valid_non_ascii, mut invalid) = (0usize, 0usize);
    for chunk in body.utf8_chunks() {
        valid_non_ascii += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    if valid_non_ascii > invalid {
        let text = String::from_utf8_lossy(body).into_owned();
        let notes = replaced(
            &text,
            "holds bytes that are not valid UTF-8 (the rest of the file is)",
        );
        return (text, "UTF-8", notes);
    }
    let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(body);
    let text = text.into_owned();
    let notes = if had_errors {
        replaced(&text, "holds bytes that are not characters in Windows-1252")
    } else {
        Vec::new()
    };
    (text, "Windows-1252", notes)
}

/// A note for each line where decoding put a replacement character.
fn replaced(text: &str, what: &str) -> Vec<LineNote> {
    lines_holding(text, char::REPLACEMENT_CHARACTER)
        .into_iter()
        .map(|line| LineNote {
            line,
            reason: format!("{what}; they show as �"),
        })
        .collect()
}

/// The numbers of the lines (CRLF, LF or CR ended) holding `wanted`.
fn lines_holding(text: &str, wanted: char) -> Vec<usize> {
    let mut found = Vec::new();
    let (mut line, mut previous) = (1, '\0');
    for c in text.chars() {
        if c == wanted && found.last() != Some(&line) {
            found.push(line);
        }
        if c == '\n' && previous != '\r' || c == '\r' {
            line += 1;
        }
        previous = c;
    }
    found
}

/// The delimiter of the text: of comma, tab and semicolon, the one that splits the most of
/// its first lines into the same number of cells (quoted cells are not looked into). Title
/// lines above a table split into nothing and do not count.
pub fn delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for candidate in [b',', b'\t', b';'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| outside_quotes(l, candidate))
            .filter(|n| *n > 0)
            .collect();
        // How many lines agree on the most common count: the table's width.
        let agreeing = counts
            .iter()
            .map(|n| counts.iter().filter(|m| *m == n).count())
            .max()
            .unwrap_or(0);
        if agreeing > best.1 {
            best = (candidate, agreeing);
        }
    }
    best.0
}

fn outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// A record of the file: its cells, and the lines it was read from.
#[derive(Debug, Clone)]
pub struct Record {
    pub line: usize,
    pub last_line: usize,
    pub cells: Vec<String>,
}

impl Record {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }

    /// The cell at `index`, trimmed; empty when the record is short.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", |c| c.trim())
    }
}

/// Splits text into records, quotes honoured (a quoted cell may hold the delimiter and line
/// breaks). A quote never closed swallows the rest of the file into one record: that record
/// is reported, not read.
pub fn records(text: &str, delimiter: u8) -> (Vec<Record>, Vec<LineNote>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let total_lines = text.lines().count().max(1);
    // Lines are counted from byte offsets: the reader's own count skips blank lines.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // A record's position is where the reader began it, before the blank lines it skipped.
    let line_at = |byte: u64| {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        byte += text[byte..].bytes().take_while(|b| *b == b'\n').count();
        line_starts.partition_point(|start| *start <= byte)
    };
    let mut records: Vec<Record> = Vec::new();
    let mut notes = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = line_at(reader.position().byte());
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => records.push(Record {
                line: record.position().map_or(line, |p| line_at(p.byte())),
                last_line: 0,
                cells: record.iter().map(str::to_string).collect(),
            }),
            Err(e) => notes.push(LineNote {
                line,
                reason: format!("could not be read: {e}"),
            }),
        }
    }
    // A record runs over as many lines as its cells hold line breaks (line endings are LF by
    // now); blank lines between records are nobody's.
    for r in &mut records {
        r.last_line = r.line
            + r.cells
                .iter()
                .map(|c| c.matches('\n').count())
                .sum::<usize>();
    }
    if let Some(last) = records.last() {
        // A quote left open runs to the end of the file: the last record then spans lines
        // inside a cell, with an odd number of quotes.
        let spans_lines = last.cells.iter().any(|c| c.contains('\n'));
        if spans_lines && !quotes_balanced(last_record_text(text, last.line)) {
            notes.push(LineNote {
                line: last.line,
                reason: format!(
                    "a quote opened on this line is never closed: lines {}–{} were not read; close the quote (or remove it) and import again",
                    last.line, total_lines
                ),
            });
            records.pop();
        }
    }
    (records, notes)
}

/// The text from line `line` (1-based) to the end.
fn last_record_text(text: &str, line: usize) -> &str {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return &text[offset..];
        }
        offset += l.len();
    }
    ""
}

fn quotes_balanced(text: &str) -> bool {
    text.bytes().filter(|b| *b == b'"').count() % 2 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_of_every_kind_read_the_same() {
        for file in [
            "a,b\n1,2\n3,4\n",
            "a,b\r\n1,2\r\n3,4\r\n",
            "a,b\r1,2\r3,4\r",
        ] {
            let t = read_text(file.as_bytes()).unwrap();
            let (records, notes) = records(&t.text, delimiter(&t.text));
            assert!(notes.is_empty(), "{file:?}");
            let cells: Vec<Vec<String>> = records.into_iter().map(|r| r.cells).collect();
            assert_eq!(
                cells,
                vec![vec!["a", "b"], vec!["1", "2"], vec!["3", "4"]],
                "{file:?}"
            );
        }
    }

    #[test]
    fn one_bad_byte_does_not_make_a_utf8_file_windows_1252() {
        let mut file = "name\nJosé\nZoë\n".as_bytes().to_vec();
        file.extend_from_slice(b"Caf\xe9\n");
        let t = read_text(&file).unwrap();
        assert_eq!(t.encoding, "UTF-8");
        assert!(t.text.contains("José") && t.text.contains("Zoë"));
        assert_eq!(t.notes.iter().map(|n| n.line).collect::<Vec<_>>(), vec![4]);
        // A file with no UTF-8 at all is Windows-1252.
        let t = read_text(b"name\nCaf\xe9\n").unwrap();
        assert_eq!(
            (t.encoding, t.text.as_str()),
            ("Windows-1252", "name\nCafé\n")
        );
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_read() {
        let mut file = vec![0xFF, 0xFE];
        for unit in "a\tb\nJosé\t2\n".encode_utf16() {
            file.extend_from_slice(&unit.to_le_bytes());
        }
        let t = read_text(&file).unwrap();
        assert_eq!(t.encoding, "UTF-16");
        assert_eq!(delimiter(&t.text), b'\t');
        let (records, _) = records(&t.text, b'\t');
        assert_eq!(records[1].cells, vec!["José", "2"]);
    }

    #[test]
    fn a_tab_or_a_line_break_inside_quotes_stays_in_its_cell() {
        let text = "q1,q2,q3\n\"a\tb\",\"first line\nsecond line\",x\n1,2,3\n";
        assert_eq!(delimiter(text), b',');
        let (records, notes) = records(text, b',');
        assert!(notes.is_empty());
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].cells[1], "first line\nsecond line");
        assert_eq!((records[1].line, records[1].last_line), (2, 3));
        assert_eq!(records[2].line, 4);
    }

    #[test]
    fn records_keep_the_numbers_of_their_lines_across_blank_ones() {
        let (records, _) = records("a,b\n\n1,2\n\n\n3,\"x\ny\"\n4,5\n", b',');
        let lines: Vec<(usize, usize)> = records.iter().map(|r| (r.line, r.last_line)).collect();
        assert_eq!(lines, vec![(1, 1), (3, 3), (6, 7), (8, 8)]);
    }

    #[test]
    fn semicolons_are_a_delimiter_too() {
        assert_eq!(
            delimiter("Officer;Campus;Date\nsro;Home;2026-10-01\n"),
            b';'
        );
    }

    #[test]
    fn a_quote_never_closed_is_reported_not_merged_silently() {
        let text = "a,b\n1,\"two\n3,4\n5,6\n";
        let (records, notes) = records(text, b',');
        assert_eq!(records.len(), 1, "only the header is read");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].reason.contains("never closed"), "{notes:?}");
        assert_eq!(notes[0].line, 2);
    }

    #[test]
    fn nul_bytes_are_removed_and_their_lines_named_and_binary_files_refused() {
        let t = read_text(b"a,b\n1,2\x00\n").unwrap();
        assert_eq!(t.text, "a,b\n1,2\n");
        assert_eq!(
            t.notes,
            vec![LineNote {
                line: 2,
                reason: "held a NUL byte, removed".into()
            }]
        );
        assert!(read_text(&[0u8, 1, 2, 3, 0, 0, 9, 0, 0, 1]).is_err());
        assert!(read_text(b"PK\x03\x04rest of a workbook").is_err());
        assert!(read_text(b"   \n").is_err());
    }
}
