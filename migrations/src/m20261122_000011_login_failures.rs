//! Failed logins, kept for the throttling window: counted per account and per client address in
//! the database, so that every replica sees the same count.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Username,
    Address,
    FailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(big_pk_auto(LoginFailures::Id))
                .col(string(LoginFailures::Username))
                .col(string(LoginFailures::Address))
                .col(timestamp_with_time_zone(LoginFailures::FailedAt))
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("idx_login_failures_username", LoginFailures::Username),
            ("idx_login_failures_address", LoginFailures::Address),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(LoginFailures::Table)
                    .col(column)
                    .col(LoginFailures::FailedAt)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_login_failures_failed_at")
                .table(LoginFailures::Table)
                .col(LoginFailures::FailedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginFailures::Table).to_owned())
            .await
    }
}
