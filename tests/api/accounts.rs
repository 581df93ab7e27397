//! Administering accounts through the API: a bureau admin lists, creates and changes the staff of
//! its own bureau only; disabling an account or changing its role ends its logins; a reset gives
//! a temporary password once and the old one stops working.

use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;

async fn log_in(app: &TestApp, username: &str, password: &str) -> Response {
    app.post(
        "/api/v1/auth/login",
        &json!({"username": username, "password": password}),
    )
    .await
}

#[actix_web::test]
async fn a_bureau_admin_keeps_the_accounts_of_its_own_staff() {
    let app = spawn_app().await;
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let root = app.staff("root", Role::SystemAdmin, None, None, None).await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;

    let created = app
        .post_as(
            "/api/v1/users",
            &admin,
            &json!({"username": "newbie", "password": "a long enough password", "role": "mediator",
                    "display_name": "新调解员", "station_id": "S330421103"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_problem(
        &app.post_as(
            "/api/v1/users",
            &admin,
            &json!({"username": "outsider", "password": "a long enough password", "role": "bureau_admin",
                    "display_name": "外局", "bureau_code": "320412"}),
        )
        .await,
        403,
        "forbidden",
    );

    let list = app.get_as("/api/v1/users", &admin).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let names: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"newbie") && names.contains(&"xitang") && names.contains(&"jiashan"));
    assert!(
        !names.contains(&"wujin") && !names.contains(&"root"),
        "{names:?}"
    );
    assert_eq!(
        app.get_as("/api/v1/users", &wujin)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Another bureau's admin does not reach it; nobody disables themselves.
    let path = format!("/api/v1/users/{id}");
    assert_problem(
        &app.patch_as(&path, &wujin, &json!({"active": false})).await,
        404,
        "not_found",
    );
    let me = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "jiashan")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = app
        .patch_as(
            &format!("/api/v1/users/{me}"),
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_problem(&own, 409, "own_account");

    // A mediator becomes an officer (no station), and back only with a station of the bureau.
    let token = log_in(&app, "newbie", "a long enough password").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let officer = app
        .patch_as(&path, &admin, &json!({"role": "enforcement_officer"}))
        .await;
    assert_eq!(officer.status, 200, "{}", officer.text);
    assert_eq!(officer.body["role"], "enforcement_officer");
    assert!(officer.body["station_id"].is_null());
    assert_eq!(
        app.get_as("/api/v1/auth/me", &token).await.status,
        401,
        "its logins ended"
    );
    let back = app
        .patch_as(&path, &admin, &json!({"role": "mediator"}))
        .await;
    assert_eq!(error_fields(&back), ["station_id"]);
    let wrong = app
        .patch_as(
            &path,
            &admin,
            &json!({"role": "mediator", "station_id": "S320412100"}),
        )
        .await;
    assert_eq!(error_fields(&wrong), ["station_id"]);
    let back = app
        .patch_as(
            &path,
            &admin,
            &json!({"role": "mediator", "station_id": "S330421103"}),
        )
        .await;
    assert_eq!(back.body["station_id"], "S330421103", "{}", back.text);

    // Reset: a temporary password, once; the old one no longer works.
    let reset = app
        .post_as(&format!("{path}/reset-password"), &admin, &json!({}))
        .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    let temporary = reset.body["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(temporary.chars().count(), 12);
    assert_eq!(
        log_in(&app, "newbie", "a long enough password")
            .await
            .status,
        401
    );
    assert_eq!(log_in(&app, "newbie", &temporary).await.status, 200);

    // Disabled, it cannot log in; enabled again, it can.
    let off = app.patch_as(&path, &admin, &json!({"active": false})).await;
    assert_eq!(off.body["active"], false, "{}", off.text);
    assert_eq!(log_in(&app, "newbie", &temporary).await.status, 401);
    app.patch_as(&path, &admin, &json!({"active": true})).await;
    assert_eq!(log_in(&app, "newbie", &temporary).await.status, 200);
    assert_eq!(
        app.count("audit_log WHERE action IN ('user.change', 'user.reset_password')")
            .await,
        5,
        "two changes of role, a reset, off and on: the refused changes leave no trace"
    );

    // A desk account keeps its role.
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let desk = app
        .post_as(
            "/api/v1/users",
            &root,
            &json!({"username": "desk", "password": "a long enough password", "role": "enterprise_agent",
                    "display_name": "前台", "business_id": business}),
        )
        .await;
    let desk_path = format!("/api/v1/users/{}", desk.body["id"].as_str().unwrap());
    let changed = app
        .patch_as(
            &desk_path,
            &root,
            &json!({"role": "mediator", "station_id": "S330421103"}),
        )
        .await;
    assert_eq!(error_fields(&changed), ["role"]);
}
