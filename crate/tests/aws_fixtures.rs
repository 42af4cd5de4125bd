//! Every AWS parser against recorded bodies (`tests/fixtures/aws/`): the documented success
//! answers, every error envelope, what proxies answer instead of AWS, and every success body
//! cut short at every byte.
#![cfg(all(not(target_arch = "wasm32"), feature = "providers"))]

use std::path::{Path, PathBuf};

use keysmith_core::aws::iam::KeyStatus;
use keysmith_core::aws::query::HttpResponse;
use keysmith_core::aws::{ec2, iam, secretsmanager, sts, AwsError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The status is in the name (`error_x.409.xml`); plain names are 200.
fn status_of(name: &str) -> u16 {
    let stem = name.rsplit('/').next().unwrap();
    stem.split('.')
        .find_map(|part| part.parse().ok())
        .unwrap_or(200)
}

/// A response as fetch would hand it over, with the request id header AWS always sends.
fn response(name: &str) -> HttpResponse {
    let mut r = HttpResponse::new(status_of(name), read(name));
    r.request_id = Some("header-request-id".into());
    r
}

type Parser = (&'static str, fn(&HttpResponse) -> Result<(), AwsError>);

fn iam_parsers() -> Vec<Parser> {
    vec![
        ("CreateAccessKey", |r| {
            iam::parse_create_access_key(r).map(drop)
        }),
        ("ListAccessKeys", |r| {
            iam::parse_list_access_keys(r).map(drop)
        }),
        ("GetAccessKeyLastUsed", |r| {
            iam::parse_get_access_key_last_used(r).map(drop)
        }),
        ("UpdateAccessKey", iam::parse_update_access_key),
        ("DeleteAccessKey", iam::parse_delete_access_key),
        ("CreateUser", |r| iam::parse_create_user(r).map(drop)),
        ("AttachUserPolicy", iam::parse_attach_user_policy),
        ("ListAttachedUserPolicies", |r| {
            iam::parse_list_attached_user_policies(r).map(drop)
        }),
    ]
}

fn sts_parsers() -> Vec<Parser> {
    vec![
        ("GetSessionToken", |r| {
            sts::parse_get_session_token(r).map(drop)
        }),
        ("GetCallerIdentity", |r| {
            sts::parse_get_caller_identity(r).map(drop)
        }),
    ]
}

fn ec2_parsers() -> Vec<Parser> {
    vec![
        ("CreateKeyPair", |r| ec2::parse_create_key_pair(r).map(drop)),
        ("DescribeKeyPairs", |r| {
            ec2::parse_describe_key_pairs(r).map(drop)
        }),
        ("DeleteKeyPair", |r| ec2::parse_delete_key_pair(r).map(drop)),
    ]
}

fn secretsmanager_parsers() -> Vec<Parser> {
    vec![
        ("CreateSecret", |r| {
            secretsmanager::parse_create_secret(r).map(drop)
        }),
        ("PutSecretValue", |r| {
            secretsmanager::parse_put_secret_value(r).map(drop)
        }),
    ]
}

fn all_parsers() -> Vec<Parser> {
    [
        iam_parsers(),
        sts_parsers(),
        ec2_parsers(),
        secretsmanager_parsers(),
    ]
    .concat()
}

fn files(dir: &str, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(prefix))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no {prefix}* fixtures in {dir}");
    names
}

// ---- success answers -------------------------------------------------------------------

#[test]
fn iam_create_access_key() {
    let key = iam::parse_create_access_key(&response("iam/create_access_key.xml")).unwrap();
    assert_eq!(key.user_name, "Bob");
    assert_eq!(key.access_key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(key.status, "Active");
    assert_eq!(key.create_date, "2015-03-09T18:39:23Z");
    assert_eq!(
        key.secret_access_key.expose_secret(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    );
}

#[test]
fn iam_list_access_keys() {
    let page = iam::parse_list_access_keys(&response("iam/list_access_keys.xml")).unwrap();
    assert_eq!(page.next_marker, None);
    let summary: Vec<_> = page
        .items
        .iter()
        .map(|k| (k.user_name.as_str(), k.access_key_id.as_str(), &k.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("Bob", "AKIAIOSFODNN7EXAMPLE", &KeyStatus::Active),
            ("Bob", "AKIAI44QH8DHBEXAMPLE", &KeyStatus::Inactive)
        ]
    );
    assert_eq!(page.items[1].create_date, "2014-10-01T12:00:00Z");

    let first = iam::parse_list_access_keys(&response("iam/list_access_keys_page1.xml")).unwrap();
    assert_eq!(first.items.len(), 1);
    assert_eq!(
        first.next_marker.as_deref(),
        Some("AAEAAQAAAAEAAAAAAAAAAXRleHQ=")
    );

    let empty = iam::parse_list_access_keys(&response("iam/list_access_keys_empty.xml")).unwrap();
    assert!(empty.items.is_empty() && empty.next_marker.is_none());
}

#[test]
fn iam_get_access_key_last_used() {
    let used =
        iam::parse_get_access_key_last_used(&response("iam/get_access_key_last_used.xml")).unwrap();
    assert_eq!(used.user_name, "bob");
    assert_eq!(used.last_used_date.as_deref(), Some("2015-03-13T10:45:00Z"));
    assert_eq!(used.service_name.as_deref(), Some("s3"));
    assert_eq!(used.region.as_deref(), Some("us-west-2"));

    let never =
        iam::parse_get_access_key_last_used(&response("iam/get_access_key_last_used_never.xml"))
            .unwrap();
    assert!(never.never_used());
    assert_eq!((never.service_name, never.region), (None, None));
}

#[test]
fn iam_acknowledgements() {
    iam::parse_update_access_key(&response("iam/update_access_key.xml")).unwrap();
    iam::parse_delete_access_key(&response("iam/delete_access_key.xml")).unwrap();
    iam::parse_attach_user_policy(&response("iam/attach_user_policy.xml")).unwrap();
    // An acknowledgement of another action is not this one's.
    let wrong = iam::parse_delete_access_key(&response("iam/update_access_key.xml")).unwrap_err();
    assert_eq!(wrong.code(), "malformed_response");
}

#[test]
fn iam_create_user() {
    let user = iam::parse_create_user(&response("iam/create_user.xml")).unwrap();
    assert_eq!(user.user_name, "Bob");
    assert_eq!(user.user_id, "AIDACKCEVSQ6C2EXAMPLE");
    assert_eq!(user.path, "/division_abc/subdivision_xyz/");
    assert_eq!(
        user.arn,
        "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"
    );
    assert_eq!(user.create_date, "2013-11-20T23:35:00Z");
}

#[test]
fn iam_list_attached_user_policies() {
    let page =
        iam::parse_list_attached_user_policies(&response("iam/list_attached_user_policies.xml"))
            .unwrap();
    let arns: Vec<_> = page.items.iter().map(|p| p.policy_arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
        ]
    );
    assert_eq!(page.items[1].policy_name, "AmazonEC2FullAccess");
    assert_eq!(page.next_marker, None);
}

#[test]
fn sts_get_session_token() {
    let c = sts::parse_get_session_token(&response("sts/get_session_token.xml")).unwrap();
    assert_eq!(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(c.expiration, "2011-07-11T19:55:29.611Z");
    assert_eq!(
        c.secret_access_key.expose_secret(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    );
    assert!(c
        .session_token
        .expose_secret()
        .starts_with("AQoEXAMPLEH4aoAH0gNCAPyJ"));
    assert!(c.session_token.expose_secret().ends_with("OtkIKGO7fAE"));
}

#[test]
fn ec2_create_key_pair() {
    let k = ec2::parse_create_key_pair(&response("ec2/create_key_pair.xml")).unwrap();
    assert_eq!(k.key_name, "my-key-pair");
    assert_eq!(k.key_pair_id, "key-0123456789abcdef0");
    assert_eq!(
        k.key_fingerprint, "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f",
        "whitespace around the fingerprint is not part of it"
    );
    let pem = k.key_material.expose_secret();
    assert!(
        pem.starts_with("---- BEGIN RSA PRIVATE KEY ----\nMIIC"),
        "{pem:?}"
    );
    assert!(pem.ends_with("-----END RSA PRIVATE KEY-----"));
    assert!(!format!("{k:?}").contains("MIIC"));

    let tagged =
        ec2::parse_create_key_pair(&response("ec2/create_key_pair_ed25519_tagged.xml")).unwrap();
    assert_eq!(tagged.key_name, "deploy-key");
    assert!(tagged
        .key_material
        .expose_secret()
        .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
}

#[test]
fn ec2_describe_key_pairs() {
    let keys = ec2::parse_describe_key_pairs(&response("ec2/describe_key_pairs.xml")).unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].key_pair_id, "key-0123456789abcdef0");
    assert_eq!(keys[0].key_type, "rsa");
    assert_eq!(keys[0].create_time, "2021-06-21T18:29:39.000Z");
    assert_eq!(
        keys[1].key_name, "deploy-key",
        "a tag named keyName inside tagSet is not the key's name"
    );
    assert_eq!(keys[1].key_type, "ed25519");
}

#[test]
fn ec2_delete_key_pair() {
    let id = ec2::parse_delete_key_pair(&response("ec2/delete_key_pair.xml")).unwrap();
    assert_eq!(id.as_deref(), Some("key-0123456789abcdef0"));
}

#[test]
fn secretsmanager_versions() {
    let v = secretsmanager::parse_create_secret(&response("secretsmanager/create_secret.json"))
        .unwrap();
    assert_eq!(v.name, "MyTestDatabaseSecret");
    assert_eq!(
        v.arn,
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3"
    );
    assert_eq!(v.version_id, "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1");
    let v =
        secretsmanager::parse_put_secret_value(&response("secretsmanager/put_secret_value.json"))
            .unwrap();
    assert_eq!(v.version_id, "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE");
}

// ---- errors ----------------------------------------------------------------------------

/// What each error fixture must become, whatever parser of its service reads it.
struct Expected {
    code: &'static str,
    throttling: bool,
    missing_permission: Option<&'static str>,
}

fn expected(name: &str) -> Expected {
    let e = |code, throttling, missing_permission| Expected {
        code,
        throttling,
        missing_permission,
    };
    let stem = name.rsplit('/').next().unwrap().split('.').next().unwrap();
    let service = name.split('/').next().unwrap();
    match (service, stem) {
        ("iam", "error_access_denied") => e("AccessDenied", false, Some("iam:CreateAccessKey")),
        ("iam", "error_limit_exceeded") => e("LimitExceeded", false, None),
        ("iam", "error_no_such_entity") => e("NoSuchEntity", false, None),
        ("iam", "error_entity_already_exists") => e("EntityAlreadyExists", false, None),
        ("iam", "error_invalid_input") => e("InvalidInput", false, None),
        ("iam", "error_throttling") => e("Throttling", true, None),
        ("iam", "error_signature_does_not_match") => e("SignatureDoesNotMatch", false, None),
        ("iam", "error_invalid_client_token_id") => e("InvalidClientTokenId", false, None),
        ("iam", "error_service_failure") => e("ServiceFailure", false, None),
        ("iam", "error_concurrent_modification") => e("ConcurrentModification", false, None),
        ("iam", "error_policy_not_attachable") => e("PolicyNotAttachable", false, None),
        ("sts", "error_mfa_code_invalid") => e("AccessDenied", false, None),
        ("sts", "error_expired_token") => e("ExpiredToken", false, None),
        ("sts", "error_region_disabled") => e("RegionDisabledException", false, None),
        ("ec2", "error_duplicate") => e("InvalidKeyPair.Duplicate", false, None),
        ("ec2", "error_not_found") => e("InvalidKeyPair.NotFound", false, None),
        ("ec2", "error_unauthorized") => {
            e("UnauthorizedOperation", false, Some("ec2:CreateKeyPair"))
        }
        ("ec2", "error_request_limit") => e("RequestLimitExceeded", true, None),
        ("ec2", "error_auth_failure") => e("AuthFailure", false, None),
        ("ec2", "error_invalid_parameter") => e("InvalidParameterValue", false, None),
        ("ec2", "error_unavailable") => e("Unavailable", false, None),
        ("secretsmanager", "error_resource_exists") => e("ResourceExistsException", false, None),
        ("secretsmanager", "error_invalid_request") => e("InvalidRequestException", false, None),
        ("secretsmanager", "error_invalid_parameter") => {
            e("InvalidParameterException", false, None)
        }
        ("secretsmanager", "error_limit_exceeded") => e("LimitExceededException", false, None),
        ("secretsmanager", "error_access_denied") => e(
            "AccessDeniedException",
            false,
            Some("secretsmanager:CreateSecret"),
        ),
        ("secretsmanager", "error_throttling") => e("ThrottlingException", true, None),
        ("secretsmanager", "error_not_found") => e("ResourceNotFoundException", false, None),
        ("secretsmanager", "error_encryption_failure") => e("EncryptionFailure", false, None),
        ("secretsmanager", "error_internal") => e("InternalServiceError", false, None),
        _ => panic!("no expectation for fixture {name}: add one"),
    }
}

#[test]
fn every_error_fixture_becomes_a_typed_provider_error() {
    let services: [(&str, Vec<Parser>); 4] = [
        ("iam", iam_parsers()),
        ("sts", sts_parsers()),
        ("ec2", ec2_parsers()),
        ("secretsmanager", secretsmanager_parsers()),
    ];
    let mut checked = 0;
    for (dir, parsers) in &services {
        for name in files(dir, "error_") {
            let want = expected(&name);
            let status = status_of(&name);
            assert_ne!(
                status, 200,
                "{name}: errors carry their status in the file name"
            );
            for (action, parse) in parsers {
                let err = parse(&response(&name)).unwrap_err();
                let ctx = format!("{name} via {action}: {err:?}");
                assert_eq!(err.code(), "provider_error", "{ctx}");
                assert_eq!(err.provider_code(), Some(want.code), "{ctx}");
                assert_eq!(err.status(), Some(status), "{ctx}");
                assert_eq!(err.is_throttling(), want.throttling, "{ctx}");
                assert_eq!(err.missing_permission(), want.missing_permission, "{ctx}");
                let AwsError::Provider {
                    message,
                    request_id,
                    ..
                } = &err
                else {
                    unreachable!()
                };
                assert!(!message.is_empty(), "{ctx}");
                let request_id = request_id.as_deref().unwrap();
                if *dir == "secretsmanager" {
                    assert_eq!(request_id, "header-request-id", "{ctx}");
                } else {
                    assert!(
                        request_id.contains("-4000-8000-EXAMPLE"),
                        "body id wins: {ctx}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} error/parser pairs checked");
}

#[test]
fn the_two_key_limit_says_what_to_do() {
    let err =
        iam::parse_create_access_key(&response("iam/error_limit_exceeded.409.xml")).unwrap_err();
    assert!(err.is_key_limit());
    assert!(
        err.to_string().contains("deactivate or delete one"),
        "{err}"
    );
    let denied =
        iam::parse_create_access_key(&response("iam/error_access_denied.403.xml")).unwrap_err();
    assert!(
        denied
            .to_string()
            .contains("lacks the permission iam:CreateAccessKey"),
        "{denied}"
    );
}

// ---- not AWS at all --------------------------------------------------------------------

#[test]
fn html_from_a_proxy_is_malformed_for_every_parser() {
    for name in files("garbage", "") {
        for status in [200, 403, 502, 503] {
            let mut r = HttpResponse::new(status, read(&name));
            r.request_id = None;
            for (action, parse) in all_parsers() {
                let err = parse(&r).unwrap_err();
                assert_eq!(
                    err.code(),
                    "malformed_response",
                    "{name} {status} via {action}"
                );
                assert_eq!(err.status(), Some(status));
                assert_eq!(err.is_transient(), status == 503);
            }
        }
    }
}

#[test]
fn a_success_body_for_another_action_is_malformed() {
    let r = response("iam/list_access_keys.xml");
    for (action, parse) in all_parsers() {
        if action == "ListAccessKeys" {
            continue;
        }
        assert_eq!(
            parse(&r).unwrap_err().code(),
            "malformed_response",
            "{action}"
        );
    }
}

/// Cut at every byte, every success answer must be refused: never accepted as a shorter
/// answer (a list missing a key, a PEM missing its end), never a panic.
#[test]
fn every_truncated_success_body_is_malformed() {
    let mut cuts = 0;
    for dir in ["iam", "sts", "ec2", "secretsmanager"] {
        let parsers = all_parsers();
        for name in std::fs::read_dir(fixtures().join(dir)).unwrap() {
            let name = format!("{dir}/{}", name.unwrap().file_name().into_string().unwrap());
            if name.contains("/error_") {
                continue;
            }
            let body = read(&name);
            let trimmed = String::from_utf8(body.clone()).unwrap().trim_end().len();
            let (action, parse) = parsers
                .iter()
                .find(|(_, p)| p(&HttpResponse::new(200, body.clone())).is_ok())
                .unwrap_or_else(|| panic!("no parser accepts {name}"));
            for cut in 0..trimmed {
                let r = HttpResponse::new(200, &body[..cut]);
                let err =
                    parse(&r).expect_err(&format!("{name} cut at {cut} accepted by {action}"));
                assert_eq!(err.code(), "malformed_response", "{name} cut at {cut}");
                cuts += 1;
            }
        }
    }
    assert!(cuts > 5_000, "{cuts}");
}
