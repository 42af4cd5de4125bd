//! Scaleway: the `X-Auth-Token` request authoriser, and (with the `providers` feature) IAM
//! API keys and applications, Account Projects and Secret Manager: pure request builders and
//! response parsers, plus the multi-call flows written against a [`flows::Transport`].

#[cfg(feature = "providers")]
pub mod account;
pub mod auth;
#[cfg(feature = "providers")]
mod decode;
#[cfg(feature = "providers")]
pub mod encode;
#[cfg(feature = "providers")]
pub mod error;
#[cfg(feature = "providers")]
pub mod flows;
#[cfg(feature = "providers")]
pub mod iam;
#[cfg(feature = "providers")]
pub mod request;
#[cfg(feature = "providers")]
pub mod secret_manager;
#[cfg(feature = "providers")]
pub mod time;

pub use auth::{authorize_request, ApiBase, ScalewayAuthError, DEFAULT_API_BASE};
#[cfg(feature = "providers")]
pub use error::ScalewayError;
