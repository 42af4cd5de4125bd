//! EC2 key pairs (regional, Query protocol, `Version=2016-11-15`, lower-camel XML):
//! `CreateKeyPair`, `DescribeKeyPairs`, `DeleteKeyPair`.

use super::error::{AwsError, SigningError};
use super::query::{
    decode_list, decode_result, prepare_query_call, validate_tags, HttpResponse, ListSpec, Params,
    PreparedCall, Tag,
};
use super::{regional_host, validate_region, Endpoint};
use crate::secret::SecretString;

const VERSION: &str = "2016-11-15";

fn call(
    endpoint: &Endpoint,
    region: &str,
    action: &str,
    params: &Params<'_>,
) -> Result<PreparedCall, SigningError> {
    validate_region(region)?;
    prepare_query_call(
        endpoint,
        &regional_host("ec2", region),
        region,
        "ec2",
        action,
        VERSION,
        params,
    )
}

fn invalid(message: String) -> SigningError {
    SigningError::InvalidOptions(message)
}

/// Key pair names: "up to 255 ASCII characters". Keysmith also refuses control characters
/// and leading or trailing spaces, which AWS accepts but no one can see or type back.
pub fn validate_key_name(name: &str) -> Result<(), SigningError> {
    let ok = (1..=255).contains(&name.len())
        && name.bytes().all(|b| (0x20..0x7f).contains(&b))
        && name.trim() == name;
    if ok {
        Ok(())
    } else {
        // The name is not echoed: it may hold control characters.
        Err(invalid(
            "a key pair name is 1-255 printable ASCII characters, with no leading or trailing \
             spaces"
                .into(),
        ))
    }
}

/// `key-0123456789abcdef0`.
pub fn validate_key_pair_id(id: &str) -> Result<(), SigningError> {
    let ok = id.strip_prefix("key-").is_some_and(|hex| {
        (1..=64).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{id}\" is not a key pair id (key-0123456789abcdef0)"
        )))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyType {
    /// The default here (AWS's default is RSA): shorter, faster, and what OpenSSH recommends.
    /// Windows instances cannot use it.
    #[default]
    Ed25519,
    Rsa,
}

