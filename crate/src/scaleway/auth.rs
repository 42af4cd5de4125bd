//! Scaleway authenticates with the secret key itself in `X-Auth-Token` (no signature), so the
//! only defence against leaking it is never to attach it to a request for any other host.

use http::header::{HeaderName, HeaderValue};

use crate::secret::SecretString;

pub const DEFAULT_API_BASE: &str = "https://api.scaleway.com";
const AUTH_HEADER: &str = "x-auth-token";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScalewayAuthError {
    #[error("invalid Scaleway API base \"{0}\": expected http(s)://host[:port][/path] with no query or credentials")]
    InvalidApiBase(String),
    #[error("refusing to send the Scaleway secret key to \"{url}\": only requests under {base} may carry it")]
    HostNotAllowed { url: String, base: String },
    #[error("the request already carries X-Auth-Token; remove it, the authoriser sets it")]
    ReservedHeader,
    #[error(
        "invalid Scaleway secret key: expected a UUID such as 11111111-2222-3333-4444-555555555555"
    )]
    InvalidSecretKey,
}

impl ScalewayAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidApiBase(_) => "invalid_options",
            Self::HostNotAllowed { .. } => "host_not_allowed",
            Self::ReservedHeader => "reserved_header",
            Self::InvalidSecretKey => "invalid_credentials",
        }
    }
}

/// The one origin (and path prefix) that may receive the secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase {
    scheme: String,
    authority: String,
    path_prefix: String,
}

