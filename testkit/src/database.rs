//! Fresh databases for the tests, the benchmarks and the harness: each gets its own, on the
//! PostgreSQL server it is pointed at, or in a SQLite file of its own.

use sea_orm::{ConnectionTrait, Database};

/// Drops (forcing out any session) and creates `name` on the server of `admin_url`; returns the
/// new database's URL.
pub async fn fresh_postgres(admin_url: &str, name: &str) -> String {
    let admin = Database::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at the admin URL is reachable: {e}"));
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop the old database");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the database");
    admin.close().await.ok();
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("the admin URL ends in /dbname");
    format!("{server}/{name}")
}

/// A new, empty database named `{prefix}_{random}`: on PostgreSQL when the environment variable
/// `server_var` holds an admin URL, else a SQLite file in the temporary directory.
pub async fn fresh(server_var: &str, prefix: &str) -> String {
    let unique = format!("{prefix}_{:016x}", rand::random::<u64>());
    match std::env::var(server_var) {
        Ok(base) if !base.is_empty() => fresh_postgres(&base, &unique).await,
        _ => {
            let path = std::env::temp_dir().join(format!("{unique}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
    }
}
