//! The AWS SigV4 conformance suite (tests/vectors/aws-signing-test-suite/v4), checked stage by
//! stage in header mode and presigned-query mode. Runs natively and, under
//! `wasm-bindgen-test`, in headless Chromium; the files are embedded so both see the same bytes.

use keysmith_core::aws::{sign_request, AwsCredentials, PayloadMode, ServiceRules, SigningOptions};
use keysmith_core::secret::SecretString;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

struct Case {
    name: &'static str,
    context: &'static str,
    request: &'static str,
    header: Stages,
    query: Stages,
}

struct Stages {
    canonical_request: &'static str,
    string_to_sign: &'static str,
    signature: &'static str,
}

macro_rules! case {
    ($name:literal) => {
        Case {
            name: $name,
            context: include_str!(concat!(
                "../../tests/vectors/aws-signing-test-suite/v4/",
                $name,
                "/context.json"
            )),
            request: include_str!(concat!(
                "../../tests/vectors/aws-signing-test-suite/v4/",
                $name,
                "/request.txt"
            )),
            header: Stages {
                canonical_request: include_str!(concat!(
                    "../../tests/vectors/aws-signing-test-suite/v4/",
                    $name,
                    "/header-canonical-request.txt"
                )),
                string_to_sign: include_str!(concat!(
                    "../../tests/vectors/aws-signing-test-suite/v4/",
                    $name,
                    "/header-string-to-sign.txt"
                )),
                signature: include_str!(concat!(
                    "../../tests/vectors/aws-signing-test-suite/v4/",
                    $name,
                    "/header-signature.txt"
                )),
            },
            query: Stages {
                canonical_request: include_str!(concat!(
                    "../../tests/vectors/aws-signing-test-suite/v4/",
                    $name,
                    "/query-canonical-request.txt"
                )),
                string_to_sign: include_str!(concat!(
                    "../../tests/vectors/aws-signing-test-suite/v4/",
                    $name,
                    "/query-string-to-sign.txt"
                )),
                signature: include_str!(concat!(
                    "../../tests/vectors/aws-signing-test-suite/v4/",
                    $name,
                    "/query-signature.txt"
                )),
            },
        }
    };
}

const CASES: &[Case] = &[
    case!("get-header-key-duplicate"),
    case!("get-header-value-multiline"),
    case!("get-header-value-order"),
    case!("get-header-value-trim"),
    case!("get-relative-normalized"),
    case!("get-relative-relative-normalized"),
    case!("get-relative-relative-unnormalized"),
    case!("get-relative-unnormalized"),
    case!("get-slash-dot-slash-normalized"),
    case!("get-slash-dot-slash-unnormalized"),
    case!("get-slash-normalized"),
    case!("get-slash-pointless-dot-normalized"),
    case!("get-slash-pointless-dot-unnormalized"),
    case!("get-slash-unnormalized"),
    case!("get-slashes-normalized"),
    case!("get-slashes-unnormalized"),
    case!("get-space-normalized"),
    case!("get-space-unnormalized"),
    case!("get-unreserved"),
    case!("get-utf8"),
    case!("get-vanilla"),
    case!("get-vanilla-empty-query-key"),
    case!("get-vanilla-query"),
    case!("get-vanilla-query-order-encoded"),
    case!("get-vanilla-query-order-key-case"),
    case!("get-vanilla-query-unreserved"),
    case!("get-vanilla-utf8-query"),
    case!("get-vanilla-with-session-token"),
    case!("post-header-key-case"),
    case!("post-header-key-sort"),
    case!("post-header-value-case"),
    case!("post-sts-header-after"),
    case!("post-sts-header-before"),
    case!("post-vanilla"),
    case!("post-vanilla-empty-query-value"),
    case!("post-vanilla-query"),
    case!("post-x-www-form-urlencoded"),
    case!("post-x-www-form-urlencoded-parameters"),
];

/// The few context fields the suite uses, read without a JSON dependency in the wasm build.
struct Context {
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    service: String,
    time_ms: u64,
    expires: u64,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
}

fn json_str(json: &str, key: &str) -> Option<String> {
    let at = json.find(&format!("\"{key}\""))?;
    let rest = &json[at + key.len() + 2..];
    let rest = &rest[rest.find(':')? + 1..];
    let rest = rest.trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        Some(s[..s.find('"')?].to_owned())
    } else {
        let end = rest.find(|c: char| c == ',' || c == '}' || c.is_whitespace())?;
        Some(rest[..end].to_owned())
    }
}

