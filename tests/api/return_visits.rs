//! Return visits (回访): opened for the handling station when a case closes by agreement,
//! termination or enterprise settlement, due in 10 working days, recorded once by station staff,
//! reminded by the deadline sweep, and counted in the statistics (回访率, 满意率 with the
//! satisfaction told on the visit, the ODR satisfaction of each business).

use chrono::Duration;
use serde_json::{Value, json};
use xiaobao::deadlines::sweep::sweep;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::odr::{enrolled_business, odr_complaint};

struct Filed {
    id: String,
    receipt: String,
    secret: String,
}

async fn file(app: &TestApp, body: &Value) -> Filed {
    let res = app.post("/api/v1/complaints", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    Filed {
        id: res.body["id"].as_str().unwrap().into(),
        receipt: res.body["receipt_number"].as_str().unwrap().into(),
        secret: res.body["access_secret"].as_str().unwrap().into(),
    }
}

/// Filed at 西塘, accepted and closed by an agreement that needs no 调解书.
async fn agreed(app: &TestApp, mediator: &str) -> Filed {
    let f = file(app, &complaint()).await;
    let res = app
        .post_as(
            &format!("/api/v1/cases/{}/accept", f.id),
            mediator,
            &json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post_as(
            &format!("/api/v1/cases/{}/agreement", f.id),
            mediator,
            &json!({
                "terms": [{"what": "被投诉人退还餐费", "amount_fen": 12800, "due_on": "2026-12-01"}],
                "in_person": false,
                "particulars": {"respondent_agent": "王经理"}
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    f
}

fn visit(on: &str, satisfaction: Value) -> Value {
    json!({"visited_on": on, "channel": "phone", "result": "协议已履行，餐费已退", "satisfaction": satisfaction})
}

#[actix_web::test]
async fn an_agreement_opens_a_return_visit_that_the_station_records_once() {
    // Tokens outlive the days between closure and visit.
    let app = spawn_app_with(|s| s.token_ttl_hours = 24 * 30).await;
    let (mediator, _) = app
        .staff_with_email(
            "xitang1",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            Some("wang@xitang.example"),
        )
        .await;
    let other_station = app
        .staff("tianning1", Role::Mediator, None, Some("S330421112"), None)
        .await;
    let bureau = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let f = agreed(&app, &mediator).await;
    let path = format!("/api/v1/cases/{}/return-visit", f.id);

    // Opened at closure (Monday 2026-11-23), due on the 10th working day after it.
    let open = app.get_as(&path, &bureau).await;
    assert_eq!(open.status, 200, "{}", open.text);
    assert_eq!(open.body["recorded"], false);
    assert_eq!(open.body["due_date"], "2026-12-07");
    assert_eq!(open.body["deadline_status"], "open");
    let tracked = app.track(&f.receipt, &f.secret).await;
    assert!(
        tracked.body["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "return_visit" && d["status"] == "open"),
        "{}",
        tracked.text
    );

    // Bad input names its field and records nothing.
    let future = app
        .post_as(&path, &mediator, &visit("2026-11-24", json!("satisfied")))
        .await;
    assert_problem(&future, 422, "validation_failed");
    assert_eq!(error_fields(&future), vec!["visited_on"]);
    let before = app
        .post_as(&path, &mediator, &visit("2026-11-20", json!("satisfied")))
        .await;
    assert_eq!(error_fields(&before), vec!["visited_on"]);
    let mut empty = visit("2026-11-23", json!("satisfied"));
    empty["result"] = json!("");
    assert_eq!(
        error_fields(&app.post_as(&path, &mediator, &empty).await),
        vec!["result"]
    );
    let mut bad_channel = visit("2026-11-23", json!("satisfied"));
    bad_channel["channel"] = json!("carrier_pigeon");
    assert_eq!(
        error_fields(&app.post_as(&path, &mediator, &bad_channel).await),
        vec!["channel"]
    );

    // Only the handling station (or the bureau admin) records it.
    assert_problem(
        &app.post_as(
            &path,
            &other_station,
            &visit("2026-11-23", json!("satisfied")),
        )
        .await,
        404,
        "not_found",
    );
    assert_eq!(
        app.count("return_visits WHERE recorded_at IS NOT NULL")
            .await,
        0
    );

    // Recorded two days later, within the limit; a retry with its key answers the same.
    app.clock.set(at("2026-11-25T03:00:00Z"));
    let headers = [
        ("content-type", "application/json"),
        ("authorization", &format!("Bearer {mediator}")),
        ("idempotency-key", "visit-1"),
    ];
    let body = visit("2026-11-25", json!("basically_satisfied")).to_string();
    let first = app
        .request("POST", &path, &headers, Some(body.clone()))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["recorded"], true);
    assert_eq!(first.body["satisfaction_label"], "基本满意");
    assert_eq!(first.body["deadline_status"], "met");
    let retry = app.request("POST", &path, &headers, Some(body)).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body);
    assert_problem(
        &app.post_as(&path, &bureau, &visit("2026-11-25", json!(null)))
            .await,
        409,
        "return_visit_recorded",
    );
    let events = app
        .count("case_events WHERE kind = 'return_visit_recorded' AND public = (1 = 0)")
        .await;
    assert_eq!(events, 1);
    assert_eq!(
        app.count("audit_log WHERE action = 'case.return_visit'")
            .await,
        1
    );
}

#[actix_web::test]
async fn the_desk_reads_no_return_visit_and_other_endings_open_none() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let mediator = app
        .staff("xitang1", Role::Mediator, None, Some("S330421103"), None)
        .await;
    // A withdrawal is no ending the station revisits.
    let f = file(&app, &complaint()).await;
    let res = app
        .request(
            "POST",
            &format!("/api/v1/track/{}/withdraw", f.receipt),
            &[
                ("content-type", "application/json"),
                ("x-access-secret", &f.secret),
            ],
            Some(json!({"reason": "已自行和解"}).to_string()),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let none = app
        .get_as(&format!("/api/v1/cases/{}/return-visit", f.id), &mediator)
        .await;
    assert_problem(&none, 404, "no_return_visit");
    assert_problem(
        &app.post_as(
            &format!("/api/v1/cases/{}/return-visit", f.id),
            &mediator,
            &visit("2026-11-23", json!(null)),
        )
        .await,
        404,
        "no_return_visit",
    );
    // The business's desk never reads the consumer's satisfaction.
    let g = agreed(&app, &mediator).await;
    assert_problem(
        &app.get_as(&format!("/api/v1/cases/{}/return-visit", g.id), &desk.agent)
            .await,
        403,
        "forbidden",
    );
    assert_eq!(app.count("return_visits").await, 1);
}

#[actix_web::test]
async fn which_endings_and_what_share_get_a_visit_is_configured() {
    let app = spawn_app_with(|s| s.return_visit_share_percent = 0).await;
    let mediator = app
        .staff("xitang1", Role::Mediator, None, Some("S330421103"), None)
        .await;
    agreed(&app, &mediator).await;
    assert_eq!(app.count("return_visits").await, 0);

    let app = spawn_app_with(|s| {
        s.return_visit_outcomes = vec![xiaobao::cases::Outcome::Withdrawn];
    })
    .await;
    let mediator = app
        .staff("xitang1", Role::Mediator, None, Some("S330421103"), None)
        .await;
    agreed(&app, &mediator).await;
    assert_eq!(app.count("return_visits").await, 0);
}

#[actix_web::test]
async fn an_overdue_visit_is_flagged_and_its_station_reminded_once() {
    let app = spawn_app().await;
    let (mediator, _) = app
        .staff_with_email(
            "xitang1",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            Some("wang@xitang.example"),
        )
        .await;
    agreed(&app, &mediator).await;
    // Due at the end of 2026-12-07, Shanghai.
    let late = at("2026-12-08T01:00:00Z");
    let lead = Duration::hours(24);
    let first = sweep(&app.db, lead, late).await.unwrap();
    assert_eq!(first.overdue, 1);
    assert_eq!(sweep(&app.db, lead, late).await.unwrap().overdue, 0);
    assert_eq!(
        app.count(
            "outbox WHERE recipients LIKE '%wang@xitang.example%' AND subject LIKE '%return_visit%'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn statistics_count_return_visits_and_the_satisfaction_told_on_them() {
    let app = spawn_app().await;
    let desk = enrolled_business(&app).await;
    let mediator = app
        .staff("xitang1", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let bureau = app
        .staff("jiashan2", Role::BureauAdmin, Some("330421"), None, None)
        .await;

    // An ODR settlement: the consumer rates it 满意 and the visit hears 不满意 — the consumer's
    // own rating counts, once.
    let settled = file(&app, &odr_complaint()).await;
    let made = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/offers", settled.id),
            &desk.agent,
            &json!({"kind": "refund", "amount_fen": 12800, "perform_by": "2026-11-30", "message": "全额退款并致歉"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let odr = |path: String| {
        let f = &settled;
        let app = &app;
        async move {
            app.request(
                "POST",
                &format!("/api/v1/track/{}/odr{path}", f.receipt),
                &[
                    ("content-type", "application/json"),
                    ("x-access-secret", &f.secret),
                ],
                Some("{}".to_owned()),
            )
            .await
        }
    };
    let accepted = odr(format!("/offers/{}/accept", made.body["id"])).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let performed = app
        .post_as(
            &format!("/api/v1/odr/cases/{}/performance", settled.id),
            &desk.agent,
            &json!({"note": "已原路退款128元"}),
        )
        .await;
    assert_eq!(performed.status, 200, "{}", performed.text);
    assert_eq!(odr("/confirm".to_owned()).await.status, 200);
    let rated = app
        .request(
            "POST",
            &format!("/api/v1/track/{}/rating", settled.receipt),
            &[
                ("content-type", "application/json"),
                ("x-access-secret", &settled.secret),
            ],
            Some(json!({"rating": "satisfied"}).to_string()),
        )
        .await;
    assert_eq!(rated.status, 201, "{}", rated.text);
    let told = app
        .post_as(
            &format!("/api/v1/cases/{}/return-visit", settled.id),
            &mediator,
            &visit("2026-11-23", json!("dissatisfied")),
        )
        .await;
    assert_eq!(told.status, 201, "{}", told.text);

    // Two agreements at the station (no ODR): one visited and told 不满意, one not visited.
    let visited = agreed(&app, &mediator).await;
    agreed(&app, &mediator).await;
    let told = app
        .post_as(
            &format!("/api/v1/cases/{}/return-visit", visited.id),
            &mediator,
            &visit("2026-11-23", json!("dissatisfied")),
        )
        .await;
    assert_eq!(told.status, 201, "{}", told.text);

    let period = "from=2026-11-01&to=2026-11-30";
    let q = format!("/api/v1/statistics?{period}");
    let s = app.get_as(&q, &bureau).await;
    assert_eq!(s.status, 200, "{}", s.text);
    // Three closed with a visit each; two recorded.
    assert_eq!(
        s.body["return_visits"],
        json!({"numerator": 2, "denominator": 3, "rate": 2.0 / 3.0}),
        "{}",
        s.text
    );
    // Rated: the ODR case by its consumer (满意), the visited agreement on the visit (不满意).
    assert_eq!(
        s.body["satisfaction"],
        json!({"numerator": 1, "denominator": 2, "rate": 0.5})
    );
    assert_eq!(
        s.body["odr_satisfaction"],
        json!([{
            "business_id": desk.business_id,
            "business_name": "西塘某餐馆",
            "satisfaction": {"numerator": 1, "denominator": 1, "rate": 1.0}
        }])
    );
    let csv = app
        .get_as(&format!("/api/v1/statistics.csv?{period}"), &bureau)
        .await;
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(lines.contains(&"return_visits,2,3,0.6667"), "{}", csv.text);
    assert!(lines.contains(&"satisfaction,1,2,0.5000"), "{}", csv.text);
    let business_line = format!("odr_satisfaction:{},1,1,1.0000", desk.business_id);
    assert!(lines.contains(&business_line.as_str()), "{}", csv.text);
    // Another station's figures hold none of it.
    let tianning = app
        .get_as(&format!("{q}&station_id=S330421112"), &bureau)
        .await;
    assert_eq!(tianning.body["return_visits"]["denominator"], 0);
    assert_eq!(tianning.body["odr_satisfaction"], json!([]));
}
