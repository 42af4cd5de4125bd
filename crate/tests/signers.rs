//! Signer identities: the sealed `signer` member, turning signer entries into credentials,
//! pasted text, and an MFA session used in a signer's place, with recorded AWS answers (moto
//! does not accept GetSessionToken credentials for IAM, so this part is tested here).
#![cfg(all(not(target_arch = "wasm32"), feature = "providers"))]

use std::path::Path;
use std::sync::OnceLock;

use keysmith_core::aws::query::HttpResponse;
use keysmith_core::aws::{iam, sts, Endpoint};
use keysmith_core::scaleway::flows::SignerIdentity;
use keysmith_core::scaleway::iam::{ApiKey, Bearer};
use keysmith_core::secret::SecretString;
use keysmith_core::vault::signer::{self, SignerError};
use keysmith_core::vault::*;

const NOW: u64 = 1_764_064_800_000; // 2025-11-25T10:00:00Z

fn vault() -> &'static (VaultHeader, UnlockedVault) {
    static VAULT: OnceLock<(VaultHeader, UnlockedVault)> = OnceLock::new();
    VAULT.get_or_init(|| {
        VaultHeader::create(
            &SecretString::copy_from("correct horse"),
            KdfParams::new(19_456, 2, 1),
        )
        .unwrap()
    })
}

fn recorded(name: &str) -> HttpResponse {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name);
    HttpResponse::new(200, std::fs::read(path).unwrap())
}

fn long_term_key() -> EntryData {
    EntryData::AwsAccessKey(AwsAccessKey {
        account_id: None,
        user_name: None,
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: SecretString::copy_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        created: None,
        description: None,
        tags: vec![],
    })
}

fn identity() -> sts::CallerIdentity {
    sts::CallerIdentity {
        account: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/key-issuer".into(),
        user_id: "AIDAEXAMPLEUSERID".into(),
    }
}

fn reopen(entry: &Entry) -> Entry {
    let (header, unlocked) = vault();
    let sealed = header.seal_entry(entry).unwrap();
    let stored = SealedEntry::from_storage(&sealed.storage_key(), &sealed.to_base64()).unwrap();
    unlocked.open_entry(&stored).unwrap()
}

#[test]
fn an_aws_signer_round_trips_with_its_verified_identity_and_mfa_device() {
    let data = long_term_key();
    let serial = "arn:aws:iam::123456789012:mfa/key-issuer".to_owned();
    let info = signer::aws_signer_info(&data, identity(), Some(serial.clone()), NOW).unwrap();
    let entry = Entry::new_signer(data, NOW, info).unwrap();
    let opened = reopen(&entry);
    assert_eq!(opened, entry);
    let s = opened.signer.as_ref().unwrap();
    assert_eq!(s.account.as_deref(), Some("123456789012"));
    assert_eq!(
        s.arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/key-issuer")
    );
    assert_eq!(s.user_id.as_deref(), Some("AIDAEXAMPLEUSERID"));
    assert_eq!(s.mfa_serial.as_deref(), Some(serial.as_str()));
    assert_eq!(s.verified_ms, NOW);
    let credentials = signer::aws_signer_credentials(&opened, NOW).unwrap();
    assert_eq!(credentials.access_key_id(), "AKIAIOSFODNN7EXAMPLE");
    assert!(!credentials.has_session_token());
}

