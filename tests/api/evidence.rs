//! Evidence over HTTP: files recognised by content, limits, who receives what (a desk never the
//! original of a consumer's photo), audited downloads, idempotent uploads, and the sweep of
//! orphaned blobs and of files past retention.

use serde_json::Value;
use sha2::{Digest, Sha256};
use xiaobao::http::Role;

use crate::helpers::*;

/// A small JPEG whose EXIF segment holds a location (and says it is turned a quarter).
pub(crate) fn photo() -> Vec<u8> {
    photo_of(16, 8)
}

/// A `width` × `height` JPEG, encoded by `image`, with an EXIF segment spliced in after its start
/// marker: orientation 6 (show it turned 90°) and a location's bytes.
pub(crate) fn photo_of(width: u32, height: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 160])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
        .write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[
        0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    exif.extend_from_slice(b"GPS 30.8N 120.9E");
    let mut b = plain[..2].to_vec();
    b.extend_from_slice(&[0xFF, 0xE1]);
    b.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    b.extend(exif);
    b.extend_from_slice(&plain[2..]);
    b
}

/// A PNG of a few dozen bytes declaring 100 000 × 100 000 pixels: a decompression bomb's header.
fn png_bomb() -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &byte in data {
            c ^= u32::from(byte);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc32(&[kind, data].concat()).to_be_bytes());
        c
    }
    let mut ihdr = 100_000u32.to_be_bytes().repeat(2);
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend(chunk(b"IHDR", &ihdr));
    b.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0, 0, 0, 0, 1]));
    b.extend(chunk(b"IEND", &[]));
    b
}

pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const HEIC: &[u8] = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic....";

pub(crate) fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

struct Filed {
    id: String,
    receipt: String,
    secret: String,
}

async fn file(app: &TestApp, body: &Value) -> Filed {
    let res = app.post("/api/v1/complaints", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    Filed {
        id: res.body["id"].as_str().unwrap().into(),
        receipt: res.body["receipt_number"].as_str().unwrap().into(),
        secret: res.body["access_secret"].as_str().unwrap().into(),
    }
}

impl Filed {
    fn evidence(&self) -> String {
        format!("/api/v1/track/{}/evidence", self.receipt)
    }
}

pub(crate) fn blobs(app: &TestApp) -> Vec<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(&app.state.env.settings.evidence_dir);
    let mut out = Vec::new();
    for sub in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(sub.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.push(f.path());
        }
    }
    out
}