fn parse_context(json: &str) -> Context {
    let flag = |k: &str| json_str(json, k).is_some_and(|v| v == "true");
    let ts = json_str(json, "timestamp").unwrap();
    assert_eq!(ts, "2015-08-30T12:36:00Z", "the suite uses one timestamp");
    Context {
        access_key_id: json_str(json, "access_key_id").unwrap(),
        secret: json_str(json, "secret_access_key").unwrap(),
        token: json_str(json, "token"),
        region: json_str(json, "region").unwrap(),
        service: json_str(json, "service").unwrap(),
        time_ms: 1_440_938_160_000,
        expires: json_str(json, "expiration_in_seconds")
            .unwrap()
            .parse()
            .unwrap(),
        normalize: flag("normalize"),
        sign_body: flag("sign_body"),
        omit_session_token: flag("omit_session_token"),
    }
}

/// Turns `request.txt` into an `http::Request`: folded header lines are unfolded, and the
/// request target is percent-encoded where a raw HTTP line may hold what a URI may not.
fn parse_request(text: &str) -> http::Request<Vec<u8>> {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, b),
        None => (text.trim_end_matches('\n'), ""),
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap();
    let (method, rest) = first.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else {
            let (n, v) = line.split_once(':').unwrap();
            headers.push((n.to_owned(), v.to_owned()));
        }
    }
    let host = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .unwrap()
        .1
        .clone();
    let encoded: String = target
        .chars()
        .map(|c| {
            if c == ' ' || !c.is_ascii() {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            } else {
                c.to_string()
            }
        })
        .collect();
    keysmith_core::aws::sign::build_request(
        method,
        &format!("https://{host}{encoded}"),
        &headers,
        body.as_bytes().to_vec(),
    )
    .unwrap_or_else(|e| panic!("request.txt: {e}"))
}

/// Cases whose expected canonical path is the request path encoded once: the single-encoding
/// rule (as for S3). The suite has no context flag for it yet, so aws-sigv4 skips them; here
/// they run with `double_encode_path: false`.
const SINGLE_ENCODED: &[&str] = &["get-space-normalized", "get-space-unnormalized", "get-utf8"];

fn check(case: &Case, presign: bool) -> Result<(), String> {
    let ctx = parse_context(case.context);
    let creds = AwsCredentials::new(
        &ctx.access_key_id,
        SecretString::copy_from(&ctx.secret),
        ctx.token.as_deref().map(SecretString::copy_from),
    )
    .map_err(|e| e.to_string())?;
    let options = SigningOptions {
        region: ctx.region.clone(),
        service: ctx.service.clone(),
        time_ms: ctx.time_ms,
        payload: PayloadMode::Signed,
        presign_expires_secs: presign.then_some(ctx.expires),
        rules: ServiceRules {
            normalize_path: ctx.normalize,
            double_encode_path: !SINGLE_ENCODED.contains(&case.name),
            content_sha256_header: ctx.sign_body,
            omit_session_token: ctx.omit_session_token,
            presign_unsigned_payload: false,
        },
    };
    let want = if presign { &case.query } else { &case.header };
    let signed =
        sign_request(parse_request(case.request), &creds, &options).map_err(|e| e.to_string())?;
    let mode = if presign { "query" } else { "header" };
    if signed.canonical_request != want.canonical_request.trim_end_matches('\n') {
        return Err(format!(
            "{} ({mode}): canonical request\n--- got ---\n{}\n--- want ---\n{}",
            case.name, signed.canonical_request, want.canonical_request
        ));
    }
    if signed.string_to_sign != want.string_to_sign.trim_end_matches('\n') {
        return Err(format!(
            "{} ({mode}): string to sign\n{}\nwant\n{}",
            case.name, signed.string_to_sign, want.string_to_sign
        ));
    }
    if signed.signature != want.signature.trim() {
        return Err(format!(
            "{} ({mode}): signature {} want {}",
            case.name,
            signed.signature,
            want.signature.trim()
        ));
    }
    // The signature must also be where AWS reads it.
    let placed = if presign {
        signed
            .request
            .uri()
            .query()
            .unwrap_or_default()
            .contains(&format!("X-Amz-Signature={}", signed.signature))
    } else {
        signed.request.headers()["authorization"]
            .to_str()
            .unwrap()
            .ends_with(&format!("Signature={}", signed.signature))
    };
    if !placed {
        return Err(format!(
            "{} ({mode}): signature not placed in the request",
            case.name
        ));
    }
    Ok(())
}

fn run_all(presign: bool) {
    assert_eq!(CASES.len(), 38, "every v4 case with a context is listed");
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| check(c, presign).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn suite_header_mode() {
    run_all(false);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn suite_presigned_query_mode() {
    run_all(true);
}
