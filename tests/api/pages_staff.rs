//! The workbench over HTTP: logging in (the login throttle applies), the session holding only
//! the token and ending when the token does, logging out revoking it, changing one's password,
//! the work list scoped per role as the API's list is, the case view (404 outside the scope),
//! accepting and refusing through the same steps as the API, and CSRF on every POST.

use awc::http::StatusCode;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages::{Page, Visit, session_cookie};

const PASSWORD: &str = "correct horse battery";

/// One browser with its session cookie, kept up to date as answers renew it.
pub(crate) struct Browser<'a> {
    visit: Visit<'a>,
    cookie: String,
    token: String,
}

impl<'a> Browser<'a> {
    async fn open(app: &'a TestApp) -> Browser<'a> {
        let visit = Visit::new(app);
        let first = visit.get("/staff/login", &[]).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        let cookie = session_cookie(&first);
        let token = first.input("csrf_token");
        Browser {
            visit,
            cookie,
            token,
        }
    }

    /// A browser logged in as `username`.
    pub(crate) async fn signed_in(app: &'a TestApp, username: &str) -> Browser<'a> {
        let mut b = Browser::open(app).await;
        let done = b
            .post(
                "/staff/login",
                &format!("username={username}&password={}", enc(PASSWORD)),
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert_eq!(done.header("location"), "/staff");
        b
    }

    fn keep(&mut self, page: &Page) {
        if let Some(set) = page.set_cookie("xiaobao_session") {
            self.cookie = set.split(';').next().unwrap().to_owned();
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let page = self.visit.get(path, &[("cookie", &self.cookie)]).await;
        self.keep(&page);
        page
    }

    /// Posts the form fields (already URL-encoded) with the session's CSRF token.
    pub(crate) async fn post(&mut self, path: &str, fields: &str) -> Page {
        let form = format!("csrf_token={}&{fields}", self.token);
        self.post_raw(path, &form).await
    }

    async fn post_raw(&mut self, path: &str, form: &str) -> Page {
        let page = self
            .visit
            .send("POST", path, &[("cookie", &self.cookie)], Some(form))
            .await;
        self.keep(&page);
        page
    }
}

pub(crate) fn enc(s: &str) -> String {
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

async fn filed(app: &TestApp) -> (String, String) {
    let res = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
    (field("id"), field("receipt_number"))
}

/// A form page back with 422, `message` in the error summary linking to `field` and at the field.
pub(crate) fn assert_summary(page: &Page, field: &str, message: &str) {
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
        "{field}: {message} in {}",
        page.text
    );
    assert!(
        page.text.contains(&format!(r#"id="{field}-error""#)),
        "the message sits at {field}"
    );
}

#[actix_web::test]
async fn staff_log_in_with_their_account_and_log_out_revokes_the_token() {
    let app = spawn_app().await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::open(&app).await;

    let away = b.get("/staff").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(away.header("location"), "/staff/login");

    let empty = b.post("/staff/login", "username=&password=").await;
    assert_summary(&empty, "username", "请输入用户名");
    assert_summary(&empty, "password", "请输入密码");
    let wrong = b
        .post("/staff/login", "username=xitang&password=wrongwrongwrong")
        .await;
    assert_summary(&wrong, "username", "用户名或密码不正确");
    assert!(
        wrong.text.contains(r#"value="xitang""#),
        "the username is kept"
    );
    assert!(
        !wrong.text.contains("wrongwrongwrong"),
        "the password is not"
    );

    let before = app.count("auth_tokens WHERE revoked_at IS NULL").await;
    let ok = b
        .post(
            "/staff/login",
            &format!("username=xitang&password={}", enc(PASSWORD)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(ok.header("location"), "/staff");
    let cookie = ok.set_cookie("xiaobao_session").expect("a new session");
    assert!(!cookie.contains(PASSWORD) && !cookie.contains(&enc(PASSWORD)));
    assert_eq!(
        app.count("auth_tokens WHERE revoked_at IS NULL").await,
        before + 1,
        "the login issued a token, as the API's does"
    );

    let list = b.get("/staff").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(
        list.text
            .contains("xitang<span class=\"hint\">（调解员）</span>")
    );
    assert!(list.text.contains("目前没有您负责的案件。"));

    let out = b.post("/staff/logout", "").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header("location"), "/staff/login");
    assert_eq!(
        app.count("auth_tokens WHERE revoked_at IS NULL").await,
        before,
        "logging out revoked the page's token"
    );
    let login = b.get("/staff/login").await;
    assert!(login.text.contains("您已退出登录。"), "{}", login.text);
    assert_eq!(b.get("/staff").await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn wrong_passwords_are_stopped_by_the_login_throttle_with_the_429_page() {
    let app = spawn_app_with(|s| s.login_max_failures_per_account = 2).await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::open(&app).await;
    for _ in 0..2 {
        let wrong = b
            .post("/staff/login", "username=xitang&password=nope")
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let stopped = b
        .post(
            "/staff/login",
            &format!("username=xitang&password={}", enc(PASSWORD)),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(stopped.text.contains("操作过于频繁，请稍后再试"));
    assert!(!stopped.header("retry-after").is_empty());
    // The API's login counts the same failures.
    let api = app
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "xitang", "password": PASSWORD}),
        )
        .await;
    assert_problem(&api, 429, "too_many_login_attempts");
}

#[actix_web::test]
async fn a_revoked_or_expired_token_ends_the_page_session_with_a_message() {
    let app = spawn_app().await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::signed_in(&app, "xitang").await;
    assert_eq!(b.get("/staff").await.status, StatusCode::OK);

    // Past the token's lifetime (12 hours by default).
    app.clock.set(monday() + chrono::Duration::hours(13));
    let ended = b.get("/staff").await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(ended.header("location"), "/staff/login");
    let login = b.get("/staff/login").await;
    assert!(login.text.contains("您的登录已失效"), "{}", login.text);

    let mut b = Browser::signed_in(&app, "xitang").await;
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("UPDATE auth_tokens SET revoked_at = created_at")
        .await
        .unwrap();
    assert_eq!(b.get("/staff/password").await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn staff_change_their_password_and_their_other_logins_end() {
    let app = spawn_app().await;
    let api_token = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::signed_in(&app, "xitang").await;
    let form = b.get("/staff/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains(r#"autocomplete="new-password""#));

    let mismatch = b
        .post(
            "/staff/password",
            "current_password=x&new_password=abcdefghijk&confirm_password=abcdefghijX",
        )
        .await;
    assert_summary(&mismatch, "confirm_password", "两次输入的新密码不一致");
    let wrong = b
        .post(
            "/staff/password",
            "current_password=wrongwrong&new_password=abcdefghijk&confirm_password=abcdefghijk",
        )
        .await;
    assert_summary(&wrong, "current_password", "当前密码不正确");
    assert!(
        !wrong.text.contains("abcdefghijk"),
        "passwords are not kept"
    );
    let short = b
        .post(
            "/staff/password",
            &format!(
                "current_password={}&new_password=short&confirm_password=short",
                enc(PASSWORD)
            ),
        )
        .await;
    assert_summary(&short, "new_password", "新密码须为 10 至 200 个字符");

    let new = "a much longer passphrase";
    let done = b
        .post(
            "/staff/password",
            &format!(
                "current_password={}&new_password={}&confirm_password={}",
                enc(PASSWORD),
                enc(new),
                enc(new)
            ),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let list = b.get("/staff").await;
    assert_eq!(list.status, StatusCode::OK, "this login stays");
    assert!(list.text.contains("密码已修改"), "{}", list.text);
    // The API token of the other login is revoked; the new password logs in.
    assert_eq!(app.get_as("/api/v1/auth/me", &api_token).await.status, 401);
    let old = app
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "xitang", "password": PASSWORD}),
        )
        .await;
    assert_problem(&old, 401, "invalid_credentials");
    let fresh = app
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "xitang", "password": new}),
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
}

#[actix_web::test]
async fn the_api_changes_a_password_with_the_same_step() {
    let app = spawn_app().await;
    let token = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let res = app
        .post_as(
            "/api/v1/auth/password",
            &token,
            &serde_json::json!({"current_password": "nope", "new_password": "x"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(
        error_fields(&res),
        vec!["current_password".to_owned(), "new_password".to_owned()]
    );
    let res = app
        .post_as(
            "/api/v1/auth/password",
            &token,
            &serde_json::json!({"current_password": PASSWORD, "new_password": "another good one"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(app.get_as("/api/v1/auth/me", &token).await.status, 200);
}

#[actix_web::test]
async fn the_work_list_shows_each_role_its_own_cases_as_the_api_does() {
    let app = spawn_app().await;
    let (id, receipt) = filed(&app).await;
    let xitang = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let jinze = app
        .staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let other = app.business("别家公司", &uscc("91330421MA2B3C4D9")).await;
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&other))
        .await;

    for (user, token, sees) in [("xitang", &xitang, true), ("jinze", &jinze, false)] {
        let api = app.get_as("/api/v1/cases", token).await;
        let listed = api.body.as_array().unwrap().iter().any(|c| c["id"] == id);
        assert_eq!(listed, sees, "the API's list for {user}");
        let mut b = Browser::signed_in(&app, user).await;
        let page = b.get("/staff").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.text.contains(&receipt), sees, "{user}: {}", page.text);
    }
    for user in ["jiashan", "desk"] {
        let mut b = Browser::signed_in(&app, user).await;
        let page = b.get("/staff").await;
        assert_eq!(page.text.contains(&receipt), user == "jiashan", "{user}");
    }

    let mut b = Browser::signed_in(&app, "jiashan").await;
    let page = b.get("/staff").await;
    for words in [
        format!(r#"<a href="/staff/cases/{id}">{receipt}</a>"#),
        "西塘某餐馆".to_owned(),
        "餐饮服务".to_owned(),
        "待受理".to_owned(),
        "西塘市场监督管理所".to_owned(),
        // Received Monday 11-23 10:00; due at the end of Wednesday 12-02.
        "受理期限 还剩 7 个工作日".to_owned(),
        "2026年12月2日（星期三）前".to_owned(),
        // The bureau filters by its stations.
        r#"<option value="S330421103">"#.to_owned(),
    ] {
        assert!(page.text.contains(&words), "{words} in {}", page.text);
    }
    // Due soon (the reminder lead time is 24 hours) and overdue, in words beside the colour.
    app.clock.set(at("2026-12-02T02:00:00Z"));
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let soon = b.get("/staff").await;
    assert!(
        soon.text
            .contains(r#"<strong class="tag tag--due-soon">即将到期</strong> 受理期限 今天到期"#),
        "{}",
        soon.text
    );
    app.clock.set(at("2026-12-04T02:00:00Z"));
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let late = b.get("/staff").await;
    assert!(
        late.text.contains(
            r#"<strong class="tag tag--overdue">已超期</strong> 受理期限 已超期 2 个工作日"#
        ),
        "{}",
        late.text
    );

    // Filters and the search.
    let found = b.get(&format!("/staff?q={}", receipt.to_lowercase())).await;
    assert!(found.text.contains(&receipt));
    let by_name = b.get(&format!("/staff?q={}", enc("某餐"))).await;
    assert!(by_name.text.contains(&receipt));
    let none = b.get("/staff?status=closed").await;
    assert!(!none.text.contains(&receipt));
    assert!(none.text.contains("没有符合筛选条件的案件。"));
    let overdue = b.get("/staff?deadline=overdue&category=catering").await;
    assert!(overdue.text.contains(&receipt));
    let on_track = b.get("/staff?deadline=on_track").await;
    assert!(!on_track.text.contains(&receipt));
    let later = b.get("/staff?from=2026-11-24").await;
    assert!(!later.text.contains(&receipt));
    let bad = b.get("/staff?from=2026-13-01&status=nonsense").await;
    assert_summary(&bad, "from", "请按 2026-11-01 的格式输入日期");
    assert_summary(&bad, "status", "请选择列表中的办理状态");
}

#[actix_web::test]
async fn the_case_view_masks_as_the_api_does_and_is_404_outside_the_scope() {
    let app = spawn_app().await;
    let (id, receipt) = filed(&app).await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    app.staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;

    let mut b = Browser::signed_in(&app, "xitang").await;
    let page = b.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for words in [
        receipt.as_str(),
        "办理状态：<strong>待受理</strong>",
        "张三",
        "13800000000",
        "在餐馆就餐时菜品中发现异物",
        "退款",
        "128.00 元",
        "受理期限 还剩 7 个工作日",
        "依据《市场监督管理投诉举报处理办法》，自 2026年11月23日 起算（当日不计入），期限为 7 个工作日。",
        "可以办理的事项",
        r#"action="/staff/cases/"#,
        ">受理</button>",
        "不予受理</a>",
    ] {
        assert!(page.text.contains(words), "{words} in {}", page.text);
    }
    assert!(
        app.count(&format!(
            "audit_log WHERE action = 'case.read_personal_data' AND case_id = '{id}'"
        ))
        .await
            == 1,
        "reading the parties is audited, as through the API"
    );

    let mut other = Browser::signed_in(&app, "jinze").await;
    let hidden = other.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(hidden.text.contains("找不到此页面"));
    let unknown = other.get("/staff/cases/nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // Acting on it is refused the same way, whatever the page showed.
    let forced = other.post(&format!("/staff/cases/{id}/accept"), "").await;
    assert_eq!(forced.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_desk_sees_no_accept_button_and_a_concealed_consumer_stays_concealed() {
    let app = spawn_app().await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let mut body = complaint();
    body["conceal_identity_from_business"] = serde_json::json!(true);
    let res = app.post("/api/v1/complaints", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    let mut b = Browser::signed_in(&app, "desk").await;
    let page = b.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(!page.text.contains("13800000000"), "{}", page.text);
    assert!(!page.text.contains("张三") && page.text.contains("张*"));
    assert!(!page.text.contains(">受理</button>"));
    let forced = b.post(&format!("/staff/cases/{id}/accept"), "").await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn station_staff_accept_or_refuse_through_the_apis_steps() {
    let app = spawn_app().await;
    let (first, _) = filed(&app).await;
    let (second, _) = filed(&app).await;
    let token = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::signed_in(&app, "xitang").await;

    // Without the session's token nothing happens.
    let forged = b
        .post_raw(&format!("/staff/cases/{first}/accept"), "")
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let api = app.get_as(&format!("/api/v1/cases/{first}"), &token).await;
    assert_eq!(api.body["status"], "pending_acceptance");

    let accepted = b.post(&format!("/staff/cases/{first}/accept"), "").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    let api = app.get_as(&format!("/api/v1/cases/{first}"), &token).await;
    assert_eq!(api.body["status"], "accepted");
    let page = b.get(&format!("/staff/cases/{first}")).await;
    assert!(page.text.contains("已受理。"), "{}", page.text);
    assert!(
        !page.text.contains(">受理</button>"),
        "no second acceptance"
    );
    assert!(page.text.contains("调解期限"));
    let again = b.post(&format!("/staff/cases/{first}/accept"), "").await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let form = b.get(&format!("/staff/cases/{second}/refuse")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(
        form.text.contains(r#"value="outside_duties""#),
        "{}",
        form.text
    );
    let empty = b
        .post(&format!("/staff/cases/{second}/refuse"), "reason=&text=")
        .await;
    assert_summary(&empty, "reason", "请选择不予受理的理由");
    assert_summary(&empty, "text", "请写明不予受理的具体原因，投诉人会看到");
    let kept = b
        .post(
            &format!("/staff/cases/{second}/refuse"),
            &format!("reason=made_up&text={}", enc("不属于本局职责")),
        )
        .await;
    assert_summary(&kept, "reason", "请选择列表中的理由");
    assert!(kept.text.contains("不属于本局职责"), "the text is kept");
    let done = b
        .post(
            &format!("/staff/cases/{second}/refuse"),
            &format!(
                "reason=outside_duties&text={}",
                enc("该事项不属于市场监管部门职责")
            ),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let api = app.get_as(&format!("/api/v1/cases/{second}"), &token).await;
    assert_eq!(api.body["status"], "refused");
}

#[actix_web::test]
async fn the_work_list_puts_the_nearest_deadline_first_and_finished_cases_last() {
    let app = spawn_app().await;
    let token = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let (refused, refused_receipt) = filed(&app).await;
    app.clock.set(monday() + chrono::Duration::minutes(1));
    let (accepted, accepted_receipt) = filed(&app).await;
    app.clock.set(monday() + chrono::Duration::minutes(2));
    let (_, pending_receipt) = filed(&app).await;
    let res = app
        .post_as(
            &format!("/api/v1/cases/{accepted}/accept"),
            &token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post_as(
            &format!("/api/v1/cases/{refused}/refuse"),
            &token,
            &serde_json::json!({"reason": "outside_duties", "text": "不属于本局职责"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    let mut b = Browser::signed_in(&app, "xitang").await;
    let page = b.get("/staff").await;
    let at = |receipt: &str| page.text.find(receipt).expect(receipt);
    // Acceptance due in 7 working days, mediation in 60 days, the refused case has none.
    assert!(
        at(&pending_receipt) < at(&accepted_receipt),
        "{}",
        page.text
    );
    assert!(
        at(&accepted_receipt) < at(&refused_receipt),
        "{}",
        page.text
    );
    assert!(page.text.contains("调解期限 还剩"));
    let none = b.get("/staff?deadline=none").await;
    assert!(none.text.contains(&refused_receipt) && !none.text.contains(&pending_receipt));
    // The API's list is the same scope, newest first.
    let api = app.get_as("/api/v1/cases?limit=2", &token).await;
    let ids: Vec<&str> = api
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["receipt_number"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![pending_receipt.as_str(), accepted_receipt.as_str()]
    );
    // The document lists the statuses; another value is the query's fault.
    let bad = app.get_as("/api/v1/cases?status=nonsense", &token).await;
    assert_problem(&bad, 422, "invalid_query");
    assert!(bad.text.contains("nonsense"), "{}", bad.text);
}

#[actix_web::test]
async fn the_case_view_lists_the_evidence_and_a_desk_downloads_a_photo_without_its_location() {
    let app = spawn_app().await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let res = app.post("/api/v1/complaints", &complaint()).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    let (receipt, secret) = (
        res.body["receipt_number"].as_str().unwrap().to_owned(),
        res.body["access_secret"].as_str().unwrap().to_owned(),
    );
    let photo = crate::evidence::photo();
    let up = app
        .upload(
            &format!("/api/v1/track/{receipt}/evidence"),
            &[("x-access-secret", &secret)],
            &[("菜品照片.jpg", &photo)],
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let file = up.body[0]["id"].as_str().unwrap().to_owned();
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    let mut b = Browser::signed_in(&app, "desk").await;
    let page = b.get(&format!("/staff/cases/{id}")).await;
    let link = format!("/staff/cases/{id}/evidence/{file}");
    assert!(page.text.contains(&link), "{}", page.text);
    assert!(page.text.contains("菜品照片.jpg"));
    let got = b.get(&link).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "image/jpeg");
    // The copy keeps only the orientation of the photo's EXIF, not its location.
    assert!(got.text.contains("Exif") && !got.text.contains("GPS"));
}

#[actix_web::test]
async fn the_consumers_rating_shows_on_the_case_view_for_staff_and_not_for_the_desk() {
    let app = spawn_app().await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let res = app.post("/api/v1/complaints", &complaint()).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    let receipt = res.body["receipt_number"].as_str().unwrap().to_owned();
    let secret = res.body["access_secret"].as_str().unwrap().to_owned();
    app.staff(
        "xitang",
        Role::Mediator,
        Some("330421"),
        Some("S330421103"),
        None,
    )
    .await;
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    let post = async |path: &str, body: &str| {
        app.request(
            "POST",
            &format!("/api/v1/track/{receipt}/{path}"),
            &[
                ("x-access-secret", &secret),
                ("content-type", "application/json"),
            ],
            Some(body.to_owned()),
        )
        .await
    };
    assert_eq!(post("withdraw", "{}").await.status, 200);
    let mut staff = Browser::signed_in(&app, "xitang").await;
    let open = staff.get(&format!("/staff/cases/{id}")).await;
    assert!(open.text.contains("尚未评价，可评价至"), "{}", open.text);
    let rated = post(
        "rating",
        r#"{"rating": "satisfied", "comment": "调解员很耐心"}"#,
    )
    .await;
    assert_eq!(rated.status, 201, "{}", rated.text);
    let page = staff.get(&format!("/staff/cases/{id}")).await;
    assert!(page.text.contains("满意（调解员很耐心）"), "{}", page.text);
    let mut desk = Browser::signed_in(&app, "desk").await;
    let theirs = desk.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.text.contains("满意度评价"));
}

#[actix_web::test]
async fn the_dashboard_gives_the_bureau_and_each_station_its_indicators_and_the_csv() {
    let app = spawn_app().await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let mediator = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    // One complaint accepted and settled by an agreement at 西塘, one still waiting.
    let (id, _) = filed(&app).await;
    filed(&app).await;
    let accepted = app
        .post_as(
            &format!("/api/v1/cases/{id}/accept"),
            &mediator,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let agreed = app
        .post_as(
            &format!("/api/v1/cases/{id}/agreement"),
            &mediator,
            &serde_json::json!({
                "terms": [{"what": "退还餐费", "amount_fen": 12800, "due_on": "2026-12-01"}],
                "in_person": false,
                "particulars": {"respondent_agent": "王经理"}
            }),
        )
        .await;
    assert_eq!(agreed.status, 201, "{}", agreed.text);

    let mut admin = Browser::signed_in(&app, "jiashan").await;
    let page = admin.get("/staff/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains(r#"href="/staff/dashboard""#),
        "the bar links it"
    );
    assert!(page.text.contains("2026年1月1日至2026年11月23日"));
    // The bureau's mediation success: 1 of 1, with its parts.
    assert!(
        page.text.contains(concat!(
            "<th scope=\"row\" class=\"table__cell\">投诉调解成功率</th>\n",
            "<td class=\"table__cell table__cell--numeric\">1</td>\n",
            "<td class=\"table__cell table__cell--numeric\">1</td>\n",
            "<td class=\"table__cell table__cell--numeric\">100.0%</td>"
        )),
        "{}",
        page.text
    );
    assert!(page.text.contains("各所情况") && page.text.contains("西塘"));
    assert!(page.text.contains("每月收到的投诉") && page.text.contains("2026年11月"));
    // The row a table gives `label`: its cells after the label, up to the row's end.
    let row = |label: &str| {
        let at = page.text.find(&format!(">{label}</th>")).expect(label);
        let rest = &page.text[at..];
        rest[..rest.find("</tr>").unwrap()]
            .split("</td>")
            .filter_map(|c| c.rsplit('>').next())
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // Both complaints came in November, none before; 西塘 received both and closed one.
    assert_eq!(row("2026年11月"), ["2"]);
    assert_eq!(row("2026年10月"), ["0"]);
    assert_eq!(row("2026年1月"), ["0"]);
    let xitang = page.text[page.text.find("各所情况").unwrap()..]
        .split("<th scope=\"row\"")
        .find(|r| r.contains("西塘"))
        .map(|r| r.split("</tr>").next().unwrap().to_owned())
        .unwrap();
    assert!(
        xitang.contains(
            "table__cell--numeric\">2</td>\n<td class=\"table__cell table__cell--numeric\">1</td>"
        ),
        "{xitang}"
    );
    let csv_link = "/staff/dashboard.csv?from_year=2026&#38;from_month=1&#38;from_day=1&#38;to_year=2026&#38;to_month=11&#38;to_day=23";
    assert!(page.text.contains(csv_link), "{}", page.text);
    let csv = admin.get(&csv_link.replace("&#38;", "&")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text
            .lines()
            .any(|l| l == "mediation_success,1,1,1.0000"),
        "{}",
        csv.text
    );
    assert!(csv.text.lines().any(|l| l == "complaints_received,,,2"));

    let bad = admin
        .get("/staff/dashboard?from_year=2026&from_month=2&from_day=30&to_year=2026&to_month=11&to_day=23")
        .await;
    assert_summary(&bad, "from", "开始日期必须是真实的日期");

    // A mediator reads its station, not each station; a desk has no dashboard.
    let mut m = Browser::signed_in(&app, "xitang").await;
    let theirs = m.get("/staff/dashboard").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.text.contains("各所情况"));
    let mut desk = Browser::signed_in(&app, "desk").await;
    assert_eq!(
        desk.get("/staff/dashboard").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!desk.get("/staff").await.text.contains("/staff/dashboard"));
}

#[actix_web::test]
async fn the_dashboard_lists_open_warnings_to_acknowledge_and_the_weeks_ranking() {
    let app = spawn_app_with(|s| s.mass_complaint_threshold = 3).await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    for i in 0..3 {
        let mut body = complaint();
        body["complainant"]["phone"] = serde_json::json!(format!("1390000000{i}"));
        body["complainant"]["id_number"] =
            serde_json::json!(resident_id(&format!("3304211990010112{i}")));
        assert_eq!(app.post("/api/v1/complaints", &body).await.status, 201);
    }
    let mut admin = Browser::signed_in(&app, "jiashan").await;
    let page = admin.get("/staff/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("群体投诉预警：西塘某餐馆"),
        "{}",
        page.text
    );
    assert!(page.text.contains("本周投诉举报较多的经营者"));
    let start = page
        .text
        .find("/staff/alerts/")
        .expect("an acknowledge form");
    let action: String = page.text[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let done = admin.post(&action, "").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let after = admin.get("/staff/dashboard").await;
    assert!(after.text.contains("已确认预警。"));
    assert!(after.text.contains("没有待确认的预警。"));
    assert_eq!(
        app.count("audit_log WHERE action = 'alert.acknowledge'")
            .await,
        1
    );
}
