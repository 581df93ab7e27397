//! Spawns the real application on a random port against a fresh database: a temporary SQLite file,
//! or, when `TEST_DATABASE_URL` is set, a new PostgreSQL database created for the test.

use std::net::TcpListener;

use awc::http::StatusCode;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use xiaobao::accounts::{self, NewUser};
use xiaobao::actor::Actor;
use xiaobao::config::{Secret, Settings};
use xiaobao::http::Role;
use xiaobao::startup::Application;
use xiaobao::state::Clock;

pub struct TestApp {
    pub base: String,
    pub state: actix_web::web::Data<xiaobao::state::AppState>,
    pub database_url: String,
    pub db: DatabaseConnection,
    pub clock: Clock,
    client: awc::Client,
}

pub struct Response {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
    pub bytes: Vec<u8>,
}

/// Monday 2026-11-23 10:00 in Shanghai: an ordinary working day under Order 121.
pub fn monday() -> DateTime<Utc> {
    at("2026-11-23T02:00:00Z")
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn fresh_database_url() -> String {
    testkit::database::fresh("TEST_DATABASE_URL", "xiaobao_test").await
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings {
        host: "127.0.0.1".into(),
        port: 0,
        database_url: Secret::new(fresh_database_url().await),
        database_max_connections: 5,
        workers: false,
        // Each app its own evidence store.
        evidence_dir: std::env::temp_dir()
            .join(format!(
                "xiaobao-evidence-{}",
                uuid::Uuid::new_v4().simple()
            ))
            .to_string_lossy()
            .into_owned(),
        ..Settings::default()
    };
    configure(&mut settings);
    let database_url = settings.database_url.expose().to_owned();
    let clock = Clock::fixed(monday());
    let db = xiaobao::db::connect(&settings).await.expect("connect");
    xiaobao::db::migrate(&db).await.expect("migrate");
    xiaobao::routing::reference::load(&db, chrono::Utc::now())
        .await
        .expect("reference data");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_listener(settings, db.clone(), clock.clone(), listener)
        .await
        .expect("build");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    actix_web::rt::spawn(app.run());
    TestApp {
        base,
        state,
        database_url,
        db,
        clock,
        client: awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish(),
    }
}

impl TestApp {
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Response {
        self.send(method, path, headers, body.map(String::into_bytes))
            .await
    }

    /// POSTs raw bytes as JSON, for bodies that are not valid UTF-8.
    pub async fn request_bytes(&self, path: &str, body: Vec<u8>) -> Response {
        self.send(
            "POST",
            path,
            &[("content-type", "application/json")],
            Some(body),
        )
        .await
    }

    /// POSTs raw bytes with a content type, e.g. a PDF.
    pub async fn post_bytes(&self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        self.send("POST", path, &[("content-type", content_type)], Some(body))
            .await
    }

    /// POSTs `files` as `multipart/form-data` parts named `files`, with `headers`.
    pub async fn upload(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Response {
        self.file_with(path, headers, None, files).await
    }

    /// POSTs a creating request's JSON with its `files`, as `multipart/form-data`.
    pub async fn file_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        request: Option<&Value>,
        files: &[(&str, &[u8])],
    ) -> Response {
        let (content_type, body) = multipart_with(request, files);
        let mut all = vec![("content-type", content_type.as_str())];
        all.extend_from_slice(headers);
        self.send("POST", path, &all, Some(body)).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Response {
        let mut req = self
            .client
            .request(method.parse().unwrap(), format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .expect("request sent");
        let bytes = res.body().limit(10 * 1024 * 1024).await.expect("body read");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Response {
            status: res.status(),
            content_type: res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            headers: res.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], None).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Response {
        let auth = format!("Bearer {token}");
        self.request("GET", path, &[("authorization", &auth)], None)
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.request(
            "POST",
            path,
            &[("content-type", "application/json")],
            Some(body.to_string()),
        )
        .await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> Response {
        let auth = format!("Bearer {token}");
        self.request(
            "POST",
            path,
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            Some(body.to_string()),
        )
        .await
    }

    pub async fn put_as(&self, path: &str, token: &str, body: &Value) -> Response {
        self.json_as("PUT", path, token, body).await
    }

    pub async fn patch_as(&self, path: &str, token: &str, body: &Value) -> Response {
        self.json_as("PATCH", path, token, body).await
    }

    async fn json_as(&self, method: &str, path: &str, token: &str, body: &Value) -> Response {
        let auth = format!("Bearer {token}");
        self.request(
            method,
            path,
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            Some(body.to_string()),
        )
        .await
    }

    pub async fn delete_as(&self, path: &str, token: &str) -> Response {
        let auth = format!("Bearer {token}");
        self.request("DELETE", path, &[("authorization", &auth)], None)
            .await
    }

    pub async fn track(&self, receipt: &str, secret: &str) -> Response {
        self.request(
            "GET",
            &format!("/api/v1/track/{receipt}"),
            &[("x-access-secret", secret)],
            None,
        )
        .await
    }

    /// Creates an account directly and logs in over HTTP; returns the token.
    pub async fn staff(
        &self,
        username: &str,
        role: Role,
        bureau: Option<&str>,
        station: Option<&str>,
        business: Option<&str>,
    ) -> String {
        self.staff_with_email(username, role, bureau, station, business, None)
            .await
            .0
    }

    /// As `staff`, with a mail address; returns the token and the user id.
    pub async fn staff_with_email(
        &self,
        username: &str,
        role: Role,
        bureau: Option<&str>,
        station: Option<&str>,
        business: Option<&str>,
        email: Option<&str>,
    ) -> (String, String) {
        let password = "correct horse battery";
        let user = accounts::create_user(
            &self.db,
            NewUser {
                username: username.into(),
                password: password.into(),
                role,
                display_name: username.into(),
                email: email.map(Into::into),
                bureau_code: bureau.map(Into::into),
                station_id: station.map(Into::into),
                business_id: business.map(Into::into),
            },
            &Actor::System,
            self.clock.now(),
        )
        .await
        .expect("create user");
        let res = self
            .post(
                "/api/v1/auth/login",
                &json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        (res.body["token"].as_str().unwrap().to_owned(), user.id)
    }

    /// A business at 西塘 in the registry, as the business admin would register it; its id.
    pub async fn business(&self, name: &str, uscc_value: &str) -> String {
        use sea_orm::{ActiveModelTrait, Set};
        xiaobao::entities::business::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            name: Set(name.into()),
            uscc: Set(Some(uscc_value.into())),
            legal_representative: Set(None),
            address: Set(None),
            division_code: Set(Some("330421103".into())),
            created_at: Set(self.clock.now()),
            platform_role: Set(None),
            platform_business_id: Set(None),
        }
        .insert(&self.db)
        .await
        .unwrap()
        .id
    }

    /// A second connection to the same database, as another instance would have.
    pub async fn another_connection(&self) -> DatabaseConnection {
        let settings = Settings {
            database_url: Secret::new(self.database_url.clone()),
            ..Settings::default()
        };
        xiaobao::db::connect(&settings).await.unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

/// `files` as a `multipart/form-data` body of parts named `files`: its content type and bytes.
pub fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    multipart_with(None, files)
}

/// A creating request's JSON in a part named `request`, before `files`.
pub fn multipart_with(request: Option<&Value>, files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "xiaobao-test-boundary-7f3a";
    let mut body = Vec::new();
    if let Some(json) = request {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n{json}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A bucket of the S3-compatible server the tests use (`XIAOBAO_TEST_S3_ENDPOINT`, which
/// scripts/test.sh starts: moto's server on loopback) under a prefix of its own, the bucket
/// created when missing. `None` when the variable is unset: the S3 tests then pass without
/// running, as the PostgreSQL run needs `TEST_DATABASE_URL`.
pub async fn test_s3_store() -> Option<xiaobao::config::S3Store> {
    let endpoint = std::env::var("XIAOBAO_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())?;
    let bucket = "xiaobao-test";
    let res = awc::Client::default()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("the S3 server at XIAOBAO_TEST_S3_ENDPOINT answers");
    // 409: already made, by this run's earlier tests.
    assert!(
        res.status().is_success() || res.status() == StatusCode::CONFLICT,
        "creating the test bucket: {}",
        res.status()
    );
    Some(xiaobao::config::S3Store {
        bucket: bucket.into(),
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        prefix: format!("t-{}", uuid::Uuid::new_v4().simple()),
        allow_http: true,
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        session_token: None,
    })
}

/// A valid resident ID number with its GB 11643 check digit.
pub fn resident_id(first17: &str) -> String {
    let check = xiaobao::domain::identifiers::resident_id_check_char(first17).unwrap();
    format!("{first17}{check}")
}

/// A valid USCC with its GB 32100 check character.
pub fn uscc(first17: &str) -> String {
    let check = xiaobao::domain::identifiers::Uscc::compute_check_char(first17).unwrap();
    format!("{first17}{check}")
}

/// A complaint at 西塘 about a restaurant there, valid under Order 121.
pub fn complaint() -> Value {
    json!({
        "channel": "web",
        "category": "catering",
        "complainant": {
            "name": "张三",
            "phone": "13800000000",
            "address": "上海市青浦区朱家角镇北大街1号",
            "id_type": "resident_id",
            "id_number": resident_id("33042119900101123")
        },
        "respondent": {
            "name": "西塘某餐馆",
            "uscc": uscc("91330421MA2B3C4D5"),
            "address": "浙江省嘉兴市嘉善县西塘镇南大街8号"
        },
        "dispute": {
            "occurred_on": "2026-11-20",
            "division_code": "330421103",
            "goods_or_service": "晚餐",
            "amount_fen": 12800,
            "facts": "在餐馆就餐时菜品中发现异物，要求退款并赔偿。"
        },
        "demands": ["refund", "damages"],
        "choose_odr": false,
        "consent_to_publish": true,
        "conceal_identity_from_business": false
    })
}

pub fn assert_problem(res: &Response, status: u16, code: &str) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.content_type, "application/problem+json", "{}", res.text);
    assert_eq!(res.body["code"], code, "{}", res.text);
    assert_eq!(res.body["status"], status);
    assert!(
        res.body["type"].is_string()
            && res.body["title"].is_string()
            && res.body["detail"].is_string()
    );
}

pub fn error_fields(res: &Response) -> Vec<String> {
    res.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
