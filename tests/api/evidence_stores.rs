//! The evidence store behind its one interface, on both kinds: the folder and an S3-compatible
//! bucket on a real server (moto's, started by scripts/test.sh; these tests pass without running
//! when `XIAOBAO_TEST_S3_ENDPOINT` is unset). And the crash between the blobs and the rows: the
//! real `xiaobao serve` killed there, on each store, leaves no row and no row pointing at a
//! missing blob, and the orphaned blobs go with the sweep once past the grace period.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::EntityTrait;
use serde_json::Value;
use xiaobao::config::{EvidenceStore, S3Store, Secret, Settings};
use xiaobao::entities::evidence_file;

use crate::evidence::photo;
use crate::helpers::*;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A PDF of `size` bytes, most of it noise, so that a download spans many chunks.
fn big_pdf(size: usize) -> Vec<u8> {
    let mut b = PDF.to_vec();
    let mut x: u32 = 0x9e37_79b9;
    while b.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.push(x as u8);
    }
    b
}

/// The store as the test sees it, by its own means: the folder's files, or the bucket's keys
/// listed over plain HTTP (moto asks no signature), not through the service's client.
enum Store {
    Folder(PathBuf),
    S3(S3Store),
}

impl Store {
    fn folder() -> Store {
        Store::Folder(std::env::temp_dir().join(format!(
            "xiaobao-evidence-{}",
            uuid::Uuid::new_v4().simple()
        )))
    }

    /// The names of the blobs there (the SHA-256 of each).
    async fn names(&self) -> BTreeSet<String> {
        match self {
            Store::Folder(root) => std::fs::read_dir(root)
                .into_iter()
                .flatten()
                .flatten()
                .flat_map(|sub| {
                    std::fs::read_dir(sub.path())
                        .into_iter()
                        .flatten()
                        .flatten()
                })
                .map(|f| f.file_name().to_string_lossy().into_owned())
                .collect(),
            Store::S3(s) => {
                let url = format!(
                    "{}/{}?list-type=2&prefix={}/",
                    s.endpoint.as_deref().unwrap(),
                    s.bucket,
                    s.prefix
                );
                let mut res = awc::Client::default().get(url).send().await.unwrap();
                let xml = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
                assert!(xml.contains("<IsTruncated>false"), "{xml}");
                xml.split("<Key>")
                    .skip(1)
                    .filter_map(|k| k.split("</Key>").next())
                    .map(|k| k.rsplit('/').next().unwrap().to_owned())
                    .collect()
            }
        }
    }

    /// Writes a blob behind the service's back, as an upload that died before its row would.
    async fn plant(&self, name: &str, bytes: &'static [u8]) {
        match self {
            Store::Folder(root) => {
                std::fs::create_dir_all(root.join(&name[..2])).unwrap();
                std::fs::write(root.join(&name[..2]).join(name), bytes).unwrap();
            }
            Store::S3(s) => {
                let url = format!(
                    "{}/{}/{}/{}/{name}",
                    s.endpoint.as_deref().unwrap(),
                    s.bucket,
                    s.prefix,
                    &name[..2]
                );
                let res = awc::Client::default().put(url).send_body(bytes).await;
                assert!(res.unwrap().status().is_success());
            }
        }
    }

    fn settings(&self, s: &mut Settings) {
        match self {
            Store::Folder(root) => s.evidence_dir = root.to_string_lossy().into_owned(),
            Store::S3(s3) => s.evidence_store = EvidenceStore::S3(s3.clone()),
        }
    }

    /// The same as environment variables for `xiaobao serve`.
    fn env(&self) -> Vec<(&'static str, String)> {
        match self {
            Store::Folder(root) => vec![("XIAOBAO_EVIDENCE_DIR", root.display().to_string())],
            Store::S3(s) => vec![
                ("XIAOBAO_EVIDENCE_STORE", "s3".into()),
                ("XIAOBAO_S3_BUCKET", s.bucket.clone()),
                ("XIAOBAO_S3_ENDPOINT", s.endpoint.clone().unwrap()),
                ("XIAOBAO_S3_REGION", s.region.clone()),
                ("XIAOBAO_S3_PREFIX", s.prefix.clone()),
                ("XIAOBAO_S3_ALLOW_HTTP", "true".into()),
                ("AWS_ACCESS_KEY_ID", s.access_key_id.clone().unwrap()),
                (
                    "AWS_SECRET_ACCESS_KEY",
                    s.secret_access_key.clone().unwrap(),
                ),
            ],
        }
    }
}

async fn s3() -> Option<Store> {
    let s = test_s3_store().await.map(Store::S3);
    if s.is_none() {
        eprintln!("XIAOBAO_TEST_S3_ENDPOINT is unset: this S3 test did not run");
    }
    s
}

fn hex(bytes: &[u8]) -> String {
    xiaobao::evidence::store::sha256_hex(bytes)
}

