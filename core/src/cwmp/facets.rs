//! The XSD facets of the BBF CWMP schemas (`cwmp-1-0.xsd` … `cwmp-1-4.xsd`)
//! that the typed model cannot express: string lengths, patterns,
//! enumerations and numeric ranges, per schema version. The encoder checks
//! every value against its element's facets before writing it.
//!
//! Patterns are matched by hand (they are few and simple); XML Schema
//! patterns are anchored, `.` is any character but CR and LF, `\S` any but
//! space, tab, CR and LF, and `\d` any decimal digit (Unicode category Nd)
//! that libxml2's Unicode 4.0 tables know (`is_decimal_digit`).
//! `core/tests/cwmp_xsd_facets.rs` proves these tables against the XSDs.

use super::CwmpVersion;
use crate::base::DateTime;

/// A constraint on one element's value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Facet {
    /// `maxLength`, in characters.
    MaxLength(usize),
    /// `maxLength` of an `xs:anyURI`, whose whiteSpace facet is `collapse`: the
    /// length of the value once runs of space, tab, CR and LF are one space
    /// and none lead or trail.
    UriMaxLength(usize),
    /// `OUI`: six upper-case hexadecimal digits.
    Oui,
    /// `ObjectNameType`: a partial path, ending with a dot.
    ObjectName,
    /// `DeploymentUnitUUID`: 8-4-4-4-12 hexadecimal digits.
    Uuid,
    /// `xs:dateTime`.
    DateTime,
    /// `EventCodeType` (or the inline EventCode patterns of 1.0/1.1).
    EventCode,
    /// A file type: the patterns depend on the element and the version.
    FileType(FileKind),
    /// `TimeWindowModeValueType`.
    WindowMode,
    /// An enumeration of strings.
    OneOf(&'static [&'static str]),
}

/// Which file-type pattern list of CWMP 1.0/1.1 applies (1.2 has one for all).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FileKind {
    Download,
    Upload,
    /// AutonomousTransferComplete and AllQueuedTransferStruct: either direction.
    Transfer,
}

/// A constraint on an integer element.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Range {
    /// An enumeration.
    OneOf(&'static [i64]),
    /// `minInclusive`.
    AtLeast(i64),
    /// `ParameterAttributeNotificationValueType`: 0–2, and 3–6 since the 1-2 namespace.
    Notification,
    /// The union of fault-code types of `cwmp:Fault/FaultCode`.
    Fault,
    /// `SetParameterValuesFault/FaultCode`.
    SetParameterValuesFault,
    /// The FaultStruct of TransferComplete and AutonomousTransferComplete.
    TransferFault,
    /// The fault of a deployment-unit operation result.
    DeploymentUnitFault,
}

/// How often a repeated element may occur: `minOccurs` and `maxOccurs`
/// (`None` when unbounded). Not a facet, but the same kind of promise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occurs {
    pub min: usize,
    pub max: Option<usize>,
}

/// A violated facet, named, and what is wrong with the value.
pub(crate) struct Violation {
    pub facet: String,
    pub problem: String,
}

/// Whether a value fits a facet of its element.
pub(crate) fn check_text(facet: Facet, value: &str, version: CwmpVersion) -> Option<Violation> {
    let fits = match facet {
        Facet::MaxLength(max) => {
            let length = value.chars().count();
            return (length > max).then(|| Violation {
                facet: format!("maxLength {max}"),
                problem: format!("has {length} characters"),
            });
        }
        Facet::UriMaxLength(max) => {
            let length = collapsed_length(value);
            return (length > max).then(|| Violation {
                facet: format!("maxLength {max} of xs:anyURI"),
                problem: format!("has {length} characters once its whitespace is collapsed"),
            });
        }
        Facet::Oui => {
            value.len() == 6 && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
        }
        Facet::ObjectName => value.ends_with('.') && !value.contains(['\r', '\n']),
        Facet::Uuid => is_uuid(value),
        Facet::DateTime => DateTime::is_valid(value),
        Facet::EventCode => event_code(value, version),
        Facet::FileType(kind) => file_type(value, kind, version),
        Facet::WindowMode => numbered_words(value, false) || vendor_words(value, true),
        Facet::OneOf(allowed) => allowed.contains(&value),
    };
    (!fits).then(|| match facet {
        Facet::OneOf(allowed) => Violation {
            facet: format!("enumeration {allowed:?}"),
            problem: "is not in the enumeration".to_owned(),
        },
        _ => Violation {
            facet: format!("pattern of {}", facet_name(facet)),
            problem: "does not match the pattern".to_owned(),
        },
    })
}