#[actix_web::test]
async fn a_consumer_adds_a_photo_and_a_pdf_and_gets_them_back_byte_for_byte() {
    let app = spawn_app().await;
    let f = file(&app, &complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let up = app
        .upload(
            &f.evidence(),
            &auth,
            &[("发票.pdf", PDF), ("dish.jpg", &photo())],
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let files = up.body.as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file_name"], "发票.pdf");
    assert_eq!(files[0]["media_type"], "application/pdf");
    assert_eq!(files[0]["sha256"], hex(PDF));
    assert_eq!(files[1]["media_type"], "image/jpeg");
    assert_eq!(files[1]["size"], photo().len());
    assert_eq!(files[1]["uploaded_by"], "consumer");

    let listed = app.request("GET", &f.evidence(), &auth, None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.text);
    let id = files[1]["id"].as_str().unwrap();
    let got = app
        .request("GET", &format!("{}/{id}", f.evidence()), &auth, None)
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, photo(), "the original, byte for byte");
    assert_eq!(got.content_type, "image/jpeg");
    let header = |name: &str| got.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert!(header("content-disposition").starts_with("attachment"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");

    // On the timeline, and the downloads in the audit trail.
    let tracked = app.track(&f.receipt, &f.secret).await;
    assert!(tracked.text.contains("补充证据 2 份"), "{}", tracked.text);
    assert_eq!(
        app.count("audit_log WHERE action = 'evidence.download'")
            .await,
        1
    );
    // Without the secret nothing is listed.
    let anonymous = app.request("GET", &f.evidence(), &[], None).await;
    assert_ne!(anonymous.status, 200);
}

#[actix_web::test]
async fn a_file_of_another_kind_is_refused_by_its_content_and_nothing_is_stored() {
    let app = spawn_app().await;
    let f = file(&app, &complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let up = app
        .upload(
            &f.evidence(),
            &auth,
            &[
                ("dish.jpg", &photo()),
                ("invoice.jpg", b"MZ\x90\0 not a picture"),
            ],
        )
        .await;
    assert_problem(&up, 422, "validation_failed");
    assert_eq!(error_fields(&up), vec!["files[1]"]);
    assert!(
        up.text.contains("invoice.jpg"),
        "the file is named: {}",
        up.text
    );
    assert_eq!(app.count("evidence_files").await, 0);
    assert!(
        blobs(&app).is_empty(),
        "no blob written for a refused upload"
    );
    let empty = app.upload(&f.evidence(), &auth, &[]).await;
    assert_problem(&empty, 422, "validation_failed");
    // Not multipart at all: a problem, not a bare 400.
    let json = app
        .request(
            "POST",
            &f.evidence(),
            &[
                ("x-access-secret", &f.secret),
                ("content-type", "application/json"),
            ],
            Some("{}".into()),
        )
        .await;
    assert!(json.status.is_client_error(), "{}", json.text);
    assert_eq!(
        json.content_type, "application/problem+json",
        "{}",
        json.text
    );
}

#[actix_web::test]
async fn the_limits_of_a_file_and_of_a_case_hold() {
    let app = spawn_app_with(|s| {
        s.evidence_max_file_bytes = 1000;
        s.evidence_max_files = 2;
    })
    .await;
    let f = file(&app, &complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let mut big = PDF.to_vec();
    big.resize(1001, b' ');
    let too_big = app.upload(&f.evidence(), &auth, &[("big.pdf", &big)]).await;
    assert_problem(&too_big, 422, "validation_failed");
    assert!(too_big.text.contains("big.pdf"));
    let two = app
        .upload(&f.evidence(), &auth, &[("a.pdf", PDF), ("b.jpg", &photo())])
        .await;
    assert_eq!(two.status, 201, "{}", two.text);
    let third = app.upload(&f.evidence(), &auth, &[("c.pdf", PDF)]).await;
    assert_problem(&third, 422, "validation_failed");
    assert!(third.text.contains("at most 2 files"), "{}", third.text);
    assert_eq!(app.count("evidence_files").await, 2);
}

#[actix_web::test]
async fn a_desk_gets_a_consumers_photo_only_without_its_location_and_staff_get_the_original() {
    let app = spawn_app().await;
    let desk = crate::odr::enrolled_business(&app).await;
    let f = file(&app, &crate::odr::odr_complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let up = app
        .upload(
            &f.evidence(),
            &auth,
            &[("dish.jpg", &photo()), ("IMG_1.heic", HEIC)],
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let jpeg = up.body[0]["id"].as_str().unwrap().to_owned();
    let heic = up.body[1]["id"].as_str().unwrap().to_owned();
    let path = |id: &str| format!("/api/v1/cases/{}/evidence/{id}", f.id);

    let listed = app
        .get_as(&format!("/api/v1/cases/{}/evidence", f.id), &desk.agent)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2, "{}", listed.text);
    let copy = app.get_as(&path(&jpeg), &desk.agent).await;
    assert_eq!(copy.status, 200, "{}", copy.text);
    assert!(
        !contains(&copy.bytes, b"GPS"),
        "no location for the business"
    );
    // Its EXIF keeps only how it stands (the TIFF header and the one orientation tag), so that
    // it is shown upright as the original is.
    use image::ImageDecoder;
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&copy.bytes)).unwrap();
    assert_eq!(decoder.exif_metadata().unwrap().map(|e| e.len()), Some(26));
    let orientation = decoder.orientation().unwrap();
    let mut decoded = image::DynamicImage::from_decoder(decoder).expect("a JPEG that decodes");
    decoded.apply_orientation(orientation);
    assert_eq!(
        (decoded.width(), decoded.height()),
        (8, 16),
        "turned upright as its EXIF says"
    );
    let heic_to_desk = app.get_as(&path(&heic), &desk.agent).await;
    assert_problem(&heic_to_desk, 403, "forbidden");

    let mediator = app
        .staff(
            "xitang",
            Role::Mediator,
            Some("330421"),
            Some("S330421103"),
            None,
        )
        .await;
    let original = app.get_as(&path(&jpeg), &mediator).await;
    assert_eq!(original.bytes, photo());
    assert_eq!(
        app.count("audit_log WHERE action = 'evidence.download'")
            .await,
        2,
        "the copy and the original; the refusal served nothing"
    );

    // The desk adds its own file; another business's desk sees nothing of the case.
    let added = app
        .upload(
            &format!("/api/v1/cases/{}/evidence", f.id),
            &[("authorization", &format!("Bearer {}", desk.agent))],
            &[("receipt.pdf", PDF)],
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.body[0]["uploaded_by"], "business");
    let other = app.business("另一家店", &uscc("91330421MA2B3C4D6")).await;
    let stranger = app
        .staff("desk9", Role::EnterpriseAgent, None, None, Some(&other))
        .await;
    let hidden = app.get_as(&path(&jpeg), &stranger).await;
    assert_problem(&hidden, 404, "not_found");
    // The consumer lists only what they added.
    let mine = app.request("GET", &f.evidence(), &auth, None).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_retried_upload_with_its_key_stores_the_files_once() {
    let app = spawn_app().await;
    let f = file(&app, &complaint()).await;
    let headers = [
        ("x-access-secret", f.secret.as_str()),
        ("idempotency-key", "upload-1"),
    ];
    let first = app.upload(&f.evidence(), &headers, &[("a.pdf", PDF)]).await;
    let again = app.upload(&f.evidence(), &headers, &[("a.pdf", PDF)]).await;
    assert_eq!(first.status, 201);
    assert_eq!(again.status, 201);
    assert_eq!(first.body, again.body);
    assert_eq!(app.count("evidence_files").await, 1);
    let other = app.upload(&f.evidence(), &headers, &[("b.pdf", PDF)]).await;
    assert_eq!(
        other.status, 422,
        "the same key for other files: {}",
        other.text
    );
}

#[actix_web::test]
async fn the_sweep_removes_orphaned_blobs_and_files_past_retention_and_keeps_the_rest() {
    let app = spawn_app().await;
    let f = file(&app, &complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let up = app
        .upload(&f.evidence(), &auth, &[("a.pdf", PDF), ("b.jpg", &photo())])
        .await;
    let id = up.body[0]["id"].as_str().unwrap().to_owned();
    // A blob no row names, as a crash between the blob and the row leaves it, and the kept blob,
    // both older than the grace period.
    let dir = std::path::PathBuf::from(&app.state.env.settings.evidence_dir).join("ab");
    std::fs::create_dir_all(&dir).unwrap();
    let orphan = dir.join(format!("ab{}", "0".repeat(62)));
    std::fs::write(&orphan, b"left behind").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for path in blobs(&app) {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let settings = &app.state.env.settings;
    let now = app.clock.now();
    let swept = xiaobao::evidence::sweep::sweep(&app.db, &app.state.env.blobs, settings, now)
        .await
        .unwrap();
    assert_eq!(swept.orphans, 1);
    assert_eq!(swept.expired, 0);
    assert!(!orphan.exists());
    assert_eq!(
        blobs(&app).len(),
        4,
        "the named blobs stay: the PDF, the photo, its copy and its thumbnail"
    );

    // The case closes; three years and a day later its file goes, its row and hash stay.
    let withdrawn = app
        .request(
            "POST",
            &format!("/api/v1/track/{}/withdraw", f.receipt),
            &[
                ("x-access-secret", &f.secret),
                ("content-type", "application/json"),
            ],
            Some("{}".into()),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    let later = now + chrono::Duration::days(3 * 365 + 1);
    let swept = xiaobao::evidence::sweep::sweep(&app.db, &app.state.env.blobs, settings, later)
        .await
        .unwrap();
    assert_eq!(swept.expired, 2);
    assert!(blobs(&app).is_empty());
    let gone = app
        .request("GET", &format!("{}/{id}", f.evidence()), &auth, None)
        .await;
    assert_problem(&gone, 410, "evidence_removed");
    let listed = app.request("GET", &f.evidence(), &auth, None).await;
    assert_eq!(listed.body[0]["removed"], true);
    assert_eq!(listed.body[0]["sha256"], hex(PDF));
    // A closed case takes no more evidence.
    let closed = app.upload(&f.evidence(), &auth, &[("b.pdf", PDF)]).await;
    assert_problem(&closed, 409, "case_closed");
}

#[actix_web::test]
async fn a_photo_has_a_small_jpeg_thumbnail_for_whoever_may_download_it_and_a_pdf_has_none() {
    let app = spawn_app().await;
    let desk = crate::odr::enrolled_business(&app).await;
    let f = file(&app, &crate::odr::odr_complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let up = app
        .upload(
            &f.evidence(),
            &auth,
            &[
                ("门店.jpg", &photo_of(1200, 500)),
                ("发票.pdf", PDF),
                ("IMG_2.heic", HEIC),
            ],
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let ids: Vec<String> = (0..3)
        .map(|i| up.body[i]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(up.body[0]["thumbnail"], true);
    assert_eq!(up.body[1]["thumbnail"], false);
    assert_eq!(up.body[2]["thumbnail"], false);

    let mine = app
        .request(
            "GET",
            &format!("{}/{}/thumbnail", f.evidence(), ids[0]),
            &auth,
            None,
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.content_type, "image/jpeg");
    let thumb =
        image::load_from_memory_with_format(&mine.bytes, image::ImageFormat::Jpeg).expect("a JPEG");
    // 1200 × 500 turned upright is 500 × 1200; within 320 × 320 that is 133 × 320.
    assert_eq!((thumb.width(), thumb.height()), (133, 320));
    assert!(!contains(&mine.bytes, b"GPS") && !contains(&mine.bytes, b"Exif"));

    let staff_path = |id: &str| format!("/api/v1/cases/{}/evidence/{id}/thumbnail", f.id);
    let for_desk = app.get_as(&staff_path(&ids[0]), &desk.agent).await;
    assert_eq!(for_desk.status, 200, "{}", for_desk.text);
    assert_eq!(for_desk.bytes, mine.bytes);
    assert_problem(
        &app.get_as(&staff_path(&ids[1]), &desk.agent).await,
        404,
        "no_thumbnail",
    );
    // A consumer's HEIC photo reaches the desk in no form.
    assert_problem(
        &app.get_as(&staff_path(&ids[2]), &desk.agent).await,
        403,
        "forbidden",
    );
    let other = app.business("另一家店", &uscc("91330421MA2B3C4D6")).await;
    let stranger = app
        .staff("desk9", Role::EnterpriseAgent, None, None, Some(&other))
        .await;
    assert_problem(
        &app.get_as(&staff_path(&ids[0]), &stranger).await,
        404,
        "not_found",
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'evidence.thumbnail'")
            .await,
        2,
        "the consumer's and the desk's; the refusals served nothing"
    );
}

#[actix_web::test]
async fn a_picture_declaring_too_many_pixels_is_refused_by_name_and_nothing_is_stored() {
    let app = spawn_app().await;
    let f = file(&app, &complaint()).await;
    let auth = [("x-access-secret", f.secret.as_str())];
    let bomb = png_bomb();
    assert!(bomb.len() < 100, "a few dozen bytes");
    let up = app
        .upload(
            &f.evidence(),
            &auth,
            &[("dish.jpg", &photo()), ("bomb.png", &bomb)],
        )
        .await;
    assert_problem(&up, 422, "validation_failed");
    assert_eq!(error_fields(&up), vec!["files[1]"]);
    assert!(
        up.text.contains("bomb.png"),
        "the file is named: {}",
        up.text
    );
    assert!(up.text.contains("100000 × 100000"), "{}", up.text);
    assert_eq!(app.count("evidence_files").await, 0);
    assert!(
        blobs(&app).is_empty(),
        "no blob written, not even the good photo's"
    );

    // A lower limit applies to ordinary photos too.
    let strict = spawn_app_with(|s| s.evidence_max_pixels = 100).await;
    let g = file(&strict, &complaint()).await;
    let refused = strict
        .upload(
            &g.evidence(),
            &[("x-access-secret", g.secret.as_str())],
            &[("dish.jpg", &photo_of(20, 10))],
        )
        .await;
    assert_problem(&refused, 422, "validation_failed");
    assert!(
        refused.text.contains("more than the 100"),
        "{}",
        refused.text
    );
}
