//! The complaint journey's pages as templates, each filled from the draft's answers and the
//! errors of its last submission.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::draft::{Answers, ME};
use super::questions::{Step, date_parts, id_type_label, options, yes_no, yuan_to_fen};
use crate::divisions::Divisions;
use crate::domain::dates::chinese_date_with_weekday;
use crate::domain::vocabulary::{Category, Demand, IdType};
use crate::http::ApiResult;
use crate::web::components::{Choice, DateParts, FormErrors, SummaryRow};
use crate::web::page::{Page, back, html, status};

pub const START: &str = "/complaint";
pub const CHOOSE: &str = "/complaint/place/choose";
pub const PICK: &str = "/complaint/place/pick";
pub const CHECK: &str = "/complaint/check";
pub const RECEIPT: &str = "/complaint/receipt";
pub const OTHERS: &str = "/complaint/others";

#[derive(Template)]
#[template(path = "complaint/start.html")]
pub struct StartPage {
    pub page: Page,
}

#[derive(Template)]
#[template(path = "complaint/business.html")]
struct BusinessPage {
    page: Page,
    a: Answers,
    platform: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "complaint/place.html")]
struct PlacePage {
    page: Page,
    a: Answers,
    date: DateParts,
}

#[derive(Template)]
#[template(path = "complaint/what.html")]
struct WhatPage {
    page: Page,
    a: Answers,
    categories: Vec<Choice>,
    demands: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "complaint/you.html")]
struct YouPage {
    page: Page,
    a: Answers,
    id_types: Vec<Choice>,
    conceal: Vec<Choice>,
    consent: Vec<Choice>,
    odr_first: Vec<Choice>,
    delegated: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "complaint/check.html")]
struct CheckPage {
    page: Page,
    business: Vec<SummaryRow>,
    dispute: Vec<SummaryRow>,
    you: Vec<SummaryRow>,
    /// Others complaining with the consumer, and who represents them.
    together: Vec<SummaryRow>,
}

#[derive(Template)]
#[template(path = "complaint/receipt.html")]
struct ReceiptPage {
    page: Page,
    receipt_number: String,
    /// `None` when it can no longer be opened (sealed under another key).
    secret: Option<String>,
    /// e.g. `2026年12月11日（星期五）`.
    acceptance_due: Option<String>,
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
                page: page("经营者的信息", START),
                platform: yes_no("是，在网络平台上购买", "否", &a.on_platform),
                a,
            },
            code,
        ),
        Step::Place => html(
            &PlacePage {
                page: page("消费的时间和地点", Step::Business.path()),
                date: date_parts(&a),
                a,
            },
            code,
        ),
        Step::What => html(
            &WhatPage {
                page: page("发生了什么", Step::Place.path()),
                categories: options(
                    Category::ALL,
                    Category::as_str,
                    Category::label,
                    &[a.category.as_str()],
                ),
                demands: options(
                    Demand::ALL,
                    Demand::as_str,
                    Demand::label,
                    &a.demands.iter().map(String::as_str).collect::<Vec<_>>(),
                ),
                a,
            },
            code,
        ),
        Step::Evidence => crate::web::attach::page::<Answers>(req, &a.files, errors),
        Step::You => html(
            &YouPage {
                page: page("您的信息", Step::Evidence.path()),
                id_types: options(
                    IdType::ALL,
                    IdType::as_str,
                    id_type_label,
                    &[a.id_type.as_str()],
                ),
                conceal: yes_no("是，不让经营者看到我的身份和联系方式", "否", &a.conceal),
                consent: yes_no("同意", "不同意", &a.consent),
                odr_first: yes_no(
                    "是，先由经营者处理",
                    "否，直接由市场监管部门处理",
                    &a.odr_first,
                ),
                delegated: yes_no("同意", "不同意", &a.delegated),
                a,
            },
            code,
        ),
    }
}

/// `张三（13800000000）`
pub fn named(name: &str, phone: &str) -> String {
    format!("{}（{}）", name.trim(), phone.trim())
}

/// Who represents the joint complaint, in words; empty when nobody complains with the consumer.
fn representatives_words(a: &Answers) -> String {
    let mut out = Vec::new();
    if a.representatives.iter().any(|r| r == ME) {
        out.push(format!("{}（本人）", a.name.trim()));
    }
    for o in &a.others {
        if a.representatives.contains(&o.phone) {
            out.push(o.name.trim().to_owned());
        }
    }
    out.join("、")
}

/// A 更改 link to a page.
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

fn yes_no_words(answer: &str, yes: &str, no: &str) -> String {
    match answer {
        "yes" => yes.to_owned(),
        "no" => no.to_owned(),
        _ => "未填写".to_owned(),
    }
}

