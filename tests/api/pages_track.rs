//! The consumer's look-up pages over HTTP: following a case with its receipt and secret (the
//! session keeps only the case's id), withdrawing it, checking a 调解书 and a business's public
//! record. Statuses, redirects, CSRF, the error summary and kept values.

use awc::http::StatusCode;
use sea_orm::{ActiveModelTrait, Set};
use sha2::{Digest, Sha256};
use xiaobao::config::Secret;
use xiaobao::deadlines::local_date;
use xiaobao::entities::mediation_agreement;
use xiaobao::mediation::agreement::hex;
use xiaobao::mediation::signing::{self, Key};
use xiaobao::mediation::states::AgreementStatus;

use crate::helpers::*;
use crate::pages::{Page, Visit, session_cookie};

/// One browser with its session cookie, kept up to date as answers renew it.
struct Browser<'a> {
    visit: Visit<'a>,
    cookie: String,
    token: String,
}

impl<'a> Browser<'a> {
    async fn open(app: &'a TestApp) -> Browser<'a> {
        let visit = Visit::new(app);
        let first = visit.get("/", &[]).await;
        let cookie = session_cookie(&first);
        let token = first.input("csrf_token");
        Browser {
            visit,
            cookie,
            token,
        }
    }

    fn keep(&mut self, page: &Page) {
        if let Some(set) = page.set_cookie("xiaobao_session") {
            self.cookie = set.split(';').next().unwrap().to_owned();
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let page = self.visit.get(path, &[("cookie", &self.cookie)]).await;
        self.keep(&page);
        page
    }

    /// Posts a multipart form of text `fields` and one file part `(name, filename, bytes)`, the
    /// session's CSRF token in the query, as the browser does.
    async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
        let boundary = "xiaobao-page-boundary-41c2";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let path = format!("{path}?csrf_token={}", self.token);
        let page = self
            .visit
            .send_body(
                "POST",
                &path,
                &[("cookie", &self.cookie)],
                Some((content_type, body)),
            )
            .await;
        self.keep(&page);
        page
    }

    /// Posts the form fields (already URL-encoded) with the session's CSRF token.
    async fn post(&mut self, path: &str, fields: &str) -> Page {
        let form = format!("csrf_token={}&{fields}", self.token);
        let page = self
            .visit
            .send("POST", path, &[("cookie", &self.cookie)], Some(&form))
            .await;
        self.keep(&page);
        page
    }
}

/// Form-encodes a value: every byte but ASCII letters and digits as `%XX`.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn filed(app: &TestApp) -> (String, String, String) {
    let res = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
    (field("id"), field("receipt_number"), field("access_secret"))
}

