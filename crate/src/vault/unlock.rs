//! Creating a vault, unlocking it with the passphrase, changing the passphrase. The private key
//! exists in the clear only inside an [`UnlockedVault`], and is wiped when that is dropped.

use chacha20poly1305::{AeadInOut, KeyInit, XChaCha20Poly1305, XNonce};
use subtle::ConstantTimeEq;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::header::{VaultHeader, VaultId, KEY_LEN, NONCE_LEN, SALT_LEN, TAG_LEN};
use super::kdf::{derive_wrap_key, KdfParams};
use super::{fill_random, VaultError};
use crate::secret::SecretString;

/// The vault with its private key in memory. Dropping it (or [`UnlockedVault::lock`]) wipes the
/// key. There is deliberately no way to read the key out.
pub struct UnlockedVault {
    pub(crate) vault_id: VaultId,
    pub(crate) public_key: PublicKey,
    pub(crate) secret: StaticSecret,
    kdf: KdfParams,
}

impl std::fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedVault")
            .field("vault_id", &self.vault_id)
            .field("secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

/// The random inputs of a header, separated so that test vectors can be reproduced.
pub(crate) struct HeaderRandomness {
    pub vault_id: [u8; 16],
    pub secret_key: Zeroizing<[u8; KEY_LEN]>,
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; NONCE_LEN],
}

impl HeaderRandomness {
    pub(crate) fn generate() -> Result<Self, VaultError> {
        let mut r = Self {
            vault_id: [0; 16],
            secret_key: Zeroizing::new([0; KEY_LEN]),
            salt: [0; SALT_LEN],
            nonce: [0; NONCE_LEN],
        };
        fill_random(&mut r.vault_id)?;
        fill_random(r.secret_key.as_mut())?;
        fill_random(&mut r.salt)?;
        fill_random(&mut r.nonce)?;
        Ok(r)
    }
}

impl VaultHeader {
    /// Creates a new vault: a fresh X25519 key pair, its private half wrapped under `passphrase`.
    /// Returns the header to store and the vault already unlocked.
    pub fn create(
        passphrase: &SecretString,
        params: KdfParams,
    ) -> Result<(VaultHeader, UnlockedVault), VaultError> {
        check_new_passphrase(passphrase, params)?;
        Self::create_with(passphrase, params, HeaderRandomness::generate()?)
    }

    pub(crate) fn create_with(
        passphrase: &SecretString,
        params: KdfParams,
        random: HeaderRandomness,
    ) -> Result<(VaultHeader, UnlockedVault), VaultError> {
        let secret = StaticSecret::from(*random.secret_key);
        let unlocked = UnlockedVault {
            vault_id: VaultId(random.vault_id),
            public_key: PublicKey::from(&secret),
            secret,
            kdf: params,
        };
        let header = unlocked.wrap(passphrase, params, random.salt, random.nonce)?;
        Ok((header, unlocked))
    }

    /// Derives the wrapping key from `passphrase` and unwraps the private key. A header whose
    /// KDF demands exceed the ceiling is refused before any memory is allocated.
    pub fn unlock(&self, passphrase: &SecretString) -> Result<UnlockedVault, VaultError> {
        self.kdf.check_for_open()?;
        if passphrase.is_empty() {
            return Err(VaultError::WrongPassphrase);
        }
        let key = derive_wrap_key(passphrase, &self.salt, self.kdf)?;
        let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref())
            .map_err(|_| VaultError::Internal("wrap key length"))?;
        let (ciphertext, tag) = self.wrapped_key.split_at(KEY_LEN);
        let mut plain = Zeroizing::new([0u8; KEY_LEN]);
        plain.copy_from_slice(ciphertext);
        cipher
            .decrypt_inout_detached(
                &XNonce::from(self.nonce),
                &self.associated_data(),
                plain.as_mut_slice().into(),
                tag.try_into()
                    .map_err(|_| VaultError::Internal("tag length"))?,
            )
            // The checksum already passed, so this is the passphrase (or deliberate tampering,
            // which the passphrase holder cannot tell apart and need not).
            .map_err(|_| VaultError::WrongPassphrase)?;
        let secret = StaticSecret::from(*plain);
        let public_key = PublicKey::from(&secret);
        if !bool::from(public_key.as_bytes().ct_eq(&self.public_key)) {
            return Err(VaultError::InconsistentKeyPair);
        }
        Ok(UnlockedVault {
            vault_id: self.vault_id,
            public_key,
            secret,
            kdf: self.kdf,
        })
    }
}

