//! The vault as JavaScript sees it. The unlocked private key lives here, in WASM memory, and
//! never crosses to JS except as the session key the service worker parks in
//! `chrome.storage.session`; JS holds the public header and sealed entries (opaque strings).

use std::cell::RefCell;

use base64ct::{Base64, Encoding};
use js_sys::Array;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::{js_error, object, read};
use crate::secret::SecretString;
use crate::vault::export::{self, ScalewayDefaults};
use crate::vault::{
    import, Entry, EntryData, KdfParams, SealedEntry, UnlockedVault, VaultError, VaultHeader,
};

thread_local! {
    static UNLOCKED: RefCell<Option<UnlockedVault>> = const { RefCell::new(None) };
}

impl From<VaultError> for JsValue {
    fn from(e: VaultError) -> Self {
        js_error(e.code(), &e.to_string())
    }
}

fn locked() -> JsValue {
    js_error(
        "locked",
        "the vault is locked: unlock it with your passphrase",
    )
}

/// A signer is opened with the unlocked key: while locked, nothing can sign.
#[cfg(feature = "providers")]
fn vault_locked() -> JsValue {
    js_error(
        "vault_locked",
        "the vault is locked: unlock it so that Keysmith can use your signer identity",
    )
}

#[cfg(feature = "providers")]
impl From<crate::vault::signer::SignerError> for JsValue {
    fn from(e: crate::vault::signer::SignerError) -> Self {
        js_error(e.code(), &e.to_string())
    }
}

/// Opens the sealed record `arguments[key]` (`{storageKey, value}`, as stored under
/// `keysmith.entry.<id>`) with the unlocked key; `None` when the argument is absent. The
/// secret inside stays in WASM memory.
#[cfg(feature = "providers")]
pub(crate) fn open_record(args: &JsValue, key: &str) -> Result<Option<Entry>, JsValue> {
    let record = read::field(args, "arguments", key)?;
    if record.is_undefined() || record.is_null() {
        return Ok(None);
    }
    let path = format!("arguments.{key}");
    let storage_key = read::string(&record, &path, "storageKey")?;
    let value = read::string(&record, &path, "value")?;
    UNLOCKED.with(|cell| match cell.borrow().as_ref() {
        Some(vault) => open(vault, &storage_key, &value).map(Some),
        None => Err(vault_locked()),
    })
}

fn with_unlocked<T>(f: impl FnOnce(&UnlockedVault) -> Result<T, JsValue>) -> Result<T, JsValue> {
    UNLOCKED.with(|cell| match cell.borrow().as_ref() {
        Some(vault) => f(vault),
        None => Err(locked()),
    })
}

fn set_unlocked(vault: Option<UnlockedVault>) {
    // The previous key, if any, is dropped (and so wiped) here.
    UNLOCKED.with(|cell| *cell.borrow_mut() = vault);
}

fn header_from(text: &str) -> Result<VaultHeader, JsValue> {
    Ok(VaultHeader::from_base64(text)?)
}

fn kdf_object(kdf: KdfParams) -> JsValue {
    object(&[
        ("mKib", kdf.m_kib.into()),
        ("t", kdf.t.into()),
        ("p", kdf.p.into()),
    ])
}

fn describe(header: &VaultHeader) -> JsValue {
    object(&[
        ("vaultId", header.vault_id().to_hex().into()),
        ("kdf", kdf_object(header.kdf_params())),
    ])
}

/// Creates a vault (left unlocked) and returns its header for `chrome.storage.local`.
#[wasm_bindgen(js_name = vaultCreate, unchecked_return_type = "VaultInfo & { header: string }")]
pub fn vault_create(
    passphrase: String,
    #[wasm_bindgen(unchecked_param_type = "KdfParamsInput | undefined")] kdf: JsValue,
) -> Result<JsValue, JsValue> {
    let passphrase = SecretString::new(passphrase);
    let params = if kdf.is_undefined() || kdf.is_null() {
        KdfParams::DEFAULT
    } else {
        let n = |k: &str| -> Result<u32, JsValue> {
            u32::try_from(read::integer(&kdf, "kdf", k)?)
                .map_err(|_| js_error("invalid_input", &format!("kdf.{k} is too large")))
        };
        KdfParams::new(n("mKib")?, n("t")?, n("p")?)
    };
    let (header, unlocked) = VaultHeader::create(&passphrase, params)?;
    set_unlocked(Some(unlocked));
    let info = describe(&header);
    let _ = js_sys::Reflect::set(&info, &"header".into(), &header.to_base64().into());
    Ok(info)
}

