//! Rebuilds the SigV4 canonical request and string to sign from a request that `aws-sigv4`
//! has signed (the crate computes them but does not expose them). `sign_request` checks the
//! result against the crate's signature, so a divergence here can never go unnoticed.

use std::fmt::Write as _;

use aws_sigv4::http_request::SignableBody;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::error::SigningError;
use super::sign::SigningOptions;

/// RFC 3986 unreserved characters stay as they are; everything else is `%XX`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

pub(crate) struct Stages {
    pub canonical_request: String,
    pub string_to_sign: String,
}

pub(crate) fn payload_hash(body: &SignableBody<'_>) -> String {
    match body {
        SignableBody::UnsignedPayload => "UNSIGNED-PAYLOAD".to_owned(),
        SignableBody::Bytes(bytes) => hex::encode(Sha256::digest(bytes)),
        SignableBody::Precomputed(hash) => hash.clone(),
        _ => String::new(),
    }
}

pub(crate) fn derive_stages(
    signed: &http::Request<Vec<u8>>,
    payload_hash: &str,
    options: &SigningOptions,
) -> Result<Stages, SigningError> {
    let uri = signed.uri();
    let presigned = options.presign_expires_secs.is_some();
    let query_pairs: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let param = |name: &str| {
        query_pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let header = |name: &str| signed.headers().get(name).and_then(|v| v.to_str().ok());
    let internal = |what: &str| SigningError::Internal(format!("signed request lacks {what}"));

    let (amz_date, signed_headers) = if presigned {
        (
            param("X-Amz-Date").ok_or_else(|| internal("X-Amz-Date"))?,
            param("X-Amz-SignedHeaders").ok_or_else(|| internal("X-Amz-SignedHeaders"))?,
        )
    } else {
        let auth = header("authorization").ok_or_else(|| internal("Authorization"))?;
        let signed_headers = auth
            .split(", ")
            .find_map(|part| part.strip_prefix("SignedHeaders="))
            .ok_or_else(|| internal("SignedHeaders"))?;
        (
            header("x-amz-date").ok_or_else(|| internal("x-amz-date"))?,
            signed_headers,
        )
    };

    let mut creq = String::with_capacity(512);
    creq.push_str(signed.method().as_str());
    creq.push('\n');
    creq.push_str(&canonical_path(uri.path(), options));
    creq.push('\n');

    let mut encoded: Vec<(String, String)> = query_pairs
        .iter()
        .filter(|(k, _)| {
            !(presigned
                && (k == "X-Amz-Signature"
                    || (options.rules.omit_session_token && k == "X-Amz-Security-Token")))
        })
        .map(|(k, v)| {
            (
                utf8_percent_encode(k, UNRESERVED).to_string(),
                utf8_percent_encode(v, UNRESERVED).to_string(),
            )
        })
        .collect();
    encoded.sort();
    let query: Vec<String> = encoded
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    creq.push_str(&query.join("&"));
    creq.push('\n');

    for name in signed_headers.split(';') {
        let mut values: Vec<String> = signed
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().map(trim_all))
            .collect::<Result<_, _>>()
            .map_err(|_| SigningError::InvalidHeaderValue(name.to_owned()))?;
        if values.is_empty() && name == "host" {
            values.push(host_of(uri)?);
        }
        let _ = writeln!(creq, "{name}:{}", values.join(","));
    }
    creq.push('\n');
    creq.push_str(signed_headers);
    creq.push('\n');
    creq.push_str(payload_hash);

    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/{}/aws4_request\n{}",
        amz_date
            .get(..8)
            .ok_or_else(|| internal("a well-formed X-Amz-Date"))?,
        options.region,
        options.service,
        hex::encode(Sha256::digest(creq.as_bytes())),
    );
    Ok(Stages {
        canonical_request: creq,
        string_to_sign,
    })
}

/// The `Host` a browser sends: the authority without a default port.
fn host_of(uri: &http::Uri) -> Result<String, SigningError> {
    let host = uri
        .host()
        .ok_or_else(|| SigningError::InvalidUrl("the URL has no host".into()))?;
    let default_port = matches!(
        (uri.scheme_str(), uri.port_u16()),
        (Some("http"), Some(80)) | (Some("https"), Some(443))
    );
    Ok(match uri.port_u16() {
        Some(port) if !default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    })
}

fn canonical_path(path: &str, options: &SigningOptions) -> String {
    let path = if options.rules.normalize_path {
        remove_dot_segments(path)
    } else {
        path.to_owned()
    };
    if options.rules.double_encode_path {
        utf8_percent_encode(&path, UNRESERVED_AND_SLASH).to_string()
    } else {
        path
    }
}

/// RFC 3986 section 5.2.4 on an absolute path, also merging repeated slashes (as the AWS
/// CRT signers do).
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let trailing = path.ends_with('/')
        || path.ends_with("/.")
        || path.ends_with("/..")
        || path == "."
        || path == "..";
    let mut result = String::with_capacity(path.len() + 1);
    for s in &out {
        result.push('/');
        result.push_str(s);
    }
    if result.is_empty() || trailing {
        result.push('/');
    }
    result
}

/// Trims leading and trailing spaces and collapses runs of spaces (spaces only, as S3 does).
fn trim_all(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last_space = false;
    for c in value.trim_matches(' ').chars() {
        if c == ' ' {
            if !last_space {
                out.push(c);
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments() {
        for (input, want) in [
            ("/", "/"),
            ("", "/"),
            ("/foo", "/foo"),
            ("/foo/bar/", "/foo/bar/"),
            ("/./foo", "/foo"),
            ("/foo/bar/.", "/foo/bar/"),
            ("/foo/bar/..", "/foo/"),
            ("/foo/../bar/../", "/"),
            ("/..", "/"),
            ("/a/b/c/./../../g", "/a/g"),
            ("//foo//", "/foo/"),
            ("/foo%2F.%2Fbar", "/foo%2F.%2Fbar"),
        ] {
            assert_eq!(remove_dot_segments(input), want, "{input:?}");
        }
    }

    #[test]
    fn trims_spaces_only() {
        assert_eq!(trim_all("  a   b  c "), "a b c");
        assert_eq!(trim_all("a\tb"), "a\tb");
        assert_eq!(trim_all(""), "");
    }

    #[test]
    fn host_drops_default_ports_only() {
        let h = |u: &str| host_of(&u.parse().unwrap()).unwrap();
        assert_eq!(h("http://127.0.0.1:5000/"), "127.0.0.1:5000");
        assert_eq!(h("https://iam.amazonaws.com:443/"), "iam.amazonaws.com");
        assert_eq!(h("http://localhost:80/"), "localhost");
        assert_eq!(h("https://localhost:80/"), "localhost:80");
    }
}
