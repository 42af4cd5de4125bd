//! SigV4 signing with `aws-sigv4`: time is passed in, never read; the output is data (the
//! signed request plus every intermediate stage, for diagnostics and conformance tests).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    self, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use http::header::{HeaderName, HeaderValue};

use super::canonical;
use super::error::SigningError;
use crate::secret::SecretString;

/// A signing credential. The access key id is an identifier, not a secret; the secret access
/// key and the session token are.
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .finish()
    }
}

impl AwsCredentials {
    pub fn new(
        access_key_id: &str,
        secret_access_key: SecretString,
        session_token: Option<SecretString>,
    ) -> Result<Self, SigningError> {
        let id = access_key_id.trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SigningError::InvalidCredentials(
                "the access key id must be non-empty letters and digits (like AKIA...)".into(),
            ));
        }
        let secret = secret_access_key.expose_secret();
        if secret.is_empty() || !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SigningError::InvalidCredentials(
                "the secret access key must be non-empty printable ASCII with no spaces".into(),
            ));
        }
        if let Some(token) = &session_token {
            let t = token.expose_secret();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(SigningError::InvalidCredentials(
                    "the session token must be non-empty printable ASCII with no spaces".into(),
                ));
            }
        }
        Ok(Self {
            access_key_id: id.to_owned(),
            secret_access_key,
            session_token: session_token.filter(|t| !t.is_empty()),
        })
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }

    /// `aws-sigv4` wants its own credential type; the copy it holds lives only for one signing
    /// call and is wiped by the wasm build's zeroizing allocator when dropped.
    fn to_identity(&self) -> aws_smithy_runtime_api::client::identity::Identity {
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose_secret().to_owned(),
            self.session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            None,
            "keysmith",
        )
        .into()
    }
}

/// How the payload enters the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayloadMode {
    /// SHA-256 of the body (the default everywhere).
    #[default]
    Signed,
    /// `UNSIGNED-PAYLOAD` (S3 only: streaming uploads, presigned URLs).
    Unsigned,
}

/// The per-service canonicalisation rules. [`ServiceRules::for_service`] picks them; the
/// conformance suite sets them explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceRules {
    /// Remove `.`/`..` segments and merge `//` before signing (every service but S3).
    pub normalize_path: bool,
    /// Percent-encode the already-encoded path once more (every service but S3).
    pub double_encode_path: bool,
    /// Send and sign `x-amz-content-sha256` (S3).
    pub content_sha256_header: bool,
    /// Add the session token after signing instead of signing it (a few services need this).
    pub omit_session_token: bool,
    /// Presigned URLs sign `UNSIGNED-PAYLOAD` instead of the body hash (S3).
    pub presign_unsigned_payload: bool,
}

const S3_SERVICES: &[&str] = &["s3", "s3-outposts", "s3-object-lambda"];

impl ServiceRules {
    pub fn for_service(service: &str) -> Self {
        let s3 = S3_SERVICES.contains(&service);
        Self {
            normalize_path: !s3,
            double_encode_path: !s3,
            content_sha256_header: s3,
            omit_session_token: false,
            presign_unsigned_payload: s3,
        }
    }

    fn is_s3(&self) -> bool {
        self.content_sha256_header
    }
}

/// Everything but the request and the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOptions {
    pub region: String,
    pub service: String,
    /// Milliseconds since the Unix epoch, from the caller's clock (`Date.now()` in the browser).
    pub time_ms: u64,
    pub payload: PayloadMode,
    /// `Some(seconds)` signs in the query string (a presigned URL) valid for that long.
    pub presign_expires_secs: Option<u64>,
    pub rules: ServiceRules,
}

/// The longest validity SigV4 allows for a presigned URL (7 days).
pub const MAX_PRESIGN_SECS: u64 = 7 * 24 * 3600;

impl SigningOptions {
    pub fn new(region: &str, service: &str, time_ms: u64) -> Self {
        Self {
            region: region.to_owned(),
            service: service.to_owned(),
            time_ms,
            payload: PayloadMode::Signed,
            presign_expires_secs: None,
            rules: ServiceRules::for_service(service),
        }
    }

