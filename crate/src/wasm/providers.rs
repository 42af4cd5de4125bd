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

use super::vault::{open_record, read_vault_header, seal_created, sealed_record};
use super::{fetch, js_error, read, read_credentials, wiped};
use crate::aws::query::{query_error, HttpResponse, Pagination, PreparedCall, Tag};
use crate::aws::retry::{next_retry_delay_ms, Repeatable};
use crate::aws::secretsmanager::decode_json;
use crate::aws::{sts, AwsCredentials, AwsError, Endpoint, SigningError};
use crate::vault::signer;

#[wasm_bindgen(typescript_custom_section)]
const TS_PROVIDER_TYPES: &'static str = r#"
/** Tags as [key, value] pairs, in order. */
export type TagList = [key: string, value: string][];
export interface SessionTokenArgs extends AwsCallArgs {
  /** Seal the session to this vault and return it as `entry`. */
  vaultHeader?: string;
  region?: string;
  /** The MFA device: arn:aws:iam::123456789012:mfa/NAME, or a hardware token's serial. */
  serialNumber?: string;
  /** The 6 digits the MFA device shows; required with serialNumber. */
  tokenCode?: string;
  /** 900..129600; AWS's default is 43200 (12 h). */
  durationSeconds?: number;
}
/**
 * Only metadata, plus (with vaultHeader) the session sealed into `entry`: its secret and
 * token never reach JS in clear (see stsGetSessionToken).
 */
export interface SessionTokenInfo { accessKeyId: string; expiration: string; entry?: SealedRecord }
"#;

/// More pages than any list Keysmith reads could fill (a user has at most 2 access keys and
/// 20 attached policies).
const MAX_PAGES: usize = 20;

pub(super) struct Call {
    pub credentials: AwsCredentials,
    /// The access key id of the identity signing: the signer's own long-term key when an MFA
    /// session signs in its place (so that the key-slot choice still flags it).
    pub signer_key_id: String,
    /// The signer's MFA device, when it requires MFA.
    pub mfa_serial: Option<String>,
    needs_session: bool,
    pub endpoint: Endpoint,
    pub region: Option<String>,
    pub user_name: Option<String>,
}

/// Who signs a call: the credentials, the signer's own access key id, and its MFA device.
pub(super) struct Signing {
    pub credentials: AwsCredentials,
    signer_key_id: String,
    mfa_serial: Option<String>,
    /// An MFA signer with no session given: only STS may be called with it.
    needs_session: bool,
}

/// The credentials a call signs with: `session` (the MFA session the worker holds for its
/// signer), else `signer` (a sealed vault entry, opened here with the unlocked key), else
/// `credentials` given in clear (the JS API and first verification only).
pub(super) fn read_signing(args: &JsValue) -> Result<Signing, JsValue> {
    let now = now_ms();
    let signer = open_record(args, "signer")?;
    let session = open_record(args, "session")?;
    if let Some(entry) = signer {
        let own = signer::aws_signer_credentials(&entry, now)?;
        let mfa_serial = entry.signer.as_ref().and_then(|s| s.mfa_serial.clone());
        let signer_key_id = own.access_key_id().to_owned();
        let (credentials, needs_session) = match session {
            Some(session) => (signer::aws_entry_credentials(&session.data, now)?, false),
            None => (own, mfa_serial.is_some()),
        };
        return Ok(Signing {
            credentials,
            signer_key_id,
            mfa_serial,
            needs_session,
        });
    }
    if session.is_some() {
        return Err(js_error(
            "invalid_input",
            "arguments.session is the MFA session of a signer: give arguments.signer too",
        ));
    }
    let credentials = read_credentials(
        &read::field(args, "arguments", "credentials")?,
        "arguments.credentials",
    )?;
    Ok(Signing {
        signer_key_id: credentials.access_key_id().to_owned(),
        credentials,
        mfa_serial: None,
        needs_session: false,
    })
}

/// Reads a call's arguments for IAM or EC2: a signer that requires MFA must come with its
/// MFA session (`mfa_required` otherwise, so that the popup asks for the code).
pub(super) fn read_call(args: &JsValue) -> Result<Call, JsValue> {
    let call = read_sts_call(args)?;
    if call.needs_session {
        return Err(js_error(
            "mfa_required",
            "this signer requires MFA: enter the 6-digit code from your MFA device",
        ));
    }
    Ok(call)
}

