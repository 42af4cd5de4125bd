//! Provider calls: build, sign, fetch and parse in one step, so that a created secret is read
//! from the response straight into WASM memory and never handed to JavaScript.

use wasm_bindgen::prelude::*;

use super::{fetch, object, read, read_credentials};
use crate::aws::{iam, sts, AwsCredentials, AwsError, Endpoint};

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
    let request = sts::prepare_get_caller_identity(&call.endpoint, call.region.as_deref())?
        .sign(&call.credentials, now_ms())?;
    let response = fetch::send(request).await.map_err(AwsError::from)?;
    let id = sts::parse_get_caller_identity(&response)?;
    Ok(object(&[
        ("account", id.account.into()),
        ("arn", id.arn.into()),
        ("userId", id.user_id.into()),
    ]))
}

/// `iam:CreateAccessKey` for `userName` (or the signer). The new secret never reaches JS: it
/// is wiped here until the vault exists to seal it.
#[wasm_bindgen(js_name = iamCreateAccessKey, unchecked_return_type = "CreatedAccessKeyInfo")]
pub async fn iam_create_access_key(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { userName?: string }")] args: JsValue,
) -> Result<JsValue, JsValue> {
    let call = read_call(&args)?;
    let request = iam::prepare_create_access_key(&call.endpoint, call.user_name.as_deref())?
        .sign(&call.credentials, now_ms())?;
    let response = fetch::send(request).await.map_err(AwsError::from)?;
    let key = iam::parse_create_access_key(&response)?;
    Ok(object(&[
        ("accessKeyId", key.access_key_id.as_str().into()),
        ("userName", key.user_name.as_str().into()),
        ("status", key.status.as_str().into()),
        ("createDate", key.create_date.as_str().into()),
    ]))
}
