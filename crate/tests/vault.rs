//! The vault through its public API: round trips, the known-answer vectors, and every kind of
//! bad input the issue lists. Argon2id runs at the real creation floor (19 MiB, t = 2, p = 1).
// Native only: uses std::fs/processes/proptest, or measures the native allocator.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use keysmith_core::secret::SecretString;
use keysmith_core::vault::*;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const FAST: KdfParams = KdfParams::new(19_456, 2, 1);

fn pass() -> SecretString {
    SecretString::copy_from("correct horse battery staple")
}

/// One vault per test binary: each creation costs an Argon2id run.
fn vault() -> &'static (VaultHeader, UnlockedVault) {
    static VAULT: OnceLock<(VaultHeader, UnlockedVault)> = OnceLock::new();
    VAULT.get_or_init(|| VaultHeader::create(&pass(), FAST).unwrap())
}

fn other_vault() -> &'static (VaultHeader, UnlockedVault) {
    static VAULT: OnceLock<(VaultHeader, UnlockedVault)> = OnceLock::new();
    VAULT.get_or_init(|| VaultHeader::create(&pass(), FAST).unwrap())
}

fn aws_key() -> EntryData {
    EntryData::AwsAccessKey(AwsAccessKey {
        account_id: Some("123456789012".into()),
        user_name: Some("deploy-bot".into()),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: SecretString::copy_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        created: Some("2026-11-25T09:00:00Z".into()),
        description: None,
        tags: vec![],
    })
}

fn with_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
    let n = bytes.len() - 32;
    let sum = Sha256::digest(&bytes[..n]);
    bytes[n..].copy_from_slice(&sum);
    bytes
}

#[test]
fn create_seal_while_locked_unlock_open() {
    let (header, _) = vault();
    let stored = header.to_base64();
    // Only the stored header is needed to add an entry.
    let locked = VaultHeader::from_base64(&stored).unwrap();
    let entry = Entry::new(aws_key(), 1_764_064_800_000).unwrap();
    let sealed = locked.seal_entry(&entry).unwrap();
    let (key, value) = (sealed.storage_key(), sealed.to_base64());
    assert!(key.starts_with("keysmith.entry."));

    let unlocked = locked.unlock(&pass()).unwrap();
    let opened = unlocked
        .open_entry(&SealedEntry::from_storage(&key, &value).unwrap())
        .unwrap();
    assert_eq!(opened, entry);
    unlocked.lock();
}

#[test]
fn header_round_trips_through_bytes_and_base64() {
    let (header, unlocked) = vault();
    let bytes = header.to_bytes();
    assert_eq!(bytes.len(), HEADER_LEN);
    assert_eq!(&bytes[..8], b"ks-vault");
    assert_eq!(VaultHeader::from_bytes(&bytes).unwrap(), *header);
    assert_eq!(
        VaultHeader::from_base64(&header.to_base64()).unwrap(),
        *header
    );
    assert_eq!(header.kdf_params(), FAST);
    assert_eq!(header.vault_id(), unlocked.vault_id());
    assert!(format!("{unlocked:?}").contains("REDACTED"));
}

#[test]
fn wrong_passphrase_is_reported_as_such() {
    let (header, _) = vault();
    let err = header
        .unlock(&SecretString::copy_from("correct horse battery stapler"))
        .unwrap_err();
    assert_eq!(err, VaultError::WrongPassphrase);
    assert_eq!(err.code(), "wrong_passphrase");
    assert_eq!(err.to_string(), "wrong passphrase");
    assert_eq!(
        header.unlock(&SecretString::copy_from("")).unwrap_err(),
        VaultError::WrongPassphrase
    );
}

#[test]
fn create_enforces_the_floor_and_a_passphrase() {
    for weak in [KdfParams::new(19_455, 2, 1), KdfParams::new(19_456, 1, 1)] {
        assert_eq!(
            VaultHeader::create(&pass(), weak).unwrap_err().code(),
            "kdf_too_weak"
        );
    }
    assert_eq!(
        VaultHeader::create(&pass(), KdfParams::new(1_048_577, 2, 1))
            .unwrap_err()
            .code(),
        "kdf_too_expensive"
    );
    assert_eq!(
        VaultHeader::create(&SecretString::copy_from(""), FAST).unwrap_err(),
        VaultError::EmptyPassphrase
    );
}

