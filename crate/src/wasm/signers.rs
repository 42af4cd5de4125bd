//! Adding an AWS signer identity: read the pasted credential, prove it with
//! `sts:GetCallerIdentity`, and seal it with what AWS said about it. The secret goes from the
//! pasted text into the sealed entry without coming back to JS.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::providers::{opt_non_empty, send, Phases};
use super::read;
use super::vault::{listing, read_vault_header, seal_created_entry, sealed_record};
use crate::aws::retry::Repeatable;
use crate::aws::{sts, Endpoint};
use crate::secret::SecretString;
use crate::vault::signer::{self, SignerError};
use crate::vault::{AwsAccessKey, AwsTemporaryCredentials, Entry, EntryData};

#[wasm_bindgen(typescript_custom_section)]
const TS_SIGNER_TYPES: &'static str = r#"
export interface AddAwsSignerArgs {
  /** Pasted text the vault's import reads (export AWS_... lines, a credentials section, the console CSV)… */
  text?: string;
  /** …or the fields typed one by one (expiration for role credentials, ISO 8601). */
  credentials?: AwsCredentialsInput & { expiration?: string };
  /** The MFA device, for a long-term key whose IAM calls require MFA. */
  mfaSerial?: string;
  description?: string;
  endpoint?: string;
  region?: string;
  vaultHeader: string;
}
/** A signer just verified and sealed: store `entry`, show `summary`. */
export interface AddedSigner { entry: SealedRecord; summary: EntrySummary & { id: string; createdMs: number } }
"#;

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn unusable(message: &str) -> JsValue {
    SignerError::Unusable(message.to_owned()).into()
}

/// The credential as entry data, from `text` or from `credentials`.
fn read_signer_data(args: &JsValue) -> Result<EntryData, JsValue> {
    let text = read::opt_string(args, "arguments", "text")?.map(SecretString::new);
    let fields = read::field(args, "arguments", "credentials")?;
    let description = opt_non_empty(args, "description")?;
    let mut data = match (text, fields.is_undefined() || fields.is_null()) {
        (Some(text), true) => signer::parse_aws_signer_text(text.expose_secret())?,
        (None, false) => {
            let path = "arguments.credentials";
            let id = read::string(&fields, path, "accessKeyId")?
                .trim()
                .to_owned();
            let secret = SecretString::new(read::string(&fields, path, "secretAccessKey")?);
            let token = read::opt_string(&fields, path, "sessionToken")?.filter(|t| !t.is_empty());
            let expiration =
                read::opt_string(&fields, path, "expiration")?.filter(|e| !e.is_empty());
            match token {
                Some(token) => EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
                    access_key_id: id,
                    secret_access_key: secret,
                    session_token: SecretString::new(token),
                    expiration,
                    description: None,
                }),
                None => EntryData::AwsAccessKey(AwsAccessKey {
                    account_id: None,
                    user_name: None,
                    access_key_id: id,
                    secret_access_key: secret,
                    created: None,
                    description: None,
                    tags: Vec::new(),
                }),
            }
        }
        _ => {
            return Err(unusable(
                "give either the pasted text or the credential's fields, not both",
            ))
        }
    };
    if let Some(d) = description {
        match &mut data {
            EntryData::AwsAccessKey(k) => k.description = Some(d),
            EntryData::AwsTemporaryCredentials(c) => c.description = Some(d),
            _ => {}
        }
    }
    data.validate()?;
    Ok(data)
}

/// Verifies an AWS credential with `sts:GetCallerIdentity` and seals it as a signer. Nothing
/// is sealed when AWS refuses it: the rejected error is AWS's (e.g. SignatureDoesNotMatch).
#[wasm_bindgen(js_name = signerAddAws, unchecked_return_type = "Promise<AddedSigner>")]
pub fn signer_add_aws(
    #[wasm_bindgen(unchecked_param_type = "AddAwsSignerArgs")] args: JsValue,
) -> Promise {
    let checked = (|| {
        let header = read_vault_header(&args)?;
        let data = read_signer_data(&args)?;
        let credentials = signer::aws_entry_credentials(&data, now_ms())?;
        let mfa_serial = opt_non_empty(&args, "mfaSerial")?;
        let endpoint = match read::opt_string(&args, "arguments", "endpoint")?.as_deref() {
            Some(base) if !base.is_empty() => Endpoint::custom(base)?,
            _ => Endpoint::aws(),
        };
        let region = opt_non_empty(&args, "region")?;
        Ok::<_, JsValue>((header, data, credentials, mfa_serial, endpoint, region))
    })();
    let (header, mut data, credentials, mfa_serial, endpoint, region) = match checked {
        Ok(checked) => checked,
        Err(error) => return Promise::reject(&error),
    };
    future_to_promise(async move {
        let prepare = || sts::prepare_get_caller_identity(&endpoint, region.as_deref());
        let response = send(
            &credentials,
            Repeatable::Idempotent,
            &prepare,
            &mut Phases::start(),
        )
        .await?;
        let identity = sts::parse_get_caller_identity(&response)?;
        if let EntryData::AwsAccessKey(k) = &mut data {
            k.account_id.get_or_insert_with(|| identity.account.clone());
        }
        let info = signer::aws_signer_info(&data, identity, mfa_serial, now_ms())?;
        let entry = Entry::new_signer(data, now_ms(), info)?;
        let sealed = seal_created_entry(&header, &entry)?;
        Ok(super::object(&[
            ("entry", sealed_record(&sealed)),
            ("summary", listing(&entry)),
        ]))
    })
}
