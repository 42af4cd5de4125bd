//! Typed Scaleway errors: Scaleway's JSON error bodies (`{"type": ..., "message": ...}`, the
//! "standard errors" that the official SDKs decode) become variants with a stable `code()`
//! and a message that says what the user can do about it.

use super::auth::ScalewayAuthError;
use crate::json::Value;

/// One entry of an `invalid_arguments` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentDetail {
    pub argument_name: String,
    /// `required`, `format`, `constraint` or `unknown`.
    pub reason: String,
    pub help_message: String,
}

/// One entry of a `quotas_exceeded` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaDetail {
    pub resource: String,
    pub quota: Option<u64>,
    pub current: Option<u64>,
}

/// One entry of a `permissions_denied` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionDetail {
    pub resource: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScalewayError {
    /// The secret key or the API base is unusable; nothing was sent.
    #[error(transparent)]
    Auth(#[from] ScalewayAuthError),
    /// An argument failed Keysmith's own check against the API reference; nothing was sent.
    #[error("{0}")]
    InvalidArgument(String),
    /// The chosen expiry lies beyond the Organization's maximum API key lifetime (its security
    /// settings); nothing was created.
    #[error("{}", expiry_message(*.max_seconds, *.never))]
    ExpiryBeyondMaximum { max_seconds: u64, never: bool },
    /// 401: the X-Auth-Token was refused.
    #[error("{}", denied_message(.method, .reason))]
    DeniedAuthentication {
        status: u16,
        method: String,
        reason: String,
    },
    /// 400: Scaleway rejected one or more arguments.
    #[error("{}", arguments_message(.details, .message))]
    InvalidArguments {
        status: u16,
        details: Vec<ArgumentDetail>,
        message: String,
    },
    /// 403: the signer's bearer lacks a permission.
    #[error("{}", permissions_message(.details))]
    PermissionsDenied {
        status: u16,
        details: Vec<PermissionDetail>,
    },
    #[error("{}", quotas_message(.details))]
    QuotasExceeded {
        status: u16,
        details: Vec<QuotaDetail>,
    },
    /// 404.
    #[error("{}", not_found_message(.resource, .resource_id))]
    NotFound {
        status: u16,
        resource: String,
        resource_id: String,
    },
    /// 409: `already_exists`, `resource_already_exists`, `conflict`, `transient_state`.
    #[error("{}", conflict_message(.error_type, .resource, .message))]
    Conflict {
        status: u16,
        error_type: String,
        resource: String,
        message: String,
    },
    /// Any other error body (`precondition_failed`, `too_many_requests`, `expired`,
    /// `locked`, or one without a `type`).
    #[error("{}", other_message(*.status, .error_type.as_deref(), .message))]
    Provider {
        status: u16,
        error_type: Option<String>,
        message: String,
    },
    /// The answer was not what the API reference promises.
    #[error("malformed response from Scaleway (HTTP {status}): {detail}")]
    MalformedResponse { status: u16, detail: String },
    /// The request never got an answer.
    #[error("network error: {0}; check the Scaleway API base setting and your connection")]
    Network(String),
    /// A multi-step action failed part-way; Keysmith undid what it had created.
    #[error("{}", incomplete_message(.cause, .undone, .left_behind))]
    Incomplete {
        cause: Box<ScalewayError>,
        /// What Keysmith created and then deleted again.
        undone: Vec<String>,
        /// What Keysmith created and could not delete: the user must clean it up.
        left_behind: Vec<String>,
    },
}

impl From<crate::response::NetworkError> for ScalewayError {
    fn from(e: crate::response::NetworkError) -> Self {
        Self::Network(e.0)
    }
}

impl ScalewayError {
    /// A stable code for programs (`Error.code` in JS).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Auth(e) => e.code(),
            Self::InvalidArgument(_) => "invalid_input",
            Self::ExpiryBeyondMaximum { .. } => "expiry_beyond_maximum",
            Self::DeniedAuthentication { .. }
            | Self::InvalidArguments { .. }
            | Self::PermissionsDenied { .. }
            | Self::QuotasExceeded { .. }
            | Self::NotFound { .. }
            | Self::Conflict { .. }
            | Self::Provider { .. } => "provider_error",
            Self::MalformedResponse { .. } => "malformed_response",
            Self::Network(_) => "network",
            Self::Incomplete { cause, .. } => cause.code(),
        }
    }

    /// Scaleway's own error `type` (`Error.providerCode` in JS).
    pub fn provider_code(&self) -> Option<&str> {
        match self {
            Self::DeniedAuthentication { .. } => Some("denied_authentication"),
            Self::InvalidArguments { .. } => Some("invalid_arguments"),
            Self::PermissionsDenied { .. } => Some("permissions_denied"),
            Self::QuotasExceeded { .. } => Some("quotas_exceeded"),
            Self::NotFound { .. } => Some("not_found"),
            Self::Conflict { error_type, .. } => Some(error_type),
            Self::Provider { error_type, .. } => error_type.as_deref(),
            Self::Incomplete { cause, .. } => cause.provider_code(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::DeniedAuthentication { status, .. }
            | Self::InvalidArguments { status, .. }
            | Self::PermissionsDenied { status, .. }
            | Self::QuotasExceeded { status, .. }
            | Self::NotFound { status, .. }
            | Self::Conflict { status, .. }
            | Self::Provider { status, .. }
            | Self::MalformedResponse { status, .. } => Some(*status),
            Self::Incomplete { cause, .. } => cause.status(),
            _ => None,
        }
    }

    /// The names of the arguments Scaleway rejected, for a UI to highlight.
    pub fn argument_names(&self) -> Vec<&str> {
        match self {
            Self::InvalidArguments { details, .. } => {
                details.iter().map(|d| d.argument_name.as_str()).collect()
            }
            Self::ExpiryBeyondMaximum { .. } => vec!["expires_at"],
            Self::Incomplete { cause, .. } => cause.argument_names(),
            _ => Vec::new(),
        }
    }

    /// Decodes an error answer (any non-2xx status). A body that is not a JSON object is
    /// a malformed answer: Scaleway always explains its errors.
    pub fn from_error_body(status: u16, body: &[u8]) -> Self {
        let malformed = |detail: &str| Self::MalformedResponse {
            status,
            detail: detail.to_owned(),
        };
        let Ok(text) = std::str::from_utf8(body) else {
            return malformed("an error body that is not UTF-8");
        };
        if text.trim().is_empty() {
            return malformed("an error status with an empty body");
        }
        let Ok(value) = crate::json::parse(text) else {
            return malformed("an error body that is not JSON");
        };
        if !value.is_object() {
            return malformed("an error body that is not a JSON object");
        }
        let text_of = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let details = || {
            value
                .get("details")
                .and_then(Value::as_array)
                .unwrap_or(&[])
        };
        let detail_text = |d: &Value<'_>, key: &str| {
            d.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let message = text_of("message");
        let error_type = value.get("type").and_then(Value::as_str);
        match error_type {
            Some("denied_authentication") => Self::DeniedAuthentication {
                status,
                method: text_of("method"),
                reason: text_of("reason"),
            },
            Some("invalid_arguments") => Self::InvalidArguments {
                status,
                details: details()
                    .iter()
                    .map(|d| ArgumentDetail {
                        argument_name: detail_text(d, "argument_name"),
                        reason: detail_text(d, "reason"),
                        help_message: detail_text(d, "help_message"),
                    })
                    .collect(),
                message,
            },
            Some("permissions_denied") => Self::PermissionsDenied {
                status,
                details: details()
                    .iter()
                    .map(|d| PermissionDetail {
                        resource: detail_text(d, "resource"),
                        action: detail_text(d, "action"),
                    })
                    .collect(),
            },
            Some("quotas_exceeded") => Self::QuotasExceeded {
                status,
                details: details()
                    .iter()
                    .map(|d| QuotaDetail {
                        resource: detail_text(d, "resource"),
                        quota: d.get("quota").and_then(Value::as_u64),
                        current: d.get("current").and_then(Value::as_u64),
                    })
                    .collect(),
            },
            Some("not_found") => Self::NotFound {
                status,
                resource: text_of("resource"),
                resource_id: text_of("resource_id"),
            },
            Some(
                t @ ("already_exists" | "resource_already_exists" | "conflict" | "transient_state"),
            ) => Self::Conflict {
                status,
                error_type: t.to_owned(),
                resource: text_of("resource"),
                message: first_non_empty(&[&text_of("help_message"), &message]),
            },
            other => {
                if other.is_none() && message.is_empty() {
                    return malformed("an error body with neither a type nor a message");
                }
                Self::Provider {
                    status,
                    error_type: other.map(str::to_owned),
                    message: first_non_empty(&[&text_of("help_message"), &message]),
                }
            }
        }
    }
}

