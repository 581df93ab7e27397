//! The working-day calendar in the workbench: a bureau admin sees the loaded years and loads the
//! next; a line that is not a holiday, or a 调休 day that is not a weekend, is named at its field
//! with every value kept and nothing loaded; the loaded year then counts in deadlines and is
//! offered for correction. Other roles are refused.

use awc::http::StatusCode;
use xiaobao::http::Role;

use crate::helpers::*;
use crate::pages_staff::{Browser, assert_summary};
use crate::pages_staff_actions::form;

const HOLIDAYS: &str = "元旦 2027-01-01 2027-01-03\n春节 2027-02-06 至 2027-02-13";

async fn loaded(app: &TestApp) -> Vec<i64> {
    let res = app.get("/api/v1/calendar/years").await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn an_admin_loads_the_next_year_after_the_faults_are_shown_at_their_lines() {
    let app = spawn_app().await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
        .await;
    let mut b = Browser::signed_in(&app, "jiashan").await;
    let page = b.get("/staff/calendar").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("2026 年") && page.text.contains("/staff/calendar?year=2026"));
    assert!(
        page.text.contains(r#"value="2027""#),
        "the next year is offered"
    );

    // A weekday given as a 调休 day, and a line that is no holiday: both named, nothing loaded.
    let bad = b
        .post(
            "/staff/calendar",
            &form(&[
                ("year", "2027"),
                ("holidays", &format!("{HOLIDAYS}\n劳动节")),
                ("makeup_workdays", "2027-02-20\n2027-03-10"),
            ]),
        )
        .await;
    assert_summary(
        &bad,
        "holidays",
        "第 3 行：请按“名称 首日 末日”填写，日期如 2027-02-06",
    );
    assert!(
        !bad.text.contains("星期三"),
        "the rules run once the lines read"
    );
    let weekday = b
        .post(
            "/staff/calendar",
            &form(&[
                ("year", "2027"),
                ("holidays", HOLIDAYS),
                ("makeup_workdays", "2027-02-20\n2027-03-10"),
            ]),
        )
        .await;
    assert_summary(
        &weekday,
        "makeup_workdays",
        "第 2 行：2027年3月10日（星期三）不是周六或周日：调休上班日只能是周末",
    );
    assert!(
        weekday.text.contains("春节 2027-02-06 至 2027-02-13"),
        "kept"
    );
    let overlap = b
        .post(
            "/staff/calendar",
            &form(&[
                ("year", "2027"),
                (
                    "holidays",
                    &format!("{HOLIDAYS}\n除夕 2027-02-05 2027-02-07"),
                ),
                ("makeup_workdays", "2027-02-06"),
            ]),
        )
        .await;
    assert_summary(
        &overlap,
        "holidays",
        "第 3 行：与春节的假期在 2027-02-06 重叠",
    );
    assert!(
        overlap
            .text
            .contains("第 1 行：2027-02-06 在春节的假期之内")
    );
    assert!(!loaded(&app).await.contains(&2027));

    let good = b
        .post(
            "/staff/calendar",
            &form(&[
                ("year", "2027"),
                ("holidays", HOLIDAYS),
                ("makeup_workdays", "2027-02-20"),
            ]),
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    assert_eq!(good.header("location"), "/staff/calendar");
    let page = b.get("/staff/calendar").await;
    assert!(
        page.text.contains("已载入 2027 年的放假安排"),
        "{}",
        page.text
    );
    assert!(loaded(&app).await.contains(&2027));
    let day = app.get("/api/v1/calendar/days/2027-02-08").await;
    assert_eq!(day.body["working_day"], false, "{}", day.text);
    let day = app.get("/api/v1/calendar/days/2027-02-20").await;
    assert_eq!(day.body["working_day"], true, "{}", day.text);
    // Offered for correction, filled in as loaded; the next year now is 2028.
    assert!(page.text.contains(r#"value="2028""#));
    let change = b.get("/staff/calendar?year=2027").await;
    assert!(change.text.contains("更改 2027 年的放假安排"));
    assert!(
        change.text.contains("春节 2027-02-06 2027-02-13") && change.text.contains("2027-02-20")
    );

    let mut m = Browser::signed_in(&app, "xitang").await;
    assert_eq!(m.get("/staff/calendar").await.status, StatusCode::FORBIDDEN);
    let refused = m
        .post(
            "/staff/calendar",
            &form(&[("year", "2028"), ("holidays", "元旦 2028-01-01")]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!loaded(&app).await.contains(&2028));
}
