//! IAM `v1alpha1`: API keys (get, list, create, delete), applications (list, create, get) and
//! users (get), following https://www.scaleway.com/en/developers/api/iam/ and the
//! `iam/v1alpha1` packages of scaleway-sdk-go and scaleway-sdk-python.

use super::auth::ApiBase;
use super::decode::{decode, expect_success, read_all, Fields};
use super::error::ScalewayError;
use super::request::{check_access_key, check_text, check_uuid, get, post_json, Page, Query};
use super::time::parse_rfc3339_ms;
use crate::json::ObjectWriter;
use crate::response::HttpResponse;
use crate::secret::SecretString;

/// "Description of the API key (max length is 200 characters)."
pub const MAX_KEY_DESCRIPTION: usize = 200;
/// "Name of the application to create (max length is 64 characters)."
pub const MAX_APPLICATION_NAME: usize = 64;
/// "Description of the application (max length is 200 characters)."
pub const MAX_APPLICATION_DESCRIPTION: usize = 200;

const API_KEYS: &str = "/iam/v1alpha1/api-keys";
const APPLICATIONS: &str = "/iam/v1alpha1/applications";
const USERS: &str = "/iam/v1alpha1/users";
const ORGANIZATIONS: &str = "/iam/v1alpha1/organizations";

/// Who an API key belongs to: an IAM user or an IAM application (the reference's `bearer`
/// one-of: exactly one of `user_id` and `application_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bearer {
    User(String),
    Application(String),
}

impl Bearer {
    /// `user` or `application`, as in the `bearer_type` filter.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Application(_) => "application",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::User(id) | Self::Application(id) => id,
        }
    }

    fn check(&self) -> Result<(), ScalewayError> {
        match self {
            Self::User(id) => check_uuid("user_id", id),
            Self::Application(id) => check_uuid("application_id", id),
        }
    }
}

/// An API key as Scaleway describes it (never with its secret: see [`CreatedApiKey`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub access_key: String,
    pub bearer: Bearer,
    pub description: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// `None`: the key never expires.
    pub expires_at: Option<String>,
    /// The preferred Project for Object Storage.
    pub default_project_id: Option<String>,
    pub editable: bool,
    pub deletable: bool,
    pub managed: bool,
    pub creation_ip: Option<String>,
}

impl ApiKey {
    /// Whether the key has expired at `now_ms` (an unreadable date counts as not expired:
    /// Scaleway is the authority, this is only for display).
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expires_at
            .as_deref()
            .and_then(parse_rfc3339_ms)
            .is_some_and(|at| at <= now_ms as i64)
    }
}

/// A freshly created API key: Scaleway shows its secret exactly once, in this answer.
#[derive(Debug)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret_key: SecretString,
}

/// One page of `GET /iam/v1alpha1/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyPage {
    pub api_keys: Vec<ApiKey>,
    pub total_count: u64,
}

/// What to create: the bearer, and the console's optional fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub bearer: Bearer,
    pub description: String,
    /// RFC 3339, in the future; `None` for a key that never expires.
    pub expires_at: Option<String>,
    pub default_project_id: Option<String>,
}

/// Filters of `GET /iam/v1alpha1/api-keys`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeyFilter {
    /// Only the keys of this user or application (`bearer_id` + `bearer_type`).
    pub bearer: Option<Bearer>,
    pub organization_id: Option<String>,
    /// `Some(false)`: leave expired keys out.
    pub expired: Option<bool>,
    pub page: Page,
}

/// An IAM application: a non-human bearer of API keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub description: String,
    pub organization_id: String,
    pub created_at: Option<String>,
    pub editable: bool,
    pub deletable: bool,
    pub managed: bool,
    pub nb_api_keys: u64,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationPage {
    pub applications: Vec<Application>,
    pub total_count: u64,
}

/// Filters of `GET /iam/v1alpha1/applications`; the Organization is required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    pub organization_id: String,
    pub name: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub name: String,
    pub organization_id: String,
    pub description: String,
}

/// The parts of an IAM user that Keysmith shows for a signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub organization_id: String,
}

