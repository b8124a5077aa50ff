//! The strict encoder's facets, proven against the BBF XSDs rather than trusted.
//!
//! For each cwmp XSD (1-0 … 1-4) this reads the schema itself (includes and
//! redefines resolved), walks every message and header element down to its
//! simple-typed leaves, and collects the restriction facets that apply to each
//! (following named types, restrictions of restrictions and unions). From the
//! facets alone it derives probe values for each leaf: the maxLength boundary
//! and one past it, every enumeration value and its neighbours, range bounds
//! and one beyond, and a pool of pattern edge cases. Each probe is put into a
//! valid message and encoded; the encoder must accept exactly what the facets
//! accept, and a refusal must name the leaf's path and a facet the value
//! violates. The facet reading here is itself checked: xmllint validates the
//! probes (the encoder's output when accepted, the message with the value put
//! in by hand when refused) and must reach the same verdict; it sees every
//! probe of a patterned, enumerated, ranged or union type once per type, and
//! the length boundaries and odd text of the others. Repeated elements are
//! held to their minOccurs/maxOccurs the same way.
// reason: tests are the host here; they read the XSDs, write temporary files and run xmllint.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;
use cwmpkit_core::cwmp::*;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// The XSD as a small tree.

#[derive(Debug, Clone)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
    /// `file:line`, for messages.
    at: String,
}

impl Node {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter(|child| child.name != "annotation")
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }
}

fn parse_xsd(file: &str) -> Node {
    let text = std::fs::read_to_string(xsd_path(file)).expect("the XSD is in the shared corpus");
    let mut reader = Reader::from_str(&text);
    let mut stack = vec![Node {
        name: String::new(),
        attributes: Vec::new(),
        children: Vec::new(),
        at: String::new(),
    }];
    let (mut line, mut counted) = (1, 0);
    loop {
        let position = usize::try_from(reader.buffer_position()).expect("fits");
        line += text[counted..position].matches('\n').count();
        counted = position;
        let at = format!("{file}:{}", line + leading_newlines(&text[position..]));
        match reader.read_event().expect("the XSD is well-formed") {
            Event::Start(start) => stack.push(node(&start, at)),
            Event::Empty(start) => stack.last_mut().expect("root").children.push(node(&start, at)),
            Event::End(_) => {
                let done = stack.pop().expect("balanced");
                stack.last_mut().expect("root").children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().expect("root");
    root.children.pop().expect("one schema element")
}

fn leading_newlines(text: &str) -> usize {
    text[..text.find('<').unwrap_or(0)].matches('\n').count()
}

fn node(start: &BytesStart<'_>, at: String) -> Node {
    let name = start.local_name().as_ref().to_owned();
    let attributes = start
        .attributes()
        .map(|attribute| {
            let attribute = attribute.expect("well-formed attribute");
            let key = attribute.key.local_name().as_ref().to_owned();
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("attribute value")
                .into_owned();
            (key, value)
        })
        .collect();
    Node { name, attributes, children: Vec::new(), at }
}

/// The named types and top-level elements of one cwmp XSD, its includes and
/// redefines resolved (the BBF schemas include their predecessor by URL; the
/// file is its last path segment, in the same corpus directory).
#[derive(Default)]
struct Schema {
    simple_types: HashMap<String, Node>,
    complex_types: HashMap<String, Node>,
    elements: Vec<Node>,
}

impl Schema {
    fn load(file: &str) -> Schema {
        let mut schema = Schema::default();
        schema.read(file);
        schema
    }

    fn read(&mut self, file: &str) {
        for child in parse_xsd(file).children {
            match child.name.as_str() {
                "include" => self.read(last_segment(child.attribute("schemaLocation"))),
                "redefine" => self.redefine(child),
                "simpleType" => {
                    self.simple_types.insert(name_of(&child).to_owned(), child);
                }
                "complexType" => {
                    self.complex_types.insert(name_of(&child).to_owned(), child);
                }
                "element" => {
                    self.elements.retain(|element| name_of(element) != name_of(&child));
                    self.elements.push(child);
                }
                "import" | "annotation" => {}
                other => panic!("{}: top-level xs:{other} is not read here", child.at),
            }
        }
    }

    /// A redefined simple type restricts the definition it replaces, which
    /// stays reachable under a name of its own.
    fn redefine(&mut self, redefine: Node) {
        for mut redefined in redefine.children {
            assert_eq!(
                redefined.name, "simpleType",
                "{}: only simple types are redefined",
                redefined.at
            );
            let name = name_of(&redefined).to_owned();
            let previous = self.simple_types.remove(&name).expect("redefines a known type");
            let previous_name = format!("{name} before {}", redefined.at);
            self.simple_types.insert(previous_name.clone(), previous);
            let restriction = redefined
                .children
                .iter_mut()
                .find(|child| child.name == "restriction")
                .expect("a redefined simple type restricts itself");
            for (key, value) in &mut restriction.attributes {
                if key == "base" {
                    assert_eq!(local(value), name, "{}", restriction.at);
                    *value = format!("tns:{previous_name}");
                }
            }
            self.simple_types.insert(name, redefined);
        }
    }
}

fn name_of(node: &Node) -> &str {
    node.attribute("name").unwrap_or_else(|| panic!("{}: unnamed", node.at))
}

fn last_segment(location: Option<&str>) -> &str {
    let location = location.expect("schemaLocation");
    location.rsplit('/').next().unwrap_or(location)
}

fn prefix(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(prefix, _)| prefix)
}

fn local(qname: &str) -> &str {
    qname.split_once(':').map_or(qname, |(_, local)| local)
}

// ---------------------------------------------------------------------------
// Simple types and their facets.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    MaxLength,
    Length,
    Pattern,
    Enumeration,
    MinInclusive,
    MaxInclusive,
}

impl Kind {
    fn from_xsd(name: &str) -> Option<Kind> {
        Some(match name {
            "maxLength" => Kind::MaxLength,
            "length" => Kind::Length,
            "pattern" => Kind::Pattern,
            "enumeration" => Kind::Enumeration,
            "minInclusive" => Kind::MinInclusive,
            "maxInclusive" => Kind::MaxInclusive,
            _ => return None,
        })
    }
}

/// One facet of one restriction step; the patterns (and the enumeration
/// values) of one step are alternatives.
#[derive(Debug, Clone)]
struct Facet {
    kind: Kind,
    values: Vec<String>,
    at: String,
}

#[derive(Debug, Clone)]
enum Simple {
    /// An XML Schema built-in type, by local name.
    Builtin(String),
    /// A type of another namespace (soapenc:base64): nothing to check here.
    Foreign(String),
    Restriction {
        base: Box<Simple>,
        facets: Vec<Facet>,
    },
    Union {
        members: Vec<Simple>,
        at: String,
    },
}

impl Simple {
    fn builtin(&self) -> Option<&str> {
        match self {
            Simple::Builtin(name) => Some(name),
            Simple::Foreign(_) | Simple::Union { .. } => None,
            Simple::Restriction { base, .. } => base.builtin(),
        }
    }

    fn is_numeric(&self) -> bool {
        match self {
            Simple::Union { members, .. } => members.iter().all(Simple::is_numeric),
            _ => matches!(self.builtin(), Some("int" | "unsignedInt")),
        }
    }

    /// Every facet, including those of union members.
    fn facets(&self) -> Vec<&Facet> {
        match self {
            Simple::Builtin(_) | Simple::Foreign(_) => Vec::new(),
            Simple::Restriction { base, facets } => {
                let mut all = base.facets();
                all.extend(facets);
                all
            }
            Simple::Union { members, .. } => members.iter().flat_map(Simple::facets).collect(),
        }
    }
}

impl Schema {
    fn named_simple(&self, qname: &str) -> Simple {
        match prefix(qname) {
            "xs" => Simple::Builtin(local(qname).to_owned()),
            "tns" => {
                let node = self.simple_types.get(local(qname));
                self.simple(node.unwrap_or_else(|| panic!("no simple type {qname}")))
            }
            _ => Simple::Foreign(qname.to_owned()),
        }
    }

    fn simple(&self, simple_type: &Node) -> Simple {
        let content = simple_type.elements().next().expect("restriction or union");
        match content.name.as_str() {
            "restriction" => self.restriction(content),
            "union" => {
                let mut members: Vec<Simple> = content
                    .attribute("memberTypes")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(|member| self.named_simple(member))
                    .collect();
                members.extend(content.elements().map(|member| self.simple(member)));
                Simple::Union { members, at: content.at.clone() }
            }
            other => panic!("{}: xs:{other} is not read here", content.at),
        }
    }

    fn restriction(&self, restriction: &Node) -> Simple {
        let base = match restriction.attribute("base") {
            Some(base) => self.named_simple(base),
            None => self.simple(restriction.child("simpleType").expect("an inline base")),
        };
        let mut facets: Vec<Facet> = Vec::new();
        for facet in restriction.elements().filter(|child| child.name != "simpleType") {
            let kind = Kind::from_xsd(&facet.name).unwrap_or_else(|| {
                panic!("{}: facet xs:{} is not checked here", facet.at, facet.name)
            });
            let value = facet.attribute("value").expect("a facet value").to_owned();
            match facets.iter_mut().find(|seen| seen.kind == kind) {
                Some(seen) if matches!(kind, Kind::Pattern | Kind::Enumeration) => {
                    seen.values.push(value)
                }
                Some(_) => panic!("{}: a second {kind:?}", facet.at),
                None => facets.push(Facet { kind, values: vec![value], at: facet.at.clone() }),
            }
        }
        Simple::Restriction { base: Box::new(base), facets }
    }
}

// ---------------------------------------------------------------------------
// The leaves of every message.

/// A simple-typed element, by its path below the Body (or the Header):
/// `Inform/DeviceId/OUI`; a concrete type of an abstract one is named in
/// braces: `ChangeDUState/Operations{InstallOpStruct}/URL`.
#[derive(Debug, Clone)]
struct Leaf {
    path: String,
    simple: Simple,
    at: String,
}

/// An element that may occur more than once, with its bounds.
#[derive(Debug, Clone)]
struct Repeated {
    path: String,
    min: usize,
    /// `None` when unbounded.
    max: Option<usize>,
    at: String,
}

/// What a walk of the message elements finds.
#[derive(Debug, Default)]
struct Found {
    leaves: Vec<Leaf>,
    repeated: Vec<Repeated>,
}

impl Schema {
    fn walk(&self) -> Found {
        let mut found = Found::default();
        for element in &self.elements {
            self.element(element, "", &mut found);
        }
        found
    }

    fn element(&self, element: &Node, parent: &str, found: &mut Found) {
        let path = join(parent, name_of(element));
        if let Some(max) = element.attribute("maxOccurs").filter(|max| *max != "1") {
            let min = element.attribute("minOccurs").unwrap_or("1");
            found.repeated.push(Repeated {
                path: path.clone(),
                min: min.parse().expect("a count"),
                max: (max != "unbounded").then(|| max.parse().expect("a count")),
                at: element.at.clone(),
            });
        }
        let leaf = |simple| Leaf { path: path.clone(), simple, at: element.at.clone() };
        if let Some(qname) = element.attribute("type") {
            match (prefix(qname), self.complex_types.get(local(qname))) {
                ("tns", Some(complex)) => self.complex(Some(local(qname)), complex, &path, found),
                _ => found.leaves.push(leaf(self.named_simple(qname))),
            }
        } else if let Some(simple) = element.child("simpleType") {
            found.leaves.push(leaf(self.simple(simple)));
        } else if let Some(complex) = element.child("complexType") {
            self.complex(None, complex, &path, found);
        } else {
            found.leaves.push(leaf(Simple::Builtin("anyType".to_owned())));
        }
    }

    fn complex(&self, name: Option<&str>, complex: &Node, path: &str, found: &mut Found) {
        if complex.attribute("abstract") == Some("true") {
            let name = name.expect("a named abstract type");
            for (concrete, node) in &self.complex_types {
                if self.extends(node) == Some(name) {
                    self.complex(Some(concrete), node, &format!("{path}{{{concrete}}}"), found);
                }
            }
            return;
        }
        for content in complex.elements() {
            match content.name.as_str() {
                "sequence" | "all" | "choice" => self.particles(content, path, found),
                "complexContent" => {
                    let derivation = content.elements().next().expect("restriction or extension");
                    let base = derivation.attribute("base").expect("a base");
                    if prefix(base) == "tns" {
                        let base_type = &self.complex_types[local(base)];
                        if base_type.attribute("abstract") != Some("true") {
                            self.complex(Some(local(base)), base_type, path, found);
                        }
                    }
                    for particle in derivation.elements() {
                        if matches!(particle.name.as_str(), "sequence" | "all" | "choice") {
                            self.particles(particle, path, found);
                        }
                    }
                }
                "simpleContent" => {
                    let extension = content.elements().next().expect("an extension");
                    let base = extension.attribute("base").expect("a base");
                    found.leaves.push(Leaf {
                        path: path.to_owned(),
                        simple: self.named_simple(base),
                        at: extension.at.clone(),
                    });
                }
                "attribute" | "anyAttribute" => {}
                other => panic!("{}: xs:{other} is not read here", content.at),
            }
        }
    }

    fn particles(&self, group: &Node, path: &str, found: &mut Found) {
        for particle in group.elements() {
            match particle.name.as_str() {
                "element" => self.element(particle, path, found),
                "sequence" | "all" | "choice" => self.particles(particle, path, found),
                "any" => {}
                other => panic!("{}: xs:{other} is not read here", particle.at),
            }
        }
    }

    fn extends<'a>(&self, complex: &'a Node) -> Option<&'a str> {
        let content = complex.child("complexContent")?;
        let extension = content.child("extension")?;
        extension.attribute("base").map(local)
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_owned() } else { format!("{parent}/{name}") }
}

