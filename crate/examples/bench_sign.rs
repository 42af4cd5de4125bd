//! Native floor for `make bench`: signs the benchmark's request with the same Rust path that
//! `signAwsRequest` runs in the browser (credential checks, request building, signing, stage
//! reconstruction), minus the JS boundary. Reads its inputs as JSON on stdin and prints the
//! signatures and per-round timings as JSON; bench/run.mjs drives it.

use std::hint::black_box;
use std::io::Read;
use std::time::Instant;

use keysmith_core::aws::sign::build_request;
use keysmith_core::aws::{sign_request, AwsCredentials, SigningOptions};
use keysmith_core::secret::SecretString;
use serde_json::Value;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("input: \"{key}\" must be a string"))
}

fn number(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("input: \"{key}\" must be an unsigned integer"))
}

/// One full signing, as `signAwsRequest` does it; returns the signature.
fn sign_once(input: &Value, session_token: Option<&str>) -> String {
    let req = &input["request"];
    let headers: Vec<(String, String)> = req["headers"]
        .as_array()
        .expect("input: request.headers must be an array")
        .iter()
        .map(|pair| {
            let part = |i: usize| {
                pair[i]
                    .as_str()
                    .expect("input: headers are [name, value] string pairs")
                    .to_owned()
            };
            (part(0), part(1))
        })
        .collect();
    let request = build_request(
        text(req, "method"),
        text(req, "url"),
        &headers,
        text(req, "body").as_bytes().to_vec(),
    )
    .expect("the benchmark request is valid");
    let credentials = AwsCredentials::new(
        text(input, "accessKeyId"),
        SecretString::copy_from(text(input, "secretAccessKey")),
        session_token.map(SecretString::copy_from),
    )
    .expect("the benchmark credentials are valid");
    let options = SigningOptions::new(
        text(input, "region"),
        text(input, "service"),
        number(input, "timeMs"),
    );
    let signed = sign_request(request, &credentials, &options).expect("signing succeeds");
    // What the JS adapter reads out of the result, so none of it is optimised away.
    black_box(signed.request.uri().to_string());
    black_box(&signed.canonical_request);
    black_box(&signed.string_to_sign);
    signed.signature
}

/// Microseconds per signing: `rounds` samples of `batch` signings each.
// A benchmark must read the clock, which the core never does (clippy.toml bans it there).
#[allow(clippy::disallowed_methods)]
fn time_rounds(input: &Value, token: Option<&str>, rounds: u64, batch: u64) -> Vec<f64> {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(sign_once(black_box(input), token));
            }
            start.elapsed().as_secs_f64() * 1e6 / batch as f64
        })
        .collect()
}

fn main() {
    let mut raw = String::new();
    std::io::stdin()
        .read_to_string(&mut raw)
        .expect("reading stdin");
    let input: Value = serde_json::from_str(&raw).expect("stdin must be JSON");
    let token = text(&input, "sessionToken");
    let (rounds, batch) = (number(&input, "rounds"), number(&input, "batch"));

    // Warm up caches and the allocator before the first sample.
    time_rounds(&input, None, 2, batch);
    let mut plain = Vec::new();
    let mut with_token = Vec::new();
    // Alternate the two cases round by round, like the browser runs.
    for _ in 0..rounds {
        plain.extend(time_rounds(&input, None, 1, batch));
        with_token.extend(time_rounds(&input, Some(token), 1, batch));
    }
    let out = serde_json::json!({
        "signature": sign_once(&input, None),
        "signatureWithToken": sign_once(&input, Some(token)),
        "usPerSign": plain,
        "usPerSignWithToken": with_token,
    });
    println!("{out}");
}
