//! The pages' cookie session: signed, `HttpOnly`, `SameSite=Lax`, `Secure` over TLS. It holds
//! handles only (the CSRF token; later the consumer's verified case, a draft id, a staff login
//! token), never personal data.

use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};

use crate::config::Settings;

pub const COOKIE: &str = "xiaobao_session";

/// The configured key, or a new one with a warning: sessions then end with the process and a
/// cookie from one replica is refused by another.
pub fn key(settings: &Settings) -> Key {
    match settings.session_key_bytes() {
        Some(bytes) => Key::from(&bytes),
        None => {
            tracing::warn!(
                "XIAOBAO_SESSION_KEY is not set: generated a session key; page sessions will not \
                 survive a restart nor span replicas"
            );
            Key::generate()
        }
    }
}

pub fn middleware(key: Key, tls: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE.to_owned())
        .cookie_content_security(CookieContentSecurity::Signed)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(tls)
        .build()
}
