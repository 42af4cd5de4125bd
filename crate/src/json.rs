//! The core's one JSON reader and writer (RFC 8259): vault entries, Scaleway's bodies and the
//! AWS JSON 1.1 protocol (Secrets Manager) all go through it.
//!
//! Hand-rolled instead of serde_json: a probe with serde_json and eight derived structs shaped
//! like Scaleway's bodies grew the shipped wasm core by 31.5 KB gzipped (float parsing and
//! formatting, visitor code), a quarter of its budget. These bodies need none of that:
//! objects, arrays, strings, booleans and non-negative integers. The reader never converts
//! numbers to floats (it keeps their text), borrows strings from the body unless they hold
//! escapes, refuses duplicate keys (two parsers must never disagree on which value counts;
//! [`read_object`], for AWS answers, keeps the last as serde_json does), and bounds nesting so
//! that no body can exhaust the stack. It is checked against serde_json on random input in
//! `tests/aws_parsers.rs`, `tests/scaleway_json_props.rs` and the fuzz targets.
//!
//! The writer never leaves an unwiped copy of what it wrote: request bodies carry secrets.

use std::borrow::Cow;

use zeroize::Zeroizing;

/// Arrays and objects nest at most this deep (the outermost counts as 1); Scaleway's bodies
/// nest three or four levels, Secrets Manager answers three.
pub const MAX_DEPTH: usize = 32;
/// Members per object; Scaleway's objects have a few dozen. Bounds the duplicate-key check.
const MAX_MEMBERS: usize = 1024;

/// A parsed JSON value. Strings borrow from the input unless they held escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// The number's text, checked against the JSON grammar; read it with [`Value::as_u64`].
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    /// Members in document order; keys are unique.
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

/// Why a text is not JSON, and where (byte offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

