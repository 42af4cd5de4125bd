//! IAM (global, Query protocol, `Version=2010-05-08`): users, their access keys, and the
//! managed policies attached to them.

use super::error::{AwsError, SigningError};
use super::query::{
    decode_ack, decode_list, decode_result, prepare_query_call, validate_tags, HttpResponse,
    ListSpec, Params, PreparedCall, Tag,
};
use super::{validate_user_name, Endpoint};
use crate::secret::SecretString;

const VERSION: &str = "2010-05-08";
const HOST: &str = "iam.amazonaws.com";
/// IAM is global; its signing scope is always us-east-1 in the commercial partition.
const REGION: &str = "us-east-1";

fn call(
    endpoint: &Endpoint,
    action: &str,
    params: &Params<'_>,
) -> Result<PreparedCall, SigningError> {
    prepare_query_call(endpoint, HOST, REGION, "iam", action, VERSION, params)
}

fn invalid(message: String) -> SigningError {
    SigningError::InvalidOptions(message)
}

/// A freshly created access key. The secret is shown by AWS exactly once.
#[derive(Debug)]
pub struct CreatedAccessKey {
    pub user_name: String,
    pub access_key_id: String,
    pub status: String,
    pub create_date: String,
    pub secret_access_key: SecretString,
}

/// Access key ids: 16-128 letters and digits (`AKIA...`, `ASIA...`).
pub fn validate_access_key_id(id: &str) -> Result<(), SigningError> {
    if (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{id}\" is not an access key id (16-128 letters and digits, like AKIA...)"
        )))
    }
}

/// IAM paths: `/`, or `/` + printable ASCII + `/`, at most 512 characters.
pub fn validate_path(path: &str) -> Result<(), SigningError> {
    let ok = path == "/"
        || (path.len() <= 512
            && path.len() >= 2
            && path.starts_with('/')
            && path.ends_with('/')
            && path.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{path}\" is not an IAM path (\"/\" or \"/division/team/\", printable ASCII, no spaces)"
        )))
    }
}

/// A pagination marker is opaque, but goes back into a form body: printable, bounded.
fn validate_marker(marker: &str) -> Result<(), SigningError> {
    if !marker.is_empty() && marker.len() <= 320 && !marker.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(invalid("invalid pagination marker".into()))
    }
}

/// `CreateAccessKey` for `user_name`, or for the signing user when `None`.
pub fn prepare_create_access_key(
    endpoint: &Endpoint,
    user_name: Option<&str>,
) -> Result<PreparedCall, SigningError> {
    let mut params = Params::new();
    if let Some(name) = user_name {
        validate_user_name(name)?;
        params.add("UserName", name);
    }
    call(endpoint, "CreateAccessKey", &params)
}

pub fn parse_create_access_key(response: &HttpResponse) -> Result<CreatedAccessKey, AwsError> {
    let key = decode_result(
        response,
        "CreateAccessKeyResponse",
        &["CreateAccessKeyResult", "AccessKey"],
        &[
            "UserName",
            "AccessKeyId",
            "Status",
            "SecretAccessKey",
            "CreateDate",
        ],
    )?;
    Ok(CreatedAccessKey {
        user_name: key.required("UserName")?.to_owned(),
        access_key_id: key.required("AccessKeyId")?.to_owned(),
        status: key.required("Status")?.to_owned(),
        create_date: key.optional("CreateDate").unwrap_or_default().to_owned(),
        secret_access_key: SecretString::copy_from(key.required("SecretAccessKey")?),
    })
}

/// The status of an access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStatus {
    /// Valid for API calls.
    Active,
    /// Refused by AWS, but still counted against the two-key quota until deleted.
    Inactive,
    /// Expired (keys of some account types); also still counted.
    Expired,
    /// A status this version of Keysmith does not know; shown as AWS wrote it.
    Other(String),
}

impl KeyStatus {
    pub fn parse(status: &str) -> Self {
        match status {
            "Active" => Self::Active,
            "Inactive" => Self::Inactive,
            "Expired" => Self::Expired,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Expired => "Expired",
            Self::Other(s) => s,
        }
    }
}

