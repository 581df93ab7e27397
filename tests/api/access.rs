use sea_orm::ConnectionTrait;
use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;

#[actix_web::test]
async fn login_issues_an_expiring_token_that_logout_revokes() {
    let app = spawn_app().await;
    let token = app
        .staff("admin", Role::SystemAdmin, None, None, None)
        .await;
    let me = app.get_as("/api/v1/auth/me", &token).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["role"], "system_admin");

    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "admin", "password": "nope nope nope"}),
        )
        .await;
    assert_problem(&wrong, 401, "invalid_credentials");
    let unknown = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "ghost", "password": "nope nope nope"}),
        )
        .await;
    assert_problem(&unknown, 401, "invalid_credentials");

    // Only hashes are stored.
    let backend = app.db.get_database_backend();
    let stored = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT password_hash FROM users",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "password_hash")
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert_eq!(
        app.count(&format!("auth_tokens WHERE token_hash = '{token}'"))
            .await,
        0,
        "the raw token must not be stored"
    );

    let auth = format!("Bearer {token}");
    let out = app
        .request(
            "POST",
            "/api/v1/auth/logout",
            &[("authorization", &auth)],
            None,
        )
        .await;
    assert_eq!(out.status, 204);
    assert_problem(
        &app.get_as("/api/v1/auth/me", &token).await,
        401,
        "unauthorized",
    );
    assert_problem(&app.get("/api/v1/cases").await, 401, "unauthorized");
    assert_problem(
        &app.get_as("/api/v1/cases", "not-a-token").await,
        401,
        "unauthorized",
    );

    let fresh = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "admin", "password": "correct horse battery"}),
        )
        .await;
    let fresh = fresh.body["token"].as_str().unwrap().to_owned();
    app.clock.set(at("2026-11-24T02:00:01Z"));
    assert_problem(
        &app.get_as("/api/v1/auth/me", &fresh).await,
        401,
        "unauthorized",
    );
}

#[actix_web::test]
async fn accounts_are_created_within_the_callers_bureau_and_usernames_are_unique() {
    let app = spawn_app().await;
    let admin = app.staff("root", Role::SystemAdmin, None, None, None).await;
    let bureau = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let mediator = json!({"username": "xitang1", "password": "long enough pw", "role": "mediator", "display_name": "调解员甲", "station_id": "S330421103"});
    let res = app.post_as("/api/v1/users", &bureau, &mediator).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["bureau_code"], "330421");

    let res = app.post_as("/api/v1/users", &bureau, &mediator).await;
    assert_problem(&res, 409, "username_taken");

    let elsewhere = json!({"username": "jinze1", "password": "long enough pw", "role": "mediator", "display_name": "x", "station_id": "S310118104"});
    assert_problem(
        &app.post_as("/api/v1/users", &bureau, &elsewhere).await,
        403,
        "forbidden",
    );
    let sysadmin = json!({"username": "root2", "password": "long enough pw", "role": "system_admin", "display_name": "x"});
    assert_problem(
        &app.post_as("/api/v1/users", &bureau, &sysadmin).await,
        403,
        "forbidden",
    );
    let res = app.post_as("/api/v1/users", &admin, &elsewhere).await;
    assert_eq!(res.status, 201, "{}", res.text);

    let bad = json!({"username": "X", "password": "short", "role": "mediator", "display_name": "x", "station_id": "S999"});
    let res = app.post_as("/api/v1/users", &admin, &bad).await;
    assert_problem(&res, 422, "validation_failed");
    let mut fields = error_fields(&res);
    fields.dedup();
    assert_eq!(fields, ["password", "username"]);
    let res = app.post_as("/api/v1/users", &admin, &json!({"username": "abc", "password": "long enough pw", "role": "mediator", "display_name": "x", "station_id": "S999"})).await;
    assert_eq!(error_fields(&res), ["station_id"]);

    let mediator_token = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "xitang1", "password": "long enough pw"}),
        )
        .await;
    let mediator_token = mediator_token.body["token"].as_str().unwrap().to_owned();
    assert_problem(
        &app.post_as("/api/v1/users", &mediator_token, &sysadmin)
            .await,
        403,
        "forbidden",
    );
}

