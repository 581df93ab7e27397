//! The workbench's mediation steps over HTTP: assigning a mediator, delegating, the respondent's
//! contact, scheduling a session beside the mediator's week (a double booking names the clash),
//! recording it, terminating and recording that the parties were told, the agreement in 元 and
//! the issued 调解书's download. Each form runs the API's step: a bad submission is 422 with the
//! summary and every value kept, a good one 303 to the case with the change visible through the
//! API, and a role or station that may not act is refused with nothing changed.

use awc::http::StatusCode;
use serde_json::{Value, json};
use xiaobao::config::Secret;
use xiaobao::http::Role;
use xiaobao::mediation::signing::Key;

use crate::helpers::*;
use crate::pages::Page;
use crate::pages_staff::{Browser, assert_summary, enc};

/// `key=value&…`, each value URL-encoded.
pub(crate) fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn assert_back_to_case(page: &Page, id: &str) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
    assert_eq!(page.header("location"), format!("/staff/cases/{id}"));
}

/// 西塘 station with two mediators and the bureau's admin; tokens outlive the days a mediation
/// spans here, and the bureau has a key to sign 调解书 with.
struct Station {
    app: TestApp,
    /// The API token of the first mediator, `xitang`.
    mediator: String,
    colleague_id: String,
}

async fn station() -> Station {
    let (entry, _) = Key::generate("jiashan-2026", Some("330421"));
    let app = spawn_app_with(|s| {
        s.signing_keys = vec![Secret::new(entry)];
        s.token_ttl_hours = 24 * 90;
    })
    .await;
    let business = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
    let (mediator, _) = app
        .staff_with_email(
            "xitang",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    let (_, colleague_id) = app
        .staff_with_email(
            "xitang2",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    app.staff("jinze", Role::Mediator, None, Some("S310118104"), None)
        .await;
    app.staff("yaozhuang", Role::Mediator, None, Some("S330421111"), None)
        .await;
    app.staff("desk", Role::EnterpriseAgent, None, None, Some(&business))
        .await;
    Station {
        app,
        mediator,
        colleague_id,
    }
}

impl Station {
    /// A complaint filed through the API and accepted by `xitang` through the page.
    async fn accepted(&self, b: &mut Browser<'_>, body: &Value) -> (String, String, String) {
        let res = self.app.post("/api/v1/complaints", body).await;
        assert_eq!(res.status, 201, "{}", res.text);
        let field = |f: &str| res.body[f].as_str().unwrap().to_owned();
        let id = field("id");
        let ok = b.post(&format!("/staff/cases/{id}/accept"), "").await;
        assert_back_to_case(&ok, &id);
        (id, field("receipt_number"), field("access_secret"))
    }

    async fn case(&self, id: &str) -> Value {
        let res = self
            .app
            .get_as(&format!("/api/v1/cases/{id}"), &self.mediator)
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.body
    }

    async fn sessions(&self, id: &str) -> Vec<Value> {
        let res = self
            .app
            .get_as(&format!("/api/v1/cases/{id}/sessions"), &self.mediator)
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.body.as_array().unwrap().clone()
    }
}

fn events(case: &Value, kind: &str) -> Vec<Value> {
    case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

#[actix_web::test]
async fn a_mediator_is_assigned_from_the_stations_own_and_the_respondents_contact_is_set() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, _, _) = s.accepted(&mut b, &complaint()).await;

    let case_page = b.get(&format!("/staff/cases/{id}")).await;
    for link in [
        "mediator",
        "respondent-contact",
        "sessions/new",
        "agreement",
        "termination",
    ] {
        assert!(
            case_page
                .text
                .contains(&format!(r#"href="/staff/cases/{id}/{link}""#)),
            "{link} offered: {}",
            case_page.text
        );
    }
    assert!(
        !case_page
            .text
            .contains(&format!("/staff/cases/{id}/delegation")),
        "the consumer did not accept delegation"
    );
    assert!(
        !case_page.text.contains("安排调解会</li>"),
        "no longer in words"
    );

    let form_page = b.get(&format!("/staff/cases/{id}/mediator")).await;
    assert_eq!(form_page.status, StatusCode::OK, "{}", form_page.text);
    assert!(form_page.text.contains("xitang2"), "{}", form_page.text);
    assert!(form_page.text.contains("现任调解员"));
    assert!(
        !form_page.text.contains("yaozhuang") && !form_page.text.contains("jinze"),
        "only the case's station's mediators"
    );
    let empty = b.post(&format!("/staff/cases/{id}/mediator"), "").await;
    assert_summary(&empty, "mediator_id", "请选择调解员");
    let elsewhere = b
        .post(
            &format!("/staff/cases/{id}/mediator"),
            "mediator_id=made-up",
        )
        .await;
    assert_summary(&elsewhere, "mediator_id", "请选择列表中本所在岗的调解员");
    assert!(events(&s.case(&id).await, "mediator_assigned").is_empty());

    let done = b
        .post(
            &format!("/staff/cases/{id}/mediator"),
            &format!("mediator_id={}", s.colleague_id),
        )
        .await;
    assert_back_to_case(&done, &id);
    let assigned = events(&s.case(&id).await, "mediator_assigned");
    assert_eq!(assigned.len(), 1);
    assert_eq!(
        assigned[0]["detail"]["mediator_id"],
        s.colleague_id.as_str()
    );
    assert!(
        b.get(&format!("/staff/cases/{id}"))
            .await
            .text
            .contains("已指派调解员")
    );

    let path = format!("/staff/cases/{id}/respondent-contact");
    let bad = b
        .post(
            &path,
            &form(&[
                ("name", "王经理"),
                ("phone", "电话"),
                ("email", "not-an-address"),
            ]),
        )
        .await;
    assert_summary(&bad, "phone", "请输入正确的电话号码，如 0573-84561234");
    assert_summary(&bad, "email", "请输入正确的电子邮箱，如 name@example.com");
    assert!(bad.text.contains(r#"value="王经理""#), "the name is kept");
    assert!(bad.text.contains(r#"value="not-an-address""#));
    let good = b
        .post(
            &path,
            &form(&[
                ("name", "王经理"),
                ("phone", "0573-84561234"),
                ("email", "boss@restaurant.example"),
            ]),
        )
        .await;
    assert_back_to_case(&good, &id);
    let case = s.case(&id).await;
    let contact = case["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "respondent")
        .expect("the respondent's contact");
    assert_eq!(contact["name"], "王经理");
    assert_eq!(contact["email"], "boss@restaurant.example");
    let again = b.get(&path).await;
    assert!(
        again.text.contains(r#"value="王经理""#),
        "the contact is there to change"
    );
    assert!(again.text.contains(r#"value="0573-84561234""#));
}

#[actix_web::test]
async fn delegation_is_offered_only_where_the_consumer_accepted_it() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (refusing, _, _) = s.accepted(&mut b, &complaint()).await;
    let not_offered = b.get(&format!("/staff/cases/{refusing}/delegation")).await;
    assert_eq!(not_offered.status, StatusCode::CONFLICT);

    let mut consenting = complaint();
    consenting["accept_delegated_mediation"] = json!(true);
    let (id, _, _) = s.accepted(&mut b, &consenting).await;
    let page = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        page.text.contains("委托消费者协会调解</a>"),
        "{}",
        page.text
    );
    let path = format!("/staff/cases/{id}/delegation");
    let empty = b.post(&path, "organisation=&mediator_name=").await;
    assert_summary(&empty, "organisation", "请输入受委托的调解组织");
    assert_summary(&empty, "mediator_name", "请输入受委托调解员的姓名");
    let short = b
        .post(
            &path,
            &form(&[("organisation", "消"), ("mediator_name", "陈调解员")]),
        )
        .await;
    assert_summary(&short, "organisation", "调解组织名称至少 2 个字");
    assert!(short.text.contains(r#"value="陈调解员""#));
    let done = b
        .post(
            &path,
            &form(&[
                ("organisation", "嘉善县消费者权益保护委员会"),
                ("mediator_name", "陈调解员"),
            ]),
        )
        .await;
    assert_back_to_case(&done, &id);
    let delegated = events(&s.case(&id).await, "mediation_delegated");
    assert_eq!(delegated.len(), 1);
    assert_eq!(
        delegated[0]["detail"]["organisation"],
        "嘉善县消费者权益保护委员会"
    );
}

fn session_form(date: (&str, &str, &str), starts: &str, ends: &str) -> String {
    form(&[
        ("mode", "in_person"),
        ("date_year", date.0),
        ("date_month", date.1),
        ("date_day", date.2),
        ("starts", starts),
        ("ends", ends),
        ("room", "第一调解室"),
        ("address", "浙江省嘉兴市嘉善县西塘镇南大街100号"),
        ("video_url", ""),
    ])
}

#[actix_web::test]
async fn a_session_is_scheduled_beside_the_mediators_week_and_a_double_booking_names_the_clash() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (first, _, _) = s.accepted(&mut b, &complaint()).await;
    let (second, _, _) = s.accepted(&mut b, &complaint()).await;

    let path = format!("/staff/cases/{first}/sessions/new");
    let week = b.get(&path).await;
    assert_eq!(week.status, StatusCode::OK, "{}", week.text);
    assert!(week.text.contains("调解员：<strong>xitang</strong>"));
    assert!(
        week.text
            .contains("2026年11月23日（星期一）至2026年11月29日（星期日）")
    );
    assert!(week.text.contains("这一周没有已安排的调解会。"));
    assert!(
        week.text
            .contains(&format!(r#"href="{path}?week=2026-11-16">上一周"#))
    );
    assert!(
        week.text
            .contains(&format!(r#"href="{path}?week=2026-11-30">下一周"#))
    );

    let empty = b.post(&path, "mode=").await;
    assert_summary(&empty, "mode", "请选择调解方式");
    assert_summary(&empty, "date", "请输入调解日期");
    assert_summary(&empty, "starts", "请输入开始时间");
    let past = b
        .post(&path, &session_form(("2026", "11", "20"), "09:30", "9:00"))
        .await;
    assert_summary(&past, "date", "调解会须安排在今后的时间，以便提前通知双方");
    assert_summary(&past, "ends", "结束时间必须晚于开始时间");
    assert!(
        past.text.contains(r#"value="第一调解室""#),
        "values are kept"
    );
    assert!(
        past.text.contains("2026年11月16日（星期一）"),
        "the typed date's week"
    );
    assert!(s.sessions(&first).await.is_empty());
    // Someone else taking part: a row with an email but no name nor role is refused at its fields.
    let good = session_form(("2026", "11", "25"), "09:30", "11:30");
    let half = b
        .post(
            &path,
            &format!("{good}&other_1_name=&other_1_role=&other_1_email=wang%40"),
        )
        .await;
    assert_summary(&half, "other_1_name", "请输入参加人的姓名，或清空这一行");
    assert_summary(&half, "other_1_role", "请选择参加人的身份");
    assert_summary(
        &half,
        "other_1_email",
        "请输入有效的电子邮箱，例如 name@example.com；没有可以不填",
    );
    assert!(
        half.text.contains(r#"value="wang@""#),
        "the typed email is kept"
    );
    assert!(s.sessions(&first).await.is_empty());

    let others = "&other_1_name=%E7%8E%8B%E5%BE%8B%E5%B8%88&other_1_role=agent\
                  &other_1_email=wang%40example.com&other_2_name=&other_2_role=&other_2_email=";
    let done = b.post(&path, &format!("{good}{others}")).await;
    assert_back_to_case(&done, &first);
    let booked = s.sessions(&first).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(
        booked[0]["participants"],
        json!([{"name": "王律师", "role": "agent", "email": "wang@example.com"}])
    );
    assert!(
        b.get(&format!("/staff/cases/{first}"))
            .await
            .text
            .contains("其他参加人：王律师（代理人）")
    );
    assert_eq!(booked[0]["starts_at"], "2026-11-25T01:30:00Z");
    assert_eq!(booked[0]["room"], "第一调解室");
    assert_eq!(s.case(&first).await["status"], "in_mediation");
    let taken = b.get(&format!("{path}?week=2026-11-23")).await;
    assert!(
        taken
            .text
            .contains("<th scope=\"row\" class=\"table__cell\">2026年11月25日（星期三）</th>"),
        "{}",
        taken.text
    );
    assert!(taken.text.contains("09:30—11:30") && taken.text.contains("本案"));
    let later = b.get(&format!("{path}?week=2026-11-30")).await;
    assert!(later.text.contains("这一周没有已安排的调解会。"));

    // The same mediator, another case, an overlapping hour.
    let other = format!("/staff/cases/{second}/sessions/new");
    let clash = b
        .post(
            &other,
            &session_form(("2026", "11", "25"), "10:00", "11:00"),
        )
        .await;
    assert_summary(
        &clash,
        "starts",
        "调解员在 2026-11-25 09:30 至 2026-11-25 11:30 已有调解会，请另选时间",
    );
    assert!(clash.text.contains("其他案件"), "the week shows the clash");
    assert!(s.sessions(&second).await.is_empty());

    // Once the session has begun, it is recorded from the case page.
    s.app.clock.set(at("2026-11-25T04:00:00Z"));
    let case_page = b.get(&format!("/staff/cases/{first}")).await;
    let record = format!(
        "/staff/cases/{first}/sessions/{}/record",
        booked[0]["id"].as_i64().unwrap()
    );
    assert!(case_page.text.contains(&record), "{}", case_page.text);
    let record_page = b.get(&record).await;
    assert!(
        record_page.text.contains("投诉人：张三"),
        "{}",
        record_page.text
    );
    assert!(record_page.text.contains("被投诉方：西塘某餐馆"));
    let no_minutes = b.post(&record, "present=0&minutes=").await;
    assert_summary(&no_minutes, "minutes", "请填写调解笔录");
    assert!(
        no_minutes
            .text
            .contains(r#"name="present" type="checkbox" value="0" checked>"#),
        "the ticks are kept"
    );
    let recorded = b
        .post(
            &record,
            &form(&[("present", "0"), ("minutes", "双方陈述意见，未达成一致。")]),
        )
        .await;
    assert_back_to_case(&recorded, &first);
    let held = &s.sessions(&first).await[0];
    assert_eq!(held["status"], "held");
    assert_eq!(held["attendance"][0]["present"], true);
    assert_eq!(held["attendance"][1]["present"], false);
    assert_eq!(held["minutes"], "双方陈述意见，未达成一致。");
    assert_eq!(
        b.get(&record).await.status,
        StatusCode::CONFLICT,
        "recorded once"
    );
}

#[actix_web::test]
async fn terminating_needs_a_ground_of_the_rule_set_and_a_party_without_mail_is_told_otherwise() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, _, _) = s.accepted(&mut b, &complaint()).await;
    let path = format!("/staff/cases/{id}/termination");
    let page = b.get(&path).await;
    assert!(page.text.contains(r#"value="party_declares_no_agreement""#));
    let empty = b.post(&path, "ground=&text=&recovered=").await;
    assert_summary(&empty, "ground", "请选择终止调解的理由");
    let needs_words = b
        .post(
            &path,
            &form(&[
                ("ground", "other_legal_ground"),
                ("text", ""),
                ("recovered", "1.234"),
            ]),
        )
        .await;
    assert_summary(&needs_words, "text", "这一理由须写明具体情况，双方会看到");
    assert_summary(
        &needs_words,
        "recovered",
        "请输入金额（元），最多两位小数，如 128.50",
    );
    assert!(needs_words.text.contains(r#"value="1.234""#));
    assert_eq!(s.case(&id).await["status"], "accepted");

    let done = b
        .post(
            &path,
            &form(&[
                ("ground", "party_declares_no_agreement"),
                ("text", "被投诉人拒绝退款"),
                ("recovered", ""),
            ]),
        )
        .await;
    assert_back_to_case(&done, &id);
    let case = s.case(&id).await;
    assert_eq!(case["status"], "closed");
    assert_eq!(events(&case, "terminated").len(), 1);

    // No party had a mail address: the page asks for the record of telling them.
    let case_page = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        case_page.text.contains("有一方没有电子邮箱"),
        "{}",
        case_page.text
    );
    let told = format!("/staff/cases/{id}/termination/told");
    assert!(case_page.text.contains(&format!(r#"href="{told}""#)));
    assert!(
        !case_page.text.contains(&format!(r#"href="{path}""#)),
        "terminated once"
    );
    let no_channel = b.post(&told, &form(&[("note", "电话告知投诉人")])).await;
    assert_summary(&no_channel, "channel", "请选择告知的方式");
    assert!(no_channel.text.contains("电话告知投诉人"));
    let recorded = b
        .post(
            &told,
            &form(&[("channel", "phone"), ("note", "电话告知投诉人")]),
        )
        .await;
    assert_back_to_case(&recorded, &id);
    let notice = s.case(&id).await["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "termination_notice")
        .cloned()
        .unwrap();
    assert_eq!(notice["status"], "met");
    assert!(
        !b.get(&format!("/staff/cases/{id}"))
            .await
            .text
            .contains(&told)
    );
}

fn agreement_form(terms: &[(&str, &str, (&str, &str, &str))], flags: &[&str]) -> String {
    let mut fields = vec![("rows".to_owned(), terms.len().to_string())];
    for (i, (what, amount, due)) in terms.iter().enumerate() {
        let n = i + 1;
        fields.push((format!("what_{n}"), (*what).to_owned()));
        fields.push((format!("amount_{n}"), (*amount).to_owned()));
        fields.push((format!("due_{n}_year"), due.0.to_owned()));
        fields.push((format!("due_{n}_month"), due.1.to_owned()));
        fields.push((format!("due_{n}_day"), due.2.to_owned()));
    }
    for f in flags {
        fields.push(("flags".to_owned(), (*f).to_owned()));
    }
    fields.push(("recovered".to_owned(), String::new()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form(&pairs)
}

#[actix_web::test]
async fn an_agreement_of_several_terms_in_yuan_closes_the_case_when_no_document_is_needed() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, _, _) = s.accepted(&mut b, &complaint()).await;
    let path = format!("/staff/cases/{id}/agreement");
    let page = b.get(&path).await;
    assert!(page.text.contains(r#"name="what_2""#) && !page.text.contains(r#"name="what_3""#));
    let more = b
        .post(
            &path,
            &format!(
                "{}&more=1",
                agreement_form(
                    &[("退还餐费", "", ("", "", "")), ("", "", ("", "", ""))],
                    &[]
                )
            ),
        )
        .await;
    assert_eq!(more.status, StatusCode::OK);
    assert!(more.text.contains(r#"name="what_3""#), "one more row");
    assert!(
        more.text.contains("退还餐费</textarea>"),
        "what was typed is kept"
    );

    let bad = b
        .post(
            &path,
            &agreement_form(
                &[
                    ("被投诉人退还餐费", "12.345", ("2026", "12", "1")),
                    ("被投诉人赔偿损失", "50", ("2026", "11", "20")),
                ],
                &["document_waived"],
            ),
        )
        .await;
    assert_summary(
        &bad,
        "amount_1",
        "请输入金额（元），最多两位小数，如 128.50",
    );
    assert_summary(&bad, "due_2", "履行期限不能早于今天");
    assert!(bad.text.contains(r#"value="12.345""#));
    assert!(bad.text.contains(r#"value="document_waived" checked>"#));
    assert_eq!(
        s.app
            .get_as(&format!("/api/v1/cases/{id}/agreement"), &s.mediator)
            .await
            .status,
        404
    );

    let done = b
        .post(
            &path,
            &agreement_form(
                &[
                    ("被投诉人退还餐费", "128.50", ("2026", "12", "1")),
                    ("被投诉人赔偿损失", "1,000", ("2026", "12", "15")),
                ],
                &[],
            ),
        )
        .await;
    assert_back_to_case(&done, &id);
    let a = s
        .app
        .get_as(&format!("/api/v1/cases/{id}/agreement"), &s.mediator)
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let terms = a.body["terms"].as_array().unwrap();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[0]["amount_fen"], 12850);
    assert_eq!(terms[1]["amount_fen"], 100000);
    assert_eq!(terms[1]["due_on"], "2026-12-15");
    assert_eq!(a.body["amount_recovered_fen"], 112850);
    assert_eq!(s.case(&id).await["status"], "closed");
    let closed = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        closed.text.contains("已记录，无需制作调解书"),
        "{}",
        closed.text
    );
    assert!(closed.text.contains("1128.50 元"));
    assert!(
        !closed.text.contains(&format!("{path}\"")),
        "no second agreement"
    );
}

#[actix_web::test]
async fn an_in_person_agreement_is_confirmed_by_both_and_its_issued_document_downloads() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, receipt, secret) = s.accepted(&mut b, &complaint()).await;
    let done = b
        .post(
            &format!("/staff/cases/{id}/agreement"),
            &agreement_form(
                &[("被投诉人退还餐费", "128", ("2026", "12", "1"))],
                &["in_person"],
            ),
        )
        .await;
    assert_back_to_case(&done, &id);
    let waiting = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        waiting.text.contains("调解书草稿已发给双方确认"),
        "{}",
        waiting.text
    );
    let document = format!("/staff/cases/{id}/agreement/document");
    assert!(
        waiting
            .text
            .contains(&format!(r#"href="{document}">查看调解书"#))
    );
    let draft = b.get(&document).await;
    assert!(
        draft.text.contains("一、被投诉人退还餐费"),
        "{}",
        draft.text
    );
    assert!(
        !draft.text.contains("代表经营者确认调解书"),
        "the station does not confirm"
    );
    assert!(!waiting.text.contains("下载调解书"), "not yet issued");
    assert_eq!(
        b.get(&format!("/staff/cases/{id}/agreement/pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let consumer = s
        .app
        .request(
            "POST",
            &format!("/api/v1/track/{receipt}/agreement/confirm"),
            &[("x-access-secret", secret.as_str())],
            None,
        )
        .await;
    assert_eq!(consumer.status, 200, "{}", consumer.text);
    // The business's desk reads the draft and confirms it from the workbench.
    let document = format!("/staff/cases/{id}/agreement/document");
    let mut desk = Browser::signed_in(&s.app, "desk").await;
    let draft = desk.get(&document).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text);
    assert!(draft.text.contains("调解书草稿") && draft.text.contains("被投诉人退还餐费"));
    assert!(
        draft.text.contains("代表经营者确认调解书"),
        "{}",
        draft.text
    );
    let confirmed = desk
        .post(&format!("/staff/cases/{id}/agreement/confirm"), "")
        .await;
    assert_back_to_case(&confirmed, &id);
    assert_eq!(
        desk.post(&format!("/staff/cases/{id}/agreement/confirm"), "")
            .await
            .status,
        StatusCode::CONFLICT,
        "once"
    );

    let text = b.get(&document).await;
    assert!(text.text.contains("调解书编号"), "{}", text.text);
    let issued = b.get(&format!("/staff/cases/{id}")).await;
    assert!(issued.text.contains("调解书已签发") && !issued.text.contains("尚未确认"));
    assert!(issued.text.contains("调解书编号"), "{}", issued.text);
    let link = format!(r#"href="/staff/cases/{id}/agreement/pdf" download>下载调解书（PDF）"#);
    assert!(issued.text.contains(&link), "{}", issued.text);
    let before = s
        .app
        .count("audit_log WHERE action = 'agreement.read_pdf'")
        .await;
    let pdf = b.get(&format!("/staff/cases/{id}/agreement/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.header("content-disposition").starts_with("attachment"));
    assert!(pdf.text.starts_with("%PDF"));
    assert_eq!(
        s.app
            .count("audit_log WHERE action = 'agreement.read_pdf'")
            .await,
        before + 1,
        "the download is audited as the API's is"
    );
}

#[actix_web::test]
async fn a_role_or_station_that_may_not_act_is_refused_and_nothing_changes() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, _, _) = s.accepted(&mut b, &complaint()).await;

    let mut desk = Browser::signed_in(&s.app, "desk").await;
    let desk_view = desk.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(desk_view.status, StatusCode::OK, "{}", desk_view.text);
    assert!(!desk_view.text.contains("安排调解会") && !desk_view.text.contains("终止调解"));
    for step in ["mediator", "sessions/new", "termination", "agreement"] {
        let page = desk.get(&format!("/staff/cases/{id}/{step}")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{step}");
    }
    let forced = desk
        .post(
            &format!("/staff/cases/{id}/sessions/new"),
            &session_form(("2026", "11", "25"), "09:30", "11:30"),
        )
        .await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN);

    let mut elsewhere = Browser::signed_in(&s.app, "jinze").await;
    let hidden = elsewhere
        .post(
            &format!("/staff/cases/{id}/termination"),
            "ground=party_declares_no_agreement&text=&recovered=",
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(hidden.text.contains("找不到此页面"));
    let assign = elsewhere
        .post(
            &format!("/staff/cases/{id}/mediator"),
            &format!("mediator_id={}", s.colleague_id),
        )
        .await;
    assert_eq!(assign.status, StatusCode::NOT_FOUND);

    assert!(s.sessions(&id).await.is_empty());
    let case = s.case(&id).await;
    assert_eq!(case["status"], "accepted");
    assert!(events(&case, "mediator_assigned").is_empty());
}

fn deadline(case: &Value, kind: &str) -> Value {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} deadline in {case}"))
}

#[actix_web::test]
async fn a_recusal_suspends_the_case_until_the_bureau_decides_and_testing_stops_the_clock() {
    let s = station().await;
    s.app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, _, _) = s.accepted(&mut b, &complaint()).await;

    let page = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        page.text
            .contains(&format!(r#"href="/staff/cases/{id}/recusal">记录回避申请"#))
    );
    assert!(!page.text.contains("决定回避申请"), "the bureau decides");
    let path = format!("/staff/cases/{id}/recusal");
    let empty = b.post(&path, "choice=&text=").await;
    assert_summary(&empty, "choice", "请选择申请回避的一方");
    assert_summary(&empty, "text", "请写明申请回避的理由");
    let done = b
        .post(
            &path,
            &form(&[("choice", "respondent"), ("text", "调解员与投诉人是亲属")]),
        )
        .await;
    assert_back_to_case(&done, &id);
    assert_eq!(
        deadline(&s.case(&id).await, "mediation")["status"],
        "paused"
    );
    let suspended = b.get(&format!("/staff/cases/{id}")).await;
    assert!(suspended.text.contains("回避申请待决定，案件中止。"));
    assert!(
        !suspended.text.contains("安排调解会</a>"),
        "{}",
        suspended.text
    );
    let forced = b
        .post(
            &format!("/staff/cases/{id}/sessions/new"),
            &session_form(("2026", "11", "25"), "09:30", "11:30"),
        )
        .await;
    assert_eq!(
        forced.status,
        StatusCode::CONFLICT,
        "the step refuses it too"
    );
    let decision = format!("/staff/cases/{id}/recusal/decision");
    assert_eq!(b.get(&decision).await.status, StatusCode::FORBIDDEN);

    let mut bureau = Browser::signed_in(&s.app, "jiashan").await;
    let page = bureau.get(&format!("/staff/cases/{id}")).await;
    assert!(
        page.text
            .contains(&format!(r#"href="{decision}">决定回避申请"#))
    );
    let form_page = bureau.get(&decision).await;
    assert!(form_page.text.contains("xitang2") && !form_page.text.contains(">xitang</label>"));
    let missing = bureau.post(&decision, "choice=granted&second=").await;
    assert_summary(&missing, "second", "准许回避时请选择新的调解员");
    assert!(missing.text.contains(r#"value="granted" checked"#));
    let decided = bureau
        .post(
            &decision,
            &format!("choice=granted&second={}", s.colleague_id),
        )
        .await;
    assert_back_to_case(&decided, &id);
    let case = s.case(&id).await;
    assert_eq!(deadline(&case, "mediation")["status"], "open");
    let event = &events(&case, "recusal_decided")[0];
    assert_eq!(event["detail"]["mediator_id"], s.colleague_id.as_str());

    // The station starts and ends a testing pause from the case page.
    let page = b.get(&format!("/staff/cases/{id}")).await;
    let start = format!("/staff/cases/{id}/pauses/new");
    assert!(
        page.text
            .contains(&format!(r#"href="{start}">开始检验鉴定暂停"#))
    );
    let long = "送".repeat(1001);
    let too_long = b.post(&start, &form(&[("text", &long)])).await;
    assert_summary(&too_long, "text", "说明最多 1000 字");
    let started = b.post(&start, &form(&[("text", "菜品送检")])).await;
    assert_back_to_case(&started, &id);
    assert_eq!(
        deadline(&s.case(&id).await, "mediation")["status"],
        "paused"
    );
    let page = b.get(&format!("/staff/cases/{id}")).await;
    let end_link = page
        .text
        .split(&format!(r#"href="/staff/cases/{id}/pauses/"#))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/staff/cases/{id}/pauses/{rest}"))
        .expect("the link to end the pause");
    assert!(end_link.ends_with("/end"), "{end_link}");
    assert!(
        !page.text.contains(&format!(r#"href="{start}""#)),
        "one pause at a time"
    );
    assert_eq!(b.get(&end_link).await.status, StatusCode::OK);
    let ended = b.post(&end_link, "").await;
    assert_back_to_case(&ended, &id);
    let case = s.case(&id).await;
    assert_eq!(deadline(&case, "mediation")["status"], "open");
    assert_eq!(
        events(&case, "clock_resumed").len(),
        2,
        "the recusal's and the testing's"
    );
}

#[actix_web::test]
async fn the_bureau_extends_a_report_verification_once() {
    let s = station().await;
    s.app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let admin = s
        .app
        .staff("jiashan2", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let res = s
        .app
        .post(
            "/api/v1/reports",
            &json!({
                "channel": "web", "category": "general_goods",
                "respondent": {"name": "某超市", "address": "浙江省嘉兴市嘉善县西塘镇南大街9号"},
                "clue": {"what": "销售过期商品，标签被篡改"}
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    let view = format!("/api/v1/cases/{id}");
    let before = deadline(
        &s.app.get_as(&view, &admin).await.body,
        "report_verification",
    )["due_date"]
        .clone();

    let mut b = Browser::signed_in(&s.app, "jiashan").await;
    let path = format!("/staff/cases/{id}/deadlines/report_verification/extend");
    let page = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        page.text
            .contains(&format!(r#"href="{path}">延长举报核查期限"#)),
        "{}",
        page.text
    );
    let empty = b.post(&path, "text=").await;
    assert_summary(&empty, "text", "请写明延长的理由");
    let done = b.post(&path, &form(&[("text", "需要调取监控录像")])).await;
    assert_back_to_case(&done, &id);
    let after = deadline(
        &s.app.get_as(&view, &admin).await.body,
        "report_verification",
    )["due_date"]
        .clone();
    assert_ne!(before, after, "the deadline moved");
    let again = b.post(&path, &form(&[("text", "还需要更多时间")])).await;
    assert_summary(&again, "text", "这一期限已经延长过一次，不能再延长");
    assert_eq!(
        deadline(
            &s.app.get_as(&view, &admin).await.body,
            "report_verification"
        )["due_date"],
        after
    );

    // A mediator of the station may not.
    let mut m = Browser::signed_in(&s.app, "xitang").await;
    let page = m.get(&format!("/staff/cases/{id}")).await;
    assert!(!page.text.contains("延长举报核查期限"));
}

#[actix_web::test]
async fn a_closed_agreement_offers_the_return_visit_which_is_recorded_once_from_the_case_page() {
    let s = station().await;
    let mut b = Browser::signed_in(&s.app, "xitang").await;
    let (id, _, _) = s.accepted(&mut b, &complaint()).await;
    let agreed = b
        .post(
            &format!("/staff/cases/{id}/agreement"),
            &agreement_form(&[("被投诉人退还餐费", "128", ("2026", "12", "1"))], &[]),
        )
        .await;
    assert_back_to_case(&agreed, &id);
    let path = format!("/staff/cases/{id}/return-visit");
    let case = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        case.text.contains(&format!(r#"href="{path}""#)),
        "{}",
        case.text
    );
    assert!(case.text.contains("待回访，请在2026年12月7日前完成"));
    // The business's desk sees neither the visit nor the step.
    let mut desk = Browser::signed_in(&s.app, "desk").await;
    let seen = desk.get(&format!("/staff/cases/{id}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.text.contains("回访"), "{}", seen.text);
    assert_eq!(desk.get(&path).await.status, StatusCode::FORBIDDEN);
    let list = desk.get("/staff").await;
    assert!(list.text.contains("TS2026"), "{}", list.text);
    assert!(!list.text.contains("回访"), "{}", list.text);

    // The form starts at today; a bad submission keeps what was typed.
    let page = b.get(&path).await;
    assert!(
        page.text
            .contains(r#"name="visited_on_year" type="text" inputmode="numeric" value="2026""#)
    );
    let bad = b
        .post(
            &path,
            &form(&[
                ("visited_on_year", "2026"),
                ("visited_on_month", "11"),
                ("visited_on_day", "30"),
                ("result", "餐费已退"),
            ]),
        )
        .await;
    assert_summary(&bad, "visited_on", "回访日期不能晚于今天");
    assert_summary(&bad, "channel", "请选择回访的方式");
    assert_summary(
        &bad,
        "satisfaction",
        "请选择消费者的满意程度，或选择“未表态”",
    );
    assert!(bad.text.contains("餐费已退</textarea>"));

    let done = b
        .post(
            &path,
            &form(&[
                ("visited_on_year", "2026"),
                ("visited_on_month", "11"),
                ("visited_on_day", "23"),
                ("channel", "phone"),
                ("result", "餐费已退，消费者表示认可"),
                ("satisfaction", "satisfied"),
            ]),
        )
        .await;
    assert_back_to_case(&done, &id);
    let v = s
        .app
        .get_as(&format!("/api/v1/cases/{id}/return-visit"), &s.mediator)
        .await;
    assert_eq!(v.body["recorded"], true, "{}", v.text);
    assert_eq!(v.body["channel"], "phone");
    assert_eq!(v.body["satisfaction"], "satisfied");
    let case = b.get(&format!("/staff/cases/{id}")).await;
    assert!(
        case.text.contains("2026年11月23日，电话回访"),
        "{}",
        case.text
    );
    assert!(case.text.contains("餐费已退，消费者表示认可"));
    assert!(
        !case.text.contains(&format!(r#"href="{path}""#)),
        "no second visit"
    );
}
