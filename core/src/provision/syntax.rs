//! The Aastra config syntax, read and written losslessly.
//!
//! A file is a list of lines; each keeps its exact text and line ending so an
//! unchanged file writes back byte for byte. Entries (`key: value`) are also
//! parsed into their parts. Reading never fails: anything that is not an entry,
//! a comment, a blank line or a `[Section]` header is kept as an unparsed line
//! and reported as a diagnostic.

use super::diagnostic::config_diagnostic;
use crate::base::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};

/// How the file's bytes map to text. Files that are valid UTF-8 are read as
/// UTF-8; anything else as Latin-1 (ISO-8859-1), which every byte sequence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Encoding {
    #[default]
    Utf8,
    Latin1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineEnding {
    Lf,
    CrLf,
    /// The last line of a file without a final newline.
    None,
}

impl LineEnding {
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::None => "",
        }
    }
}

/// A `!` before a key locks it against local change; a `^` resets it to its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prefix {
    Lock,
    Reset,
}

impl Prefix {
    pub fn as_char(self) -> char {
        match self {
            Prefix::Lock => '!',
            Prefix::Reset => '^',
        }
    }
}

/// One `key: value` line, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub prefix: Option<Prefix>,
    /// The key as written (case and inner spacing kept).
    pub key: String,
    /// The key as the phone compares it: lower case, single spaces.
    pub normalized_key: String,
    /// The value without quotes and without a trailing comment.
    pub value: String,
    pub quoted: bool,
    /// A `#` comment after the value (`live dialpad: 1 #enabled`), without the `#`.
    pub trailing_comment: Option<String>,
    /// 1-based character columns of the key and the value, for diagnostics.
    pub key_column: u32,
    pub value_column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    Blank,
    Comment,
    /// `[Aastra57i]` in `.prf` profiles: the entries below apply to that model.
    Section(String),
    Entry(Entry),
    /// Not understood (a template directive such as `{line_loop}`, XML, a line without `:`).
    Unparsed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// 1-based line number in the file as read.
    pub number: u32,
    /// The line's text without its ending.
    pub text: String,
    pub ending: LineEnding,
    pub kind: LineKind,
    /// The `[Section]` the line belongs to, if any.
    pub section: Option<String>,
}

impl Line {
    pub fn entry(&self) -> Option<&Entry> {
        match &self.kind {
            LineKind::Entry(entry) => Some(entry),
            _ => None,
        }
    }
}

/// A parsed config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFile {
    pub encoding: Encoding,
    /// Whether the file started with a UTF-8 byte order mark (kept on writing).
    pub bom: bool,
    pub lines: Vec<Line>,
}

/// The result of reading: the file (always) and what looked wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    pub file: ConfigFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a file cannot be written in its encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("line {line}: `{character}` cannot be written in Latin-1")]
    NotLatin1 { line: u32, character: char },
    #[error("`{key}: {value}` cannot be written as one config line")]
    Unrepresentable { key: String, value: String },
    #[error("line {line}: a line's text may not contain a line break")]
    LineBreakInText { line: u32 },
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a config file from its bytes. Never fails.
pub fn parse(bytes: &[u8]) -> Parsed {
    let (bom, encoding, text) = decode_text(bytes);
    let mut diagnostics = Vec::new();
    let mut lines = Vec::new();
    let mut section: Option<String> = None;
    let mut rest = text.as_str();
    let mut number: u32 = 0;
    while !rest.is_empty() {
        number = number.saturating_add(1);
        let (raw, ending, next) = match rest.find('\n') {
            Some(at) => {
                let (line, after) = rest.split_at(at);
                let after = after.get(1..).unwrap_or_default();
                match line.strip_suffix('\r') {
                    Some(stripped) => (stripped, LineEnding::CrLf, after),
                    None => (line, LineEnding::Lf, after),
                }
            }
            None => (rest, LineEnding::None, ""),
        };
        rest = next;
        let kind = classify(raw, number, &mut diagnostics);
        if let LineKind::Section(name) = &kind {
            section = Some(name.clone());
        }
        lines.push(Line { number, text: raw.to_owned(), ending, kind, section: section.clone() });
    }
    let first_text = lines.iter().find(|l| l.kind != LineKind::Blank).map(|l| l.text.trim_start());
    if first_text.is_some_and(|t| t.starts_with("<?xml") || t.starts_with('<')) {
        diagnostics.insert(
            0,
            config_diagnostic(
                Severity::Warning,
                "xml-file",
                0,
                0,
                "this is XML (e.g. a Mitel 53xx config), not the Aastra `key: value` syntax"
                    .to_owned(),
            ),
        );
    }
    Parsed { file: ConfigFile { encoding, bom, lines }, diagnostics }
}