/// `GET /iam/v1alpha1/api-keys/{access_key}`: the key's bearer and default Project.
pub fn prepare_get_api_key(
    base: &ApiBase,
    access_key: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_access_key(access_key)?;
    get(base, &format!("{API_KEYS}/{access_key}"))
}

pub fn parse_api_key(response: &HttpResponse) -> Result<ApiKey, ScalewayError> {
    let value = decode(response)?;
    read_api_key(
        &Fields::new(&value, "api key", response.status)?,
        response.status,
    )
}

// Readers take every field borrowed first and allocate only at the end: an early return
// then has nothing to drop, which keeps the wasm code of each reader small.
fn read_api_key(f: &Fields<'_, '_>, status: u16) -> Result<ApiKey, ScalewayError> {
    let (user, app) = (f.optional("user_id")?, f.optional("application_id")?);
    let access_key = f.required("access_key")?;
    let description = f.optional("description")?;
    let created_at = f.optional("created_at")?;
    let updated_at = f.optional("updated_at")?;
    let expires_at = f.optional("expires_at")?;
    let default_project_id = f.optional("default_project_id")?;
    let creation_ip = f.optional("creation_ip")?;
    let (editable, deletable, managed) = (
        f.flag("editable")?,
        f.flag("deletable")?,
        f.flag("managed")?,
    );
    let bearer = match (user, app) {
        (Some(user), None) => Bearer::User(user.to_owned()),
        (None, Some(app)) => Bearer::Application(app.to_owned()),
        _ => {
            return Err(ScalewayError::MalformedResponse {
                status,
                detail: "api key has not exactly one of user_id and application_id".into(),
            })
        }
    };
    Ok(ApiKey {
        access_key: access_key.to_owned(),
        bearer,
        description: description.unwrap_or_default().to_owned(),
        created_at: created_at.map(str::to_owned),
        updated_at: updated_at.map(str::to_owned),
        expires_at: expires_at.map(str::to_owned),
        default_project_id: default_project_id.map(str::to_owned),
        editable,
        deletable,
        managed,
        creation_ip: creation_ip.map(str::to_owned),
    })
}

/// `POST /iam/v1alpha1/api-keys`. `now_ms` (the caller's clock) checks that `expires_at`
/// lies in the future before anything is sent.
pub fn prepare_create_api_key(
    base: &ApiBase,
    key: &NewApiKey,
    now_ms: u64,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    key.bearer.check()?;
    check_text("description", &key.description, MAX_KEY_DESCRIPTION)?;
    if let Some(at) = &key.expires_at {
        let when = parse_rfc3339_ms(at).ok_or_else(|| {
            ScalewayError::InvalidArgument(format!(
                "expires_at \"{at}\" is not an RFC 3339 date such as 2026-12-31T23:59:59Z"
            ))
        })?;
        if when <= now_ms as i64 {
            return Err(ScalewayError::InvalidArgument(format!(
                "expires_at {at} is in the past; choose a date in the future (or none)"
            )));
        }
    }
    if let Some(project) = &key.default_project_id {
        check_uuid("default_project_id", project)?;
    }
    let mut body = ObjectWriter::new();
    match &key.bearer {
        Bearer::User(id) => body.string("user_id", id),
        Bearer::Application(id) => body.string("application_id", id),
    };
    body.opt_string("expires_at", key.expires_at.as_deref())
        .opt_string("default_project_id", key.default_project_id.as_deref())
        .string("description", &key.description);
    post_json(base, API_KEYS, body.finish())
}

/// The created key, with the secret moved into a wiped-on-drop [`SecretString`].
pub fn parse_create_api_key(response: &HttpResponse) -> Result<CreatedApiKey, ScalewayError> {
    let value = decode(response)?;
    let fields = Fields::new(&value, "created api key", response.status)?;
    let key = read_api_key(&fields, response.status)?;
    let secret_key = SecretString::copy_from(fields.required("secret_key")?);
    Ok(CreatedApiKey { key, secret_key })
}