#[actix_web::test]
async fn staff_see_only_their_jurisdiction_and_desks_only_their_business() {
    let app = spawn_app().await;
    let restaurant = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let other = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D6")).await;
    let mut body = complaint();
    body["also_report"] = json!({"violation": "使用过期食材，涉嫌违法", "evidence": []});
    let filed = app.post("/api/v1/complaints", &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let complaint_id = filed.body["id"].as_str().unwrap().to_owned();
    let report_id = filed.body["linked"]["id"].as_str().unwrap().to_owned();

    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let jinze = app
        .staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let qingpu = app
        .staff(
            "qingpu",
            Role::EnforcementOfficer,
            Some("310118"),
            None,
            None,
        )
        .await;
    let desk = app
        .staff("desk", Role::EnterpriseAgent, None, None, Some(&restaurant))
        .await;
    let other_desk = app
        .staff("otherdesk", Role::EnterpriseAgent, None, None, Some(&other))
        .await;

    let ids = |res: &Response| -> Vec<String> {
        res.body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&app.get_as("/api/v1/cases", &xitang).await).len(), 2);
    assert_eq!(ids(&app.get_as("/api/v1/cases", &jiashan).await).len(), 2);
    assert!(ids(&app.get_as("/api/v1/cases", &jinze).await).is_empty());
    assert!(ids(&app.get_as("/api/v1/cases", &qingpu).await).is_empty());
    assert_eq!(
        ids(&app.get_as("/api/v1/cases", &desk).await),
        [complaint_id.as_str()]
    );
    assert!(ids(&app.get_as("/api/v1/cases", &other_desk).await).is_empty());

    let path = format!("/api/v1/cases/{complaint_id}");
    let seen = app.get_as(&path, &xitang).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["parties"][0]["phone"], "13800000000");
    assert_problem(&app.get_as(&path, &jinze).await, 404, "not_found");
    assert_problem(&app.get_as(&path, &qingpu).await, 404, "not_found");
    assert_problem(&app.get_as(&path, &other_desk).await, 404, "not_found");
    assert_problem(
        &app.get_as(&format!("/api/v1/cases/{report_id}"), &desk)
            .await,
        404,
        "not_found",
    );
    assert_problem(
        &app.get_as("/api/v1/cases/no-such-case", &jiashan).await,
        404,
        "not_found",
    );

    // The desk sees the complainant as allowed, never a full ID number, and no internal events.
    let at_desk = app.get_as(&path, &desk).await;
    assert_eq!(at_desk.status, 200, "{}", at_desk.text);
    assert_eq!(at_desk.body["parties"][0]["name"], "张三");
    let id_number = at_desk.body["parties"][0]["id_number"].as_str().unwrap();
    assert!(id_number.contains('*'), "{id_number}");

    // Each staff read of personal data is audited; desks' reads are masked and not counted as such.
    let audit = app
        .get_as(&format!("/api/v1/audit?case_id={complaint_id}"), &jiashan)
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let reads = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "case.read_personal_data")
        .count();
    assert_eq!(reads, 1);
    assert_problem(
        &app.get_as("/api/v1/audit", &jiashan).await,
        422,
        "validation_failed",
    );
    assert_problem(
        &app.get_as("/api/v1/audit", &xitang).await,
        403,
        "forbidden",
    );
}

#[actix_web::test]
async fn a_consumer_who_concealed_their_identity_is_masked_for_the_business() {
    let app = spawn_app().await;
    let restaurant = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let mut body = complaint();
    body["conceal_identity_from_business"] = json!(true);
    let filed = app.post("/api/v1/complaints", &body).await;
    let desk = app
        .staff("desk", Role::EnterpriseAgent, None, None, Some(&restaurant))
        .await;
    let res = app
        .get_as(
            &format!("/api/v1/cases/{}", filed.body["id"].as_str().unwrap()),
            &desk,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let party = &res.body["parties"][0];
    assert_eq!(party["name"], "张*");
    assert!(party["phone"].is_null() && party["address"].is_null() && party["id_number"].is_null());
    assert!(!res.text.contains("13800000000"));
}

#[actix_web::test]
async fn the_audit_trail_cannot_be_edited_or_deleted() {
    let app = spawn_app().await;
    app.post("/api/v1/complaints", &complaint()).await;
    assert!(app.count("audit_log").await >= 1);
    let db = &app.db;
    assert!(
        db.execute_unprepared("UPDATE audit_log SET action = 'x'")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM audit_log")
            .await
            .is_err()
    );
    assert!(app.count("audit_log").await >= 1);
}
