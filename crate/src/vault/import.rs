//! Imports: the console's access-key CSV, pasted `export AWS_...` lines, a credentials-file
//! snippet, an EC2 private key file. All or nothing: the first problem is reported with its
//! line number (1-based) and nothing is returned. Messages never quote a value.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::entry::{
    AwsAccessKey, AwsTemporaryCredentials, Ec2KeyFormat, Ec2KeyPair, Ec2KeyType, EntryData,
};
use super::VaultError;
use crate::secret::SecretString;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {message}")]
    Malformed { line: usize, message: String },
    #[error("{0}")]
    Incomplete(String),
    #[error("nothing to import")]
    Empty,
    #[error("unrecognised input: paste the console's access-key CSV, export AWS_... lines, a credentials file section, or a .pem/.ppk key")]
    Unrecognized,
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "import_malformed",
            Self::Incomplete(_) => "import_incomplete",
            Self::Empty => "import_empty",
            Self::Unrecognized => "import_unrecognized",
        }
    }

    /// The 1-based line the problem is on, when it is on one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Malformed { line, .. } => Some(*line),
            _ => None,
        }
    }
}

fn at(line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        line,
        message: message.into(),
    }
}

/// Entry validation errors never contain the offending value, so they can carry a line.
fn checked(line: usize, data: EntryData) -> Result<EntryData, ImportError> {
    data.validate().map_err(|e| match e {
        VaultError::InvalidEntry(detail) => at(line, detail),
        other => at(line, other.to_string()),
    })?;
    Ok(data)
}

/// Lines numbered from 1, a leading BOM and trailing `\r` removed.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    ConsoleCsv,
    EnvExports,
    CredentialsFile,
    PrivateKey,
}

/// Guesses the format from the first non-blank line.
pub fn detect_format(text: &str) -> Option<ImportFormat> {
    // Comments open both credentials files and portal export blocks; skip them.
    let (_, first) = lines(text).find(|(_, l)| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#') && !l.starts_with(';')
    })?;
    let first = first.trim();
    let lower = first.to_ascii_lowercase();
    if first.starts_with("-----BEGIN ") || first.starts_with("PuTTY-User-Key-File-") {
        Some(ImportFormat::PrivateKey)
    } else if first.starts_with('[') {
        Some(ImportFormat::CredentialsFile)
    } else if lower.contains("access key id") {
        Some(ImportFormat::ConsoleCsv)
    } else if first.starts_with("export ") || first.starts_with("AWS_") {
        Some(ImportFormat::EnvExports)
    } else {
        None
    }
}

/// Detects the format and imports. `file_name` (e.g. `bastion.pem`) names an imported key pair.
pub fn import_text(text: &str, file_name: Option<&str>) -> Result<Vec<EntryData>, ImportError> {
    match detect_format(text) {
        None if text.trim().is_empty() => Err(ImportError::Empty),
        None => Err(ImportError::Unrecognized),
        Some(ImportFormat::ConsoleCsv) => import_console_csv(text),
        Some(ImportFormat::EnvExports) => import_env_exports(text).map(|e| vec![e]),
        Some(ImportFormat::CredentialsFile) => import_credentials_file(text),
        Some(ImportFormat::PrivateKey) => {
            let stem = file_name
                .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
                .map(|n| {
                    n.strip_suffix(".pem")
                        .or(n.strip_suffix(".ppk"))
                        .unwrap_or(n)
                })
                .filter(|n| !n.trim().is_empty())
                .unwrap_or("imported-key");
            import_private_key(text, stem).map(|e| vec![e])
        }
    }
}

// ---- console CSV -----------------------------------------------------------------------------

/// RFC 4180 fields of one line (quoted fields may hold `,` and `""`; not newlines).
fn csv_fields(line_no: usize, line: &str) -> Result<Vec<Zeroizing<String>>, ImportError> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let mut field = Zeroizing::new(String::new());
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next() {
                    None => return Err(at(line_no, "unterminated quoted field")),
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            field.push('"');
                            chars.next();
                        } else {
                            break i + 1;
                        }
                    }
                    Some((_, c)) => field.push(c),
                }
            };
            rest = &quoted[end..];
            fields.push(field);
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None if rest.is_empty() => return Ok(fields),
                None => return Err(at(line_no, "text after a closing quote")),
            }
        } else {
            let (value, next) = match rest.split_once(',') {
                Some((v, n)) => (v, Some(n)),
                None => (rest, None),
            };
            field.push_str(value);
            fields.push(field);
            match next {
                Some(n) => rest = n,
                None => return Ok(fields),
            }
        }
    }
}