impl ApiBase {
    pub fn parse(base: &str) -> Result<Self, ScalewayAuthError> {
        let invalid = || ScalewayAuthError::InvalidApiBase(base.to_owned());
        let uri: http::Uri = base.parse().map_err(|_| invalid())?;
        let scheme = match uri.scheme_str() {
            Some(s @ ("http" | "https")) => s.to_owned(),
            _ => return Err(invalid()),
        };
        let authority = uri.authority().ok_or_else(invalid)?;
        if authority.as_str().contains('@') || uri.query().is_some() {
            return Err(invalid());
        }
        Ok(Self {
            scheme,
            authority: normalize_authority(&scheme_default(&uri)),
            path_prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    pub fn default_base() -> Self {
        Self::parse(DEFAULT_API_BASE).expect("the default base is valid")
    }

    /// The URL of `path_and_query` (which starts with `/`) under this base.
    pub fn join(&self, path_and_query: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.path_prefix, path_and_query
        )
    }

    /// Whether `uri` is on this base's origin and under its path (segment-wise).
    pub fn contains(&self, uri: &http::Uri) -> bool {
        let Some(scheme) = uri.scheme_str() else {
            return false;
        };
        if scheme != self.scheme
            || uri.authority().is_none()
            || normalize_authority(&scheme_default(uri)) != self.authority
        {
            return false;
        }
        let path = uri.path();
        path == self.path_prefix
            || path
                .strip_prefix(&self.path_prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// `host[:port]` with the host lower-cased and the scheme's default port removed.
fn scheme_default(uri: &http::Uri) -> String {
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let default = matches!(
        (uri.scheme_str(), uri.port_u16()),
        (Some("http"), Some(80)) | (Some("https"), Some(443))
    );
    match uri.port_u16() {
        Some(p) if !default => format!("{host}:{p}"),
        _ => host,
    }
}

fn normalize_authority(a: &str) -> String {
    a.trim_end_matches('.').to_owned()
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Adds `X-Auth-Token` to `request` if, and only if, it targets `base`.
pub fn authorize_request(
    mut request: http::Request<Vec<u8>>,
    secret_key: &SecretString,
    base: &ApiBase,
) -> Result<http::Request<Vec<u8>>, ScalewayAuthError> {
    if !base.contains(request.uri()) {
        return Err(ScalewayAuthError::HostNotAllowed {
            url: request.uri().to_string(),
            base: format!("{}://{}{}", base.scheme, base.authority, base.path_prefix),
        });
    }
    if request.headers().contains_key(AUTH_HEADER) {
        return Err(ScalewayAuthError::ReservedHeader);
    }
    if !is_uuid(secret_key.expose_secret()) {
        return Err(ScalewayAuthError::InvalidSecretKey);
    }
    let mut value = HeaderValue::from_str(secret_key.expose_secret())
        .map_err(|_| ScalewayAuthError::InvalidSecretKey)?;
    value.set_sensitive(true);
    request
        .headers_mut()
        .insert(HeaderName::from_static(AUTH_HEADER), value);
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "d6a8f3c2-1b4e-4f7a-9c3d-2e5f6a7b8c9d";

    fn req(url: &str) -> http::Request<Vec<u8>> {
        http::Request::get(url).body(Vec::new()).unwrap()
    }

    fn secret() -> SecretString {
        SecretString::copy_from(KEY)
    }

    #[test]
    fn attaches_the_token_to_the_api_host() {
        let base = ApiBase::default_base();
        let r = authorize_request(
            req("https://api.scaleway.com/iam/v1alpha1/api-keys"),
            &secret(),
            &base,
        )
        .unwrap();
        assert_eq!(r.headers()["x-auth-token"], KEY);
        assert!(r.headers()["x-auth-token"].is_sensitive());
        let r = authorize_request(
            req("https://API.scaleway.com:443/account/v3/projects"),
            &secret(),
            &base,
        );
        assert!(r.is_ok());
    }

    #[test]
    fn refuses_every_other_destination() {
        let base = ApiBase::default_base();
        for url in [
            "http://api.scaleway.com/iam/v1alpha1/api-keys",
            "https://api.scaleway.com.evil.example/iam",
            "https://evil.example/?https://api.scaleway.com/",
            "https://api.scaleway.com:8443/iam",
            "https://s3.fr-par.scw.cloud/bucket",
            "https://console.scaleway.com/",
        ] {
            let err = authorize_request(req(url), &secret(), &base).unwrap_err();
            assert_eq!(err.code(), "host_not_allowed", "{url}");
            assert!(!err.to_string().contains(KEY));
        }
    }

    #[test]
    fn custom_base_with_path_prefix_matches_segment_wise() {
        let base = ApiBase::parse("http://127.0.0.1:8080/scw/").unwrap();
        assert!(authorize_request(
            req("http://127.0.0.1:8080/scw/iam/v1alpha1/users"),
            &secret(),
            &base
        )
        .is_ok());
        assert!(authorize_request(req("http://127.0.0.1:8080/scw"), &secret(), &base).is_ok());
        assert!(
            authorize_request(req("http://127.0.0.1:8080/scwx/iam"), &secret(), &base).is_err()
        );
        assert!(authorize_request(req("http://127.0.0.1:8081/scw/iam"), &secret(), &base).is_err());
    }

    #[test]
    fn rejects_bad_bases_keys_and_preset_tokens() {
        for bad in [
            "ftp://api.scaleway.com",
            "https://user:pw@api.scaleway.com",
            "api.scaleway.com",
            "https://api.scaleway.com/?x=1",
        ] {
            assert_eq!(
                ApiBase::parse(bad).unwrap_err().code(),
                "invalid_options",
                "{bad}"
            );
        }
        let base = ApiBase::default_base();
        let bad_key = SecretString::copy_from("SCWXXXXXXXXXXXXXXXXX");
        assert_eq!(
            authorize_request(req("https://api.scaleway.com/x"), &bad_key, &base)
                .unwrap_err()
                .code(),
            "invalid_credentials"
        );
        let mut r = req("https://api.scaleway.com/x");
        r.headers_mut()
            .insert("x-auth-token", HeaderValue::from_static("other"));
        assert_eq!(
            authorize_request(r, &secret(), &base).unwrap_err().code(),
            "reserved_header"
        );
    }
}
