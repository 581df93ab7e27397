//! Intake throughput over HTTP against PostgreSQL, beside the raw database rate for the same rows.
//!
//! `cargo bench --bench intake` (env: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
//! BENCH_REQUESTS, default 20000; BENCH_CONCURRENCY, default 32). Starts the release binary as its own
//! process on a fresh database, drives POST /api/v1/complaints with varied bodies, then writes the same
//! rows with the same transaction shape straight into PostgreSQL, and prints both rates, latencies and
//! the server's peak RSS.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait, Value};

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// User plus system CPU seconds a process has used (Linux counts them in 1/100 s ticks).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

async fn fresh_database(base: &str, name: &str) -> String {
    let admin = Database::connect(base)
        .await
        .expect("BENCH_DATABASE_URL reachable");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

async fn wait_ready(client: &awc::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await
            && res.status().is_success()
        {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not become ready");
}

#[actix_web::main]
async fn main() {
    let base_url: String = env_or(
        "BENCH_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres".to_string(),
    );
    let total: usize = env_or("BENCH_REQUESTS", 20_000);
    let concurrency: usize = env_or("BENCH_CONCURRENCY", 32);
    let port: u16 = env_or("BENCH_PORT", 18_181);

    let url = fresh_database(&base_url, "xiaobao_bench_http").await;
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_xiaobao"))
            .env("DATABASE_URL", &url)
            .env("PORT", port.to_string())
            .env("XIAOBAO_HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .connector(awc::Connector::new().limit(concurrency * 2))
        .finish();
    wait_ready(&client, &base).await;

    let bodies: Vec<String> = {
        let mut rng = rand::rng();
        (0..total)
            .map(|_| testkit::complaints::body(&mut rng).to_string())
            .collect()
    };
    // Warm up connections and caches.
    for b in bodies.iter().take(50) {
        let _ = client
            .post(format!("{base}/api/v1/complaints"))
            .content_type("application/json")
            .send_body(b.clone())
            .await;
    }

    let next = AtomicUsize::new(50);
    let failures = AtomicUsize::new(0);
    let cpu_before = cpu_seconds(server.0.id());
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| async {
        let mut latencies = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= total {
                break;
            }
            let t = Instant::now();
            let res = client
                .post(format!("{base}/api/v1/complaints"))
                .content_type("application/json")
                .insert_header(("idempotency-key", format!("bench-{i}")))
                .send_body(bodies[i].clone())
                .await;
            match res {
                Ok(mut r) if r.status().as_u16() == 201 => {
                    let _ = r.body().await;
                    latencies.push(t.elapsed());
                }
                Ok(mut r) => {
                    if failures.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!("status {}: {:?}", r.status(), r.body().await);
                    }
                }
                Err(e) => {
                    failures.fetch_add(1, Ordering::Relaxed);
                    eprintln!("request error: {e}");
                }
            }
        }
        latencies
    });
    let mut latencies: Vec<Duration> = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect();
    let elapsed = started.elapsed();
    latencies.sort();
    let http_rate = latencies.len() as f64 / elapsed.as_secs_f64();
    let rss = peak_rss_mb(server.0.id());
    let cpu_per_request = (cpu_seconds(server.0.id()) - cpu_before) / latencies.len() as f64;
    drop(server);

    let raw_rate = raw_rate(
        &fresh_database(&base_url, "xiaobao_bench_raw").await,
        &bodies,
        concurrency,
    )
    .await;

    println!(
        "intake over HTTP on PostgreSQL, {} requests, concurrency {concurrency}",
        latencies.len()
    );
    println!("  throughput      {http_rate:>9.0} complaints/s   (goal >= 1000)");
    println!(
        "  latency p50     {:>9.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0
    );
    println!(
        "  latency p99     {:>9.2} ms   (goal < 50)",
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!("  failures        {:>9}", failures.load(Ordering::Relaxed));
    println!("  server peak RSS {rss:>9.1} MB   (goal < 200)");
    println!(
        "  server CPU      {:>9.3} ms per complaint",
        cpu_per_request * 1000.0
    );
    println!("raw PostgreSQL, same rows and transaction shape");
    println!("  throughput      {raw_rate:>9.0} transactions/s");
    println!(
        "  ratio HTTP/raw  {:>9.2}      (goal >= 0.6)",
        http_rate / raw_rate
    );
}

/// Writes what one intake writes (case, party, deadline, two timeline events, audit entry,
/// idempotency record) in one transaction per complaint, with plain SQL and no service logic.
async fn raw_rate(url: &str, bodies: &[String], concurrency: usize) -> f64 {
    let db: DatabaseConnection = Database::connect(url).await.unwrap();
    <migration::Migrator as migration::MigratorTrait>::up(&db, None)
        .await
        .unwrap();
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| async {
        let mut done = 0usize;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= bodies.len() {
                break done;
            }
            write_raw(&db, i, &bodies[i]).await;
            done += 1;
        }
    });
    let done: usize = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .sum();
    done as f64 / started.elapsed().as_secs_f64()
}

