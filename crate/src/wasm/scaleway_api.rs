//! Scaleway calls for JavaScript: read the arguments, run the core's builder/flow with the
//! `fetch` transport, and turn the typed answer into a plain object. The X-Auth-Token is
//! added only by `scaleway::authorize_request`, for URLs under the configured API base.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Array, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::vault::{
    listing, open_record, read_vault_header, seal_created, seal_created_entry, sealed_record,
};
use super::{fetch, js_error, read};
use crate::json::{array, ObjectWriter};
use crate::response::{HttpResponse, NetworkError};
use crate::scaleway::account::{self, ProjectFilter};
use crate::scaleway::flows::{self, Client, Transport};
use crate::scaleway::iam::{
    self, ApiKey, ApiKeyFilter, Application, ApplicationFilter, Bearer, NewApiKey, NewApplication,
};
use crate::scaleway::request::Page;
use crate::scaleway::secret_manager::SecretTarget;
use crate::scaleway::{ApiBase, ScalewayError, DEFAULT_API_BASE};
use crate::secret::SecretString;
use crate::vault::{EntryData, ScalewayApiKey, ScalewayBearerType};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
export interface ScalewayCallArgs {
  /** In clear: the JS API and a signer's first verification. Extension code passes `signer`. */
  credentials?: ScalewayCredentialsInput;
  /** A Scaleway signer identity's sealed record, opened in the core with the unlocked key. */
  signer?: { storageKey: string; value: string };
  /** Where the secret key may be sent: https://api.scaleway.com unless set (a local fake). */
  apiBase?: string;
}
export interface ScalewayPageArgs {
  /** From 1. */
  page?: number;
  /** 1 to 100. */
  pageSize?: number;
}
export type ScalewayBearerType = 'user' | 'application';
export interface ScalewayApiKeyInfo {
  accessKey: string;
  bearerType: ScalewayBearerType;
  bearerId: string;
  description: string;
  createdAt?: string;
  /** Absent: the key never expires. */
  expiresAt?: string;
  /** Whether `expiresAt` has passed, by the caller's clock. */
  expired: boolean;
  /** The preferred Project for Object Storage. */
  defaultProjectId?: string;
  editable: boolean;
  deletable: boolean;
  managed: boolean;
}
export interface ScalewaySignerIdentity extends ScalewayApiKeyInfo {
  organizationId: string;
  /** The user's e-mail or the application's name. */
  bearerName?: string;
}
export interface ScalewaySecretManagerTarget {
  region: 'fr-par' | 'nl-ams' | 'pl-waw';
  projectId: string;
  name: string;
  /** Folder; `/` when absent. */
  path?: string;
  description?: string;
  tags?: string[];
}
export interface ScalewayCreateApiKeyArgs extends ScalewayCallArgs {
  /** Exactly one of userId (the signer's own user) and applicationId. */
  userId?: string;
  applicationId?: string;
  /** At most 200 characters. */
  description?: string;
  /** RFC 3339, in the future; absent for a key that never expires. */
  expiresAt?: string;
  defaultProjectId?: string;
  /**
   * The bearer's Organization (scalewayGetApiKey's organizationId), recorded in the vault entry
   * for exports (`default_organization_id`): the create answer does not carry it.
   */
  organizationId?: string;
  /** Also store the new key in Secret Manager (a key_value secret). */
  secretManager?: ScalewaySecretManagerTarget;
  /** The vault's header: the new key is sealed to it (checked before anything is created). */
  vaultHeader: string;
}
export interface ScalewayPushedSecret {
  region: string;
  secretId: string;
  secretName: string;
  path?: string;
  revision: number;
}
/** The created key's metadata; its secret stays in the core and is never returned. */
export interface ScalewayCreatedApiKey extends ScalewayApiKeyInfo {
  secretManager?: ScalewayPushedSecret;
  /** The new key, sealed into the vault: store it before reporting success. */
  entry: SealedRecord;
}
export interface ScalewayListApiKeysArgs extends ScalewayCallArgs, ScalewayPageArgs {
  bearerType?: ScalewayBearerType;
  bearerId?: string;
  organizationId?: string;
  /** false: leave expired keys out. */
  expired?: boolean;
}
export interface ScalewayApiKeyPage { apiKeys: ScalewayApiKeyInfo[]; totalCount: number }
export interface ScalewayApplication {
  id: string;
  name: string;
  description: string;
  organizationId: string;
  createdAt?: string;
  nbApiKeys: number;
  tags: string[];
}
export interface ScalewayApplicationPage { applications: ScalewayApplication[]; totalCount: number }
export interface ScalewayProject {
  id: string;
  name: string;
  organizationId: string;
  description: string;
  createdAt?: string;
}
export interface ScalewayProjectPage { projects: ScalewayProject[]; totalCount: number }
"#;

