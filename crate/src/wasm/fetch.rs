//! The transport: the global `fetch` (window, service worker or Node), bytes in and out.
//! The response body is copied into wiped-on-drop WASM memory and the JS copy is zeroed.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, RequestCache, RequestCredentials, RequestInit, RequestRedirect, Response,
};
use zeroize::Zeroizing;

use crate::response::{HttpResponse, NetworkError};

/// Provider calls that take longer than this are reported as failed, never left hanging.
const TIMEOUT_MS: u32 = 30_000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &web_sys::Request) -> Promise;
}

fn describe(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

pub(crate) async fn send(request: http::Request<Vec<u8>>) -> Result<HttpResponse, NetworkError> {
    let net = |e: JsValue| NetworkError(describe(e));
    let headers = Headers::new().map_err(net)?;
    for (name, value) in request.headers() {
        // The browser sets Host itself, from the URL, exactly as it was signed.
        if name == http::header::HOST {
            continue;
        }
        let value = value
            .to_str()
            .map_err(|_| NetworkError(format!("header {name} is not text")))?;
        headers.append(name.as_str(), value).map_err(net)?;
    }
    let init = RequestInit::new();
    init.set_method(request.method().as_str());
    init.set_headers(&headers);
    // No cookies, no cache, and no redirects: a redirect would carry the auth headers to a
    // host they were not meant for.
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_redirect(RequestRedirect::Error);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    if !request.body().is_empty() {
        init.set_body(&Uint8Array::from(request.body().as_slice()));
    }
    let js_request =
        web_sys::Request::new_with_str_and_init(&request.uri().to_string(), &init).map_err(net)?;
    let response: Response = JsFuture::from(global_fetch(&js_request))
        .await
        .map_err(|e| {
            let text = describe(e);
            if text.contains("timed out") || text.contains("TimeoutError") {
                NetworkError(format!("no answer within {} s", TIMEOUT_MS / 1000))
            } else {
                NetworkError(text)
            }
        })?
        .unchecked_into();
    let status = response.status();
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let request_id = header("x-amzn-requestid").or_else(|| header("x-amz-request-id"));
    let error_type = header("x-amzn-errortype");
    let buffer = JsFuture::from(response.array_buffer().map_err(net)?)
        .await
        .map_err(net)?;
    let bytes = Uint8Array::new(&buffer);
    let mut body = Zeroizing::new(vec![0u8; bytes.length() as usize]);
    bytes.copy_to(&mut body);
    bytes.fill(0, 0, bytes.length());
    Ok(HttpResponse {
        status,
        body,
        request_id,
        error_type,
    })
}
