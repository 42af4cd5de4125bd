//! Shared by the provider-response targets: the first input byte picks the HTTP status, the
//! rest is the body, so one corpus file holds both (the seeds start with the byte for their
//! fixture's status).

use keysmith_core::response::HttpResponse;

/// The statuses providers answer with; the byte's value modulo their count picks one.
pub const STATUSES: [u16; 12] = [200, 201, 204, 301, 400, 401, 403, 404, 409, 429, 500, 503];

/// The seed-file prefix byte for `status` (`None` for a status not in [`STATUSES`]).
pub fn status_byte(status: u16) -> Option<u8> {
    STATUSES.iter().position(|&s| s == status).map(|i| i as u8)
}

/// Splits a fuzz input into a response; an empty input is an empty 200.
pub fn response(data: &[u8]) -> HttpResponse {
    match data.split_first() {
        None => HttpResponse::new(200, b""),
        Some((&first, body)) => HttpResponse::new(STATUSES[first as usize % STATUSES.len()], body),
    }
}

/// serde_json, the reference parser, on a document a Keysmith reader accepted: `None` when it
/// rejects the document for a reason of its own that RFC 8259 does not share (numbers beyond
/// f64, nesting beyond its 128 levels), the parsed value otherwise; panics when it rejects the
/// document as invalid JSON.
pub fn reference_json(text: &str) -> Option<serde_json::Value> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let why = e.to_string();
            if why.starts_with("number out of range") || why.starts_with("recursion limit") {
                None
            } else {
                panic!("accepted what serde_json rejects ({why})")
            }
        }
    }
}