/// One row of `ListAccessKeys` (never the secret: AWS shows that only at creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyMetadata {
    pub user_name: String,
    pub access_key_id: String,
    pub status: KeyStatus,
    pub create_date: String,
}

/// One page of a paginated IAM list; `next_marker` is set when there are more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_marker: Option<String>,
}

/// `ListAccessKeys` for `user_name` (or the signer), from `marker` when paginating.
pub fn prepare_list_access_keys(
    endpoint: &Endpoint,
    user_name: Option<&str>,
    marker: Option<&str>,
) -> Result<PreparedCall, SigningError> {
    let mut params = Params::new();
    if let Some(name) = user_name {
        validate_user_name(name)?;
        params.add("UserName", name);
    }
    if let Some(marker) = marker {
        validate_marker(marker)?;
        params.add("Marker", marker);
    }
    call(endpoint, "ListAccessKeys", &params)
}

/// `IsTruncated` + `Marker`: the marker of the next page, if any. A truncated page without a
/// marker cannot be continued, so it is malformed rather than silently complete.
fn next_marker(fields: &super::query::Fields<'_>, status: u16) -> Result<Option<String>, AwsError> {
    if !fields.flag("IsTruncated")? {
        return Ok(None);
    }
    match fields.optional("Marker").map(str::trim) {
        Some(m) if !m.is_empty() => Ok(Some(m.to_owned())),
        _ => Err(AwsError::MalformedResponse {
            status,
            detail: "IsTruncated is true but there is no <Marker>".into(),
        }),
    }
}

pub fn parse_list_access_keys(
    response: &HttpResponse,
) -> Result<Page<AccessKeyMetadata>, AwsError> {
    let decoded = decode_list(
        response,
        "ListAccessKeysResponse",
        &["ListAccessKeysResult"],
        &["IsTruncated", "Marker"],
        &ListSpec {
            list: "AccessKeyMetadata",
            item: "member",
            leaves: &["UserName", "AccessKeyId", "Status", "CreateDate"],
        },
    )?;
    let items = decoded
        .items
        .iter()
        .map(|m| {
            Ok(AccessKeyMetadata {
                user_name: m.optional("UserName").unwrap_or_default().to_owned(),
                access_key_id: m.required("AccessKeyId")?.to_owned(),
                status: KeyStatus::parse(m.required("Status")?),
                create_date: m.optional("CreateDate").unwrap_or_default().to_owned(),
            })
        })
        .collect::<Result<_, AwsError>>()?;
    Ok(Page {
        items,
        next_marker: next_marker(&decoded.fields, response.status)?,
    })
}

/// When and where a key was last used. AWS writes `N/A` for a key never used (since April
/// 2015); those become `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyLastUsed {
    pub user_name: String,
    pub last_used_date: Option<String>,
    pub service_name: Option<String>,
    pub region: Option<String>,
}

impl AccessKeyLastUsed {
    pub fn never_used(&self) -> bool {
        self.last_used_date.is_none()
    }
}

pub fn prepare_get_access_key_last_used(
    endpoint: &Endpoint,
    access_key_id: &str,
) -> Result<PreparedCall, SigningError> {
    validate_access_key_id(access_key_id)?;
    let mut params = Params::new();
    params.add("AccessKeyId", access_key_id);
    call(endpoint, "GetAccessKeyLastUsed", &params)
}

pub fn parse_get_access_key_last_used(
    response: &HttpResponse,
) -> Result<AccessKeyLastUsed, AwsError> {
    let result = decode_result(
        response,
        "GetAccessKeyLastUsedResponse",
        &["GetAccessKeyLastUsedResult"],
        &["UserName"],
    )?;
    let used = decode_result(
        response,
        "GetAccessKeyLastUsedResponse",
        &["GetAccessKeyLastUsedResult", "AccessKeyLastUsed"],
        &["LastUsedDate", "ServiceName", "Region"],
    )?;
    let known = |name: &str| {
        used.optional(name)
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "N/A")
            .map(str::to_owned)
    };
    Ok(AccessKeyLastUsed {
        user_name: result.optional("UserName").unwrap_or_default().to_owned(),
        last_used_date: known("LastUsedDate"),
        service_name: known("ServiceName"),
        region: known("Region"),
    })
}

