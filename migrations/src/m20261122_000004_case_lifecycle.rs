//! What a case needs for its whole life: acceptance, the handling mediator, and closure with its
//! outcome and the money recovered.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    AcceptedAt,
    MediatorId,
    Outcome,
    OutcomeReason,
    ClosedAt,
    AmountRecoveredFen,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            timestamp_with_time_zone_null(Cases::AcceptedAt),
            string_null(Cases::MediatorId),
            string_null(Cases::Outcome),
            text_null(Cases::OutcomeReason),
            timestamp_with_time_zone_null(Cases::ClosedAt),
            big_integer_null(Cases::AmountRecoveredFen),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            "accepted_at",
            "mediator_id",
            "outcome",
            "outcome_reason",
            "closed_at",
            "amount_recovered_fen",
        ] {
            m.alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .drop_column(Alias::new(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
