//! A message's XML laid out for reading: one element per line, indented by depth, a leaf with
//! its text on one line, each line cut into spans a viewer colours, and every element that spans
//! lines knowing where it closes, so that a viewer can fold it. Lenient: any text gives lines
//! (what is not well-formed is shown as it is), and nothing here panics.

use serde::{Deserialize, Serialize};

/// What a span of a line is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Span {
    /// `<`, `</`, `>`, `/>` and the element name.
    Tag,
    Attribute,
    Value,
    Text,
    /// Comments, processing instructions, declarations and CDATA.
    Other,
}

/// One line of the layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XmlLine {
    pub depth: u32,
    /// For an element that spans lines, the index of the line that closes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<u32>,
    pub spans: Vec<(Span, String)>,
}

/// Lines of a text this long at most; the rest is one last line saying so.
const MAX_LINES: usize = 200_000;

enum Token<'a> {
    Start { name: &'a str, rest: &'a str, empty: bool },
    End { name: &'a str },
    Other(&'a str),
    Text(&'a str),
}

/// The next token at `at`, and where the one after it begins.
fn next_token(text: &str, at: usize) -> (Token<'_>, usize) {
    let rest = &text[at..];
    if !rest.starts_with('<') {
        let end = rest.find('<').map_or(text.len(), |i| at + i);
        return (Token::Text(&text[at..end]), end);
    }
    let closing = |marker: &str| rest.find(marker).map_or(text.len(), |i| at + i + marker.len());
    if rest.starts_with("<!--") {
        let end = closing("-->");
        return (Token::Other(&text[at..end]), end);
    }
    if rest.starts_with("<![CDATA[") {
        let end = closing("]]>");
        return (Token::Other(&text[at..end]), end);
    }
    if rest.starts_with("<?") {
        let end = closing("?>");
        return (Token::Other(&text[at..end]), end);
    }
    // A tag ends at the first `>` outside quotes.
    let mut quote = None;
    let mut end = text.len();
    for (i, c) in rest.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => {
                end = at + i + 1;
                break;
            }
            _ => {}
        }
    }
    let tag = &text[at..end];
    if tag.starts_with("<!") {
        return (Token::Other(tag), end);
    }
    if let Some(inner) = tag.strip_prefix("</") {
        let name = inner.trim_end_matches('>').trim();
        return (Token::End { name }, end);
    }
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let empty = inner.ends_with('/');
    let inner = inner.trim_end_matches('/');
    let name_end = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
    (Token::Start { name: &inner[..name_end], rest: &inner[name_end..], empty }, end)
}

