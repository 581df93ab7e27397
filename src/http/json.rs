//! `ApiJson<T>`: the one way request bodies are read. Every failure is a problem: wrong content type
//! (415), too large (413), not JSON or not UTF-8 (400), JSON of the wrong shape (422 naming the field),
//! and finally the body's own `validator` rules, all reported at once (422).

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use validator::Validate;

use super::problem::{ApiError, FieldError};
use crate::domain::faults::flatten;

/// With `CHECKED = false` the body is only deserialized: the handler runs the `validator` rules
/// itself, to report them together with checks that need context.
pub struct ApiJson<T, const CHECKED: bool = true> {
    pub body: T,
    /// The raw bytes, for idempotency fingerprints.
    pub raw: web::Bytes,
}

impl<T: DeserializeOwned + Validate + 'static, const CHECKED: bool> FromRequest
    for ApiJson<T, CHECKED>
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the body as application/json",
                ));
            }
            let raw = bytes.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::new(
                        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the request body is larger than this service accepts",
                    )
                } else {
                    ApiError::bad_request(
                        "unreadable_body",
                        format!("the request body could not be read: {e}"),
                    )
                }
            })?;
            let body = parse::<T>(&raw, CHECKED)?;
            Ok(ApiJson { body, raw })
        })
    }
}

/// Deserializes and validates; shape errors name the field path.
pub fn parse<T: DeserializeOwned + Validate>(raw: &[u8], checked: bool) -> Result<T, ApiError> {
    // A body is exactly one JSON value: anything after it (`{…}garbage`, `{…}{…}`) makes it
    // unreadable (400) whatever its shape, instead of being silently ignored.
    serde_json::from_slice::<serde::de::IgnoredAny>(raw).map_err(|e| invalid_json(&e))?;
    let nul = nul_fields(raw);
    if !nul.is_empty() {
        return Err(ApiError::validation(nul));
    }
    let de = &mut serde_json::Deserializer::from_slice(raw);
    let body: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let field = match message.strip_prefix("missing field `") {
                    Some(rest) => {
                        let name = rest.trim_end_matches('`');
                        if path == "." {
                            name.to_string()
                        } else {
                            format!("{path}.{name}")
                        }
                    }
                    None => path,
                };
                ApiError::validation(vec![FieldError::new(field, message)])
            }
            _ => invalid_json(&inner),
        }
    })?;
    if checked {
        body.validate()
            .map_err(|errors| ApiError::validation(flatten(&errors)))?;
    }
    Ok(body)
}

/// JSON can carry NUL as `\u0000`, which no database stores in text: the fields holding one.
fn nul_fields(raw: &[u8]) -> Vec<FieldError> {
    fn walk(value: &serde_json::Value, path: String, out: &mut Vec<FieldError>) {
        let at = |key: &str| match path.as_str() {
            "" => key.to_owned(),
            p => format!("{p}.{key}"),
        };
        match value {
            serde_json::Value::String(s) if s.contains('\0') => out.push(FieldError::new(
                if path.is_empty() { "body" } else { &path },
                "must not contain NUL characters",
            )),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(fields) => {
                for (key, item) in fields {
                    if key.contains('\0') {
                        out.push(FieldError::new(at(key), "must not contain NUL characters"));
                    } else {
                        walk(item, at(key), out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if raw.windows(6).any(|w| w == b"\\u0000")
        && let Ok(value) = serde_json::from_slice(raw)
    {
        walk(&value, String::new(), &mut out);
    }
    out
}

fn invalid_json(e: &serde_json::Error) -> ApiError {
    ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
