//! AWS Secrets Manager (regional, JSON 1.1 with `X-Amz-Target`): `CreateSecret` and
//! `PutSecretValue`, to push a vaulted key to the team's secret store.

use super::error::{AwsError, SigningError};
use super::query::{validate_tags, HttpResponse, PreparedCall, Tag};
use super::{regional_host, validate_region, Endpoint};
use crate::json::{read_object, ObjectWriter};
use crate::secret::SecretString;

const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// Secrets Manager's limit on a secret value.
const MAX_SECRET_BYTES: usize = 65_536;

fn invalid(message: String) -> SigningError {
    SigningError::InvalidOptions(message)
}

/// The idempotency token of a new secret version. Sending the same token twice with the same
/// value creates one version, so a push with a token is safe to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequestToken(String);

impl ClientRequestToken {
    /// A random (version 4) UUID from 16 random bytes the caller supplies
    /// (`crypto.getRandomValues` in the browser); the core draws no randomness itself.
    pub fn from_random_bytes(mut bytes: [u8; 16]) -> Self {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex = hex::encode(bytes);
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }

    /// A token the caller kept from an earlier attempt: 32-64 letters, digits and hyphens.
    pub fn parse(token: &str) -> Result<Self, SigningError> {
        if (32..=64).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            Ok(Self(token.to_owned()))
        } else {
            Err(invalid(
                "a client request token is 32-64 letters, digits and hyphens (a UUID)".into(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Secret names: 1-512 of `[A-Za-z0-9/_+=.@-]`, not ending in a hyphen and six characters
/// (AWS appends exactly that to the ARN, so such a name makes partial-ARN lookups ambiguous).
pub fn validate_secret_name(name: &str) -> Result<(), SigningError> {
    let chars_ok = (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b));
    if !chars_ok {
        return Err(invalid(format!(
            "\"{name}\" is not a secret name (1-512 letters, digits and /_+=.@-)"
        )));
    }
    let len = name.len();
    if len >= 7 && name.as_bytes()[len - 7] == b'-' {
        return Err(invalid(format!(
            "secret name \"{name}\" ends with a hyphen and six characters, which AWS confuses \
             with the suffix it adds to ARNs; rename it"
        )));
    }
    Ok(())
}

/// The secret to write to: its name or ARN, 1-2048 printable characters.
pub fn validate_secret_id(id: &str) -> Result<(), SigningError> {
    if (1..=2048).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(invalid(format!("\"{id}\" is not a secret name or ARN")))
    }
}

fn validate_secret_value(secret: &SecretString) -> Result<(), SigningError> {
    let len = secret.len();
    if (1..=MAX_SECRET_BYTES).contains(&len) {
        Ok(())
    } else {
        Err(invalid(format!(
            "a secret value must be 1-{MAX_SECRET_BYTES} bytes, this one is {len}"
        )))
    }
}

fn json_call(
    endpoint: &Endpoint,
    region: &str,
    operation: &str,
    mut body: ObjectWriter,
) -> Result<PreparedCall, SigningError> {
    validate_region(region)?;
    let mut body = body.finish();
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(endpoint.url_for(&regional_host("secretsmanager", region)))
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .header("x-amz-target", format!("secretsmanager.{operation}"))
        // Moves the wiped-on-drop buffer into the request instead of copying the secret.
        .body(std::mem::take(&mut *body).into_bytes())
        .map_err(|e| SigningError::InvalidUrl(e.to_string()))?;
    Ok(PreparedCall {
        request,
        region: region.to_owned(),
        service: "secretsmanager",
    })
}

/// `CreateSecret` inputs.
#[derive(Debug)]
pub struct CreateSecretRequest<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub secret: &'a SecretString,
    pub token: &'a ClientRequestToken,
    pub tags: &'a [Tag],
}

pub fn prepare_create_secret(
    endpoint: &Endpoint,
    region: &str,
    request: &CreateSecretRequest<'_>,
) -> Result<PreparedCall, SigningError> {
    validate_secret_name(request.name)?;
    validate_secret_value(request.secret)?;
    validate_tags(request.tags)?;
    if let Some(d) = request.description {
        if d.chars().count() > 2048 {
            return Err(invalid(
                "a secret description is at most 2048 characters".into(),
            ));
        }
    }
    let mut body = ObjectWriter::new();
    body.string("Name", request.name)
        .string("ClientRequestToken", request.token.as_str())
        .opt_string("Description", request.description)
        .string("SecretString", request.secret.expose_secret())
        .tags("Tags", request.tags);
    json_call(endpoint, region, "CreateSecret", body)
}

/// `PutSecretValue`: a new version (labelled `AWSCURRENT`) of an existing secret.
pub fn prepare_put_secret_value(
    endpoint: &Endpoint,
    region: &str,
    secret_id: &str,
    secret: &SecretString,
    token: &ClientRequestToken,
) -> Result<PreparedCall, SigningError> {
    validate_secret_id(secret_id)?;
    validate_secret_value(secret)?;
    let mut body = ObjectWriter::new();
    body.string("SecretId", secret_id)
        .string("ClientRequestToken", token.as_str())
        .string("SecretString", secret.expose_secret());
    json_call(endpoint, region, "PutSecretValue", body)
}

/// The secret version a push created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretVersion {
    pub arn: String,
    pub name: String,
    pub version_id: String,
}

fn parse_version(response: &HttpResponse) -> Result<SecretVersion, AwsError> {
    let f = decode_json(response, &["ARN", "Name", "VersionId"])?;
    let required = |name: &str| {
        f.get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| AwsError::MalformedResponse {
                status: response.status,
                detail: format!("the answer lacks \"{name}\""),
            })
    };
    Ok(SecretVersion {
        arn: required("ARN")?,
        name: required("Name")?,
        version_id: required("VersionId")?,
    })
}

