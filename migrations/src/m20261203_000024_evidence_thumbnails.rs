//! A photo's thumbnail (a small JPEG made by decoding it), kept as a content-addressed blob like
//! its copy without metadata. Rows from before have none: their photos show without one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EvidenceFiles {
    Table,
    ThumbnailSha256,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(EvidenceFiles::Table)
                .add_column(string_null(EvidenceFiles::ThumbnailSha256))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(EvidenceFiles::Table)
                .drop_column(EvidenceFiles::ThumbnailSha256)
                .to_owned(),
        )
        .await
    }
}
