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

/// Query parameters in order. Values that are not `'static` (user input, indexed names such
/// as `Tags.member.1.Key`) are owned.
#[derive(Debug, Default)]
pub struct Params<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Params<'a> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &'a str, value: &'a str) -> &mut Self {
        self.0.push((Cow::Borrowed(name), Cow::Borrowed(value)));
        self
    }

    pub fn add_opt(&mut self, name: &'a str, value: Option<&'a str>) -> &mut Self {
        if let Some(value) = value {
            self.add(name, value);
        }
        self
    }

    pub fn add_owned(&mut self, name: String, value: String) -> &mut Self {
        self.0.push((Cow::Owned(name), Cow::Owned(value)));
        self
    }

    /// `prefix.1.Key=k&prefix.1.Value=v&...`, the Query encoding of a list of tags.
    pub fn add_tags(&mut self, prefix: &str, tags: &'a [Tag]) -> &mut Self {
        for (i, tag) in tags.iter().enumerate() {
            let n = i + 1;
            self.0.push((
                Cow::Owned(format!("{prefix}.{n}.Key")),
                Cow::Borrowed(&tag.key),
            ));
            self.0.push((
                Cow::Owned(format!("{prefix}.{n}.Value")),
                Cow::Borrowed(&tag.value),
            ));
        }
        self
    }
}

/// Follows markers page after page, refusing a marker seen before (a server looping would
/// otherwise loop the client) and stopping after `max_pages`.
#[derive(Debug)]
pub struct Pagination {
    seen: Vec<String>,
    max_pages: usize,
}

impl Pagination {
    pub fn new(max_pages: usize) -> Self {
        Self {
            seen: Vec::new(),
            max_pages,
        }
    }

    /// Records a page's `next_marker`; `Ok(Some(marker))` to fetch the next page, `Ok(None)`
    /// when done.
    pub fn advance(&mut self, next_marker: Option<String>) -> Result<Option<String>, AwsError> {
        let Some(marker) = next_marker else {
            return Ok(None);
        };
        let problem = if self.seen.contains(&marker) {
            "the same pagination marker came back twice"
        } else if self.seen.len() + 1 >= self.max_pages {
            "more pages than Keysmith reads"
        } else {
            self.seen.push(marker.clone());
            return Ok(Some(marker));
        };
        Err(AwsError::MalformedResponse {
            status: 200,
            detail: format!("{problem} (after {} pages)", self.seen.len() + 1),
        })
    }
}

/// A resource tag (IAM users, EC2 key pairs, secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// The rules IAM, EC2 and Secrets Manager share: at most 50 tags; keys of 1-128 and values of
/// 0-256 letters, digits, spaces and `_.:/=+-@`; the `aws:` prefix is AWS's own. ASCII is
/// checked exactly; beyond ASCII, AWS allows Unicode letters, digits and spaces, and this
/// check lets every printable character through rather than carry Unicode tables in the
/// wasm build (AWS refuses the rest with `InvalidInput`/`InvalidParameterValue`).
pub fn validate_tags(tags: &[Tag]) -> Result<(), SigningError> {
    const MAX_TAGS: usize = 50;
    let allowed = |c: char| {
        c.is_ascii_alphanumeric() || " _.:/=+-@".contains(c) || (!c.is_ascii() && !c.is_control())
    };
    let invalid = |what: String| Err(SigningError::InvalidOptions(what));
    if tags.len() > MAX_TAGS {
        return invalid(format!("at most {MAX_TAGS} tags, got {}", tags.len()));
    }
    for (i, tag) in tags.iter().enumerate() {
        let key_len = tag.key.chars().count();
        if !(1..=128).contains(&key_len) || !tag.key.chars().all(allowed) {
            return invalid(format!(
                "tag key \"{}\" must be 1-128 letters, digits, spaces or _.:/=+-@",
                tag.key
            ));
        }
        if tag.key.to_ascii_lowercase().starts_with("aws:") {
            return invalid(format!(
                "tag key \"{}\": the aws: prefix is reserved",
                tag.key
            ));
        }
        if tag.value.chars().count() > 256 || !tag.value.chars().all(allowed) {
            return invalid(format!(
                "value of tag \"{}\" must be at most 256 letters, digits, spaces or _.:/=+-@",
                tag.key
            ));
        }
        if tags[..i].iter().any(|t| t.key == tag.key) {
            return invalid(format!("tag key \"{}\" appears twice", tag.key));
        }
    }
    Ok(())
}

