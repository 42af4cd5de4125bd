//! Golden-file tests for every export format. Regenerate with `UPDATE_GOLDEN=1 cargo test`,
//! then review the diff: these files are what users paste into their terminals.
// Native only: uses std::fs/processes/proptest, or measures the native allocator.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use keysmith_core::secret::SecretString;
use keysmith_core::vault::export::*;
use keysmith_core::vault::*;

fn golden(name: &str, actual: &SecretString) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual.expose_secret()).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(
        actual.expose_secret(),
        expected,
        "{name} differs from its golden file"
    );
}

fn access_key() -> EntryData {
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

fn session() -> EntryData {
    EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
        access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
        // A quote and a `$`: exports must not let the shell interpret either.
        secret_access_key: SecretString::copy_from("je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLE'$KEY"),
        session_token: SecretString::copy_from(
            "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+EXAMPLE=",
        ),
        expiration: Some("2026-11-25T10:00:00Z".into()),
        description: None,
    })
}

fn scaleway() -> EntryData {
    EntryData::ScalewayApiKey(ScalewayApiKey {
        access_key: "SCWXXXXXXXXXXXXXXXXX".into(),
        secret_key: SecretString::copy_from("11111111-1111-1111-1111-111111111111"),
        bearer_type: ScalewayBearerType::Application,
        bearer_id: "22222222-2222-2222-2222-222222222222".into(),
        organization_id: Some("33333333-3333-3333-3333-333333333333".into()),
        default_project_id: Some("44444444-4444-4444-4444-444444444444".into()),
        description: Some("terraform".into()),
        expires_at: None,
    })
}

/// Not a key: base64 of a placeholder, shaped like one.
const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
S2V5c21pdGggdGVzdCBmaXh0dXJlOiBub3QgYSByZWFsIFJTQSBrZXkuIEtleXNt
aXRoIHRlc3QgZml4dHVyZTogbm90IGEgcmVhbCBSU0Ega2V5Lg==
-----END RSA PRIVATE KEY-----";

fn ec2() -> EntryData {
    EntryData::Ec2KeyPair(Ec2KeyPair {
        region: Some("eu-west-3".into()),
        key_name: "bastion key".into(),
        key_pair_id: Some("key-0123456789abcdef0".into()),
        fingerprint: Some("1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f".into()),
        key_type: Ec2KeyType::Rsa,
        key_format: Ec2KeyFormat::Pem,
        private_key: SecretString::copy_from(PEM),
    })
}

const PARIS: ScalewayDefaults<'static> = ScalewayDefaults {
    region: Some("fr-par"),
    zone: Some("fr-par-1"),
};

#[test]
fn aws_credentials_file_golden() {
    golden(
        "aws_credentials_access_key.ini",
        &aws_credentials_file(&access_key(), "deploy-bot").unwrap(),
    );
    golden(
        "aws_credentials_session.ini",
        &aws_credentials_file(&session(), "sso-admin").unwrap(),
    );
}

#[test]
fn aws_configure_set_golden() {
    golden(
        "aws_configure_set_access_key.sh",
        &aws_configure_set(&access_key(), "deploy-bot").unwrap(),
    );
    golden(
        "aws_configure_set_session.sh",
        &aws_configure_set(&session(), "sso-admin").unwrap(),
    );
}

#[test]
fn aws_env_exports_golden() {
    golden(
        "aws_env_access_key.sh",
        &aws_env_exports(&access_key()).unwrap(),
    );
    golden("aws_env_session.sh", &aws_env_exports(&session()).unwrap());
}

#[test]
fn aws_console_csv_golden() {
    golden(
        "aws_console.csv",
        &aws_console_csv(&access_key(), None).unwrap(),
    );
    let renamed = aws_console_csv(&access_key(), Some("ci")).unwrap();
    assert!(renamed.expose_secret().contains("\nci,AKIA"));
}

