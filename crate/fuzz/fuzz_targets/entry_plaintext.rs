//! The JSON parser that runs after decryption: never panics, never accepts what it would not
//! write, and round-trips whatever it accepts.
#![no_main]

use keysmith_core::vault::fuzzing::{encode_entry_plaintext, parse_entry_plaintext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = parse_entry_plaintext(data) {
        let encoded = encode_entry_plaintext(&entry).expect("a parsed entry re-encodes");
        let again = parse_entry_plaintext(&encoded).expect("own encoding parses");
        assert_eq!(again, entry);
    }
});