/// The console's `accessKeys.csv` (`Access key ID,Secret access key`), its variant with
/// `User Name` first, and the user-creation CSV (`User name,Password,Access key ID,...`; the
/// password column is ignored). Headers match case-insensitively, as the AWS CLI's do.
pub fn import_console_csv(text: &str) -> Result<Vec<EntryData>, ImportError> {
    let mut rows = lines(text).filter(|(_, l)| !l.trim().is_empty());
    let (header_no, header) = rows.next().ok_or(ImportError::Empty)?;
    let names: Vec<String> = csv_fields(header_no, header)?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| names.iter().position(|h| h == name);
    let akid_col =
        column("access key id").ok_or_else(|| at(header_no, "no \"Access key ID\" column"))?;
    let secret_col = column("secret access key")
        .ok_or_else(|| at(header_no, "no \"Secret access key\" column"))?;
    let user_col = column("user name");

    let mut out = Vec::new();
    for (no, line) in rows {
        let fields = csv_fields(no, line)?;
        if fields.len() != names.len() {
            return Err(at(
                no,
                format!(
                    "{} fields where the header has {}",
                    fields.len(),
                    names.len()
                ),
            ));
        }
        let user_name = user_col
            .map(|c| fields[c].trim())
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        let data = EntryData::AwsAccessKey(AwsAccessKey {
            account_id: None,
            user_name,
            access_key_id: fields[akid_col].trim().to_owned(),
            secret_access_key: SecretString::copy_from(fields[secret_col].trim()),
            created: None,
            description: None,
            tags: vec![],
        });
        out.push(checked(no, data)?);
    }
    if out.is_empty() {
        return Err(ImportError::Incomplete(
            "the CSV has a header but no key rows".into(),
        ));
    }
    Ok(out)
}

// ---- export lines ----------------------------------------------------------------------------

/// One POSIX shell word, as the exports write it and as portals print it: bare characters,
/// `'single'` and `"double"` quoted runs (with `\"`, `\\`, `\$`, `` \` `` escapes) and `\x`,
/// concatenated. Anything that would expand (`$`, backticks) or end the word is refused.
fn shell_value(no: usize, raw: &str) -> Result<Zeroizing<String>, ImportError> {
    let mut out = Zeroizing::new(String::with_capacity(raw.len()));
    let mut chars = raw.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next() {
                    Some('\'') => break,
                    Some(c) => out.push(c),
                    None => return Err(at(no, "unterminated single quote")),
                }
            },
            '"' => loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(e @ ('"' | '\\' | '$' | '`')) => out.push(e),
                        Some(e) => {
                            out.push('\\');
                            out.push(e);
                        }
                        None => return Err(at(no, "unterminated double quote")),
                    },
                    Some('$' | '`') => {
                        return Err(at(no, "shell expansion in a value; paste the value itself"))
                    }
                    Some(c) => out.push(c),
                    None => return Err(at(no, "unterminated double quote")),
                }
            },
            '\\' => match chars.next() {
                Some(e) => out.push(e),
                None => return Err(at(no, "a value ends in a backslash")),
            },
            '$' | '`' => return Err(at(no, "shell expansion in a value; paste the value itself")),
            c if c.is_whitespace() || ";&|<>()".contains(c) => {
                return Err(at(no, "a value holds unquoted shell syntax or spaces"))
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A pasted block of `export AWS_ACCESS_KEY_ID=...` lines (`export` optional): the IAM
/// Identity Center portal's, or `aws configure export-credentials --format env`'s output.
pub fn import_env_exports(text: &str) -> Result<EntryData, ImportError> {
    let mut akid: Option<(usize, Zeroizing<String>)> = None;
    let mut secret: Option<Zeroizing<String>> = None;
    let mut token: Option<Zeroizing<String>> = None;
    let mut expiration: Option<Zeroizing<String>> = None;
    let mut first_line = 0;
    for (no, line) in lines(text) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if first_line == 0 {
            first_line = no;
        }
        let assignment = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| at(no, "expected NAME=value"))?;
        let slot = match name {
            "AWS_ACCESS_KEY_ID" => {
                if akid.is_some() {
                    return Err(at(no, "AWS_ACCESS_KEY_ID is set twice"));
                }
                akid = Some((no, shell_value(no, value)?));
                continue;
            }
            "AWS_SECRET_ACCESS_KEY" => &mut secret,
            "AWS_SESSION_TOKEN" | "AWS_SECURITY_TOKEN" => &mut token,
            "AWS_CREDENTIAL_EXPIRATION" => &mut expiration,
            // Harmless context that often rides along; not part of the credential.
            "AWS_REGION" | "AWS_DEFAULT_REGION" | "AWS_PROFILE" => continue,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(at(no, format!("unexpected variable {shown}")));
            }
        };
        if slot.is_some() {
            return Err(at(no, format!("{name} is set twice")));
        }
        *slot = Some(shell_value(no, value)?);
    }
    let (akid_line, akid) = akid.ok_or_else(|| {
        if first_line == 0 {
            ImportError::Empty
        } else {
            ImportError::Incomplete("AWS_ACCESS_KEY_ID is missing".into())
        }
    })?;
    let secret =
        secret.ok_or_else(|| ImportError::Incomplete("AWS_SECRET_ACCESS_KEY is missing".into()))?;
    let secret_access_key = SecretString::copy_from(&secret);
    let data = match token {
        Some(token) => EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
            access_key_id: akid.to_string(),
            secret_access_key,
            session_token: SecretString::copy_from(&token),
            expiration: expiration.map(|e| e.to_string()),
            description: None,
        }),
        None if expiration.is_some() => {
            return Err(ImportError::Incomplete(
                "AWS_CREDENTIAL_EXPIRATION without AWS_SESSION_TOKEN".into(),
            ))
        }
        None => EntryData::AwsAccessKey(AwsAccessKey {
            account_id: None,
            user_name: None,
            access_key_id: akid.to_string(),
            secret_access_key,
            created: None,
            description: None,
            tags: vec![],
        }),
    };
    checked(akid_line, data)
}

