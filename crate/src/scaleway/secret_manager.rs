//! Secret Manager `v1beta1`: create a secret, add a version (base64 `data` with its CRC-32
//! in `data_crc32`), and delete a secret to undo a failed push
//! (https://www.scaleway.com/en/developers/api/secret-manager/).

use super::auth::ApiBase;
use super::decode::{decode, expect_success, Fields};
use super::encode::{base64_encode, crc32};
use super::error::ScalewayError;
use super::iam::CreatedApiKey;
use super::request::{check_text, check_uuid, post_json};
use crate::json::ObjectWriter;
use crate::response::HttpResponse;
use crate::secret::SecretBytes;

/// The regions where Secret Manager runs.
pub const REGIONS: [&str; 3] = ["fr-par", "nl-ams", "pl-waw"];
/// "The maximum size of a secret is 64 KB."
pub const MAX_DATA: usize = 64 * 1024;
/// The secret type Keysmith writes: "flat JSON that allows you to set as many first level
/// keys and scalar types as values as you need", here `access_key` and `secret_key`.
pub const API_KEY_SECRET_TYPE: &str = "key_value";
/// Keysmith's own bounds on names, paths and descriptions (the reference states none).
const MAX_NAME: usize = 255;

/// Where to push a created key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretTarget {
    pub region: String,
    pub project_id: String,
    pub name: String,
    /// Folder, `/` when absent.
    pub path: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub path: Option<String>,
    pub secret_type: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretVersion {
    pub secret_id: String,
    pub revision: u64,
    pub status: Option<String>,
}

fn check_region(region: &str) -> Result<(), ScalewayError> {
    if REGIONS.contains(&region) {
        Ok(())
    } else {
        Err(ScalewayError::InvalidArgument(format!(
            "Secret Manager region must be fr-par, nl-ams or pl-waw, got \"{region}\""
        )))
    }
}

fn secrets_path(region: &str) -> String {
    format!("/secret-manager/v1beta1/regions/{region}/secrets")
}

/// `POST /secret-manager/v1beta1/regions/{region}/secrets`, of type `key_value`.
pub fn prepare_create_secret(
    base: &ApiBase,
    target: &SecretTarget,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_region(&target.region)?;
    check_uuid("project_id", &target.project_id)?;
    if target.name.is_empty() || target.name.contains('/') {
        return Err(ScalewayError::InvalidArgument(
            "the secret needs a name, without '/' (put folders in the path)".into(),
        ));
    }
    check_text("secret name", &target.name, MAX_NAME)?;
    if let Some(path) = &target.path {
        if !path.starts_with('/') {
            return Err(ScalewayError::InvalidArgument(format!(
                "secret path \"{path}\" must start with '/'"
            )));
        }
        check_text("secret path", path, MAX_NAME)?;
    }
    if let Some(description) = &target.description {
        check_text("secret description", description, MAX_NAME)?;
    }
    let tags: Vec<&str> = target.tags.iter().map(String::as_str).collect();
    let mut body = ObjectWriter::new();
    body.string("project_id", &target.project_id)
        .string("name", &target.name)
        .string("type", API_KEY_SECRET_TYPE)
        .opt_string("path", target.path.as_deref())
        .opt_string("description", target.description.as_deref());
    if !tags.is_empty() {
        body.strings("tags", &tags);
    }
    post_json(base, &secrets_path(&target.region), body.finish())
}

pub fn parse_secret(response: &HttpResponse) -> Result<Secret, ScalewayError> {
    let value = decode(response)?;
    let f = Fields::new(&value, "secret", response.status)?;
    let (id, project_id, name) = (
        f.required("id")?,
        f.required("project_id")?,
        f.required("name")?,
    );
    let (path, secret_type, status) = (
        f.optional("path")?,
        f.optional("type")?,
        f.optional("status")?,
    );
    Ok(Secret {
        id: id.to_owned(),
        project_id: project_id.to_owned(),
        name: name.to_owned(),
        path: path.map(str::to_owned),
        secret_type: secret_type.map(str::to_owned),
        status: status.map(str::to_owned),
    })
}

/// The version payload for a created API key: `{"access_key": ..., "secret_key": ...}`.
pub fn api_key_payload(created: &CreatedApiKey) -> SecretBytes {
    let mut text = ObjectWriter::new()
        .string("access_key", &created.key.access_key)
        .string("secret_key", created.secret_key.expose_secret())
        .finish();
    SecretBytes::new(std::mem::take(&mut *text).into_bytes())
}

