//! Errors in words: every error answer of a page path is a Chinese page. Page handlers may return
//! any error (an `ApiError` from a use case included); [`middleware`] turns each error answer that
//! is not already HTML into the page for its status, keeping `Retry-After` and `Allow`. A 500
//! page shows the request id and nothing of the cause, which goes to the log.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;

use super::page::Page;
use crate::http::request_id::RequestId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Forbidden,
    /// A POST without the session's token or from another site.
    CsrfRefused,
    NotFound,
    TooLarge,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl Kind {
    fn of(status: StatusCode) -> Kind {
        match status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => Kind::Forbidden,
            StatusCode::NOT_FOUND => Kind::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => Kind::TooLarge,
            StatusCode::TOO_MANY_REQUESTS => Kind::TooManyRequests,
            StatusCode::SERVICE_UNAVAILABLE => Kind::Unavailable,
            s if s.is_server_error() => Kind::Internal,
            _ => Kind::BadRequest,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::BadRequest => "无法处理您的请求",
            Kind::Forbidden => "您没有权限查看此页面",
            Kind::CsrfRefused => "页面已过期，请重新提交",
            Kind::NotFound => "找不到此页面",
            Kind::TooLarge => "提交的内容太大",
            Kind::TooManyRequests => "操作过于频繁，请稍后再试",
            Kind::Internal => "抱歉，系统出现问题",
            Kind::Unavailable => "服务暂时不可用",
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    kind: Kind,
    request_id: String,
    /// From `Retry-After`, in whole minutes, at least 1.
    retry_minutes: u64,
}

/// The page for an error.
pub fn render(req: &HttpRequest, status: StatusCode, kind: Kind) -> HttpResponse {
    render_with(req, status, kind, None)
}

/// `retry_after`: the `Retry-After` seconds of a 429 or 503, said in minutes on the page.
fn render_with(
    req: &HttpRequest,
    status: StatusCode,
    kind: Kind,
    retry_after: Option<u64>,
) -> HttpResponse {
    let page = ErrorPage {
        page: Page::new(req, kind.title()),
        kind,
        request_id: req
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default(),
        retry_minutes: retry_after.map_or(1, |s| s.div_ceil(60).max(1)),
    };
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(cause = %e, "the error page did not render");
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(kind.title())
        }
    }
}

/// The page scope's default service: an unknown page path.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    render(&req, StatusCode::NOT_FOUND, Kind::NotFound)
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return Ok(res.map_into_boxed_body());
    }
    let (req, old) = res.into_parts();
    let retry_after = old
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let mut page = render_with(&req, status, Kind::of(status), retry_after);
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = old.headers().get(&name) {
            page.headers_mut().insert(name, value.clone());
        }
    }
    Ok(ServiceResponse::new(req, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_500_page_shows_the_request_id_and_nothing_else_of_the_failure() {
        let req = actix_web::test::TestRequest::get()
            .uri("/track")
            .to_http_request();
        req.extensions_mut().insert(RequestId("req-42".into()));
        let res = render(&req, StatusCode::INTERNAL_SERVER_ERROR, Kind::Internal);
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::to_bytes(res.into_body());
        let body = futures_util::FutureExt::now_or_never(body)
            .unwrap()
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("抱歉，系统出现问题"));
        assert!(html.contains(r#"<code class="request-id">req-42</code>"#));
    }

    #[actix_web::test]
    async fn an_api_error_from_a_page_handler_becomes_the_page_for_its_status() {
        use actix_web::middleware::from_fn;
        use actix_web::{App, test, web};

        let app = test::init_service(App::new().wrap(from_fn(middleware)).route(
            "/track",
            web::get().to(|| async {
                Err::<HttpResponse, _>(crate::http::ApiError::too_many_requests(
                    "too_many_tracking_attempts",
                    "slow down",
                    150,
                ))
            }),
        ))
        .await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/track").to_request()).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "150");
        assert!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"))
        );
        let html = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
        assert!(html.contains("操作过于频繁，请稍后再试"));
        assert!(
            html.contains("请在 3 分钟后再试"),
            "150 s said as whole minutes"
        );
        assert!(
            !html.contains("slow down"),
            "the API's detail stays out of the page"
        );
    }
}
