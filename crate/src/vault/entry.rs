//! Typed vault entries and their plaintext form inside the sealed box: a length-prefixed JSON
//! document padded to a multiple of 1 KiB, so that a locked vault shows how many entries it
//! holds but not what kind they are.

use std::borrow::Cow;
use std::fmt;

use zeroize::Zeroizing;

use super::{fill_random, VaultError};
use crate::json::{self, Value};
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

/// One vault entry: what was vaulted, when (milliseconds since the epoch, from the caller), and
/// under which id.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub created_ms: u64,
    pub data: EntryData,
    /// Present when the entry is a signer identity: the credential Keysmith signs provider
    /// calls with. Sealed with the entry, so a locked vault does not show which entries sign.
    pub signer: Option<SignerInfo>,
}

/// What was verified about a signer when it was added (`sts:GetCallerIdentity` for AWS; the
/// Scaleway bearer is recorded in the entry itself), and whether AWS calls need an MFA code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// When the credential was verified with the provider (ms since the epoch, from the caller).
    pub verified_ms: u64,
    /// AWS: the account, principal ARN and user id `sts:GetCallerIdentity` named.
    pub account: Option<String>,
    pub arn: Option<String>,
    pub user_id: Option<String>,
    /// AWS long-term keys: the MFA device whose code `sts:GetSessionToken` needs before IAM
    /// calls. Present means "requires MFA".
    pub mfa_serial: Option<String>,
}

impl SignerInfo {
    fn validate(&self, data: &EntryData) -> Result<(), VaultError> {
        match data {
            EntryData::Ec2KeyPair(_) => {
                return Err(invalid("an EC2 key pair cannot be a signer".into()))
            }
            EntryData::ScalewayApiKey(_)
                if self.account.is_some() || self.arn.is_some() || self.mfa_serial.is_some() =>
            {
                return Err(invalid(
                    "a Scaleway signer carries no AWS identity or MFA device".into(),
                ))
            }
            EntryData::AwsTemporaryCredentials(_) if self.mfa_serial.is_some() => {
                return Err(invalid(
                    "MFA applies to long-term keys; role credentials are already a session".into(),
                ))
            }
            _ => {}
        }
        check_opt("signer account", &self.account, 64)?;
        check_opt("signer arn", &self.arn, 2048)?;
        check_opt("signer user id", &self.user_id, 256)?;
        if let Some(serial) = &self.mfa_serial {
            check_token("MFA serial number", serial, 256)?;
        }
        Ok(())
    }
}

impl Entry {
    /// A new entry with a random id. `created_ms` comes from the caller (`Date.now()`).
    pub fn new(data: EntryData, created_ms: u64) -> Result<Self, VaultError> {
        data.validate()?;
        Ok(Self {
            id: EntryId::generate()?,
            created_ms,
            data,
            signer: None,
        })
    }

    /// A new signer entry: the credential and what was verified about it.
    pub fn new_signer(
        data: EntryData,
        created_ms: u64,
        signer: SignerInfo,
    ) -> Result<Self, VaultError> {
        let mut entry = Self::new(data, created_ms)?;
        entry.set_signer(Some(signer))?;
        Ok(entry)
    }

