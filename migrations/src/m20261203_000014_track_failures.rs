//! Failed tracking look-ups (a receipt number with a wrong secret), kept for the throttling
//! window and counted per client address in the database, so that every replica sees one count.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TrackFailures {
    Table,
    Id,
    Address,
    FailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TrackFailures::Table)
                .col(big_pk_auto(TrackFailures::Id))
                .col(string(TrackFailures::Address))
                .col(timestamp_with_time_zone(TrackFailures::FailedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_track_failures_address")
                .table(TrackFailures::Table)
                .col(TrackFailures::Address)
                .col(TrackFailures::FailedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TrackFailures::Table).to_owned())
            .await
    }
}
