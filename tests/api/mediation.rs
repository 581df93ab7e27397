//! Mediation at the station: acceptance, mediators, sessions, outcomes, the 调解书 and its mail.

use base64::Engine;
use chrono::Duration;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use xiaobao::config::Secret;
use xiaobao::entities::business;
use xiaobao::http::Role;
use xiaobao::mail::Mailer;
use xiaobao::mediation::signing::Key;

use crate::helpers::*;
use testkit::smtp::{Received, SmtpSink};

const CONSUMER: &str = "zhang@example.com";
const DESK: &str = "desk@restaurant.example";
const BOSS: &str = "boss@restaurant.example";

/// 西塘 station with two mediators, the 嘉善 bureau's admin, the restaurant registered with a desk
/// account, a signing key for the bureau, and an SMTP server to deliver to.
struct Station {
    app: TestApp,
    sink: SmtpSink,
    mailer: Mailer,
    mediator: String,
    mediator_id: String,
    colleague: String,
    colleague_id: String,
    bureau: String,
    desk: String,
}

struct Filed {
    id: String,
    receipt: String,
    secret: String,
}

async fn station() -> Station {
    let (entry, _) = Key::generate("jiashan-2026", Some("330421"));
    let app = spawn_app_with(|s| {
        s.signing_keys = vec![Secret::new(entry)];
        // Tokens outlive the weeks a mediation spans in these tests.
        s.token_ttl_hours = 24 * 90;
    })
    .await;
    let business = business::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        name: Set("西塘某餐馆".into()),
        uscc: Set(Some(uscc("91330421MA2B3C4D5"))),
        legal_representative: Set(Some("李四".into())),
        address: Set(Some("浙江省嘉兴市嘉善县西塘镇南大街8号".into())),
        division_code: Set(Some("330421103".into())),
        created_at: Set(app.clock.now()),
        platform_role: Set(None),
        platform_business_id: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let (mediator, mediator_id) = app
        .staff_with_email(
            "xitang1",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            Some("wang@xitang.example"),
        )
        .await;
    let (colleague, colleague_id) = app
        .staff_with_email(
            "xitang2",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    let bureau = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let (desk, _) = app
        .staff_with_email(
            "desk",
            Role::EnterpriseAgent,
            None,
            None,
            Some(&business.id),
            Some(DESK),
        )
        .await;
    let sink = SmtpSink::start().await;
    let mailer = Mailer::new(&sink.url(), "xiaobao <noreply@xiaobao.local>", 5).unwrap();
    Station {
        app,
        sink,
        mailer,
        mediator,
        mediator_id,
        colleague,
        colleague_id,
        bureau,
        desk,
    }
}

fn complaint_with_email() -> Value {
    let mut body = complaint();
    body["complainant"]["email"] = json!(CONSUMER);
    body
}

impl Station {
    async fn file(&self, body: &Value) -> Filed {
        let res = self.app.post("/api/v1/complaints", body).await;
        assert_eq!(res.status, 201, "{}", res.text);
        Filed {
            id: res.body["id"].as_str().unwrap().to_owned(),
            receipt: res.body["receipt_number"].as_str().unwrap().to_owned(),
            secret: res.body["access_secret"].as_str().unwrap().to_owned(),
        }
    }

    /// Filed, accepted by the first mediator, with the respondent's contact set.
    async fn accepted(&self) -> Filed {
        self.accepted_with(&complaint_with_email()).await
    }

    async fn accepted_with(&self, body: &Value) -> Filed {
        let f = self.file(body).await;
        let res = self
            .app
            .post_as(
                &format!("/api/v1/cases/{}/accept", f.id),
                &self.mediator,
                &json!({}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let res = self
            .app
            .put_as(
                &format!("/api/v1/cases/{}/respondent-contact", f.id),
                &self.mediator,
                &json!({"name": "王经理", "phone": "0573-84561234", "email": BOSS}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        f
    }

    async fn case(&self, id: &str) -> Value {
        let res = self
            .app
            .get_as(&format!("/api/v1/cases/{id}"), &self.bureau)
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.body
    }

    /// Sends everything due and returns every message the server has received so far.
    async fn deliver(&self) -> Vec<Received> {
        loop {
            let round = self
                .mailer
                .deliver_due(&self.app.db, self.app.clock.now())
                .await
                .unwrap();
            if round.sent == 0 {
                break;
            }
        }
        self.sink.messages()
    }

    async fn session(&self, case_id: &str, body: &Value) -> crate::helpers::Response {
        self.app
            .post_as(
                &format!("/api/v1/cases/{case_id}/sessions"),
                &self.mediator,
                body,
            )
            .await
    }
}

fn deadline<'a>(case: &'a Value, kind: &str) -> &'a Value {
    case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} deadline in {case}"))
}

fn events(tracking: &Value) -> Vec<String> {
    tracking["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect()
}

/// The messages to `addr` whose subject contains `subject`.
fn mail_to<'a>(msgs: &'a [Received], addr: &str, subject: &str) -> Vec<&'a Received> {
    msgs.iter()
        .filter(|m| m.to.iter().any(|t| t == addr) && m.subject().contains(subject))
        .collect()
}

/// The decoded body of the MIME part with this content type.
fn attachment(msg: &Received, content_type: &str) -> Option<Vec<u8>> {
    let lower = msg.data.to_ascii_lowercase();
    let start = lower.find(&format!("content-type: {content_type}"))?;
    let part = &msg.data[start..];
    let body_start = part.find("\r\n\r\n")? + 4;
    let headers = part[..body_start].to_ascii_lowercase();
    let body = &part[body_start..];
    let body = &body[..body.find("\r\n--").unwrap_or(body.len())];
    if headers.contains("base64") {
        let joined: String = body.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(joined)
            .ok()
    } else if headers.contains("quoted-printable") {
        let mut out = Vec::new();
        let raw = body.replace("=\r\n", "");
        let bytes = raw.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                out.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).ok()?);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        Some(out)
    } else {
        Some(body.as_bytes().to_vec())
    }
}

fn in_person(starts: &str, ends: &str) -> Value {
    json!({
        "mode": "in_person",
        "starts_at": starts,
        "ends_at": ends,
        "room": "第一调解室",
        "address": "浙江省嘉兴市嘉善县西塘镇南大街100号",
        "participants": [{"name": "赵律师", "role": "agent", "email": "zhao@law.example"}]
    })
}

