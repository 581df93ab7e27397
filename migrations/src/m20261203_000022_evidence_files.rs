//! Evidence (证据) of a case: one row a file, the original kept as a content-addressed blob by
//! its SHA-256, a metadata-free copy of a photo beside it, and who uploaded it when. A row is
//! written after its blobs, in the same transaction as the timeline event, so no row points at a
//! missing blob; once the retention period after closure has passed the blobs go and the row
//! stays (`removed_at`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvidenceFiles {
    Table,
    Id,
    CaseId,
    FileName,
    MediaType,
    Size,
    Sha256,
    StrippedSha256,
    UploadedBy,
    UploaderId,
    UploadedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(EvidenceFiles::Table)
                .col(string(EvidenceFiles::Id).primary_key())
                .col(string(EvidenceFiles::CaseId))
                .col(string(EvidenceFiles::FileName))
                .col(string(EvidenceFiles::MediaType))
                .col(big_integer(EvidenceFiles::Size))
                .col(string(EvidenceFiles::Sha256))
                .col(string_null(EvidenceFiles::StrippedSha256))
                .col(string(EvidenceFiles::UploadedBy))
                .col(string_null(EvidenceFiles::UploaderId))
                .col(timestamp_with_time_zone(EvidenceFiles::UploadedAt))
                .col(timestamp_with_time_zone_null(EvidenceFiles::RemovedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EvidenceFiles::Table, EvidenceFiles::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_evidence_files_case")
                .table(EvidenceFiles::Table)
                .col(EvidenceFiles::CaseId)
                .col(EvidenceFiles::UploadedAt)
                .to_owned(),
        )
        .await?;
        // The orphan sweep asks whether any row still names a blob.
        m.create_index(
            Index::create()
                .name("idx_evidence_files_sha256")
                .table(EvidenceFiles::Table)
                .col(EvidenceFiles::Sha256)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EvidenceFiles::Table).to_owned())
            .await
    }
}