impl From<ScalewayError> for JsValue {
    fn from(e: ScalewayError) -> Self {
        let err = js_error(e.code(), &e.to_string());
        if let Some(code) = e.provider_code() {
            let _ = Reflect::set(&err, &"providerCode".into(), &code.into());
        }
        if let Some(status) = e.status() {
            let _ = Reflect::set(&err, &"status".into(), &status.into());
        }
        let names = e.argument_names();
        if !names.is_empty() {
            let list: Array = names.into_iter().map(JsValue::from_str).collect();
            let _ = Reflect::set(&err, &"arguments".into(), &list);
        }
        err
    }
}

/// The browser's (or Node's) `fetch`.
struct Fetch;

impl Transport for Fetch {
    async fn send(&self, request: http::Request<Vec<u8>>) -> Result<HttpResponse, NetworkError> {
        fetch::send(request).await
    }
}

type Signer = Client<'static, Fetch>;

/// `{signer | credentials: {secretKey}, apiBase?}`: `signer` is a sealed vault entry opened
/// here with the unlocked key; a secret given in clear is moved into a wiped-on-drop string.
fn read_client(args: &JsValue) -> Result<Signer, JsValue> {
    static FETCH: Fetch = Fetch;
    let secret = match open_record(args, "signer")? {
        Some(entry) => crate::vault::signer::scaleway_signer_secret(&entry)?,
        None => {
            let credentials = read::field(args, "arguments", "credentials")?;
            SecretString::new(read::string(
                &credentials,
                "arguments.credentials",
                "secretKey",
            )?)
        }
    };
    let base = match read::opt_string(args, "arguments", "apiBase")?.as_deref() {
        Some(base) if !base.is_empty() => ApiBase::parse(base)?,
        _ => ApiBase::parse(DEFAULT_API_BASE)?,
    };
    Ok(Client::new(&FETCH, base, secret))
}

fn text(args: &JsValue, key: &str) -> Result<String, JsValue> {
    read::string(args, "arguments", key)
}

/// An optional string argument; empty reads as absent.
fn opt_text(args: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    Ok(read::opt_string(args, "arguments", key)?.filter(|s| !s.is_empty()))
}

fn read_page(args: &JsValue) -> Result<Page, JsValue> {
    let small = |key: &str| -> Result<Option<u32>, JsValue> {
        read::opt_integer(args, "arguments", key)?
            .map(|n| {
                u32::try_from(n).map_err(|_| {
                    js_error("invalid_input", &format!("arguments.{key} is too large"))
                })
            })
            .transpose()
    };
    Ok(Page {
        page: small("page")?,
        page_size: small("pageSize")?,
    })
}

type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Every export's work is boxed behind one future type, so that wasm-bindgen-futures' promise
/// glue is compiled once rather than once per export.
fn promise(work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let work: Work = Box::pin(work);
    wasm_bindgen_futures::future_to_promise(work)
}

/// A JS value from the JSON text the core rendered (metadata only, never a secret).
fn to_js(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json)
}

type Prepare = fn(&JsValue, &ApiBase) -> Result<http::Request<Vec<u8>>, JsValue>;
type Finish = fn(&HttpResponse) -> Result<Zeroizing<String>, ScalewayError>;