#[test]
fn scaleway_golden() {
    golden(
        "scaleway_config.yaml",
        &scaleway_config_yaml(&scaleway(), "terraform", PARIS).unwrap(),
    );
    golden(
        "scaleway_env.sh",
        &scaleway_env_exports(&scaleway(), PARIS).unwrap(),
    );
    let bare = scaleway_env_exports(&scaleway(), ScalewayDefaults::default()).unwrap();
    assert!(!bare.expose_secret().contains("SCW_DEFAULT_REGION"));
}

#[test]
fn scaleway_s3_profile_golden() {
    golden(
        "scaleway_s3_profile.ini",
        &scaleway_s3_profile(&scaleway(), "scw-par", PARIS).unwrap(),
    );
    // Without a region: Paris.
    let bare = scaleway_s3_profile(&scaleway(), "default", ScalewayDefaults::default()).unwrap();
    assert!(bare
        .expose_secret()
        .ends_with("region = fr-par\nendpoint_url = https://s3.fr-par.scw.cloud\n"));
    let warsaw = ScalewayDefaults {
        region: Some("pl-waw"),
        zone: None,
    };
    let text = scaleway_s3_profile(&scaleway(), "default", warsaw).unwrap();
    assert!(text
        .expose_secret()
        .contains("endpoint_url = https://s3.pl-waw.scw.cloud\n"));
    // No S3 endpoint there (or not a region at all).
    for region in ["fr-par-1", "de-fra", "fr-par\nx = y"] {
        let d = ScalewayDefaults {
            region: Some(region),
            zone: None,
        };
        assert_eq!(
            scaleway_s3_profile(&scaleway(), "default", d)
                .unwrap_err()
                .code(),
            "invalid_region",
            "{region:?}"
        );
    }
    for profile in ["", "a b", "x]\n[y", "a,b"] {
        assert_eq!(
            scaleway_s3_profile(&scaleway(), profile, PARIS)
                .unwrap_err()
                .code(),
            "invalid_profile"
        );
    }
    assert_eq!(
        scaleway_s3_profile(&access_key(), "default", PARIS)
            .unwrap_err()
            .code(),
        "wrong_kind"
    );
}

#[test]
fn ec2_pem_golden() {
    golden("ec2_bastion.pem", &ec2_private_key(&ec2()).unwrap());
    assert_eq!(
        ec2_private_key_file_name(&ec2()).unwrap(),
        "bastion_key.pem"
    );
}

#[test]
fn shell_exports_survive_a_real_shell() {
    // The session secret holds `'` and `$`: eval it in sh and read the variables back.
    let exports = aws_env_exports(&session()).unwrap();
    let script = format!(
        "{}printf '%s\\n' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\"",
        exports.expose_secret()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .expect("sh runs");
    assert!(out.status.success());
    let EntryData::AwsTemporaryCredentials(c) = session() else {
        unreachable!()
    };
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "{}\n{}\n",
            c.secret_access_key.expose_secret(),
            c.session_token.expose_secret()
        )
    );
}

#[test]
fn exports_refuse_what_the_target_format_cannot_hold() {
    for bad in ["", "a,b", "x]\n[default", "with space", &"p".repeat(65)] {
        let err = aws_credentials_file(&access_key(), bad).unwrap_err();
        assert_eq!(err.code(), "invalid_profile", "{bad:?}");
        assert_eq!(
            aws_console_csv(&access_key(), Some(bad))
                .unwrap_err()
                .code(),
            "invalid_profile"
        );
    }
    assert_eq!(
        aws_console_csv(&session(), None).unwrap_err().code(),
        "wrong_kind"
    );
    assert_eq!(
        aws_env_exports(&scaleway()).unwrap_err().code(),
        "wrong_kind"
    );
    assert_eq!(
        ec2_private_key(&access_key()).unwrap_err().code(),
        "wrong_kind"
    );
    assert_eq!(
        scaleway_config_yaml(&scaleway(), "a b", PARIS)
            .unwrap_err()
            .code(),
        "invalid_profile"
    );
    let bad_zone = ScalewayDefaults {
        region: Some("fr-par"),
        zone: Some("fr-par-1\nsecret_key: x"),
    };
    assert_eq!(
        scaleway_env_exports(&scaleway(), bad_zone)
            .unwrap_err()
            .code(),
        "invalid_region"
    );
    let EntryData::AwsAccessKey(mut nameless) = access_key() else {
        unreachable!()
    };
    nameless.user_name = None;
    assert_eq!(
        aws_console_csv(&EntryData::AwsAccessKey(nameless), None)
            .unwrap_err()
            .code(),
        "missing_user_name"
    );
    let EntryData::AwsAccessKey(mut injected) = access_key() else {
        unreachable!()
    };
    injected.secret_access_key = SecretString::copy_from("abc\n[default]");
    assert_eq!(
        aws_credentials_file(&EntryData::AwsAccessKey(injected), "p")
            .unwrap_err()
            .code(),
        "invalid_entry"
    );
}

