use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};
use xiaobao::deadlines::sweep::sweep;
use xiaobao::http::Role;

use crate::helpers::*;

/// The State Council notices for 2024–2026 (domain.md §6), written out independently of the data files.
const HOLIDAYS: &[(&str, &str)] = &[
    ("2024-01-01", "2024-01-01"),
    ("2024-02-10", "2024-02-17"),
    ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"),
    ("2024-06-10", "2024-06-10"),
    ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"),
    ("2025-01-01", "2025-01-01"),
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
];
const MAKEUP: &[&str] = &[
    "2024-02-04",
    "2024-02-18",
    "2024-04-07",
    "2024-04-28",
    "2024-05-11",
    "2024-09-14",
    "2024-09-29",
    "2024-10-12",
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
];

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[actix_web::test]
async fn the_calendar_endpoint_agrees_with_the_notices_on_every_day_of_2024_to_2026() {
    let app = spawn_app().await;
    let mut d = date("2024-01-01");
    let mut working = 0;
    while d <= date("2026-12-31") {
        let holiday = HOLIDAYS.iter().any(|(a, b)| date(a) <= d && d <= date(b));
        let makeup = MAKEUP.contains(&d.format("%Y-%m-%d").to_string().as_str());
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let expected = if makeup {
            "makeup_workday"
        } else if holiday {
            "holiday"
        } else if weekend {
            "weekend"
        } else {
            "workday"
        };
        let res = app.get(&format!("/api/v1/calendar/days/{d}")).await;
        assert_eq!(res.body["kind"], expected, "{d}: {}", res.text);
        assert_eq!(
            res.body["working_day"],
            makeup || (!holiday && !weekend),
            "{d}"
        );
        working += usize::from(res.body["working_day"] == true);
        d += Duration::days(1);
    }
    assert_eq!(working, 251 + 248 + 248);
}

