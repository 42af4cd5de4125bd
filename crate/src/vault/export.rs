//! Exports: pure functions from an entry to the text another tool reads (AWS CLI files and
//! commands, Scaleway's `config.yaml`, a `.pem`, an OpenSSH public key). Output is a [`SecretString`]: it holds the
//! secret, is wiped on drop, and is only ever handed to an extension page.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::entry::{AwsAccessKey, AwsTemporaryCredentials, EntryData};
use super::{import, Ec2KeyFormat, VaultError};
use crate::secret::SecretString;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("{format} export does not apply to {kind} entries")]
    WrongKind {
        format: &'static str,
        kind: &'static str,
    },
    #[error("invalid profile name {0:?}: use 1-64 letters, digits and . _ - @ + =")]
    InvalidProfile(String),
    #[error("no user name: this key was imported without one, so give the CSV a user name")]
    MissingUserName,
    #[error("invalid region or zone {0:?}: expected a code such as fr-par or fr-par-1")]
    InvalidRegion(String),
    #[error("this entry cannot be exported: {0}")]
    InvalidEntry(String),
    #[error("the private key cannot be read: {0}")]
    InvalidKey(String),
    #[error("no OpenSSH public key for this key: {0}")]
    Unsupported(String),
    #[error("invalid comment: no control characters or newlines, at most 1024 bytes")]
    InvalidComment,
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongKind { .. } => "wrong_kind",
            Self::InvalidProfile(_) => "invalid_profile",
            Self::MissingUserName => "missing_user_name",
            Self::InvalidRegion(_) => "invalid_region",
            Self::InvalidEntry(_) => "invalid_entry",
            Self::InvalidKey(_) => "invalid_key",
            Self::Unsupported(_) => "unsupported",
            Self::InvalidComment => "invalid_comment",
        }
    }
}

/// Builds the output in one pre-sized, wiped-on-drop buffer: a growing `String` would leave
/// unwiped copies of the secret behind each reallocation.
struct Out(Zeroizing<String>);

impl Out {
    fn new() -> Self {
        // Larger than any export of a valid entry (the longest is a 16 KiB private key).
        Self(Zeroizing::new(String::with_capacity(20 * 1024)))
    }
    fn push(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }
    fn finish(mut self) -> SecretString {
        SecretString::new(std::mem::take(&mut *self.0))
    }
}

/// The AWS credential triple shared by every AWS export.
struct AwsCreds<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a SecretString,
    session_token: Option<&'a SecretString>,
    expiration: Option<&'a str>,
}

fn aws_creds<'a>(data: &'a EntryData, format: &'static str) -> Result<AwsCreds<'a>, ExportError> {
    validate(data)?;
    match data {
        EntryData::AwsAccessKey(AwsAccessKey {
            access_key_id,
            secret_access_key,
            ..
        }) => Ok(AwsCreds {
            access_key_id,
            secret_access_key,
            session_token: None,
            expiration: None,
        }),
        EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            ..
        }) => Ok(AwsCreds {
            access_key_id,
            secret_access_key,
            session_token: Some(session_token),
            expiration: expiration.as_deref(),
        }),
        other => Err(ExportError::WrongKind {
            format,
            kind: other.kind(),
        }),
    }
}

fn validate(data: &EntryData) -> Result<(), ExportError> {
    data.validate().map_err(|e| match e {
        VaultError::InvalidEntry(detail) => ExportError::InvalidEntry(detail),
        other => ExportError::InvalidEntry(other.to_string()),
    })
}

/// AWS profile names as every AWS export writes them. No `,` (the CLI's CSV import splits on
/// it without quoting), no `]`, spaces or newlines (INI section syntax).
fn check_aws_profile(name: &str) -> Result<(), ExportError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@+=".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ExportError::InvalidProfile(name.chars().take(80).collect()))
    }
}

/// POSIX shell: bare when every byte is inert, otherwise single-quoted (`'` as `'\''`).
fn push_shell_word(out: &mut Out, value: &str) {
    let bare = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./+=:@%,".contains(&b));
    if bare {
        out.push(value);
    } else {
        out.push("'");
        for (i, part) in value.split('\'').enumerate() {
            if i > 0 {
                out.push("'\\''");
            }
            out.push(part);
        }
        out.push("'");
    }
}

