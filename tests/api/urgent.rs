use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

fn urgent_complaint(category: &str, occurred: &str) -> Value {
    let mut body = complaint();
    body["category"] = json!(category);
    body["dispute"]["occurred_on"] = json!(occurred);
    body
}

struct Duty {
    admin: String,
    a: (String, String),
    b: (String, String),
    off: String,
}

async fn roster(app: &TestApp, from: &str, to: &str) -> Duty {
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let a = app
        .staff_with_email(
            "dutya",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            Some("a@example.com"),
        )
        .await;
    let b = app
        .staff_with_email(
            "dutyb",
            Role::EnforcementOfficer,
            Some("330421"),
            None,
            None,
            Some("b@example.com"),
        )
        .await;
    let off = app
        .staff("offduty", Role::Mediator, None, Some("S330421111"), None)
        .await;
    for (_, id) in [&a, &b] {
        let res = app
            .post_as(
                "/api/v1/bureaus/330421/duty-roster",
                &admin,
                &json!({"user_id": id, "starts_at": from, "ends_at": to}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    Duty { admin, a, b, off }
}

#[actix_web::test]
async fn a_food_complaint_on_a_saturday_is_worked_by_the_on_duty_team() {
    let app = spawn_app().await;
    // Saturday 2026-11-28, 10:00 and 10:05 in Shanghai.
    app.clock.set(at("2026-11-28T02:00:00Z"));
    let duty = roster(
        &app,
        "2026-11-28T00:00:00+08:00",
        "2026-11-29T00:00:00+08:00",
    )
    .await;
    let first = app
        .post(
            "/api/v1/complaints",
            &urgent_complaint("food", "2026-11-28"),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    // The statutory clock still starts on the next working day.
    let kinds: Vec<&str> = first.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acceptance", "urgent_first_contact"]);
    assert_eq!(first.body["deadlines"][0]["due_date"], "2026-12-08");
    assert_eq!(first.body["deadlines"][1]["due_at"], "2026-11-28T04:00:00Z");
    app.clock.set(at("2026-11-28T02:05:00Z"));
    let second = app
        .post(
            "/api/v1/complaints",
            &urgent_complaint("special_equipment", "2026-11-28"),
        )
        .await;
    let ordinary = app
        .post(
            "/api/v1/complaints",
            &urgent_complaint("general_goods", "2026-11-28"),
        )
        .await;
    assert_eq!(ordinary.status, 201);
    assert_eq!(app.count("outbox WHERE subject LIKE '%值班紧急%'").await, 2);

    let queue = app.get_as("/api/v1/urgent-queue", &duty.a.0).await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    let receipts: Vec<&str> = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["receipt_number"].as_str().unwrap())
        .collect();
    assert_eq!(
        receipts,
        [
            first.body["receipt_number"].as_str().unwrap(),
            second.body["receipt_number"].as_str().unwrap()
        ]
    );
    assert_problem(
        &app.get_as("/api/v1/urgent-queue", &duty.off).await,
        403,
        "forbidden",
    );

    // Two on-duty staff claim the same item at once: exactly one wins.
    let id = queue.body[0]["id"].as_i64().unwrap();
    let claim = format!("/api/v1/urgent-queue/{id}/claim");
    let empty = json!({});
    let (ra, rb) = tokio::join!(
        app.post_as(&claim, &duty.a.0, &empty),
        app.post_as(&claim, &duty.b.0, &empty)
    );
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", ra.text, rb.text);
    let (holder, other) = if ra.status == 200 {
        (&duty.a, &duty.b)
    } else {
        (&duty.b, &duty.a)
    };
    let loser = if ra.status == 200 { &rb } else { &ra };
    assert_problem(loser, 409, "already_claimed");

    // Only the holder acts; first contact within two hours is on time.
    let contact = format!("/api/v1/urgent-queue/{id}/first-contact");
    assert_problem(
        &app.post_as(&contact, &other.0, &json!({"note": "x"})).await,
        409,
        "not_claimant",
    );
    app.clock.set(at("2026-11-28T03:30:00Z"));
    let res = app
        .post_as(
            &contact,
            &holder.0,
            &json!({"note": "已电话联系消费者，商家已下架问题批次"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "contacted");
    assert_eq!(res.body["first_contact_on_time"], true);

    let handover = app
        .post_as(
            &format!("/api/v1/urgent-queue/{id}/handover"),
            &holder.0,
            &json!({"to_user_id": other.1, "note": "换班"}),
        )
        .await;
    assert_eq!(handover.status, 200, "{}", handover.text);
    assert_eq!(handover.body["claimed_by"], json!(other.1));
    let resolved = app
        .post_as(
            &format!("/api/v1/urgent-queue/{id}/resolve"),
            &other.0,
            &json!({"resolution": "已处置，转工作日受理"}),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(resolved.body["status"], "resolved");
    let queue = app.get_as("/api/v1/urgent-queue", &duty.admin).await;
    assert_eq!(queue.body.as_array().unwrap().len(), 1);

    // The first-contact deadline is met; the acceptance deadline still runs.
    let detail = app
        .get_as(
            &format!("/api/v1/cases/{}", first.body["id"].as_str().unwrap()),
            &duty.admin,
        )
        .await;
    let deadlines = detail.body["deadlines"].as_array().unwrap();
    let contact_deadline = deadlines
        .iter()
        .find(|d| d["kind"] == "urgent_first_contact")
        .unwrap();
    assert_eq!(contact_deadline["status"], "met");
    assert_eq!(
        deadlines
            .iter()
            .find(|d| d["kind"] == "acceptance")
            .unwrap()["status"],
        "open"
    );
}

#[actix_web::test]
async fn holidays_and_evenings_are_urgent_but_office_hours_are_not() {
    let app = spawn_app().await;
    // National Day holiday 2026-10-03, 15:00: holiday pricing at a scenic spot.
    app.clock.set(at("2026-10-03T07:00:00Z"));
    let res = app
        .post(
            "/api/v1/complaints",
            &urgent_complaint("tourism_price", "2026-10-03"),
        )
        .await;
    assert_eq!(
        res.body["deadlines"][1]["kind"], "urgent_first_contact",
        "{}",
        res.text
    );
    // A working Tuesday at 10:00: normal handling.
    app.clock.set(at("2026-11-24T02:00:00Z"));
    let res = app
        .post(
            "/api/v1/complaints",
            &urgent_complaint("drug", "2026-11-24"),
        )
        .await;
    assert_eq!(res.body["deadlines"].as_array().unwrap().len(), 1);
    // The same Tuesday at 20:00: outside office hours.
    app.clock.set(at("2026-11-24T12:00:00Z"));
    let res = app
        .post(
            "/api/v1/complaints",
            &urgent_complaint("drug", "2026-11-24"),
        )
        .await;
    assert_eq!(res.body["deadlines"].as_array().unwrap().len(), 2);
    assert_eq!(app.count("urgent_items").await, 2);
}

#[actix_web::test]
async fn the_roster_is_kept_by_the_bureau_admin_for_its_own_staff() {
    let app = spawn_app().await;
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let qingpu = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    let (_, outsider) = app
        .staff_with_email(
            "jinze",
            Role::Mediator,
            None,
            Some("S310118104"),
            None,
            None,
        )
        .await;
    let (_, member) = app
        .staff_with_email(
            "xitang",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    let body = |user: &str| json!({"user_id": user, "starts_at": "2026-11-28T08:00:00+08:00", "ends_at": "2026-11-28T20:00:00+08:00"});
    assert_problem(
        &app.post_as(
            "/api/v1/bureaus/330421/duty-roster",
            &qingpu,
            &body(&member),
        )
        .await,
        403,
        "forbidden",
    );
    let res = app
        .post_as(
            "/api/v1/bureaus/330421/duty-roster",
            &admin,
            &body(&outsider),
        )
        .await;
    assert_eq!(error_fields(&res), ["user_id"]);
    let backwards = json!({"user_id": member, "starts_at": "2026-11-28T20:00:00+08:00", "ends_at": "2026-11-28T08:00:00+08:00"});
    assert_eq!(
        error_fields(
            &app.post_as("/api/v1/bureaus/330421/duty-roster", &admin, &backwards)
                .await
        ),
        ["ends_at"]
    );
    assert_eq!(
        app.post_as("/api/v1/bureaus/330421/duty-roster", &admin, &body(&member))
            .await
            .status,
        201
    );
    let list = app
        .get_as("/api/v1/bureaus/330421/duty-roster", &admin)
        .await;
    assert_eq!(list.body[0]["starts_at"], "2026-11-28T00:00:00Z");
}

#[actix_web::test]
async fn a_duty_not_begun_is_deleted_one_under_way_ends_now_and_one_over_stays() {
    let app = spawn_app().await;
    app.clock.set(at("2026-11-28T04:00:00Z"));
    let admin = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    let qingpu = app
        .staff("qingpu", Role::BureauAdmin, Some("310118"), None, None)
        .await;
    let (mediator, member) = app
        .staff_with_email(
            "xitang",
            Role::Mediator,
            None,
            Some("S330421103"),
            None,
            None,
        )
        .await;
    let roster = "/api/v1/bureaus/330421/duty-roster";
    let mut ids = Vec::new();
    for (starts, ends) in [
        ("2026-11-27T08:00:00+08:00", "2026-11-27T20:00:00+08:00"),
        ("2026-11-28T08:00:00+08:00", "2026-11-28T20:00:00+08:00"),
        ("2026-11-29T08:00:00+08:00", "2026-11-29T20:00:00+08:00"),
    ] {
        let res = app
            .post_as(
                roster,
                &admin,
                &json!({"user_id": member, "starts_at": starts, "ends_at": ends}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let duty = |id: i64| format!("{roster}/{id}");
    assert_problem(
        &app.delete_as(&duty(ids[2]), &mediator).await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.delete_as(&duty(ids[2]), &qingpu).await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.delete_as(
            &format!("/api/v1/bureaus/310118/duty-roster/{}", ids[2]),
            &qingpu,
        )
        .await,
        404,
        "not_found",
    );
    assert_problem(
        &app.delete_as(&duty(ids[0]), &admin).await,
        409,
        "duty_over",
    );

    let res = app.delete_as(&duty(ids[2]), &admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["removed"], "deleted");
    let res = app.delete_as(&duty(ids[1]), &admin).await;
    assert_eq!(res.body["removed"], "ended_now", "{}", res.text);
    let now = app.clock.now();
    let on_duty = xiaobao::urgent::on_duty_user_ids(&app.db, "330421", now)
        .await
        .unwrap();
    assert!(on_duty.is_empty(), "{on_duty:?}");
    // The roster from now on is empty; the duty served and the one over are kept.
    let list = app.get_as(roster, &admin).await;
    assert_eq!(list.body.as_array().unwrap().len(), 0, "{}", list.text);
    assert_eq!(app.count("duty_roster").await, 2);
    assert_problem(
        &app.delete_as(&duty(ids[2]), &admin).await,
        404,
        "not_found",
    );
}
