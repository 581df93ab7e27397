//! Filing a complaint through the pages, by form posts as a browser without script sends them:
//! the CSRF token from the page, the session cookie carried along, redirects seen, not followed.

use awc::http::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use crate::helpers::{TestApp, resident_id, spawn_app, uscc};

/// One browser: its session cookie and the CSRF token of the last page it was shown.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    client: awc::Client,
    pub(crate) cookie: String,
    csrf: String,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
    pub(crate) cache_control: String,
    pub(crate) text: String,
}

/// Percent-encodes a form value, every byte but ASCII letters and digits.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            client: awc::Client::builder().disable_redirects().finish(),
            cookie: String::new(),
            csrf: String::new(),
        }
    }

    pub(crate) async fn send(&mut self, path: &str, form: Option<String>) -> Page {
        let body = form.map(|f| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                f.into_bytes(),
            )
        });
        self.send_body(path, body).await
    }

    /// Posts `files` as a multipart form to `path`, the CSRF token of the last page in its query.
    pub(crate) async fn upload(&mut self, path: &str, files: &[(&str, &[u8])]) -> Page {
        let join = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{join}csrf_token={}", encode(&self.csrf));
        self.send_body(&path, Some(crate::helpers::multipart(files)))
            .await
    }

    async fn send_body(&mut self, path: &str, body: Option<(String, Vec<u8>)>) -> Page {
        let url = format!("{}{path}", self.app.base);
        let req = match body {
            Some(_) => self.client.post(url),
            None => self.client.get(url),
        }
        .insert_header(("cookie", self.cookie.clone()));
        let mut res = match body {
            Some((content_type, body)) => {
                req.insert_header(("content-type", content_type))
                    .send_body(body)
                    .await
            }
            None => req.send().await,
        }
        .expect("request sent");
        if let Some(set) = res
            .headers()
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("xiaobao_session="))
        {
            self.cookie = set.split(';').next().unwrap().to_owned();
        }
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (location, cache_control) = (header("location"), header("cache-control"));
        let text = String::from_utf8_lossy(&res.body().limit(1 << 20).await.unwrap()).into_owned();
        let marker = r#"name="csrf_token" value=""#;
        if let Some(at) = text.find(marker) {
            self.csrf = text[at + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_owned();
        }
        Page {
            status: res.status(),
            location,
            cache_control,
            text,
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        self.send(path, None).await
    }

    /// Posts the fields with the CSRF token of the last page.
    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut body = format!("csrf_token={}", encode(&self.csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", encode(v)));
        }
        self.send(path, Some(body)).await
    }

    /// Posts a page's fields and expects the redirect to `next`.
    pub(crate) async fn answer(&mut self, path: &str, fields: &[(&str, &str)], next: &str) {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        let answered = self.post(path, fields).await;
        assert_eq!(
            answered.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            answered.text
        );
        assert_eq!(answered.location, next, "{path}");
    }
}

const BUSINESS: &[(&str, &str)] = &[
    ("business_name", "西塘某餐馆"),
    ("business_uscc", ""),
    ("business_address", "浙江省嘉兴市嘉善县西塘镇南大街8号"),
    ("on_platform", "no"),
    ("platform_name", ""),
];

const WHAT: &[(&str, &str)] = &[
    ("category", "catering"),
    ("goods_or_service", "晚餐"),
    ("amount", "128.50"),
    ("facts", "在餐馆就餐时菜品中发现异物，要求退款并赔偿。"),
    ("demands", "refund"),
    ("demands", "damages"),
];

fn you(id_number: &str) -> Vec<(&str, &str)> {
    vec![
        ("name", "张三"),
        ("phone", "13800000000"),
        ("email", ""),
        ("id_type", "resident_id"),
        ("id_number", id_number),
        ("address", "上海市青浦区朱家角镇北大街1号"),
        ("conceal", "no"),
        ("consent", "yes"),
        ("delegated", "no"),
    ]
}

