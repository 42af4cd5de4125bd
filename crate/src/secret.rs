//! The one recipe for secret material: zeroized on drop, redacted in `Debug`, compared in
//! constant time, and readable only through an explicit `expose_secret()`.
//!
//! Deliberately absent: `Display`, `Serialize`, `Clone` (use [`SecretString::duplicate`] where a
//! second copy is truly needed, so that every copy is visible in review).

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Secret bytes (private keys, sealed-box plaintexts, raw response bodies holding a secret).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Box<[u8]>);

impl SecretBytes {
    /// Takes ownership of `bytes`. The `Vec`'s spare capacity is wiped too, since
    /// `into_boxed_slice` may reallocate and leave the old buffer to the allocator.
    pub fn new(bytes: Vec<u8>) -> Self {
        let bytes = Zeroizing::new(bytes);
        Self(Box::from(bytes.as_slice()))
    }

    /// Copies `bytes` in; the caller stays responsible for wiping its own copy.
    pub fn copy_from(bytes: &[u8]) -> Self {
        Self(Box::from(bytes))
    }

    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An explicit second copy (each copy is wiped on drop).
    pub fn duplicate(&self) -> Self {
        Self::copy_from(&self.0)
    }
}

/// A secret that is text by nature (an AWS secret access key, a session token, a Scaleway
/// secret key). Guaranteed UTF-8.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretString(Box<str>);

impl SecretString {
    /// Takes ownership of `text`, wiping any buffer it leaves behind.
    pub fn new(text: String) -> Self {
        let text = Zeroizing::new(text);
        Self(Box::from(text.as_str()))
    }

    /// Copies `text` in; the caller stays responsible for wiping its own copy.
    pub fn copy_from(text: &str) -> Self {
        Self(Box::from(text))
    }

    /// Takes secret bytes that must be UTF-8; the input is wiped whatever the outcome.
    pub fn from_utf8(bytes: SecretBytes) -> Result<Self, std::str::Utf8Error> {
        std::str::from_utf8(bytes.expose_secret()).map(Self::copy_from)
    }

    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An explicit second copy (each copy is wiped on drop).
    pub fn duplicate(&self) -> Self {
        Self::copy_from(&self.0)
    }
}

/// How much of the stack [`wipe_stack`] overwrites: more than the deepest secret-handling call
/// (Argon2, X25519, the AEADs, the entry JSON reader) uses below an exported function's frame.
const STACK_WIPE_BYTES: usize = 64 * 1024;

/// Overwrites the stack below the caller's frame. Copies of keys that crates make in locals
/// (x25519-dalek clamps the scalar into a temporary, `StaticSecret::from` takes an array by
/// value, block ciphers keep round keys on the stack) are not owned by anything that could wipe
/// them on drop; in the browser they stay in linear memory until overwritten. Each wasm export
/// that touched a secret calls this before returning to JavaScript.
#[inline(never)]
pub fn wipe_stack() {
    let mut scratch = std::mem::MaybeUninit::<[u8; STACK_WIPE_BYTES]>::uninit();
    // The fill goes through a pointer loaded volatilely, so the compiler cannot prove that the
    // bytes are never read and drop it (the technique `zeroizing-alloc` uses for freed heap
    // blocks). Per-byte volatile stores (`zeroize`) took ~35 µs for 64 KiB in Chromium, a
    // third of a signing; this is one `memory.fill`.
    // SAFETY: `FILL_ZERO` is initialised to `fill_zero`; `scratch` is `STACK_WIPE_BYTES`
    // writable bytes of this frame.
    unsafe {
        let fill = std::ptr::read_volatile(&raw const FILL_ZERO);
        fill(scratch.as_mut_ptr().cast(), STACK_WIPE_BYTES);
    }
    std::hint::black_box(&scratch);
}

/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn fill_zero(ptr: *mut u8, len: usize) {
    // SAFETY: guaranteed by the caller.
    unsafe { ptr.write_bytes(0, len) }
}

#[used]
static FILL_ZERO: unsafe fn(*mut u8, usize) = fill_zero;

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes([REDACTED])")
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([REDACTED])")
    }
}

impl ConstantTimeEq for SecretBytes {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for SecretBytes {}

impl ConstantTimeEq for SecretString {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_bytes().ct_eq(other.0.as_bytes())
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for SecretString {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretString::copy_from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let b = SecretBytes::copy_from(b"hunter2-private-key");
        let printed = format!("{s:?} {b:?} {:#?}", (&s, &b));
        assert!(!printed.contains("wJalr"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("[REDACTED]"));
    }

    #[test]
    fn expose_secret_returns_the_bytes() {
        let s = SecretString::new("abc".to_owned());
        assert_eq!(s.expose_secret(), "abc");
        assert_eq!(s.len(), 3);
        let b = SecretBytes::new(vec![1, 2, 3]);
        assert_eq!(b.expose_secret(), &[1, 2, 3]);
        assert!(!b.is_empty());
    }

    #[test]
    fn equality_compares_content() {
        assert_eq!(SecretString::copy_from("a"), SecretString::copy_from("a"));
        assert_ne!(SecretString::copy_from("a"), SecretString::copy_from("b"));
        assert_ne!(SecretString::copy_from("a"), SecretString::copy_from("ab"));
        assert_eq!(SecretBytes::copy_from(&[9]), SecretBytes::copy_from(&[9]));
        assert_ne!(SecretBytes::copy_from(&[9]), SecretBytes::copy_from(&[8]));
    }

    #[test]
    fn explicit_zeroize_wipes_in_place() {
        let mut s = SecretBytes::copy_from(&[0xAA; 32]);
        s.zeroize();
        assert!(s.expose_secret().iter().all(|&b| b == 0));
    }

    #[test]
    fn from_utf8_rejects_invalid_text() {
        assert!(SecretString::from_utf8(SecretBytes::copy_from(&[0xff, 0xfe])).is_err());
        let ok = SecretString::from_utf8(SecretBytes::copy_from(b"ok")).unwrap();
        assert_eq!(ok.expose_secret(), "ok");
    }
}
