//! The harness's equipment: the dedicated PostgreSQL cluster, service processes, staff set-up,
//! an HTTP load generator that retries like a careful client, and the checks on what the database
//! and the SMTP sink hold afterwards.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use testkit::SmtpSink;

pub const PASSWORD: &str = "harness-Pa55word!";
/// The bureaus the generated complaints are routed to.
pub const BUREAUS: [&str; 3] = ["330421", "310118", "320509"];

pub fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `postgres://…:5433/postgres` of the harness's own cluster.
pub fn admin_url() -> String {
    env_or(
        "HARNESS_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5433/postgres".to_string(),
    )
}

/// Each intake client's pause between two complaints: steady load, not a flood, so the mail the
/// complaints cause drains within the run (HARNESS_PACE_MS, default 100).
pub fn pace() -> Duration {
    Duration::from_millis(env_or("HARNESS_PACE_MS", 100))
}

/// Work files (service logs) of this run.
pub fn work_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("xiaobao-harness");
    std::fs::create_dir_all(&dir).expect("create the harness work directory");
    dir
}

/// Drops and creates a database on the harness cluster; returns its URL.
pub async fn fresh_database(name: &str) -> String {
    testkit::database::fresh_postgres(&admin_url(), name).await
}

/// The PostgreSQL cluster the harness owns, stopped and started for the database-fault part.
pub fn cluster_ctl(action: &str) -> bool {
    let version = env_or("HARNESS_PG_VERSION", "15".to_string());
    let cluster = env_or("HARNESS_PG_CLUSTER", "harness".to_string());
    let mut args = vec!["--skip-systemctl-redirect", &version, &cluster, action];
    if action == "stop" {
        args.extend(["-m", "fast"]);
    }
    let ok = |args: &[&str]| {
        Command::new("pg_ctlcluster")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    ok(&args) || ok(&args[1..])
}

/// One service process (`xiaobao serve`) with its environment; killed with SIGKILL on drop.
pub struct Service {
    pub name: String,
    pub port: u16,
    pub env: Vec<(String, String)>,
    child: Option<Child>,
}

impl Service {
    pub fn new(name: &str, port: u16, database_url: &str, smtp_url: &str) -> Service {
        let env = [
            ("DATABASE_URL", database_url),
            ("PORT", &port.to_string()),
            ("XIAOBAO_HOST", "127.0.0.1"),
            ("SMTP_URL", smtp_url),
            ("XIAOBAO_DATABASE_MAX_CONNECTIONS", "10"),
            // While the database is down, answer 503 after a second rather than hold clients.
            ("XIAOBAO_DATABASE_ACQUIRE_TIMEOUT_SECONDS", "1"),
            ("XIAOBAO_MAIL_CLAIM_SECONDS", "10"),
            ("XIAOBAO_SWEEP_INTERVAL_SECONDS", "2"),
            // Every complaint is urgent and outside office hours, so each one mails the on-duty
            // staff at intake and its 2-hour first-contact deadline is reminded by the sweeper.
            (
                "XIAOBAO_URGENT_CATEGORIES",
                &testkit::complaints::CATEGORIES.join(","),
            ),
            ("XIAOBAO_OFFICE_OPENS", "00:00"),
            ("XIAOBAO_OFFICE_CLOSES", "00:00"),
            ("RUST_LOG", "warn"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Service {
            name: name.to_owned(),
            port,
            env,
            child: None,
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xiaobao"));
        cmd.args(args).envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// `xiaobao migrate`, then one `bureau_admin` with a mail address per bureau and `per_bureau`;
    /// returns (username, user id, bureau).
    pub fn prepare(&self, per_bureau: usize) -> Vec<(String, String, String)> {
        let out = self
            .command(&["migrate"])
            .output()
            .expect("run xiaobao migrate");
        assert!(
            out.status.success(),
            "migrate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut users = Vec::new();
        for bureau in BUREAUS {
            for n in 1..=per_bureau {
                let username = format!("admin{bureau}n{n}");
                let email = format!("{username}@harness.local");
                let out = self
                    .command(&[
                        "create-user",
                        "--username",
                        &username,
                        "--role",
                        "bureau_admin",
                        "--bureau",
                        bureau,
                        "--email",
                        &email,
                    ])
                    .env("XIAOBAO_NEW_PASSWORD", PASSWORD)
                    .output()
                    .expect("run xiaobao create-user");
                let text = String::from_utf8_lossy(&out.stdout);
                let id = text
                    .split(" id ")
                    .nth(1)
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_else(|| {
                        panic!(
                            "create-user: {text} {}",
                            String::from_utf8_lossy(&out.stderr)
                        )
                    });
                users.push((username, id, bureau.to_owned()));
            }
        }
        users
    }

    pub fn start(&mut self) {
        let log = work_dir().join(format!("{}.log", self.name));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the service log");
        let child = self
            .command(&["serve"])
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start xiaobao serve");
        self.child = Some(child);
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no shutdown hook runs, in-flight transactions are cut.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Resident memory now, in MB.
    pub fn rss_mb(&self) -> f64 {
        let Some(pid) = self.pid() else {
            return f64::NAN;
        };
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    }

    /// Waits for `/readyz`; returns how long it took.
    pub async fn wait_ready(&self, client: &awc::Client) -> Duration {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(res) = client.get(format!("{}/readyz", self.base())).send().await
                && res.status().is_success()
            {
                return started.elapsed();
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "{} did not become ready; see {}",
            self.name,
            work_dir().join(format!("{}.log", self.name)).display()
        );
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(15))
        .connector(awc::Connector::new().limit(256))
        .finish()
}

/// An HTTP answer, or `None` when the connection failed.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

pub async fn call(
    client: &awc::Client,
    method: &str,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Option<Answer> {
    let mut req = match method {
        "GET" => client.get(url),
        _ => client.post(url),
    };
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut res = match body {
        Some(b) => req
            .insert_header(("content-type", "application/json"))
            .send_body(b.to_string())
            .await
            .ok()?,
        None => req.send().await.ok()?,
    };
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = res.body().limit(16 << 20).await.ok()?;
    Some(Answer {
        status: res.status().as_u16(),
        content_type,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    })
}

pub async fn login(client: &awc::Client, base: &str, username: &str) -> String {
    let res = call(
        client,
        "POST",
        &format!("{base}/api/v1/auth/login"),
        None,
        &[],
        Some(&json!({"username": username, "password": PASSWORD})),
    )
    .await
    .expect("login answers");
    assert_eq!(res.status, 200, "login {username}: {}", res.body);
    res.body["token"].as_str().unwrap().to_owned()
}

/// Puts every admin on duty from an hour ago for two days, so urgent mail has recipients.
pub async fn put_on_duty(client: &awc::Client, base: &str, users: &[(String, String, String)]) {
    let now = chrono::Utc::now();
    for (username, id, bureau) in users {
        let token = login(client, base, username).await;
        let res = call(
            client,
            "POST",
            &format!("{base}/api/v1/bureaus/{bureau}/duty-roster"),
            Some(&token),
            &[],
            Some(&json!({
                "user_id": id,
                "starts_at": now - chrono::Duration::hours(1),
                "ends_at": now + chrono::Duration::days(2),
            })),
        )
        .await
        .expect("duty roster answers");
        assert_eq!(res.status, 201, "duty roster: {}", res.body);
    }
}

/// One complaint the load sent, and whether it was acknowledged with a 201.
#[derive(Clone)]
pub struct Sent {
    pub body: Value,
    pub receipt: Option<String>,
    pub access_secret: Option<String>,
    pub case_id: Option<String>,
}

/// Counts and latencies of one load run, shared by its workers.
#[derive(Default)]
pub struct Tally {
    pub sent: Vec<Sent>,
    /// (seconds since the load started, status or 0 for a connection failure, latency).
    pub answers: Vec<(f64, u16, Duration)>,
    /// Answers that were not problem+json though they were errors.
    pub bad_error_bodies: usize,
    pub stop: bool,
}

pub type Shared = Rc<RefCell<Tally>>;

/// Intake load: `workers` clients POST complaints with an Idempotency-Key to the given services
/// in turn, and retry the same key with the same body after a failure or a 5xx until it is
/// acknowledged, as a careful client does.
pub fn start_intake(
    client: &awc::Client,
    bases: Vec<String>,
    workers: usize,
    tag: &str,
    pace: Option<Duration>,
) -> (Shared, Vec<actix_web::rt::task::JoinHandle<()>>) {
    let tally: Shared = Rc::default();
    let started = Instant::now();
    let handles = (0..workers)
        .map(|w| {
            let (client, bases, tally, tag) =
                (client.clone(), bases.clone(), tally.clone(), tag.to_owned());
            actix_web::rt::spawn(async move {
                let mut rng = rand::rngs::StdRng::seed_from_u64(w as u64 * 7919 + 17);
                let mut n = 0usize;
                while !tally.borrow().stop {
                    n += 1;
                    let key = format!("{tag}-{w}-{n}");
                    let mut body = testkit::complaints::body(&mut rng);
                    let facts = format!("{} [{key}]", body["dispute"]["facts"].as_str().unwrap());
                    body["dispute"]["facts"] = facts.into();
                    let index = {
                        let mut t = tally.borrow_mut();
                        t.sent.push(Sent {
                            body: body.clone(),
                            receipt: None,
                            access_secret: None,
                            case_id: None,
                        });
                        t.sent.len() - 1
                    };
                    let mut attempt = 0;
                    loop {
                        attempt += 1;
                        let base = &bases[(w + n + attempt) % bases.len()];
                        let t0 = Instant::now();
                        let res = call(
                            &client,
                            "POST",
                            &format!("{base}/api/v1/complaints"),
                            None,
                            &[("idempotency-key", &key)],
                            Some(&body),
                        )
                        .await;
                        let latency = t0.elapsed();
                        let at = started.elapsed().as_secs_f64();
                        let (done, stop) = {
                            let mut t = tally.borrow_mut();
                            let done = match res {
                                Some(a) if a.status == 201 => {
                                    t.answers.push((at, 201, latency));
                                    let s = &mut t.sent[index];
                                    s.receipt =
                                        a.body["receipt_number"].as_str().map(str::to_owned);
                                    s.access_secret = a.body["access_secret"]
                                        .as_str()
                                        .filter(|s| !s.is_empty())
                                        .map(str::to_owned);
                                    s.case_id = a.body["id"].as_str().map(str::to_owned);
                                    true
                                }
                                Some(a) => {
                                    t.answers.push((at, a.status, latency));
                                    if a.content_type != "application/problem+json" {
                                        t.bad_error_bodies += 1;
                                    }
                                    if a.status < 500 {
                                        eprintln!("intake answered {}: {}", a.status, a.body);
                                    }
                                    a.status < 500
                                }
                                None => {
                                    t.answers.push((at, 0, latency));
                                    false
                                }
                            };
                            (done, t.stop)
                        };
                        if done {
                            break;
                        }
                        // Once the load stops, an unanswered complaint is given up: it was never
                        // acknowledged, so nothing is owed for it.
                        if stop && attempt > 200 {
                            break;
                        }
                        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                    }
                    if let Some(p) = pace {
                        actix_web::rt::time::sleep(p).await;
                    }
                }
            })
        })
        .collect();
    (tally, handles)
}

pub async fn stop(tally: &Shared, handles: Vec<actix_web::rt::task::JoinHandle<()>>) {
    tally.borrow_mut().stop = true;
    for h in handles {
        let _ = h.await;
    }
}

/// What the database holds for every acknowledged complaint, compared field by field.
pub struct CaseCheck {
    pub acknowledged: usize,
    pub missing: usize,
    pub duplicated: usize,
    pub mismatched: usize,
    pub half_written: usize,
    pub cases_in_db: usize,
}

impl CaseCheck {
    pub fn ok(&self) -> bool {
        self.missing == 0 && self.duplicated == 0 && self.mismatched == 0 && self.half_written == 0
    }
}

pub async fn check_cases(db: &DatabaseConnection, sent: &[Sent]) -> CaseCheck {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT c.receipt_number, c.channel, c.category, c.respondent_name, c.respondent_uscc, \
             c.goods_or_service, c.amount_fen, c.facts, c.dispute_division_code, \
             p.name AS p_name, p.phone AS p_phone, p.id_number AS p_id_number, \
             (SELECT count(*) FROM parties x WHERE x.case_id = c.id) AS parties, \
             (SELECT count(*) FROM deadlines x WHERE x.case_id = c.id) AS deadlines, \
             (SELECT count(*) FROM case_events x WHERE x.case_id = c.id) AS events, \
             (SELECT count(*) FROM audit_log x WHERE x.case_id = c.id) AS audits \
             FROM cases c LEFT JOIN parties p ON p.case_id = c.id AND p.role = 'complainant' AND p.position = 0",
        ))
        .await
        .expect("read the cases back");
    let mut by_facts: HashMap<String, Vec<HashMap<&str, String>>> = HashMap::new();
    let mut half_written = 0;
    for r in &rows {
        let s = |c: &str| {
            r.try_get::<Option<String>>("", c)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let n = |c: &str| r.try_get::<i64>("", c).unwrap_or(0);
        if n("parties") < 1 || n("deadlines") < 1 || n("events") < 2 || n("audits") < 1 {
            half_written += 1;
        }
        let mut m = HashMap::new();
        for c in [
            "receipt_number",
            "channel",
            "category",
            "respondent_name",
            "respondent_uscc",
            "goods_or_service",
            "dispute_division_code",
            "p_name",
            "p_phone",
            "p_id_number",
        ] {
            m.insert(c, s(c));
        }
        m.insert("amount_fen", n("amount_fen").to_string());
        by_facts.entry(s("facts")).or_default().push(m);
    }
    let mut check = CaseCheck {
        acknowledged: 0,
        missing: 0,
        duplicated: by_facts.values().filter(|v| v.len() > 1).count(),
        mismatched: 0,
        half_written,
        cases_in_db: rows.len(),
    };
    for s in sent {
        let Some(receipt) = &s.receipt else { continue };
        check.acknowledged += 1;
        let b = &s.body;
        let Some(found) = by_facts.get(b["dispute"]["facts"].as_str().unwrap()) else {
            check.missing += 1;
            continue;
        };
        let row = &found[0];
        let expect = [
            ("receipt_number", receipt.clone()),
            ("channel", b["channel"].as_str().unwrap().to_owned()),
            ("category", b["category"].as_str().unwrap().to_owned()),
            (
                "respondent_name",
                b["respondent"]["name"].as_str().unwrap().to_owned(),
            ),
            (
                "respondent_uscc",
                b["respondent"]["uscc"].as_str().unwrap().to_owned(),
            ),
            (
                "goods_or_service",
                b["dispute"]["goods_or_service"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
            (
                "dispute_division_code",
                b["dispute"]["division_code"].as_str().unwrap().to_owned(),
            ),
            ("amount_fen", b["dispute"]["amount_fen"].to_string()),
            (
                "p_name",
                b["complainant"]["name"].as_str().unwrap().to_owned(),
            ),
            (
                "p_phone",
                b["complainant"]["phone"].as_str().unwrap().to_owned(),
            ),
            (
                "p_id_number",
                b["complainant"]["id_number"].as_str().unwrap().to_owned(),
            ),
        ];
        let wrong: Vec<&str> = expect
            .iter()
            .filter(|(k, v)| row.get(k) != Some(v))
            .map(|(k, _)| *k)
            .collect();
        if !wrong.is_empty() {
            if check.mismatched < 3 {
                eprintln!("case {receipt} differs in {wrong:?}");
            }
            check.mismatched += 1;
        }
    }
    check
}

/// The outbox against the sink: every row sent, every row's Message-ID received, and how many
/// copies arrived more than once.
pub struct MailCheck {
    pub outbox: usize,
    pub unsent: usize,
    pub received: usize,
    pub distinct: usize,
    pub lost: usize,
    pub waited: Duration,
}

impl MailCheck {
    pub fn duplicates(&self) -> usize {
        self.received - self.distinct
    }
}

/// Open deadlines due within the reminder lead (24 hours) that nobody has been reminded of.
pub const UNREMINDED: &str = "SELECT count(*) AS n FROM deadlines WHERE status = 'open' \
     AND due_soon_notified_at IS NULL AND overdue_notified_at IS NULL \
     AND due_at <= now() + interval '24 hours'";

fn message_id(data: &str) -> Option<String> {
    data.lines()
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| l[11..].trim().to_owned())
}

/// Waits (up to `timeout`) until the outbox has nothing pending, then compares.
pub async fn drain_mail(db: &DatabaseConnection, sink: &SmtpSink, timeout: Duration) -> MailCheck {
    let started = Instant::now();
    let count = |sql: &'static str| async move {
        db.query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
    };
    while started.elapsed() < timeout {
        // Reminders the sweeper still owes would add mail: wait for those too.
        if count("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'").await == 0
            && count(UNREMINDED).await == 0
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    }
    let waited = started.elapsed();
    let outbox = count("SELECT count(*) AS n FROM outbox").await.max(0) as usize;
    let unsent = count("SELECT count(*) AS n FROM outbox WHERE status <> 'sent'")
        .await
        .max(0) as usize;
    let ids: Vec<i64> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM outbox",
        ))
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect();
    let messages = sink.messages();
    let received_ids: Vec<String> = messages
        .iter()
        .filter_map(|m| message_id(&m.data))
        .collect();
    let distinct: HashSet<&String> = received_ids.iter().collect();
    let lost = ids
        .iter()
        .filter(|id| !distinct.contains(&format!("<outbox-{id}@xiaobao>")))
        .count();
    MailCheck {
        outbox,
        unsent,
        received: messages.len(),
        distinct: distinct.len(),
        lost,
        waited,
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn connect(url: &str) -> DatabaseConnection {
    Database::connect(url)
        .await
        .expect("connect to the harness database")
}

/// A verdict line and whether it passed.
pub fn verdict(part: &str, pass: bool, why: &str) -> bool {
    println!(
        "{part}: {}{}",
        if pass { "PASS" } else { "FAIL" },
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        }
    );
    pass
}
