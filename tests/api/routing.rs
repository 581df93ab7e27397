use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

/// A complaint about a business at `address`, where the dispute arose in `dispute_town`.
pub fn complaint_about(name: &str, address: &str, dispute_town: &str) -> Value {
    let mut body = complaint();
    body["respondent"] = json!({"name": name, "address": address});
    body["dispute"]["division_code"] = json!(dispute_town);
    body
}

pub async fn create_station(app: &TestApp, token: &str, id: &str, bureau: &str, towns: &[&str]) {
    let res = app
        .post_as(
            "/api/v1/stations",
            token,
            &json!({"id": id, "bureau_code": bureau, "name": "湖塘市场监督管理所", "towns": towns}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn bureau_admins_create_stations_covering_towns_of_their_county_only() {
    let app = spawn_app().await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let station = json!({"id": "S320412100", "bureau_code": "320412", "name": "湖塘市场监督管理所", "towns": ["320412100"]});
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "station-1"),
        ("authorization", &format!("Bearer {wujin}")),
    ];
    let created = app
        .request(
            "POST",
            "/api/v1/stations",
            &headers,
            Some(station.to_string()),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["towns"][0]["name"], "湖塘镇");
    assert_eq!(created.body["pilot_area"], false);
    let again = app
        .request(
            "POST",
            "/api/v1/stations",
            &headers,
            Some(station.to_string()),
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");

    let res = app.post_as("/api/v1/stations", &wujin, &station).await;
    assert_problem(&res, 409, "station_exists");
    let res = app
        .post_as(
            "/api/v1/stations",
            &wujin,
            &json!({"id": "S320412X", "bureau_code": "320412", "name": "另一个所", "towns": ["320412102", "330421103", "320412", "320412102"]}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["towns[1]", "towns[2]", "towns[3]"]);
    assert!(res.text.contains("嘉善县"), "{}", res.text);
    let res = app
        .post_as(
            "/api/v1/stations",
            &wujin,
            &json!({"id": "S320412X", "bureau_code": "320412", "name": "另一个所", "towns": ["320412100"]}),
        )
        .await;
    assert_problem(&res, 409, "town_already_covered");
    assert!(res.body["detail"].as_str().unwrap().contains("S320412100"));
    let res = app
        .post_as(
            "/api/v1/stations",
            &jiashan,
            &json!({"id": "S320412Y", "bureau_code": "320412", "name": "x所", "towns": []}),
        )
        .await;
    assert_problem(&res, 403, "forbidden");
    let res = app
        .post_as(
            "/api/v1/stations",
            &xitang,
            &json!({"id": "S330421Y", "bureau_code": "330421", "name": "x所", "towns": []}),
        )
        .await;
    assert_problem(&res, 403, "forbidden");

    let path = "/api/v1/stations/S320412100/towns";
    let res = app
        .put_as(path, &wujin, &json!({"towns": ["320412100", "320412102"]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["towns"].as_array().unwrap().len(), 2);
    assert_problem(
        &app.put_as(path, &jiashan, &json!({"towns": []})).await,
        403,
        "forbidden",
    );
    // 西塘 belongs to the 西塘 station: 嘉善 cannot give it to 姚庄 without taking it away first.
    let res = app
        .put_as(
            "/api/v1/stations/S330421111/towns",
            &jiashan,
            &json!({"towns": ["330421111", "330421103"]}),
        )
        .await;
    assert_problem(&res, 409, "town_already_covered");
    assert_problem(
        &app.put_as("/api/v1/stations/S000/towns", &wujin, &json!({"towns": []}))
            .await,
        404,
        "not_found",
    );

    // A new name: the id, towns and audit trail follow; only the station's own bureau renames it.
    let name = "/api/v1/stations/S320412100/name";
    let res = app
        .put_as(name, &wujin, &json!({"name": "湖塘中心市场监督管理所"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name"], "湖塘中心市场监督管理所");
    assert_eq!(res.body["towns"].as_array().unwrap().len(), 2);
    assert_problem(
        &app.put_as(name, &jiashan, &json!({"name": "别人的所"}))
            .await,
        403,
        "forbidden",
    );
    let bad = app.put_as(name, &wujin, &json!({"name": "两\n行"})).await;
    assert_problem(&bad, 422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "name", "{}", bad.text);
    assert_problem(
        &app.put_as(
            "/api/v1/stations/S000/name",
            &wujin,
            &json!({"name": "无此所"}),
        )
        .await,
        404,
        "not_found",
    );

    let bureau = app.get("/api/v1/bureaus/320412").await;
    assert_eq!(bureau.status, 200, "{}", bureau.text);
    assert_eq!(bureau.body["name"], "江苏省常州市武进区市场监督管理局");
    assert_eq!(bureau.body["stations"][0]["id"], "S320412100");
    let listed = app.get("/api/v1/stations?bureau_code=330421").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 3);
    assert!(app.count("audit_log WHERE action LIKE 'station.%'").await >= 2);
}

#[actix_web::test]
async fn every_county_has_a_bureau_which_a_system_admin_may_register() {
    let app = spawn_app().await;
    let derived = app.get("/api/v1/bureaus/330106").await;
    assert_eq!(derived.status, 200, "{}", derived.text);
    assert_eq!(derived.body["registered"], false);
    assert_eq!(derived.body["name"], "浙江省杭州市西湖区市场监督管理局");
    assert_problem(&app.get("/api/v1/bureaus/330100").await, 404, "not_found");
    let pilot: Vec<Value> = app
        .get("/api/v1/bureaus")
        .await
        .body
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(pilot.len(), 4);
    assert!(
        pilot
            .iter()
            .any(|b| b["code"] == "330421" && b["pilot_area"] == true)
    );

    let root = app.staff("root", Role::SystemAdmin, None, None, None).await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let body = json!({"name": "杭州市西湖区市场监督管理局"});
    assert_problem(
        &app.put_as("/api/v1/bureaus/330106", &jiashan, &body).await,
        403,
        "forbidden",
    );
    let res = app.put_as("/api/v1/bureaus/330106", &root, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["registered"], true);
    // Now accounts can be bound to it.
    app.staff("xihu", Role::BureauAdmin, Some("330106"), None, None)
        .await;
}

#[actix_web::test]
async fn a_complaint_about_a_business_outside_the_pilot_area_goes_to_its_countys_bureau_and_station()
 {
    let app = spawn_app().await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    create_station(&app, &wujin, "S320412100", "320412", &["320412100"]).await;

    let body = complaint_about(
        "常州某饭店",
        "江苏省常州市武进区湖塘镇人民路1号",
        "320412100",
    );
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let routing = &res.body["routing"];
    assert_eq!(routing["bureau_code"], "320412");
    assert_eq!(routing["station_id"], "S320412100");
    assert_eq!(routing["rule"], "respondent_published_address");

    // No station covers 北山街道: the county bureau handles it, under a name derived from the county.
    let body = complaint_about(
        "杭州某茶馆",
        "浙江省杭州市西湖区北山街道北山路10号",
        "330106002",
    );
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let routing = &res.body["routing"];
    assert_eq!(routing["bureau_code"], "330106");
    assert_eq!(routing["bureau_name"], "浙江省杭州市西湖区市场监督管理局");
    assert!(routing["station_id"].is_null());
    assert_eq!(routing["rule"], "respondent_published_address");

    // An address that names no place: where the dispute arose decides, and says so.
    let body = complaint_about("某流动摊贩", "无固定地址", "320412100");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["routing"]["rule"], "dispute_location");
    assert_eq!(res.body["routing"]["station_id"], "S320412100");
}

/// A seller on a platform domiciled in 青浦, doing business in 黎里, about a purchase delivered to 黎里.
fn platform_complaint(reachable: bool) -> Value {
    let mut body = complaint_about("某网店", "江苏省苏州市吴江区黎里镇汾湖大道1号", "320509110");
    body["category"] = json!("ecommerce");
    body["respondent"]["platform"] = json!({"name": "某电商平台", "division_code": "310118"});
    body["respondent"]["published_address_reachable"] = json!(reachable);
    body
}

#[actix_web::test]
async fn platform_sellers_go_to_their_own_bureau_or_the_platforms_by_the_rule_set_of_receipt() {
    let app = spawn_app().await;
    let res = app
        .post("/api/v1/complaints", &platform_complaint(true))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["routing"]["bureau_code"], "320509");
    assert_eq!(res.body["routing"]["station_id"], "S320509110");
    assert_eq!(res.body["routing"]["rule"], "respondent_published_address");

    // Order 121: a seller that cannot be reached at its published address → the platform's domicile.
    let res = app
        .post("/api/v1/complaints", &platform_complaint(false))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["routing"]["bureau_code"], "310118");
    assert_eq!(res.body["routing"]["rule"], "platform_domicile");
    assert!(res.body["routing"]["station_id"].is_null());

    // Order 20: the seller's place of business, whether or not it answers...
    app.clock.set(at("2026-03-10T02:00:00Z"));
    let mut order_20 = platform_complaint(false);
    order_20["dispute"]["occurred_on"] = json!("2026-03-01");
    let res = app.post("/api/v1/complaints", &order_20).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["rule_set"], "order-20");
    assert_eq!(res.body["routing"]["bureau_code"], "320509");
    assert_eq!(res.body["routing"]["rule"], "respondent_place_of_business");

    // ...but the platform's bureau is competent too, and the first to receive it keeps it.
    let zhujiajiao = app
        .staff("zhujiajiao", Role::Mediator, None, Some("S310118102"), None)
        .await;
    let res = app
        .post_as(
            "/api/v1/stations/S310118102/complaints",
            &zhujiajiao,
            &order_20,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["routing"]["bureau_code"], "310118");
    assert_eq!(res.body["routing"]["rule"], "first_receiver");

    // A seller whose address names no place: the platform's domicile.
    let mut unknown = order_20.clone();
    unknown["respondent"]["address"] = json!("网店，无实体地址");
    let res = app.post("/api/v1/complaints", &unknown).await;
    assert_eq!(res.body["routing"]["rule"], "platform_domicile");
}