/// `POST .../secrets/{secret_id}/versions` with `data` (base64) and `data_crc32`, so that
/// Secret Manager refuses a payload damaged on the way.
pub fn prepare_create_secret_version(
    base: &ApiBase,
    region: &str,
    secret_id: &str,
    data: &SecretBytes,
    description: Option<&str>,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_region(region)?;
    check_uuid("secret_id", secret_id)?;
    if data.is_empty() || data.len() > MAX_DATA {
        return Err(ScalewayError::InvalidArgument(format!(
            "a secret version holds 1 byte to 64 KiB, not {} bytes",
            data.len()
        )));
    }
    if let Some(description) = description {
        check_text("version description", description, MAX_NAME)?;
    }
    let encoded = base64_encode(data.expose_secret());
    // The body carries the secret (base64): in the wasm build the allocator wipes it, and
    // every intermediate buffer, when freed after the request is sent.
    let body = ObjectWriter::new()
        .string("data", &encoded)
        .u64("data_crc32", u64::from(crc32(data.expose_secret())))
        .opt_string("description", description)
        .finish();
    post_json(
        base,
        &format!("{}/{secret_id}/versions", secrets_path(region)),
        body,
    )
}

pub fn parse_secret_version(response: &HttpResponse) -> Result<SecretVersion, ScalewayError> {
    let value = decode(response)?;
    let f = Fields::new(&value, "secret version", response.status)?;
    let revision = f.count("revision")?;
    if revision == 0 {
        return Err(ScalewayError::MalformedResponse {
            status: response.status,
            detail: "secret version lacks revision".into(),
        });
    }
    Ok(SecretVersion {
        secret_id: f.required("secret_id")?.to_owned(),
        revision,
        status: f.optional("status")?.map(str::to_owned),
    })
}

/// `DELETE .../secrets/{secret_id}`: undoes a push that failed part-way.
pub fn prepare_delete_secret(
    base: &ApiBase,
    region: &str,
    secret_id: &str,
) -> Result<http::Request<Vec<u8>>, ScalewayError> {
    check_region(region)?;
    check_uuid("secret_id", secret_id)?;
    super::request::delete(base, &format!("{}/{secret_id}", secrets_path(region)))
}