#[test]
fn change_passphrase_rewraps_only_the_key() {
    let (header, unlocked) = vault();
    let entry = Entry::new(aws_key(), 1).unwrap();
    let sealed = header.seal_entry(&entry).unwrap();

    let new_pass = SecretString::copy_from("a whole new passphrase");
    let new_header = unlocked.change_passphrase(&new_pass, FAST).unwrap();
    assert_eq!(new_header.vault_id(), header.vault_id());
    assert_eq!(new_header.public_key(), header.public_key());
    assert_ne!(new_header.to_bytes(), header.to_bytes());

    assert_eq!(
        new_header.unlock(&pass()).unwrap_err(),
        VaultError::WrongPassphrase
    );
    let reopened = new_header.unlock(&new_pass).unwrap();
    assert_eq!(reopened.open_entry(&sealed).unwrap(), entry);
    // Entries sealed to the new header open with the old unlocked state too: same key pair.
    let later = new_header.seal_entry(&entry).unwrap();
    assert_eq!(unlocked.open_entry(&later).unwrap(), entry);

    assert_eq!(
        unlocked
            .change_passphrase(&new_pass, KdfParams::new(8192, 2, 1))
            .unwrap_err()
            .code(),
        "kdf_too_weak"
    );
}

#[test]
fn every_truncation_of_the_header_is_reported_as_truncated() {
    let bytes = vault().0.to_bytes();
    for len in 0..bytes.len() {
        let err = VaultHeader::from_bytes(&bytes[..len]).unwrap_err();
        assert_eq!(err.code(), "truncated", "prefix of {len} bytes: {err}");
        assert!(
            err.to_string().contains("restore it from a backup"),
            "{err}"
        );
    }
    assert_eq!(
        VaultHeader::from_base64("").unwrap_err().code(),
        "truncated"
    );
}

#[test]
fn every_flipped_header_byte_is_detected_before_any_key_derivation() {
    let bytes = vault().0.to_bytes();
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[i] ^= mask;
            let err = VaultHeader::from_bytes(&bad).unwrap_err();
            let expected = if i < 8 {
                "not_a_vault"
            } else {
                "header_corrupted"
            };
            assert_eq!(err.code(), expected, "byte {i} ^ {mask:#04x}: {err}");
        }
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        VaultHeader::from_bytes(&longer).unwrap_err().code(),
        "header_corrupted"
    );
    assert_eq!(
        VaultHeader::from_bytes(&with_checksum(longer))
            .unwrap_err()
            .code(),
        "malformed"
    );
}

#[test]
fn a_newer_format_version_says_update_keysmith() {
    let mut bytes = vault().0.to_bytes();
    bytes[8..10].copy_from_slice(&2u16.to_be_bytes());
    let err = VaultHeader::from_bytes(&with_checksum(bytes)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "this vault was written by a newer Keysmith (format v2); update Keysmith"
    );
    assert_eq!(err.code(), "newer_format");

    // A newer version may have another length; the checksum still ends it.
    let mut v9 = b"ks-vault\x00\x09 whatever v9 holds".to_vec();
    v9.extend_from_slice(&[0; 32]);
    let err = VaultHeader::from_bytes(&with_checksum(v9)).unwrap_err();
    assert_eq!(err.code(), "newer_format", "{err}");

    let mut entry = vault()
        .0
        .seal_entry(&Entry::new(aws_key(), 1).unwrap())
        .unwrap()
        .as_bytes()
        .to_vec();
    entry[8..10].copy_from_slice(&3u16.to_be_bytes());
    assert_eq!(
        SealedEntry::from_bytes(&entry).unwrap_err().to_string(),
        "this vault entry was written by a newer Keysmith (format v3); update Keysmith"
    );
}

