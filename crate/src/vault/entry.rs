//! Typed vault entries and their plaintext form inside the sealed box: a length-prefixed JSON
//! document padded to a multiple of 1 KiB, so that a locked vault shows how many entries it
//! holds but not what kind they are.

use std::fmt;
use std::io;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::{fill_random, VaultError};
use crate::secret::SecretString;

/// The schema version of the JSON inside the box.
pub const ENTRY_SCHEMA_VERSION: u32 = 1;
/// Plaintexts are padded to a multiple of this, hiding the entry type from ciphertext length.
pub(crate) const PAD_BLOCK: usize = 1024;

/// A random 128-bit id, lowercase hex in text. Public: it names the entry's storage key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub [u8; 16]);

impl EntryId {
    pub fn generate() -> Result<Self, VaultError> {
        let mut id = [0u8; 16];
        fill_random(&mut id)?;
        Ok(Self(id))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Exactly 32 lowercase hex digits: one spelling per id, so storage keys cannot alias.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let mut id = [0u8; 16];
        hex::decode_to_slice(text, &mut id).ok()?;
        Some(Self(id))
    }
}

impl fmt::Debug for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryId({})", self.to_hex())
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for EntryId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for EntryId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::from_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("an entry id is 32 lowercase hex digits"))
    }
}

/// One vault entry: what was vaulted, when (milliseconds since the epoch, from the caller), and
/// under which id.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub created_ms: u64,
    pub data: EntryData,
}

