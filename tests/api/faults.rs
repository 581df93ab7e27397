//! What a client sees when the database goes away: 503 problems it can retry, never a 500.

use crate::helpers::{complaint, spawn_app};

#[actix_web::test]
async fn a_closed_database_pool_answers_503_database_unavailable_with_retry_after() {
    let app = spawn_app().await;
    app.db.close_by_ref().await.unwrap();

    let res = app
        .request(
            "POST",
            "/api/v1/complaints",
            &[
                ("content-type", "application/json"),
                ("idempotency-key", "fault-1"),
            ],
            Some(complaint().to_string()),
        )
        .await;

    assert_eq!(res.status.as_u16(), 503, "{}", res.text);
    assert_eq!(res.content_type, "application/problem+json");
    assert_eq!(res.body["code"], "database_unavailable");
    assert!(res.headers.get("retry-after").is_some());
    let res = app.get("/readyz").await;
    assert_eq!(res.status.as_u16(), 503);
}
