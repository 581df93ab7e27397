//! Evidence at intake: a complaint or report sent as `multipart/form-data` (its JSON in the part
//! `request`, its files in parts `files`) is filed with the files as its evidence in the intake's
//! transaction; a file refused is reported with the request's other faults and nothing is filed.

use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::evidence::{PDF, blobs, hex, photo};
use crate::helpers::*;

#[actix_web::test]
async fn a_complaint_filed_with_a_photo_and_a_pdf_has_them_as_its_evidence() {
    let app = spawn_app().await;
    let res = app
        .file_with(
            "/api/v1/complaints",
            &[],
            Some(&complaint()),
            &[("小票.pdf", PDF), ("dish.jpg", &photo())],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let receipt = res.body["receipt_number"].as_str().unwrap();
    let secret = res.body["access_secret"].as_str().unwrap();
    let id = res.body["id"].as_str().unwrap();
    let auth = [("x-access-secret", secret)];
    let evidence = format!("/api/v1/track/{receipt}/evidence");
    let listed = app.request("GET", &evidence, &auth, None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let files = listed.body.as_array().unwrap();
    assert_eq!(files.len(), 2, "{}", listed.text);
    assert_eq!(files[0]["file_name"], "小票.pdf");
    assert_eq!(files[0]["sha256"], hex(PDF));
    assert_eq!(files[0]["uploaded_by"], "consumer");
    assert_eq!(files[1]["media_type"], "image/jpeg");
    assert_eq!(files[1]["thumbnail"], true, "the photo was decoded");
    let photo_id = files[1]["id"].as_str().unwrap();
    let got = app
        .request("GET", &format!("{evidence}/{photo_id}"), &auth, None)
        .await;
    assert_eq!(got.bytes, photo(), "the original, byte for byte");

    // On the timeline after its receipt, and in the audit trail with the case.
    let tracked = app.track(receipt, secret).await;
    assert!(
        tracked
            .text
            .contains("随投诉提交证据 2 份：小票.pdf、dish.jpg"),
        "{}",
        tracked.text
    );
    assert_eq!(
        app.count(&format!(
            "audit_log WHERE action = 'evidence.add' AND case_id = '{id}'"
        ))
        .await,
        1
    );
    // The same limits count them: a case holds the files filed with it.
    assert_eq!(
        app.count(&format!("evidence_files WHERE case_id = '{id}'"))
            .await,
        2
    );
}

#[actix_web::test]
async fn a_refused_file_is_reported_with_the_requests_other_faults_and_nothing_is_filed() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["complainant"]["phone"] = json!("12");
    let res = app
        .file_with(
            "/api/v1/complaints",
            &[],
            Some(&body),
            &[
                ("dish.jpg", &photo()),
                ("invoice.jpg", b"MZ\x90\0 not a picture"),
            ],
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    let fields = error_fields(&res);
    assert!(fields.contains(&"files[1]".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"complainant.phone".to_owned()),
        "{fields:?}"
    );
    assert!(res.text.contains("invoice.jpg"), "{}", res.text);
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(app.count("evidence_files").await, 0);
    assert!(blobs(&app).is_empty(), "no blob of a refused upload");

    // Good files with a bad request: nothing filed either (their blobs wait for the sweep).
    let res = app
        .file_with("/api/v1/complaints", &[], Some(&body), &[("a.pdf", PDF)])
        .await;
    assert_eq!(error_fields(&res), vec!["complainant.phone"]);
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(app.count("evidence_files").await, 0);

    // A multipart body without the request, or with a part of another name.
    let none = app
        .file_with("/api/v1/complaints", &[], None, &[("a.pdf", PDF)])
        .await;
    assert_problem(&none, 422, "validation_failed");
    assert_eq!(error_fields(&none), vec!["request"]);
    let (content_type, mut raw) = multipart_with(Some(&complaint()), &[]);
    let boundary = "xiaobao-test-boundary-7f3a";
    raw.truncate(raw.len() - format!("--{boundary}--\r\n").len());
    raw.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--{boundary}--\r\n")
            .as_bytes(),
    );
    let other = app
        .post_bytes("/api/v1/complaints", &content_type, raw)
        .await;
    assert_problem(&other, 422, "validation_failed");
    let not_json = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\nname=张三\r\n--{boundary}--\r\n"
    );
    let res = app
        .post_bytes("/api/v1/complaints", &content_type, not_json.into_bytes())
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), vec!["request"]);
    // The request part's JSON is checked as a JSON body is.
    let broken = app
        .file_with(
            "/api/v1/complaints",
            &[],
            Some(&json!({"channel": "web"})),
            &[],
        )
        .await;
    assert_eq!(broken.status, 422, "{}", broken.text);
    assert_eq!(app.count("cases").await, 0);
}

#[actix_web::test]
async fn a_retried_filing_with_files_files_once_and_the_same_key_for_other_files_is_refused() {
    let app = spawn_app().await;
    let key = [("idempotency-key", "intake-with-files-1")];
    let first = app
        .file_with(
            "/api/v1/complaints",
            &key,
            Some(&complaint()),
            &[("a.pdf", PDF)],
        )
        .await;
    let again = app
        .file_with(
            "/api/v1/complaints",
            &key,
            Some(&complaint()),
            &[("a.pdf", PDF)],
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(first.body["receipt_number"], again.body["receipt_number"]);
    assert_eq!(app.count("cases").await, 1);
    assert_eq!(app.count("evidence_files").await, 1);
    let other = app
        .file_with(
            "/api/v1/complaints",
            &key,
            Some(&complaint()),
            &[("b.pdf", PDF)],
        )
        .await;
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(app.count("cases").await, 1);
}

#[actix_web::test]
async fn a_report_and_a_walk_in_complaint_carry_their_files() {
    let app = spawn_app().await;
    let report = json!({
        "channel": "web", "category": "general_goods",
        "respondent": {"name": "某超市", "address": "浙江省嘉兴市嘉善县西塘镇南大街9号"},
        "clue": {"what": "销售过期商品，标签被篡改"}
    });
    let res = app
        .file_with(
            "/api/v1/reports",
            &[],
            Some(&report),
            &[("标签.jpg", &photo())],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let report_id = res.body["id"].as_str().unwrap().to_owned();
    let officer = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let listed = app
        .get_as(&format!("/api/v1/cases/{report_id}/evidence"), &officer)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body[0]["file_name"], "标签.jpg", "{}", listed.text);
    assert_eq!(listed.body[0]["uploaded_by"], "consumer");

    // At a station its staff upload what the consumer brought.
    let mediator = app
        .staff("zhujiajiao", Role::Mediator, None, Some("S310118102"), None)
        .await;
    let auth = format!("Bearer {mediator}");
    let res = app
        .file_with(
            "/api/v1/stations/S310118102/complaints",
            &[("authorization", &auth)],
            Some(&complaint()),
            &[("发票.pdf", PDF)],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap();
    let listed: Value = app
        .get_as(&format!("/api/v1/cases/{id}/evidence"), &mediator)
        .await
        .body;
    assert_eq!(listed[0]["uploaded_by"], "staff", "{listed}");
}
