//! Transfers in the workbench: a bureau admin transfers a case from its page, the receiving
//! bureau returns or accepts it from its transfers page, the sender withdraws; each through the
//! step the API runs, with the same refusals.

use awc::http::StatusCode;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages_staff::{Browser, assert_summary, enc};
use crate::routing::{complaint_about, create_station};

/// A complaint about a pickle maker in 天凝 (嘉善, outside the pilot area) about a dish eaten in
/// 湖塘 (武进): 嘉善's case, which is 武进's to handle.
async fn tianning_case(app: &TestApp) -> (String, String) {
    let body = complaint_about("某腌菜厂", "浙江省嘉兴市嘉善县天凝镇工业路5号", "320412100");
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
    (field("id"), field("receipt_number"))
}

/// The id in the first `action="/staff/transfers/{id}/{step}"` of a page.
fn transfer_id(page: &crate::pages::Page, step: &str) -> String {
    let tail = format!("/{step}\"");
    let at = page.text.find(&tail).expect(step);
    let start = page.text[..at].rfind("/staff/transfers/").unwrap() + "/staff/transfers/".len();
    page.text[start..at].to_owned()
}

#[actix_web::test]
async fn a_case_is_transferred_returned_and_accepted_in_the_workbench() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    create_station(&app, &wujin, "S320412100", "320412", &["320412100"]).await;
    let (id, receipt) = tianning_case(&app).await;
    let case_page = format!("/staff/cases/{id}");
    let form = format!("{case_page}/transfer");

    let mut sender = Browser::signed_in(&app, "jiashan").await;
    let page = sender.get(&case_page).await;
    assert!(
        page.text.contains(&format!(r#"href="{form}""#)),
        "{}",
        page.text
    );
    let page = sender.get(&form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains(r#"<option value="320412">"#),
        "{}",
        page.text
    );
    assert!(!page.text.contains(r#"<option value="330421">"#));

    // Nothing chosen or written: the form again with both errors, and no transfer.
    let bad = sender.post(&form, "to_bureau_code=&reason=").await;
    assert_summary(&bad, "to_bureau_code", "请选择接收案件的市场监管局");
    assert_summary(&bad, "reason", "请写明移送理由");
    // A bureau the list does not hold is refused at the field, the reason kept.
    let reason = "菜品在武进区湖塘镇的饭店出售，争议发生地在武进";
    let made_up = sender
        .post(
            &form,
            &format!("to_bureau_code=999999&reason={}", enc(reason)),
        )
        .await;
    assert_summary(
        &made_up,
        "to_bureau_code",
        "请从列表中选择接收案件的市场监管局",
    );
    assert!(made_up.text.contains(reason));
    assert!(app.get_as("/api/v1/transfers", &wujin).await.body[0].is_null());

    let sent = sender
        .post(
            &form,
            &format!("to_bureau_code=320412&reason={}", enc(reason)),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    assert_eq!(sent.header("location"), "/staff/transfers");
    let list = sender.get("/staff/transfers").await;
    assert!(
        list.text.contains("已移送江苏省常州市武进区市场监督管理局"),
        "{}",
        list.text
    );
    assert!(list.text.contains("待接收") && list.text.contains(reason));
    assert!(list.text.contains("撤回移送") && !list.text.contains(">接收<"));
    // One transfer is open at a time: the case page no longer offers another.
    assert!(!sender.get(&case_page).await.text.contains(&form));

    let mut receiver = Browser::signed_in(&app, "wujin").await;
    let list = receiver.get("/staff/transfers").await;
    assert!(list.text.contains(&receipt), "{}", list.text);
    let transfer = transfer_id(&list, "accept");
    assert!(
        list.text
            .contains(&format!("/staff/transfers/{transfer}/return"))
    );
    assert!(!list.text.contains("撤回移送"));
    // 武进 sees the case while the transfer is open, but does not act on it yet.
    assert_eq!(receiver.get(&case_page).await.status, StatusCode::OK);
    assert_eq!(receiver.get(&form).await.status, StatusCode::FORBIDDEN);

    let back = format!("/staff/transfers/{transfer}/return");
    let bad = receiver.post(&back, "reason=").await;
    assert_summary(&bad, "reason", "请写明退回理由");
    let returned = receiver
        .post(
            &back,
            &format!("reason={}", enc("经营者住所地在嘉善，应由嘉善办理")),
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.text);
    let list = receiver.get("/staff/transfers").await;
    assert!(list.text.contains("已退回，双方协商管辖"), "{}", list.text);
    assert!(list.text.contains("经营者住所地在嘉善"));
    // Returned once, it is not returned again; it may still be accepted.
    assert!(!list.text.contains(&back));
    assert_eq!(receiver.get(&back).await.status, StatusCode::CONFLICT);
    assert!(sender.get("/staff/transfers").await.text.contains("已退回"));

    let accepted = receiver
        .post(&format!("/staff/transfers/{transfer}/accept"), "")
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    let list = receiver.get("/staff/transfers").await;
    assert!(
        list.text.contains(&format!("已接收案件 {receipt}")),
        "{}",
        list.text
    );
    let moved = app.get_as(&format!("/api/v1/cases/{id}"), &wujin).await;
    assert_eq!(moved.body["bureau_code"], "320412", "{}", moved.text);
    assert_eq!(moved.body["station_id"], "S320412100");
    // 嘉善 no longer sees the case.
    assert_eq!(sender.get(&case_page).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_sender_withdraws_a_transfer_and_keeps_the_case() {
    let app = spawn_app().await;
    let jiashan = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let (id, _) = tianning_case(&app).await;
    let mut sender = Browser::signed_in(&app, "jiashan").await;
    let reason = "争议发生地在武进区湖塘镇";
    let sent = sender
        .post(
            &format!("/staff/cases/{id}/transfer"),
            &format!("to_bureau_code=320412&reason={}", enc(reason)),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let list = sender.get("/staff/transfers").await;
    let transfer = transfer_id(&list, "withdraw");
    let done = sender
        .post(&format!("/staff/transfers/{transfer}/withdraw"), "")
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let list = sender.get("/staff/transfers").await;
    assert!(
        list.text.contains("已撤回") && !list.text.contains("撤回移送<"),
        "{}",
        list.text
    );
    let t = app
        .get_as(&format!("/api/v1/transfers/{transfer}"), &jiashan)
        .await;
    assert_eq!(t.body["status"], "withdrawn", "{}", t.text);
    // The case may be transferred again.
    let page = sender.get(&format!("/staff/cases/{id}")).await;
    assert!(page.text.contains(&format!("/staff/cases/{id}/transfer")));
}

#[actix_web::test]
async fn a_pilot_area_case_is_never_offered_for_transfer_and_a_mediator_may_not_transfer() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    // 西塘 is in the pilot area and in 嘉善: handled here under 同城待遇, never transferred.
    let res = app.post("/api/v1/complaints", &complaint()).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    let form = format!("/staff/cases/{id}/transfer");
    let mut admin = Browser::signed_in(&app, "jiashan").await;
    let page = admin.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains(&form), "{}", page.text);
    let refused = admin
        .post(
            &form,
            &format!("to_bureau_code=320412&reason={}", enc("不属于本局管辖")),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert!(
        admin
            .get("/staff/transfers")
            .await
            .text
            .contains("没有移送记录")
    );

    let mut mediator = Browser::signed_in(&app, "xitang").await;
    assert_eq!(mediator.get(&form).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        mediator.get("/staff/transfers").await.status,
        StatusCode::FORBIDDEN
    );
}
