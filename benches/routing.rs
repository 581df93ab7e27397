//! Routing cost with the national division data loaded: the memory the data adds, and the time to
//! route a complaint from its address text to a bureau and station.
//!
//! `cargo bench --bench routing` (env: BENCH_ROUTES, default 5000; BENCH_DATABASE_URL to route
//! against PostgreSQL in a fresh database instead of an in-memory SQLite one). Addresses are built
//! from towns sampled across the whole country, plus the pilot-area towns.

use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use xiaobao::deadlines::RuleSetId;
use xiaobao::divisions::{Divisions, Level};
use xiaobao::routing::{RoutingInput, route};

/// Resident set size in KiB, from /proc/self/status.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A fresh database: PostgreSQL when BENCH_DATABASE_URL is set (a new database on that server),
/// else SQLite in memory on one connection.
async fn database() -> (DatabaseConnection, Option<(String, String)>) {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("xiaobao_bench_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&base).await.expect("BENCH_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create bench database");
            let (server, _) = base.rsplit_once('/').expect("URL ends in /dbname");
            let db = Database::connect(format!("{server}/{name}")).await.unwrap();
            (db, Some((base, name)))
        }
        _ => {
            let mut opt = ConnectOptions::new("sqlite::memory:");
            opt.max_connections(1)
                .min_connections(1)
                .sqlx_logging(false);
            (Database::connect(opt).await.unwrap(), None)
        }
    }
}

fn main() {
    let before = rss_kib();
    let started = Instant::now();
    let divisions = Divisions::builtin();
    let load = started.elapsed();
    let after = rss_kib();
    println!(
        "division data: {} divisions parsed in {:.0} ms; RSS {:.1} MB -> {:.1} MB (+{:.1} MB)",
        divisions.len(),
        load.as_secs_f64() * 1e3,
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0
    );

    let n: usize = std::env::var("BENCH_ROUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let towns: Vec<&str> = divisions
        .iter()
        .filter(|d| d.level == Level::Town)
        .map(|d| d.code)
        .collect();
    let step = (towns.len() / n).max(1);
    let mut addresses: Vec<String> = xiaobao::routing::reference::PILOT_AREA
        .iter()
        .map(|(t, _)| t)
        .chain(towns.iter().step_by(step))
        .map(|t| format!("{}88号", divisions.full_name(t).unwrap_or_default()))
        .collect();
    addresses.truncate(n);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (db, created) = database().await;
        xiaobao::db::migrate(&db).await.unwrap();
        xiaobao::routing::reference::load(&db, chrono::Utc::now()).await.unwrap();

        let mut resolve = Duration::ZERO;
        let mut times = Vec::with_capacity(addresses.len());
        let mut to_station = 0;
        for address in &addresses {
            let t0 = Instant::now();
            let Ok(town) = divisions.resolve_address(address) else {
                continue;
            };
            let t1 = Instant::now();
            let r = route(
                &db,
                &RoutingInput {
                    rule_set: RuleSetId::Order121,
                    respondent_division: Some(town.code),
                    platform: None,
                    published_address_reachable: true,
                    dispute_division: town.code,
                    received_by_bureau: None,
                },
            )
            .await
            .expect("routes");
            times.push(t0.elapsed());
            resolve += t1 - t0;
            to_station += usize::from(r.station_id.is_some());
        }
        let routed = times.len().max(1);
        let micros = |d: Duration| d.as_secs_f64() * 1e6;
        let mean = micros(times.iter().sum::<Duration>()) / routed as f64;
        times.sort_unstable();
        println!(
            "routing ({}): {} of {} addresses routed ({to_station} to a station); per complaint mean {mean:.0} µs (address resolution {:.0} µs), p50 {:.0} µs, p99 {:.0} µs",
            if created.is_some() { "PostgreSQL" } else { "SQLite in memory" },
            times.len(),
            addresses.len(),
            micros(resolve) / routed as f64,
            micros(times[times.len() / 2]),
            micros(times[times.len() * 99 / 100]),
        );
        if let Some((base, name)) = created {
            db.close().await.ok();
            let admin = Database::connect(&base).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE {name}"))
                .await
                .ok();
        }
    });
}
