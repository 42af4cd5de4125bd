//! EC2 key pair exports (regional: every call names its region).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::providers::{opt_non_empty, read_call, read_tags, record, required, start, Answer, Job};
use super::vault::{read_vault_header, seal_created, sealed_record};
use crate::aws::ec2::{self, KeyFormat, KeyPairRequest, KeyType};
use crate::aws::retry::Repeatable;
use crate::aws::{AwsError, SigningError};
use crate::vault::{Ec2KeyFormat, Ec2KeyPair, Ec2KeyType, EntryData};

#[wasm_bindgen(typescript_custom_section)]
const TS_EC2_TYPES: &'static str = r#"
export interface Ec2CallArgs extends AwsCallArgs {
  /** A region code such as eu-west-3: key pairs live in one region. */
  region: string;
}
export interface CreateKeyPairArgs extends Ec2CallArgs {
  keyName: string;
  /** The vault's header: the private key is sealed to it (checked before anything is created). */
  vaultHeader: string;
  /** Default 'ed25519' (Windows instances need 'rsa'). */
  keyType?: 'ed25519' | 'rsa';
  /** Default 'pem' (OpenSSH); 'ppk' for PuTTY. */
  keyFormat?: 'pem' | 'ppk';
  tags?: TagList;
}
/** Metadata and the sealed entry: the private key itself never reaches JS. */
export interface CreatedKeyPairInfo {
  entry: SealedRecord;
  keyName: string;
  keyPairId: string;
  keyFingerprint: string;
  keyType: 'ed25519' | 'rsa';
  keyFormat: 'pem' | 'ppk';
  region: string;
}
export interface KeyPairInfo { keyPairId: string; keyName: string; keyFingerprint: string; keyType: string; createTime: string }
export interface DeleteKeyPairArgs extends Ec2CallArgs { keyName?: string; keyPairId?: string }
"#;

/// Reads the arguments every EC2 call has; the region is required.
fn read_ec2_call(args: &JsValue) -> Result<(super::providers::Call, String), JsValue> {
    let call = read_call(args)?;
    let region = call
        .region
        .clone()
        .ok_or_else(|| JsValue::from(SigningError::InvalidRegion(String::new())))?;
    Ok((call, region))
}

/// `ec2:CreateKeyPair`, sealed straight into the vault: the private key goes from the response
/// into a sealed entry (`entry`, stored by the caller before it reports success) and never
/// reaches JS. Returns what identifies the key pair, and the entry.
#[wasm_bindgen(js_name = ec2CreateKeyPair, unchecked_return_type = "Promise<CreatedKeyPairInfo>")]
pub fn ec2_create_key_pair(
    #[wasm_bindgen(unchecked_param_type = "CreateKeyPairArgs")] args: JsValue,
) -> Promise {
    start(create_key_pair_job(&args))
}

fn create_key_pair_job(args: &JsValue) -> Result<Job, JsValue> {
    let (call, region) = read_ec2_call(args)?;
    // Checked before anything is created: a key pair that cannot be vaulted must not be made.
    let header = read_vault_header(args)?;
    let key_name = required(args, "keyName")?;
    let key_type = match opt_non_empty(args, "keyType")? {
        Some(t) => KeyType::parse(&t)?,
        None => KeyType::default(),
    };
    let key_format = match opt_non_empty(args, "keyFormat")? {
        Some(f) => KeyFormat::parse(&f)?,
        None => KeyFormat::default(),
    };
    let tags = read_tags(args)?;
    let answer_region = JsValue::from(region.as_str());
    let entry_region = region.clone();
    // Once: repeated after a lost answer, it would fail as a duplicate and the first
    // attempt's private key would be lost.
    Ok(Job::new(
        call,
        Repeatable::Once,
        move |endpoint, _| {
            let request = KeyPairRequest {
                key_name: &key_name,
                key_type,
                key_format,
                tags: &tags,
            };
            ec2::prepare_create_key_pair(endpoint, &region, &request)
        },
        move |response| {
            let ec2::CreatedKeyPair {
                key_name,
                key_pair_id,
                key_fingerprint,
                key_material,
            } = ec2::parse_create_key_pair(response)?;
            let data = EntryData::Ec2KeyPair(Ec2KeyPair {
                region: Some(entry_region.clone()),
                key_name: key_name.clone(),
                key_pair_id: Some(key_pair_id.clone()),
                fingerprint: Some(key_fingerprint.clone()),
                key_type: match key_type {
                    KeyType::Ed25519 => Ec2KeyType::Ed25519,
                    KeyType::Rsa => Ec2KeyType::Rsa,
                },
                key_format: match key_format {
                    KeyFormat::Pem => Ec2KeyFormat::Pem,
                    KeyFormat::Ppk => Ec2KeyFormat::Ppk,
                },
                private_key: key_material,
            });
            let sealed = seal_created(&header, data).map_err(|e| {
                AwsError::NotVaulted(format!(
                    "key pair {key_name} ({key_pair_id}) was created in {entry_region} but could not be vaulted ({e}); delete it in EC2"
                ))
            })?;
            Ok(Answer::Value(record(&[
                ("keyName", key_name.as_str().into()),
                ("keyPairId", key_pair_id.as_str().into()),
                ("keyFingerprint", key_fingerprint.as_str().into()),
                ("keyType", key_type.as_str().into()),
                ("keyFormat", key_format.as_str().into()),
                ("region", answer_region.clone()),
                ("entry", sealed_record(&sealed)),
            ])))
        },
    ))
}