#[test]
fn not_a_vault_and_bad_base64_are_told_apart() {
    for garbage in [&b"PK\x03\x04 a zip file"[..], b"{\"json\":true}", b"x"] {
        assert_eq!(
            VaultHeader::from_bytes(garbage).unwrap_err().code(),
            "not_a_vault"
        );
    }
    assert_eq!(
        VaultHeader::from_base64("not base64!").unwrap_err().code(),
        "invalid_base64"
    );
    let unknown_kdf = {
        let mut b = vault().0.to_bytes();
        b[26] = 0x02;
        with_checksum(b)
    };
    assert_eq!(
        VaultHeader::from_bytes(&unknown_kdf).unwrap_err(),
        VaultError::UnsupportedKdf(2)
    );
}

#[test]
fn an_entry_sealed_to_another_vault_is_refused() {
    let entry = Entry::new(aws_key(), 1).unwrap();
    let foreign = other_vault().0.seal_entry(&entry).unwrap();
    let (_, mine) = vault();
    assert_eq!(
        mine.open_entry(&foreign).unwrap_err(),
        VaultError::ForeignEntry
    );

    // Relabelled as ours, it still cannot be opened: the key and the AEAD disagree.
    let mut bytes = foreign.as_bytes().to_vec();
    bytes[10..26].copy_from_slice(&mine.vault_id().0);
    let relabelled = SealedEntry::from_bytes(&bytes).unwrap();
    assert_eq!(
        mine.open_entry(&relabelled).unwrap_err(),
        VaultError::EntryDamaged
    );
}

#[test]
fn an_entry_moved_to_another_id_is_refused() {
    let (header, unlocked) = vault();
    let entry = Entry::new(aws_key(), 1).unwrap();
    let sealed = header.seal_entry(&entry).unwrap();

    // Moved to another storage key.
    let elsewhere = format!("keysmith.entry.{}", "ab".repeat(16));
    let err = SealedEntry::from_storage(&elsewhere, &sealed.to_base64()).unwrap_err();
    assert_eq!(err.code(), "entry_id_mismatch");

    // Moved by rewriting the id in the envelope.
    let mut bytes = sealed.as_bytes().to_vec();
    bytes[26..42].copy_from_slice(&[0xab; 16]);
    let moved = SealedEntry::from_bytes(&bytes).unwrap();
    assert_eq!(
        SealedEntry::from_storage(&elsewhere, &moved.to_base64())
            .unwrap()
            .id(),
        moved.id()
    );
    assert_eq!(
        unlocked.open_entry(&moved).unwrap_err(),
        VaultError::EntryDamaged
    );

    for bad_key in [
        "keysmith.entry.",
        "keysmith.entry.ABABABABABABABABABABABABABABABAB",
        "other",
    ] {
        assert_eq!(
            SealedEntry::from_storage(bad_key, &sealed.to_base64())
                .unwrap_err()
                .code(),
            "invalid_storage_key"
        );
    }
}

#[test]
fn every_truncation_and_flipped_byte_of_an_entry_fails_cleanly() {
    let (header, unlocked) = vault();
    let sealed = header
        .seal_entry(&Entry::new(aws_key(), 1).unwrap())
        .unwrap();
    let bytes = sealed.as_bytes();
    for len in 0..bytes.len() {
        let err = SealedEntry::from_bytes(&bytes[..len])
            .and_then(|s| unlocked.open_entry(&s))
            .unwrap_err();
        assert!(
            matches!(err.code(), "truncated" | "malformed"),
            "{len}: {err}"
        );
    }
    for i in 0..bytes.len() {
        let mut bad = bytes.to_vec();
        bad[i] ^= 0x01;
        let err = SealedEntry::from_bytes(&bad)
            .and_then(|s| unlocked.open_entry(&s))
            .unwrap_err();
        let expected: &[&str] = match i {
            0..8 => &["not_a_vault"],
            8..10 => &["newer_format", "malformed"],
            10..26 => &["foreign_entry"],
            _ => &["entry_damaged"],
        };
        assert!(expected.contains(&err.code()), "byte {i}: {err}");
    }
}

