//! The one CSV reader: GenieACS device dumps and provisioning sheets both come through here.
//!
//! RFC 4180 as spreadsheets write it (quotes, doubled quotes, quoted line breaks, CRLF or LF),
//! read by `csv-core`'s state machine. Blank lines are not records. A quote that is never
//! closed swallows the rest of the input; `csv-core` accepts that silently, so the reader feeds
//! one line break at the end: a line break that ends no record was inside quotes.

use csv_core::{ReadFieldResult, ReaderBuilder};

/// One record and the line it starts on (1-based; quoted line breaks make records span lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: u32,
    pub fields: Vec<String>,
}

/// What was read, and where a quoted field was left open, if one was: the records are all
/// there either way, the last one ending with the open field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvRead {
    pub records: Vec<CsvRecord>,
    /// The line of the record whose quoted field is not closed before the end of the input.
    pub unclosed_quote_line: Option<u32>,
}

/// The separator a sheet uses: `;` when its first line has more semicolons than commas (as
/// spreadsheets in many locales write it), otherwise `,`.
pub fn guess_separator(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' }
}

/// Reads every record of `text`, fields split at `separator`.
pub fn read(text: &str, separator: u8) -> CsvRead {
    let mut reader = ReaderBuilder::new().delimiter(separator).build();
    let input = text.as_bytes();
    let mut read = CsvRead::default();
    let mut consumed = 0;
    let mut line: u32 = 1;
    let mut counted_to = 0;
    let mut record_start: Option<usize> = None;
    let mut fields: Vec<String> = Vec::new();
    let mut field: Vec<u8> = Vec::new();
    let mut buffer = [0u8; 4096];
    // At the end of the input the reader is fed one line break before the end itself: it ends
    // the last record, unless a quoted field is still open, which then holds it (removed again).
    let mut line_break_fed = false;
    let mut strip_fed_line_break = false;
    loop {
        let rest = input.get(consumed..).unwrap_or_default();
        if record_start.is_none() {
            // Blank lines between records are skipped; the record starts at the first byte
            // that is not a line break.
            let skipped = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            record_start = Some(consumed + skipped);
        }
        let feeding_line_break = rest.is_empty() && !line_break_fed;
        let chunk: &[u8] = if feeding_line_break { b"\n" } else { rest };
        let (result, read_in, written) = reader.read_field(chunk, &mut buffer);
        if feeding_line_break {
            line_break_fed = true;
        } else {
            consumed += read_in;
        }
        field.extend_from_slice(buffer.get(..written).unwrap_or_default());
        match result {
            // Inside quotes the line break is field text; between records it is a blank line.
            ReadFieldResult::InputEmpty if feeding_line_break && written == 1 => {
                read.unclosed_quote_line =
                    Some(line_at(input, &mut counted_to, &mut line, record_start));
                strip_fed_line_break = true;
            }
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            ReadFieldResult::Field { record_end } => {
                if std::mem::take(&mut strip_fed_line_break) && field.last() == Some(&b'\n') {
                    field.pop();
                }
                fields.push(String::from_utf8_lossy(&field).into_owned());
                field.clear();
                if record_end {
                    let record_line = line_at(input, &mut counted_to, &mut line, record_start);
                    record_start = None;
                    let fields = std::mem::take(&mut fields);
                    if !(fields.len() == 1 && fields.first().is_some_and(String::is_empty)) {
                        read.records.push(CsvRecord { line: record_line, fields });
                    }
                }
            }
            ReadFieldResult::End => break,
        }
    }
    read
}

/// The 1-based line of `offset`, counting line breaks only once across calls (offsets only grow).
fn line_at(input: &[u8], counted_to: &mut usize, line: &mut u32, offset: Option<usize>) -> u32 {
    let offset = offset.unwrap_or(*counted_to).min(input.len());
    if offset > *counted_to {
        let breaks = input.get(*counted_to..offset).unwrap_or_default();
        let count = breaks.iter().filter(|&&b| b == b'\n').count();
        *line = line.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        *counted_to = offset;
    }
    *line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(read: &CsvRead) -> Vec<(u32, Vec<&str>)> {
        read.records
            .iter()
            .map(|r| (r.line, r.fields.iter().map(String::as_str).collect()))
            .collect()
    }

    #[test]
    fn quotes_line_breaks_and_blank_lines() {
        let read = read("a,\"b,\"\"c\"\"\",d\r\n\r\n\"multi\nline\",x\n\nlast,row", b',');
        assert_eq!(
            fields(&read),
            [
                (1, vec!["a", "b,\"c\"", "d"]),
                (3, vec!["multi\nline", "x"]),
                (6, vec!["last", "row"]),
            ]
        );
        assert_eq!(read.unclosed_quote_line, None);
    }

    #[test]
    fn an_unclosed_quote_keeps_the_records_and_says_where() {
        let read = read("h1,h2\nok,1\n\nx,\"open\nstill open", b',');
        assert_eq!(read.unclosed_quote_line, Some(4));
        assert_eq!(fields(&read)[2], (4, vec!["x", "open\nstill open"]));
        assert_eq!(super::read("a,\"closed\"", b',').unclosed_quote_line, None);
    }

    #[test]
    fn semicolon_sheets_and_long_fields() {
        assert_eq!(guess_separator("mac;sip line1 auth name\n1,2"), b';');
        let long = "y".repeat(10_000);
        let read = read(&format!("mac;\"{long}\"\n"), b';');
        assert_eq!(read.records[0].fields[1], long);
        // A quote inside an unquoted field is text.
        assert_eq!(super::read("ab\"c,d\n", b',').records[0].fields, ["ab\"c", "d"]);
    }
}
