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

/// A failed AWS call.
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
    /// The request never got an answer.
    #[error("network error: {0}; check the endpoint setting and your connection")]
    Network(String),
}

impl AwsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Signing(e) => e.code(),
            Self::Provider { .. } => "provider_error",
            Self::MalformedResponse { .. } => "malformed_response",
            Self::Network(_) => "network",
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
}

fn provider_message(code: &str, message: &str) -> String {
    let advice = match code {
        "SignatureDoesNotMatch" => {
            "the secret access key does not match the access key id; check the secret (and the signer's clock)"
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" => {
            "AWS does not know this access key id; it may be deleted, inactive, or from another partition"
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            "the credentials or the request expired; refresh the session credentials and retry"
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            "the signer identity lacks the permission; attach Keysmith's key-issuer policy to it"
        }
        "LimitExceeded" => {
            "this user already has 2 access keys; deactivate or delete one first"
        }
        "NoSuchEntity" => "the user does not exist; check the user name",
        "Throttling" | "ThrottlingException" => "AWS is throttling requests; wait a moment and retry",
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
