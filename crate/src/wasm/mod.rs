//! The only JavaScript surface: thin wasm-bindgen adapters that convert JS values, call the
//! pure core, and turn typed errors into `Error` objects with a stable `code`. No logic here.

#[cfg(feature = "providers")]
mod ec2;
#[cfg(feature = "providers")]
mod fetch;
#[cfg(feature = "providers")]
mod iam;
#[cfg(feature = "providers")]
mod providers;
mod read;
#[cfg(feature = "providers")]
mod rotation;
#[cfg(feature = "providers")]
mod scaleway_api;
#[cfg(feature = "providers")]
mod signers;
#[cfg(feature = "vault")]
mod vault;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[cfg(feature = "providers")]
use crate::aws::AwsError;
use crate::aws::{
    self, sign::build_request, AwsCredentials, PayloadMode, SigningError, SigningOptions,
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
  /** In clear: the JS API and a signer's first verification. Extension code passes `signer`. */
  credentials?: AwsCredentialsInput;
  /** A signer identity: its sealed record, opened in the core with the unlocked vault key. */
  signer?: { storageKey: string; value: string };
  /** The MFA session held for `signer` (stsGetSessionToken's sealed entry): signs instead. */
  session?: { storageKey: string; value: string };
  /** Custom base URL for every AWS service (moto, LocalStack, a proxy): http(s)://host[:port]. */
  endpoint?: string;
}
export interface CallerIdentity { account: string; arn: string; userId: string }
/** Where a provider call's time went (ms, performance.now): for the benchmarks' breakdown. */
export interface CallTimings { signMs: number; networkMs: number; parseMs: number; sealMs: number }
export interface CreatedAccessKeyInfo { accessKeyId: string; userName: string; status: string; createDate: string; entry: SealedRecord; timings: CallTimings }
/** Every error the core throws is an Error with these fields. */
export interface KeysmithError extends Error {
  code: string;
  /** The provider's error name, e.g. AccessDenied, LimitExceeded, InvalidKeyPair.Duplicate. */
  providerCode?: string;
  status?: number;
  /** The id AWS gave the failed request (what AWS support asks for). */
  requestId?: string;
  /** For AccessDenied: the permission AWS said is missing, e.g. iam:CreateAccessKey. */
  missingPermission?: string;
}
"#;

/// Runs `f` in a frame of its own, then overwrites the stack it used: secret-handling locals
/// below an export's frame must not outlive the call (see [`crate::secret::wipe_stack`]).
pub(crate) fn wiped<T>(f: impl FnOnce() -> T) -> T {
    #[inline(never)]
    fn in_own_frame<T>(f: impl FnOnce() -> T) -> T {
        f()
    }
    let out = in_own_frame(f);
    crate::secret::wipe_stack();
    out
}

pub(crate) fn js_error(code: &str, message: &str) -> JsValue {
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

#[cfg(feature = "providers")]
impl From<AwsError> for JsValue {
    fn from(e: AwsError) -> Self {
        let err = js_error(e.code(), &e.to_string());
        if let Some(code) = e.provider_code() {
            let _ = Reflect::set(&err, &"providerCode".into(), &code.into());
        }
        if let Some(status) = e.status() {
            let _ = Reflect::set(&err, &"status".into(), &status.into());
        }
        if let Some(id) = e.request_id() {
            let _ = Reflect::set(&err, &"requestId".into(), &id.into());
        }
        if let Some(action) = e.missing_permission() {
            let _ = Reflect::set(&err, &"missingPermission".into(), &action.into());
        }
        err
    }
}

/// Builds a plain JS object from `(key, value)` pairs.
pub(crate) fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        // Setting a data property on a fresh plain object cannot throw.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn header_array(headers: &http::HeaderMap) -> JsValue {
    headers
        .iter()
        .map(|(n, v)| {
            js_sys::Array::of2(
                &JsValue::from_str(n.as_str()),
                &JsValue::from_str(&String::from_utf8_lossy(v.as_bytes())),
            )
        })
        .collect::<js_sys::Array>()
        .into()
}

