//! The AWS Query protocol (IAM, STS, EC2): form-encoded POST bodies, XML answers, and
//! `<Error><Code>` documents turned into typed errors.

use std::borrow::Cow;

use aws_smithy_xml::decode::{try_data, Document, ScopedDecoder};

pub use crate::response::HttpResponse;

use super::error::{AwsError, SigningError};
use super::sign::{sign_request, AwsCredentials, SigningOptions};
use super::Endpoint;

/// An unsigned request for one API call, with the scope it must be signed for.
#[derive(Debug)]
pub struct PreparedCall {
    pub request: http::Request<Vec<u8>>,
    pub region: String,
    pub service: &'static str,
}

impl PreparedCall {
    /// Signs with the caller's clock reading (ms since the Unix epoch).
    pub fn sign(
        self,
        credentials: &AwsCredentials,
        time_ms: u64,
    ) -> Result<http::Request<Vec<u8>>, SigningError> {
        let options = SigningOptions::new(&self.region, self.service, time_ms);
        Ok(sign_request(self.request, credentials, &options)?.request)
    }
}

/// Builds `POST / Action=..&Version=..&params` for a Query API.
pub fn prepare_query_call(
    endpoint: &Endpoint,
    aws_host: &str,
    region: &str,
    service: &'static str,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
) -> Result<PreparedCall, SigningError> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", action);
    form.append_pair("Version", version);
    for (k, v) in params {
        form.append_pair(k, v);
    }
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(endpoint.url_for(aws_host))
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(form.finish().into_bytes())
        .map_err(|e| SigningError::InvalidUrl(e.to_string()))?;
    Ok(PreparedCall {
        request,
        region: region.to_owned(),
        service,
    })
}

/// The leaf values of one element of an answer, e.g. the children of `<AccessKey>`.
/// Values borrow from the response body unless they held XML escapes.
#[derive(Debug)]
pub struct Fields<'i> {
    status: u16,
    element: &'static str,
    values: Vec<(&'static str, Cow<'i, str>)>,
}

impl<'i> Fields<'i> {
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// A field that the API reference promises; absent or empty means a malformed answer.
    pub fn required(&self, name: &str) -> Result<&str, AwsError> {
        match self.optional(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(AwsError::MalformedResponse {
                status: self.status,
                detail: format!("<{}> lacks <{name}>", self.element),
            }),
        }
    }
}

/// Elements nest at most this deep in any answer Keysmith reads; deeper is refused.
const MAX_DEPTH: usize = 8;

/// Decodes a Query API answer the way the AWS SDKs do (schema-directed, with the SDK's own
/// `aws-smithy-xml` decoder): an error document becomes [`AwsError::Provider`]; otherwise the
/// root must be `<root>`, `path` is followed through it, and the `leaves` of the element it
/// reaches are returned. Anything else is [`AwsError::MalformedResponse`].
pub fn decode_result<'i>(
    response: &'i HttpResponse,
    root: &str,
    path: &[&'static str],
    leaves: &[&'static str],
) -> Result<Fields<'i>, AwsError> {
    let status = response.status;
    let malformed = |detail: String| AwsError::MalformedResponse { status, detail };
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| malformed("the body is not UTF-8".into()))?;
    if text.trim().is_empty() {
        return Err(malformed(format!("HTTP {status} with an empty body")));
    }
    let mut doc = Document::new(text);
    let mut top = doc
        .root_element()
        .map_err(|_| malformed("the body is not XML".into()))?;
    let top_name = top.start_el().local().to_owned();
    if top_name == "ErrorResponse" || top_name == "Response" {
        if let Some(error) = decode_error(&mut top, status) {
            return Err(error);
        }
    }
    if !(200..300).contains(&status) {
        return Err(malformed(format!(
            "HTTP {status} without an AWS error document"
        )));
    }
    if top_name != root {
        return Err(malformed(format!("expected <{root}>, got <{top_name}>")));
    }
    let element = path.last().copied().unwrap_or("response");
    let mut values = Vec::new();
    if !descend(&mut top, path, leaves, &mut values)? {
        return Err(malformed(format!("no <{element}> element")));
    }
    Ok(Fields {
        status,
        element,
        values,
    })
}

