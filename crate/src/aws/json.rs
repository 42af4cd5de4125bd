//! The AWS JSON 1.1 protocol (Secrets Manager): a writer for flat request bodies, a strict
//! reader for the flat answers, and `__type` error documents.
//!
//! Hand-rolled rather than serde_json: the wasm build has a size budget, the requests are a
//! handful of string fields, and the answers are read for a few top-level strings. The reader
//! still checks the whole body against the JSON grammar (a truncated answer is an error, not
//! a shorter one), nests at most [`MAX_DEPTH`] levels, and is checked against serde_json on
//! random input in `tests/aws_parsers.rs`.

use zeroize::Zeroizing;

use super::error::AwsError;
use super::query::{HttpResponse, Tag};
// One string escaper for every JSON the core writes (vault entries, Scaleway, AWS).
use crate::scaleway::json::write_string;

/// Arrays and objects nest at most this deep; Secrets Manager answers reach 3.
pub const MAX_DEPTH: usize = 32;

/// Writes `{"Name":"value",...}`. The buffer is wiped on drop: request bodies carry secrets.
pub struct ObjectWriter {
    out: Zeroizing<String>,
    empty: bool,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ObjectWriter {
    pub fn new() -> Self {
        let mut out = Zeroizing::new(String::with_capacity(256));
        out.push('{');
        Self { out, empty: true }
    }

    fn key(&mut self, name: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_string(&mut self.out, name);
        self.out.push(':');
    }

    pub fn string(&mut self, name: &str, value: &str) -> &mut Self {
        self.key(name);
        write_string(&mut self.out, value);
        self
    }

    pub fn opt_string(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.string(name, value);
        }
        self
    }

    /// `"Tags":[{"Key":"k","Value":"v"},...]`, omitted when empty.
    pub fn tags(&mut self, name: &str, tags: &[Tag]) -> &mut Self {
        if tags.is_empty() {
            return self;
        }
        self.key(name);
        self.out.push('[');
        for (i, tag) in tags.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push_str("{\"Key\":");
            write_string(&mut self.out, &tag.key);
            self.out.push_str(",\"Value\":");
            write_string(&mut self.out, &tag.value);
            self.out.push('}');
        }
        self.out.push(']');
        self
    }

    /// The body. (A growing `String` leaves its old buffers to the allocator; the wasm
    /// build's allocator wipes them.)
    pub fn finish(mut self) -> Zeroizing<String> {
        self.out.push('}');
        self.out
    }
}

/// The top-level string members of an object that the caller asked for. Members of other
/// types (arrays, numbers, nested objects) are checked and skipped.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct JsonFields {
    values: Vec<(&'static str, String)>,
}