// ---------------------------------------------------------------------------
// What the XSD says of a value.

/// A facet (or a built-in type, or a whole union) a value violates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Broken {
    Facet { kind: Kind, values: Vec<String>, at: String },
    Builtin(String),
    Union { at: String },
}

impl Broken {
    /// What the encoder's `facet` must say to name this facet.
    fn name(&self) -> String {
        match self {
            Broken::Facet { kind: Kind::MaxLength, values, .. } => {
                format!("maxLength {}", values[0])
            }
            Broken::Facet { kind: Kind::Length, values, .. } => format!("length {}", values[0]),
            Broken::Facet { kind: Kind::Pattern, .. } => "pattern".to_owned(),
            Broken::Facet { kind: Kind::Enumeration, .. } => "enumeration".to_owned(),
            Broken::Facet { kind: Kind::MinInclusive, values, .. } => {
                format!("minInclusive {}", values[0])
            }
            Broken::Facet { kind: Kind::MaxInclusive, values, .. } => {
                format!("maxInclusive {}", values[0])
            }
            Broken::Builtin(name) => name.clone(),
            Broken::Union { .. } => "union".to_owned(),
        }
    }

    fn is_length(&self) -> bool {
        matches!(self, Broken::Facet { kind: Kind::MaxLength | Kind::Length, .. })
    }
}

/// XML Schema's regular expressions, for the `regex` crate: implicitly
/// anchored; `.` is any character but CR and LF; `\s` is space, tab, CR and
/// LF only; `\d` is any Unicode decimal digit; `^` and `$` are plain characters.
fn xsd_regex(pattern: &str) -> regex::Regex {
    static COMPILED: std::sync::LazyLock<std::sync::Mutex<HashMap<String, regex::Regex>>> =
        std::sync::LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().expect("not poisoned");
    let regex = compiled.entry(pattern.to_owned()).or_insert_with(|| translate(pattern));
    regex.clone()
}

fn translate(pattern: &str) -> regex::Regex {
    let mut translated = String::from("^(?:");
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next().expect("an escaped character");
                match (escaped, in_class) {
                    ('d', _) => translated.push_str(r"\p{Nd}"),
                    ('D', false) => translated.push_str(r"\P{Nd}"),
                    ('s', false) => translated.push_str(r"[ \t\n\r]"),
                    ('s', true) => translated.push_str(r" \t\n\r"),
                    ('S', false) => translated.push_str(r"[^ \t\n\r]"),
                    ('i' | 'I' | 'c' | 'C' | 'S' | 'D', _) => {
                        panic!("{pattern}: \\{escaped} is not translated here")
                    }
                    _ => {
                        translated.push('\\');
                        translated.push(escaped);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                translated.push(c);
            }
            ']' if in_class => {
                in_class = false;
                translated.push(c);
            }
            '.' if !in_class => translated.push_str(r"[^\n\r]"),
            '^' | '$' if !in_class => {
                translated.push('\\');
                translated.push(c);
            }
            _ => translated.push(c),
        }
    }
    translated.push_str(")$");
    regex::Regex::new(&translated).unwrap_or_else(|error| panic!("{pattern}: {error}"))
}