/// Reads `{method, url, headers, body}`; the body may be a string, a `Uint8Array` or absent.
fn read_request(value: &JsValue) -> Result<http::Request<Vec<u8>>, JsValue> {
    let method = read::string(value, "request", "method")?;
    let url = read::string(value, "request", "url")?;
    let headers = read::headers(value, "request")?;
    let body = read::field(value, "request", "body")?;
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
    Ok(build_request(&method, &url, &headers, body)?)
}

/// Reads `{accessKeyId, secretAccessKey, sessionToken?}`; the secret strings are moved into
/// wiped-on-drop containers at once.
pub(crate) fn read_credentials(value: &JsValue, path: &str) -> Result<AwsCredentials, JsValue> {
    let id = read::string(value, path, "accessKeyId")?;
    let secret = SecretString::new(read::string(value, path, "secretAccessKey")?);
    let token = read::opt_string(value, path, "sessionToken")?.map(SecretString::new);
    Ok(AwsCredentials::new(&id, secret, token)?)
}

/// Signs an HTTP request with AWS SigV4 (headers, or a presigned URL). Pure: sends nothing.
#[wasm_bindgen(js_name = signAwsRequest, unchecked_return_type = "SignedAwsRequest")]
pub fn sign_aws_request(
    #[wasm_bindgen(unchecked_param_type = "HttpRequestInput")] request: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "AwsCredentialsInput | { signer: { storageKey: string; value: string }; session?: { storageKey: string; value: string } }"
    )]
    credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "AwsSigningOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    wiped(|| {
        let request = read_request(&request)?;
        // A vault signer ({signer, session?}, as the worker passes it) or credentials in clear.
        #[cfg(feature = "providers")]
        let credentials = if read::field(&credentials, "credentials", "signer")?.is_undefined() {
            read_credentials(&credentials, "credentials")?
        } else {
            providers::read_signing(&credentials)?.credentials
        };
        #[cfg(not(feature = "providers"))]
        let credentials = read_credentials(&credentials, "credentials")?;
        let mut opts = SigningOptions::new(
            &read::string(&options, "options", "region")?,
            &read::string(&options, "options", "service")?,
            read::integer(&options, "options", "timeMs")?,
        );
        if read::opt_bool(&options, "options", "unsignedPayload")? {
            opts.payload = PayloadMode::Unsigned;
        }
        let presign = read::field(&options, "options", "presign")?;
        if !presign.is_undefined() && !presign.is_null() {
            opts.presign_expires_secs =
                Some(read::integer(&presign, "options.presign", "expiresSecs")?);
        }
        let signed = aws::sign_request(request, &credentials, &opts)?;
        Ok(object(&[
            ("method", signed.request.method().as_str().into()),
            ("url", signed.request.uri().to_string().into()),
            ("headers", header_array(signed.request.headers())),
            ("canonicalRequest", signed.canonical_request.into()),
            ("stringToSign", signed.string_to_sign.into()),
            ("signature", signed.signature.into()),
        ]))
    })
}

/// Adds `X-Auth-Token` to a request for the Scaleway API base, and refuses any other host.
#[wasm_bindgen(js_name = authorizeScalewayRequest, unchecked_return_type = "AuthorizedRequest")]
pub fn authorize_scaleway_request(
    #[wasm_bindgen(unchecked_param_type = "HttpRequestInput")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ScalewayCredentialsInput")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ScalewayOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    wiped(|| {
        let request = read_request(&request)?;
        let secret = SecretString::new(read::string(&credentials, "credentials", "secretKey")?);
        let api_base = if options.is_undefined() || options.is_null() {
            None
        } else {
            read::opt_string(&options, "options", "apiBase")?
        };
        let base =
            scaleway::ApiBase::parse(api_base.as_deref().unwrap_or(scaleway::DEFAULT_API_BASE))?;
        let authorized = scaleway::authorize_request(request, &secret, &base)?;
        Ok(object(&[
            ("method", authorized.method().as_str().into()),
            ("url", authorized.uri().to_string().into()),
            ("headers", header_array(authorized.headers())),
        ]))
    })
}

/// The core's version.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    crate::VERSION.to_owned()
}
