//! A bureau-year of the 12315 statistics at millions of cases (issue 17: the dashboard in under a
//! second). The indicators read three sources, each now from one index alone:
//! - cases received in the period, and cases closed in it, by bureau and instant with every column
//!   they are counted by;
//! - deadlines falling due in the period: each deadline carries its case's bureau and station, so
//!   a bureau's deadlines are one index range instead of every bureau's deadlines joined to the
//!   bureau's cases. The database keeps the copy: a trigger fills it in when a deadline is written
//!   and another follows the case when its bureau or station changes (a transfer), so no path
//!   that writes either table can leave it behind.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plain SQL both backends take.
const UP: &[&str] = &[
    "ALTER TABLE deadlines ADD COLUMN bureau_code VARCHAR",
    "ALTER TABLE deadlines ADD COLUMN station_id VARCHAR",
    "UPDATE deadlines SET bureau_code = cases.bureau_code, station_id = cases.station_id \
     FROM cases WHERE cases.id = deadlines.case_id",
    "CREATE INDEX idx_deadlines_scope_due ON deadlines (bureau_code, kind, due_at, station_id, status)",
    "DROP INDEX IF EXISTS idx_cases_bureau_received",
    "CREATE INDEX idx_cases_bureau_received ON cases \
     (bureau_code, received_at, station_id, kind, category, channel, amount_fen)",
    "DROP INDEX IF EXISTS idx_cases_bureau_closed",
    "CREATE INDEX idx_cases_bureau_closed ON cases \
     (bureau_code, closed_at, station_id, kind, outcome, consent_to_publish, odr_state, amount_recovered_fen)",
];

const POSTGRES_TRIGGERS: &[&str] = &[
    // After the statement, not before each row: a case and its deadlines may be written in one
    // statement (a WITH of inserts), and only then does the case's row show.
    r#"CREATE FUNCTION deadline_takes_case_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deadlines SET bureau_code = cases.bureau_code, station_id = cases.station_id
    FROM written JOIN cases ON cases.id = written.case_id
    WHERE deadlines.id = written.id;
  RETURN NULL;
END
$$"#,
    "CREATE TRIGGER deadlines_case_scope AFTER INSERT ON deadlines \
     REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION deadline_takes_case_scope()",
    r#"CREATE FUNCTION case_scope_to_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deadlines SET bureau_code = NEW.bureau_code, station_id = NEW.station_id
    WHERE case_id = NEW.id;
  RETURN NULL;
END
$$"#,
    "CREATE TRIGGER cases_deadline_scope AFTER UPDATE OF bureau_code, station_id ON cases \
     FOR EACH ROW WHEN (OLD.bureau_code IS DISTINCT FROM NEW.bureau_code \
     OR OLD.station_id IS DISTINCT FROM NEW.station_id) \
     EXECUTE FUNCTION case_scope_to_deadlines()",
];

/// SQLite cannot change the row being inserted, so its trigger updates it just after.
const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER deadlines_case_scope AFTER INSERT ON deadlines BEGIN \
     UPDATE deadlines SET bureau_code = (SELECT bureau_code FROM cases WHERE id = NEW.case_id), \
     station_id = (SELECT station_id FROM cases WHERE id = NEW.case_id) WHERE id = NEW.id; END",
    "CREATE TRIGGER cases_deadline_scope AFTER UPDATE OF bureau_code, station_id ON cases \
     WHEN OLD.bureau_code IS NOT NEW.bureau_code OR OLD.station_id IS NOT NEW.station_id BEGIN \
     UPDATE deadlines SET bureau_code = NEW.bureau_code, station_id = NEW.station_id \
     WHERE case_id = NEW.id; END",
];

const DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS cases_deadline_scope ON cases",
    "DROP TRIGGER IF EXISTS deadlines_case_scope ON deadlines",
    "DROP FUNCTION IF EXISTS case_scope_to_deadlines()",
    "DROP FUNCTION IF EXISTS deadline_takes_case_scope()",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS cases_deadline_scope",
    "DROP TRIGGER IF EXISTS deadlines_case_scope",
];

const DOWN_BOTH: &[&str] = &[
    "DROP INDEX IF EXISTS idx_cases_bureau_closed",
    "CREATE INDEX idx_cases_bureau_closed ON cases (bureau_code, closed_at)",
    "DROP INDEX IF EXISTS idx_cases_bureau_received",
    "CREATE INDEX idx_cases_bureau_received ON cases (bureau_code, received_at)",
    "DROP INDEX IF EXISTS idx_deadlines_scope_due",
    "ALTER TABLE deadlines DROP COLUMN station_id",
    "ALTER TABLE deadlines DROP COLUMN bureau_code",
];

async fn run(m: &SchemaManager<'_>, sql: &[&str]) -> Result<(), DbErr> {
    for s in sql {
        m.get_connection().execute_unprepared(s).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // One connection throughout: on SQLite another pooled connection could still hold the schema
    // from before the drop and refuse the create.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await?;
        match m.get_database_backend() {
            DbBackend::Postgres => run(m, POSTGRES_TRIGGERS).await,
            _ => run(m, SQLITE_TRIGGERS).await,
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            DbBackend::Postgres => run(m, DOWN).await?,
            _ => run(m, SQLITE_DOWN).await?,
        }
        run(m, DOWN_BOTH).await
    }
}
