//! Filing a report (举报) through the pages, by form posts as a browser without script sends
//! them: anonymous and named, the complaint journey's place choice, check your answers, the
//! receipt, one record for a double submit, and the reporter kept from nothing but the business.

use awc::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use xiaobao::entities::{case, party};

use crate::helpers::{TestApp, spawn_app};
use crate::pages_complaint::Browser;

async fn started(app: &TestApp) -> Browser<'_> {
    let mut b = Browser::new(app);
    let start = b.get("/report").await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.text);
    assert!(start.text.contains("您的身份不会告诉被举报的经营者"));
    let old = b.get("/reports/new").await;
    assert_eq!(old.location, "/report", "the start page's link");
    let begun = b.post("/report", &[]).await;
    assert_eq!(begun.status, StatusCode::SEE_OTHER);
    assert_eq!(begun.location, "/report/business");
    b
}

async fn business_and_what(b: &mut Browser<'_>) {
    b.answer(
        "/report/business",
        &[
            ("business_name", "西塘某超市"),
            ("business_uscc", ""),
            ("business_address", "浙江省嘉兴市嘉善县西塘镇南大街9号"),
        ],
        "/report/what",
    )
    .await;
    b.answer(
        "/report/what",
        &[
            ("category", "food"),
            ("goods_or_service", "牛奶"),
            ("facts", "货架上有已过保质期的牛奶仍在销售。"),
        ],
        "/report/place",
    )
    .await;
}

async fn record(app: &TestApp, receipt: &str) -> (case::Model, Vec<party::Model>) {
    let c = case::Entity::find()
        .filter(case::Column::ReceiptNumber.eq(receipt))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the report is filed");
    let parties = party::Entity::find()
        .filter(party::Column::CaseId.eq(&c.id))
        .all(&app.db)
        .await
        .unwrap();
    (c, parties)
}

/// The receipt number on the receipt page.
fn receipt_number(text: &str) -> String {
    let marker = r#"<strong data-copy="登记号">"#;
    let at = text.find(marker).expect("a receipt number") + marker.len();
    text[at..].split('<').next().unwrap().to_owned()
}

