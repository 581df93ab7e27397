//! The work list orders a caller's cases by their earliest running deadline. It walks the running
//! deadlines in due order (a partial index: `status IN ('open', 'paused')` as two ranges of the
//! `(status, due_at)` index would not come out in order, and PostgreSQL sorted every running
//! deadline instead: 1.2 s at 2 million cases, 15 ms with this index), and checks per case that
//! the deadline is its earliest running one (`case_id`, then status, then due instant).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plain SQL both PostgreSQL and SQLite accept (partial indexes included).
const UP: &[&str] = &[
    "CREATE INDEX idx_deadlines_running_due ON deadlines (due_at, id) \
     WHERE status IN ('open', 'paused')",
    "CREATE INDEX idx_deadlines_case_running ON deadlines (case_id, status, due_at)",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_deadlines_case_running",
    "DROP INDEX IF EXISTS idx_deadlines_running_due",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for sql in UP {
            m.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for sql in DOWN {
            m.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