/// Writes `text` as botocore (Python's `urlencode`) writes a Query body: RFC 3986's
/// unreserved characters as they are, a space as `+`, every other byte as `%XX`. AWS accepts
/// any form-encoding, since it hashes the bytes sent; emulators that re-encode the parsed
/// form before checking the signature (moto) accept only this one. (`form_urlencoded` would
/// leave `*` raw.)
fn push_encoded(body: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                body.push(char::from(b))
            }
            b' ' => body.push('+'),
            _ => {
                body.push('%');
                body.push(char::from(HEX[usize::from(b >> 4)]));
                body.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
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
    params: &Params<'_>,
) -> Result<PreparedCall, SigningError> {
    let mut body = String::new();
    let pairs = [("Action", action), ("Version", version)];
    let all = pairs
        .iter()
        .copied()
        .chain(params.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
    for (i, (k, v)) in all.enumerate() {
        if i > 0 {
            body.push('&');
        }
        push_encoded(&mut body, k);
        body.push('=');
        push_encoded(&mut body, v);
    }
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(endpoint.url_for(aws_host))
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(body.into_bytes())
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
        // The last occurrence wins, as in the SDKs' decoders.
        self.values
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// A field that the API reference promises; absent or empty means a malformed answer.
    pub fn required(&self, name: &str) -> Result<&str, AwsError> {
        match self.optional(name) {
            Some(v) if !v.trim().is_empty() => Ok(v),
            _ => Err(AwsError::MalformedResponse {
                status: self.status,
                detail: format!("<{}> lacks <{name}>", self.element),
            }),
        }
    }

    /// `true`/`false`; absent means `false` (how AWS omits `IsTruncated` on the last page).
    pub fn flag(&self, name: &str) -> Result<bool, AwsError> {
        match self.optional(name).map(str::trim) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(AwsError::MalformedResponse {
                status: self.status,
                detail: format!("<{name}> is \"{other}\", not true or false"),
            }),
        }
    }
}

/// A repeated element inside the result: `<AccessKeyMetadata><member>..</member>..` (IAM) or
/// `<keySet><item>..</item>..` (EC2).
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// The wrapper element, a child of the result element.
    pub list: &'static str,
    /// The repeated element inside it: `member` (IAM, STS) or `item` (EC2).
    pub item: &'static str,
    /// The leaves read from each item.
    pub leaves: &'static [&'static str],
}

/// A decoded result element and, when a [`ListSpec`] was given, its items in order.
#[derive(Debug)]
pub struct Decoded<'i> {
    pub fields: Fields<'i>,
    pub items: Vec<Fields<'i>>,
}

/// Elements nest at most this deep in any answer Keysmith reads (DescribeKeyPairs reaches 6:
/// response, keySet, item, tagSet, item, key); deeper documents are refused.
const MAX_NESTING: usize = 16;
/// More items than any answer Keysmith asks for holds (5,000 key pairs per region is EC2's
/// quota); a longer list is refused rather than collected without bound.
const MAX_ITEMS: usize = 10_000;

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
    decode(response, root, path, leaves, None).map(|d| d.fields)
}

/// [`decode_result`] for an answer that carries a list (`ListAccessKeys`,
/// `ListAttachedUserPolicies`, `DescribeKeyPairs`).
pub fn decode_list<'i>(
    response: &'i HttpResponse,
    root: &str,
    path: &[&'static str],
    leaves: &[&'static str],
    list: &ListSpec,
) -> Result<Decoded<'i>, AwsError> {
    decode(response, root, path, leaves, Some(list))
}

/// For calls whose answer carries nothing but request metadata (`UpdateAccessKey`,
/// `DeleteAccessKey`, `AttachUserPolicy`): an error document or the wrong root is an error.
pub fn decode_ack(response: &HttpResponse, root: &str) -> Result<(), AwsError> {
    decode(response, root, &[], &[], None).map(|_| ())
}

/// The error an answer carries, without reading its result: the error document of a non-2xx
/// answer, or [`AwsError::MalformedResponse`] when it has none. `None` for a 2xx answer. The
/// retry decision needs this before the action's own parser runs.
pub fn query_error(response: &HttpResponse) -> Option<AwsError> {
    if (200..300).contains(&response.status) {
        None
    } else {
        // With an error status, decoding never succeeds: the root is never "".
        decode(response, "", &[], &[], None).err()
    }
}

