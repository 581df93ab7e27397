use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::routing::{complaint_about, create_station};

/// A complaint about the pickle maker in 天凝 (嘉善, outside the pilot area) about a dish eaten in 湖塘 (武进).
async fn file_tianning_case(app: &TestApp) -> Response {
    let body = complaint_about("某腌菜厂", "浙江省嘉兴市嘉善县天凝镇工业路5号", "320412100");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["routing"]["station_id"], "S330421112");
    res
}

/// Logs in again, e.g. after the clock moved past a token's lifetime.
async fn login(app: &TestApp, username: &str) -> String {
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": username, "password": "correct horse battery"}),
        )
        .await;
    res.body["token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_transfer_accepted_by_the_competent_bureau_moves_the_case_and_keeps_its_clocks() {
    let app = spawn_app().await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let qingpu = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    create_station(&app, &wujin, "S320412100", "320412", &["320412100"]).await;
    let filed = file_tianning_case(&app).await;
    let case_id = filed.body["id"].as_str().unwrap();
    let case_path = format!("/api/v1/cases/{case_id}");

    let res = app
        .post_as(
            &format!("{case_path}/transfers"),
            &jiashan,
            &json!({"to_bureau_code": "320412", "reason": "菜品在武进区湖塘镇的饭店出售，争议发生地在武进"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "pending");
    assert_eq!(
        res.body["to_bureau_name"],
        "江苏省常州市武进区市场监督管理局"
    );
    let transfer = format!("/api/v1/transfers/{}", res.body["id"].as_str().unwrap());
    // Each deadline carries its case's bureau and station for the statistics.
    let deadlines_in = |bureau: &str, station: &str| {
        format!(
            "deadlines WHERE case_id = '{case_id}' AND bureau_code = '{bureau}' AND station_id = '{station}'"
        )
    };
    let clocks = app
        .count(&format!("deadlines WHERE case_id = '{case_id}'"))
        .await;
    assert!(clocks > 0);
    assert_eq!(
        app.count(&deadlines_in("330421", "S330421112")).await,
        clocks
    );

    // While pending, both sides see the referral and the case; nobody else does.
    assert_eq!(app.get_as(&case_path, &wujin).await.status, 200);
    assert_eq!(app.get_as(&case_path, &jiashan).await.status, 200);
    assert_problem(&app.get_as(&case_path, &qingpu).await, 404, "not_found");
    assert_eq!(app.get_as(&transfer, &wujin).await.status, 200);
    assert_problem(&app.get_as(&transfer, &qingpu).await, 403, "forbidden");
    let incoming = app
        .get_as(
            "/api/v1/transfers?direction=incoming&status=pending",
            &wujin,
        )
        .await;
    assert_eq!(
        incoming.body.as_array().unwrap().len(),
        1,
        "{}",
        incoming.text
    );
    assert!(
        app.get_as("/api/v1/transfers", &qingpu)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_problem(
        &app.post_as(&format!("{transfer}/accept"), &jiashan, &json!({}))
            .await,
        403,
        "forbidden",
    );

    let accepted = app
        .post_as(&format!("{transfer}/accept"), &wujin, &json!({}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.body["status"], "accepted");
    assert_problem(
        &app.post_as(&format!("{transfer}/accept"), &wujin, &json!({}))
            .await,
        409,
        "transfer_closed",
    );

    // The case moved inside 武进 to the station of the dispute town; its clock did not restart.
    let moved = app.get_as(&case_path, &wujin).await;
    assert_eq!(moved.body["bureau_code"], "320412");
    assert_eq!(moved.body["station_id"], "S320412100");
    assert_eq!(moved.body["routing_rule"], "transferred");
    assert_eq!(moved.body["deadlines"][0]["kind"], "acceptance");
    assert_eq!(moved.body["deadlines"][0]["due_date"], "2026-12-02");
    assert_eq!(moved.body["transfers"][0]["status"], "accepted");
    assert_eq!(
        app.count(&deadlines_in("320412", "S320412100")).await,
        clocks
    );
    assert_problem(&app.get_as(&case_path, &jiashan).await, 404, "not_found");

    let tracked = app
        .track(
            filed.body["receipt_number"].as_str().unwrap(),
            filed.body["access_secret"].as_str().unwrap(),
        )
        .await;
    assert_eq!(tracked.body["handler"]["bureau_code"], "320412");
    let timeline: Vec<&str> = tracked.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "received",
            "routed",
            "transfer_requested",
            "transfer_accepted"
        ]
    );
    assert!(
        tracked.body["timeline"][3]["description"]
            .as_str()
            .unwrap()
            .contains("湖塘市场监督管理所")
    );
    assert_eq!(
        app.count("audit_log WHERE action LIKE 'transfer.%'").await,
        2
    );
}

#[actix_web::test]
async fn a_returned_transfer_not_settled_within_seven_working_days_escalates_to_the_common_superior()
 {
    let app = spawn_app().await;
    let root = app.staff("root", Role::SystemAdmin, None, None, None).await;
    let res = app
        .put_as(
            "/api/v1/bureaus/330481",
            &root,
            &json!({"name": "海宁市市场监督管理局"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let haining = app
        .staff("haining", Role::BureauAdmin, Some("330481"), None, None)
        .await;
    let filed = file_tianning_case(&app).await;
    let case_path = format!("/api/v1/cases/{}", filed.body["id"].as_str().unwrap());
    let res = app
        .post_as(
            &format!("{case_path}/transfers"),
            &jiashan,
            &json!({"to_bureau_code": "330481", "reason": "腌菜厂实际经营地在海宁"}),
        )
        .await;
    let transfer = format!("/api/v1/transfers/{}", res.body["id"].as_str().unwrap());
    assert_problem(
        &app.post_as(
            &format!("{transfer}/return"),
            &jiashan,
            &json!({"reason": "x x"}),
        )
        .await,
        403,
        "forbidden",
    );
    let returned = app
        .post_as(
            &format!("{transfer}/return"),
            &haining,
            &json!({"reason": "该厂在海宁无经营场所，营业执照登记在天凝"}),
        )
        .await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    assert_eq!(returned.body["status"], "returned");
    // Returned on Monday 11-23: 7 working days end on Wednesday 12-02.
    assert_eq!(returned.body["dispute_due_at"], "2026-12-02T16:00:00Z");
    assert_problem(
        &app.post_as(
            &format!("{transfer}/return"),
            &haining,
            &json!({"reason": "again"}),
        )
        .await,
        409,
        "transfer_closed",
    );
    // The disagreement keeps the case visible to both bureaus and shows its deadline.
    let detail = app.get_as(&case_path, &haining).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    let dispute = detail.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "jurisdiction_dispute")
        .unwrap()
        .clone();
    assert_eq!(dispute["due_date"], "2026-12-02");
    assert_eq!(dispute["status"], "open");

    let just_before = at("2026-12-02T15:59:59Z");
    assert_eq!(
        xiaobao::routing::escalate_overdue_transfers(&app.db, just_before)
            .await
            .unwrap(),
        0
    );
    app.clock.set(at("2026-12-03T01:00:00Z"));
    let now = app.clock.now();
    assert_eq!(
        xiaobao::routing::escalate_overdue_transfers(&app.db, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        xiaobao::routing::escalate_overdue_transfers(&app.db, now)
            .await
            .unwrap(),
        0
    );
    let jiashan = login(&app, "jiashan").await;
    let haining = login(&app, "haining").await;

    let escalated = app.get_as(&transfer, &jiashan).await;
    assert_eq!(escalated.body["status"], "escalated");
    let escalation = &escalated.body["escalation"];
    assert_eq!(escalation["level"], "city");
    assert_eq!(escalation["division_code"], "330400");
    assert_eq!(escalation["authority"], "浙江省嘉兴市市场监督管理局");
    let detail = app.get_as(&case_path, &jiashan).await;
    assert!(detail.text.contains("\"kind\":\"transfer_escalated\""));
    let deadlines = detail.body["deadlines"].as_array().unwrap();
    assert!(
        deadlines
            .iter()
            .any(|d| d["kind"] == "jurisdiction_dispute" && d["status"] == "missed")
    );
    assert!(
        deadlines
            .iter()
            .any(|d| d["kind"] == "acceptance" && d["due_date"] == "2026-12-02")
    );

    // The superior decides for 嘉善: it withdraws the transfer and keeps the case; 海宁 no longer sees it.
    assert_problem(
        &app.post_as(&format!("{transfer}/withdraw"), &haining, &json!({}))
            .await,
        403,
        "forbidden",
    );
    let withdrawn = app
        .post_as(&format!("{transfer}/withdraw"), &jiashan, &json!({}))
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    assert_eq!(withdrawn.body["escalation"]["level"], "city");
    assert_problem(&app.get_as(&case_path, &haining).await, 404, "not_found");
    let tracked = app
        .track(
            filed.body["receipt_number"].as_str().unwrap(),
            filed.body["access_secret"].as_str().unwrap(),
        )
        .await;
    assert!(
        tracked
            .text
            .contains("已报请浙江省嘉兴市市场监督管理局指定管辖")
    );
}

#[actix_web::test]
async fn only_the_handling_bureau_transfers_and_never_a_pilot_area_case_of_its_own_county() {
    let app = spawn_app().await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let tianning = app
        .staff("tianning", Role::Mediator, None, Some("S330421112"), None)
        .await;
    let filed = file_tianning_case(&app).await;
    let path = format!(
        "/api/v1/cases/{}/transfers",
        filed.body["id"].as_str().unwrap()
    );
    let to_wujin = json!({"to_bureau_code": "320412", "reason": "争议发生地在武进"});
    assert_problem(
        &app.post_as(&path, &tianning, &to_wujin).await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.post_as(&path, &wujin, &to_wujin).await,
        404,
        "not_found",
    );
    let res = app
        .post_as(
            &path,
            &jiashan,
            &json!({"to_bureau_code": "330400", "reason": "嘉兴市"}),
        )
        .await;
    assert_eq!(error_fields(&res), ["to_bureau_code"]);
    let res = app
        .post_as(
            &path,
            &jiashan,
            &json!({"to_bureau_code": "330421", "reason": "自己"}),
        )
        .await;
    assert_eq!(error_fields(&res), ["to_bureau_code"]);
    assert_eq!(app.post_as(&path, &jiashan, &to_wujin).await.status, 201);
    assert_problem(
        &app.post_as(
            &path,
            &jiashan,
            &json!({"to_bureau_code": "320509", "reason": "再移送"}),
        )
        .await,
        409,
        "transfer_open",
    );

    // A 同城待遇 case about a dispute in 西塘 stays with 嘉善.
    let zone = app.post("/api/v1/complaints", &complaint()).await;
    let res = app
        .post_as(
            &format!(
                "/api/v1/cases/{}/transfers",
                zone.body["id"].as_str().unwrap()
            ),
            &jiashan,
            &to_wujin,
        )
        .await;
    assert_problem(&res, 422, "zone_case_not_transferable");
    assert_eq!(app.count("transfers").await, 1);
}