#[actix_web::test]
async fn on_s3_files_go_up_and_come_back_byte_for_byte_streamed_from_the_bucket() {
    let Some(store) = s3().await else { return };
    let app = spawn_app_with(|s| store.settings(s)).await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let receipt = filed.body["receipt_number"].as_str().unwrap();
    let auth = [(
        "x-access-secret",
        filed.body["access_secret"].as_str().unwrap(),
    )];
    let path = format!("/api/v1/track/{receipt}/evidence");
    let big = big_pdf(3 << 20);
    let up = app
        .upload(&path, &auth, &[("dish.jpg", &photo()), ("合同.pdf", &big)])
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    // The original, its copy without metadata, its thumbnail, the PDF: four objects under the
    // prefix.
    let names = store.names().await;
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.contains(&hex(&photo())) && names.contains(&hex(&big)));

    for (i, bytes) in [photo(), big].iter().enumerate() {
        let id = up.body[i]["id"].as_str().unwrap();
        let got = app
            .request("GET", &format!("{path}/{id}"), &auth, None)
            .await;
        assert_eq!(got.status, 200, "{}", got.text);
        assert_eq!(
            got.headers.get("content-length").unwrap().to_str().unwrap(),
            bytes.len().to_string()
        );
        assert!(got.bytes == *bytes, "file {i} byte for byte");
    }
    // The same bytes again are the same object.
    let again = app.upload(&path, &auth, &[("again.jpg", &photo())]).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(store.names().await.len(), 4);
}

