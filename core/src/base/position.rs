//! Where something is in an input: byte offset, 1-based line and column.

use serde::{Deserialize, Serialize};

/// A place in an input text. `line` and `column` are 1-based; `column` counts
/// characters (not bytes) so that editors and browsers agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Position {
    pub offset: usize,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {} (byte {})", self.line, self.column, self.offset)
    }
}

/// Maps byte offsets to line/column. Built once per input, so decoders can keep
/// bare offsets while parsing and only pay for line counting when they report.
#[derive(Debug, Clone)]
pub struct TextIndex<'a> {
    input: &'a [u8],
    line_starts: Vec<usize>,
}

impl<'a> TextIndex<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts
            .extend(input.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i + 1));
        Self { input, line_starts }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.input.len());
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let prefix = self.input.get(line_start..offset).unwrap_or_default();
        let column = characters(prefix);
        Position {
            offset,
            line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

/// The characters in a piece of text, an invalid UTF-8 sequence counting as the one
/// replacement character a lossy reading puts for it. Valid text (the usual case) is counted
/// without copying it: one line of a hostile body can be tens of megabytes.
pub(crate) fn characters(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.chars().count(),
        Err(_) => String::from_utf8_lossy(bytes).chars().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let text = "ab\ncé\nxyz".as_bytes();
        let index = TextIndex::new(text);
        assert_eq!(index.position(0), Position { offset: 0, line: 1, column: 1 });
        assert_eq!(index.position(3), Position { offset: 3, line: 2, column: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(index.position(6), Position { offset: 6, line: 2, column: 3 });
        assert_eq!(index.position(8).line, 3);
        assert_eq!(index.position(999).offset, text.len());
    }
}
