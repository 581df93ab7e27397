//! Statistics, weekly ranking and a mediator's work list on PostgreSQL with 2 million complaints,
//! through the API and through the workbench's pages (the work list unfiltered, filtered and
//! searched, a case view, a bureau-year dashboard), and the consumer's pages on the same rows.
//!
//! `cargo bench --bench oversight` (env: BENCH_DATABASE_URL, default
//! postgres://postgres@127.0.0.1:5432/postgres; BENCH_ROWS, default 2000000; BENCH_REUSE=1 keeps
//! an already generated database). Generates the rows server-side with generate_series, starts the
//! release binary on them, and prints latency figures over HTTP.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use testkit::process::{Server, env_or};

const DB: &str = "xiaobao_bench_oversight";

fn xiaobao(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xiaobao"));
    c.env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env("XIAOBAO_WORKERS", "false");
    c
}

/// Cases spread over a year across the four built-in bureaus and their stations, with the
/// deadlines, outcomes and money a real year would have.
const GENERATE: &str = r#"
INSERT INTO cases (id, kind, receipt_number, access_secret_hash, status, channel, category, rule_set, received_at,
  complainant_key, respondent_key, respondent_name, respondent_uscc, respondent_address, respondent_division_code,
  occurred_on, dispute_division_code, goods_or_service, amount_fen, facts, demands, evidence, choose_odr,
  consent_to_publish, conceal_identity, anonymous, bureau_code, station_id, routing_rule, created_at, updated_at,
  outcome, closed_at, amount_recovered_fen, odr_state, odr_escalated_at)
SELECT 'gen-' || g,
  CASE WHEN g % 10 = 0 THEN 'report' ELSE 'complaint' END,
  'GEN' || g, 'x',
  CASE WHEN g % 10 = 0 THEN 'pending_verification' ELSE (ARRAY['pending_acceptance','accepted','in_mediation','closed','closed','closed'])[1 + (g / 3) % 6] END,
  (ARRAY['web','app','hotline_12315','mini_program'])[1 + g % 4],
  (ARRAY['food','catering','general_goods','prepaid_card','services','ecommerce'])[1 + (g / 7) % 6],
  'order-121', r.at, 'c' || (g % 400000), 'uscc:R' || (g % 5000), '商户' || (g % 5000), NULL, '某地某路',
  NULL, DATE '2025-11-30', '330421103', '商品', (g % 50000) * 10, '事实描述', '["refund"]', '[]', false,
  g % 5 <> 0, false, false,
  (ARRAY['330421','310118','320509','320412'])[1 + g % 4],
  CASE g % 4 WHEN 0 THEN (ARRAY['S330421103','S330421111','S330421112'])[1 + (g / 4) % 3]
             WHEN 1 THEN (ARRAY['S310118104','S310118102'])[1 + (g / 4) % 2]
             WHEN 2 THEN 'S320509110' ELSE NULL END,
  'respondent_published_address', r.at, r.at,
  CASE WHEN g % 10 <> 0 AND (g / 3) % 6 >= 3 THEN (ARRAY['mediated_agreement','terminated','settled_by_enterprise'])[1 + g % 3] END,
  CASE WHEN g % 10 <> 0 AND (g / 3) % 6 >= 3 THEN r.at + INTERVAL '20 days' END,
  CASE WHEN g % 10 <> 0 AND (g / 3) % 6 >= 3 AND g % 3 <> 1 THEN (g % 50000) * 8 END,
  CASE WHEN g % 10 <> 0 AND g % 7 = 0 THEN (ARRAY['settled','escalated'])[1 + g % 2] END,
  CASE WHEN g % 10 <> 0 AND g % 7 = 0 AND g % 2 = 1 THEN r.at + INTERVAL '10 days' END
FROM generate_series(1, $ROWS) AS g,
LATERAL (SELECT TIMESTAMPTZ '2025-12-01 00:00:00+08' + ((g::bigint * 7919) % 31536000) * INTERVAL '1 second' AS at) r;

