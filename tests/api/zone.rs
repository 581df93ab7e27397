use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;
use crate::routing::complaint_about;

fn ids(res: &Response) -> Vec<String> {
    res.body
        .as_array()
        .unwrap_or_else(|| panic!("{}", res.text))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The kinds of a case's timeline entries, as staff see them.
fn events(res: &Response) -> Vec<String> {
    res.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn zone_complaint_filed_at_any_station_is_mediated_where_the_dispute_arose() {
    let app = spawn_app().await;
    let zhujiajiao = app
        .staff("zhujiajiao", Role::Mediator, None, Some("S310118102"), None)
        .await;
    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let jinze = app
        .staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;

    // A Shanghai consumer walks into 朱家角 about a restaurant in 西塘 (Zhejiang).
    let res = app
        .post_as(
            "/api/v1/stations/S310118102/complaints",
            &zhujiajiao,
            &complaint(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(res.body["routing"]["bureau_code"], "330421");
    assert_eq!(res.body["routing"]["station_id"], "S330421103");
    assert_eq!(res.body["routing"]["rule"], "respondent_published_address");
    assert_eq!(res.body["received_by_station_id"], "S310118102");
    // No time is lost: the clock started at 朱家角's receipt, as for any complaint that day.
    assert_eq!(res.body["deadlines"][0]["due_date"], "2026-12-02");

    // 西塘 mediates it; 朱家角 follows it, personal data included, as the consumer's contact.
    assert_eq!(
        ids(&app.get_as("/api/v1/cases", &xitang).await),
        [id.as_str()]
    );
    assert_eq!(
        ids(&app.get_as("/api/v1/cases", &zhujiajiao).await),
        [id.as_str()]
    );
    let path = format!("/api/v1/cases/{id}");
    let followed = app.get_as(&path, &zhujiajiao).await;
    assert_eq!(followed.status, 200, "{}", followed.text);
    assert_eq!(followed.body["received_by_station_id"], "S310118102");
    assert_eq!(followed.body["station_id"], "S330421103");
    assert_eq!(followed.body["parties"][0]["phone"], "13800000000");
    assert_eq!(followed.body["timeline"][0]["actor_kind"], "mediator");
    // Nobody else: another pilot station, and 青浦's bureau (the case is not in its county).
    assert!(ids(&app.get_as("/api/v1/cases", &jinze).await).is_empty());
    assert_problem(&app.get_as(&path, &jinze).await, 404, "not_found");
    let qingpu = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    assert_problem(&app.get_as(&path, &qingpu).await, 404, "not_found");

    let tracked = app
        .track(
            res.body["receipt_number"].as_str().unwrap(),
            res.body["access_secret"].as_str().unwrap(),
        )
        .await;
    assert_eq!(tracked.status, 200, "{}", tracked.text);
    assert_eq!(
        tracked.body["handler"]["station_name"],
        "西塘市场监督管理所"
    );
    assert_eq!(tracked.body["contact_station"]["id"], "S310118102");
    assert!(
        tracked.body["timeline"][0]["description"]
            .as_str()
            .unwrap()
            .contains("朱家角")
    );

    // 青浦's bureau admin may register walk-ins at its own stations, not at 西塘.
    let res = app
        .post_as(
            "/api/v1/stations/S310118102/complaints",
            &qingpu,
            &complaint(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_problem(
        &app.post_as(
            "/api/v1/stations/S330421103/complaints",
            &qingpu,
            &complaint(),
        )
        .await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.post_as(
            "/api/v1/stations/S310118102/complaints",
            &jinze,
            &complaint(),
        )
        .await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.post("/api/v1/stations/S310118102/complaints", &complaint())
            .await,
        401,
        "unauthorized",
    );
    assert_problem(
        &app.post_as("/api/v1/stations/S000/complaints", &jinze, &complaint())
            .await,
        404,
        "not_found",
    );
}

#[actix_web::test]
async fn the_zone_studio_lists_pilot_area_cases_across_the_three_provinces_for_zone_staff_only() {
    let app = spawn_app().await;
    let xitang = app.post("/api/v1/complaints", &complaint()).await;
    let mut lili = complaint_about(
        "黎里某服装店",
        "江苏省苏州市吴江区黎里镇南新街2号",
        "320509110",
    );
    lili["dispute"]["facts"] = json!("购买的外套洗后严重缩水，商家拒绝退货。");
    let lili = app.post("/api/v1/complaints", &lili).await;
    let outside = app
        .post(
            "/api/v1/complaints",
            &complaint_about(
                "常州某饭店",
                "江苏省常州市武进区湖塘镇人民路1号",
                "320412100",
            ),
        )
        .await;
    assert_eq!(outside.status, 201, "{}", outside.text);

    let wujiang = app
        .staff("wujiang", Role::BureauAdmin, Some("320509"), None, None)
        .await;
    let res = app.get_as("/api/v1/zone/cases", &wujiang).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let listed = ids(&res);
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&xitang.body["id"].as_str().unwrap().to_owned()));
    assert!(listed.contains(&lili.body["id"].as_str().unwrap().to_owned()));
    assert!(!res.text.contains("13800000000") && !res.text.contains("张三"));
    let xitang_row: &Value = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["dispute_division_code"] == "330421103")
        .unwrap();
    assert_eq!(xitang_row["dispute_town"], "浙江省嘉兴市嘉善县西塘镇");
    let only = app
        .get_as("/api/v1/zone/cases?town=320509110", &wujiang)
        .await;
    assert_eq!(ids(&only), [lili.body["id"].as_str().unwrap()]);
    assert_problem(
        &app.get_as("/api/v1/zone/cases?town=320412100", &wujiang)
            .await,
        422,
        "validation_failed",
    );

    let jinze = app
        .staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;
    assert_eq!(
        ids(&app.get_as("/api/v1/zone/cases", &jinze).await).len(),
        2
    );
    // 天凝 is 嘉善's but outside the pilot area; 武进 is outside altogether.
    let tianning = app
        .staff("tianning", Role::Mediator, None, Some("S330421112"), None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    for token in [&tianning, &wujin] {
        assert_problem(
            &app.get_as("/api/v1/zone/cases", token).await,
            403,
            "forbidden",
        );
    }
}

#[actix_web::test]
async fn a_refused_return_at_a_registered_brand_cites_its_cross_store_promise() {
    let app = spawn_app().await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let brand = json!({"name": "江南布艺", "promise": "示范区内任一门店购买的商品，7日内可在任一门店无理由退换"});
    assert_problem(
        &app.post_as("/api/v1/zone/return-brands", &wujin, &brand)
            .await,
        403,
        "forbidden",
    );
    let created = app
        .post_as("/api/v1/zone/return-brands", &jiashan, &brand)
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let brand_id = created.body["id"].as_str().unwrap().to_owned();
    assert_problem(
        &app.post_as("/api/v1/zone/return-brands", &jiashan, &brand)
            .await,
        409,
        "brand_exists",
    );
    let public = app.get("/api/v1/zone/return-brands").await;
    assert_eq!(public.body[0]["name"], "江南布艺");

    // Bought in 黎里, refused a return at the 西塘 store.
    let mut body = complaint_about(
        "江南布艺西塘店",
        "浙江省嘉兴市嘉善县西塘镇南大街20号",
        "330421103",
    );
    body["dispute"]["facts"] = json!("在黎里门店购买的桌布，到西塘门店要求退货被拒绝。");
    body["demands"] = json!(["return"]);
    let filed = app.post("/api/v1/complaints", &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{}", filed.body["id"].as_str().unwrap()),
            &xitang,
        )
        .await;
    assert_eq!(detail.body["return_promise"]["brand_name"], "江南布艺");
    assert!(
        detail.body["return_promise"]["promise"]
            .as_str()
            .unwrap()
            .contains("无理由退换")
    );
    assert!(events(&detail).contains(&"return_promise_cited".to_owned()));

    // A refund demand does not cite the return promise.
    body["demands"] = json!(["refund"]);
    body["dispute"]["facts"] = json!("桌布质量问题，要求退款。");
    let refund = app.post("/api/v1/complaints", &body).await;
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{}", refund.body["id"].as_str().unwrap()),
            &xitang,
        )
        .await;
    assert!(detail.body["return_promise"].is_null());

    let changed = app
        .put_as(
            &format!("/api/v1/zone/return-brands/{brand_id}"),
            &jiashan,
            &json!({"name": "江南布艺", "promise": "15日内任一门店无理由退换"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let gone = app
        .delete_as(&format!("/api/v1/zone/return-brands/{brand_id}"), &jiashan)
        .await;
    assert_eq!(gone.status, 204);
    assert!(
        app.get("/api/v1/zone/return-brands")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_problem(
        &app.delete_as(&format!("/api/v1/zone/return-brands/{brand_id}"), &jiashan)
            .await,
        404,
        "not_found",
    );
    // The filed complaint keeps the promise as it stood.
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{}", filed.body["id"].as_str().unwrap()),
            &xitang,
        )
        .await;
    assert!(
        detail.body["return_promise"]["promise"]
            .as_str()
            .unwrap()
            .starts_with("示范区内")
    );
}

#[actix_web::test]
async fn a_station_lists_its_own_cases_and_its_walk_ins_newest_first_each_once() {
    let app = spawn_app().await;
    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut filed = Vec::new();
    for (minute, path, body) in [
        // Online, about 西塘: 西塘's own case.
        (0, "/api/v1/complaints", complaint()),
        // Registered at 西塘 about 西塘: its own case and its walk-in at once.
        (1, "/api/v1/stations/S330421103/complaints", complaint()),
        // Registered at 西塘 about 朱家角: 朱家角 mediates, 西塘 follows.
        (
            2,
            "/api/v1/stations/S330421103/complaints",
            complaint_about("朱家角某茶馆", "上海市青浦区朱家角镇北大街9号", "310118102"),
        ),
    ] {
        app.clock.set(monday() + chrono::Duration::minutes(minute));
        let res = app.post_as(path, &xitang, &body).await;
        assert_eq!(res.status, 201, "{}", res.text);
        filed.push(res.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(filed.len(), 3);
    let newest_first: Vec<String> = filed.iter().rev().cloned().collect();

    assert_eq!(
        ids(&app.get_as("/api/v1/cases", &xitang).await),
        newest_first
    );
    let page = app.get_as("/api/v1/cases?limit=2", &xitang).await;
    assert_eq!(ids(&page), newest_first[..2]);
    let before = page.body[1]["received_at"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    assert_eq!(
        ids(&app
            .get_as(&format!("/api/v1/cases?limit=2&before={before}"), &xitang)
            .await),
        newest_first[2..]
    );
}
