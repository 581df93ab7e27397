//! Staff accounts in the workbench: a bureau admin creates an account (the temporary password on
//! the answer only, not cached), changes its role and station, resets its password and disables
//! it; each through the API's step, the errors at the fields. Other roles are refused.

use awc::http::StatusCode;
use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages::Page;
use crate::pages_staff::{Browser, assert_summary};
use crate::pages_staff_actions::form;

/// The temporary password a page shows.
fn password(page: &Page) -> String {
    let start = page
        .text
        .find(r#"<strong class="copyable">"#)
        .expect("a password")
        + 25;
    let len = page.text[start..].find('<').unwrap();
    page.text[start..start + len].to_owned()
}

async fn logs_in(app: &TestApp, username: &str, password: &str) -> bool {
    app.post(
        "/api/v1/auth/login",
        &json!({"username": username, "password": password}),
    )
    .await
    .status
        == 200
}

#[actix_web::test]
async fn an_admin_creates_changes_resets_and_disables_an_account() {
    let app = spawn_app().await;
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let list = b.get("/staff/accounts").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(list.text.contains("xitang") && list.text.contains("调解员"));

    let empty = b.post("/staff/accounts/new", "role=").await;
    assert_summary(&empty, "display_name", "请输入姓名");
    assert_summary(&empty, "username", "请输入用户名");
    assert_summary(&empty, "role", "请选择角色");
    let fields = [
        ("display_name", "王新"),
        ("username", "wang.xin"),
        ("role", "mediator"),
        ("station_id", ""),
        ("email", "not-an-address"),
    ];
    let no_station = b.post("/staff/accounts/new", &form(&fields)).await;
    assert_summary(&no_station, "station_id", "调解员须属于一个监管所，请选择");
    assert!(no_station.text.contains(r#"value="wang.xin""#), "kept");
    let mut fields = fields;
    fields[3] = ("station_id", "S330421103");
    let bad_mail = b.post("/staff/accounts/new", &form(&fields)).await;
    assert_summary(
        &bad_mail,
        "email",
        "请输入正确的电子邮箱地址，例如 name@example.com",
    );
    fields[4] = ("email", "wang.xin@example.com");
    let made = b.post("/staff/accounts/new", &form(&fields)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    assert_eq!(made.header("cache-control"), "no-store");
    let first = password(&made);
    assert_eq!(first.chars().count(), 12);
    assert!(logs_in(&app, "wang.xin", &first).await);
    let taken = b.post("/staff/accounts/new", &form(&fields)).await;
    assert_summary(&taken, "username", "这个用户名已有人使用");

    let users = app.get_as("/api/v1/users", &admin).await;
    let id = users
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wang.xin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = format!("/staff/accounts/{id}");
    let page = b.get(&account).await;
    assert!(
        page.text.contains("停用账号") && page.text.contains("西塘"),
        "{}",
        page.text
    );
    let with_station = b
        .post(
            &format!("{account}/role"),
            &form(&[
                ("role", "enforcement_officer"),
                ("station_id", "S330421103"),
            ]),
        )
        .await;
    assert_summary(
        &with_station,
        "station_id",
        "只有调解员属于监管所，请选择“不属于监管所”",
    );
    let officer = b
        .post(
            &format!("{account}/role"),
            &form(&[("role", "enforcement_officer"), ("station_id", "")]),
        )
        .await;
    assert_eq!(officer.status, StatusCode::SEE_OTHER, "{}", officer.text);
    let after = app.get_as("/api/v1/users", &admin).await;
    let changed = after
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(changed["role"], "enforcement_officer");

    let reset = b.post(&format!("{account}/reset"), "").await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    let second = password(&reset);
    assert_ne!(first, second);
    assert!(!logs_in(&app, "wang.xin", &first).await && logs_in(&app, "wang.xin", &second).await);

    let off = b.post(&format!("{account}/active"), "active=no").await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.text);
    assert!(b.get("/staff/accounts").await.text.contains("已停用"));
    assert!(!logs_in(&app, "wang.xin", &second).await);
    assert!(b.get(&account).await.text.contains("启用账号"));

    // One's own account offers neither; a mediator has no accounts to keep.
    let me = after
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "jiashan")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !b.get(&format!("/staff/accounts/{me}"))
            .await
            .text
            .contains("停用账号")
    );
    let mut m = Browser::signed_in(&app, "xitang").await;
    assert_eq!(m.get("/staff/accounts").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        m.post(&format!("{account}/reset"), "").await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn the_case_audit_trail_says_who_read_the_parties_personal_data() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    let mediator = app
        .staff_with_email(
            "xitang",
            Role::Mediator,
            Some("330421"),
            Some("S330421103"),
            None,
            None,
        )
        .await
        .0;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    let id = filed.body["id"].as_str().unwrap().to_owned();
    app.post_as(&format!("/api/v1/cases/{id}/accept"), &mediator, &json!({}))
        .await;
    app.get_as(&format!("/api/v1/cases/{id}"), &mediator).await;

    let mut b = Browser::signed_in(&app, "jiashan").await;
    let case = b.get(&format!("/staff/cases/{id}")).await;
    let trail = format!("/staff/cases/{id}/audit");
    assert!(
        case.text.contains(&format!(r#"href="{trail}""#)),
        "{}",
        case.text
    );
    let page = b.get(&trail).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("受理"), "{}", page.text);
    assert!(page.text.contains("查看了当事人的个人信息"));
    assert!(page.text.contains("（调解员）") && page.text.contains("（市场监管局管理员）"));

    // Not another county's admin, not a mediator.
    let mut other = Browser::signed_in(&app, "wujin").await;
    assert_eq!(other.get(&trail).await.status, StatusCode::NOT_FOUND);
    let mut m = Browser::signed_in(&app, "xitang").await;
    assert_eq!(m.get(&trail).await.status, StatusCode::FORBIDDEN);
    assert!(
        !m.get(&format!("/staff/cases/{id}"))
            .await
            .text
            .contains(&trail)
    );
}

#[actix_web::test]
async fn an_admin_sets_up_a_station_with_its_towns_and_the_document_prefix() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let page = b.get("/staff/stations").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("西塘镇"), "{}", page.text);

    let new = b.get("/staff/stations/new").await;
    assert!(
        !new.text.contains(r#"value="330421103""#),
        "西塘镇 is covered"
    );
    assert!(new.text.contains("已由其他监管所负责：") && new.text.contains("西塘镇（"));
    let marker = "type=\"checkbox\" value=\"";
    let start = new.text.find(marker).expect("a free town") + marker.len();
    let len = new.text[start..].find('"').unwrap();
    let free = new.text[start..start + len].to_owned();
    assert_eq!(free.len(), 9, "a town's code: {free}");
    let empty = b.post("/staff/stations/new", "id=&name=").await;
    assert_summary(
        &empty,
        "id",
        "请输入监管所编号：字母和数字，最多 20 位，例如 S330421120",
    );
    assert_summary(&empty, "name", "请输入监管所名称，最多 100 字");
    let made = b
        .post(
            "/staff/stations/new",
            &form(&[
                ("id", "S330421999"),
                ("name", "新城市场监督管理所"),
                ("towns", &free),
            ]),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let station = app.get("/api/v1/stations/S330421999").await;
    assert_eq!(
        station.body["towns"][0]["code"],
        free.as_str(),
        "{}",
        station.text
    );
    let again = b
        .post(
            "/staff/stations/new",
            &form(&[("id", "S330421999"), ("name", "重复"), ("towns", &free)]),
        )
        .await;
    assert_summary(&again, "id", "已有这个编号的监管所");

    // A town another station covers is refused at the field.
    let towns = "/staff/stations/S330421999/towns";
    let page = b.get(towns).await;
    assert!(
        page.text.contains(&format!(r#"value="{free}" checked"#)),
        "{}",
        page.text
    );
    assert!(
        page.text.contains(r#"value="新城市场监督管理所""#),
        "{}",
        page.text
    );
    let taken = b
        .post(
            towns,
            &form(&[
                ("name", "新城市场监督管理所"),
                ("towns", &free),
                ("towns", "330421103"),
            ]),
        )
        .await;
    assert_summary(
        &taken,
        "towns",
        "西塘镇已由另一个监管所（S330421103）负责，请先从该所移除",
    );
    let unnamed = b
        .post(towns, &form(&[("name", " "), ("towns", &free)]))
        .await;
    assert_summary(&unnamed, "name", "请输入监管所名称，最多 100 字");
    assert!(unnamed.text.contains(&format!(r#"value="{free}" checked"#)));
    // A new name and no towns, in one step.
    let renamed = b
        .post(towns, &form(&[("name", "新城中心市场监督管理所")]))
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.text);
    let station = app.get("/api/v1/stations/S330421999").await;
    assert_eq!(station.body["towns"].as_array().unwrap().len(), 0);
    assert_eq!(station.body["name"], "新城中心市场监督管理所");
    assert!(
        b.get("/staff/stations")
            .await
            .text
            .contains("新城中心市场监督管理所")
    );

    let bad = b
        .post("/staff/bureau/prefix", &form(&[("prefix", "嘉〔调")]))
        .await;
    assert_summary(
        &bad,
        "prefix",
        "前缀不能有空格，也不能有 〔〕第号（编号会自动加上）",
    );
    let good = b
        .post("/staff/bureau/prefix", &form(&[("prefix", "嘉善调")]))
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    assert!(
        b.get("/staff/stations")
            .await
            .text
            .contains(r#"value="嘉善调""#)
    );

    let mut m = Browser::signed_in(&app, "xitang").await;
    assert_eq!(m.get("/staff/stations").await.status, StatusCode::FORBIDDEN);
    assert_eq!(m.get(towns).await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn the_system_admin_revokes_a_signing_key_with_a_reason() {
    let (entry, _) = xiaobao::mediation::signing::Key::generate("jiashan-2026", Some("330421"));
    let app = spawn_app_with(|s| s.signing_keys = vec![xiaobao::config::Secret::new(entry)]).await;
    app.staff("root", Role::SystemAdmin, None, None, None).await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let mut b = Browser::signed_in(&app, "root").await;
    let page = b.get("/staff/signing-keys").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("jiashan-2026") && page.text.contains("正在使用"));
    let revoke = "/staff/signing-keys/jiashan-2026/revoke";
    assert!(page.text.contains(&format!(r#"href="{revoke}""#)));
    let empty = b.post(revoke, "reason=").await;
    assert_summary(&empty, "reason", "请写明吊销的理由");
    let done = b.post(revoke, &form(&[("reason", "私钥可能已泄露")])).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let page = b.get("/staff/signing-keys").await;
    assert!(
        page.text.contains("吊销：私钥可能已泄露")
            && !page.text.contains(&format!(r#"href="{revoke}""#))
    );
    let keys = app.get("/api/v1/signing-keys").await;
    assert!(keys.text.contains("私钥可能已泄露"), "{}", keys.text);
    assert_eq!(
        b.post(revoke, &form(&[("reason", "再次")])).await.status,
        StatusCode::CONFLICT
    );

    let mut admin = Browser::signed_in(&app, "jiashan").await;
    assert_eq!(
        admin.get("/staff/signing-keys").await.status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_pilot_bureau_admin_keeps_the_no_reason_return_brands_in_the_workbench() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
        .await;
    app.staff(
        "xitang",
        Role::Mediator,
        Some("330421"),
        Some("S330421103"),
        None,
    )
    .await;
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let list = b.get("/staff/brands").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(
        list.text.contains("还没有登记的品牌") && list.text.contains(r#"href="/staff/brands/new""#)
    );

    let empty = b.post("/staff/brands/new", "name=&uscc=&promise=").await;
    assert_summary(&empty, "name", "请输入品牌名称，与门店名称中的一致");
    assert_summary(&empty, "promise", "请写明品牌承诺的内容，调解员会引用");
    let promise = "示范区内任一门店购买的商品，7日内可在任一门店无理由退换";
    let bad = b
        .post(
            "/staff/brands/new",
            &form(&[("name", "江南布衣"), ("uscc", "9133"), ("promise", promise)]),
        )
        .await;
    assert_summary(
        &bad,
        "uscc",
        "统一社会信用代码应为 18 位，例如 91330421MA2B3C4D5E；不知道可以不填",
    );
    assert!(
        bad.text.contains(r#"value="江南布衣""#),
        "the typed name is kept"
    );
    let code = uscc("91330421MA2B3C4D5");
    let made = b
        .post(
            "/staff/brands/new",
            &form(&[("name", "江南布衣"), ("uscc", &code), ("promise", promise)]),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let api = app.get("/api/v1/zone/return-brands").await;
    assert_eq!(api.body[0]["name"], "江南布衣", "{}", api.text);
    assert_eq!(api.body[0]["uscc"], code.as_str());
    let id = api.body[0]["id"].as_str().unwrap().to_owned();
    let twice = b
        .post(
            "/staff/brands/new",
            &form(&[("name", "江南布衣"), ("promise", promise)]),
        )
        .await;
    assert_summary(&twice, "name", "“江南布衣”已经登记，请更改已有的登记");

    let change = format!("/staff/brands/{id}");
    assert!(b.get(&change).await.text.contains(promise));
    let changed = b
        .post(
            &change,
            &form(&[
                ("name", "江南布衣"),
                ("uscc", ""),
                ("promise", "15日内任一门店可退换"),
            ]),
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    let api = app.get("/api/v1/zone/return-brands").await;
    assert_eq!(api.body[0]["promise"], "15日内任一门店可退换");
    assert!(api.body[0]["uscc"].is_null(), "{}", api.text);

    // Others read the registry without its forms, and may not post to them.
    let mut m = Browser::signed_in(&app, "xitang").await;
    let read = m.get("/staff/brands").await;
    assert!(read.text.contains("15日内任一门店可退换"), "{}", read.text);
    assert!(!read.text.contains(&format!(r#"href="{change}""#)));
    let mut w = Browser::signed_in(&app, "wujin").await;
    assert_eq!(
        w.get("/staff/brands/new").await.status,
        StatusCode::FORBIDDEN
    );
    let foreign = w.post(&format!("{change}/remove"), "").await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);

    let removed = b.post(&format!("{change}/remove"), "").await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.text);
    let api = app.get("/api/v1/zone/return-brands").await;
    assert_eq!(api.body.as_array().unwrap().len(), 0);
    assert_eq!(b.get(&change).await.status, StatusCode::NOT_FOUND);
}
