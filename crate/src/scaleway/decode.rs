//! From a response to either a JSON object or a typed error, and typed reads of the fields
//! the API reference promises. Unknown fields are ignored (Scaleway adds fields over time);
//! a promised field that is missing or of the wrong type is a malformed answer.

use super::error::ScalewayError;
use crate::json::{self, Value};
use crate::response::HttpResponse;

fn malformed(status: u16, detail: String) -> ScalewayError {
    ScalewayError::MalformedResponse { status, detail }
}

/// A 2xx answer's JSON object; any other status is decoded as Scaleway's error body.
pub(crate) fn decode(response: &HttpResponse) -> Result<Value<'_>, ScalewayError> {
    let status = response.status;
    if !(200..300).contains(&status) {
        return Err(ScalewayError::from_error_body(status, &response.body));
    }
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| malformed(status, "the body is not UTF-8".into()))?;
    let value =
        json::parse(text).map_err(|e| malformed(status, format!("the body is not JSON ({e})")))?;
    if !value.is_object() {
        return Err(malformed(
            status,
            format!("expected a JSON object, got {}", value.kind()),
        ));
    }
    Ok(value)
}

/// A `DELETE` answer: 204 with no body (or any 2xx); errors are decoded as usual.
pub(crate) fn expect_success(response: &HttpResponse) -> Result<(), ScalewayError> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(ScalewayError::from_error_body(
            response.status,
            &response.body,
        ))
    }
}

/// Reads each object of a list with `read` (a plain loop: smaller in wasm than collecting
/// an iterator of `Result`s).
pub(crate) fn read_all<'v, 'a, T>(
    items: &'v [Value<'a>],
    what: &'static str,
    status: u16,
    read: impl Fn(&Fields<'v, 'a>) -> Result<T, ScalewayError>,
) -> Result<Vec<T>, ScalewayError> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(read(&Fields::new(item, what, status)?)?);
    }
    Ok(out)
}

/// The members of one object of an answer (`what` names it in error messages).
pub(crate) struct Fields<'v, 'a> {
    value: &'v Value<'a>,
    what: &'static str,
    status: u16,
}

impl<'v, 'a> Fields<'v, 'a> {
    pub(crate) fn new(
        value: &'v Value<'a>,
        what: &'static str,
        status: u16,
    ) -> Result<Self, ScalewayError> {
        if value.is_object() {
            Ok(Self {
                value,
                what,
                status,
            })
        } else {
            Err(malformed(
                status,
                format!("{what} is {}, not an object", value.kind()),
            ))
        }
    }

    fn wrong(&self, key: &str, expected: &str) -> ScalewayError {
        malformed(
            self.status,
            format!("{}.{key} is not {expected}", self.what),
        )
    }

    fn present(&self, key: &str) -> Option<&'v Value<'a>> {
        self.value.get(key).filter(|v| **v != Value::Null)
    }

    /// A non-empty string the reference promises.
    pub(crate) fn required(&self, key: &str) -> Result<&'v str, ScalewayError> {
        match self.present(key).map(Value::as_str) {
            Some(Some(s)) if !s.is_empty() => Ok(s),
            Some(Some(_)) | None => {
                Err(malformed(self.status, format!("{} lacks {key}", self.what)))
            }
            Some(None) => Err(self.wrong(key, "a string")),
        }
    }

    /// A string that may be absent, null or empty (all read as `None`).
    pub(crate) fn optional(&self, key: &str) -> Result<Option<&'v str>, ScalewayError> {
        match self.present(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(|s| Some(s).filter(|s| !s.is_empty()))
                .ok_or_else(|| self.wrong(key, "a string")),
        }
    }

    /// A boolean; absent or null reads as `false`, as in the official SDKs.
    pub(crate) fn flag(&self, key: &str) -> Result<bool, ScalewayError> {
        match self.present(key) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| self.wrong(key, "a boolean")),
        }
    }

    /// A non-negative integer; absent or null reads as 0.
    pub(crate) fn count(&self, key: &str) -> Result<u64, ScalewayError> {
        match self.present(key) {
            None => Ok(0),
            Some(v) => v
                .as_u64()
                .ok_or_else(|| self.wrong(key, "a non-negative integer")),
        }
    }

    /// An array the reference promises.
    pub(crate) fn list(&self, key: &str) -> Result<&'v [Value<'a>], ScalewayError> {
        match self.present(key) {
            None => Err(malformed(self.status, format!("{} lacks {key}", self.what))),
            Some(v) => v.as_array().ok_or_else(|| self.wrong(key, "an array")),
        }
    }

    /// An array of strings; absent or null reads as empty.
    pub(crate) fn strings(&self, key: &str) -> Result<Vec<String>, ScalewayError> {
        match self.present(key) {
            None => Ok(Vec::new()),
            Some(v) => v
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| self.wrong(key, "an array of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_2xx_is_the_error_body_and_2xx_must_be_an_object() {
        let err = decode(&HttpResponse::new(
            404,
            br#"{"type":"not_found","resource":"api_key","resource_id":"x"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("not_found"));
        for body in [&b"[]"[..], b"", b"{", b"\"x\"", &[0xff]] {
            let err = decode(&HttpResponse::new(200, body)).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "{body:?}");
        }
        assert!(expect_success(&HttpResponse::new(204, b"")).is_ok());
        assert_eq!(
            expect_success(&HttpResponse::new(404, b"nope"))
                .unwrap_err()
                .code(),
            "malformed_response"
        );
    }

    #[test]
    fn fields_read_what_the_reference_promises() {
        let r = HttpResponse::new(
            200,
            br#"{"a":"x","e":"","n":null,"b":true,"c":3,"l":[1],"s":["p","q"],"bad":5}"#,
        );
        let v = decode(&r).unwrap();
        let f = Fields::new(&v, "thing", 200).unwrap();
        assert_eq!(f.required("a").unwrap(), "x");
        assert_eq!(f.optional("a").unwrap(), Some("x"));
        assert_eq!(f.optional("e").unwrap(), None);
        assert_eq!(f.optional("n").unwrap(), None);
        assert_eq!(f.optional("missing").unwrap(), None);
        assert!(f.flag("b").unwrap());
        assert!(!f.flag("missing").unwrap());
        assert_eq!(f.count("c").unwrap(), 3);
        assert_eq!(f.count("missing").unwrap(), 0);
        assert_eq!(f.list("l").unwrap().len(), 1);
        assert_eq!(f.strings("s").unwrap(), ["p", "q"]);
        assert!(f.strings("missing").unwrap().is_empty());
        for err in [
            f.required("e").unwrap_err(),
            f.required("n").unwrap_err(),
            f.required("bad").unwrap_err(),
            f.optional("bad").unwrap_err(),
            f.flag("bad").unwrap_err(),
            f.count("a").unwrap_err(),
            f.list("missing").unwrap_err(),
            f.list("a").unwrap_err(),
            f.strings("l").unwrap_err(),
        ] {
            assert_eq!(err.code(), "malformed_response");
            assert!(err.to_string().contains("thing"), "{err}");
        }
        assert!(Fields::new(&Value::Null, "x", 200).is_err());
    }
}