/// Public facts about a vault, readable while it is locked.
#[wasm_bindgen(js_name = vaultDescribe, unchecked_return_type = "VaultInfo")]
pub fn vault_describe(header: &str) -> Result<JsValue, JsValue> {
    Ok(describe(&header_from(header)?))
}

/// Derives the key from the passphrase (Argon2id; about a second at the defaults) and keeps
/// the private key in WASM memory.
#[wasm_bindgen(js_name = vaultUnlock, unchecked_return_type = "VaultInfo")]
pub fn vault_unlock(header: &str, passphrase: String) -> Result<JsValue, JsValue> {
    let passphrase = SecretString::new(passphrase);
    let header = header_from(header)?;
    set_unlocked(Some(header.unlock(&passphrase)?));
    Ok(describe(&header))
}

/// Restores the unlocked state from a key parked in `chrome.storage.session`.
#[wasm_bindgen(js_name = vaultResume, unchecked_return_type = "VaultInfo")]
pub fn vault_resume(header: &str, session_key: String) -> Result<JsValue, JsValue> {
    let session_key = SecretString::new(session_key);
    let header = header_from(header)?;
    let bytes = Zeroizing::new(
        Base64::decode_vec(session_key.expose_secret())
            .map_err(|_| js_error("invalid_input", "the parked session key is not base64"))?,
    );
    set_unlocked(Some(header.resume(&bytes)?));
    Ok(describe(&header))
}

/// The unlocked private key, base64, for `chrome.storage.session` (memory-only, trusted
/// contexts only). The one place the key leaves WASM; see SECURITY.md.
#[wasm_bindgen(js_name = vaultSessionKey)]
pub fn vault_session_key() -> Result<String, JsValue> {
    with_unlocked(|v| Ok(Base64::encode_string(v.session_key().as_ref())))
}

/// Wipes the private key from WASM memory.
#[wasm_bindgen(js_name = vaultLock)]
pub fn vault_lock() {
    set_unlocked(None);
}

#[wasm_bindgen(js_name = vaultIsUnlocked)]
pub fn vault_is_unlocked() -> bool {
    UNLOCKED.with(|cell| cell.borrow().is_some())
}

/// Re-wraps the private key under a new passphrase; entries are untouched. Returns the new
/// header, which replaces the old one in storage.
#[wasm_bindgen(js_name = vaultChangePassphrase, unchecked_return_type = "VaultInfo & { header: string }")]
pub fn vault_change_passphrase(header: &str, new_passphrase: String) -> Result<JsValue, JsValue> {
    let new_passphrase = SecretString::new(new_passphrase);
    let old = header_from(header)?;
    with_unlocked(|v| {
        if v.vault_id() != old.vault_id() {
            return Err(js_error(
                "foreign_vault",
                "the unlocked vault is not the one this header describes",
            ));
        }
        let new = v.change_passphrase(&new_passphrase, old.kdf_params())?;
        let info = describe(&new);
        let _ = js_sys::Reflect::set(&info, &"header".into(), &new.to_base64().into());
        Ok(info)
    })
}

/// The sealed form of an entry, ready for `chrome.storage.local.set({[storageKey]: value})`.
pub(crate) fn sealed_record(sealed: &SealedEntry) -> JsValue {
    object(&[
        ("id", sealed.id().to_hex().into()),
        ("storageKey", sealed.storage_key().into()),
        ("value", sealed.to_base64().into()),
    ])
}

/// `arguments.vaultHeader`, read and checked before a create call: a key that cannot be
/// vaulted must not be created.
#[cfg(feature = "providers")]
pub(crate) fn read_vault_header(args: &JsValue) -> Result<VaultHeader, JsValue> {
    let text = read::opt_string(args, "arguments", "vaultHeader")?.ok_or_else(|| {
        js_error(
            "no_vault",
            "arguments.vaultHeader is required: set up the vault first, so that the new key has somewhere to go",
        )
    })?;
    header_from(&text)
}

/// Seals what a provider call has just created (public key only; works while locked). The
/// secret moves from the parsed response into the entry without becoming a JS value.
#[cfg(feature = "providers")]
pub(crate) fn seal_created(
    header: &VaultHeader,
    data: EntryData,
) -> Result<SealedEntry, VaultError> {
    super::wiped(|| {
        Entry::new(data, js_sys::Date::now() as u64).and_then(|entry| header.seal_entry(&entry))
    })
}

