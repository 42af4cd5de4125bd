//! Sealed-entry envelope parser, and opening with a fixed vault: never panics; whatever parses
//! re-encodes to the same bytes. The vault is created once, at the Argon2 creation floor.
#![no_main]

use std::sync::OnceLock;

use keysmith_core::secret::SecretString;
use keysmith_core::vault::{KdfParams, SealedEntry, UnlockedVault, VaultHeader};
use libfuzzer_sys::fuzz_target;

fn vault() -> &'static UnlockedVault {
    static VAULT: OnceLock<UnlockedVault> = OnceLock::new();
    VAULT.get_or_init(|| {
        VaultHeader::create(
            &SecretString::copy_from("fuzz"),
            KdfParams::new(19_456, 2, 1),
        )
        .expect("create")
        .1
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(sealed) = SealedEntry::from_bytes(data) {
        assert_eq!(sealed.as_bytes(), data);
        let again = SealedEntry::from_storage(&sealed.storage_key(), &sealed.to_base64())
            .expect("own storage form parses");
        assert_eq!(again, sealed);
        // A fuzzer cannot forge the AEAD; this exercises the refusal paths.
        assert!(vault().open_entry(&sealed).is_err());
    }
});
