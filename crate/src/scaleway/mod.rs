//! Scaleway: the `X-Auth-Token` request authoriser, and (with the `providers` feature) the
//! encodings its APIs need: JSON, RFC 3339 timestamps, base64 and CRC-32.

pub mod auth;
#[cfg(feature = "providers")]
pub mod encode;
#[cfg(feature = "providers")]
pub mod json;
#[cfg(feature = "providers")]
pub mod time;

pub use auth::{authorize_request, ApiBase, ScalewayAuthError, DEFAULT_API_BASE};
