//! Parameter paths: `Device.Services.VoiceService.1.VoiceProfile.{i}.Line.[primary].Enable`.
//!
//! A path is a dot-separated list of segments. A segment is a name
//! (`VoiceProfile`), an instance number (`1`), an alias instance (`[primary]`,
//! TR-069 alias-based addressing) or the schema placeholder `{i}`. A path that
//! ends with `.` is partial: it names an object (or the whole tree when empty),
//! otherwise it names a parameter.
//!
//! Parsing is strict about syntax because a path is an address: a wrong
//! address must not silently become a different one. Every error carries the
//! character offset where the problem is, so a UI can point at it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One segment of a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Segment {
    /// An object or parameter name.
    Name(String),
    /// A concrete instance number of a multi-instance object.
    Instance(u32),
    /// An instance addressed by its `Alias` value (`[alias]`).
    Alias(String),
    /// The schema's `{i}` placeholder: any instance.
    Placeholder,
}

impl Segment {
    /// Whether this segment selects an instance (number, alias or placeholder).
    pub fn is_instance(&self) -> bool {
        !matches!(self, Segment::Name(_))
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Name(name) => f.write_str(name),
            Segment::Instance(number) => write!(f, "{number}"),
            Segment::Alias(alias) => write!(f, "[{alias}]"),
            Segment::Placeholder => f.write_str("{i}"),
        }
    }
}

/// A parsed parameter or object path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Path {
    pub segments: Vec<Segment>,
    /// Ends with `.`: names an object (or, when empty, the whole tree).
    pub partial: bool,
}

/// What is wrong with a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PathErrorKind {
    #[error("empty segment (two dots in a row, or a leading dot)")]
    EmptySegment,
    #[error("unexpected character {0:?}")]
    UnexpectedCharacter(char),
    #[error("a name must start with a letter or `_`, not {0:?}")]
    BadNameStart(char),
    #[error("instance number {0} does not fit in 32 bits")]
    InstanceTooLarge(String),
    #[error("alias instance `[` is not closed by `]`")]
    UnclosedAlias,
    #[error("alias instance `[]` is empty")]
    EmptyAlias,
    #[error("`{{` starts a placeholder, which must be exactly `{{i}}`")]
    BadPlaceholder,
    #[error("an instance segment must be followed by `.` or the end of the path")]
    TrailingAfterInstance,
    #[error("instance number {0} has a leading zero (it would name instance {1})")]
    LeadingZero(String, u32),
}

/// A path that could not be parsed, with the character offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{path:?}, character {offset}: {kind}")]
pub struct PathError {
    pub path: String,
    /// 0-based character (not byte) offset into the path.
    pub offset: usize,
    pub kind: PathErrorKind,
}

impl Path {
    /// The empty partial path: the whole tree (what `GetParameterNames("")` asks for).
    pub fn root() -> Self {
        Path { segments: Vec::new(), partial: true }
    }

    /// Parses a full or partial path.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let fail =
            |offset: usize, kind: PathErrorKind| PathError { path: text.to_string(), offset, kind };
        if text.is_empty() {
            return Ok(Path::root());
        }
        let chars: Vec<char> = text.chars().collect();
        // A path has at most one segment per two characters; capping the
        // reservation keeps a hostile input from asking for a huge allocation.
        let mut segments = Vec::with_capacity(chars.len().min(64) / 2 + 1);
        let mut index = 0;
        loop {
            let start = index;
            let first = match chars.get(index) {
                Some(&c) => c,
                None => return Err(fail(index, PathErrorKind::EmptySegment)),
            };
            let segment = match first {
                '.' => return Err(fail(index, PathErrorKind::EmptySegment)),
                '0'..='9' => {
                    while chars.get(index).is_some_and(char::is_ascii_digit) {
                        index += 1;
                    }
                    // `8021pMark` (seen in a real TP-Link dump) is a name that
                    // starts with a digit, not an instance followed by junk.
                    if chars.get(index).is_some_and(|c| c.is_ascii_alphabetic() || *c == '_') {
                        return Err(fail(start, PathErrorKind::BadNameStart(first)));
                    }
                    let digits: String = chars[start..index].iter().collect();
                    match digits.parse::<u32>() {
                        // `01` and `1` would print the same; keeping the text
                        // as written matters more than accepting it.
                        Ok(number) if digits.len() > 1 && digits.starts_with('0') => {
                            return Err(fail(start, PathErrorKind::LeadingZero(digits, number)));
                        }
                        Ok(number) => Segment::Instance(number),
                        Err(_) => return Err(fail(start, PathErrorKind::InstanceTooLarge(digits))),
                    }
                }
                '[' => {
                    index += 1;
                    let alias_start = index;
                    while chars.get(index).is_some_and(|&c| c != ']' && c != '.') {
                        index += 1;
                    }
                    if chars.get(index) != Some(&']') {
                        return Err(fail(start, PathErrorKind::UnclosedAlias));
                    }
                    if index == alias_start {
                        return Err(fail(start, PathErrorKind::EmptyAlias));
                    }
                    let alias: String = chars[alias_start..index].iter().collect();
                    index += 1;
                    Segment::Alias(alias)
                }
                '{' => {
                    if chars.get(index..index + 3) != Some(&['{', 'i', '}']) {
                        return Err(fail(start, PathErrorKind::BadPlaceholder));
                    }
                    index += 3;
                    Segment::Placeholder
                }
                c if c.is_ascii_alphabetic() || c == '_' => {
                    while chars
                        .get(index)
                        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        index += 1;
                    }
                    Segment::Name(chars[start..index].iter().collect())
                }
                c if c.is_alphanumeric() => {
                    return Err(fail(start, PathErrorKind::BadNameStart(c)));
                }
                c => return Err(fail(start, PathErrorKind::UnexpectedCharacter(c))),
            };
            let is_instance = segment.is_instance();
            segments.push(segment);
            match chars.get(index) {
                None => return Ok(Path { segments, partial: false }),
                Some('.') => {
                    index += 1;
                    if index == chars.len() {
                        return Ok(Path { segments, partial: true });
                    }
                }
                Some(_) if is_instance => {
                    return Err(fail(index, PathErrorKind::TrailingAfterInstance));
                }
                Some(&c) => return Err(fail(index, PathErrorKind::UnexpectedCharacter(c))),
            }
        }
    }

    /// The schema form: every instance (number or alias) becomes `{i}`.
    pub fn generic(&self) -> Path {
        Path {
            segments: self
                .segments
                .iter()
                .map(|s| if s.is_instance() { Segment::Placeholder } else { s.clone() })
                .collect(),
            partial: self.partial,
        }
    }

    /// Whether any segment is an instance number or alias (not a placeholder).
    pub fn is_concrete_instance(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Instance(_) | Segment::Alias(_)))
    }

    /// The last segment's name, when the path names a parameter.
    pub fn leaf_name(&self) -> Option<&str> {
        match (self.partial, self.segments.last()) {
            (false, Some(Segment::Name(name))) => Some(name),
            _ => None,
        }
    }

    /// The object this path lives in: for a parameter its object, for an
    /// object its parent (`A.B.3.` → `A.B.`, `A.B.` → `A.`).
    pub fn parent(&self) -> Option<Path> {
        if self.segments.is_empty() {
            return None;
        }
        let mut segments = self.segments.clone();
        segments.pop();
        Some(Path { segments, partial: true })
    }

    /// Whether `self` lies at or under the partial path `prefix`.
    pub fn starts_with(&self, prefix: &Path) -> bool {
        prefix.partial && self.segments.starts_with(&prefix.segments)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{segment}")?;
        }
        if self.partial && !self.segments.is_empty() {
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Path {
    type Err = PathError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Path::parse(text)
    }
}