/// The region's key pairs, or the named ones (`keyNames`; an unknown name is an
/// `InvalidKeyPair.NotFound` error).
#[wasm_bindgen(js_name = ec2DescribeKeyPairs, unchecked_return_type = "Promise<KeyPairInfo[]>")]
pub fn ec2_describe_key_pairs(
    #[wasm_bindgen(unchecked_param_type = "Ec2CallArgs & { keyNames?: string[] }")] args: JsValue,
) -> Promise {
    start(describe_key_pairs_job(&args))
}

fn describe_key_pairs_job(args: &JsValue) -> Result<Job, JsValue> {
    let (call, region) = read_ec2_call(args)?;
    let names = super::read::string_list(args, "arguments", "keyNames")?;
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            ec2::prepare_describe_key_pairs(endpoint, &region, &names)
        },
        |response| {
            let keys = ec2::parse_describe_key_pairs(response)?;
            let items = keys
                .iter()
                .map(|k| {
                    record(&[
                        ("keyPairId", k.key_pair_id.as_str().into()),
                        ("keyName", k.key_name.as_str().into()),
                        ("keyFingerprint", k.key_fingerprint.as_str().into()),
                        ("keyType", k.key_type.as_str().into()),
                        ("createTime", k.create_time.as_str().into()),
                    ])
                })
                .collect();
            Ok(Answer::Page(items, None))
        },
    ))
}

/// Deletes a key pair by `keyName` or `keyPairId` (exactly one). Deleting one that does not
/// exist succeeds, as in AWS.
#[wasm_bindgen(js_name = ec2DeleteKeyPair, unchecked_return_type = "Promise<{ keyPairId?: string }>")]
pub fn ec2_delete_key_pair(
    #[wasm_bindgen(unchecked_param_type = "DeleteKeyPairArgs")] args: JsValue,
) -> Promise {
    start(delete_key_pair_job(&args))
}

fn delete_key_pair_job(args: &JsValue) -> Result<Job, JsValue> {
    let (call, region) = read_ec2_call(args)?;
    let name = opt_non_empty(args, "keyName")?;
    let id = opt_non_empty(args, "keyPairId")?;
    if name.is_some() == id.is_some() {
        return Err(SigningError::InvalidOptions(
            "give exactly one of keyName and keyPairId".into(),
        )
        .into());
    }
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| {
            let key = match (&name, &id) {
                (Some(n), _) => ec2::KeyPairRef::Name(n),
                (None, i) => ec2::KeyPairRef::Id(i.as_deref().unwrap_or_default()),
            };
            ec2::prepare_delete_key_pair(endpoint, &region, key)
        },
        |response| {
            let deleted = ec2::parse_delete_key_pair(response)?;
            Ok(Answer::Value(record(&[(
                "keyPairId",
                super::providers::opt(deleted.as_deref()),
            )])))
        },
    ))
}
