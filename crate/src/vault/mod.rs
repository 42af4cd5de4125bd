//! The vault: entries sealed to an X25519 public key (so adding needs no passphrase), the
//! private key wrapped under an Argon2id-derived key, and the import/export text formats.
//! The byte layout is specified in `FORMAT.md` beside this file.

mod entry;
mod error;
pub mod export;
mod header;
pub mod import;
mod kdf;
mod seal;
#[cfg(feature = "providers")]
pub mod signer;
mod unlock;

pub use entry::{
    AwsAccessKey, AwsTemporaryCredentials, Ec2KeyFormat, Ec2KeyPair, Ec2KeyType, Entry, EntryData,
    EntryId, ScalewayApiKey, ScalewayBearerType, SignerInfo, Tag, ENTRY_SCHEMA_VERSION,
};
pub use error::VaultError;
pub use header::{VaultHeader, VaultId, FORMAT_VERSION, HEADER_LEN, HEADER_MAGIC};
pub use kdf::KdfParams;
pub use seal::{SealedEntry, ENTRY_FORMAT_VERSION, ENTRY_MAGIC, MAX_ENTRY_LEN};
pub use unlock::UnlockedVault;

/// Fills `buf` from the platform CSPRNG (`crypto.getRandomValues` on wasm32).
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), VaultError> {
    getrandom::fill(buf).map_err(|e| VaultError::Randomness(e.to_string()))
}

/// Entry points for `crate/fuzz`: the parsers that otherwise sit behind decryption.
#[doc(hidden)]
pub mod fuzzing {
    pub fn parse_entry_plaintext(bytes: &[u8]) -> Result<super::Entry, super::VaultError> {
        super::entry::decode_plaintext(bytes)
    }

    pub fn encode_entry_plaintext(
        entry: &super::Entry,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, super::VaultError> {
        super::entry::encode_plaintext(entry)
    }
}

#[cfg(test)]
mod tests;