fn first_non_empty(candidates: &[&str]) -> String {
    candidates
        .iter()
        .find(|s| !s.is_empty())
        .copied()
        .unwrap_or_default()
        .to_owned()
}

fn denied_message(method: &str, reason: &str) -> String {
    let method = if method.is_empty() { "api_key" } else { method };
    let advice = match reason {
        "invalid_argument" => {
            "the secret key is missing or malformed; paste the signer's secret key (a UUID) again"
        }
        "not_found" => {
            "no API key has this secret key; it may have been deleted: create a new key in the console and save it as the signer"
        }
        "expired" => "the signer's API key has expired: create a new one and save it as the signer",
        _ => "check the signer's secret key",
    };
    format!("Scaleway refused the signer's credentials (denied_authentication: {method} {reason}): {advice}")
}

fn arguments_message(details: &[ArgumentDetail], message: &str) -> String {
    if details.is_empty() {
        let message = if message.is_empty() {
            "no details given"
        } else {
            message
        };
        return format!("Scaleway rejected the request's arguments (invalid_arguments): {message}");
    }
    let list: Vec<String> = details
        .iter()
        .map(|d| {
            let what = match d.reason.as_str() {
                "required" => "is required",
                "format" => "is wrongly formatted",
                "constraint" => "does not respect a constraint",
                _ => "is invalid",
            };
            if d.help_message.is_empty() {
                format!("{} {what}", d.argument_name)
            } else {
                format!("{} {what} ({})", d.argument_name, d.help_message)
            }
        })
        .collect();
    format!(
        "Scaleway rejected the request's arguments (invalid_arguments): {}; correct the field and try again",
        list.join("; ")
    )
}

