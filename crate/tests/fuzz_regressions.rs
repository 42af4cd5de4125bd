//! Inputs the fuzz targets (crate/fuzz) stopped on, kept as tests. Neither was a crash in the
//! core: each showed a target's own assumption to be wrong, and the behaviour found is the one
//! wanted, so these pin it.
#![cfg(all(not(target_arch = "wasm32"), feature = "providers"))]

use keysmith_core::aws::{ec2, iam};
use keysmith_core::json;
use keysmith_core::response::HttpResponse;
use keysmith_core::scaleway::error::ScalewayError;

/// aws_query, artifact crash-4fc65abab2: an EC2 error document under HTTP 200. The SDKs treat an
/// error document as an error whatever the status, and so does the core: it must never be read
/// as an empty success (the target had assumed a 2xx could not carry a provider error).
#[test]
fn an_aws_error_document_under_http_200_is_the_provider_error() {
    let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>\n  <Errors>\n    <Error>\n      <Code>InvalidKeyPair.Duplicate</Code>\n      <Message>The keypair 'my-key-pair' already exists.</Message>\n    </Error>\n  </Errors>\n  <RequestID>c1b2c3d4-0001-4000-8000-EXAMPLE00001</RequestID>\n</Response>\n";
    let response = HttpResponse::new(200, body);
    let error = ec2::parse_create_key_pair(&response).expect_err("an error document");
    assert_eq!(error.provider_code(), Some("InvalidKeyPair.Duplicate"));
    assert!(ec2::parse_describe_key_pairs(&response).is_err());
    assert!(ec2::parse_delete_key_pair(&response).is_err());
    assert!(iam::parse_create_access_key(&response).is_err());
}

/// scaleway, artifact crash-4ef0cc41: `5555e555` under HTTP 401. RFC 8259 sets no limit on a
/// number's magnitude and the core's reader accepts it (it reads no floats); serde_json, the
/// target's reference parser, refuses numbers beyond f64. The decoder still answers with an
/// error that names the status, not a panic.
#[test]
fn a_number_beyond_f64_is_valid_json_and_an_error_body_still_decodes() {
    assert!(json::parse("5555e555").is_ok());
    assert!(json::parse("[-1e99999, 1E+400]").is_ok());
    let error = ScalewayError::from_error_body(401, b"5555e555");
    assert_eq!(error.status(), Some(401));
    assert!(!error.to_string().is_empty());
}