/// `UpdateAccessKey`: only `Active` and `Inactive` can be set.
pub fn prepare_update_access_key(
    endpoint: &Endpoint,
    user_name: Option<&str>,
    access_key_id: &str,
    status: &KeyStatus,
) -> Result<PreparedCall, SigningError> {
    validate_access_key_id(access_key_id)?;
    let status = match status {
        KeyStatus::Active | KeyStatus::Inactive => status.as_str(),
        other => {
            return Err(invalid(format!(
                "an access key can be set Active or Inactive, not {}",
                other.as_str()
            )))
        }
    };
    let mut params = Params::new();
    if let Some(name) = user_name {
        validate_user_name(name)?;
        params.add("UserName", name);
    }
    params
        .add("AccessKeyId", access_key_id)
        .add("Status", status);
    call(endpoint, "UpdateAccessKey", &params)
}

pub fn parse_update_access_key(response: &HttpResponse) -> Result<(), AwsError> {
    decode_ack(response, "UpdateAccessKeyResponse")
}

pub fn prepare_delete_access_key(
    endpoint: &Endpoint,
    user_name: Option<&str>,
    access_key_id: &str,
) -> Result<PreparedCall, SigningError> {
    validate_access_key_id(access_key_id)?;
    let mut params = Params::new();
    if let Some(name) = user_name {
        validate_user_name(name)?;
        params.add("UserName", name);
    }
    params.add("AccessKeyId", access_key_id);
    call(endpoint, "DeleteAccessKey", &params)
}

pub fn parse_delete_access_key(response: &HttpResponse) -> Result<(), AwsError> {
    decode_ack(response, "DeleteAccessKeyResponse")
}

/// A user as `CreateUser` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub user_name: String,
    pub user_id: String,
    pub arn: String,
    pub path: String,
    pub create_date: String,
}

/// `CreateUser` with an optional path (default `/`) and tags.
pub fn prepare_create_user(
    endpoint: &Endpoint,
    user_name: &str,
    path: Option<&str>,
    tags: &[Tag],
) -> Result<PreparedCall, SigningError> {
    validate_user_name(user_name)?;
    if let Some(path) = path {
        validate_path(path)?;
    }
    validate_tags(tags)?;
    let mut params = Params::new();
    params.add("UserName", user_name).add_opt("Path", path);
    params.add_tags("Tags.member", tags);
    call(endpoint, "CreateUser", &params)
}

pub fn parse_create_user(response: &HttpResponse) -> Result<User, AwsError> {
    let user = decode_result(
        response,
        "CreateUserResponse",
        &["CreateUserResult", "User"],
        &["UserName", "UserId", "Arn", "Path", "CreateDate"],
    )?;
    Ok(User {
        user_name: user.required("UserName")?.to_owned(),
        user_id: user.required("UserId")?.to_owned(),
        arn: user.required("Arn")?.to_owned(),
        path: user.optional("Path").unwrap_or("/").to_owned(),
        create_date: user.optional("CreateDate").unwrap_or_default().to_owned(),
    })
}

/// What `AttachUserPolicy` attaches: one of Keysmith's templates, or a policy ARN the user
/// typed (validated, so a typo fails here rather than as an AWS `InvalidInput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTemplate {
    /// AWS managed `AmazonEC2FullAccess`.
    Ec2FullAccess,
    /// AWS managed `ReadOnlyAccess`.
    ReadOnly,
    Custom(String),
}