    fn validate(&self) -> Result<(), SigningError> {
        let scope_part = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !scope_part(&self.region) {
            return Err(SigningError::InvalidRegion(self.region.clone()));
        }
        if !scope_part(&self.service) {
            return Err(SigningError::InvalidService(self.service.clone()));
        }
        // Years 2000..10000: anything outside is a unit mistake (seconds for ms) or garbage.
        if !(946_684_800_000..253_402_300_800_000).contains(&self.time_ms) {
            return Err(SigningError::InvalidTime(self.time_ms));
        }
        if let Some(secs) = self.presign_expires_secs {
            if secs == 0 || secs > MAX_PRESIGN_SECS {
                return Err(SigningError::InvalidOptions(format!(
                    "presign expiry must be 1..={MAX_PRESIGN_SECS} seconds, got {secs}"
                )));
            }
        }
        if self.payload == PayloadMode::Unsigned && !self.rules.is_s3() {
            return Err(SigningError::InvalidOptions(format!(
                "unsigned payloads are an S3 feature; service \"{}\" requires a signed payload",
                self.service
            )));
        }
        Ok(())
    }

    fn time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.time_ms)
    }
}

/// A signed request and the stages that produced its signature.
#[derive(Debug)]
pub struct SignedRequest {
    pub request: http::Request<Vec<u8>>,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// Headers the signer owns; a caller that sets them is almost certainly re-signing a signed
/// request, which would produce a request AWS rejects.
const SIGNER_HEADERS: &[&str] = &[
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// Builds an `http::Request` from loosely typed parts, with errors that name what is wrong.
pub fn build_request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, SigningError> {
    let method = http::Method::from_bytes(method.as_bytes())
        .map_err(|_| SigningError::InvalidMethod(method.to_owned()))?;
    let uri: http::Uri = url
        .parse()
        .map_err(|e| SigningError::InvalidUrl(format!("\"{url}\": {e}")))?;
    if !matches!(uri.scheme_str(), Some("http") | Some("https")) || uri.host().is_none() {
        return Err(SigningError::InvalidUrl(format!(
            "\"{url}\": an absolute http(s) URL with a host is required"
        )));
    }
    let mut req = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .map_err(|e| SigningError::InvalidUrl(e.to_string()))?;
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| SigningError::InvalidHeaderName(name.clone()))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| SigningError::InvalidHeaderValue(header.as_str().to_owned()))?;
        req.headers_mut().append(header, value);
    }
    Ok(req)
}

