//! Cross-site request forgery: every POST (any unsafe method) to a page must come from this site
//! and carry the session's token. It is a middleware on the page scope, so no handler can forget
//! it. Forms render the token with `{{ page.csrf_input() }}`; a urlencoded body carries it as the
//! field `csrf_token`. A multipart form (whose body is not buffered here) carries it in its
//! action's query: `action="/x?csrf_token={{ page.csrf_token() }}"`.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use futures_util::StreamExt;

use super::errors::{self, Kind};
use super::session::{CSRF_FIELD as FIELD, CSRF_SESSION_KEY};
use crate::domain::secrets::constant_time_eq;
use crate::state::AppState;

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(refuse(
            req,
            StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Internal,
        ));
    };
    if !from_this_site(&req, state.env.settings.public_url.as_deref()) {
        tracing::info!("refused a page POST from another site");
        return Ok(refuse(req, StatusCode::FORBIDDEN, Kind::CsrfRefused));
    }
    let mut presented = query_token(req.query_string());
    if presented.is_none() && is_urlencoded(&req) {
        let limit = state.env.settings.max_body_bytes;
        let Some(body) = read_body(&mut req, limit).await else {
            return Ok(refuse(req, StatusCode::PAYLOAD_TOO_LARGE, Kind::TooLarge));
        };
        presented = std::str::from_utf8(&body).ok().and_then(query_token);
        // The handler reads the form again from the same bytes.
        req.set_payload(Payload::from(body));
    }
    let expected = req
        .get_session()
        .get::<String>(CSRF_SESSION_KEY)
        .ok()
        .flatten();
    match (presented, expected) {
        (Some(p), Some(e)) if constant_time_eq(p.as_bytes(), e.as_bytes()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        _ => Ok(refuse(req, StatusCode::FORBIDDEN, Kind::CsrfRefused)),
    }
}

fn refuse(req: ServiceRequest, status: StatusCode, kind: Kind) -> ServiceResponse<BoxBody> {
    let (req, _) = req.into_parts();
    let res = errors::render(&req, status, kind);
    ServiceResponse::new(req, res)
}

fn is_urlencoded(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        })
}

async fn read_body(req: &mut ServiceRequest, limit: usize) -> Option<web::Bytes> {
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.ok()?;
        if body.len() + chunk.len() > limit {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body.freeze())
}

fn query_token(form: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(form)
        .ok()?
        .into_inner()
        .into_iter()
        .find_map(|(k, v)| (k == FIELD).then_some(v))
}

/// `Sec-Fetch-Site` when the browser sends it; else the `Origin`, or absent that the `Referer`,
/// must be this site: `XIAOBAO_PUBLIC_URL`'s origin when set, else the request's `Host`.
/// `Origin: null` counts as absent: browsers send it for a same-origin form under
/// `Referrer-Policy: no-referrer`, and the token still has to match.
fn from_this_site(req: &ServiceRequest, public_url: Option<&str>) -> bool {
    let headers = req.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let claimed = text(header::ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| text(header::REFERER));
    let Some(claimed) = claimed else {
        return true;
    };
    let Some((scheme, authority)) = origin_of(claimed) else {
        return false;
    };
    match public_url.and_then(origin_of) {
        Some(ours) => {
            (scheme, authority.to_ascii_lowercase()) == (ours.0, ours.1.to_ascii_lowercase())
        }
        None => text(header::HOST).is_some_and(|host| host.eq_ignore_ascii_case(authority)),
    }
}

/// `("https", "host:port")` of a URL or an origin.
fn origin_of(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then_some((scheme, authority))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn site(headers: &[(&str, &str)], public: Option<&str>) -> bool {
        let mut req = TestRequest::post()
            .uri("/x")
            .insert_header(("host", "127.0.0.1:8080"));
        for h in headers {
            req = req.insert_header(*h);
        }
        from_this_site(&req.to_srv_request(), public)
    }

    #[test]
    fn only_this_sites_origin_or_referer_passes() {
        assert!(site(&[], None));
        assert!(site(&[("origin", "http://127.0.0.1:8080")], None));
        assert!(site(&[("origin", "null")], None));
        assert!(site(
            &[("referer", "http://127.0.0.1:8080/track?x=1")],
            None
        ));
        assert!(!site(&[("origin", "http://evil.example")], None));
        assert!(!site(
            &[("origin", "null"), ("referer", "https://evil.example/")],
            None
        ));
        assert!(!site(&[("sec-fetch-site", "cross-site")], None));
        assert!(!site(&[("origin", "garbage")], None));
        let public = Some("https://12315.example.cn/");
        assert!(site(&[("origin", "https://12315.example.cn")], public));
        assert!(!site(&[("origin", "http://12315.example.cn")], public));
        assert!(!site(&[("origin", "http://127.0.0.1:8080")], public));
    }
}