/// The shape of every export that makes one call: read the arguments and build the request,
/// authorise and send it, parse the answer and render it. One state machine serves them all.
fn one_call(args: JsValue, prepare: Prepare, finish: Finish) -> Promise {
    promise(async move {
        let client = read_client(&args)?;
        let request = prepare(&args, client.base())?;
        let response = client.call(request).await?;
        to_js(&finish(&response)?)
    })
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn render_api_key(w: &mut ObjectWriter, key: &ApiKey, now_ms: u64) {
    w.string("accessKey", &key.access_key)
        .string("bearerType", key.bearer.kind())
        .string("bearerId", key.bearer.id())
        .string("description", &key.description)
        .opt_string("createdAt", key.created_at.as_deref())
        .opt_string("expiresAt", key.expires_at.as_deref())
        .bool("expired", key.is_expired(now_ms))
        .opt_string("defaultProjectId", key.default_project_id.as_deref())
        .bool("editable", key.editable)
        .bool("deletable", key.deletable)
        .bool("managed", key.managed);
}

fn render_application(app: &Application) -> Zeroizing<String> {
    let tags: Vec<&str> = app.tags.iter().map(String::as_str).collect();
    ObjectWriter::new()
        .string("id", &app.id)
        .string("name", &app.name)
        .string("description", &app.description)
        .string("organizationId", &app.organization_id)
        .opt_string("createdAt", app.created_at.as_deref())
        .u64("nbApiKeys", app.nb_api_keys)
        .strings("tags", &tags)
        .finish()
}

/// Looks up a key's bearer (user or application), Organization and default Project: what
/// to show for a signer when it is saved.
#[wasm_bindgen(js_name = scalewayGetApiKey, unchecked_return_type = "Promise<ScalewaySignerIdentity>")]
pub fn scaleway_get_api_key(
    #[wasm_bindgen(unchecked_param_type = "ScalewayCallArgs & { accessKey: string }")]
    args: JsValue,
) -> Promise {
    promise(async move {
        let client = read_client(&args)?;
        let access_key = text(&args, "accessKey")?;
        let identity = flows::get_signer_identity(&client, &access_key).await?;
        let mut w = ObjectWriter::new();
        render_api_key(&mut w, &identity.key, now_ms());
        w.string("organizationId", &identity.organization_id)
            .opt_string("bearerName", identity.bearer_name.as_deref());
        to_js(&w.finish())
    })
}

/// Verifies a Scaleway API key by looking up its bearer with the key itself, then seals it as
/// a signer with that bearer. Nothing is sealed when Scaleway refuses the key.
#[wasm_bindgen(js_name = signerAddScaleway, unchecked_return_type = "Promise<AddedSigner & { identity: ScalewaySignerIdentity }>")]
pub fn signer_add_scaleway(
    #[wasm_bindgen(
        unchecked_param_type = "{ accessKey: string; secretKey: string; description?: string; apiBase?: string; vaultHeader: string }"
    )]
    args: JsValue,
) -> Promise {
    promise(async move {
        let header = read_vault_header(&args)?;
        let access_key = text(&args, "accessKey")?.trim().to_owned();
        let secret = SecretString::new(text(&args, "secretKey")?.trim().to_owned());
        let secret_copy = SecretString::copy_from(secret.expose_secret());
        let description = opt_text(&args, "description")?;
        let base = match read::opt_string(&args, "arguments", "apiBase")?.as_deref() {
            Some(base) if !base.is_empty() => ApiBase::parse(base)?,
            _ => ApiBase::parse(DEFAULT_API_BASE)?,
        };
        static FETCH: Fetch = Fetch;
        let client: Signer = Client::new(&FETCH, base, secret);
        let identity = flows::get_signer_identity(&client, &access_key).await?;
        let entry = crate::vault::signer::scaleway_signer_entry(
            &identity,
            secret_copy,
            description,
            now_ms(),
        )?;
        let sealed = seal_created_entry(&header, &entry)?;
        let mut w = ObjectWriter::new();
        render_api_key(&mut w, &identity.key, now_ms());
        w.string("organizationId", &identity.organization_id)
            .opt_string("bearerName", identity.bearer_name.as_deref());
        let out = super::object(&[
            ("entry", sealed_record(&sealed)),
            ("summary", listing(&entry)),
            ("identity", to_js(&w.finish())?),
        ]);
        Ok(out)
    })
}

/// `{userId | applicationId, description?, expiresAt?, defaultProjectId?, secretManager?}`.
fn read_new_key(args: &JsValue) -> Result<(NewApiKey, Option<SecretTarget>), JsValue> {
    let bearer =
        match (opt_text(args, "userId")?, opt_text(args, "applicationId")?) {
            (Some(user), None) => Bearer::User(user),
            (None, Some(app)) => Bearer::Application(app),
            _ => return Err(js_error(
                "invalid_input",
                "give exactly one of arguments.userId (your own user) and arguments.applicationId",
            )),
        };
    let new_key = NewApiKey {
        bearer,
        description: opt_text(args, "description")?.unwrap_or_default(),
        expires_at: opt_text(args, "expiresAt")?,
        default_project_id: opt_text(args, "defaultProjectId")?,
    };
    let push = match read::opt_object(args, "arguments", "secretManager")? {
        Some(t) => {
            let path = "arguments.secretManager";
            let opt = |key: &str| -> Result<Option<String>, JsValue> {
                Ok(read::opt_string(&t, path, key)?.filter(|s| !s.is_empty()))
            };
            Some(SecretTarget {
                region: read::string(&t, path, "region")?,
                project_id: read::string(&t, path, "projectId")?,
                name: read::string(&t, path, "name")?,
                path: opt("path")?,
                description: opt("description")?,
                tags: read::opt_strings(&t, path, "tags")?,
            })
        }
        None => None,
    };
    Ok((new_key, push))
}

