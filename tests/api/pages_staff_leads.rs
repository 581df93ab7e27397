//! 诉转案 and reports in the workbench: the station opens a lead from the complaint's page, the
//! bureau's enforcement officer accepts, decides and records the result on the lead's pages, and
//! the complaint's page shows what came of it; a report is merged into a related one, decided,
//! and its reporter's notice recorded. Each form runs the API's step; a bad submission is 422
//! with the summary, and a role that may not act is refused with nothing changed.

use awc::http::StatusCode;
use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages_staff::{Browser, assert_summary};
use crate::pages_staff_actions::{assert_back_to_case, form};

/// The id in the first `href="/staff/leads/{id}"` of a page.
fn lead_id(page: &crate::pages::Page) -> String {
    let start = page.text.find("href=\"/staff/leads/").expect("a lead link") + 19;
    let len = page.text[start..].find('"').unwrap();
    page.text[start..start + len].to_owned()
}

#[actix_web::test]
async fn a_lead_is_opened_from_the_complaint_and_its_result_shows_there() {
    let app = spawn_app().await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let mediator = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let officer = app
        .staff(
            "zhifa",
            Role::EnforcementOfficer,
            Some("330421"),
            None,
            None,
        )
        .await;
    app.staff(
        "zhifa2",
        Role::EnforcementOfficer,
        Some("320412"),
        None,
        None,
    )
    .await;
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    let res = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    let receipt = res.body["receipt_number"].as_str().unwrap().to_owned();
    let case_page = format!("/staff/cases/{id}");
    let open = format!("{case_page}/lead");

    let mut m = Browser::signed_in(&app, "xitang").await;
    let page = m.get(&case_page).await;
    assert!(
        page.text
            .contains(&format!(r#"href="{open}">转为诉转案线索"#)),
        "{}",
        page.text
    );
    let bad = m
        .post(&open, &form(&[("choice", ""), ("text", "过期")]))
        .await;
    assert_summary(
        &bad,
        "choice",
        "请选择线索转为执法办案、产品抽检还是日常监管",
    );
    assert_summary(&bad, "text", "涉嫌违法行为至少 5 个字");
    assert!(bad.text.contains("过期"), "the text is kept");
    assert!(app.get_as("/api/v1/leads", &officer).await.body[0].is_null());

    let act = "使用过期食材加工菜品，后厨无健康证人员操作";
    let sent = m
        .post(&open, &form(&[("choice", "case"), ("text", act)]))
        .await;
    assert_back_to_case(&sent, &id);
    let page = m.get(&case_page).await;
    assert!(
        page.text.contains("已移送本局执法人员核查"),
        "{}",
        page.text
    );
    assert!(page.text.contains("诉转案线索") && page.text.contains("待接收"));
    assert!(!page.text.contains(&format!(r#"href="{open}""#)));
    assert_eq!(m.get(&open).await.status, StatusCode::CONFLICT);
    let lead = lead_id(&page);
    let lead_page = format!("/staff/leads/{lead}");
    // The handling station follows the lead but does not work it.
    let seen = m.get(&lead_page).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert!(seen.text.contains(act) && !seen.text.contains("接收线索"));
    assert_eq!(m.get("/staff/leads").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        m.post(&format!("{lead_page}/accept"), "").await.status,
        StatusCode::FORBIDDEN
    );

    // The business never learns of it.
    let mut desk = Browser::signed_in(&app, "desk").await;
    let theirs = desk.get(&case_page).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.text);
    assert!(!theirs.text.contains("诉转案线索") && !theirs.text.contains(act));
    assert_eq!(desk.get(&lead_page).await.status, StatusCode::FORBIDDEN);
    // Another county's officer does not work it.
    let mut other = Browser::signed_in(&app, "zhifa2").await;
    assert_eq!(other.get(&lead_page).await.status, StatusCode::FORBIDDEN);
    assert!(!other.get("/staff/leads").await.text.contains(&receipt));

    let mut o = Browser::signed_in(&app, "zhifa").await;
    let list = o.get("/staff/leads").await;
    assert!(
        list.text
            .contains(&format!(r#"href="{lead_page}">{receipt}"#)),
        "{}",
        list.text
    );
    assert!(list.text.contains("核查期限 还剩"), "{}", list.text);
    let page = o.get(&lead_page).await;
    // The complainant's identity is on the lead itself, for enforcement.
    assert!(page.text.contains("张三") && page.text.contains("接收线索"));
    assert_eq!(
        o.get(&format!("{lead_page}/decision")).await.status,
        StatusCode::CONFLICT,
        "not before it is accepted"
    );
    let accepted = o.post(&format!("{lead_page}/accept"), "").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    assert_eq!(accepted.header("location"), lead_page);
    let page = o.get(&lead_page).await;
    assert!(page.text.contains("已接收线索") && page.text.contains("作出立案决定"));

    let decision = format!("{lead_page}/decision");
    let bad = o.post(&decision, &form(&[("text", "")])).await;
    assert_summary(&bad, "choice", "请选择立案或不予立案");
    assert_summary(&bad, "text", "请写明决定的理由");
    let reason = "现场检查发现过期食材三批次";
    let decided = o
        .post(&decision, &form(&[("choice", "opened"), ("text", reason)]))
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text);
    let api: Value = app
        .get_as(&format!("/api/v1/leads/{lead}"), &officer)
        .await
        .body;
    assert_eq!(api["status"], "decided", "{api}");
    assert_eq!(api["decision"], "opened");
    assert_eq!(api["verification_deadline"]["status"], "met");

    let result = format!("{lead_page}/result");
    let bad = o.post(&result, "text=").await;
    assert_summary(&bad, "text", "请写明办理结果");
    let penalty = "责令改正，罚款人民币五万元";
    let closed = o.post(&result, &form(&[("text", penalty)])).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text);
    assert_eq!(closed.header("location"), "/staff/leads");
    let list = o.get("/staff/leads").await;
    let (_, answered) = list
        .text
        .split_once(r#"<h2 class="heading-m">已办结</h2>"#)
        .unwrap();
    assert!(answered.contains(&receipt), "{}", list.text);
    assert_eq!(o.get(&result).await.status, StatusCode::CONFLICT);

    // The complaint's page shows the decision and the result to its station.
    let page = m.get(&case_page).await;
    assert!(
        page.text.contains("立案（") && page.text.contains(reason),
        "{}",
        page.text
    );
    assert!(page.text.contains(penalty) && page.text.contains("已办结"));
    let case: Value = app
        .get_as(&format!("/api/v1/cases/{id}"), &mediator)
        .await
        .body;
    let kinds: Vec<&str> = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in ["lead_sent", "lead_accepted", "lead_decided", "lead_closed"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
}

fn report(what: &str, reporter: Option<Value>) -> Value {
    let mut body = json!({
        "channel": "hotline_12315", "category": "food",
        "respondent": {"name": "某腌菜厂", "uscc": uscc("91330421MA2B3C4D7"), "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "clue": {"what": what}
    });
    if let Some(r) = reporter {
        body["reporter"] = r;
    }
    body
}

async fn file(app: &TestApp, body: &Value) -> (String, String) {
    let res = app.post("/api/v1/reports", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
    (field("id"), field("receipt_number"))
}

#[actix_web::test]
async fn a_report_is_merged_decided_and_its_reporter_told_from_its_page() {
    let app = spawn_app().await;
    let officer = app
        .staff(
            "zhifa",
            Role::EnforcementOfficer,
            Some("330421"),
            None,
            None,
        )
        .await;
    app.staff("tianning", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let named = json!({"name": "李四", "phone": "0573-84561234"});
    let (first, first_receipt) =
        file(&app, &report("腌菜中检出异物，生产环境脏乱差", Some(named))).await;
    let first_page = format!("/staff/cases/{first}");

    let mut o = Browser::signed_in(&app, "zhifa").await;
    let page = o.get(&first_page).await;
    for step in ["report/decision", "report/merge"] {
        assert!(
            page.text
                .contains(&format!(r#"href="{first_page}/{step}""#)),
            "{step}: {}",
            page.text
        );
    }
    assert!(!page.text.contains("report/notice"), "nothing to tell yet");
    // Alone, it has nothing to be merged into.
    let merge = o.get(&format!("{first_page}/report/merge")).await;
    assert_eq!(merge.status, StatusCode::OK, "{}", merge.text);
    assert!(merge.text.contains("无法合并"), "{}", merge.text);
    assert!(
        !merge
            .text
            .contains("<form method=\"post\" action=\"/staff/cases")
    );

    // A second report about the same factory is merged into the first.
    let (second, _) = file(&app, &report("工人不戴口罩直接用手拌腌菜", None)).await;
    let into = format!("/staff/cases/{second}/report/merge");
    let page = o.get(&into).await;
    assert!(
        page.text.contains(&format!(r#"value="{first}""#)) && page.text.contains(&first_receipt),
        "{}",
        page.text
    );
    let bad = o.post(&into, "choice=").await;
    assert_summary(&bad, "choice", "请选择合并到哪一件举报");
    let forged = o.post(&into, &form(&[("choice", &second)])).await;
    assert_summary(&forged, "choice", "请从列出的举报中选择");
    let merged = o.post(&into, &form(&[("choice", &first)])).await;
    assert_back_to_case(&merged, &second);
    let api = app
        .get_as(&format!("/api/v1/cases/{second}"), &officer)
        .await;
    assert_eq!(api.body["status"], "merged", "{}", api.text);
    assert_eq!(o.get(&into).await.status, StatusCode::CONFLICT);

    // A mediator does not decide reports.
    let decision = format!("{first_page}/report/decision");
    let mut m = Browser::signed_in(&app, "tianning").await;
    let refused = m
        .post(&decision, &form(&[("choice", "declined"), ("text", "无")]))
        .await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&refused.status),
        "{}",
        refused.status
    );

    let bad = o
        .post(&decision, &form(&[("choice", "opened"), ("text", "")]))
        .await;
    assert_summary(&bad, "text", "请写明决定的理由");
    let decided = o
        .post(
            &decision,
            &form(&[("choice", "opened"), ("text", "抽检发现大肠菌群超标")]),
        )
        .await;
    assert_back_to_case(&decided, &first);
    let page = o.get(&first_page).await;
    assert!(
        page.text.contains("举报人没有留电子邮箱"),
        "the notice says the reporter is still to be told: {}",
        page.text
    );
    let notice = format!("{first_page}/report/notice");
    assert!(
        page.text
            .contains(&format!(r#"href="{notice}">记录已告知举报人"#))
    );
    assert!(!page.text.contains("report/decision"));

    let bad = o.post(&notice, "choice=fax").await;
    assert_summary(&bad, "choice", "请选择告知举报人的方式");
    let told = o.post(&notice, "choice=phone").await;
    assert_back_to_case(&told, &first);
    let api = app
        .get_as(&format!("/api/v1/cases/{first}"), &officer)
        .await;
    assert_eq!(api.body["status"], "case_opened", "{}", api.text);
    let notice_deadline = api.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "reporter_notice")
        .cloned()
        .unwrap_or_default();
    assert_eq!(notice_deadline["status"], "met", "{}", api.text);
    let page = o.get(&first_page).await;
    assert!(page.text.contains("已记录通过电话告知举报人"));
    assert!(!page.text.contains(&notice));
}
