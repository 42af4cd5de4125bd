//! IAM exports: users, their access keys and attached policies, and the two-key decision.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::providers::{
    opt, opt_non_empty, read_call, read_tags, record, required, send, send_json, start, with_field,
    Answer, Call, Job, Phases,
};
use super::read;
use super::vault::{read_vault_header, seal_created, sealed_record};
use crate::aws::iam::{self, AccessKeyMetadata, KeyStatus, PolicyTemplate};
use crate::aws::keyslot::{self, FreeSlotAction, KeySlotDecision};
use crate::aws::query::Pagination;
use crate::aws::retry::Repeatable;
use crate::aws::secretsmanager::{self, ClientRequestToken, CreateSecretRequest, SecretVersion};
use crate::aws::{validate_region, AwsError};
use crate::secret::SecretString;
use crate::vault::{AwsAccessKey, EntryData};

#[wasm_bindgen(typescript_custom_section)]
const TS_IAM_TYPES: &'static str = r#"
export type AccessKeyStatus = 'Active' | 'Inactive' | 'Expired' | string;
export interface AccessKeyInfo { accessKeyId: string; userName: string; status: AccessKeyStatus; createDate: string }
export interface AccessKeyLastUsedInfo {
  userName: string;
  /** Absent when the key was never used (or not since IAM began tracking, April 2015). */
  lastUsedDate?: string;
  serviceName?: string;
  region?: string;
}
export interface AccessKeyArgs extends AwsCallArgs {
  accessKeyId: string;
  /** The key's user; the signer when absent. */
  userName?: string;
}
export interface IamUser { userName: string; userId: string; arn: string; path: string; createDate: string }
export interface CreateUserArgs extends AwsCallArgs { userName: string; path?: string; tags?: TagList }
export interface AttachUserPolicyArgs extends AwsCallArgs {
  userName: string;
  /** 'ec2-full-access' (AmazonEC2FullAccess), 'read-only' (ReadOnlyAccess), or a policy ARN. */
  policy: 'ec2-full-access' | 'read-only' | string;
}
export interface AttachedPolicyInfo { policyName: string; policyArn: string }
export interface KeySlotInfo {
  accessKeyId: string;
  status: AccessKeyStatus;
  createDate: string;
  lastUsedDate?: string;
  lastUsedService?: string;
  lastUsedRegion?: string;
  /** The key that signs Keysmith's requests: freeing it locks Keysmith out. */
  isSigner: boolean;
}
/**
 * Before creating a key: canCreate, or both slots taken and the user must free one. Only
 * deleting a key frees its slot; deactivating is the reversible first step. `suggested` is a
 * suggestion to show, never to act on silently.
 */
export interface KeySlotDecision {
  canCreate: boolean;
  keys: KeySlotInfo[];
  suggested?: { accessKeyId: string; action: 'deactivate' | 'delete' };
}
/** Where iamCreateAccessKey also pushes the new key: an AWS Secrets Manager secret. */
export interface PushSecretArgs {
  region: string;
  /** The secret's name; an existing secret gets a new version (PutSecretValue). */
  name: string;
  /** A UUID (crypto.randomUUID()): a repeated push with it creates one version. */
  clientRequestToken: string;
}
export interface PushedSecretInfo { arn: string; name: string; versionId: string }
/** iamCreateAccessKey's error when the user already has two keys (providerCode LimitExceeded). */
export interface KeyLimitError extends KeysmithError { keySlot?: KeySlotDecision }
"#;

/// Pages of access keys; a user has at most two, so this bound is never reached.
const MAX_KEY_PAGES: usize = 10;

fn key_info(k: &AccessKeyMetadata) -> JsValue {
    record(&[
        ("accessKeyId", k.access_key_id.as_str().into()),
        ("userName", k.user_name.as_str().into()),
        ("status", k.status.as_str().into()),
        ("createDate", k.create_date.as_str().into()),
    ])
}

/// The user named in the arguments, for the closures that build each attempt's request.
fn user_of(call: &Call) -> Option<String> {
    call.user_name.clone()
}