impl<'a> Value<'a> {
    /// The member `key` of an object; `None` for other values or an absent key.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A number written as a plain non-negative integer that fits in a `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// The JSON type's name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Parses one JSON value surrounded by optional whitespace.
pub fn parse(text: &str) -> Result<Value<'_>, JsonError> {
    Parser {
        text,
        pos: 0,
        last_duplicate_wins: false,
    }
    .document(false)
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

/// Parses `text`, which must be exactly one JSON object (whitespace around it allowed), and
/// returns its top-level string members named in `wanted`. A member repeated in the object
/// counts once, with its last value (as serde_json reads it): AWS answers are read this way.
pub fn read_object(text: &str, wanted: &[&'static str]) -> Result<JsonFields, JsonError> {
    let value = Parser {
        text,
        pos: 0,
        last_duplicate_wins: true,
    }
    .document(true)?;
    let values = wanted
        .iter()
        .filter_map(|name| Some((*name, value.get(name)?.as_str()?.to_owned())))
        .collect();
    Ok(JsonFields { values })
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// A repeated key replaces the earlier member instead of being refused.
    last_duplicate_wins: bool,
}

impl<'a> Parser<'a> {
    /// One value (one object if `object_only`) surrounded by optional whitespace.
    fn document(mut self, object_only: bool) -> Result<Value<'a>, JsonError> {
        self.skip_ws();
        if object_only && self.peek() != Some(b'{') {
            return Err(self.error("expected an object"));
        }
        let value = self.value(0)?;
        self.skip_ws();
        if self.pos != self.text.len() {
            return Err(self.error("trailing characters after the value"));
        }
        Ok(value)
    }

    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    /// Any value; `depth` counts the arrays and objects it sits in.
    fn value(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        match self.peek() {
            Some(b'{' | b'[') if depth >= MAX_DEPTH => Err(self.error("nested too deeply")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
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
    fn number(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(Value::Number(&self.text[start..self.pos]))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.expect(b'"', "expected a string")?;
        let start = self.pos;
        // Fast path: no escape, borrow the text as it is.
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(0..=0x1f) => return Err(self.error("control character in a string")),
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(_) => {
                    // Copy up to the next quote, backslash or control character; those are
                    // ASCII, so the slice ends on a character boundary.
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    out.push_str(&self.text[run_start..self.pos]);
                }
            }
        }
    }

    /// The code point of `\uXXXX` (already past the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.pos..].starts_with("\\u") {
                    return Err(self.error("unpaired surrogate"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("unpaired surrogate"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("unpaired surrogate")),
            other => other,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        self.expect(b'[', "expected an array")?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        self.expect(b'{', "expected an object")?;
        let mut members: Vec<(Cow<'a, str>, Value<'a>)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            let key_at = self.pos;
            let key = self.string()?;
            if let Some(at) = members.iter().position(|(k, _)| *k == key) {
                if !self.last_duplicate_wins {
                    return Err(JsonError {
                        offset: key_at,
                        reason: "duplicate key",
                    });
                }
                members.remove(at);
            }
            if members.len() == MAX_MEMBERS {
                return Err(self.error("too many members in an object"));
            }
            self.skip_ws();
            self.expect(b':', "expected ':'")?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }
}

/// The bytes `s` takes as a JSON string literal, quotes included.
fn escaped_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Appends `s` as a JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes one flat JSON object, member by member, in the order given. The buffer is wiped on
/// drop and never reallocated in place: when it must grow, the text moves to a larger buffer
/// and the old one is wiped, so no copy of a secret is left to the allocator.
pub struct ObjectWriter {
    out: Zeroizing<String>,
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
        Self { out }
    }

    /// Room for `extra` more bytes, moving to a larger buffer (and wiping this one) if needed.
    fn reserve(&mut self, extra: usize) {
        reserve_wiped(&mut self.out, extra);
    }

    fn push_str(&mut self, s: &str) {
        self.reserve(s.len());
        self.out.push_str(s);
    }

    fn push_string(&mut self, s: &str) {
        self.reserve(escaped_len(s));
        write_string(&mut self.out, s);
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.push_str(",");
        }
        self.push_string(key);
        self.push_str(":");
    }

    pub fn string(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        self.push_string(value);
        self
    }

    /// Writes the member only when `value` is present.
    pub fn opt_string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.string(key, value);
        }
        self
    }

    pub fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        self.push_str(&value.to_string());
        self
    }

    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.push_str(if value { "true" } else { "false" });
        self
    }

    /// `"key":["a","b"]`.
    pub fn strings(&mut self, key: &str, values: &[&str]) -> &mut Self {
        self.key(key);
        self.push_str("[");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push_str(",");
            }
            self.push_string(v);
        }
        self.push_str("]");
        self
    }

    /// `"Tags":[{"Key":"k","Value":"v"},...]` (AWS's tag list), omitted when empty.
    #[cfg(feature = "providers")]
    pub fn tags(&mut self, key: &str, tags: &[crate::aws::query::Tag]) -> &mut Self {
        if tags.is_empty() {
            return self;
        }
        self.key(key);
        self.push_str("[");
        for (i, tag) in tags.iter().enumerate() {
            if i > 0 {
                self.push_str(",");
            }
            self.push_str("{\"Key\":");
            self.push_string(&tag.key);
            self.push_str(",\"Value\":");
            self.push_string(&tag.value);
            self.push_str("}");
        }
        self.push_str("]");
        self
    }

    /// A member whose value is already JSON (a nested object or array from this writer).
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.push_str(json);
        self
    }

    /// The object's text; the writer is left empty.
    pub fn finish(&mut self) -> Zeroizing<String> {
        self.push_str("}");
        std::mem::take(&mut self.out)
    }
}

/// Makes room for `extra` more bytes in `out` without a reallocation that would leave the old
/// buffer unwiped: the text moves to a larger buffer and the old one is wiped on drop.
fn reserve_wiped(out: &mut Zeroizing<String>, extra: usize) {
    let needed = out.len() + extra;
    if needed > out.capacity() {
        let mut larger = Zeroizing::new(String::with_capacity(needed.max(2 * out.capacity())));
        larger.push_str(out);
        *out = larger;
    }
}

