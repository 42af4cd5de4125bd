//! Property tests of the Scaleway JSON reader and writer: any string survives a write/read
//! round trip, any generated document parses back to what was generated, and no input, however
//! broken, makes the reader panic.
#![cfg(all(feature = "providers", not(target_arch = "wasm32")))]

use keysmith_core::json::{self, Value};
use keysmith_core::scaleway::error::ScalewayError;
use proptest::prelude::*;

/// A JSON document and the value the reader must produce for it.
#[derive(Debug, Clone)]
enum Doc {
    Null,
    Bool(bool),
    Uint(u64),
    Str(String),
    Array(Vec<Doc>),
    Object(Vec<(String, Doc)>),
}

impl Doc {
    fn write(&self, out: &mut String) {
        match self {
            Doc::Null => out.push_str("null"),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Uint(n) => out.push_str(&n.to_string()),
            Doc::Str(s) => json::write_string(out, s),
            Doc::Array(items) => {
                out.push_str("[ ");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" ,\n");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Doc::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json::write_string(out, k);
                    out.push_str("\t:");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    fn matches(&self, value: &Value<'_>) -> bool {
        match (self, value) {
            (Doc::Null, Value::Null) => true,
            (Doc::Bool(a), Value::Bool(b)) => a == b,
            (Doc::Uint(n), v) => v.as_u64() == Some(*n),
            (Doc::Str(s), v) => v.as_str() == Some(s.as_str()),
            (Doc::Array(items), Value::Array(values)) => {
                items.len() == values.len() && items.iter().zip(values).all(|(d, v)| d.matches(v))
            }
            (Doc::Object(members), Value::Object(values)) => {
                members.len() == values.len()
                    && members
                        .iter()
                        .zip(values)
                        .all(|((k, d), (vk, v))| k == vk && d.matches(v))
            }
            _ => false,
        }
    }
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = prop_oneof![
        Just(Doc::Null),
        any::<bool>().prop_map(Doc::Bool),
        any::<u64>().prop_map(Doc::Uint),
        any::<String>().prop_map(Doc::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Doc::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Doc::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn any_string_round_trips(s in any::<String>()) {
        let mut text = String::new();
        json::write_string(&mut text, &s);
        let value = json::parse(&text).unwrap();
        prop_assert_eq!(value.as_str(), Some(s.as_str()));
    }

    #[test]
    fn generated_documents_parse_back(d in doc()) {
        let mut text = String::new();
        d.write(&mut text);
        let value = json::parse(&text).unwrap();
        prop_assert!(d.matches(&value), "{text}");
    }

    #[test]
    fn no_input_makes_the_reader_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = json::parse(&text);
        // Nor the error-body decoder, on raw bytes.
        let err = ScalewayError::from_error_body(400, &bytes);
        prop_assert!(!err.code().is_empty());
    }

    #[test]
    fn truncations_of_a_valid_document_are_rejected_not_panicked_on(d in doc(), cut in any::<prop::sample::Index>()) {
        let mut text = String::new();
        d.write(&mut text);
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let _ = json::parse(&text[..at]);
    }
}