/// Lists the keys (all pages) and their last use, and decides. After a failed
/// `CreateAccessKey`, `after` is its error: `LimitExceeded` forces the choice.
async fn key_slot_decision(
    call: &Call,
    after: Option<&AwsError>,
    phases: &mut Phases,
) -> Result<KeySlotDecision, AwsError> {
    let user = call.user_name.as_deref();
    let mut keys = Vec::new();
    let mut pages = Pagination::new(MAX_KEY_PAGES);
    let mut marker: Option<String> = None;
    loop {
        let prepare = || iam::prepare_list_access_keys(&call.endpoint, user, marker.as_deref());
        let response = send(&call.credentials, Repeatable::Idempotent, &prepare, phases).await?;
        let page = iam::parse_list_access_keys(&response)?;
        phases.lap(Phases::PARSE);
        keys.extend(page.items);
        match pages.advance(page.next_marker)? {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    let mut last_used = Vec::with_capacity(keys.len());
    for key in &keys {
        let prepare = || iam::prepare_get_access_key_last_used(&call.endpoint, &key.access_key_id);
        let response = send(&call.credentials, Repeatable::Idempotent, &prepare, phases).await?;
        let used = iam::parse_get_access_key_last_used(&response)?;
        phases.lap(Phases::PARSE);
        last_used.push((key.access_key_id.clone(), used));
    }
    let slots = keyslot::key_slots(&keys, &last_used, Some(call.signer_key_id.as_str()));
    Ok(after
        .and_then(|e| keyslot::decide_after_create_error(e, slots.clone()))
        .unwrap_or_else(|| keyslot::decide_key_slot(slots)))
}

fn decision_value(decision: &KeySlotDecision) -> JsValue {
    let keys: js_sys::Array = decision
        .keys()
        .iter()
        .map(|k| {
            let used = k.last_used.as_ref();
            record(&[
                ("accessKeyId", k.access_key_id.as_str().into()),
                ("status", k.status.as_str().into()),
                ("createDate", k.create_date.as_str().into()),
                ("lastUsedDate", opt(used.map(|u| u.date.as_str()))),
                (
                    "lastUsedService",
                    opt(used.and_then(|u| u.service.as_deref())),
                ),
                (
                    "lastUsedRegion",
                    opt(used.and_then(|u| u.region.as_deref())),
                ),
                ("isSigner", k.is_signer.into()),
            ])
        })
        .collect();
    let suggested = match decision {
        KeySlotDecision::ChooseKeyToFree {
            suggested: Some((id, action)),
            ..
        } => record(&[
            ("accessKeyId", id.as_str().into()),
            (
                "action",
                match action {
                    FreeSlotAction::Deactivate => "deactivate",
                    FreeSlotAction::Delete => "delete",
                }
                .into(),
            ),
        ]),
        _ => JsValue::UNDEFINED,
    };
    record(&[
        ("canCreate", decision.can_create().into()),
        ("keys", keys.into()),
        ("suggested", suggested),
    ])
}

/// `iam:CreateAccessKey` for `userName` (or the signer), sealed straight into the vault: the
/// new secret goes from the response into a sealed entry (`entry`, which the caller stores
/// before reporting success) and never reaches JS. Sealing needs only the vault's public
/// header; a vaulted `signer` is opened with the unlocked key, so through the worker the vault
/// must be unlocked. When the user already has two keys (`LimitExceeded`),
/// the rejected error carries `keySlot`: the same choice as `iamKeySlot` returns.
///
/// With `pushSecret`, the key is also pushed to AWS Secrets Manager once sealed, as the JSON
/// `{AccessKeyId, SecretAccessKey}` built here, signed by the same signer (or its MFA session)
/// as the create; the answer's `pushed` or `pushError` says how
/// that went (a failed push never loses the vaulted key). `timings` says where the time went
/// (sign, network, parse, seal), for the benchmarks.
#[wasm_bindgen(js_name = iamCreateAccessKey, unchecked_return_type = "Promise<CreatedAccessKeyInfo & { pushed?: PushedSecretInfo; pushError?: KeysmithError }>")]
pub fn iam_create_access_key(
    #[wasm_bindgen(
        unchecked_param_type = "AwsCallArgs & { userName?: string; vaultHeader: string; description?: string; pushSecret?: PushSecretArgs }"
    )]
    args: JsValue,
) -> Promise {
    let mut phases = Phases::start();
    let checked = read_call(&args).and_then(|call| {
        let header = read_vault_header(&args)?;
        let description = read::opt_string(&args, "arguments", "description")?;
        let push = read_push_secret(&args)?;
        Ok((call, header, description, push))
    });
    let (call, header, description, push) = match checked {
        Ok(checked) => checked,
        Err(error) => return Promise::reject(&error),
    };
    // Opening the signer (above) counts as signing.
    phases.lap(Phases::SIGN);
    future_to_promise(async move {
        let user = call.user_name.as_deref();
        let created = send(
            &call.credentials,
            Repeatable::Once,
            &|| iam::prepare_create_access_key(&call.endpoint, user),
            &mut phases,
        )
        .await
        .and_then(|response| iam::parse_create_access_key(&response));
        phases.lap(Phases::PARSE);
        let key = match created {
            Ok(key) => key,
            Err(error) if error.is_key_limit() => {
                // If listing fails too, the LimitExceeded error is still the one to report.
                let decision = key_slot_decision(&call, Some(&error), &mut phases)
                    .await
                    .ok();
                let thrown = JsValue::from(error);
                return Err(match decision {
                    Some(d) => with_field(thrown, "keySlot", &decision_value(&d)),
                    None => thrown,
                });
            }
            Err(error) => return Err(error.into()),
        };
        let iam::CreatedAccessKey {
            user_name,
            access_key_id,
            status,
            create_date,
            secret_access_key,
        } = key;
        // Built before the secret moves into the entry; wiped when dropped.
        let push_value = push
            .as_ref()
            .map(|_| secretsmanager::derive_access_key_secret(&access_key_id, &secret_access_key));
        let data = EntryData::AwsAccessKey(AwsAccessKey {
            account_id: None,
            user_name: Some(user_name.clone()),
            access_key_id: access_key_id.clone(),
            secret_access_key,
            created: Some(create_date.clone()).filter(|d| !d.is_empty()),
            description: description.filter(|d| !d.is_empty()),
            tags: Vec::new(),
        });
        let sealed = seal_created(&header, data).map_err(|e| {
            let error = JsValue::from(AwsError::NotVaulted(format!(
                "access key {access_key_id} was created for {user_name} but could not be vaulted ({e}); delete it in IAM"
            )));
            with_field(error, "accessKeyId", &access_key_id.as_str().into())
        })?;
        phases.lap(Phases::SEAL);
        let (pushed, push_error) = match (&push, &push_value) {
            (Some(target), Some(value)) => match push_secret(&call, target, value).await {
                Ok(version) => (
                    record(&[
                        ("arn", version.arn.into()),
                        ("name", version.name.into()),
                        ("versionId", version.version_id.into()),
                    ]),
                    JsValue::UNDEFINED,
                ),
                Err(error) => (JsValue::UNDEFINED, error.into()),
            },
            _ => (JsValue::UNDEFINED, JsValue::UNDEFINED),
        };
        drop(push_value);
        Ok(record(&[
            ("accessKeyId", access_key_id.as_str().into()),
            ("userName", user_name.as_str().into()),
            ("status", status.as_str().into()),
            ("createDate", create_date.as_str().into()),
            ("entry", sealed_record(&sealed)),
            ("pushed", pushed),
            ("pushError", push_error),
            ("timings", phases.value()),
        ]))
    })
}

