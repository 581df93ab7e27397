use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::routing::complaint_about;

/// The seed story: two diners in 常州 found a foreign object in a dish. One complained to 武进 about
/// the restaurant; the restaurant, having paid that diner ¥1000, complained to 嘉善 天凝所 about the
/// pickled-vegetable maker. The bureaus linked the cases and the maker agreed to compensate after a
/// video mediation.
#[actix_web::test]
async fn complaints_about_one_incident_in_two_cities_are_linked_and_mediated_together_by_video() {
    let app = spawn_app().await;
    let mut diner = complaint_about(
        "常州某饭店",
        "江苏省常州市武进区湖塘镇人民路1号",
        "320412100",
    );
    diner["complainant"] = json!({"name": "李四", "phone": "13900000001", "address": "江苏省常州市武进区湖塘镇花园街3号", "id_type": "resident_id", "id_number": resident_id("32041219850505123")});
    diner["dispute"]["facts"] = json!("在饭店就餐，腌菜炒肉中吃出异物，要求赔偿。");
    let diner = app.post("/api/v1/complaints", &diner).await;
    assert_eq!(diner.status, 201, "{}", diner.text);
    assert_eq!(diner.body["routing"]["bureau_code"], "320412");

    let mut restaurant =
        complaint_about("某腌菜厂", "浙江省嘉兴市嘉善县天凝镇工业路5号", "320412100");
    restaurant["complainant"] = json!({"name": "王五", "phone": "13900000002", "address": "江苏省常州市武进区湖塘镇人民路1号", "id_type": "resident_id", "id_number": resident_id("32041219800303123")});
    restaurant["category"] = json!("food");
    restaurant["dispute"]["goods_or_service"] = json!("腌菜");
    restaurant["dispute"]["amount_fen"] = json!(100000);
    restaurant["dispute"]["facts"] =
        json!("采购的腌菜中有异物，顾客就餐时吃出，本店已先行赔付顾客1000元，要求厂家承担。");
    let restaurant = app.post("/api/v1/complaints", &restaurant).await;
    assert_eq!(restaurant.status, 201, "{}", restaurant.text);
    assert_eq!(restaurant.body["routing"]["station_id"], "S330421112");

    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let tianning = app
        .staff("tianning", Role::Mediator, None, Some("S330421112"), None)
        .await;
    let qingpu = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    let receipts = [
        restaurant.body["receipt_number"].as_str().unwrap(),
        diner.body["receipt_number"].as_str().unwrap(),
    ];
    let incident = json!({"title": "常州某饭店菜品异物（腌菜）", "receipt_numbers": receipts});

    // Linking needs a case of one's own, and real receipt numbers.
    assert_problem(
        &app.post_as("/api/v1/incidents", &qingpu, &incident).await,
        403,
        "forbidden",
    );
    let res = app
        .post_as(
            "/api/v1/incidents",
            &jiashan,
            &json!({"title": "x x", "receipt_numbers": [receipts[0], "TS20261123-NOSUCH00"]}),
        )
        .await;
    assert_eq!(error_fields(&res), ["receipt_numbers[1]"]);

    let created = app.post_as("/api/v1/incidents", &jiashan, &incident).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/api/v1/incidents/{}", created.body["id"].as_str().unwrap());
    assert_problem(
        &app.post_as("/api/v1/incidents", &wujin, &incident).await,
        409,
        "already_in_incident",
    );

    // 武进 reads the incident and both summaries, but personal data only of its own case.
    let seen = app.get_as(&path, &wujin).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    let bureaus: Vec<&str> = seen.body["bureaus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(bureaus, ["320412", "330421"]);
    let cases = seen.body["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for c in cases {
        assert_eq!(c["yours"], c["bureau_code"] == "320412");
    }
    for private in ["李四", "王五", "13900000001", "13900000002"] {
        assert!(!seen.text.contains(private), "{private} leaked");
    }
    let theirs = format!("/api/v1/cases/{}", restaurant.body["id"].as_str().unwrap());
    let ours = format!("/api/v1/cases/{}", diner.body["id"].as_str().unwrap());
    assert_problem(&app.get_as(&theirs, &wujin).await, 404, "not_found");
    let own = app.get_as(&ours, &wujin).await;
    assert_eq!(own.body["parties"][0]["name"], "李四");
    assert_eq!(own.body["incident_id"], created.body["id"]);
    assert_eq!(app.get_as(&path, &tianning).await.status, 200);
    assert_problem(&app.get_as(&path, &qingpu).await, 403, "forbidden");
    assert_problem(
        &app.get_as("/api/v1/incidents/nope", &wujin).await,
        404,
        "not_found",
    );

    let session = json!({
        "held_at": "2026-11-27T02:00:00Z",
        "mode": "video_link",
        "link": "https://meeting.example/odr/20261127",
        "bureau_codes": ["330421", "320412"],
        "note": "腌菜厂同意赔偿饭店1000元并向两位顾客致歉"
    });
    assert_problem(
        &app.post_as(&format!("{path}/sessions"), &qingpu, &session)
            .await,
        403,
        "forbidden",
    );
    let mut wrong = session.clone();
    wrong["bureau_codes"] = json!(["330421", "310118"]);
    let res = app
        .post_as(&format!("{path}/sessions"), &wujin, &wrong)
        .await;
    assert_eq!(error_fields(&res), ["bureau_codes[1]"]);
    let recorded = app
        .post_as(&format!("{path}/sessions"), &tianning, &session)
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    let seen = app.get_as(&path, &jiashan).await;
    assert_eq!(seen.body["sessions"][0]["mode"], "video_link");
    assert_eq!(
        seen.body["sessions"][0]["note"],
        "腌菜厂同意赔偿饭店1000元并向两位顾客致歉"
    );

    // Both consumers see the link and the joint session on tracking.
    for filed in [&diner, &restaurant] {
        let tracked = app
            .track(
                filed.body["receipt_number"].as_str().unwrap(),
                filed.body["access_secret"].as_str().unwrap(),
            )
            .await;
        let events: Vec<&str> = tracked.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        assert_eq!(
            events,
            ["received", "routed", "linked_to_incident", "joint_session"]
        );
        assert!(tracked.text.contains("视频"), "{}", tracked.text);
    }
}