INSERT INTO deadlines (case_id, kind, rule_set, starts_at, due_at, due_date, provisional, status, explanation, extended)
SELECT id, CASE WHEN kind = 'report' THEN 'report_verification' ELSE 'acceptance' END, 'order-121', received_at,
  received_at + INTERVAL '9 days', (received_at + INTERVAL '9 days')::date, false,
  (ARRAY['met','met','met','met','missed'])[1 + abs(hashtext(id)) % 5], '{}', false
FROM cases WHERE id LIKE 'gen-%';

INSERT INTO deadlines (case_id, kind, rule_set, starts_at, due_at, due_date, provisional, status, explanation, extended)
SELECT id, 'mediation', 'order-121', received_at, received_at + INTERVAL '60 days', (received_at + INTERVAL '60 days')::date, false,
  CASE WHEN status = 'closed' THEN (ARRAY['met','met','met','missed'])[1 + abs(hashtext(id)) % 4] ELSE 'open' END, '{}', false
FROM cases WHERE id LIKE 'gen-%' AND status IN ('accepted', 'in_mediation', 'closed');
"#;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1].as_secs_f64()
        * 1000.0
}

/// The first request's time (cold: the rows it needs may still be on disk), then `n` more, sorted.
async fn timed(
    client: &awc::Client,
    url: &str,
    (header, value): (&str, &str),
    n: usize,
) -> (Duration, Vec<Duration>) {
    let mut out = Vec::with_capacity(n + 1);
    for _ in 0..=n {
        let t = Instant::now();
        let mut res = client
            .get(url)
            .insert_header((header, value))
            .send()
            .await
            .expect("request");
        let body = res.body().limit(1 << 24).await.expect("body");
        assert!(
            res.status().is_success(),
            "{url}: {} {}",
            res.status(),
            String::from_utf8_lossy(&body)
        );
        out.push(t.elapsed());
    }
    let first = out.remove(0);
    out.sort();
    (first, out)
}

/// The `xiaobao_session` cookie of an answer, as `name=value`.
fn session_cookie<S>(res: &awc::ClientResponse<S>) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("xiaobao_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The CSRF token of a page's form.
async fn csrf_token<S>(page: &mut awc::ClientResponse<S>) -> String
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let html = String::from_utf8_lossy(&page.body().await.expect("body")).into_owned();
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a CSRF token") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Logs `user` in through the workbench's login form; the session cookie.
async fn staff_session(client: &awc::Client, base: &str, user: &str) -> String {
    let mut form = client
        .get(format!("{base}/staff/login"))
        .send()
        .await
        .expect("login page");
    let cookie = session_cookie(&form).expect("a session");
    let token = csrf_token(&mut form).await;
    let res = client
        .post(format!("{base}/staff/login"))
        .insert_header(("cookie", cookie.as_str()))
        .send_form(&[
            ("csrf_token", token.as_str()),
            ("username", user),
            ("password", "bench password 1"),
        ])
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 303, "the login form answers 303");
    session_cookie(&res).unwrap_or(cookie)
}