async fn write_raw(db: &DatabaseConnection, i: usize, body: &str) {
    let b: serde_json::Value = serde_json::from_str(body).unwrap();
    let now = chrono::Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let s = |v: &serde_json::Value| Value::from(v.as_str().unwrap_or_default().to_owned());
    let txn = db.begin().await.unwrap();
    let pg = |sql: &str, values: Vec<Value>| {
        Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, values)
    };
    txn.execute_raw(pg(
        "INSERT INTO cases (id, kind, receipt_number, access_secret_hash, status, channel, category, rule_set, received_at,
          complainant_key, respondent_key, respondent_name, respondent_uscc, respondent_address, respondent_division_code,
          occurred_on, dispute_division_code, goods_or_service, amount_fen, facts, demands, evidence, choose_odr,
          consent_to_publish, conceal_identity, anonymous, bureau_code, station_id, routing_rule, created_at, updated_at)
         VALUES ($1,'complaint',$2,$3,'pending_acceptance',$4,$5,'order-121',$6,$7,$8,$9,$10,$11,$12,'2026-11-20',$13,$14,$15,$16,'[\"refund\"]','[]',false,true,false,false,'330421',NULL,'respondent_published_address',$6,$6)",
        vec![
            id.clone().into(), format!("TS-RAW-{i}").into(), "h".repeat(64).into(), s(&b["channel"]), s(&b["category"]), now.into(),
            "k".repeat(64).into(), s(&b["respondent"]["uscc"]), s(&b["respondent"]["name"]), s(&b["respondent"]["uscc"]),
            s(&b["respondent"]["address"]), s(&b["respondent"]["division_code"]), s(&b["dispute"]["division_code"]),
            s(&b["dispute"]["goods_or_service"]), b["dispute"]["amount_fen"].as_i64().into(), s(&b["dispute"]["facts"]),
        ],
    )).await.unwrap();
    txn.execute_raw(pg(
        "INSERT INTO parties (case_id, role, position, name, phone, address, id_type, id_number) VALUES ($1,'complainant',0,$2,$3,$4,'resident_id',$5)",
        vec![id.clone().into(), s(&b["complainant"]["name"]), s(&b["complainant"]["phone"]), s(&b["complainant"]["address"]), s(&b["complainant"]["id_number"])],
    )).await.unwrap();
    txn.execute_raw(pg(
        "INSERT INTO deadlines (case_id, kind, rule_set, starts_at, due_at, due_date, provisional, status, explanation) VALUES ($1,'acceptance','order-121',$2,$2,'2026-12-02',false,'open','{}')",
        vec![id.clone().into(), now.into()],
    )).await.unwrap();
    for kind in ["received", "routed"] {
        txn.execute_raw(pg(
            "INSERT INTO case_events (case_id, at, kind, actor_kind, public, detail) VALUES ($1,$2,$3,'system',true,'{}')",
            vec![id.clone().into(), now.into(), kind.into()],
        )).await.unwrap();
    }
    txn.execute_raw(pg(
        "INSERT INTO audit_log (at, actor_role, action, case_id, detail) VALUES ($1,'consumer','complaint.file',$2,'{}')",
        vec![now.into(), id.clone().into()],
    )).await.unwrap();
    txn.execute_raw(pg(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_body, created_at) VALUES ('complaints',$1,$2,201,$3,$4)",
        vec![format!("raw-{i}").into(), "h".repeat(64).into(), body.to_owned().into(), now.into()],
    )).await.unwrap();
    txn.commit().await.unwrap();
}
