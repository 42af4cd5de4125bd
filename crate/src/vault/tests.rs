//! Tests that need the crate-private seams: deterministic randomness, headers below the
//! creation floor (so a hundred unlocks stay fast), hand-made plaintexts inside a valid box.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::entry::{encode_plaintext, PAD_BLOCK};
use super::header::{HEADER_LEN, OFF_WRAPPED};
use super::unlock::HeaderRandomness;
use super::*;
use crate::secret::SecretString;

/// Far below the creation floor: derivation takes microseconds. Only reachable from here.
const CHEAP: KdfParams = KdfParams::new(64, 1, 1);

fn pass() -> SecretString {
    SecretString::copy_from("correct horse battery staple")
}

fn fixed_randomness(seed: u8) -> HeaderRandomness {
    HeaderRandomness {
        vault_id: [seed; 16],
        secret_key: Zeroizing::new([seed.wrapping_add(1); 32]),
        salt: [seed.wrapping_add(2); 32],
        nonce: [seed.wrapping_add(3); 24],
    }
}

fn cheap_vault(seed: u8) -> (VaultHeader, UnlockedVault) {
    VaultHeader::create_with(&pass(), CHEAP, fixed_randomness(seed)).unwrap()
}

fn sample_entry() -> Entry {
    Entry {
        id: EntryId([0x11; 16]),
        created_ms: 1_764_000_000_000,
        signer: None,
        data: EntryData::AwsAccessKey(AwsAccessKey {
            account_id: Some("123456789012".into()),
            user_name: Some("deploy-bot".into()),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SecretString::copy_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            created: Some("2026-11-25T09:00:00Z".into()),
            description: Some("CI deploys".into()),
            tags: vec![Tag {
                key: "team".into(),
                value: "platform".into(),
            }],
        }),
    }
}

fn with_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
    let body_len = bytes.len() - 32;
    let sum = Sha256::digest(&bytes[..body_len]);
    bytes[body_len..].copy_from_slice(&sum);
    bytes
}

#[test]
fn deliberate_tampering_with_a_valid_checksum_is_caught_by_the_aead() {
    // An attacker can recompute the unkeyed checksum; the AEAD's associated data must then
    // refuse every change to every field before the wrapped key, and to the wrapped key itself.
    let (header, _) = cheap_vault(1);
    let good = header.to_bytes();
    let mut caught_by_aead = 0;
    for i in 8..HEADER_LEN - 32 {
        let mut bytes = good.clone();
        bytes[i] ^= 0x01;
        let bytes = with_checksum(bytes);
        let outcome = VaultHeader::from_bytes(&bytes).and_then(|h| h.unlock(&pass()));
        match outcome {
            Ok(_) => panic!("byte {i} flipped, checksum fixed, and the vault still unlocked"),
            Err(VaultError::WrongPassphrase) => caught_by_aead += 1,
            Err(e) => assert!(
                matches!(
                    e.code(),
                    "newer_format" | "malformed" | "unsupported_kdf" | "kdf_too_expensive"
                ),
                "byte {i}: {e}"
            ),
        }
    }
    // vault id 16 + salt 32 + public key 32 + nonce 24 + wrapped key 48, plus the low bytes of
    // m and t, which stay valid parameters and so reach the AEAD.
    assert!(caught_by_aead >= 16 + 32 + 32 + 24 + 48, "{caught_by_aead}");
}

#[test]
fn the_associated_data_is_every_byte_before_the_wrapped_key() {
    let (header, _) = cheap_vault(2);
    assert_eq!(
        header.associated_data()[..],
        header.to_bytes()[..OFF_WRAPPED]
    );
}

#[test]
fn header_creation_is_deterministic_given_its_randomness() {
    let (a, _) = cheap_vault(3);
    let (b, _) = cheap_vault(3);
    assert_eq!(a.to_bytes(), b.to_bytes());
    assert_ne!(a.to_bytes(), cheap_vault(4).0.to_bytes());
}