/// Creates an API key for the signer's own user or for an application, optionally pushed to
/// Secret Manager. Returns metadata only.
#[wasm_bindgen(js_name = scalewayCreateApiKey, unchecked_return_type = "Promise<ScalewayCreatedApiKey>")]
pub fn scaleway_create_api_key(
    #[wasm_bindgen(unchecked_param_type = "ScalewayCreateApiKeyArgs")] args: JsValue,
) -> Promise {
    promise(async move {
        let client = read_client(&args)?;
        let (new_key, push) = read_new_key(&args)?;
        // Checked before anything is created: a key that cannot be vaulted must not be made.
        let header = read_vault_header(&args)?;
        let organization_id = opt_text(&args, "organizationId")?;
        if let Some(org) = &organization_id {
            crate::scaleway::request::check_uuid("organizationId", org)?;
        }
        let now = now_ms();
        // With the Organization known, its maximum key lifetime is checked before the create.
        let outcome = flows::create_api_key(
            &client,
            &new_key,
            push.as_ref(),
            organization_id.as_deref(),
            now,
        )
        .await?;
        let mut w = ObjectWriter::new();
        render_api_key(&mut w, &outcome.created.key, now);
        if let Some(pushed) = &outcome.pushed {
            let pushed = ObjectWriter::new()
                .string("region", &pushed.region)
                .string("secretId", &pushed.secret.id)
                .string("secretName", &pushed.secret.name)
                .opt_string("path", pushed.secret.path.as_deref())
                .u64("revision", pushed.version.revision)
                .finish();
            w.raw("secretManager", &pushed);
        }
        // The secret key moves from the parsed response into a sealed entry without ever
        // becoming a JS value; the caller stores `entry` before reporting success.
        let flows::CreateOutcome { created, .. } = outcome;
        let access_key = created.key.access_key.clone();
        let (bearer_type, bearer_id) = match &created.key.bearer {
            Bearer::User(id) => (ScalewayBearerType::User, id.clone()),
            Bearer::Application(id) => (ScalewayBearerType::Application, id.clone()),
        };
        let data = EntryData::ScalewayApiKey(ScalewayApiKey {
            access_key: access_key.clone(),
            secret_key: created.secret_key,
            bearer_type,
            bearer_id,
            organization_id,
            default_project_id: created.key.default_project_id.clone(),
            description: Some(created.key.description.clone()).filter(|d| !d.is_empty()),
            expires_at: created.key.expires_at.clone(),
        });
        let sealed = seal_created(&header, data).map_err(|e| {
            js_error(
                "not_vaulted",
                &format!("API key {access_key} was created but could not be vaulted ({e}); delete it in the Scaleway console"),
            )
        })?;
        let out = to_js(&w.finish())?;
        let _ = Reflect::set(&out, &"entry".into(), &sealed_record(&sealed));
        Ok(out)
    })
}

/// Lists API keys, optionally of one bearer, one page at a time.
#[wasm_bindgen(js_name = scalewayListApiKeys, unchecked_return_type = "Promise<ScalewayApiKeyPage>")]
pub fn scaleway_list_api_keys(
    #[wasm_bindgen(unchecked_param_type = "ScalewayListApiKeysArgs")] args: JsValue,
) -> Promise {
    one_call(
        args,
        |args, base| {
            let bearer = match (
                read::opt_string(args, "arguments", "bearerType")?.as_deref(),
                opt_text(args, "bearerId")?,
            ) {
                (None, None) => None,
                (Some("user"), Some(id)) => Some(Bearer::User(id)),
                (Some("application"), Some(id)) => Some(Bearer::Application(id)),
                _ => {
                    return Err(js_error(
                        "invalid_input",
                        "arguments.bearerType ('user' or 'application') and arguments.bearerId go together",
                    ))
                }
            };
            let filter = ApiKeyFilter {
                bearer,
                organization_id: opt_text(args, "organizationId")?,
                expired: read::opt_flag(args, "arguments", "expired")?,
                page: read_page(args)?,
            };
            Ok(iam::prepare_list_api_keys(base, &filter)?)
        },
        |response| {
            let page = iam::parse_list_api_keys(response)?;
            let now = now_ms();
            let keys = array(page.api_keys.iter().map(|key| {
                let mut w = ObjectWriter::new();
                render_api_key(&mut w, key, now);
                w.finish()
            }));
            Ok(ObjectWriter::new()
                .raw("apiKeys", &keys)
                .u64("totalCount", page.total_count)
                .finish())
        },
    )
}

