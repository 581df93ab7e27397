//! Satisfaction ratings (满意度评价): the consumer rates a closed case once, within the window,
//! with the receipt number and access secret; the statistics count them toward the 满意率.

use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

/// Files a complaint at `town` (西塘 330421103 or 天凝 330421112); its receipt and secret.
async fn file(app: &TestApp, town: &str, who: &str) -> (String, String) {
    let mut body = complaint();
    body["dispute"]["division_code"] = json!(town);
    body["complainant"]["id_number"] = json!(resident_id(who));
    if town == "330421112" {
        body["respondent"] = json!({"name": "某腌菜厂", "uscc": uscc("91330421MA2B3C4D7"), "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"});
    }
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    (
        res.body["receipt_number"].as_str().unwrap().to_owned(),
        res.body["access_secret"].as_str().unwrap().to_owned(),
    )
}

async fn withdraw(app: &TestApp, receipt: &str, secret: &str) {
    let res = app
        .request(
            "POST",
            &format!("/api/v1/track/{receipt}/withdraw"),
            &[
                ("content-type", "application/json"),
                ("x-access-secret", secret),
            ],
            Some(json!({"reason": "已自行和解"}).to_string()),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

async fn rate(app: &TestApp, receipt: &str, secret: &str, body: &Value) -> Response {
    app.request(
        "POST",
        &format!("/api/v1/track/{receipt}/rating"),
        &[
            ("content-type", "application/json"),
            ("x-access-secret", secret),
        ],
        Some(body.to_string()),
    )
    .await
}

#[actix_web::test]
async fn a_closed_case_is_rated_once_by_its_consumer() {
    let app = spawn_app().await;
    let (receipt, secret) = file(&app, "330421103", "33042119900101123").await;
    let satisfied = json!({"rating": "satisfied", "comment": "  调解员很耐心  "});

    // Open: nothing to rate yet.
    let t = app.track(&receipt, &secret).await;
    assert_eq!(t.body["rating"]["open"], false, "{}", t.text);
    assert!(t.body["rating"]["closes_at"].is_null());
    assert_problem(
        &rate(&app, &receipt, &secret, &satisfied).await,
        409,
        "case_not_closed",
    );

    withdraw(&app, &receipt, &secret).await;
    let t = app.track(&receipt, &secret).await;
    assert_eq!(t.body["rating"]["open"], true, "{}", t.text);
    assert_eq!(t.body["rating"]["closes_at"], "2026-12-23T02:00:00Z");
    assert!(t.body["rating"]["given"].is_null());

    // The secret guards it as it guards tracking.
    assert_problem(
        &rate(&app, &receipt, "wrong-secret", &satisfied).await,
        404,
        "not_found",
    );
    let no_secret = app
        .request(
            "POST",
            &format!("/api/v1/track/{receipt}/rating"),
            &[("content-type", "application/json")],
            Some(satisfied.to_string()),
        )
        .await;
    assert_problem(&no_secret, 401, "unauthorized");

    // Bad input names its field, and nothing is kept.
    let bad = rate(&app, &receipt, &secret, &json!({"rating": "great"})).await;
    assert_problem(&bad, 422, "validation_failed");
    assert_eq!(error_fields(&bad), vec!["rating"]);
    let long = rate(
        &app,
        &receipt,
        &secret,
        &json!({"rating": "dissatisfied", "comment": "太".repeat(501)}),
    )
    .await;
    assert_problem(&long, 422, "validation_failed");
    assert_eq!(error_fields(&long), vec!["comment"]);
    assert_eq!(app.count("case_ratings").await, 0);

    // Rated, with a retry under the same key answered the same.
    let headers = [
        ("content-type", "application/json"),
        ("x-access-secret", secret.as_str()),
        ("idempotency-key", "rate-1"),
    ];
    let path = format!("/api/v1/track/{receipt}/rating");
    let first = app
        .request("POST", &path, &headers, Some(satisfied.to_string()))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["rating"], "satisfied");
    assert_eq!(first.body["rating_label"], "满意");
    assert_eq!(first.body["comment"], "调解员很耐心");
    let again = app
        .request("POST", &path, &headers, Some(satisfied.to_string()))
        .await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(
        again.headers.get("idempotent-replayed").unwrap(),
        "true",
        "{}",
        again.text
    );
    assert_eq!(again.body, first.body);

    // Once only.
    assert_problem(
        &rate(&app, &receipt, &secret, &json!({"rating": "dissatisfied"})).await,
        409,
        "already_rated",
    );
    assert_eq!(app.count("case_ratings").await, 1);

    let t = app.track(&receipt, &secret).await;
    assert_eq!(t.body["rating"]["open"], false);
    assert_eq!(t.body["rating"]["given"]["rating"], "satisfied");
    assert_eq!(t.body["rating"]["given"]["comment"], "调解员很耐心");
    let timeline = t.body["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e["event"] == "rated" && e["description"] == "您对办理情况作出了评价：满意"),
        "{}",
        t.text
    );
    let audited = app.count("audit_log WHERE action = 'case.rate'").await;
    assert_eq!(audited, 1);
}

#[actix_web::test]
async fn the_rating_window_is_configurable_and_closes() {
    let app = spawn_app_with(|s| s.rating_window_days = 3).await;
    let (early, early_secret) = file(&app, "330421103", "33042119900101123").await;
    let (late, late_secret) = file(&app, "330421103", "33042119850101123").await;
    withdraw(&app, &early, &early_secret).await;
    withdraw(&app, &late, &late_secret).await;

    app.clock.set(at("2026-11-26T01:59:59Z"));
    let ok = rate(
        &app,
        &early,
        &early_secret,
        &json!({"rating": "basically_satisfied"}),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);

    app.clock.set(at("2026-11-26T02:00:00Z"));
    let t = app.track(&late, &late_secret).await;
    assert_eq!(t.body["rating"]["open"], false, "{}", t.text);
    assert_eq!(t.body["rating"]["closes_at"], "2026-11-26T02:00:00Z");
    assert_problem(
        &rate(&app, &late, &late_secret, &json!({"rating": "satisfied"})).await,
        409,
        "rating_window_closed",
    );
    assert_eq!(app.count("case_ratings").await, 1);
}

#[actix_web::test]
async fn statistics_give_the_satisfaction_rate_per_bureau_and_station() {
    let app = spawn_app().await;
    app.staff("chief", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    // 西塘: 满意, 基本满意, 不满意 in November; 天凝: 不满意 in November; 西塘: 满意 in December.
    let plan = [
        (
            "330421103",
            "33042119900101123",
            "satisfied",
            "2026-11-24T02:00:00Z",
        ),
        (
            "330421103",
            "33042119850101123",
            "basically_satisfied",
            "2026-11-25T02:00:00Z",
        ),
        (
            "330421103",
            "33042119800101123",
            "dissatisfied",
            "2026-11-30T15:59:59Z",
        ),
        (
            "330421112",
            "33042119750101123",
            "dissatisfied",
            "2026-11-26T02:00:00Z",
        ),
        (
            "330421103",
            "33042119700101123",
            "satisfied",
            "2026-11-30T16:00:00Z",
        ),
    ];
    let mut filed = Vec::new();
    for (town, who, ..) in plan {
        app.clock.set(monday());
        let (receipt, secret) = file(&app, town, who).await;
        let t = app.track(&receipt, &secret).await;
        assert_eq!(
            t.body["handler"]["station_id"],
            format!("S{town}"),
            "{}",
            t.text
        );
        withdraw(&app, &receipt, &secret).await;
        filed.push((receipt, secret));
    }
    for ((receipt, secret), (_, _, rating, when)) in filed.iter().zip(plan) {
        app.clock.set(at(when));
        let res = rate(&app, receipt, secret, &json!({ "rating": rating })).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }

    app.clock.set(at("2026-12-03T02:00:00Z"));
    let chief = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "chief", "password": "correct horse battery"}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let november = "from=2026-11-01&to=2026-11-30";
    let bureau = app
        .get_as(&format!("/api/v1/statistics?{november}"), &chief)
        .await;
    assert_eq!(bureau.status, 200, "{}", bureau.text);
    assert_eq!(
        bureau.body["satisfaction"],
        json!({"numerator": 2, "denominator": 4, "rate": 0.5})
    );
    let xitang = app
        .get_as(
            &format!("/api/v1/statistics?{november}&station_id=S330421103"),
            &chief,
        )
        .await;
    assert_eq!(
        xitang.body["satisfaction"]["numerator"], 2,
        "{}",
        xitang.text
    );
    assert_eq!(xitang.body["satisfaction"]["denominator"], 3);
    let tianning = app
        .get_as(
            &format!("/api/v1/statistics?{november}&station_id=S330421112"),
            &chief,
        )
        .await;
    assert_eq!(
        tianning.body["satisfaction"],
        json!({"numerator": 0, "denominator": 1, "rate": 0.0})
    );
    let december = app
        .get_as("/api/v1/statistics?from=2026-12-01&to=2026-12-31", &chief)
        .await;
    assert_eq!(
        december.body["satisfaction"],
        json!({"numerator": 1, "denominator": 1, "rate": 1.0})
    );
    let csv = app
        .get_as(&format!("/api/v1/statistics.csv?{november}"), &chief)
        .await;
    assert!(
        csv.text.lines().any(|l| l == "satisfaction,2,4,0.5000"),
        "{}",
        csv.text
    );
    // Nothing rated: no rate, not a zero.
    let october = app
        .get_as("/api/v1/statistics?from=2026-10-01&to=2026-10-31", &chief)
        .await;
    assert_eq!(
        october.body["satisfaction"],
        json!({"numerator": 0, "denominator": 0, "rate": null})
    );
}

#[actix_web::test]
async fn closure_invites_a_consumer_with_a_mail_address_to_rate_once() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use xiaobao::entities::outbox;

    let app = spawn_app().await;
    let mut body = complaint();
    body["complainant"]["email"] = json!("zhangsan@example.com");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let receipt = res.body["receipt_number"].as_str().unwrap().to_owned();
    let secret = res.body["access_secret"].as_str().unwrap().to_owned();
    // Without an address there is no one to invite.
    let (quiet, quiet_secret) = file(&app, "330421103", "33042119850101123").await;

    let invitations = || {
        outbox::Entity::find()
            .filter(outbox::Column::Subject.starts_with("【请您评价】"))
            .all(&app.db)
    };
    assert!(invitations().await.unwrap().is_empty());
    withdraw(&app, &receipt, &secret).await;
    withdraw(&app, &quiet, &quiet_secret).await;
    let sent = invitations().await.unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0].subject,
        format!("【请您评价】投诉 {receipt} 已办结")
    );
    assert!(sent[0].recipients.contains("zhangsan@example.com"));
    assert!(sent[0].body.contains("满意、基本满意或不满意"));
    assert!(
        !sent[0].body.contains(&secret),
        "the secret is never mailed"
    );
    assert_eq!(
        sent[0].dedupe_key.as_deref(),
        Some(format!("rating:{}:invite", res.body["id"].as_str().unwrap()).as_str())
    );
}
