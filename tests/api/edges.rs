//! The holes found by trying the service from outside (issue 15): who may act on an offered or
//! followed case, existence oracles, retries and their keys, tracking by guesswork, and a lead's
//! clock after its complaint ends.

use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;
use crate::routing::{complaint_about, create_station};

/// A complaint about the pickle maker in 天凝 (嘉善) about a dish eaten in 湖塘 (武进), offered to
/// 武进 by 嘉善. Returns (case id, 嘉善 admin, 武进 admin, transfer path).
async fn offered_case(app: &TestApp) -> (String, String, String, String) {
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    create_station(app, &wujin, "S320412100", "320412", &["320412100"]).await;
    let body = complaint_about("某腌菜厂", "浙江省嘉兴市嘉善县天凝镇工业路5号", "320412100");
    let filed = app.post("/api/v1/complaints", &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.body["id"].as_str().unwrap().to_owned();
    let res = app
        .post_as(
            &format!("/api/v1/cases/{id}/transfers"),
            &jiashan,
            &json!({"to_bureau_code": "320412", "reason": "争议发生地在武进"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let transfer = format!("/api/v1/transfers/{}", res.body["id"].as_str().unwrap());
    (id, jiashan, wujin, transfer)
}

/// Every step a bureau might try on a case it does not hold, each refused with 403.
async fn assert_may_not_act(app: &TestApp, id: &str, token: &str) {
    let case = format!("/api/v1/cases/{id}");
    let steps: [(&str, String, Value); 6] = [
        ("POST", format!("{case}/accept"), json!({})),
        (
            "POST",
            format!("{case}/refuse"),
            json!({"reason": "outside_duties", "text": "不属于本局职责范围"}),
        ),
        (
            "POST",
            format!("{case}/pauses"),
            json!({"reason": "testing", "note": "送检"}),
        ),
        (
            "POST",
            format!("{case}/deadlines/acceptance/extend"),
            json!({"reason": "情况复杂"}),
        ),
        (
            "POST",
            format!("{case}/leads"),
            json!({"kind": "case", "act": "涉嫌生产不符合食品安全标准的食品"}),
        ),
        (
            "PUT",
            format!("{case}/respondent-contact"),
            json!({"name": "冒名联系人", "phone": "13900000000", "email": "attacker@example.com"}),
        ),
    ];
    for (method, path, body) in steps {
        let res = app
            .request(
                method,
                &path,
                &[
                    ("content-type", "application/json"),
                    ("authorization", &format!("Bearer {token}")),
                ],
                Some(body.to_string()),
            )
            .await;
        assert_problem(&res, 403, "forbidden");
        assert!(
            res.body["detail"].as_str().unwrap_or_default().len() > 10,
            "{method} {path}: {}",
            res.text
        );
    }
}

#[actix_web::test]
async fn a_bureau_offered_a_case_sees_it_but_only_the_holding_bureau_acts_on_it() {
    let app = spawn_app().await;
    let (id, jiashan, wujin, transfer) = offered_case(&app).await;
    let case = format!("/api/v1/cases/{id}");

    assert_eq!(app.get_as(&case, &wujin).await.status, 200);
    assert_may_not_act(&app, &id, &wujin).await;

    // Sending it back leaves 武进 an onlooker of the dispute, still without a say over the case.
    let back = app
        .post_as(
            &format!("{transfer}/return"),
            &wujin,
            &json!({"reason": "经营者住所地在嘉善，应由嘉善处理"}),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(app.get_as(&case, &wujin).await.status, 200);
    assert_may_not_act(&app, &id, &wujin).await;
    let parties = app.get_as(&case, &jiashan).await;
    assert!(
        !parties.text.contains("attacker@example.com"),
        "the respondent's notice address is unchanged: {}",
        parties.text
    );

    // The bureau that holds it still does.
    let accepted = app
        .post_as(&format!("{case}/accept"), &jiashan, &json!({}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
}

#[actix_web::test]
async fn the_receiving_station_follows_a_zone_walk_in_and_the_competent_station_acts() {
    let app = spawn_app().await;
    let zhujiajiao = app
        .staff("zhujiajiao", Role::Mediator, None, Some("S310118102"), None)
        .await;
    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let res = app
        .post_as(
            "/api/v1/stations/S310118102/complaints",
            &zhujiajiao,
            &complaint(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap();
    let case = format!("/api/v1/cases/{id}");

    assert_eq!(app.get_as(&case, &zhujiajiao).await.status, 200);
    for (path, body) in [
        (
            format!("{case}/pauses"),
            json!({"reason": "testing", "note": "送检"}),
        ),
        (
            format!("{case}/leads"),
            json!({"kind": "case", "act": "涉嫌使用过期食材加工菜品"}),
        ),
        (format!("{case}/accept"), json!({})),
    ] {
        assert_problem(
            &app.post_as(&path, &zhujiajiao, &body).await,
            403,
            "forbidden",
        );
    }
    let paused = app
        .post_as(
            &format!("{case}/pauses"),
            &xitang,
            &json!({"reason": "testing", "note": "送检"}),
        )
        .await;
    assert_eq!(paused.status, 201, "{}", paused.text);
}

#[actix_web::test]
async fn a_case_outside_the_callers_scope_is_not_found_like_an_unknown_one() {
    let app = spawn_app().await;
    let jinze = app
        .staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;
    let qingpu = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    let id = filed.body["id"].as_str().unwrap();
    for token in [&jinze, &qingpu] {
        let theirs = app.get_as(&format!("/api/v1/cases/{id}"), token).await;
        let unknown = app
            .get_as("/api/v1/cases/00000000-0000-0000-0000-000000000000", token)
            .await;
        assert_problem(&theirs, 404, "not_found");
        assert_problem(&unknown, 404, "not_found");
        // Not a word more about the one that exists.
        assert_eq!(
            theirs.body["detail"].as_str().unwrap().replace(id, "ID"),
            unknown.body["detail"]
                .as_str()
                .unwrap()
                .replace("00000000-0000-0000-0000-000000000000", "ID")
        );
        assert_problem(
            &app.post_as(&format!("/api/v1/cases/{id}/accept"), token, &json!({}))
                .await,
            404,
            "not_found",
        );
    }
}

#[actix_web::test]
async fn a_desk_never_learns_that_a_complaint_was_also_reported() {
    let app = spawn_app().await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let desk = app
        .staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    let mediator = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut body = complaint();
    body["also_report"] = json!({"violation": "餐馆使用过期食材", "evidence": ["照片两张"]});
    let filed = app.post("/api/v1/complaints", &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let report_id = filed.body["linked"]["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{}", filed.body["id"].as_str().unwrap());

    let staff_view = app.get_as(&path, &mediator).await;
    assert_eq!(staff_view.body["linked_case_id"], report_id);
    let desk_view = app.get_as(&path, &desk).await;
    assert_eq!(desk_view.status, 200, "{}", desk_view.text);
    assert!(
        desk_view.body["linked_case_id"].is_null(),
        "{}",
        desk_view.text
    );
    assert!(!desk_view.text.contains(report_id), "{}", desk_view.text);
}

#[actix_web::test]
async fn a_retried_intake_returns_the_first_secret_until_the_key_expires() {
    let app = spawn_app_with(|s| s.idempotency_window_hours = 24).await;
    let body = complaint().to_string();
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "retry-secret"),
    ];
    let first = app
        .request("POST", "/api/v1/complaints", &headers, Some(body.clone()))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let secret = first.body["access_secret"].as_str().unwrap().to_owned();
    let receipt = first.body["receipt_number"].as_str().unwrap().to_owned();
    let retry = app
        .request("POST", "/api/v1/complaints", &headers, Some(body.clone()))
        .await;
    assert_eq!(retry.status, 201, "{}", retry.text);
    assert_eq!(retry.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(retry.body["access_secret"], secret.as_str());
    assert_eq!(app.track(&receipt, &secret).await.status, 200);

    // The record keeps no usable secret in clear.
    let stored: Vec<String> = sea_orm::ConnectionTrait::query_all_raw(
        &app.db,
        sea_orm::Statement::from_string(
            sea_orm::ConnectionTrait::get_database_backend(&app.db),
            "SELECT response_body FROM idempotency_keys".to_owned(),
        ),
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String>("", "response_body").unwrap())
    .collect();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|b| !b.contains(&secret)), "{stored:?}");

    // After the window the key is gone: the same request is a new complaint, and the first
    // consumer's secret still works.
    app.clock.set(app.clock.now() + chrono::Duration::hours(25));
    let late = app
        .request("POST", "/api/v1/complaints", &headers, Some(body))
        .await;
    assert_eq!(late.status, 201, "{}", late.text);
    assert!(late.headers.get("idempotent-replayed").is_none());
    assert_ne!(late.body["id"], first.body["id"]);
    assert_eq!(app.track(&receipt, &secret).await.status, 200);
}

#[actix_web::test]
async fn an_idempotency_key_is_bound_to_the_operation_and_the_caller() {
    let app = spawn_app().await;
    let (id, jiashan, _, _) = offered_case(&app).await;
    let other = app
        .post(
            "/api/v1/complaints",
            &complaint_about("某腌菜厂", "浙江省嘉兴市嘉善县天凝镇工业路5号", "320412100"),
        )
        .await;
    let other_id = other.body["id"].as_str().unwrap();
    let body = json!({"to_bureau_code": "310118", "reason": "经营者已迁往青浦"}).to_string();
    let auth = format!("Bearer {jiashan}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
        ("idempotency-key", "move-1"),
    ];
    // The first case has a pending transfer; a new key moves the other one.
    let first = app
        .request(
            "POST",
            &format!("/api/v1/cases/{other_id}/transfers"),
            &headers,
            Some(body.clone()),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let reused = app
        .request(
            "POST",
            &format!("/api/v1/cases/{id}/transfers"),
            &headers,
            Some(body),
        )
        .await;
    assert_problem(&reused, 422, "idempotency_key_reused");

    // The same key and body from another station's mediator do not replay the first receipt.
    let zhujiajiao = app
        .staff("zhujiajiao", Role::Mediator, None, Some("S310118102"), None)
        .await;
    let jinze = app
        .staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;
    let walk_in = complaint().to_string();
    let mut answers = Vec::new();
    for (station, token) in [("S310118102", &zhujiajiao), ("S310118104", &jinze)] {
        let auth = format!("Bearer {token}");
        answers.push(
            app.request(
                "POST",
                &format!("/api/v1/stations/{station}/complaints"),
                &[
                    ("content-type", "application/json"),
                    ("authorization", auth.as_str()),
                    ("idempotency-key", "walk-in-1"),
                ],
                Some(walk_in.clone()),
            )
            .await,
        );
    }
    assert_eq!(answers[0].status, 201, "{}", answers[0].text);
    assert_problem(&answers[1], 422, "idempotency_key_reused");
}

#[actix_web::test]
async fn ending_a_complaint_leaves_its_leads_clock_running() {
    let app = spawn_app().await;
    let mediator = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    let id = filed.body["id"].as_str().unwrap();
    let case = format!("/api/v1/cases/{id}");
    assert_eq!(
        app.post_as(&format!("{case}/accept"), &mediator, &json!({}))
            .await
            .status,
        200
    );
    let lead = app
        .post_as(
            &format!("{case}/leads"),
            &mediator,
            &json!({"kind": "case", "act": "涉嫌使用过期食材加工菜品"}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.text);
    let withdrawn = app
        .request(
            "POST",
            &format!(
                "/api/v1/track/{}/withdraw",
                filed.body["receipt_number"].as_str().unwrap()
            ),
            &[
                ("content-type", "application/json"),
                (
                    "x-access-secret",
                    filed.body["access_secret"].as_str().unwrap(),
                ),
            ],
            Some(json!({"reason": "已与商家协商"}).to_string()),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    let view = app.get_as(&case, &mediator).await;
    let clocks: Vec<(String, String)> = view.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_owned(),
                d["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        clocks.contains(&("clue_verification".into(), "open".into())),
        "{clocks:?}"
    );
    assert!(
        clocks.contains(&("mediation".into(), "closed".into())),
        "{clocks:?}"
    );
}

#[actix_web::test]
async fn failed_tracking_look_ups_are_throttled_per_address_without_locking_out_the_consumer() {
    let app = spawn_app_with(|s| {
        s.trust_forwarded_for = true;
        s.track_max_failures_per_address = 5;
    })
    .await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    let receipt = filed.body["receipt_number"].as_str().unwrap();
    let secret = filed.body["access_secret"].as_str().unwrap();
    let path = format!("/api/v1/track/{receipt}");
    let from = |addr: &'static str, secret: &'static str| {
        [("x-forwarded-for", addr), ("x-access-secret", secret)]
    };
    for _ in 0..5 {
        let res = app
            .request("GET", &path, &from("203.0.113.9", "guess"), None)
            .await;
        assert_problem(&res, 404, "not_found");
    }
    let res = app
        .request("GET", &path, &from("203.0.113.9", "guess"), None)
        .await;
    assert_problem(&res, 429, "too_many_tracking_attempts");
    assert!(res.headers.get("retry-after").is_some());
    // The consumer, elsewhere, is not locked out.
    let ok = app
        .request(
            "GET",
            &path,
            &[
                ("x-forwarded-for", "198.51.100.7"),
                ("x-access-secret", secret),
            ],
            None,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}