/// Bytes as text: UTF-8 when valid, Latin-1 otherwise; a UTF-8 byte order mark is dropped.
fn decode_text(bytes: &[u8]) -> (bool, Encoding, String) {
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(text) => (bom, Encoding::Utf8, text.to_owned()),
        Err(_) => (bom, Encoding::Latin1, body.iter().map(|&byte| char::from(byte)).collect()),
    }
}

/// Bytes (a template, a CSV) as text, decoded the way config files are.
pub fn parse_text(bytes: &[u8]) -> String {
    decode_text(bytes).2
}

/// 1-based character column at `byte_offset`, a subslice of `line`.
fn column_of(line: &str, byte_offset: usize) -> u32 {
    let prefix = line.get(..byte_offset).unwrap_or(line);
    u32::try_from(prefix.chars().count() + 1).unwrap_or(u32::MAX)
}

/// Lower case with single spaces: how the phone matches keys.
pub fn normalize_key(key: &str) -> String {
    // Most keys are written the way the phone compares them; copying those is
    // one allocation where the general path takes three (bulk generation
    // normalises every key of every file).
    let already_normal = !key.starts_with(' ')
        && !key.ends_with(' ')
        && !key.contains("  ")
        && key.bytes().all(|b| {
            b.is_ascii() && !b.is_ascii_uppercase() && (b == b' ' || !b.is_ascii_whitespace())
        });
    if already_normal {
        return key.to_owned();
    }
    key.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn classify(raw: &str, number: u32, diagnostics: &mut Vec<Diagnostic>) -> LineKind {
    let trimmed = raw.trim_start();
    if trimmed.trim_end().is_empty() {
        return LineKind::Blank;
    }
    if trimmed.starts_with('#') {
        return LineKind::Comment;
    }
    let indent = raw.len() - trimmed.len();
    if let Some(inner) = trimmed.trim_end().strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return LineKind::Section(inner.trim().to_owned());
    }
    let (prefix, after_prefix, prefix_len) = match trimmed.chars().next() {
        Some('!') => (Some(Prefix::Lock), &trimmed[1..], 1),
        Some('^') => (Some(Prefix::Reset), &trimmed[1..], 1),
        _ => (None, trimmed, 0),
    };
    let Some(colon) = after_prefix.find(':') else {
        // Template directives (`{line_loop}`) and markup are expected in the
        // generator templates and XML configs users open; they are noted, not warned about.
        let (severity, message) = if trimmed.starts_with('{') || trimmed.starts_with('<') {
            (
                Severity::Info,
                "not a `key: value` line (a template directive or markup); kept as is".to_owned(),
            )
        } else {
            (
                Severity::Warning,
                format!("expected `key: value`, got `{}`", shorten(trimmed.trim_end())),
            )
        };
        diagnostics.push(config_diagnostic(
            severity,
            "unparsed-line",
            number,
            column_of(raw, indent),
            message,
        ));
        return LineKind::Unparsed;
    };
    let key_raw = &after_prefix[..colon];
    let key_start_in_prefix = key_raw.len() - key_raw.trim_start().len();
    let key = key_raw.trim();
    let key_offset = indent + prefix_len + key_start_in_prefix;
    if key.is_empty() {
        diagnostics.push(config_diagnostic(
            Severity::Warning,
            "empty-key",
            number,
            column_of(raw, key_offset),
            "a value without a key".to_owned(),
        ));
        return LineKind::Unparsed;
    }
    let normalized_key = normalize_key(key);
    if key.split(' ').any(str::is_empty) || key.contains('\t') {
        diagnostics.push(config_diagnostic(
            Severity::Info,
            "key-spacing",
            number,
            column_of(raw, key_offset),
            format!("`{key}` has irregular spacing; the phone reads it as `{normalized_key}`"),
        ));
    }
    let value_area_offset = indent + prefix_len + colon + 1;
    let value_area = &after_prefix[colon + 1..];
    let value_lead = value_area.len() - value_area.trim_start().len();
    let value_offset = value_area_offset + value_lead;
    let value_text = value_area.trim_start();
    let (value, quoted, trailing_comment) =
        split_value(value_text, raw, value_offset, number, diagnostics);
    LineKind::Entry(Entry {
        prefix,
        key: key.to_owned(),
        normalized_key,
        value,
        quoted,
        trailing_comment,
        key_column: column_of(raw, key_offset),
        value_column: column_of(raw, value_offset),
    })
}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

