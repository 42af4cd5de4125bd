//! Typed AWS errors: each has a stable machine code and a message that says what to do.

/// The request or the signing inputs are wrong; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    #[error("invalid HTTP method \"{0}\"")]
    InvalidMethod(String),
    #[error("invalid header name \"{0}\": header names are ASCII tokens (letters, digits, !#$%&'*+-.^_`|~)")]
    InvalidHeaderName(String),
    #[error("invalid value for header \"{0}\": header values must be visible ASCII or spaces")]
    InvalidHeaderValue(String),
    #[error("the request already carries {0}; remove it, the signer sets it")]
    ReservedHeader(String),
    #[error("invalid region \"{0}\": expected a region code such as us-east-1")]
    InvalidRegion(String),
    #[error("invalid service \"{0}\": expected a signing name such as iam, sts or s3")]
    InvalidService(String),
    #[error("invalid credentials: {0}")]
    InvalidCredentials(String),
    #[error("invalid signing time {0} ms: pass milliseconds since the Unix epoch (Date.now())")]
    InvalidTime(u64),
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    #[error("signing failed: {0}")]
    Signing(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl SigningError {
    /// A stable code for programs (`Error.code` in JS).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl(_) => "invalid_url",
            Self::InvalidMethod(_) => "invalid_method",
            Self::InvalidHeaderName(_) | Self::InvalidHeaderValue(_) => "invalid_header",
            Self::ReservedHeader(_) => "reserved_header",
            Self::InvalidRegion(_) => "invalid_region",
            Self::InvalidService(_) => "invalid_service",
            Self::InvalidCredentials(_) => "invalid_credentials",
            Self::InvalidTime(_) => "invalid_time",
            Self::InvalidOptions(_) => "invalid_options",
            Self::Signing(_) => "signing_failed",
            Self::Internal(_) => "internal",
        }
    }
}

/// A failed AWS call. Only provider calls fail this way, so the signing-only build leaves it
/// out (its helpers would otherwise change that build's inlining, and its size).
#[cfg(feature = "providers")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// AWS (or the emulator) answered with an error document.
    #[error("{}", provider_message(.code, .message))]
    Provider {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// The answer was not what the API reference promises.
    #[error("malformed response from AWS (HTTP {status}): {detail}")]
    MalformedResponse { status: u16, detail: String },
    /// The provider created something whose secret could not be sealed into the vault.
    #[error("{0}")]
    NotVaulted(String),
    /// The request never got an answer.
    #[error("network error: {0}; check the endpoint setting and your connection")]
    Network(String),
}

#[cfg(feature = "providers")]
impl AwsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Signing(e) => e.code(),
            Self::Provider { .. } => "provider_error",
            Self::MalformedResponse { .. } => "malformed_response",
            Self::Network(_) => "network",
            Self::NotVaulted(_) => "not_vaulted",
        }
    }

    pub fn provider_code(&self) -> Option<&str> {
        match self {
            Self::Provider { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Provider { status, .. } | Self::MalformedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The id AWS gave the failed request (what AWS support asks for).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Provider { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// AWS refused the request because of its rate, before acting on it: repeating it later
    /// is safe for every call, even one that creates something.
    pub fn is_throttling(&self) -> bool {
        match self {
            Self::Provider { code, status, .. } => {
                THROTTLING_CODES.contains(&code.as_str()) || *status == 429
            }
            Self::MalformedResponse { status, .. } => *status == 429,
            _ => false,
        }
    }

    /// A passing failure of the service (HTTP 503, or a 5xx with a ServiceUnavailable code).
    /// Unlike throttling, the request may have been acted on.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Provider { code, status, .. } => {
                *status == 503 || TRANSIENT_CODES.contains(&code.as_str())
            }
            Self::MalformedResponse { status, .. } => *status == 503,
            _ => false,
        }
    }

    /// IAM's `LimitExceeded` on `CreateAccessKey`: the user already has the maximum number of
    /// access keys (see [`super::keyslot`]).
    pub fn is_key_limit(&self) -> bool {
        self.provider_code() == Some("LimitExceeded")
    }

    /// The permission AWS said is missing, e.g. `iam:CreateAccessKey` from "User: arn:... is not
    /// authorized to perform: iam:CreateAccessKey on resource: ...".
    pub fn missing_permission(&self) -> Option<&str> {
        match self {
            Self::Provider { code, message, .. } if is_access_denied(code) => {
                extract_missing_permission(message)
            }
            _ => None,
        }
    }
}

/// Error codes that mean "too many requests" across IAM, STS, EC2 and the JSON services.
#[cfg(feature = "providers")]
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "SlowDown",
];

#[cfg(feature = "providers")]
const TRANSIENT_CODES: &[&str] = &["ServiceUnavailable", "ServiceUnavailableException"];

#[cfg(feature = "providers")]
fn is_access_denied(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation"
    )
}

