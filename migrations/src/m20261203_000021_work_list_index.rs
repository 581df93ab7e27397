//! The work list orders a caller's cases by their earliest running deadline: this index answers
//! that minimum per case from the index alone (`case_id`, then the running statuses, then the
//! earliest due instant), and the deadline-state filters' look-ups by case.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_deadlines_case_running ON deadlines (case_id, status, due_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_deadlines_case_running")
            .await?;
        Ok(())
    }
}