/// Splits what follows the colon into the value, whether it was quoted, and a
/// trailing comment. A `#` starts a comment only after whitespace, so values
/// such as `**` prefixes or URLs with fragments stay whole.
fn split_value(
    text: &str,
    raw: &str,
    offset: usize,
    number: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> (String, bool, Option<String>) {
    if let Some(inner) = text.strip_prefix('"') {
        // The closing quote is the first `"` followed only by blanks or a
        // comment, so values may contain quotes (`"say "hi" now"`).
        let acceptable = inner.match_indices('"').map(|(at, _)| at).find(|&at| {
            let after = inner[at + 1..].trim();
            after.is_empty() || after.starts_with('#')
        });
        if let Some(close) = acceptable.or_else(|| inner.find('"')) {
            let value = &inner[..close];
            let after = &inner[close + 1..];
            let after_trimmed = after.trim();
            if after_trimmed.is_empty() {
                return (value.to_owned(), true, None);
            }
            if let Some(comment) = after_trimmed.strip_prefix('#') {
                return (value.to_owned(), true, Some(comment.to_owned()));
            }
            diagnostics.push(config_diagnostic(
                Severity::Warning,
                "text-after-quote",
                number,
                column_of(raw, offset + 1 + close + 1),
                format!(
                    "text `{}` after the closing quote is ignored by the phone",
                    shorten(after_trimmed)
                ),
            ));
            return (value.to_owned(), true, None);
        }
        diagnostics.push(config_diagnostic(
            Severity::Warning,
            "unterminated-quote",
            number,
            column_of(raw, offset),
            "the opening `\"` has no closing quote; the rest of the line is the value".to_owned(),
        ));
        return (inner.trim_end().to_owned(), true, None);
    }
    let mut previous_is_space = false;
    for (at, character) in text.char_indices() {
        if character == '#' && previous_is_space {
            let value = text[..at].trim_end();
            return (value.to_owned(), false, Some(text[at + 1..].to_owned()));
        }
        previous_is_space = character.is_whitespace();
    }
    (text.trim_end().to_owned(), false, None)
}

/// Formats an entry as a fresh line: `key: value`, quoting only when needed,
/// then an optional `#` comment. Strict: the line must read back as exactly
/// this key, value and comment, otherwise it is refused.
pub fn format_entry(
    prefix: Option<Prefix>,
    key: &str,
    value: &str,
    comment: Option<&str>,
) -> Result<String, WriteError> {
    let mut line = String::new();
    if let Some(prefix) = prefix {
        line.push(prefix.as_char());
    }
    line.push_str(key);
    line.push_str(": ");
    if needs_quotes(value) || (value.is_empty() && comment.is_some()) {
        line.push('"');
        line.push_str(value);
        line.push('"');
    } else {
        line.push_str(value);
    }
    if let Some(comment) = comment {
        line.push_str(" #");
        line.push_str(comment);
    }
    let unrepresentable =
        || WriteError::Unrepresentable { key: key.to_owned(), value: value.to_owned() };
    if line.contains(['\n', '\r']) {
        return Err(unrepresentable());
    }
    let mut scratch = Vec::new();
    match classify(&line, 0, &mut scratch) {
        LineKind::Entry(entry)
            if entry.value == value
                && entry.normalized_key == normalize_key(key)
                && entry.prefix == prefix
                && entry.trailing_comment.as_deref() == comment =>
        {
            Ok(line)
        }
        _ => Err(unrepresentable()),
    }
}

/// Values that would otherwise lose leading/trailing blanks, be cut at a
/// ` #` comment, or lose an opening quote.
fn needs_quotes(value: &str) -> bool {
    let mut previous_is_space = false;
    let hash_after_space = value.chars().any(|c| {
        let hit = c == '#' && previous_is_space;
        previous_is_space = c.is_whitespace();
        hit
    });
    hash_after_space || value != value.trim() || value.starts_with('"') || value.starts_with('#')
}

impl ConfigFile {
    /// An empty file that will be written as UTF-8 with LF line endings.
    pub fn new() -> ConfigFile {
        ConfigFile { encoding: Encoding::Utf8, bom: false, lines: Vec::new() }
    }

    /// The line ending most lines use (LF for an empty file), for appended lines.
    pub fn dominant_ending(&self) -> LineEnding {
        let crlf = self.lines.iter().filter(|l| l.ending == LineEnding::CrLf).count();
        let lf = self.lines.iter().filter(|l| l.ending == LineEnding::Lf).count();
        if crlf > lf { LineEnding::CrLf } else { LineEnding::Lf }
    }

    pub fn entries(&self) -> impl Iterator<Item = (&Line, &Entry)> {
        self.lines.iter().filter_map(|line| line.entry().map(|entry| (line, entry)))
    }

    /// The value of the last entry with this key (later lines win on the phone).
    pub fn get(&self, key: &str) -> Option<&str> {
        let wanted = normalize_key(key);
        self.entries()
            .filter(|(_, entry)| entry.normalized_key == wanted)
            .last()
            .map(|(_, entry)| entry.value.as_str())
    }

    /// Sets `key` to `value`: rewrites the last entry with that key in place
    /// (keeping its prefix, spelling and trailing comment) or appends a line.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), WriteError> {
        let wanted = normalize_key(key);
        let found = self
            .lines
            .iter_mut()
            .rev()
            .find(|line| line.entry().is_some_and(|entry| entry.normalized_key == wanted));
        if let Some(line) = found {
            if let LineKind::Entry(entry) = &mut line.kind {
                let text = format_entry(
                    entry.prefix,
                    &entry.key,
                    value,
                    entry.trailing_comment.as_deref(),
                )?;
                let mut scratch = Vec::new();
                line.kind = classify(&text, line.number, &mut scratch);
                line.text = text;
            }
            return Ok(());
        }
        self.push_entry(None, key, value)
    }

    /// Appends `key: value` as a new line.
    pub fn push_entry(
        &mut self,
        prefix: Option<Prefix>,
        key: &str,
        value: &str,
    ) -> Result<(), WriteError> {
        self.push_text(&format_entry(prefix, key, value, None)?);
        Ok(())
    }

    /// Appends a line of text (a comment, a blank line, an entry).
    pub fn push_text(&mut self, text: &str) {
        let ending = self.dominant_ending();
        if let Some(last) = self.lines.last_mut()
            && last.ending == LineEnding::None
        {
            last.ending = ending;
        }
        let number = u32::try_from(self.lines.len() + 1).unwrap_or(u32::MAX);
        let mut scratch = Vec::new();
        let kind = classify(text, number, &mut scratch);
        let section = self.lines.last().and_then(|line| line.section.clone());
        let section = match &kind {
            LineKind::Section(name) => Some(name.clone()),
            _ => section,
        };
        self.lines.push(Line { number, text: text.to_owned(), ending, kind, section });
    }

    /// The file as text (without the byte order mark).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(line.ending.as_str());
        }
        out
    }

    /// The file's bytes in its encoding. Strict: text that the encoding cannot
    /// hold, or a line break inside a line, is an error rather than a guess.
    pub fn to_bytes(&self) -> Result<Vec<u8>, WriteError> {
        let mut out = Vec::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        if self.bom {
            out.extend_from_slice(BOM);
        }
        for line in &self.lines {
            if line.text.contains('\n') {
                return Err(WriteError::LineBreakInText { line: line.number });
            }
            match self.encoding {
                Encoding::Utf8 => out.extend_from_slice(line.text.as_bytes()),
                Encoding::Latin1 => {
                    for character in line.text.chars() {
                        let byte = u8::try_from(u32::from(character))
                            .map_err(|_| WriteError::NotLatin1 { line: line.number, character })?;
                        out.push(byte);
                    }
                }
            }
            out.extend_from_slice(line.ending.as_str().as_bytes());
        }
        Ok(out)
    }
}

