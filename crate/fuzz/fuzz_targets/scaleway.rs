//! The Scaleway JSON reader, every Scaleway response parser and the error-body decoder: none
//! panics, the reader never accepts what serde_json rejects, and a 2xx is never a provider
//! error.
#![no_main]

use keysmith_core::response::HttpResponse;
use keysmith_core::scaleway::error::ScalewayError;
use keysmith_core::json;
use keysmith_core::scaleway::{account, iam, secret_manager, time};
use keysmith_core_fuzz::{reference_json, response};
use libfuzzer_sys::fuzz_target;

fn check<T>(response: &HttpResponse, result: Result<T, ScalewayError>) {
    if let Err(error) = result {
        assert!(!error.code().is_empty());
        assert!(!error.to_string().is_empty());
        let _ = error.argument_names();
        if error.provider_code().is_some() {
            assert!(!(200..300).contains(&response.status));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let r = response(data);
    if let Ok(text) = std::str::from_utf8(&r.body) {
        if json::parse(text).is_ok() {
            reference_json(text);
        }
        let _ = time::parse_rfc3339_ms(text);
    }
    if !(200..300).contains(&r.status) {
        check::<()>(&r, Err(ScalewayError::from_error_body(r.status, &r.body)));
    }
    check(&r, iam::parse_api_key(&r));
    check(&r, iam::parse_create_api_key(&r));
    check(&r, iam::parse_list_api_keys(&r));
    check(&r, iam::parse_deleted(&r));
    check(&r, iam::parse_list_applications(&r));
    check(&r, iam::parse_application(&r));
    check(&r, iam::parse_user(&r));
    check(&r, account::parse_list_projects(&r));
    check(&r, secret_manager::parse_secret(&r));
    check(&r, secret_manager::parse_secret_version(&r));
    check(&r, secret_manager::parse_deleted(&r));
});