/// `arguments.pushSecret`, checked before anything is created.
struct PushTarget {
    region: String,
    name: String,
    token: ClientRequestToken,
}

fn read_push_secret(args: &JsValue) -> Result<Option<PushTarget>, JsValue> {
    let Some(value) = read::opt_object(args, "arguments", "pushSecret")? else {
        return Ok(None);
    };
    let path = "arguments.pushSecret";
    let region = read::string(&value, path, "region")?;
    let name = read::string(&value, path, "name")?;
    validate_region(&region)?;
    secretsmanager::validate_secret_name(&name)?;
    let token = ClientRequestToken::parse(&read::string(&value, path, "clientRequestToken")?)?;
    Ok(Some(PushTarget {
        region,
        name,
        token,
    }))
}

/// `CreateSecret`, or `PutSecretValue` when a secret of that name exists. Both carry the
/// client request token, so the retry loop may repeat them.
async fn push_secret(
    call: &Call,
    target: &PushTarget,
    value: &SecretString,
) -> Result<SecretVersion, AwsError> {
    let create = || {
        secretsmanager::prepare_create_secret(
            &call.endpoint,
            &target.region,
            &CreateSecretRequest {
                name: &target.name,
                description: None,
                secret: value,
                token: &target.token,
                tags: &[],
            },
        )
    };
    match send_json(
        &call.credentials,
        Repeatable::Idempotent,
        &create,
        &mut Phases::start(),
    )
    .await
    {
        Ok(response) => secretsmanager::parse_create_secret(&response),
        Err(error) if error.provider_code() == Some("ResourceExistsException") => {
            let put = || {
                secretsmanager::prepare_put_secret_value(
                    &call.endpoint,
                    &target.region,
                    &target.name,
                    value,
                    &target.token,
                )
            };
            let response = send_json(
                &call.credentials,
                Repeatable::Idempotent,
                &put,
                &mut Phases::start(),
            )
            .await?;
            secretsmanager::parse_put_secret_value(&response)
        }
        Err(error) => Err(error),
    }
}