/// `name="value"` pairs (and whatever does not parse, as text) of a start tag.
fn attribute_spans(rest: &str, spans: &mut Vec<(Span, String)>) {
    let mut remaining = rest;
    while !remaining.trim().is_empty() {
        let trimmed = remaining.trim_start();
        let Some(eq) = trimmed.find('=') else {
            spans.push((Span::Attribute, format!(" {}", trimmed.trim())));
            return;
        };
        let name = trimmed[..eq].trim();
        let after = trimmed[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let (value, next) = match quote {
            Some(q) => {
                let close = after[1..].find(q).map_or(after.len(), |i| i + 2);
                (&after[..close], &after[close..])
            }
            None => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        spans.push((Span::Attribute, format!(" {name}=")));
        spans.push((Span::Value, value.to_string()));
        remaining = next;
    }
}

fn start_spans(name: &str, rest: &str, empty: bool) -> Vec<(Span, String)> {
    let mut spans = vec![(Span::Tag, format!("<{name}"))];
    attribute_spans(rest, &mut spans);
    spans.push((Span::Tag, if empty { "/>".into() } else { ">".into() }));
    spans
}

/// The lines of `text` (see the module documentation).
pub fn xml_lines(text: &str) -> Vec<XmlLine> {
    let mut lines: Vec<XmlLine> = Vec::new();
    // Lines of the elements open, innermost last, with their names.
    let mut open: Vec<(usize, &str)> = Vec::new();
    let mut at = 0usize;
    while at < text.len() {
        if lines.len() >= MAX_LINES {
            lines.push(XmlLine {
                depth: 0,
                closes_at: None,
                spans: vec![(Span::Other, format!("… {} more bytes", text.len() - at))],
            });
            break;
        }
        let depth = u32::try_from(open.len()).unwrap_or(u32::MAX);
        let (token, next) = next_token(text, at);
        match token {
            Token::Text(body) => {
                if !body.trim().is_empty() {
                    lines.push(XmlLine {
                        depth,
                        closes_at: None,
                        spans: vec![(Span::Text, body.trim().to_string())],
                    });
                }
            }
            Token::Other(other) => lines.push(XmlLine {
                depth,
                closes_at: None,
                spans: vec![(Span::Other, other.to_string())],
            }),
            Token::Start { name, rest, empty: true } => {
                lines.push(XmlLine { depth, closes_at: None, spans: start_spans(name, rest, true) })
            }
            Token::Start { name, rest, empty: false } => {
                // A leaf: `<a>text</a>` stays on one line.
                let (inner, after) = next_token(text, next);
                let leaf = match inner {
                    Token::Text(body) if !body.contains('<') => match next_token(text, after) {
                        (Token::End { name: closing }, end) if closing == name => Some((body, end)),
                        _ => None,
                    },
                    Token::End { name: closing } if closing == name => Some(("", after)),
                    _ => None,
                };
                if let Some((body, end)) = leaf {
                    let mut spans = start_spans(name, rest, false);
                    if !body.is_empty() {
                        spans.push((Span::Text, body.to_string()));
                    }
                    spans.push((Span::Tag, format!("</{name}>")));
                    lines.push(XmlLine { depth, closes_at: None, spans });
                    at = end;
                    continue;
                }
                open.push((lines.len(), name));
                lines.push(XmlLine {
                    depth,
                    closes_at: None,
                    spans: start_spans(name, rest, false),
                });
            }
            Token::End { name } => {
                // Close up to the matching element; a stray end tag is shown where it stands.
                let matching = open.iter().rposition(|(_, open_name)| *open_name == name);
                let depth = match matching {
                    Some(position) => {
                        let index = u32::try_from(lines.len()).unwrap_or(u32::MAX);
                        for (line, _) in open.drain(position..) {
                            if let Some(opened) = lines.get_mut(line) {
                                opened.closes_at = Some(index);
                            }
                        }
                        u32::try_from(open.len()).unwrap_or(u32::MAX)
                    }
                    None => depth,
                };
                lines.push(XmlLine {
                    depth,
                    closes_at: None,
                    spans: vec![(Span::Tag, format!("</{name}>"))],
                });
            }
        }
        at = next.max(at + 1);
        while !text.is_char_boundary(at.min(text.len())) {
            at += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(line: &XmlLine) -> String {
        line.spans.iter().map(|(_, s)| s.as_str()).collect()
    }

    #[test]
    fn one_element_per_line_leaves_whole_and_folds_known() {
        let lines = xml_lines(
            "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"urn:x\"><soap:Body>\
             <cwmp:Inform><Name a='1'>Device.X</Name><Empty/><!-- note --></cwmp:Inform>\
             </soap:Body></soap:Envelope>",
        );
        let text: Vec<String> = lines
            .iter()
            .map(|l| format!("{}{}", "  ".repeat(l.depth as usize), plain(l)))
            .collect();
        assert_eq!(
            text,
            [
                "<?xml version=\"1.0\"?>",
                "<soap:Envelope xmlns:soap=\"urn:x\">",
                "  <soap:Body>",
                "    <cwmp:Inform>",
                "      <Name a='1'>Device.X</Name>",
                "      <Empty/>",
                "      <!-- note -->",
                "    </cwmp:Inform>",
                "  </soap:Body>",
                "</soap:Envelope>",
            ]
        );
        assert_eq!(lines[1].closes_at, Some(9));
        assert_eq!(lines[3].closes_at, Some(7));
        assert_eq!(lines[4].spans[1], (Span::Attribute, " a=".into()));
        assert_eq!(lines[4].spans[2], (Span::Value, "'1'".into()));
    }

    #[test]
    fn broken_text_still_gives_lines() {
        for text in ["<a><b>x</a>", "</stray><a", "<a attr=\"unterminated>", "é<é>ü", "<<>>", ""]
        {
            let lines = xml_lines(text);
            assert!(lines.iter().all(|l| l.closes_at.is_none_or(|c| (c as usize) < lines.len())));
        }
        // `</a>` closes the unclosed `<b>` with it.
        let lines = xml_lines("<a><b>x</a>");
        assert_eq!(lines.len(), 4);
        assert_eq!((lines[0].closes_at, lines[1].closes_at), (Some(3), Some(3)));
    }
}