/// Reads a call's arguments for STS, which an MFA signer may call without a session.
fn read_sts_call(args: &JsValue) -> Result<Call, JsValue> {
    let Signing {
        credentials,
        signer_key_id,
        mfa_serial,
        needs_session,
    } = read_signing(args)?;
    let endpoint = match read::opt_string(args, "arguments", "endpoint")?.as_deref() {
        Some(base) if !base.is_empty() => Endpoint::custom(base)?,
        _ => Endpoint::aws(),
    };
    Ok(Call {
        credentials,
        signer_key_id,
        mfa_serial,
        needs_session,
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

#[wasm_bindgen]
extern "C" {
    /// The JS monotonic clock (window, worker or Node): phases are timed with it, never with
    /// `SystemTime` (which panics on wasm32).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Where a call's time went, for the benchmarks' breakdown (`timings` in a create's result):
/// each [`Phases::lap`] gives the time since the previous lap to one phase. A handful of clock
/// reads per call.
pub(super) struct Phases {
    ms: [f64; 4],
    last: f64,
}

impl Phases {
    /// Opening the signer, building and signing requests.
    pub const SIGN: usize = 0;
    /// `fetch` until the body is in WASM memory (mostly the provider's own time), and retry waits.
    pub const NETWORK: usize = 1;
    /// Reading the answers.
    pub const PARSE: usize = 2;
    /// Sealing the new secret into a vault entry.
    pub const SEAL: usize = 3;

    pub fn start() -> Self {
        Self {
            ms: [0.0; 4],
            last: performance_now(),
        }
    }

    pub fn lap(&mut self, phase: usize) {
        let now = performance_now();
        self.ms[phase] += now - self.last;
        self.last = now;
    }

    /// `{signMs, networkMs, parseMs, sealMs}`.
    pub fn value(&self) -> JsValue {
        let [sign, network, parse, seal] = self.ms;
        record(&[
            ("signMs", sign.into()),
            ("networkMs", network.into()),
            ("parseMs", parse.into()),
            ("sealMs", seal.into()),
        ])
    }
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
    phases: &mut Phases,
) -> Result<HttpResponse, AwsError> {
    send_with(credentials, repeatable, prepare, query_error, phases).await
}

/// [`send`] for a JSON 1.1 service (Secrets Manager): errors are JSON documents.
pub(super) async fn send_json(
    credentials: &AwsCredentials,
    repeatable: Repeatable,
    prepare: &dyn Fn() -> Result<PreparedCall, SigningError>,
    phases: &mut Phases,
) -> Result<HttpResponse, AwsError> {
    send_with(
        credentials,
        repeatable,
        prepare,
        |response| {
            if (200..300).contains(&response.status) {
                None
            } else {
                decode_json(response, &[]).err()
            }
        },
        phases,
    )
    .await
}

async fn send_with(
    credentials: &AwsCredentials,
    repeatable: Repeatable,
    prepare: &dyn Fn() -> Result<PreparedCall, SigningError>,
    classify: fn(&HttpResponse) -> Option<AwsError>,
    phases: &mut Phases,
) -> Result<HttpResponse, AwsError> {
    let mut attempt = 0;
    loop {
        // Signing handles the secret: its stack is wiped before the await below.
        let request = wiped(|| prepare()?.sign(credentials, now_ms()))?;
        phases.lap(Phases::SIGN);
        let response = fetch::send(request).await?;
        phases.lap(Phases::NETWORK);
        let Some(error) = classify(&response) else {
            return Ok(response);
        };
        match next_retry_delay_ms(&error, attempt, repeatable, jitter()) {
            Some(ms) => {
                sleep(ms).await;
                phases.lap(Phases::NETWORK);
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
            let response = send(
                &job.call.credentials,
                job.repeatable,
                &prepare,
                &mut Phases::start(),
            )
            .await?;
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
    start(read_sts_call(&args).map(|call| {
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

/// `sts:GetSessionToken`, with an MFA code when the signer requires one (its recorded device
/// when `serialNumber` is absent). With `vaultHeader`, the session's secret and token are
/// sealed into `entry` (an `aws_temporary_credentials` entry the worker keeps in session
/// storage and passes back as `session`); without, they are wiped here. Either way only
/// metadata reaches JS in clear.
#[wasm_bindgen(js_name = stsGetSessionToken, unchecked_return_type = "Promise<SessionTokenInfo>")]
pub fn sts_get_session_token(
    #[wasm_bindgen(unchecked_param_type = "SessionTokenArgs")] args: JsValue,
) -> Promise {
    start(session_token_job(&args))
}

fn session_token_job(args: &JsValue) -> Result<Job, JsValue> {
    let call = read_sts_call(args)?;
    let code = opt_non_empty(args, "tokenCode")?;
    let serial =
        opt_non_empty(args, "serialNumber")?.or_else(|| code.as_ref().and(call.mfa_serial.clone()));
    if serial.is_some() != code.is_some() {
        return Err(js_error(
            "invalid_options",
            "serialNumber and tokenCode go together: give both or neither",
        ));
    }
    let header = match read::opt_string(args, "arguments", "vaultHeader")? {
        Some(_) => Some(read_vault_header(args)?),
        None => None,
    };
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
        move |response| {
            let session = sts::parse_get_session_token(response)?;
            let access_key_id = session.access_key_id.clone();
            let expiration = session.expiration.clone();
            let entry = match &header {
                Some(header) => {
                    let sealed =
                        seal_created(header, signer::session_entry(session)).map_err(|e| {
                            AwsError::NotVaulted(format!(
                                "the MFA session could not be sealed ({e})"
                            ))
                        })?;
                    sealed_record(&sealed)
                }
                // Dropped here: SessionCredentials wipes its secret and token.
                None => JsValue::UNDEFINED,
            };
            Ok(Answer::Value(record(&[
                ("accessKeyId", access_key_id.as_str().into()),
                ("expiration", expiration.as_str().into()),
                ("entry", entry),
            ])))
        },
    ))
}
