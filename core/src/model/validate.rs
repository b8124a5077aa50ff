//! Checks a parameter set against a [`Model`]: paths, types, ranges, sizes,
//! enumerations, patterns, writability and table sizes.
//!
//! Real devices deviate from their schemas all the time; a finding is
//! information about the device, not a failure of the check. Each finding says
//! what was expected and what was found, in words a user can act on.

use regex_lite::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::path::Path;
use super::schema::{Access, Found, Model, RangeFacet, SizeFacet, Syntax};
use super::set::{Entry, ParameterSet};
use crate::base::{Diagnostic, Location, Severity, Source, XsdType, xsd};

/// What kind of deviation a finding is; stable for grouping and filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    BadPath,
    UnknownParameter,
    UnknownObject,
    VendorExtension,
    ObjectOrParameter,
    DeclaredType,
    BadValue,
    OutOfRange,
    BadSize,
    NotInEnumeration,
    PatternMismatch,
    ListItems,
    Writability,
    TooManyInstances,
    BadNotification,
    /// Instance number 0: TR-069 numbers instances from 1.
    InstanceZero,
    /// Defined in a later model version than the device says it implements.
    NewerThanDevice,
    /// Deprecated, obsoleted or deleted in the schema.
    Deprecated,
}

impl FindingKind {
    const ALL: [FindingKind; 18] = [
        FindingKind::BadPath,
        FindingKind::UnknownParameter,
        FindingKind::UnknownObject,
        FindingKind::VendorExtension,
        FindingKind::ObjectOrParameter,
        FindingKind::DeclaredType,
        FindingKind::BadValue,
        FindingKind::OutOfRange,
        FindingKind::BadSize,
        FindingKind::NotInEnumeration,
        FindingKind::PatternMismatch,
        FindingKind::ListItems,
        FindingKind::Writability,
        FindingKind::TooManyInstances,
        FindingKind::BadNotification,
        FindingKind::InstanceZero,
        FindingKind::NewerThanDevice,
        FindingKind::Deprecated,
    ];

    /// The diagnostic code of this kind (`bad-value`).
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::BadPath => "bad-path",
            FindingKind::UnknownParameter => "unknown-parameter",
            FindingKind::UnknownObject => "unknown-object",
            FindingKind::VendorExtension => "vendor-extension",
            FindingKind::ObjectOrParameter => "object-or-parameter",
            FindingKind::DeclaredType => "declared-type",
            FindingKind::BadValue => "bad-value",
            FindingKind::OutOfRange => "out-of-range",
            FindingKind::BadSize => "bad-size",
            FindingKind::NotInEnumeration => "not-in-enumeration",
            FindingKind::PatternMismatch => "pattern-mismatch",
            FindingKind::ListItems => "list-items",
            FindingKind::Writability => "writability",
            FindingKind::TooManyInstances => "too-many-instances",
            FindingKind::BadNotification => "bad-notification",
            FindingKind::InstanceZero => "instance-zero",
            FindingKind::NewerThanDevice => "newer-than-device",
            FindingKind::Deprecated => "deprecated",
        }
    }

    /// The kind a model finding's code names.
    pub fn from_code(code: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// The outcome of checking a set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    pub model: String,
    /// Entries looked at (objects and parameters).
    pub checked: usize,
    /// Entries the schema knows.
    pub known: usize,
    /// Each at the parameter or object it concerns, its code a [`FindingKind::code`].
    pub findings: Vec<Diagnostic>,
}

impl Report {
    /// Number of findings per kind.
    pub fn counts(&self) -> BTreeMap<FindingKind, usize> {
        let mut counts = BTreeMap::new();
        for kind in self.findings.iter().filter_map(|f| FindingKind::from_code(&f.code)) {
            *counts.entry(kind).or_insert(0) += 1;
        }
        counts
    }
}

