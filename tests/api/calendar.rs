use crate::helpers::*;

#[actix_web::test]
async fn calendar_days_follow_the_state_council_schedule() {
    let app = spawn_app().await;
    for (date, kind, working, name) in [
        ("2026-02-14", "makeup_workday", true, None),
        ("2026-02-17", "holiday", false, Some("春节")),
        ("2026-11-23", "workday", true, None),
        ("2026-11-22", "weekend", false, None),
        ("2024-02-09", "workday", true, None),
    ] {
        let res = app.get(&format!("/api/v1/calendar/days/{date}")).await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["date"], date);
        assert_eq!(res.body["kind"], kind, "{date}");
        assert_eq!(res.body["working_day"], working, "{date}");
        assert_eq!(res.body["holiday_name"].as_str(), name, "{date}");
    }
    let res = app.get("/api/v1/calendar/days/2027-03-01").await;
    assert_problem(&res, 422, "calendar_year_missing");
    assert!(res.body["detail"].as_str().unwrap().contains("2027"));
    assert_problem(
        &app.get("/api/v1/calendar/days/2026-02-30").await,
        422,
        "validation_failed",
    );
}

#[actix_web::test]
async fn add_working_days_skips_holidays_and_counts_makeup_days() {
    let app = spawn_app().await;
    let res = app
        .get("/api/v1/calendar/add-working-days?from=2026-02-13&days=2")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // 02-14 is a make-up Saturday, then the holiday runs to 02-23.
    assert_eq!(res.body["date"], "2026-02-24");
    assert_eq!(res.body["from"], "2026-02-13");
    assert_eq!(res.body["days"], 2);
    let res = app
        .get("/api/v1/calendar/add-working-days?from=2026-12-30&days=5")
        .await;
    assert_problem(&res, 422, "calendar_year_missing");
    let res = app
        .get("/api/v1/calendar/add-working-days?from=2024-01-02&days=401")
        .await;
    assert_eq!(error_fields(&res), ["days"]);
    let res = app.get("/api/v1/calendar/add-working-days?days=3").await;
    assert_eq!(error_fields(&res), ["from"]);
}

#[actix_web::test]
async fn divisions_are_looked_up_by_code_and_searched_by_name() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/divisions/330421103").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["name"], "西塘镇");
    assert_eq!(res.body["level"], "town");
    assert_eq!(res.body["parent_code"], "330421");
    assert_eq!(res.body["full_name"], "浙江省嘉兴市嘉善县西塘镇");
    assert_eq!(
        app.get("/api/v1/divisions/320412").await.body["level"],
        "county"
    );
    assert_problem(&app.get("/api/v1/divisions/999999").await, 404, "not_found");
    let res = app.get("/api/v1/divisions?q=%E8%A5%BF%E5%A1%98").await;
    assert_eq!(res.body[0]["code"], "330421103", "{}", res.text);
}
