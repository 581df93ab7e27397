//! The bureau's dashboard (`/staff/dashboard`): the 12315 indicators of the bureau and of each of
//! its stations for a chosen period, as numbers with their parts, the complaints received month by
//! month as a chart with its table, and the same indicators as CSV (`/staff/dashboard.csv`).
//! Read through `oversight::statistics` (the same figures as `GET /api/v1/statistics`), for whom
//! `cases::access::figures_of` allows: a bureau admin its bureau, a mediator its station, the
//! system admin any bureau (`?bureau_code=`).

use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, HttpRequest, HttpResponse, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::period::PeriodInput;
use super::signed_in::{Desk, SignedIn};
use crate::actor::Role;
use crate::deadlines::local_date;
use crate::domain::dates::{chinese_date, chinese_time};
use crate::http::ApiError;
use crate::mediation::yuan;
use crate::oversight::alert_kind::AlertKind;
use crate::oversight::statistics::{self, Rate, Statistics, StatsQuery};
use crate::oversight::warnings::{self, RankingQuery};
use crate::state::AppState;
use crate::web::components::{BarChart, DateParts, FormErrors, Table};
use crate::web::page::Page;

#[derive(Deserialize)]
pub struct DashboardQuery {
    #[serde(flatten)]
    period: PeriodInput,
    /// For the system admin: the bureau to read.
    #[serde(default)]
    bureau_code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/dashboard.html")]
pub struct DashboardPage {
    page: Page,
    desk: Desk,
    from: DateParts,
    to: DateParts,
    bureau_code: Option<String>,
    /// The period in words, once it is valid.
    period: Option<String>,
    indicators: Option<Table>,
    stations: Option<Table>,
    months: Option<BarChart>,
    csv: String,
    /// The bureau's open early warnings, for its admins: (id, what, since).
    alerts: Vec<(i64, String, String)>,
    /// This week's businesses most complained about.
    ranking: Option<Table>,
    notice: Option<String>,
}

/// A rate in a table cell: `50.0%`, or `—` when nothing was due.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn rate_row(name: &str, r: &Rate) -> Vec<String> {
    vec![
        name.to_owned(),
        r.numerator.to_string(),
        r.denominator.to_string(),
        percent(r.rate),
    ]
}

/// The indicators of one scope, each with its parts.
fn indicators(s: &Statistics) -> Table {
    let mut rows = vec![
        rate_row("投诉按时初查率", &s.on_time_initial_check),
        rate_row("投诉按时办结率", &s.on_time_closure),
        rate_row("投诉调解成功率", &s.mediation_success),
        rate_row("举报按时核查率", &s.on_time_report_verification),
        rate_row("投诉信息公示率", &s.publication),
        rate_row("ODR 和解成功率", &s.odr_settlement),
        rate_row("满意率", &s.satisfaction),
        rate_row("回访率", &s.return_visits),
    ];
    for (name, value) in [
        ("收到投诉（件）", s.complaints_received.to_string()),
        ("收到举报（件）", s.reports_received.to_string()),
        ("办结投诉（件）", s.complaints_closed.to_string()),
        ("挽回经济损失（元）", yuan(s.money_recovered_fen)),
        ("涉及金额（元）", yuan(s.amount_in_dispute_fen)),
    ] {
        rows.push(vec![name.to_owned(), String::new(), String::new(), value]);
    }
    Table {
        caption: "主要指标（“—”：期间内没有可计算的案件）".into(),
        head: vec!["指标".into(), "分子".into(), "分母".into(), "数值".into()],
        rows,
        numeric: vec![1, 2, 3],
    }
}