impl JsonFields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a body is not the JSON object it should be; the byte offset says where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSyntaxError {
    pub offset: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for JsonSyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

/// Parses `text`, which must be exactly one JSON object (whitespace around it allowed), and
/// returns its top-level string members named in `wanted`. A member repeated in the object
/// counts once, with its last value (as serde_json reads it).
pub fn read_object(text: &str, wanted: &[&'static str]) -> Result<JsonFields, JsonSyntaxError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    p.skip_ws();
    let mut fields = JsonFields::default();
    p.expect(b'{', "expected an object")?;
    p.skip_ws();
    if !p.eat(b'}') {
        loop {
            p.skip_ws();
            let key = p.string()?;
            p.skip_ws();
            p.expect(b':', "expected ':'")?;
            p.skip_ws();
            let want = wanted.iter().find(|w| **w == key);
            match want {
                Some(name) if p.peek() == Some(b'"') => {
                    let value = p.string()?;
                    fields.values.retain(|(n, _)| n != name);
                    fields.values.push((name, value));
                }
                Some(name) => {
                    // A later non-string value replaces an earlier string one.
                    fields.values.retain(|(n, _)| n != name);
                    p.skip_value(1)?;
                }
                None => p.skip_value(1)?,
            }
            p.skip_ws();
            if p.eat(b'}') {
                break;
            }
            p.expect(b',', "expected ',' or '}'")?;
        }
    }
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.error("trailing characters after the object"));
    }
    Ok(fields)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> JsonSyntaxError {
        JsonSyntaxError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8, reason: &'static str) -> Result<(), JsonSyntaxError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Any value; `depth` counts the arrays and objects it sits in.
    fn skip_value(&mut self, depth: usize) -> Result<(), JsonSyntaxError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => Err(self.error("nested too deeply")),
            Some(b'{') => {
                self.pos += 1;
                self.skip_ws();
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a member name"));
                    }
                    self.string()?;
                    self.skip_ws();
                    self.expect(b':', "expected ':'")?;
                    self.skip_ws();
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    self.expect(b',', "expected ',' or '}'")?;
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_ws();
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.skip_ws();
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    if self.eat(b']') {
                        return Ok(());
                    }
                    self.expect(b',', "expected ',' or ']'")?;
                }
            }
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), JsonSyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), JsonSyntaxError> {
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error("invalid number"));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonSyntaxError> {
        let hex = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let mut n = 0u32;
        for &b in hex {
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            n = n * 16 + d;
        }
        self.pos += 4;
        Ok(n)
    }

    /// A string literal, decoded. The text is valid UTF-8 (it is a `&str`) and every stop is
    /// at an ASCII byte, so the slices below fall on character boundaries.
    fn string(&mut self) -> Result<String, JsonSyntaxError> {
        self.expect(b'"', "expected a string")?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    };
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// After `\u`: one code point, or a surrogate pair as two escapes.
    fn unicode_escape(&mut self) -> Result<char, JsonSyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in \\u escape")),
            c => c,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }
}

/// The error name of a JSON error: `x-amzn-ErrorType` first, then `__type`, `code`, `Code`;
/// `aws.protocoltests#Name:http://...` becomes `Name`.
fn sanitize_error_code(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or_default();
    let after_hash = before_colon.rsplit('#').next().unwrap_or_default();
    after_hash.trim()
}