// ---- credentials file ------------------------------------------------------------------------

#[derive(Default)]
struct Section {
    line: usize,
    name: String,
    akid: Option<String>,
    secret: Option<Zeroizing<String>>,
    token: Option<Zeroizing<String>>,
}

impl Section {
    fn finish(self) -> Result<EntryData, ImportError> {
        let missing = |what: &str| at(self.line, format!("profile [{}] has no {what}", self.name));
        let akid = self
            .akid
            .clone()
            .ok_or_else(|| missing("aws_access_key_id"))?;
        let secret = self
            .secret
            .as_ref()
            .ok_or_else(|| missing("aws_secret_access_key"))?;
        let description = Some(format!("profile {}", self.name));
        let data = match &self.token {
            Some(token) => EntryData::AwsTemporaryCredentials(AwsTemporaryCredentials {
                access_key_id: akid,
                secret_access_key: SecretString::copy_from(secret),
                session_token: SecretString::copy_from(token),
                expiration: None,
                description,
            }),
            None => EntryData::AwsAccessKey(AwsAccessKey {
                account_id: None,
                user_name: None,
                access_key_id: akid,
                secret_access_key: SecretString::copy_from(secret),
                created: None,
                description,
                tags: vec![],
            }),
        };
        checked(self.line, data)
    }
}

/// One or more `[profile]` sections of `~/.aws/credentials` (or `[profile name]` of
/// `~/.aws/config`). Keys other than the three credential keys are ignored; every section must
/// hold a key id and a secret.
pub fn import_credentials_file(text: &str) -> Result<Vec<EntryData>, ImportError> {
    let mut sections: Vec<Section> = Vec::new();
    for (no, line) in lines(text) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(inner) = line.strip_prefix('[') {
            let name = inner
                .strip_suffix(']')
                .ok_or_else(|| at(no, "a section header must end with ]"))?
                .trim();
            let name = name.strip_prefix("profile ").unwrap_or(name).trim();
            if name.is_empty() || name.chars().any(char::is_control) || name.len() > 64 {
                return Err(at(no, "invalid profile name"));
            }
            if sections.iter().any(|s| s.name == name) {
                return Err(at(no, format!("profile [{name}] appears twice")));
            }
            sections.push(Section {
                line: no,
                name: name.to_owned(),
                ..Section::default()
            });
            continue;
        }
        let section = sections
            .last_mut()
            .ok_or_else(|| at(no, "a key before any [profile] header"))?;
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| at(no, "expected key = value"))?;
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let twice = || at(no, format!("{key} is set twice in [{}]", section.name));
        match key.as_str() {
            "aws_access_key_id" => {
                if section.akid.is_some() {
                    return Err(twice());
                }
                section.akid = Some(value.to_owned());
            }
            "aws_secret_access_key" => {
                if section.secret.is_some() {
                    return Err(twice());
                }
                section.secret = Some(Zeroizing::new(value.to_owned()));
            }
            "aws_session_token" | "aws_security_token" => {
                if section.token.is_some() {
                    return Err(twice());
                }
                section.token = Some(Zeroizing::new(value.to_owned()));
            }
            _ => {}
        }
    }
    if sections.is_empty() {
        return Err(ImportError::Empty);
    }
    sections.into_iter().map(Section::finish).collect()
}