/// The value a built-in type's whiteSpace facet makes of the text.
fn normalized(builtin: &str, text: &str) -> String {
    match builtin {
        "string" | "anySimpleType" => text.to_owned(),
        _ => text
            .split([' ', '\t', '\n', '\r'])
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Every facet of `simple` that `text` violates; empty when the XSD allows it.
fn violations(simple: &Simple, text: &str) -> Vec<Broken> {
    match simple {
        Simple::Builtin(name) => {
            let value = normalized(name, text);
            let fits = match name.as_str() {
                "int" => value.parse::<i32>().is_ok(),
                "unsignedInt" => value.parse::<u32>().is_ok(),
                "string" | "anyURI" => true,
                other => panic!("no values of xs:{other} are probed"),
            };
            if fits { Vec::new() } else { vec![Broken::Builtin(name.clone())] }
        }
        Simple::Foreign(name) => panic!("no values of {name} are probed"),
        Simple::Union { members, at } => {
            if members.iter().any(|member| violations(member, text).is_empty()) {
                Vec::new()
            } else {
                vec![Broken::Union { at: at.clone() }]
            }
        }
        Simple::Restriction { base, facets } => {
            let mut broken = violations(base, text);
            let builtin = simple.builtin().expect("a restriction of a built-in type");
            let value = normalized(builtin, text);
            let numeric = simple.is_numeric();
            let number = |text: &str| text.trim().parse::<i64>().ok();
            for facet in facets {
                let bound = || number(&facet.values[0]).expect("a numeric bound");
                let fits = match facet.kind {
                    Kind::MaxLength => value.chars().count() <= bound() as usize,
                    Kind::Length => value.chars().count() == bound() as usize,
                    Kind::Pattern => facet.values.iter().any(|p| xsd_regex(p).is_match(&value)),
                    Kind::Enumeration if numeric => facet
                        .values
                        .iter()
                        .any(|v| number(v).is_some() && number(v) == number(&value)),
                    Kind::Enumeration => facet.values.contains(&value),
                    Kind::MinInclusive => number(&value).is_some_and(|n| n >= bound()),
                    Kind::MaxInclusive => number(&value).is_some_and(|n| n <= bound()),
                };
                if !fits {
                    broken.push(Broken::Facet {
                        kind: facet.kind,
                        values: facet.values.clone(),
                        at: facet.at.clone(),
                    });
                }
            }
            broken
        }
    }
}

// ---------------------------------------------------------------------------
// Probe values, derived from the facets.

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Probe {
    Text(String),
    Number(i64),
}

impl Probe {
    fn text(&self) -> String {
        match self {
            Probe::Text(text) => text.clone(),
            Probe::Number(number) => number.to_string(),
        }
    }
}

/// Text in every corner of XML: markup characters, quotes, a tab, a
/// two-byte and a four-byte character. No facet-free element may refuse it.
const ODD: &str = "a <&>\"'é😀\tb";

/// Pattern edge cases; which of them an element allows is for its facets to say.
/// (`\d` is any decimal digit; only digits of Unicode 4.0 are probed, since
/// validators differ on newer ones: libxml2 refuses them.)
const POOL: &[&str] = &[
    "",
    " ",
    "x",
    "0",
    "01",
    ODD,
    "0 BOOTSTRAP",
    "1 BOOT",
    "4 VALUE CHANGE",
    "10 AUTONOMOUS TRANSFER COMPLETE",
    "13 WAKEUP",
    "0013 WAKEUP",
    "\u{663} WAKEUP",
    "\u{BE9}\u{1D7DB} WAKEUP",
    "1\u{FF13} Vendor File",
    "\u{FF11} Vendor File",
    "13  WAKEUP",
    "13 WAKEUP ",
    "13\tWAKEUP",
    "13 WAKE\tUP",
    "13 WAKE\u{a0}UP",
    "13",
    "13 ",
    "M Reboot",
    "M GetRPCMethods",
    "M X_ACME_Frob",
    "M ",
    "M X_",
    "M A B",
    "m Reboot",
    "X 00D09E ",
    "X 00D09E THING",
    "X 00D09E THING\r",
    "X 00d09e THING",
    "X 00D09E",
    "X example.com THING",
    "X example.com ",
    "X  THING",
    "X example.com THING\nMORE",
    "X\tA B",
    "1 Firmware Upgrade Image",
    "2 Web Content",
    "3 Vendor Configuration File",
    "4 Vendor Log File",
    "1 Vendor Configuration File",
    "2 Vendor Log File",
    "5 Tone File",
    "6 Ringer File 2",
    "0 Zero",
    "1 At Any Time",
    "2 Immediately",
    "Device.",
    "Device.IP.Interface.",
    "Device",
    ".",
    "Device.\r.",
    "Device\n.",
    "é.",
    "00D09E",
    "00d09e",
    "00D09",
    "00D09EF",
    "GGGGGG",
    " 00D09E",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c",
    "6ba7b8109dad11d180b400c04fd430c8",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8 ",
    "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
    "Subscriber",
    "subscriber",
    "Subscriber ",
    "Installed",
    "Uninstalled",
    "Failed",
    "Install",
    "Update",
    "Uninstall",
    "X_ACME_Move",
];

/// `seed` grown to `length` characters, padded at its end or before its last
/// character (which keeps a pattern's final `\.` or `\S` satisfied).
fn padded(seed: &str, length: usize) -> Vec<String> {
    let have = seed.chars().count();
    if have >= length || seed.is_empty() {
        return Vec::new();
    }
    let padding = "x".repeat(length - have);
    let (head, last) = seed.split_at(seed.char_indices().last().map_or(0, |(at, _)| at));
    vec![format!("{seed}{padding}"), format!("{head}{padding}{last}")]
}

/// The pool, the enumeration values and near misses of them, and values at
/// each length limit, one under and one over, that break nothing else.
fn text_probes(simple: &Simple) -> Vec<Probe> {
    let facets = simple.facets();
    let mut candidates: BTreeSet<String> = POOL.iter().map(|s| (*s).to_owned()).collect();
    candidates.insert(ODD.repeat(200));
    for facet in facets.iter().filter(|facet| facet.kind == Kind::Enumeration) {
        for value in &facet.values {
            candidates.extend([
                value.clone(),
                format!("{value}x"),
                value.to_lowercase(),
                format!(" {value}"),
            ]);
        }
    }
    // Length boundaries: values that break nothing but (perhaps) the length.
    let seeds: Vec<String> = candidates
        .iter()
        .filter(|candidate| violations(simple, candidate).iter().all(Broken::is_length))
        .cloned()
        .collect();
    for facet in facets.iter().filter(|f| matches!(f.kind, Kind::MaxLength | Kind::Length)) {
        let limit: usize = facet.values[0].parse().expect("a length");
        for length in [limit - 1, limit, limit + 1] {
            let mut found = 0;
            for seed in &seeds {
                for value in padded(seed, length) {
                    if found < 3 && violations(simple, &value).iter().all(Broken::is_length) {
                        found += usize::from(candidates.insert(value));
                    }
                }
            }
        }
    }
    candidates.into_iter().map(Probe::Text).collect()
}

/// Every bound and enumerated value and its neighbours, and the extremes of
/// the model's integer types (which value a field cannot hold is skipped).
fn number_probes(simple: &Simple) -> Vec<Probe> {
    let mut numbers: BTreeSet<i64> =
        [0, -1, 1, i64::from(i32::MIN), i64::from(i32::MAX), i64::from(u32::MAX)].into();
    for facet in simple.facets() {
        for value in &facet.values {
            let value: i64 = value.parse().expect("a number");
            numbers.extend([value - 1, value, value + 1]);
        }
    }
    numbers.into_iter().map(Probe::Number).collect()
}

// ---------------------------------------------------------------------------
// Where each leaf's value lives in the model.

type TextSlot = fn(&mut Envelope) -> &mut String;
/// A parameter name: decoded names share the body, so they are `cwmp::Text`.
type NameSlot = fn(&mut Envelope) -> &mut Text;
/// Sets the number, or says `false` when the model's type cannot hold it.
type NumberSlot = fn(&mut Envelope, i64) -> bool;

#[derive(Clone, Copy)]
enum Slot {
    Text(TextSlot),
    Name(NameSlot),
    Number(NumberSlot),
}

fn set<T: TryFrom<i64>>(place: &mut T, value: i64) -> bool {
    T::try_from(value).map(|value| *place = value).is_ok()
}

fn first<T: Default>(list: &mut Vec<T>) -> &mut T {
    if list.is_empty() {
        list.push(T::default());
    }
    &mut list[0]
}

macro_rules! text {
    ($variant:ident, $m:ident => $place:expr) => {
        Slot::Text(|envelope| match &mut envelope.message {
            Message::$variant($m) => $place,
            other => panic!("not a {}: {other:?}", stringify!($variant)),
        })
    };
}

macro_rules! name {
    ($variant:ident, $m:ident => $place:expr) => {
        Slot::Name(|envelope| match &mut envelope.message {
            Message::$variant($m) => $place,
            other => panic!("not a {}: {other:?}", stringify!($variant)),
        })
    };
}

macro_rules! number {
    ($variant:ident, $m:ident => $place:expr) => {
        Slot::Number(|envelope, value| match &mut envelope.message {
            Message::$variant($m) => set($place, value),
            other => panic!("not a {}: {other:?}", stringify!($variant)),
        })
    };
}

macro_rules! operation {
    ($index:literal, $variant:ident, $field:ident) => {
        Slot::Text(|envelope| match &mut envelope.message {
            Message::ChangeDUState(m) => match &mut m.operations[$index] {
                Operation::$variant { $field, .. } => operation_field($field),
                other => panic!("not an {}: {other:?}", stringify!($variant)),
            },
            other => panic!("not a ChangeDUState: {other:?}"),
        })
    };
}

/// A required or an optional field of an operation.
trait OperationField {
    fn value(&mut self) -> &mut String;
}

impl OperationField for String {
    fn value(&mut self) -> &mut String {
        self
    }
}

impl OperationField for Option<String> {
    fn value(&mut self) -> &mut String {
        self.get_or_insert_default()
    }
}

fn operation_field(field: &mut impl OperationField) -> &mut String {
    field.value()
}

fn cwmp_fault(message: &mut Message) -> &mut CwmpFault {
    match message {
        Message::Fault(fault) => fault.detail.as_mut().expect("the sample fault has a detail"),
        other => panic!("not a Fault: {other:?}"),
    }
}

/// The model's place for every leaf the encoder writes, by XSD path.
fn slots() -> BTreeMap<&'static str, Slot> {
    BTreeMap::from([
        ("ID", Slot::Name(|e| e.header.id.get_or_insert_default())),
        (
            "SessionTimeout",
            Slot::Number(|e, v| set(e.header.session_timeout.get_or_insert_default(), v)),
        ),
        (
            "SupportedCWMPVersions",
            Slot::Text(|e| e.header.supported_cwmp_versions.get_or_insert_default()),
        ),
        ("UseCWMPVersion", Slot::Text(|e| e.header.use_cwmp_version.get_or_insert_default())),
        ("AddObject/ObjectName", text!(AddObject, m => &mut m.object_name)),
        ("AddObject/ParameterKey", text!(AddObject, m => &mut m.parameter_key)),
        (
            "AddObjectResponse/InstanceNumber",
            number!(AddObjectResponse, m => &mut m.instance_number),
        ),
        ("AddObjectResponse/Status", number!(AddObjectResponse, m => &mut m.status)),
        (
            "AutonomousDUStateChangeComplete/Results/CurrentState",
            text!(AutonomousDUStateChangeComplete, m => &mut m.results[0].current_state),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/DeploymentUnitRef",
            text!(AutonomousDUStateChangeComplete, m => &mut m.results[0].deployment_unit_ref),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/ExecutionUnitRefList",
            text!(AutonomousDUStateChangeComplete, m => &mut m.results[0].execution_unit_ref_list),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/Fault/FaultCode",
            number!(AutonomousDUStateChangeComplete, m => &mut m.results[0].fault.fault_code),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/Fault/FaultString",
            text!(AutonomousDUStateChangeComplete, m => &mut m.results[0].fault.fault_string),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/OperationPerformed",
            text!(AutonomousDUStateChangeComplete, m => m.results[0].operation_performed.get_or_insert_default()),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/UUID",
            text!(AutonomousDUStateChangeComplete, m => &mut m.results[0].uuid),
        ),
        (
            "AutonomousDUStateChangeComplete/Results/Version",
            text!(AutonomousDUStateChangeComplete, m => &mut m.results[0].version),
        ),
        (
            "AutonomousTransferComplete/AnnounceURL",
            text!(AutonomousTransferComplete, m => &mut m.announce_url),
        ),
        (
            "AutonomousTransferComplete/TransferURL",
            text!(AutonomousTransferComplete, m => &mut m.transfer_url),
        ),
        (
            "AutonomousTransferComplete/FaultStruct/FaultCode",
            number!(AutonomousTransferComplete, m => &mut m.fault_struct.fault_code),
        ),
        (
            "AutonomousTransferComplete/FaultStruct/FaultString",
            text!(AutonomousTransferComplete, m => &mut m.fault_struct.fault_string),
        ),
        (
            "AutonomousTransferComplete/FileType",
            text!(AutonomousTransferComplete, m => &mut m.file_type),
        ),
        (
            "AutonomousTransferComplete/TargetFileName",
            text!(AutonomousTransferComplete, m => &mut m.target_file_name),
        ),
        ("CancelTransfer/CommandKey", text!(CancelTransfer, m => &mut m.command_key)),
        (
            "ChangeDUState/CommandKey",
            text!(ChangeDUState, m => m.command_key.get_or_insert_default()),
        ),
        ("ChangeDUState/Operations{InstallOpStruct}/URL", operation!(0, Install, url)),
        ("ChangeDUState/Operations{InstallOpStruct}/UUID", operation!(0, Install, uuid)),
        ("ChangeDUState/Operations{InstallOpStruct}/Username", operation!(0, Install, username)),
        ("ChangeDUState/Operations{InstallOpStruct}/Password", operation!(0, Install, password)),
        (
            "ChangeDUState/Operations{InstallOpStruct}/ExecutionEnvRef",
            operation!(0, Install, execution_env_ref),
        ),
        ("ChangeDUState/Operations{UpdateOpStruct}/UUID", operation!(1, Update, uuid)),
        ("ChangeDUState/Operations{UpdateOpStruct}/Version", operation!(1, Update, version)),
        ("ChangeDUState/Operations{UpdateOpStruct}/URL", operation!(1, Update, url)),
        ("ChangeDUState/Operations{UpdateOpStruct}/Username", operation!(1, Update, username)),
        ("ChangeDUState/Operations{UpdateOpStruct}/Password", operation!(1, Update, password)),
        ("ChangeDUState/Operations{UninstallOpStruct}/UUID", operation!(2, Uninstall, uuid)),
        ("ChangeDUState/Operations{UninstallOpStruct}/Version", operation!(2, Uninstall, version)),
        (
            "ChangeDUState/Operations{UninstallOpStruct}/ExecutionEnvRef",
            operation!(2, Uninstall, execution_env_ref),
        ),
        (
            "DUStateChangeComplete/CommandKey",
            text!(DUStateChangeComplete, m => m.command_key.get_or_insert_default()),
        ),
        (
            "DUStateChangeComplete/Results/CurrentState",
            text!(DUStateChangeComplete, m => &mut m.results[0].current_state),
        ),
        (
            "DUStateChangeComplete/Results/DeploymentUnitRef",
            text!(DUStateChangeComplete, m => &mut m.results[0].deployment_unit_ref),
        ),
        (
            "DUStateChangeComplete/Results/ExecutionUnitRefList",
            text!(DUStateChangeComplete, m => &mut m.results[0].execution_unit_ref_list),
        ),
        (
            "DUStateChangeComplete/Results/Fault/FaultCode",
            number!(DUStateChangeComplete, m => &mut m.results[0].fault.fault_code),
        ),
        (
            "DUStateChangeComplete/Results/Fault/FaultString",
            text!(DUStateChangeComplete, m => &mut m.results[0].fault.fault_string),
        ),
        (
            "DUStateChangeComplete/Results/UUID",
            text!(DUStateChangeComplete, m => &mut m.results[0].uuid),
        ),
        (
            "DUStateChangeComplete/Results/Version",
            text!(DUStateChangeComplete, m => &mut m.results[0].version),
        ),
        ("DeleteObject/ObjectName", text!(DeleteObject, m => &mut m.object_name)),
        ("DeleteObject/ParameterKey", text!(DeleteObject, m => &mut m.parameter_key)),
        ("DeleteObjectResponse/Status", number!(DeleteObjectResponse, m => &mut m.status)),
        ("Download/CommandKey", text!(Download, m => &mut m.command_key)),
        ("Download/FileType", text!(Download, m => &mut m.file_type)),
        ("Download/URL", text!(Download, m => &mut m.url)),
        ("Download/Username", text!(Download, m => &mut m.username)),
        ("Download/Password", text!(Download, m => &mut m.password)),
        ("Download/TargetFileName", text!(Download, m => &mut m.target_file_name)),
        ("Download/SuccessURL", text!(Download, m => &mut m.success_url)),
        ("Download/FailureURL", text!(Download, m => &mut m.failure_url)),
        ("DownloadResponse/Status", number!(DownloadResponse, m => &mut m.status)),
        ("UploadResponse/Status", number!(UploadResponse, m => &mut m.status)),
        (
            "Fault/FaultCode",
            Slot::Number(|e, v| set(&mut cwmp_fault(&mut e.message).fault_code, v)),
        ),
        ("Fault/FaultString", Slot::Text(|e| &mut cwmp_fault(&mut e.message).fault_string)),
        (
            "Fault/SetParameterValuesFault/ParameterName",
            Slot::Text(|e| {
                &mut first(&mut cwmp_fault(&mut e.message).set_parameter_values_faults)
                    .parameter_name
            }),
        ),
        (
            "Fault/SetParameterValuesFault/FaultCode",
            Slot::Number(|e, v| {
                set(
                    &mut first(&mut cwmp_fault(&mut e.message).set_parameter_values_faults)
                        .fault_code,
                    v,
                )
            }),
        ),
        (
            "Fault/SetParameterValuesFault/FaultString",
            Slot::Text(|e| {
                &mut first(&mut cwmp_fault(&mut e.message).set_parameter_values_faults).fault_string
            }),
        ),
        (
            "GetAllQueuedTransfersResponse/TransferList/AllQueuedTransferStruct/CommandKey",
            text!(GetAllQueuedTransfersResponse, m => &mut first(&mut m.transfer_list).command_key),
        ),
        (
            "GetAllQueuedTransfersResponse/TransferList/AllQueuedTransferStruct/State",
            number!(GetAllQueuedTransfersResponse, m => &mut first(&mut m.transfer_list).state),
        ),
        (
            "GetAllQueuedTransfersResponse/TransferList/AllQueuedTransferStruct/FileType",
            text!(GetAllQueuedTransfersResponse, m => &mut first(&mut m.transfer_list).file_type),
        ),
        (
            "GetAllQueuedTransfersResponse/TransferList/AllQueuedTransferStruct/TargetFileName",
            text!(GetAllQueuedTransfersResponse, m => &mut first(&mut m.transfer_list).target_file_name),
        ),
        ("GetOptions/OptionName", text!(GetOptions, m => &mut m.option_name)),
        (
            "GetOptionsResponse/OptionList/OptionStruct/OptionName",
            text!(GetOptionsResponse, m => &mut first(&mut m.option_list).option_name),
        ),
        (
            "GetOptionsResponse/OptionList/OptionStruct/State",
            number!(GetOptionsResponse, m => &mut first(&mut m.option_list).state),
        ),
        (
            "GetOptionsResponse/OptionList/OptionStruct/Mode",
            number!(GetOptionsResponse, m => &mut first(&mut m.option_list).mode),
        ),
        (
            "GetOptionsResponse/OptionList/OptionStruct/IsTransferable",
            number!(GetOptionsResponse, m => &mut first(&mut m.option_list).is_transferable),
        ),
        (
            "GetParameterAttributes/ParameterNames/string",
            text!(GetParameterAttributes, m => first(&mut m.parameter_names)),
        ),
        (
            "GetParameterAttributesResponse/ParameterList/ParameterAttributeStruct/Name",
            name!(GetParameterAttributesResponse, m => &mut first(&mut m.parameter_list).name),
        ),
        (
            "GetParameterAttributesResponse/ParameterList/ParameterAttributeStruct/Notification",
            number!(GetParameterAttributesResponse, m => &mut first(&mut m.parameter_list).notification),
        ),
        (
            "GetParameterAttributesResponse/ParameterList/ParameterAttributeStruct/AccessList/string",
            text!(GetParameterAttributesResponse, m => first(&mut first(&mut m.parameter_list).access_list)),
        ),
        ("GetParameterNames/ParameterPath", text!(GetParameterNames, m => &mut m.parameter_path)),
        (
            "GetParameterNamesResponse/ParameterList/ParameterInfoStruct/Name",
            name!(GetParameterNamesResponse, m => &mut first(&mut m.parameter_list).name),
        ),
        (
            "GetParameterValues/ParameterNames/string",
            name!(GetParameterValues, m => first(&mut m.parameter_names)),
        ),
        (
            "GetParameterValuesResponse/ParameterList/ParameterValueStruct/Name",
            name!(GetParameterValuesResponse, m => &mut first(&mut m.parameter_list).name),
        ),
        (
            "GetQueuedTransfersResponse/TransferList/QueuedTransferStruct/CommandKey",
            text!(GetQueuedTransfersResponse, m => &mut first(&mut m.transfer_list).command_key),
        ),
        (
            "GetQueuedTransfersResponse/TransferList/QueuedTransferStruct/State",
            number!(GetQueuedTransfersResponse, m => &mut first(&mut m.transfer_list).state),
        ),
        (
            "GetRPCMethodsResponse/MethodList/string",
            text!(GetRPCMethodsResponse, m => first(&mut m.method_list)),
        ),
        ("Inform/DeviceId/Manufacturer", text!(Inform, m => &mut m.device_id.manufacturer)),
        ("Inform/DeviceId/OUI", text!(Inform, m => &mut m.device_id.oui)),
        ("Inform/DeviceId/ProductClass", text!(Inform, m => &mut m.device_id.product_class)),
        ("Inform/DeviceId/SerialNumber", text!(Inform, m => &mut m.device_id.serial_number)),
        (
            "Inform/Event/EventStruct/EventCode",
            text!(Inform, m => &mut first(&mut m.events).event_code),
        ),
        (
            "Inform/Event/EventStruct/CommandKey",
            text!(Inform, m => &mut first(&mut m.events).command_key),
        ),
        (
            "Inform/ParameterList/ParameterValueStruct/Name",
            name!(Inform, m => &mut first(&mut m.parameter_list).name),
        ),
        ("Kicked/Command", text!(Kicked, m => &mut m.command)),
        ("Kicked/Referer", text!(Kicked, m => &mut m.referer)),
        ("Kicked/Arg", text!(Kicked, m => &mut m.arg)),
        ("Kicked/Next", text!(Kicked, m => &mut m.next)),
        ("KickedResponse/NextURL", text!(KickedResponse, m => &mut m.next_url)),
        ("Reboot/CommandKey", text!(Reboot, m => &mut m.command_key)),
        ("RequestDownload/FileType", text!(RequestDownload, m => &mut m.file_type)),
        (
            "RequestDownload/FileTypeArg/ArgStruct/Name",
            text!(RequestDownload, m => &mut first(&mut m.file_type_arg).name),
        ),
        (
            "RequestDownload/FileTypeArg/ArgStruct/Value",
            text!(RequestDownload, m => &mut first(&mut m.file_type_arg).value),
        ),
        ("ScheduleDownload/CommandKey", text!(ScheduleDownload, m => &mut m.command_key)),
        ("ScheduleDownload/FileType", text!(ScheduleDownload, m => &mut m.file_type)),
        ("ScheduleDownload/URL", text!(ScheduleDownload, m => &mut m.url)),
        ("ScheduleDownload/Username", text!(ScheduleDownload, m => &mut m.username)),
        ("ScheduleDownload/Password", text!(ScheduleDownload, m => &mut m.password)),
        ("ScheduleDownload/TargetFileName", text!(ScheduleDownload, m => &mut m.target_file_name)),
        (
            "ScheduleDownload/TimeWindowList/TimeWindowStruct/WindowMode",
            text!(ScheduleDownload, m => &mut first(&mut m.time_window_list).window_mode),
        ),
        (
            "ScheduleDownload/TimeWindowList/TimeWindowStruct/UserMessage",
            text!(ScheduleDownload, m => &mut first(&mut m.time_window_list).user_message),
        ),
        ("ScheduleInform/CommandKey", text!(ScheduleInform, m => &mut m.command_key)),
        (
            "SetParameterAttributes/ParameterList/SetParameterAttributesStruct/Name",
            name!(SetParameterAttributes, m => &mut first(&mut m.parameter_list).name),
        ),
        (
            "SetParameterAttributes/ParameterList/SetParameterAttributesStruct/Notification",
            number!(SetParameterAttributes, m => &mut first(&mut m.parameter_list).notification),
        ),
        (
            "SetParameterAttributes/ParameterList/SetParameterAttributesStruct/AccessList/string",
            text!(SetParameterAttributes, m => first(&mut first(&mut m.parameter_list).access_list)),
        ),
        ("SetParameterValues/ParameterKey", text!(SetParameterValues, m => &mut m.parameter_key)),
        (
            "SetParameterValues/ParameterList/ParameterValueStruct/Name",
            name!(SetParameterValues, m => &mut first(&mut m.parameter_list).name),
        ),
        (
            "SetParameterValuesResponse/Status",
            number!(SetParameterValuesResponse, m => &mut m.status),
        ),
        ("TransferComplete/CommandKey", text!(TransferComplete, m => &mut m.command_key)),
        (
            "TransferComplete/FaultStruct/FaultCode",
            number!(TransferComplete, m => &mut m.fault_struct.fault_code),
        ),
        (
            "TransferComplete/FaultStruct/FaultString",
            text!(TransferComplete, m => &mut m.fault_struct.fault_string),
        ),
        ("Upload/CommandKey", text!(Upload, m => &mut m.command_key)),
        ("Upload/FileType", text!(Upload, m => &mut m.file_type)),
        ("Upload/URL", text!(Upload, m => &mut m.url)),
        ("Upload/Username", text!(Upload, m => &mut m.username)),
        ("Upload/Password", text!(Upload, m => &mut m.password)),
    ])
}

/// Leaves whose value the XSD types but does not restrict, and the model
/// types the same way (or leaves to `xsi:type`): nothing to prove here.
fn needs_slot(leaf: &Leaf) -> bool {
    match leaf.simple.builtin() {
        Some("anySimpleType" | "boolean" | "dateTime") => false,
        Some("int" | "unsignedInt") => !leaf.simple.facets().is_empty(),
        _ => !matches!(leaf.simple, Simple::Foreign(_)),
    }
}

const HEADERS: &[&str] =
    &["ID", "HoldRequests", "SessionTimeout", "SupportedCWMPVersions", "UseCWMPVersion"];

/// The element path the encoder writes a leaf at, below `Envelope`.
fn encoded_path(xsd_path: &str) -> String {
    let plain: String = {
        let mut plain = String::new();
        let mut in_braces = false;
        for c in xsd_path.chars() {
            match c {
                '{' => in_braces = true,
                '}' => in_braces = false,
                _ if !in_braces => plain.push(c),
                _ => {}
            }
        }
        plain
    };
    if HEADERS.contains(&xsd_path) {
        format!("Envelope/Header/{plain}")
    } else if let Some(rest) = plain.strip_prefix("Fault/") {
        format!("Envelope/Body/Fault/detail/Fault/{rest}")
    } else {
        format!("Envelope/Body/{plain}")
    }
}

/// The valid sample envelope that carries a leaf (headers ride on a Reboot).
fn sample_for(xsd_path: &str, version: CwmpVersion) -> Envelope {
    static SAMPLES: std::sync::LazyLock<Vec<Message>> = std::sync::LazyLock::new(samples);
    let name = if HEADERS.contains(&xsd_path) {
        "Reboot"
    } else {
        xsd_path.split(['/', '{']).next().expect("a message name")
    };
    let message = SAMPLES.iter().find(|m| m.name() == name);
    let message = message.unwrap_or_else(|| panic!("no sample {name}")).clone();
    Envelope { version, header: header_for(version), message }
}

fn put(envelope: &mut Envelope, slot: Slot, probe: &Probe) -> bool {
    match (slot, probe) {
        (Slot::Text(place), Probe::Text(text)) => {
            *place(envelope) = text.clone();
            true
        }
        (Slot::Name(place), Probe::Text(text)) => {
            *place(envelope) = text.as_str().into();
            true
        }
        (Slot::Number(place), Probe::Number(number)) => place(envelope, *number),
        _ => panic!("a probe of the wrong kind"),
    }
}

// ---------------------------------------------------------------------------
// Putting a refused value into otherwise valid XML, for xmllint.

/// Escapes as the encoder does.
fn escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
    out
}

