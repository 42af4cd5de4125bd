//! Provider calls: build, sign, fetch and parse in one step, so that a created secret is read
//! from the response straight into WASM memory and never handed to JavaScript.

use wasm_bindgen::prelude::*;

use super::vault::sealed_record;
use super::{fetch, js_error, object, read, read_credentials, wiped};
use crate::aws::{iam, sts, AwsCredentials, Endpoint};
use crate::vault::{AwsAccessKey, Entry, EntryData, VaultHeader};

struct Call {
    credentials: AwsCredentials,
    endpoint: Endpoint,
    region: Option<String>,
    user_name: Option<String>,
}

fn read_call(args: &JsValue) -> Result<Call, JsValue> {
    let credentials = read_credentials(
        &read::field(args, "arguments", "credentials")?,
        "arguments.credentials",
    )?;
    let endpoint = match read::opt_string(args, "arguments", "endpoint")?.as_deref() {
        Some(base) if !base.is_empty() => Endpoint::custom(base)?,
        _ => Endpoint::aws(),
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    Ok(Call {
        credentials,
        endpoint,
        region: non_empty(read::opt_string(args, "arguments", "region")?),
        user_name: non_empty(read::opt_string(args, "arguments", "userName")?),
    })
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// `sts:GetCallerIdentity`: proves a credential works and names its account and principal.
#[wasm_bindgen(js_name = stsGetCallerIdentity, unchecked_return_type = "CallerIdentity")]
pub async fn sts_get_caller_identity(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { region?: string }")] args: JsValue,
) -> Result<JsValue, JsValue> {
    let call = read_call(&args)?;
    let request = wiped(|| {
        sts::prepare_get_caller_identity(&call.endpoint, call.region.as_deref())?
            .sign(&call.credentials, now_ms())
    })?;
    let response = fetch::send(request).await?;
    let id = sts::parse_get_caller_identity(&response)?;
    Ok(object(&[
        ("account", id.account.into()),
        ("arn", id.arn.into()),
        ("userId", id.user_id.into()),
    ]))
}

/// `iam:CreateAccessKey` for `userName` (or the signer), sealed straight into the vault: the
/// new secret goes from the response bytes into a sealed entry and never reaches JS. Works
/// while the vault is locked (sealing needs only the public header). The caller stores
/// `entry` before reporting success.
#[wasm_bindgen(js_name = iamCreateAccessKey, unchecked_return_type = "CreatedAccessKeyInfo")]
pub async fn iam_create_access_key(
    #[wasm_bindgen(
        unchecked_param_type = "AwsCallArgs & { userName?: string; vaultHeader: string; description?: string }"
    )]
    args: JsValue,
) -> Result<JsValue, JsValue> {
    let call = read_call(&args)?;
    // Checked before anything is created: a key that cannot be vaulted must not be made.
    let header = VaultHeader::from_base64(&read::string(&args, "arguments", "vaultHeader")?)?;
    let description = read::opt_string(&args, "arguments", "description")?;
    let request = wiped(|| {
        iam::prepare_create_access_key(&call.endpoint, call.user_name.as_deref())?
            .sign(&call.credentials, now_ms())
    })?;
    let response = fetch::send(request).await?;
    let iam::CreatedAccessKey {
        user_name,
        access_key_id,
        status,
        create_date,
        secret_access_key,
    } = iam::parse_create_access_key(&response)?;
    drop(response);
    let data = EntryData::AwsAccessKey(AwsAccessKey {
        account_id: None,
        user_name: Some(user_name.clone()),
        access_key_id: access_key_id.clone(),
        secret_access_key,
        created: Some(create_date.clone()).filter(|d| !d.is_empty()),
        description: description.filter(|d| !d.is_empty()),
        tags: Vec::new(),
    });
    let sealed = Entry::new(data, now_ms())
        .and_then(|entry| header.seal_entry(&entry))
        .map_err(|e| {
            let err = js_error(
                "not_vaulted",
                &format!(
                    "access key {access_key_id} was created for {user_name} but could not be vaulted ({e}); delete it in IAM"
                ),
            );
            let _ = js_sys::Reflect::set(&err, &"accessKeyId".into(), &access_key_id.as_str().into());
            err
        })?;
    Ok(object(&[
        ("accessKeyId", access_key_id.as_str().into()),
        ("userName", user_name.as_str().into()),
        ("status", status.as_str().into()),
        ("createDate", create_date.as_str().into()),
        ("entry", sealed_record(&sealed)),
    ]))
}
