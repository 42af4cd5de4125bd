//! Property tests for the AWS parsers: no input makes them panic, mutated fixtures are
//! refused or read consistently, lists survive any escaping, and the JSON reader and writer
//! agree with serde_json.
#![cfg(all(not(target_arch = "wasm32"), feature = "providers"))]

use std::path::Path;

use keysmith_core::aws::query::{prepare_query_call, HttpResponse, Params};
use keysmith_core::aws::Endpoint;
use keysmith_core::aws::{ec2, iam, secretsmanager, sts, AwsError};
use keysmith_core::json::{read_object, ObjectWriter, MAX_DEPTH};
use proptest::prelude::*;
use serde_json::Value;

type Parser = fn(&HttpResponse) -> Result<(), AwsError>;

const PARSERS: &[Parser] = &[
    |r| iam::parse_create_access_key(r).map(drop),
    |r| iam::parse_list_access_keys(r).map(drop),
    |r| iam::parse_get_access_key_last_used(r).map(drop),
    iam::parse_update_access_key,
    iam::parse_delete_access_key,
    |r| iam::parse_create_user(r).map(drop),
    iam::parse_attach_user_policy,
    |r| iam::parse_list_attached_user_policies(r).map(drop),
    |r| sts::parse_get_session_token(r).map(drop),
    |r| sts::parse_get_caller_identity(r).map(drop),
    |r| ec2::parse_create_key_pair(r).map(drop),
    |r| ec2::parse_describe_key_pairs(r).map(drop),
    |r| ec2::parse_delete_key_pair(r).map(drop),
    |r| secretsmanager::parse_create_secret(r).map(drop),
    |r| secretsmanager::parse_put_secret_value(r).map(drop),
];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/aws")
            .join(name),
    )
    .unwrap()
}

const SEEDS: &[&str] = &[
    "iam/list_access_keys.xml",
    "iam/create_access_key.xml",
    "iam/get_access_key_last_used.xml",
    "iam/error_access_denied.403.xml",
    "sts/get_session_token.xml",
    "ec2/create_key_pair.xml",
    "ec2/describe_key_pairs.xml",
    "ec2/error_duplicate.400.xml",
    "secretsmanager/put_secret_value.json",
    "secretsmanager/error_resource_exists.400.json",
];

