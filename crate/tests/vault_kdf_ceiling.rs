//! A hostile header must be refused before Argon2 allocates its memory. This binary installs an
//! allocator that records the largest single allocation made by the current thread.
// Native only: uses std::fs/processes/proptest, or measures the native allocator.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use keysmith_core::secret::SecretString;
use keysmith_core::vault::{KdfParams, VaultHeader};
use sha2::{Digest, Sha256};

struct Tracking;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Tracking = Tracking;

fn largest_allocation_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (out, LARGEST.with(|l| l.get()))
}

/// A real header with its KDF parameters replaced and the checksum recomputed, as a hostile
/// extension or a corrupted sync would produce.
fn header_demanding(m_kib: u32, t: u32, p: u32) -> VaultHeader {
    let (header, _) =
        VaultHeader::create(&SecretString::copy_from("pw"), KdfParams::new(19_456, 2, 1)).unwrap();
    let mut bytes = header.to_bytes();
    bytes[27..31].copy_from_slice(&m_kib.to_be_bytes());
    bytes[31..35].copy_from_slice(&t.to_be_bytes());
    bytes[35..39].copy_from_slice(&p.to_be_bytes());
    let n = bytes.len() - 32;
    let sum = Sha256::digest(&bytes[..n]);
    bytes[n..].copy_from_slice(&sum);
    VaultHeader::from_bytes(&bytes).expect("over-ceiling headers still parse, so a UI can explain")
}

#[test]
// Native test: the clock ban protects wasm32, where `Instant::now` panics.
#[allow(clippy::disallowed_methods)]
fn opening_an_over_ceiling_header_fails_fast_without_allocating() {
    for (m, t, p) in [
        (4 * 1024 * 1024, 3, 4), // 4 GiB
        (1_048_577, 3, 4),
        (65_536, 11, 4),
        (65_536, 3, 17),
        (u32::MAX, u32::MAX, 0xFF_FFFF),
    ] {
        let header = header_demanding(m, t, p);
        let started = std::time::Instant::now();
        let (result, largest) =
            largest_allocation_during(|| header.unlock(&SecretString::copy_from("pw")));
        let elapsed = started.elapsed();
        let err = result.unwrap_err();
        assert_eq!(err.code(), "kdf_too_expensive", "m={m} t={t} p={p}: {err}");
        assert!(largest < 64 * 1024, "allocated {largest} bytes for m={m}");
        assert!(elapsed < Duration::from_millis(50), "took {elapsed:?}");
    }
}

#[test]
fn the_tracker_does_see_argon2s_memory() {
    // Control: the same measurement around a real unlock sees the 19 MiB block.
    let (header, _) =
        VaultHeader::create(&SecretString::copy_from("pw"), KdfParams::new(19_456, 2, 1)).unwrap();
    let (result, largest) =
        largest_allocation_during(|| header.unlock(&SecretString::copy_from("pw")));
    assert!(result.is_ok());
    assert!(largest >= 19_456 * 1024, "largest allocation {largest}");
}