fn decode<'i>(
    response: &'i HttpResponse,
    root: &str,
    path: &[&'static str],
    leaves: &[&'static str],
    list: Option<&ListSpec>,
) -> Result<Decoded<'i>, AwsError> {
    let status = response.status;
    let malformed = |detail: String| AwsError::MalformedResponse { status, detail };
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| malformed("the body is not UTF-8".into()))?;
    if text.trim().is_empty() {
        return Err(malformed(format!("HTTP {status} with an empty body")));
    }
    // aws-smithy-xml's decoder recovers silently from a document cut short: a truncated list
    // would read as a shorter list. Check the whole document first.
    check_well_formed(text).map_err(malformed)?;
    let mut doc = Document::new(text);
    let mut top = doc
        .root_element()
        .map_err(|_| malformed("the body is not XML".into()))?;
    let top_name = top.start_el().local().to_owned();
    if top_name == "ErrorResponse" || top_name == "Response" {
        if let Some(error) = decode_error(&mut top, response) {
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
    let mut reader = Reader {
        status,
        leaves,
        list,
        fields: Fields {
            status,
            element,
            values: Vec::new(),
        },
        items: Vec::new(),
    };
    if !reader.descend(&mut top, path)? {
        return Err(malformed(format!("no <{element}> element")));
    }
    Ok(Decoded {
        fields: reader.fields,
        items: reader.items,
    })
}

struct Reader<'i, 's> {
    status: u16,
    leaves: &'s [&'static str],
    list: Option<&'s ListSpec>,
    fields: Fields<'i>,
    items: Vec<Fields<'i>>,
}

impl<'i> Reader<'i, '_> {
    /// Follows `path` (bounded by [`MAX_NESTING`], checked beforehand) to the result element
    /// and reads it. `false` when an element of the path is missing.
    fn descend(
        &mut self,
        scope: &mut ScopedDecoder<'i, '_>,
        path: &[&'static str],
    ) -> Result<bool, AwsError> {
        let Some((first, rest)) = path.split_first() else {
            self.read_result(scope)?;
            return Ok(true);
        };
        while let Some(mut child) = scope.next_tag() {
            if child.start_el().matches(first) {
                return self.descend(&mut child, rest);
            }
        }
        Ok(false)
    }

    fn read_result(&mut self, scope: &mut ScopedDecoder<'i, '_>) -> Result<(), AwsError> {
        while let Some(mut child) = scope.next_tag() {
            if let Some(name) = self.leaves.iter().find(|l| child.start_el().matches(l)) {
                let value = self.text(&mut child, name)?;
                self.fields.values.push((name, value));
            } else if let Some(list) = self.list.filter(|l| child.start_el().matches(l.list)) {
                self.read_list(&mut child, list)?;
            }
        }
        Ok(())
    }

    fn read_list(
        &mut self,
        scope: &mut ScopedDecoder<'i, '_>,
        list: &ListSpec,
    ) -> Result<(), AwsError> {
        while let Some(mut item) = scope.next_tag() {
            if !item.start_el().matches(list.item) {
                continue;
            }
            if self.items.len() == MAX_ITEMS {
                return Err(AwsError::MalformedResponse {
                    status: self.status,
                    detail: format!("more than {MAX_ITEMS} <{}> elements", list.item),
                });
            }
            let mut fields = Fields {
                status: self.status,
                element: list.item,
                values: Vec::new(),
            };
            while let Some(mut leaf) = item.next_tag() {
                if let Some(name) = list.leaves.iter().find(|l| leaf.start_el().matches(l)) {
                    fields.values.push((name, self.text(&mut leaf, name)?));
                }
            }
            self.items.push(fields);
        }
        Ok(())
    }

    fn text(
        &self,
        scope: &mut ScopedDecoder<'i, '_>,
        name: &str,
    ) -> Result<Cow<'i, str>, AwsError> {
        try_data(scope).map_err(|_| AwsError::MalformedResponse {
            status: self.status,
            detail: format!("<{name}> is not text"),
        })
    }
}

/// A full pass of the tokenizer: every element closed, with its own name, no deeper than
/// [`MAX_NESTING`]. Catches truncated bodies and HTML error pages.
fn check_well_formed(text: &str) -> Result<(), String> {
    use xmlparser::{ElementEnd, Token, Tokenizer};
    let mut open: Vec<(&str, &str)> = Vec::new();
    let mut seen_root = false;
    for token in Tokenizer::from(text) {
        match token.map_err(|e| format!("the body is not well-formed XML ({e})"))? {
            Token::ElementStart { prefix, local, .. } => {
                if open.is_empty() && seen_root {
                    return Err("the body has more than one root element".into());
                }
                if open.len() == MAX_NESTING {
                    return Err(format!("elements nest deeper than {MAX_NESTING} levels"));
                }
                open.push((prefix.as_str(), local.as_str()));
                seen_root = true;
            }
            Token::ElementEnd {
                end: ElementEnd::Close(prefix, local),
                ..
            } => {
                let opened = open.pop();
                if opened != Some((prefix.as_str(), local.as_str())) {
                    return Err(format!("mismatched closing tag </{}>", local.as_str()));
                }
            }
            Token::ElementEnd {
                end: ElementEnd::Empty,
                ..
            } => {
                open.pop();
            }
            _ => {}
        }
    }
    match open.last() {
        _ if !seen_root => Err("the body has no XML element".into()),
        Some((_, local)) => Err(format!("the body ends inside <{local}> (truncated)")),
        None => Ok(()),
    }
}