pub fn parse_deleted(response: &HttpResponse) -> Result<(), ScalewayError> {
    expect_success(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::scaleway::iam::{ApiKey, Bearer};
    use crate::secret::SecretString;

    const PROJECT: &str = "11111111-2222-4333-8444-555555555555";
    const SECRET_ID: &str = "6170692e-7363-616c-6577-61792e636f6d";
    const SECRET: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

    fn target() -> SecretTarget {
        SecretTarget {
            region: "fr-par".into(),
            project_id: PROJECT.into(),
            name: "ci-deploy-key".into(),
            path: Some("/keysmith".into()),
            description: None,
            tags: vec!["keysmith".into()],
        }
    }

    fn created() -> CreatedApiKey {
        CreatedApiKey {
            key: ApiKey {
                access_key: "SCWABCDEFGHIJKLMNOPQ".into(),
                bearer: Bearer::User("5b8b6a2e-6a4c-4c8e-9d1f-0e2a3b4c5d6e".into()),
                description: String::new(),
                created_at: None,
                updated_at: None,
                expires_at: None,
                default_project_id: None,
                editable: true,
                deletable: true,
                managed: false,
                creation_ip: None,
            },
            secret_key: SecretString::copy_from(SECRET),
        }
    }

    #[test]
    fn create_secret_is_a_key_value_secret_in_the_region() {
        let r = prepare_create_secret(&ApiBase::default_base(), &target()).unwrap();
        assert_eq!(
            r.uri(),
            "https://api.scaleway.com/secret-manager/v1beta1/regions/fr-par/secrets"
        );
        assert_eq!(
            std::str::from_utf8(r.body()).unwrap(),
            format!(
                r#"{{"project_id":"{PROJECT}","name":"ci-deploy-key","type":"key_value","path":"/keysmith","tags":["keysmith"]}}"#
            )
        );
        for bad in [
            SecretTarget {
                region: "us-east-1".into(),
                ..target()
            },
            SecretTarget {
                project_id: "p".into(),
                ..target()
            },
            SecretTarget {
                name: String::new(),
                ..target()
            },
            SecretTarget {
                name: "a/b".into(),
                ..target()
            },
            SecretTarget {
                path: Some("keysmith".into()),
                ..target()
            },
        ] {
            assert_eq!(
                prepare_create_secret(&ApiBase::default_base(), &bad)
                    .unwrap_err()
                    .code(),
                "invalid_input"
            );
        }
        let secret = parse_secret(&HttpResponse::new(200, format!(r#"{{"id":"{SECRET_ID}","project_id":"{PROJECT}","name":"ci-deploy-key","status":"ready","tags":[],"version_count":0,"type":"key_value","path":"/keysmith","region":"fr-par"}}"#).as_bytes())).unwrap();
        assert_eq!(secret.id, SECRET_ID);
        assert_eq!(secret.secret_type.as_deref(), Some("key_value"));
    }

    #[test]
    fn version_carries_base64_data_and_its_crc32() {
        let payload = api_key_payload(&created());
        assert_eq!(
            std::str::from_utf8(payload.expose_secret()).unwrap(),
            format!(r#"{{"access_key":"SCWABCDEFGHIJKLMNOPQ","secret_key":"{SECRET}"}}"#)
        );
        let r = prepare_create_secret_version(
            &ApiBase::default_base(),
            "nl-ams",
            SECRET_ID,
            &payload,
            Some("created by Keysmith"),
        )
        .unwrap();
        assert_eq!(
            r.uri(),
            &*format!("https://api.scaleway.com/secret-manager/v1beta1/regions/nl-ams/secrets/{SECRET_ID}/versions")
        );
        let text = std::str::from_utf8(r.body()).unwrap();
        // The secret travels only base64-encoded, inside `data`.
        assert!(!text.contains(SECRET));
        let body = json::parse(text).unwrap();
        assert_eq!(
            body.get("data").unwrap().as_str().unwrap(),
            base64_encode(payload.expose_secret()).as_str()
        );
        assert_eq!(
            body.get("data_crc32").unwrap().as_u64(),
            Some(u64::from(crc32(payload.expose_secret())))
        );
        assert_eq!(
            body.get("description").unwrap().as_str(),
            Some("created by Keysmith")
        );
        assert!(prepare_create_secret_version(
            &ApiBase::default_base(),
            "fr-par",
            SECRET_ID,
            &SecretBytes::new(vec![]),
            None
        )
        .is_err());
        assert!(prepare_create_secret_version(
            &ApiBase::default_base(),
            "fr-par",
            SECRET_ID,
            &SecretBytes::new(vec![b'x'; MAX_DATA + 1]),
            None
        )
        .is_err());
        assert!(prepare_create_secret_version(
            &ApiBase::default_base(),
            "fr-par",
            "../x",
            &payload,
            None
        )
        .is_err());
    }

    #[test]
    fn version_answer_and_delete() {
        let v = parse_secret_version(&HttpResponse::new(200, format!(r#"{{"revision":1,"secret_id":"{SECRET_ID}","status":"enabled","created_at":"2025-11-25T09:00:00Z","latest":true,"region":"fr-par"}}"#).as_bytes())).unwrap();
        assert_eq!(v.revision, 1);
        assert_eq!(v.status.as_deref(), Some("enabled"));
        assert!(parse_secret_version(&HttpResponse::new(
            200,
            format!(r#"{{"secret_id":"{SECRET_ID}"}}"#).as_bytes()
        ))
        .is_err());
        let err = parse_secret_version(&HttpResponse::new(400, br#"{"details":[{"argument_name":"data_crc32","reason":"constraint","help_message":"checksum mismatch"}],"type":"invalid_arguments"}"#)).unwrap_err();
        assert_eq!(err.argument_names(), ["data_crc32"]);
        let r = prepare_delete_secret(&ApiBase::default_base(), "pl-waw", SECRET_ID).unwrap();
        assert_eq!(r.method(), "DELETE");
        assert_eq!(r.uri(), &*format!("https://api.scaleway.com/secret-manager/v1beta1/regions/pl-waw/secrets/{SECRET_ID}"));
        assert!(parse_deleted(&HttpResponse::new(204, b"")).is_ok());
    }
}