// ---- private key files -----------------------------------------------------------------------

/// An unencrypted EC2 private key: PKCS#1 (`RSA PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`), OpenSSH
/// (`OPENSSH PRIVATE KEY`, how EC2 returns ED25519 keys) or PuTTY `.ppk`. The key type is read
/// from the key itself. `key_name` is the EC2 key pair name (usually the file's stem).
pub fn import_private_key(text: &str, key_name: &str) -> Result<EntryData, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (key_type, key_format) = if text.trim_start().starts_with("PuTTY-User-Key-File-") {
        (ppk_key_type(text)?, Ec2KeyFormat::Ppk)
    } else {
        (pem_key_type(text)?, Ec2KeyFormat::Pem)
    };
    let mut pem = Zeroizing::new(String::with_capacity(text.len() + 1));
    pem.push_str(text.trim_matches(|c: char| c.is_ascii_whitespace()));
    pem.push('\n');
    let data = EntryData::Ec2KeyPair(Ec2KeyPair {
        region: None,
        key_name: key_name.trim().to_owned(),
        key_pair_id: None,
        fingerprint: None,
        key_type,
        key_format,
        private_key: SecretString::copy_from(&pem),
    });
    checked(1, data)
}

/// A decoded PEM block: its label, the DER (or OpenSSH container) bytes, and the line the
/// body starts on, for messages.
pub(super) struct PemBlock {
    pub label: String,
    pub der: Zeroizing<Vec<u8>>,
    pub body_line: usize,
}

/// Strictly decodes the one PEM block `text` holds: no headers, nothing after the END line.
pub(super) fn pem_decode(text: &str) -> Result<PemBlock, ImportError> {
    let mut iter = lines(text).filter(|(_, l)| !l.trim().is_empty());
    let (begin_no, begin) = iter.next().ok_or(ImportError::Empty)?;
    let label = begin
        .trim()
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| at(begin_no, "expected a -----BEGIN ...----- line"))?;
    if label.contains("ENCRYPTED") {
        return Err(at(
            begin_no,
            "the key is encrypted; EC2 keys are not, export it without a passphrase",
        ));
    }
    let mut body = Zeroizing::new(String::new());
    let mut end_no = None;
    for (no, line) in iter.by_ref() {
        let line = line.trim();
        if let Some(end) = line.strip_prefix("-----END ") {
            if end.strip_suffix("-----") != Some(label) {
                return Err(at(no, format!("expected -----END {label}-----")));
            }
            end_no = Some(no);
            break;
        }
        if line.contains(':') {
            return Err(at(no, "PEM headers (an encrypted key?) are not supported"));
        }
        if !line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        {
            return Err(at(no, "not base64"));
        }
        body.push_str(line);
    }
    let end_no = end_no.ok_or_else(|| at(begin_no, format!("no -----END {label}----- line")))?;
    if let Some((no, _)) = iter.next() {
        return Err(at(no, "text after the END line"));
    }
    let der = Zeroizing::new(
        Base64::decode_vec(&body).map_err(|_| at(end_no, "the key body is not valid base64"))?,
    );
    Ok(PemBlock {
        label: label.to_owned(),
        der,
        body_line: begin_no + 1,
    })
}

fn pem_key_type(text: &str) -> Result<Ec2KeyType, ImportError> {
    let PemBlock {
        label,
        der,
        body_line,
    } = pem_decode(text)?;
    let begin_no = body_line - 1;
    match label.as_str() {
        "RSA PRIVATE KEY" => Ok(Ec2KeyType::Rsa),
        "OPENSSH PRIVATE KEY" => openssh_key_type(&der).map_err(|m| at(begin_no + 1, m)),
        "PRIVATE KEY" => {
            // PKCS#8 names its algorithm by OID near the start.
            const ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
            const RSA: &[u8] = &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
            ];
            let head = &der[..der.len().min(32)];
            if head.windows(ED25519.len()).any(|w| w == ED25519) {
                Ok(Ec2KeyType::Ed25519)
            } else if head.windows(RSA.len()).any(|w| w == RSA) {
                Ok(Ec2KeyType::Rsa)
            } else {
                Err(at(begin_no + 1, "neither an RSA nor an ED25519 key"))
            }
        }
        _ => Err(at(
            begin_no,
            "expected an RSA, OPENSSH or PKCS#8 PRIVATE KEY block",
        )),
    }
}

