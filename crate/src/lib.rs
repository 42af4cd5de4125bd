//! Keysmith's core: everything that touches a secret. Plain Rust, tested natively; the
//! `wasm` module is the only JavaScript surface and the only place that does I/O.

#![forbid(unsafe_op_in_unsafe_fn)]

pub mod alloc;
pub mod aws;
pub mod json;
#[cfg(feature = "providers")]
pub mod response;
pub mod scaleway;
pub mod secret;
pub mod vault;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// Every heap block is wiped when freed; see [`alloc`].
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: alloc::ZeroAlloc<std::alloc::System> = alloc::ZeroAlloc(std::alloc::System);

/// The crate version, for the extension's about box and bug reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