#[test]
fn plaintext_is_padded_to_whole_blocks() {
    let plain = encode_plaintext(&sample_entry()).unwrap();
    assert_eq!(plain.len() % PAD_BLOCK, 0);
    let json_len = u32::from_be_bytes(plain[..4].try_into().unwrap()) as usize;
    assert!(plain[4 + json_len..].iter().all(|&b| b == 0));
    let json: serde_json::Value = serde_json::from_slice(&plain[4..4 + json_len]).unwrap();
    assert_eq!(json["v"], 1);
    assert_eq!(json["id"], "11111111111111111111111111111111");
    assert_eq!(
        json["data"]["aws_access_key"]["secret_access_key"],
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
}

/// Seals `json` as-is (length prefix and padding added), bypassing the typed encoder.
fn seal_json(header: &VaultHeader, id: EntryId, json: &[u8]) -> SealedEntry {
    let mut plain = Vec::new();
    plain.extend_from_slice(&(json.len() as u32).to_be_bytes());
    plain.extend_from_slice(json);
    plain.resize(plain.len().div_ceil(PAD_BLOCK) * PAD_BLOCK, 0);
    header
        .seal_plaintext(id, Zeroizing::new(plain), &[9; 32])
        .unwrap()
}

#[test]
fn a_newer_entry_schema_says_update_keysmith() {
    let (header, vault) = cheap_vault(5);
    let id = EntryId([0x22; 16]);
    let json = br#"{"v":7,"id":"22222222222222222222222222222222","created_ms":1,"data":{"quantum_key":{}}}"#;
    let err = vault.open_entry(&seal_json(&header, id, json)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "this vault entry was written by a newer Keysmith (format v7); update Keysmith"
    );
}

#[test]
fn garbage_inside_a_valid_box_is_malformed_and_names_no_value() {
    let (header, vault) = cheap_vault(6);
    let id = EntryId([0x33; 16]);
    let cases: &[&[u8]] = &[
        b"",
        b"not json",
        b"{}",
        b"{\"v\":0}",
        b"{\"v\":1}",
        br#"{"v":1,"id":"33333333333333333333333333333333","created_ms":1,"data":{"aws_access_key":{"access_key_id":"AKIAIOSFODNN7EXAMPLE","secret_access_key":"hunter2-secret","extra":1}}}"#,
        br#"{"v":1,"id":"33333333333333333333333333333333","created_ms":1,"data":{"aws_access_key":{"access_key_id":"x","secret_access_key":"hunter2-secret"}}}"#,
        br#"{"v":1,"id":"33333333333333333333333333333333","created_ms":-1,"data":{}}"#,
        br#"{"v":1,"id":"44444444444444444444444444444444","created_ms":1,"data":{"ec2_key_pair":{"key_name":"k","key_type":"rsa","key_format":"pem","private_key":"hunter2-secret"}}}"#,
    ];
    for json in cases {
        let err = vault.open_entry(&seal_json(&header, id, json)).unwrap_err();
        assert!(
            matches!(err.code(), "malformed" | "invalid_entry"),
            "{}: {err}",
            String::from_utf8_lossy(json)
        );
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}

#[test]
fn bad_framing_inside_a_valid_box_is_malformed() {
    let (header, vault) = cheap_vault(7);
    let id = EntryId([0x44; 16]);
    let mut plain = encode_plaintext(&Entry {
        id,
        ..sample_entry()
    })
    .unwrap();
    let last = plain.len() - 1;
    plain[last] = 1;
    let sealed = header.seal_plaintext(id, plain, &[9; 32]).unwrap();
    assert_eq!(vault.open_entry(&sealed).unwrap_err().code(), "malformed");

    let mut plain = Zeroizing::new(vec![0u8; PAD_BLOCK]);
    plain[..4].copy_from_slice(&(PAD_BLOCK as u32).to_be_bytes());
    let sealed = header.seal_plaintext(id, plain, &[9; 32]).unwrap();
    assert_eq!(vault.open_entry(&sealed).unwrap_err().code(), "malformed");
}

#[test]
fn an_entry_whose_inner_id_differs_from_its_envelope_is_refused() {
    let (header, vault) = cheap_vault(8);
    let plain = encode_plaintext(&sample_entry()).unwrap();
    let sealed = header
        .seal_plaintext(EntryId([0x55; 16]), plain, &[9; 32])
        .unwrap();
    assert_eq!(vault.open_entry(&sealed).unwrap_err().code(), "malformed");
}

#[test]
fn a_low_order_public_key_is_refused_at_seal_time() {
    let (mut header, _) = cheap_vault(9);
    header.public_key = [0; 32];
    assert_eq!(
        header.seal_entry(&sample_entry()).unwrap_err(),
        VaultError::BadPublicKey
    );
}

/// Regenerates `crate/tests/vectors/vault_v1.json`. The committed vectors are permanent: a
/// change to their bytes is a format change and needs a new format version.
#[test]
#[ignore = "generator for the committed test vectors"]
fn generate_vectors() {
    let params = KdfParams::new(19_456, 2, 1);
    let rand = HeaderRandomness {
        vault_id: *b"keysmith-vectors",
        secret_key: Zeroizing::new(*b"keysmith test vector secret key!"),
        salt: *b"keysmith test vector Argon2 salt",
        nonce: *b"keysmith test vector non",
    };
    let (header, _) = VaultHeader::create_with(&pass(), params, rand).unwrap();
    let entry = sample_entry();
    let sealed = header
        .seal_entry_with(&entry, b"keysmith vector ephemeral secret")
        .unwrap();
    let doc = serde_json::json!({
        "comment": "Keysmith vault format v1 test vectors; see crate/src/vault/FORMAT.md",
        "passphrase": "correct horse battery staple",
        "kdf": {"m_kib": 19456, "t": 2, "p": 1},
        "vault_secret_key_hex": hex::encode(b"keysmith test vector secret key!"),
        "vault_public_key_hex": hex::encode(header.public_key()),
        "header_base64": header.to_base64(),
        "entry_storage_key": sealed.storage_key(),
        "entry_base64": sealed.to_base64(),
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap());
}

#[test]
fn a_parked_session_key_resumes_only_its_own_vault() {
    let (header, unlocked) = cheap_vault(7);
    let sealed = header.seal_entry(&sample_entry()).unwrap();
    let parked = unlocked.session_key();
    unlocked.lock();
    let resumed = header.resume(parked.as_ref()).unwrap();
    assert_eq!(resumed.open_entry(&sealed).unwrap(), sample_entry());

    let (other, _) = cheap_vault(8);
    assert_eq!(
        other.resume(parked.as_ref()).unwrap_err().code(),
        "header_corrupted"
    );
    assert!(header.resume(&parked[..31]).is_err());
}

// ---- the hand-written entry JSON: what serde_json and the derived impls wrote and read --------

#[test]
fn entry_strings_are_escaped_exactly_as_serde_json_escapes_them() {
    let mut samples: Vec<String> = (0u32..0x80)
        .filter_map(char::from_u32)
        .map(String::from)
        .collect();
    samples
        .extend(["", "a\"b\\c\n\r\t\u{8}\u{c}\u{1f}\u{7f}", "é中😀/</script>"].map(String::from));
    for s in samples {
        let mut ours = String::new();
        super::entry::write_str(&mut ours, &s).unwrap();
        assert_eq!(ours, serde_json::to_string(&s).unwrap(), "{s:?}");
    }
}

/// The field order and layout the serde derives produced (declaration order, compact, optional
/// fields omitted when absent), one entry of each kind.
#[test]
fn entry_json_is_byte_for_byte_the_previous_encoding() {
    let cases = [
        (
            sample_entry().data,
            r#"{"aws_access_key":{"account_id":"123456789012","user_name":"deploy-bot","access_key_id":"AKIAIOSFODNN7EXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","created":"2026-11-25T09:00:00Z","description":"CI deploys","tags":[{"key":"team","value":"platform"}]}}"#,
        ),
        (
            EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
                access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
                secret_access_key: SecretString::copy_from("s3cr3t"),
                session_token: SecretString::copy_from("tok/en+="),
                expiration: None,
                description: Some("role".into()),
            }),
            r#"{"aws_temporary_credentials":{"access_key_id":"ASIAIOSFODNN7EXAMPLE","secret_access_key":"s3cr3t","session_token":"tok/en+=","description":"role"}}"#,
        ),
        (
            EntryData::Ec2KeyPair(Ec2KeyPair {
                region: Some("eu-west-3".into()),
                key_name: "bastion".into(),
                key_pair_id: None,
                fingerprint: Some("ab:cd".into()),
                key_type: Ec2KeyType::Ed25519,
                key_format: Ec2KeyFormat::Ppk,
                private_key: SecretString::copy_from("-----BEGIN-----\r\nAAAA\n-----END-----\n"),
            }),
            r#"{"ec2_key_pair":{"region":"eu-west-3","key_name":"bastion","fingerprint":"ab:cd","key_type":"ed25519","key_format":"ppk","private_key":"-----BEGIN-----\r\nAAAA\n-----END-----\n"}}"#,
        ),
        (
            EntryData::ScalewayApiKey(ScalewayApiKey {
                access_key: "SCWXXXXXXXXXXXXXXXXX".into(),
                secret_key: SecretString::copy_from("11111111-2222-3333-4444-555555555555"),
                bearer_type: ScalewayBearerType::Application,
                bearer_id: "app-1".into(),
                organization_id: None,
                default_project_id: Some("proj".into()),
                description: None,
                expires_at: Some("2027-01-01T00:00:00Z".into()),
            }),
            r#"{"scaleway_api_key":{"access_key":"SCWXXXXXXXXXXXXXXXXX","secret_key":"11111111-2222-3333-4444-555555555555","bearer_type":"application","bearer_id":"app-1","default_project_id":"proj","expires_at":"2027-01-01T00:00:00Z"}}"#,
        ),
    ];
    for (data, data_json) in cases {
        let entry = Entry {
            id: EntryId([0xab; 16]),
            created_ms: 1_764_000_000_000,
            data,
            signer: None,
        };
        let plain = encode_plaintext(&entry).unwrap();
        let json_len = u32::from_be_bytes(plain[..4].try_into().unwrap()) as usize;
        let expected = format!(
            r#"{{"v":1,"id":"abababababababababababababababab","created_ms":1764000000000,"data":{data_json}}}"#
        );
        assert_eq!(
            std::str::from_utf8(&plain[4..4 + json_len]).unwrap(),
            expected
        );
        assert_eq!(EntryData::from_json(data_json).unwrap(), entry.data);
        assert_eq!(super::entry::decode_plaintext(&plain).unwrap(), entry);
    }
}

#[test]
fn entry_json_reader_keeps_serdes_rules() {
    let ok = r#"{"aws_temporary_credentials":{"access_key_id":"ASIAIOSFODNN7EXAMPLE","secret_access_key":"s","session_token":"t","expiration":null}}"#;
    let EntryData::AwsTemporaryCredentials(c) = EntryData::from_json(ok).unwrap() else {
        panic!("kind")
    };
    assert_eq!(
        c.expiration, None,
        "null reads as absent, as serde read Option"
    );
    for bad in [
        r#"{"aws_temporary_credentials":{"access_key_id":"A","secret_access_key":"s","session_token":"t","extra":1}}"#,
        r#"{"aws_temporary_credentials":{"access_key_id":"A","secret_access_key":"s"}}"#,
        r#"{"aws_temporary_credentials":{"access_key_id":"A","access_key_id":"B","secret_access_key":"s","session_token":"t"}}"#,
        r#"{"aws_temporary_credentials":{"access_key_id":1,"secret_access_key":"s","session_token":"t"}}"#,
        r#"{"aws_temporary_credentials":{"access_key_id":"A","secret_access_key":null,"session_token":"t"}}"#,
        r#"{"aws_access_key":{"access_key_id":"A","secret_access_key":"s","tags":null}}"#,
        r#"{"aws_access_key":{"access_key_id":"A","secret_access_key":"s","tags":[{"key":"k"}]}}"#,
        r#"{"ec2_key_pair":{"key_name":"k","key_type":"dsa","key_format":"pem","private_key":"p"}}"#,
        r#"{"aws_access_key":{},"ec2_key_pair":{}}"#,
        r#"{"unknown_kind":{}}"#,
        r#"{}"#,
        r#"[]"#,
        r#"{"aws_temporary_credentials":{"access_key_id":"A","secret_access_key":"s","session_token":"t"}"#,
    ] {
        assert!(EntryData::from_json(bad).is_err(), "accepted {bad}");
    }
}
