//! The AWS JSON 1.1 reader and the Secrets Manager parsers: none panics, and the reader never
//! accepts a document that serde_json (the reference parser) rejects.
#![no_main]

use keysmith_core::aws::secretsmanager::decode_json;
use keysmith_core::json::read_object;
use keysmith_core::aws::secretsmanager;
use keysmith_core_fuzz::{reference_json, response};
use libfuzzer_sys::fuzz_target;

const WANTED: &[&str] = &["ARN", "Name", "VersionId", "__type", "message", "Message"];

fuzz_target!(|data: &[u8]| {
    let r = response(data);
    if let Ok(text) = std::str::from_utf8(&r.body) {
        if let Ok(fields) = read_object(text, WANTED) {
            if let Some(reference) = reference_json(text) {
                assert!(reference.is_object());
                for name in WANTED {
                    if let Some(value) = fields.get(name) {
                        // The last duplicate wins in both (serde_json's map keeps the last).
                        assert_eq!(reference.get(*name).and_then(|v| v.as_str()), Some(value));
                    }
                }
            }
        }
    }
    for result in [
        decode_json(&r, WANTED).map(|_| ()),
        secretsmanager::parse_create_secret(&r).map(|_| ()),
        secretsmanager::parse_put_secret_value(&r).map(|_| ()),
    ] {
        if let Err(error) = result {
            assert!(!error.code().is_empty());
            if error.provider_code().is_some() {
                assert!(!(200..300).contains(&r.status));
            }
        }
    }
});
