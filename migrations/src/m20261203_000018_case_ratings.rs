//! The consumer's satisfaction rating of a closed case (满意 / 基本满意 / 不满意), given once
//! within the rating window after closure, with an optional comment.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaseRatings {
    Table,
    Id,
    CaseId,
    Rating,
    Comment,
    RatedAt,
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
                .table(CaseRatings::Table)
                .col(big_pk_auto(CaseRatings::Id))
                .col(string(CaseRatings::CaseId).unique_key())
                .col(string(CaseRatings::Rating))
                .col(text_null(CaseRatings::Comment))
                .col(timestamp_with_time_zone(CaseRatings::RatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CaseRatings::Table, CaseRatings::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        // The statistics count ratings given in a period.
        m.create_index(
            Index::create()
                .name("idx_case_ratings_rated_at")
                .table(CaseRatings::Table)
                .col(CaseRatings::RatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CaseRatings::Table).to_owned())
            .await
    }
}
