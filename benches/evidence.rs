//! Evidence uploads and downloads over HTTP on the embedded SQLite store.
//!
//! `cargo bench --bench evidence` (env: BENCH_UPLOADS, default 20; BENCH_CLIENTS, default 20;
//! BENCH_DOWNLOADS, default 5 a client; BENCH_PORT, default 18383). Starts the release binary
//! with a fresh SQLite file and evidence folder, files a complaint, then times uploads of a 5 MB,
//! 12-megapixel JPEG (recognised, hashed, stored, decoded, its thumbnail and its metadata-free
//! copy encoded and stored: the whole step as the consumer waits for it on loopback), and has 20 clients download a 10 MB file at once while
//! the server's resident memory is sampled: downloads stream from the store, so it stays flat.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::process::{Server, env_or, memory_mb};

/// A 4000 × 3000 photo (12 megapixels, a phone camera's) of about `size` bytes: a gradient
/// with grain, encoded at the lowest quality that reaches the size, with an EXIF segment holding
/// a location spliced in after its start marker (bytes 40..56 are the location's, free to vary).
fn photo(size: usize) -> Vec<u8> {
    use image::ImageEncoder;
    let (w, h) = (4000u32, 3000u32);
    let mut x: u32 = 0x1234_5678;
    let picture = image::RgbImage::from_fn(w, h, |i, j| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let grain = (x % 13) as i32 - 6;
        let c = |v: u32| (v as i32 + grain).clamp(0, 255) as u8;
        image::Rgb([c(i * 255 / w), c(j * 255 / h), c(128)])
    });
    let mut jpeg = Vec::new();
    for quality in [85, 88, 90, 92, 94, 96, 98] {
        jpeg.clear();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
            .write_image(picture.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        if jpeg.len() >= size {
            break;
        }
    }
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[
        0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    exif.extend_from_slice(b"GPS 30.8N 120.9E");
    let mut b = jpeg[..2].to_vec();
    b.extend_from_slice(&[0xFF, 0xE1]);
    b.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    b.extend(exif);
    b.extend_from_slice(&jpeg[2..]);
    b
}

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "xiaobao-bench-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[actix_web::main]
async fn main() {
    let uploads: usize = env_or("BENCH_UPLOADS", 20);
    let clients: usize = env_or("BENCH_CLIENTS", 20);
    let downloads: usize = env_or("BENCH_DOWNLOADS", 5);
    let port: u16 = env_or("BENCH_PORT", 18_383);
    let dir = std::env::temp_dir().join(format!("xiaobao-bench-evidence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_xiaobao"))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
            )
            .env("XIAOBAO_EVIDENCE_DIR", dir.join("blobs"))
            .env("XIAOBAO_EVIDENCE_MAX_FILES", (uploads + 2).to_string())
            .env("XIAOBAO_EVIDENCE_MAX_CASE_BYTES", (1u64 << 30).to_string())
            .env("XIAOBAO_EVIDENCE_MAX_FILE_BYTES", (12u64 << 20).to_string())
            .env("PORT", port.to_string())
            .env("XIAOBAO_HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .connector(awc::Connector::new().limit(clients * 2))
        .finish();
    let ready = Instant::now();
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            ready.elapsed() < Duration::from_secs(30),
            "server not ready"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }

    let body = testkit::complaints::body(&mut rand::rng());
    let mut filed = client
        .post(format!("{base}/api/v1/complaints"))
        .send_json(&body)
        .await
        .unwrap();
    let filed: serde_json::Value = filed.json().await.unwrap();
    let receipt = filed["receipt_number"].as_str().unwrap().to_owned();
    let secret = filed["access_secret"].as_str().unwrap().to_owned();
    let evidence = format!("{base}/api/v1/track/{receipt}/evidence");

    let picture = photo(5 << 20);
    let mut times = Vec::with_capacity(uploads);
    for i in 0..uploads {
        // Each upload a different photo, so each is stored (equal bytes are one blob).
        let mut p = picture.clone();
        p[40..48].copy_from_slice(&(i as u64).to_le_bytes());
        let (content_type, bytes) = multipart("dish.jpg", &p);
        let started = Instant::now();
        let mut res = client
            .post(&evidence)
            .insert_header(("x-access-secret", secret.as_str()))
            .content_type(content_type)
            .send_body(bytes)
            .await
            .unwrap();
        let _ = res.body().await;
        times.push(started.elapsed());
        assert_eq!(res.status(), 201, "upload {i}");
    }
    times.sort();
    println!(
        "upload of a {:.1} MB, 12-megapixel photo (decoded; stored with its thumbnail and its stripped copy): p50 {:.1} ms, max {:.1} ms over {uploads}  (goal < 300 ms)",
        picture.len() as f64 / (1 << 20) as f64,
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );

    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(10 << 20, b'0');
    let (content_type, bytes) = multipart("scan.pdf", &big);
    let mut res = client
        .post(&evidence)
        .insert_header(("x-access-secret", secret.as_str()))
        .content_type(content_type)
        .send_body(bytes)
        .await
        .unwrap();
    let added: serde_json::Value = res.json().limit(1 << 20).await.unwrap();
    let id = added[0]["id"].as_str().unwrap().to_owned();
    let url = format!("{evidence}/{id}");

    let before = memory_mb(server.pid(), "VmRSS");
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let pid = server.pid();
    let flag = sampling.clone();
    let sampler = std::thread::spawn(move || {
        let mut peak: f64 = 0.0;
        while flag.load(std::sync::atomic::Ordering::Relaxed) {
            peak = peak.max(memory_mb(pid, "VmRSS"));
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    });
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, secret) = (client.clone(), url.clone(), secret.clone());
            actix_web::rt::spawn(async move {
                for _ in 0..downloads {
                    let mut res = client
                        .get(&url)
                        .insert_header(("x-access-secret", secret.as_str()))
                        .send()
                        .await
                        .unwrap();
                    let got = res.body().limit(11 << 20).await.unwrap();
                    assert_eq!(got.len(), 10 << 20);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    let total_mb = (clients * downloads * 10) as f64;
    println!(
        "{clients} clients downloading a 10 MB file {downloads} times each: {:.0} MB/s; server RSS {before:.0} MB before, {peak:.0} MB at most during ({:+.0} MB)",
        total_mb / elapsed.as_secs_f64(),
        peak - before
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
