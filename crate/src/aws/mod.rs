//! AWS: SigV4 signing glue around `aws-sigv4`, the Query/XML protocol, and the STS and IAM calls.

mod canonical;
pub mod error;
#[cfg(feature = "providers")]
pub mod iam;
#[cfg(feature = "providers")]
pub mod query;
pub mod sign;
#[cfg(feature = "providers")]
pub mod sts;

pub use error::{AwsError, SigningError};
pub use sign::{
    sign_request, AwsCredentials, PayloadMode, ServiceRules, SignedRequest, SigningOptions,
};

/// Where AWS calls go: the real regional/global hosts, or one custom base URL for every
/// service (moto, LocalStack, a proxy), as in the AWS CLI's `--endpoint-url`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoint {
    custom_base: Option<String>,
}

impl Endpoint {
    pub fn aws() -> Self {
        Self::default()
    }

    /// A custom base such as `http://127.0.0.1:5000`. Only scheme, host and port are allowed.
    pub fn custom(base: &str) -> Result<Self, SigningError> {
        let uri: http::Uri = base.parse().map_err(|_| {
            SigningError::InvalidUrl(format!("custom endpoint \"{base}\" is not a URL"))
        })?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http") | Some("https"));
        let path_ok = matches!(uri.path(), "" | "/") && uri.query().is_none();
        let userinfo = uri.authority().is_some_and(|a| a.as_str().contains('@'));
        if !scheme_ok || uri.host().is_none() || !path_ok || userinfo {
            return Err(SigningError::InvalidUrl(format!(
                "custom endpoint \"{base}\" must be http(s)://host[:port] with no path, query or credentials"
            )));
        }
        let base = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("https"),
            uri.authority().map(|a| a.as_str()).unwrap_or_default()
        );
        Ok(Self {
            custom_base: Some(base),
        })
    }

    /// The URL of `service`'s API root, given the host AWS itself would use.
    #[cfg_attr(not(feature = "providers"), allow(dead_code))]
    pub(crate) fn url_for(&self, aws_host: &str) -> String {
        match &self.custom_base {
            Some(base) => format!("{base}/"),
            None => format!("https://{aws_host}/"),
        }
    }
}

/// IAM user names: 1-64 of `[A-Za-z0-9+=,.@_-]`.
pub fn validate_user_name(name: &str) -> Result<(), SigningError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(SigningError::InvalidOptions(format!(
            "\"{name}\" is not a valid IAM user name (1-64 letters, digits and +=,.@_-)"
        )))
    }
}
