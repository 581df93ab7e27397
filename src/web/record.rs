//! A business's public record (`/record`): its 统一社会信用代码 asked for, then the complaint
//! disclosure the API publishes, from the same step: only complaints whose consumer consented,
//! never personal data, the figures in words and by category as a table with its chart.

use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::components::{BarChart, FormErrors};
use super::page::Page;
use crate::domain::identifiers::Uscc;
use crate::domain::vocabulary::Category;
use crate::http::ApiError;
use crate::oversight::disclosure::{self, Disclosure, disclose};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "record/start.html")]
pub struct RecordForm {
    page: Page,
    uscc: String,
}

#[derive(Deserialize)]
pub struct RecordInput {
    #[serde(default)]
    uscc: String,
}

/// `GET /record`
pub async fn form(req: HttpRequest) -> RecordForm {
    RecordForm {
        page: Page::new(&req, "查询经营者投诉公示").with_back("/"),
        uscc: String::new(),
    }
}

/// `POST /record`: a well-formed code leads to its record; anything else comes back at the field.
pub async fn find(
    req: HttpRequest,
    input: web::Form<RecordInput>,
) -> Either<web::Redirect, CustomizeResponder<RecordForm>> {
    let typed = input.into_inner().uscc;
    let message = match Uscc::parse(&typed) {
        Ok(uscc) => {
            return Either::Left(web::Redirect::to(format!("/record/{uscc}")).see_other());
        }
        Err(_) if typed.trim().is_empty() => "请输入统一社会信用代码",
        Err(_) if typed.trim().chars().count() != 18 => {
            "统一社会信用代码应为 18 位，请核对营业执照上的代码"
        }
        Err(_) => "统一社会信用代码有误，请核对营业执照上的代码，注意不要把字母 O 写成数字 0",
    };
    let mut errors = FormErrors::new();
    errors.add("uscc", message);
    let page = RecordForm {
        page: Page::new(&req, "查询经营者投诉公示")
            .with_back("/")
            .with_errors(errors),
        uscc: typed,
    };
    Either::Right(
        page.customize()
            .with_status(StatusCode::UNPROCESSABLE_ENTITY),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "record/record.html")]
pub struct RecordPage {
    page: Page,
    d: Disclosure,
    /// `None` when the year has no published complaint.
    chart: Option<BarChart>,
    growth: String,
    mediation: String,
    settlement: String,
}

/// `GET /record/{uscc}`: an address with a false code is a page that does not exist.
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<RecordPage, ApiError> {
    let d = match disclose(&state.db, &path, None, state.clock.now()).await {
        Ok(d) => d,
        Err(disclosure::Error::Invalid(_)) => {
            return Err(ApiError::not_found("no such business code"));
        }
        Err(e) => return Err(e.into()),
    };
    let title = match &d.business_name {
        Some(name) => format!("{name}的投诉公示"),
        None => format!("{}的投诉公示", d.uscc),
    };
    let chart = (!d.by_category.is_empty()).then(|| BarChart {
        title: format!("{}年收到的投诉，按类别", d.year),
        unit: "件".into(),
        bars: d
            .by_category
            .iter()
            .map(|(key, n)| {
                (
                    Category::parse(key)
                        .map_or(key.as_str(), |c| c.label())
                        .to_owned(),
                    u64::try_from(*n).unwrap_or(0),
                )
            })
            .collect(),
    });
    Ok(RecordPage {
        page: Page::new(&req, title).with_back("/record"),
        growth: growth_words(&d),
        mediation: match d.mediation_success_rate {
            Some(r) => format!("{}：调解结束的投诉中，达成调解协议的占这个比例", percent(r)),
            None => "今年还没有调解结束的投诉".to_owned(),
        },
        settlement: match d.settlement_rate {
            Some(r) => format!(
                "{}：办结的投诉中，经企业和解或调解解决的占这个比例",
                percent(r)
            ),
            None => "今年还没有办结的投诉".to_owned(),
        },
        chart,
        d,
    })
}

fn percent(ratio: f64) -> String {
    format!("{:.0}%", ratio * 100.0)
}

fn growth_words(d: &Disclosure) -> String {
    match d.growth {
        None => "上一年没有公示的投诉，无法比较".to_owned(),
        Some(g) if g > 0.0 => format!("比上一年增加 {}", percent(g)),
        Some(g) if g < 0.0 => format!("比上一年减少 {}", percent(-g)),
        Some(_) => "与上一年持平".to_owned(),
    }
}