#[test]
fn garbage_entries_fail_without_panicking() {
    let (_, unlocked) = vault();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for len in [0usize, 1, 8, 10, 90, 1114, 1115, 2138, 5000] {
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        assert!(SealedEntry::from_bytes(&bytes).is_err());
        if bytes.len() >= 10 {
            bytes[..10].copy_from_slice(b"ks-entry\x00\x01");
            let outcome = SealedEntry::from_bytes(&bytes).and_then(|s| unlocked.open_entry(&s));
            assert!(outcome.is_err(), "{len}");
        }
    }
    assert_eq!(
        SealedEntry::from_bytes(&vec![0u8; MAX_ENTRY_LEN + 1][..])
            .unwrap_err()
            .code(),
        "not_a_vault"
    );
    let mut huge = b"ks-entry\x00\x01".to_vec();
    huge.resize(MAX_ENTRY_LEN + 1, 0);
    assert_eq!(
        SealedEntry::from_bytes(&huge).unwrap_err().code(),
        "entry_too_large"
    );
    assert_eq!(
        SealedEntry::from_base64("@@@@").unwrap_err().code(),
        "invalid_base64"
    );
}

#[test]
fn a_locked_vault_shows_only_how_many_entries_it_holds() {
    let (header, _) = vault();
    let kinds = [
        aws_key(),
        EntryData::ScalewayApiKey(ScalewayApiKey {
            access_key: "SCWXXXXXXXXXXXXXXXXX".into(),
            secret_key: SecretString::copy_from("11111111-1111-1111-1111-111111111111"),
            bearer_type: ScalewayBearerType::Application,
            bearer_id: "22222222-2222-2222-2222-222222222222".into(),
            organization_id: Some("33333333-3333-3333-3333-333333333333".into()),
            default_project_id: None,
            description: Some("terraform".into()),
            expires_at: None,
        }),
        EntryData::Ec2KeyPair(Ec2KeyPair {
            region: Some("eu-west-3".into()),
            key_name: "bastion".into(),
            key_pair_id: Some("key-0123456789abcdef0".into()),
            fingerprint: None,
            key_type: Ec2KeyType::Ed25519,
            key_format: Ec2KeyFormat::Pem,
            private_key: SecretString::copy_from(
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
            ),
        }),
    ];
    let lengths: Vec<usize> = kinds
        .into_iter()
        .map(|data| {
            header
                .seal_entry(&Entry::new(data, 1).unwrap())
                .unwrap()
                .as_bytes()
                .len()
        })
        .collect();
    assert!(lengths.iter().all(|&l| l == lengths[0]), "{lengths:?}");
    let sealed = header
        .seal_entry(&Entry::new(aws_key(), 1).unwrap())
        .unwrap();
    let printed = format!("{sealed:?}");
    assert!(
        !printed.contains("AKIA") && !printed.contains("deploy"),
        "{printed}"
    );
}

#[test]
fn invalid_entries_are_refused_before_sealing() {
    let (header, _) = vault();
    let bad = EntryData::AwsAccessKey(AwsAccessKey {
        account_id: None,
        user_name: Some("bob\n[evil]".into()),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: SecretString::copy_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        created: None,
        description: None,
        tags: vec![],
    });
    assert_eq!(Entry::new(bad, 1).unwrap_err().code(), "invalid_entry");
    let sneaky = Entry {
        id: EntryId([1; 16]),
        created_ms: 1,
        signer: None,
        data: EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
            access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SecretString::copy_from("has a space"),
            session_token: SecretString::copy_from("token"),
            expiration: None,
            description: None,
        }),
    };
    let err = header.seal_entry(&sneaky).unwrap_err();
    assert_eq!(err.code(), "invalid_entry");
    assert!(!err.to_string().contains("has a space"));
}

#[test]
fn the_committed_vectors_still_open() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("vectors/vault_v1.json")).unwrap();
    let s = |k: &str| doc[k].as_str().unwrap().to_owned();
    let header = VaultHeader::from_base64(&s("header_base64")).unwrap();
    assert_eq!(header.kdf_params(), KdfParams::new(19_456, 2, 1));
    assert_eq!(hex::encode(header.public_key()), s("vault_public_key_hex"));
    let unlocked = header
        .unlock(&SecretString::copy_from(&s("passphrase")))
        .unwrap();
    let sealed = SealedEntry::from_storage(&s("entry_storage_key"), &s("entry_base64")).unwrap();
    let entry = unlocked.open_entry(&sealed).unwrap();
    assert_eq!(entry.created_ms, 1_764_000_000_000);
    let EntryData::AwsAccessKey(key) = entry.data else {
        panic!("vector entry is an AWS access key")
    };
    assert_eq!(key.access_key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(
        key.secret_access_key.expose_secret(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    assert_eq!(
        key.tags,
        vec![Tag {
            key: "team".into(),
            value: "platform".into()
        }]
    );
    // Re-encoding the parsed header reproduces the stored bytes exactly.
    assert_eq!(header.to_base64(), s("header_base64"));
}

// ---- property: any valid entry survives seal → store → load → open ---------------------------

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9][A-Za-z0-9 ._:/@+=é中-]{{0,{max}}}[A-Za-z0-9]"
    ))
    .unwrap()
}