/// Seals an entry built by a provider call (a verified signer), wiping the stack after.
#[cfg(feature = "providers")]
pub(crate) fn seal_created_entry(
    header: &VaultHeader,
    entry: &Entry,
) -> Result<SealedEntry, VaultError> {
    super::wiped(|| header.seal_entry(entry))
}

/// Records (or clears, with `null`) the MFA device of an AWS signer: the entry is opened with
/// the unlocked key and sealed again under the same id, for the caller to store in its place.
#[cfg(feature = "providers")]
#[wasm_bindgen(js_name = signerSetMfa, unchecked_return_type = "SealedRecord & { summary: EntrySummary }")]
pub fn signer_set_mfa(
    header: &str,
    storage_key: &str,
    value: &str,
    mfa_serial: Option<String>,
) -> Result<JsValue, JsValue> {
    let header = header_from(header)?;
    let mfa_serial = mfa_serial.filter(|s| !s.trim().is_empty());
    if let Some(serial) = &mfa_serial {
        crate::aws::sts::validate_mfa_serial(serial)?;
    }
    with_unlocked(|vault| {
        let mut entry = open(vault, storage_key, value)?;
        let Some(mut info) = entry.signer.clone() else {
            return Err(crate::vault::signer::SignerError::NotASigner.into());
        };
        info.mfa_serial = mfa_serial;
        entry.set_signer(Some(info))?;
        let record = sealed_record(&header.seal_entry(&entry)?);
        let _ = js_sys::Reflect::set(&record, &"summary".into(), &listing(&entry));
        Ok(record)
    })
}

/// Seals `data` to the vault's public key; works while the vault is locked.
pub(crate) fn seal(header: &str, data: EntryData, created_ms: u64) -> Result<JsValue, JsValue> {
    let header = header_from(header)?;
    let entry = Entry::new(data, created_ms)?;
    Ok(sealed_record(&header.seal_entry(&entry)?))
}

/// Seals an entry given as the vault's inside-the-box JSON (`{"aws_access_key": {...}}`, see
/// FORMAT.md). For keys the user pastes or a console page displays; keys Keysmith creates are
/// sealed inside the provider call and never pass through here.
#[wasm_bindgen(js_name = vaultSealEntry, unchecked_return_type = "SealedRecord")]
pub fn vault_seal_entry(
    header: &str,
    entry_json: String,
    created_ms: f64,
) -> Result<JsValue, JsValue> {
    let entry_json = SecretString::new(entry_json);
    let data = EntryData::from_json(entry_json.expose_secret())
        .map_err(|e| js_error("invalid_entry", &format!("the entry is not valid: {e}")))?;
    let created_ms = read::exact_integer(created_ms, "createdMs")?;
    seal(header, data, created_ms)
}

/// Imports pasted text (console CSV, `export AWS_...` lines, a credentials-file section, a
/// `.pem`): all entries or none, each sealed.
#[wasm_bindgen(js_name = vaultImport, unchecked_return_type = "ImportedRecord[]")]
pub fn vault_import(
    header: &str,
    text: String,
    file_name: Option<String>,
    created_ms: f64,
) -> Result<Array, JsValue> {
    let text = SecretString::new(text);
    let created_ms = read::exact_integer(created_ms, "createdMs")?;
    let parsed = import::import_text(text.expose_secret(), file_name.as_deref()).map_err(|e| {
        let err = js_error(e.code(), &e.to_string());
        if let Some(line) = e.line() {
            let _ = js_sys::Reflect::set(&err, &"line".into(), &(line as u32).into());
        }
        err
    })?;
    let header = header_from(header)?;
    let out = Array::new();
    for data in parsed {
        let summary = summary(&data);
        let entry = Entry::new(data, created_ms)?;
        let record = sealed_record(&header.seal_entry(&entry)?);
        let _ = js_sys::Reflect::set(&record, &"summary".into(), &summary);
        out.push(&record);
    }
    Ok(out)
}