/// A browser that has started a draft and answered the business page.
async fn started(app: &TestApp) -> Browser<'_> {
    let mut b = Browser::new(app);
    let start = b.get("/complaint").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(start.text.contains("请先准备好"));
    let go = b.post("/complaint", &[]).await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    assert_eq!(go.location, "/complaint/business");
    b.answer("/complaint/business", BUSINESS, "/complaint/place")
        .await;
    // Starting again keeps the draft open.
    b.get("/complaint").await;
    assert_eq!(
        b.post("/complaint", &[]).await.location,
        "/complaint/business"
    );
    let kept = b.get("/complaint/business").await;
    assert!(kept.text.contains(r#"value="西塘某餐馆""#));
    b
}

#[actix_web::test]
async fn a_complaint_filed_page_by_page_is_tracked_with_the_secret_shown() {
    let app = spawn_app().await;
    let mut b = started(&app).await;

    // An ambiguous place leads to the choice among its candidates.
    let place = [
        ("occurred_on_year", "2026"),
        ("occurred_on_month", "11"),
        ("occurred_on_day", "20"),
        ("place", "西塘镇胥塘路1号"),
    ];
    b.answer("/complaint/place", &place, "/complaint/place/choose")
        .await;
    let choose = b.get("/complaint/place/choose").await;
    assert!(
        choose.text.contains(r#"value="330421103""#),
        "{}",
        choose.text
    );
    assert!(choose.text.contains("浙江省嘉兴市嘉善县西塘镇"));
    let none = b.post("/complaint/place/choose", &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text.contains("<title>错误："));
    b.answer(
        "/complaint/place/choose",
        &[("place_code", "330421103")],
        "/complaint/what",
    )
    .await;
    b.answer("/complaint/what", WHAT, "/complaint/evidence")
        .await;
    let you_page = b.get("/complaint/you").await;
    assert!(you_page.text.contains(r#"name="delegated""#));
    assert!(
        !you_page.text.contains(r#"name="odr_first""#),
        "no ODR choice for a business not in the registry"
    );
    let id = resident_id("33042119900101123");
    b.answer("/complaint/you", &you(&id), "/complaint/check")
        .await;

    let check = b.get("/complaint/check").await;
    assert_eq!(check.status, StatusCode::OK);
    for shown in [
        "西塘某餐馆",
        "128.50 元",
        "退还货款、服务费用、赔偿损失",
        "2026年11月20日（星期五）",
        "浙江省嘉兴市嘉善县西塘镇",
        "餐饮服务",
    ] {
        assert!(check.text.contains(shown), "{shown}: {}", check.text);
    }
    assert!(check.text.contains(r#"href="/complaint/what?change=1""#));

    // 更改 returns to the check page.
    let change = b.get("/complaint/what?change=1").await;
    assert!(
        change
            .text
            .contains(r#"href="/complaint/check" class="back-link""#)
    );
    let changed = b.post("/complaint/what?change=1", WHAT).await;
    assert_eq!(changed.location, "/complaint/check");

    b.get("/complaint/check").await;
    let filed = b.post("/complaint/check", &[]).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.text);
    assert_eq!(filed.location, "/complaint/receipt");
    // A second click files nothing more and shows the same receipt.
    let again = b.post("/complaint/check", &[]).await;
    assert_eq!(again.location, "/complaint/receipt");
    let cases = xiaobao::entities::case::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(cases, 1, "one case filed");

    let receipt = b.get("/complaint/receipt").await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert_eq!(receipt.cache_control, "no-store");
    let strong = |label: &str| {
        let marker = format!(r#"<strong data-copy="{label}">"#);
        let at = receipt.text.find(&marker).expect(label) + marker.len();
        receipt.text[at..].split('<').next().unwrap().to_owned()
    };
    let (number, secret) = (strong("登记号"), strong("查询码"));
    assert!(number.starts_with("TS"), "{number}");
    assert!(
        receipt.text.contains("2026年"),
        "the acceptance date in words"
    );

    let tracked = app
        .request(
            "GET",
            &format!("/api/v1/track/{number}"),
            &[("x-access-secret", &secret)],
            None,
        )
        .await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.text);
    assert_eq!(tracked.body["receipt_number"], number.as_str());

    // The filed draft's pages lead to the receipt.
    let back = b.get("/complaint/you").await;
    assert_eq!(back.location, "/complaint/receipt");
}

#[actix_web::test]
async fn a_page_with_a_missing_or_wrong_answer_comes_back_with_422_and_the_values_kept() {
    let app = spawn_app().await;
    let mut b = started(&app).await;
    let future = b
        .post(
            "/complaint/place",
            &[
                ("occurred_on_year", "2026"),
                ("occurred_on_month", "12"),
                ("occurred_on_day", "24"),
                ("place", "火星市某某路1号"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.text.contains("<title>错误：消费的时间和地点"));
    assert!(
        future
            .text
            .contains(r##"<a href="#occurred_on">日期不能晚于今天</a>"##)
    );
    assert!(
        future
            .text
            .contains(r##"<a href="#place">没有找到这个地点"##)
    );
    assert!(future.text.contains(r#"value="火星市某某路1号""#));

    let id = resident_id("33042119900101123");
    let mut missing: Vec<(&str, &str)> = you(&id)
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "name" | "phone"))
        .collect();
    missing.push(("phone", "138000"));
    let you = b.post("/complaint/you", &missing).await;
    assert_eq!(you.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(you.text.contains("error-summary"));
    assert!(
        you.text.contains(r##"<a href="#name">请输入您的姓名</a>"##),
        "{}",
        you.text
    );
    assert!(
        you.text
            .contains(r##"<a href="#phone">请输入正确的手机号码"##)
    );
    assert!(
        you.text
            .contains(r#"value="上海市青浦区朱家角镇北大街1号""#)
    );
    assert!(you.text.contains(r#"value="138000""#));

    // The check page's submit sends back to the first page with a missing answer.
    let submit = b.post("/complaint/check", &[]).await;
    assert_eq!(submit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(submit.text.contains("<title>错误：消费的时间和地点"));
}

#[actix_web::test]
async fn a_post_without_the_token_is_refused_and_a_page_without_a_draft_goes_to_the_start() {
    let app = spawn_app().await;
    let mut b = started(&app).await;
    b.csrf = String::new();
    let refused = b.post("/complaint/business", BUSINESS).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text.contains("页面已过期"));

    let mut stranger = Browser::new(&app);
    let page = stranger.get("/complaint/what").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/complaint");
    let old = stranger.get("/complaints/new").await;
    assert_eq!(old.location, "/complaint");
}

#[actix_web::test]
async fn a_place_the_text_does_not_find_is_chosen_level_by_level() {
    let app = spawn_app().await;
    let mut b = started(&app).await;
    let provinces = b.get("/complaint/place/pick").await;
    assert_eq!(provinces.status, StatusCode::OK);
    assert!(provinces.text.contains(">浙江省</label>"));
    let none = b.post("/complaint/place/pick", &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut at = "/complaint/place/pick".to_owned();
    for code in ["330000", "330400", "330421"] {
        b.get(&at).await;
        let next = b.post(&at, &[("code", code)]).await;
        assert_eq!(next.status, StatusCode::SEE_OTHER, "{code}: {}", next.text);
        at = format!("/complaint/place/pick?code={code}");
        assert_eq!(next.location, at);
    }
    b.get(&at).await;
    let town = b.post(&at, &[("code", "330421103")]).await;
    assert_eq!(town.location, "/complaint/what");
    let place = b.get("/complaint/place").await;
    assert!(
        place.text.contains(r#"value="浙江省嘉兴市嘉善县西塘镇""#),
        "{}",
        place.text
    );
}

#[actix_web::test]
async fn a_fault_the_intake_finds_is_shown_on_the_page_that_asked_for_the_field() {
    let app = spawn_app().await;
    let mut b = started(&app).await;
    to_you(&mut b).await;
    let id = resident_id("33042119900101123");
    b.answer("/complaint/you", &you(&id), "/complaint/check")
        .await;
    // A city where the intake needs a county or a town: only the API's own check sees it.
    app.db
        .execute_unprepared(
            "UPDATE complaint_drafts SET answers = replace(answers, '\"330421103\"', '\"330400\"')",
        )
        .await
        .unwrap();
    b.get("/complaint/check").await;
    let refused = b.post("/complaint/check", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("<title>错误：消费的时间和地点"),
        "{}",
        refused.text
    );
    assert!(
        refused
            .text
            .contains(r##"<a href="#place">请重新选择消费或发生纠纷的地点</a>"##)
    );
    let cases = xiaobao::entities::case::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(cases, 0);
}

/// Answers the place (one town, no choice page) and what happened, up to the evidence page.
async fn to_you(b: &mut Browser<'_>) {
    let place = [
        ("occurred_on_year", "2026"),
        ("occurred_on_month", "11"),
        ("occurred_on_day", "20"),
        ("place", "浙江省嘉兴市嘉善县西塘镇南大街8号"),
    ];
    b.answer("/complaint/place", &place, "/complaint/what")
        .await;
    b.answer("/complaint/what", WHAT, "/complaint/evidence")
        .await;
}

#[actix_web::test]
async fn a_complaint_against_a_business_enrolled_in_odr_may_go_to_its_desk_first() {
    let app = spawn_app().await;
    crate::odr::enrolled_business(&app).await;
    let mut b = Browser::new(&app);
    b.get("/complaint").await;
    b.post("/complaint", &[]).await;
    let code = uscc("91330421MA2B3C4D5");
    let business: Vec<(&str, &str)> = BUSINESS
        .iter()
        .map(|&(k, v)| {
            (
                k,
                if k == "business_uscc" {
                    code.as_str()
                } else {
                    v
                },
            )
        })
        .collect();
    b.answer("/complaint/business", &business, "/complaint/place")
        .await;
    to_you(&mut b).await;
    let you_page = b.get("/complaint/you").await;
    assert!(
        you_page.text.contains(r#"name="odr_first""#),
        "{}",
        you_page.text
    );
    assert!(you_page.text.contains("10 个工作日"));

    let id = resident_id("33042119900101123");
    let unanswered = b.post("/complaint/you", &you(&id)).await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unanswered.text.contains("请选择是否先由经营者处理"));
    let mut answered = you(&id);
    answered.retain(|(k, _)| *k != "delegated");
    answered.extend([("odr_first", "yes"), ("delegated", "yes")]);
    b.answer("/complaint/you", &answered, "/complaint/check")
        .await;
    let check = b.get("/complaint/check").await;
    assert!(check.text.contains("先由经营者处理"), "{}", check.text);
    assert!(check.text.contains("同意委托调解"));

    let filed = b.post("/complaint/check", &[]).await;
    assert_eq!(filed.location, "/complaint/receipt", "{}", filed.text);
    let c = xiaobao::entities::case::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .expect("one case filed");
    assert_eq!(c.status, xiaobao::cases::CaseStatus::WithBusiness);
    assert!(c.choose_odr && c.accept_delegated_mediation);
}

#[actix_web::test]
async fn a_business_named_exactly_as_registered_is_found_without_its_code() {
    let app = spawn_app().await;
    crate::odr::enrolled_business(&app).await;
    let mut b = started(&app).await;
    to_you(&mut b).await;
    let you_page = b.get("/complaint/you").await;
    assert!(
        you_page.text.contains(r#"name="odr_first""#),
        "the registry's 西塘某餐馆 is enrolled: {}",
        you_page.text
    );
    let id = resident_id("33042119900101123");
    let mut answered = you(&id);
    answered.push(("odr_first", "no"));
    b.answer("/complaint/you", &answered, "/complaint/check")
        .await;
    let check = b.get("/complaint/check").await;
    let code = uscc("91330421MA2B3C4D5");
    assert!(
        check
            .text
            .contains(&format!("{code}（按名称在经营者登记名录中找到）")),
        "{}",
        check.text
    );
    b.post("/complaint/check", &[]).await;
    let c = xiaobao::entities::case::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .expect("one case filed");
    assert_eq!(c.respondent_uscc.as_deref(), Some(code.as_str()));
    assert!(c.business_id.is_some(), "matched to the registry");
    assert_eq!(
        c.status,
        xiaobao::cases::CaseStatus::PendingAcceptance,
        "ODR declined: straight to the regulator"
    );
}

#[actix_web::test]
async fn files_chosen_on_the_evidence_page_become_the_complaints_evidence() {
    use crate::evidence::{PDF, blobs, photo};
    let app = spawn_app().await;
    let mut b = started(&app).await;
    to_you(&mut b).await;
    let page = b.get("/complaint/evidence").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"enctype="multipart/form-data""#));
    assert!(
        page.text.contains(r#"href="/complaint/you""#),
        "继续 leads on"
    );

    let bad = b
        .upload(
            "/complaint/evidence",
            &[("invoice.jpg", b"MZ not a picture")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("<title>错误："));
    assert!(bad.text.contains("invoice.jpg 不是 JPEG"), "{}", bad.text);
    let none = b.upload("/complaint/evidence", &[("", b"")]).await;
    assert!(none.text.contains("请选择要上传的文件"), "{}", none.text);

    let up = b
        .upload(
            "/complaint/evidence",
            &[("dish.jpg", &photo()), ("小票.pdf", PDF)],
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.text);
    assert_eq!(up.location, "/complaint/evidence");
    let listed = b.get("/complaint/evidence").await;
    assert!(listed.text.contains("dish.jpg") && listed.text.contains("小票.pdf"));
    let removed = b.post("/complaint/evidence/remove", &[("file", "1")]).await;
    assert_eq!(removed.location, "/complaint/evidence");
    let listed = b.get("/complaint/evidence").await;
    assert!(listed.text.contains("dish.jpg") && !listed.text.contains("小票.pdf"));

    let id = resident_id("33042119900101123");
    b.answer("/complaint/you", &you(&id), "/complaint/check")
        .await;
    let check = b.get("/complaint/check").await;
    assert!(check.text.contains("证据材料"), "{}", check.text);
    assert!(
        check
            .text
            .contains(r#"href="/complaint/evidence?change=1""#)
    );

    // A blob gone from the store (swept while the draft waited) is asked for again.
    for blob in blobs(&app) {
        std::fs::remove_file(blob).unwrap();
    }
    let gone = b.post("/complaint/check", &[]).await;
    assert_eq!(
        gone.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        gone.text
    );
    assert!(gone.text.contains("有文件已失效"), "{}", gone.text);
    assert_eq!(app.count("cases").await, 0);
    b.post("/complaint/evidence/remove", &[("file", "0")]).await;
    b.get("/complaint/evidence").await;
    let again = b
        .upload("/complaint/evidence?change=1", &[("dish.jpg", &photo())])
        .await;
    assert_eq!(again.location, "/complaint/evidence?change=1");

    b.get("/complaint/check").await;
    let filed = b.post("/complaint/check", &[]).await;
    assert_eq!(filed.location, "/complaint/receipt", "{}", filed.text);
    assert_eq!(app.count("cases").await, 1);
    assert_eq!(
        app.count("evidence_files WHERE file_name = 'dish.jpg' AND uploaded_by = 'consumer'")
            .await,
        1
    );
    assert_eq!(
        app.count("case_events WHERE kind = 'evidence_added'").await,
        1
    );
}

#[actix_web::test]
async fn others_complaining_together_are_added_removed_and_represented_from_the_check_page() {
    let app = spawn_app().await;
    let mut b = started(&app).await;
    let place = [
        ("occurred_on_year", "2026"),
        ("occurred_on_month", "11"),
        ("occurred_on_day", "20"),
        ("place", "西塘镇胥塘路1号"),
    ];
    b.answer("/complaint/place", &place, "/complaint/place/choose")
        .await;
    b.answer(
        "/complaint/place/choose",
        &[("place_code", "330421103")],
        "/complaint/what",
    )
    .await;
    b.answer("/complaint/what", WHAT, "/complaint/evidence")
        .await;
    let id = resident_id("33042119900101123");
    b.answer("/complaint/you", &you(&id), "/complaint/check")
        .await;
    let check = b.get("/complaint/check").await;
    assert!(
        check.text.contains("没有（只有您本人投诉）"),
        "{}",
        check.text
    );
    assert!(check.text.contains(r#"href="/complaint/others""#));
    let list = b.get("/complaint/others").await;
    assert!(
        list.text.contains("还没有添加一起投诉的人"),
        "{}",
        list.text
    );
    assert!(!list.text.contains(r#"name="representatives""#));

    let new = "/complaint/others/new";
    b.get(new).await;
    let empty = b.post(new, &[("name", ""), ("phone", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "请输入这位投诉人的姓名",
        "请输入这位投诉人的手机号码",
        "请选择证件类型",
        "请输入这位投诉人的联系地址",
    ] {
        assert!(empty.text.contains(message), "{message}: {}", empty.text);
    }
    let li = resident_id("33042119920202123");
    let person = |name: &'static str, phone: &'static str, id: &str| {
        vec![
            ("name", name),
            ("phone", phone),
            ("id_type", "resident_id"),
            ("id_number", id),
            ("address", "浙江省嘉兴市嘉善县西塘镇南大街2号"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect::<Vec<_>>()
    };
    let me_again = person("张三", "13800000000", &li);
    let refs: Vec<(&str, &str)> = me_again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let twice = b.post(new, &refs).await;
    assert!(
        twice
            .text
            .contains("这位投诉人已在投诉人中，请核对手机号码和证件号码"),
        "{}",
        twice.text
    );
    assert!(twice.text.contains(r#"value="张三""#), "values are kept");
    for (name, phone, id) in [
        ("李四", "13900000000", li.clone()),
        ("王五", "13700000000", resident_id("33042119930303123")),
    ] {
        let p = person(name, phone, &id);
        let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.get(new).await;
        let added = b.post(new, &refs).await;
        assert_eq!(added.location, "/complaint/others", "{}", added.text);
    }
    let list = b.get("/complaint/others").await;
    assert!(list.text.contains("李四（13900000000）") && list.text.contains("王五（13700000000）"));
    assert!(
        list.text
            .contains(r#"name="representatives" type="checkbox" value="me" checked"#),
        "the consumer represents by default: {}",
        list.text
    );
    let removed = b.post("/complaint/others/2/remove", &[]).await;
    assert_eq!(removed.location, "/complaint/others");
    let list = b.get("/complaint/others").await;
    assert!(!list.text.contains("王五"));
    let none = b.post("/complaint/others", &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text.contains("请选择 1 至 2 名代表人"));
    let chosen = b
        .post(
            "/complaint/others",
            &[
                ("representatives", "me"),
                ("representatives", "13900000000"),
            ],
        )
        .await;
    assert_eq!(chosen.location, "/complaint/check");
    let check = b.get("/complaint/check").await;
    assert!(check.text.contains("一起投诉的人 1"), "{}", check.text);
    assert!(check.text.contains("张三（本人）、李四"));

    let filed = b.post("/complaint/check", &[]).await;
    assert_eq!(filed.location, "/complaint/receipt", "{}", filed.text);
    assert_eq!(app.count("parties WHERE role = 'representative'").await, 2);
    assert_eq!(app.count("parties WHERE role = 'complainant'").await, 0);
}
