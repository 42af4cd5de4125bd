//! Provider calls: build, sign, fetch and parse in one step, so that a created secret is read
//! from the response straight into WASM memory and never handed to JavaScript. Throttled
//! calls are repeated here, per the core's retry policy (`aws::retry`).
//!
//! Most exports are synchronous: they read and check their arguments, then hand a [`Job`]
//! (how to build the request, how to read the answer) to one shared async runner. One state
//! machine for all of them keeps the wasm binary small; a separate `async fn` per export
//! cost about 1 KB each.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::{fetch, js_error, read, read_credentials, wiped};
use crate::aws::json::decode_json;
use crate::aws::query::{query_error, HttpResponse, Pagination, PreparedCall, Tag};
use crate::aws::retry::{next_retry_delay_ms, Repeatable};
use crate::aws::{sts, AwsCredentials, AwsError, Endpoint, SigningError};

#[wasm_bindgen(typescript_custom_section)]
const TS_PROVIDER_TYPES: &'static str = r#"
/** Tags as [key, value] pairs, in order. */
export type TagList = [key: string, value: string][];
export interface SessionTokenArgs extends AwsCallArgs {
  region?: string;
  /** The MFA device: arn:aws:iam::123456789012:mfa/NAME, or a hardware token's serial. */
  serialNumber?: string;
  /** The 6 digits the MFA device shows; required with serialNumber. */
  tokenCode?: string;
  /** 900..129600; AWS's default is 43200 (12 h). */
  durationSeconds?: number;
}
/** Only metadata: the session's secret and token stay in the core (see stsGetSessionToken). */
export interface SessionTokenInfo { accessKeyId: string; expiration: string }
"#;

/// More pages than any list Keysmith reads could fill (a user has at most 2 access keys and
/// 20 attached policies).
const MAX_PAGES: usize = 20;

pub(super) struct Call {
    pub credentials: AwsCredentials,
    pub endpoint: Endpoint,
    pub region: Option<String>,
    pub user_name: Option<String>,
}

pub(super) fn read_call(args: &JsValue) -> Result<Call, JsValue> {
    let credentials = read_credentials(
        &read::field(args, "arguments", "credentials")?,
        "arguments.credentials",
    )?;
    let endpoint = match read::opt_string(args, "arguments", "endpoint")?.as_deref() {
        Some(base) if !base.is_empty() => Endpoint::custom(base)?,
        _ => Endpoint::aws(),
    };
    Ok(Call {
        credentials,
        endpoint,
        region: opt_non_empty(args, "region")?,
        user_name: opt_non_empty(args, "userName")?,
    })
}

/// An optional string argument; `""` counts as absent.
pub(super) fn opt_non_empty(args: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    Ok(read::opt_string(args, "arguments", key)?.filter(|s| !s.is_empty()))
}

pub(super) fn required(args: &JsValue, key: &str) -> Result<String, JsValue> {
    read::string(args, "arguments", key)
}

pub(super) fn read_tags(args: &JsValue) -> Result<Vec<Tag>, JsValue> {
    Ok(read::pairs(args, "arguments", "tags")?
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect())
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A non-cryptographic random number: retry jitter only needs to differ between clients.
fn jitter() -> u32 {
    (js_sys::Math::random() * 4_294_967_296.0) as u32
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
}

async fn sleep(ms: u32) {
    let wait = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms.min(i32::MAX as u32) as i32);
    });
    // The promise only ever resolves.
    let _ = JsFuture::from(wait).await;
}

/// Builds, signs (with a fresh clock reading each time) and sends a call until its answer is
/// final: a throttled (or, for idempotent calls, unavailable) call is sent again after the
/// policy's delay, at most three times. Returns the 2xx answer for the action's parser, or
/// the error. Query protocol answers (IAM, STS, EC2); [`send_json`] for JSON 1.1 services.
pub(super) async fn send(
    credentials: &AwsCredentials,
    repeatable: Repeatable,
    prepare: &dyn Fn() -> Result<PreparedCall, SigningError>,
) -> Result<HttpResponse, AwsError> {
    send_with(credentials, repeatable, prepare, query_error).await
}

/// [`send`] for a JSON 1.1 service (Secrets Manager): errors are JSON documents.
pub(super) async fn send_json(
    credentials: &AwsCredentials,
    repeatable: Repeatable,
    prepare: &dyn Fn() -> Result<PreparedCall, SigningError>,
) -> Result<HttpResponse, AwsError> {
    send_with(credentials, repeatable, prepare, |response| {
        if (200..300).contains(&response.status) {
            None
        } else {
            decode_json(response, &[]).err()
        }
    })
    .await
}

async fn send_with(
    credentials: &AwsCredentials,
    repeatable: Repeatable,
    prepare: &dyn Fn() -> Result<PreparedCall, SigningError>,
    classify: fn(&HttpResponse) -> Option<AwsError>,
) -> Result<HttpResponse, AwsError> {
    let mut attempt = 0;
    loop {
        // Signing handles the secret: its stack is wiped before the await below.
        let request = wiped(|| prepare()?.sign(credentials, now_ms()))?;
        let response = fetch::send(request).await?;
        let Some(error) = classify(&response) else {
            return Ok(response);
        };
        match next_retry_delay_ms(&error, attempt, repeatable, jitter()) {
            Some(ms) => {
                sleep(ms).await;
                attempt += 1;
            }
            None => return Err(error),
        }
    }
}

