//! A lenient reader of Python literals as `repr()` prints them (dicts, lists, tuples, strings,
//! numbers, `True`/`False`/`None`), for logs that dump decoded messages that way.
//!
//! Every node keeps the byte offset where it starts, so that problems point at the log's line and
//! column. Reading never fails: what cannot be read is reported, skipped to the next `,` or closing
//! bracket, and reading goes on. Things `repr()` prints that are not literals (`datetime(…)`,
//! `<Foo object at 0x…>`) are kept as opaque text.

/// Nesting deeper than this is not followed (a hostile line cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    Str(String),
    /// A number as written (`12`, `-1.5e3`, `0x1f`).
    Number(String),
    Bool(bool),
    None,
    /// A list, tuple or set.
    List(Vec<PyNode>),
    Dict(Vec<(PyNode, PyNode)>),
    /// A non-literal `repr()` such as `datetime.datetime(2022, 4, 25, 9, 41)`, as written.
    Opaque(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PyNode {
    /// Byte offset of the node's first character in the whole input.
    pub offset: usize,
    pub value: PyValue,
}

impl PyNode {
    /// The value under `key` when this is a dict with a string key of that name.
    pub fn get(&self, key: &str) -> Option<&PyNode> {
        match &self.value {
            PyValue::Dict(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.value, PyValue::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Scalar text: strings as is, numbers as written, booleans and None as XML Schema would.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            PyValue::Str(text) | PyValue::Number(text) | PyValue::Opaque(text) => {
                Some(text.clone())
            }
            PyValue::Bool(value) => Some(value.to_string()),
            PyValue::None => Some(String::new()),
            PyValue::List(_) | PyValue::Dict(_) => None,
        }
    }
}

/// A problem met while reading, at a byte offset of the whole input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyProblem {
    pub offset: usize,
    pub message: String,
}

/// Reads one literal from `text`, whose first byte is at `base` in the whole input. Returns the
/// value (if anything could be read), the problems, and how many bytes of `text` were used.
pub fn parse(text: &[u8], base: usize) -> (Option<PyNode>, Vec<PyProblem>, usize) {
    let mut parser = Parser { bytes: text, pos: 0, base, problems: Vec::new() };
    parser.skip_whitespace();
    let node = parser.value(0);
    parser.skip_whitespace();
    (node, parser.problems, parser.pos)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    problems: Vec<PyProblem>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn problem(&mut self, at: usize, message: impl Into<String>) {
        self.problems.push(PyProblem { offset: self.base + at, message: message.into() });
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<PyNode> {
        self.skip_whitespace();
        let start = self.pos;
        let offset = self.base + start;
        let byte = self.peek()?;
        if depth >= MAX_DEPTH && matches!(byte, b'{' | b'[' | b'(') {
            self.problem(start, format!("nesting deeper than {MAX_DEPTH} levels is skipped"));
            self.skip_balanced();
            return Some(PyNode { offset, value: PyValue::Opaque(self.text_from(start)) });
        }
        let value = match byte {
            b'{' => self.container(b'}', depth, true),
            b'[' => self.container(b']', depth, false),
            b'(' => self.container(b')', depth, false),
            b'\'' | b'"' => PyValue::Str(self.string(false)),
            b'0'..=b'9' | b'-' | b'+' | b'.' => self.number(),
            b'<' => {
                self.skip_balanced();
                PyValue::Opaque(self.text_from(start))
            }
            b if b.is_ascii_alphabetic() || b == b'_' => self.word(),
            _ => {
                self.problem(start, format!("unexpected `{}`", char::from(byte)));
                self.pos += 1;
                return None;
            }
        };
        Some(PyNode { offset, value })
    }

    fn text_from(&self, start: usize) -> String {
        String::from_utf8_lossy(self.bytes.get(start..self.pos).unwrap_or_default()).into_owned()
    }

    /// Dicts (`keyed`), lists, tuples and sets, up to the closing bracket.
    fn container(&mut self, close: u8, depth: usize, keyed: bool) -> PyValue {
        let open_at = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        let mut entries = Vec::new();
        loop {
            self.skip_whitespace();
            match self.peek() {
                None => {
                    self.problem(open_at, format!("`{}` never closed", char::from(close)));
                    break;
                }
                Some(b) if b == close => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.problem(self.pos, "stray `,`");
                    self.pos += 1;
                    continue;
                }
                Some(b'}' | b']' | b')') => {
                    let found = self.pos;
                    self.problem(
                        found,
                        format!("expected `{}`, found `{}`", char::from(close), self.bytes[found]),
                    );
                    self.pos += 1;
                    break;
                }
                Some(_) => {}
            }
            let before = self.pos;
            let Some(first) = self.value(depth + 1) else {
                self.recover();
                if self.peek() == Some(b',') {
                    self.pos += 1;
                }
                continue;
            };
            self.skip_whitespace();
            if keyed && self.peek() == Some(b':') {
                self.pos += 1;
                match self.value(depth + 1) {
                    Some(value) => entries.push((first, value)),
                    None => {
                        // `value` reported what it met, unless the text simply ended.
                        if self.peek().is_none() {
                            self.problem(self.pos, "missing value after `:`");
                        }
                        self.recover();
                    }
                }
            } else if keyed && !entries.is_empty() {
                self.problem(self.pos, "expected `:` after a dict key");
                self.recover();
            } else {
                items.push(first);
            }
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b) if b == close => {}
                None => {}
                Some(_) => {
                    self.problem(self.pos, format!("expected `,` or `{}`", char::from(close)));
                    self.recover();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                }
            }
            if self.pos == before {
                // Nothing consumed: step over one byte so that reading always ends.
                self.pos += 1;
            }
        }
        if keyed && (!entries.is_empty() || items.is_empty()) {
            PyValue::Dict(entries)
        } else {
            PyValue::List(items)
        }
    }

    /// Skips to the next `,` or closing bracket at this level (not consuming the bracket).
    fn recover(&mut self) {
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            match byte {
                b'\'' | b'"' => {
                    self.string(false);
                    continue;
                }
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' if depth == 0 => return,
                b'}' | b']' | b')' => depth -= 1,
                b',' if depth == 0 => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Skips a bracketed or `<…>` stretch, strings inside included.
    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            match byte {
                b'\'' | b'"' => {
                    self.string(false);
                    continue;
                }
                b'{' | b'[' | b'(' | b'<' => depth += 1,
                b'}' | b']' | b')' | b'>' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn number(&mut self) -> PyValue {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
        {
            // A sign only leads, or follows an exponent.
            if matches!(self.peek(), Some(b'+' | b'-'))
                && self.pos > start
                && !matches!(self.bytes.get(self.pos - 1), Some(b'e' | b'E'))
            {
                break;
            }
            self.pos += 1;
        }
        PyValue::Number(self.text_from(start))
    }

    /// `True`, `False`, `None`, string prefixes (`b'…'`, `u'…'`, `r'…'`), or an opaque call.
    fn word(&mut self) -> PyValue {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')) {
            self.pos += 1;
        }
        let word = self.bytes.get(start..self.pos).unwrap_or_default();
        if matches!(self.peek(), Some(b'\'' | b'"'))
            && word.len() <= 2
            && word.iter().all(|b| b"bBuUrR".contains(b))
        {
            let raw = word.iter().any(|b| b"rR".contains(b));
            return PyValue::Str(self.string(raw));
        }
        match word {
            b"True" => PyValue::Bool(true),
            b"False" => PyValue::Bool(false),
            b"None" => PyValue::None,
            _ => {
                if self.peek() == Some(b'(') {
                    self.skip_balanced();
                }
                PyValue::Opaque(self.text_from(start))
            }
        }
    }

    /// A quoted string at `pos` (the quote), escapes undone unless `raw`.
    fn string(&mut self, raw: bool) -> String {
        let open_at = self.pos;
        let Some(quote) = self.peek() else { return String::new() };
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                self.problem(open_at, "string never closed");
                break;
            };
            self.pos += 1;
            if byte == quote {
                break;
            }
            if byte != b'\\' {
                out.push(byte);
                continue;
            }
            let Some(escaped) = self.peek() else {
                out.push(b'\\');
                continue;
            };
            self.pos += 1;
            if raw {
                out.extend_from_slice(&[b'\\', escaped]);
                continue;
            }
            match escaped {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'a' => out.push(0x07),
                b'b' => out.push(0x08),
                b'f' => out.push(0x0c),
                b'v' => out.push(0x0b),
                b'\n' => {}
                b'0'..=b'7' => {
                    let mut value = u32::from(escaped - b'0');
                    for _ in 0..2 {
                        match self.peek() {
                            Some(d @ b'0'..=b'7') => {
                                value = value * 8 + u32::from(d - b'0');
                                self.pos += 1;
                            }
                            _ => break,
                        }
                    }
                    push_char(&mut out, value);
                }
                b'x' | b'u' | b'U' => {
                    let digits = match escaped {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = self.bytes.get(self.pos..self.pos + digits);
                    let value = hex
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u32::from_str_radix(h, 16).ok());
                    match value {
                        Some(value) => {
                            self.pos += digits;
                            push_char(&mut out, value);
                        }
                        None => {
                            self.problem(self.pos - 2, "bad `\\x`/`\\u` escape");
                            out.extend_from_slice(&[b'\\', escaped]);
                        }
                    }
                }
                other => {
                    // `\\`, `\'`, `\"` give the character; unknown escapes stay as written.
                    if !matches!(other, b'\\' | b'\'' | b'"') {
                        out.push(b'\\');
                    }
                    out.push(other);
                }
            }
        }
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

fn push_char(out: &mut Vec<u8>, code: u32) {
    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buffer = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (PyNode, Vec<PyProblem>) {
        let (node, problems, _) = parse(text.as_bytes(), 100);
        (node.unwrap(), problems)
    }

    #[test]
    fn reads_what_repr_prints() {
        let (node, problems) = read(
            r#"{'a': 'it\'s', "b": "say \"hi\"\n", 'n': [1, -2.5e-3, 0x1f], 't': (True, False, None), 'e': {}}"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(node.offset, 100);
        assert_eq!(node.get("a").unwrap().value, PyValue::Str("it's".into()));
        assert_eq!(node.get("b").unwrap().value, PyValue::Str("say \"hi\"\n".into()));
        let PyValue::List(numbers) = &node.get("n").unwrap().value else { panic!() };
        let numbers: Vec<_> = numbers.iter().map(|n| n.scalar_text().unwrap()).collect();
        assert_eq!(numbers, ["1", "-2.5e-3", "0x1f"]);
        let PyValue::List(flags) = &node.get("t").unwrap().value else { panic!() };
        assert_eq!(flags[2].value, PyValue::None);
        assert_eq!(node.get("e").unwrap().value, PyValue::Dict(Vec::new()));
    }

    #[test]
    fn escapes_and_prefixes() {
        let (node, _) = read(r"['\x41\u00e9\U0001F600\101\\', b'raw', r'\d']");
        let PyValue::List(items) = node.value else { panic!() };
        assert_eq!(items[0].value, PyValue::Str("Aé😀A\\".into()));
        assert_eq!(items[1].value, PyValue::Str("raw".into()));
        assert_eq!(items[2].value, PyValue::Str("\\d".into()));
    }

    #[test]
    fn non_literals_are_kept_as_text() {
        let (node, problems) =
            read("{'t': datetime.datetime(2022, 4, 25, 9, 41), 'o': <Foo object at 0x7f>}");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            node.get("t").unwrap().value,
            PyValue::Opaque("datetime.datetime(2022, 4, 25, 9, 41)".into())
        );
        assert_eq!(node.get("o").unwrap().value, PyValue::Opaque("<Foo object at 0x7f>".into()));
    }

    #[test]
    fn broken_input_is_reported_with_offsets_and_reading_goes_on() {
        let (node, problems) = read("{'a': 'x' 'junk', 'b': @, 'c': '1'");
        assert_eq!(node.get("a").unwrap().value, PyValue::Str("x".into()));
        assert_eq!(node.get("c").unwrap().value, PyValue::Str("1".into()));
        let offsets: Vec<usize> = problems.iter().map(|p| p.offset).collect();
        // `,` expected at 10, `@` at 23, the dict opened at 0 never closed.
        assert_eq!(offsets, [110, 123, 100], "{problems:?}");
    }

    #[test]
    fn deep_nesting_is_cut() {
        let text = "[".repeat(10_000);
        let (node, problems, _) = parse(text.as_bytes(), 0);
        assert!(node.is_some());
        assert!(problems.iter().any(|p| p.message.contains("nesting")));
    }
}
