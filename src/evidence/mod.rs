//! Evidence (证据): photos and documents a consumer, the business's desk or staff add to a case.
//! Files are accepted by what their bytes are (JPEG, PNG, WebP, HEIC, PDF; [`files`]), within the
//! configured limits (a file, files a case, bytes a case, pixels a photo); the original is kept
//! byte for byte with its SHA-256 and a photo also as a copy without metadata and a thumbnail,
//! both made by decoding it ([`images`]), all as blobs in the [`store`] written before the row. Who may add, list and download is decided by
//! `cases::access` ([`Act::Evidence`](crate::cases::access::Act) to add, seeing the case to read);
//! a business's desk never receives the original of a consumer's photo, only the copy. Each
//! upload and each download is on the timeline or in the audit trail.

pub mod add;
pub mod files;
pub mod http;
pub mod images;
pub mod kinds;
pub mod read;
pub mod store;
pub mod sweep;

use chrono::{DateTime, Utc};
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::{CaseStatus, access};
use crate::domain::faults::{Invalid, failure};
use crate::entities::evidence_file;
pub use kinds::{MediaType, Uploader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the case is {0}; evidence is added while it is open")]
    Closed(CaseStatus),
    #[error("no evidence file {0} on this case")]
    NotFound(String),
    #[error("evidence file {0} has no thumbnail: only JPEG, PNG and WebP photos have one")]
    NoThumbnail(String),
    #[error("the file's retention period has passed; only its hash and details are kept")]
    Removed,
    #[error(
        "a business receives a consumer's photo only without its metadata, and this one has no such copy"
    )]
    NoCopy,
    #[error("the evidence store failed: {0}")]
    Store(#[from] std::io::Error),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::Closed(_) => Conflict, "case_closed";
    Error::NotFound(_) => NotFound, "not_found";
    Error::NoThumbnail(_) => NotFound, "no_thumbnail";
    Error::Removed => Gone, "evidence_removed";
    Error::NoCopy => Forbidden, "forbidden";
    Error::Store(_) => Internal, "internal_error";
} passes [Invalid, Access, Db]);

/// A file of a case's evidence as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: String,
    /// The name the file was uploaded with.
    pub file_name: String,
    pub media_type: MediaType,
    /// Bytes of the original.
    pub size: i64,
    /// Hex SHA-256 of the original, as received.
    pub sha256: String,
    pub uploaded_by: Uploader,
    pub uploaded_at: DateTime<Utc>,
    /// Whether the photo has a thumbnail (`…/thumbnail`): JPEG, PNG and WebP photos do, HEIC
    /// photos and PDFs do not.
    pub thumbnail: bool,
    /// The file itself is gone after the retention period; its details stay.
    pub removed: bool,
}

impl From<evidence_file::Model> for EvidenceView {
    fn from(f: evidence_file::Model) -> Self {
        EvidenceView {
            id: f.id,
            file_name: f.file_name,
            media_type: f.media_type,
            size: f.size,
            sha256: f.sha256,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
            thumbnail: f.thumbnail_sha256.is_some(),
            removed: f.removed_at.is_some(),
        }
    }
}