/// A `~/.aws/credentials` section.
pub fn aws_credentials_file(data: &EntryData, profile: &str) -> Result<SecretString, ExportError> {
    let c = aws_creds(data, "credentials file")?;
    check_aws_profile(profile)?;
    let mut out = Out::new();
    out.push("[").push(profile).push("]\n");
    out.push("aws_access_key_id = ")
        .push(c.access_key_id)
        .push("\n");
    out.push("aws_secret_access_key = ")
        .push(c.secret_access_key.expose_secret())
        .push("\n");
    if let Some(token) = c.session_token {
        out.push("aws_session_token = ")
            .push(token.expose_secret())
            .push("\n");
    }
    Ok(out.finish())
}

/// `aws configure set` commands that write the same profile.
pub fn aws_configure_set(data: &EntryData, profile: &str) -> Result<SecretString, ExportError> {
    let c = aws_creds(data, "aws configure set")?;
    check_aws_profile(profile)?;
    let mut out = Out::new();
    let mut line = |key: &str, value: &str| {
        out.push("aws configure set ").push(key).push(" ");
        push_shell_word(&mut out, value);
        out.push(" --profile ").push(profile).push("\n");
    };
    line("aws_access_key_id", c.access_key_id);
    line("aws_secret_access_key", c.secret_access_key.expose_secret());
    if let Some(token) = c.session_token {
        line("aws_session_token", token.expose_secret());
    }
    Ok(out.finish())
}

/// `export AWS_...=` lines, as `aws configure export-credentials --format env` prints them.
pub fn aws_env_exports(data: &EntryData) -> Result<SecretString, ExportError> {
    let c = aws_creds(data, "environment variables")?;
    let mut out = Out::new();
    let mut line = |name: &str, value: &str| {
        out.push("export ").push(name).push("=");
        push_shell_word(&mut out, value);
        out.push("\n");
    };
    line("AWS_ACCESS_KEY_ID", c.access_key_id);
    line("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose_secret());
    if let Some(token) = c.session_token {
        line("AWS_SESSION_TOKEN", token.expose_secret());
    }
    if let Some(expiration) = c.expiration {
        line("AWS_CREDENTIAL_EXPIRATION", expiration);
    }
    Ok(out.finish())
}

/// The console's access-key CSV with the `User Name` column that `aws configure import --csv`
/// requires (it names the profile after it). `user_name` overrides the entry's own.
pub fn aws_console_csv(
    data: &EntryData,
    user_name: Option<&str>,
) -> Result<SecretString, ExportError> {
    validate(data)?;
    let EntryData::AwsAccessKey(key) = data else {
        // The console CSV and the CLI import have no column for a session token.
        return Err(ExportError::WrongKind {
            format: "console CSV",
            kind: data.kind(),
        });
    };
    let user = user_name
        .or(key.user_name.as_deref())
        .ok_or(ExportError::MissingUserName)?;
    check_aws_profile(user)?;
    let mut out = Out::new();
    out.push("User Name,Access key ID,Secret access key\n");
    out.push(user)
        .push(",")
        .push(&key.access_key_id)
        .push(",")
        .push(key.secret_access_key.expose_secret())
        .push("\n");
    Ok(out.finish())
}

/// Scaleway defaults written next to the key; both optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScalewayDefaults<'a> {
    pub region: Option<&'a str>,
    pub zone: Option<&'a str>,
}

impl ScalewayDefaults<'_> {
    fn check(&self) -> Result<(), ExportError> {
        for v in [self.region, self.zone].into_iter().flatten() {
            let ok = (1..=32).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                return Err(ExportError::InvalidRegion(v.chars().take(40).collect()));
            }
        }
        Ok(())
    }
}

fn scaleway_key<'a>(
    data: &'a EntryData,
    format: &'static str,
) -> Result<&'a super::entry::ScalewayApiKey, ExportError> {
    validate(data)?;
    match data {
        EntryData::ScalewayApiKey(k) => Ok(k),
        other => Err(ExportError::WrongKind {
            format,
            kind: other.kind(),
        }),
    }
}