    /// Marks (or unmarks) the entry as a signer, checked against its kind.
    pub fn set_signer(&mut self, signer: Option<SignerInfo>) -> Result<(), VaultError> {
        if let Some(s) = &signer {
            s.validate(&self.data)?;
        }
        self.signer = signer;
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum EntryData {
    AwsAccessKey(AwsAccessKey),
    AwsTemporaryCredentials(AwsTemporaryCredentials),
    Ec2KeyPair(Ec2KeyPair),
    ScalewayApiKey(ScalewayApiKey),
}

/// A long-term IAM access key.
#[derive(Debug, PartialEq, Eq)]
pub struct AwsAccessKey {
    pub account_id: Option<String>,
    /// Absent when imported from a CSV that had no `User Name` column.
    pub user_name: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// IAM's `CreateDate` as AWS returned it (ISO 8601).
    pub created: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// STS session or role credentials.
#[derive(Debug, PartialEq, Eq)]
pub struct AwsTemporaryCredentials {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: SecretString,
    /// STS's `Expiration` as AWS returned it (ISO 8601).
    pub expiration: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ec2KeyType {
    Rsa,
    Ed25519,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ec2KeyFormat {
    Pem,
    Ppk,
}

/// An EC2 key pair's private half, as `CreateKeyPair` returned it (or as imported).
#[derive(Debug, PartialEq, Eq)]
pub struct Ec2KeyPair {
    pub region: Option<String>,
    pub key_name: String,
    pub key_pair_id: Option<String>,
    pub fingerprint: Option<String>,
    pub key_type: Ec2KeyType,
    pub key_format: Ec2KeyFormat,
    pub private_key: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalewayBearerType {
    User,
    Application,
}

/// A Scaleway IAM API key.
#[derive(Debug, PartialEq, Eq)]
pub struct ScalewayApiKey {
    pub access_key: String,
    pub secret_key: SecretString,
    pub bearer_type: ScalewayBearerType,
    pub bearer_id: String,
    pub organization_id: Option<String>,
    pub default_project_id: Option<String>,
    pub description: Option<String>,
    /// As Scaleway returned it (RFC 3339); absent for keys that never expire.
    pub expires_at: Option<String>,
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

// The JSON is written and read here, by hand, rather than through serde_json and derived impls:
// those cost the shipped wasm core about 20 KB gzipped (visitors, float formatting for error
// messages, a second deserializer). The writer's output is byte-for-byte what serde_json wrote
// for the derived structs (the committed vectors check it); the reader is the strict parser in
// `crate::json` (no duplicate keys, bounded depth, unpaired surrogates refused) plus the
// checks serde's derives made: unknown fields refused, required fields present, optional
// fields absent or null.

/// Counts bytes so the real buffer can be allocated once: a growing `Vec` would leave
/// unwiped copies of the secret behind each reallocation.
struct Counter(usize);

impl fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Appends to a buffer allocated with the counted capacity.
struct Sink<'a>(&'a mut Vec<u8>);

impl fmt::Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A JSON string literal, escaped exactly as serde_json escapes it.
pub(super) fn write_str(out: &mut dyn fmt::Write, s: &str) -> fmt::Result {
    out.write_str("\"")?;
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.write_str(&s[start..i])?;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let u = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ];
            out.write_str(std::str::from_utf8(&u).map_err(|_| fmt::Error)?)?;
        } else {
            out.write_str(escape)?;
        }
        start = i + 1;
    }
    out.write_str(&s[start..])?;
    out.write_str("\"")
}

/// Writes the members of one object, in order, with the separators serde_json writes.
struct Obj<'a> {
    out: &'a mut dyn fmt::Write,
    first: bool,
}

impl<'a> Obj<'a> {
    fn open(out: &'a mut dyn fmt::Write) -> Result<Self, fmt::Error> {
        out.write_str("{")?;
        Ok(Self { out, first: true })
    }

    fn key(&mut self, key: &str) -> fmt::Result {
        if !self.first {
            self.out.write_str(",")?;
        }
        self.first = false;
        write_str(self.out, key)?;
        self.out.write_str(":")
    }

    fn str(&mut self, key: &str, value: &str) -> fmt::Result {
        self.key(key)?;
        write_str(self.out, value)
    }

    fn opt(&mut self, key: &str, value: &Option<String>) -> fmt::Result {
        match value {
            Some(v) => self.str(key, v),
            None => Ok(()),
        }
    }

    fn close(self) -> fmt::Result {
        self.out.write_str("}")
    }
}

fn write_data(out: &mut dyn fmt::Write, data: &EntryData) -> fmt::Result {
    let mut outer = Obj::open(out)?;
    outer.key(data.kind())?;
    let mut o = Obj::open(outer.out)?;
    match data {
        EntryData::AwsAccessKey(k) => {
            o.opt("account_id", &k.account_id)?;
            o.opt("user_name", &k.user_name)?;
            o.str("access_key_id", &k.access_key_id)?;
            o.str("secret_access_key", k.secret_access_key.expose_secret())?;
            o.opt("created", &k.created)?;
            o.opt("description", &k.description)?;
            if !k.tags.is_empty() {
                o.key("tags")?;
                o.out.write_str("[")?;
                for (i, tag) in k.tags.iter().enumerate() {
                    if i > 0 {
                        o.out.write_str(",")?;
                    }
                    let mut t = Obj::open(o.out)?;
                    t.str("key", &tag.key)?;
                    t.str("value", &tag.value)?;
                    t.close()?;
                }
                o.out.write_str("]")?;
            }
        }
        EntryData::AwsTemporaryCredentials(c) => {
            o.str("access_key_id", &c.access_key_id)?;
            o.str("secret_access_key", c.secret_access_key.expose_secret())?;
            o.str("session_token", c.session_token.expose_secret())?;
            o.opt("expiration", &c.expiration)?;
            o.opt("description", &c.description)?;
        }
        EntryData::Ec2KeyPair(k) => {
            o.opt("region", &k.region)?;
            o.str("key_name", &k.key_name)?;
            o.opt("key_pair_id", &k.key_pair_id)?;
            o.opt("fingerprint", &k.fingerprint)?;
            o.str(
                "key_type",
                match k.key_type {
                    Ec2KeyType::Rsa => "rsa",
                    Ec2KeyType::Ed25519 => "ed25519",
                },
            )?;
            o.str(
                "key_format",
                match k.key_format {
                    Ec2KeyFormat::Pem => "pem",
                    Ec2KeyFormat::Ppk => "ppk",
                },
            )?;
            o.str("private_key", k.private_key.expose_secret())?;
        }
        EntryData::ScalewayApiKey(k) => {
            o.str("access_key", &k.access_key)?;
            o.str("secret_key", k.secret_key.expose_secret())?;
            o.str(
                "bearer_type",
                match k.bearer_type {
                    ScalewayBearerType::User => "user",
                    ScalewayBearerType::Application => "application",
                },
            )?;
            o.str("bearer_id", &k.bearer_id)?;
            o.opt("organization_id", &k.organization_id)?;
            o.opt("default_project_id", &k.default_project_id)?;
            o.opt("description", &k.description)?;
            o.opt("expires_at", &k.expires_at)?;
        }
    }
    o.close()?;
    outer.close()
}

/// `{"v":1,"id":"…","created_ms":…,"data":{…}[,"signer":{…}]}`, compact, fields in FORMAT.md's order.
fn write_entry(out: &mut dyn fmt::Write, entry: &Entry) -> fmt::Result {
    let mut o = Obj::open(out)?;
    o.key("v")?;
    write!(o.out, "{ENTRY_SCHEMA_VERSION}")?;
    o.str("id", &entry.id.to_hex())?;
    o.key("created_ms")?;
    write!(o.out, "{}", entry.created_ms)?;
    o.key("data")?;
    write_data(o.out, &entry.data)?;
    // Written only when present, so that entries that are not signers keep their bytes.
    if let Some(signer) = &entry.signer {
        o.key("signer")?;
        let mut s = Obj::open(o.out)?;
        s.key("verified_ms")?;
        write!(s.out, "{}", signer.verified_ms)?;
        s.opt("account", &signer.account)?;
        s.opt("arn", &signer.arn)?;
        s.opt("user_id", &signer.user_id)?;
        s.opt("mfa_serial", &signer.mfa_serial)?;
        s.close()?;
    }
    o.close()
}

/// `u32 BE length ‖ JSON ‖ zero padding` to a multiple of [`PAD_BLOCK`].
pub(crate) fn encode_plaintext(entry: &Entry) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let failed = |_| VaultError::Internal("entry serialisation failed");
    let mut counter = Counter(0);
    write_entry(&mut counter, entry).map_err(failed)?;
    let json_len = counter.0;
    let len_prefix = u32::try_from(json_len).map_err(|_| VaultError::EntryTooLarge(json_len))?;
    let total = (4 + json_len).div_ceil(PAD_BLOCK) * PAD_BLOCK;
    let mut buf = Zeroizing::new(Vec::with_capacity(total));
    buf.extend_from_slice(&len_prefix.to_be_bytes());
    write_entry(&mut Sink(&mut buf), entry).map_err(failed)?;
    if buf.len() != 4 + json_len {
        return Err(VaultError::Internal(
            "entry serialisation is not deterministic",
        ));
    }
    buf.resize(total, 0);
    Ok(buf)
}

type Members<'v, 'a> = &'v [(Cow<'a, str>, Value<'a>)];

/// The members of an object whose keys are all in `known`. Messages name fields from `known`
/// only: never a value, nor a key taken from the input.
fn members<'v, 'a>(
    value: &'v Value<'a>,
    what: &str,
    known: &[&str],
) -> Result<Members<'v, 'a>, String> {
    let Value::Object(members) = value else {
        return Err(format!("{what} must be an object, not {}", value.kind()));
    };
    if members.iter().any(|(k, _)| !known.contains(&k.as_ref())) {
        return Err(format!("{what} has an unknown field"));
    }
    Ok(members)
}

fn get<'v, 'a>(members: Members<'v, 'a>, key: &str) -> Option<&'v Value<'a>> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn req<'v>(members: Members<'v, '_>, key: &str) -> Result<&'v str, String> {
    match get(members, key) {
        None => Err(format!("missing field {key}")),
        Some(v) => v
            .as_str()
            .ok_or_else(|| format!("{key} must be a string, not {}", v.kind())),
    }
}

/// Absent or `null` is `None`, as serde read `Option` fields.
fn opt(members: Members<'_, '_>, key: &str) -> Result<Option<String>, String> {
    match get(members, key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => req(members, key).map(|s| Some(s.to_owned())),
    }
}

fn secret(members: Members<'_, '_>, key: &str) -> Result<SecretString, String> {
    req(members, key).map(SecretString::copy_from)
}

/// One of a closed set of names.
fn choice<T: Copy>(members: Members<'_, '_>, key: &str, names: &[(&str, T)]) -> Result<T, String> {
    let text = req(members, key)?;
    names
        .iter()
        .find(|(name, _)| *name == text)
        .map(|&(_, v)| v)
        .ok_or_else(|| format!("{key} is not one of the known values"))
}

impl EntryData {
    /// Reads the inside-the-box `data` object: exactly one member, named after the kind.
    /// Not validated here (see [`EntryData::validate`]).
    pub(crate) fn from_json_value(value: &Value<'_>) -> Result<Self, String> {
        let (kind, body) = match value {
            Value::Object(m) if m.len() == 1 => (m[0].0.as_ref(), &m[0].1),
            _ => {
                return Err("the entry must be an object with exactly one member (its kind)".into())
            }
        };
        Ok(match kind {
            "aws_access_key" => {
                let m = members(
                    body,
                    kind,
                    &[
                        "account_id",
                        "user_name",
                        "access_key_id",
                        "secret_access_key",
                        "created",
                        "description",
                        "tags",
                    ],
                )?;
                let mut tags = Vec::new();
                if let Some(list) = get(m, "tags") {
                    let list = list
                        .as_array()
                        .ok_or_else(|| format!("tags must be an array, not {}", list.kind()))?;
                    for tag in list {
                        let t = members(tag, "a tag", &["key", "value"])?;
                        tags.push(Tag {
                            key: req(t, "key")?.to_owned(),
                            value: req(t, "value")?.to_owned(),
                        });
                    }
                }
                EntryData::AwsAccessKey(AwsAccessKey {
                    account_id: opt(m, "account_id")?,
                    user_name: opt(m, "user_name")?,
                    access_key_id: req(m, "access_key_id")?.to_owned(),
                    secret_access_key: secret(m, "secret_access_key")?,
                    created: opt(m, "created")?,
                    description: opt(m, "description")?,
                    tags,
                })
            }
            "aws_temporary_credentials" => {
                let m = members(
                    body,
                    kind,
                    &[
                        "access_key_id",
                        "secret_access_key",
                        "session_token",
                        "expiration",
                        "description",
                    ],
                )?;
                EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
                    access_key_id: req(m, "access_key_id")?.to_owned(),
                    secret_access_key: secret(m, "secret_access_key")?,
                    session_token: secret(m, "session_token")?,
                    expiration: opt(m, "expiration")?,
                    description: opt(m, "description")?,
                })
            }
            "ec2_key_pair" => {
                let m = members(
                    body,
                    kind,
                    &[
                        "region",
                        "key_name",
                        "key_pair_id",
                        "fingerprint",
                        "key_type",
                        "key_format",
                        "private_key",
                    ],
                )?;
                EntryData::Ec2KeyPair(Ec2KeyPair {
                    region: opt(m, "region")?,
                    key_name: req(m, "key_name")?.to_owned(),
                    key_pair_id: opt(m, "key_pair_id")?,
                    fingerprint: opt(m, "fingerprint")?,
                    key_type: choice(
                        m,
                        "key_type",
                        &[("rsa", Ec2KeyType::Rsa), ("ed25519", Ec2KeyType::Ed25519)],
                    )?,
                    key_format: choice(
                        m,
                        "key_format",
                        &[("pem", Ec2KeyFormat::Pem), ("ppk", Ec2KeyFormat::Ppk)],
                    )?,
                    private_key: secret(m, "private_key")?,
                })
            }
            "scaleway_api_key" => {
                let m = members(
                    body,
                    kind,
                    &[
                        "access_key",
                        "secret_key",
                        "bearer_type",
                        "bearer_id",
                        "organization_id",
                        "default_project_id",
                        "description",
                        "expires_at",
                    ],
                )?;
                EntryData::ScalewayApiKey(ScalewayApiKey {
                    access_key: req(m, "access_key")?.to_owned(),
                    secret_key: secret(m, "secret_key")?,
                    bearer_type: choice(
                        m,
                        "bearer_type",
                        &[
                            ("user", ScalewayBearerType::User),
                            ("application", ScalewayBearerType::Application),
                        ],
                    )?,
                    bearer_id: req(m, "bearer_id")?.to_owned(),
                    organization_id: opt(m, "organization_id")?,
                    default_project_id: opt(m, "default_project_id")?,
                    description: opt(m, "description")?,
                    expires_at: opt(m, "expires_at")?,
                })
            }
            _ => return Err("unknown entry kind".into()),
        })
    }

    /// Reads the inside-the-box JSON of one entry's data (`{"aws_access_key": {...}}`), as
    /// `vaultSealEntry` receives it. Not validated here (see [`EntryData::validate`]).
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value = json::parse(text).map_err(|e| e.to_string())?;
        Self::from_json_value(&value)
    }
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
    let (text, padding) = rest.split_at(len);
    if padding.iter().any(|&b| b != 0) {
        return Err(bad("non-zero padding"));
    }
    let text = std::str::from_utf8(text)
        .map_err(|_| bad("not a Keysmith entry (the JSON is not UTF-8)"))?;
    let doc = json::parse(text).map_err(|e| bad(&format!("not a Keysmith entry ({e})")))?;
    // The version first, so that a newer schema is reported as such rather than as an unknown
    // field or a parse error.
    let version = match &doc {
        Value::Object(m) => get(m, "v").and_then(Value::as_u64),
        _ => None,
    };
    let version = version
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| bad("not a Keysmith entry (no schema version)"))?;
    if version != ENTRY_SCHEMA_VERSION {
        return Err(if version > ENTRY_SCHEMA_VERSION {
            VaultError::NewerFormat {
                what: "vault entry",
                version: u16::try_from(version).unwrap_or(u16::MAX),
            }
        } else {
            bad("entry schema version 0 does not exist")
        });
    }
    let invalid_json = |detail: String| bad(&format!("invalid entry JSON ({detail})"));
    let m = members(
        &doc,
        "the entry",
        &["v", "id", "created_ms", "data", "signer"],
    )
    .map_err(invalid_json)?;
    let id = req(m, "id")
        .ok()
        .and_then(EntryId::from_hex)
        .ok_or_else(|| invalid_json("id must be 32 lowercase hex digits".into()))?;
    let created_ms = get(m, "created_ms")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid_json("created_ms must be a non-negative integer".into()))?;
    let data = get(m, "data")
        .ok_or_else(|| invalid_json("missing field data".into()))
        .and_then(|d| EntryData::from_json_value(d).map_err(invalid_json))?;
    let signer = match get(m, "signer") {
        None => None,
        Some(value) => Some(signer_from_json(value).map_err(invalid_json)?),
    };
    let mut entry = Entry {
        id,
        created_ms,
        data,
        signer: None,
    };
    entry.data.validate()?;
    entry.set_signer(signer)?;
    Ok(entry)
}

fn signer_from_json(value: &Value<'_>) -> Result<SignerInfo, String> {
    let m = members(
        value,
        "signer",
        &["verified_ms", "account", "arn", "user_id", "mfa_serial"],
    )?;
    Ok(SignerInfo {
        verified_ms: get(m, "verified_ms")
            .and_then(Value::as_u64)
            .ok_or("signer.verified_ms must be a non-negative integer")?,
        account: opt(m, "account")?,
        arn: opt(m, "arn")?,
        user_id: opt(m, "user_id")?,
        mfa_serial: opt(m, "mfa_serial")?,
    })
}
