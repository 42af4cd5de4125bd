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
                "unsigned payloads are an S3 feature; service {:?} requires a signed payload",
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
        .map_err(|e| SigningError::InvalidUrl(format!("{url:?}: {e}")))?;
    if !matches!(uri.scheme_str(), Some("http") | Some("https")) || uri.host().is_none() {
        return Err(SigningError::InvalidUrl(format!(
            "{url:?}: an absolute http(s) URL with a host is required"
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