/// `GET /iam/v1alpha1/api-keys` with filters and pagination.
pub fn prepare_list_api_keys(
    base: &ApiBase,
    filter: &ApiKeyFilter,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    let mut query = Query::new();
    if let Some(bearer) = &filter.bearer {
        bearer.check()?;
        query
            .pair("bearer_id", bearer.id())
            .pair("bearer_type", bearer.kind());
    }
    if let Some(org) = &filter.organization_id {
        check_uuid("organization_id", org)?;
        query.pair("organization_id", org);
    }
    if let Some(expired) = filter.expired {
        query.pair("expired", if expired { "true" } else { "false" });
    }
    filter.page.append(&mut query)?;
    get(base, &query.finish(API_KEYS))
}

pub fn parse_list_api_keys(response: &HttpResponse) -> Result<ApiKeyPage, ScalewayError> {
    let value = decode(response)?;
    let status = response.status;
    let page = Fields::new(&value, "api key list", status)?;
    let api_keys = read_all(page.list("api_keys")?, "api key", status, |f| {
        read_api_key(f, status)
    })?;
    Ok(ApiKeyPage {
        api_keys,
        total_count: page.count("total_count")?,
    })
}

/// `DELETE /iam/v1alpha1/api-keys/{access_key}` (irreversible; the UI confirms first).
pub fn prepare_delete_api_key(
    base: &ApiBase,
    access_key: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_access_key(access_key)?;
    super::request::delete(base, &format!("{API_KEYS}/{access_key}"))
}

/// A delete's answer: 204, or Scaleway's error.
pub fn parse_deleted(response: &HttpResponse) -> Result<(), ScalewayError> {
    expect_success(response)
}

/// `GET /iam/v1alpha1/applications` of one Organization.
pub fn prepare_list_applications(
    base: &ApiBase,
    filter: &ApplicationFilter,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_uuid("organization_id", &filter.organization_id)?;
    let mut query = Query::new();
    query
        .pair("organization_id", &filter.organization_id)
        .opt("name", filter.name.as_deref());
    filter.page.append(&mut query)?;
    get(base, &query.finish(APPLICATIONS))
}

pub fn parse_list_applications(response: &HttpResponse) -> Result<ApplicationPage, ScalewayError> {
    let value = decode(response)?;
    let status = response.status;
    let page = Fields::new(&value, "application list", status)?;
    let applications = read_all(
        page.list("applications")?,
        "application",
        status,
        read_application,
    )?;
    Ok(ApplicationPage {
        applications,
        total_count: page.count("total_count")?,
    })
}

/// `POST /iam/v1alpha1/applications`: a new bearer for keys that outlive any person.
pub fn prepare_create_application(
    base: &ApiBase,
    app: &NewApplication,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    if app.name.trim().is_empty() {
        return Err(ScalewayError::InvalidArgument(
            "the application needs a name".into(),
        ));
    }
    check_text("name", &app.name, MAX_APPLICATION_NAME)?;
    check_text("description", &app.description, MAX_APPLICATION_DESCRIPTION)?;
    check_uuid("organization_id", &app.organization_id)?;
    let body = ObjectWriter::new()
        .string("name", &app.name)
        .string("organization_id", &app.organization_id)
        .string("description", &app.description)
        .finish();
    post_json(base, APPLICATIONS, body)
}

/// `GET /iam/v1alpha1/applications/{application_id}`.
pub fn prepare_get_application(
    base: &ApiBase,
    application_id: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_uuid("application_id", application_id)?;
    get(base, &format!("{APPLICATIONS}/{application_id}"))
}

pub fn parse_application(response: &HttpResponse) -> Result<Application, ScalewayError> {
    let value = decode(response)?;
    read_application(&Fields::new(&value, "application", response.status)?)
}

fn read_application(f: &Fields<'_, '_>) -> Result<Application, ScalewayError> {
    let id = f.required("id")?;
    let name = f.required("name")?;
    let description = f.optional("description")?;
    let organization_id = f.required("organization_id")?;
    let created_at = f.optional("created_at")?;
    let (editable, deletable, managed) = (
        f.flag("editable")?,
        f.flag("deletable")?,
        f.flag("managed")?,
    );
    let nb_api_keys = f.count("nb_api_keys")?;
    Ok(Application {
        id: id.to_owned(),
        name: name.to_owned(),
        description: description.unwrap_or_default().to_owned(),
        organization_id: organization_id.to_owned(),
        created_at: created_at.map(str::to_owned),
        editable,
        deletable,
        managed,
        nb_api_keys,
        tags: f.strings("tags")?,
    })
}

