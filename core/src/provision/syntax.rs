//! The Aastra config syntax, read and written losslessly.
//!
//! A file is a list of lines; each keeps its exact text and line ending so an
//! unchanged file writes back byte for byte. Entries (`key: value`) are also
//! parsed into their parts. Reading never fails: anything that is not an entry,
//! a comment, a blank line or a `[Section]` header is kept as an unparsed line
//! and reported as a diagnostic.

use super::diagnostic::{Findings, config_diagnostic};
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

/// Text of a parsed file: a slice of the one copy of the file's text that every line, key and
/// value of the file shares (an `arcstr::Substr`, as the CWMP decoder's values), so a file is held
/// once however many lines it has. Text made by editing is its own copy.
pub type Text = arcstr::Substr;

/// One `key: value` line, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub prefix: Option<Prefix>,
    /// The key as written (case and inner spacing kept).
    pub key: Text,
    /// The key as the phone compares it: lower case, single spaces.
    pub normalized_key: Text,
    /// The value without quotes and without a trailing comment.
    pub value: Text,
    pub quoted: bool,
    /// A `#` comment after the value (`live dialpad: 1 #enabled`), without the `#`.
    pub trailing_comment: Option<Text>,
    /// 1-based character columns of the key and the value, for diagnostics.
    pub key_column: u32,
    pub value_column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    Blank,
    Comment,
    /// `[Aastra57i]` in `.prf` profiles: the entries below apply to that model.
    Section(Text),
    Entry(Entry),
    /// Not understood (a template directive such as `{line_loop}`, XML, a line without `:`).
    Unparsed,
    /// The part of a file past [`ParseLimits::max_lines`], kept as written (line breaks
    /// included) but not read: its entries are neither checked nor applied.
    Unread,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// 1-based line number in the file as read.
    pub number: u32,
    /// The line's text without its ending.
    pub text: Text,
    pub ending: LineEnding,
    pub kind: LineKind,
    /// The `[Section]` the line belongs to, if any.
    pub section: Option<Text>,
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

/// Bounds for reading untrusted config files. A line costs about 150 bytes once read, whatever
/// its length; past the budget the rest of the file is kept as written, unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseLimits {
    /// Lines read into entries (real files have hundreds, profiles a few thousand).
    pub max_lines: usize,
    /// Findings kept per file by the parser, and again by validation; past it one
    /// `findings-dropped` finding counts the rest by code.
    pub max_findings: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { max_lines: 250_000, max_findings: 10_000 }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// `Text` indexes its shared copy with 32 bits: text past this is kept in pieces of its own.
const MAX_SHARED_TEXT: usize = u32::MAX as usize;

/// Reads a config file from its bytes. Never fails.
pub fn parse(bytes: &[u8]) -> Parsed {
    parse_with(bytes, &ParseLimits::default())
}

