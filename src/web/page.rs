//! What every page's layout needs from the request: the session's CSRF token, the 大字版
//! preference, where the page is (the switch returns there), its title, its form errors and back
//! link.

use actix_session::SessionExt;
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use askama::filters::HtmlSafeOutput;

use super::components::FormErrors;
use super::preferences::LARGE_TEXT_COOKIE;
use super::session::{CSRF_FIELD, csrf_token};
use crate::http::ApiResult;

pub struct Page {
    pub title: String,
    pub large_text: bool,
    /// This page's path and query, for the 大字版 switch to come back to.
    pub here: String,
    pub errors: FormErrors,
    pub back: Option<String>,
    csrf: String,
}

impl Page {
    pub fn new(req: &HttpRequest, title: impl Into<String>) -> Page {
        let here = match *req.method() {
            // After a POST the page shown is not one to come back to by GET.
            Method::GET | Method::HEAD => req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
            _ => "/".to_owned(),
        };
        Page {
            title: title.into(),
            large_text: req
                .cookie(LARGE_TEXT_COOKIE)
                .is_some_and(|c| c.value() == "large"),
            here,
            errors: FormErrors::new(),
            back: None,
            csrf: csrf_token(&req.get_session()),
        }
    }

    /// The form came back with errors: the title gets `错误：` and the layout shows the summary.
    pub fn with_errors(mut self, errors: FormErrors) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_back(mut self, href: impl Into<String>) -> Self {
        self.back = Some(href.into());
        self
    }

    /// The hidden input every POST form carries: `{{ page.csrf_input() }}`. The token is
    /// base64url, so it needs no escaping.
    pub fn csrf_input(&self) -> HtmlSafeOutput<String> {
        HtmlSafeOutput(format!(
            r#"<input type="hidden" name="{}" value="{}">"#,
            CSRF_FIELD, self.csrf
        ))
    }

    /// The bare token, for a multipart form's action query (see [`super::csrf`]).
    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }

    /// The hashed URL of a shipped asset, e.g. `{{ page.asset("app.css") }}`.
    pub fn asset(&self, name: &str) -> &'static str {
        super::assets::url(name)
    }
}

pub fn html(t: &impl Template, status: StatusCode) -> ApiResult<HttpResponse> {
    let body = t.render().map_err(crate::http::ApiError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// The status of a page shown with these errors: 422 when there are any.
pub fn status(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Whether the page was reached by a 更改 link, so that it returns to the check page.
pub fn changing(req: &HttpRequest) -> bool {
    req.query_string().split('&').any(|p| p == "change=1")
}

/// Where a page's back link leads: the journey's check page `check` when the page was reached
/// by 更改, else `previous`.
pub fn back(req: &HttpRequest, check: &str, previous: &str) -> String {
    if changing(req) {
        check.to_owned()
    } else {
        previous.to_owned()
    }
}