/// Before `iamCreateAccessKey`: may a key be created, or must the user free a slot first?
#[wasm_bindgen(js_name = iamKeySlot, unchecked_return_type = "Promise<KeySlotDecision>")]
pub fn iam_key_slot(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { userName?: string }")] args: JsValue,
) -> Promise {
    let call = match read_call(&args) {
        Ok(call) => call,
        Err(error) => return Promise::reject(&error),
    };
    future_to_promise(async move {
        let decision = key_slot_decision(&call, None, &mut Phases::start()).await?;
        Ok(decision_value(&decision))
    })
}

/// Lists a user's access keys (all pages): ids, status, creation dates. Never secrets.
#[wasm_bindgen(js_name = iamListAccessKeys, unchecked_return_type = "Promise<AccessKeyInfo[]>")]
pub fn iam_list_access_keys(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { userName?: string }")] args: JsValue,
) -> Promise {
    start(read_call(&args).map(|call| {
        let user = user_of(&call);
        Job::new(
            call,
            Repeatable::Idempotent,
            move |endpoint, marker| {
                iam::prepare_list_access_keys(endpoint, user.as_deref(), marker)
            },
            |response| {
                let page = iam::parse_list_access_keys(response)?;
                Ok(Answer::Page(
                    page.items.iter().map(key_info).collect(),
                    page.next_marker,
                ))
            },
        )
    }))
}

/// When, where and with which service a key was last used.
#[wasm_bindgen(js_name = iamGetAccessKeyLastUsed, unchecked_return_type = "Promise<AccessKeyLastUsedInfo>")]
pub fn iam_get_access_key_last_used(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { accessKeyId: string }")] args: JsValue,
) -> Promise {
    start(last_used_job(&args))
}

fn last_used_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let id = required(args, "accessKeyId")?;
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| iam::prepare_get_access_key_last_used(endpoint, &id),
        |response| {
            let used = iam::parse_get_access_key_last_used(response)?;
            Ok(Answer::Value(record(&[
                ("userName", used.user_name.as_str().into()),
                ("lastUsedDate", opt(used.last_used_date.as_deref())),
                ("serviceName", opt(used.service_name.as_deref())),
                ("region", opt(used.region.as_deref())),
            ])))
        },
    ))
}

/// Makes a key `Active` or `Inactive`.
#[wasm_bindgen(js_name = iamUpdateAccessKey, unchecked_return_type = "Promise<void>")]
pub fn iam_update_access_key(
    #[wasm_bindgen(unchecked_param_type = "AccessKeyArgs & { status: 'Active' | 'Inactive' }")]
    args: JsValue,
) -> Promise {
    start(update_key_job(&args))
}