fn token(max: usize) -> impl Strategy<Value = SecretString> {
    proptest::string::string_regex(&format!("[!-~]{{1,{max}}}"))
        .unwrap()
        .prop_map(SecretString::new)
}

fn akid() -> impl Strategy<Value = String> {
    proptest::string::string_regex("(AKIA|ASIA)[A-Z0-9]{16}").unwrap()
}

fn entry_data() -> impl Strategy<Value = EntryData> {
    prop_oneof![
        (
            proptest::option::of(proptest::string::string_regex("[0-9]{12}").unwrap()),
            proptest::option::of(
                proptest::string::string_regex("[A-Za-z0-9+=,.@_-]{1,64}").unwrap()
            ),
            akid(),
            token(64),
            proptest::option::of(text(30)),
            proptest::collection::vec((text(20), text(20)), 0..3),
        )
            .prop_map(
                |(account_id, user_name, access_key_id, secret, description, tags)| {
                    EntryData::AwsAccessKey(AwsAccessKey {
                        account_id,
                        user_name,
                        access_key_id,
                        secret_access_key: secret,
                        created: None,
                        description,
                        tags: tags
                            .into_iter()
                            .map(|(key, value)| Tag { key, value })
                            .collect(),
                    })
                }
            ),
        (
            akid(),
            token(64),
            token(1200),
            proptest::option::of(text(20))
        )
            .prop_map(|(access_key_id, secret, token, expiration)| {
                EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
                    access_key_id,
                    secret_access_key: secret,
                    session_token: token,
                    expiration,
                    description: None,
                })
            }),
        (text(40), proptest::bool::ANY, "[A-Za-z0-9+/=\n]{1,3000}").prop_map(
            |(key_name, rsa, body)| {
                EntryData::Ec2KeyPair(Ec2KeyPair {
                    region: Some("us-east-1".into()),
                    key_name,
                    key_pair_id: None,
                    fingerprint: None,
                    key_type: if rsa {
                        Ec2KeyType::Rsa
                    } else {
                        Ec2KeyType::Ed25519
                    },
                    key_format: Ec2KeyFormat::Pem,
                    private_key: SecretString::new(format!(
                        "-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
                    )),
                })
            }
        ),
        (
            token(64),
            proptest::bool::ANY,
            proptest::option::of(text(40))
        )
            .prop_map(|(secret, user, description)| {
                EntryData::ScalewayApiKey(ScalewayApiKey {
                    access_key: "SCWABCDEFGHIJKLMNOPQ".into(),
                    secret_key: secret,
                    bearer_type: if user {
                        ScalewayBearerType::User
                    } else {
                        ScalewayBearerType::Application
                    },
                    bearer_id: "22222222-2222-2222-2222-222222222222".into(),
                    organization_id: None,
                    default_project_id: Some("44444444-4444-4444-4444-444444444444".into()),
                    description,
                    expires_at: Some("2027-01-01T00:00:00Z".into()),
                })
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_entry_round_trips(data in entry_data(), created_ms in any::<u64>(), id in any::<[u8; 16]>()) {
        let (header, unlocked) = vault();
        let entry = Entry { id: EntryId(id), created_ms, data, signer: None };
        let sealed = header.seal_entry(&entry).unwrap();
        let loaded = SealedEntry::from_storage(&sealed.storage_key(), &sealed.to_base64()).unwrap();
        prop_assert_eq!(unlocked.open_entry(&loaded).unwrap(), entry);
    }
}
