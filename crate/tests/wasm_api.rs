//! The JS API as JavaScript sees it, in headless Chromium: value shapes, thrown `Error`s with
//! a stable `code`, and no copy of a secret left in linear memory after a call.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, Uint8Array};
use keysmith_core::wasm::{authorize_scaleway_request, sign_aws_request};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/memory.rs"]
mod memory;
use memory::{masked, memory_contains_masked};

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

/// Built at run time so that the literal does not sit in the data section.
fn secret() -> String {
    "YEKELPMAXEYCifRxPb+GNEDM7K/IMEFntUXrlaJw"
        .chars()
        .rev()
        .collect()
}

fn vanilla_request() -> JsValue {
    obj(&[
        ("method", "GET".into()),
        ("url", "https://example.amazonaws.com/".into()),
        ("headers", Array::new().into()),
    ])
}

fn credentials(secret: &str) -> JsValue {
    obj(&[
        ("accessKeyId", "AKIDEXAMPLE".into()),
        ("secretAccessKey", secret.into()),
    ])
}

fn options() -> JsValue {
    obj(&[
        ("region", "us-east-1".into()),
        ("service", "service".into()),
        ("timeMs", 1_440_938_160_000.0.into()),
    ])
}

#[wasm_bindgen_test]
fn sign_returns_the_documented_shape() {
    let out = sign_aws_request(vanilla_request(), credentials(&secret()), options()).unwrap();
    assert_eq!(
        get(&out, "signature").as_string().unwrap(),
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
    assert_eq!(
        get(&out, "url").as_string().unwrap(),
        "https://example.amazonaws.com/"
    );
    let headers: Array = get(&out, "headers").dyn_into().unwrap();
    let names: Vec<String> = headers
        .iter()
        .map(|h| h.dyn_into::<Array>().unwrap().get(0).as_string().unwrap())
        .collect();
    assert!(
        names.contains(&"authorization".to_owned()) && names.contains(&"x-amz-date".to_owned())
    );
    assert!(get(&out, "canonicalRequest")
        .as_string()
        .unwrap()
        .starts_with("GET\n/\n"));
    assert!(get(&out, "stringToSign")
        .as_string()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
}

#[wasm_bindgen_test]
fn body_may_be_bytes_or_text_with_the_same_result() {
    let with_body = |body: JsValue| {
        let req = obj(&[
            ("method", "POST".into()),
            ("url", "https://iam.amazonaws.com/".into()),
            ("body", body),
        ]);
        let out = sign_aws_request(req, credentials(&secret()), options()).unwrap();
        get(&out, "signature").as_string().unwrap()
    };
    let text = "Action=ListUsers&Version=2010-05-08";
    assert_eq!(
        with_body(text.into()),
        with_body(Uint8Array::from(text.as_bytes()).into())
    );
    assert_ne!(
        with_body(text.into()),
        with_body("Action=ListRoles&Version=2010-05-08".into())
    );
}

fn error_code(result: Result<JsValue, JsValue>) -> String {
    let err = result.unwrap_err();
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "thrown value is an Error"
    );
    let message = err
        .dyn_ref::<js_sys::Error>()
        .unwrap()
        .message()
        .as_string()
        .unwrap();
    assert!(!message.is_empty());
    get(&err, "code").as_string().unwrap()
}

#[wasm_bindgen_test]
fn errors_are_error_objects_with_stable_codes() {
    let bad_url = obj(&[("method", "GET".into()), ("url", "no url".into())]);
    assert_eq!(
        error_code(sign_aws_request(bad_url, credentials(&secret()), options())),
        "invalid_url"
    );

    let bad_header = obj(&[
        ("method", "GET".into()),
        ("url", "https://a.example/".into()),
        (
            "headers",
            Array::of1(&Array::of2(&"bad name".into(), &"v".into())).into(),
        ),
    ]);
    assert_eq!(
        error_code(sign_aws_request(
            bad_header,
            credentials(&secret()),
            options()
        )),
        "invalid_header"
    );

    let empty_region = obj(&[
        ("region", "".into()),
        ("service", "iam".into()),
        ("timeMs", 1_440_938_160_000.0.into()),
    ]);
    assert_eq!(
        error_code(sign_aws_request(
            vanilla_request(),
            credentials(&secret()),
            empty_region
        )),
        "invalid_region"
    );

    let seconds = obj(&[
        ("region", "us-east-1".into()),
        ("service", "iam".into()),
        ("timeMs", 1_440_938_160.0.into()),
    ]);
    assert_eq!(
        error_code(sign_aws_request(
            vanilla_request(),
            credentials(&secret()),
            seconds
        )),
        "invalid_time"
    );

    assert_eq!(
        error_code(sign_aws_request(
            JsValue::NULL,
            credentials(&secret()),
            options()
        )),
        "invalid_input"
    );
    let bad_body = obj(&[
        ("method", "GET".into()),
        ("url", "https://a.example/".into()),
        ("body", 42.into()),
    ]);
    assert_eq!(
        error_code(sign_aws_request(
            bad_body,
            credentials(&secret()),
            options()
        )),
        "invalid_body"
    );
}

#[wasm_bindgen_test]
fn scaleway_token_goes_only_to_the_api_base() {
    let key = "d6a8f3c2-1b4e-4f7a-9c3d-2e5f6a7b8c9d";
    let creds = obj(&[("secretKey", key.into())]);
    let ok = obj(&[
        ("method", "GET".into()),
        (
            "url",
            "https://api.scaleway.com/iam/v1alpha1/api-keys".into(),
        ),
    ]);
    let out = authorize_scaleway_request(ok, creds.clone(), JsValue::UNDEFINED).unwrap();
    let headers: Array = get(&out, "headers").dyn_into().unwrap();
    assert!(headers.iter().any(|h| {
        let h: Array = h.dyn_into().unwrap();
        h.get(0).as_string().unwrap() == "x-auth-token" && h.get(1).as_string().unwrap() == key
    }));
    let evil = obj(&[
        ("method", "GET".into()),
        ("url", "https://api.scaleway.com.evil.example/".into()),
    ]);
    assert_eq!(
        error_code(authorize_scaleway_request(evil, creds, JsValue::UNDEFINED)),
        "host_not_allowed"
    );
}

#[wasm_bindgen_test]
fn no_copy_of_the_secret_survives_a_signing_call() {
    let needle: Vec<u8> = {
        let s = secret();
        let creds = credentials(&s);
        for _ in 0..3 {
            sign_aws_request(vanilla_request(), creds.clone(), options()).unwrap();
        }
        masked(s.as_bytes())
    };
    // Control: a live copy is found, so the scan can fail...
    let live = secret();
    assert!(
        memory_contains_masked(&needle),
        "the scan must see live data"
    );
    drop(live);
    // ...and once every owner is gone, no copy is left (signing, parsing, the string passed in
    // from JS, aws-sigv4's "AWS4" + secret buffer, the test's own copies: all wiped on free).
    assert!(
        !memory_contains_masked(&needle),
        "a copy of the secret access key was left in WASM memory"
    );
}
