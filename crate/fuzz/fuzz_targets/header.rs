//! Header parser: never panics, and whatever parses re-encodes to the same bytes (so a header
//! that round-trips through storage is byte-identical and its checksum still holds).
#![no_main]

use keysmith_core::vault::VaultHeader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = VaultHeader::from_bytes(data) {
        assert_eq!(header.to_bytes(), data);
        let again = VaultHeader::from_base64(&header.to_base64()).expect("own base64 parses");
        assert_eq!(again, header);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = VaultHeader::from_base64(text);
    }
});