// ---- OpenSSH public key ----------------------------------------------------------------------

/// A fixture from `tests/fixtures/ssh` (test-only keys; see the README there).
fn ssh_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ssh")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ec2_with(private_key: &str, key_type: Ec2KeyType, key_format: Ec2KeyFormat) -> EntryData {
    EntryData::Ec2KeyPair(Ec2KeyPair {
        region: Some("eu-west-3".into()),
        key_name: "bastion".into(),
        key_pair_id: None,
        fingerprint: None,
        key_type,
        key_format,
        private_key: SecretString::copy_from(private_key),
    })
}

/// `ssh-keygen`'s `.pub` line with its comment replaced.
fn pub_line_with_comment(pub_file: &str, comment: &str) -> String {
    let line = ssh_fixture(pub_file);
    let mut parts = line.trim_end().splitn(3, ' ');
    let (kind, blob) = (parts.next().unwrap(), parts.next().unwrap());
    if comment.is_empty() {
        format!("{kind} {blob}\n")
    } else {
        format!("{kind} {blob} {comment}\n")
    }
}

#[test]
fn openssh_public_key_matches_ssh_keygen() {
    use Ec2KeyFormat::{Pem, Ppk};
    use Ec2KeyType::{Ed25519, Rsa};
    let cases = [
        ("ed25519_openssh", "ed25519_openssh.pub", Ed25519, Pem),
        ("rsa_openssh", "rsa_openssh.pub", Rsa, Pem),
        ("rsa_pkcs1.pem", "rsa_pkcs1.pem.pub", Rsa, Pem),
        ("rsa_pkcs8.pem", "rsa_pkcs8.pem.pub", Rsa, Pem),
        ("ed25519.ppk", "ed25519_openssh.pub", Ed25519, Ppk),
        ("rsa.ppk", "rsa_pkcs1.pem.pub", Rsa, Ppk),
    ];
    for (private, public, key_type, key_format) in cases {
        let entry = ec2_with(&ssh_fixture(private), key_type, key_format);
        for comment in ["bastion key", ""] {
            assert_eq!(
                ec2_openssh_public_key(&entry, comment).unwrap(),
                pub_line_with_comment(public, comment),
                "{private} with comment {comment:?}"
            );
        }
    }
    // The `.pub` file as ssh-keygen wrote it, comment included.
    let entry = ec2_with(&ssh_fixture("ed25519_openssh"), Ed25519, Pem);
    assert_eq!(
        ec2_openssh_public_key(&entry, "keysmith-test-ed25519").unwrap(),
        ssh_fixture("ed25519_openssh.pub")
    );
    // The import path accepts what the export reads, and the two agree.
    let imported = import::import_private_key(&ssh_fixture("rsa_pkcs1.pem"), "bastion").unwrap();
    assert_eq!(
        ec2_openssh_public_key(&imported, "c").unwrap(),
        pub_line_with_comment("rsa_pkcs1.pem.pub", "c")
    );
    assert_eq!(ec2_public_key_file_name(&ec2()).unwrap(), "bastion_key.pub");
}