/// "Check your answers", with `errors` from a refused submit that no page owns.
pub fn check(req: &HttpRequest, a: &Answers, errors: FormErrors) -> ApiResult<HttpResponse> {
    let code = status(&errors);
    let d = Divisions::builtin();
    let business = vec![
        SummaryRow::new(
            "经营者名称",
            or_none(&a.business_name),
            change(Step::Business),
        ),
        SummaryRow::new(
            "统一社会信用代码",
            match (a.business_uscc.trim(), a.registry_uscc.as_str()) {
                ("", "") => "未填写".to_owned(),
                ("", found) => format!("{found}（按名称在经营者登记名录中找到）"),
                (typed, _) => typed.to_owned(),
            },
            change(Step::Business),
        ),
        SummaryRow::new(
            "经营者地址",
            or_none(&a.business_address),
            change(Step::Business),
        ),
        SummaryRow::new(
            "网络平台",
            yes_no_words(
                &a.on_platform,
                &format!("是：{}", a.platform_name.trim()),
                "否",
            ),
            change(Step::Business),
        ),
    ];
    let date = date_parts(a)
        .parse()
        .map_or_else(|| "未填写".to_owned(), chinese_date_with_weekday);
    let place = match d.full_name(&a.place_code) {
        Some(name) => format!("{}（{name}）", a.place.trim()),
        None => or_none(&a.place),
    };
    let amount = match yuan_to_fen(&a.amount) {
        Some(fen) => format!("{}.{:02} 元", fen / 100, fen % 100),
        None => "未填写".to_owned(),
    };
    let demands: Vec<&str> = a
        .demands
        .iter()
        .filter_map(|x| Demand::parse(x).map(Demand::label))
        .collect();
    let dispute = vec![
        SummaryRow::new("日期", date, change(Step::Place)),
        SummaryRow::new("地点", place, change(Step::Place)),
        SummaryRow::new(
            "投诉类别",
            Category::parse(&a.category).map_or("未填写", Category::label),
            change(Step::What),
        ),
        SummaryRow::new(
            "商品或服务",
            or_none(&a.goods_or_service),
            change(Step::What),
        ),
        SummaryRow::new("金额", amount, change(Step::What)),
        SummaryRow::new("事情经过", or_none(&a.facts), change(Step::What)),
        SummaryRow::new("诉求", or_none(&demands.join("、")), change(Step::What)),
        SummaryRow::new(
            "证据材料",
            crate::web::attach::names(&a.files),
            change(Step::Evidence),
        ),
    ];
    let mut you = vec![
        SummaryRow::new("姓名", or_none(&a.name), change(Step::You)),
        SummaryRow::new("手机号码", or_none(&a.phone), change(Step::You)),
        SummaryRow::new("电子邮箱", or_none(&a.email), change(Step::You)),
        SummaryRow::new(
            "证件",
            match IdType::parse(&a.id_type) {
                Some(t) => format!("{} {}", id_type_label(t), a.id_number.trim()),
                None => "未填写".to_owned(),
            },
            change(Step::You),
        ),
        SummaryRow::new("联系地址", or_none(&a.address), change(Step::You)),
        SummaryRow::new(
            "向经营者隐藏身份",
            yes_no_words(&a.conceal, "是", "否"),
            change(Step::You),
        ),
        SummaryRow::new(
            "同意公示",
            yes_no_words(&a.consent, "同意", "不同意"),
            change(Step::You),
        ),
    ];
    if a.odr_available {
        you.push(SummaryRow::new(
            "先由经营者处理",
            yes_no_words(&a.odr_first, "是", "否"),
            change(Step::You),
        ));
    }
    you.push(SummaryRow::new(
        "同意委托调解",
        yes_no_words(&a.delegated, "同意", "不同意"),
        change(Step::You),
    ));
    let mut together: Vec<SummaryRow> = a
        .others
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let id = IdType::parse(&o.id_type).map_or("", id_type_label);
            SummaryRow::new(
                format!("一起投诉的人 {}", i + 1),
                format!(
                    "{}（{}），{id} {}，{}",
                    o.name.trim(),
                    o.phone.trim(),
                    o.id_number.trim(),
                    o.address.trim()
                ),
                OTHERS.to_owned(),
            )
        })
        .collect();
    together.push(if a.others.is_empty() {
        SummaryRow::new(
            "一起投诉的人",
            "没有（只有您本人投诉）".to_owned(),
            OTHERS.to_owned(),
        )
    } else {
        SummaryRow::new(
            "代表人",
            or_none(&representatives_words(a)),
            OTHERS.to_owned(),
        )
    });
    html(
        &CheckPage {
            page: Page::new(req, "提交前请检查您的投诉")
                .with_errors(errors)
                .with_back(Step::You.path()),
            business,
            dispute,
            you,
            together,
        },
        code,
    )
}

pub fn receipt(
    req: &HttpRequest,
    receipt_number: String,
    secret: Option<String>,
    acceptance_due: Option<NaiveDate>,
) -> ApiResult<HttpResponse> {
    html(
        &ReceiptPage {
            page: Page::new(req, "投诉已提交"),
            receipt_number,
            secret,
            acceptance_due: acceptance_due.map(chinese_date_with_weekday),
        },
        StatusCode::OK,
    )
}
