//! What the transport hands back to the providers' parsers: a status, the body bytes (wiped
//! on drop, because a body may hold a freshly created secret) and the few headers parsers need.

use zeroize::Zeroizing;

/// A response as read off the wire.
pub struct HttpResponse {
    pub status: u16,
    pub body: Zeroizing<Vec<u8>>,
    /// `x-amzn-RequestId` (or `x-amz-request-id`): the id AWS support asks for. JSON errors
    /// carry it only here; Query errors carry it in the body too.
    pub request_id: Option<String>,
    /// `x-amzn-ErrorType`: JSON protocols may name the error here instead of in the body.
    pub error_type: Option<String>,
}

impl HttpResponse {
    /// A response with `body` and no headers (tests and fixtures).
    pub fn new(status: u16, body: impl AsRef<[u8]>) -> Self {
        Self {
            status,
            body: Zeroizing::new(body.as_ref().to_vec()),
            request_id: None,
            error_type: None,
        }
    }
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// The request never got an answer (refused, timed out, blocked by the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError(pub String);