/// What one answer yields: a value, or one page of a list and the next page's marker.
pub(super) enum Answer {
    Value(JsValue),
    Page(Vec<JsValue>, Option<String>),
}

type Prepare = Box<dyn Fn(&Endpoint, Option<&str>) -> Result<PreparedCall, SigningError>>;
type Read = Box<dyn Fn(&HttpResponse) -> Result<Answer, AwsError>>;

/// One export's work once its arguments are read: how to build the request (given the
/// pagination marker, for lists) and how to read the answer.
pub(super) struct Job {
    call: Call,
    repeatable: Repeatable,
    prepare: Prepare,
    read: Read,
}

impl Job {
    pub(super) fn new(
        call: Call,
        repeatable: Repeatable,
        prepare: impl Fn(&Endpoint, Option<&str>) -> Result<PreparedCall, SigningError> + 'static,
        read: impl Fn(&HttpResponse) -> Result<Answer, AwsError> + 'static,
    ) -> Self {
        Self {
            call,
            repeatable,
            prepare: Box::new(prepare),
            read: Box::new(read),
        }
    }
}

/// Runs a job: a promise of its value, or of every item of every page. Argument errors
/// reject the promise too, so that callers handle one kind of failure.
pub(super) fn start(job: Result<Job, JsValue>) -> Promise {
    let job = match job {
        Ok(job) => job,
        Err(error) => return Promise::reject(&error),
    };
    future_to_promise(async move {
        let mut items = Vec::new();
        let mut pages = Pagination::new(MAX_PAGES);
        let mut marker: Option<String> = None;
        loop {
            let prepare = || (job.prepare)(&job.call.endpoint, marker.as_deref());
            let response = send(&job.call.credentials, job.repeatable, &prepare).await?;
            match (job.read)(&response)? {
                Answer::Value(value) => return Ok(value),
                Answer::Page(page, next) => {
                    items.extend(page);
                    match pages.advance(next)? {
                        Some(next) => marker = Some(next),
                        None => return Ok(items.into_iter().collect::<js_sys::Array>().into()),
                    }
                }
            }
        }
    })
}

/// Builds a plain JS object, leaving out `undefined` values so that optional fields are
/// absent rather than present and undefined.
pub(super) fn record(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields.iter().filter(|(_, v)| !v.is_undefined()) {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub(super) fn opt(value: Option<&str>) -> JsValue {
    value.map(JsValue::from_str).unwrap_or(JsValue::UNDEFINED)
}

/// Sets `key` on an error object built from a typed error.
pub(super) fn with_field(error: JsValue, key: &str, value: &JsValue) -> JsValue {
    let _ = Reflect::set(&error, &JsValue::from_str(key), value);
    error
}

/// `sts:GetCallerIdentity`: proves a credential works and names its account and principal.
#[wasm_bindgen(js_name = stsGetCallerIdentity, unchecked_return_type = "Promise<CallerIdentity>")]
pub fn sts_get_caller_identity(
    #[wasm_bindgen(unchecked_param_type = "AwsCallArgs & { region?: string }")] args: JsValue,
) -> Promise {
    start(read_call(&args).map(|call| {
        let region = call.region.clone();
        Job::new(
            call,
            Repeatable::Idempotent,
            move |endpoint, _| sts::prepare_get_caller_identity(endpoint, region.as_deref()),
            |response| {
                let id = sts::parse_get_caller_identity(response)?;
                Ok(Answer::Value(record(&[
                    ("account", id.account.into()),
                    ("arn", id.arn.into()),
                    ("userId", id.user_id.into()),
                ])))
            },
        )
    }))
}

/// `sts:GetSessionToken`, with an MFA code when the signer requires one. Returns metadata
/// only: the session's secret access key and token are secrets, and holding them for the
/// session (so that later calls can be signed with them) belongs to the vault's signer
/// identities, which seal and keep credentials. Until then they are wiped here.
#[wasm_bindgen(js_name = stsGetSessionToken, unchecked_return_type = "Promise<SessionTokenInfo>")]
pub fn sts_get_session_token(
    #[wasm_bindgen(unchecked_param_type = "SessionTokenArgs")] args: JsValue,
) -> Promise {
    start(session_token_job(&args))
}

fn session_token_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_call(args)?;
    let serial = opt_non_empty(args, "serialNumber")?;
    let code = opt_non_empty(args, "tokenCode")?;
    if serial.is_some() != code.is_some() {
        return Err(js_error(
            "invalid_options",
            "serialNumber and tokenCode go together: give both or neither",
        ));
    }
    let duration = read::opt_integer(args, "arguments", "durationSeconds")?
        .map(|d| u32::try_from(d).unwrap_or(u32::MAX));
    let region = call.region.clone();
    // Repeating is harmless: a second session would simply go unused.
    Ok(Job::new(
        call,
        Repeatable::Idempotent,
        move |endpoint, _| {
            let request = sts::SessionTokenRequest {
                mfa: serial.as_deref().zip(code.as_deref()),
                duration_seconds: duration,
            };
            sts::prepare_get_session_token(endpoint, region.as_deref(), &request)
        },
        |response| {
            let session = sts::parse_get_session_token(response)?;
            // VAULT: `session.secret_access_key` and `session.session_token` go to the
            // vault's session signer here once it exists; until then they are wiped.
            Ok(Answer::Value(record(&[
                ("accessKeyId", session.access_key_id.as_str().into()),
                ("expiration", session.expiration.as_str().into()),
            ])))
        },
    ))
}