/// The schema form of a path given as text, without keeping the parse:
/// `Device.WiFi.Radio.1.Enable` → `Device.WiFi.Radio.{i}.Enable`.
pub fn generic_path(text: &str) -> Result<String, PathError> {
    Ok(Path::parse(text)?.generic().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_partial_and_instances() {
        let path =
            Path::parse("Device.Services.VoiceService.1.VoiceProfile.{i}.Line.[main].").unwrap();
        assert!(path.partial);
        assert_eq!(path.segments.len(), 8);
        assert_eq!(path.segments[3], Segment::Instance(1));
        assert_eq!(path.segments[5], Segment::Placeholder);
        assert_eq!(path.segments[7], Segment::Alias("main".into()));
        assert_eq!(
            path.to_string(),
            "Device.Services.VoiceService.1.VoiceProfile.{i}.Line.[main]."
        );
        assert_eq!(
            path.generic().to_string(),
            "Device.Services.VoiceService.{i}.VoiceProfile.{i}.Line.{i}."
        );
        let leaf = Path::parse("Device.DeviceInfo.X_Vendor-Name").unwrap();
        assert!(!leaf.partial);
        assert_eq!(leaf.leaf_name(), Some("X_Vendor-Name"));
        assert_eq!(Path::parse("").unwrap(), Path::root());
    }

    #[test]
    fn errors_point_at_the_character() {
        let error = Path::parse("Device..Foo").unwrap_err();
        assert_eq!((error.offset, error.kind), (7, PathErrorKind::EmptySegment));
        let error = Path::parse("Device.Wi Fi").unwrap_err();
        assert_eq!((error.offset, error.kind), (9, PathErrorKind::UnexpectedCharacter(' ')));
        let error = Path::parse("Device.1x").unwrap_err();
        assert_eq!((error.offset, error.kind), (7, PathErrorKind::BadNameStart('1')));
        let error = Path::parse("Device.1-x").unwrap_err();
        assert_eq!((error.offset, error.kind), (8, PathErrorKind::TrailingAfterInstance));
        let error = Path::parse("Device.[abc").unwrap_err();
        assert_eq!((error.offset, error.kind), (7, PathErrorKind::UnclosedAlias));
        let error = Path::parse("Device.{j}.").unwrap_err();
        assert_eq!((error.offset, error.kind), (7, PathErrorKind::BadPlaceholder));
        let error = Path::parse("Device.99999999999.").unwrap_err();
        assert_eq!(error.offset, 7);
        let error = Path::parse("Gerät.Größe").unwrap_err();
        assert_eq!((error.offset, error.kind), (3, PathErrorKind::UnexpectedCharacter('ä')));
        let error = Path::parse(".Device").unwrap_err();
        assert_eq!(error.offset, 0);
        // Fuzzer find: `0000` parsed as instance 0 and printed back as `0`.
        let error = Path::parse("Device.X.0000").unwrap_err();
        assert_eq!((error.offset, error.kind), (9, PathErrorKind::LeadingZero("0000".into(), 0)));
        assert_eq!(Path::parse("Device.X.0").unwrap().segments[2], Segment::Instance(0));
    }

    #[test]
    fn parent_and_prefix() {
        let path = Path::parse("A.B.3.C").unwrap();
        assert_eq!(path.parent().unwrap().to_string(), "A.B.3.");
        let object = Path::parse("A.B.3.").unwrap();
        assert_eq!(object.parent().unwrap().to_string(), "A.B.");
        assert!(path.starts_with(&object));
        assert!(!object.starts_with(&path));
    }
}
