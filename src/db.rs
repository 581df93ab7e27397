//! Connecting and migrating, the same way on SQLite and PostgreSQL, and the one multi-table write.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, CommonTableExpression, InsertStatement, OnConflict, WithClause};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, Insert, QueryTrait, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::config::Settings;

pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(settings.database_url.expose().to_owned());
    // The whole pool opens here, on the main runtime, whose idle threads watch its sockets. A
    // connection opened later from an HTTP worker's single-threaded runtime would only be watched
    // when that worker is idle, and every request using it would wait on a busy neighbour.
    opt.max_connections(settings.database_max_connections)
        .min_connections(settings.database_max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(
            settings.database_acquire_timeout_seconds.max(1),
        ))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            // WAL lets readers run beside the one writer; the busy timeout queues writers instead of failing them.
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    Database::connect(opt).await
}

/// Applies pending migrations. On PostgreSQL an advisory lock makes replicas that start together
/// take turns, and the migration runs in that lock's transaction.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7243190001)")
            .await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await
    } else {
        Migrator::up(db, None).await
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock up front (IMMEDIATE), so
/// two writers queue on the busy timeout instead of failing when both try to upgrade a read lock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

/// Rows prepared in full before any is written, to be written together in the caller's
/// transaction.
///
/// On PostgreSQL they go as one statement, a `WITH` of data-modifying parts: one round trip
/// however many tables it touches, where an INSERT each costs a round trip per table (intake's
/// throughput rests on this). SQLite allows only SELECT in `WITH`, so there the parts run one after
/// another, which in-process costs little.
#[derive(Default)]
pub struct Writes(Vec<InsertStatement>);

impl Writes {
    pub fn insert<A: ActiveModelTrait>(&mut self, row: A) {
        self.0.push(Insert::one(row).into_query());
    }

    pub fn insert_on_conflict<A: ActiveModelTrait>(&mut self, row: A, on_conflict: OnConflict) {
        self.0
            .push(Insert::one(row).on_conflict(on_conflict).into_query());
    }

    /// Rows of one table with the same columns set; nothing for none.
    pub fn insert_many<A: ActiveModelTrait>(&mut self, rows: impl IntoIterator<Item = A>) {
        let mut rows = rows.into_iter().peekable();
        if rows.peek().is_some() {
            self.0.push(Insert::many(rows).into_query());
        }
    }

    pub async fn write(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        let backend = txn.get_database_backend();
        let mut parts = self.0;
        if backend != DbBackend::Postgres {
            for part in &parts {
                txn.execute_raw(backend.build(part)).await?;
            }
            return Ok(());
        }
        let Some(last) = parts.pop() else {
            return Ok(());
        };
        if parts.is_empty() {
            return txn.execute_raw(backend.build(&last)).await.map(drop);
        }
        let mut with = WithClause::new();
        for (i, part) in parts.into_iter().enumerate() {
            with.cte(
                CommonTableExpression::new()
                    .query(part)
                    .table_name(Alias::new(format!("w{i}")))
                    .to_owned(),
            );
        }
        txn.execute_raw(backend.build(&with.query(last)))
            .await
            .map(drop)
    }
}

/// Whether an error means the database cannot be reached or is refusing work for now (down,
/// restarting, out of connections), rather than a fault in the request or the code: the answer is
/// then 503 with Retry-After, and the client's retry with its `Idempotency-Key` is safe.
pub fn is_unavailable(e: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{ConnAcquireErr, RuntimeErr};
    let sqlx = match e {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed) => {
            return true;
        }
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => s,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        Sqlx::Database(d) => d.code().is_some_and(|code| sqlstate_unavailable(&code)),
        _ => false,
    }
}

/// The problem code of a database failure: an outage or an internal error.
pub fn error_code(e: &DbErr) -> &'static str {
    if is_unavailable(e) {
        "database_unavailable"
    } else {
        "internal_error"
    }
}

/// SQLSTATE class 08 (connection exception), 57P01–57P03 (admin or crash shutdown, cannot connect
/// now) and 53300 (too many connections).
fn sqlstate_unavailable(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_and_shutdown_states_are_unavailable_and_others_are_not() {
        for code in ["08006", "08001", "57P01", "57P02", "57P03", "53300"] {
            assert!(sqlstate_unavailable(code), "{code}");
        }
        for code in ["23505", "40001", "42P01", "57014"] {
            assert!(!sqlstate_unavailable(code), "{code}");
        }
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::Timeout
        )));
        assert!(!is_unavailable(&DbErr::RecordNotFound("x".into())));
    }
}
