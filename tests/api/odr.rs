use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

pub(crate) struct Desk {
    pub(crate) business_id: String,
    pub(crate) agent: String,
    pub(crate) second_agent: String,
    pub(crate) admin: String,
}

/// Registers the restaurant of `complaint()`, enrolls it in ODR and gives it two desk agents.
pub(crate) async fn enrolled_business(app: &TestApp) -> Desk {
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let res = app
        .post_as(
            "/api/v1/businesses",
            &admin,
            &json!({"name": "西塘某餐馆", "uscc": uscc("91330421MA2B3C4D5"), "legal_representative": "王老板",
                    "address": "浙江省嘉兴市嘉善县西塘镇南大街8号", "division_code": "330421103"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let business_id = res.body["id"].as_str().unwrap().to_owned();
    let apply = app
        .post_as(
            &format!("/api/v1/businesses/{business_id}/odr/apply"),
            &admin,
            &json!({"desk_contact": "李经理", "desk_phone": "0573-84561234", "commitment": "承诺十个工作日内答复并履行和解结果"}),
        )
        .await;
    assert_eq!(apply.body["odr_status"], "applied", "{}", apply.text);
    let enrol = app
        .post_as(
            &format!("/api/v1/businesses/{business_id}/odr/decision"),
            &admin,
            &json!({"decision": "enroll", "reason": "条件具备"}),
        )
        .await;
    assert_eq!(enrol.body["odr_status"], "enrolled", "{}", enrol.text);
    let (agent, _) = app
        .staff_with_email(
            "desk1",
            Role::EnterpriseAgent,
            None,
            None,
            Some(&business_id),
            Some("desk@restaurant.example"),
        )
        .await;
    let second_agent = app
        .staff(
            "desk2",
            Role::EnterpriseAgent,
            None,
            None,
            Some(&business_id),
        )
        .await;
    Desk {
        business_id,
        agent,
        second_agent,
        admin,
    }
}

pub(crate) fn odr_complaint() -> Value {
    let mut body = complaint();
    body["choose_odr"] = json!(true);
    body["complainant"]["email"] = json!("zhang@example.com");
    body
}

struct Filed {
    id: String,
    receipt: String,
    secret: String,
}

async fn file(app: &TestApp) -> Filed {
    let res = app.post("/api/v1/complaints", &odr_complaint()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    Filed {
        id: res.body["id"].as_str().unwrap().into(),
        receipt: res.body["receipt_number"].as_str().unwrap().into(),
        secret: res.body["access_secret"].as_str().unwrap().into(),
    }
}

async fn consumer(app: &TestApp, f: &Filed, path: &str, body: &Value) -> Response {
    app.request(
        "POST",
        &format!("/api/v1/track/{}/odr{path}", f.receipt),
        &[
            ("content-type", "application/json"),
            ("x-access-secret", &f.secret),
        ],
        Some(body.to_string()),
    )
    .await
}

fn offer(amount: i64) -> Value {
    json!({"kind": "refund", "amount_fen": amount, "perform_by": "2026-11-30", "message": "全额退款并致歉"})
}

#[actix_web::test]
async fn an_enrolled_business_settles_without_the_regulator() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let res = app.post("/api/v1/complaints", &odr_complaint()).await;
    assert_eq!(res.body["status"], "with_business", "{}", res.text);
    // Ten working days for the desk; no regulator clock yet.
    let deadlines = res.body["deadlines"].as_array().unwrap();
    assert_eq!(deadlines.len(), 1);
    assert_eq!(deadlines[0]["kind"], "odr_settlement");
    assert_eq!(deadlines[0]["due_date"], "2026-12-07");
    let f = Filed {
        id: res.body["id"].as_str().unwrap().into(),
        receipt: res.body["receipt_number"].as_str().unwrap().into(),
        secret: res.body["access_secret"].as_str().unwrap().into(),
    };
    let tracked = app.track(&f.receipt, &f.secret).await;
    assert_eq!(tracked.body["status_label"], "企业和解中");
    let started = tracked.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "odr_started")
        .unwrap();
    assert!(
        started["description"]
            .as_str()
            .unwrap()
            .contains("2026-12-07")
    );
    assert_eq!(
        app.count("outbox WHERE recipients LIKE '%desk@restaurant.example%'")
            .await,
        1
    );

    let made = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &desk.agent,
            &offer(12800),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let offer_id = made.body["id"].as_i64().unwrap();
    assert_eq!(
        app.count("outbox WHERE recipients LIKE '%zhang@example.com%'")
            .await,
        1
    );

    let accepted = consumer(&app, &f, &format!("/offers/{offer_id}/accept"), &json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.body["state"], "agreed");
    assert_eq!(accepted.body["settlement_deadline"]["status"], "met");

    let performed = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/performance", f.id),
            &desk.agent,
            &json!({"note": "已原路退款128元"}),
        )
        .await;
    assert_eq!(performed.body["state"], "performed", "{}", performed.text);
    let confirmed = consumer(&app, &f, "/confirm", &json!({})).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(confirmed.body["case_status"], "closed");
    assert_eq!(confirmed.body["state"], "settled");

    let detail = app
        .get_as(&format!("/api/v1/cases/{}", f.id), &desk.admin)
        .await;
    assert_eq!(detail.body["status"], "closed");
    let tracked = app.track(&f.receipt, &f.secret).await;
    assert_eq!(tracked.body["status_label"], "已办结");
    let events: Vec<&str> = tracked.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "received",
            "routed",
            "odr_started",
            "odr_offer",
            "odr_agreed",
            "odr_performed",
            "closed"
        ]
    );

    // Nothing more can be offered on a closed case.
    let late = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &desk.agent,
            &offer(100),
        )
        .await;
    assert_problem(&late, 409, "invalid_transition");

    let perf = app
        .get_as(
            &format!(
                "/api/v1/odr/businesses/{}/performance?from=2026-11-01&to=2026-11-30",
                desk.business_id
            ),
            &desk.agent,
        )
        .await;
    assert_eq!(perf.status, 200, "{}", perf.text);
    assert_eq!(perf.body["received"], 1);
    assert_eq!(perf.body["settled"], 1);
    assert_eq!(perf.body["settlement_rate"], 1.0);
    assert_eq!(perf.body["on_time_rate"], 1.0);
    assert_eq!(perf.body["money_recovered_fen"], 12800);
    assert_eq!(perf.body["median_first_response_hours"], 0.0);
}

