//! Sealed entries: an anonymous box to the vault's public key, built as age builds its X25519
//! recipient stanza (ephemeral X25519, HKDF-SHA-256, then an AEAD) from audited RustCrypto
//! parts. The envelope's clear fields (vault id, entry id) are the AEAD's associated data.

use base64ct::{Base64, Encoding};
use chacha20poly1305::{AeadInOut, KeyInit, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::entry::{decode_plaintext, encode_plaintext, Entry, EntryId, PAD_BLOCK};
use super::header::{VaultHeader, VaultId, KEY_LEN, NONCE_LEN, TAG_LEN};
use super::unlock::UnlockedVault;
use super::{fill_random, VaultError};

pub const ENTRY_MAGIC: [u8; 8] = *b"ks-entry";
pub const ENTRY_FORMAT_VERSION: u16 = 1;
/// Sealed entries larger than this are refused unread (an RSA-4096 PEM is ~3.3 KiB).
pub const MAX_ENTRY_LEN: usize = 1024 * 1024;
const HKDF_INFO: &[u8] = b"keysmith/v1/entry";

const OFF_VERSION: usize = 8;
const OFF_VAULT_ID: usize = 10;
const OFF_ENTRY_ID: usize = 26;
const OFF_EPHEMERAL: usize = 42;
/// Everything before the ciphertext is associated data.
const OFF_CIPHERTEXT: usize = OFF_EPHEMERAL + KEY_LEN; // 74
const MIN_ENTRY_LEN: usize = OFF_CIPHERTEXT + PAD_BLOCK + TAG_LEN;

/// An entry as stored: only its id and its vault's id are readable without the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedEntry {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for SealedEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedEntry")
            .field("id", &self.id())
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl SealedEntry {
    /// Prefix of every entry's `chrome.storage.local` key; the id in hex follows.
    pub const STORAGE_KEY_PREFIX: &'static str = "keysmith.entry.";

    /// Checks the envelope's structure. Authenticity is checked only by
    /// [`UnlockedVault::open_entry`], which has the key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VaultError> {
        let truncated = |expected| VaultError::Truncated {
            what: "entry",
            version: ENTRY_FORMAT_VERSION,
            expected,
            got: bytes.len(),
        };
        if bytes.len() < ENTRY_MAGIC.len() {
            return if ENTRY_MAGIC.starts_with(bytes) {
                Err(truncated(MIN_ENTRY_LEN))
            } else {
                Err(VaultError::NotAVault("entry"))
            };
        }
        if bytes[..ENTRY_MAGIC.len()] != ENTRY_MAGIC {
            return Err(VaultError::NotAVault("entry"));
        }
        let Some(version) = bytes
            .get(OFF_VERSION..OFF_VERSION + 2)
            .map(|v| u16::from_be_bytes([v[0], v[1]]))
        else {
            return Err(truncated(MIN_ENTRY_LEN));
        };
        match version {
            0 => {
                return Err(VaultError::malformed(
                    "entry",
                    "format version 0 does not exist",
                ))
            }
            ENTRY_FORMAT_VERSION => {}
            newer => {
                return Err(VaultError::NewerFormat {
                    what: "vault entry",
                    version: newer,
                })
            }
        }
        if bytes.len() > MAX_ENTRY_LEN {
            return Err(VaultError::EntryTooLarge(bytes.len()));
        }
        if bytes.len() < MIN_ENTRY_LEN {
            return Err(truncated(MIN_ENTRY_LEN));
        }
        if !(bytes.len() - OFF_CIPHERTEXT - TAG_LEN).is_multiple_of(PAD_BLOCK) {
            return Err(VaultError::malformed(
                "entry",
                format!(
                    "{} bytes is not a whole number of {PAD_BLOCK}-byte blocks plus envelope; it was truncated or altered",
                    bytes.len()
                ),
            ));
        }
        Ok(Self {
            bytes: bytes.to_vec(),
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn id(&self) -> EntryId {
        EntryId(array(&self.bytes, OFF_ENTRY_ID))
    }

    pub fn vault_id(&self) -> VaultId {
        VaultId(array(&self.bytes, OFF_VAULT_ID))
    }

    /// Standard padded base64 (RFC 4648 §4), the value stored under [`Self::storage_key`].
    pub fn to_base64(&self) -> String {
        Base64::encode_string(&self.bytes)
    }

    pub fn from_base64(text: &str) -> Result<Self, VaultError> {
        if text.len() > MAX_ENTRY_LEN.div_ceil(3) * 4 {
            return Err(VaultError::EntryTooLarge(text.len() / 4 * 3));
        }
        let bytes = Base64::decode_vec(text).map_err(|_| VaultError::InvalidBase64("entry"))?;
        Self::from_bytes(&bytes)
    }

    pub fn storage_key(&self) -> String {
        format!("{}{}", Self::STORAGE_KEY_PREFIX, self.id())
    }

    /// Parses a stored value and checks that it sits under its own id, so that an entry copied
    /// or moved to another key is refused rather than shown twice or under the wrong name.
    pub fn from_storage(key: &str, value: &str) -> Result<Self, VaultError> {
        let stored = key
            .strip_prefix(Self::STORAGE_KEY_PREFIX)
            .and_then(EntryId::from_hex)
            .ok_or_else(|| VaultError::InvalidStorageKey(key.chars().take(80).collect()))?;
        let sealed = Self::from_base64(value)?;
        if sealed.id() != stored {
            return Err(VaultError::EntryIdMismatch {
                stored: stored.to_hex(),
                sealed: sealed.id().to_hex(),
            });
        }
        Ok(sealed)
    }
}

/// `key ‖ nonce` for XChaCha20-Poly1305, from HKDF-SHA-256 with salt `ephemeral ‖ recipient`
/// (age's choice: both public keys bound, so the box cannot be re-targeted).
fn derive_entry_key(
    shared: &[u8; KEY_LEN],
    ephemeral: &[u8; KEY_LEN],
    recipient: &[u8; KEY_LEN],
) -> Result<(XChaCha20Poly1305, XNonce), VaultError> {
    let mut salt = [0u8; 2 * KEY_LEN];
    salt[..KEY_LEN].copy_from_slice(ephemeral);
    salt[KEY_LEN..].copy_from_slice(recipient);
    let mut okm = Zeroizing::new([0u8; KEY_LEN + NONCE_LEN]);
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(HKDF_INFO, okm.as_mut())
        .map_err(|_| VaultError::Internal("HKDF output length"))?;
    let cipher = XChaCha20Poly1305::new_from_slice(&okm[..KEY_LEN])
        .map_err(|_| VaultError::Internal("entry key length"))?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&okm[KEY_LEN..]);
    Ok((cipher, XNonce::from(nonce)))
}

impl VaultHeader {
    /// Seals `entry` to this vault with only the public key: works while the vault is locked.
    pub fn seal_entry(&self, entry: &Entry) -> Result<SealedEntry, VaultError> {
        let mut ephemeral = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(ephemeral.as_mut())?;
        self.seal_entry_with(entry, &ephemeral)
    }

    pub(crate) fn seal_entry_with(
        &self,
        entry: &Entry,
        ephemeral_secret: &[u8; KEY_LEN],
    ) -> Result<SealedEntry, VaultError> {
        entry.data.validate()?;
        self.seal_plaintext(entry.id, encode_plaintext(entry)?, ephemeral_secret)
    }

    /// The box itself, apart from what goes in it (tests seal hand-made plaintexts with this).
    pub(crate) fn seal_plaintext(
        &self,
        id: EntryId,
        mut plaintext: Zeroizing<Vec<u8>>,
        ephemeral_secret: &[u8; KEY_LEN],
    ) -> Result<SealedEntry, VaultError> {
        let total = OFF_CIPHERTEXT + plaintext.len() + TAG_LEN;
        if total > MAX_ENTRY_LEN {
            return Err(VaultError::EntryTooLarge(total));
        }
        let ephemeral = StaticSecret::from(*ephemeral_secret);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let recipient = PublicKey::from(self.public_key);
        let shared = ephemeral.diffie_hellman(&recipient);
        // A low-order "public key" would make the shared secret public; refuse to seal to it.
        if !shared.was_contributory() {
            return Err(VaultError::BadPublicKey);
        }
        let (cipher, nonce) = derive_entry_key(
            shared.as_bytes(),
            ephemeral_public.as_bytes(),
            &self.public_key,
        )?;

        let mut bytes = Vec::with_capacity(total);
        bytes.extend_from_slice(&ENTRY_MAGIC);
        bytes.extend_from_slice(&ENTRY_FORMAT_VERSION.to_be_bytes());
        bytes.extend_from_slice(&self.vault_id.0);
        bytes.extend_from_slice(&id.0);
        bytes.extend_from_slice(ephemeral_public.as_bytes());
        let tag = cipher
            .encrypt_inout_detached(&nonce, &bytes, plaintext.as_mut_slice().into())
            .map_err(|_| VaultError::Internal("AEAD refused to encrypt"))?;
        bytes.extend_from_slice(&plaintext);
        bytes.extend_from_slice(&tag);
        Ok(SealedEntry { bytes })
    }
}

impl UnlockedVault {
    /// Decrypts and parses a sealed entry. Refuses entries of another vault, entries whose
    /// envelope was altered (including a changed entry id) and plaintexts that do not parse.
    pub fn open_entry(&self, sealed: &SealedEntry) -> Result<Entry, VaultError> {
        if sealed.vault_id() != self.vault_id {
            return Err(VaultError::ForeignEntry);
        }
        let bytes = &sealed.bytes;
        let (envelope, rest) = bytes.split_at(OFF_CIPHERTEXT);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let ephemeral = PublicKey::from(array::<KEY_LEN>(bytes, OFF_EPHEMERAL));
        let shared = self.secret.diffie_hellman(&ephemeral);
        if !shared.was_contributory() {
            return Err(VaultError::EntryDamaged);
        }
        let (cipher, nonce) = derive_entry_key(
            shared.as_bytes(),
            ephemeral.as_bytes(),
            self.public_key.as_bytes(),
        )?;
        let mut plaintext = Zeroizing::new(ciphertext.to_vec());
        cipher
            .decrypt_inout_detached(
                &nonce,
                envelope,
                plaintext.as_mut_slice().into(),
                tag.try_into()
                    .map_err(|_| VaultError::Internal("tag length"))?,
            )
            .map_err(|_| VaultError::EntryDamaged)?;
        let entry = decode_plaintext(&plaintext)?;
        // Bound by the AEAD already; this catches a writer that sealed the wrong entry.
        if entry.id != sealed.id() {
            return Err(VaultError::malformed(
                "entry",
                "the id inside differs from the id on the envelope",
            ));
        }
        Ok(entry)
    }
}

/// Only called on offsets inside a length-checked buffer.
fn array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}
