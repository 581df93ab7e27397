//! Complaints about one incident in two cities, in the workbench: 嘉善's admin links them from
//! its case's page, both bureaus read the incident without the other's personal data, and a
//! joint session is recorded from the incident's page; each through the API's own steps.

use awc::http::StatusCode;
use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages_staff::{Browser, assert_summary, enc};
use crate::routing::complaint_about;

/// The diner's complaint to 武进 about the restaurant, and the restaurant's to 嘉善 about the
/// pickle maker: (id, receipt number) of each.
async fn two_cities(app: &TestApp) -> ((String, String), (String, String)) {
    let mut diner = complaint_about(
        "常州某饭店",
        "江苏省常州市武进区湖塘镇人民路1号",
        "320412100",
    );
    diner["complainant"] = json!({"name": "李四", "phone": "13900000001", "address": "江苏省常州市武进区湖塘镇花园街3号", "id_type": "resident_id", "id_number": resident_id("32041219850505123")});
    let restaurant = complaint_about("某腌菜厂", "浙江省嘉兴市嘉善县天凝镇工业路5号", "320412100");
    let mut out = Vec::new();
    for body in [diner, restaurant] {
        let res = app.post("/api/v1/complaints", &body).await;
        assert_eq!(res.status, 201, "{}", res.text);
        let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
        out.push((field("id"), field("receipt_number")));
    }
    let restaurant = out.pop().unwrap();
    (out.pop().unwrap(), restaurant)
}

#[actix_web::test]
async fn complaints_in_two_cities_are_linked_from_a_case_page_and_a_joint_session_recorded() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let wujin = app
        .staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    app.staff(
        "officer",
        Role::EnforcementOfficer,
        Some("330421"),
        None,
        None,
    )
    .await;
    app.staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    let ((diner_id, diner), (case_id, own)) = two_cities(&app).await;
    let case_page = format!("/staff/cases/{case_id}");
    let form = format!("{case_page}/incident");

    let mut admin = Browser::signed_in(&app, "jiashan").await;
    let page = admin.get(&case_page).await;
    assert!(
        page.text.contains(&format!(r#"href="{form}""#)),
        "{}",
        page.text
    );
    assert_eq!(admin.get(&form).await.status, StatusCode::OK);

    let bad = admin.post(&form, "title=&description=&others=").await;
    assert_summary(&bad, "title", "请填写事件名称");
    assert_summary(&bad, "others", "请填写至少一件其他投诉的登记号");
    let title = "常州某饭店菜品异物（腌菜）";
    let unknown = admin
        .post(
            &form,
            &format!("title={}&others={}", enc(title), enc("TS20261123-NOSUCH00")),
        )
        .await;
    assert_summary(
        &unknown,
        "others",
        "没有登记号为“TS20261123-NOSUCH00”的投诉",
    );
    assert!(unknown.text.contains(title), "the title is kept");
    // Receipt numbers as typed: lower case, spaces, a blank line.
    let typed = format!(" {}\r\n\r\n", diner.to_lowercase());
    let linked = admin
        .post(
            &form,
            &format!("title={}&others={}", enc(title), enc(&typed)),
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.text);
    let incident = linked.header("location").to_owned();
    assert!(incident.starts_with("/staff/incidents/"), "{incident}");

    let page = admin.get(&incident).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains(title) && page.text.contains(&diner));
    // Its own case opens; 武进's is named, not linked, and its complainant stays with 武进.
    assert!(
        page.text
            .contains(&format!(r#"<a href="{case_page}">{own}</a>"#))
    );
    assert!(!page.text.contains(&format!("/staff/cases/{diner_id}")));
    assert!(!page.text.contains("李四") && !page.text.contains("13900000001"));
    // Linked once: the case page leads to the incident and no longer offers linking.
    let page = admin.get(&case_page).await;
    assert!(
        page.text.contains(&format!(r#"href="{incident}""#)),
        "{}",
        page.text
    );
    assert!(!page.text.contains(&format!(r#"href="{form}""#)));
    assert_eq!(admin.get(&form).await.status, StatusCode::CONFLICT);

    let mut other = Browser::signed_in(&app, "wujin").await;
    let page = other.get(&incident).await;
    assert!(
        page.text.contains(&format!("/staff/cases/{diner_id}")),
        "{}",
        page.text
    );
    let joint = format!("{incident}/sessions/new");
    let page = other.get(&joint).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for code in ["320412", "330421"] {
        assert!(
            page.text.contains(&format!(r#"value="{code}" checked"#)),
            "{code} ticked: {}",
            page.text
        );
    }
    let bad = other.post(&joint, "mode=&time=9点&link=meeting").await;
    assert_summary(&bad, "mode", "请选择联合调解的方式");
    assert_summary(&bad, "date", "请输入联合调解会的日期");
    assert_summary(&bad, "time", "请按 09:30 的格式输入开始时间");
    assert_summary(
        &bad,
        "link",
        "请输入以 https:// 开头的链接，最多 500 个字符",
    );
    assert_summary(&bad, "bureaus", "请选择参加的市场监管局");
    let note = "腌菜厂同意赔偿饭店1000元并向两位顾客致歉";
    let fields = format!(
        "mode=video_link&date_year=2026&date_month=11&date_day=27&time=10%3A00\
         &link={}&bureaus=330421&bureaus=320412&note={}",
        enc("https://meeting.example/odr/20261127"),
        enc(note)
    );
    let done = other.post(&joint, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let page = other.get(&incident).await;
    assert!(page.text.contains("2026年11月27日 10:00"), "{}", page.text);
    assert!(page.text.contains(note) && page.text.contains("已记录联合调解会"));
    let id = incident.trim_start_matches("/staff/incidents/");
    let seen = app.get_as(&format!("/api/v1/incidents/{id}"), &wujin).await;
    assert_eq!(seen.body["sessions"][0]["held_at"], "2026-11-27T02:00:00Z");
    assert_eq!(seen.body["sessions"][0]["mode"], "video_link");

    // An officer reads the incident but does not record sessions; an uninvolved bureau reads nothing.
    let mut officer = Browser::signed_in(&app, "officer").await;
    let page = officer.get(&incident).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains(&joint));
    assert_eq!(officer.get(&joint).await.status, StatusCode::FORBIDDEN);
    let mut outsider = Browser::signed_in(&app, "qingpu").await;
    assert_eq!(outsider.get(&incident).await.status, StatusCode::FORBIDDEN);
}
