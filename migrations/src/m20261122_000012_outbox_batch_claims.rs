//! Outbox claims by batch: a sender marks the rows it claims with its own token in one statement,
//! then reads back exactly those, so replicas never share a message while its lease runs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("ALTER TABLE outbox ADD COLUMN claim_token TEXT")
            .await?;
        db.execute_unprepared("CREATE INDEX idx_outbox_claim_token ON outbox (claim_token)")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_outbox_claim_token")
            .await?;
        db.execute_unprepared("ALTER TABLE outbox DROP COLUMN claim_token")
            .await?;
        Ok(())
    }
}