/// A YAML scalar: plain when it cannot be read as anything but a string, else double-quoted.
fn push_yaml_scalar(out: &mut Out, value: &str) {
    let plain = value
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        out.push(value);
    } else {
        out.push("\"");
        for part in value.split_inclusive(['"', '\\']) {
            match part.strip_suffix(['"', '\\']) {
                Some(head) => {
                    out.push(head).push("\\").push(&part[head.len()..]);
                }
                None => {
                    out.push(part);
                }
            }
        }
        out.push("\"");
    }
}

/// A named profile for the Scaleway CLI/SDKs' `~/.config/scw/config.yaml`.
pub fn scaleway_config_yaml(
    data: &EntryData,
    profile: &str,
    defaults: ScalewayDefaults<'_>,
) -> Result<SecretString, ExportError> {
    let k = scaleway_key(data, "Scaleway config.yaml")?;
    defaults.check()?;
    let ok = (1..=64).contains(&profile.len())
        && profile
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b));
    if !ok {
        return Err(ExportError::InvalidProfile(
            profile.chars().take(80).collect(),
        ));
    }
    let mut out = Out::new();
    out.push("profiles:\n  ").push(profile).push(":\n");
    let mut field = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            out.push("    ").push(name).push(": ");
            push_yaml_scalar(&mut out, v);
            out.push("\n");
        }
    };
    field("access_key", Some(&k.access_key));
    field("secret_key", Some(k.secret_key.expose_secret()));
    field("default_organization_id", k.organization_id.as_deref());
    field("default_project_id", k.default_project_id.as_deref());
    field("default_region", defaults.region);
    field("default_zone", defaults.zone);
    Ok(out.finish())
}

/// `export SCW_...=` lines, read by the Scaleway CLI, SDKs and Terraform provider.
pub fn scaleway_env_exports(
    data: &EntryData,
    defaults: ScalewayDefaults<'_>,
) -> Result<SecretString, ExportError> {
    let k = scaleway_key(data, "Scaleway environment variables")?;
    defaults.check()?;
    let mut out = Out::new();
    let mut line = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            out.push("export ").push(name).push("=");
            push_shell_word(&mut out, v);
            out.push("\n");
        }
    };
    line("SCW_ACCESS_KEY", Some(&k.access_key));
    line("SCW_SECRET_KEY", Some(k.secret_key.expose_secret()));
    line("SCW_DEFAULT_ORGANIZATION_ID", k.organization_id.as_deref());
    line("SCW_DEFAULT_PROJECT_ID", k.default_project_id.as_deref());
    line("SCW_DEFAULT_REGION", defaults.region);
    line("SCW_DEFAULT_ZONE", defaults.zone);
    Ok(out.finish())
}

/// The entry's one secret, bare, for the popup's Reveal and Copy: the AWS secret access key,
/// the Scaleway secret key, or the EC2 private key. Temporary credentials have two secrets;
/// their secret access key is revealed (the session token is in every other AWS export).
pub fn secret_only(data: &EntryData) -> Result<SecretString, ExportError> {
    validate(data)?;
    let secret = match data {
        EntryData::AwsAccessKey(k) => &k.secret_access_key,
        EntryData::AwsTemporaryCredentials(k) => &k.secret_access_key,
        EntryData::Ec2KeyPair(k) => &k.private_key,
        EntryData::ScalewayApiKey(k) => &k.secret_key,
    };
    let mut out = Out::new();
    out.push(secret.expose_secret());
    Ok(out.finish())
}

/// Regions where Scaleway Object Storage has an S3 endpoint (`https://s3.<region>.scw.cloud`).
pub const SCALEWAY_S3_REGIONS: [&str; 3] = ["fr-par", "nl-ams", "pl-waw"];