impl VaultHeader {
    /// Rebuilds the unlocked state from a key parked by [`UnlockedVault::session_key`]; a key
    /// that is not this vault's (another vault, a stale session) is refused.
    pub fn resume(&self, session_key: &[u8]) -> Result<UnlockedVault, VaultError> {
        let bytes: [u8; KEY_LEN] = session_key
            .try_into()
            .map_err(|_| VaultError::InconsistentKeyPair)?;
        let secret = StaticSecret::from(bytes);
        let public_key = PublicKey::from(&secret);
        if !bool::from(public_key.as_bytes().ct_eq(&self.public_key)) {
            return Err(VaultError::InconsistentKeyPair);
        }
        Ok(UnlockedVault {
            vault_id: self.vault_id,
            public_key,
            secret,
            kdf: self.kdf,
        })
    }
}

impl UnlockedVault {
    pub fn vault_id(&self) -> VaultId {
        self.vault_id
    }

    /// The KDF parameters the passphrase was last wrapped with, so a UI can offer an upgrade.
    pub fn kdf_params(&self) -> KdfParams {
        self.kdf
    }

    /// A new header with the same key pair wrapped under `new_passphrase` (fresh salt and nonce).
    /// Entries are sealed to the public key, which does not change, so none is touched.
    pub fn change_passphrase(
        &self,
        new_passphrase: &SecretString,
        params: KdfParams,
    ) -> Result<VaultHeader, VaultError> {
        check_new_passphrase(new_passphrase, params)?;
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut salt)?;
        fill_random(&mut nonce)?;
        self.wrap(new_passphrase, params, salt, nonce)
    }

    /// The raw private key, for parking in memory-only browser storage
    /// (`chrome.storage.session`) so that an unlocked vault survives the service worker being
    /// stopped while idle. See SECURITY.md for what this trades.
    pub fn session_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    /// Wipes the private key. Dropping does the same; this makes the intent visible.
    pub fn lock(self) {
        drop(self);
    }

    fn wrap(
        &self,
        passphrase: &SecretString,
        params: KdfParams,
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
    ) -> Result<VaultHeader, VaultError> {
        let mut header = VaultHeader {
            vault_id: self.vault_id,
            kdf: params,
            salt,
            public_key: self.public_key.to_bytes(),
            nonce,
            wrapped_key: [0; KEY_LEN + TAG_LEN],
        };
        let key = derive_wrap_key(passphrase, &salt, params)?;
        let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref())
            .map_err(|_| VaultError::Internal("wrap key length"))?;
        let mut buf = Zeroizing::new([0u8; KEY_LEN]);
        buf.copy_from_slice(self.secret.as_bytes());
        let tag = cipher
            .encrypt_inout_detached(
                &XNonce::from(nonce),
                &header.associated_data(),
                buf.as_mut_slice().into(),
            )
            .map_err(|_| VaultError::Internal("AEAD refused to encrypt 32 bytes"))?;
        header.wrapped_key[..KEY_LEN].copy_from_slice(buf.as_ref());
        header.wrapped_key[KEY_LEN..].copy_from_slice(&tag);
        Ok(header)
    }
}

fn check_new_passphrase(passphrase: &SecretString, params: KdfParams) -> Result<(), VaultError> {
    if passphrase.is_empty() {
        return Err(VaultError::EmptyPassphrase);
    }
    params.check_for_create()
}