/// Where the first element at `xsd_path` is in `xml`: from its `<` to past
/// its end tag, and its content. A segment `Operations{UpdateOpStruct}`
/// matches only that `xsi:type`.
struct Span {
    outer: std::ops::Range<usize>,
    content: std::ops::Range<usize>,
}

fn element_at(xml: &str, xsd_path: &str) -> Span {
    let wanted: Vec<(String, Option<String>)> = encoded_path_with_types(xsd_path);
    let mut reader = Reader::from_str(xml);
    let position =
        |reader: &Reader<&[u8]>| usize::try_from(reader.buffer_position()).expect("fits");
    // Whether each open element is on the wanted path.
    let mut open: Vec<bool> = Vec::new();
    let mut found: Option<(usize, usize)> = None;
    loop {
        let before = position(&reader);
        match reader.read_event().expect("the encoder writes well-formed XML") {
            Event::Start(start) => {
                let on_path = found.is_none()
                    && open.iter().all(|&on| on)
                    && wanted.get(open.len()).is_some_and(|(name, xsi_type)| {
                        start.local_name().as_ref() == name.as_str()
                            && xsi_type.as_ref().is_none_or(|wanted_type| {
                                start.attributes().flatten().any(|a| {
                                    a.key.local_name().as_ref() == "type"
                                        && a.value.ends_with(&format!(":{wanted_type}"))
                                })
                            })
                    });
                open.push(on_path);
                if on_path && open.len() == wanted.len() {
                    found = Some((before, position(&reader)));
                }
            }
            Event::End(_) => {
                if let Some((outer_start, content_start)) =
                    found.filter(|_| open.len() == wanted.len())
                {
                    return Span {
                        outer: outer_start..position(&reader),
                        content: content_start..before,
                    };
                }
                open.pop();
            }
            Event::Eof => panic!("no {xsd_path} in\n{xml}"),
            _ => {}
        }
    }
}

