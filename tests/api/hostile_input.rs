//! Hostile input, second round (issue 15, items 12–17): trailing bytes after a JSON body, line
//! breaks smuggled into single-line fields, service numbers given as a consumer's phone,
//! implausible dates, a truncated audit trail, and the security headers on API answers.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

async fn post_text(app: &TestApp, path: &str, text: String) -> Response {
    app.request(
        "POST",
        path,
        &[("content-type", "application/json")],
        Some(text),
    )
    .await
}

#[actix_web::test]
async fn anything_after_the_json_value_is_a_bad_request() {
    let app = spawn_app().await;
    let body = complaint().to_string();
    for tail in ["garbage", "{}", &body, "[]", " 1", "\n\"x\""] {
        let res = post_text(&app, "/api/v1/complaints", format!("{body}{tail}")).await;
        assert_problem(&res, 400, "invalid_json");
    }
    assert_eq!(app.count("cases").await, 0);
    // Whitespace after the value is still JSON.
    let res = post_text(&app, "/api/v1/complaints", format!("{body} \r\n\t")).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn line_breaks_and_control_characters_are_refused_in_single_line_fields() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["complainant"]["address"] = json!("上海市青浦区\r\n朱家角镇北大街1号");
    body["respondent"]["name"] = json!("西塘某餐馆\nBcc: all@example.com");
    body["respondent"]["address"] = json!("浙江省嘉兴市嘉善县西塘镇\u{7}南大街8号");
    body["respondent"]["platform"] = json!({"name": "某平台\u{2028}"});
    body["dispute"]["goods_or_service"] = json!("晚餐\t套餐");
    body["dispute"]["address"] = json!("西塘镇\u{85}南大街");
    body["co_complainants"] = json!([]);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(
        error_fields(&res),
        [
            "complainant.address",
            "dispute.address",
            "dispute.goods_or_service",
            "respondent.address",
            "respondent.name",
            "respondent.platform.name",
        ]
    );
    assert!(res.text.contains("single line"), "{}", res.text);

    // Free text keeps its line breaks.
    let mut body = complaint();
    body["dispute"]["facts"] = json!("在餐馆就餐时\n菜品中发现异物，\r\n要求退款并赔偿。");
    body["demand_detail"] = json!("退款\n赔偿");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);

    let report = json!({
        "channel": "hotline_12315",
        "category": "food",
        "respondent": {"name": "某腌菜厂", "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "clue": {"what": "腌菜中检出异物，\n生产环境脏乱", "place": "天凝镇\r工业路",
                 "goods_or_service": "腌菜\u{1b}[31m"}
    });
    let res = app.post("/api/v1/reports", &report).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["clue.goods_or_service", "clue.place"]);

    // Staff bodies too: a business's name and address, its desk contact.
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let res = app
        .post_as(
            "/api/v1/businesses",
            &admin,
            &json!({"name": "西塘某餐馆\r\n", "uscc": uscc("91330421MA2B3C4D5"),
                    "legal_representative": "王\n老板",
                    "address": "浙江省嘉兴市嘉善县\n西塘镇南大街8号", "division_code": "330421103"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(
        error_fields(&res),
        ["address", "legal_representative", "name"]
    );
}

fn with_phone(phone: &str) -> Value {
    let mut body = complaint();
    body["complainant"]["phone"] = json!(phone);
    body
}

#[actix_web::test]
async fn a_consumer_gives_a_mobile_or_a_landline_not_a_service_number() {
    let app = spawn_app().await;
    for phone in ["12345", "95588", "12315", "400-123-4567", "8001234567"] {
        let res = app.post("/api/v1/complaints", &with_phone(phone)).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(error_fields(&res), ["complainant.phone"], "{phone}");
    }
    let mut body = complaint();
    body["complainant"]["representative"] = json!(true);
    body["co_complainants"] = json!([{
        "name": "李四", "phone": "95588", "address": "上海市青浦区朱家角镇北大街2号",
        "id_type": "resident_id", "id_number": resident_id("33042119900101124")
    }]);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["co_complainants[0].phone"]);
    assert_eq!(app.count("cases").await, 0);

    for phone in ["13912345678", "0573-84561234", "021 61234567"] {
        let res = app.post("/api/v1/complaints", &with_phone(phone)).await;
        assert_eq!(res.status, 201, "{phone}: {}", res.text);
    }

    // A business's desk may be reached by its service number.
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let res = app
        .post_as(
            "/api/v1/businesses",
            &admin,
            &json!({"name": "西塘某餐馆", "uscc": uscc("91330421MA2B3C4D5"),
                    "address": "浙江省嘉兴市嘉善县西塘镇南大街8号", "division_code": "330421103"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap();
    let res = app
        .post_as(
            &format!("/api/v1/businesses/{id}/odr/apply"),
            &admin,
            &json!({"desk_contact": "李经理", "desk_phone": "95588", "commitment": "承诺十个工作日内答复并履行和解结果"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

fn on(date: &str) -> Value {
    let mut body = complaint();
    body["dispute"]["occurred_on"] = json!(date);
    body
}

#[actix_web::test]
async fn a_dispute_happened_between_1949_10_01_and_today_in_shanghai() {
    let app = spawn_app().await;
    // 2026-11-23 23:30 in Shanghai, still 15:30 UTC.
    app.clock.set(at("2026-11-23T15:30:00Z"));
    for date in [
        "1949-09-30",
        "1900-01-01",
        "0001-01-01",
        "2026-11-24",
        "9999-12-31",
    ] {
        let res = app.post("/api/v1/complaints", &on(date)).await;
        assert_problem(&res, 422, "validation_failed");
        assert_eq!(error_fields(&res), ["dispute.occurred_on"], "{date}");
    }
    let report = |date: &str| {
        json!({
            "channel": "hotline_12315",
            "category": "food",
            "respondent": {"name": "某腌菜厂", "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
            "clue": {"what": "腌菜中检出异物，生产环境脏乱", "occurred_on": date}
        })
    };
    let res = app.post("/api/v1/reports", &report("1948-12-31")).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["clue.occurred_on"]);
    assert_eq!(app.count("cases").await, 0);

    for date in ["1949-10-01", "2026-11-23"] {
        let res = app.post("/api/v1/complaints", &on(date)).await;
        assert_eq!(res.status, 201, "{date}: {}", res.text);
    }
    // Half an hour later it is the 24th in Shanghai, though not yet in UTC.
    app.clock.set(at("2026-11-23T16:30:00Z"));
    let res = app.post("/api/v1/complaints", &on("2026-11-24")).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn postgres_refuses_to_truncate_the_audit_trail() {
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    if backend != sea_orm::DbBackend::Postgres {
        println!("skipped: TRUNCATE exists only on PostgreSQL (SQLite refuses DELETE already)");
        return;
    }
    let res = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let before = app.count("audit_log").await;
    assert!(before > 0);
    for sql in [
        "TRUNCATE audit_log",
        "TRUNCATE TABLE audit_log RESTART IDENTITY",
        "TRUNCATE cases, audit_log CASCADE",
    ] {
        let err = app
            .db
            .execute_unprepared(sql)
            .await
            .expect_err("TRUNCATE must be refused");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(app.count("audit_log").await, before);
}

fn assert_private(res: &Response, what: &str) {
    let header = |name: &str| {
        res.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header("cache-control"), "no-store", "{what}");
}

#[actix_web::test]
async fn api_answers_carrying_personal_data_or_a_secret_are_never_stored() {
    let app = spawn_app().await;
    let res = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_private(&res, "intake receipt");
    assert!(res.headers.get("strict-transport-security").is_none());
    let receipt = res.body["receipt_number"].as_str().unwrap();
    let secret = res.body["access_secret"].as_str().unwrap();
    let id = res.body["id"].as_str().unwrap();
    assert_private(&app.track(receipt, secret).await, "tracking");
    assert_private(
        &app.track(receipt, "WRONGSECRETWRONGSECRET00").await,
        "refused tracking",
    );

    let mediator = app
        .staff("m1", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let view = app.get_as(&format!("/api/v1/cases/{id}"), &mediator).await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_private(&view, "case view");
    let pdf = app
        .get_as(&format!("/api/v1/cases/{id}/agreement/pdf"), &mediator)
        .await;
    assert_private(&pdf, "agreement PDF (none yet)");
    assert_private(&app.get("/api/v1/no-such-thing").await, "unknown path");
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "m1", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.status, 200);
    assert_private(&login, "login token");
}

#[actix_web::test]
async fn hsts_is_sent_when_served_over_tls() {
    let app = spawn_app_with(|s| s.public_url = Some("https://xiaobao.example.cn".into())).await;
    for res in [
        app.post("/api/v1/complaints", &complaint()).await,
        app.get("/api/v1/no-such-thing").await,
        app.get("/").await,
    ] {
        assert_eq!(
            res.headers
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{}",
            res.status
        );
        assert_private(&res, "over TLS");
    }
}
