//! The static assets, compiled into the binary and served under names that carry the first 8 hex
//! digits of their SHA-256 (`/static/app.1a2b3c4d.css`), so a browser may keep them for a year:
//! a changed file gets a new name. Templates take the URL from [`url`].

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::http::ApiError;

struct Asset {
    /// The name templates ask for, e.g. `app.css`.
    name: &'static str,
    /// `/static/app.<hash>.css`.
    url: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        (
            "app.css",
            "text/css; charset=utf-8",
            &include_bytes!("../../assets/app.css")[..],
        ),
        (
            "app.js",
            "text/javascript; charset=utf-8",
            &include_bytes!("../../assets/app.js")[..],
        ),
        (
            "icon.svg",
            "image/svg+xml",
            &include_bytes!("../../assets/icon.svg")[..],
        ),
    ]
    .into_iter()
    .map(|(name, content_type, bytes)| {
        let hash = Sha256::digest(bytes);
        let (stem, ext) = name
            .rsplit_once('.')
            .expect("asset names have an extension");
        let short: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
        Asset {
            name,
            url: format!("/static/{stem}.{short}.{ext}"),
            content_type,
            bytes,
        }
    })
    .collect()
});

/// The hashed URL of a shipped asset. Panics on an unknown name: templates name them literally,
/// and every page's test renders them.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.url.as_str())
        .unwrap_or_else(|| panic!("no asset named {name}"))
}

/// `GET /static/{file}`: only the current hashed names exist.
pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let path = format!("/static/{file}");
    let asset = ASSETS
        .iter()
        .find(|a| a.url == path)
        .ok_or_else(|| ApiError::not_found(format!("no asset at {path}")))?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(asset.bytes))
}