/// `xml` with the text of the element at `xsd_path` replaced by `text`.
fn with_text_at(xml: &str, xsd_path: &str, text: &str) -> String {
    let Span { content, .. } = element_at(xml, xsd_path);
    format!("{}{}{}", &xml[..content.start], escaped(text), &xml[content.end..])
}

/// `xml` with the first element at `xsd_path` written twice, or left out.
fn with_one_more_or_less(xml: &str, xsd_path: &str, more: bool) -> String {
    let Span { outer, .. } = element_at(xml, xsd_path);
    match more {
        true => format!("{}{}{}", &xml[..outer.end], &xml[outer.clone()], &xml[outer.end..]),
        false => format!("{}{}", &xml[..outer.start], &xml[outer.end..]),
    }
}

fn encoded_path_with_types(xsd_path: &str) -> Vec<(String, Option<String>)> {
    let types: BTreeMap<&str, &str> = xsd_path
        .split('/')
        .filter_map(|segment| segment.split_once('{'))
        .map(|(name, rest)| (name, rest.trim_end_matches('}')))
        .collect();
    encoded_path(xsd_path)
        .split('/')
        .map(|name| (name.to_owned(), types.get(name).map(|t| (*t).to_owned())))
        .collect()
}

// ---------------------------------------------------------------------------
// The proof.

