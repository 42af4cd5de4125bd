//! Import parsers: never panic; what they accept is valid and exportable.
#![no_main]

use keysmith_core::vault::import::import_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(entries) = import_text(text, Some("fuzz.pem")) {
        assert!(!entries.is_empty());
        for entry in &entries {
            entry.validate().expect("imports are validated");
        }
    }
});