/// Whether a number fits the range of its element. The facet is named as the
/// XSD of the version states it: an enumeration, a `minInclusive`, or a union.
pub(crate) fn check_number(range: Range, value: i64, version: CwmpVersion) -> Option<Violation> {
    let v1_0 = version == CwmpVersion::V1_0;
    let fits = match range {
        Range::OneOf(allowed) => allowed.contains(&value),
        Range::AtLeast(min) => value >= min,
        Range::Notification => notification_values(version).contains(&value),
        Range::Fault | Range::SetParameterValuesFault if v1_0 => {
            matches!(value, 9000..=9013 | 9800..=9899 | 8000..=8005 | 8800..=8899)
        }
        Range::SetParameterValuesFault if version == CwmpVersion::V1_2 => {
            (9000..=9899).contains(&value)
        }
        Range::Fault | Range::SetParameterValuesFault => {
            matches!(value, 8000..=8899 | 9000..=9899)
        }
        Range::TransferFault => match version {
            CwmpVersion::V1_0 => TRANSFER_FAULTS_1_0.contains(&value),
            CwmpVersion::V1_1 => matches!(value, 0 | 9001 | 9002 | 9010..=9012 | 9014..=9899),
            CwmpVersion::V1_2 => {
                matches!(value, 0 | 9001 | 9002 | 9010..=9012 | 9014..=9020 | 9033..=9899)
            }
        },
        Range::DeploymentUnitFault => matches!(
            value,
            0 | 9001 | 9003 | 9012 | 9013 | 9015..=9018 | 9022..=9032 | 9033..=9899
        ),
    };
    let facet = match range {
        Range::OneOf(allowed) => format!("enumeration {allowed:?}"),
        Range::AtLeast(min) => format!("minInclusive {min}"),
        Range::Notification => format!("enumeration {:?}", notification_values(version)),
        Range::Fault => format!("union of the fault codes of cwmp:Fault in {version:?}"),
        Range::SetParameterValuesFault => {
            format!("union of the fault codes of SetParameterValuesFault in {version:?}")
        }
        Range::TransferFault if v1_0 => format!("enumeration {TRANSFER_FAULTS_1_0:?}"),
        Range::TransferFault => format!("union of the fault codes of a transfer in {version:?}"),
        Range::DeploymentUnitFault => "union of the fault codes of a deployment unit".to_owned(),
    };
    (!fits).then(|| Violation { facet, problem: "is out of range".to_owned() })
}

/// `ParameterAttributeNotificationValueType`: 3–6 came with the 1-2 namespace.
fn notification_values(version: CwmpVersion) -> &'static [i64] {
    match version {
        CwmpVersion::V1_2 => &[0, 1, 2, 3, 4, 5, 6],
        CwmpVersion::V1_0 | CwmpVersion::V1_1 => &[0, 1, 2],
    }
}

/// The FaultStruct FaultCode of cwmp-1-0.xsd: an enumeration, not yet a union.
const TRANSFER_FAULTS_1_0: &[i64] = &[0, 9001, 9002, 9010, 9011, 9012];

/// Whether a repeated element occurs as often as its schema allows.
pub(crate) fn check_count(occurs: Occurs, count: usize) -> Option<Violation> {
    if count < occurs.min {
        return Some(Violation {
            facet: format!("minOccurs {}", occurs.min),
            problem: "occurrences are too few".to_owned(),
        });
    }
    let max = occurs.max.filter(|&max| count > max)?;
    Some(Violation {
        facet: format!("maxOccurs {max}"),
        problem: "occurrences are too many".to_owned(),
    })
}

fn facet_name(facet: Facet) -> &'static str {
    match facet {
        Facet::Oui => "OUI ([0-9A-F]{6}, length 6)",
        Facet::ObjectName => "ObjectNameType (.*\\.)",
        Facet::Uuid => "DeploymentUnitUUID",
        Facet::DateTime => "xs:dateTime",
        Facet::EventCode => "EventCodeType",
        Facet::FileType(_) => "the file type",
        Facet::WindowMode => "TimeWindowModeValueType",
        Facet::MaxLength(_) | Facet::UriMaxLength(_) | Facet::OneOf(_) => "the element",
    }
}