/// The value of the text input named `name`.
fn value(page: &Page, name: &str) -> String {
    let at = page
        .text
        .find(&format!(r#" name="{name}" type="#))
        .expect("the input is on the page");
    let rest = &page.text[at..];
    let start = rest.find(r#"value=""#).unwrap() + r#"value=""#.len();
    rest[start..].split('"').next().unwrap().to_owned()
}

fn assert_summary(page: &Page, field: &str, message: &str) {
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.text
    );
    assert!(page.text.contains("<title>错误："), "{}", page.text);
    assert!(
        page.text
            .contains(&format!(r##"<a href="#{field}">{message}</a>"##)),
        "{}",
        page.text
    );
    assert!(page.text.contains(&format!(r#"id="{field}-error""#)));
}

#[actix_web::test]
async fn a_consumer_follows_a_case_with_receipt_and_secret_and_the_session_keeps_only_its_id() {
    let app = spawn_app().await;
    let (_, receipt, secret) = filed(&app).await;
    let mut b = Browser::open(&app).await;

    let form = b.get("/track").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text
            .contains(r#"<label class="label" for="receipt">登记号</label>"#)
    );
    assert!(form.text.contains(r#"for="secret">查询码</label>"#));

    let empty = b.post("/track", "receipt=&secret=").await;
    assert_summary(&empty, "receipt", "请输入登记号");
    assert_summary(&empty, "secret", "请输入查询码");

    let wrong = b
        .post(
            "/track",
            &format!("receipt={receipt}&secret=WRONGSECRETWRONGSECRET00"),
        )
        .await;
    assert_summary(&wrong, "receipt", "登记号或查询码不正确");
    assert_eq!(value(&wrong, "receipt"), receipt, "the receipt is kept");
    assert!(!wrong.text.contains("WRONGSECRET"), "the secret is not");
    // Without the session's token nothing is checked.
    let forged = b
        .visit
        .send(
            "POST",
            "/track",
            &[("cookie", &b.cookie)],
            Some(&format!("receipt={receipt}&secret={secret}")),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Typed in lower case, as a person may.
    let right = b
        .post(
            "/track",
            &format!("receipt={}&secret={secret}", receipt.to_lowercase()),
        )
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.text);
    assert_eq!(right.header("location"), "/track/case");
    let cookie = right
        .set_cookie("xiaobao_session")
        .expect("the session changed");
    assert!(!cookie.contains(&secret) && !cookie.contains(&enc(&secret)));
    assert!(!cookie.contains(&receipt), "a handle only: {cookie}");

    let case = b.get("/track/case").await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.text);
    assert_eq!(case.header("cache-control"), "no-store");
    for words in [
        receipt.as_str(),
        "办理状态：<strong>待受理</strong>",
        "西塘市场监督管理所",
        "嘉善县市场监督管理局",
        // Received Monday 11-23: the 7th working day after it is Wednesday 12-02.
        "受理期限：2026年12月2日（星期三）前",
        "正在计时",
        "已分送至",
        r#"aria-current="step""#,
        r#"href="/track/withdraw""#,
        ">退出查询</button>",
    ] {
        assert!(case.text.contains(words), "{words} in {}", case.text);
    }
    assert!(!case.text.contains("13800000000") && !case.text.contains("张三"));

    let forget = b.post("/track/forget", "").await;
    assert_eq!(forget.status, StatusCode::SEE_OTHER);
    assert_eq!(forget.header("location"), "/track");
    let after = b.get("/track/case").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.header("location"), "/track");
}

#[actix_web::test]
async fn wrong_secrets_from_one_address_are_stopped_with_the_429_page() {
    let app = spawn_app_with(|s| s.track_max_failures_per_address = 2).await;
    let (_, receipt, secret) = filed(&app).await;
    let mut b = Browser::open(&app).await;
    for _ in 0..2 {
        let wrong = b
            .post("/track", &format!("receipt={receipt}&secret=nope"))
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let stopped = b
        .post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(stopped.text.contains("操作过于频繁，请稍后再试"));
    assert!(stopped.text.contains("分钟后再试"));
    assert!(!stopped.header("retry-after").is_empty());
}

#[actix_web::test]
async fn a_consumer_withdraws_after_a_confirmation_page() {
    let app = spawn_app().await;
    let (_, receipt, secret) = filed(&app).await;
    let mut b = Browser::open(&app).await;
    assert_eq!(b.get("/track/withdraw").await.status, StatusCode::SEE_OTHER);
    b.post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;

    let confirm = b.get("/track/withdraw").await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm
            .text
            .contains(&format!("确定要撤回投诉 {receipt} 吗？"))
    );
    let too_long = b
        .post("/track/withdraw", &format!("reason={}", "长".repeat(1001)))
        .await;
    assert_summary(&too_long, "reason", "撤回原因最多 1000 字，请删减后再提交");
    assert!(
        too_long.text.contains(&"长".repeat(1001)),
        "the reason is kept"
    );

    let done = b
        .post(
            "/track/withdraw",
            &format!("reason={}", enc("已与商家和解")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(done.header("location"), "/track/case");
    let case = b.get("/track/case").await;
    assert!(case.text.contains("办理状态：<strong>已撤回</strong>"));
    assert!(case.text.contains("案件已结束，不再计时"));
    assert!(!case.text.contains(r#"href="/track/withdraw""#));
    let tracked = app.track(&receipt, &secret).await;
    assert_eq!(tracked.body["status"], "withdrawn");
}

#[actix_web::test]
async fn a_consumer_rates_a_closed_case_once_from_the_case_page() {
    let app = spawn_app().await;
    let (_, receipt, secret) = filed(&app).await;
    let mut b = Browser::open(&app).await;
    b.post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;
    // Open: no form, and the form's page sends the consumer back.
    let open = b.get("/track/case").await;
    assert!(!open.text.contains(r#"action="/track/rating""#));
    assert_eq!(b.get("/track/rating").await.status, StatusCode::SEE_OTHER);

    b.post("/track/withdraw", "reason=").await;
    let case = b.get("/track/case").await;
    assert!(
        case.text
            .contains(r#"<form method="post" action="/track/rating" novalidate>"#)
    );
    assert!(
        case.text.contains("请在2026年12月23日 10:00前评价"),
        "{}",
        case.text
    );
    for (value, label) in [
        ("satisfied", "满意"),
        ("basically_satisfied", "基本满意"),
        ("dissatisfied", "不满意"),
    ] {
        assert!(
            case.text.contains(&format!(r#"value="{value}">"#)),
            "{value}"
        );
        assert!(case.text.contains(&format!(">{label}</label>")), "{label}");
    }

    let forged = b
        .visit
        .send(
            "POST",
            "/track/rating",
            &[("cookie", &b.cookie)],
            Some("rating=satisfied"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // No choice: the error summary, the comment kept.
    let none = b
        .post("/track/rating", &format!("comment={}", enc("调解员很耐心")))
        .await;
    assert_summary(&none, "rating", "请选择您对办理情况是否满意");
    assert!(
        none.text.contains(">调解员很耐心</textarea>"),
        "{}",
        none.text
    );
    let long = b
        .post(
            "/track/rating",
            &format!("rating=satisfied&comment={}", enc(&"长".repeat(501))),
        )
        .await;
    assert_summary(&long, "comment", "意见和建议最多 500 字，请删减后再提交");
    assert!(
        long.text.contains(r#"value="satisfied" checked>"#),
        "the choice is kept"
    );
    assert_eq!(app.count("case_ratings").await, 0);

    let done = b
        .post(
            "/track/rating",
            &format!("rating=basically_satisfied&comment={}", enc("调解员很耐心")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(done.header("location"), "/track/case");
    let case = b.get("/track/case").await;
    assert!(!case.text.contains(r#"action="/track/rating""#));
    assert!(
        case.text
            .contains("<dd class=\"summary-list__value\">基本满意</dd>"),
        "{}",
        case.text
    );
    assert!(case.text.contains("调解员很耐心"));
    assert!(case.text.contains("您对办理情况作出了评价：基本满意"));
    let tracked = app.track(&receipt, &secret).await;
    assert_eq!(
        tracked.body["rating"]["given"]["rating"],
        "basically_satisfied"
    );

    // A second rating (a stale tab) is refused by the step.
    let again = b.post("/track/rating", "rating=dissatisfied").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert_eq!(app.count("case_ratings").await, 1);
}

#[actix_web::test]
async fn a_mediation_agreement_is_checked_by_number_and_hash_in_words() {
    let (entry, key) = Key::generate("jiashan-2026", Some("330421"));
    let app = spawn_app_with(|s| s.signing_keys = vec![Secret::new(entry)]).await;
    let (case_id, _, _) = filed(&app).await;
    let number = "嘉市监善调〔2026〕第0001号";
    let pdf = b"%PDF-1.7\n% an agreement as issued\n%%EOF\n";
    let sha = hex(&Sha256::digest(pdf));
    let issued_at = app.clock.now();
    let message = signing::message(number, "330421", local_date(issued_at), &sha);
    mediation_agreement::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        case_id: Set(case_id),
        terms: Set("[]".into()),
        amount_recovered_fen: Set(0),
        amount_in_dispute_fen: Set(None),
        in_person: Set(true),
        on_the_spot: Set(false),
        document_waived: Set(false),
        needs_document: Set(true),
        particulars: Set("{}".into()),
        status: Set(AgreementStatus::Issued),
        consumer_confirmed_at: Set(Some(issued_at)),
        business_confirmed_at: Set(Some(issued_at)),
        business_confirmed_via: Set(None),
        link_token_hash: Set(None),
        link_expires_at: Set(None),
        document_number: Set(Some(number.into())),
        bureau_code: Set(Some("330421".into())),
        document_year: Set(Some(2026)),
        document_seq: Set(Some(1)),
        issued_at: Set(Some(issued_at)),
        pdf: Set(None),
        sha256: Set(Some(sha.clone())),
        key_id: Set(Some("jiashan-2026".into())),
        signature: Set(Some(key.sign(&message))),
        created_at: Set(issued_at),
        created_by: Set("test".into()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let mut b = Browser::open(&app).await;
    assert_eq!(b.get("/verify").await.status, StatusCode::OK);

    let check = |number: &str, sha: &str| format!("number={}&sha256={}", enc(number), enc(sha));
    let genuine = b.post("/verify", &check(number, &sha.to_uppercase())).await;
    assert_eq!(genuine.status, StatusCode::OK, "{}", genuine.text);
    assert!(genuine.text.contains("<title>核验通过"));
    assert!(genuine.text.contains("内容没有被改动"));
    assert!(genuine.text.contains("浙江省嘉兴市嘉善县市场监督管理局"));
    assert!(genuine.text.contains("2026年11月23日"));

    let altered = b.post("/verify", &check(number, &hex(&[8u8; 32]))).await;
    assert_eq!(altered.status, StatusCode::OK);
    assert!(altered.text.contains("<title>未通过核验"));
    assert!(altered.text.contains("不是原件，或者内容已被改动"));

    let unknown = b
        .post("/verify", &check("嘉市监善调〔2026〕第9999号", &sha))
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(
        unknown
            .text
            .contains("没有以编号“嘉市监善调〔2026〕第9999号”出具的调解书")
    );

    let malformed = b.post("/verify", &check(number, "xyz")).await;
    assert_summary(
        &malformed,
        "sha256",
        "SHA-256 值应为 64 位，由数字 0-9 和字母 a-f 组成",
    );
    assert_eq!(value(&malformed, "number"), number);
    assert_eq!(value(&malformed, "sha256"), "xyz");
    let empty = b.post("/verify", "number=&sha256=").await;
    assert_summary(&empty, "number", "请输入调解书编号");
    assert_summary(&empty, "sha256", "请输入调解书文件的 SHA-256 值");

    // The PDF itself, uploaded: hashed as it streams in, never kept.
    let form = b.get("/verify").await;
    assert!(
        form.text.contains(r#"action="/verify/file?csrf_token="#),
        "{}",
        form.text
    );
    let uploaded = b
        .upload("/verify/file", &[("pdf_number", number)], ("pdf", pdf))
        .await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text);
    assert!(
        uploaded.text.contains("<title>核验通过"),
        "{}",
        uploaded.text
    );
    assert!(uploaded.text.contains("浙江省嘉兴市嘉善县市场监督管理局"));
    let changed = b
        .upload(
            "/verify/file",
            &[("pdf_number", number)],
            ("pdf", b"%PDF-1.7 altered"),
        )
        .await;
    assert!(changed.text.contains("<title>未通过核验"));
    assert!(changed.text.contains("不是原件，或者内容已被改动"));
    let nothing = b
        .upload("/verify/file", &[("pdf_number", "")], ("pdf", b""))
        .await;
    assert_summary(&nothing, "pdf_number", "请输入调解书编号");
    assert_summary(&nothing, "pdf", "请选择您持有的调解书 PDF 文件");
    let no_file = b
        .upload("/verify/file", &[("pdf_number", number)], ("pdf", b""))
        .await;
    assert_eq!(value(&no_file, "pdf_number"), number, "the number is kept");
    // Without the session's token the upload is refused before it is read.
    let forged = b
        .visit
        .send_body(
            "POST",
            "/verify/file",
            &[("cookie", &b.cookie)],
            Some((
                "multipart/form-data; boundary=x".to_owned(),
                b"--x--\r\n".to_vec(),
            )),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_businesss_public_record_is_found_by_its_credit_code() {
    let app = spawn_app().await;
    filed(&app).await;
    let code = uscc("91330421MA2B3C4D5");
    let mut b = Browser::open(&app).await;
    assert_eq!(b.get("/record").await.status, StatusCode::OK);

    let short = b.post("/record", "uscc=9133").await;
    assert_summary(
        &short,
        "uscc",
        "统一社会信用代码应为 18 位，请核对营业执照上的代码",
    );
    assert_eq!(value(&short, "uscc"), "9133");
    let false_check = format!("{}0", &code[..17]);
    let false_check = if false_check == code {
        format!("{}1", &code[..17])
    } else {
        false_check
    };
    let wrong = b.post("/record", &format!("uscc={false_check}")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text
            .contains(r##"<a href="#uscc">统一社会信用代码有误"##)
    );
    assert_summary(
        &b.post("/record", "uscc=").await,
        "uscc",
        "请输入统一社会信用代码",
    );

    let found = b
        .post("/record", &format!("uscc={}", code.to_lowercase()))
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(found.header("location"), format!("/record/{code}"));
    let record = b.get(&format!("/record/{code}")).await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.text);
    for words in [
        "西塘某餐馆",
        "1 件（上一年没有公示的投诉，无法比较）",
        "今年还没有办结的投诉",
        "<th scope=\"row\" class=\"table__cell\">餐饮服务</th>",
    ] {
        assert!(record.text.contains(words), "{words} in {}", record.text);
    }
    assert!(!record.text.contains("张三") && !record.text.contains("13800000000"));
    assert_eq!(
        b.get("/record/not-a-code").await.status,
        StatusCode::NOT_FOUND
    );
}

/// An ODR complaint against the enrolled restaurant, claimed in a new browser.
async fn odr_case(app: &TestApp) -> (crate::odr::Desk, String, String, String) {
    let desk = crate::odr::enrolled_business(app).await;
    let res = app
        .post("/api/v1/complaints", &crate::odr::odr_complaint())
        .await;
    assert_eq!(res.body["status"], "with_business", "{}", res.text);
    let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
    (
        desk,
        field("id"),
        field("receipt_number"),
        field("access_secret"),
    )
}

async fn desk_offer(app: &TestApp, desk: &crate::odr::Desk, case_id: &str, fen: i64) -> i64 {
    let made = app
        .post_as(
            &format!("/api/v1/odr/cases/{case_id}/offers"),
            &desk.agent,
            &serde_json::json!({"kind": "refund", "amount_fen": fen, "perform_by": "2026-11-30", "message": "退还餐费并致歉"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.body["id"].as_i64().unwrap()
}

async fn negotiation(app: &TestApp, receipt: &str, secret: &str) -> serde_json::Value {
    let res = app
        .request(
            "GET",
            &format!("/api/v1/track/{receipt}/odr"),
            &[("x-access-secret", secret)],
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn a_consumer_counters_an_odr_offer_then_accepts_the_next_and_confirms_its_performance() {
    let app = spawn_app().await;
    let (desk, case_id, receipt, secret) = odr_case(&app).await;
    let first = desk_offer(&app, &desk, &case_id, 5000).await;
    let mut b = Browser::open(&app).await;
    b.post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;

    let case = b.get("/track/case").await;
    for words in [
        "经营者提出了和解方案，请您答复。",
        "经营者的方案：退款 50.00 元，2026年11月30日（星期一）前履行",
        &format!(r#"href="/track/odr/offers/{first}/accept""#),
        &format!(r#"href="/track/odr/offers/{first}/reject""#),
        r#"href="/track/odr/counter""#,
    ] {
        assert!(case.text.contains(words), "{words} in {}", case.text);
    }

    // Without the session's token nothing is offered.
    let forged = b
        .visit
        .send(
            "POST",
            "/track/odr/counter",
            &[("cookie", &b.cookie)],
            Some("kind=refund&amount=128&perform_by_year=2026&perform_by_month=11&perform_by_day=30&message=x"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let form = b.get("/track/odr/counter").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("经营者的方案是：退款 50.00 元"));
    let empty = b
        .post(
            "/track/odr/counter",
            "amount=12.345&perform_by_year=2026&perform_by_month=11&perform_by_day=20&message=",
        )
        .await;
    assert_summary(&empty, "kind", "请选择解决方式");
    assert_summary(
        &empty,
        "amount",
        "金额只能填数字，最多两位小数，例如 128 或 128.50",
    );
    assert_summary(&empty, "perform_by", "履行日期不能早于今天");
    assert_summary(&empty, "message", "请写下方案说明");
    assert_eq!(value(&empty, "amount"), "12.345", "the amount is kept");

    let countered = b
        .post(
            "/track/odr/counter",
            &format!(
                "kind=refund&amount=128.50&perform_by_year=2026&perform_by_month=11&perform_by_day=30&message={}",
                enc("退还全部餐费")
            ),
        )
        .await;
    assert_eq!(
        countered.status,
        StatusCode::SEE_OTHER,
        "{}",
        countered.text
    );
    assert_eq!(countered.header("location"), "/track/case");
    let n = negotiation(&app, &receipt, &secret).await;
    assert_eq!(n["state"], "countered");
    assert_eq!(n["offers"][0]["status"], "superseded");
    assert_eq!(n["offers"][1]["party"], "consumer");
    assert_eq!(n["offers"][1]["amount_fen"], 12850);
    let case = b.get("/track/case").await;
    assert!(case.text.contains("您提出了方案，正在等待经营者答复。"));
    assert!(case.text.contains("您的方案：退款 128.50 元"));
    assert!(!case.text.contains(r#"href="/track/odr/counter""#));

    // The superseded offer is not the consumer's to accept any more: the page is not offered and
    // the step refuses.
    let stale = b.get(&format!("/track/odr/offers/{first}/accept")).await;
    assert_eq!(stale.status, StatusCode::SEE_OTHER);
    assert_eq!(stale.header("location"), "/track/case");
    let refused = b
        .post(&format!("/track/odr/offers/{first}/accept"), "")
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert!(refused.text.contains("无法处理您的请求"));
    assert_eq!(
        negotiation(&app, &receipt, &secret).await["state"],
        "countered"
    );

    let second = desk_offer(&app, &desk, &case_id, 12000).await;
    let confirm = b.get(&format!("/track/odr/offers/{second}/accept")).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.text);
    assert!(confirm.text.contains("确定接受经营者的和解方案吗？"));
    assert!(confirm.text.contains("退款 120.00 元"));
    let accepted = b
        .post(&format!("/track/odr/offers/{second}/accept"), "")
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    let n = negotiation(&app, &receipt, &secret).await;
    assert_eq!(n["state"], "agreed");
    assert_eq!(n["offers"][2]["status"], "accepted");
    let case = b.get("/track/case").await;
    assert!(case.text.contains("双方已达成和解，正在等待经营者履行。"));
    assert!(!case.text.contains(r#"href="/track/odr/confirm""#));
    // Not performed yet: nothing to confirm.
    assert_eq!(
        b.post("/track/odr/confirm", "").await.status,
        StatusCode::CONFLICT
    );

    let performed = app
        .post_as(
            &format!("/api/v1/odr/cases/{case_id}/performance"),
            &desk.agent,
            &serde_json::json!({"note": "已原路退款120元"}),
        )
        .await;
    assert_eq!(performed.body["state"], "performed", "{}", performed.text);
    let case = b.get("/track/case").await;
    assert!(case.text.contains(r#"href="/track/odr/confirm""#));
    let page = b.get("/track/odr/confirm").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("确认经营者已履行和解协议吗？"));
    let done = b.post("/track/odr/confirm", "").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let tracked = app.track(&receipt, &secret).await;
    assert_eq!(tracked.body["status"], "closed");
    let case = b.get("/track/case").await;
    assert!(
        case.text
            .contains("您已确认经营者履行了和解协议，投诉已办结。")
    );
}

#[actix_web::test]
async fn a_consumer_rejects_an_offer_with_a_reason_and_reopens_an_unperformed_settlement() {
    let app = spawn_app().await;
    let (desk, case_id, receipt, secret) = odr_case(&app).await;
    let offer = desk_offer(&app, &desk, &case_id, 5000).await;
    let mut b = Browser::open(&app).await;
    b.post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;
    let form = b.get(&format!("/track/odr/offers/{offer}/reject")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains("拒绝后，和解结束"));
    let empty = b
        .post(&format!("/track/odr/offers/{offer}/reject"), "reason=")
        .await;
    assert_summary(&empty, "reason", "请写下原因");
    let done = b
        .post(
            &format!("/track/odr/offers/{offer}/reject"),
            &format!("reason={}", enc("金额太少")),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let n = negotiation(&app, &receipt, &secret).await;
    assert_eq!(n["state"], "escalated");
    assert_eq!(n["case_status"], "pending_acceptance");
    let case = b.get("/track/case").await;
    assert!(
        case.text
            .contains("和解未成，投诉已转交市场监督管理部门处理。")
    );
    assert!(!case.text.contains("/track/odr/"));

    // A second case: agreed, and not performed by its date.
    let (_, case_id, receipt, secret) = {
        let res = app
            .post("/api/v1/complaints", &crate::odr::odr_complaint())
            .await;
        let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
        (
            (),
            field("id"),
            field("receipt_number"),
            field("access_secret"),
        )
    };
    let offer = desk_offer(&app, &desk, &case_id, 5000).await;
    let mut b = Browser::open(&app).await;
    b.post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;
    b.post(&format!("/track/odr/offers/{offer}/accept"), "")
        .await;
    assert!(
        !b.get("/track/case")
            .await
            .text
            .contains("/track/odr/reopen")
    );
    let early = b
        .post("/track/odr/reopen", &format!("reason={}", enc("还没退款")))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not due yet");
    app.clock.set(at("2026-12-01T02:00:00Z"));
    let case = b.get("/track/case").await;
    assert!(
        case.text.contains(r#"href="/track/odr/reopen""#),
        "{}",
        case.text
    );
    assert_eq!(b.get("/track/odr/reopen").await.status, StatusCode::OK);
    let reopened = b
        .post(
            "/track/odr/reopen",
            &format!("reason={}", enc("商家未退款")),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.text);
    let n = negotiation(&app, &receipt, &secret).await;
    assert_eq!(n["state"], "escalated");
}

#[actix_web::test]
async fn a_consumer_reads_and_confirms_the_mediation_agreement_and_downloads_the_issued_pdf() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use xiaobao::entities::audit_log;
    use xiaobao::http::Role;

    let (entry, _) = Key::generate("jiashan-2026", Some("330421"));
    let app = spawn_app_with(|s| s.signing_keys = vec![Secret::new(entry)]).await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let mediator = app
        .staff("xitang1", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let desk = app
        .staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    let (case_id, receipt, secret) = filed(&app).await;
    let accepted = app
        .post_as(
            &format!("/api/v1/cases/{case_id}/accept"),
            &mediator,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let mut b = Browser::open(&app).await;
    b.post("/track", &format!("receipt={receipt}&secret={secret}"))
        .await;
    assert!(!b.get("/track/case").await.text.contains("/track/agreement"));
    assert_eq!(
        b.get("/track/agreement").await.header("location"),
        "/track/case",
        "no agreement yet"
    );
    let recorded = app
        .post_as(
            &format!("/api/v1/cases/{case_id}/agreement"),
            &mediator,
            &serde_json::json!({
                "terms": [{"what": "被投诉人退还餐费", "amount_fen": 12800, "due_on": "2026-12-01"}],
                "in_person": true,
                "particulars": {"respondent_agent": "王经理"}
            }),
        )
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text);

    let case = b.get("/track/case").await;
    assert!(
        case.text
            .contains(r#"href="/track/agreement" class="button"#)
    );
    let draft = b.get("/track/agreement").await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text);
    for words in [
        "<title>调解书草稿",
        "调 解 书",
        "（文书编号于签发时生成）",
        "投诉人：张三",
        "被投诉人：西塘某餐馆",
        "一、被投诉人退还餐费，金额人民币128.00元，于2026年12月1日前履行完毕。",
        r#"href="/track/agreement/confirm""#,
    ] {
        assert!(draft.text.contains(words), "{words} in {}", draft.text);
    }
    let confirm = b.get("/track/agreement/confirm").await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text.contains("我已阅读调解书草稿，同意其内容。"));
    let forged = b
        .visit
        .send(
            "POST",
            "/track/agreement/confirm",
            &[("cookie", &b.cookie)],
            Some(""),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = b.post("/track/agreement/confirm", "").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(done.header("location"), "/track/agreement");
    let waiting = b.get("/track/agreement").await;
    assert!(waiting.text.contains("您已确认调解书"));
    assert!(!waiting.text.contains(r#"href="/track/agreement/confirm""#));
    // Confirmed once; a second confirmation is refused by the step.
    assert_eq!(
        b.post("/track/agreement/confirm", "").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        b.get("/track/agreement/pdf").await.status,
        StatusCode::NOT_FOUND,
        "not issued yet"
    );

    let issued = app
        .post_as(
            &format!("/api/v1/cases/{case_id}/agreement/confirm"),
            &desk,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    let number = issued.body["document"]["number"].as_str().unwrap();
    let case = b.get("/track/case").await;
    assert!(
        case.text
            .contains(&format!("调解书已出具，编号 {number}。"))
    );
    assert!(case.text.contains(r#"href="/track/agreement/pdf""#));
    let pdf = b.get("/track/agreement/pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.header("content-disposition").starts_with("attachment"));
    assert!(pdf.text.starts_with("%PDF"));
    let reads = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("agreement.read_pdf"))
        .filter(audit_log::Column::CaseId.eq(&case_id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor_role, "consumer");
}