#[actix_web::main]
async fn main() {
    let base_url: String = env_or(
        "BENCH_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres".to_string(),
    );
    let rows: u64 = env_or("BENCH_ROWS", 2_000_000);
    let reuse = std::env::var("BENCH_REUSE").is_ok_and(|v| v == "1");
    let port: u16 = env_or("BENCH_PORT", 18_282);
    let (server_url, _) = base_url.rsplit_once('/').unwrap();
    let url = format!("{server_url}/{DB}");

    let admin = Database::connect(&base_url)
        .await
        .expect("BENCH_DATABASE_URL reachable");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 AS x FROM pg_database WHERE datname = '{DB}'"),
        ))
        .await
        .unwrap()
        .is_some();
    if !(reuse && exists) {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {DB}"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {DB}"))
            .await
            .unwrap();
        assert!(
            xiaobao(&url)
                .arg("migrate")
                .stdout(Stdio::null())
                .status()
                .unwrap()
                .success()
        );
        let db = Database::connect(&url).await.unwrap();
        let t = Instant::now();
        db.execute_unprepared(&GENERATE.replace("$ROWS", &rows.to_string()))
            .await
            .expect("generate");
        // A live database is vacuumed by autovacuum; a fresh bulk load is not yet.
        for table in ["cases", "deadlines"] {
            db.execute_unprepared(&format!("VACUUM ANALYZE {table}"))
                .await
                .expect("vacuum");
        }
        println!(
            "generated {rows} cases with their deadlines in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        for (user, role, binding) in [
            ("bench-admin", "bureau_admin", ["--bureau", "330421"]),
            ("bench-mediator", "mediator", ["--station", "S330421103"]),
        ] {
            let ok = xiaobao(&url)
                .env("XIAOBAO_NEW_PASSWORD", "bench password 1")
                .args([
                    "create-user",
                    "--username",
                    user,
                    "--role",
                    role,
                    binding[0],
                    binding[1],
                ])
                .stdout(Stdio::null())
                .status()
                .unwrap()
                .success();
            assert!(ok, "create {user}");
        }
    }
    let server = Server(
        xiaobao(&url)
            .env("PORT", port.to_string())
            .env("XIAOBAO_HOST", "127.0.0.1")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server"),
    );
    let base = format!("http://127.0.0.1:{port}");
    // Redirects are not followed: the login form's 303 carries the session cookie.
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .max_redirects(0)
        .finish();
    for _ in 0..300 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let login = |user: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let mut res = client
                .post(format!("{base}/api/v1/auth/login"))
                .send_json(&serde_json::json!({"username": user, "password": "bench password 1"}))
                .await
                .expect("login");
            let v: serde_json::Value = res.json().await.expect("token");
            v["token"].as_str().expect("token").to_owned()
        }
    };
    let admin_token = login("bench-admin").await;
    let mediator_token = login("bench-mediator").await;

    println!("PostgreSQL, {rows} cases (bureau 330421 holds a quarter)");
    let (cold, stats) = timed(
        &client,
        &format!("{base}/api/v1/statistics?from=2026-10-01&to=2026-10-31"),
        ("authorization", &format!("Bearer {admin_token}")),
        20,
    )
    .await;
    println!(
        "  monthly statistics   p50 {:>8.1} ms  max {:>8.1} ms  first {:>8.1} ms  (goal < 1000)",
        percentile(&stats, 0.5),
        percentile(&stats, 1.0),
        cold.as_secs_f64() * 1000.0
    );
    let (cold, ranking) = timed(
        &client,
        &format!("{base}/api/v1/oversight/ranking?week_of=2026-10-14"),
        ("authorization", &format!("Bearer {admin_token}")),
        20,
    )
    .await;
    println!(
        "  weekly ranking       p50 {:>8.1} ms  max {:>8.1} ms  first {:>8.1} ms  (goal < 1000)",
        percentile(&ranking, 0.5),
        percentile(&ranking, 1.0),
        cold.as_secs_f64() * 1000.0
    );
    let (_, worklist) = timed(
        &client,
        &format!("{base}/api/v1/cases?status=in_mediation&limit=50"),
        ("authorization", &format!("Bearer {mediator_token}")),
        500,
    )
    .await;
    println!(
        "  mediator work list   p50 {:>8.2} ms  p99 {:>8.2} ms  (goal p99 < 20)",
        percentile(&worklist, 0.5),
        percentile(&worklist, 0.99)
    );

    println!("Workbench pages (server-rendered HTML, the same queries as the API)");
    let mediator = staff_session(&client, &base, "bench-mediator").await;
    let admin = staff_session(&client, &base, "bench-admin").await;
    let mut res = client
        .get(format!("{base}/api/v1/cases?status=in_mediation&limit=1"))
        .insert_header(("authorization", format!("Bearer {mediator_token}")))
        .send()
        .await
        .expect("a case");
    let one: serde_json::Value = res.json().limit(1 << 24).await.expect("cases");
    let case_id = one[0]["id"]
        .as_str()
        .expect("a case in mediation")
        .to_owned();
    for (what, path, cookie, n, goal) in [
        ("work list", "/staff".to_owned(), &mediator, 300, "p99 < 50"),
        (
            "work list, filtered",
            "/staff?status=in_mediation&category=food&deadline=due_soon".to_owned(),
            &mediator,
            300,
            "p99 < 50",
        ),
        ("work list, searched", "/staff?q=%E5%95%86%E6%88%B7420".to_owned(), &mediator, 300, "p99 < 50"),
        ("bureau work list", "/staff".to_owned(), &admin, 300, "p99 < 50"),
        ("case view", format!("/staff/cases/{case_id}"), &mediator, 300, "p99 < 50"),
        (
            "dashboard, a year",
            "/staff/dashboard?from_year=2025&from_month=12&from_day=1&to_year=2026&to_month=11&to_day=30"
                .to_owned(),
            &admin,
            10,
            "max < 1000",
        ),
    ] {
        let (cold, times) = timed(&client, &format!("{base}{path}"), ("cookie", cookie), n).await;
        println!(
            "  {what:<20} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  first {:>8.1} ms  (goal {goal})",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            cold.as_secs_f64() * 1000.0
        );
    }
    consumer_pages(&client, &base).await;
    drop(server);
}

