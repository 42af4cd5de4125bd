//! Scanning the whole WASM linear memory for a secret, for the in-browser leak tests.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;

/// The needle is kept XOR-masked with this byte, so the scan never puts the very bytes it looks
/// for into memory.
pub const MASK: u8 = 0x5A;

pub fn masked(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().map(|b| b ^ MASK).collect()
}

/// Whether linear memory holds `masked` XOR [`MASK`]; logs the offset of a hit (offsets below
/// the stack size are the shadow stack, above it data and heap).
pub fn memory_contains_masked(masked: &[u8]) -> bool {
    let chunk: u32 = 1 << 16;
    // Allocate first: growing memory afterwards would detach the view's buffer.
    let mut buf = vec![0u8; chunk as usize + masked.len()];
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    let view = Uint8Array::new(&memory.buffer());
    let len = view.length();
    let mut at = 0;
    while at < len {
        let end = (at + chunk + masked.len() as u32).min(len);
        let n = (end - at) as usize;
        view.subarray(at, end).copy_to(&mut buf[..n]);
        if let Some(pos) = buf[..n]
            .windows(masked.len())
            .position(|w| w.iter().zip(masked).all(|(a, b)| a ^ MASK == *b))
        {
            wasm_bindgen_test::console_log!("found at offset {}", at as usize + pos);
            return true;
        }
        at += chunk;
    }
    false
}