const SCHEMA_FILES: &[(&str, CwmpVersion)] = &[
    ("cwmp-1-0.xsd", CwmpVersion::V1_0),
    ("cwmp-1-1.xsd", CwmpVersion::V1_1),
    ("cwmp-1-2.xsd", CwmpVersion::V1_2),
    ("cwmp-1-3.xsd", CwmpVersion::V1_2),
    ("cwmp-1-4.xsd", CwmpVersion::V1_2),
];

/// A probe value at a leaf, what the facets say of it, and what the encoder did.
struct Judged {
    probe: Probe,
    broken: Vec<Broken>,
    encoded: Result<String, EncodeError>,
}

/// One probe's XML handed to xmllint, and what the XSD reading says of it.
struct Confirmation {
    file: PathBuf,
    /// The probe, for a failure message.
    what: String,
    valid: bool,
    /// What xmllint's error must mention when invalid (the element at fault).
    mentions: Vec<String>,
}

/// Runs xmllint over every probe (one run per XSD, in parallel) and lists
/// where its verdict differs from the XSD reading's.
fn disagreements(confirmations: &[(&str, Vec<Confirmation>)]) -> Vec<String> {
    let verdicts: Vec<BTreeMap<PathBuf, Verdict>> = std::thread::scope(|scope| {
        let runs: Vec<_> = confirmations
            .iter()
            .map(|(file, list)| {
                let files: Vec<PathBuf> = list.iter().map(|c| c.file.clone()).collect();
                scope.spawn(move || xmllint(&xsd_path(file), &files))
            })
            .collect();
        runs.into_iter().map(|run| run.join().expect("xmllint thread")).collect()
    });
    let mut disagreements = Vec::new();
    for ((file, list), verdicts) in confirmations.iter().zip(&verdicts) {
        for confirmation in list {
            let verdict = &verdicts[&confirmation.file];
            let mentioned = |errors: &Vec<String>| {
                errors.iter().any(|e| confirmation.mentions.iter().any(|m| e.contains(m.as_str())))
            };
            match (confirmation.valid, verdict) {
                (true, Ok(())) => {}
                (false, Err(errors)) if mentioned(errors) => {}
                (valid, verdict) => disagreements.push(format!(
                    "{file} {}: the XSD reading says {}, xmllint says {verdict:?}",
                    confirmation.what,
                    if valid { "valid" } else { "invalid" },
                )),
            }
        }
    }
    disagreements
}