/// What a list shows of an entry: everything but the secrets.
fn summary(data: &EntryData) -> JsValue {
    let opt = |v: &Option<String>| v.as_deref().map(JsValue::from).unwrap_or(JsValue::NULL);
    match data {
        EntryData::AwsAccessKey(k) => object(&[
            ("kind", data.kind().into()),
            ("provider", "aws".into()),
            ("accessKeyId", k.access_key_id.as_str().into()),
            ("userName", opt(&k.user_name)),
            ("accountId", opt(&k.account_id)),
            ("created", opt(&k.created)),
            ("description", opt(&k.description)),
        ]),
        EntryData::AwsTemporaryCredentials(k) => object(&[
            ("kind", data.kind().into()),
            ("provider", "aws".into()),
            ("accessKeyId", k.access_key_id.as_str().into()),
            ("expiration", opt(&k.expiration)),
            ("description", opt(&k.description)),
        ]),
        EntryData::Ec2KeyPair(k) => object(&[
            ("kind", data.kind().into()),
            ("provider", "aws".into()),
            ("keyName", k.key_name.as_str().into()),
            ("region", opt(&k.region)),
            ("keyPairId", opt(&k.key_pair_id)),
            ("fingerprint", opt(&k.fingerprint)),
        ]),
        EntryData::ScalewayApiKey(k) => object(&[
            ("kind", data.kind().into()),
            ("provider", "scaleway".into()),
            ("accessKey", k.access_key.as_str().into()),
            (
                "bearerType",
                match k.bearer_type {
                    crate::vault::ScalewayBearerType::User => "user",
                    crate::vault::ScalewayBearerType::Application => "application",
                }
                .into(),
            ),
            ("bearerId", k.bearer_id.as_str().into()),
            ("organizationId", opt(&k.organization_id)),
            ("defaultProjectId", opt(&k.default_project_id)),
            ("description", opt(&k.description)),
            ("expiresAt", opt(&k.expires_at)),
        ]),
    }
}

/// An opened entry as a list shows it: its summary, id, creation time and, for a signer,
/// what was verified about it.
pub(crate) fn listing(entry: &Entry) -> JsValue {
    let s = summary(&entry.data);
    let _ = js_sys::Reflect::set(&s, &"id".into(), &entry.id.to_hex().into());
    let _ = js_sys::Reflect::set(&s, &"createdMs".into(), &(entry.created_ms as f64).into());
    if let Some(signer) = &entry.signer {
        let opt = |v: &Option<String>| v.as_deref().map(JsValue::from).unwrap_or(JsValue::NULL);
        let info = object(&[
            ("verifiedMs", (signer.verified_ms as f64).into()),
            ("account", opt(&signer.account)),
            ("arn", opt(&signer.arn)),
            ("userId", opt(&signer.user_id)),
            ("mfaSerial", opt(&signer.mfa_serial)),
        ]);
        let _ = js_sys::Reflect::set(&s, &"signer".into(), &info);
    }
    s
}

fn open(vault: &UnlockedVault, storage_key: &str, value: &str) -> Result<Entry, JsValue> {
    let sealed = SealedEntry::from_storage(storage_key, value)?;
    Ok(vault.open_entry(&sealed)?)
}

/// Opens every stored entry and lists what is safe to show. An entry that cannot be opened
/// is listed with its error instead of failing the whole list.
#[wasm_bindgen(js_name = vaultListEntries, unchecked_return_type = "EntryListing[]")]
pub fn vault_list_entries(
    #[wasm_bindgen(unchecked_param_type = "[storageKey: string, value: string][]")] stored: JsValue,
) -> Result<Array, JsValue> {
    let stored: Array = stored.dyn_into().map_err(|_| {
        js_error(
            "invalid_input",
            "entries must be an array of [key, value] pairs",
        )
    })?;
    with_unlocked(|vault| {
        let out = Array::new();
        for pair in stored.iter() {
            let pair: Array = pair.dyn_into().map_err(|_| {
                js_error(
                    "invalid_input",
                    "entries must be an array of [key, value] pairs",
                )
            })?;
            let (Some(key), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string())
            else {
                return Err(js_error(
                    "invalid_input",
                    "entries must be [string, string] pairs",
                ));
            };
            let item = match open(vault, &key, &value) {
                Ok(entry) => listing(&entry),
                Err(error) => object(&[("error", error)]),
            };
            let _ = js_sys::Reflect::set(&item, &"storageKey".into(), &key.into());
            out.push(&item);
        }
        Ok(out)
    })
}

