//! The business's ODR desk in the workbench over HTTP: the negotiation on the case page with its
//! settlement clock, an offer in 元 (a bad one answered with the summary and every value kept),
//! accepting the consumer's counter-offer, recording performance, declining with a reason, and
//! the business's own figures. Each form runs the API's step; other roles are refused.

use awc::http::StatusCode;
use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::odr::{enrolled_business, odr_complaint};
use crate::pages_staff::{Browser, assert_summary};
use crate::pages_staff_actions::{assert_back_to_case, form};

struct Filed {
    id: String,
    receipt: String,
    secret: String,
}

async fn file(app: &TestApp) -> Filed {
    let res = app.post("/api/v1/complaints", &odr_complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "with_business");
    Filed {
        id: res.body["id"].as_str().unwrap().into(),
        receipt: res.body["receipt_number"].as_str().unwrap().into(),
        secret: res.body["access_secret"].as_str().unwrap().into(),
    }
}

async fn state(app: &TestApp, f: &Filed) -> serde_json::Value {
    let t = app
        .request(
            "GET",
            &format!("/api/v1/track/{}/odr", f.receipt),
            &[("x-access-secret", &f.secret)],
            None,
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
    t.body["state"].clone()
}

#[actix_web::test]
async fn the_desk_offers_accepts_a_counter_and_records_performance_from_the_case_page() {
    let app = spawn_app_with(|s| s.token_ttl_hours = 24 * 30).await;
    enrolled_business(&app).await;
    let f = file(&app).await;
    let mut b = Browser::signed_in(&app, "desk1").await;
    let case = format!("/staff/cases/{}", f.id);
    let page = b.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("企业和解期限：2026年12月7日"),
        "{}",
        page.text
    );
    assert!(page.text.contains(&format!(r#"href="{case}/odr/offer""#)));
    assert!(page.text.contains(&format!(r#"href="{case}/odr/decline""#)));
    assert!(!page.text.contains("以下事项目前通过业务系统接口办理"));

    let offer = format!("{case}/odr/offer");
    let bad = b
        .post(
            &offer,
            &form(&[
                ("amount", "12.345"),
                ("perform_by_year", "2026"),
                ("perform_by_month", "11"),
                ("perform_by_day", "20"),
                ("message", "全额退款"),
            ]),
        )
        .await;
    assert_summary(&bad, "kind", "请选择解决方式");
    assert_summary(
        &bad,
        "amount",
        "金额只能填数字，最多两位小数，例如 128 或 128.50",
    );
    assert_summary(&bad, "perform_by", "履行日期不能早于今天");
    assert!(bad.text.contains(r#"value="12.345""#));
    assert!(bad.text.contains("全额退款</textarea>"));
    assert_eq!(state(&app, &f).await, "negotiating");

    let made = b
        .post(
            &offer,
            &form(&[
                ("kind", "refund"),
                ("amount", "128"),
                ("perform_by_year", "2026"),
                ("perform_by_month", "11"),
                ("perform_by_day", "30"),
                ("message", "全额退款并致歉"),
            ]),
        )
        .await;
    assert_back_to_case(&made, &f.id);
    assert_eq!(state(&app, &f).await, "offered");
    let page = b.get(&case).await;
    assert!(
        page.text.contains("本企业的方案：退款 128.00 元"),
        "{}",
        page.text
    );
    assert!(!page.text.contains(&format!(r#"href="{offer}""#)));

    // The consumer counters; the desk accepts it from the case page.
    let countered = app
        .request(
            "POST",
            &format!("/api/v1/track/{}/odr/counter", f.receipt),
            &[
                ("content-type", "application/json"),
                ("x-access-secret", &f.secret),
            ],
            Some(
                json!({"kind": "refund", "amount_fen": 15000, "perform_by": "2026-11-30", "message": "另加运费"})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(countered.status, 201, "{}", countered.text);
    let counter_id = countered.body["id"].as_i64().unwrap();
    let page = b.get(&case).await;
    assert!(page.text.contains("消费者的方案：退款 150.00 元"));
    let accept = format!("{case}/odr/offers/{counter_id}/accept");
    assert!(page.text.contains(&format!(r#"action="{accept}""#)));
    assert_back_to_case(&b.post(&accept, "").await, &f.id);
    assert_eq!(state(&app, &f).await, "agreed");

    let performed = format!("{case}/odr/performance");
    assert!(
        b.get(&case)
            .await
            .text
            .contains(&format!(r#"href="{performed}""#))
    );
    assert_summary(&b.post(&performed, "note=").await, "note", "请写明履行情况");
    assert_back_to_case(
        &b.post(&performed, &form(&[("note", "已原路退款150元")]))
            .await,
        &f.id,
    );
    assert_eq!(state(&app, &f).await, "performed");

    // The business's own figures: one complaint received, none concluded yet.
    let figures = b.get("/staff/odr").await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.text);
    assert!(figures.text.contains("2026年1月1日至2026年11月23日"));
    assert!(figures.text.contains("1 件"));
    assert!(figures.text.contains("<svg"), "a chart");
    let wrong = b
        .get("/staff/odr?from_year=2026&from_month=12&from_day=1&to_year=2026&to_month=11&to_day=1")
        .await;
    assert_summary(&wrong, "to", "结束日期不能早于开始日期，期间最长一年");
}

#[actix_web::test]
async fn declining_needs_a_reason_and_sends_the_case_to_the_regulator_and_others_may_not() {
    let app = spawn_app().await;
    enrolled_business(&app).await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let f = file(&app).await;
    let decline = format!("/staff/cases/{}/odr/decline", f.id);

    // A mediator sees the case but takes no desk step, and has no figures page.
    let mut m = Browser::signed_in(&app, "xitang").await;
    assert_eq!(m.get(&decline).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        m.post(&decline, &form(&[("reason", "不予和解")]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(m.get("/staff/odr").await.status, StatusCode::FORBIDDEN);
    assert_eq!(state(&app, &f).await, "negotiating");

    let mut b = Browser::signed_in(&app, "desk1").await;
    assert_summary(
        &b.post(&decline, "reason=%20").await,
        "reason",
        "请写下原因",
    );
    assert_back_to_case(
        &b.post(
            &decline,
            &form(&[("reason", "商品已超过退换期限，且无质量问题")]),
        )
        .await,
        &f.id,
    );
    assert_eq!(state(&app, &f).await, "escalated");
    let page = b.get(&format!("/staff/cases/{}", f.id)).await;
    assert!(
        page.text
            .contains("和解未成，投诉已转交市场监督管理部门处理。")
    );
    assert!(!page.text.contains(&format!(r#"href="{decline}""#)));
    // A second decline is the step's to refuse.
    assert_eq!(
        b.post(&decline, &form(&[("reason", "再次不予和解")]))
            .await
            .status,
        StatusCode::CONFLICT
    );
}
