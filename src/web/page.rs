//! What every page's layout needs from the request: the session's CSRF token, the 大字版
//! preference, where the page is (the switch returns there), its title, its form errors and back
//! link.

use actix_session::SessionExt;
use actix_web::HttpRequest;
use actix_web::http::Method;
use askama::filters::HtmlSafeOutput;

use super::components::FormErrors;
use super::preferences::LARGE_TEXT_COOKIE;
use super::session::{CSRF_FIELD, csrf_token};

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
