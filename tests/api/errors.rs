use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn malformed_requests_get_precise_problems() {
    let app = spawn_app().await;
    let json_ct = [("content-type", "application/json")];

    let res = app
        .request(
            "POST",
            "/api/v1/complaints",
            &json_ct,
            Some("{\"channel\": ".into()),
        )
        .await;
    assert_problem(&res, 400, "invalid_json");

    let res = app
        .request(
            "POST",
            "/api/v1/complaints",
            &[("content-type", "text/plain")],
            Some(complaint().to_string()),
        )
        .await;
    assert_problem(&res, 415, "unsupported_media_type");

    let huge = format!("{{\"facts\": \"{}\"}}", "长".repeat(300_000));
    let res = app
        .request("POST", "/api/v1/complaints", &json_ct, Some(huge))
        .await;
    assert_problem(&res, 413, "payload_too_large");

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let res = app
        .request("POST", "/api/v1/complaints", &json_ct, Some(deep))
        .await;
    assert_problem(&res, 400, "invalid_json");

    let sql = json!({"username": "admin' OR '1'='1", "password": "<script>alert(1)</script>"});
    let res = app.post("/api/v1/auth/login", &sql).await;
    assert_problem(&res, 401, "invalid_credentials");

    assert_problem(&app.get("/api/v1/nowhere").await, 404, "not_found");

    let res = app.request("DELETE", "/api/v1/complaints", &[], None).await;
    assert_problem(&res, 405, "method_not_allowed");
    assert_eq!(res.headers.get("allow").unwrap(), "POST");

    let res = app
        .get("/api/v1/calendar/add-working-days?from=2026-01-01&days=lots")
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["days"]);

    let res = app.get("/api/v1/divisions").await;
    assert_problem(&res, 422, "invalid_query");

    assert_eq!(app.count("cases").await, 0);
}

#[actix_web::test]
async fn invalid_utf8_in_a_body_is_a_400_problem() {
    let app = spawn_app().await;
    let res = app
        .request_bytes(
            "/api/v1/complaints",
            b"{\"channel\": \"\xff\xfe\"}".to_vec(),
        )
        .await;
    assert_problem(&res, 400, "invalid_json");
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_echoes_a_sane_one() {
    let app = spawn_app().await;
    let res = app
        .request("GET", "/healthz", &[("x-request-id", "abc-123")], None)
        .await;
    assert_eq!(res.headers.get("x-request-id").unwrap(), "abc-123");
    let res = app
        .request(
            "GET",
            "/healthz",
            &[("x-request-id", "bad id with spaces")],
            None,
        )
        .await;
    let id = res.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(app.get("/readyz").await.body["status"], "ready");
}
