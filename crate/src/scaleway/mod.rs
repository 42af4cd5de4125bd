//! Scaleway: the `X-Auth-Token` request authoriser (IAM and Secret Manager calls come later).

pub mod auth;

pub use auth::{authorize_request, ApiBase, ScalewayAuthError, DEFAULT_API_BASE};
