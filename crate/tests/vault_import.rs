//! Imports: every accepted shape, round trips through the exports, and line-numbered refusals
//! that import nothing and quote no secret.
// Native only: uses std::fs/processes/proptest, or measures the native allocator.
#![cfg(not(target_arch = "wasm32"))]

use base64ct::{Base64, Encoding};
use keysmith_core::secret::SecretString;
use keysmith_core::vault::export::*;
use keysmith_core::vault::import::*;
use keysmith_core::vault::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn access_key(entry: &EntryData) -> &AwsAccessKey {
    match entry {
        EntryData::AwsAccessKey(k) => k,
        other => panic!("expected an access key, got {}", other.kind()),
    }
}

#[test]
fn console_csv_all_three_shapes() {
    let plain = "Access key ID,Secret access key\r\nAKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n";
    let with_user = "\u{feff}User Name,Access key ID,Secret access key\nbob,AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    let creation = "User name,Password,Access key ID,Secret access key,Console login link\nalice,\"p,w\"\"d\",AKIAI44QH8DHBEXAMPLE,je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY,https://123456789012.signin.aws.amazon.com/console\n";
    for text in [plain, with_user, creation] {
        assert_eq!(detect_format(text), Some(ImportFormat::ConsoleCsv));
    }
    let k = import_text(plain, None).unwrap();
    assert_eq!(k.len(), 1);
    assert_eq!(access_key(&k[0]).user_name, None);
    assert_eq!(access_key(&k[0]).secret_access_key.expose_secret(), SECRET);

    let k = import_console_csv(with_user).unwrap();
    assert_eq!(access_key(&k[0]).user_name.as_deref(), Some("bob"));

    let k = import_console_csv(creation).unwrap();
    assert_eq!(access_key(&k[0]).user_name.as_deref(), Some("alice"));
    assert_eq!(access_key(&k[0]).access_key_id, "AKIAI44QH8DHBEXAMPLE");
}

#[test]
fn console_csv_round_trips_through_the_export() {
    let original = EntryData::AwsAccessKey(AwsAccessKey {
        account_id: None,
        user_name: Some("deploy-bot".into()),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: SecretString::copy_from(SECRET),
        created: None,
        description: None,
        tags: vec![],
    });
    let csv = aws_console_csv(&original, None).unwrap();
    assert_eq!(
        import_text(csv.expose_secret(), None).unwrap(),
        vec![original]
    );
}

#[test]
fn a_bad_csv_row_names_its_line_and_imports_nothing() {
    let text = "User Name,Access key ID,Secret access key\nbob,AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\ncarol,short,hunter2hunter2\n";
    let err = import_text(text, None).unwrap_err();
    assert_eq!(err.line(), Some(4), "{err}");
    assert_eq!(err.code(), "import_malformed");
    assert!(!err.to_string().contains("hunter2"), "{err}");

    let err = import_console_csv("Access key ID,Secret\nA,B\n").unwrap_err();
    assert_eq!(err.line(), Some(1), "{err}");
    let err =
        import_console_csv("Access key ID,Secret access key\nAKIAIOSFODNN7EXAMPLE\n").unwrap_err();
    assert_eq!(err.line(), Some(2), "{err}");
    let err = import_console_csv("Access key ID,Secret access key\n\"AKIAIOSFODNN7EXAMPLE,x\n")
        .unwrap_err();
    assert_eq!(err.line(), Some(2), "{err}");
    assert_eq!(
        import_console_csv("Access key ID,Secret access key\n")
            .unwrap_err()
            .code(),
        "import_incomplete"
    );
}

#[test]
fn pasted_export_lines() {
    let long_term = "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n";
    assert_eq!(detect_format(long_term), Some(ImportFormat::EnvExports));
    let k = import_text(long_term, None).unwrap();
    assert_eq!(access_key(&k[0]).secret_access_key.expose_secret(), SECRET);

    let portal = "# Option 1: Set AWS environment variables\nexport AWS_ACCESS_KEY_ID=\"ASIAIOSFODNN7EXAMPLE\"\nexport AWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\nexport AWS_SESSION_TOKEN=\"IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD=\"\nAWS_REGION=eu-west-3\n";
    let [EntryData::AwsTemporaryCredentials(c)] = &import_text(portal, None).unwrap()[..] else {
        panic!("expected temporary credentials")
    };
    assert_eq!(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert!(c.session_token.expose_secret().starts_with("IQoJ"));
}

#[test]
fn export_lines_round_trip_including_awkward_secrets() {
    let original = EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
        access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: SecretString::copy_from("it's$a`\"secret\\"),
        session_token: SecretString::copy_from("token/with+slashes=="),
        expiration: Some("2026-11-25T10:00:00Z".into()),
        description: None,
    });
    let text = aws_env_exports(&original).unwrap();
    assert_eq!(import_env_exports(text.expose_secret()).unwrap(), original);
}

#[test]
fn bad_export_lines_name_their_line() {
    for (text, line) in [
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY=$(cat secret)\n", 2),
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY='unterminated\n", 2),
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n", 2),
        ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nPATH=/tmp\n", 2),
        ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\njust some words\n", 2),
        ("\n\nAWS_ACCESS_KEY_ID=bad id!\nAWS_SECRET_ACCESS_KEY=hunter2hunter2\n", 3),
    ] {
        let err = import_env_exports(text).unwrap_err();
        assert_eq!(err.line(), Some(line), "{text:?}: {err}");
        assert!(!err.to_string().contains("hunter2"));
    }
    assert_eq!(
        import_env_exports("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")
            .unwrap_err()
            .code(),
        "import_incomplete"
    );
}

