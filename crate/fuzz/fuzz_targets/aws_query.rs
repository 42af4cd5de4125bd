//! Every AWS Query (XML) response parser, IAM, STS and EC2, on the same bytes: none panics, an
//! error status never parses as a result, and every error has a code and a message. (An AWS
//! error document under a 2xx status is an error too, as the SDKs treat it: the fuzzer's first
//! finding, which is intended, not a bug.)
#![no_main]

use keysmith_core::aws::error::AwsError;
use keysmith_core::aws::{ec2, iam, query, sts};
use keysmith_core::response::HttpResponse;
use keysmith_core_fuzz::response;
use libfuzzer_sys::fuzz_target;

fn check<T>(response: &HttpResponse, result: Result<T, AwsError>) {
    if result.is_ok() {
        assert!(
            (200..300).contains(&response.status),
            "HTTP {} parsed as a result",
            response.status
        );
    }
    if let Err(error) = result {
        assert!(!error.code().is_empty());
        assert!(!error.to_string().is_empty());
        let _ = (
            error.is_transient(),
            error.is_key_limit(),
            error.missing_permission(),
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let r = response(data);
    if let Some(error) = query::query_error(&r) {
        assert!(!(200..300).contains(&r.status));
        check::<()>(&r, Err(error));
    } else {
        assert!((200..300).contains(&r.status));
    }
    check(&r, iam::parse_create_access_key(&r));
    check(&r, iam::parse_list_access_keys(&r));
    check(&r, iam::parse_get_access_key_last_used(&r));
    check(&r, iam::parse_update_access_key(&r));
    check(&r, iam::parse_delete_access_key(&r));
    check(&r, iam::parse_create_user(&r));
    check(&r, iam::parse_attach_user_policy(&r));
    check(&r, iam::parse_list_attached_user_policies(&r));
    check(&r, sts::parse_get_caller_identity(&r));
    check(&r, sts::parse_get_session_token(&r));
    check(&r, ec2::parse_create_key_pair(&r));
    check(&r, ec2::parse_describe_key_pairs(&r));
    check(&r, ec2::parse_delete_key_pair(&r));
});
