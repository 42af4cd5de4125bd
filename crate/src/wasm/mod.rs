//! The JavaScript surface (wasm-bindgen adapters only).