/// Which IAM permission set grants access to a Scaleway resource family.
fn permission_set_for(resource: &str) -> &'static str {
    if resource.starts_with("secret_manager") || resource.starts_with("secret") {
        "SecretManagerFullAccess"
    } else if resource.starts_with("project") || resource.starts_with("account") {
        "ProjectManager (or ProjectReadOnly to list)"
    } else if resource.contains("application") {
        "IAMManager (or IAMApplicationManager)"
    } else {
        "IAMManager"
    }
}

fn permissions_message(details: &[PermissionDetail]) -> String {
    if details.is_empty() {
        return "Scaleway denied the request (permissions_denied): the signer's bearer lacks a permission; attach a policy with the needed permission set to it".to_owned();
    }
    let list: Vec<String> = details
        .iter()
        .map(|d| format!("{} {}", d.action, d.resource))
        .collect();
    format!(
        "Scaleway denied the request (permissions_denied: {}): attach a policy granting {} to the signer's user or application",
        list.join(", "),
        permission_set_for(&details[0].resource)
    )
}

/// "30 days", "12 hours", "90 minutes", "45 seconds": the largest unit that divides evenly.
fn describe_duration(seconds: u64) -> String {
    let (count, unit) = [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| seconds.is_multiple_of(*size))
        .map_or((seconds, "second"), |(size, name)| (seconds / size, name));
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

fn expiry_message(max_seconds: u64, never: bool) -> String {
    let max = describe_duration(max_seconds);
    let chosen = if never {
        "a key that never expires"
    } else {
        "this expiry"
    };
    format!(
        "your Organization allows API keys to live at most {max} (max_api_key_expiration_duration in its IAM security settings), so Scaleway would refuse {chosen}; choose an expiry within {max} from now"
    )
}

fn quotas_message(details: &[QuotaDetail]) -> String {
    let list: Vec<String> = details
        .iter()
        .map(|d| match (d.current, d.quota) {
            (Some(c), Some(q)) => format!("{} {c}/{q}", d.resource),
            _ => d.resource.clone(),
        })
        .collect();
    format!(
        "Scaleway quota reached (quotas_exceeded: {}): delete unused API keys or applications, or ask Scaleway to raise the Organization's quota",
        if list.is_empty() { "no details".to_owned() } else { list.join(", ") }
    )
}

fn not_found_message(resource: &str, resource_id: &str) -> String {
    let resource = if resource.is_empty() {
        "resource"
    } else {
        resource
    };
    if resource_id.is_empty() {
        format!("Scaleway found no such {resource} (not_found): check the ID, and that it belongs to the signer's Organization")
    } else {
        format!("Scaleway found no {resource} {resource_id} (not_found): check the ID, and that it belongs to the signer's Organization")
    }
}

fn conflict_message(error_type: &str, resource: &str, message: &str) -> String {
    let advice = match error_type {
        "already_exists" | "resource_already_exists" => "choose another name",
        "transient_state" => "wait a moment and retry",
        _ => "the resource changed meanwhile; reload and retry",
    };
    let mut text = format!("Scaleway reported a conflict ({error_type}");
    if !resource.is_empty() {
        text.push_str(" on ");
        text.push_str(resource);
    }
    text.push(')');
    if !message.is_empty() {
        text.push_str(": ");
        text.push_str(message);
    }
    text.push_str("; ");
    text.push_str(advice);
    text
}

fn other_message(status: u16, error_type: Option<&str>, message: &str) -> String {
    let advice = match error_type {
        Some("too_many_requests") => " (wait a moment and retry)",
        Some("expired") => " (the resource expired)",
        Some("locked") => " (the resource is locked by Scaleway; contact support)",
        _ => "",
    };
    match error_type {
        Some(t) => format!("Scaleway error {t} (HTTP {status}): {message}{advice}"),
        None => format!("Scaleway error (HTTP {status}): {message}"),
    }
}

fn incomplete_message(cause: &ScalewayError, undone: &[String], left_behind: &[String]) -> String {
    let mut text = cause.to_string();
    if !undone.is_empty() {
        text.push_str(&format!(
            ". Nothing was kept: Keysmith deleted what it had created ({})",
            undone.join(", ")
        ));
    }
    if !left_behind.is_empty() {
        text.push_str(&format!(
            ". Keysmith could not delete {}: delete it in the Scaleway console",
            left_behind.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(status: u16, body: &str) -> ScalewayError {
        ScalewayError::from_error_body(status, body.as_bytes())
    }

    #[test]
    fn denied_authentication_names_the_reason() {
        for (reason, advice) in [
            ("invalid_argument", "malformed"),
            ("not_found", "deleted"),
            ("expired", "expired"),
        ] {
            let err = decode(
                401,
                &format!(
                    r#"{{"message":"authentication is denied","method":"api_key","reason":"{reason}","type":"denied_authentication"}}"#
                ),
            );
            assert_eq!(err.code(), "provider_error");
            assert_eq!(err.provider_code(), Some("denied_authentication"));
            assert_eq!(err.status(), Some(401));
            assert!(err.to_string().contains(advice), "{err}");
        }
    }

    #[test]
    fn invalid_arguments_list_each_field() {
        let err = decode(
            400,
            r#"{"details":[{"argument_name":"description","reason":"constraint","help_message":"must be at most 200 characters"},{"argument_name":"user_id","reason":"format"},{"argument_name":"x","reason":"unknown"}],"message":"invalid argument(s)","type":"invalid_arguments"}"#,
        );
        assert_eq!(err.provider_code(), Some("invalid_arguments"));
        assert_eq!(err.argument_names(), ["description", "user_id", "x"]);
        let text = err.to_string();
        assert!(
            text.contains(
                "description does not respect a constraint (must be at most 200 characters)"
            ),
            "{text}"
        );
        assert!(text.contains("user_id is wrongly formatted"), "{text}");
        assert!(text.contains("x is invalid"), "{text}");
        // Without details the message is kept.
        let err = decode(400, r#"{"type":"invalid_arguments","message":"bad page"}"#);
        assert!(err.to_string().contains("bad page"));
    }

    #[test]
    fn permissions_quotas_not_found_and_conflicts() {
        let err = decode(
            403,
            r#"{"details":[{"action":"write","resource":"iam_api_key"}],"message":"insufficient permissions","type":"permissions_denied"}"#,
        );
        assert_eq!(err.provider_code(), Some("permissions_denied"));
        assert!(err.to_string().contains("write iam_api_key"));
        assert!(err.to_string().contains("IAMManager"));
        let err = decode(
            403,
            r#"{"details":[{"action":"write","resource":"secret_manager_secret"}],"type":"permissions_denied"}"#,
        );
        assert!(err.to_string().contains("SecretManagerFullAccess"));

        let err = decode(
            403,
            r#"{"details":[{"current":10,"quota":10,"resource":"api_keys"}],"message":"quota(s) exceeded","type":"quotas_exceeded"}"#,
        );
        assert_eq!(err.provider_code(), Some("quotas_exceeded"));
        assert!(err.to_string().contains("api_keys 10/10"));
        assert!(err.to_string().contains("delete unused API keys"));

        let err = decode(
            404,
            r#"{"message":"resource is not found","resource":"api_key","resource_id":"SCWAAAAAAAAAAAAAAAAA","type":"not_found"}"#,
        );
        assert_eq!(err.provider_code(), Some("not_found"));
        assert!(err.to_string().contains("no api_key SCWAAAAAAAAAAAAAAAAA"));

        for t in ["already_exists", "resource_already_exists"] {
            let err = decode(
                409,
                &format!(
                    r#"{{"type":"{t}","resource":"secret","resource_id":"unknown","help_message":"a secret with this name already exists"}}"#
                ),
            );
            assert_eq!(err.provider_code(), Some(t));
            assert_eq!(err.status(), Some(409));
            assert!(err.to_string().contains("choose another name"), "{err}");
        }
        let err = decode(409, r#"{"message":"Group is in use.","type":"conflict"}"#);
        assert_eq!(err.provider_code(), Some("conflict"));
        assert!(err.to_string().contains("Group is in use."));
    }

    #[test]
    fn other_and_untyped_errors_keep_the_message() {
        let err = decode(
            429,
            r#"{"type":"too_many_requests","help_message":"slow down","limit":{"quota":3}}"#,
        );
        assert_eq!(err.provider_code(), Some("too_many_requests"));
        assert!(err.to_string().contains("slow down"));
        let err = decode(
            412,
            r#"{"type":"precondition_failed","precondition":"resource_still_in_use","help_message":"detach first"}"#,
        );
        assert!(err.to_string().contains("detach first"));
        let err = decode(500, r#"{"message":"internal error"}"#);
        assert_eq!(err.code(), "provider_error");
        assert_eq!(err.provider_code(), None);
        assert!(err.to_string().contains("internal error"));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for (status, body) in [
            (502, "<html>Bad gateway</html>"),
            (500, ""),
            (401, "[1,2]"),
            (400, "{}"),
            (400, "{\"type\":1}"),
            (403, "{\"details\":"),
        ] {
            let err = decode(status, body);
            assert_eq!(err.code(), "malformed_response", "{status} {body:?}: {err}");
            assert_eq!(err.status(), Some(status));
        }
        let err = ScalewayError::from_error_body(500, &[0xff, 0xfe]);
        assert_eq!(err.code(), "malformed_response");
        // Typed errors with badly typed details degrade to empty details, never panic.
        let err = decode(400, r#"{"type":"invalid_arguments","details":{"a":1}}"#);
        assert_eq!(err.provider_code(), Some("invalid_arguments"));
        let err = decode(
            403,
            r#"{"type":"quotas_exceeded","details":[{"resource":"x","quota":"10"}]}"#,
        );
        assert!(err.to_string().contains("x"));
    }

    #[test]
    fn incomplete_reports_what_was_undone_and_left() {
        let cause = decode(500, r#"{"message":"boom"}"#);
        let err = ScalewayError::Incomplete {
            cause: Box::new(cause),
            undone: vec!["API key SCWAAAAAAAAAAAAAAAAA".into()],
            left_behind: vec!["secret 1111".into()],
        };
        assert_eq!(err.code(), "provider_error");
        assert_eq!(err.status(), Some(500));
        let text = err.to_string();
        assert!(text.contains("boom"));
        assert!(text.contains("deleted what it had created (API key SCWAAAAAAAAAAAAAAAAA)"));
        assert!(text.contains("could not delete secret 1111"));
    }
}
