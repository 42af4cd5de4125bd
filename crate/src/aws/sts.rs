//! STS: `GetCallerIdentity`, which verifies a credential and names its account and principal,
//! and `GetSessionToken`, which trades a long-term key (plus an MFA code) for session
//! credentials.

use super::error::{AwsError, SigningError};
use super::query::{decode_result, prepare_query_call, HttpResponse, Params, PreparedCall};
use super::{validate_region, Endpoint};
use crate::secret::SecretString;

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
    sts_call(endpoint, region, "GetCallerIdentity", &Params::new())
}

fn sts_call(
    endpoint: &Endpoint,
    region: Option<&str>,
    action: &str,
    params: &Params<'_>,
) -> Result<PreparedCall, SigningError> {
    let (host, region) = match region {
        Some(r) => {
            validate_region(r)?;
            (super::regional_host("sts", r), r)
        }
        None => ("sts.amazonaws.com".to_owned(), "us-east-1"),
    };
    prepare_query_call(endpoint, &host, region, "sts", action, VERSION, params)
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

/// The MFA device that backs a session: the ARN of a virtual or passkey device
/// (`arn:aws:iam::123456789012:mfa/alice`) or a hardware token's serial (`GAHT12345678`).
pub fn validate_mfa_serial(serial: &str) -> Result<(), SigningError> {
    let ok = if let Some(rest) = serial.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        parts.len() == 5
            && (parts[0] == "aws" || parts[0].starts_with("aws-"))
            && parts[0]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
            && parts[1] == "iam"
            && parts[2].is_empty()
            && parts[3].len() == 12
            && parts[3].bytes().all(|b| b.is_ascii_digit())
            && parts[4].strip_prefix("mfa/").is_some_and(|name| {
                !name.is_empty()
                    && name.len() <= 512
                    && name.split('/').all(|s| !s.is_empty())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-/".contains(&b))
            })
    } else {
        (9..=256).contains(&serial.len())
            && serial
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_+=/:,.@-".contains(&b))
    };
    if ok {
        Ok(())
    } else {
        Err(SigningError::InvalidOptions(format!(
            "\"{serial}\" is not an MFA device: use its ARN (arn:aws:iam::123456789012:mfa/NAME) \
             or a hardware token's serial number"
        )))
    }
}

/// A time-based one-time code: exactly six digits.
pub fn validate_token_code(code: &str) -> Result<(), SigningError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(SigningError::InvalidOptions(
            "the MFA code must be the 6 digits your device shows".into(),
        ))
    }
}

/// `GetSessionToken` inputs. `mfa` is `(serial, code)`: both or neither.
#[derive(Debug, Default)]
pub struct SessionTokenRequest<'a> {
    pub mfa: Option<(&'a str, &'a str)>,
    /// 900..=129600 seconds (15 min to 36 h); AWS's default is 12 h.
    pub duration_seconds: Option<u32>,
}

pub fn prepare_get_session_token(
    endpoint: &Endpoint,
    region: Option<&str>,
    request: &SessionTokenRequest<'_>,
) -> Result<PreparedCall, SigningError> {
    let duration;
    let mut params = Params::new();
    if let Some(secs) = request.duration_seconds {
        if !(900..=129_600).contains(&secs) {
            return Err(SigningError::InvalidOptions(format!(
                "session duration must be 900-129600 seconds (15 minutes to 36 hours), got {secs}"
            )));
        }
        duration = secs.to_string();
        params.add("DurationSeconds", &duration);
    }
    if let Some((serial, code)) = request.mfa {
        validate_mfa_serial(serial)?;
        validate_token_code(code)?;
        params.add("SerialNumber", serial).add("TokenCode", code);
    }
    sts_call(endpoint, region, "GetSessionToken", &params)
}

/// Session credentials: usable for signing until `expiration`. Note that they cannot call
/// IAM unless the session was created with MFA.
#[derive(Debug)]
pub struct SessionCredentials {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: SecretString,
    /// ISO 8601, as AWS wrote it.
    pub expiration: String,
}