/// An AWS-CLI-style profile for Scaleway Object Storage (S3-compatible): the credentials-file
/// section plus `region` and `endpoint_url`, which the AWS CLI (1.29+/2.13+) and SDKs read from
/// the same profile. The region defaults to `fr-par`; the zone, if any, is checked but unused.
pub fn scaleway_s3_profile(
    data: &EntryData,
    profile: &str,
    defaults: ScalewayDefaults<'_>,
) -> Result<SecretString, ExportError> {
    let k = scaleway_key(data, "Scaleway Object Storage profile")?;
    defaults.check()?;
    check_aws_profile(profile)?;
    let region = defaults.region.unwrap_or("fr-par");
    if !SCALEWAY_S3_REGIONS.contains(&region) {
        return Err(ExportError::InvalidRegion(
            region.chars().take(40).collect(),
        ));
    }
    let mut out = Out::new();
    out.push("[").push(profile).push("]\n");
    out.push("aws_access_key_id = ")
        .push(&k.access_key)
        .push("\n");
    out.push("aws_secret_access_key = ")
        .push(k.secret_key.expose_secret())
        .push("\n");
    out.push("region = ").push(region).push("\n");
    out.push("endpoint_url = https://s3.")
        .push(region)
        .push(".scw.cloud\n");
    Ok(out.finish())
}

/// The EC2 private key file as `CreateKeyPair` returned it, newline-terminated. Save it with
/// mode 0400 (`chmod 400`): ssh refuses keys that others can read.
pub fn ec2_private_key(data: &EntryData) -> Result<SecretString, ExportError> {
    validate(data)?;
    let EntryData::Ec2KeyPair(k) = data else {
        return Err(ExportError::WrongKind {
            format: "private key file",
            kind: data.kind(),
        });
    };
    let mut out = Out::new();
    out.push(k.private_key.expose_secret());
    if !k.private_key.expose_secret().ends_with('\n') {
        out.push("\n");
    }
    Ok(out.finish())
}

/// `<key name>.pem` (or `.ppk`), with anything a file name should not hold replaced by `_`.
pub fn ec2_private_key_file_name(data: &EntryData) -> Result<String, ExportError> {
    let EntryData::Ec2KeyPair(k) = data else {
        return Err(ExportError::WrongKind {
            format: "private key file",
            kind: data.kind(),
        });
    };
    let stem: String = k
        .key_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    let stem = if stem.is_empty() { "key" } else { stem };
    let ext = match k.key_format {
        Ec2KeyFormat::Pem => "pem",
        Ec2KeyFormat::Ppk => "ppk",
    };
    Ok(format!("{stem}.{ext}"))
}

// ---- OpenSSH public key ----------------------------------------------------------------------

/// The `authorized_keys` line (`ssh-ed25519 AAAA… comment` or `ssh-rsa AAAA… comment`,
/// newline-terminated, as `ssh-keygen` writes `.pub` files) for an EC2 key pair, derived from its
/// private key: read from an OpenSSH container or a `.ppk`, or rebuilt from the modulus and
/// exponent of a PKCS#1 or PKCS#8 RSA key (a PKCS#8 ED25519 key is `unsupported`). The comment
/// may be empty; it may not hold control characters (a newline would add a second key line).
/// The public key is not secret, so the result is a plain `String`.
pub fn ec2_openssh_public_key(data: &EntryData, comment: &str) -> Result<String, ExportError> {
    validate(data)?;
    let EntryData::Ec2KeyPair(k) = data else {
        return Err(ExportError::WrongKind {
            format: "OpenSSH public key",
            kind: data.kind(),
        });
    };
    if comment.chars().any(char::is_control) || comment.len() > 1024 {
        return Err(ExportError::InvalidComment);
    }
    let text = k.private_key.expose_secret();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let blob = if text.trim_start().starts_with("PuTTY-User-Key-File-") {
        import::ppk_public_blob(text).map_err(|e| ExportError::InvalidKey(e.to_string()))?
    } else {
        let pem = import::pem_decode(text).map_err(|e| ExportError::InvalidKey(e.to_string()))?;
        match pem.label.as_str() {
            "OPENSSH PRIVATE KEY" => import::openssh_public_blob(&pem.der)
                .map_err(|m| ExportError::InvalidKey(m.into()))?
                .to_vec(),
            "RSA PRIVATE KEY" => ssh::rsa_blob_from_pkcs1(&pem.der)?,
            "PRIVATE KEY" => ssh::blob_from_pkcs8(&pem.der)?,
            _ => {
                return Err(ExportError::Unsupported(
                    "expected an RSA, OPENSSH or PKCS#8 PRIVATE KEY block".into(),
                ))
            }
        }
    };
    let key_type = ssh::check_public_blob(&blob)?;
    let mut line = String::with_capacity(key_type.len() + blob.len() * 4 / 3 + comment.len() + 8);
    line.push_str(key_type);
    line.push(' ');
    line.push_str(&Base64::encode_string(&blob));
    if !comment.is_empty() {
        line.push(' ');
        line.push_str(comment);
    }
    line.push('\n');
    Ok(line)
}

