//! The AWS Query protocol (IAM, STS, EC2): form-encoded POST bodies, XML answers, and
//! `<Error><Code>` documents turned into typed errors.

use zeroize::Zeroizing;

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

/// A response as read off the wire. The body may hold a secret, so it is wiped on drop.
pub struct HttpResponse {
    pub status: u16,
    pub body: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
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

/// Parses a Query API answer: an error document becomes [`AwsError::Provider`], anything that
/// is not XML becomes [`AwsError::MalformedResponse`].
pub fn parse_response(response: &HttpResponse) -> Result<roxmltree::Document<'_>, AwsError> {
    let status = response.status;
    let malformed = |detail: String| AwsError::MalformedResponse { status, detail };
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| malformed("the body is not UTF-8".into()))?;
    let doc = roxmltree::Document::parse(text).map_err(|e| {
        malformed(if text.trim().is_empty() {
            "empty body".into()
        } else {
            format!("not XML ({e})")
        })
    })?;
    let error = doc
        .descendants()
        .find(|n| n.has_tag_name("Error") && child_text(*n, "Code").is_some());
    if let Some(error) = error {
        let request_id = doc
            .descendants()
            .find(|n| n.has_tag_name("RequestId") || n.has_tag_name("RequestID"))
            .and_then(|n| n.text())
            .map(str::to_owned);
        return Err(AwsError::Provider {
            status,
            code: child_text(error, "Code").unwrap_or_default().to_owned(),
            message: child_text(error, "Message").unwrap_or_default().to_owned(),
            request_id,
        });
    }
    if !(200..300).contains(&status) {
        return Err(malformed(format!(
            "HTTP {status} without an AWS error document"
        )));
    }
    Ok(doc)
}

/// The text of `parent`'s first child element named `name`.
pub fn child_text<'a>(parent: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    parent
        .children()
        .find(|c| c.has_tag_name(name))
        .map(|c| c.text().unwrap_or_default())
}

/// Finds the one `<name>` element of a successful answer.
pub fn find<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    name: &str,
    status: u16,
) -> Result<roxmltree::Node<'a, 'i>, AwsError> {
    doc.descendants()
        .find(|n| n.has_tag_name(name))
        .ok_or_else(|| AwsError::MalformedResponse {
            status,
            detail: format!("no <{name}> element"),
        })
}

/// The required text field `name` under `parent`.
pub fn required<'a>(
    parent: roxmltree::Node<'a, '_>,
    name: &str,
    status: u16,
) -> Result<&'a str, AwsError> {
    match child_text(parent, name) {
        Some(t) if !t.is_empty() => Ok(t),
        _ => Err(AwsError::MalformedResponse {
            status,
            detail: format!("<{}> lacks <{name}>", parent.tag_name().name()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let err = parse_response(&r).unwrap_err();
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
        let err = parse_response(&r).unwrap_err();
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
            let err = parse_response(&resp(status, body)).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "{status} {body:?}");
        }
        let bad_utf8 = HttpResponse {
            status: 200,
            body: Zeroizing::new(vec![0xff, 0xfe]),
        };
        assert_eq!(
            parse_response(&bad_utf8).unwrap_err().code(),
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
