//! Files in and out of the service: the parts of a `multipart/form-data` upload, read within the
//! evidence limits, and a stored file streamed out as an attachment. Shared by the API's evidence
//! endpoints and the pages.

use actix_multipart::Multipart;
use actix_web::HttpResponse;
use actix_web::body::SizedStream;
use actix_web::http::header::{
    CONTENT_DISPOSITION, Charset, ContentDisposition, DispositionParam, DispositionType,
    ExtendedValue,
};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

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
pub async fn files(mut body: Multipart, state: &AppState) -> ApiResult<(Vec<Incoming>, Vec<u8>)> {
    let settings = &state.env.settings;
    let mut out = Vec::new();
    let mut fingerprint = Sha256::new();
    let mut total: u64 = 0;
    while let Some(part) = body.next().await {
        let mut part = part.map_err(|e| refused("files", format!("not a multipart body: {e}")))?;
        if part.name() != Some("files") {
            return Err(refused(
                "files",
                "send the files in parts named `files`, and nothing else",
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
        fingerprint.update(name.as_bytes());
        fingerprint.update(Sha256::digest(&bytes));
        out.push(Incoming { name, bytes });
    }
    Ok((out, fingerprint.finalize().to_vec()))
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