fn agreement_body(in_person: bool) -> Value {
    json!({
        "terms": [
            {"what": "被投诉人退还餐费", "amount_fen": 12800, "due_on": "2026-12-01"},
            {"what": "被投诉人赔偿损失", "amount_fen": 12800, "due_on": "2026-12-01"}
        ],
        "in_person": in_person,
        "particulars": {"respondent_agent": "王经理"}
    })
}

#[actix_web::test]
async fn accepting_a_complaint_opens_the_mediation_window_and_mails_the_complainant() {
    let s = station().await;
    let f = s.file(&complaint_with_email()).await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["status"], "accepted");
    assert_eq!(res.body["case"]["mediator_id"], s.mediator_id.as_str());
    // Order 121: 60 calendar days from Monday 2026-11-23 is Friday 2027-01-22 (2027 not loaded yet).
    assert_eq!(res.body["deadline"]["kind"], "mediation");
    assert_eq!(res.body["deadline"]["due_date"], "2027-01-22");
    assert_eq!(res.body["deadline"]["provisional"], true);

    let case = s.case(&f.id).await;
    assert_eq!(deadline(&case, "acceptance")["status"], "met");
    assert_eq!(deadline(&case, "mediation")["status"], "open");
    let tracking = s.app.track(&f.receipt, &f.secret).await;
    assert_eq!(tracking.body["status"], "accepted");
    assert!(events(&tracking.body).contains(&"accepted".to_owned()));
    assert_eq!(
        s.app
            .count(&format!(
                "audit_log WHERE action = 'case.accept' AND case_id = '{}'",
                f.id
            ))
            .await,
        1
    );

    let msgs = s.deliver().await;
    let mail = mail_to(&msgs, CONSUMER, "投诉已受理");
    assert_eq!(mail.len(), 1, "{msgs:?}");
    assert!(mail[0].subject().contains(&f.receipt));
    assert!(
        mail[0].text().contains("2027年1月22日"),
        "{}",
        mail[0].text()
    );
    // Accepting twice is a conflict, not a second acceptance.
    let again = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    assert_problem(&again, 409, "invalid_transition");
}

#[actix_web::test]
async fn an_order_20_case_gets_45_working_days_of_mediation() {
    let s = station().await;
    s.app.clock.set(at("2026-03-02T02:00:00Z"));
    let mut body = complaint_with_email();
    body["dispute"]["occurred_on"] = json!("2026-03-01");
    let f = s.file(&body).await;
    s.app.clock.set(at("2026-03-04T02:00:00Z"));
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            &s.bureau,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // A bureau admin's acceptance leaves the mediator to be assigned.
    assert_eq!(res.body["case"]["mediator_id"], Value::Null);
    let expected = s
        .app
        .get("/api/v1/calendar/add-working-days?from=2026-03-04&days=45")
        .await;
    assert_eq!(res.body["deadline"]["due_date"], expected.body["date"]);
    assert_eq!(res.body["deadline"]["explanation"]["rule_set"], "order-20");
    assert_eq!(res.body["deadline"]["explanation"]["unit"], "working_days");
}

#[actix_web::test]
async fn only_staff_of_the_cases_station_or_bureau_decide_on_it() {
    let s = station().await;
    let f = s.file(&complaint_with_email()).await;
    let elsewhere = s
        .app
        .staff("yaozhuang", Role::Mediator, None, Some("S330421111"), None)
        .await;
    // Another station does not even see the case; the desk's role may not accept.
    for (token, status, code) in [(&elsewhere, 404, "not_found"), (&s.desk, 403, "forbidden")] {
        let res = s
            .app
            .post_as(&format!("/api/v1/cases/{}/accept", f.id), token, &json!({}))
            .await;
        assert_problem(&res, status, code);
    }
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            &s.bureau,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn refusal_needs_a_ground_of_the_cases_rule_set_and_reasons_in_words() {
    let s = station().await;
    // Order 20 knows no false_materials ground.
    s.app.clock.set(at("2026-03-02T02:00:00Z"));
    let mut old = complaint_with_email();
    old["dispute"]["occurred_on"] = json!("2026-03-01");
    let f20 = s.file(&old).await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/refuse", f20.id),
            &s.mediator,
            &json!({"reason": "false_materials", "text": ""}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["reason", "text"]);

    s.app.clock.set(monday());
    let f = s.file(&complaint_with_email()).await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/refuse", f.id),
            &s.mediator,
            &json!({"reason": "false_materials", "text": "所附购物凭证系伪造。"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["status"], "refused");
    assert_eq!(res.body["case"]["outcome"], "refused");
    assert_eq!(res.body["case"]["outcome_reason"], "false_materials");
    let case = s.case(&f.id).await;
    assert_eq!(deadline(&case, "acceptance")["status"], "met");
    let tracking = s.app.track(&f.receipt, &f.secret).await;
    let refused = tracking.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "refused")
        .unwrap();
    assert!(
        refused["description"]
            .as_str()
            .unwrap()
            .contains("提供虚假材料")
    );

    let msgs = s.deliver().await;
    let mail = mail_to(&msgs, CONSUMER, "不予受理");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].text().contains("提供虚假材料"));
    assert!(mail[0].text().contains("所附购物凭证系伪造"));

    let grounds = s.app.get("/api/v1/rule-sets/order-20/grounds").await;
    let codes: Vec<&str> = grounds.body["refusal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "outside_duties",
            "already_handled_elsewhere",
            "not_personal_consumption",
            "no_dispute",
            "time_barred",
            "incomplete_materials",
            "other_legal_ground"
        ]
    );
}