#[actix_web::test]
async fn a_declining_desk_sends_the_case_to_the_regulator_with_its_history() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    app.staff_with_email(
        "xitang",
        Role::Mediator,
        None,
        Some("S330421103"),
        None,
        Some("xitang@example.com"),
    )
    .await;
    let f = file(&app).await;
    app.clock.set(at("2026-11-24T02:00:00Z"));
    let desk_token = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "desk1", "password": "correct horse battery"}),
        )
        .await;
    let desk_token = desk_token.body["token"].as_str().unwrap().to_owned();
    let res = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/decline", f.id),
            &desk_token,
            &json!({"reason": "菜品无质量问题"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case_status"], "pending_acceptance");
    assert_eq!(res.body["state"], "escalated");

    // The regulator's acceptance clock starts at escalation: ODR time is not counted.
    let tracked = app.track(&f.receipt, &f.secret).await;
    let acceptance = tracked.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "acceptance")
        .unwrap()
        .clone();
    assert_eq!(acceptance["due_date"], "2026-12-03");
    let escalated = tracked.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "odr_escalated")
        .unwrap()
        .clone();
    assert!(
        escalated["description"]
            .as_str()
            .unwrap()
            .contains("转市场监管部门")
    );
    let mail_to = app.count("outbox WHERE subject LIKE '%转监管部门处理%' AND recipients LIKE '%zhang@example.com%' AND recipients LIKE '%xitang@example.com%' AND recipients LIKE '%desk@restaurant.example%'").await;
    assert_eq!(mail_to, 1);
    assert_problem(
        &app.post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &desk_token,
            &offer(100),
        )
        .await,
        409,
        "invalid_transition",
    );
    let _ = desk;
}

#[actix_web::test]
async fn a_counter_offer_accepted_by_the_desk_settles() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let f = file(&app).await;
    let first = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &desk.agent,
            &offer(5000),
        )
        .await;
    assert_eq!(first.status, 201);
    let counter = consumer(&app, &f, "/counter", &json!({"kind": "compensation", "amount_fen": 25600, "perform_by": "2026-11-30", "message": "退一赔一"})).await;
    assert_eq!(counter.status, 201, "{}", counter.text);
    let counter_id = counter.body["id"].as_i64().unwrap();
    // The consumer cannot accept an offer that was superseded by their own counter.
    let stale = consumer(
        &app,
        &f,
        &format!("/offers/{}/accept", first.body["id"]),
        &json!({}),
    )
    .await;
    assert_problem(&stale, 409, "offer_not_open");
    let res = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers/{counter_id}/accept", f.id),
            &desk.agent,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["state"], "agreed");
    let statuses: Vec<&str> = res.body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["superseded", "accepted"]);
}

