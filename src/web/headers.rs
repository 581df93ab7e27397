//! Security headers on every answer, API and pages alike (wired around the whole app in
//! `startup.rs`): no MIME sniffing, no referrer, a strict Content-Security-Policy (no inline
//! script or style anywhere), `Cache-Control: no-store` on every answer that does not set its own
//! caching (only the hashed assets and the OpenAPI document do; everything else may carry personal
//! data or a secret), and HSTS when the service is served over TLS (`XIAOBAO_PUBLIC_URL=https://…`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::state::AppState;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let tls = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.env.settings.served_over_tls());
    // Handlers' and extractors' errors arrive here as answers; only a middleware's own error
    // could pass by, and none of the app's middlewares return one.
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    let set = |headers: &mut header::HeaderMap, name, value| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    if tls {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000",
        );
    }
    Ok(res)
}
