//! Exports: pure functions from an entry to the text another tool reads (AWS CLI files and
//! commands, Scaleway's `config.yaml`, a `.pem`). Output is a [`SecretString`]: it holds the
//! secret, is wiped on drop, and is only ever handed to an extension page.

use zeroize::Zeroizing;

use super::entry::{AwsAccessKey, AwsTemporaryCredentials, EntryData};
use super::{Ec2KeyFormat, VaultError};
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
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongKind { .. } => "wrong_kind",
            Self::InvalidProfile(_) => "invalid_profile",
            Self::MissingUserName => "missing_user_name",
            Self::InvalidRegion(_) => "invalid_region",
            Self::InvalidEntry(_) => "invalid_entry",
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
