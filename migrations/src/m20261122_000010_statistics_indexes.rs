//! Indexes that keep a bureau's statistics and a station's work list fast at millions of cases
//! (issue 7's benchmark: 2 million complaints).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plain SQL both PostgreSQL and SQLite accept (partial indexes included).
const UP: &[&str] = &[
    // Deadlines due in a period, read without touching the table: kind and due instant to find them,
    // case and status to join and count.
    "DROP INDEX IF EXISTS idx_deadlines_kind_due",
    "CREATE INDEX idx_deadlines_kind_due ON deadlines (kind, due_at, case_id, status)",
    // The other side of that join: a bureau's (or station's) case ids from the index alone.
    "CREATE INDEX idx_cases_scope ON cases (bureau_code, station_id, id)",
    // A station's work list by status, newest first, as one ordered index range.
    "CREATE INDEX idx_cases_station_status ON cases (station_id, status, received_at)",
    // Escalations from ODR in a period; only escalated complaints are indexed.
    "CREATE INDEX idx_cases_odr_escalated ON cases (bureau_code, odr_escalated_at) \
     WHERE odr_escalated_at IS NOT NULL",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_cases_odr_escalated",
    "DROP INDEX IF EXISTS idx_cases_station_status",
    "DROP INDEX IF EXISTS idx_cases_scope",
    "DROP INDEX IF EXISTS idx_deadlines_kind_due",
    "CREATE INDEX idx_deadlines_kind_due ON deadlines (kind, due_at)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // One connection throughout: on SQLite another pooled connection could still hold the schema
    // from before the drop and refuse the create.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

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
