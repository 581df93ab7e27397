//! Intake throughput over HTTP against PostgreSQL, beside the raw database rate for the same rows.
//!
//! `cargo bench --bench intake` (env: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
//! BENCH_REQUESTS, default 20000; BENCH_CONCURRENCY, default 32; BENCH_ROUNDS, default 4). Starts the
//! release binary as its own process on a fresh database and drives POST /api/v1/complaints with
//! varied bodies; in between, the same rows go straight into PostgreSQL from this process, at the
//! same concurrency, one transaction per complaint, in two shapes: one INSERT per table, and the
//! single multi-table statement the service itself writes. The phases alternate round by round, so
//! that a machine whose speed drifts (a shared VM) slows all of them alike; the ratios are the
//! medians of the rounds'. Prints rates, latencies, the server's CPU per complaint and peak RSS.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait, Value};
use testkit::process::{Server, env_or, memory_mb};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
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

/// One way of writing the rows straight into PostgreSQL.
#[derive(Clone, Copy)]
enum RawShape {
    /// The case, its party, deadline, timeline, audit entry and idempotency record, an INSERT each.
    PerTable,
    /// The same rows in one statement, a WITH of INSERTs, as the service writes them.
    OneStatement,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[actix_web::main]
async fn main() {
    let base_url: String = env_or(
        "BENCH_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres".to_string(),
    );
    let total: usize = env_or("BENCH_REQUESTS", 20_000);
    let concurrency: usize = env_or("BENCH_CONCURRENCY", 32);
    let rounds: usize = env_or("BENCH_ROUNDS", 4usize).max(1);
    let port: u16 = env_or("BENCH_PORT", 18_181);

    let url = testkit::database::fresh_postgres(&base_url, "xiaobao_bench_http").await;
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
    let raw =
        Database::connect(testkit::database::fresh_postgres(&base_url, "xiaobao_bench_raw").await)
            .await
            .unwrap();
    <migration::Migrator as migration::MigratorTrait>::up(&raw, None)
        .await
        .unwrap();

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

    let per_round = (total - 50) / rounds;
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut server_cpu = 0.0;
    let (mut http_rates, mut per_table_rates, mut one_statement_rates) =
        (Vec::new(), Vec::new(), Vec::new());
    println!("round   HTTP/s   raw per-table/s   raw one-statement/s");
    for round in 0..rounds {
        let slice = &bodies[50 + round * per_round..50 + (round + 1) * per_round];
        let cpu_before = cpu_seconds(server.0.id());
        let started = Instant::now();
        let (mut lat, failed) =
            drive_http(&client, &base, slice, 50 + round * per_round, concurrency).await;
        let http_rate = lat.len() as f64 / started.elapsed().as_secs_f64();
        server_cpu += cpu_seconds(server.0.id()) - cpu_before;
        failures += failed;
        latencies.append(&mut lat);
        let per_table = raw_rate(&raw, slice, round, RawShape::PerTable, concurrency).await;
        let one_statement = raw_rate(&raw, slice, round, RawShape::OneStatement, concurrency).await;
        println!("{round:>5} {http_rate:>8.0} {per_table:>17.0} {one_statement:>21.0}");
        http_rates.push(http_rate);
        per_table_rates.push(http_rate / per_table);
        one_statement_rates.push(http_rate / one_statement);
    }
    latencies.sort();
    let rss = memory_mb(server.pid(), "VmHWM");
    let cpu_per_request = server_cpu / latencies.len() as f64;
    drop(server);

    println!(
        "intake over HTTP on PostgreSQL, {} requests, concurrency {concurrency}, {rounds} rounds",
        latencies.len()
    );
    println!(
        "  throughput      {:>9.0} complaints/s   (median of rounds; goal >= 1000)",
        median(http_rates)
    );
    println!(
        "  latency p50     {:>9.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0
    );
    println!(
        "  latency p99     {:>9.2} ms   (goal < 50)",
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!("  failures        {failures:>9}");
    println!("  server peak RSS {rss:>9.1} MB   (goal < 200)");
    println!(
        "  server CPU      {:>9.3} ms per complaint",
        cpu_per_request * 1000.0
    );
    println!("HTTP / raw PostgreSQL, same rows, one transaction per complaint (medians of rounds)");
    println!(
        "  vs an INSERT per table      {:>5.2}   (goal >= 0.6)",
        median(per_table_rates)
    );
    println!(
        "  vs one multi-table INSERT   {:>5.2}   (the service's own write shape)",
        median(one_statement_rates)
    );
}

/// Posts `bodies` with `concurrency` clients; the latencies of the 201s and the number of failures.
async fn drive_http(
    client: &awc::Client,
    base: &str,
    bodies: &[String],
    first_key: usize,
    concurrency: usize,
) -> (Vec<Duration>, usize) {
    let next = AtomicUsize::new(0);
    let failures = AtomicUsize::new(0);
    let workers = (0..concurrency).map(|_| async {
        let mut latencies = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= bodies.len() {
                break;
            }
            let t = Instant::now();
            let res = client
                .post(format!("{base}/api/v1/complaints"))
                .content_type("application/json")
                .insert_header(("idempotency-key", format!("bench-{}", first_key + i)))
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
    let latencies = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect();
    (latencies, failures.load(Ordering::Relaxed))
}

/// Writes what one intake writes for each body, one transaction per complaint, with plain SQL and
/// no service logic; transactions per second.
async fn raw_rate(
    db: &DatabaseConnection,
    bodies: &[String],
    round: usize,
    shape: RawShape,
    concurrency: usize,
) -> f64 {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let workers = (0..concurrency).map(|_| async {
        let mut done = 0usize;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= bodies.len() {
                break done;
            }
            let tag = format!("{}-{round}-{i}", shape as u8);
            write_raw(db, &tag, &bodies[i], shape).await;
            done += 1;
        }
    });
    let done: usize = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .sum();
    done as f64 / started.elapsed().as_secs_f64()
}

const INSERT_CASE: &str = "INSERT INTO cases (id, kind, receipt_number, access_secret_hash, status, channel, category, rule_set, received_at,
  complainant_key, respondent_key, respondent_name, respondent_uscc, respondent_address, respondent_division_code,
  occurred_on, dispute_division_code, goods_or_service, amount_fen, facts, demands, evidence, choose_odr,
  consent_to_publish, conceal_identity, anonymous, bureau_code, station_id, routing_rule, created_at, updated_at)
 VALUES ($1,'complaint',$2,$3,'pending_acceptance',$4,$5,'order-121',$6,$7,$8,$9,$10,$11,$12,'2026-11-20',$13,$14,$15,$16,'[\"refund\"]','[]',false,true,false,false,'330421',NULL,'respondent_published_address',$6,$6)";
const INSERT_PARTY: &str = "INSERT INTO parties (case_id, role, position, name, phone, address, id_type, id_number) VALUES ($1,'complainant',0,$17,$18,$19,'resident_id',$20)";
const INSERT_DEADLINE: &str = "INSERT INTO deadlines (case_id, kind, rule_set, starts_at, due_at, due_date, provisional, status, explanation) VALUES ($1,'acceptance','order-121',$6,$6,'2026-12-02',false,'open','{}')";
const INSERT_EVENTS: &str = "INSERT INTO case_events (case_id, at, kind, actor_kind, public, detail) VALUES ($1,$6,'received','consumer',true,'{}'), ($1,$6,'routed','system',true,'{}')";
const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_role, action, case_id, detail) VALUES ($6,'consumer','complaint.file',$1,'{}')";
const INSERT_KEY: &str = "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_body, created_at) VALUES ('complaints',$21,$3,201,$22,$6)";

async fn write_raw(db: &DatabaseConnection, tag: &str, body: &str, shape: RawShape) {
    let b: serde_json::Value = serde_json::from_str(body).unwrap();
    let s = |v: &serde_json::Value| Value::from(v.as_str().unwrap_or_default().to_owned());
    // $1..$22, shared by the statements; each uses the ones it names.
    let values: Vec<Value> = vec![
        uuid::Uuid::now_v7().to_string().into(),
        format!("TS-RAW-{tag}").into(),
        "h".repeat(64).into(),
        s(&b["channel"]),
        s(&b["category"]),
        chrono::Utc::now().into(),
        "k".repeat(64).into(),
        s(&b["respondent"]["uscc"]),
        s(&b["respondent"]["name"]),
        s(&b["respondent"]["uscc"]),
        s(&b["respondent"]["address"]),
        s(&b["respondent"]["division_code"]),
        s(&b["dispute"]["division_code"]),
        s(&b["dispute"]["goods_or_service"]),
        b["dispute"]["amount_fen"].as_i64().into(),
        s(&b["dispute"]["facts"]),
        s(&b["complainant"]["name"]),
        s(&b["complainant"]["phone"]),
        s(&b["complainant"]["address"]),
        s(&b["complainant"]["id_number"]),
        format!("raw-{tag}").into(),
        body.to_owned().into(),
    ];
    let statements = [
        INSERT_CASE,
        INSERT_PARTY,
        INSERT_DEADLINE,
        INSERT_EVENTS,
        INSERT_AUDIT,
        INSERT_KEY,
    ];
    let txn = db.begin().await.unwrap();
    let run = async |sql: &str| {
        let (sql, used) = local_parameters(sql, &values);
        txn.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            sql,
            used,
        ))
        .await
        .unwrap();
    };
    match shape {
        RawShape::PerTable => {
            for sql in statements {
                run(sql).await;
            }
        }
        RawShape::OneStatement => {
            let (last, parts) = statements.split_last().unwrap();
            let with: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(i, sql)| format!("w{i} AS ({sql})"))
                .collect();
            run(&format!("WITH {} {last}", with.join(", "))).await;
        }
    }
    txn.commit().await.unwrap();
}

/// Renumbers the `$n` of a statement written against the shared parameter list to `$1..$k` in
/// order of first use, with just those values: PostgreSQL refuses parameters a statement leaves
/// unused.
fn local_parameters(sql: &str, values: &[Value]) -> (String, Vec<Value>) {
    let mut out = String::with_capacity(sql.len());
    let mut used: Vec<usize> = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let n: usize = digits.parse().expect("a numbered parameter");
        let local = match used.iter().position(|&u| u == n) {
            Some(p) => p + 1,
            None => {
                used.push(n);
                used.len()
            }
        };
        out.push_str(&format!("${local}"));
    }
    let values = used.iter().map(|&n| values[n - 1].clone()).collect();
    (out, values)
}