#[test]
fn openssh_public_key_refuses_bad_input_without_panicking() {
    use base64ct::{Base64, Encoding};
    let code = |text: &str| {
        ec2_openssh_public_key(&ec2_with(text, Ec2KeyType::Rsa, Ec2KeyFormat::Pem), "c")
            .unwrap_err()
            .code()
    };
    // Wrong kind, and a comment that would add a line to authorized_keys.
    assert_eq!(
        ec2_openssh_public_key(&access_key(), "c")
            .unwrap_err()
            .code(),
        "wrong_kind"
    );
    let good = ec2_with(
        &ssh_fixture("ed25519_openssh"),
        Ec2KeyType::Ed25519,
        Ec2KeyFormat::Pem,
    );
    for bad in ["a\nssh-ed25519 AAAA evil", "a\rb", "tab\there"] {
        assert_eq!(
            ec2_openssh_public_key(&good, bad).unwrap_err().code(),
            "invalid_comment"
        );
    }
    // Encrypted OpenSSH key: a clear error that says so.
    let err = ec2_openssh_public_key(
        &ec2_with(
            &ssh_fixture("ed25519_encrypted"),
            Ec2KeyType::Ed25519,
            Ec2KeyFormat::Pem,
        ),
        "c",
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_key");
    assert!(err.to_string().contains("encrypted"), "{err}");
    // The placeholder golden PEM is not DER.
    assert_eq!(code(PEM), "invalid_key");
    // Garbage, and an unsupported PEM block.
    for text in [
        "not a key",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----",
        "PuTTY-User-Key-File-3: ssh-rsa\nPublic-Lines: 1\nAAAA\n",
        "PuTTY-User-Key-File-3: ssh-rsa\nPublic-Lines: 99999999\n",
        "PuTTY-User-Key-File-3: ssh-rsa\n",
    ] {
        assert_eq!(code(text), "invalid_key", "{text:?}");
    }
    assert_eq!(
        code("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"),
        "unsupported"
    );
    // PKCS#8 ED25519 holds only the seed; deriving the public key is left out (wasm size).
    let err = code(&ssh_fixture("ed25519_pkcs8.pem"));
    assert_eq!(err, "unsupported");

    // Every truncation and every single-byte corruption of every fixture's body: an error or
    // a well-formed line, never a panic.
    for name in [
        "ed25519_openssh",
        "rsa_openssh",
        "rsa_pkcs1.pem",
        "rsa_pkcs8.pem",
        "ed25519_pkcs8.pem",
    ] {
        let text = ssh_fixture(name);
        let lines: Vec<&str> = text.lines().collect();
        let (begin, end) = (lines[0], lines[lines.len() - 1]);
        let body: String = lines[1..lines.len() - 1].concat();
        let der = Base64::decode_vec(&body).unwrap();
        let pem = |der: &[u8]| format!("{begin}\n{}\n{end}\n", Base64::encode_string(der));
        for cut in 0..der.len() {
            let err = code(&pem(&der[..cut]));
            assert!(
                err == "invalid_key" || err == "unsupported",
                "{name} cut at {cut}: {err}"
            );
        }
        let step = (der.len() / 400).max(1);
        for i in (0..der.len()).step_by(step) {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                let entry = ec2_with(&pem(&bad), Ec2KeyType::Rsa, Ec2KeyFormat::Pem);
                if let Ok(line) = ec2_openssh_public_key(&entry, "c") {
                    assert!(line.starts_with("ssh-") && line.ends_with(" c\n"));
                }
            }
        }
    }
}

#[test]
fn secret_only_is_the_bare_secret_of_each_kind() {
    assert_eq!(
        secret_only(&access_key()).unwrap().expose_secret(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    );
    assert_eq!(
        secret_only(&session()).unwrap().expose_secret(),
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLE'$KEY"
    );
    assert_eq!(
        secret_only(&scaleway()).unwrap().expose_secret(),
        "11111111-1111-1111-1111-111111111111"
    );
    let pem = secret_only(&ec2()).unwrap();
    assert!(
        pem.expose_secret().starts_with("-----BEGIN"),
        "not the private key"
    );
    assert_eq!(
        pem.expose_secret().trim_end(),
        ec2_private_key(&ec2()).unwrap().expose_secret().trim_end()
    );
}