#[test]
fn credentials_file_sections() {
    let text = "# work\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = eu-west-3\n\n[profile sso]\naws_access_key_id=ASIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\naws_session_token=IQoJb3JpZ2luX2VjEXAMPLE=\n";
    assert_eq!(
        detect_format("[default]\n"),
        Some(ImportFormat::CredentialsFile)
    );
    let entries = import_text(text, None).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        access_key(&entries[0]).description.as_deref(),
        Some("profile default")
    );
    assert!(matches!(entries[1], EntryData::AwsTemporaryCredentials(_)));

    let exported = aws_credentials_file(&entries[1], "sso").unwrap();
    let again = import_credentials_file(exported.expose_secret()).unwrap();
    assert_eq!(
        again,
        vec![import_credentials_file(text).unwrap().remove(1)]
    );
}

#[test]
fn bad_credentials_files_name_their_line_and_import_nothing() {
    for (text, line) in [
        ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", 1),
        ("[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n[b\n", 4),
        ("[a]\nno equals sign\n", 2),
        // A good first profile does not get imported when the second is incomplete.
        ("[good]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[role]\nrole_arn=arn:aws:iam::123456789012:role/x\n", 4),
        ("[a]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\n", 3),
        ("[a]\n[a]\n", 2),
    ] {
        let err = import_credentials_file(text).unwrap_err();
        assert_eq!(err.line(), Some(line), "{text:?}: {err}");
    }
}

/// An unencrypted openssh-key-v1 blob with one key of `key_type`; the private part is filler.
fn openssh_key(key_type: &str) -> String {
    fn string(out: &mut Vec<u8>, s: &[u8]) {
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s);
    }
    let mut public = Vec::new();
    string(&mut public, key_type.as_bytes());
    string(&mut public, &[7; 32]);
    let mut blob = b"openssh-key-v1\0".to_vec();
    string(&mut blob, b"none");
    string(&mut blob, b"none");
    string(&mut blob, b"");
    blob.extend_from_slice(&1u32.to_be_bytes());
    string(&mut blob, &public);
    string(&mut blob, &[0; 64]);
    let b64 = Base64::encode_string(&blob);
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(70)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        body.join("\n")
    )
}

#[test]
fn private_key_files_and_their_types() {
    let rsa = "-----BEGIN RSA PRIVATE KEY-----\nS2V5c21pdGggdGVzdCBmaXh0dXJl\n-----END RSA PRIVATE KEY-----";
    let pkcs8_ed25519 = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        Base64::encode_string(&[
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
            22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
        ])
    );
    let ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: bastion\nPublic-Lines: 1\nAAAA\n";
    let cases: [(&str, Ec2KeyType, Ec2KeyFormat); 5] = [
        (rsa, Ec2KeyType::Rsa, Ec2KeyFormat::Pem),
        (
            &openssh_key("ssh-ed25519"),
            Ec2KeyType::Ed25519,
            Ec2KeyFormat::Pem,
        ),
        (&openssh_key("ssh-rsa"), Ec2KeyType::Rsa, Ec2KeyFormat::Pem),
        (&pkcs8_ed25519, Ec2KeyType::Ed25519, Ec2KeyFormat::Pem),
        (ppk, Ec2KeyType::Ed25519, Ec2KeyFormat::Ppk),
    ];
    for (text, key_type, key_format) in cases {
        let [EntryData::Ec2KeyPair(k)] = &import_text(text, Some("keys/bastion.pem")).unwrap()[..]
        else {
            panic!("expected one key pair")
        };
        assert_eq!((k.key_type, k.key_format), (key_type, key_format), "{text}");
        assert_eq!(k.key_name, "bastion");
        assert!(
            k.private_key.expose_secret().ends_with("-----\n") || key_format == Ec2KeyFormat::Ppk
        );
    }
    // The .pem export gives back what was imported.
    let imported = import_private_key(rsa, "bastion").unwrap();
    assert_eq!(
        ec2_private_key(&imported).unwrap().expose_secret(),
        format!("{rsa}\n")
    );
}

#[test]
fn bad_private_keys_name_their_line() {
    for (text, line) in [
        ("-----BEGIN RSA PRIVATE KEY-----\nS2V5c21p*GggdGVzdA==\n-----END RSA PRIVATE KEY-----\n", 2),
        ("-----BEGIN RSA PRIVATE KEY-----\nS2V5c21pdGggdGVzdA==\n", 1),
        ("-----BEGIN RSA PRIVATE KEY-----\nS2V5c21pdGggdGVzdA==\n-----END PRIVATE KEY-----\n", 3),
        ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nS2V5\n-----END RSA PRIVATE KEY-----\n", 2),
        ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nS2V5\n-----END ENCRYPTED PRIVATE KEY-----\n", 1),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nS2V5c21pdGggdGVzdA==\n-----END OPENSSH PRIVATE KEY-----\n", 2),
        ("-----BEGIN RSA PRIVATE KEY-----\nS2V5c21pdGggdGVzdA=\n-----END RSA PRIVATE KEY-----\n", 3),
        ("-----BEGIN RSA PRIVATE KEY-----\nS2V5\n-----END RSA PRIVATE KEY-----\ntrailing\n", 4),
    ] {
        let err = import_private_key(text, "k").unwrap_err();
        assert_eq!(err.line(), Some(line), "{text:?}: {err}");
    }
}

#[test]
fn unrecognised_and_empty_input() {
    assert_eq!(import_text("", None).unwrap_err().code(), "import_empty");
    assert_eq!(
        import_text(" \n\n", None).unwrap_err().code(),
        "import_empty"
    );
    assert_eq!(
        import_text("hello world", None).unwrap_err().code(),
        "import_unrecognized"
    );
}
