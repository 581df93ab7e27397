use serde_json::{Value, json};

use crate::helpers::*;

#[actix_web::test]
async fn a_complaint_is_filed_routed_to_the_station_and_tracked_by_its_receipt() {
    let app = spawn_app().await;
    let res = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let receipt = res.body["receipt_number"].as_str().unwrap();
    let secret = res.body["access_secret"].as_str().unwrap();
    assert!(receipt.starts_with("TS20261123-"), "{receipt}");
    assert_eq!(secret.len(), 24);
    assert_eq!(res.body["status"], "pending_acceptance");
    assert_eq!(res.body["rule_set"], "order-121");
    assert_eq!(res.body["routing"]["bureau_code"], "330421");
    assert_eq!(res.body["routing"]["station_id"], "S330421103");
    assert_eq!(res.body["routing"]["rule"], "respondent_published_address");
    // Received Monday 11-23: the 7th working day after it is Wednesday 12-02.
    let deadline = &res.body["deadlines"][0];
    assert_eq!(deadline["kind"], "acceptance");
    assert_eq!(deadline["due_date"], "2026-12-02");
    assert_eq!(deadline["due_at"], "2026-12-02T16:00:00Z");
    assert_eq!(deadline["explanation"]["rule_set"], "order-121");

    let tracked = app.track(receipt, secret).await;
    assert_eq!(tracked.status, 200, "{}", tracked.text);
    assert_eq!(tracked.body["status"], "pending_acceptance");
    assert_eq!(tracked.body["status_label"], "待受理");
    assert_eq!(
        tracked.body["handler"]["station_name"],
        "西塘市场监督管理所"
    );
    assert_eq!(tracked.body["deadlines"][0]["due_date"], "2026-12-02");
    let events: Vec<&str> = tracked.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["received", "routed"]);
    // Tracking shows nothing internal: no personal data, no ids of staff.
    assert!(!tracked.text.contains("13800000000") && !tracked.text.contains("张三"));

    // Lower-case receipt typed by a person still works; a wrong secret and no secret do not.
    assert_eq!(app.track(&receipt.to_lowercase(), secret).await.status, 200);
    assert_problem(
        &app.track(receipt, "WRONGSECRETWRONGSECRET00").await,
        404,
        "not_found",
    );
    assert_problem(
        &app.get(&format!("/api/v1/track/{receipt}")).await,
        401,
        "unauthorized",
    );
    assert_problem(
        &app.track("TS20261123-NOSUCH00", secret).await,
        404,
        "not_found",
    );
}

#[actix_web::test]
async fn every_bad_field_is_reported_at_once_and_nothing_is_written() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["complainant"]["phone"] = json!("1380000");
    body["complainant"]["id_number"] = json!("330421199001011231");
    body["respondent"]["uscc"] = json!("91330421MA2B3C4D5A");
    body["dispute"]["division_code"] = json!("330421999");
    body["dispute"]["amount_fen"] = json!(-1);
    body["dispute"]["occurred_on"] = json!("2027-01-01");
    body["dispute"]["facts"] = json!("短");
    body["demands"] = json!([]);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(
        error_fields(&res),
        [
            "complainant.id_number",
            "complainant.phone",
            "demands",
            "dispute.amount_fen",
            "dispute.division_code",
            "dispute.facts",
            "dispute.occurred_on",
            "respondent.uscc",
        ]
    );
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(app.count("parties").await, 0);
    assert_eq!(app.count("audit_log").await, 0);
}

#[actix_web::test]
async fn unknown_enum_values_and_wrong_types_name_the_field() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["channel"] = json!("fax");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["channel"]);

    let mut body = complaint();
    body["dispute"]["amount_fen"] = json!(12.5);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(error_fields(&res), ["dispute.amount_fen"]);

    let mut body = complaint();
    body["dispute"]["amount_fen"] = json!(1e40);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");

    let mut body = complaint();
    body["complainant"].as_object_mut().unwrap().remove("name");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(error_fields(&res), ["complainant.name"]);
}

#[actix_web::test]
async fn order_121_requires_the_complainants_identity_but_order_20_did_not() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["complainant"]
        .as_object_mut()
        .unwrap()
        .remove("id_type");
    body["complainant"]
        .as_object_mut()
        .unwrap()
        .remove("id_number");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["complainant.id_number"]);

    // Received 2026-04-14 23:30 Shanghai: the last day of Order 20.
    app.clock.set(at("2026-04-14T15:30:00Z"));
    body["dispute"]["occurred_on"] = json!("2026-04-10");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["rule_set"], "order-20");
    assert_eq!(res.body["routing"]["rule"], "respondent_place_of_business");
}

#[actix_web::test]
async fn a_complaint_that_also_reports_is_stored_as_two_linked_records() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["also_report"] =
        json!({"violation": "餐馆使用过期食材，涉嫌违反食品安全法", "evidence": ["照片两张"]});
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let linked = &res.body["linked"];
    assert_eq!(linked["kind"], "report");
    let report_receipt = linked["receipt_number"].as_str().unwrap();
    assert!(report_receipt.starts_with("JB"));
    assert_eq!(app.count("cases").await, 2);
    let secret = res.body["access_secret"].as_str().unwrap();
    let report = app.track(report_receipt, secret).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.body["kind"], "report");
    assert_eq!(report.body["status"], "pending_verification");
    assert_eq!(report.body["deadlines"][0]["kind"], "report_verification");
    assert_eq!(
        report.body["linked_receipt_number"],
        res.body["receipt_number"]
    );
}

