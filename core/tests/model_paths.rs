//! Path parsing on arbitrary input: never panics, errors point inside the
//! input, and what parses prints back to the same text.

use cwmpkit_core::model::path::{Path, Segment};
use proptest::prelude::*;

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_-]{0,12}".prop_map(Segment::Name),
        (0u32..100_000).prop_map(Segment::Instance),
        "[a-z][a-z0-9-]{0,8}".prop_map(Segment::Alias),
        Just(Segment::Placeholder),
    ]
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_errors_point_inside(text in "\\PC{0,40}") {
        match Path::parse(&text) {
            Ok(path) => prop_assert_eq!(path.to_string(), text),
            Err(error) => prop_assert!(error.offset <= text.chars().count(), "{error}"),
        }
    }

    #[test]
    fn path_like_text_never_panics(text in "[A-Za-z0-9_.{}\\[\\]-]{0,40}") {
        if let Ok(path) = Path::parse(&text) {
            prop_assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn printed_paths_parse_back(segments in prop::collection::vec(segment(), 1..8), partial in any::<bool>()) {
        let path = Path { segments, partial };
        let text = path.to_string();
        prop_assert_eq!(Path::parse(&text).unwrap(), path);
    }
}
