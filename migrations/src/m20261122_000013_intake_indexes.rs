//! An index for the early-warning count every intake runs: complaints against one business in one
//! bureau within the window. Without it the planner, on a young table with stale statistics,
//! intersects the whole bureau's cases with the business's, and intake slows as the bureau grows.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_cases_respondent_bureau ON cases (respondent_key, bureau_code, received_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_cases_respondent_bureau")
            .await?;
        Ok(())
    }
}