impl Entry {
    /// A new entry with a random id. `created_ms` comes from the caller (`Date.now()`).
    pub fn new(data: EntryData, created_ms: u64) -> Result<Self, VaultError> {
        data.validate()?;
        Ok(Self {
            id: EntryId::generate()?,
            created_ms,
            data,
        })
    }
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryData {
    AwsAccessKey(AwsAccessKey),
    AwsTemporaryCredentials(AwsTemporaryCredentials),
    Ec2KeyPair(Ec2KeyPair),
    ScalewayApiKey(ScalewayApiKey),
}

/// A long-term IAM access key.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsAccessKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Absent when imported from a CSV that had no `User Name` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    pub access_key_id: String,
    #[serde(with = "secret_json")]
    pub secret_access_key: SecretString,
    /// IAM's `CreateDate` as AWS returned it (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// STS session or role credentials.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsTemporaryCredentials {
    pub access_key_id: String,
    #[serde(with = "secret_json")]
    pub secret_access_key: SecretString,
    #[serde(with = "secret_json")]
    pub session_token: SecretString,
    /// STS's `Expiration` as AWS returned it (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ec2KeyType {
    Rsa,
    Ed25519,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ec2KeyFormat {
    Pem,
    Ppk,
}

/// An EC2 key pair's private half, as `CreateKeyPair` returned it (or as imported).
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ec2KeyPair {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub key_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_pair_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    pub key_type: Ec2KeyType,
    pub key_format: Ec2KeyFormat,
    #[serde(with = "secret_json")]
    pub private_key: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalewayBearerType {
    User,
    Application,
}

/// A Scaleway IAM API key.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalewayApiKey {
    pub access_key: String,
    #[serde(with = "secret_json")]
    pub secret_key: SecretString,
    pub bearer_type: ScalewayBearerType,
    pub bearer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// As Scaleway returned it (RFC 3339); absent for keys that never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// Serde for [`SecretString`] on the inside-the-box path only; `SecretString` itself stays
/// without `Serialize` so that no other path can print it by accident.
mod secret_json {
    use super::SecretString;
    use serde::{de, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(secret.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        d.deserialize_str(Visitor)
    }

    struct Visitor;

    impl de::Visitor<'_> for Visitor {
        type Value = SecretString;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretString, E> {
            Ok(SecretString::copy_from(v))
        }

        // An owned buffer handed over by the deserializer is wiped by `SecretString::new`.
        fn visit_string<E: de::Error>(self, v: String) -> Result<SecretString, E> {
            Ok(SecretString::new(v))
        }
    }
}

// ---- validation ------------------------------------------------------------------------------

/// Limits that keep every field printable on one line (exports write them into INI, CSV, YAML
/// and shell syntax) and every entry far below the sealed-size limit.
const MAX_TEXT: usize = 1024;
const MAX_SECRET: usize = 256;
const MAX_TOKEN: usize = 8192;
const MAX_PRIVATE_KEY: usize = 16 * 1024;

fn invalid(detail: String) -> VaultError {
    VaultError::InvalidEntry(detail)
}

fn check_text(field: &str, value: &str, max: usize) -> Result<(), VaultError> {
    if value.is_empty() || value.len() > max {
        return Err(invalid(format!("{field} must be 1 to {max} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!("{field} contains a control character")));
    }
    if value.trim() != value {
        return Err(invalid(format!("{field} starts or ends with white space")));
    }
    Ok(())
}

fn check_opt(field: &str, value: &Option<String>, max: usize) -> Result<(), VaultError> {
    value
        .as_deref()
        .map_or(Ok(()), |v| check_text(field, v, max))
}

/// Tokens and keys: visible ASCII, no spaces. The value itself never appears in the error.
fn check_token(field: &str, value: &str, max: usize) -> Result<(), VaultError> {
    if value.is_empty() || value.len() > max {
        return Err(invalid(format!("{field} must be 1 to {max} characters")));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(format!(
            "{field} may only contain visible ASCII characters"
        )));
    }
    Ok(())
}

fn check_ident(field: &str, value: &str, min: usize, max: usize) -> Result<(), VaultError> {
    if !(min..=max).contains(&value.len())
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(invalid(format!(
            "{field} {value:?} must be {min} to {max} letters or digits"
        )));
    }
    Ok(())
}

pub(crate) fn check_access_key_id(value: &str) -> Result<(), VaultError> {
    check_ident("access key id", value, 16, 128)
}

fn check_account_id(value: &Option<String>) -> Result<(), VaultError> {
    match value {
        Some(v) if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) => {
            Err(invalid(format!("account id {v:?} must be 12 digits")))
        }
        _ => Ok(()),
    }
}

fn check_private_key(value: &str) -> Result<(), VaultError> {
    if value.trim().is_empty() || value.len() > MAX_PRIVATE_KEY {
        return Err(invalid(format!(
            "private key must be 1 to {MAX_PRIVATE_KEY} bytes"
        )));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_graphic() || matches!(b, b' ' | b'\n' | b'\r'))
    {
        return Err(invalid(
            "private key must be ASCII text (PEM or PuTTY format)".into(),
        ));
    }
    Ok(())
}

impl EntryData {
    /// Checked before sealing and after importing, so that every export can trust its input.
    pub fn validate(&self) -> Result<(), VaultError> {
        match self {
            Self::AwsAccessKey(k) => {
                check_account_id(&k.account_id)?;
                if let Some(name) = &k.user_name {
                    crate::aws::validate_user_name(name).map_err(|e| invalid(e.to_string()))?;
                }
                check_access_key_id(&k.access_key_id)?;
                check_token(
                    "secret access key",
                    k.secret_access_key.expose_secret(),
                    MAX_SECRET,
                )?;
                check_opt("created", &k.created, 64)?;
                check_opt("description", &k.description, MAX_TEXT)?;
                if k.tags.len() > 50 {
                    return Err(invalid("at most 50 tags".into()));
                }
                for tag in &k.tags {
                    check_text("tag key", &tag.key, 128)?;
                    if !tag.value.is_empty() {
                        check_text("tag value", &tag.value, 256)?;
                    }
                }
            }
            Self::AwsTemporaryCredentials(c) => {
                check_access_key_id(&c.access_key_id)?;
                check_token(
                    "secret access key",
                    c.secret_access_key.expose_secret(),
                    MAX_SECRET,
                )?;
                check_token("session token", c.session_token.expose_secret(), MAX_TOKEN)?;
                check_opt("expiration", &c.expiration, 64)?;
                check_opt("description", &c.description, MAX_TEXT)?;
            }
            Self::Ec2KeyPair(k) => {
                check_opt("region", &k.region, 64)?;
                check_text("key name", &k.key_name, 255)?;
                check_opt("key pair id", &k.key_pair_id, 64)?;
                check_opt("fingerprint", &k.fingerprint, 128)?;
                check_private_key(k.private_key.expose_secret())?;
            }
            Self::ScalewayApiKey(k) => {
                check_ident("access key", &k.access_key, 1, 64)?;
                check_token("secret key", k.secret_key.expose_secret(), MAX_SECRET)?;
                check_text("bearer id", &k.bearer_id, 64)?;
                check_opt("organization id", &k.organization_id, 64)?;
                check_opt("default project id", &k.default_project_id, 64)?;
                check_opt("description", &k.description, MAX_TEXT)?;
                check_opt("expires at", &k.expires_at, 64)?;
            }
        }
        Ok(())
    }

    /// A short human label (never secret) for error messages and lists.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AwsAccessKey(_) => "aws_access_key",
            Self::AwsTemporaryCredentials(_) => "aws_temporary_credentials",
            Self::Ec2KeyPair(_) => "ec2_key_pair",
            Self::ScalewayApiKey(_) => "scaleway_api_key",
        }
    }
}