/// The page, and the bureau's indicators once the period is valid; `full` adds the month-by-month
/// chart and each station's figures.
async fn read(
    state: &AppState,
    req: &HttpRequest,
    me: &SignedIn,
    q: &DashboardQuery,
    full: bool,
) -> Result<(DashboardPage, Option<Statistics>), ApiError> {
    me.staff
        .require(&[Role::BureauAdmin, Role::Mediator, Role::SystemAdmin])?;
    let now = state.clock.now();
    let mut errors = FormErrors::new();
    let period = q.period.period(local_date(now), &mut errors);
    let mut page = DashboardPage {
        page: Page::new(req, "统计数据"),
        desk: Desk::of(me),
        period: period.words(),
        csv: format!(
            "/staff/dashboard.csv?{}{}",
            period.query(),
            q.bureau_code
                .as_deref()
                .map(|b| format!(
                    "&bureau_code={}",
                    percent_encoding::utf8_percent_encode(b, percent_encoding::NON_ALPHANUMERIC)
                ))
                .unwrap_or_default()
        ),
        from: period.from,
        to: period.to,
        bureau_code: q.bureau_code.clone(),
        indicators: None,
        stations: None,
        months: None,
        alerts: Vec::new(),
        ranking: None,
        notice: None,
    };
    let mut read = None;
    if let Some((from, to)) = period.dates {
        let query = StatsQuery {
            bureau_code: q.bureau_code.clone(),
            station_id: None,
            from,
            to,
        };
        let figures = statistics::read(&state.db, &me.staff, &query, now).await?;
        let s = figures.total();
        page.indicators = Some(indicators(&s));
        if !full {
            return Ok((page, Some(s)));
        }
        let months = figures.received_by_month();
        page.months = Some(BarChart {
            title: "每月收到的投诉".into(),
            unit: "件".into(),
            bars: months
                .iter()
                .map(|(m, n)| (m.format("%Y年%-m月").to_string(), *n as u64))
                .collect(),
        });
        if me.staff.role != Role::Mediator {
            let bureau = Some(s.bureau_code.as_str());
            page.alerts = warnings::open_alerts(&state.db, &me.staff, bureau, now)
                .await?
                .into_iter()
                .map(|a| {
                    let what = match a.kind {
                        AlertKind::MassComplaint => format!(
                            "群体投诉预警：{}，{} 日内 {} 件投诉",
                            a.subject, a.window_days, a.case_count
                        ),
                        AlertKind::SerialComplainant => format!(
                            "职业索赔预警：{}，{} 日内投诉 {} 家经营者",
                            a.subject, a.window_days, a.case_count
                        ),
                    };
                    (a.id, what, chinese_time(a.raised_at))
                })
                .collect();
            let week = warnings::ranking(
                &state.db,
                &me.staff,
                &RankingQuery {
                    bureau_code: Some(s.bureau_code.clone()),
                    week_of: None,
                },
                now,
            )
            .await?;
            page.ranking = Some(Table {
                caption: format!(
                    "本周投诉举报较多的经营者（{}至{}）",
                    chinese_date(week.week_start),
                    chinese_date(week.week_end)
                ),
                head: ["经营者", "投诉", "举报", "合计"]
                    .map(String::from)
                    .to_vec(),
                rows: week
                    .businesses
                    .into_iter()
                    .map(|b| {
                        vec![
                            b.respondent_name,
                            b.complaints.to_string(),
                            b.reports.to_string(),
                            b.total.to_string(),
                        ]
                    })
                    .collect(),
                numeric: vec![1, 2, 3],
            });
            let mut rows = Vec::new();
            for st in crate::routing::registry::stations_of(&state.db, &s.bureau_code).await? {
                let t = figures.station(&st.id);
                rows.push(vec![
                    st.name,
                    t.complaints_received.to_string(),
                    t.complaints_closed.to_string(),
                    percent(t.on_time_closure.rate),
                    percent(t.mediation_success.rate),
                    percent(t.satisfaction.rate),
                    yuan(t.money_recovered_fen),
                ]);
            }
            page.stations = Some(Table {
                caption: "各所情况".into(),
                head: [
                    "监管所",
                    "收到投诉",
                    "办结",
                    "按时办结率",
                    "调解成功率",
                    "满意率",
                    "挽回经济损失（元）",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                numeric: vec![1, 2, 3, 4, 5, 6],
            });
        }
        read = Some(s);
    }
    page.page = page.page.with_errors(errors);
    Ok((page, read))
}

/// `GET /staff/dashboard`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    me: SignedIn,
    q: web::Query<DashboardQuery>,
) -> Result<CustomizeResponder<DashboardPage>, ApiError> {
    let (mut page, read) = read(&state, &req, &me, &q, true).await?;
    page.notice = super::signed_in::take_notice(&session);
    let status = if read.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page.customize().with_status(status))
}

/// `GET /staff/dashboard.csv`: the indicators as `GET /api/v1/statistics.csv` gives them.
pub async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    q: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, read) = read(&state, &req, &me, &q, false).await?;
    let s =
        read.ok_or_else(|| ApiError::bad_request("invalid_period", "the period is not valid"))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!(
                "attachment; filename=\"statistics-{}-{}-{}.csv\"",
                s.bureau_code, s.from, s.to
            ),
        ))
        .body(statistics::to_csv(&s)))
}

/// `POST /staff/alerts/{id}/acknowledge`: the step of `POST /api/v1/oversight/alerts/{id}/acknowledge`;
/// back to the dashboard.
pub async fn acknowledge(
    state: web::Data<AppState>,
    session: actix_session::Session,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<web::Redirect, ApiError> {
    let txn = crate::db::begin_write(&state.db).await?;
    warnings::acknowledge(&txn, &me.staff, *path, state.clock.now()).await?;
    txn.commit().await?;
    super::signed_in::notice(&session, "已确认预警。");
    Ok(web::Redirect::to("/staff/dashboard").see_other())
}