/// `<key name>.pub`, named as [`ec2_private_key_file_name`] names the private key.
pub fn ec2_public_key_file_name(data: &EntryData) -> Result<String, ExportError> {
    let private = ec2_private_key_file_name(data)?;
    let stem = private
        .strip_suffix(".pem")
        .or(private.strip_suffix(".ppk"))
        .unwrap_or(&private);
    Ok(format!("{stem}.pub"))
}

/// SSH wire blobs from DER private keys. Strict DER: definite minimal lengths, minimal
/// non-negative integers, nothing left over. Private fields are only borrowed, never copied.
mod ssh {
    use super::super::import::take_ssh_string;
    use super::ExportError;

    fn bad(what: &str) -> ExportError {
        ExportError::InvalidKey(format!("malformed key: {what}"))
    }

    /// One DER TLV: returns (tag, contents) and advances `rest`.
    fn take_tlv<'a>(rest: &mut &'a [u8]) -> Result<(u8, &'a [u8]), ExportError> {
        let &[tag, first, ref tail @ ..] = *rest else {
            return Err(bad("truncated DER"));
        };
        let mut tail = tail;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            // Keys here are far below 16 MiB; 0x80 (indefinite) is not DER.
            if n == 0 || n > 3 || tail.len() < n {
                return Err(bad("unsupported DER length"));
            }
            let (bytes, t) = tail.split_at(n);
            tail = t;
            if bytes[0] == 0 {
                return Err(bad("non-minimal DER length"));
            }
            let len = bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b));
            if len < 0x80 {
                return Err(bad("non-minimal DER length"));
            }
            len
        };
        if len > tail.len() {
            return Err(bad("truncated DER"));
        }
        let (contents, t) = tail.split_at(len);
        *rest = t;
        Ok((tag, contents))
    }

    fn take_ref<'a>(rest: &mut &'a [u8], tag: u8, what: &str) -> Result<&'a [u8], ExportError> {
        match take_tlv(rest)? {
            (t, c) if t == tag => Ok(c),
            _ => Err(bad(what)),
        }
    }

    /// A positive INTEGER's contents, minimal: the same bytes as an SSH `mpint`.
    fn take_uint<'a>(rest: &mut &'a [u8], what: &str) -> Result<&'a [u8], ExportError> {
        let v = take_ref(rest, 0x02, what)?;
        match v {
            [] => Err(bad(what)),
            [b, ..] if b & 0x80 != 0 => Err(bad(what)),
            [0, b, ..] if b & 0x80 == 0 => Err(bad(what)),
            _ => Ok(v),
        }
    }

    fn push_string(out: &mut Vec<u8>, s: &[u8]) {
        // Lengths here come from DER capped at 16 MiB.
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s);
    }

    /// `RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv, ... }` to the
    /// `ssh-rsa` blob (`string "ssh-rsa", mpint e, mpint n`).
    pub(super) fn rsa_blob_from_pkcs1(der: &[u8]) -> Result<Vec<u8>, ExportError> {
        let mut rest = der;
        let mut seq = take_ref(&mut rest, 0x30, "expected an RSAPrivateKey SEQUENCE")?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes after the key"));
        }
        // 0: two-prime, 1: multi-prime; both start with n and e.
        match take_ref(&mut seq, 0x02, "RSA version")? {
            [0] | [1] => {}
            _ => return Err(bad("unknown RSA key version")),
        }
        let n = take_uint(&mut seq, "RSA modulus")?;
        let e = take_uint(&mut seq, "RSA public exponent")?;
        if n.len() < 128 {
            return Err(ExportError::Unsupported(
                "RSA keys under 1024 bits are not supported".into(),
            ));
        }
        // The private fields must be there and well-formed, or this was not a whole key.
        for what in ["d", "p", "q", "dp", "dq", "qinv"] {
            take_uint(&mut seq, what)?;
        }
        let mut blob = Vec::with_capacity(n.len() + e.len() + 24);
        push_string(&mut blob, b"ssh-rsa");
        push_string(&mut blob, e);
        push_string(&mut blob, n);
        Ok(blob)
    }

    const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

    /// `PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING privateKey,
    /// [0] attributes OPTIONAL, [1] publicKey OPTIONAL }` (RFC 5208, RFC 5958).
    pub(super) fn blob_from_pkcs8(der: &[u8]) -> Result<Vec<u8>, ExportError> {
        let mut rest = der;
        let mut seq = take_ref(&mut rest, 0x30, "expected a PrivateKeyInfo SEQUENCE")?;
        if !rest.is_empty() {
            return Err(bad("trailing bytes after the key"));
        }
        match take_ref(&mut seq, 0x02, "PKCS#8 version")? {
            [0] | [1] => {}
            _ => return Err(bad("unknown PKCS#8 version")),
        }
        let mut alg = take_ref(&mut seq, 0x30, "AlgorithmIdentifier")?;
        let oid = take_ref(&mut alg, 0x06, "algorithm OID")?;
        let private = take_ref(&mut seq, 0x04, "privateKey OCTET STRING")?;
        // Optional attributes [0] and public key [1]; nothing else.
        while !seq.is_empty() {
            let (tag, _) = take_tlv(&mut seq)?;
            if tag != 0xa0 && tag != 0x81 && tag != 0xa1 {
                return Err(bad("unexpected field in PrivateKeyInfo"));
            }
        }
        if oid == OID_RSA {
            // Parameters: NULL.
            if !(alg == [0x05, 0x00] || alg.is_empty()) {
                return Err(bad("RSA parameters"));
            }
            rsa_blob_from_pkcs1(private)
        } else if oid == OID_ED25519 {
            // Deriving A = [clamp(SHA-512(seed))]B measured +4.6 KB gzipped in the shipped core
            // (SHA-512 and Edwards arithmetic), over its size budget, for a form EC2 never
            // returns (its ED25519 keys come as OpenSSH or .ppk, which carry the public key).
            Err(ExportError::Unsupported(
                "a PKCS#8 ED25519 key does not carry its public key; \
                 run ssh-keygen -y on the OpenSSH form of the key"
                    .into(),
            ))
        } else {
            Err(ExportError::Unsupported(
                "only RSA and ED25519 keys have an OpenSSH public key here".into(),
            ))
        }
    }

    /// Checks the blob is a well-formed `ssh-ed25519` or `ssh-rsa` public key and returns its
    /// type name.
    pub(super) fn check_public_blob(blob: &[u8]) -> Result<&'static str, ExportError> {
        let mut rest = blob;
        let bad_blob = |_| bad("public key blob");
        let name = match take_ssh_string(&mut rest).map_err(bad_blob)? {
            b"ssh-ed25519" => {
                if take_ssh_string(&mut rest).map_err(bad_blob)?.len() != 32 {
                    return Err(bad("an ED25519 public key is 32 bytes"));
                }
                "ssh-ed25519"
            }
            b"ssh-rsa" => {
                for what in ["RSA public exponent", "RSA modulus"] {
                    match take_ssh_string(&mut rest).map_err(bad_blob)? {
                        [] => return Err(bad(what)),
                        [b, ..] if b & 0x80 != 0 => return Err(bad(what)),
                        [0, b, ..] if b & 0x80 == 0 => return Err(bad(what)),
                        _ => {}
                    }
                }
                "ssh-rsa"
            }
            _ => {
                return Err(ExportError::Unsupported(
                    "only RSA and ED25519 keys have an OpenSSH public key here".into(),
                ))
            }
        };
        if !rest.is_empty() {
            return Err(bad("trailing bytes after the public key"));
        }
        Ok(name)
    }
}