/// `GET /iam/v1alpha1/users/{user_id}`.
pub fn prepare_get_user(
    base: &ApiBase,
    user_id: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_uuid("user_id", user_id)?;
    get(base, &format!("{USERS}/{user_id}"))
}

pub fn parse_user(response: &HttpResponse) -> Result<User, ScalewayError> {
    let value = decode(response)?;
    let f = Fields::new(&value, "user", response.status)?;
    let (id, organization_id) = (f.required("id")?, f.required("organization_id")?);
    let (email, username) = (f.optional("email")?, f.optional("username")?);
    Ok(User {
        id: id.to_owned(),
        email: email.map(str::to_owned),
        username: username.map(str::to_owned),
        organization_id: organization_id.to_owned(),
    })
}

/// The part of an Organization's security settings that bears on API keys.
///
/// Source: IAM API v1alpha1 "Get security settings of an Organization",
/// `GET /iam/v1alpha1/organizations/{organization_id}/security-settings` (scaleway-sdk-python
/// `IamV1Alpha1API.get_organization_security_settings`), whose `OrganizationSecuritySettings`
/// has `max_api_key_expiration_duration`: "Maximum duration the `expires_at` field of an API
/// key can represent. A value of 0 means there is no maximum duration. (in seconds)", written
/// as a protobuf JSON duration such as `"2592000s"`, and nullable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecuritySettings {
    /// `None`: no maximum (absent, null or `0s`).
    pub max_api_key_expiration_seconds: Option<u64>,
}

/// `GET /iam/v1alpha1/organizations/{organization_id}/security-settings`.
pub fn prepare_get_security_settings(
    base: &ApiBase,
    organization_id: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_uuid("organization_id", organization_id)?;
    get(
        base,
        &format!("{ORGANIZATIONS}/{organization_id}/security-settings"),
    )
}

pub fn parse_security_settings(response: &HttpResponse) -> Result<SecuritySettings, ScalewayError> {
    let value = decode(response)?;
    let f = Fields::new(&value, "security settings", response.status)?;
    let max = match f.optional("max_api_key_expiration_duration")? {
        None => None,
        Some(text) => Some(parse_duration_seconds(text).ok_or_else(|| {
            ScalewayError::MalformedResponse {
                status: response.status,
                detail: format!(
                    "security settings.max_api_key_expiration_duration {text:?} is not a duration such as \"2592000s\""
                ),
            }
        })?),
    };
    Ok(SecuritySettings {
        max_api_key_expiration_seconds: max.filter(|s| *s > 0),
    })
}

/// Whole seconds of a protobuf JSON duration (`"3600s"`, `"2.5s"`: fractions are dropped,
/// which errs on the strict side); `None` for anything else, negatives included.
pub fn parse_duration_seconds(text: &str) -> Option<u64> {
    let number = text.strip_suffix('s')?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 9 {
        return None;
    }
    if number.ends_with('.') {
        return None;
    }
    whole.parse().ok()
}