/// The length of `value` after XML Schema's whiteSpace `collapse`.
fn collapsed_length(value: &str) -> usize {
    value
        .split([' ', '\t', '\r', '\n'])
        .filter(|word| !word.is_empty())
        .map(|word| word.chars().count() + 1)
        .sum::<usize>()
        .saturating_sub(1)
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// XML Schema's `\S`.
fn is_word_char(c: char) -> bool {
    !matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// `\d+( \S+)+`, or `[1-9]\d*( \S+)+` unless `any_first_digit`.
fn numbered_words(value: &str, any_first_digit: bool) -> bool {
    let Some((number, words)) = value.split_once(' ') else { return false };
    let mut digits = number.chars();
    let first_ok = digits.next().is_some_and(|first| match any_first_digit {
        true => is_decimal_digit(first),
        false => matches!(first, '1'..='9'),
    });
    first_ok
        && digits.all(is_decimal_digit)
        && words.split(' ').all(|word| !word.is_empty() && word.chars().all(is_word_char))
}

/// The first digit of each run of ten decimal digits (Unicode category Nd)
/// that libxml2 knows: its tables are Unicode 4.0, and a digit added since
/// would make xmllint refuse what we write, so those are refused here.
const DECIMAL_DIGIT_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xC66, 0xCE6, 0xD66, 0xE50, 0xED0,
    0xF20, 0x1040, 0x17E0, 0x1810, 0x1946, 0xFF10, 0x104A0, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6,
];

/// XML Schema's `\d`, as libxml2 reads it.
fn is_decimal_digit(c: char) -> bool {
    let code = u32::from(c);
    // Tamil digits one to nine; its digit zero came with Unicode 4.1.
    c.is_ascii_digit()
        || (0xBE7..=0xBEF).contains(&code)
        || DECIMAL_DIGIT_ZEROS.iter().any(|&zero| (zero..zero + 10).contains(&code))
}

/// `X \S+ .+` (1.2), or `X [0-9A-F]{6} .*` (1.0/1.1) when not `generic`.
fn vendor_words(value: &str, generic: bool) -> bool {
    let Some(rest) = value.strip_prefix("X ") else { return false };
    let no_line_break = !rest.contains(['\r', '\n']);
    if generic {
        rest.split_once(' ').is_some_and(|(vendor, tail)| {
            !vendor.is_empty() && vendor.chars().all(is_word_char) && !tail.is_empty()
        }) && no_line_break
    } else {
        let oui = rest
            .get(..6)
            .is_some_and(|oui| oui.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F')));
        oui && rest.get(6..7) == Some(" ") && no_line_break
    }
}

/// `M \S+`.
fn method_event(value: &str) -> bool {
    value.strip_prefix("M ").is_some_and(|name| !name.is_empty() && name.chars().all(is_word_char))
}

const EVENTS_1_0: &[&str] = &[
    "0 BOOTSTRAP",
    "1 BOOT",
    "2 PERIODIC",
    "3 SCHEDULED",
    "4 VALUE CHANGE",
    "5 KICKED",
    "6 CONNECTION REQUEST",
    "7 TRANSFER COMPLETE",
    "8 DIAGNOSTICS COMPLETE",
    "9 REQUEST DOWNLOAD",
    "M Reboot",
    "M ScheduleInform",
    "M Download",
    "M Upload",
];

fn event_code(value: &str, version: CwmpVersion) -> bool {
    match version {
        CwmpVersion::V1_0 => {
            EVENTS_1_0.contains(&value)
                || value
                    .strip_prefix("M X_")
                    .is_some_and(|n| !n.is_empty() && n.chars().all(is_word_char))
                || vendor_words(value, false)
        }
        CwmpVersion::V1_1 => {
            numbered_words(value, true) || method_event(value) || vendor_words(value, false)
        }
        CwmpVersion::V1_2 => {
            numbered_words(value, true) || method_event(value) || vendor_words(value, true)
        }
    }
}

fn file_type(value: &str, kind: FileKind, version: CwmpVersion) -> bool {
    if version == CwmpVersion::V1_2 {
        return numbered_words(value, false) || vendor_words(value, true);
    }
    let standard: &[&str] = match kind {
        FileKind::Download => {
            &["1 Firmware Upgrade Image", "2 Web Content", "3 Vendor Configuration File"]
        }
        FileKind::Upload => &["1 Vendor Configuration File", "2 Vendor Log File"],
        FileKind::Transfer => &[
            "1 Firmware Upgrade Image",
            "2 Web Content",
            "3 Vendor Configuration File",
            "4 Vendor Log File",
        ],
    };
    standard.contains(&value) || vendor_words(value, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CwmpVersion::*;

    #[test]
    fn patterns_follow_each_version() {
        assert!(event_code("2 PERIODIC", V1_0));
        assert!(!event_code("13 WAKEUP", V1_0));
        assert!(event_code("13 WAKEUP", V1_1));
        assert!(event_code("M X_ACME_Frob", V1_0));
        assert!(!event_code("M GetRPCMethods", V1_0));
        assert!(event_code("M GetRPCMethods", V1_1));
        assert!(event_code("X 00D09E ANYTHING goes", V1_0));
        assert!(!event_code("X acme.com THING", V1_1));
        assert!(event_code("X acme.com THING", V1_2));
        assert!(!event_code("2  PERIODIC", V1_2));
        assert!(!event_code("", V1_2));
        assert!(file_type("1 Firmware Upgrade Image", FileKind::Download, V1_0));
        assert!(!file_type("4 Vendor Log File", FileKind::Download, V1_0));
        assert!(file_type("4 Vendor Log File", FileKind::Transfer, V1_1));
        assert!(file_type("12 Anything New", FileKind::Upload, V1_2));
        assert!(!file_type("0 Zero", FileKind::Upload, V1_2));
        assert_eq!(collapsed_length("  a \t\r\n bc  "), 4);
        assert_eq!(collapsed_length(" \t"), 0);
        assert!(check_text(Facet::UriMaxLength(3), " a  b ", V1_2).is_none());
        assert!(check_text(Facet::UriMaxLength(3), "a b c", V1_2).is_some());
        assert!(is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
        assert!(!is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c"));
    }

    #[test]
    fn decimal_digits_are_xml_schema_digits() {
        assert!(event_code("\u{663} WAKEUP", V1_1));
        assert!(file_type("1\u{FF10} Firmware Upgrade Image", FileKind::Upload, V1_2));
        // `[1-9]` stays ASCII.
        assert!(!file_type("\u{661} Image", FileKind::Upload, V1_2));
        assert!(!is_decimal_digit('\u{BE6}'));
        // Adlam digits (Unicode 9.0) are unknown to libxml2.
        assert!(!is_decimal_digit('\u{1E951}'));
    }

    /// Every digit accepted is a Unicode decimal digit.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn decimal_digits_are_category_nd() {
        let nd = regex::Regex::new(r"^\p{Nd}$").unwrap();
        let accepted: Vec<char> =
            (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_decimal_digit(c)).collect();
        assert_eq!(accepted.len(), 259);
        for c in accepted {
            assert!(nd.is_match(c.encode_utf8(&mut [0; 4])), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn counts_follow_min_and_max_occurs() {
        let window = Occurs { min: 1, max: Some(2) };
        assert_eq!(check_count(window, 0).map(|v| v.facet).as_deref(), Some("minOccurs 1"));
        assert!(check_count(window, 2).is_none());
        assert_eq!(check_count(window, 3).map(|v| v.facet).as_deref(), Some("maxOccurs 2"));
        assert!(check_count(Occurs { min: 0, max: None }, 100_000).is_none());
    }

    #[test]
    fn fault_codes_follow_each_version() {
        assert!(check_number(Range::Fault, 9005, V1_0).is_none());
        assert!(check_number(Range::Fault, 9020, V1_0).is_some());
        assert!(check_number(Range::Fault, 9020, V1_1).is_none());
        assert!(check_number(Range::SetParameterValuesFault, 8003, V1_2).is_some());
        assert!(check_number(Range::TransferFault, 9033, V1_2).is_none());
        assert!(check_number(Range::TransferFault, 9021, V1_2).is_some());
        assert!(check_number(Range::Notification, 4, V1_1).is_some());
        assert!(check_number(Range::Notification, 4, V1_2).is_none());
    }
}