/// Reads a config file within `limits`. Never fails; the text is copied once and shared by every
/// line, so memory is about the file's size plus a bounded cost per line.
pub fn parse_with(bytes: &[u8], limits: &ParseLimits) -> Parsed {
    let (bom, encoding, text) = decode_text(bytes);
    let mut diagnostics = Findings::new(limits.max_findings);
    let mut line_diagnostics = Vec::new();
    let mut lines = Vec::new();
    let mut section: Option<Text> = None;
    let shared_len = shared_prefix_len(&text);
    let shared = Text::from(arcstr::ArcStr::from(&text[..shared_len]));
    let mut rest = shared.as_str();
    let mut number: u32 = 0;
    while !rest.is_empty() {
        if lines.len() >= limits.max_lines {
            break;
        }
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
        let text = share(&shared, raw);
        let kind = owned(&text, classify(raw, number, &mut line_diagnostics));
        diagnostics.extend(line_diagnostics.drain(..));
        if let LineKind::Section(name) = &kind {
            section = Some(name.clone());
        }
        lines.push(Line { number, text, ending, kind, section: section.clone() });
    }
    let mut diagnostics = diagnostics.into_vec();
    let read_len = shared_len - rest.len();
    if read_len < text.len() {
        let unread_bytes = text.len() - read_len;
        diagnostics.push(config_diagnostic(
            Severity::Warning,
            "lines-not-read",
            number.saturating_add(1),
            1,
            format!(
                "the file has more than {} lines (ParseLimits::max_lines); the {unread_bytes} \
                 bytes from here on are kept as written but not read or checked",
                limits.max_lines
            ),
        ));
        lines.extend(unread_lines(&shared, &text, read_len, number.saturating_add(1), &section));
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

/// How much of `text` one shared copy can index: all of it, or up to the last line break
/// within reach (past 4 GiB, which only a native host can even hold).
fn shared_prefix_len(text: &str) -> usize {
    if fits_shared(text.len()) {
        return text.len();
    }
    let reach = (0..=MAX_SHARED_TEXT).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
    text[..reach].rfind('\n').map_or(0, |at| at + 1)
}

/// The text from `from` on as [`LineKind::Unread`] lines: one slice of the shared copy when it
/// reaches that far, pieces of their own otherwise. Their text and endings write back as read.
fn unread_lines(
    shared: &Text,
    text: &str,
    from: usize,
    number: u32,
    section: &Option<Text>,
) -> Vec<Line> {
    let unread = |text: Text| {
        let (body, ending) = if let Some(body) = text.strip_suffix("\r\n") {
            (text.substr(..body.len()), LineEnding::CrLf)
        } else if let Some(body) = text.strip_suffix('\n') {
            (text.substr(..body.len()), LineEnding::Lf)
        } else {
            (text.clone(), LineEnding::None)
        };
        Line { number, text: body, ending, kind: LineKind::Unread, section: section.clone() }
    };
    if fits_shared(text.len()) {
        return vec![unread(shared.substr(from..))];
    }
    const PIECE: usize = 1 << 30;
    let mut lines = Vec::new();
    let mut at = from;
    while at < text.len() {
        let wanted = (at + PIECE).min(text.len());
        let end =
            (wanted..=text.len()).find(|&end| text.is_char_boundary(end)).unwrap_or(text.len());
        let piece = Text::from(arcstr::ArcStr::from(&text[at..end]));
        // Only the last piece ends a line; the others join without an ending of their own.
        let mut line = unread(piece.clone());
        if end < text.len() {
            line.text = piece;
            line.ending = LineEnding::None;
        }
        lines.push(line);
        at = end;
    }
    lines
}

/// Whether a text this long can be one shared copy (always on 32-bit hosts).
fn fits_shared(len: usize) -> bool {
    u32::try_from(len).is_ok()
}

/// `part`, a slice of `whole`'s text, as a `Text` sharing it.
fn share(whole: &Text, part: &str) -> Text {
    whole.try_substr_from(part).unwrap_or_else(|| Text::from(part))
}

/// Bytes as text: UTF-8 when valid, Latin-1 otherwise; a UTF-8 byte order mark is dropped.
fn decode_text(bytes: &[u8]) -> (bool, Encoding, std::borrow::Cow<'_, str>) {
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(text) => (bom, Encoding::Utf8, std::borrow::Cow::Borrowed(text)),
        Err(_) => (
            bom,
            Encoding::Latin1,
            std::borrow::Cow::Owned(body.iter().map(|&byte| char::from(byte)).collect()),
        ),
    }
}

/// Bytes (a template, a CSV) as text, decoded the way config files are.
pub fn parse_text(bytes: &[u8]) -> String {
    decode_text(bytes).2.into_owned()
}

/// 1-based character column at `byte_offset`, a subslice of `line`.
fn column_of(line: &str, byte_offset: usize) -> u32 {
    let prefix = line.get(..byte_offset).unwrap_or(line);
    u32::try_from(prefix.chars().count() + 1).unwrap_or(u32::MAX)
}

/// Whether a key is written the way the phone compares it already (most are).
fn is_normal_key(key: &str) -> bool {
    !key.starts_with(' ')
        && !key.ends_with(' ')
        && !key.contains("  ")
        && key.bytes().all(|b| {
            b.is_ascii() && !b.is_ascii_uppercase() && (b == b' ' || !b.is_ascii_whitespace())
        })
}

/// Lower case with single spaces: how the phone matches keys.
pub fn normalize_key(key: &str) -> String {
    // Most keys are written the way the phone compares them; copying those is
    // one allocation where the general path takes three (bulk generation
    // normalises every key of every file).
    if is_normal_key(key) {
        return key.to_owned();
    }
    key.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A line taken apart, as slices of its text.
enum RawKind<'a> {
    Blank,
    Comment,
    Section(&'a str),
    Entry(RawEntry<'a>),
    Unparsed,
}

struct RawEntry<'a> {
    prefix: Option<Prefix>,
    key: &'a str,
    /// `None` when the key is normal already.
    normalized_key: Option<String>,
    value: &'a str,
    quoted: bool,
    trailing_comment: Option<&'a str>,
    key_column: u32,
    value_column: u32,
}

impl RawEntry<'_> {
    fn normalized_key(&self) -> &str {
        self.normalized_key.as_deref().unwrap_or(self.key)
    }
}

/// The line's kind with its parts sharing `text`, the line they were read from.
fn owned(text: &Text, kind: RawKind<'_>) -> LineKind {
    match kind {
        RawKind::Blank => LineKind::Blank,
        RawKind::Comment => LineKind::Comment,
        RawKind::Unparsed => LineKind::Unparsed,
        RawKind::Section(name) => LineKind::Section(share(text, name)),
        RawKind::Entry(entry) => LineKind::Entry(Entry {
            prefix: entry.prefix,
            normalized_key: match entry.normalized_key {
                Some(normalized) => Text::from(normalized),
                None => share(text, entry.key),
            },
            key: share(text, entry.key),
            value: share(text, entry.value),
            quoted: entry.quoted,
            trailing_comment: entry.trailing_comment.map(|comment| share(text, comment)),
            key_column: entry.key_column,
            value_column: entry.value_column,
        }),
    }
}

fn classify<'a>(raw: &'a str, number: u32, diagnostics: &mut Vec<Diagnostic>) -> RawKind<'a> {
    let trimmed = raw.trim_start();
    if trimmed.trim_end().is_empty() {
        return RawKind::Blank;
    }
    if trimmed.starts_with('#') {
        return RawKind::Comment;
    }
    let indent = raw.len() - trimmed.len();
    if let Some(inner) = trimmed.trim_end().strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return RawKind::Section(inner.trim());
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
        return RawKind::Unparsed;
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
        return RawKind::Unparsed;
    }
    let normalized_key = (!is_normal_key(key)).then(|| normalize_key(key));
    if key.split(' ').any(str::is_empty) || key.contains('\t') {
        diagnostics.push(config_diagnostic(
            Severity::Info,
            "key-spacing",
            number,
            column_of(raw, key_offset),
            format!(
                "`{key}` has irregular spacing; the phone reads it as `{}`",
                normalized_key.as_deref().unwrap_or(key)
            ),
        ));
    }
    let value_area_offset = indent + prefix_len + colon + 1;
    let value_area = &after_prefix[colon + 1..];
    let value_lead = value_area.len() - value_area.trim_start().len();
    let value_offset = value_area_offset + value_lead;
    let value_text = value_area.trim_start();
    let (value, quoted, trailing_comment) =
        split_value(value_text, raw, value_offset, number, diagnostics);
    RawKind::Entry(RawEntry {
        prefix,
        key,
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
fn split_value<'a>(
    text: &'a str,
    raw: &str,
    offset: usize,
    number: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> (&'a str, bool, Option<&'a str>) {
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
                return (value, true, None);
            }
            if let Some(comment) = after_trimmed.strip_prefix('#') {
                return (value, true, Some(comment));
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
            return (value, true, None);
        }
        diagnostics.push(config_diagnostic(
            Severity::Warning,
            "unterminated-quote",
            number,
            column_of(raw, offset),
            "the opening `\"` has no closing quote; the rest of the line is the value".to_owned(),
        ));
        return (inner.trim_end(), true, None);
    }
    let mut previous_is_space = false;
    for (at, character) in text.char_indices() {
        if character == '#' && previous_is_space {
            let value = text[..at].trim_end();
            return (value, false, Some(&text[at + 1..]));
        }
        previous_is_space = character.is_whitespace();
    }
    (text.trim_end(), false, None)
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
        RawKind::Entry(entry)
            if entry.value == value
                && entry.normalized_key() == normalize_key(key)
                && entry.prefix == prefix
                && entry.trailing_comment == comment =>
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
                let text = Text::from(text);
                let mut scratch = Vec::new();
                line.kind = owned(&text, classify(&text, line.number, &mut scratch));
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
        let text = Text::from(text);
        let mut scratch = Vec::new();
        let kind = owned(&text, classify(&text, number, &mut scratch));
        let section = self.lines.last().and_then(|line| line.section.clone());
        let section = match &kind {
            LineKind::Section(name) => Some(name.clone()),
            _ => section,
        };
        self.lines.push(Line { number, text, ending, kind, section });
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
            if line.text.contains('\n') && line.kind != LineKind::Unread {
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
    fn lines_past_the_budget_are_kept_unread_and_write_back() {
        let bytes = b"a: 1\n[S]\nc: 3\r\nd: 4\n\ne: \xE9";
        let parsed = parse_with(bytes, &ParseLimits { max_lines: 2, ..ParseLimits::default() });
        let file = &parsed.file;
        assert_eq!(file.lines.len(), 3);
        assert_eq!(file.lines[2].kind, LineKind::Unread);
        assert_eq!(file.lines[2].section.as_deref(), Some("S"));
        assert_eq!(file.get("c"), None);
        assert_eq!(file.to_bytes().unwrap(), bytes);
        let finding = &parsed.diagnostics[0];
        assert_eq!((&*finding.code, finding.location.line_number()), ("lines-not-read", Some(3)));
        // Every line's text shares the one copy of the file.
        let shared = file.lines[0].text.parent();
        assert!(file.lines.iter().all(|l| arcstr::ArcStr::ptr_eq(l.text.parent(), shared)));
        let entry = file.lines[0].entry().unwrap();
        assert!(arcstr::ArcStr::ptr_eq(entry.value.parent(), shared));
    }

    #[test]
    fn latin1_writer_refuses_characters_it_cannot_hold() {
        let mut file = parse(b"a: \xE9").file;
        file.set("a", "€").unwrap();
        assert_eq!(file.to_bytes(), Err(WriteError::NotLatin1 { line: 1, character: '€' }));
    }
}