pub fn parse_create_secret(response: &HttpResponse) -> Result<SecretVersion, AwsError> {
    parse_version(response)
}

pub fn parse_put_secret_value(response: &HttpResponse) -> Result<SecretVersion, AwsError> {
    parse_version(response)
}

/// The secret value pushed for an IAM access key: the JSON object the AWS CLI's
/// `create-access-key` prints, so that tools reading it need no Keysmith-specific format.
pub fn derive_access_key_secret(
    access_key_id: &str,
    secret_access_key: &SecretString,
) -> SecretString {
    let mut w = ObjectWriter::new();
    w.string("AccessKeyId", access_key_id)
        .string("SecretAccessKey", secret_access_key.expose_secret());
    let mut text = w.finish();
    SecretString::new(std::mem::take(&mut *text))
}

/// The error name of a JSON error: `x-amzn-ErrorType` first, then `__type`, `code`, `Code`;
/// `aws.protocoltests#Name:http://...` becomes `Name`.
fn sanitize_error_code(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or_default();
    let after_hash = before_colon.rsplit('#').next().unwrap_or_default();
    after_hash.trim()
}

/// Decodes an AWS JSON 1.1 answer: a 2xx object's wanted string members, or the error
/// document of any other status as [`AwsError::Provider`]. Anything else (HTML, a truncated
/// body, an error status with no error name) is [`AwsError::MalformedResponse`].
pub fn decode_json(
    response: &HttpResponse,
    wanted: &[&'static str],
) -> Result<crate::json::JsonFields, AwsError> {
    let status = response.status;
    let malformed = |detail: String| AwsError::MalformedResponse { status, detail };
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| malformed("the body is not UTF-8".into()))?;
    if (200..300).contains(&status) {
        return read_object(text, wanted)
            .map_err(|e| malformed(format!("the body is not a JSON object: {e}")));
    }
    let body = if text.trim().is_empty() {
        crate::json::JsonFields::default()
    } else {
        read_object(text, &["__type", "code", "Code", "message", "Message"])
            .map_err(|e| malformed(format!("HTTP {status} and the body is not JSON: {e}")))?
    };
    let code = response
        .error_type
        .as_deref()
        .or_else(|| body.get("__type"))
        .or_else(|| body.get("code"))
        .or_else(|| body.get("Code"))
        .map(sanitize_error_code)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed(format!("HTTP {status} without an AWS error name")))?;
    Err(AwsError::Provider {
        status,
        code: code.to_owned(),
        message: body
            .get("message")
            .or_else(|| body.get("Message"))
            .unwrap_or_default()
            .trim()
            .to_owned(),
        request_id: response.request_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> ClientRequestToken {
        ClientRequestToken::from_random_bytes([0xab; 16])
    }

    #[test]
    fn client_request_token_is_a_v4_uuid() {
        assert_eq!(token().as_str(), "abababab-abab-4bab-abab-abababababab");
        let zero = ClientRequestToken::from_random_bytes([0; 16]);
        assert_eq!(zero.as_str(), "00000000-0000-4000-8000-000000000000");
        assert!(ClientRequestToken::parse(token().as_str()).is_ok());
        assert!(ClientRequestToken::parse("short").is_err());
        assert!(ClientRequestToken::parse(&"a".repeat(65)).is_err());
        assert!(ClientRequestToken::parse(&format!("{}\"", "a".repeat(32))).is_err());
    }

    #[test]
    fn create_secret_request() {
        let secret = SecretString::copy_from("{\"k\":\"s3cr\\et\"}");
        let tags = [Tag {
            key: "made-by".into(),
            value: "keysmith".into(),
        }];
        let call = prepare_create_secret(
            &Endpoint::aws(),
            "eu-west-3",
            &CreateSecretRequest {
                name: "team/ci/deploy-key",
                description: Some("IAM key of deploy-bot"),
                secret: &secret,
                token: &token(),
                tags: &tags,
            },
        )
        .unwrap();
        let r = &call.request;
        assert_eq!(r.uri(), "https://secretsmanager.eu-west-3.amazonaws.com/");
        assert_eq!(r.method(), "POST");
        assert_eq!(r.headers()["content-type"], "application/x-amz-json-1.1");
        assert_eq!(r.headers()["x-amz-target"], "secretsmanager.CreateSecret");
        assert_eq!(
            std::str::from_utf8(r.body()).unwrap(),
            r#"{"Name":"team/ci/deploy-key","ClientRequestToken":"abababab-abab-4bab-abab-abababababab","Description":"IAM key of deploy-bot","SecretString":"{\"k\":\"s3cr\\et\"}","Tags":[{"Key":"made-by","Value":"keysmith"}]}"#
        );
        assert_eq!(
            (call.region.as_str(), call.service),
            ("eu-west-3", "secretsmanager")
        );
    }

    #[test]
    fn put_secret_value_request() {
        let secret = SecretString::copy_from("pem\n");
        let call = prepare_put_secret_value(
            &Endpoint::custom("http://127.0.0.1:4566").unwrap(),
            "us-east-1",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:team/key-AbCdEf",
            &secret,
            &token(),
        )
        .unwrap();
        assert_eq!(call.request.uri(), "http://127.0.0.1:4566/");
        assert_eq!(
            call.request.headers()["x-amz-target"],
            "secretsmanager.PutSecretValue"
        );
        assert_eq!(
            std::str::from_utf8(call.request.body()).unwrap(),
            r#"{"SecretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:team/key-AbCdEf","ClientRequestToken":"abababab-abab-4bab-abab-abababababab","SecretString":"pem\n"}"#
        );
    }

    #[test]
    fn inputs_are_validated() {
        for ok in ["a", "team/ci/deploy_key+1=x.y@z", "ends-with-five"] {
            assert!(validate_secret_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "x\"y", "name-abcdef", &"n".repeat(513)] {
            assert!(validate_secret_name(bad).is_err(), "{bad}");
        }
        assert!(validate_secret_id("").is_err());
        assert!(validate_secret_id("a b").is_err());
        let empty = SecretString::copy_from("");
        assert!(
            prepare_put_secret_value(&Endpoint::aws(), "us-east-1", "x", &empty, &token()).is_err()
        );
        let huge = SecretString::new("x".repeat(MAX_SECRET_BYTES + 1));
        assert!(
            prepare_put_secret_value(&Endpoint::aws(), "us-east-1", "x", &huge, &token()).is_err()
        );
        let ok = SecretString::copy_from("v");
        assert_eq!(
            prepare_put_secret_value(&Endpoint::aws(), "mars-1", "x", &ok, &token())
                .unwrap_err()
                .code(),
            "invalid_region"
        );
    }

    #[test]
    fn parses_versions_and_errors() {
        let ok = HttpResponse::new(
            200,
            br#"{"ARN":"arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3","Name":"MyTestDatabaseSecret","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1"}"#,
        );
        let v = parse_create_secret(&ok).unwrap();
        assert_eq!(v.name, "MyTestDatabaseSecret");
        assert_eq!(v.version_id, "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1");
        let missing = HttpResponse::new(200, br#"{"ARN":"a","Name":"n"}"#);
        assert_eq!(
            parse_put_secret_value(&missing).unwrap_err().code(),
            "malformed_response"
        );
    }

    #[test]
    fn access_key_secret_is_the_cli_json() {
        let s = derive_access_key_secret(
            "AKIAIOSFODNN7EXAMPLE",
            &SecretString::copy_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"),
        );
        assert_eq!(
            s.expose_secret(),
            r#"{"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"}"#
        );
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        let mut r = HttpResponse::new(status, body.as_bytes());
        r.request_id = Some("req-9".into());
        r
    }

    #[test]
    fn json_errors_become_provider_errors() {
        let e = decode_json(
            &response(
                400,
                r#"{"__type":"ResourceExistsException","message":"the secret already exists."}"#,
            ),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.provider_code(), Some("ResourceExistsException"));
        assert_eq!(e.request_id(), Some("req-9"));
        assert!(e.to_string().contains("the secret already exists."));

        let e = decode_json(
            &response(400, r#"{"__type":"com.amazonaws.secretsmanager#InvalidRequestException:http://internal.amazon.com/","Message":"M"}"#),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.provider_code(), Some("InvalidRequestException"));
        assert!(e.to_string().contains(": M"));

        let mut r = response(400, "");
        r.error_type = Some("ThrottlingException:http://x".into());
        let e = decode_json(&r, &[]).unwrap_err();
        assert_eq!(e.provider_code(), Some("ThrottlingException"));
        assert!(e.is_throttling());
    }

    #[test]
    fn json_garbage_is_malformed() {
        for (status, body) in [
            (200, "<html>oops</html>"),
            (200, r#"{"ARN":"arn:aws:secretsmanager:us"#),
            (200, ""),
            (500, "<html>Internal Server Error</html>"),
            (400, r#"{"message":"no type"}"#),
            (400, ""),
        ] {
            let e = decode_json(&response(status, body), &["ARN"]).unwrap_err();
            assert_eq!(e.code(), "malformed_response", "{status} {body:?}");
        }
        let not_utf8 = HttpResponse::new(200, vec![b'{', 0xff, b'}']);
        assert_eq!(
            decode_json(&not_utf8, &[]).unwrap_err().code(),
            "malformed_response"
        );
    }
}
