//! STS: `GetCallerIdentity`, which verifies a credential and names its account and principal.

use super::error::{AwsError, SigningError};
use super::query::{decode_result, prepare_query_call, HttpResponse, PreparedCall};
use super::Endpoint;

const VERSION: &str = "2011-06-15";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// The global endpoint signs for us-east-1; a regional one for its region.
pub fn prepare_get_caller_identity(
    endpoint: &Endpoint,
    region: Option<&str>,
) -> Result<PreparedCall, SigningError> {
    let (host, region) = match region {
        Some(r) => (format!("sts.{r}.amazonaws.com"), r),
        None => ("sts.amazonaws.com".to_owned(), "us-east-1"),
    };
    prepare_query_call(
        endpoint,
        &host,
        region,
        "sts",
        "GetCallerIdentity",
        VERSION,
        &[],
    )
}

pub fn parse_get_caller_identity(response: &HttpResponse) -> Result<CallerIdentity, AwsError> {
    let result = decode_result(
        response,
        "GetCallerIdentityResponse",
        &["GetCallerIdentityResult"],
        &["Account", "Arn", "UserId"],
    )?;
    Ok(CallerIdentity {
        account: result.required("Account")?.to_owned(),
        arn: result.required("Arn")?.to_owned(),
        user_id: result.required("UserId")?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    #[test]
    fn parses_the_documented_answer() {
        let body = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#;
        let id = parse_get_caller_identity(&HttpResponse {
            status: 200,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        })
        .unwrap();
        assert_eq!(id.account, "123456789012");
        assert_eq!(id.arn, "arn:aws:iam::123456789012:user/Alice");
        assert_eq!(id.user_id, "AIDACKCEVSQ6C2EXAMPLE");
    }

    #[test]
    fn missing_field_is_malformed() {
        let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>x</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>";
        let err = parse_get_caller_identity(&HttpResponse {
            status: 200,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        })
        .unwrap_err();
        assert_eq!(err.code(), "malformed_response");
    }

    #[test]
    fn regional_endpoint_signs_for_its_region() {
        let call = prepare_get_caller_identity(&Endpoint::aws(), Some("eu-west-3")).unwrap();
        assert_eq!(call.request.uri(), "https://sts.eu-west-3.amazonaws.com/");
        assert_eq!(call.region, "eu-west-3");
        let custom = Endpoint::custom("http://127.0.0.1:5000").unwrap();
        let call = prepare_get_caller_identity(&custom, None).unwrap();
        assert_eq!(call.request.uri(), "http://127.0.0.1:5000/");
        assert_eq!(call.region, "us-east-1");
    }
}
