//! The report journey's pages as templates, each filled from the draft's answers and the errors
//! of its last submission.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::answers::{Answers, Step};
use crate::divisions::Divisions;
use crate::domain::dates::chinese_date_with_weekday;
use crate::domain::vocabulary::Category;
use crate::http::ApiResult;
use crate::web::complaint::questions::{options, yes_no};
use crate::web::components::{Choice, DateParts, FormErrors, SummaryRow};
use crate::web::page::{Page, back, html, status};

pub const START: &str = "/report";
pub const CHOOSE: &str = "/report/place/choose";
pub const PICK: &str = "/report/place/pick";
pub const CHECK: &str = "/report/check";
pub const RECEIPT: &str = "/report/receipt";

#[derive(Template)]
#[template(path = "report/start.html")]
pub struct StartPage {
    pub page: Page,
}

#[derive(Template)]
#[template(path = "report/business.html")]
struct BusinessPage {
    page: Page,
    a: Answers,
}

#[derive(Template)]
#[template(path = "report/what.html")]
struct WhatPage {
    page: Page,
    a: Answers,
    categories: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "report/place.html")]
struct PlacePage {
    page: Page,
    a: Answers,
    date: DateParts,
}

#[derive(Template)]
#[template(path = "report/you.html")]
struct YouPage {
    page: Page,
    a: Answers,
    named: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "report/check.html")]
struct CheckPage {
    page: Page,
    business: Vec<SummaryRow>,
    clue: Vec<SummaryRow>,
    you: Vec<SummaryRow>,
}

#[derive(Template)]
#[template(path = "report/receipt.html")]
struct ReceiptPage {
    page: Page,
    receipt_number: String,
    /// Shown to a named reporter only; `None` also when it can no longer be opened.
    secret: Option<String>,
    named: bool,
    /// e.g. `2026年12月14日（星期一）`.
    verification_due: Option<String>,
}

/// A question page with the answers and the errors given.
pub fn step(
    step: Step,
    req: &HttpRequest,
    a: &Answers,
    errors: FormErrors,
) -> ApiResult<HttpResponse> {
    let code = status(&errors);
    let page = |title: &str, previous: &str| {
        Page::new(req, title)
            .with_errors(errors.clone())
            .with_back(back(req, CHECK, previous))
    };
    let a = a.clone();
    match step {
        Step::Business => html(
            &BusinessPage {
                page: page("被举报的经营者", START),
                a,
            },
            code,
        ),
        Step::What => html(
            &WhatPage {
                page: page("经营者做了什么", Step::Business.path()),
                categories: options(
                    Category::ALL,
                    Category::as_str,
                    Category::label,
                    &[a.category.as_str()],
                ),
                a,
            },
            code,
        ),
        Step::Place => html(
            &PlacePage {
                page: page("发生的时间和地点", Step::What.path()),
                date: a.date(),
                a,
            },
            code,
        ),
        Step::Evidence => crate::web::attach::page::<Answers>(req, &a.files, errors),
        Step::You => html(
            &YouPage {
                page: page("实名还是匿名", Step::Evidence.path()),
                named: yes_no("实名举报", "匿名举报", &a.named),
                a,
            },
            code,
        ),
    }
}

fn change(step: Step) -> String {
    format!("{}?change=1", step.path())
}

fn or_none(text: &str) -> String {
    if text.trim().is_empty() {
        "未填写".to_owned()
    } else {
        text.trim().to_owned()
    }
}

/// "Check your answers", with `errors` from a refused submit that no page owns.
pub fn check(req: &HttpRequest, a: &Answers, errors: FormErrors) -> ApiResult<HttpResponse> {
    let code = status(&errors);
    let business = vec![
        SummaryRow::new(
            "经营者名称",
            or_none(&a.business_name),
            change(Step::Business),
        ),
        SummaryRow::new(
            "统一社会信用代码",
            or_none(&a.business_uscc),
            change(Step::Business),
        ),
        SummaryRow::new(
            "经营者地址",
            or_none(&a.business_address),
            change(Step::Business),
        ),
    ];
    let place = match Divisions::builtin().full_name(&a.place_code) {
        Some(name) => format!("{}（{name}）", a.place.trim()),
        None => or_none(&a.place),
    };
    let clue = vec![
        SummaryRow::new(
            "举报类别",
            Category::parse(&a.category).map_or("未填写", Category::label),
            change(Step::What),
        ),
        SummaryRow::new(
            "商品或服务",
            or_none(&a.goods_or_service),
            change(Step::What),
        ),
        SummaryRow::new("举报内容", or_none(&a.facts), change(Step::What)),
        SummaryRow::new(
            "日期",
            a.date()
                .parse()
                .map_or_else(|| "未填写".to_owned(), chinese_date_with_weekday),
            change(Step::Place),
        ),
        SummaryRow::new("地点", place, change(Step::Place)),
        SummaryRow::new(
            "证据材料",
            crate::web::attach::names(&a.files),
            change(Step::Evidence),
        ),
    ];
    let you = if a.is_named() {
        vec![
            SummaryRow::new("举报方式", "实名举报", change(Step::You)),
            SummaryRow::new("姓名", or_none(&a.name), change(Step::You)),
            SummaryRow::new("手机号码", or_none(&a.phone), change(Step::You)),
            SummaryRow::new("电子邮箱", or_none(&a.email), change(Step::You)),
        ]
    } else {
        vec![SummaryRow::new(
            "举报方式",
            "匿名举报（不留姓名和联系方式）",
            change(Step::You),
        )]
    };
    html(
        &CheckPage {
            page: Page::new(req, "提交前请检查您的举报")
                .with_errors(errors)
                .with_back(Step::You.path()),
            business,
            clue,
            you,
        },
        code,
    )
}

pub fn receipt(
    req: &HttpRequest,
    receipt_number: String,
    secret: Option<String>,
    named: bool,
    verification_due: Option<NaiveDate>,
) -> ApiResult<HttpResponse> {
    html(
        &ReceiptPage {
            page: Page::new(req, "举报已提交"),
            receipt_number,
            secret: secret.filter(|_| named),
            named,
            verification_due: verification_due.map(chinese_date_with_weekday),
        },
        StatusCode::OK,
    )
}