impl PolicyTemplate {
    /// `ec2-full-access`, `read-only`, or an ARN.
    pub fn parse(text: &str) -> Result<Self, SigningError> {
        match text {
            "ec2-full-access" => Ok(Self::Ec2FullAccess),
            "read-only" => Ok(Self::ReadOnly),
            arn => {
                validate_policy_arn(arn)?;
                Ok(Self::Custom(arn.to_owned()))
            }
        }
    }

    pub fn arn(&self) -> &str {
        match self {
            Self::Ec2FullAccess => "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
            Self::ReadOnly => "arn:aws:iam::aws:policy/ReadOnlyAccess",
            Self::Custom(arn) => arn,
        }
    }
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, ...
fn valid_partition(p: &str) -> bool {
    p == "aws"
        || p.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty()
                && !rest.ends_with('-')
                && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        })
}

/// `path/name` where each segment is 1-128 of `[\w+=,.@-]`.
fn valid_path_and_name(resource: &str) -> bool {
    !resource.is_empty()
        && resource.split('/').all(|segment| {
            (1..=128).contains(&segment.len())
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
        })
}

/// `arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME`, ACCOUNT being 12 digits or `aws`
/// (AWS managed policies).
pub fn validate_policy_arn(arn: &str) -> Result<(), SigningError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = arn.len() <= 2048
        && parts.len() == 6
        && parts[0] == "arn"
        && valid_partition(parts[1])
        && parts[2] == "iam"
        && parts[3].is_empty()
        && (parts[4] == "aws"
            || (parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit())))
        && parts[5]
            .strip_prefix("policy/")
            .is_some_and(valid_path_and_name);
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{arn}\" is not an IAM policy ARN (arn:aws:iam::123456789012:policy/NAME, or \
             arn:aws:iam::aws:policy/NAME for an AWS managed policy)"
        )))
    }
}

/// `AttachUserPolicy`. Attaching an attached policy again succeeds: idempotent.
pub fn prepare_attach_user_policy(
    endpoint: &Endpoint,
    user_name: &str,
    policy: &PolicyTemplate,
) -> Result<PreparedCall, SigningError> {
    validate_user_name(user_name)?;
    validate_policy_arn(policy.arn())?;
    let mut params = Params::new();
    params
        .add("UserName", user_name)
        .add("PolicyArn", policy.arn());
    call(endpoint, "AttachUserPolicy", &params)
}

pub fn parse_attach_user_policy(response: &HttpResponse) -> Result<(), AwsError> {
    decode_ack(response, "AttachUserPolicyResponse")
}

/// A managed policy attached to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

pub fn prepare_list_attached_user_policies(
    endpoint: &Endpoint,
    user_name: &str,
    marker: Option<&str>,
) -> Result<PreparedCall, SigningError> {
    validate_user_name(user_name)?;
    let mut params = Params::new();
    params.add("UserName", user_name);
    if let Some(marker) = marker {
        validate_marker(marker)?;
        params.add("Marker", marker);
    }
    call(endpoint, "ListAttachedUserPolicies", &params)
}

