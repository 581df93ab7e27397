//! Enterprise-first ODR: business registry details, ODR enrolment, and structured offers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Businesses {
    Table,
    PlatformRole,
    PlatformBusinessId,
}

#[derive(DeriveIden)]
enum OdrEnrolments {
    Table,
    BusinessId,
    Status,
    DeskContact,
    DeskPhone,
    Commitment,
    AppliedAt,
    DecidedAt,
    DecidedBy,
    Reason,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    OdrState,
    OdrAgreedOfferId,
    OdrFirstResponseAt,
    OdrEscalatedAt,
}

#[derive(DeriveIden)]
enum OdrOffers {
    Table,
    Id,
    CaseId,
    Party,
    Kind,
    AmountFen,
    PerformBy,
    Message,
    Status,
    MadeBy,
    CreatedAt,
    AnsweredAt,
    PerformedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            string_null(Businesses::PlatformRole),
            string_null(Businesses::PlatformBusinessId),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Businesses::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            string_null(Cases::OdrState),
            big_integer_null(Cases::OdrAgreedOfferId),
            timestamp_with_time_zone_null(Cases::OdrFirstResponseAt),
            timestamp_with_time_zone_null(Cases::OdrEscalatedAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(OdrEnrolments::Table)
                .col(string(OdrEnrolments::BusinessId).primary_key())
                .col(string(OdrEnrolments::Status))
                .col(string(OdrEnrolments::DeskContact))
                .col(string(OdrEnrolments::DeskPhone))
                .col(text(OdrEnrolments::Commitment))
                .col(timestamp_with_time_zone(OdrEnrolments::AppliedAt))
                .col(timestamp_with_time_zone_null(OdrEnrolments::DecidedAt))
                .col(string_null(OdrEnrolments::DecidedBy))
                .col(text_null(OdrEnrolments::Reason))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OdrOffers::Table)
                .col(big_pk_auto(OdrOffers::Id))
                .col(string(OdrOffers::CaseId))
                .col(string(OdrOffers::Party))
                .col(string(OdrOffers::Kind))
                .col(big_integer(OdrOffers::AmountFen))
                .col(date(OdrOffers::PerformBy))
                .col(text(OdrOffers::Message))
                .col(string(OdrOffers::Status))
                .col(string_null(OdrOffers::MadeBy))
                .col(timestamp_with_time_zone(OdrOffers::CreatedAt))
                .col(timestamp_with_time_zone_null(OdrOffers::AnsweredAt))
                .col(timestamp_with_time_zone_null(OdrOffers::PerformedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_odr_offers_case")
                .table(OdrOffers::Table)
                .col(OdrOffers::CaseId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["odr_offers", "odr_enrolments"] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
