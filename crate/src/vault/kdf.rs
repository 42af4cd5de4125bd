//! Passphrase → wrapping key: Argon2id with parameters stored in the header, a floor enforced
//! when a vault is created and a ceiling enforced before any memory is spent opening one.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::VaultError;
use crate::secret::SecretString;

/// Argon2id cost parameters, as stored in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB (Argon2's `m`).
    pub m_kib: u32,
    /// Passes over memory (Argon2's `t`).
    pub t: u32,
    /// Lanes (Argon2's `p`). Computed sequentially in the browser; it still shapes the result.
    pub p: u32,
}

impl KdfParams {
    /// RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes.
    pub const DEFAULT: Self = Self {
        m_kib: 65_536,
        t: 3,
        p: 4,
    };

    /// OWASP's floor for Argon2id (19 MiB, 2 passes): weaker vaults are not created.
    pub const MIN_M_KIB: u32 = 19_456;
    pub const MIN_T: u32 = 2;

    /// What a header may demand before we refuse to open it: a hostile or corrupted header must
    /// not be able to make the browser allocate gigabytes or spin for minutes.
    pub const MAX_M_KIB: u32 = 1_048_576;
    pub const MAX_T: u32 = 10;
    pub const MAX_P: u32 = 16;

    pub const fn new(m_kib: u32, t: u32, p: u32) -> Self {
        Self { m_kib, t, p }
    }

    /// Refuses parameters a new vault (or a new passphrase) must not use.
    pub fn check_for_create(&self) -> Result<(), VaultError> {
        if self.m_kib < Self::MIN_M_KIB {
            return Err(VaultError::KdfTooWeak(format!(
                "memory {} KiB is below the minimum of {} KiB (19 MiB)",
                self.m_kib,
                Self::MIN_M_KIB
            )));
        }
        if self.t < Self::MIN_T {
            return Err(VaultError::KdfTooWeak(format!(
                "{} pass(es) is below the minimum of {}",
                self.t,
                Self::MIN_T
            )));
        }
        // A vault we would refuse to open must not be created either.
        self.check_for_open()
    }

    /// Refuses parameters beyond the ceiling, before anything is allocated.
    pub fn check_for_open(&self) -> Result<(), VaultError> {
        if self.m_kib > Self::MAX_M_KIB {
            return Err(VaultError::KdfTooExpensive(format!(
                "{} KiB of memory (the limit is {} KiB, 1 GiB)",
                self.m_kib,
                Self::MAX_M_KIB
            )));
        }
        if self.t > Self::MAX_T {
            return Err(VaultError::KdfTooExpensive(format!(
                "{} passes (the limit is {})",
                self.t,
                Self::MAX_T
            )));
        }
        if self.p > Self::MAX_P {
            return Err(VaultError::KdfTooExpensive(format!(
                "{} lanes (the limit is {})",
                self.p,
                Self::MAX_P
            )));
        }
        self.to_argon2().map(|_| ())
    }