#[actix_web::test]
async fn a_rejected_last_offer_escalates() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let f = file(&app).await;
    let made = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &desk.agent,
            &offer(1000),
        )
        .await;
    let res = consumer(
        &app,
        &f,
        &format!("/offers/{}/reject", made.body["id"]),
        &json!({"reason": "金额太低"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case_status"], "pending_acceptance");
    assert_eq!(res.body["offers"][0]["status"], "rejected");
}

#[actix_web::test]
async fn silence_past_the_limit_across_national_day_escalates_once() {
    let app = spawn_app().await;
    app.clock.set(at("2026-09-28T02:00:00Z"));
    let desk = enrolled_business(&app).await;
    let mut body = odr_complaint();
    body["dispute"]["occurred_on"] = json!("2026-09-27");
    let res = app.post("/api/v1/complaints", &body).await;
    // 09-29, 09-30, then National Day; 10-10 is a make-up Saturday: the 10th working day is 10-16.
    assert_eq!(
        res.body["deadlines"][0]["due_date"], "2026-10-16",
        "{}",
        res.text
    );
    let id = res.body["id"].as_str().unwrap();

    let before = at("2026-10-16T15:59:59Z");
    assert_eq!(
        xiaobao::odr::escalate_overdue(&app.db, &app.state, before)
            .await
            .unwrap(),
        0
    );
    let after = at("2026-10-16T16:00:01Z");
    let other = app.another_connection().await;
    let (a, b) = tokio::join!(
        xiaobao::odr::escalate_overdue(&app.db, &app.state, after),
        xiaobao::odr::escalate_overdue(&other, &app.state, after)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    app.clock.set(after);
    let admin = app
        .post(
            "/api/v1/auth/login",
            &json!({"username": "jiashan", "password": "correct horse battery"}),
        )
        .await;
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{id}"),
            admin.body["token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(detail.body["status"], "pending_acceptance");
    let settlement = detail.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "odr_settlement")
        .unwrap()
        .clone();
    assert_eq!(settlement["status"], "missed");
    let acceptance = detail.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "acceptance")
        .unwrap()
        .clone();
    assert_eq!(
        acceptance["explanation"]["starts_at"],
        "2026-10-16T16:00:01Z"
    );
    assert_eq!(
        app.count("outbox WHERE subject LIKE '%转监管部门处理%'")
            .await,
        1
    );
    let _ = desk;
}

#[actix_web::test]
async fn unperformed_settlement_can_be_reopened_after_its_date() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let f = file(&app).await;
    let made = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &desk.agent,
            &offer(12800),
        )
        .await;
    consumer(
        &app,
        &f,
        &format!("/offers/{}/accept", made.body["id"]),
        &json!({}),
    )
    .await;
    let early = consumer(&app, &f, "/reopen", &json!({"reason": "还没退款"})).await;
    assert_problem(&early, 409, "performance_not_due");
    app.clock.set(at("2026-12-01T02:00:00Z"));
    let res = consumer(&app, &f, "/reopen", &json!({"reason": "商家未退款"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["case_status"], "pending_acceptance");
    assert_eq!(res.body["state"], "escalated");
}

#[actix_web::test]
async fn two_desk_agents_answering_at_once_get_one_winner() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let f = file(&app).await;
    let path = format!("/api/v1/odr/cases/{}/offers", f.id);
    let (a, b) = (offer(1000), offer(2000));
    let (ra, rb) = tokio::join!(
        app.post_as(&path, &desk.agent, &a),
        app.post_as(&path, &desk.second_agent, &b)
    );
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", ra.text, rb.text);
    assert_eq!(app.count("odr_offers").await, 1);
}

#[actix_web::test]
async fn another_business_desk_cannot_touch_the_case() {
    let app = spawn_app().await;
    let _desk = enrolled_business(&app).await;
    let f = file(&app).await;
    let admin = app.staff("root", Role::SystemAdmin, None, None, None).await;
    let other = app
        .post_as("/api/v1/businesses", &admin, &json!({"name": "别家", "uscc": uscc("91330421MA2B3C4D6"), "address": "嘉善县西塘镇1号", "division_code": "330421103"}))
        .await;
    let other_desk = app
        .staff(
            "rival",
            Role::EnterpriseAgent,
            None,
            None,
            other.body["id"].as_str(),
        )
        .await;
    assert_problem(
        &app.get_as(&format!("/api/v1/cases/{}", f.id), &other_desk)
            .await,
        404,
        "not_found",
    );
    assert_problem(
        &app.post_as(
            &format!("/api/v1/odr/cases/{}/offers", f.id),
            &other_desk,
            &offer(1),
        )
        .await,
        404,
        "not_found",
    );
}

#[actix_web::test]
async fn a_complaint_against_a_business_not_enrolled_goes_straight_to_the_regulator() {
    let app = spawn_app().await;
    let res = app.post("/api/v1/complaints", &odr_complaint()).await;
    assert_eq!(res.body["status"], "pending_acceptance");
    assert_eq!(res.body["deadlines"][0]["kind"], "acceptance");
}

#[actix_web::test]
async fn poor_performers_are_listed_as_suspension_candidates_and_can_be_suspended() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    for _ in 0..3 {
        let f = file(&app).await;
        let res = app
            .post_as(
                &format!("/api/v1/odr/cases/{}/decline", f.id),
                &desk.agent,
                &json!({"reason": "不同意"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let list = app
        .get_as(
            "/api/v1/odr/suspension-candidates?from=2026-11-01&to=2026-11-30",
            &desk.admin,
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body[0]["business_id"], desk.business_id.as_str());
    assert_eq!(list.body[0]["escalated"], 3);
    assert_eq!(list.body[0]["settlement_rate"], 0.0);
    let res = app
        .post_as(
            &format!("/api/v1/businesses/{}/odr/decision", desk.business_id),
            &desk.admin,
            &json!({"decision": "suspend", "reason": "和解率过低"}),
        )
        .await;
    assert_eq!(res.body["odr_status"], "suspended");
    // A suspended business no longer gets complaints first.
    let res = app.post("/api/v1/complaints", &odr_complaint()).await;
    assert_eq!(res.body["status"], "pending_acceptance");
    let again = app
        .post_as(
            &format!("/api/v1/businesses/{}/odr/decision", desk.business_id),
            &desk.admin,
            &json!({"decision": "suspend", "reason": "重复"}),
        )
        .await;
    assert_problem(&again, 409, "invalid_transition");
}

#[actix_web::test]
async fn a_retried_offer_with_its_key_is_the_first_offer_and_the_key_fits_one_body() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let f = file(&app).await;
    let path = format!("/api/v1/odr/cases/{}/offers", f.id);
    let auth = format!("Bearer {}", desk.agent);
    let send = |body: Value, key: &'static str| {
        let auth = auth.clone();
        let path = path.clone();
        let app = &app;
        async move {
            app.request(
                "POST",
                &path,
                &[
                    ("content-type", "application/json"),
                    ("authorization", auth.as_str()),
                    ("idempotency-key", key),
                ],
                Some(body.to_string()),
            )
            .await
        }
    };
    let first = send(offer(5000), "offer-1").await;
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = send(offer(5000), "offer-1").await;
    assert_eq!(retry.status, 201, "{}", retry.text);
    assert_eq!(retry.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(retry.body["id"], first.body["id"]);
    assert_problem(
        &send(offer(9000), "offer-1").await,
        422,
        "idempotency_key_reused",
    );
    let offers = app.count("odr_offers").await;
    assert_eq!(offers, 1);
}

#[actix_web::test]
async fn the_desk_is_reminded_two_working_days_before_its_settlement_limit() {
    let app = spawn_app().await;
    enrolled_business(&app).await;
    let f = file(&app).await;
    let due = app.track(&f.receipt, &f.secret).await.body["deadlines"][0]["due_date"].clone();
    assert_eq!(due, "2026-12-07");
    let reminders =
        "outbox WHERE recipients LIKE '%desk@restaurant.example%' AND subject LIKE '%即将到期%'";
    let remind = |at_: &str| {
        let now = at(at_);
        let app = &app;
        async move {
            xiaobao::odr::reminders::remind_desks(&app.db, &app.state.env, now)
                .await
                .unwrap()
        }
    };
    // Wednesday 2 December: three working days remain (3, 4, 7 December).
    assert_eq!(remind("2026-12-02T04:00:00Z").await, 0);
    assert_eq!(app.count(reminders).await, 0);
    // Thursday: two remain; reminded once, however often the sweep runs.
    assert_eq!(remind("2026-12-03T01:00:00Z").await, 1);
    assert_eq!(remind("2026-12-03T05:00:00Z").await, 0);
    assert_eq!(app.count(reminders).await, 1);
}