fn descend<'i>(
    scope: &mut ScopedDecoder<'i, '_>,
    path: &[&'static str],
    leaves: &[&'static str],
    out: &mut Vec<(&'static str, Cow<'i, str>)>,
) -> Result<bool, AwsError> {
    let Some((first, rest)) = path.split_first() else {
        while let Some(mut child) = scope.next_tag() {
            if let Some(name) = leaves.iter().find(|l| child.start_el().matches(l)) {
                let value = try_data(&mut child).map_err(|_| AwsError::MalformedResponse {
                    status: 0,
                    detail: format!("<{name}> is not text"),
                })?;
                out.push((name, value));
            }
        }
        return Ok(true);
    };
    if path.len() > MAX_DEPTH {
        return Ok(false);
    }
    while let Some(mut child) = scope.next_tag() {
        if child.start_el().matches(first) {
            return descend(&mut child, rest, leaves, out);
        }
    }
    Ok(false)
}

/// `<ErrorResponse><Error>` (IAM, STS), `<Response><Errors><Error>` (EC2), and the
/// `<ErrorResponse><Errors><Error>` that moto writes.
fn decode_error(top: &mut ScopedDecoder<'_, '_>, status: u16) -> Option<AwsError> {
    let mut code = None;
    let mut message = String::new();
    let mut request_id = None;
    let mut read_error = |e: &mut ScopedDecoder<'_, '_>| {
        while let Some(mut f) = e.next_tag() {
            if f.start_el().matches("Code") {
                code = try_data(&mut f).ok().map(|c| c.trim().to_owned());
            } else if f.start_el().matches("Message") {
                message = try_data(&mut f).map(|m| m.into_owned()).unwrap_or_default();
            }
        }
    };
    while let Some(mut child) = top.next_tag() {
        let name = child.start_el().local();
        if name == "Error" {
            read_error(&mut child);
        } else if name == "Errors" {
            while let Some(mut e) = child.next_tag() {
                if e.start_el().matches("Error") {
                    read_error(&mut e);
                }
            }
        } else if name == "RequestId" || name == "RequestID" {
            request_id = try_data(&mut child).ok().map(|r| r.into_owned());
        }
    }
    let code = code.filter(|c| !c.is_empty())?;
    Some(AwsError::Provider {
        status,
        code,
        message: message.trim().to_owned(),
        request_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        }
    }

    #[test]
    fn iam_error_document_becomes_provider_error() {
        let r = resp(
            403,
            r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>
              <Message>The request signature we calculated does not match.</Message></Error>
              <RequestId>abc-123</RequestId></ErrorResponse>"#,
        );
        let err = decode_result(&r, "X", &[], &[]).unwrap_err();
        assert_eq!(err.code(), "provider_error");
        assert_eq!(err.provider_code(), Some("SignatureDoesNotMatch"));
        assert_eq!(err.status(), Some(403));
        assert!(err.to_string().contains("secret access key does not match"));
        match err {
            AwsError::Provider { request_id, .. } => {
                assert_eq!(request_id.as_deref(), Some("abc-123"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ec2_error_document_is_found_too() {
        let r = resp(
            400,
            "<Response><Errors><Error><Code>InvalidKeyPair.Duplicate</Code><Message>exists</Message></Error></Errors><RequestID>r1</RequestID></Response>",
        );
        let err = decode_result(&r, "X", &[], &[]).unwrap_err();
        assert_eq!(err.provider_code(), Some("InvalidKeyPair.Duplicate"));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for (status, body) in [
            (200, "<unclosed"),
            (500, ""),
            (502, "<html>Bad gateway</html>"),
            (200, "\u{0}\u{1}"),
        ] {
            let err = decode_result(&resp(status, body), "X", &["Y"], &[]).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "{status} {body:?}");
        }
        let bad_utf8 = HttpResponse {
            status: 200,
            body: Zeroizing::new(vec![0xff, 0xfe]),
        };
        assert_eq!(
            decode_result(&bad_utf8, "X", &[], &[]).unwrap_err().code(),
            "malformed_response"
        );
    }

    #[test]
    fn query_body_is_form_encoded() {
        let call = prepare_query_call(
            &Endpoint::aws(),
            "iam.amazonaws.com",
            "us-east-1",
            "iam",
            "CreateAccessKey",
            "2010-05-08",
            &[("UserName", "a+b=c@d")],
        )
        .unwrap();
        assert_eq!(call.request.uri(), "https://iam.amazonaws.com/");
        assert_eq!(
            std::str::from_utf8(call.request.body()).unwrap(),
            "Action=CreateAccessKey&Version=2010-05-08&UserName=a%2Bb%3Dc%40d"
        );
    }
}
