//! Files in and out of the service: the parts of a `multipart/form-data` upload, read within the
//! evidence limits (alone, or beside a creating request's JSON: [`WithFiles`]), and a stored file
//! streamed out as an attachment. Shared by the API's evidence
//! endpoints and the pages.

use actix_multipart::Multipart;
use actix_web::HttpResponse;
use actix_web::body::SizedStream;
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::header::{
    CONTENT_DISPOSITION, Charset, ContentDisposition, DispositionParam, DispositionType,
    ExtendedValue,
};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use validator::Validate;

use super::json::{ApiJson, parse};
use super::{ApiError, ApiResult};
use crate::domain::faults::FieldError;
use crate::evidence::Error;
use crate::evidence::add::Incoming;
use crate::evidence::read::Download;
use crate::state::AppState;

fn refused(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, message)])
}

/// Reads the parts named `files`, each at most one byte over the file limit (the step names the
/// file that is too large), and a fingerprint of them for `Idempotency-Key`.
pub async fn files(body: Multipart, state: &AppState) -> ApiResult<(Vec<Incoming>, Vec<u8>)> {
    let parts = parts(body, state, None).await?;
    Ok((parts.files, parts.fingerprint))
}

/// An upload's parts: the JSON part, when one is expected, and the files.
struct Parts {
    json: Option<Vec<u8>>,
    files: Vec<Incoming>,
    fingerprint: Vec<u8>,
}

/// Reads the parts named `files` and, when `json` names it, one part of JSON (at most
/// `max_body_bytes`), refusing any other.
async fn parts(mut body: Multipart, state: &AppState, json: Option<&str>) -> ApiResult<Parts> {
    let settings = &state.env.settings;
    let mut out = Parts {
        json: None,
        files: Vec::new(),
        fingerprint: Vec::new(),
    };
    let mut fingerprint = Sha256::new();
    let mut total: u64 = 0;
    while let Some(part) = body.next().await {
        let mut part = part.map_err(|e| refused("files", format!("not a multipart body: {e}")))?;
        let is_json = json.is_some() && part.name() == json;
        if !is_json && part.name() != Some("files") {
            return Err(refused(
                "files",
                match json {
                    Some(j) => format!(
                        "send the request in a part named `{j}` and the files in parts named `files`, and nothing else"
                    ),
                    None => "send the files in parts named `files`, and nothing else".to_owned(),
                },
            ));
        }
        let name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk =
                chunk.map_err(|e| refused("files", format!("the upload broke off: {e}")))?;
            if is_json {
                if bytes.len() + chunk.len() > settings.max_body_bytes {
                    return Err(ApiError::new(
                        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the request part is larger than this service accepts",
                    ));
                }
                bytes.extend_from_slice(&chunk);
                continue;
            }
            total += chunk.len() as u64;
            if total > settings.evidence_max_case_bytes + settings.evidence_max_file_bytes {
                return Err(refused(
                    "files",
                    format!(
                        "at most {} bytes of files a case",
                        settings.evidence_max_case_bytes
                    ),
                ));
            }
            if bytes.len() as u64 <= settings.evidence_max_file_bytes {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_json {
            if out.json.replace(bytes).is_some() {
                return Err(refused(
                    json.unwrap_or_default(),
                    "send the request in one part only",
                ));
            }
            continue;
        }
        fingerprint.update(name.as_bytes());
        fingerprint.update(Sha256::digest(&bytes));
        out.files.push(Incoming { name, bytes });
    }
    out.fingerprint = fingerprint.finalize().to_vec();
    Ok(out)
}

/// A creating request's body: JSON, or `multipart/form-data` with that JSON in a part named
/// `request` and files in parts named `files` (both forms are the same request; the files are
/// the new record's evidence). Only deserialized, like `ApiJson<T, false>`: the use case runs
/// the body's checks, with the files' own.
pub struct WithFiles<T> {
    pub body: T,
    pub files: Vec<Incoming>,
    /// What `Idempotency-Key` compares: the JSON as sent, then the files' fingerprint.
    pub fingerprint: Vec<u8>,
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for WithFiles<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            let json = ApiJson::<T, false>::from_request(req, payload);
            return Box::pin(async move {
                let json = json.await?;
                Ok(WithFiles {
                    body: json.body,
                    files: Vec::new(),
                    fingerprint: json.raw.to_vec(),
                })
            });
        }
        let body = Multipart::new(req.headers(), payload.take());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("no application state"))?;
            let parts = parts(body, &state, Some("request")).await?;
            let Some(raw) = parts.json else {
                return Err(refused(
                    "request",
                    "send the request as JSON in a part named `request`",
                ));
            };
            // A part that is not JSON is a fault of the field `request`, not an unreadable body.
            if serde_json::from_slice::<serde::de::IgnoredAny>(&raw).is_err() {
                return Err(refused(
                    "request",
                    "the part `request` must be one JSON value",
                ));
            }
            let body = parse::<T>(&raw, false)?;
            let mut fingerprint = raw;
            fingerprint.extend_from_slice(&parts.fingerprint);
            Ok(WithFiles {
                body,
                files: parts.files,
                fingerprint,
            })
        })
    }
}

/// The file, streamed from the store (the folder or S3, never whole in memory) with its type and
/// its name as an attachment.
pub async fn send(state: &AppState, d: Download) -> ApiResult<HttpResponse> {
    let blob = state
        .env
        .blobs
        .open(&d.sha256)
        .await
        .map_err(Error::Store)?;
    let ascii: String = d
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: d.file_name.into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .content_type(d.media_type.as_str())
        .insert_header((CONTENT_DISPOSITION, disposition))
        .body(SizedStream::new(blob.len, blob.bytes)))
}
