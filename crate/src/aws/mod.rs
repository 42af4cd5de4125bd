//! AWS: SigV4 signing glue around `aws-sigv4`, the Query/XML and JSON 1.1 protocols, and the
//! STS, IAM, EC2 and Secrets Manager calls.

mod canonical;
#[cfg(feature = "providers")]
pub mod ec2;
pub mod error;
#[cfg(feature = "providers")]
pub mod iam;
#[cfg(feature = "providers")]
pub mod keyslot;
#[cfg(feature = "providers")]
pub mod query;
#[cfg(feature = "providers")]
pub mod retry;
#[cfg(feature = "providers")]
pub mod rotation;
#[cfg(feature = "providers")]
pub mod secretsmanager;
pub mod sign;
#[cfg(feature = "providers")]
pub mod sts;

#[cfg(feature = "providers")]
pub use error::AwsError;
pub use error::SigningError;
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

/// AWS region codes: two letters, one or more lowercase words, a number (`us-east-1`,
/// `us-gov-west-1`, `ap-southeast-5`, `cn-north-1`).
#[cfg(feature = "providers")]
pub fn validate_region(region: &str) -> Result<(), SigningError> {
    let mut parts = region.split('-');
    let country = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let ok = region.len() <= 32
        && country.len() == 2
        && country.bytes().all(|b| b.is_ascii_lowercase())
        && rest.len() >= 2
        && rest
            .last()
            .is_some_and(|n| (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()))
        && rest[..rest.len() - 1]
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
    if ok {
        Ok(())
    } else {
        Err(SigningError::InvalidRegion(region.to_owned()))
    }
}

/// The host of a regional endpoint, e.g. `ec2.eu-west-3.amazonaws.com` (China regions live
/// under `amazonaws.com.cn`).
#[cfg(feature = "providers")]
pub(crate) fn regional_host(service: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("{service}.{region}.{suffix}")
}

#[cfg(all(test, feature = "providers"))]
mod tests {
    use super::*;

    #[test]
    fn region_codes_are_validated() {
        for ok in [
            "us-east-1",
            "eu-west-3",
            "us-gov-west-1",
            "ap-southeast-5",
            "cn-north-1",
            "il-central-1",
            "us-isob-east-1",
        ] {
            assert!(validate_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "useast-1",
            "us--1",
            "us-east-100",
            "us-east-1/",
            "eu-west-3.evil.com",
            "-us-east-1",
        ] {
            assert_eq!(
                validate_region(bad).unwrap_err().code(),
                "invalid_region",
                "{bad}"
            );
        }
    }

    #[test]
    fn regional_hosts() {
        assert_eq!(
            regional_host("ec2", "eu-west-3"),
            "ec2.eu-west-3.amazonaws.com"
        );
        assert_eq!(
            regional_host("ec2", "cn-north-1"),
            "ec2.cn-north-1.amazonaws.com.cn"
        );
    }
}