impl KeyType {
    pub fn parse(text: &str) -> Result<Self, SigningError> {
        match text {
            "ed25519" => Ok(Self::Ed25519),
            "rsa" => Ok(Self::Rsa),
            other => Err(invalid(format!(
                "key type must be ed25519 or rsa, not \"{other}\""
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::Rsa => "rsa",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyFormat {
    /// OpenSSH / PEM.
    #[default]
    Pem,
    /// PuTTY.
    Ppk,
}

impl KeyFormat {
    pub fn parse(text: &str) -> Result<Self, SigningError> {
        match text {
            "pem" => Ok(Self::Pem),
            "ppk" => Ok(Self::Ppk),
            other => Err(invalid(format!(
                "key format must be pem or ppk, not \"{other}\""
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pem => "pem",
            Self::Ppk => "ppk",
        }
    }
}

/// `CreateKeyPair` inputs.
#[derive(Debug, Clone, Default)]
pub struct KeyPairRequest<'a> {
    pub key_name: &'a str,
    pub key_type: KeyType,
    pub key_format: KeyFormat,
    pub tags: &'a [Tag],
}

pub fn prepare_create_key_pair(
    endpoint: &Endpoint,
    region: &str,
    request: &KeyPairRequest<'_>,
) -> Result<PreparedCall, SigningError> {
    validate_key_name(request.key_name)?;
    validate_tags(request.tags)?;
    let mut params = Params::new();
    params
        .add("KeyName", request.key_name)
        .add("KeyType", request.key_type.as_str())
        .add("KeyFormat", request.key_format.as_str());
    if !request.tags.is_empty() {
        params.add("TagSpecification.1.ResourceType", "key-pair");
        params.add_tags("TagSpecification.1.Tag", request.tags);
    }
    call(endpoint, region, "CreateKeyPair", &params)
}

/// A created key pair. AWS keeps the public key; the private key exists only here.
#[derive(Debug)]
pub struct CreatedKeyPair {
    pub key_name: String,
    pub key_pair_id: String,
    pub key_fingerprint: String,
    pub key_material: SecretString,
}

pub fn parse_create_key_pair(response: &HttpResponse) -> Result<CreatedKeyPair, AwsError> {
    let r = decode_result(
        response,
        "CreateKeyPairResponse",
        &[],
        &["keyName", "keyPairId", "keyFingerprint", "keyMaterial"],
    )?;
    Ok(CreatedKeyPair {
        key_name: r.required("keyName")?.to_owned(),
        key_pair_id: r.required("keyPairId")?.trim().to_owned(),
        key_fingerprint: r.required("keyFingerprint")?.trim().to_owned(),
        key_material: SecretString::copy_from(r.required("keyMaterial")?),
    })
}

/// One key pair as `DescribeKeyPairs` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPairInfo {
    pub key_pair_id: String,
    pub key_name: String,
    pub key_fingerprint: String,
    /// `rsa` or `ed25519`; empty for key pairs older than the field.
    pub key_type: String,
    pub create_time: String,
}

/// `DescribeKeyPairs`, of every key pair in the region or of the named ones (an unknown name
/// is an `InvalidKeyPair.NotFound` error, not an empty list). Not paginated by AWS.
pub fn prepare_describe_key_pairs(
    endpoint: &Endpoint,
    region: &str,
    key_names: &[&str],
) -> Result<PreparedCall, SigningError> {
    let mut params = Params::new();
    for (i, name) in key_names.iter().enumerate() {
        validate_key_name(name)?;
        params.add_owned(format!("KeyName.{}", i + 1), (*name).to_owned());
    }
    call(endpoint, region, "DescribeKeyPairs", &params)
}

pub fn parse_describe_key_pairs(response: &HttpResponse) -> Result<Vec<KeyPairInfo>, AwsError> {
    let decoded = decode_list(
        response,
        "DescribeKeyPairsResponse",
        &[],
        &[],
        &ListSpec {
            list: "keySet",
            item: "item",
            leaves: &[
                "keyPairId",
                "keyName",
                "keyFingerprint",
                "keyType",
                "createTime",
            ],
        },
    )?;
    decoded
        .items
        .iter()
        .map(|k| {
            Ok(KeyPairInfo {
                key_pair_id: k
                    .optional("keyPairId")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                key_name: k.required("keyName")?.to_owned(),
                key_fingerprint: k
                    .optional("keyFingerprint")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                key_type: k.optional("keyType").unwrap_or_default().trim().to_owned(),
                create_time: k
                    .optional("createTime")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            })
        })
        .collect()
}

/// Which key pair `DeleteKeyPair` deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPairRef<'a> {
    Name(&'a str),
    Id(&'a str),
}

/// `DeleteKeyPair`. Deleting a key pair that does not exist succeeds: idempotent.
pub fn prepare_delete_key_pair(
    endpoint: &Endpoint,
    region: &str,
    key: KeyPairRef<'_>,
) -> Result<PreparedCall, SigningError> {
    let mut params = Params::new();
    match key {
        KeyPairRef::Name(name) => {
            validate_key_name(name)?;
            params.add("KeyName", name);
        }
        KeyPairRef::Id(id) => {
            validate_key_pair_id(id)?;
            params.add("KeyPairId", id);
        }
    }
    call(endpoint, region, "DeleteKeyPair", &params)
}

/// The id of the deleted key pair, when AWS names it (it does not for a name it did not know).
pub fn parse_delete_key_pair(response: &HttpResponse) -> Result<Option<String>, AwsError> {
    let r = decode_result(
        response,
        "DeleteKeyPairResponse",
        &[],
        &["return", "keyPairId"],
    )?;
    if r.flag("return")? || r.optional("return").is_none() {
        Ok(r.optional("keyPairId")
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned))
    } else {
        Err(AwsError::MalformedResponse {
            status: response.status,
            detail: "DeleteKeyPair returned false".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(call: &PreparedCall) -> &str {
        std::str::from_utf8(call.request.body()).unwrap()
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse::new(200, body.as_bytes())
    }

    #[test]
    fn create_key_pair_body_with_tags() {
        let tags = [
            Tag {
                key: "owner".into(),
                value: "alice".into(),
            },
            Tag {
                key: "made-by".into(),
                value: "keysmith".into(),
            },
        ];
        let call = prepare_create_key_pair(
            &Endpoint::aws(),
            "eu-west-3",
            &KeyPairRequest {
                key_name: "deploy key",
                tags: &tags,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            form(&call),
            "Action=CreateKeyPair&Version=2016-11-15&KeyName=deploy+key&KeyType=ed25519&KeyFormat=pem\
             &TagSpecification.1.ResourceType=key-pair\
             &TagSpecification.1.Tag.1.Key=owner&TagSpecification.1.Tag.1.Value=alice\
             &TagSpecification.1.Tag.2.Key=made-by&TagSpecification.1.Tag.2.Value=keysmith"
        );
        assert_eq!(call.request.uri(), "https://ec2.eu-west-3.amazonaws.com/");
        assert_eq!(call.region, "eu-west-3");
        assert_eq!(call.service, "ec2");
    }

    #[test]
    fn create_key_pair_rsa_ppk_without_tags() {
        let call = prepare_create_key_pair(
            &Endpoint::custom("http://127.0.0.1:5000").unwrap(),
            "us-east-1",
            &KeyPairRequest {
                key_name: "k",
                key_type: KeyType::parse("rsa").unwrap(),
                key_format: KeyFormat::parse("ppk").unwrap(),
                tags: &[],
            },
        )
        .unwrap();
        assert_eq!(
            form(&call),
            "Action=CreateKeyPair&Version=2016-11-15&KeyName=k&KeyType=rsa&KeyFormat=ppk"
        );
        assert_eq!(call.request.uri(), "http://127.0.0.1:5000/");
        assert_eq!(call.region, "us-east-1");
    }

    #[test]
    fn describe_and_delete_bodies() {
        let e = Endpoint::aws();
        let all = prepare_describe_key_pairs(&e, "us-east-1", &[]).unwrap();
        assert_eq!(form(&all), "Action=DescribeKeyPairs&Version=2016-11-15");
        let named = prepare_describe_key_pairs(&e, "us-east-1", &["a", "b c"]).unwrap();
        assert_eq!(
            form(&named),
            "Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=a&KeyName.2=b+c"
        );
        let by_name = prepare_delete_key_pair(&e, "us-east-1", KeyPairRef::Name("a")).unwrap();
        assert_eq!(
            form(&by_name),
            "Action=DeleteKeyPair&Version=2016-11-15&KeyName=a"
        );
        let by_id =
            prepare_delete_key_pair(&e, "us-east-1", KeyPairRef::Id("key-0123456789abcdef0"))
                .unwrap();
        assert_eq!(
            form(&by_id),
            "Action=DeleteKeyPair&Version=2016-11-15&KeyPairId=key-0123456789abcdef0"
        );
    }

    #[test]
    fn inputs_are_validated() {
        let e = Endpoint::aws();
        fn req(key_name: &str) -> KeyPairRequest<'_> {
            KeyPairRequest {
                key_name,
                ..Default::default()
            }
        }
        assert!(prepare_create_key_pair(&e, "us-east-1", &req("")).is_err());
        assert!(prepare_create_key_pair(&e, "us-east-1", &req(" padded")).is_err());
        assert!(prepare_create_key_pair(&e, "us-east-1", &req("tab\there")).is_err());
        assert!(prepare_create_key_pair(&e, "us-east-1", &req("clé")).is_err());
        assert!(prepare_create_key_pair(&e, "us-east-1", &req(&"k".repeat(256))).is_err());
        assert!(prepare_create_key_pair(&e, "us-east-1", &req(&"k".repeat(255))).is_ok());
        let err = prepare_create_key_pair(&e, "eu-west-3.evil.example", &req("k")).unwrap_err();
        assert_eq!(err.code(), "invalid_region");
        assert!(KeyType::parse("dsa").is_err());
        assert!(KeyFormat::parse("PEM").is_err());
        assert!(prepare_delete_key_pair(&e, "us-east-1", KeyPairRef::Id("k-1")).is_err());
        assert!(prepare_delete_key_pair(&e, "us-east-1", KeyPairRef::Id("key-")).is_err());
    }

    #[test]
    fn delete_answers() {
        let with_id = ok("<DeleteKeyPairResponse><requestId>r</requestId><return>true</return><keyPairId>key-1</keyPairId></DeleteKeyPairResponse>");
        assert_eq!(
            parse_delete_key_pair(&with_id).unwrap(),
            Some("key-1".into())
        );
        let without = ok("<DeleteKeyPairResponse><return>true</return></DeleteKeyPairResponse>");
        assert_eq!(parse_delete_key_pair(&without).unwrap(), None);
        let refused = ok("<DeleteKeyPairResponse><return>false</return></DeleteKeyPairResponse>");
        assert_eq!(
            parse_delete_key_pair(&refused).unwrap_err().code(),
            "malformed_response"
        );
    }
}