pub fn parse_list_attached_user_policies(
    response: &HttpResponse,
) -> Result<Page<AttachedPolicy>, AwsError> {
    let decoded = decode_list(
        response,
        "ListAttachedUserPoliciesResponse",
        &["ListAttachedUserPoliciesResult"],
        &["IsTruncated", "Marker"],
        &ListSpec {
            list: "AttachedPolicies",
            item: "member",
            leaves: &["PolicyName", "PolicyArn"],
        },
    )?;
    let items = decoded
        .items
        .iter()
        .map(|m| {
            Ok(AttachedPolicy {
                policy_name: m.required("PolicyName")?.to_owned(),
                policy_arn: m.required("PolicyArn")?.to_owned(),
            })
        })
        .collect::<Result<_, AwsError>>()?;
    Ok(Page {
        items,
        next_marker: next_marker(&decoded.fields, response.status)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> HttpResponse {
        HttpResponse::new(200, body.as_bytes())
    }

    fn form(call: &PreparedCall) -> &str {
        std::str::from_utf8(call.request.body()).unwrap()
    }

    const E: fn() -> Endpoint = Endpoint::aws;

    #[test]
    fn parses_the_documented_create_access_key_answer() {
        let body = r#"<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
   <CreateAccessKeyResult>
     <AccessKey>
         <UserName>Bob</UserName>
         <AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId>
         <Status>Active</Status>
         <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
         <CreateDate>2026-11-25T09:00:00Z</CreateDate>
      </AccessKey>
   </CreateAccessKeyResult>
   <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</CreateAccessKeyResponse>"#;
        let key = parse_create_access_key(&ok(body)).unwrap();
        assert_eq!(key.user_name, "Bob");
        assert_eq!(key.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(key.status, "Active");
        assert_eq!(
            key.secret_access_key.expose_secret(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        );
        assert!(!format!("{key:?}").contains("wJalr"));
    }

    #[test]
    fn limit_exceeded_says_what_to_do() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>LimitExceeded</Code><Message>Cannot exceed quota for AccessKeysPerUser: 2</Message></Error></ErrorResponse>";
        let err = parse_create_access_key(&HttpResponse::new(409, body.as_bytes())).unwrap_err();
        assert!(err.is_key_limit());
        assert!(
            err.to_string().contains("deactivate or delete one"),
            "{err}"
        );
    }

    #[test]
    fn builders_write_exact_form_bodies() {
        let cases: Vec<(PreparedCall, &str)> = vec![
            (
                prepare_create_access_key(&E(), Some("bob")).unwrap(),
                "Action=CreateAccessKey&Version=2010-05-08&UserName=bob",
            ),
            (
                prepare_create_access_key(&E(), None).unwrap(),
                "Action=CreateAccessKey&Version=2010-05-08",
            ),
            (
                prepare_list_access_keys(&E(), Some("bob"), None).unwrap(),
                "Action=ListAccessKeys&Version=2010-05-08&UserName=bob",
            ),
            (
                prepare_list_access_keys(&E(), None, Some("AQ+/=m")).unwrap(),
                "Action=ListAccessKeys&Version=2010-05-08&Marker=AQ%2B%2F%3Dm",
            ),
            (
                prepare_get_access_key_last_used(&E(), "AKIAIOSFODNN7EXAMPLE").unwrap(),
                "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=AKIAIOSFODNN7EXAMPLE",
            ),
            (
                prepare_update_access_key(&E(), Some("bob"), "AKIAIOSFODNN7EXAMPLE", &KeyStatus::Inactive)
                    .unwrap(),
                "Action=UpdateAccessKey&Version=2010-05-08&UserName=bob&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=Inactive",
            ),
            (
                prepare_update_access_key(&E(), None, "AKIAIOSFODNN7EXAMPLE", &KeyStatus::Active).unwrap(),
                "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=Active",
            ),
            (
                prepare_delete_access_key(&E(), Some("bob"), "AKIAIOSFODNN7EXAMPLE").unwrap(),
                "Action=DeleteAccessKey&Version=2010-05-08&UserName=bob&AccessKeyId=AKIAIOSFODNN7EXAMPLE",
            ),
            (
                prepare_create_user(
                    &E(),
                    "deploy-bot",
                    Some("/ci/"),
                    &[Tag { key: "team".into(), value: "platform".into() }],
                )
                .unwrap(),
                "Action=CreateUser&Version=2010-05-08&UserName=deploy-bot&Path=%2Fci%2F\
                 &Tags.member.1.Key=team&Tags.member.1.Value=platform",
            ),
            (
                prepare_create_user(&E(), "bob", None, &[]).unwrap(),
                "Action=CreateUser&Version=2010-05-08&UserName=bob",
            ),
            (
                prepare_attach_user_policy(&E(), "bob", &PolicyTemplate::Ec2FullAccess).unwrap(),
                "Action=AttachUserPolicy&Version=2010-05-08&UserName=bob\
                 &PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAmazonEC2FullAccess",
            ),
            (
                prepare_attach_user_policy(&E(), "bob", &PolicyTemplate::ReadOnly).unwrap(),
                "Action=AttachUserPolicy&Version=2010-05-08&UserName=bob\
                 &PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
            ),
            (
                prepare_list_attached_user_policies(&E(), "bob", None).unwrap(),
                "Action=ListAttachedUserPolicies&Version=2010-05-08&UserName=bob",
            ),
        ];
        for (call, body) in &cases {
            assert_eq!(form(call), *body);
            assert_eq!(call.request.uri(), "https://iam.amazonaws.com/");
            assert_eq!(call.region, "us-east-1");
            assert_eq!(call.service, "iam");
        }
    }

    #[test]
    fn inputs_are_validated_before_anything_is_built() {
        assert!(validate_user_name("deploy-bot@example.com").is_ok());
        assert!(validate_user_name("").is_err());
        assert!(validate_user_name("a/b").is_err());
        assert!(validate_user_name(&"x".repeat(65)).is_err());
        assert!(prepare_create_access_key(&E(), Some("a b")).is_err());
        assert!(prepare_get_access_key_last_used(&E(), "AKIA").is_err());
        assert!(prepare_delete_access_key(&E(), None, "AKIA&Action=DeleteUser").is_err());
        assert!(
            prepare_update_access_key(&E(), None, "AKIAIOSFODNN7EXAMPLE", &KeyStatus::Expired)
                .is_err()
        );
        assert!(prepare_create_user(&E(), "bob", Some("no-slashes"), &[]).is_err());
        assert!(prepare_create_user(&E(), "bob", Some("/a b/"), &[]).is_err());
        assert!(prepare_create_user(&E(), "bob", Some("/"), &[]).is_ok());
        assert!(prepare_list_access_keys(&E(), None, Some("")).is_err());
        assert!(prepare_list_access_keys(&E(), None, Some("a\nb")).is_err());
    }

    #[test]
    fn policy_templates_and_arns() {
        assert_eq!(
            PolicyTemplate::parse("ec2-full-access").unwrap().arn(),
            "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
        );
        assert_eq!(
            PolicyTemplate::parse("read-only").unwrap().arn(),
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        );
        for ok in [
            "arn:aws:iam::123456789012:policy/KeyIssuer",
            "arn:aws:iam::123456789012:policy/division/team/Key_Issuer+=,.@-",
            "arn:aws-us-gov:iam::123456789012:policy/X",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
        ] {
            assert_eq!(PolicyTemplate::parse(ok).unwrap().arn(), ok);
        }
        for bad in [
            "",
            "AmazonEC2FullAccess",
            "arn:aws:iam::12345678901:policy/X",
            "arn:aws:iam::123456789012:role/X",
            "arn:aws:iam:us-east-1:123456789012:policy/X",
            "arn:aws:s3::123456789012:policy/X",
            "arn:azure:iam::123456789012:policy/X",
            "arn:aws-:iam::123456789012:policy/X",
            "arn:aws:iam::123456789012:policy/",
            "arn:aws:iam::123456789012:policy/a//b",
            "arn:aws:iam::123456789012:policy/a b",
            "arn:aws:iam::123456789012:policy/x&Action=DeleteUser",
        ] {
            let err = PolicyTemplate::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_options", "{bad}");
        }
    }

    #[test]
    fn truncated_page_without_marker_is_malformed() {
        let body = "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/><IsTruncated>true</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>";
        assert_eq!(
            parse_list_access_keys(&ok(body)).unwrap_err().code(),
            "malformed_response"
        );
    }

    #[test]
    fn never_used_key_reads_as_none() {
        let body = "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult><UserName>bob</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed></GetAccessKeyLastUsedResult></GetAccessKeyLastUsedResponse>";
        let used = parse_get_access_key_last_used(&ok(body)).unwrap();
        assert!(used.never_used());
        assert_eq!(used.service_name, None);
        assert_eq!(used.region, None);
        assert_eq!(used.user_name, "bob");
    }
}