#[actix_web::test]
async fn an_anonymous_report_is_filed_page_by_page_and_keeps_nothing_of_the_reporter() {
    let app = spawn_app().await;
    let mut b = started(&app).await;

    let empty = b.post("/report/business", &[]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text.contains("<title>错误："));
    assert!(
        empty
            .text
            .contains(r##"<a href="#business_name">请输入被举报经营者的名称</a>"##)
    );
    business_and_what(&mut b).await;

    let short = b
        .post("/report/what", &[("category", "food"), ("facts", "过期")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .text
            .contains(r##"<a href="#facts">举报内容至少 5 个字</a>"##)
    );
    assert!(
        short.text.contains(">过期</textarea>"),
        "the facts are kept"
    );
    b.answer(
        "/report/what",
        &[
            ("category", "food"),
            ("goods_or_service", "牛奶"),
            ("facts", "货架上有已过保质期的牛奶仍在销售。"),
        ],
        "/report/place",
    )
    .await;

    let future = b
        .post(
            "/report/place",
            &[
                ("occurred_on_year", "2027"),
                ("occurred_on_month", "1"),
                ("occurred_on_day", "1"),
                ("place", "西塘镇胥塘路1号"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.text.contains("日期不能晚于今天"));
    // No date is an answer; an ambiguous place leads to the complaint journey's choice page.
    b.answer(
        "/report/place",
        &[("place", "西塘镇胥塘路1号")],
        "/report/place/choose",
    )
    .await;
    let choose = b.get("/report/place/choose").await;
    assert!(
        choose
            .text
            .contains("<h1 class=\"heading-l\">选择违法行为发生的地点</h1>")
    );
    assert!(
        choose.text.contains(r#"value="330421103""#),
        "{}",
        choose.text
    );
    assert!(
        choose
            .text
            .contains(r#"href="/report/place" class="back-link""#)
    );
    let none = b.post("/report/place/choose", &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    b.answer(
        "/report/place/choose",
        &[("place_code", "330421103")],
        "/report/evidence",
    )
    .await;
    // A photo of the shelf goes with the report.
    let evidence = b.get("/report/evidence").await;
    assert!(
        evidence.text.contains(r#"href="/report/you""#),
        "{}",
        evidence.text
    );
    let photo = crate::evidence::photo();
    let up = b.upload("/report/evidence", &[("货架.jpg", &photo)]).await;
    assert_eq!(up.location, "/report/evidence", "{}", up.text);

    let unchosen = b.post("/report/you", &[]).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unchosen
            .text
            .contains(r##"<a href="#named">请选择实名举报还是匿名举报</a>"##)
    );
    // A name typed before choosing anonymity is not filed.
    b.answer(
        "/report/you",
        &[("named", "no"), ("name", "张三"), ("phone", "13800000000")],
        "/report/check",
    )
    .await;

    let check = b.get("/report/check").await;
    assert_eq!(check.status, StatusCode::OK);
    for words in [
        "西塘某超市",
        "货架上有已过保质期的牛奶仍在销售。",
        "西塘镇胥塘路1号（浙江省嘉兴市嘉善县西塘镇）",
        "匿名举报（不留姓名和联系方式）",
        r#"href="/report/place?change=1""#,
        "货架.jpg",
    ] {
        assert!(check.text.contains(words), "{words} in {}", check.text);
    }
    assert!(!check.text.contains("13800000000"));

    // Without the session's token nothing is filed.
    let forged = b.send("/report/check", Some(String::new())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let filed = b.post("/report/check", &[]).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.text);
    assert_eq!(filed.location, "/report/receipt");
    let again = b.post("/report/check", &[]).await;
    assert_eq!(
        again.location, "/report/receipt",
        "a second submit files nothing"
    );
    let receipt = b.get("/report/receipt").await;
    assert_eq!(receipt.status, StatusCode::OK);
    let number = receipt_number(&receipt.text);
    assert!(
        receipt
            .text
            .contains("不会把您的姓名、联系方式或举报人身份透露给被举报的经营者")
    );
    assert!(
        !receipt.text.contains(r#"data-copy="查询码""#),
        "an anonymous reporter gets none"
    );
    assert!(receipt.text.contains("核查您举报的线索"));
    let (c, parties) = record(&app, &number).await;
    assert_eq!(c.kind, xiaobao::cases::CaseKind::Report);
    assert_eq!(
        app.count(&format!(
            "evidence_files WHERE case_id = '{}' AND file_name = '货架.jpg'",
            c.id
        ))
        .await,
        1,
        "the photo is the report's evidence"
    );
    assert_eq!(c.respondent_name, "西塘某超市");
    assert_eq!(c.facts, "货架上有已过保质期的牛奶仍在销售。");
    assert!(parties.is_empty(), "nothing of the reporter: {parties:?}");
    assert_eq!(app.count("cases WHERE kind = 'report'").await, 1);
}

#[actix_web::test]
async fn a_named_report_gets_its_secret_and_is_followed_with_it() {
    let app = spawn_app().await;
    let mut b = started(&app).await;
    business_and_what(&mut b).await;
    b.answer(
        "/report/place",
        &[
            ("occurred_on_year", "2026"),
            ("occurred_on_month", "11"),
            ("occurred_on_day", "20"),
            ("place", "浙江省嘉兴市嘉善县西塘镇"),
        ],
        "/report/evidence",
    )
    .await;
    let missing = b.post("/report/you", &[("named", "yes")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing
            .text
            .contains(r##"<a href="#name">实名举报请输入您的姓名</a>"##)
    );
    assert!(
        missing
            .text
            .contains(r##"<a href="#phone">实名举报请输入您的手机号码</a>"##)
    );
    b.answer(
        "/report/you",
        &[
            ("named", "yes"),
            ("name", "李四"),
            ("phone", "13900000000"),
            ("email", ""),
        ],
        "/report/check",
    )
    .await;
    let filed = b.post("/report/check", &[]).await;
    assert_eq!(filed.location, "/report/receipt", "{}", filed.text);
    let receipt = b.get("/report/receipt").await;
    let number = receipt_number(&receipt.text);
    let marker = r#"<strong data-copy="查询码">"#;
    let at = receipt
        .text
        .find(marker)
        .expect("a named reporter's secret")
        + marker.len();
    let secret = receipt.text[at..].split('<').next().unwrap().to_owned();
    let tracked = app.track(&number, &secret).await;
    assert_eq!(tracked.status, 200, "{}", tracked.text);
    assert_eq!(tracked.body["kind"], "report");
    let (c, parties) = record(&app, &number).await;
    assert_eq!(c.occurred_on.unwrap().to_string(), "2026-11-20");
    assert_eq!(parties.len(), 1);
    assert_eq!(parties[0].name, "李四");
    assert!(
        c.conceal_identity,
        "the reporter is concealed from the business"
    );
}
