//! The pages' cookie session: signed, `HttpOnly`, `SameSite=Lax`, `Secure` over TLS. It holds
//! handles only (the CSRF token; later the consumer's verified case, a draft id, a staff login
//! token), never personal data.

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use base64::Engine;

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

/// The form field (or query parameter) with the token.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_SESSION_KEY: &str = "csrf";

/// The session's CSRF token (see `csrf`), made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_SESSION_KEY) {
        return token;
    }
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    // Only a serialisation failure of a String could make this fail.
    let _ = session.insert(CSRF_SESSION_KEY, &token);
    token
}