/// `openssh-key-v1\0`, cipher, kdf, kdf options, key count, then the first public key blob,
/// whose first string is the key type.
fn openssh_key_type(blob: &[u8]) -> Result<Ec2KeyType, &'static str> {
    let mut public = openssh_public_blob(blob)?;
    match take_ssh_string(&mut public)? {
        b"ssh-ed25519" => Ok(Ec2KeyType::Ed25519),
        b"ssh-rsa" => Ok(Ec2KeyType::Rsa),
        _ => Err("neither an RSA nor an ED25519 key"),
    }
}

/// The public key blob of an unencrypted single-key `openssh-key-v1` container: the same wire
/// bytes that the key's `.pub` line carries in base64.
pub(super) fn openssh_public_blob(blob: &[u8]) -> Result<&[u8], &'static str> {
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let mut rest = blob
        .strip_prefix(MAGIC)
        .ok_or("not an openssh-key-v1 key")?;
    if take_ssh_string(&mut rest)? != b"none" {
        return Err("the key is encrypted; EC2 keys are not, export it without a passphrase");
    }
    let _kdf = take_ssh_string(&mut rest)?;
    let _kdf_options = take_ssh_string(&mut rest)?;
    if take_u32(&mut rest)? != 1 {
        return Err("expected exactly one key");
    }
    let public = take_ssh_string(&mut rest)?;
    // The private section follows; a container cut short before it is not a whole key.
    let _private = take_ssh_string(&mut rest)?;
    if !rest.is_empty() {
        return Err("trailing bytes after the key");
    }
    Ok(public)
}

pub(super) fn take_u32(rest: &mut &[u8]) -> Result<u32, &'static str> {
    let (n, tail) = rest.split_first_chunk::<4>().ok_or("truncated key")?;
    *rest = tail;
    Ok(u32::from_be_bytes(*n))
}

/// An SSH wire-format string: u32 BE length, then that many bytes.
pub(super) fn take_ssh_string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], &'static str> {
    let len = take_u32(rest)? as usize;
    if len > rest.len() {
        return Err("truncated key");
    }
    let (s, tail) = rest.split_at(len);
    *rest = tail;
    Ok(s)
}

fn ppk_key_type(text: &str) -> Result<Ec2KeyType, ImportError> {
    let (no, first) = lines(text)
        .find(|(_, l)| !l.trim().is_empty())
        .ok_or(ImportError::Empty)?;
    let algorithm = first
        .split_once(':')
        .map(|(_, a)| a.trim())
        .ok_or_else(|| at(no, "expected PuTTY-User-Key-File-N: algorithm"))?;
    if let Some((eno, enc)) = lines(text).find(|(_, l)| l.starts_with("Encryption:")) {
        if enc.trim_start_matches("Encryption:").trim() != "none" {
            return Err(at(eno, "the key is encrypted; EC2 keys are not"));
        }
    }
    match algorithm {
        "ssh-ed25519" => Ok(Ec2KeyType::Ed25519),
        "ssh-rsa" => Ok(Ec2KeyType::Rsa),
        _ => Err(at(no, "neither an RSA nor an ED25519 key")),
    }
}

/// The public key blob a `.ppk` carries in clear (`Public-Lines: N`, then N base64 lines).
pub(super) fn ppk_public_blob(text: &str) -> Result<Vec<u8>, ImportError> {
    let mut iter = lines(text);
    let (no, count) = iter
        .by_ref()
        .find_map(|(no, l)| l.strip_prefix("Public-Lines:").map(|c| (no, c)))
        .ok_or_else(|| ImportError::Incomplete("no Public-Lines in the .ppk".into()))?;
    let count: usize = count
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=64).contains(n))
        .ok_or_else(|| at(no, "Public-Lines is not a small number"))?;
    let mut body = String::new();
    for _ in 0..count {
        let (_, line) = iter
            .next()
            .ok_or_else(|| at(no, "fewer public key lines than Public-Lines says"))?;
        body.push_str(line.trim());
    }
    Base64::decode_vec(&body).map_err(|_| at(no + 1, "the public key is not valid base64"))
}
