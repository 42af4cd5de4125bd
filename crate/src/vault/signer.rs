//! Signer identities: vault entries whose credential signs Keysmith's provider calls. This
//! module turns an opened entry into signing credentials (refusing entries that are not
//! signers and role credentials past their expiry), picks the one credential out of pasted
//! text, and turns STS session credentials into a session-only entry.

use super::entry::{
    AwsTemporaryCredentials, Entry, EntryData, ScalewayApiKey, ScalewayBearerType, SignerInfo,
};
use super::import::{import_text, ImportError};
use super::VaultError;
use crate::aws::sts::{CallerIdentity, SessionCredentials};
use crate::aws::AwsCredentials;
use crate::scaleway::flows::SignerIdentity;
use crate::scaleway::iam::Bearer;
use crate::scaleway::time::parse_rfc3339_ms;
use crate::secret::SecretString;

/// Why an entry cannot sign. Codes are stable: the extension shows them as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    #[error("this vault entry is not a signer identity: add the credential on the options page")]
    NotASigner,
    #[error("this signer is a {found} entry; an {wanted} signer is needed here")]
    WrongProvider {
        found: &'static str,
        wanted: &'static str,
    },
    #[error("these role credentials expired at {0}: paste fresh ones on the options page")]
    Expired(String),
    #[error("{0}")]
    Unusable(String),
    #[error("{0}")]
    Import(#[from] ImportError),
}

impl SignerError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotASigner => "no_signer",
            Self::WrongProvider { .. } => "wrong_signer",
            Self::Expired(_) => "signer_expired",
            Self::Unusable(_) => "invalid_signer",
            Self::Import(e) => e.code(),
        }
    }
}

/// Whether temporary credentials with this `expiration` are past it at `now_ms`. An
/// expiration Keysmith cannot read counts as not expired: AWS will say so if it is.
pub fn is_expired(expiration: Option<&str>, now_ms: u64) -> bool {
    expiration
        .and_then(parse_rfc3339_ms)
        .is_some_and(|at| at <= now_ms as i64)
}

/// The credentials an AWS signer entry signs with. Temporary credentials past their
/// expiration are refused before any request is built.
pub fn aws_signer_credentials(entry: &Entry, now_ms: u64) -> Result<AwsCredentials, SignerError> {
    if entry.signer.is_none() {
        return Err(SignerError::NotASigner);
    }
    aws_entry_credentials(&entry.data, now_ms)
}

/// The credentials in an AWS entry (a signer, or the MFA session the worker holds for one).
pub fn aws_entry_credentials(data: &EntryData, now_ms: u64) -> Result<AwsCredentials, SignerError> {
    let unusable = |e: crate::aws::SigningError| SignerError::Unusable(e.to_string());
    match data {
        EntryData::AwsAccessKey(k) => AwsCredentials::new(
            &k.access_key_id,
            SecretString::copy_from(k.secret_access_key.expose_secret()),
            None,
        )
        .map_err(unusable),
        EntryData::AwsTemporaryCredentials(c) => {
            if is_expired(c.expiration.as_deref(), now_ms) {
                return Err(SignerError::Expired(
                    c.expiration.clone().unwrap_or_default(),
                ));
            }
            AwsCredentials::new(
                &c.access_key_id,
                SecretString::copy_from(c.secret_access_key.expose_secret()),
                Some(SecretString::copy_from(c.session_token.expose_secret())),
            )
            .map_err(unusable)
        }
        other => Err(SignerError::WrongProvider {
            found: other.kind(),
            wanted: "AWS",
        }),
    }
}

/// The secret key a Scaleway signer entry authenticates with.
pub fn scaleway_signer_secret(entry: &Entry) -> Result<SecretString, SignerError> {
    if entry.signer.is_none() {
        return Err(SignerError::NotASigner);
    }
    match &entry.data {
        EntryData::ScalewayApiKey(k) => Ok(SecretString::copy_from(k.secret_key.expose_secret())),
        other => Err(SignerError::WrongProvider {
            found: other.kind(),
            wanted: "Scaleway",
        }),
    }
}

/// The one AWS credential in pasted text, read by the vault's import formats (`export AWS_...`
/// lines, a credentials-file section, the console's CSV). More than one is refused: a signer
/// is one identity.
pub fn parse_aws_signer_text(text: &str) -> Result<EntryData, SignerError> {
    let mut parsed = import_text(text, None)?;
    if parsed.len() != 1 {
        return Err(SignerError::Unusable(format!(
            "the pasted text holds {} credentials; paste exactly one",
            parsed.len()
        )));
    }
    let data = parsed.remove(0);
    match data {
        EntryData::AwsAccessKey(_) | EntryData::AwsTemporaryCredentials(_) => Ok(data),
        other => Err(SignerError::WrongProvider {
            found: other.kind(),
            wanted: "AWS",
        }),
    }
}

/// What to record for an AWS signer once `sts:GetCallerIdentity` has answered for it.
pub fn aws_signer_info(
    data: &EntryData,
    identity: CallerIdentity,
    mfa_serial: Option<String>,
    verified_ms: u64,
) -> Result<SignerInfo, SignerError> {
    if let Some(serial) = &mfa_serial {
        crate::aws::sts::validate_mfa_serial(serial)
            .map_err(|e| SignerError::Unusable(e.to_string()))?;
        if matches!(data, EntryData::AwsTemporaryCredentials(_)) {
            return Err(SignerError::Unusable(
                "MFA applies to long-term keys; role credentials are already a session".into(),
            ));
        }
    }
    Ok(SignerInfo {
        verified_ms,
        account: Some(identity.account),
        arn: Some(identity.arn),
        user_id: Some(identity.user_id),
        mfa_serial,
    })
}

/// An MFA-backed session (`sts:GetSessionToken`) as an entry the worker seals and keeps in
/// session storage only. It is not itself a signer: the worker uses it in its signer's place.
pub fn session_entry(session: SessionCredentials) -> EntryData {
    EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
        access_key_id: session.access_key_id,
        secret_access_key: session.secret_access_key,
        session_token: session.session_token,
        expiration: Some(session.expiration).filter(|e| !e.is_empty()),
        description: Some("MFA session".into()),
    })
}

/// A Scaleway signer entry: the secret key with the bearer that `GET /iam/v1alpha1/api-keys/
/// {access_key}` named for it (user or application, Organization, default Project).
pub fn scaleway_signer_entry(
    identity: &SignerIdentity,
    secret_key: SecretString,
    description: Option<String>,
    verified_ms: u64,
) -> Result<Entry, VaultError> {
    let key = &identity.key;
    let (bearer_type, bearer_id) = match &key.bearer {
        Bearer::User(id) => (ScalewayBearerType::User, id.clone()),
        Bearer::Application(id) => (ScalewayBearerType::Application, id.clone()),
    };
    let description = description
        .or_else(|| Some(key.description.clone()))
        .filter(|d| !d.trim().is_empty());
    let data = EntryData::ScalewayApiKey(ScalewayApiKey {
        access_key: key.access_key.clone(),
        secret_key,
        bearer_type,
        bearer_id,
        organization_id: Some(identity.organization_id.clone()).filter(|o| !o.is_empty()),
        default_project_id: key.default_project_id.clone(),
        description,
        expires_at: key.expires_at.clone(),
    });
    Entry::new_signer(
        data,
        verified_ms,
        SignerInfo {
            verified_ms,
            account: None,
            arn: None,
            user_id: None,
            mfa_serial: None,
        },
    )
}
