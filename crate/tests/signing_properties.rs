//! Property tests over random requests: signing is deterministic, and any change to what is
//! signed (method, path, query, a signed header, the body, the time, the scope) changes the
//! signature. Each signature is also checked against its own reconstructed stages inside
//! `sign_request`, so every random case exercises that cross-check too.
#![cfg(not(target_arch = "wasm32"))]

use keysmith_core::aws::sign::build_request;
use keysmith_core::aws::{sign_request, AwsCredentials, SigningOptions};
use keysmith_core::secret::SecretString;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Req {
    method: String,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

const SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl Req {
    fn url(&self) -> String {
        let path: Vec<String> = self
            .segments
            .iter()
            .map(|s| percent_encoding::utf8_percent_encode(s, SAFE).to_string())
            .collect();
        let mut url = format!("https://iam.amazonaws.com/{}", path.join("/"));
        if !self.query.is_empty() {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &self.query {
                q.append_pair(k, v);
            }
            url.push('?');
            url.push_str(&q.finish());
        }
        url
    }

    fn build(&self) -> http::Request<Vec<u8>> {
        build_request(&self.method, &self.url(), &self.headers, self.body.clone()).unwrap()
    }
}

fn req_strategy() -> impl Strategy<Value = Req> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        prop::collection::vec("[a-zA-Z0-9 ._~%+é-]{1,8}", 0..4),
        prop::collection::vec(("[a-zA-Z0-9_.-]{1,6}", "[ -~]{0,8}"), 0..4),
        prop::collection::vec(("x-test-[a-z]{1,6}", "[!-~]([ -~]{0,10}[!-~])?"), 0..3),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(method, segments, query, headers, body)| Req {
            method: method.to_owned(),
            segments,
            query,
            headers,
            body,
        })
}

fn creds(token: bool) -> AwsCredentials {
    AwsCredentials::new(
        "AKIDEXAMPLE",
        SecretString::copy_from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        token.then(|| SecretString::copy_from("session-token-example")),
    )
    .unwrap()
}

fn sig(req: &Req, opts: &SigningOptions, token: bool) -> String {
    sign_request(req.build(), &creds(token), opts)
        .unwrap_or_else(|e| panic!("{e} for {req:?}"))
        .signature
}

const T: u64 = 1_764_000_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signing_is_deterministic(req in req_strategy(), token in any::<bool>(), presign in any::<bool>()) {
        let mut opts = SigningOptions::new("us-east-1", "iam", T);
        if presign { opts.presign_expires_secs = Some(900); }
        prop_assert_eq!(sig(&req, &opts, token), sig(&req, &opts, token));
    }

    #[test]
    fn changing_the_method_changes_the_signature(req in req_strategy()) {
        let opts = SigningOptions::new("us-east-1", "iam", T);
        let mut other = req.clone();
        other.method = if req.method == "GET" { "HEAD".into() } else { "GET".into() };
        prop_assert_ne!(sig(&req, &opts, false), sig(&other, &opts, false));
    }

    #[test]
    fn changing_the_path_changes_the_signature(req in req_strategy(), extra in "[a-z0-9]{1,6}") {
        let opts = SigningOptions::new("us-east-1", "iam", T);
        let mut other = req.clone();
        other.segments.push(extra);
        prop_assert_ne!(sig(&req, &opts, false), sig(&other, &opts, false));
    }

    #[test]
    fn changing_the_query_changes_the_signature(req in req_strategy(), k in "[a-z]{1,5}", v in "[a-z0-9]{0,5}") {
        let opts = SigningOptions::new("us-east-1", "iam", T);
        let mut other = req.clone();
        other.query.push((format!("zz{k}"), v));
        prop_assert_ne!(sig(&req, &opts, false), sig(&other, &opts, false));
    }

    #[test]
    fn changing_a_signed_header_changes_the_signature(req in req_strategy(), v in "[a-z0-9]{1,8}") {
        let opts = SigningOptions::new("us-east-1", "iam", T);
        let mut other = req.clone();
        other.headers.push(("x-test-added".into(), v));
        prop_assert_ne!(sig(&req, &opts, false), sig(&other, &opts, false));
    }

    #[test]
    fn changing_the_body_changes_the_signature(req in req_strategy(), byte in any::<u8>()) {
        let opts = SigningOptions::new("us-east-1", "iam", T);
        let mut other = req.clone();
        other.body.push(byte);
        prop_assert_ne!(sig(&req, &opts, false), sig(&other, &opts, false));
    }

    #[test]
    fn changing_time_scope_or_token_changes_the_signature(req in req_strategy()) {
        let base = SigningOptions::new("us-east-1", "iam", T);
        let s = sig(&req, &base, false);
        prop_assert_ne!(&s, &sig(&req, &SigningOptions::new("us-east-1", "iam", T + 1000), false));
        prop_assert_ne!(&s, &sig(&req, &SigningOptions::new("eu-west-1", "iam", T), false));
        prop_assert_ne!(&s, &sig(&req, &SigningOptions::new("us-east-1", "sts", T), false));
        prop_assert_ne!(&s, &sig(&req, &base, true));
    }
}