/// Compiled `<pattern>` regexes, reused across values.
#[derive(Debug, Default)]
pub struct PatternCache {
    compiled: HashMap<String, Option<Regex>>,
}

impl PatternCache {
    /// Whether `value` matches `pattern` as a whole; `None` when the pattern
    /// is not a regex this engine understands.
    pub fn matches(&mut self, pattern: &str, value: &str) -> Option<bool> {
        let regex = self
            .compiled
            .entry(pattern.to_string())
            .or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok());
        regex.as_ref().map(|r| r.is_match(value))
    }
}

/// A problem with one value, before it is tied to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueProblem {
    pub kind: FindingKind,
    pub message: String,
}

fn problem(kind: FindingKind, message: String) -> ValueProblem {
    ValueProblem { kind, message }
}

/// Checks one value against a syntax.
pub fn check_value(value: &str, syntax: &Syntax, patterns: &mut PatternCache) -> Vec<ValueProblem> {
    let mut problems = Vec::new();
    match &syntax.list {
        Some(list) => {
            if let Some(problem) = check_sizes(value.chars().count() as u64, &list.sizes, "list") {
                problems.push(problem);
            }
            let items: Vec<&str> = if value.trim().is_empty() {
                Vec::new()
            } else {
                value.split(',').map(str::trim).collect()
            };
            let count = items.len() as u32;
            if list.min_items.is_some_and(|min| count < min)
                || list.max_items.is_some_and(|max| count > max)
            {
                problems.push(problem(
                    FindingKind::ListItems,
                    format!(
                        "{count} list items, allowed {}..{}",
                        list.min_items.unwrap_or(0),
                        list.max_items.map(|m| m.to_string()).unwrap_or_else(|| "∞".into())
                    ),
                ));
            }
            for item in items {
                for mut found in check_item(item, syntax, patterns) {
                    found.message = format!("item `{item}`: {}", found.message);
                    problems.push(found);
                }
            }
        }
        None => problems.extend(check_item(value, syntax, patterns)),
    }
    problems
}

fn check_item(value: &str, syntax: &Syntax, patterns: &mut PatternCache) -> Vec<ValueProblem> {
    let mut problems = Vec::new();
    if syntax.hidden && value.is_empty() {
        // Hidden values (passwords) read back empty by design.
        return problems;
    }
    let base = syntax.base;
    if let Err(error) = base.check(value) {
        problems.push(problem(FindingKind::BadValue, error.to_string()));
        return problems;
    }
    let collapsed = xsd::trim_xml_space(value);
    let found = match base {
        XsdType::Int | XsdType::UnsignedInt | XsdType::Long | XsdType::UnsignedLong => {
            xsd::parse_integer(collapsed)
                .and_then(|number| check_ranges_integer(number, &syntax.ranges))
        }
        XsdType::Decimal => collapsed
            .parse::<f64>()
            .ok()
            .and_then(|number| check_ranges_decimal(number, collapsed, &syntax.ranges)),
        XsdType::HexBinary => check_sizes(collapsed.len() as u64 / 2, &syntax.sizes, "octets"),
        XsdType::Base64 => xsd::decode_base64(collapsed)
            .and_then(|octets| check_sizes(octets.len() as u64, &syntax.sizes, "octets")),
        XsdType::String => check_sizes(value.chars().count() as u64, &syntax.sizes, "characters"),
        XsdType::Boolean | XsdType::DateTime => None,
    };
    problems.extend(found);
    if !syntax.enumerations.is_empty() && !syntax.enumerations.iter().any(|e| e.value == value) {
        let allowed: Vec<&str> =
            syntax.enumerations.iter().take(12).map(|e| e.value.as_str()).collect();
        let more = if syntax.enumerations.len() > 12 { ", …" } else { "" };
        problems.push(problem(
            FindingKind::NotInEnumeration,
            format!("`{value}` is not one of {}{more}", allowed.join(", ")),
        ));
    }
    if !syntax.patterns.is_empty() {
        let mut understood = false;
        let mut matched = false;
        for pattern in &syntax.patterns {
            if let Some(result) = patterns.matches(pattern, value) {
                understood = true;
                matched |= result;
            }
        }
        if understood && !matched {
            let shown: Vec<String> = syntax.patterns.iter().map(|p| format!("`{p}`")).collect();
            problems.push(problem(
                FindingKind::PatternMismatch,
                format!("`{value}` matches none of the patterns {}", shown.join(", ")),
            ));
        }
    }
    problems
}