impl Default for ConfigFile {
    fn default() -> Self {
        ConfigFile::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalise_the_same_on_the_fast_path() {
        let reference =
            |key: &str| key.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        for key in [
            "sip line1 auth name",
            "Sip Line1 Auth Name",
            "sip  line1",
            " sip",
            "sip ",
            "sip\tline1",
            "sip\u{a0}line1",
            "ÄDMIN password",
            "",
            "x",
        ] {
            assert_eq!(normalize_key(key), reference(key), "{key:?}");
        }
    }

    fn entry(text: &str) -> Entry {
        let parsed = parse(text.as_bytes());
        parsed.file.lines[0].entry().cloned().unwrap()
    }

    #[test]
    fn entries_split_into_prefix_key_value_and_comment() {
        let e = entry("!SIP Line1  Auth Name:1001 # desk");
        assert_eq!(e.prefix, Some(Prefix::Lock));
        assert_eq!(e.normalized_key, "sip line1 auth name");
        assert_eq!(e.value, "1001");
        assert_eq!(e.trailing_comment.as_deref(), Some(" desk"));
        assert_eq!((e.key_column, e.value_column), (2, 23));
    }

    #[test]
    fn quoted_values_keep_spaces_and_hashes() {
        let e = entry("sip dial plan: \"x+# | 9\" #c");
        assert_eq!(e.value, "x+# | 9");
        assert!(e.quoted);
        assert_eq!(e.trailing_comment.as_deref(), Some("c"));
    }

    #[test]
    fn hash_without_space_before_it_is_part_of_the_value() {
        assert_eq!(entry("directed call pickup prefix:**#").value, "**#");
    }

    #[test]
    fn latin1_and_crlf_round_trip() {
        let bytes = b"# caf\xE9\r\nsip line1 display name: Ren\xE9\r\n^admin password: 1\n";
        let parsed = parse(bytes);
        assert_eq!(parsed.file.encoding, Encoding::Latin1);
        assert_eq!(parsed.file.lines[1].entry().unwrap().value, "René");
        assert_eq!(parsed.file.lines[2].entry().unwrap().prefix, Some(Prefix::Reset));
        assert_eq!(parsed.file.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn set_rewrites_in_place_and_appends_with_the_files_ending() {
        let mut file = parse(b"A: 1 #keep\r\nb: 2").file;
        file.set("a", "two words ").unwrap();
        file.set("c", "3").unwrap();
        file.set("b", " say \"hi\" now").unwrap();
        assert_eq!(file.get("b"), Some(" say \"hi\" now"));
        // No escape exists for a quote followed by a comment-like tail inside quotes.
        assert!(file.set("b", "say \"hi\" # there").is_err());
        file.set("b", "2").unwrap();
        assert!(file.set("b", "two\nlines").is_err());
        assert_eq!(file.to_text(), "A: \"two words \" #keep\r\nb: 2\r\nc: 3\r\n");
        assert_eq!(file.get("A"), Some("two words "));
    }

    #[test]
    fn latin1_writer_refuses_characters_it_cannot_hold() {
        let mut file = parse(b"a: \xE9").file;
        file.set("a", "€").unwrap();
        assert_eq!(file.to_bytes(), Err(WriteError::NotLatin1 { line: 1, character: '€' }));
    }
}
