//! The work list's search by part of the respondent's name (`LIKE '%…%'`) reads every case of
//! the caller's scope without an index; on PostgreSQL a trigram index (pg_trgm, a trusted
//! extension shipped with PostgreSQL) answers it for three characters or more, Chinese included.
//! Where the extension cannot be installed the search still works, only slower; SQLite has no
//! such index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// In a block of its own, so that a missing extension or privilege leaves the migration's
/// transaction intact.
const UP: &str = r#"
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS idx_cases_respondent_name_trgm
    ON cases USING gin (respondent_name gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'no trigram index for the respondent search: %', SQLERRM;
END
$$"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        super::on_postgres(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        super::on_postgres(m, "DROP INDEX IF EXISTS idx_cases_respondent_name_trgm").await
    }
}