async fn file_at(app: &TestApp, instant: &str, body: &Value) -> Value {
    app.clock.set(at(instant));
    let res = app.post("/api/v1/complaints", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body.clone()
}

fn complaint_on(occurred: &str) -> Value {
    let mut body = complaint();
    body["dispute"]["occurred_on"] = json!(occurred);
    body
}

#[actix_web::test]
async fn acceptance_deadlines_count_working_days_across_holidays_and_make_up_days() {
    let app = spawn_app().await;
    // (received, Shanghai 10:00, expected last day) — the day of receipt is not counted.
    for (received, due) in [
        ("2026-02-14T02:00:00Z", "2026-03-03"), // a make-up Saturday, then Spring Festival
        ("2026-02-13T02:00:00Z", "2026-03-02"), // the Friday before: the make-up Saturday counts
        ("2025-09-30T02:00:00Z", "2025-10-16"), // National Day and Mid-Autumn 2025, make-up 10-11
        ("2026-09-30T02:00:00Z", "2026-10-15"), // National Day 2026, make-up 10-10
        ("2025-12-30T02:00:00Z", "2026-01-09"), // across the year boundary and New Year's make-up 01-04
    ] {
        let filed = file_at(&app, received, &complaint_on(&received[..10])).await;
        let deadline = &filed["deadlines"][0];
        assert_eq!(deadline["kind"], "acceptance");
        assert_eq!(deadline["due_date"], due, "received {received}");
        assert_eq!(deadline["provisional"], false);
    }
    let filed = file_at(&app, "2025-09-30T02:00:00Z", &complaint_on("2025-09-29")).await;
    assert_eq!(filed["rule_set"], "order-20");
    assert_eq!(filed["deadlines"][0]["explanation"]["rule_set"], "order-20");
    assert_eq!(
        filed["deadlines"][0]["explanation"]["calendar_years"],
        json!([2025])
    );
}

async fn report_at(app: &TestApp, instant: &str) -> Value {
    app.clock.set(at(instant));
    let res = app
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
    res.body.clone()
}

#[actix_web::test]
async fn a_pause_spanning_a_holiday_moves_the_deadline_by_its_working_days() {
    let app = spawn_app().await;
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    // Received Monday 2026-09-21: 15 working days end on 2026-10-19 (Mid-Autumn, National Day, make-up 10-10).
    let report = report_at(&app, "2026-09-21T02:00:00Z").await;
    assert_eq!(report["deadlines"][0]["due_date"], "2026-10-19");
    let id = report["id"].as_str().unwrap();

    app.clock.set(at("2026-09-29T02:00:00Z"));
    let pause = app
        .post_as(
            &format!("/api/v1/cases/{id}/pauses"),
            &admin,
            &json!({"reason": "testing", "note": "送检"}),
        )
        .await;
    assert_eq!(pause.status, 201, "{}", pause.text);
    assert_problem(
        &app.post_as(
            &format!("/api/v1/cases/{id}/pauses"),
            &admin,
            &json!({"reason": "testing"}),
        )
        .await,
        409,
        "pause_running",
    );
    let detail = app.get_as(&format!("/api/v1/cases/{id}"), &admin).await;
    assert_eq!(detail.body["deadlines"][0]["status"], "paused");

    // Resumed 2026-10-09: 09-30, 10-08 and 10-09 were working days inside the pause.
    app.clock.set(at("2026-10-09T02:00:00Z"));
    let pause_id = pause.body["id"].as_i64().unwrap();
    let ended = app
        .post_as(
            &format!("/api/v1/cases/{id}/pauses/{pause_id}/end"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    let detail = app.get_as(&format!("/api/v1/cases/{id}"), &admin).await;
    let d = &detail.body["deadlines"][0];
    assert_eq!(d["status"], "open");
    assert_eq!(d["due_date"], "2026-10-22");
    assert_eq!(d["explanation"]["pauses"][0]["working_days"], 3);
    assert_eq!(d["explanation"]["pauses"][0]["reason"], "testing");
    assert_problem(
        &app.post_as(
            &format!("/api/v1/cases/{id}/pauses/{pause_id}/end"),
            &admin,
            &json!({}),
        )
        .await,
        409,
        "pause_ended",
    );

    // The consumer sees the pause on the timeline.
    let tracked = app
        .track(
            report["receipt_number"].as_str().unwrap(),
            report["access_secret"].as_str().unwrap(),
        )
        .await;
    let events: Vec<&str> = tracked.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"clock_paused") && events.contains(&"clock_resumed"),
        "{events:?}"
    );
}

#[actix_web::test]
async fn report_verification_can_be_extended_once_by_a_bureau_admin() {
    let app = spawn_app().await;
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let mediator = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let report = report_at(&app, "2026-11-23T02:00:00Z").await;
    let id = report["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}/deadlines/report_verification/extend");
    assert_problem(
        &app.post_as(&path, &mediator, &json!({"reason": "需要补充检验"}))
            .await,
        403,
        "forbidden",
    );
    let res = app
        .post_as(&path, &admin, &json!({"reason": "需要补充检验"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // 2026-12-14 plus 15 working days.
    assert_eq!(res.body["due_date"], "2027-01-04");
    assert_eq!(res.body["provisional"], true);
    assert_eq!(res.body["explanation"]["extension_days"], 15);
    assert_problem(
        &app.post_as(&path, &admin, &json!({"reason": "再次延长"}))
            .await,
        409,
        "already_extended",
    );

    let complaint = app.post("/api/v1/complaints", &complaint()).await;
    let cid = complaint.body["id"].as_str().unwrap();
    let res = app
        .post_as(
            &format!("/api/v1/cases/{cid}/deadlines/acceptance/extend"),
            &admin,
            &json!({"reason": "想延长"}),
        )
        .await;
    assert_problem(&res, 409, "extension_not_allowed");
}

fn schedule_2027() -> Value {
    json!({
        "year": 2027,
        "holidays": [
            {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
            {"name": "春节", "start": "2027-02-06", "end": "2027-02-13"}
        ],
        "makeup_workdays": ["2027-02-20"]
    })
}

#[actix_web::test]
async fn an_uploaded_year_is_validated_takes_effect_and_settles_provisional_deadlines() {
    let app = spawn_app().await;
    // Received 2026-12-24: 15 working days reach into 2027, which has no schedule yet.
    let report = report_at(&app, "2026-12-24T02:00:00Z").await;
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let mediator = app
        .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    assert_eq!(report["deadlines"][0]["provisional"], true);
    assert_eq!(report["deadlines"][0]["due_date"], "2027-01-14");
    assert_eq!(
        report["deadlines"][0]["explanation"]["estimated_years"],
        json!([2027])
    );

    let bad = json!({
        "year": 2027,
        "holidays": [{"name": "元旦", "start": "2026-12-31", "end": "2027-01-01"}, {"name": "春节", "start": "2027-02-06", "end": "2027-02-13"}],
        "makeup_workdays": ["2027-02-08", "2027-02-06"]
    });
    let res = app
        .put_as("/api/v1/calendar/years/2027", &admin, &bad)
        .await;
    assert_problem(&res, 422, "validation_failed");
    let fields = error_fields(&res);
    assert!(
        fields.contains(&"holidays[0].start".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.starts_with("makeup_workdays[0]")),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.starts_with("makeup_workdays[1]")),
        "{fields:?}"
    );
    assert_problem(
        &app.get("/api/v1/calendar/days/2027-01-04").await,
        422,
        "calendar_year_missing",
    );

    assert_problem(
        &app.put_as("/api/v1/calendar/years/2027", &mediator, &schedule_2027())
            .await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.put_as("/api/v1/calendar/years/2028", &admin, &schedule_2027())
            .await,
        422,
        "validation_failed",
    );
    let res = app
        .put_as("/api/v1/calendar/years/2027", &admin, &schedule_2027())
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.get("/api/v1/calendar/days/2027-01-01").await.body["kind"],
        "holiday"
    );
    assert_eq!(
        app.get("/api/v1/calendar/days/2027-02-20").await.body["kind"],
        "makeup_workday"
    );

    // 2027-01-01 is now a holiday, so the count ends a day later and is no longer provisional.
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{}", report["id"].as_str().unwrap()),
            &admin,
        )
        .await;
    let d = &detail.body["deadlines"][0];
    assert_eq!(d["provisional"], false, "{d}");
    assert_eq!(d["due_date"], "2027-01-15");
    assert_eq!(d["explanation"]["calendar_years"], json!([2026, 2027]));
}

#[actix_web::test]
async fn another_instance_picks_up_an_upload() {
    let app = spawn_app().await;
    let admin = app.staff("root", Role::SystemAdmin, None, None, None).await;
    let other = xiaobao::calendar::CalendarStore::new(
        xiaobao::calendar::schedule::Calendar::builtin(),
        None,
    );
    let conn = app.another_connection().await;
    assert!(!other.refresh(&conn).await.unwrap());
    assert_eq!(
        app.put_as("/api/v1/calendar/years/2027", &admin, &schedule_2027())
            .await
            .status,
        200
    );
    assert!(other.refresh(&conn).await.unwrap());
    assert!(
        other
            .current()
            .day(date("2027-02-08"))
            .unwrap()
            .holiday_name
            .is_some()
    );
}

#[actix_web::test]
async fn the_sweeper_reminds_whoever_must_act_once_even_with_two_instances() {
    let app = spawn_app().await;
    app.staff_with_email(
        "xitang",
        Role::Mediator,
        None,
        Some("S330421103"),
        None,
        Some("xitang@example.com"),
    )
    .await;
    app.staff_with_email(
        "jinze",
        Role::Mediator,
        None,
        Some("S310118104"),
        None,
        Some("jinze@example.com"),
    )
    .await;
    let filed = app.post("/api/v1/complaints", &complaint()).await;
    assert_eq!(filed.body["deadlines"][0]["due_at"], "2026-12-02T16:00:00Z");
    let lead = Duration::hours(24);
    let other = app.another_connection().await;

    // Two days ahead nothing is due soon.
    let early = at("2026-11-30T16:00:00Z");
    assert_eq!(sweep(&app.db, lead, early).await.unwrap().due_soon, 0);

    // Within the lead time both instances sweep at once: one reminder.
    let soon = at("2026-12-02T02:00:00Z");
    let (a, b) = tokio::join!(sweep(&app.db, lead, soon), sweep(&other, lead, soon));
    assert_eq!(a.unwrap().due_soon + b.unwrap().due_soon, 1);
    assert_eq!(app.count("outbox").await, 1);

    let late = at("2026-12-02T16:00:01Z");
    let (a, b) = tokio::join!(sweep(&app.db, lead, late), sweep(&other, lead, late));
    assert_eq!(a.unwrap().overdue + b.unwrap().overdue, 1);
    assert_eq!(
        sweep(&app.db, lead, late + Duration::hours(1))
            .await
            .unwrap(),
        Default::default()
    );
    assert_eq!(app.count("outbox").await, 2);
    assert_eq!(
        app.count("outbox WHERE recipients LIKE '%xitang@example.com%'")
            .await,
        2
    );
    assert_eq!(app.count("outbox WHERE recipients LIKE '%jinze%'").await, 0);

    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{}", filed.body["id"].as_str().unwrap()),
            &admin,
        )
        .await;
    assert_eq!(detail.body["deadlines"][0]["flag"], "overdue");
}