#[actix_web::test]
async fn on_s3_the_sweep_removes_orphans_past_the_grace_and_files_past_retention() {
    let Some(store) = s3().await else { return };
    let app = spawn_app_with(|s| {
        store.settings(s);
        s.evidence_orphan_grace_seconds = 2;
    })
    .await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    let receipt = filed.body["receipt_number"].as_str().unwrap().to_owned();
    let secret = filed.body["access_secret"].as_str().unwrap().to_owned();
    let auth = [("x-access-secret", secret.as_str())];
    let path = format!("/api/v1/track/{receipt}/evidence");
    let up = app.upload(&path, &auth, &[("a.pdf", PDF)]).await;
    assert_eq!(up.status, 201, "{}", up.text);
    let orphan = format!("ab{}", "0".repeat(62));
    store.plant(&orphan, b"left behind").await;

    let blobs = &app.state.env.blobs;
    let settings = &app.state.env.settings;
    let now = app.clock.now();
    let young = xiaobao::evidence::sweep::sweep(&app.db, blobs, settings, now)
        .await
        .unwrap();
    assert_eq!(young.orphans, 0, "within the grace period");
    // Past the grace period, whole seconds as S3 may keep its times.
    actix_web::rt::time::sleep(Duration::from_millis(3100)).await;
    let swept = xiaobao::evidence::sweep::sweep(&app.db, blobs, settings, now)
        .await
        .unwrap();
    assert_eq!(swept.orphans, 1);
    assert_eq!(store.names().await, BTreeSet::from([hex(PDF)]));

    let withdrawn = app
        .request(
            "POST",
            &format!("/api/v1/track/{receipt}/withdraw"),
            &[
                ("x-access-secret", &secret),
                ("content-type", "application/json"),
            ],
            Some("{}".into()),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    let later = now + chrono::Duration::days(3 * 365 + 1);
    let swept = xiaobao::evidence::sweep::sweep(&app.db, blobs, settings, later)
        .await
        .unwrap();
    assert_eq!(swept.expired, 1);
    assert!(store.names().await.is_empty());
    let id = up.body[0]["id"].as_str().unwrap();
    let gone = app
        .request("GET", &format!("{path}/{id}"), &auth, None)
        .await;
    assert_problem(&gone, 410, "evidence_removed");
}

/// `xiaobao serve` as its own process, on a free port.
struct Serve {
    child: Child,
    base: String,
    client: awc::Client,
}

impl Serve {
    async fn start(database_url: &str, store: &Store, extra: &[(&str, &str)]) -> Serve {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_xiaobao"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("PORT", port.to_string())
            .env("XIAOBAO_HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            // Any key: set only so that the service does not warn of a generated one.
            .env("XIAOBAO_SESSION_KEY", "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==")
            .envs(store.env())
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("start xiaobao serve");
        let serve = Serve {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish(),
        };
        let started = Instant::now();
        loop {
            let ready = serve.client.get(format!("{}/readyz", serve.base)).send();
            if ready.await.is_ok_and(|r| r.status().is_success()) {
                return serve;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "not ready");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn post(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, Value) {
        let mut req = self.client.post(format!("{}{path}", self.base));
        for h in headers {
            req = req.insert_header(*h);
        }
        let mut res = req.send_body(body).await.expect("an answer");
        let body = res.body().limit(1 << 20).await.unwrap();
        (
            res.status().as_u16(),
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        )
    }

    async fn upload(&self, receipt: &str, secret: &str, files: &[(&str, &[u8])]) -> (u16, Value) {
        let (content_type, body) = multipart(files);
        let headers = [
            ("content-type", content_type.as_str()),
            ("x-access-secret", secret),
        ];
        self.post(&format!("/api/v1/track/{receipt}/evidence"), &headers, body)
            .await
    }

    async fn download(&self, receipt: &str, secret: &str, id: &str) -> Vec<u8> {
        let url = format!("{}/api/v1/track/{receipt}/evidence/{id}", self.base);
        let mut res = self
            .client
            .get(url)
            .insert_header(("x-access-secret", secret))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        res.body().limit(16 << 20).await.unwrap().to_vec()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every row that keeps its file names blobs that are there.
async fn assert_no_dangling_row(db: &sea_orm::DatabaseConnection, store: &Store) {
    let names = store.names().await;
    for f in evidence_file::Entity::find().all(db).await.unwrap() {
        for sha in std::iter::once(&f.sha256)
            .chain(f.stripped_sha256.as_ref())
            .chain(f.thumbnail_sha256.as_ref())
        {
            assert!(
                names.contains(sha),
                "row {} names a missing blob {sha}",
                f.id
            );
        }
    }
}

/// Files one upload, kills the service between the next upload's blobs and its commit, and
/// restarts it: no row of the killed upload, none dangling, its blobs swept after the grace
/// period, the one before it and the next upload whole.
async fn a_crash_between_blobs_and_rows(store: Store) {
    let database_url = testkit::database::fresh("TEST_DATABASE_URL", "xiaobao_test").await;
    let db = xiaobao::db::connect(&Settings {
        database_url: Secret::new(database_url.clone()),
        ..Settings::default()
    })
    .await
    .unwrap();
    let quiet = [("XIAOBAO_WORKERS", "false")];

    let first = Serve::start(&database_url, &store, &quiet).await;
    let mut body = complaint();
    let yesterday = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    body["dispute"]["occurred_on"] = Value::from(yesterday.to_string());
    let (status, filed) = first
        .post(
            "/api/v1/complaints",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(status, 201, "{filed}");
    let receipt = filed["receipt_number"].as_str().unwrap().to_owned();
    let secret = filed["access_secret"].as_str().unwrap().to_owned();
    let (status, kept) = first.upload(&receipt, &secret, &[("a.pdf", PDF)]).await;
    assert_eq!(status, 201, "{kept}");
    drop(first);

    // Killed after the photo's blobs (the original, its copy and its thumbnail) and rows are written, before
    // the transaction commits.
    let mut doomed = Serve::start(
        &database_url,
        &store,
        &[quiet[0], ("XIAOBAO_FAULT", "evidence_before_commit")],
    )
    .await;
    let (content_type, upload) = multipart(&[("dish.jpg", &photo())]);
    let cut = doomed
        .client
        .post(format!("{}/api/v1/track/{receipt}/evidence", doomed.base))
        .insert_header(("content-type", content_type))
        .insert_header(("x-access-secret", secret.as_str()))
        .send_body(upload)
        .await;
    assert!(cut.is_err(), "no answer from a process that died");
    let died = doomed.child.wait().unwrap();
    assert!(!died.success(), "the service aborted: {died:?}");

    let rows = evidence_file::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 1, "only the first upload's row");
    assert_eq!(rows[0].sha256, hex(PDF));
    let names = store.names().await;
    assert!(
        names.contains(&hex(&photo())) && names.len() == 4,
        "the crash came after the blobs: {names:?}"
    );
    assert_no_dangling_row(&db, &store).await;

    // Restarted with its sweep every second and a grace period of two: the orphans go.
    let again = Serve::start(
        &database_url,
        &store,
        &[
            ("XIAOBAO_SWEEP_INTERVAL_SECONDS", "1"),
            ("XIAOBAO_EVIDENCE_ORPHAN_GRACE_SECONDS", "2"),
        ],
    )
    .await;
    let started = Instant::now();
    while store.names().await != BTreeSet::from([hex(PDF)]) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the orphans stay: {:?}",
            store.names().await
        );
        actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    }
    assert_no_dangling_row(&db, &store).await;
    let (status, added) = again
        .upload(&receipt, &secret, &[("dish.jpg", &photo())])
        .await;
    assert_eq!(status, 201, "{added}");
    let id = added[0]["id"].as_str().unwrap();
    assert_eq!(again.download(&receipt, &secret, id).await, photo());
    assert_eq!(
        evidence_file::Entity::find().all(&db).await.unwrap().len(),
        2
    );
    assert_no_dangling_row(&db, &store).await;
}

#[actix_web::test]
async fn a_crash_between_blobs_and_rows_in_the_folder_leaves_no_row_and_the_sweep_takes_the_orphans()
 {
    a_crash_between_blobs_and_rows(Store::folder()).await;
}

#[actix_web::test]
async fn a_crash_between_blobs_and_rows_on_s3_leaves_no_row_and_the_sweep_takes_the_orphans() {
    let Some(store) = s3().await else { return };
    a_crash_between_blobs_and_rows(store).await;
}