/// A JSON array of values that are already JSON (objects from [`ObjectWriter`]).
pub fn array<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(256));
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        let item = item.as_ref();
        reserve_wiped(&mut out, item.len() + 2);
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    reserve_wiped(&mut out, 1);
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Value<'_> {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn parses_every_kind_of_value() {
        let v =
            ok(r#" {"a": [1, -2.5e+3, 0], "b": {"c": null, "d": true, "e": false}, "f": "x"} "#);
        assert_eq!(
            v.get("a").and_then(Value::as_array).map(<[_]>::len),
            Some(3)
        );
        assert_eq!(v.get("a").unwrap().as_array().unwrap()[0].as_u64(), Some(1));
        assert_eq!(v.get("a").unwrap().as_array().unwrap()[1].as_u64(), None);
        assert_eq!(v.get("b").unwrap().get("c"), Some(&Value::Null));
        assert_eq!(v.get("b").unwrap().get("d").unwrap().as_bool(), Some(true));
        assert_eq!(v.get("f").unwrap().as_str(), Some("x"));
        assert_eq!(v.get("missing"), None);
        assert_eq!(ok("[]"), Value::Array(vec![]));
        assert_eq!(ok("{}"), Value::Object(vec![]));
        assert_eq!(ok("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(ok("18446744073709551616").as_u64(), None);
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        assert!(matches!(
            ok(r#""plain é""#),
            Value::String(Cow::Borrowed("plain é"))
        ));
        let v = ok(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#);
        assert_eq!(v.as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\té😀"));
        assert!(matches!(v, Value::String(Cow::Owned(_))));
    }

    #[test]
    fn rejects_what_rfc_8259_rejects() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{'a':1}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "1e",
            "+1",
            "-",
            "NaN",
            "tru",
            "nul",
            "\"abc",
            "\"a\u{1}b\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "[1] [2]",
            "{\"a\":1}x",
            "// comment\n{}",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse(r#"{"secret_key":"a","secret_key":"b"}"#).unwrap_err();
        assert_eq!(err.reason, "duplicate key");
        // The same key in sibling objects is fine.
        ok(r#"[{"a":1},{"a":2}]"#);
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert_eq!(parse(&deep).unwrap_err().reason, "nested too deeply");
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        ok(&fine);
        let wide: String = format!(
            "{{{}}}",
            (0..=MAX_MEMBERS)
                .map(|i| format!("\"k{i}\":0"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(
            parse(&wide).unwrap_err().reason,
            "too many members in an object"
        );
    }

    #[test]
    fn writer_grows_into_fresh_buffers_and_escapes_exactly() {
        let controls: String = (0u8..0x20).map(char::from).collect();
        let long = format!("{controls}\"\\é😀").repeat(40);
        let mut expected = String::new();
        write_string(&mut expected, &long);
        assert_eq!(escaped_len(&long), expected.len());
        let mut w = ObjectWriter::new();
        w.string("k", &long).strings("l", &[&long, ""]);
        let text = w.finish();
        assert_eq!(
            text.as_str(),
            format!(r#"{{"k":{expected},"l":[{expected},""]}}"#)
        );
        let v = ok(&text);
        assert_eq!(v.get("k").unwrap().as_str(), Some(long.as_str()));
        let items = [text.as_str(), "{}"];
        assert_eq!(array(items).as_str(), format!("[{},{{}}]", text.as_str()));
    }

    #[test]
    fn writer_escapes_and_round_trips() {
        let mut w = ObjectWriter::new();
        w.string("s", "q\"b\\n\n\u{1}é")
            .opt_string("absent", None)
            .opt_string("present", Some(""))
            .u64("n", 42)
            .bool("t", true)
            .strings("list", &["a", "b\"c"])
            .raw(
                "nested",
                &array([ObjectWriter::new().u64("x", 1).finish().as_str(), "[]"]),
            );
        let text = w.finish();
        assert_eq!(
            text.as_str(),
            r#"{"s":"q\"b\\n\n\u0001é","present":"","n":42,"t":true,"list":["a","b\"c"],"nested":[{"x":1},[]]}"#
        );
        let v = ok(&text);
        assert_eq!(v.get("s").unwrap().as_str(), Some("q\"b\\n\n\u{1}é"));
        assert_eq!(v.get("absent"), None);
        assert_eq!(v.get("n").unwrap().as_u64(), Some(42));
        assert_eq!(ObjectWriter::new().finish().as_str(), "{}");
    }

    #[cfg(feature = "providers")]
    #[test]
    fn writer_writes_aws_tags() {
        let mut w = ObjectWriter::new();
        w.string("Name", "a\"b\\c\nd\u{1}é😀</")
            .opt_string("Skipped", None)
            .tags(
                "Tags",
                &[crate::aws::query::Tag {
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
}