#[actix_web::test]
async fn a_joint_complaint_has_one_or_two_representatives() {
    let app = spawn_app().await;
    let co = |n: &str, phone: &str, rep: bool| json!({"name": n, "phone": phone, "address": "嘉善县西塘镇1号", "id_type": "passport", "id_number": format!("E{phone}"), "representative": rep});
    let mut body = complaint();
    body["complainant"]["representative"] = json!(true);
    body["co_complainants"] = json!([
        co("李四", "13900000001", true),
        co("王五", "13900000002", true)
    ]);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["co_complainants"]);

    body["co_complainants"] = json!([
        co("李四", "13900000001", true),
        co("王五", "13900000002", false)
    ]);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.count("parties").await, 3);
}

#[actix_web::test]
async fn a_retried_intake_with_the_same_key_files_one_case_and_gives_the_same_secret() {
    let app = spawn_app().await;
    let body = complaint().to_string();
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "retry-1"),
    ];
    let first = app
        .request("POST", "/api/v1/complaints", &headers, Some(body.clone()))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = app
        .request("POST", "/api/v1/complaints", &headers, Some(body.clone()))
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(first.body["id"], second.body["id"]);
    assert_eq!(first.body["receipt_number"], second.body["receipt_number"]);
    assert_eq!(app.count("cases").await, 1);
    // The retry carries the secret the first answer gave, which still works.
    assert_eq!(first.body["access_secret"], second.body["access_secret"]);
    let receipt = second.body["receipt_number"].as_str().unwrap();
    assert_eq!(
        app.track(receipt, first.body["access_secret"].as_str().unwrap())
            .await
            .status,
        200
    );

    let mut other = complaint();
    other["dispute"]["amount_fen"] = json!(1);
    let res = app
        .request(
            "POST",
            "/api/v1/complaints",
            &headers,
            Some(other.to_string()),
        )
        .await;
    assert_problem(&res, 422, "idempotency_key_reused");
    assert_eq!(app.count("cases").await, 1);
}

#[actix_web::test]
async fn concurrent_retries_with_one_key_file_one_case() {
    let app = spawn_app().await;
    let body = complaint().to_string();
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "burst"),
    ];
    let results = futures_util::future::join_all(
        (0..6).map(|_| app.request("POST", "/api/v1/complaints", &headers, Some(body.clone()))),
    )
    .await;
    let ids: std::collections::HashSet<Value> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.text);
            r.body["id"].clone()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(app.count("cases").await, 1);
}

#[actix_web::test]
async fn a_probable_duplicate_is_linked_and_flagged_not_dropped() {
    let app = spawn_app().await;
    let first = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(first.status, 201);
    let mut again = complaint();
    again["dispute"]["facts"] = json!("在餐馆就餐时菜品里发现异物，要求退款赔偿。");
    let second = app.post("/api/v1/complaints", &again).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(
        second.body["probable_duplicate_of"],
        first.body["receipt_number"]
    );
    // A different dispute with the same business is not a duplicate.
    let mut different = complaint();
    different["dispute"]["facts"] = json!("预付卡充值两千元后门店突然关闭，无法退款。");
    let third = app.post("/api/v1/complaints", &different).await;
    assert_eq!(third.body["probable_duplicate_of"], Value::Null);
    // Outside the window it is not flagged either.
    app.clock.set(at("2027-01-05T02:00:00Z"));
    let later = app.post("/api/v1/complaints", &again).await;
    assert_eq!(later.status, 201, "{}", later.text);
    assert_eq!(later.body["probable_duplicate_of"], Value::Null);
    assert_eq!(app.count("cases").await, 4);
}

#[actix_web::test]
async fn an_anonymous_report_is_filed_and_a_named_one_keeps_its_reporter() {
    let app = spawn_app().await;
    let report = json!({
        "channel": "hotline_12315",
        "category": "food",
        "respondent": {"name": "某腌菜厂", "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "clue": {"what": "腌菜中检出异物，生产环境脏乱", "occurred_on": "2026-11-18"},
        "evidence": ["照片", "购物小票"]
    });
    let res = app.post("/api/v1/reports", &report).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "report");
    assert_eq!(res.body["status"], "pending_verification");
    assert_eq!(res.body["routing"]["station_id"], "S330421112");
    assert_eq!(res.body["deadlines"][0]["kind"], "report_verification");
    assert_eq!(res.body["deadlines"][0]["due_date"], "2026-12-14");
    assert_eq!(app.count("parties").await, 0);

    let mut named = report.clone();
    named["reporter"] = json!({"name": "李四", "phone": "0573-84561234"});
    let res = app.post("/api/v1/reports", &named).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.count("parties").await, 1);
}

#[actix_web::test]
async fn an_address_without_a_code_is_resolved_or_rejected_with_candidates() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["dispute"]
        .as_object_mut()
        .unwrap()
        .remove("division_code");
    body["dispute"]["address"] = json!("嘉善西塘南大街8号");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["routing"]["station_id"], "S330421103");

    body["dispute"]["address"] = json!("西塘镇胥塘路1号");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["dispute.address"]);
    let message = res.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("330421103") && message.contains("430602100"),
        "{message}"
    );
}

#[actix_web::test]
async fn an_amount_in_fen_is_a_whole_number_however_the_json_writes_it() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["dispute"]["amount_fen"] = json!(12800.0);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.count("cases WHERE amount_fen = 12800").await, 1);

    body["dispute"]["amount_fen"] = json!(128.5);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("amount_fen"), "{}", res.text);
    assert_eq!(app.count("cases").await, 1, "nothing half-written");
}