/// The type of a leaf without where it is written, so that leaves of one
/// type (CommandKeyType, say) need xmllint to confirm a probe only once.
fn signature(simple: &Simple) -> String {
    match simple {
        Simple::Builtin(name) | Simple::Foreign(name) => name.clone(),
        Simple::Restriction { base, facets } => {
            let facets: Vec<String> =
                facets.iter().map(|f| format!("{:?}{:?}", f.kind, f.values)).collect();
            format!("{}[{}]", signature(base), facets.join(","))
        }
        Simple::Union { members, .. } => {
            format!("union({})", members.iter().map(signature).collect::<Vec<_>>().join("|"))
        }
    }
}

/// What is wrong with the encoder's verdict on one probe.
fn check_verdict(judged: &Judged, expected_path: &str, by_hand: &str) -> Option<String> {
    let broken = &judged.broken;
    match (broken.is_empty(), &judged.encoded) {
        (true, Ok(xml)) => (*xml != by_hand).then(|| format!("not written as given:\n{xml}")),
        (true, Err(error)) => Some(format!("refused though the XSD allows it: {error}")),
        (false, Ok(_)) => Some(format!("accepted though it breaks {broken:?}")),
        (false, Err(error)) if error.path != expected_path => {
            Some(format!("refused at {}, not {expected_path}", error.path))
        }
        (false, Err(error)) => {
            let names: Vec<String> = broken.iter().map(Broken::name).collect();
            (!names.iter().any(|name| error.facet.contains(name.as_str())))
                .then(|| format!("refusal names `{}`, none of {names:?}", error.facet))
        }
    }
}

/// Whether the probes exercise every facet of the leaf: some probe breaks
/// that facet alone (or with the pattern, for a `length` a pattern implies),
/// unless the other facets leave no value that could, and a maxLength is met
/// exactly by a valid probe; a union has a probe each member accepts, and one
/// none does (unless a member is open).
fn coverage_gaps(leaf: &Leaf, judged: &[Judged]) -> Vec<String> {
    let mut gaps = Vec::new();
    if let Simple::Union { members, .. } = &leaf.simple {
        for member in members {
            if !judged.iter().any(|j| violations(member, &j.probe.text()).is_empty()) {
                gaps.push(format!("no probe fits the member {}", signature(member)));
            }
        }
        let open = members.iter().any(|member| member.facets().is_empty());
        if !open && judged.iter().all(|j| j.broken.is_empty()) {
            gaps.push("no probe breaks the union".to_owned());
        }
        return gaps;
    }
    let facets = leaf.simple.facets();
    let enumerated = facets.iter().any(|f| f.kind == Kind::Enumeration);
    for facet in &facets {
        let is_this = |b: &Broken| matches!(b, Broken::Facet { at, kind, .. } if *at == facet.at && *kind == facet.kind);
        let alone = |j: &&Judged| {
            j.broken.iter().all(|b| {
                is_this(b)
                    || facet.kind == Kind::Length
                        && matches!(b, Broken::Facet { kind: Kind::Pattern, .. })
            })
        };
        let broken_alone = judged.iter().filter(alone).any(|j| j.broken.iter().any(is_this));
        let broken_at_all = judged.iter().any(|j| j.broken.iter().any(is_this));
        if !broken_at_all || !broken_alone && !implied_by_others(facet, &facets) {
            gaps.push(format!("no probe breaks {:?} of {} alone", facet.kind, facet.at));
        }
        // (An enumeration may leave no value of that length.)
        if facet.kind == Kind::MaxLength && !enumerated {
            let limit: usize = facet.values[0].parse().expect("a length");
            let met = judged.iter().any(|j| {
                j.broken.is_empty()
                    && matches!(&j.probe, Probe::Text(t) if t.chars().count() == limit)
            });
            if !met {
                gaps.push(format!("no valid probe has {limit} characters"));
            }
        }
    }
    gaps
}

/// Whether another enumeration of the leaf already keeps every value within
/// `facet` (a maxLength longer than every enumerated value, or a redefined
/// enumeration that repeats the one it restricts).
fn implied_by_others(facet: &Facet, facets: &[&Facet]) -> bool {
    facets.iter().filter(|other| other.at != facet.at && other.kind == Kind::Enumeration).any(
        |other| match facet.kind {
            Kind::MaxLength => {
                let limit: usize = facet.values[0].parse().expect("a length");
                other.values.iter().all(|value| value.chars().count() <= limit)
            }
            Kind::Enumeration => other.values.iter().all(|value| facet.values.contains(value)),
            _ => false,
        },
    )
}

/// Whether xmllint should confirm the facets' verdict on a probe: every probe
/// of a patterned, enumerated, ranged or union leaf; of a leaf with at most a
/// maxLength, its length boundaries and the odd text.
fn worth_confirming(leaf: &Leaf, judged: &Judged) -> bool {
    let plain = !matches!(leaf.simple, Simple::Union { .. })
        && leaf.simple.facets().iter().all(|f| f.kind == Kind::MaxLength);
    match &judged.probe {
        Probe::Text(text) if plain => {
            text.starts_with(ODD)
                || text.chars().count() > 1 && judged.broken.iter().all(Broken::is_length)
        }
        _ => true,
    }
}