#[actix_web::test]
async fn a_consumer_withdraws_before_closure_and_the_running_clocks_close() {
    let s = station().await;
    let f = s.accepted().await;
    let res = s
        .session(
            &f.id,
            &in_person("2026-11-25T09:30:00+08:00", "2026-11-25T11:00:00+08:00"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let path = format!("/api/v1/track/{}/withdraw", f.receipt);
    let wrong = s
        .app
        .request(
            "POST",
            &path,
            &[
                ("content-type", "application/json"),
                ("x-access-secret", "nope"),
            ],
            Some("{}".into()),
        )
        .await;
    assert_problem(&wrong, 404, "not_found");
    let headers = [
        ("content-type", "application/json"),
        ("x-access-secret", f.secret.as_str()),
    ];
    let body = Some(json!({"reason": "已与商家自行协商解决"}).to_string());
    let res = s.app.request("POST", &path, &headers, body.clone()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["status"], "withdrawn");
    assert_eq!(res.body["case"]["outcome"], "withdrawn");
    assert!(res.body["case"]["closed_at"].is_string());
    let case = s.case(&f.id).await;
    assert_eq!(deadline(&case, "mediation")["status"], "closed");
    let sessions = s
        .app
        .get_as(&format!("/api/v1/cases/{}/sessions", f.id), &s.mediator)
        .await;
    assert_eq!(sessions.body[0]["status"], "cancelled");
    let again = s.app.request("POST", &path, &headers, body).await;
    assert_problem(&again, 409, "invalid_transition");

    let msgs = s.deliver().await;
    assert_eq!(mail_to(&msgs, CONSUMER, "投诉已撤回").len(), 1);
    assert_eq!(mail_to(&msgs, BOSS, "投诉已撤回").len(), 1);
    assert_eq!(mail_to(&msgs, DESK, "投诉已撤回").len(), 1);
}

#[actix_web::test]
async fn a_mediator_is_assigned_from_the_cases_own_station() {
    let s = station().await;
    let f = s.accepted().await;
    let (_, elsewhere_id) = s
        .app
        .staff_with_email(
            "yaozhuang",
            Role::Mediator,
            None,
            Some("S330421111"),
            None,
            None,
        )
        .await;
    let res = s
        .app
        .put_as(
            &format!("/api/v1/cases/{}/mediator", f.id),
            &s.bureau,
            &json!({"mediator_id": elsewhere_id}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["mediator_id"]);
    let res = s
        .app
        .put_as(
            &format!("/api/v1/cases/{}/mediator", f.id),
            &s.bureau,
            &json!({"mediator_id": s.colleague_id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["mediator_id"], s.colleague_id.as_str());
    assert_eq!(
        s.case(&f.id).await["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "mediator_assigned")
            .count(),
        1
    );
}

#[actix_web::test]
async fn a_recusal_application_suspends_the_case_until_the_bureau_decides() {
    let s = station().await;
    let f = s.accepted().await;
    let res = s
        .session(
            &f.id,
            &in_person("2026-12-02T09:30:00+08:00", "2026-12-02T11:00:00+08:00"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let before = deadline(&s.case(&f.id).await, "mediation")["due_date"].clone();

    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/recusals", f.id),
            &s.mediator,
            &json!({"applicant": "respondent", "reason": "调解员与投诉人系亲属。"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["reason"], "recusal");
    let pause_id = res.body["id"].as_i64().unwrap();
    assert_eq!(
        deadline(&s.case(&f.id).await, "mediation")["status"],
        "paused"
    );

    // Suspended: no other step, and the clock stop ends only with the decision.
    let res = s
        .session(
            &f.id,
            &in_person("2026-12-03T09:30:00+08:00", "2026-12-03T11:00:00+08:00"),
        )
        .await;
    assert_problem(&res, 409, "case_suspended");
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/pauses/{pause_id}/end", f.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    assert_problem(&res, 409, "recusal_undecided");
    let decide = format!("/api/v1/cases/{}/recusals/decision", f.id);
    let res = s
        .app
        .post_as(
            &decide,
            &s.mediator,
            &json!({"decision": "granted", "new_mediator_id": s.colleague_id}),
        )
        .await;
    assert_problem(&res, 403, "forbidden");
    let res = s
        .app
        .post_as(&decide, &s.bureau, &json!({"decision": "granted"}))
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["new_mediator_id"]);

    // Decided three working days later (Thu 26 → Mon 30 Nov, pause from Mon 23).
    s.app.clock.set(at("2026-11-26T02:00:00Z"));
    let res = s
        .app
        .post_as(
            &decide,
            &s.bureau,
            &json!({"decision": "granted", "new_mediator_id": s.colleague_id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["mediator_id"], s.colleague_id.as_str());
    let case = s.case(&f.id).await;
    let mediation = deadline(&case, "mediation");
    assert_eq!(mediation["status"], "open");
    assert_ne!(mediation["due_date"], before);
    assert_eq!(mediation["explanation"]["pauses"][0]["reason"], "recusal");
    assert_eq!(mediation["explanation"]["pauses"][0]["working_days"], 3);
    // The recused mediator's session is cancelled, and everyone invited is told.
    let sessions = s
        .app
        .get_as(&format!("/api/v1/cases/{}/sessions", f.id), &s.colleague)
        .await;
    assert_eq!(sessions.body[0]["status"], "cancelled");
    let msgs = s.deliver().await;
    assert_eq!(mail_to(&msgs, CONSUMER, "案件中止").len(), 1);
    assert_eq!(mail_to(&msgs, BOSS, "回避申请决定").len(), 1);
    let cancelled = mail_to(&msgs, "zhao@law.example", "调解会取消");
    assert_eq!(cancelled.len(), 1);
    let ics = String::from_utf8(attachment(cancelled[0], "text/calendar").unwrap()).unwrap();
    assert!(
        ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"),
        "{ics}"
    );

    // A second application, rejected: the mediator stays and the case goes on.
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/recusals", f.id),
            &s.colleague,
            &json!({"applicant": "complainant", "reason": "担心调解员不公正。"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = s
        .app
        .post_as(&decide, &s.bureau, &json!({"decision": "rejected"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["mediator_id"], s.colleague_id.as_str());
    let res = s
        .app
        .post_as(&decide, &s.bureau, &json!({"decision": "rejected"}))
        .await;
    assert_problem(&res, 409, "no_recusal_pending");
}

#[actix_web::test]
async fn mediation_is_delegated_only_when_the_consumer_accepted_it() {
    let s = station().await;
    let f = s.accepted().await;
    let body = json!({"organisation": "嘉善县消费者权益保护委员会", "mediator_name": "陈调解员"});
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/delegation", f.id),
            &s.mediator,
            &body,
        )
        .await;
    assert_problem(&res, 409, "delegation_not_accepted");

    let mut consenting = complaint_with_email();
    consenting["accept_delegated_mediation"] = json!(true);
    let g = s.file(&consenting).await;
    s.app
        .post_as(
            &format!("/api/v1/cases/{}/accept", g.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/delegation", g.id),
            &s.mediator,
            &body,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["case"]["delegate_organisation"],
        "嘉善县消费者权益保护委员会"
    );
    assert_eq!(res.body["case"]["delegate_mediator"], "陈调解员");
    let tracking = s.app.track(&g.receipt, &g.secret).await;
    assert!(events(&tracking.body).contains(&"mediation_delegated".to_owned()));
    let msgs = s.deliver().await;
    let mail = mail_to(&msgs, CONSUMER, "委托调解");
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0]
            .text()
            .contains("以浙江省嘉兴市嘉善县市场监督管理局名义"),
        "{}",
        mail[0].text()
    );
}

#[actix_web::test]
async fn a_testing_period_stops_the_mediation_clock() {
    let s = station().await;
    let f = s.accepted().await;
    let before = deadline(&s.case(&f.id).await, "mediation")["due_date"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/pauses", f.id),
            &s.mediator,
            &json!({"reason": "testing", "note": "送检餐品异物"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let pause_id = res.body["id"].as_i64().unwrap();
    // Back a week later: five working days.
    s.app.clock.set(at("2026-11-30T02:00:00Z"));
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/pauses/{pause_id}/end", f.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let case = s.case(&f.id).await;
    let mediation = deadline(&case, "mediation");
    assert_eq!(mediation["explanation"]["pauses"][0]["reason"], "testing");
    assert_eq!(mediation["explanation"]["pauses"][0]["working_days"], 5);
    assert!(mediation["due_date"].as_str().unwrap() > before.as_str());
    // A recusal is not filed through the generic clock stop.
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/pauses", f.id),
            &s.mediator,
            &json!({"reason": "recusal"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
}

#[actix_web::test]
async fn a_session_notice_reaches_every_party_with_an_icalendar_invitation() {
    let s = station().await;
    let f = s.accepted().await;
    let res = s
        .session(
            &f.id,
            &json!({"mode": "online", "starts_at": "2026-11-20T09:00:00+08:00", "ends_at": "2026-11-20T08:00:00+08:00"}),
        )
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["ends_at", "starts_at", "video_url"]);

    let body = in_person("2026-11-25T09:30:00+08:00", "2026-11-25T11:00:00+08:00");
    let auth = format!("Bearer {}", s.mediator);
    let headers = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
        ("idempotency-key", "session-1"),
    ];
    let path = format!("/api/v1/cases/{}/sessions", f.id);
    let res = s
        .app
        .request("POST", &path, &headers, Some(body.to_string()))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let session_id = res.body["id"].as_i64().unwrap();
    // A retry with the same key books nothing more.
    let again = s
        .app
        .request("POST", &path, &headers, Some(body.to_string()))
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], session_id);
    assert_eq!(s.app.count("mediation_sessions").await, 1);
    let tracking = s.app.track(&f.receipt, &f.secret).await;
    assert_eq!(tracking.body["status"], "in_mediation");

    let msgs = s.deliver().await;
    for addr in [CONSUMER, BOSS, DESK, "zhao@law.example"] {
        let notice = mail_to(&msgs, addr, "调解会通知");
        assert_eq!(notice.len(), 1, "{addr}");
        let m = notice[0];
        assert_eq!(m.to, [addr], "one mail per address");
        assert!(m.subject().contains("2026-11-25 09:30"));
        let text = m.text();
        assert!(text.contains("2026-11-25 09:30—11:00"), "{text}");
        assert!(text.contains("第一调解室") && text.contains("西塘镇南大街100号"));
        assert!(text.contains("调解员：xitang1"));
        let ics = String::from_utf8(attachment(m, "text/calendar").expect("an .ics")).unwrap();
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("BEGIN:VEVENT"));
        assert!(unfolded.contains(&format!("UID:session-{session_id}@xiaobao")));
        assert!(unfolded.contains("DTSTART:20261125T013000Z"));
        assert!(unfolded.contains("DTEND:20261125T030000Z"));
        assert!(unfolded.contains("SUMMARY:调解会"));
        assert!(unfolded.contains("LOCATION:西塘市场监督管理所 第一调解室"));
    }
}

#[actix_web::test]
async fn a_mediator_is_never_double_booked_even_by_concurrent_requests() {
    let s = station().await;
    let a = s.accepted().await;
    let b = s.accepted().await;
    let nine = in_person("2026-11-25T09:00:00+08:00", "2026-11-25T10:00:00+08:00");
    let res = s.session(&a.id, &nine).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let overlapping = in_person("2026-11-25T09:30:00+08:00", "2026-11-25T10:30:00+08:00");
    assert_problem(
        &s.session(&b.id, &overlapping).await,
        409,
        "mediator_double_booked",
    );
    // Back to back is fine.
    let ten = in_person("2026-11-25T10:00:00+08:00", "2026-11-25T11:00:00+08:00");
    assert_eq!(s.session(&b.id, &ten).await.status, 201);

    // Six bookings of the same free hour at once, across both cases: exactly one wins.
    let two = in_person("2026-11-26T14:00:00+08:00", "2026-11-26T15:00:00+08:00");
    let tries: Vec<_> = (0..6)
        .map(|i| s.session(if i % 2 == 0 { &a.id } else { &b.id }, &two))
        .collect();
    let results = futures_util::future::join_all(tries).await;
    let won = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        won,
        1,
        "{:?}",
        results.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    for r in results.iter().filter(|r| r.status != 201) {
        assert_problem(r, 409, "mediator_double_booked");
    }
    assert_eq!(s.app.count("mediation_sessions").await, 3);
}

#[actix_web::test]
async fn a_session_is_recorded_once_it_has_begun() {
    let s = station().await;
    let f = s.accepted().await;
    let res = s
        .session(
            &f.id,
            &in_person("2026-11-25T09:30:00+08:00", "2026-11-25T11:00:00+08:00"),
        )
        .await;
    let path = format!(
        "/api/v1/cases/{}/sessions/{}/record",
        f.id,
        res.body["id"].as_i64().unwrap()
    );
    let body = json!({
        "attendance": [
            {"name": "张三", "role": "complainant", "present": true},
            {"name": "王经理", "role": "respondent", "present": false}
        ],
        "minutes": "被投诉人未到场。"
    });
    assert_problem(
        &s.app.post_as(&path, &s.mediator, &body).await,
        409,
        "session_not_started",
    );
    s.app.clock.set(at("2026-11-25T03:00:00Z"));
    let res = s.app.post_as(&path, &s.mediator, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "held");
    assert_eq!(res.body["attendance"][1]["present"], false);
    assert_eq!(res.body["minutes"], "被投诉人未到场。");
    assert_problem(
        &s.app.post_as(&path, &s.mediator, &body).await,
        409,
        "session_not_scheduled",
    );
    // The desk sees the session but not the minutes.
    let desk = s
        .app
        .get_as(&format!("/api/v1/cases/{}/sessions", f.id), &s.desk)
        .await;
    assert_eq!(desk.body[0]["status"], "held");
    assert_eq!(desk.body[0]["minutes"], Value::Null);
}

#[actix_web::test]
async fn termination_tells_both_parties_at_once_and_meets_the_notice_deadline() {
    let s = station().await;
    let f = s.accepted().await;
    let path = format!("/api/v1/cases/{}/termination", f.id);
    let res = s
        .app
        .post_as(&path, &s.mediator, &json!({"ground": "other_legal_ground"}))
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["text"]);
    let res = s
        .app
        .post_as(
            &path,
            &s.mediator,
            &json!({"ground": "party_declares_no_agreement", "text": "被投诉人明确表示不同意赔偿。", "amount_recovered_fen": 0}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case"]["status"], "closed");
    assert_eq!(res.body["case"]["outcome"], "terminated");
    assert_eq!(
        res.body["case"]["outcome_reason"],
        "party_declares_no_agreement"
    );
    assert_eq!(res.body["case"]["amount_in_dispute_fen"], 12800);
    assert_eq!(res.body["deadline"]["kind"], "termination_notice");
    assert_eq!(res.body["deadline"]["status"], "met");
    let case = s.case(&f.id).await;
    assert_eq!(deadline(&case, "mediation")["status"], "met");
    let msgs = s.deliver().await;
    for addr in [CONSUMER, BOSS, DESK] {
        let mail = mail_to(&msgs, addr, "终止调解告知");
        assert_eq!(mail.len(), 1, "{addr}");
        assert!(
            mail[0]
                .text()
                .contains("经组织调解，一方明确表示无法达成调解协议")
        );
    }
    let res = s
        .app
        .post_as(
            &path,
            &s.mediator,
            &json!({"ground": "party_declares_no_agreement"}),
        )
        .await;
    assert_problem(&res, 409, "invalid_transition");
}

#[actix_web::test]
async fn a_party_without_a_mail_address_keeps_the_notice_deadline_open_until_told_otherwise() {
    let s = station().await;
    // No complainant address; the respondent still hears by mail.
    let f = s.file(&complaint()).await;
    s.app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/termination", f.id),
            &s.mediator,
            &json!({"ground": "abuse_or_fraudulent_claim"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["deadline"]["status"], "open");
    let told = format!("/api/v1/cases/{}/termination/told", f.id);
    let res = s
        .app
        .post_as(
            &told,
            &s.mediator,
            &json!({"channel": "phone", "note": "电话告知投诉人"}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    assert_eq!(
        deadline(&s.case(&f.id).await, "termination_notice")["status"],
        "met"
    );
    assert_problem(
        &s.app
            .post_as(&told, &s.mediator, &json!({"channel": "post"}))
            .await,
        409,
        "already_told",
    );
}

#[actix_web::test]
async fn an_agreement_that_needs_no_document_closes_the_case_at_once() {
    let s = station().await;
    let f = s.accepted().await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement", f.id),
            &s.mediator,
            &agreement_body(false),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "recorded");
    assert_eq!(res.body["needs_document"], false);
    assert_eq!(res.body["amount_recovered_fen"], 25600);
    let case = s.case(&f.id).await;
    assert_eq!(case["status"], "closed");
    let tracking = s.app.track(&f.receipt, &f.secret).await;
    assert_eq!(tracking.body["status"], "closed");
    let msgs = s.deliver().await;
    for addr in [CONSUMER, BOSS] {
        let mail = mail_to(&msgs, addr, "调解协议");
        assert_eq!(mail.len(), 1, "{addr}");
        assert!(mail[0].text().contains("被投诉人退还餐费：人民币128.00元"));
    }
    // Carried out on the spot, an in-person agreement needs no document either.
    let g = s.accepted().await;
    let mut spot = agreement_body(true);
    spot["on_the_spot"] = json!(true);
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement", g.id),
            &s.mediator,
            &spot,
        )
        .await;
    assert_eq!(res.body["needs_document"], false);
}

/// The code mailed to the business in the confirmation request.
fn code_in(msgs: &[Received], addr: &str) -> String {
    let mail = mail_to(msgs, addr, "请确认调解书");
    let text = mail.last().expect("a confirmation request").text();
    let start = text.find("\"code\": \"").expect("a code") + 9;
    text[start..start + 64].to_owned()
}

#[actix_web::test]
async fn the_full_run_ends_in_an_issued_mailed_and_verifiable_mediation_agreement() {
    let s = station().await;
    let res = s
        .app
        .put_as(
            "/api/v1/bureaus/330421/document-prefix",
            &s.bureau,
            &json!({"prefix": "嘉市监善调"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["example"], "嘉市监善调〔2026〕第0001号");

    // Intake and routing to the 西塘 station.
    let intake = s
        .app
        .post("/api/v1/complaints", &complaint_with_email())
        .await;
    assert_eq!(intake.status, 201, "{}", intake.text);
    assert_eq!(intake.body["routing"]["station_id"], "S330421103");
    let f = Filed {
        id: intake.body["id"].as_str().unwrap().to_owned(),
        receipt: intake.body["receipt_number"].as_str().unwrap().to_owned(),
        secret: intake.body["access_secret"].as_str().unwrap().to_owned(),
    };
    // Accepted the next day.
    s.app.clock.set(at("2026-11-24T01:00:00Z"));
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            &s.mediator,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    s.app
        .put_as(
            &format!("/api/v1/cases/{}/respondent-contact", f.id),
            &s.mediator,
            &json!({"name": "王经理", "email": BOSS}),
        )
        .await;

    // Two sessions: online, then in person.
    let online = json!({"mode": "online", "starts_at": "2026-11-26T14:00:00+08:00", "ends_at": "2026-11-26T15:00:00+08:00", "video_url": "https://meeting.example/r/xitang-1"});
    let first = s.session(&f.id, &online).await;
    assert_eq!(first.status, 201, "{}", first.text);
    s.app.clock.set(at("2026-11-26T07:30:00Z"));
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/sessions/{}/record", f.id, first.body["id"]),
            &s.mediator,
            &json!({"attendance": [{"name": "张三", "role": "complainant", "present": true}, {"name": "王经理", "role": "respondent", "present": true}], "minutes": "双方陈述意见，约定现场再谈。"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let second = s
        .session(
            &f.id,
            &in_person("2026-11-30T09:30:00+08:00", "2026-11-30T11:00:00+08:00"),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    s.app.clock.set(at("2026-11-30T02:45:00Z"));
    s.app
        .post_as(
            &format!("/api/v1/cases/{}/sessions/{}/record", f.id, second.body["id"]),
            &s.mediator,
            &json!({"attendance": [{"name": "张三", "role": "complainant", "present": true}, {"name": "王经理", "role": "respondent", "present": true}], "minutes": "双方达成协议。"}),
        )
        .await;

    // Agreement in person: a 调解书 is needed.
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement", f.id),
            &s.mediator,
            &agreement_body(true),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "awaiting_confirmation");
    assert_eq!(
        res.body["particulars"]["respondent_legal_representative"],
        "李四"
    );
    let msgs = s.deliver().await;
    let draft = mail_to(&msgs, CONSUMER, "请确认调解书");
    assert_eq!(draft.len(), 1);
    assert!(
        draft[0]
            .text()
            .contains("被投诉人退还餐费，金额人民币128.00元"),
        "{}",
        draft[0].text()
    );
    assert!(!code_in(&msgs, BOSS).is_empty());

    // Both confirm: the consumer with the receipt, the business by its desk account.
    s.app.clock.set(at("2026-11-30T06:00:00Z"));
    let confirm = format!("/api/v1/track/{}/agreement/confirm", f.receipt);
    let res = s
        .app
        .request(
            "POST",
            &confirm,
            &[("x-access-secret", f.secret.as_str())],
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "awaiting_confirmation");
    assert!(res.body["consumer_confirmed_at"].is_string());
    let again = s
        .app
        .request(
            "POST",
            &confirm,
            &[("x-access-secret", f.secret.as_str())],
            None,
        )
        .await;
    assert_problem(&again, 409, "already_confirmed");
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement/confirm", f.id),
            &s.desk,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "issued");
    let number = res.body["document"]["number"].as_str().unwrap().to_owned();
    assert_eq!(number, "嘉市监善调〔2026〕第0001号");
    assert_eq!(res.body["document"]["key_id"], "jiashan-2026");
    let sha = res.body["document"]["sha256"].as_str().unwrap().to_owned();

    // Closed within the statutory limits.
    let case = s.case(&f.id).await;
    assert_eq!(case["status"], "closed");
    assert_eq!(deadline(&case, "acceptance")["status"], "met");
    assert_eq!(deadline(&case, "mediation")["status"], "met");
    let tracking = s.app.track(&f.receipt, &f.secret).await;
    assert_eq!(tracking.body["status"], "closed");
    let timeline = events(&tracking.body);
    for e in [
        "received",
        "accepted",
        "session_scheduled",
        "session_held",
        "agreement_reached",
        "agreement_confirmed",
        "agreement_issued",
    ] {
        assert!(
            timeline.contains(&e.to_owned()),
            "{e} missing from {timeline:?}"
        );
    }

    // The PDF goes to both parties, and it is the one registered.
    let msgs = s.deliver().await;
    let mut pdf = Vec::new();
    for addr in [CONSUMER, BOSS, DESK] {
        let mail = mail_to(&msgs, addr, "调解书送达");
        assert_eq!(mail.len(), 1, "{addr}");
        assert!(mail[0].subject().contains(&number));
        pdf = attachment(mail[0], "application/pdf").expect("the PDF");
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(
            xiaobao::mediation::agreement::hex(&Sha256::digest(&pdf)),
            sha
        );
    }
    // Every content item is real, extractable text (lines joined: long ones wrap).
    let text = pdftotext(&pdf).replace('\n', "");
    for item in [
        "调解书",
        number.as_str(),
        "投诉人：张三",
        "联系电话：13800000000",
        "住址：上海市青浦区朱家角镇北大街1号",
        "被投诉人：西塘某餐馆",
        &format!("统一社会信用代码：{}", uscc("91330421MA2B3C4D5")),
        "法定代表人（负责人）：李四",
        "经营场所：浙江省嘉兴市嘉善县西塘镇南大街8号",
        "委托代理人：王经理",
        "菜品中发现异物",
        "投诉请求：退还货款、服务费用、赔偿损失。",
        "被投诉人退还餐费，金额人民币128.00元，于2026年12月1日前履行完毕",
        "第三十九条",
        "投诉人：张三，已于2026-11-30 14:00在线确认",
        "经企业账号确认",
        "调解员：xitang1（西塘市场监督管理所）",
        "浙江省嘉兴市嘉善县市场监督管理局（印）",
        "2026年11月30日",
        "jiashan-2026",
    ] {
        assert!(text.contains(item), "{item:?} not in:\n{text}");
    }

    // Anyone verifies it: by hash, by file; a changed file fails.
    let encoded = xiaobao::mediation::document::urlencode(&number);
    let res = s
        .app
        .get(&format!("/api/v1/agreements/{encoded}/verify?sha256={sha}"))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["valid"], true);
    assert_eq!(res.body["number"], number.as_str());
    assert_eq!(res.body["bureau_code"], "330421");
    assert_eq!(res.body["issued_on"], "2026-11-30");
    assert_eq!(res.body["key_id"], "jiashan-2026");
    let res = s
        .app
        .post_bytes(
            &format!("/api/v1/agreements/{encoded}/verify"),
            "application/pdf",
            pdf.clone(),
        )
        .await;
    assert_eq!(res.body["valid"], true, "{}", res.text);
    let mut tampered = pdf.clone();
    let at_amount = tampered.len() / 2;
    tampered[at_amount] ^= 1;
    let res = s
        .app
        .post_bytes(
            &format!("/api/v1/agreements/{encoded}/verify"),
            "application/pdf",
            tampered,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["valid"], false);
    assert_eq!(res.body["reason"], "hash_mismatch");
    let pdf_again = s
        .app
        .get_as(
            &format!("/api/v1/cases/{}/agreement/pdf", f.id),
            &s.mediator,
        )
        .await;
    assert_eq!(pdf_again.content_type, "application/pdf");
    assert_eq!(pdf_again.headers.get("cache-control").unwrap(), "no-store");
    // Each download of the document, personal data and all, is in the audit trail.
    assert_eq!(
        s.app
            .count(&format!(
                "audit_log WHERE action = 'agreement.read_pdf' AND case_id = '{}'",
                f.id
            ))
            .await,
        1
    );
}

fn pdftotext(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("xiaobao-{}.pdf", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An accepted case with its agreement awaiting confirmation; returns its receipt and secret.
async fn awaiting_confirmation(s: &Station) -> Filed {
    let f = s.accepted().await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement", f.id),
            &s.mediator,
            &agreement_body(true),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    f
}

async fn consumer_confirms(s: &Station, f: &Filed) {
    let res = s
        .app
        .request(
            "POST",
            &format!("/api/v1/track/{}/agreement/confirm", f.receipt),
            &[("x-access-secret", f.secret.as_str())],
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn a_business_confirms_with_the_single_use_code_from_its_mail() {
    let s = station().await;
    let f = awaiting_confirmation(&s).await;
    let code = code_in(&s.deliver().await, BOSS);
    // Once sent, the outbox keeps the mail without the code.
    let stored: Vec<(String, Option<String>)> = sea_orm::ConnectionTrait::query_all_raw(
        &s.app.db,
        sea_orm::Statement::from_string(
            sea_orm::ConnectionTrait::get_database_backend(&s.app.db),
            "SELECT body, secret FROM outbox".to_owned(),
        ),
    )
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("", "body").unwrap(),
            r.try_get("", "secret").unwrap(),
        )
    })
    .collect();
    assert!(
        stored
            .iter()
            .all(|(body, secret)| !body.contains(&code) && secret.is_none())
    );
    assert!(
        stored
            .iter()
            .any(|(body, _)| body.contains(xiaobao::mail::SECRET_SENT))
    );
    let res = s
        .app
        .post("/api/v1/agreement-confirmations", &json!({"code": code}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["business_confirmed_via"], "code");
    assert_eq!(res.body["status"], "awaiting_confirmation");
    // Single use.
    let res = s
        .app
        .post("/api/v1/agreement-confirmations", &json!({"code": code}))
        .await;
    assert_problem(&res, 404, "not_found");
    consumer_confirms(&s, &f).await;
    let agreement = s
        .app
        .get_as(&format!("/api/v1/cases/{}/agreement", f.id), &s.mediator)
        .await;
    assert_eq!(agreement.body["status"], "issued");
    let msgs = s.deliver().await;
    let mail = mail_to(&msgs, CONSUMER, "调解书送达");
    let text = pdftotext(&attachment(mail[0], "application/pdf").unwrap());
    assert!(text.contains("凭确认码确认"), "{text}");

    // A code that was never used expires.
    awaiting_confirmation(&s).await;
    let code = code_in(&s.deliver().await, BOSS);
    s.app.clock.set(monday() + Duration::days(31));
    let res = s
        .app
        .post("/api/v1/agreement-confirmations", &json!({"code": code}))
        .await;
    assert_problem(&res, 410, "code_expired");
}

#[actix_web::test]
async fn concurrent_issuing_numbers_documents_without_gaps_or_duplicates() {
    let s = station().await;
    let mut cases = Vec::new();
    for _ in 0..6 {
        let f = awaiting_confirmation(&s).await;
        consumer_confirms(&s, &f).await;
        cases.push(f);
    }
    let confirms: Vec<_> = cases
        .iter()
        .map(|f| {
            let s = &s;
            async move {
                s.app
                    .post_as(
                        &format!("/api/v1/cases/{}/agreement/confirm", f.id),
                        &s.desk,
                        &json!({}),
                    )
                    .await
            }
        })
        .collect();
    let results = futures_util::future::join_all(confirms).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["document"]["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=6)
        .map(|i| format!("嘉善市监调〔2026〕第{i:04}号"))
        .collect();
    assert_eq!(numbers, expected);
}

#[actix_web::test]
async fn both_parties_confirming_at_once_issue_the_document_exactly_once() {
    let s = station().await;
    let f = awaiting_confirmation(&s).await;
    let consumer_path = format!("/api/v1/track/{}/agreement/confirm", f.receipt);
    let desk_path = format!("/api/v1/cases/{}/agreement/confirm", f.id);
    let empty = json!({});
    let secret = [("x-access-secret", f.secret.as_str())];
    let consumer = s.app.request("POST", &consumer_path, &secret, None);
    let desk = s.app.post_as(&desk_path, &s.desk, &empty);
    let (a, b) = futures_util::future::join(consumer, desk).await;
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16()),
        (200, 200),
        "{} {}",
        a.text,
        b.text
    );
    let agreement = s
        .app
        .get_as(&format!("/api/v1/cases/{}/agreement", f.id), &s.mediator)
        .await;
    assert_eq!(agreement.body["status"], "issued", "{}", agreement.text);
    assert_eq!(
        s.app
            .count("mediation_agreements WHERE document_number IS NOT NULL")
            .await,
        1
    );
    assert_eq!(mail_to(&s.deliver().await, CONSUMER, "调解书送达").len(), 1);
}

#[actix_web::test]
async fn a_revoked_key_no_longer_vouches_for_its_documents_and_stops_issuing() {
    let s = station().await;
    let f = awaiting_confirmation(&s).await;
    consumer_confirms(&s, &f).await;
    let issued = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement/confirm", f.id),
            &s.desk,
            &json!({}),
        )
        .await;
    let number = issued.body["document"]["number"].as_str().unwrap();
    let sha = issued.body["document"]["sha256"].as_str().unwrap();
    let keys = s.app.get("/api/v1/signing-keys").await;
    assert_eq!(keys.body[0]["key_id"], "jiashan-2026");
    assert_eq!(keys.body[0]["revoked_at"], Value::Null);

    // Checked offline as the document says: Ed25519 over the signed record.
    use base64::Engine;
    use ed25519_dalek::Verifier;
    let b64 = base64::engine::general_purpose::STANDARD;
    let public: [u8; 32] = b64
        .decode(keys.body[0]["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature: [u8; 64] = b64
        .decode(issued.body["document"]["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let record = format!(
        "xiaobao-mediation-agreement-v1\n{number}\n330421\n{}\n{sha}\n",
        issued.body["document"]["issued_on"].as_str().unwrap()
    );
    ed25519_dalek::VerifyingKey::from_bytes(&public)
        .unwrap()
        .verify(
            record.as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&signature),
        )
        .expect("the signature covers the documented record");

    let revoke = "/api/v1/signing-keys/jiashan-2026/revoke";
    let body = json!({"reason": "密钥泄露"});
    assert_problem(
        &s.app.post_as(revoke, &s.bureau, &body).await,
        403,
        "forbidden",
    );
    let admin = s
        .app
        .staff("root", Role::SystemAdmin, None, None, None)
        .await;
    let res = s.app.post_as(revoke, &admin, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["revoked_at"].is_string());
    assert_problem(
        &s.app.post_as(revoke, &admin, &body).await,
        409,
        "already_revoked",
    );

    let encoded = xiaobao::mediation::document::urlencode(number);
    let res = s
        .app
        .get(&format!("/api/v1/agreements/{encoded}/verify?sha256={sha}"))
        .await;
    assert_eq!(res.body["valid"], false, "{}", res.text);
    assert_eq!(res.body["reason"], "key_revoked");

    // Nothing more is issued with it; the confirmation is not lost either, it can be retried.
    let g = awaiting_confirmation(&s).await;
    consumer_confirms(&s, &g).await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement/confirm", g.id),
            &s.desk,
            &json!({}),
        )
        .await;
    assert_problem(&res, 503, "signing_unavailable");
    let agreement = s
        .app
        .get_as(&format!("/api/v1/cases/{}/agreement", g.id), &s.mediator)
        .await;
    assert_eq!(agreement.body["business_confirmed_at"], Value::Null);
}

#[actix_web::test]
async fn verification_names_an_unknown_number_and_a_malformed_hash() {
    let s = station().await;
    let encoded = xiaobao::mediation::document::urlencode("嘉善市监调〔2026〕第9999号");
    let res = s
        .app
        .get(&format!(
            "/api/v1/agreements/{encoded}/verify?sha256={}",
            "0".repeat(64)
        ))
        .await;
    assert_problem(&res, 404, "not_found");
    let res = s
        .app
        .get(&format!("/api/v1/agreements/{encoded}/verify?sha256=xyz"))
        .await;
    assert_problem(&res, 422, "validation_failed");
    assert_eq!(error_fields(&res), ["sha256"]);
}

#[actix_web::test]
async fn an_smtp_outage_mid_mediation_loses_no_mail() {
    let mut s = station().await;
    let f = s.accepted().await;
    assert_eq!(mail_to(&s.deliver().await, CONSUMER, "投诉已受理").len(), 1);

    // The mail server goes away while the mediation goes on.
    s.sink.stop();
    let res = s
        .session(
            &f.id,
            &in_person("2026-11-25T09:30:00+08:00", "2026-11-25T11:00:00+08:00"),
        )
        .await;
    assert_eq!(res.status, 201);
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/termination", f.id),
            &s.mediator,
            &json!({"ground": "party_absent_or_refuses"}),
        )
        .await;
    assert_eq!(res.status, 200);
    let now = s.app.clock.now();
    let round = s.mailer.deliver_due(&s.app.db, now).await.unwrap();
    // Four session notices, three termination notices and the consumer's invitation to rate.
    assert_eq!(round.sent, 0);
    assert_eq!(round.retried, 8, "{round:?}");
    assert_eq!(
        s.app.count("outbox WHERE status = 'pending'").await,
        round.retried as i64
    );

    s.sink.restart().await;
    s.app.clock.set(now + Duration::minutes(1));
    let msgs = s.deliver().await;
    for addr in [CONSUMER, BOSS, DESK, "zhao@law.example"] {
        assert_eq!(mail_to(&msgs, addr, "调解会通知").len(), 1, "{addr}");
    }
    for addr in [CONSUMER, BOSS, DESK] {
        assert_eq!(mail_to(&msgs, addr, "终止调解告知").len(), 1, "{addr}");
    }
    assert_eq!(mail_to(&msgs, CONSUMER, "【请您评价】").len(), 1);
    assert_eq!(mail_to(&msgs, BOSS, "【请您评价】").len(), 0);
    assert_eq!(s.app.count("outbox WHERE status <> 'sent'").await, 0);
}

#[actix_web::test]
async fn a_concealed_complainant_stays_concealed_in_the_business_copy_and_its_mail() {
    let s = station().await;
    let mut body = complaint_with_email();
    body["conceal_identity_from_business"] = json!(true);
    let f = s.accepted_with(&body).await;
    let res = s
        .app
        .post_as(
            &format!("/api/v1/cases/{}/agreement", f.id),
            &s.mediator,
            &agreement_body(true),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let msgs = s.deliver().await;
    let personal = ["张三", "13800000000", "上海市青浦区朱家角镇北大街1号"];
    let to_business = mail_to(&msgs, BOSS, "请确认调解书")[0].text();
    let to_consumer = mail_to(&msgs, CONSUMER, "请确认调解书")[0].text();
    for p in personal {
        assert!(
            !to_business.contains(p),
            "{p} in the business's draft:\n{to_business}"
        );
        assert!(
            to_consumer.contains(p),
            "{p} missing from the consumer's draft"
        );
    }
    assert!(to_business.contains("张*"), "{to_business}");

    // Both confirm; each side receives its copy; the desk downloads the business's copy.
    let code = code_in(&msgs, BOSS);
    let res = s
        .app
        .post("/api/v1/agreement-confirmations", &json!({"code": code}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    consumer_confirms(&s, &f).await;
    let msgs = s.deliver().await;
    let business_pdf =
        pdftotext(&attachment(mail_to(&msgs, BOSS, "调解书送达")[0], "application/pdf").unwrap())
            .replace('\n', "");
    let consumer_pdf = pdftotext(
        &attachment(mail_to(&msgs, CONSUMER, "调解书送达")[0], "application/pdf").unwrap(),
    )
    .replace('\n', "");
    let downloaded = s
        .app
        .get_as(&format!("/api/v1/cases/{}/agreement/pdf", f.id), &s.desk)
        .await;
    assert_eq!(downloaded.status, 200);
    let desk_pdf = pdftotext(&downloaded.bytes).replace('\n', "");
    for p in personal {
        assert!(!business_pdf.contains(p), "{p} in the business's copy");
        assert!(!desk_pdf.contains(p), "{p} in the desk's download");
        assert!(
            consumer_pdf.contains(p),
            "{p} missing from the consumer's copy"
        );
    }
    assert!(business_pdf.contains("被投诉人副本"), "{business_pdf}");
}