pub fn parse_get_session_token(response: &HttpResponse) -> Result<SessionCredentials, AwsError> {
    let c = decode_result(
        response,
        "GetSessionTokenResponse",
        &["GetSessionTokenResult", "Credentials"],
        &[
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ],
    )?;
    Ok(SessionCredentials {
        access_key_id: c.required("AccessKeyId")?.trim().to_owned(),
        secret_access_key: SecretString::copy_from(c.required("SecretAccessKey")?.trim()),
        session_token: SecretString::copy_from(c.required("SessionToken")?.trim()),
        expiration: c.required("Expiration")?.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let id = parse_get_caller_identity(&HttpResponse::new(200, body.as_bytes())).unwrap();
        assert_eq!(id.account, "123456789012");
        assert_eq!(id.arn, "arn:aws:iam::123456789012:user/Alice");
        assert_eq!(id.user_id, "AIDACKCEVSQ6C2EXAMPLE");
    }

    #[test]
    fn missing_field_is_malformed() {
        let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>x</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>";
        let err = parse_get_caller_identity(&HttpResponse::new(200, body.as_bytes())).unwrap_err();
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
        assert!(prepare_get_caller_identity(&Endpoint::aws(), Some("evil.com/x")).is_err());
    }

    fn form(call: &PreparedCall) -> &str {
        std::str::from_utf8(call.request.body()).unwrap()
    }

    #[test]
    fn get_session_token_body() {
        let with_mfa = SessionTokenRequest {
            mfa: Some(("arn:aws:iam::123456789012:mfa/alice", "123456")),
            duration_seconds: Some(3600),
        };
        let call = prepare_get_session_token(&Endpoint::aws(), None, &with_mfa).unwrap();
        assert_eq!(
            form(&call),
            "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600\
             &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456"
        );
        assert_eq!(call.request.uri(), "https://sts.amazonaws.com/");
        let plain = prepare_get_session_token(
            &Endpoint::aws(),
            Some("eu-west-3"),
            &SessionTokenRequest::default(),
        )
        .unwrap();
        assert_eq!(form(&plain), "Action=GetSessionToken&Version=2011-06-15");
        assert_eq!(plain.request.uri(), "https://sts.eu-west-3.amazonaws.com/");
    }

    #[test]
    fn mfa_inputs_are_validated() {
        for code in ["12345", "1234567", "12345a", " 123456", "１２３４５６", ""] {
            assert!(validate_token_code(code).is_err(), "{code:?}");
        }
        assert!(validate_token_code("012345").is_ok());
        for serial in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws:iam::123456789012:mfa/path/alice.phone",
            "arn:aws-us-gov:iam::123456789012:mfa/bob",
            "GAHT12345678",
        ] {
            assert!(validate_mfa_serial(serial).is_ok(), "{serial}");
        }
        for serial in [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345678901:mfa/alice",
            "arn:aws:sts::123456789012:mfa/alice",
            "arn:aws:iam::123456789012:mfa/",
            "arn:aws:iam::123456789012:mfa/a b",
            "arn:gcp:iam::123456789012:mfa/alice",
            "SHORT",
            "GAHT 12345678",
        ] {
            assert!(validate_mfa_serial(serial).is_err(), "{serial}");
        }
        let bad_duration = SessionTokenRequest {
            mfa: None,
            duration_seconds: Some(899),
        };
        assert!(prepare_get_session_token(&Endpoint::aws(), None, &bad_duration).is_err());
        let bad_code = SessionTokenRequest {
            mfa: Some(("arn:aws:iam::123456789012:mfa/alice", "12345")),
            duration_seconds: None,
        };
        assert!(prepare_get_session_token(&Endpoint::aws(), None, &bad_code).is_err());
    }

    #[test]
    fn parses_session_credentials() {
        let body = r#"<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult>
    <Credentials>
      <SessionToken>AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+FvwqnKwRcOIfrRh3c/LTo6UDdyJwOOvEVPvLXCrrrUtdnniCEXAMPLE/IvU1dYUg2RVAJBanLiHb4IgRmpRV3zrkuWJOgQs8IZZaIv2BXIa2R4OlgkBN9bkUDNCJiBeb/AXlzBBko7b15fjrBs2+cTQtpZ3CYWFXG8C5zqx37wnOE49mRl/+OtkIKGO7fAE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2011-07-11T19:55:29.611Z</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
  </GetSessionTokenResult>
  <ResponseMetadata><RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId></ResponseMetadata>
</GetSessionTokenResponse>"#;
        let creds = parse_get_session_token(&HttpResponse::new(200, body.as_bytes())).unwrap();
        assert_eq!(creds.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(creds.expiration, "2011-07-11T19:55:29.611Z");
        assert!(creds
            .session_token
            .expose_secret()
            .starts_with("AQoEXAMPLE"));
        assert_eq!(
            creds.secret_access_key.expose_secret(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        );
        let printed = format!("{creds:?}");
        assert!(
            !printed.contains("wJalr") && !printed.contains("AQoE"),
            "{printed}"
        );
    }
}
