//! The vault header: the only record a locked vault has besides its sealed entries. Fixed-size
//! binary fields, an unkeyed checksum that tells damage from a wrong passphrase, and the wrapped
//! private key whose AEAD binds every field before it. Layout in FORMAT.md.

use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256};

use super::kdf::KdfParams;
use super::VaultError;

pub const HEADER_MAGIC: [u8; 8] = *b"ks-vault";
/// The header format this Keysmith writes; it reads exactly this one.
pub const FORMAT_VERSION: u16 = 1;
pub(crate) const KDF_ARGON2ID_V13: u8 = 0x01;
pub const SALT_LEN: usize = 32;
pub(crate) const NONCE_LEN: usize = 24;
pub(crate) const TAG_LEN: usize = 16;
pub(crate) const KEY_LEN: usize = 32;
const CHECKSUM_LEN: usize = 32;

const OFF_VERSION: usize = 8;
const OFF_VAULT_ID: usize = 10;
const OFF_KDF: usize = 26;
const OFF_M: usize = 27;
const OFF_T: usize = 31;
const OFF_P: usize = 35;
const OFF_SALT: usize = 39;
const OFF_PUBLIC: usize = OFF_SALT + SALT_LEN; // 71
const OFF_NONCE: usize = OFF_PUBLIC + KEY_LEN; // 103
/// Everything before the wrapped key is the AEAD's associated data.
pub(crate) const OFF_WRAPPED: usize = OFF_NONCE + NONCE_LEN; // 127
const OFF_CHECKSUM: usize = OFF_WRAPPED + KEY_LEN + TAG_LEN; // 175
/// A format v1 header is always this long.
pub const HEADER_LEN: usize = OFF_CHECKSUM + CHECKSUM_LEN; // 207

/// Random, public, and fixed for the vault's life: entries name the vault they were sealed to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VaultId(pub [u8; 16]);

impl VaultId {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for VaultId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VaultId({})", self.to_hex())
    }
}

/// A parsed, checksum-verified header. Holding one is holding a locked vault: enough to seal
/// entries, not to read them.
#[derive(Clone, PartialEq, Eq)]
pub struct VaultHeader {
    pub(crate) vault_id: VaultId,
    pub(crate) kdf: KdfParams,
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) public_key: [u8; KEY_LEN],
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) wrapped_key: [u8; KEY_LEN + TAG_LEN],
}

impl std::fmt::Debug for VaultHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultHeader")
            .field("vault_id", &self.vault_id)
            .field("kdf", &self.kdf)
            .field("public_key", &hex::encode(self.public_key))
            .finish_non_exhaustive()
    }
}

impl VaultHeader {
    /// The `chrome.storage.local` key under which the header's base64 string lives.
    pub const STORAGE_KEY: &'static str = "keysmith.vault";

    pub fn vault_id(&self) -> VaultId {
        self.vault_id
    }

    pub fn kdf_params(&self) -> KdfParams {
        self.kdf
    }

    /// The X25519 public key entries are sealed to.
    pub fn public_key(&self) -> [u8; KEY_LEN] {
        self.public_key
    }

    /// The associated data the wrapped key is bound to: every header byte before it.
    pub(crate) fn associated_data(&self) -> [u8; OFF_WRAPPED] {
        let mut ad = [0u8; OFF_WRAPPED];
        ad.copy_from_slice(&self.to_bytes()[..OFF_WRAPPED]);
        ad
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.extend_from_slice(&HEADER_MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
        out.extend_from_slice(&self.vault_id.0);
        out.push(KDF_ARGON2ID_V13);
        out.extend_from_slice(&self.kdf.m_kib.to_be_bytes());
        out.extend_from_slice(&self.kdf.t.to_be_bytes());
        out.extend_from_slice(&self.kdf.p.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.public_key);
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.wrapped_key);
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        debug_assert_eq!(out.len(), HEADER_LEN);
        out
    }

    /// Parses a header. Checks run in an order that gives each kind of damage its own error:
    /// magic, length, checksum, then version, then fields.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VaultError> {
        let truncated = || VaultError::Truncated {
            what: "header",
            version: FORMAT_VERSION,
            expected: HEADER_LEN,
            got: bytes.len(),
        };
        if bytes.len() < HEADER_MAGIC.len() {
            return if HEADER_MAGIC.starts_with(bytes) {
                Err(truncated())
            } else {
                Err(VaultError::NotAVault("header"))
            };
        }
        if bytes[..HEADER_MAGIC.len()] != HEADER_MAGIC {
            return Err(VaultError::NotAVault("header"));
        }
        let Some(version) = read_u16(bytes, OFF_VERSION) else {
            return Err(truncated());
        };
        // Every version ends in SHA-256 of what precedes it, so damage is told apart from a
        // newer format even before the layout is known.
        if (version == FORMAT_VERSION && bytes.len() < HEADER_LEN)
            || bytes.len() < OFF_VAULT_ID + CHECKSUM_LEN
        {
            return Err(truncated());
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if Sha256::digest(body).as_slice() != sum {
            return Err(VaultError::HeaderCorrupted);
        }
        match version {
            0 => {
                return Err(VaultError::malformed(
                    "header",
                    "format version 0 does not exist",
                ))
            }
            FORMAT_VERSION => {}
            newer => {
                return Err(VaultError::NewerFormat {
                    what: "vault",
                    version: newer,
                })
            }
        }
        if bytes.len() != HEADER_LEN {
            return Err(VaultError::malformed(
                "header",
                format!(
                    "a format v1 header is {HEADER_LEN} bytes, this one is {}",
                    bytes.len()
                ),
            ));
        }
        if bytes[OFF_KDF] != KDF_ARGON2ID_V13 {
            return Err(VaultError::UnsupportedKdf(bytes[OFF_KDF]));
        }
        let kdf = KdfParams::new(
            read_u32(bytes, OFF_M),
            read_u32(bytes, OFF_T),
            read_u32(bytes, OFF_P),
        );
        // Structurally valid or not a header at all; the cost ceiling is unlock's business,
        // so that a UI can still show what a hostile header demands.
        if let Err(e @ VaultError::Malformed { .. }) = kdf.check_for_open() {
            return Err(e);
        }
        Ok(Self {
            vault_id: VaultId(array(bytes, OFF_VAULT_ID)),
            kdf,
            salt: array(bytes, OFF_SALT),
            public_key: array(bytes, OFF_PUBLIC),
            nonce: array(bytes, OFF_NONCE),
            wrapped_key: array(bytes, OFF_WRAPPED),
        })
    }

    /// Standard padded base64 (RFC 4648 §4) of [`Self::to_bytes`], the value stored under
    /// [`Self::STORAGE_KEY`].
    pub fn to_base64(&self) -> String {
        Base64::encode_string(&self.to_bytes())
    }

    pub fn from_base64(text: &str) -> Result<Self, VaultError> {
        // A header is 207 bytes; refuse to decode anything far larger.
        if text.len() > 4 * HEADER_LEN {
            return Err(VaultError::malformed(
                "header",
                "the stored value is far too long",
            ));
        }
        let bytes = Base64::decode_vec(text).map_err(|_| VaultError::InvalidBase64("header"))?;
        Self::from_bytes(&bytes)
    }
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// Only called on offsets inside a length-checked slice.
fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(array(bytes, at))
}

fn array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}