    /// Argon2's own validity rules (t ≥ 1, p ≥ 1, m ≥ 8·p); no allocation happens here.
    fn to_argon2(self) -> Result<Params, VaultError> {
        Params::new(self.m_kib, self.t, self.p, Some(WRAP_KEY_LEN)).map_err(|e| {
            VaultError::malformed(
                "header",
                format!(
                    "invalid Argon2id parameters m={} KiB t={} p={}: {e}",
                    self.m_kib, self.t, self.p
                ),
            )
        })
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

pub(crate) const WRAP_KEY_LEN: usize = 32;

/// Derives the key that wraps the vault's private key. The ceiling is checked first, so a
/// hostile header costs nothing; the memory is then allocated fallibly.
pub(crate) fn derive_wrap_key(
    passphrase: &SecretString,
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; WRAP_KEY_LEN]>, VaultError> {
    params.check_for_open()?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.to_argon2()?);
    let mut key = Zeroizing::new([0u8; WRAP_KEY_LEN]);
    argon
        .hash_password_into(passphrase.expose_secret().as_bytes(), salt, key.as_mut())
        .map_err(|e| match e {
            argon2::Error::OutOfMemory => VaultError::OutOfMemory {
                m_kib: params.m_kib,
            },
            argon2::Error::PwdTooLong => {
                VaultError::KdfTooWeak("the passphrase is too long".into())
            }
            _ => VaultError::Internal("Argon2id rejected its inputs"),
        })?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_rfc9106_second_option_and_creatable() {
        assert_eq!(KdfParams::default(), KdfParams::new(65_536, 3, 4));
        KdfParams::DEFAULT.check_for_create().unwrap();
    }

    #[test]
    fn create_refuses_below_the_floor() {
        let err = KdfParams::new(19_455, 2, 1).check_for_create().unwrap_err();
        assert_eq!(err.code(), "kdf_too_weak");
        assert!(err.to_string().contains("19456"), "{err}");
        let err = KdfParams::new(19_456, 1, 1).check_for_create().unwrap_err();
        assert_eq!(err.code(), "kdf_too_weak");
        KdfParams::new(19_456, 2, 1).check_for_create().unwrap();
        // Below the floor is still openable: an older, weaker vault must not be locked out.
        KdfParams::new(1024, 1, 1).check_for_open().unwrap();
    }

    #[test]
    fn open_refuses_above_the_ceiling() {
        for params in [
            KdfParams::new(1_048_577, 3, 4),
            KdfParams::new(u32::MAX, 3, 4),
            KdfParams::new(65_536, 11, 4),
            KdfParams::new(65_536, 3, 17),
        ] {
            let err = params.check_for_open().unwrap_err();
            assert_eq!(err.code(), "kdf_too_expensive", "{params:?}");
            assert_eq!(params.check_for_create().unwrap_err(), err);
        }
        KdfParams::new(1_048_576, 10, 16).check_for_open().unwrap();
    }

    #[test]
    fn argon2_invalid_params_are_malformed_not_panics() {
        for params in [
            KdfParams::new(0, 2, 1),
            KdfParams::new(19_456, 0, 1),
            KdfParams::new(19_456, 2, 0),
            KdfParams::new(8, 2, 2),
        ] {
            assert_eq!(params.check_for_open().unwrap_err().code(), "malformed");
        }
    }

    #[test]
    fn derivation_is_deterministic_and_depends_on_every_input() {
        // Below the creation floor to keep the test fast; derivation itself allows it.
        let p = KdfParams::new(256, 1, 1);
        let pass = SecretString::copy_from("correct horse");
        let salt = [7u8; 32];
        let k1 = derive_wrap_key(&pass, &salt, p).unwrap();
        assert_eq!(*k1, *derive_wrap_key(&pass, &salt, p).unwrap());
        let other_pass = SecretString::copy_from("correct horsf");
        assert_ne!(*k1, *derive_wrap_key(&other_pass, &salt, p).unwrap());
        assert_ne!(*k1, *derive_wrap_key(&pass, &[8u8; 32], p).unwrap());
        assert_ne!(
            *k1,
            *derive_wrap_key(&pass, &salt, KdfParams::new(256, 2, 1)).unwrap()
        );
    }

    #[test]
    fn matches_the_reference_implementation() {
        // From the reference C implementation (Debian's `argon2` 0~20171227):
        // `echo -n password | argon2 somesaltsomesalt -id -m 5 -t 3 -p 4 -l 32 -r`
        let key = derive_wrap_key(
            &SecretString::copy_from("password"),
            b"somesaltsomesalt",
            KdfParams::new(32, 3, 4),
        )
        .unwrap();
        assert_eq!(
            hex::encode(*key),
            "f25048ec48311a804ea9edd74e08c30765aa0f8d47c2a5b5a6097243cdf2e5ce"
        );
    }
}
