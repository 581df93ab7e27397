//! The audit trail survives `TRUNCATE` too. The row triggers of the foundation migration refuse
//! `UPDATE` and `DELETE`, but PostgreSQL's `TRUNCATE` removes rows without firing them; a statement
//! trigger refuses it, also when the audit log is reached by `TRUNCATE … CASCADE` from another
//! table. SQLite has no `TRUNCATE` (its `DELETE FROM` without `WHERE` fires the row triggers).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The foundation's function raises whatever the operation; a statement trigger may use it.
        super::on_postgres(
            m,
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log \
             FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()",
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        super::on_postgres(
            m,
            "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
        )
        .await
    }
}