#[test]
fn the_encoder_enforces_exactly_the_facets_of_each_xsd() {
    let slots = slots();
    let mut used_slots = BTreeSet::new();
    let mut failures: Vec<String> = Vec::new();
    let mut confirmations: Vec<(&str, Vec<Confirmation>)> = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    let directory = scratch_directory("xsd-facets");
    for &(file, version) in SCHEMA_FILES {
        let mut to_confirm = Vec::new();
        let mut confirmed: BTreeSet<(String, Probe)> = BTreeSet::new();
        for leaf in Schema::load(file).walk().leaves {
            let Some(&slot) = slots.get(leaf.path.as_str()) else {
                if needs_slot(&leaf) {
                    failures.push(format!("{}: {} has no slot in the model", leaf.at, leaf.path));
                }
                continue;
            };
            used_slots.insert(leaf.path.clone());
            let probes = match slot {
                Slot::Text(_) | Slot::Name(_) => text_probes(&leaf.simple),
                Slot::Number(_) => number_probes(&leaf.simple),
            };
            let mut judged: Vec<Judged> = Vec::new();
            for probe in probes {
                let mut envelope = sample_for(&leaf.path, version);
                if put(&mut envelope, slot, &probe) {
                    let broken = violations(&leaf.simple, &probe.text());
                    judged.push(Judged { probe, broken, encoded: encode(&envelope, version) });
                }
            }
            // Refused values reach xmllint in the encoding of a valid one.
            let Some(valid_xml) = judged
                .iter()
                .find_map(|j| j.encoded.as_ref().ok().filter(|_| j.broken.is_empty()).cloned())
            else {
                failures.push(format!("{}: no valid probe of {} is accepted", leaf.at, leaf.path));
                continue;
            };
            let expected_path = encoded_path(&leaf.path);
            for j in &judged {
                let by_hand = with_text_at(&valid_xml, &leaf.path, &j.probe.text());
                match &j.encoded {
                    Ok(_) => accepted += 1,
                    Err(_) => refused += 1,
                }
                if let Some(failure) = check_verdict(j, &expected_path, &by_hand) {
                    failures.push(format!("{file} {} = {:?}: {failure}", leaf.path, j.probe));
                }
                let first_of_its_type =
                    confirmed.insert((signature(&leaf.simple), j.probe.clone()));
                if first_of_its_type && worth_confirming(&leaf, j) {
                    let path = directory.join(format!("{file}-{}.xml", to_confirm.len()));
                    std::fs::write(&path, &by_hand).expect("write");
                    let element = leaf.path.rsplit('/').next().expect("a name");
                    let element = element.split('{').next().expect("a name");
                    to_confirm.push(Confirmation {
                        file: path,
                        what: format!("{} = {:?}", leaf.path, j.probe),
                        valid: j.broken.is_empty(),
                        mentions: vec![format!("Element '{element}'")],
                    });
                }
            }
            for gap in coverage_gaps(&leaf, &judged) {
                failures.push(format!("{}: {}: {gap}", leaf.at, leaf.path));
            }
        }
        confirmations.push((file, to_confirm));
    }
    for path in slots.keys() {
        if !used_slots.contains(*path) {
            failures.push(format!("slot {path} is a leaf of no XSD"));
        }
    }
    let confirmed: usize = confirmations.iter().map(|(_, list)| list.len()).sum();
    failures.extend(disagreements(&confirmations));
    let _ = std::fs::remove_dir_all(&directory);
    println!("probes accepted {accepted}, refused {refused}; xmllint confirmed {confirmed}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Occurrence bounds: not facets, but the same promise of schema-valid output.

/// Sets how many items a repeated element has.
type CountSlot = fn(&mut Envelope, usize);

/// Resizes a list with copies of its first item (or of `filler`).
fn resize<T: Clone>(list: &mut Vec<T>, count: usize, filler: T) {
    let item = list.first().cloned().unwrap_or(filler);
    list.resize(count, item);
}

macro_rules! count {
    ($variant:ident, $m:ident => $list:expr) => {
        count!($variant, $m => $list, Default::default())
    };
    ($variant:ident, $m:ident => $list:expr, $filler:expr) => {{
        let slot: CountSlot = |envelope, count| match &mut envelope.message {
            Message::$variant($m) => resize($list, count, $filler),
            other => panic!("not a {}: {other:?}", stringify!($variant)),
        };
        slot
    }};
}

/// The model's list for every repeated element, by XSD path.
fn count_slots() -> BTreeMap<&'static str, CountSlot> {
    let faults: CountSlot = |e, count| {
        resize(
            &mut cwmp_fault(&mut e.message).set_parameter_values_faults,
            count,
            Default::default(),
        )
    };
    BTreeMap::from([
        (
            "AutonomousDUStateChangeComplete/Results",
            count!(AutonomousDUStateChangeComplete, m => &mut m.results),
        ),
        (
            "ChangeDUState/Operations",
            count!(ChangeDUState, m => &mut m.operations, Operation::Uninstall { uuid: "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(), version: None, execution_env_ref: None }),
        ),
        ("DUStateChangeComplete/Results", count!(DUStateChangeComplete, m => &mut m.results)),
        ("Fault/SetParameterValuesFault", faults),
        (
            "GetAllQueuedTransfersResponse/TransferList/AllQueuedTransferStruct",
            count!(GetAllQueuedTransfersResponse, m => &mut m.transfer_list),
        ),
        (
            "GetOptionsResponse/OptionList/OptionStruct",
            count!(GetOptionsResponse, m => &mut m.option_list),
        ),
        (
            "GetParameterAttributes/ParameterNames/string",
            count!(GetParameterAttributes, m => &mut m.parameter_names),
        ),
        (
            "GetParameterAttributesResponse/ParameterList/ParameterAttributeStruct",
            count!(GetParameterAttributesResponse, m => &mut m.parameter_list),
        ),
        (
            "GetParameterAttributesResponse/ParameterList/ParameterAttributeStruct/AccessList/string",
            count!(GetParameterAttributesResponse, m => &mut first(&mut m.parameter_list).access_list, "Subscriber".to_owned()),
        ),
        (
            "GetParameterNamesResponse/ParameterList/ParameterInfoStruct",
            count!(GetParameterNamesResponse, m => &mut m.parameter_list),
        ),
        (
            "GetParameterValues/ParameterNames/string",
            count!(GetParameterValues, m => &mut m.parameter_names),
        ),
        (
            "GetParameterValuesResponse/ParameterList/ParameterValueStruct",
            count!(GetParameterValuesResponse, m => &mut m.parameter_list),
        ),
        (
            "GetQueuedTransfersResponse/TransferList/QueuedTransferStruct",
            count!(GetQueuedTransfersResponse, m => &mut m.transfer_list),
        ),
        (
            "GetRPCMethodsResponse/MethodList/string",
            count!(GetRPCMethodsResponse, m => &mut m.method_list),
        ),
        ("Inform/Event/EventStruct", count!(Inform, m => &mut m.events)),
        ("Inform/ParameterList/ParameterValueStruct", count!(Inform, m => &mut m.parameter_list)),
        (
            "RequestDownload/FileTypeArg/ArgStruct",
            count!(RequestDownload, m => &mut m.file_type_arg),
        ),
        (
            "ScheduleDownload/TimeWindowList/TimeWindowStruct",
            count!(ScheduleDownload, m => &mut m.time_window_list),
        ),
        (
            "SetParameterAttributes/ParameterList/SetParameterAttributesStruct",
            count!(SetParameterAttributes, m => &mut m.parameter_list),
        ),
        (
            "SetParameterAttributes/ParameterList/SetParameterAttributesStruct/AccessList/string",
            count!(SetParameterAttributes, m => &mut first(&mut m.parameter_list).access_list, "Subscriber".to_owned()),
        ),
        (
            "SetParameterValues/ParameterList/ParameterValueStruct",
            count!(SetParameterValues, m => &mut m.parameter_list),
        ),
        ("SetVouchers/VoucherList/base64", count!(SetVouchers, m => &mut m.voucher_list)),
    ])
}

#[test]
fn the_encoder_enforces_the_occurrence_bounds_of_each_xsd() {
    let slots = count_slots();
    let mut used_slots = BTreeSet::new();
    let mut failures: Vec<String> = Vec::new();
    let mut confirmations: Vec<(&str, Vec<Confirmation>)> = Vec::new();
    let directory = scratch_directory("xsd-occurs");
    for &(file, version) in SCHEMA_FILES {
        let mut to_confirm = Vec::new();
        for repeated in Schema::load(file).walk().repeated {
            let Some(&slot) = slots.get(repeated.path.as_str()) else {
                failures
                    .push(format!("{}: {} has no list in the model", repeated.at, repeated.path));
                continue;
            };
            used_slots.insert(repeated.path.clone());
            let (min, max) = (repeated.min, repeated.max);
            let mut counts = BTreeSet::from([min.saturating_sub(1), min, min + 1]);
            counts.extend(max.map_or(vec![20], |max| vec![max, max + 1]));
            let encoded_at = |count: usize| {
                let mut envelope = sample_for(&repeated.path, version);
                slot(&mut envelope, count);
                encode(&envelope, version)
            };
            let element = repeated.path.rsplit('/').next().expect("a name");
            for count in counts {
                let fits = count >= min && max.is_none_or(|max| count <= max);
                let shown = format!("{file} {} × {count}", repeated.path);
                let xml = match (fits, encoded_at(count)) {
                    (true, Ok(xml)) => xml,
                    (true, Err(error)) => {
                        failures
                            .push(format!("{shown}: refused though the XSD allows it: {error}"));
                        continue;
                    }
                    (false, Ok(xml)) => {
                        failures.push(format!("{shown}: accepted though out of {min}..{max:?}"));
                        xml
                    }
                    (false, Err(error)) => {
                        let bound = if count < min {
                            format!("minOccurs {min}")
                        } else {
                            format!("maxOccurs {}", max.expect("bounded"))
                        };
                        if error.path != encoded_path(&repeated.path) || error.facet != bound {
                            failures.push(format!("{shown}: refused as {error:?}, not by {bound}"));
                        }
                        // For xmllint: a valid count's encoding, one item more or less.
                        let near = if count < min { min } else { count - 1 };
                        let near_xml = encoded_at(near).expect("a count within bounds");
                        with_one_more_or_less(&near_xml, &repeated.path, count > near)
                    }
                };
                let path = directory.join(format!("{file}-{}.xml", to_confirm.len()));
                std::fs::write(&path, xml).expect("write");
                to_confirm.push(Confirmation {
                    file: path,
                    what: shown,
                    valid: fits,
                    mentions: vec![format!("Element '{element}'"), format!("( {element} )")],
                });
            }
        }
        confirmations.push((file, to_confirm));
    }
    for path in slots.keys() {
        if !used_slots.contains(*path) {
            failures.push(format!("list {path} is repeated in no XSD"));
        }
    }
    failures.extend(disagreements(&confirmations));
    let _ = std::fs::remove_dir_all(&directory);
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
