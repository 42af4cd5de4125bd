//! What the transport hands back to the providers' parsers: a status and the body bytes,
//! wiped on drop because a body may hold a freshly created secret.

use zeroize::Zeroizing;

/// A response as read off the wire.
pub struct HttpResponse {
    pub status: u16,
    pub body: Zeroizing<Vec<u8>>,
}

impl HttpResponse {
    /// A response with `body` (tests and fixtures).
    pub fn new(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            body: Zeroizing::new(body.to_vec()),
        }
    }
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// The request never got an answer (refused, timed out, blocked by the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError(pub String);