fn check_sizes(length: u64, sizes: &[SizeFacet], unit: &str) -> Option<ValueProblem> {
    if sizes.is_empty() {
        return None;
    }
    let fits = sizes.iter().any(|size| {
        size.min_length.is_none_or(|min| length >= min)
            && size.max_length.is_none_or(|max| length <= max)
    });
    if fits {
        return None;
    }
    let allowed: Vec<String> = sizes
        .iter()
        .map(|s| match (s.min_length, s.max_length) {
            (Some(min), Some(max)) => format!("{min}..{max}"),
            (None, Some(max)) => format!("at most {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, None) => "any".into(),
        })
        .collect();
    Some(problem(
        FindingKind::BadSize,
        format!("{length} {unit}, allowed {}", allowed.join(" or ")),
    ))
}

fn describe_ranges(ranges: &[RangeFacet]) -> String {
    ranges
        .iter()
        .map(|r| {
            let mut text = format!(
                "{}..{}",
                r.min_inclusive.as_deref().unwrap_or(""),
                r.max_inclusive.as_deref().unwrap_or("")
            );
            if let Some(step) = &r.step {
                text.push_str(&format!(" step {step}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn check_ranges_integer(number: i128, ranges: &[RangeFacet]) -> Option<ValueProblem> {
    if ranges.is_empty() {
        return None;
    }
    let bound = |text: &Option<String>| text.as_deref().and_then(|t| t.trim().parse::<i128>().ok());
    let fits = ranges.iter().any(|range| {
        let min = bound(&range.min_inclusive);
        let max = bound(&range.max_inclusive);
        let step = bound(&range.step).filter(|s| *s > 0);
        min.is_none_or(|m| number >= m)
            && max.is_none_or(|m| number <= m)
            && step.is_none_or(|s| (number - min.unwrap_or(0)).rem_euclid(s) == 0)
    });
    (!fits).then(|| {
        problem(FindingKind::OutOfRange, format!("{number} is outside {}", describe_ranges(ranges)))
    })
}

/// The finding quotes the value as written: formatting the `f64` would be the
/// browser app's only use of core's float printing (≈ 10 KB of wasm).
fn check_ranges_decimal(number: f64, written: &str, ranges: &[RangeFacet]) -> Option<ValueProblem> {
    if ranges.is_empty() {
        return None;
    }
    let bound = |text: &Option<String>| text.as_deref().and_then(|t| t.trim().parse::<f64>().ok());
    let fits = ranges.iter().any(|range| {
        bound(&range.min_inclusive).is_none_or(|m| number >= m)
            && bound(&range.max_inclusive).is_none_or(|m| number <= m)
    });
    (!fits).then(|| {
        problem(
            FindingKind::OutOfRange,
            format!("{written} is outside {}", describe_ranges(ranges)),
        )
    })
}

/// What the model says about writing `value` to `path`, before it is sent: the
/// same checks as [`validate`], on the entry as `set` has it (declared type,
/// writability) with the new value, and the device's `RootDataModelVersion`.
/// Only findings about `path` itself are returned.
pub fn check_edit(set: &ParameterSet, path: &str, value: &str, model: &Model) -> Vec<Diagnostic> {
    let mut edited = ParameterSet::new();
    if let Some(version) = set.get("Device.RootDataModelVersion") {
        edited.insert(version.clone());
    }
    let mut entry = set.get(path).cloned().unwrap_or_else(|| Entry::parameter(path, value));
    entry.value = Some(value.to_owned());
    edited.insert(entry);
    validate(&edited, model)
        .findings
        .into_iter()
        .filter(|f| f.location.path() == Some(path))
        .collect()
}

fn finding(entry: &Entry, severity: Severity, kind: FindingKind, message: String) -> Diagnostic {
    finding_at(&entry.path, severity, kind, message)
}

fn finding_at(path: &str, severity: Severity, kind: FindingKind, message: String) -> Diagnostic {
    Diagnostic::new(severity, Source::Model, kind.code(), message).at(Location::parameter(path))
}

fn is_vendor_path(path: &Path) -> bool {
    path.segments
        .iter()
        .any(|s| matches!(s, super::path::Segment::Name(name) if name.starts_with("X_")))
}

/// Checks every entry of `set` against `model`.
/// `2.11` → (2, 11); a model version such as the device's
/// `RootDataModelVersion` or a schema's `version` attribute.
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

pub fn validate(set: &ParameterSet, model: &Model) -> Report {
    let mut report = Report { model: model.name.clone(), ..Report::default() };
    let mut patterns = PatternCache::default();
    // What the device says it implements (TR-181 devices report it).
    let device_version = set
        .get("Device.RootDataModelVersion")
        .and_then(|e| e.value.as_deref())
        .and_then(parse_version);
    for entry in set.entries() {
        report.checked += 1;
        let path = match Path::parse(&entry.path) {
            Ok(path) => path,
            Err(error) => {
                report.findings.push(finding(
                    entry,
                    Severity::Error,
                    FindingKind::BadPath,
                    error.to_string(),
                ));
                continue;
            }
        };
        let found = model.lookup(&path);
        let found = match found {
            Some(found) => found,
            None => {
                // A name written without its trailing dot (or with one) may
                // still be an object (or a parameter): say so precisely.
                let flipped = Path { partial: !path.partial, ..path.clone() };
                if !path.segments.is_empty() && model.lookup(&flipped).is_some() {
                    let what = if path.partial { "a parameter" } else { "an object" };
                    report.findings.push(finding(
                        entry,
                        Severity::Warning,
                        FindingKind::ObjectOrParameter,
                        format!("the schema defines this as {what}"),
                    ));
                } else if is_vendor_path(&path) {
                    report.findings.push(finding(
                        entry,
                        Severity::Info,
                        FindingKind::VendorExtension,
                        format!("vendor extension, not in {}", model.name),
                    ));
                } else {
                    let kind = if path.partial {
                        FindingKind::UnknownObject
                    } else {
                        FindingKind::UnknownParameter
                    };
                    report.findings.push(finding(
                        entry,
                        Severity::Warning,
                        kind,
                        format!("not in {}", model.name),
                    ));
                }
                continue;
            }
        };
        report.known += 1;
        if path.segments.iter().any(|s| matches!(s, super::path::Segment::Instance(0))) {
            report.findings.push(finding(
                entry,
                Severity::Warning,
                FindingKind::InstanceZero,
                "instance number 0; CPEs number instances from 1".into(),
            ));
        }
        let (status, version) = match found {
            Found::Object(object) | Found::Table(object) => {
                (object.status, object.version.as_deref())
            }
            Found::Parameter(object, parameter) => {
                (parameter.status, parameter.version.as_deref().or(object.version.as_deref()))
            }
        };
        if status != super::schema::Status::Current {
            report.findings.push(finding(
                entry,
                Severity::Info,
                FindingKind::Deprecated,
                format!("{status:?} in {}", model.name).to_lowercase(),
            ));
        }
        if let (Some(device), Some(defined)) = (device_version, version.and_then(parse_version))
            && defined > device
        {
            report.findings.push(finding(
                entry,
                Severity::Info,
                FindingKind::NewerThanDevice,
                format!(
                    "defined in version {}.{}, the device reports RootDataModelVersion {}.{}",
                    defined.0, defined.1, device.0, device.1
                ),
            ));
        }
        match found {
            Found::Object(object) | Found::Table(object) => {
                let table_container = matches!(found, Found::Table(_));
                let row =
                    object.is_table() && path.segments.last().is_some_and(|s| s.is_instance());
                if (table_container || row)
                    && entry.writable == Some(true)
                    && object.access == Access::ReadOnly
                {
                    report.findings.push(finding(
                        entry,
                        Severity::Warning,
                        FindingKind::Writability,
                        "device says instances can be added/deleted; the schema says the table is read-only".into(),
                    ));
                }
            }
            Found::Parameter(_, parameter) => {
                if let Some(declared) = &entry.value_type {
                    let syntax = &parameter.syntax;
                    match XsdType::from_name(declared) {
                        Some(wire) if wire == syntax.wire_type() => {}
                        Some(wire) if syntax.list.is_some() => report.findings.push(finding(
                            entry,
                            Severity::Warning,
                            FindingKind::DeclaredType,
                            format!(
                                "declared {}, but the schema says a list of {}, sent as string",
                                wire.name(),
                                syntax.base.name()
                            ),
                        )),
                        Some(wire) => report.findings.push(finding(
                            entry,
                            Severity::Warning,
                            FindingKind::DeclaredType,
                            format!(
                                "declared {}, the schema says {}",
                                wire.name(),
                                syntax.base.name()
                            ),
                        )),
                        None => report.findings.push(finding(
                            entry,
                            Severity::Warning,
                            FindingKind::DeclaredType,
                            format!("declared type `{declared}` is not a CWMP type"),
                        )),
                    }
                }
                match (entry.writable, parameter.access) {
                    (Some(true), Access::ReadOnly) => report.findings.push(finding(
                        entry,
                        Severity::Warning,
                        FindingKind::Writability,
                        "device says writable; the schema says read-only".into(),
                    )),
                    (Some(false), Access::ReadWrite) => report.findings.push(finding(
                        entry,
                        Severity::Info,
                        FindingKind::Writability,
                        "read-only on this device; the schema allows writing".into(),
                    )),
                    _ => {}
                }
                if let Some(level) = entry.notification
                    && level > 6
                {
                    report.findings.push(finding(
                        entry,
                        Severity::Warning,
                        FindingKind::BadNotification,
                        format!("notification {level} is not 0–6"),
                    ));
                }
                if let Some(value) = &entry.value {
                    for found in check_value(value, &parameter.syntax, &mut patterns) {
                        report.findings.push(finding(
                            entry,
                            Severity::Warning,
                            found.kind,
                            found.message,
                        ));
                    }
                }
            }
        }
    }
    check_table_sizes(set, model, &mut report);
    report
}

/// Tables with more instances than the schema's `maxEntries`.
fn check_table_sizes(set: &ParameterSet, model: &Model, report: &mut Report) {
    let mut per_table: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for instance in set.instances() {
        let Ok(path) = Path::parse(&instance) else { continue };
        let Some(container) = path.parent() else { continue };
        let slot = per_table
            .entry(container.to_string())
            .or_insert_with(|| (path.generic().to_string(), 0));
        slot.1 += 1;
    }
    for (container, (generic, count)) in per_table {
        if let Some(max) = model.object(&generic).and_then(|o| o.max_entries)
            && count > max as usize
        {
            report.findings.push(finding_at(
                &container,
                Severity::Warning,
                FindingKind::TooManyInstances,
                format!("{count} instances, the schema allows at most {max}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::{Enumeration, ListFacets};

    fn syntax(base: XsdType) -> Syntax {
        Syntax { base, ..Syntax::default() }
    }

    fn kinds(value: &str, syntax: &Syntax) -> Vec<FindingKind> {
        check_value(value, syntax, &mut PatternCache::default())
            .into_iter()
            .map(|p| p.kind)
            .collect()
    }

    #[test]
    fn base_types() {
        assert!(kinds("42", &syntax(XsdType::UnsignedInt)).is_empty());
        assert_eq!(kinds("-1", &syntax(XsdType::UnsignedInt)), [FindingKind::BadValue]);
        assert_eq!(kinds("", &syntax(XsdType::Int)), [FindingKind::BadValue]);
        assert_eq!(kinds("4294967296", &syntax(XsdType::UnsignedInt)), [FindingKind::BadValue]);
        assert!(kinds("18446744073709551615", &syntax(XsdType::UnsignedLong)).is_empty());
        assert!(kinds("true", &syntax(XsdType::Boolean)).is_empty());
        assert_eq!(kinds("TRUE", &syntax(XsdType::Boolean)), [FindingKind::BadValue]);
        assert!(kinds("0001-01-01T00:00:00Z", &syntax(XsdType::DateTime)).is_empty());
        assert!(kinds("2023-03-28T15:39:56.053+02:00", &syntax(XsdType::DateTime)).is_empty());
        assert_eq!(
            kinds("2019-03-05T11:54::14", &syntax(XsdType::DateTime)),
            [FindingKind::BadValue]
        );
        assert!(kinds("00ff", &syntax(XsdType::HexBinary)).is_empty());
        assert_eq!(kinds("0f0", &syntax(XsdType::HexBinary)), [FindingKind::BadValue]);
        assert!(kinds("aGVsbG8=", &syntax(XsdType::Base64)).is_empty());
        assert!(kinds("-12.5", &syntax(XsdType::Decimal)).is_empty());
    }

    #[test]
    fn facets() {
        let ranged = Syntax {
            ranges: vec![RangeFacet {
                min_inclusive: Some("1".into()),
                max_inclusive: Some("10".into()),
                step: Some("3".into()),
            }],
            ..syntax(XsdType::Int)
        };
        assert!(kinds("7", &ranged).is_empty());
        assert_eq!(kinds("8", &ranged), [FindingKind::OutOfRange]);
        assert_eq!(kinds("11", &ranged), [FindingKind::OutOfRange]);
        let sized = Syntax {
            sizes: vec![SizeFacet { min_length: None, max_length: Some(3) }],
            ..syntax(XsdType::String)
        };
        assert_eq!(kinds("abcd", &sized), [FindingKind::BadSize]);
        let enumerated = Syntax {
            enumerations: vec![Enumeration { value: "Up".into(), read_only: false }],
            ..syntax(XsdType::String)
        };
        assert_eq!(kinds("Down", &enumerated), [FindingKind::NotInEnumeration]);
        let patterned =
            Syntax { patterns: vec!["".into(), "\\d+".into()], ..syntax(XsdType::String) };
        assert!(kinds("", &patterned).is_empty());
        assert!(kinds("123", &patterned).is_empty());
        assert_eq!(kinds("12a", &patterned), [FindingKind::PatternMismatch]);
        let listed = Syntax {
            list: Some(ListFacets { min_items: None, max_items: Some(2), sizes: Vec::new() }),
            ..syntax(XsdType::UnsignedInt)
        };
        assert!(kinds("1, 2", &listed).is_empty());
        assert_eq!(kinds("1,x,3", &listed), [FindingKind::ListItems, FindingKind::BadValue]);
    }

    #[test]
    fn a_decimal_out_of_range_is_quoted_as_written() {
        let ranged = Syntax {
            ranges: vec![RangeFacet {
                min_inclusive: Some("-1.5".into()),
                max_inclusive: Some("2.5".into()),
                step: None,
            }],
            ..syntax(XsdType::Decimal)
        };
        assert!(kinds("2.50", &ranged).is_empty());
        let problems = check_value(" 2.60 ", &ranged, &mut PatternCache::default());
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["2.60 is outside -1.5..2.5"]);
    }
}
