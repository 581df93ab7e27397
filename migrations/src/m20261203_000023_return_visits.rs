//! Return visits (回访): a task opened for the handling station when a case closes with one of the
//! configured endings, due on its own deadline (kind `return_visit`), and recorded by staff once:
//! the day, the channel, the result and the satisfaction the consumer told.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReturnVisits {
    Table,
    Id,
    CaseId,
    OpenedAt,
    VisitedOn,
    Channel,
    Result,
    Satisfaction,
    RecordedBy,
    RecordedAt,
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
                .table(ReturnVisits::Table)
                .col(big_pk_auto(ReturnVisits::Id))
                .col(string(ReturnVisits::CaseId).unique_key())
                .col(timestamp_with_time_zone(ReturnVisits::OpenedAt))
                .col(date_null(ReturnVisits::VisitedOn))
                .col(string_null(ReturnVisits::Channel))
                .col(text_null(ReturnVisits::Result))
                .col(string_null(ReturnVisits::Satisfaction))
                .col(string_null(ReturnVisits::RecordedBy))
                .col(timestamp_with_time_zone_null(ReturnVisits::RecordedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ReturnVisits::Table, ReturnVisits::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        // The statistics count visits recorded in a period.
        m.create_index(
            Index::create()
                .name("idx_return_visits_recorded_at")
                .table(ReturnVisits::Table)
                .col(ReturnVisits::RecordedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReturnVisits::Table).to_owned())
            .await
    }
}