/// `<ErrorResponse><Error>` (IAM, STS), `<Response><Errors><Error>` (EC2), and the
/// `<ErrorResponse><Errors><Error>` that moto writes.
fn decode_error(top: &mut ScopedDecoder<'_, '_>, response: &HttpResponse) -> Option<AwsError> {
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
            request_id = try_data(&mut child).ok().map(|r| r.trim().to_owned());
        }
    }
    let code = code.filter(|c| !c.is_empty())?;
    Some(AwsError::Provider {
        status: response.status,
        code,
        message: message.trim().to_owned(),
        request_id: request_id
            .filter(|r| !r.is_empty())
            .or_else(|| response.request_id.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, body.as_bytes())
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
        assert_eq!(err.request_id(), Some("abc-123"));
        assert!(err.to_string().contains("secret access key does not match"));
    }

    #[test]
    fn ec2_error_document_is_found_too() {
        let r = resp(
            400,
            "<Response><Errors><Error><Code>InvalidKeyPair.Duplicate</Code><Message>exists</Message></Error></Errors><RequestID>r1</RequestID></Response>",
        );
        let err = decode_result(&r, "X", &[], &[]).unwrap_err();
        assert_eq!(err.provider_code(), Some("InvalidKeyPair.Duplicate"));
        assert_eq!(err.request_id(), Some("r1"));
    }

    #[test]
    fn request_id_falls_back_to_the_header() {
        let mut r = resp(
            400,
            "<ErrorResponse><Error><Code>InvalidInput</Code></Error></ErrorResponse>",
        );
        r.request_id = Some("from-header".into());
        let err = decode_ack(&r, "X").unwrap_err();
        assert_eq!(err.request_id(), Some("from-header"));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for (status, body) in [
            (200, "<unclosed"),
            (500, ""),
            (502, "<html>Bad gateway</html>"),
            (
                503,
                "<!DOCTYPE html><html><body><p>Service Unavailable<br></body></html>",
            ),
            (200, "\u{0}\u{1}"),
            (200, "<X></Y>"),
            (200, "<X/><X/>"),
            (200, "plain text"),
        ] {
            let err = decode_result(&resp(status, body), "X", &["Y"], &[]).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "{status} {body:?}");
            assert_eq!(err.status(), Some(status));
        }
        let bad_utf8 = HttpResponse::new(200, vec![0xff, 0xfe]);
        assert_eq!(
            decode_result(&bad_utf8, "X", &[], &[]).unwrap_err().code(),
            "malformed_response"
        );
    }

    #[test]
    fn a_truncated_list_is_malformed_not_shorter() {
        let full =
            "<R><Res><L><member><Id>a</Id></member><member><Id>b</Id></member></L></Res></R>";
        let spec = ListSpec {
            list: "L",
            item: "member",
            leaves: &["Id"],
        };
        let ok = resp(200, full);
        let decoded = decode_list(&ok, "R", &["Res"], &[], &spec).unwrap();
        assert_eq!(decoded.items.len(), 2);
        // Every proper prefix that still parses as far as it goes must be refused.
        for cut in 1..full.len() {
            let r = resp(200, &full[..cut]);
            let err = decode_list(&r, "R", &["Res"], &[], &spec).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "cut at {cut}");
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "<a>".repeat(17), "</a>".repeat(17));
        let err = decode_result(&resp(200, &deep), "a", &[], &[]).unwrap_err();
        assert!(err.to_string().contains("deeper"), "{err}");
        let ok = format!("{}{}", "<a>".repeat(16), "</a>".repeat(16));
        assert!(decode_result(&resp(200, &ok), "a", &[], &[]).is_ok());
    }

    #[test]
    fn list_items_and_scalars_are_read_in_order() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<R xmlns="urn:x"><Res>
  <IsTruncated>true</IsTruncated>
  <L>
    <member><Id>a</Id><Name>x &amp; y</Name><Nested><Id>ignored</Id></Nested></member>
    <other><Id>skipped</Id></other>
    <member><Id>b</Id></member>
  </L>
  <Marker>m1</Marker>
