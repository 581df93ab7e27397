use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

async fn login(app: &TestApp, username: &str) -> String {
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": username, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["token"].as_str().unwrap().to_owned()
}

fn report(reporter: Option<Value>) -> Value {
    let mut body = json!({
        "channel": "hotline_12315", "category": "food",
        "respondent": {"name": "某腌菜厂", "uscc": uscc("91330421MA2B3C4D7"), "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "clue": {"what": "腌菜中检出异物，生产环境脏乱差"}
    });
    if let Some(r) = reporter {
        body["reporter"] = r;
    }
    body
}

async fn file_report_at(app: &TestApp, instant: &str, reporter: Option<Value>) -> Value {
    app.clock.set(at(instant));
    let res = app.post("/api/v1/reports", &report(reporter)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body.clone()
}

#[actix_web::test]
async fn a_report_is_decided_and_its_named_reporter_told_while_the_identity_stays_with_enforcement()
{
    let app = spawn_app().await;
    app.staff(
        "officer",
        Role::EnforcementOfficer,
        Some("330421"),
        None,
        None,
    )
    .await;
    app.staff("tianning", Role::Mediator, None, Some("S330421112"), None)
        .await;
    let named = file_report_at(
        &app,
        "2026-11-23T02:00:00Z",
        Some(json!({"name": "李四", "phone": "13900000009", "email": "li@example.com"})),
    )
    .await;
    let anonymous = file_report_at(&app, "2026-11-23T02:10:00Z", None).await;
    let officer = login(&app, "officer").await;
    let mediator = login(&app, "tianning").await;

    // The station's mediator sees the report but not who made it.
    let seen = app
        .get_as(
            &format!("/api/v1/cases/{}", named["id"].as_str().unwrap()),
            &mediator,
        )
        .await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["parties"][0]["name"], "李*");
    assert!(seen.body["parties"][0]["phone"].is_null());
    assert!(!seen.text.contains("13900000009"));
    assert_problem(
        &app.post_as(
            &format!("/api/v1/reports/{}/decision", named["id"].as_str().unwrap()),
            &mediator,
            &json!({"decision": "open", "reason": "x x"}),
        )
        .await,
        403,
        "forbidden",
    );

    app.clock.set(at("2026-12-03T02:00:00Z"));
    let officer = if app.get_as("/api/v1/auth/me", &officer).await.status == 200 {
        officer
    } else {
        login(&app, "officer").await
    };
    let res = app
        .post_as(
            &format!("/api/v1/reports/{}/decision", named["id"].as_str().unwrap()),
            &officer,
            &json!({"decision": "open", "reason": "证据确凿，予以立案"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "case_opened");
    assert!(res.body["reporter_notified_at"].is_string());
    let kinds: Vec<(&str, &str)> = res.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("report_verification", "met"))
            && kinds.contains(&("reporter_notice", "met")),
        "{kinds:?}"
    );
    assert_eq!(
        app.count(
            "outbox WHERE recipients LIKE '%li@example.com%' AND subject LIKE '%举报处理结果%'"
        )
        .await,
        1
    );

    let res = app
        .post_as(
            &format!(
                "/api/v1/reports/{}/decision",
                anonymous["id"].as_str().unwrap()
            ),
            &officer,
            &json!({"decision": "decline", "reason": "线索不具体"}),
        )
        .await;
    assert_eq!(res.body["status"], "case_declined");
    assert_eq!(
        res.body["deadlines"].as_array().unwrap().len(),
        1,
        "an anonymous reporter gets no notice deadline"
    );
    assert_problem(
        &app.post_as(
            &format!(
                "/api/v1/reports/{}/reporter-notice",
                anonymous["id"].as_str().unwrap()
            ),
            &officer,
            &json!({"method": "phone"}),
        )
        .await,
        409,
        "no_notice_due",
    );
    let tracked = app
        .track(
            named["receipt_number"].as_str().unwrap(),
            named["access_secret"].as_str().unwrap(),
        )
        .await;
    assert_eq!(tracked.body["status_label"], "已立案");
}

#[actix_web::test]
async fn under_order_121_a_repeated_report_is_merged_not_handled_again() {
    let app = spawn_app().await;
    let reporter = json!({"name": "李四", "phone": "13900000009"});
    let first = file_report_at(&app, "2026-11-23T02:00:00Z", Some(reporter.clone())).await;
    let again = file_report_at(&app, "2026-11-24T02:00:00Z", Some(reporter)).await;
    assert_eq!(again["status"], "merged");
    assert_eq!(again["probable_duplicate_of"], first["receipt_number"]);
    assert!(again["deadlines"].as_array().unwrap().is_empty());

    // Related reports by others are merged by staff.
    let other = file_report_at(
        &app,
        "2026-11-24T03:00:00Z",
        Some(json!({"name": "王五", "phone": "13900000010"})),
    )
    .await;
    app.staff(
        "officer",
        Role::EnforcementOfficer,
        Some("330421"),
        None,
        None,
    )
    .await;
    let officer = login(&app, "officer").await;
    let res = app
        .post_as(
            &format!("/api/v1/reports/{}/merge", other["id"].as_str().unwrap()),
            &officer,
            &json!({"into": first["id"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "merged");
    let res = app
        .post_as(
            &format!("/api/v1/reports/{}/merge", other["id"].as_str().unwrap()),
            &officer,
            &json!({"into": first["id"]}),
        )
        .await;
    assert_problem(&res, 409, "invalid_transition");
}

#[actix_web::test]
async fn a_violation_clue_becomes_a_lead_that_always_gets_an_answer() {
    let app = spawn_app().await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    app.staff_with_email(
        "officer",
        Role::EnforcementOfficer,
        Some("330421"),
        None,
        None,
        Some("officer@example.com"),
    )
    .await;
    app.staff_with_email(
        "chief",
        Role::BureauAdmin,
        Some("330421"),
        None,
        None,
        Some("chief@example.com"),
    )
    .await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    let case_id = filed.body["id"].as_str().unwrap().to_owned();
    let receipt = filed.body["receipt_number"].as_str().unwrap();
    let secret = filed.body["access_secret"].as_str().unwrap();
    let upload = app
        .upload(
            &format!("/api/v1/track/{receipt}/evidence"),
            &[("x-access-secret", secret)],
            &[("小票.pdf", b"%PDF-1.7\n%%EOF\n")],
        )
        .await;
    assert_eq!(upload.status, 201, "{}", upload.text);
    let mediator = login(&app, "xitang").await;
    let lead = json!({"kind": "case", "act": "使用过期食材加工菜品", "act_on": "2026-11-20", "place": "西塘镇南大街8号",
                      "evidence": ["消费者提供的照片", "购物小票"], "suggested_basis": "食品安全法第三十四条"});
    let res = app
        .post_as(&format!("/api/v1/cases/{case_id}/leads"), &mediator, &lead)
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let lead_id = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["verification_deadline"]["due_date"], "2026-12-14");
    assert_eq!(res.body["amount_fen"], 12800);
    assert!(res.body["complainants"].is_null());
    assert_problem(
        &app.post_as(&format!("/api/v1/cases/{case_id}/leads"), &mediator, &lead)
            .await,
        409,
        "lead_exists",
    );
    assert_eq!(
        app.count("outbox WHERE recipients LIKE '%officer@example.com%'")
            .await,
        1
    );
    assert_problem(
        &app.get_as("/api/v1/leads", &mediator).await,
        403,
        "forbidden",
    );

    let officer = login(&app, "officer").await;
    let detail = app
        .get_as(&format!("/api/v1/leads/{lead_id}"), &officer)
        .await;
    assert_eq!(
        detail.body["complainants"][0]["phone"], "13800000000",
        "{}",
        detail.text
    );
    assert_eq!(detail.body["respondent_uscc"], uscc("91330421MA2B3C4D5"));
    // The complaint's evidence files are part of the lead, and the officer may download them.
    assert_eq!(detail.body["evidence_files"][0]["file_name"], "小票.pdf");
    let file = detail.body["evidence_files"][0]["id"].as_str().unwrap();
    let got = app
        .get_as(
            &format!("/api/v1/cases/{case_id}/evidence/{file}"),
            &officer,
        )
        .await;
    assert_eq!(got.bytes, b"%PDF-1.7\n%%EOF\n");
    assert_problem(
        &app.post_as(
            &format!("/api/v1/leads/{lead_id}/decision"),
            &officer,
            &json!({"decision": "opened", "reason": "x y"}),
        )
        .await,
        409,
        "invalid_transition",
    );
    assert_eq!(
        app.post_as(
            &format!("/api/v1/leads/{lead_id}/accept"),
            &officer,
            &json!({})
        )
        .await
        .status,
        200
    );

    // Nobody decides in time: the lead escalates once, even with two sweepers.
    let late = at("2026-12-14T16:00:01Z");
    let other = app.another_connection().await;
    let (a, b) = tokio::join!(
        xiaobao::leads::escalate_overdue(&app.db, late),
        xiaobao::leads::escalate_overdue(&other, late)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(
        app.count(
            "outbox WHERE recipients LIKE '%chief@example.com%' AND subject LIKE '%诉转案超期%'"
        )
        .await,
        1
    );

    app.clock.set(at("2026-12-15T02:00:00Z"));
    let officer = login(&app, "officer").await;
    let res = app
        .post_as(
            &format!("/api/v1/leads/{lead_id}/decision"),
            &officer,
            &json!({"decision": "opened", "reason": "证据充分，予以立案"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["decision"], "opened");
    assert_eq!(res.body["verification_deadline"]["status"], "missed");
    let res = app
        .post_as(
            &format!("/api/v1/leads/{lead_id}/result"),
            &officer,
            &json!({"result": "罚款五千元，责令改正"}),
        )
        .await;
    assert_eq!(res.body["status"], "closed");

    // Each step flowed back to the complaint's timeline; the complaint itself goes on.
    let admin = login(&app, "chief").await;
    let case_detail = app
        .get_as(&format!("/api/v1/cases/{case_id}"), &admin)
        .await;
    let events: Vec<&str> = case_detail.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for e in [
        "lead_sent",
        "lead_accepted",
        "lead_escalated",
        "lead_decided",
        "lead_closed",
    ] {
        assert!(events.contains(&e), "{e} missing from {events:?}");
    }
    assert_eq!(case_detail.body["status"], "pending_acceptance");

    // The station handling the complaint reads what came of its lead, on the timeline and in full.
    let mediator = login(&app, "xitang").await;
    let followed = app
        .get_as(&format!("/api/v1/cases/{case_id}"), &mediator)
        .await;
    let closed = followed.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "lead_closed")
        .unwrap();
    assert_eq!(closed["detail"]["decision"], "opened", "{closed}");
    assert_eq!(closed["detail"]["result"], "罚款五千元，责令改正");
    assert!(closed["detail"]["decided_at"].is_string());
    let lead_view = app
        .get_as(&format!("/api/v1/leads/{lead_id}"), &mediator)
        .await;
    assert_eq!(lead_view.status, 200, "{}", lead_view.text);
    assert_eq!(lead_view.body["result"], "罚款五千元，责令改正");
    let elsewhere = app
        .staff("yaozhuang", Role::Mediator, None, Some("S330421111"), None)
        .await;
    assert_problem(
        &app.get_as(&format!("/api/v1/leads/{lead_id}"), &elsewhere)
            .await,
        404,
        "not_found",
    );
}

fn of_kind<'a>(alerts: &'a Value, kind: &str) -> Vec<&'a Value> {
    alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == kind)
        .collect()
}

#[actix_web::test]
async fn mass_complaints_raise_one_alert_and_serial_complainants_are_flagged_not_refused() {
    let app = spawn_app_with(|s| {
        s.mass_complaint_threshold = 3;
        s.serial_complainant_threshold = 3;
    })
    .await;
    app.staff_with_email(
        "chief",
        Role::BureauAdmin,
        Some("330421"),
        None,
        None,
        Some("chief@jiashan.example"),
    )
    .await;
    for i in 0..4 {
        let mut body = complaint();
        body["complainant"]["phone"] = json!(format!("1390000000{i}"));
        body["complainant"]["id_number"] = json!(resident_id(&format!("3304211990010112{i}")));
        body["dispute"]["facts"] = json!(format!("预付卡门店关闭无法退款，第{i}位消费者"));
        assert_eq!(app.post("/api/v1/complaints", &body).await.status, 201);
    }
    let chief = login(&app, "chief").await;
    let alerts = app.get_as("/api/v1/oversight/alerts", &chief).await;
    assert_eq!(alerts.status, 200, "{}", alerts.text);
    let mass = of_kind(&alerts.body, "mass_complaint");
    assert_eq!(mass.len(), 1);
    assert_eq!(mass[0]["case_count"], 4);
    // Raised by the third complaint, in its own write: one timeline entry and one mail to the
    // bureau's admins; the fourth finds the alert open and adds nothing.
    assert_eq!(
        app.count("case_events WHERE kind = 'alert_mass_complaint'")
            .await,
        1
    );
    assert_eq!(
        app.count("outbox WHERE subject LIKE '%群体投诉预警%' AND recipients LIKE '%chief@jiashan.example%'")
            .await,
        1
    );

    // One consumer against three different businesses: flagged for review, every complaint accepted for handling.
    for i in 5..8 {
        let mut body = complaint();
        body["respondent"]["uscc"] = json!(uscc(&format!("91330421MA2B3C4D{i}")));
        body["respondent"]["name"] = json!(format!("商户{i}"));
        let res = app.post("/api/v1/complaints", &body).await;
        assert_eq!(res.body["status"], "pending_acceptance");
    }
    let alerts = app.get_as("/api/v1/oversight/alerts", &chief).await;
    let serial = of_kind(&alerts.body, "serial_complainant");
    assert_eq!(serial.len(), 1, "{}", alerts.text);
    assert!(!alerts.text.contains("张三") && !alerts.text.contains("13800000000"));

    let id = mass[0]["id"].as_i64().unwrap();
    let ack = app
        .post_as(
            &format!("/api/v1/oversight/alerts/{id}/acknowledge"),
            &chief,
            &json!({}),
        )
        .await;
    assert_eq!(ack.body["open"], false, "{}", ack.text);
    // Once acknowledged, the next complaint past the threshold raises a new one.
    let mut body = complaint();
    body["complainant"]["phone"] = json!("13900000009");
    body["complainant"]["id_number"] = json!(resident_id("33042119900101129"));
    body["dispute"]["facts"] = json!("预付卡门店关闭无法退款，又一位消费者");
    assert_eq!(app.post("/api/v1/complaints", &body).await.status, 201);
    let alerts = app.get_as("/api/v1/oversight/alerts", &chief).await;
    let reopened = of_kind(&alerts.body, "mass_complaint");
    assert_eq!(reopened.len(), 1, "{}", alerts.text);
    assert_ne!(reopened[0]["id"], mass[0]["id"]);
    // Four, the serial complainant's first (against the same business), and this one.
    assert_eq!(reopened[0]["case_count"], 6);
    let other = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    assert_problem(
        &app.get_as("/api/v1/oversight/alerts?bureau_code=330421", &other)
            .await,
        403,
        "forbidden",
    );
}

#[actix_web::test]
async fn the_weekly_ranking_orders_businesses_by_complaints_and_reports() {
    let app = spawn_app().await;
    for (shop, n) in [("5", 3), ("6", 1)] {
        for i in 0..n {
            let mut body = complaint();
            body["respondent"]["uscc"] = json!(uscc(&format!("91330421MA2B3C4D{shop}")));
            body["respondent"]["name"] = json!(format!("商户{shop}"));
            body["complainant"]["phone"] = json!(format!("1390000001{i}"));
            body["complainant"]["id_number"] = json!(resident_id(&format!("3304211990010113{i}")));
            app.post("/api/v1/complaints", &body).await;
        }
    }
    let mut r = report(None);
    r["respondent"]["uscc"] = json!(uscc("91330421MA2B3C4D6"));
    r["respondent"]["name"] = json!("商户6");
    app.post("/api/v1/reports", &r).await;
    let chief = app
        .staff("chief", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let res = app
        .get_as("/api/v1/oversight/ranking?week_of=2026-11-25", &chief)
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["week_start"], "2026-11-23");
    let top: Vec<(String, i64, i64)> = res.body["businesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["respondent_name"].as_str().unwrap().to_owned(),
                b["complaints"].as_i64().unwrap(),
                b["reports"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [("商户5".to_owned(), 3, 0), ("商户6".to_owned(), 1, 1)]
    );
    let res = app
        .get_as("/api/v1/oversight/ranking?week_of=2026-11-30", &chief)
        .await;
    assert!(res.body["businesses"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn public_disclosure_counts_only_consented_complaints_and_shows_no_personal_data() {
    let app = spawn_app().await;
    app.post("/api/v1/complaints", &complaint()).await;
    let mut private = complaint();
    private["consent_to_publish"] = json!(false);
    private["dispute"]["facts"] = json!("另一件不愿公开的投诉，商家拒绝退货。");
    app.post("/api/v1/complaints", &private).await;
    let res = app
        .get(&format!(
            "/api/v1/public/businesses/{}/complaints?year=2026",
            uscc("91330421MA2B3C4D5")
        ))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["complaints"], 1);
    assert_eq!(res.body["by_category"]["catering"], 1);
    assert_eq!(res.body["business_name"], "西塘某餐馆");
    for secret in ["张三", "13800000000", "33042119900101123", "朱家角镇北大街"] {
        assert!(!res.text.contains(secret), "{secret} leaked");
    }
    assert_problem(
        &app.get("/api/v1/public/businesses/not-a-code/complaints")
            .await,
        422,
        "validation_failed",
    );
}

async fn odr_business(app: &TestApp) {
    app.staff("chief", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let chief = login(app, "chief").await;
    let b = app
        .post_as(
            "/api/v1/businesses",
            &chief,
            &json!({"name": "西塘某餐馆", "uscc": uscc("91330421MA2B3C4D5"), "address": "浙江省嘉兴市嘉善县西塘镇南大街8号", "division_code": "330421103"}),
        )
        .await;
    let id = b.body["id"].as_str().unwrap().to_owned();
    app.post_as(&format!("/api/v1/businesses/{id}/odr/apply"), &chief, &json!({"desk_contact": "李经理", "desk_phone": "13700000000", "commitment": "十个工作日内答复并履行"}))
        .await;
    app.post_as(
        &format!("/api/v1/businesses/{id}/odr/decision"),
        &chief,
        &json!({"decision": "enroll", "reason": "符合条件"}),
    )
    .await;
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&id))
        .await;
}

async fn file_complaint_at(app: &TestApp, instant: &str, odr: bool, facts: &str) -> Value {
    app.clock.set(at(instant));
    let mut body = complaint();
    body["choose_odr"] = json!(odr);
    body["dispute"]["occurred_on"] = json!(&instant[..10]);
    body["dispute"]["facts"] = json!(facts);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body.clone()
}

/// A hand-computed month (October 2026, across National Day); see the comments for each figure.
#[actix_web::test]
async fn statistics_match_a_hand_computed_month_across_national_day() {
    let app = spawn_app().await;
    app.clock.set(at("2026-09-20T02:00:00Z"));
    odr_business(&app).await;
    app.staff(
        "officer",
        Role::EnforcementOfficer,
        Some("330421"),
        None,
        None,
    )
    .await;
    // Reports (anonymous, routed to 天凝): verification due 10-19, 10-20 and 10-22.
    let r1 = file_report_at(&app, "2026-09-21T02:00:00Z", None).await;
    let r2 = file_report_at(&app, "2026-09-22T02:00:00Z", None).await;
    let r3 = file_report_at(&app, "2026-09-24T02:00:00Z", None).await;
    assert_eq!(r1["deadlines"][0]["due_date"], "2026-10-19");
    assert_eq!(r2["deadlines"][0]["due_date"], "2026-10-20");
    assert_eq!(r3["deadlines"][0]["due_date"], "2026-10-22");
    // C1: acceptance due 10-14, never decided. C2: ODR due 10-16, escalates on silence.
    let c1 = file_complaint_at(
        &app,
        "2026-09-29T02:00:00Z",
        false,
        "菜里有异物，要求退款，第一次投诉内容",
    )
    .await;
    assert_eq!(c1["deadlines"][0]["due_date"], "2026-10-14");
    let c2 = file_complaint_at(
        &app,
        "2026-09-28T02:00:00Z",
        true,
        "预付卡余额不退，商家推诿，要求退还余额",
    )
    .await;
    assert_eq!(c2["deadlines"][0]["due_date"], "2026-10-16");

    // R1 decided in time (10-16), R2 late (10-21), R3 never.
    for (r, day) in [(&r1, "2026-10-16T02:00:00Z"), (&r2, "2026-10-21T02:00:00Z")] {
        app.clock.set(at(day));
        let officer = login(&app, "officer").await;
        let res = app
            .post_as(
                &format!("/api/v1/reports/{}/decision", r["id"].as_str().unwrap()),
                &officer,
                &json!({"decision": "decline", "reason": "经核查无违法事实"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    // C2 escalates on 10-17 09:00; its acceptance (from escalation) falls due 10-27, never decided.
    assert_eq!(
        xiaobao::odr::escalate_overdue(&app.db, &app.state, at("2026-10-17T01:00:00Z"))
            .await
            .unwrap(),
        1
    );

    // C3, received 10-09, settles with the desk on 10-12: 128.00 recovered.
    let c3 = file_complaint_at(
        &app,
        "2026-10-09T02:00:00Z",
        true,
        "订的年夜饭套餐临时取消，要求退订金",
    )
    .await;
    let desk = login(&app, "desk").await;
    let offer = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", c3["id"].as_str().unwrap()),
            &desk,
            &json!({"kind": "refund", "amount_fen": 12800, "perform_by": "2026-10-12", "message": "退订金"}),
        )
        .await;
    let secret = [
        ("content-type", "application/json"),
        ("x-access-secret", c3["access_secret"].as_str().unwrap()),
    ];
    let receipt = c3["receipt_number"].as_str().unwrap();
    app.request(
        "POST",
        &format!(
            "/api/v1/track/{receipt}/odr/offers/{}/accept",
            offer.body["id"]
        ),
        &secret,
        Some("{}".into()),
    )
    .await;
    app.clock.set(at("2026-10-12T02:00:00Z"));
    let desk = login(&app, "desk").await;
    app.post_as(
        &format!(
            "/api/v1/odr/cases/{}/performance",
            c3["id"].as_str().unwrap()
        ),
        &desk,
        &json!({"note": "已退"}),
    )
    .await;
    let done = app
        .request(
            "POST",
            &format!("/api/v1/track/{receipt}/odr/confirm"),
            &secret,
            Some("{}".into()),
        )
        .await;
    assert_eq!(done.body["case_status"], "closed", "{}", done.text);

    app.clock.set(at("2026-11-23T02:00:00Z"));
    let chief = login(&app, "chief").await;
    let s = app
        .get_as("/api/v1/statistics?from=2026-10-01&to=2026-10-31", &chief)
        .await;
    assert_eq!(s.status, 200, "{}", s.text);
    let b = &s.body;
    let rate = |name: &str| {
        (
            b[name]["numerator"].as_i64().unwrap(),
            b[name]["denominator"].as_i64().unwrap(),
        )
    };
    assert_eq!(
        b["complaints_received"], 1,
        "only C3 was received in October"
    );
    assert_eq!(b["reports_received"], 0);
    assert_eq!(b["amount_in_dispute_fen"], 12800);
    assert_eq!(b["complaints_closed"], 1);
    assert_eq!(b["money_recovered_fen"], 12800);
    assert_eq!(
        rate("on_time_initial_check"),
        (0, 2),
        "C1 due 10-14 and C2 due 10-27, both undecided"
    );
    assert_eq!(
        rate("on_time_report_verification"),
        (1, 3),
        "R1 met, R2 missed, R3 overdue"
    );
    assert_eq!(rate("odr_settlement"), (1, 2), "C3 settled, C2 escalated");
    assert_eq!(rate("publication"), (1, 1));
    assert_eq!(rate("mediation_success"), (0, 0));
    assert!(b["mediation_success"]["rate"].is_null());
    assert_eq!(b["by_category"]["catering"], 1);
    assert_eq!(b["by_channel"]["web"], 1);

    // 西塘 station alone: the reports were 天凝's.
    let s = app
        .get_as(
            "/api/v1/statistics?from=2026-10-01&to=2026-10-31&station_id=S330421103",
            &chief,
        )
        .await;
    assert_eq!(s.body["on_time_report_verification"]["denominator"], 0);
    assert_eq!(s.body["on_time_initial_check"]["denominator"], 2);

    let csv = app
        .get_as(
            "/api/v1/statistics.csv?from=2026-10-01&to=2026-10-31",
            &chief,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.text.contains("on_time_report_verification,1,3,0.3333"),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("money_recovered_fen,,,12800"));

    assert_problem(
        &app.get_as("/api/v1/statistics?from=2026-10-31&to=2026-10-01", &chief)
            .await,
        422,
        "validation_failed",
    );
    let desk = login(&app, "desk").await;
    assert_problem(
        &app.get_as("/api/v1/statistics?from=2026-10-01&to=2026-10-31", &desk)
            .await,
        403,
        "forbidden",
    );
}
