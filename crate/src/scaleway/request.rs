//! Building Scaleway requests: URLs under the API base, JSON bodies, query strings, and the
//! checks every caller-supplied ID passes before it is placed in a path or a body.

use super::auth::{is_uuid, ApiBase};
use super::error::ScalewayError;

/// Largest `page_size` the list endpoints accept.
pub const MAX_PAGE_SIZE: u32 = 100;

fn invalid(message: String) -> ScalewayError {
    ScalewayError::InvalidArgument(message)
}

/// `value` must be a UUID (Scaleway's user, application, Organization, Project and secret IDs).
pub fn check_uuid(name: &str, value: &str) -> Result<(), ScalewayError> {
    if is_uuid(value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{name} must be a UUID such as 11111111-2222-3333-4444-555555555555, got \"{value}\""
        )))
    }
}

/// An access key: `SCW` followed by 17 upper-case letters or digits.
pub fn check_access_key(value: &str) -> Result<(), ScalewayError> {
    let ok = value.len() == 20
        && value.starts_with("SCW")
        && value[3..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{value}\" is not a Scaleway access key (SCW followed by 17 upper-case letters or digits)"
        )))
    }
}

/// Free text of at most `max` characters (Scaleway counts characters, not bytes), without
/// control characters other than newlines and tabs.
pub fn check_text(name: &str, value: &str, max: usize) -> Result<(), ScalewayError> {
    let count = value.chars().count();
    if count > max {
        return Err(invalid(format!(
            "{name} is {count} characters long; Scaleway allows at most {max}"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid(format!("{name} contains a control character")));
    }
    Ok(())
}

/// Pagination as the list endpoints take it: `page` from 1, `page_size` 1-100.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Page {
    pub(crate) fn append(&self, query: &mut Query) -> Result<(), ScalewayError> {
        if let Some(page) = self.page {
            if page < 1 {
                return Err(invalid("page starts at 1".into()));
            }
            query.pair("page", &page.to_string());
        }
        if let Some(size) = self.page_size {
            if !(1..=MAX_PAGE_SIZE).contains(&size) {
                return Err(invalid(format!(
                    "page_size must be between 1 and {MAX_PAGE_SIZE}, got {size}"
                )));
            }
            query.pair("page_size", &size.to_string());
        }
        Ok(())
    }
}

/// A query string, form-encoded.
pub(crate) struct Query(form_urlencoded::Serializer<'static, String>);

impl Query {
    pub(crate) fn new() -> Self {
        Self(form_urlencoded::Serializer::new(String::new()))
    }

    pub(crate) fn pair(&mut self, key: &str, value: &str) -> &mut Self {
        self.0.append_pair(key, value);
        self
    }

    pub(crate) fn opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.pair(key, value);
        }
        self
    }

    /// `path` with the query appended (none if empty).
    pub(crate) fn finish(mut self, path: &str) -> String {
        let query = self.0.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

fn build(
    method: http::Method,
    base: &ApiBase,
    path_and_query: &str,
    body: Option<String>,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(base.join(path_and_query));
    let body = match body {
        Some(json) => {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
            json.into_bytes()
        }
        None => Vec::new(),
    };
    builder
        .body(body)
        .map_err(|e| invalid(format!("cannot build the request: {e}")))
}

pub(crate) fn get(
    base: &ApiBase,
    path_and_query: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    build(http::Method::GET, base, path_and_query, None)
}

pub(crate) fn delete(base: &ApiBase, path: &str) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    build(http::Method::DELETE, base, path, None)
}

pub(crate) fn post_json(
    base: &ApiBase,
    path: &str,
    mut json: zeroize::Zeroizing<String>,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    // Moves the wiped-on-drop buffer into the request instead of copying the secret.
    build(
        http::Method::POST,
        base,
        path,
        Some(std::mem::take(&mut *json)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_before_they_reach_a_path() {
        assert!(check_uuid("user_id", "d6a8f3c2-1b4e-4f7a-9c3d-2e5f6a7b8c9d").is_ok());
        for bad in [
            "",
            "../api-keys",
            "d6a8f3c2-1b4e-4f7a-9c3d-2e5f6a7b8c9",
            "SCWAAAAAAAAAAAAAAAAA",
        ] {
            let err = check_uuid("user_id", bad).unwrap_err();
            assert_eq!(err.code(), "invalid_input");
            assert!(err.to_string().contains("user_id must be a UUID"));
        }
        assert!(check_access_key("SCW0123456789ABCDEFG").is_ok());
        for bad in [
            "SCW0123456789abcdefg",
            "SCW012345678",
            "XYZ0123456789ABCDEFG",
            "SCW0123456789ABCDE/G",
            "SCW0123456789ABCDEFGH",
        ] {
            assert_eq!(
                check_access_key(bad).unwrap_err().code(),
                "invalid_input",
                "{bad}"
            );
        }
    }

    #[test]
    fn text_limits_count_characters() {
        assert!(check_text("description", &"é".repeat(200), 200).is_ok());
        let err = check_text("description", &"a".repeat(201), 200).unwrap_err();
        assert!(err.to_string().contains("201 characters"), "{err}");
        assert!(check_text("description", "line\nnext\ttab", 200).is_ok());
        assert!(check_text("description", "bell\u{7}", 200).is_err());
    }

    #[test]
    fn pages_are_bounded_and_queries_encoded() {
        let mut q = Query::new();
        Page {
            page: Some(2),
            page_size: Some(100),
        }
        .append(&mut q)
        .unwrap();
        q.pair("name", "a b&c").opt("absent", None);
        assert_eq!(q.finish("/x"), "/x?page=2&page_size=100&name=a+b%26c");
        assert_eq!(Query::new().finish("/x"), "/x");
        for bad in [
            Page {
                page: Some(0),
                page_size: None,
            },
            Page {
                page: None,
                page_size: Some(0),
            },
            Page {
                page: None,
                page_size: Some(101),
            },
        ] {
            assert!(bad.append(&mut Query::new()).is_err());
        }
    }

    #[test]
    fn requests_go_under_the_base() {
        let base = ApiBase::parse("http://127.0.0.1:8080/scw").unwrap();
        let r = post_json(&base, "/iam/v1alpha1/api-keys", String::from("{}").into()).unwrap();
        assert_eq!(r.uri(), "http://127.0.0.1:8080/scw/iam/v1alpha1/api-keys");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.body(), b"{}");
        let r = get(&ApiBase::default_base(), "/account/v3/projects?page=1").unwrap();
        assert_eq!(
            r.uri(),
            "https://api.scaleway.com/account/v3/projects?page=1"
        );
        assert!(r.body().is_empty());
        assert_eq!(
            delete(&ApiBase::default_base(), "/x").unwrap().method(),
            "DELETE"
        );
    }
}