</Res></R>"#;
        let r = resp(200, body);
        let spec = ListSpec {
            list: "L",
            item: "member",
            leaves: &["Id", "Name"],
        };
        let d = decode_list(&r, "R", &["Res"], &["IsTruncated", "Marker"], &spec).unwrap();
        assert!(d.fields.flag("IsTruncated").unwrap());
        assert_eq!(d.fields.optional("Marker"), Some("m1"));
        let ids: Vec<_> = d.items.iter().map(|i| i.required("Id").unwrap()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(d.items[0].optional("Name"), Some("x & y"));
        assert_eq!(
            d.items[1].required("Name").unwrap_err().code(),
            "malformed_response"
        );
    }

    #[test]
    fn flags_are_strict() {
        let r = resp(200, "<R><F>yes</F></R>");
        let f = decode_result(&r, "R", &[], &["F"]).unwrap();
        assert_eq!(f.flag("F").unwrap_err().code(), "malformed_response");
        assert!(!f.flag("Absent").unwrap());
    }

    #[test]
    fn query_error_classifies_before_parsing() {
        assert!(query_error(&resp(200, "<anything/>")).is_none());
        let throttled = query_error(&resp(
            400,
            "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
        ))
        .unwrap();
        assert!(throttled.is_throttling());
        let html = query_error(&resp(503, "<html><body>busy</body></html>")).unwrap();
        assert_eq!(html.code(), "malformed_response");
        assert!(html.is_transient());
        let empty = query_error(&resp(500, "")).unwrap();
        assert_eq!(empty.code(), "malformed_response");
    }

    #[test]
    fn ack_checks_the_root() {
        let r = resp(200, "<DeleteAccessKeyResponse><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></DeleteAccessKeyResponse>");
        assert!(decode_ack(&r, "DeleteAccessKeyResponse").is_ok());
        assert_eq!(
            decode_ack(&r, "UpdateAccessKeyResponse")
                .unwrap_err()
                .code(),
            "malformed_response"
        );
    }

    #[test]
    fn pagination_follows_markers_and_refuses_loops() {
        let mut p = Pagination::new(3);
        assert_eq!(p.advance(Some("a".into())).unwrap(), Some("a".into()));
        assert!(p.advance(Some("a".into())).is_err());
        let mut p = Pagination::new(3);
        assert_eq!(p.advance(Some("a".into())).unwrap(), Some("a".into()));
        assert_eq!(p.advance(Some("b".into())).unwrap(), Some("b".into()));
        assert!(
            p.advance(Some("c".into())).is_err(),
            "a 4th page exceeds max 3"
        );
        assert_eq!(Pagination::new(3).advance(None).unwrap(), None);
    }

    #[test]
    fn query_body_is_encoded_as_botocore_does() {
        let mut params = Params::new();
        params
            .add("UserName", "a+b=c@d")
            .add("Doc", "{\"A\":\"*\"} ~é");
        let tags = [
            Tag {
                key: "team".into(),
                value: "a b".into(),
            },
            Tag {
                key: "k2".into(),
                value: String::new(),
            },
        ];
        params.add_tags("Tags.member", &tags);
        let call = prepare_query_call(
            &Endpoint::aws(),
            "iam.amazonaws.com",
            "us-east-1",
            "iam",
            "CreateUser",
            "2010-05-08",
            &params,
        )
        .unwrap();
        assert_eq!(call.request.uri(), "https://iam.amazonaws.com/");
        assert_eq!(
            std::str::from_utf8(call.request.body()).unwrap(),
            "Action=CreateUser&Version=2010-05-08&UserName=a%2Bb%3Dc%40d\
             &Doc=%7B%22A%22%3A%22%2A%22%7D+~%C3%A9\
             &Tags.member.1.Key=team&Tags.member.1.Value=a+b\
             &Tags.member.2.Key=k2&Tags.member.2.Value="
        );
    }

    #[test]
    fn tags_are_validated() {
        let tag = |k: &str, v: &str| Tag {
            key: k.into(),
            value: v.into(),
        };
        assert!(
            validate_tags(&[tag("team", "platform"), tag("Owner é", "a:b/c=d+e-f@g_h.")]).is_ok()
        );
        assert!(validate_tags(&[tag("", "v")]).is_err());
        assert!(validate_tags(&[tag("aws:x", "v")]).is_err());
        assert!(validate_tags(&[tag("k", "<script>")]).is_err());
        assert!(validate_tags(&[tag("k", "v"), tag("k", "w")]).is_err());
        assert!(validate_tags(&[tag(&"k".repeat(129), "v")]).is_err());
        assert!(validate_tags(&[tag("k", &"v".repeat(257))]).is_err());
        let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(validate_tags(&many).is_err());
    }
}