#[test]
fn entries_that_are_not_signers_cannot_sign_and_keep_their_bytes() {
    let entry = Entry::new(long_term_key(), NOW).unwrap();
    let opened = reopen(&entry);
    assert!(opened.signer.is_none());
    let err = signer::aws_signer_credentials(&opened, NOW).unwrap_err();
    assert_eq!(err.code(), "no_signer");
    // The plaintext of a non-signer has no "signer" member at all (byte compatibility).
    let plain = keysmith_core::vault::fuzzing::encode_entry_plaintext(&entry).unwrap();
    assert!(!String::from_utf8_lossy(&plain).contains("signer"));
    let with = Entry::new_signer(
        long_term_key(),
        NOW,
        signer::aws_signer_info(&long_term_key(), identity(), None, NOW).unwrap(),
    )
    .unwrap();
    let plain = keysmith_core::vault::fuzzing::encode_entry_plaintext(&with).unwrap();
    assert!(String::from_utf8_lossy(&plain)
        .contains(r#","signer":{"verified_ms":1764064800000,"account":"123456789012","#));
}

#[test]
fn signer_members_are_checked_against_the_entry_kind() {
    let key_pair = EntryData::Ec2KeyPair(Ec2KeyPair {
        region: None,
        key_name: "k".into(),
        key_pair_id: None,
        fingerprint: None,
        key_type: Ec2KeyType::Ed25519,
        key_format: Ec2KeyFormat::Pem,
        private_key: SecretString::copy_from(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
    });
    let info = SignerInfo {
        verified_ms: NOW,
        account: None,
        arn: None,
        user_id: None,
        mfa_serial: None,
    };
    assert_eq!(
        Entry::new_signer(key_pair, NOW, info.clone())
            .unwrap_err()
            .code(),
        "invalid_entry"
    );
    let bad_serial = SignerInfo {
        mfa_serial: Some("has space".into()),
        ..info
    };
    assert_eq!(
        Entry::new_signer(long_term_key(), NOW, bad_serial)
            .unwrap_err()
            .code(),
        "invalid_entry"
    );
    let err = signer::aws_signer_info(&long_term_key(), identity(), Some("nope".into()), NOW)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_signer");
}

#[test]
fn expired_role_credentials_are_refused_before_signing() {
    let role = |expiration: &str| {
        EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
            access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SecretString::copy_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            session_token: SecretString::copy_from("FwoGZXIvYXdzEXAMPLE"),
            expiration: Some(expiration.into()),
            description: None,
        })
    };
    let live = signer::aws_entry_credentials(&role("2025-11-25T11:00:00+00:00"), NOW).unwrap();
    assert!(live.has_session_token());
    let err = signer::aws_entry_credentials(&role("2025-11-25T09:59:59Z"), NOW).unwrap_err();
    assert_eq!(err.code(), "signer_expired");
    assert!(err.to_string().contains("2025-11-25T09:59:59Z"), "{err}");
    // MFA is for long-term keys only.
    let err = signer::aws_signer_info(
        &role("2025-11-25T11:00:00Z"),
        identity(),
        Some("arn:aws:iam::123456789012:mfa/x".into()),
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_signer");
}

#[test]
fn pasted_signer_text_is_read_by_the_vault_import_formats() {
    let exports = "export AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE\n\
                   export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\
                   export AWS_SESSION_TOKEN=FwoGZXIvYXdzEXAMPLE\n\
                   export AWS_CREDENTIAL_EXPIRATION=2025-11-25T11:00:00+00:00\n";
    match signer::parse_aws_signer_text(exports).unwrap() {
        EntryData::AwsTemporaryCredentials(c) => {
            assert_eq!(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
            assert_eq!(c.expiration.as_deref(), Some("2025-11-25T11:00:00+00:00"));
        }
        other => panic!("{other:?}"),
    }
    let section = "[issuer]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
                   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    assert!(matches!(
        signer::parse_aws_signer_text(section).unwrap(),
        EntryData::AwsAccessKey(_)
    ));
    let two = format!("{section}\n[other]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n");
    let err = signer::parse_aws_signer_text(&two).unwrap_err();
    assert_eq!(err.code(), "invalid_signer");
    assert!(!err.to_string().contains("wJalr"));
    let err = signer::parse_aws_signer_text("hello").unwrap_err();
    assert!(matches!(err, SignerError::Import(_)), "{err:?}");
}

#[test]
fn a_scaleway_signer_records_the_bearer_the_api_named() {
    let identity = SignerIdentity {
        key: ApiKey {
            access_key: "SCWXXXXXXXXXXXXXXXXX".into(),
            bearer: Bearer::Application("11111111-1111-4111-8111-111111111111".into()),
            description: "key issuer".into(),
            created_at: None,
            updated_at: None,
            expires_at: None,
            default_project_id: Some("22222222-2222-4222-8222-222222222222".into()),
            editable: true,
            deletable: true,
            managed: false,
            creation_ip: None,
        },
        organization_id: "33333333-3333-4333-8333-333333333333".into(),
        bearer_name: Some("keysmith".into()),
    };
    let secret = SecretString::copy_from("44444444-4444-4444-8444-444444444444");
    let entry = signer::scaleway_signer_entry(&identity, secret, None, NOW).unwrap();
    let opened = reopen(&entry);
    match &opened.data {
        EntryData::ScalewayApiKey(k) => {
            assert_eq!(k.bearer_type, ScalewayBearerType::Application);
            assert_eq!(k.bearer_id, "11111111-1111-4111-8111-111111111111");
            assert_eq!(
                k.organization_id.as_deref(),
                Some("33333333-3333-4333-8333-333333333333")
            );
            assert_eq!(k.description.as_deref(), Some("key issuer"));
        }
        other => panic!("{other:?}"),
    }
    let secret = signer::scaleway_signer_secret(&opened).unwrap();
    assert_eq!(
        secret.expose_secret(),
        "44444444-4444-4444-8444-444444444444"
    );
    assert_eq!(
        signer::aws_signer_credentials(&opened, NOW)
            .unwrap_err()
            .code(),
        "wrong_signer"
    );
}

/// GetSessionToken's answer (recorded) becomes a sealed session entry; IAM calls are then
/// signed with the session's key and token, and their recorded answers parse as usual.
#[test]
fn iam_calls_are_signed_with_the_mfa_session_credentials() {
    let session = sts::parse_get_session_token(&recorded("sts/get_session_token.xml")).unwrap();
    let token = session.session_token.expose_secret().to_owned();
    let entry = Entry::new(signer::session_entry(session), NOW).unwrap();
    let opened = reopen(&entry);
    // The recorded session expired in 2011: at NOW it is refused…
    assert_eq!(
        signer::aws_entry_credentials(&opened.data, NOW)
            .unwrap_err()
            .code(),
        "signer_expired"
    );
    // …and within its lifetime it signs.
    let during = 1_310_400_000_000; // 2011-07-11T16:00:00Z
    let credentials = signer::aws_entry_credentials(&opened.data, during).unwrap();
    assert_eq!(credentials.access_key_id(), "ASIAIOSFODNN7EXAMPLE");
    let endpoint = Endpoint::aws();
    let request = iam::prepare_list_access_keys(&endpoint, Some("alice"), None)
        .unwrap()
        .sign(&credentials, during)
        .unwrap();
    let headers = request.headers();
    assert_eq!(headers["x-amz-security-token"].to_str().unwrap(), token);
    let authorization = headers["authorization"].to_str().unwrap();
    assert!(
        authorization
            .contains("Credential=ASIAIOSFODNN7EXAMPLE/20110711/us-east-1/iam/aws4_request"),
        "{authorization}"
    );
    assert!(
        authorization.contains("x-amz-security-token"),
        "{authorization}"
    );
    let page = iam::parse_list_access_keys(&recorded("iam/list_access_keys.xml")).unwrap();
    assert!(!page.items.is_empty());
    let created = iam::parse_create_access_key(&recorded("iam/create_access_key.xml")).unwrap();
    assert!(!created.access_key_id.is_empty());
}