/// Decodes an AWS JSON 1.1 answer: a 2xx object's wanted string members, or the error
/// document of any other status as [`AwsError::Provider`]. Anything else (HTML, a truncated
/// body, an error status with no error name) is [`AwsError::MalformedResponse`].
pub fn decode_json(
    response: &HttpResponse,
    wanted: &[&'static str],
) -> Result<JsonFields, AwsError> {
    let status = response.status;
    let malformed = |detail: String| AwsError::MalformedResponse { status, detail };
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| malformed("the body is not UTF-8".into()))?;
    if (200..300).contains(&status) {
        return read_object(text, wanted)
            .map_err(|e| malformed(format!("the body is not a JSON object: {e}")));
    }
    let body = if text.trim().is_empty() {
        JsonFields::default()
    } else {
        read_object(text, &["__type", "code", "Code", "message", "Message"])
            .map_err(|e| malformed(format!("HTTP {status} and the body is not JSON: {e}")))?
    };
    let code = response
        .error_type
        .as_deref()
        .or_else(|| body.get("__type"))
        .or_else(|| body.get("code"))
        .or_else(|| body.get("Code"))
        .map(sanitize_error_code)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed(format!("HTTP {status} without an AWS error name")))?;
    Err(AwsError::Provider {
        status,
        code: code.to_owned(),
        message: body
            .get("message")
            .or_else(|| body.get("Message"))
            .unwrap_or_default()
            .trim()
            .to_owned(),
        request_id: response.request_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_escapes_what_json_requires() {
        let mut w = ObjectWriter::new();
        w.string("Name", "a\"b\\c\nd\u{1}é😀</")
            .opt_string("Skipped", None)
            .tags(
                "Tags",
                &[Tag {
                    key: "k".into(),
                    value: "v\t".into(),
                }],
            )
            .tags("NoTags", &[]);
        assert_eq!(
            w.finish().as_str(),
            r#"{"Name":"a\"b\\c\nd\u0001é😀</","Tags":[{"Key":"k","Value":"v\t"}]}"#
        );
        assert_eq!(ObjectWriter::new().finish().as_str(), "{}");
    }

    #[test]
    fn reader_reads_top_level_strings_only() {
        let text = r#" {"ARN":"arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3",
            "Name":"MyTestDatabaseSecret","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE",
            "VersionStages":["AWSCURRENT"],"Nested":{"Name":"inner"},"N":-1.5e+3,"T":true,"Z":null} "#;
        let f = read_object(
            text,
            &["ARN", "Name", "VersionId", "VersionStages", "Absent"],
        )
        .unwrap();
        assert_eq!(f.get("Name"), Some("MyTestDatabaseSecret"));
        assert_eq!(
            f.get("VersionId"),
            Some("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE")
        );
        assert_eq!(f.get("VersionStages"), None, "not a string");
        assert_eq!(f.get("Absent"), None);
    }

    #[test]
    fn reader_decodes_escapes() {
        let f = read_object(r#"{"m":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#, &["m"]).unwrap();
        assert_eq!(f.get("m"), Some("a\"\\/\u{8}\u{c}\n\r\té😀"));
        let f = read_object(r#"{"m":"first","m":"last"}"#, &["m"]).unwrap();
        assert_eq!(f.get("m"), Some("last"));
    }

    #[test]
    fn reader_rejects_what_is_not_one_json_object() {
        for bad in [
            "",
            "[]",
            "\"s\"",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":+1}",
            "{\"a\":1e}",
            "{\"a\":tru}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":[1,]}",
            "{\"a\":[1 2]}",
            "{} {}",
            "{}x",
            "<html>",
        ] {
            assert!(read_object(bad, &["a"]).is_err(), "{bad:?}");
        }
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(
            read_object(&deep, &[]).unwrap_err().reason,
            "nested too deeply"
        );
        let ok = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert!(read_object(&ok, &[]).is_ok());
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        let mut r = HttpResponse::new(status, body.as_bytes());
        r.request_id = Some("req-9".into());
        r
    }

    #[test]
    fn json_errors_become_provider_errors() {
        let e = decode_json(
            &response(
                400,
                r#"{"__type":"ResourceExistsException","message":"the secret already exists."}"#,
            ),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.provider_code(), Some("ResourceExistsException"));
        assert_eq!(e.request_id(), Some("req-9"));
        assert!(e.to_string().contains("the secret already exists."));

        let e = decode_json(
            &response(400, r#"{"__type":"com.amazonaws.secretsmanager#InvalidRequestException:http://internal.amazon.com/","Message":"M"}"#),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.provider_code(), Some("InvalidRequestException"));
        assert!(e.to_string().contains(": M"));

        let mut r = response(400, "");
        r.error_type = Some("ThrottlingException:http://x".into());
        let e = decode_json(&r, &[]).unwrap_err();
        assert_eq!(e.provider_code(), Some("ThrottlingException"));
        assert!(e.is_throttling());
    }

    #[test]
    fn json_garbage_is_malformed() {
        for (status, body) in [
            (200, "<html>oops</html>"),
            (200, r#"{"ARN":"arn:aws:secretsmanager:us"#),
            (200, ""),
            (500, "<html>Internal Server Error</html>"),
            (400, r#"{"message":"no type"}"#),
            (400, ""),
        ] {
            let e = decode_json(&response(status, body), &["ARN"]).unwrap_err();
            assert_eq!(e.code(), "malformed_response", "{status} {body:?}");
        }
        let not_utf8 = HttpResponse::new(200, vec![b'{', 0xff, b'}']);
        assert_eq!(
            decode_json(&not_utf8, &[]).unwrap_err().code(),
            "malformed_response"
        );
    }
}