/// Deletes an API key (irreversible: the UI asks for confirmation first).
#[wasm_bindgen(js_name = scalewayDeleteApiKey, unchecked_return_type = "Promise<null>")]
pub fn scaleway_delete_api_key(
    #[wasm_bindgen(unchecked_param_type = "ScalewayCallArgs & { accessKey: string }")]
    args: JsValue,
) -> Promise {
    one_call(
        args,
        |args, base| {
            Ok(iam::prepare_delete_api_key(
                base,
                &text(args, "accessKey")?,
            )?)
        },
        |response| {
            iam::parse_deleted(response)?;
            Ok(String::from("null").into())
        },
    )
}

/// Lists the Organization's IAM applications (bearers for keys that outlive a person).
#[wasm_bindgen(js_name = scalewayListApplications, unchecked_return_type = "Promise<ScalewayApplicationPage>")]
pub fn scaleway_list_applications(
    #[wasm_bindgen(
        unchecked_param_type = "ScalewayCallArgs & ScalewayPageArgs & { organizationId: string; name?: string }"
    )]
    args: JsValue,
) -> Promise {
    one_call(
        args,
        |args, base| {
            let filter = ApplicationFilter {
                organization_id: text(args, "organizationId")?,
                name: opt_text(args, "name")?,
                page: read_page(args)?,
            };
            Ok(iam::prepare_list_applications(base, &filter)?)
        },
        |response| {
            let page = iam::parse_list_applications(response)?;
            Ok(ObjectWriter::new()
                .raw(
                    "applications",
                    &array(page.applications.iter().map(render_application)),
                )
                .u64("totalCount", page.total_count)
                .finish())
        },
    )
}

/// Creates an IAM application, to create a key for it next.
#[wasm_bindgen(js_name = scalewayCreateApplication, unchecked_return_type = "Promise<ScalewayApplication>")]
pub fn scaleway_create_application(
    #[wasm_bindgen(
        unchecked_param_type = "ScalewayCallArgs & { organizationId: string; name: string; description?: string }"
    )]
    args: JsValue,
) -> Promise {
    one_call(
        args,
        |args, base| {
            let app = NewApplication {
                name: text(args, "name")?,
                organization_id: text(args, "organizationId")?,
                description: opt_text(args, "description")?.unwrap_or_default(),
            };
            Ok(iam::prepare_create_application(base, &app)?)
        },
        |response| Ok(render_application(&iam::parse_application(response)?)),
    )
}

/// Lists the Organization's Projects, to choose a key's preferred Project.
#[wasm_bindgen(js_name = scalewayListProjects, unchecked_return_type = "Promise<ScalewayProjectPage>")]
pub fn scaleway_list_projects(
    #[wasm_bindgen(
        unchecked_param_type = "ScalewayCallArgs & ScalewayPageArgs & { organizationId: string; name?: string }"
    )]
    args: JsValue,
) -> Promise {
    one_call(
        args,
        |args, base| {
            let filter = ProjectFilter {
                organization_id: text(args, "organizationId")?,
                name: opt_text(args, "name")?,
                page: read_page(args)?,
            };
            Ok(account::prepare_list_projects(base, &filter)?)
        },
        |response| {
            let page = account::parse_list_projects(response)?;
            let projects = array(page.projects.iter().map(|p| {
                ObjectWriter::new()
                    .string("id", &p.id)
                    .string("name", &p.name)
                    .string("organizationId", &p.organization_id)
                    .string("description", &p.description)
                    .opt_string("createdAt", p.created_at.as_deref())
                    .finish()
            }));
            Ok(ObjectWriter::new()
                .raw("projects", &projects)
                .u64("totalCount", page.total_count)
                .finish())
        },
    )
}
