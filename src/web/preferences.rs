//! The 大字版 switch: a POST form in the header (so it works without script) that sets or clears
//! a year-long cookie and goes back to the page it came from. Only a local path is followed
//! back, so the form cannot be used to send anyone elsewhere.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::state::AppState;

pub const LARGE_TEXT_COOKIE: &str = "xiaobao_text_size";

#[derive(Deserialize)]
pub struct TextSize {
    /// `large` or `standard`.
    size: String,
    /// The page to go back to.
    #[serde(default)]
    back: String,
}

/// `POST /settings/text-size`
pub async fn text_size(state: web::Data<AppState>, form: web::Form<TextSize>) -> HttpResponse {
    let mut cookie = Cookie::build(LARGE_TEXT_COOKIE, "large")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.env.settings.served_over_tls())
        .max_age(Duration::days(365))
        .finish();
    if form.size != "large" {
        cookie.make_removal();
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, local_path(&form.back).unwrap_or("/")))
        .cookie(cookie)
        .finish()
}

/// The path if it stays on this site: one leading `/`, no scheme-relative `//`, no backslash
/// (which some browsers read as `/`), no control character.
pub fn local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2048
        && !path.chars().any(|c| c == '\\' || c.is_control());
    ok.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert_eq!(local_path("/track?x=1"), Some("/track?x=1"));
        assert_eq!(local_path("/"), Some("/"));
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/a\r\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