/// Exports one entry in a tool's format. Only for extension pages: the text holds the secret.
#[wasm_bindgen(js_name = vaultExport, unchecked_return_type = "ExportedText")]
pub fn vault_export(
    storage_key: &str,
    value: &str,
    format: &str,
    #[wasm_bindgen(unchecked_param_type = "ExportOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let opt = |k: &str| -> Result<Option<String>, JsValue> {
        if options.is_undefined() || options.is_null() {
            Ok(None)
        } else {
            read::opt_string(&options, "options", k)
        }
    };
    let profile = opt("profile")?.unwrap_or_else(|| "default".to_owned());
    let user_name = opt("userName")?;
    let region = opt("region")?;
    let zone = opt("zone")?;
    with_unlocked(|vault| {
        let entry = open(vault, storage_key, value)?;
        let data = &entry.data;
        let defaults = ScalewayDefaults {
            region: region.as_deref(),
            zone: zone.as_deref(),
        };
        let mut file_name = None;
        let text = match format {
            "aws-credentials" => export::aws_credentials_file(data, &profile),
            "aws-configure" => export::aws_configure_set(data, &profile),
            "aws-env" => export::aws_env_exports(data),
            "aws-csv" => export::aws_console_csv(data, user_name.as_deref()),
            "scaleway-config" => export::scaleway_config_yaml(data, &profile, defaults),
            "scaleway-env" => export::scaleway_env_exports(data, defaults),
            "scaleway-s3" => export::scaleway_s3_profile(data, &profile, defaults),
            "secret" => export::secret_only(data),
            "pem" => {
                file_name = export::ec2_private_key_file_name(data).ok();
                export::ec2_private_key(data)
            }
            "ssh-public-key" => {
                file_name = export::ec2_public_key_file_name(data).ok();
                // Commented with the key pair's name, as ssh-keygen comments with user@host.
                let comment = match data {
                    crate::vault::EntryData::Ec2KeyPair(k) => k.key_name.as_str(),
                    _ => "",
                };
                export::ec2_openssh_public_key(data, comment).map(SecretString::new)
            }
            other => {
                return Err(js_error(
                    "invalid_format",
                    &format!("unknown export format \"{other}\""),
                ))
            }
        }
        .map_err(|e| js_error(e.code(), &e.to_string()))?;
        Ok(object(&[
            ("text", text.expose_secret().into()),
            (
                "fileName",
                file_name.map(JsValue::from).unwrap_or(JsValue::NULL),
            ),
        ]))
    })
}

#[wasm_bindgen(typescript_custom_section)]
const VAULT_TS: &'static str = r#"
export interface KdfParamsInput { mKib: number; t: number; p: number }
export interface VaultInfo { vaultId: string; kdf: KdfParamsInput }
/** A sealed entry, stored as chrome.storage.local[storageKey] = value. */
export interface SealedRecord { id: string; storageKey: string; value: string }
export interface EntrySummary {
  kind: 'aws_access_key' | 'aws_temporary_credentials' | 'ec2_key_pair' | 'scaleway_api_key';
  provider: 'aws' | 'scaleway';
  accessKeyId?: string; userName?: string | null; accountId?: string | null; created?: string | null;
  expiration?: string | null; keyName?: string; region?: string | null; keyPairId?: string | null;
  fingerprint?: string | null; accessKey?: string; organizationId?: string | null;
  defaultProjectId?: string | null; expiresAt?: string | null; description?: string | null;
  bearerType?: 'user' | 'application'; bearerId?: string;
  /** Present when the entry is a signer identity. */
  signer?: SignerSummary;
}
/** What was verified about a signer when it was added (AWS fields null for Scaleway). */
export interface SignerSummary {
  verifiedMs: number; account: string | null; arn: string | null; userId: string | null;
  /** Present: the signer requires MFA, with this device. */
  mfaSerial: string | null;
}
export type ImportedRecord = SealedRecord & { summary: EntrySummary };
export type EntryListing =
  | (EntrySummary & { storageKey: string; id: string; createdMs: number })
  | { storageKey: string; error: KeysmithError };
export type ExportFormat = 'aws-credentials' | 'aws-configure' | 'aws-env' | 'aws-csv'
  | 'scaleway-config' | 'scaleway-env' | 'scaleway-s3' | 'pem' | 'ssh-public-key';
export interface ExportOptions { profile?: string; userName?: string; region?: string; zone?: string }
export interface ExportedText { text: string; fileName: string | null }
"#;
