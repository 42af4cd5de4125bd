//! The only JavaScript surface: thin wasm-bindgen adapters that convert JS values, call the
//! pure core, and turn typed errors into `Error` objects with a stable `code`. No logic here.

mod fetch;

use js_sys::{Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::aws::{
    self, iam, sign::build_request, sts, AwsCredentials, AwsError, Endpoint, PayloadMode,
    SigningError, SigningOptions,
};
use crate::scaleway::{self, ScalewayAuthError};
use crate::secret::SecretString;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A header list keeps order and repeats, as HTTP does. */
export type HeaderList = [name: string, value: string][];
export interface HttpRequestInput {
  method: string;
  url: string;
  headers?: HeaderList;
  body?: Uint8Array | string;
}
export interface AwsCredentialsInput {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
export interface AwsSigningOptions {
  region: string;
  service: string;
  /** Milliseconds since the Unix epoch (Date.now()). */
  timeMs: number;
  /** S3 only: sign `UNSIGNED-PAYLOAD` instead of the body's SHA-256. */
  unsignedPayload?: boolean;
  /** Sign in the query string (a presigned URL) valid for `expiresSecs` (1..604800). */
  presign?: { expiresSecs: number };
}
export interface SignedAwsRequest {
  method: string;
  url: string;
  headers: HeaderList;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}
export interface ScalewayCredentialsInput { secretKey: string }
export interface ScalewayOptions { apiBase?: string }
export interface AuthorizedRequest { method: string; url: string; headers: HeaderList }
export interface AwsCallArgs {
  credentials: AwsCredentialsInput;
  /** Custom base URL for every AWS service (moto, LocalStack, a proxy): http(s)://host[:port]. */
  endpoint?: string;
}
export interface CallerIdentity { account: string; arn: string; userId: string }
export interface CreatedAccessKeyInfo { accessKeyId: string; userName: string; status: string; createDate: string }
/** Every error the core throws is an Error with these fields. */
export interface KeysmithError extends Error {
  code: string;
  providerCode?: string;
  status?: number;
}
"#;

fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    let _ = Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

impl From<SigningError> for JsValue {
    fn from(e: SigningError) -> Self {
        js_error(e.code(), &e.to_string())
    }
}

impl From<ScalewayAuthError> for JsValue {
    fn from(e: ScalewayAuthError) -> Self {
        js_error(e.code(), &e.to_string())
    }
}

impl From<AwsError> for JsValue {
    fn from(e: AwsError) -> Self {
        let err = js_error(e.code(), &e.to_string());
        if let Some(code) = e.provider_code() {
            let _ = Reflect::set(&err, &"providerCode".into(), &code.into());
        }
        if let Some(status) = e.status() {
            let _ = Reflect::set(&err, &"status".into(), &status.into());
        }
        err
    }
}

fn bad_input(what: &str, e: impl std::fmt::Display) -> JsValue {
    js_error("invalid_input", &format!("{what}: {e}"))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("internal", &e.to_string()))
}

#[derive(Deserialize)]
struct RequestInput {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
}

/// Reads `{method, url, headers, body}`; the body may be a string, a `Uint8Array` or absent.
fn read_request(value: &JsValue) -> Result<http::Request<Vec<u8>>, JsValue> {
    let input: RequestInput =
        serde_wasm_bindgen::from_value(value.clone()).map_err(|e| bad_input("request", e))?;
    let body = Reflect::get(value, &"body".into())
        .map_err(|e| bad_input("request.body", e.as_string().unwrap_or_default()))?;
    let body = if body.is_undefined() || body.is_null() {
        Vec::new()
    } else if let Some(text) = body.as_string() {
        text.into_bytes()
    } else if body.is_instance_of::<Uint8Array>() {
        Uint8Array::from(body).to_vec()
    } else {
        return Err(js_error(
            "invalid_body",
            "request.body must be a string or a Uint8Array",
        ));
    };
    Ok(build_request(
        &input.method,
        &input.url,
        &input.headers,
        body,
    )?)
}

fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsInput {
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    session_token: Option<String>,
}

fn read_credentials(value: JsValue) -> Result<AwsCredentials, JsValue> {
    let c: CredentialsInput =
        serde_wasm_bindgen::from_value(value).map_err(|e| bad_input("credentials", e))?;
    Ok(AwsCredentials::new(
        &c.access_key_id,
        SecretString::new(c.secret_access_key),
        c.session_token.map(SecretString::new),
    )?)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresignInput {
    expires_secs: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OptionsInput {
    region: String,
    service: String,
    time_ms: f64,
    #[serde(default)]
    unsigned_payload: bool,
    #[serde(default)]
    presign: Option<PresignInput>,
}

fn as_u64(v: f64, what: &str) -> Result<u64, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 {
        Ok(v as u64)
    } else {
        Err(js_error(
            "invalid_options",
            &format!("{what} must be a non-negative integer, got {v}"),
        ))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedOutput {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

/// Signs an HTTP request with AWS SigV4 (headers, or a presigned URL). Pure: sends nothing.
#[wasm_bindgen(js_name = signAwsRequest, unchecked_return_type = "SignedAwsRequest")]
pub fn sign_aws_request(
    #[wasm_bindgen(unchecked_param_type = "HttpRequestInput")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AwsCredentialsInput")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AwsSigningOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let request = read_request(&request)?;
    let credentials = read_credentials(credentials)?;
    let o: OptionsInput =
        serde_wasm_bindgen::from_value(options).map_err(|e| bad_input("options", e))?;
    let mut opts = SigningOptions::new(&o.region, &o.service, as_u64(o.time_ms, "timeMs")?);
    if o.unsigned_payload {
        opts.payload = PayloadMode::Unsigned;
    }
    if let Some(p) = o.presign {
        opts.presign_expires_secs = Some(as_u64(p.expires_secs, "presign.expiresSecs")?);
    }
    let signed = aws::sign_request(request, &credentials, &opts)?;
    to_js(&SignedOutput {
        method: signed.request.method().to_string(),
        url: signed.request.uri().to_string(),
        headers: header_list(signed.request.headers()),
        canonical_request: signed.canonical_request,
        string_to_sign: signed.string_to_sign,
        signature: signed.signature,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScalewayCredentialsInput {
    secret_key: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ScalewayOptionsInput {
    #[serde(default)]
    api_base: Option<String>,
}

#[derive(Serialize)]
struct AuthorizedOutput {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
}

/// Adds `X-Auth-Token` to a request for the Scaleway API base, and refuses any other host.
#[wasm_bindgen(js_name = authorizeScalewayRequest, unchecked_return_type = "AuthorizedRequest")]
pub fn authorize_scaleway_request(
    #[wasm_bindgen(unchecked_param_type = "HttpRequestInput")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ScalewayCredentialsInput")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ScalewayOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let request = read_request(&request)?;
    let c: ScalewayCredentialsInput =
        serde_wasm_bindgen::from_value(credentials).map_err(|e| bad_input("credentials", e))?;
    let secret = SecretString::new(c.secret_key);
    let o: ScalewayOptionsInput = if options.is_undefined() || options.is_null() {
        ScalewayOptionsInput::default()
    } else {
        serde_wasm_bindgen::from_value(options).map_err(|e| bad_input("options", e))?
    };
    let base =
        scaleway::ApiBase::parse(o.api_base.as_deref().unwrap_or(scaleway::DEFAULT_API_BASE))?;
    let authorized = scaleway::authorize_request(request, &secret, &base)?;
    to_js(&AuthorizedOutput {
        method: authorized.method().to_string(),
        url: authorized.uri().to_string(),
        headers: header_list(authorized.headers()),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallArgs {
    credentials: CredentialsInput,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    user_name: Option<String>,
}

struct Call {
    credentials: AwsCredentials,
    endpoint: Endpoint,
    region: Option<String>,
    user_name: Option<String>,
}

fn read_call(args: JsValue) -> Result<Call, JsValue> {
    let a: CallArgs =
        serde_wasm_bindgen::from_value(args).map_err(|e| bad_input("arguments", e))?;
    let c = a.credentials;
    let credentials = AwsCredentials::new(
        &c.access_key_id,
        SecretString::new(c.secret_access_key),
        c.session_token.map(SecretString::new),
    )?;
    let endpoint = match a.endpoint.as_deref() {
        Some(base) if !base.is_empty() => Endpoint::custom(base)?,
        _ => Endpoint::aws(),
    };
    Ok(Call {
        credentials,
        endpoint,
        region: a.region.filter(|r| !r.is_empty()),
        user_name: a.user_name.filter(|u| !u.is_empty()),
    })
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallerIdentityOutput {
    account: String,
    arn: String,
    user_id: String,
}

/// `sts:GetCallerIdentity`: proves a credential works and names its account and principal.
#[wasm_bindgen(js_name = stsGetCallerIdentity, unchecked_return_type = "Promise<CallerIdentity>")]
pub async fn sts_get_caller_identity(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { region?: string }")] args: JsValue,
) -> Result<JsValue, JsValue> {
    let call = read_call(args)?;
    let request = sts::prepare_get_caller_identity(&call.endpoint, call.region.as_deref())?
        .sign(&call.credentials, now_ms())?;
    let response = fetch::send(request).await?;
    let id = sts::parse_get_caller_identity(&response)?;
    to_js(&CallerIdentityOutput {
        account: id.account,
        arn: id.arn,
        user_id: id.user_id,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedKeyOutput {
    access_key_id: String,
    user_name: String,
    status: String,
    create_date: String,
}

/// `iam:CreateAccessKey` for `userName` (or the signer). The new secret never reaches JS: it
/// is wiped here until the vault exists to seal it.
#[wasm_bindgen(js_name = iamCreateAccessKey, unchecked_return_type = "Promise<CreatedAccessKeyInfo>")]
pub async fn iam_create_access_key(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { userName?: string }")] args: JsValue,
) -> Result<JsValue, JsValue> {
    let call = read_call(args)?;
    let request = iam::prepare_create_access_key(&call.endpoint, call.user_name.as_deref())?
        .sign(&call.credentials, now_ms())?;
    let response = fetch::send(request).await?;
    let key = iam::parse_create_access_key(&response)?;
    to_js(&CreatedKeyOutput {
        access_key_id: key.access_key_id.clone(),
        user_name: key.user_name.clone(),
        status: key.status.clone(),
        create_date: key.create_date.clone(),
    })
}

/// The core's version.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    crate::VERSION.to_owned()
}
