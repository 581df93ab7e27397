//! Connecting, migrating and loading reference data, the same way on SQLite and PostgreSQL.

use std::time::Duration;

use chrono::Utc;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
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
        .acquire_timeout(Duration::from_secs(5))
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

/// Built-in reference data: the pilot-area bureaus and stations. Idempotent.
pub async fn load_reference_data(db: &DatabaseConnection) -> Result<(), DbErr> {
    crate::routing::reference::load(db, Utc::now()).await
}