/// Every outcome is a value: Ok, or an error with one of the documented codes.
fn assert_total(body: Vec<u8>, status: u16) {
    let r = HttpResponse::new(status, body);
    for parse in PARSERS {
        if let Err(e) = parse(&r) {
            assert!(
                matches!(e.code(), "provider_error" | "malformed_response"),
                "{e:?}"
            );
            let _ = (e.to_string(), e.missing_permission(), e.is_throttling());
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn mutate(mut body: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = body.len().max(1);
        match m {
            Mutation::Flip(at, b) => {
                if !body.is_empty() {
                    let at = at % len;
                    body[at] = *b;
                }
            }
            Mutation::Insert(at, bytes) => {
                let at = at % (body.len() + 1);
                body.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(at, n) => {
                if !body.is_empty() {
                    let at = at % len;
                    let end = (at + n).min(body.len());
                    body.drain(at..end);
                }
            }
        }
    }
    body
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let markup = prop::sample::select(b"<>/&;\"'=:{}[],\\ \n?!-#x0aAZ\xff\xc3\x00".to_vec());
    prop_oneof![
        (any::<usize>(), markup.clone()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (any::<usize>(), prop::collection::vec(markup, 1..8))
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
    ]
}

/// A JSON value with strings that exercise escaping, nested at most `depth` levels.
fn json_value(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn top_level_object() -> impl Strategy<Value = serde_json::Map<String, Value>> {
    let key = prop_oneof![
        Just("ARN".to_owned()),
        Just("Name".to_owned()),
        Just("__type".to_owned()),
        any::<String>(),
    ];
    prop::collection::vec((key, json_value(4)), 0..8).prop_map(|pairs| pairs.into_iter().collect())
}

/// Near-valid JSON: serde_json's output with a few grammar tokens inserted, replaced or
/// removed (at character boundaries), so that about half the inputs are still valid.
fn json_noise() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\"a\"",
        "\"ARN\"",
        "\"x\\\"y\"",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\q\"",
        "\"\t\"",
        "1",
        "-0",
        "01",
        "1.5e3",
        "1.",
        "-",
        "true",
        "null",
        "fals",
        "\"",
        "\\",
        "\n",
    ]);
    let edit = (any::<usize>(), 0usize..3, token);
    (top_level_object(), prop::collection::vec(edit, 0..3)).prop_map(|(map, edits)| {
        let mut text = serde_json::to_string(&map).unwrap();
        for (at, kind, token) in edits {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + 1).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            match kind {
                0 => text.insert_str(at, token),
                1 => text.replace_range(at..end, token),
                _ => text.replace_range(at..end, ""),
            }
        }
        text
    })
}

fn string_fields(map: &serde_json::Map<String, Value>, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .filter_map(|n| match map.get(*n) {
            Some(Value::String(s)) => Some(((*n).to_owned(), s.clone())),
            _ => None,
        })
        .collect()
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

const WANTED: &[&str] = &["ARN", "Name", "__type", "a"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512),
                                   status in prop::sample::select(vec![200u16, 400, 403, 500, 503])) {
        assert_total(body, status);
    }

    #[test]
    fn mutated_fixtures_never_panic(seed in prop::sample::select(SEEDS),
                                    mutations in prop::collection::vec(mutation(), 1..6),
                                    status in prop::sample::select(vec![200u16, 400, 503])) {
        assert_total(mutate(fixture(seed), &mutations), status);
    }

    /// Whatever the key ids and statuses hold, XML-escaped in the body, they come back as
    /// they were, in order, and nothing more.
    #[test]
    fn access_key_lists_round_trip(keys in prop::collection::vec(("[A-Z0-9]{16,20}", "[ -~]{1,12}"), 0..6),
                                   pretty in any::<bool>()) {
        let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let sep = if pretty { "\n      " } else { "" };
        let members: String = keys.iter().map(|(id, status)| format!(
            "<member>{sep}<AccessKeyId>{id}</AccessKeyId>{sep}<Status>{}</Status>{sep}</member>",
            escape(status)
        )).collect();
        let body = format!(
            "<ListAccessKeysResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListAccessKeysResult>\
             <AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>\
             </ListAccessKeysResult></ListAccessKeysResponse>");
        let page = iam::parse_list_access_keys(&HttpResponse::new(200, body.into_bytes()));
        // A status that is only spaces is absent, which the parser must refuse.
        if keys.iter().any(|(_, s)| s.trim().is_empty()) {
            prop_assert!(page.is_err());
        } else {
            let page = page.unwrap();
            let got: Vec<(String, String)> = page.items.iter()
                .map(|k| (k.access_key_id.clone(), k.status.as_str().to_owned())).collect();
            prop_assert_eq!(got, keys);
        }
    }

    /// serde_json's serialisation of any object, compact or pretty, reads back the same
    /// top-level strings.
    #[test]
    fn json_reader_agrees_with_serde_json_on_valid_json(map in top_level_object(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&map) } else { serde_json::to_string(&map) }.unwrap();
        let fields = read_object(&text, WANTED).unwrap();
        for (name, value) in string_fields(&map, WANTED) {
            prop_assert_eq!(fields.get(&name), Some(value.as_str()));
        }
        for name in WANTED {
            if !matches!(map.get(*name), Some(Value::String(_))) {
                prop_assert_eq!(fields.get(name), None);
            }
        }
    }

    /// On near-valid input, the reader accepts exactly the objects serde_json accepts (within
    /// the depth bound, and numbers aside), and reads the same strings (serde_json keeps the
    /// last of repeated keys).
    #[test]
    fn json_reader_agrees_with_serde_json_on_noise(text in json_noise()) {

        let ours = read_object(&text, WANTED);
        let theirs = serde_json::from_str::<Value>(&text);
        match (&ours, &theirs) {
            (Ok(fields), Ok(Value::Object(map))) => {
                for name in WANTED {
                    let expected = match map.get(*name) { Some(Value::String(s)) => Some(s.as_str()), _ => None };
                    prop_assert_eq!(fields.get(name), expected, "{}", text);
                }
            }
            (Err(_), Ok(Value::Object(map))) => {
                prop_assert!(map.values().any(|v| depth(v) + 1 >= MAX_DEPTH), "we refused valid {}", text);
            }
            // The grammar allows any exponent; serde_json refuses numbers beyond f64. Keysmith
            // reads no numbers, so accepting them is right.
            (Ok(_), Err(e)) if e.to_string().contains("number out of range") => {}
            (Ok(_), _) => prop_assert!(false, "we accepted {} which serde_json refuses: {:?}", text, theirs),
            (Err(_), _) => {}
        }
    }

    /// A Query body decodes back to exactly the parameters given, whatever they hold, and
    /// contains nothing but unreserved characters, `+`, `%XX`, `=` and `&`.
    #[test]
    fn query_bodies_round_trip(params in prop::collection::vec((any::<String>(), any::<String>()), 0..6)) {
        let mut p = Params::new();
        for (k, v) in &params {
            p.add(k, v);
        }
        let call = prepare_query_call(&Endpoint::aws(), "iam.amazonaws.com", "us-east-1", "iam", "X", "1", &p).unwrap();
        let body = call.request.body();
        prop_assert!(body.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.~+%=&".contains(b)));
        let decoded: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let mut expected = vec![("Action".to_owned(), "X".to_owned()), ("Version".to_owned(), "1".to_owned())];
        expected.extend(params);
        prop_assert_eq!(decoded, expected);
    }

    /// What the writer writes, serde_json reads back exactly, for any string.
    #[test]
    fn json_writer_output_is_valid_json(a in any::<String>(), b in "[\\x00-\\x1f\"\\\\/]{0,12}") {
        let mut w = ObjectWriter::new();
        w.string("A", &a).string("B", &b);
        let text = w.finish();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(parsed["A"].as_str(), Some(a.as_str()));
        prop_assert_eq!(parsed["B"].as_str(), Some(b.as_str()));
        let ours = read_object(&text, &["A", "B"]).unwrap();
        prop_assert_eq!(ours.get("A"), Some(a.as_str()));
        prop_assert_eq!(ours.get("B"), Some(b.as_str()));
    }
}

#[test]
fn json_noise_is_half_valid() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = json_noise();
    let valid = (0..1000)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            matches!(serde_json::from_str::<Value>(&text), Ok(Value::Object(_)))
        })
        .count();
    assert!(
        (200..=900).contains(&valid),
        "{valid} of 1000 noise inputs are valid objects"
    );
}