fn update_key_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let id = required(args, "accessKeyId")?;
    let status = KeyStatus::parse(&required(args, "status")?);
    let user = user_of(&call);
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| iam::prepare_update_access_key(endpoint, user.as_deref(), &id, &status),
        |response| {
            iam::parse_update_access_key(response)?;
            Ok(Answer::Value(JsValue::UNDEFINED))
        },
    ))
}

/// Deletes a key (which frees its slot). Cannot be undone.
#[wasm_bindgen(js_name = iamDeleteAccessKey, unchecked_return_type = "Promise<void>")]
pub fn iam_delete_access_key(
    #[wasm_bindgen(unchecked_param_type = "AccessKeyArgs")] args: JsValue,
) -> Promise {
    start(delete_key_job(&args))
}

fn delete_key_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let id = required(args, "accessKeyId")?;
    let user = user_of(&call);
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| iam::prepare_delete_access_key(endpoint, user.as_deref(), &id),
        |response| {
            iam::parse_delete_access_key(response)?;
            Ok(Answer::Value(JsValue::UNDEFINED))
        },
    ))
}

/// Creates an IAM user (no console password, no keys).
#[wasm_bindgen(js_name = iamCreateUser, unchecked_return_type = "Promise<IamUser>")]
pub fn iam_create_user(
    #[wasm_bindgen(unchecked_param_type = "CreateUserArgs")] args: JsValue,
) -> Promise {
    start(create_user_job(&args))
}

fn create_user_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let user_name = required(args, "userName")?;
    let path = opt_non_empty(args, "path")?;
    let tags = read_tags(args)?;
    Ok(Job::new(
        call,
        Repeatable::Once,
        move |endpoint, _| iam::prepare_create_user(endpoint, &user_name, path.as_deref(), &tags),
        |response| {
            let user = iam::parse_create_user(response)?;
            Ok(Answer::Value(record(&[
                ("userName", user.user_name.into()),
                ("userId", user.user_id.into()),
                ("arn", user.arn.into()),
                ("path", user.path.into()),
                ("createDate", user.create_date.into()),
            ])))
        },
    ))
}

/// Attaches a managed policy: a template or a validated ARN. Returns the ARN attached.
#[wasm_bindgen(js_name = iamAttachUserPolicy, unchecked_return_type = "Promise<{ policyArn: string }>")]
pub fn iam_attach_user_policy(
    #[wasm_bindgen(unchecked_param_type = "AttachUserPolicyArgs")] args: JsValue,
) -> Promise {
    start(attach_policy_job(&args))
}

fn attach_policy_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let user_name = required(args, "userName")?;
    let policy = PolicyTemplate::parse(&required(args, "policy")?)?;
    let arn = JsValue::from(policy.arn());
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| iam::prepare_attach_user_policy(endpoint, &user_name, &policy),
        move |response| {
            iam::parse_attach_user_policy(response)?;
            Ok(Answer::Value(record(&[("policyArn", arn.clone())])))
        },
    ))
}

/// The managed policies attached to a user (all pages).
#[wasm_bindgen(js_name = iamListAttachedUserPolicies, unchecked_return_type = "Promise<AttachedPolicyInfo[]>")]
pub fn iam_list_attached_user_policies(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { userName: string }")] args: JsValue,
) -> Promise {
    start(attached_policies_job(&args))
}

fn attached_policies_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let user_name = required(args, "userName")?;
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, marker| {
            iam::prepare_list_attached_user_policies(endpoint, &user_name, marker)
        },
        |response| {
            let page = iam::parse_list_attached_user_policies(response)?;
            let items = page
                .items
                .iter()
                .map(|p| {
                    record(&[
                        ("policyName", p.policy_name.as_str().into()),
                        ("policyArn", p.policy_arn.as_str().into()),
                    ])
                })
                .collect();
            Ok(Answer::Page(items, page.next_marker))
        },
    ))
}