/// `service:Action` right after "not authorized to perform: ".
#[cfg(feature = "providers")]
fn extract_missing_permission(message: &str) -> Option<&str> {
    const MARKER: &str = "not authorized to perform: ";
    let start = message.find(MARKER)? + MARKER.len();
    let rest = &message[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-' || c == '*'))
        .unwrap_or(rest.len());
    let action = &rest[..end];
    let (service, name) = action.split_once(':')?;
    (!service.is_empty() && !name.is_empty() && !name.contains(':')).then_some(action)
}

#[cfg(feature = "providers")]
fn provider_message(code: &str, message: &str) -> String {
    let missing;
    let advice = match code {
        "SignatureDoesNotMatch" => {
            "the secret access key does not match the access key id; check the secret (and the signer's clock)"
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "AuthFailure" => {
            "AWS does not know this access key id; it may be deleted, inactive, or from another partition"
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            "the credentials or the request expired; refresh the session credentials and retry"
        }
        c if is_access_denied(c) => match extract_missing_permission(message) {
            Some(action) => {
                missing = format!(
                    "the signer identity lacks the permission {action}; attach Keysmith's key-issuer policy to it"
                );
                &missing
            }
            None => {
                "the signer identity lacks the permission; attach Keysmith's key-issuer policy to it"
            }
        },
        "LimitExceeded" => {
            "this user already has 2 access keys; deactivate or delete one first"
        }
        "NoSuchEntity" => "the user, key or policy does not exist; check the name",
        "EntityAlreadyExists" => "an IAM user with this name already exists; pick another name",
        "InvalidKeyPair.Duplicate" => {
            "a key pair with this name already exists in this region; pick another name"
        }
        "InvalidKeyPair.NotFound" => "no key pair with this name or id exists in this region",
        "ResourceExistsException" => {
            "a secret with this name already exists; push a new version to it instead"
        }
        "ResourceNotFoundException" => "the secret does not exist in this region",
        c if THROTTLING_CODES.contains(&c) => {
            "AWS is throttling requests; wait a moment and retry"
        }
        _ => "",
    };
    if advice.is_empty() {
        format!("AWS error {code}: {message}")
    } else {
        format!("AWS error {code}: {message} ({advice})")
    }
}

#[cfg(feature = "providers")]
impl From<crate::response::NetworkError> for AwsError {
    fn from(e: crate::response::NetworkError) -> Self {
        Self::Network(e.0)
    }
}

#[cfg(all(test, feature = "providers"))]
mod tests {
    use super::*;

    fn provider(status: u16, code: &str, message: &str) -> AwsError {
        AwsError::Provider {
            status,
            code: code.into(),
            message: message.into(),
            request_id: Some("req-1".into()),
        }
    }

    #[test]
    fn missing_permission_is_extracted() {
        let e = provider(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/issuer is not authorized to perform: \
             iam:CreateAccessKey on resource: user bob because no identity-based policy allows \
             the iam:CreateAccessKey action",
        );
        assert_eq!(e.missing_permission(), Some("iam:CreateAccessKey"));
        assert!(
            e.to_string()
                .contains("lacks the permission iam:CreateAccessKey"),
            "{e}"
        );
        let e = provider(
            400,
            "AccessDeniedException",
            "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: secretsmanager:CreateSecret",
        );
        assert_eq!(e.missing_permission(), Some("secretsmanager:CreateSecret"));
        for message in [
            "You are not authorized to perform this operation. Encoded authorization failure message: abc",
            "is not authorized to perform: ",
            "is not authorized to perform: iam",
            "is not authorized to perform: :x",
            "is not authorized to perform: a:b:c",
        ] {
            assert_eq!(provider(403, "AccessDenied", message).missing_permission(), None, "{message}");
        }
        let other = provider(
            403,
            "SignatureDoesNotMatch",
            "is not authorized to perform: iam:X",
        );
        assert_eq!(other.missing_permission(), None);
    }

    #[test]
    fn throttling_and_transient_failures_are_classified() {
        for code in ["Throttling", "ThrottlingException", "RequestLimitExceeded"] {
            assert!(
                provider(400, code, "Rate exceeded").is_throttling(),
                "{code}"
            );
        }
        assert!(provider(429, "Whatever", "").is_throttling());
        assert!(AwsError::MalformedResponse {
            status: 429,
            detail: String::new()
        }
        .is_throttling());
        assert!(!provider(400, "LimitExceeded", "").is_throttling());
        assert!(provider(503, "ServiceUnavailable", "").is_transient());
        assert!(AwsError::MalformedResponse {
            status: 503,
            detail: "html".into()
        }
        .is_transient());
        assert!(!provider(500, "InternalFailure", "").is_transient());
        assert!(!AwsError::Network("x".into()).is_transient());
        assert!(provider(409, "LimitExceeded", "").is_key_limit());
    }

    #[test]
    fn provider_errors_keep_code_message_and_request_id() {
        let e = provider(409, "EntityAlreadyExists", "User bob already exists");
        assert_eq!(e.code(), "provider_error");
        assert_eq!(e.provider_code(), Some("EntityAlreadyExists"));
        assert_eq!(e.request_id(), Some("req-1"));
        assert_eq!(e.status(), Some(409));
        assert!(e.to_string().contains("User bob already exists"));
        assert!(e.to_string().contains("pick another name"));
    }
}
