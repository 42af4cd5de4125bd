//! Typed vault errors: each has a stable machine code and a message that says what to do.
//!
//! Messages never contain secret material; they may name a field or a line number.

/// Everything that can go wrong creating, opening or using a vault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("this is not a Keysmith vault {0} (unknown magic bytes)")]
    NotAVault(&'static str),
    #[error("the vault {what} is truncated: {got} bytes where a format v{version} {what} has {expected}; restore it from a backup")]
    Truncated {
        what: &'static str,
        version: u16,
        expected: usize,
        got: usize,
    },
    #[error("the vault header is damaged (checksum mismatch); restore it from a backup")]
    HeaderCorrupted,
    /// `what` is "vault" for the header and "vault entry" for an entry.
    #[error("this {what} was written by a newer Keysmith (format v{version}); update Keysmith")]
    NewerFormat { what: &'static str, version: u16 },
    #[error("malformed vault {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("the vault uses key-derivation algorithm {0:#04x}, which this Keysmith does not know; update Keysmith")]
    UnsupportedKdf(u8),
    #[error("key-derivation settings too weak: {0}")]
    KdfTooWeak(String),
    #[error("this vault asks for {0}, beyond what Keysmith will spend on an unlock; the header may have been tampered with")]
    KdfTooExpensive(String),
    #[error("not enough memory for the key derivation ({m_kib} KiB); close other tabs and retry")]
    OutOfMemory { m_kib: u32 },
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("the passphrase is empty; choose a passphrase")]
    EmptyPassphrase,
    #[error("the vault's public key does not match its private key; the header is damaged, restore it from a backup")]
    InconsistentKeyPair,
    #[error("the vault public key is not usable (low-order point); the header is damaged, restore it from a backup")]
    BadPublicKey,
    #[error("this entry belongs to another vault")]
    ForeignEntry,
    #[error("this entry is stored under id {stored} but was sealed as {sealed}; it was moved or copied by hand")]
    EntryIdMismatch { stored: String, sealed: String },
    #[error(
        "this entry cannot be decrypted: it was altered, truncated or moved between entry ids"
    )]
    EntryDamaged,
    #[error("this entry is {0} bytes, more than the 1 MiB allowed")]
    EntryTooLarge(usize),
    #[error("invalid entry: {0}")]
    InvalidEntry(String),
    #[error("invalid base64 in the stored vault {0}")]
    InvalidBase64(&'static str),
    #[error("invalid storage key {0:?}")]
    InvalidStorageKey(String),
    #[error(
        "no secure random numbers available ({0}); the browser's crypto.getRandomValues failed"
    )]
    Randomness(String),
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl VaultError {
    /// A stable code for programs (`Error.code` in JS).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAVault(_) => "not_a_vault",
            Self::Truncated { .. } => "truncated",
            Self::HeaderCorrupted => "header_corrupted",
            Self::NewerFormat { .. } => "newer_format",
            Self::Malformed { .. } => "malformed",
            Self::UnsupportedKdf(_) => "unsupported_kdf",
            Self::KdfTooWeak(_) => "kdf_too_weak",
            Self::KdfTooExpensive(_) => "kdf_too_expensive",
            Self::OutOfMemory { .. } => "out_of_memory",
            Self::WrongPassphrase => "wrong_passphrase",
            Self::EmptyPassphrase => "empty_passphrase",
            Self::InconsistentKeyPair | Self::BadPublicKey => "header_corrupted",
            Self::ForeignEntry => "foreign_entry",
            Self::EntryIdMismatch { .. } => "entry_id_mismatch",
            Self::EntryDamaged => "entry_damaged",
            Self::EntryTooLarge(_) => "entry_too_large",
            Self::InvalidEntry(_) => "invalid_entry",
            Self::InvalidBase64(_) => "invalid_base64",
            Self::InvalidStorageKey(_) => "invalid_storage_key",
            Self::Randomness(_) => "randomness",
            Self::Internal(_) => "internal",
        }
    }

    pub(crate) fn malformed(what: &'static str, detail: impl Into<String>) -> Self {
        Self::Malformed {
            what,
            detail: detail.into(),
        }
    }
}
