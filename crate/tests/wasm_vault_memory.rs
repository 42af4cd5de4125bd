//! In headless Chromium: create a vault, seal an entry, lock, unlock, open the entry, export
//! it, lock again, then scan the whole WASM linear memory. Neither the entry's secret nor the
//! vault's private key may be left anywhere: every owner wipes on drop, and the zeroizing
//! allocator wipes what dependencies (Argon2, serde_json, the AEADs) copied on the way.
#![cfg(target_arch = "wasm32")]

use keysmith_core::secret::SecretString;
use keysmith_core::vault::{export, AwsAccessKey, Entry, EntryData, KdfParams, VaultHeader};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/memory.rs"]
mod memory;
use memory::{masked, memory_contains_masked};

/// Built at run time so that the secret does not sit in the data section.
fn secret() -> String {
    "YEKELPMAXEzYCifRxPb/GNEDM7K/IMEFntUXrlaJw"
        .chars()
        .rev()
        .collect()
}

/// The vault round trip, in its own frame so that `wipe_stack` (called by the caller, as the
/// wasm exports do) covers every local it used. Returns the masked secret and private key.
#[inline(never)]
fn round_trip() -> (Vec<u8>, Vec<u8>) {
    let params = KdfParams::new(KdfParams::MIN_M_KIB, KdfParams::MIN_T, 1);
    let passphrase = || SecretString::copy_from("correct horse battery staple");

    let (header, unlocked) = VaultHeader::create(&passphrase(), params).unwrap();
    let masked_key = masked(unlocked.session_key().as_ref());
    unlocked.lock();
    let s = secret();
    let masked_secret = masked(s.as_bytes());
    let entry = Entry::new(
        EntryData::AwsAccessKey(AwsAccessKey {
            account_id: None,
            user_name: Some("deploy-bot".into()),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SecretString::new(s),
            created: None,
            description: None,
            tags: Vec::new(),
        }),
        1_764_000_000_000,
    )
    .unwrap();
    let sealed = header.seal_entry(&entry).unwrap();
    drop(entry);

    let unlocked = header.unlock(&passphrase()).unwrap();
    let opened = unlocked.open_entry(&sealed).unwrap();
    let text = export::aws_credentials_file(&opened.data, "default").unwrap();
    // Control: while the export is alive, the scan finds the secret, so the scan can fail.
    assert!(
        memory_contains_masked(&masked_secret),
        "the scan must see live data"
    );
    drop(text);
    drop(opened);
    unlocked.lock();
    (masked_secret, masked_key)
}

#[wasm_bindgen_test]
fn no_secret_or_private_key_survives_unlock_open_export_lock() {
    let (masked_secret, masked_key) = round_trip();
    // What the wasm exports do before returning to JS (see `secret::wipe_stack`).
    keysmith_core::secret::wipe_stack();
    assert!(
        !memory_contains_masked(&masked_secret),
        "a copy of the entry's secret was left in WASM memory"
    );
    assert!(
        !memory_contains_masked(&masked_key),
        "a copy of the vault's private key was left in WASM memory"
    );
}
