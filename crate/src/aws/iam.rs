//! IAM (global, Query protocol, `Version=2010-05-08`): access keys.

use super::error::{AwsError, SigningError};
use super::query::{decode_result, prepare_query_call, HttpResponse, PreparedCall};
use super::{validate_user_name, Endpoint};
use crate::secret::SecretString;

const VERSION: &str = "2010-05-08";
const HOST: &str = "iam.amazonaws.com";
/// IAM is global; its signing scope is always us-east-1 in the commercial partition.
const REGION: &str = "us-east-1";

/// A freshly created access key. The secret is shown by AWS exactly once.
#[derive(Debug)]
pub struct CreatedAccessKey {
    pub user_name: String,
    pub access_key_id: String,
    pub status: String,
    pub create_date: String,
    pub secret_access_key: SecretString,
}

/// `CreateAccessKey` for `user_name`, or for the signing user when `None`.
pub fn prepare_create_access_key(
    endpoint: &Endpoint,
    user_name: Option<&str>,
) -> Result<PreparedCall, SigningError> {
    let mut params = Vec::new();
    if let Some(name) = user_name {
        validate_user_name(name)?;
        params.push(("UserName", name));
    }
    prepare_query_call(
        endpoint,
        HOST,
        REGION,
        "iam",
        "CreateAccessKey",
        VERSION,
        &params,
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    #[test]
    fn parses_the_documented_answer() {
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
        let key = parse_create_access_key(&HttpResponse {
            status: 200,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        })
        .unwrap();
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
        let err = parse_create_access_key(&HttpResponse {
            status: 409,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("deactivate or delete one"),
            "{err}"
        );
    }

    #[test]
    fn user_names_are_validated() {
        assert!(validate_user_name("deploy-bot@example.com").is_ok());
        assert!(validate_user_name("").is_err());
        assert!(validate_user_name("a/b").is_err());
        assert!(validate_user_name(&"x".repeat(65)).is_err());
        assert!(prepare_create_access_key(&Endpoint::aws(), Some("a b")).is_err());
    }
}
