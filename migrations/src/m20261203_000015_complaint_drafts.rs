//! Drafts of the complaint pages: the answers of a consumer filing a complaint in the browser,
//! kept on the server under a random id that the signed session cookie holds, so that long facts
//! and personal data never travel in a cookie. A draft expires a day after it was started.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ComplaintDrafts {
    Table,
    Id,
    Answers,
    CreatedAt,
    ReceiptNumber,
    SealedSecret,
    DueOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ComplaintDrafts::Table)
                .col(string(ComplaintDrafts::Id).primary_key())
                .col(text(ComplaintDrafts::Answers))
                .col(timestamp_with_time_zone(ComplaintDrafts::CreatedAt))
                .col(string_null(ComplaintDrafts::ReceiptNumber))
                .col(text_null(ComplaintDrafts::SealedSecret))
                .col(date_null(ComplaintDrafts::DueOn))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_complaint_drafts_created_at")
                .table(ComplaintDrafts::Table)
                .col(ComplaintDrafts::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ComplaintDrafts::Table).to_owned())
            .await
    }
}