/// The consumer's pages on the same database: a complaint filed through the API and followed on
/// its page, the start, filing, tracking, verification and public-record pages, and what a first
/// visit to the start page transfers.
async fn consumer_pages(client: &awc::Client, base: &str) {
    println!("Consumer pages (server-rendered HTML, no account)");
    let body = testkit::complaints::body(&mut rand::rng());
    let mut filed = client
        .post(format!("{base}/api/v1/complaints"))
        .send_json(&body)
        .await
        .expect("file");
    let filed: serde_json::Value = filed.json().await.expect("receipt");
    let receipt = filed["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let secret = filed["access_secret"].as_str().expect("secret").to_owned();
    // The tracking form once, as a consumer would: then the session holds the case.
    let mut form = client
        .get(format!("{base}/track"))
        .send()
        .await
        .expect("form");
    let cookie = session_cookie(&form).expect("a session");
    let token = csrf_token(&mut form).await;
    let res = client
        .post(format!("{base}/track"))
        .insert_header(("cookie", cookie.as_str()))
        .send_form(&[
            ("csrf_token", token.as_str()),
            ("receipt", receipt.as_str()),
            ("secret", secret.as_str()),
        ])
        .await
        .expect("claim");
    assert_eq!(res.status().as_u16(), 303, "the tracking form answers 303");
    let cookie = session_cookie(&res).unwrap_or(cookie);
    for (what, path) in [
        ("start page", "/".to_owned()),
        ("file a complaint", "/complaint".to_owned()),
        ("track: the form", "/track".to_owned()),
        ("track: the case", "/track/case".to_owned()),
        ("verify a 调解书", "/verify".to_owned()),
        (
            "a business's record",
            format!(
                "/record/{}",
                body["respondent"]["uscc"].as_str().expect("a USCC")
            ),
        ),
    ] {
        let (cold, times) = timed(client, &format!("{base}{path}"), ("cookie", &cookie), 300).await;
        println!(
            "  {what:<20} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  first {:>8.1} ms  (goal p99 < 20)",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            cold.as_secs_f64() * 1000.0
        );
    }
    // A first visit: the start page and every asset it links to, as sent (compressed or not).
    let mut page = client
        .get(format!("{base}/"))
        .insert_header(("accept-encoding", "identity"))
        .send()
        .await
        .expect("start");
    let html = String::from_utf8_lossy(&page.body().await.expect("body")).into_owned();
    let mut total = html.len();
    let mut assets = Vec::new();
    for attr in ["href=\"/static/", "src=\"/static/"] {
        for (at, _) in html.match_indices(attr) {
            let from = at + attr.len() - "/static/".len();
            let end = from + html[from..].find('"').unwrap();
            assets.push(html[from..end].to_owned());
        }
    }
    assets.sort();
    assets.dedup();
    for a in &assets {
        let mut res = client
            .get(format!("{base}{a}"))
            .insert_header(("accept-encoding", "identity"))
            .send()
            .await
            .expect("asset");
        total += res.body().limit(1 << 22).await.expect("asset body").len();
    }
    println!(
        "  first visit to the start page: {:.1} KB uncompressed (HTML and {} assets; goal < 100 KB)",
        total as f64 / 1024.0,
        assets.len()
    );
}