// ---- the plaintext inside the box ------------------------------------------------------------

#[derive(Serialize)]
struct WireOut<'a> {
    v: u32,
    id: EntryId,
    created_ms: u64,
    data: &'a EntryData,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn {
    #[allow(dead_code)] // checked by `VersionProbe` first
    v: u32,
    id: EntryId,
    created_ms: u64,
    data: EntryData,
}

/// Reads only `v`, skipping everything else without copying it, so that a newer schema is
/// reported as such rather than as a parse error.
#[derive(Deserialize)]
struct VersionProbe {
    v: u32,
}

/// Counts bytes so the real buffer can be allocated once: a growing `Vec` would leave
/// unwiped copies of the secret behind each reallocation.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `u32 BE length ‖ JSON ‖ zero padding` to a multiple of [`PAD_BLOCK`].
pub(crate) fn encode_plaintext(entry: &Entry) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let wire = WireOut {
        v: ENTRY_SCHEMA_VERSION,
        id: entry.id,
        created_ms: entry.created_ms,
        data: &entry.data,
    };
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, &wire)
        .map_err(|_| VaultError::Internal("entry serialisation failed"))?;
    let json_len = counter.0;
    let len_prefix = u32::try_from(json_len).map_err(|_| VaultError::EntryTooLarge(json_len))?;
    let total = (4 + json_len).div_ceil(PAD_BLOCK) * PAD_BLOCK;
    let mut buf = Zeroizing::new(Vec::with_capacity(total));
    buf.extend_from_slice(&len_prefix.to_be_bytes());
    serde_json::to_writer(&mut *buf, &wire)
        .map_err(|_| VaultError::Internal("entry serialisation failed"))?;
    if buf.len() != 4 + json_len {
        return Err(VaultError::Internal(
            "entry serialisation is not deterministic",
        ));
    }
    buf.resize(total, 0);
    Ok(buf)
}

/// The inverse of [`encode_plaintext`], strict: canonical padding, known schema, no unknown
/// fields. Errors name the problem, never a value.
pub(crate) fn decode_plaintext(bytes: &[u8]) -> Result<Entry, VaultError> {
    let bad = |detail: &str| VaultError::malformed("entry", detail.to_owned());
    let (len, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("the plaintext is shorter than its length prefix"))?;
    let len = u32::from_be_bytes(*len) as usize;
    if len > rest.len() {
        return Err(bad("the length prefix exceeds the plaintext"));
    }
    let (json, padding) = rest.split_at(len);
    if padding.iter().any(|&b| b != 0) {
        return Err(bad("non-zero padding"));
    }
    let probe: VersionProbe = serde_json::from_slice(json)
        .map_err(|e| bad(&format!("not a Keysmith entry ({})", e.classify_name())))?;
    if probe.v != ENTRY_SCHEMA_VERSION {
        return Err(if probe.v > ENTRY_SCHEMA_VERSION {
            VaultError::NewerFormat {
                what: "vault entry",
                version: u16::try_from(probe.v).unwrap_or(u16::MAX),
            }
        } else {
            bad("entry schema version 0 does not exist")
        });
    }
    // serde_json's messages can quote input; report only position and category.
    let wire: WireIn = serde_json::from_slice(json).map_err(|e| {
        bad(&format!(
            "invalid entry JSON ({} at column {})",
            e.classify_name(),
            e.column()
        ))
    })?;
    let entry = Entry {
        id: wire.id,
        created_ms: wire.created_ms,
        data: wire.data,
    };
    entry.data.validate()?;
    Ok(entry)
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected field or type",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}
