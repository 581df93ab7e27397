//! The urgent queue in the workbench over HTTP: staff on duty see the items oldest first with the
//! first-contact clock in words, claim one (a lost race names who won), record first contact,
//! hand over to a colleague on duty and resolve; staff off duty get the 403 page. Each form runs
//! the API's step.

use awc::http::StatusCode;
use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages::Page;
use crate::pages_staff::{Browser, assert_summary, enc};

fn to_queue(page: &Page) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert_eq!(page.header("location"), "/staff/urgent");
}

#[actix_web::test]
async fn staff_on_duty_claim_contact_hand_over_and_resolve_an_urgent_item() {
    let app = spawn_app_with(|s| s.token_ttl_hours = 24 * 30).await;
    // Saturday 2026-11-28, 10:00 in Shanghai: a food complaint goes to the on-duty team.
    app.clock.set(at("2026-11-28T02:00:00Z"));
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let (_, a) = app
        .staff_with_email(
            "dutya",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    let (_, b) = app
        .staff_with_email(
            "dutyb",
            Role::EnforcementOfficer,
            Some("330421"),
            None,
            None,
            None,
        )
        .await;
    app.staff("offduty", Role::Mediator, None, Some("S330421111"), None)
        .await;
    for id in [&a, &b] {
        let res = app
            .post_as(
                "/api/v1/bureaus/330421/duty-roster",
                &admin,
                &json!({"user_id": id, "starts_at": "2026-11-28T00:00:00+08:00", "ends_at": "2026-11-29T00:00:00+08:00"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let mut body = complaint();
    body["category"] = json!("food");
    body["dispute"]["occurred_on"] = json!("2026-11-28");
    let filed = app.post("/api/v1/complaints", &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let receipt = filed.body["receipt_number"].as_str().unwrap();

    let mut off = Browser::signed_in(&app, "offduty").await;
    assert_eq!(off.get("/staff/urgent").await.status, StatusCode::FORBIDDEN);

    app.clock.set(at("2026-11-28T02:40:00Z"));
    let mut pa = Browser::signed_in(&app, "dutya").await;
    let mut pb = Browser::signed_in(&app, "dutyb").await;
    let queue = pa.get("/staff/urgent").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    assert!(queue.text.contains(receipt));
    assert!(
        queue.text.contains("首次联系还剩 1 小时 20 分钟"),
        "{}",
        queue.text
    );
    let start = queue.text.find("/staff/urgent/").unwrap();
    let id: String = queue.text[start + "/staff/urgent/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let claim = format!("/staff/urgent/{id}/claim");
    to_queue(&pa.post(&claim, "").await);
    // The second claimant is told who won.
    to_queue(&pb.post(&claim, "").await);
    assert!(
        pb.get("/staff/urgent")
            .await
            .text
            .contains("该事项已由 dutya 认领。")
    );

    let contact = format!("/staff/urgent/{id}/first-contact");
    // Only the holder gets the step's form.
    assert_eq!(pb.get(&contact).await.status, StatusCode::CONFLICT);
    assert_eq!(off.get(&contact).await.status, StatusCode::FORBIDDEN);
    assert!(
        pa.get("/staff/urgent")
            .await
            .text
            .contains(&format!(r#"href="{contact}""#))
    );
    assert_summary(&pa.post(&contact, "note=").await, "note", "请写明联系情况");
    to_queue(
        &pa.post(&contact, &format!("note={}", enc("已电话联系消费者")))
            .await,
    );
    assert!(
        pa.get("/staff/urgent")
            .await
            .text
            .contains("首次联系（按时）")
    );

    // Handed over to the colleague on duty, who resolves it.
    let handover = format!("/staff/urgent/{id}/handover");
    let form = pa.get(&handover).await;
    assert!(
        form.text.contains(&format!(r#"value="{b}""#)),
        "{}",
        form.text
    );
    assert!(
        !form.text.contains(&format!(r#"value="{a}""#)),
        "not oneself"
    );
    assert_summary(
        &pa.post(&handover, "note=").await,
        "to_user_id",
        "请选择接手的值班人员",
    );
    to_queue(
        &pa.post(&handover, &format!("to_user_id={b}&note={}", enc("交班")))
            .await,
    );
    let resolve = format!("/staff/urgent/{id}/resolve");
    assert!(
        pb.get("/staff/urgent")
            .await
            .text
            .contains(&format!(r#"href="{resolve}""#))
    );
    assert_eq!(
        pa.post(&resolve, &format!("resolution={}", enc("已退款")))
            .await
            .status,
        StatusCode::CONFLICT,
        "no longer the holder"
    );
    to_queue(
        &pb.post(
            &resolve,
            &format!("resolution={}", enc("已协调门店当日退款")),
        )
        .await,
    );
    let q = app.get_as("/api/v1/urgent-queue?all=true", &admin).await;
    assert_eq!(q.body[0]["status"], "resolved", "{}", q.text);
    assert_eq!(q.body[0]["first_contact_on_time"], true);
    assert!(
        !pb.get("/staff/urgent").await.text.contains(receipt),
        "resolved items leave the queue"
    );
}

#[actix_web::test]
async fn the_admin_keeps_the_duty_roster_from_its_week_and_staff_read_it() {
    let app = spawn_app_with(|s| s.token_ttl_hours = 24 * 30).await;
    // Monday 2026-11-23, 10:00 in Shanghai.
    app.clock.set(at("2026-11-23T02:00:00Z"));
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let (_, member) = app
        .staff_with_email(
            "dutya",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    let roster = "/api/v1/bureaus/330421/duty-roster";
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let week = b.get("/staff/roster").await;
    assert_eq!(week.status, StatusCode::OK, "{}", week.text);
    for day in ["星期一<br>11月23日", "星期日<br>11月29日"] {
        assert!(week.text.contains(day), "{day}: {}", week.text);
    }
    assert!(week.text.contains("休息日") && week.text.contains("无人值班"));
    assert!(week.text.contains(&format!(r#"<option value="{member}">"#)));

    let empty = b.post("/staff/roster", "user_id=").await;
    assert_summary(&empty, "user_id", "请选择值班人员");
    assert_summary(&empty, "date", "请输入值班日期");
    assert_summary(&empty, "starts", "请输入开始时间");
    assert_summary(&empty, "ends", "请输入结束时间");
    let night = format!(
        "user_id={member}&date_year=2026&date_month=11&date_day=28&starts={}&ends={}",
        enc("18:00"),
        enc("08:00")
    );
    let same = b
        .post("/staff/roster", &night.replace("ends=08", "ends=18"))
        .await;
    assert_summary(&same, "ends", "结束时间不能与开始时间相同");
    assert!(
        same.text
            .contains(&format!(r#"<option value="{member}" selected>"#))
    );
    assert!(app.get_as(roster, &admin).await.body[0].is_null());

    let done = b.post("/staff/roster", &night).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(done.header("location"), "/staff/roster?week=2026-11-23");
    let list = app.get_as(roster, &admin).await;
    assert_eq!(
        list.body[0]["starts_at"], "2026-11-28T10:00:00Z",
        "{}",
        list.text
    );
    assert_eq!(list.body[0]["ends_at"], "2026-11-29T00:00:00Z");
    let week = b.get("/staff/roster?week=2026-11-25").await;
    assert!(week.text.contains("已安排值班"), "{}", week.text);
    assert!(week.text.contains("18:00—次日 08:00"), "{}", week.text);
    let id = list.body[0]["id"].as_i64().unwrap();
    let remove = format!("/staff/roster/{id}/remove?week=2026-11-23");
    assert!(week.text.contains(&remove));

    // A mediator reads the week but neither adds nor removes.
    let mut m = Browser::signed_in(&app, "dutya").await;
    let theirs = m.get("/staff/roster?week=2026-11-23").await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.text);
    assert!(theirs.text.contains("18:00—次日 08:00"));
    assert!(!theirs.text.contains("安排值班") && !theirs.text.contains(&remove));
    assert_eq!(
        m.post("/staff/roster", &night).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(m.post(&remove, "").await.status, StatusCode::FORBIDDEN);

    let removed = b.post(&remove, "").await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.text);
    assert_eq!(removed.header("location"), "/staff/roster?week=2026-11-23");
    assert!(
        b.get("/staff/roster?week=2026-11-23")
            .await
            .text
            .contains("已移除这次值班")
    );
    assert!(app.get_as(roster, &admin).await.body[0].is_null());
}
