use sea_orm::entity::prelude::*;

use crate::evidence::kinds::{MediaType, Uploader};

/// One file of a case's evidence (see `crate::evidence`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub file_name: String,
    pub media_type: MediaType,
    pub size: i64,
    /// Hex SHA-256 of the original, which is also its blob's name.
    pub sha256: String,
    /// The photo's copy without metadata (EXIF, GPS, XMP), the one a business receives.
    pub stripped_sha256: Option<String>,
    /// The photo's thumbnail, a JPEG within 320 × 320 made from the copy's pixels.
    pub thumbnail_sha256: Option<String>,
    pub uploaded_by: Uploader,
    /// The staff member's user id; never the consumer's identity.
    pub uploader_id: Option<String>,
    pub uploaded_at: DateTimeUtc,
    /// When the retention period removed the blobs (the row and hash stay).
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::case::Entity",
        from = "Column::CaseId",
        to = "super::case::Column::Id"
    )]
    Case,
}

impl Related<super::case::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Case.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