/// Checks a new key's expiry against an Organization's maximum lifetime, at `now_ms`: a key
/// that never expires, or expires later than `now + max`, is refused before it is requested.
pub fn check_expiry_within(
    expires_at: Option<&str>,
    max_seconds: u64,
    now_ms: u64,
) -> Result<(), ScalewayError> {
    let latest_ms = (now_ms as i64).saturating_add((max_seconds as i64).saturating_mul(1000));
    let beyond = match expires_at {
        None => true,
        // Unreadable dates are refused earlier, by prepare_create_api_key.
        Some(at) => parse_rfc3339_ms(at).is_some_and(|when| when > latest_ms),
    };
    if beyond {
        Err(ScalewayError::ExpiryBeyondMaximum {
            max_seconds,
            never: expires_at.is_none(),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    const USER: &str = "5b8b6a2e-6a4c-4c8e-9d1f-0e2a3b4c5d6e";
    const APP: &str = "0f1e2d3c-4b5a-4968-8776-655443322110";
    const ORG: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    const PROJECT: &str = "11111111-2222-4333-8444-555555555555";
    const SECRET: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
    const NOW: u64 = 1_764_061_200_000; // 2025-11-25T09:00:00Z

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(status, body.as_bytes())
    }

    fn body_json(r: &http::Request<Vec<u8>>) -> json::Value<'_> {
        json::parse(std::str::from_utf8(r.body()).unwrap()).unwrap()
    }

    fn key_json(bearer: &str, extra: &str) -> String {
        format!(
            r#"{{"access_key":"SCWABCDEFGHIJKLMNOPQ",{bearer},"description":"deploy bot","created_at":"2025-11-25T09:00:00.123456Z","updated_at":"2025-11-25T09:00:00.123456Z","expires_at":null,"default_project_id":"{PROJECT}","editable":true,"deletable":true,"managed":false,"creation_ip":"192.0.2.1"{extra}}}"#
        )
    }

    #[test]
    fn get_api_key_reads_the_bearer() {
        let r = prepare_get_api_key(&ApiBase::default_base(), "SCWABCDEFGHIJKLMNOPQ").unwrap();
        assert_eq!(r.method(), "GET");
        assert_eq!(
            r.uri(),
            "https://api.scaleway.com/iam/v1alpha1/api-keys/SCWABCDEFGHIJKLMNOPQ"
        );
        let key = parse_api_key(&resp(
            200,
            &key_json(&format!(r#""user_id":"{USER}","application_id":null"#), ""),
        ))
        .unwrap();
        assert_eq!(key.bearer, Bearer::User(USER.into()));
        assert_eq!(key.bearer.kind(), "user");
        assert_eq!(key.default_project_id.as_deref(), Some(PROJECT));
        assert_eq!(key.expires_at, None);
        assert!(key.editable && key.deletable && !key.managed);
        let key = parse_api_key(&resp(
            200,
            &key_json(&format!(r#""application_id":"{APP}""#), ""),
        ))
        .unwrap();
        assert_eq!(key.bearer, Bearer::Application(APP.into()));
        assert!(prepare_get_api_key(&ApiBase::default_base(), "../users").is_err());
    }

    #[test]
    fn a_key_needs_exactly_one_bearer() {
        for bearer in [
            format!(r#""user_id":"{USER}","application_id":"{APP}""#),
            r#""user_id":null"#.to_owned(),
            r#""user_id":"""#.to_owned(),
        ] {
            let err = parse_api_key(&resp(200, &key_json(&bearer, ""))).unwrap_err();
            assert_eq!(err.code(), "malformed_response", "{bearer}");
        }
    }

    #[test]
    fn create_for_self_sends_exactly_the_documented_fields() {
        let new = NewApiKey {
            bearer: Bearer::User(USER.into()),
            description: "ci \"deploy\"".into(),
            expires_at: Some("2026-11-25T09:00:00Z".into()),
            default_project_id: Some(PROJECT.into()),
        };
        let r = prepare_create_api_key(&ApiBase::default_base(), &new, NOW).unwrap();
        assert_eq!(r.method(), "POST");
        assert_eq!(r.uri(), "https://api.scaleway.com/iam/v1alpha1/api-keys");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(
            std::str::from_utf8(r.body()).unwrap(),
            format!(
                r#"{{"user_id":"{USER}","expires_at":"2026-11-25T09:00:00Z","default_project_id":"{PROJECT}","description":"ci \"deploy\""}}"#
            )
        );
        assert!(!r.headers().contains_key("x-auth-token"));
    }

    #[test]
    fn create_for_an_application_without_options() {
        let new = NewApiKey {
            bearer: Bearer::Application(APP.into()),
            description: String::new(),
            expires_at: None,
            default_project_id: None,
        };
        let r = prepare_create_api_key(&ApiBase::default_base(), &new, NOW).unwrap();
        let body = body_json(&r);
        assert_eq!(body.get("application_id").unwrap().as_str(), Some(APP));
        assert_eq!(body.get("user_id"), None);
        assert_eq!(body.get("expires_at"), None);
        assert_eq!(body.get("default_project_id"), None);
    }

    #[test]
    fn create_refuses_bad_arguments_before_sending() {
        let good = NewApiKey {
            bearer: Bearer::User(USER.into()),
            description: "x".into(),
            expires_at: None,
            default_project_id: None,
        };
        let base = ApiBase::default_base();
        let cases = [
            (
                NewApiKey {
                    bearer: Bearer::User("me".into()),
                    ..good.clone()
                },
                "user_id must be a UUID",
            ),
            (
                NewApiKey {
                    bearer: Bearer::Application("".into()),
                    ..good.clone()
                },
                "application_id must be a UUID",
            ),
            (
                NewApiKey {
                    description: "d".repeat(201),
                    ..good.clone()
                },
                "at most 200",
            ),
            (
                NewApiKey {
                    expires_at: Some("tomorrow".into()),
                    ..good.clone()
                },
                "not an RFC 3339 date",
            ),
            (
                NewApiKey {
                    expires_at: Some("2025-11-25T09:00:00Z".into()),
                    ..good.clone()
                },
                "in the past",
            ),
            (
                NewApiKey {
                    expires_at: Some("2020-01-01T00:00:00Z".into()),
                    ..good.clone()
                },
                "in the past",
            ),
            (
                NewApiKey {
                    default_project_id: Some("default".into()),
                    ..good.clone()
                },
                "default_project_id must be a UUID",
            ),
        ];
        for (key, expected) in cases {
            let err = prepare_create_api_key(&base, &key, NOW).unwrap_err();
            assert_eq!(err.code(), "invalid_input");
            assert!(err.to_string().contains(expected), "{err}");
        }
        assert!(prepare_create_api_key(
            &base,
            &NewApiKey {
                description: "é".repeat(200),
                ..good
            },
            NOW
        )
        .is_ok());
    }

    #[test]
    fn created_key_holds_its_secret_in_a_secret_string() {
        let body = key_json(
            &format!(r#""user_id":"{USER}""#),
            &format!(r#","secret_key":"{SECRET}""#),
        );
        let created = parse_create_api_key(&resp(200, &body)).unwrap();
        assert_eq!(created.secret_key.expose_secret(), SECRET);
        assert_eq!(created.key.access_key, "SCWABCDEFGHIJKLMNOPQ");
        let printed = format!("{created:?}");
        assert!(!printed.contains(SECRET), "{printed}");
        // The create answer must carry the secret: Scaleway shows it only there.
        let err =
            parse_create_api_key(&resp(200, &key_json(&format!(r#""user_id":"{USER}""#), "")))
                .unwrap_err();
        assert_eq!(err.code(), "malformed_response");
        assert!(err.to_string().contains("secret_key"));
        // A get answer never exposes one, even if a server sent it.
        let key = parse_api_key(&resp(200, &body)).unwrap();
        assert!(!format!("{key:?}").contains(SECRET));
    }

    #[test]
    fn create_errors_are_typed() {
        let err = parse_create_api_key(&resp(
            400,
            r#"{"details":[{"argument_name":"expires_at","reason":"constraint","help_message":"expiration date must be before 2026-02-23T09:00:00Z"}],"message":"invalid argument(s)","type":"invalid_arguments"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.argument_names(), ["expires_at"]);
        assert!(err.to_string().contains("expiration date must be before"));
        let err = parse_create_api_key(&resp(
            403,
            r#"{"details":[{"current":5,"quota":5,"resource":"api_keys"}],"message":"quota(s) exceeded for this resource","type":"quotas_exceeded"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("quotas_exceeded"));
        let err = parse_create_api_key(&resp(
            404,
            &format!(r#"{{"message":"resource is not found","resource":"application","resource_id":"{APP}","type":"not_found"}}"#),
        ))
        .unwrap_err();
        assert!(err.to_string().contains(APP));
    }

    #[test]
    fn list_filters_by_bearer_and_pages() {
        let filter = ApiKeyFilter {
            bearer: Some(Bearer::Application(APP.into())),
            organization_id: Some(ORG.into()),
            expired: Some(false),
            page: Page {
                page: Some(2),
                page_size: Some(10),
            },
        };
        let r = prepare_list_api_keys(&ApiBase::default_base(), &filter).unwrap();
        assert_eq!(
            r.uri(),
            &*format!("https://api.scaleway.com/iam/v1alpha1/api-keys?bearer_id={APP}&bearer_type=application&organization_id={ORG}&expired=false&page=2&page_size=10")
        );
        let r = prepare_list_api_keys(&ApiBase::default_base(), &ApiKeyFilter::default()).unwrap();
        assert_eq!(r.uri(), "https://api.scaleway.com/iam/v1alpha1/api-keys");
        let body = format!(
            r#"{{"api_keys":[{},{}],"total_count":7}}"#,
            key_json(&format!(r#""user_id":"{USER}""#), ""),
            key_json(
                &format!(r#""application_id":"{APP}""#),
                r#","expires_at":"2025-01-01T00:00:00Z""#
            )
            .replace(r#""expires_at":null,"#, "")
        );
        let page = parse_list_api_keys(&resp(200, &body)).unwrap();
        assert_eq!(page.total_count, 7);
        assert_eq!(page.api_keys.len(), 2);
        assert!(!page.api_keys[0].is_expired(NOW));
        assert!(page.api_keys[1].is_expired(NOW));
        assert_eq!(
            parse_list_api_keys(&resp(200, r#"{"total_count":0}"#))
                .unwrap_err()
                .code(),
            "malformed_response"
        );
        assert_eq!(
            parse_list_api_keys(&resp(
                200,
                r#"{"api_keys":[{"access_key":"x"}],"total_count":1}"#
            ))
            .unwrap_err()
            .code(),
            "malformed_response"
        );
    }

    #[test]
    fn delete_is_a_204() {
        let r = prepare_delete_api_key(&ApiBase::default_base(), "SCWABCDEFGHIJKLMNOPQ").unwrap();
        assert_eq!(r.method(), "DELETE");
        assert!(r.body().is_empty());
        assert!(parse_deleted(&resp(204, "")).is_ok());
        let err = parse_deleted(&resp(
            404,
            r#"{"type":"not_found","resource":"api_key","resource_id":"SCWABCDEFGHIJKLMNOPQ"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("not_found"));
    }

    #[test]
    fn applications_list_create_and_get() {
        let r = prepare_list_applications(
            &ApiBase::default_base(),
            &ApplicationFilter {
                organization_id: ORG.into(),
                name: Some("ci bot".into()),
                page: Page::default(),
            },
        )
        .unwrap();
        assert_eq!(r.uri(), &*format!("https://api.scaleway.com/iam/v1alpha1/applications?organization_id={ORG}&name=ci+bot"));
        assert!(
            prepare_list_applications(&ApiBase::default_base(), &ApplicationFilter::default())
                .is_err()
        );

        let app = format!(
            r#"{{"id":"{APP}","name":"ci","description":"","created_at":"2025-11-25T09:00:00Z","updated_at":null,"organization_id":"{ORG}","editable":true,"deletable":true,"managed":false,"nb_api_keys":2,"tags":["ci"]}}"#
        );
        let page = parse_list_applications(&resp(
            200,
            &format!(r#"{{"applications":[{app}],"total_count":1}}"#),
        ))
        .unwrap();
        assert_eq!(page.applications[0].nb_api_keys, 2);
        assert_eq!(page.applications[0].tags, ["ci"]);
        assert_eq!(
            parse_application(&resp(200, &app)).unwrap().organization_id,
            ORG
        );

        let new = NewApplication {
            name: "ci".into(),
            organization_id: ORG.into(),
            description: "deploys".into(),
        };
        let r = prepare_create_application(&ApiBase::default_base(), &new).unwrap();
        assert_eq!(
            std::str::from_utf8(r.body()).unwrap(),
            format!(r#"{{"name":"ci","organization_id":"{ORG}","description":"deploys"}}"#)
        );
        for bad in [
            NewApplication {
                name: " ".into(),
                ..new.clone()
            },
            NewApplication {
                name: "n".repeat(65),
                ..new.clone()
            },
            NewApplication {
                description: "d".repeat(201),
                ..new.clone()
            },
            NewApplication {
                organization_id: "org".into(),
                ..new.clone()
            },
        ] {
            assert_eq!(
                prepare_create_application(&ApiBase::default_base(), &bad)
                    .unwrap_err()
                    .code(),
                "invalid_input"
            );
        }
        let r = prepare_get_application(&ApiBase::default_base(), APP).unwrap();
        assert_eq!(
            r.uri(),
            &*format!("https://api.scaleway.com/iam/v1alpha1/applications/{APP}")
        );
    }

    #[test]
    fn user_lookup_names_the_organization() {
        let r = prepare_get_user(&ApiBase::default_base(), USER).unwrap();
        assert_eq!(
            r.uri(),
            &*format!("https://api.scaleway.com/iam/v1alpha1/users/{USER}")
        );
        let user = parse_user(&resp(200, &format!(r#"{{"id":"{USER}","email":"ops@example.com","username":"ops","organization_id":"{ORG}","type":"owner","mfa":true,"status":"activated","tags":[]}}"#))).unwrap();
        assert_eq!(user.organization_id, ORG);
        assert_eq!(user.email.as_deref(), Some("ops@example.com"));
        assert!(prepare_get_user(&ApiBase::default_base(), "me").is_err());
    }
    #[test]
    fn security_settings_read_the_maximum_key_lifetime() {
        let r = prepare_get_security_settings(&ApiBase::default_base(), ORG).unwrap();
        assert_eq!(r.method(), "GET");
        assert_eq!(
            r.uri().to_string(),
            format!("https://api.scaleway.com/iam/v1alpha1/organizations/{ORG}/security-settings")
        );
        assert!(r.body().is_empty());
        assert_eq!(
            prepare_get_security_settings(&ApiBase::default_base(), "../api-keys")
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        let full = r#"{"enforce_password_renewal":true,"grace_period_duration":"604800s","login_attempts_before_locked":5,"max_login_session_duration":"43200s","max_api_key_expiration_duration":"2592000s"}"#;
        let read = |body: &str| parse_security_settings(&resp(200, body));
        assert_eq!(
            read(full).unwrap().max_api_key_expiration_seconds,
            Some(2_592_000)
        );
        for none in [
            r#"{"max_api_key_expiration_duration":"0s"}"#,
            r#"{"max_api_key_expiration_duration":null}"#,
            r#"{"enforce_password_renewal":false}"#,
        ] {
            assert_eq!(read(none).unwrap().max_api_key_expiration_seconds, None);
        }
        for bad in [
            r#"{"max_api_key_expiration_duration":"30d"}"#,
            r#"{"max_api_key_expiration_duration":"-5s"}"#,
            r#"{"max_api_key_expiration_duration":86400}"#,
        ] {
            assert_eq!(read(bad).unwrap_err().code(), "malformed_response", "{bad}");
        }
        let denied = parse_security_settings(&resp(
            403,
            r#"{"type":"permissions_denied","details":[{"resource":"iam_organization","action":"read"}]}"#,
        ));
        assert_eq!(
            denied.unwrap_err().provider_code(),
            Some("permissions_denied")
        );
    }

    #[test]
    fn durations_are_protobuf_json_seconds() {
        assert_eq!(parse_duration_seconds("3600s"), Some(3600));
        assert_eq!(parse_duration_seconds("2.5s"), Some(2));
        assert_eq!(parse_duration_seconds("0.000000001s"), Some(0));
        for bad in [
            "",
            "s",
            "3600",
            "1.s",
            ".5s",
            "-1s",
            "1e3s",
            "1.0000000001s",
            "1 s",
        ] {
            assert_eq!(parse_duration_seconds(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn expiry_within_the_maximum() {
        let day = 86_400;
        assert!(check_expiry_within(Some("2025-11-26T09:00:00Z"), day, NOW).is_ok());
        assert!(check_expiry_within(Some("2025-11-25T10:00:00Z"), day, NOW).is_ok());
        let late = check_expiry_within(Some("2025-11-26T09:00:01Z"), day, NOW).unwrap_err();
        assert_eq!(late.code(), "expiry_beyond_maximum");
        assert!(late.to_string().contains("at most 1 day"), "{late}");
        let never = check_expiry_within(None, 30 * day, NOW).unwrap_err();
        assert!(never.to_string().contains("at most 30 days"), "{never}");
        assert!(never.to_string().contains("never expires"), "{never}");
        let hours = check_expiry_within(None, 12 * 3600, NOW).unwrap_err();
        assert!(hours.to_string().contains("at most 12 hours"), "{hours}");
    }
}
