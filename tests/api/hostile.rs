//! Hostile input: what an attacker or a broken client sends gets a 4xx problem, never a 5xx, and
//! changes nothing; guessing passwords is throttled per account and per address.

use sea_orm::EntityTrait;
use serde_json::json;
use xiaobao::entities::{case, party};
use xiaobao::http::Role;

use crate::helpers::*;

#[actix_web::test]
async fn nul_characters_are_refused_wherever_they_come() {
    let app = spawn_app().await;
    let mut body = complaint();
    body["dispute"]["facts"] = json!("商家拒绝退款\u{0}；要求退款");
    body["demands"] = json!(["refund\u{0}"]);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["demands[0]", "dispute.facts"]);

    let res = app.get("/api/v1/track/TS%00X").await;
    assert_problem(&res, 400, "nul_in_url");
    let res = app.get("/api/v1/divisions?q=%00").await;
    assert_problem(&res, 400, "nul_in_url");
    // An escaped backslash followed by "u0000" is text, not a NUL.
    let mut body = complaint();
    body["dispute"]["facts"] = json!("商家在收据上写了 \\u0000 这样的乱码，拒绝退款，要求退款");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.count("cases").await, 1);
}

#[actix_web::test]
async fn numbers_beyond_range_name_their_field() {
    let app = spawn_app().await;
    for amount in ["1e400", "99999999999999999999999", "-1", "12.5"] {
        let text = complaint().to_string().replace(
            "\"amount_fen\":",
            &format!("\"amount_fen\":{amount},\"was\":"),
        );
        let res = app
            .request(
                "POST",
                "/api/v1/complaints",
                &[("content-type", "application/json")],
                Some(text),
            )
            .await;
        assert!(
            res.status == 422 || res.status == 400,
            "{amount}: {} {}",
            res.status,
            res.text
        );
        assert_eq!(
            res.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
    }
    let mut body = complaint();
    body["dispute"]["amount_fen"] = json!(u64::MAX);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["dispute.amount_fen"]);
    assert_eq!(app.count("cases").await, 0);
}

#[actix_web::test]
async fn markup_and_sql_are_stored_as_text_and_returned_as_json_strings() {
    let app = spawn_app().await;
    let facts = "<script>alert('x')</script>'); DROP TABLE cases; -- 商家拒绝退款，要求退款";
    let mut body = complaint();
    body["dispute"]["facts"] = json!(facts);
    body["complainant"]["name"] = json!("Robert'); DROP TABLE parties;--");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let receipt = res.body["receipt_number"].as_str().unwrap().to_owned();
    let secret = res.body["access_secret"].as_str().unwrap().to_owned();
    let tracked = app.track(&receipt, &secret).await;
    assert_eq!(tracked.status, 200, "{}", tracked.text);
    assert_eq!(
        tracked.headers.get("content-type").unwrap(),
        "application/json"
    );
    let case = case::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(case.facts, facts);
    let party = party::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(party.name, "Robert'); DROP TABLE parties;--");
    assert_eq!(app.count("cases").await, 1);
}

#[actix_web::test]
async fn query_parameters_an_operation_does_not_declare_are_refused() {
    let app = spawn_app().await;
    let res = app
        .get("/api/v1/calendar/add-working-days?from=2026-01-01&days=3&dyas=4")
        .await;
    assert_problem(&res, 422, "invalid_query");
    assert_eq!(error_fields(&res), ["dyas"]);
    let res = app
        .get("/api/v1/calendar/add-working-days?from=2026-01-01&days=3")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // A body-only operation takes no query at all.
    let res = app.post("/api/v1/complaints?debug=1", &complaint()).await;
    assert_problem(&res, 422, "invalid_query");
    assert_eq!(error_fields(&res), ["debug"]);
    assert_eq!(app.count("cases").await, 0);
}

#[actix_web::test]
async fn failed_logins_are_throttled_per_account_and_per_address() {
    let app = spawn_app_with(|s| {
        s.login_max_failures_per_account = 3;
        s.login_max_failures_per_address = 5;
    })
    .await;
    for name in ["guard", "other", "third"] {
        app.staff(name, Role::BureauAdmin, Some("330421"), None, None)
            .await;
    }
    let attempt =
        |username: &str, password: &str| json!({"username": username, "password": password});
    // Two failures, then the right password: accepted, and the count starts again.
    for _ in 0..2 {
        let res = app
            .post("/api/v1/auth/login", &attempt("guard", "wrong"))
            .await;
        assert_problem(&res, 401, "invalid_credentials");
    }
    let ok = app
        .post(
            "/api/v1/auth/login",
            &attempt("guard", "correct horse battery"),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    for _ in 0..3 {
        let res = app
            .post("/api/v1/auth/login", &attempt("guard", "wrong"))
            .await;
        assert_problem(&res, 401, "invalid_credentials");
    }
    // Locked: even the right password is refused, before it is checked.
    let res = app
        .post(
            "/api/v1/auth/login",
            &attempt("guard", "correct horse battery"),
        )
        .await;
    assert_problem(&res, 429, "too_many_login_attempts");
    let retry: u64 = res
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");

    // The address has three failures left in the window (the success cleared the account's first
    // two): another account still logs in, and two more failures from anyone lock the address.
    let res = app
        .post(
            "/api/v1/auth/login",
            &attempt("other", "correct horse battery"),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post("/api/v1/auth/login", &attempt("nobody", "x"))
        .await;
    assert_problem(&res, 401, "invalid_credentials");
    let res = app
        .post("/api/v1/auth/login", &attempt("nobody", "x"))
        .await;
    assert_problem(&res, 401, "invalid_credentials");
    let res = app
        .post(
            "/api/v1/auth/login",
            &attempt("third", "correct horse battery"),
        )
        .await;
    assert_problem(&res, 429, "too_many_login_attempts");

    // Once the window has passed, the account and the address may try again.
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(16));
    let res = app
        .post(
            "/api/v1/auth/login",
            &attempt("guard", "correct horse battery"),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn the_login_limit_holds_when_wrong_passwords_arrive_at_once() {
    let app = spawn_app_with(|s| {
        s.login_max_failures_per_account = 5;
        s.login_max_failures_per_address = 100;
    })
    .await;
    app.staff("guard", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let body = json!({"username": "guard", "password": "wrong"});
    let answers =
        futures_util::future::join_all((0..24).map(|_| app.post("/api/v1/auth/login", &body)))
            .await;
    let checked = answers.iter().filter(|r| r.status == 401).count();
    let refused = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(
        checked + refused,
        24,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(checked, 5, "only the limit's worth of passwords is checked");
}