/// Signs `request` in place of the caller's clock-free inputs and returns it with its stages.
pub fn sign_request(
    mut request: http::Request<Vec<u8>>,
    credentials: &AwsCredentials,
    options: &SigningOptions,
) -> Result<SignedRequest, SigningError> {
    options.validate()?;
    if let Some(name) = SIGNER_HEADERS
        .iter()
        .find(|h| request.headers().contains_key(**h))
    {
        return Err(SigningError::ReservedHeader((*name).to_owned()));
    }
    let presign = options.presign_expires_secs.is_some();
    if presign
        && request
            .uri()
            .query()
            .is_some_and(|q| q.contains("X-Amz-Signature"))
    {
        return Err(SigningError::ReservedHeader("X-Amz-Signature".into()));
    }

    let rules = options.rules;
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = if rules.double_encode_path {
        PercentEncodingMode::Double
    } else {
        PercentEncodingMode::Single
    };
    settings.uri_path_normalization_mode = if rules.normalize_path {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    settings.session_token_mode = if rules.omit_session_token {
        SessionTokenMode::Exclude
    } else {
        SessionTokenMode::Include
    };
    // Presigned URLs carry no x-amz-content-sha256 header (there are no headers to carry it),
    // and S3 presigned URLs sign `UNSIGNED-PAYLOAD`.
    settings.payload_checksum_kind = if rules.content_sha256_header && !presign {
        PayloadChecksumKind::XAmzSha256
    } else {
        PayloadChecksumKind::NoHeader
    };
    if let Some(secs) = options.presign_expires_secs {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(secs));
    }
    let unsigned =
        options.payload == PayloadMode::Unsigned || (presign && rules.presign_unsigned_payload);

    let identity = credentials.to_identity();
    let time = options.time();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&options.region)
        .name(&options.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| SigningError::Signing(e.to_string()))?
        .into();

    let uri = request.uri().to_string();
    let header_strs: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            v.to_str()
                .map(|v| (n.as_str(), v))
                .map_err(|_| SigningError::InvalidHeaderValue(n.as_str().to_owned()))
        })
        .collect::<Result<_, _>>()?;
    let body = if unsigned {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(request.body())
    };
    let payload_hash = canonical::payload_hash(&body);
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri.as_str(),
        header_strs.into_iter(),
        body,
    )
    .map_err(|e| SigningError::Signing(e.to_string()))?;
    let (instructions, signature) = http_request::sign(signable, &params)
        .map_err(|e| SigningError::Signing(e.to_string()))?
        .into_parts();
    instructions.apply_to_request_http1x(&mut request);

    let stages = canonical::derive_stages(&request, &payload_hash, options)?;
    // The stages are rebuilt from the signed request; they must reproduce aws-sigv4's signature
    // exactly, or they would mislead whoever debugs a rejected request with them.
    let key = v4::generate_signing_key(
        credentials.secret_access_key.expose_secret(),
        time,
        &options.region,
        &options.service,
    );
    let recomputed = v4::calculate_signature(key, stages.string_to_sign.as_bytes());
    if recomputed != signature {
        return Err(SigningError::Internal(
            "the reconstructed canonical request does not reproduce the signature".into(),
        ));
    }
    Ok(SignedRequest {
        request,
        canonical_request: stages.canonical_request,
        string_to_sign: stages.string_to_sign,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_440_938_160_000; // 2015-08-30T12:36:00Z

    fn creds(token: Option<&str>) -> AwsCredentials {
        AwsCredentials::new(
            "AKIDEXAMPLE",
            SecretString::copy_from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            token.map(SecretString::copy_from),
        )
        .unwrap()
    }

    fn get(url: &str) -> http::Request<Vec<u8>> {
        build_request("GET", url, &[], Vec::new()).unwrap()
    }

    #[test]
    fn s3_signs_the_content_hash_header_and_keeps_the_path() {
        let opts = SigningOptions::new("us-east-1", "s3", T);
        let signed = sign_request(
            get("https://bucket.s3.amazonaws.com/a//b/../c%20d"),
            &creds(None),
            &opts,
        )
        .unwrap();
        let h = signed.request.headers();
        assert_eq!(
            h["x-amz-content-sha256"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(h["authorization"]
            .to_str()
            .unwrap()
            .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date"));
        // No normalisation, no second encoding.
        assert_eq!(
            signed.canonical_request.lines().nth(1),
            Some("/a//b/../c%20d")
        );
    }

    #[test]
    fn other_services_double_encode_and_send_no_content_hash() {
        let opts = SigningOptions::new("us-east-1", "iam", T);
        let signed = sign_request(
            get("https://iam.amazonaws.com/a//b/../c%20d"),
            &creds(None),
            &opts,
        )
        .unwrap();
        assert!(!signed
            .request
            .headers()
            .contains_key("x-amz-content-sha256"));
        assert_eq!(signed.canonical_request.lines().nth(1), Some("/a/c%2520d"));
    }

    #[test]
    fn s3_unsigned_payload() {
        let mut opts = SigningOptions::new("eu-west-3", "s3", T);
        opts.payload = PayloadMode::Unsigned;
        let req = build_request(
            "PUT",
            "https://b.s3.eu-west-3.amazonaws.com/k",
            &[],
            b"data".to_vec(),
        )
        .unwrap();
        let signed = sign_request(req, &creds(None), &opts).unwrap();
        assert_eq!(
            signed.request.headers()["x-amz-content-sha256"],
            "UNSIGNED-PAYLOAD"
        );
        assert!(signed.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    }

    #[test]
    fn unsigned_payload_is_refused_outside_s3() {
        let mut opts = SigningOptions::new("us-east-1", "iam", T);
        opts.payload = PayloadMode::Unsigned;
        let err = sign_request(get("https://iam.amazonaws.com/"), &creds(None), &opts).unwrap_err();
        assert_eq!(err.code(), "invalid_options");
    }

    #[test]
    fn s3_presigned_url_carries_everything_in_the_query() {
        let mut opts = SigningOptions::new("us-east-1", "s3", T);
        opts.presign_expires_secs = Some(3600);
        let signed = sign_request(
            get("https://b.s3.amazonaws.com/key.txt"),
            &creds(Some("tok/en+")),
            &opts,
        )
        .unwrap();
        let url = signed.request.uri().to_string();
        for part in [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request",
            "X-Amz-Date=20150830T123600Z",
            "X-Amz-Expires=3600",
            "X-Amz-SignedHeaders=host",
            "X-Amz-Security-Token=tok%2Fen%2B",
            &format!("X-Amz-Signature={}", signed.signature),
        ] {
            assert!(url.contains(part), "{part} missing from {url}");
        }
        assert!(
            signed.request.headers().is_empty(),
            "a presigned URL needs no headers"
        );
        assert!(signed.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    }

    #[test]
    fn session_token_is_sent_and_signed() {
        let opts = SigningOptions::new("us-east-1", "sts", T);
        let signed = sign_request(
            get("https://sts.amazonaws.com/"),
            &creds(Some("TOKEN")),
            &opts,
        )
        .unwrap();
        assert_eq!(signed.request.headers()["x-amz-security-token"], "TOKEN");
        assert!(signed
            .canonical_request
            .contains("x-amz-security-token:TOKEN\n"));
    }

    #[test]
    fn the_signing_host_keeps_a_non_default_port() {
        let opts = SigningOptions::new("us-east-1", "sts", T);
        let signed = sign_request(get("http://127.0.0.1:5000/"), &creds(None), &opts).unwrap();
        assert!(signed.canonical_request.contains("\nhost:127.0.0.1:5000\n"));
    }

    #[test]
    fn bad_inputs_have_stable_codes() {
        let c = creds(None);
        let code = |opts: SigningOptions, req: http::Request<Vec<u8>>| {
            sign_request(req, &c, &opts).unwrap_err().code()
        };
        let ok = || get("https://iam.amazonaws.com/");
        assert_eq!(
            code(SigningOptions::new("", "iam", T), ok()),
            "invalid_region"
        );
        assert_eq!(
            code(SigningOptions::new("US EAST", "iam", T), ok()),
            "invalid_region"
        );
        assert_eq!(
            code(SigningOptions::new("us-east-1", "", T), ok()),
            "invalid_service"
        );
        assert_eq!(
            code(SigningOptions::new("us-east-1", "iam", 1_440_938_160), ok()),
            "invalid_time"
        );
        let mut o = SigningOptions::new("us-east-1", "iam", T);
        o.presign_expires_secs = Some(MAX_PRESIGN_SECS + 1);
        assert_eq!(code(o, ok()), "invalid_options");
        let with_date = build_request(
            "GET",
            "https://iam.amazonaws.com/",
            &[("X-Amz-Date".into(), "x".into())],
            vec![],
        )
        .unwrap();
        assert_eq!(
            code(SigningOptions::new("us-east-1", "iam", T), with_date),
            "reserved_header"
        );

        assert_eq!(
            build_request("GET", "not a url", &[], vec![])
                .unwrap_err()
                .code(),
            "invalid_url"
        );
        assert_eq!(
            build_request("GET", "/relative", &[], vec![])
                .unwrap_err()
                .code(),
            "invalid_url"
        );
        assert_eq!(
            build_request("GE T", "https://a/", &[], vec![])
                .unwrap_err()
                .code(),
            "invalid_method"
        );
        assert_eq!(
            build_request(
                "GET",
                "https://a/",
                &[("bad name".into(), "v".into())],
                vec![]
            )
            .unwrap_err()
            .code(),
            "invalid_header"
        );
        assert_eq!(
            build_request("GET", "https://a/", &[("x-é".into(), "v".into())], vec![])
                .unwrap_err()
                .code(),
            "invalid_header"
        );
        assert_eq!(
            build_request("GET", "https://a/", &[("x".into(), "a\nb".into())], vec![])
                .unwrap_err()
                .code(),
            "invalid_header"
        );

        for (id, secret) in [
            ("", "Zq9"),
            ("AKIA EXAMPLE", "Zq9"),
            ("AKIA", ""),
            ("AKIA", "has Zq9 space"),
        ] {
            let err = AwsCredentials::new(id, SecretString::copy_from(secret), None).unwrap_err();
            assert_eq!(err.code(), "invalid_credentials");
            assert!(!err.to_string().contains("Zq9"), "{err}");
        }
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let printed = format!("{:?}", creds(Some("TOKENVALUE")));
        assert!(printed.contains("AKIDEXAMPLE"));
        assert!(
            !printed.contains("wJalr") && !printed.contains("TOKENVALUE"),
            "{printed}"
        );
    }
}
