//! A report's answers as typed, each question page's own checks in Chinese (the API's parsers and
//! limits; the intake checks the whole again), and the API's [`ReportRequest`] they make.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::ValidateEmail;

use crate::domain::identifiers::{PersonName, Phone, Uscc};
use crate::domain::vocabulary::{Category, Channel};
use crate::http::{ApiError, ApiResult};
use crate::intake::request::{ClueInput, PersonInput, ReportRequest, RespondentInput};
use crate::web::complaint::draft::Kind;
use crate::web::components::{DateParts, FormErrors};

/// Every answer as the reporter typed it.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Answers {
    pub business_name: String,
    pub business_uscc: String,
    pub business_address: String,
    pub category: String,
    pub goods_or_service: String,
    pub facts: String,
    pub occurred_year: String,
    pub occurred_month: String,
    pub occurred_day: String,
    pub place: String,
    /// The town (or county) the place resolved to, or the one chosen among its candidates.
    pub place_code: String,
    /// `yes` (named) or `no` (anonymous).
    pub named: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    /// The evidence uploaded, in the store already.
    pub files: Vec<crate::evidence::add::Stored>,
}

impl Kind for Answers {
    const SESSION_KEY: &'static str = "report_draft";
}

impl Answers {
    pub fn is_named(&self) -> bool {
        self.named == "yes"
    }

    pub fn date(&self) -> DateParts {
        DateParts {
            year: self.occurred_year.clone(),
            month: self.occurred_month.clone(),
            day: self.occurred_day.clone(),
        }
    }

    fn date_blank(&self) -> bool {
        let d = self.date();
        [&d.year, &d.month, &d.day]
            .iter()
            .all(|p| p.trim().is_empty())
    }
}

/// The API's limit on what happened.
pub const FACTS_MAX: usize = 5000;

/// The question pages, in the order the journey asks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Business,
    What,
    Place,
    Evidence,
    You,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Business,
        Step::What,
        Step::Place,
        Step::Evidence,
        Step::You,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Step::Business => "/report/business",
            Step::What => "/report/what",
            Step::Place => "/report/place",
            Step::Evidence => "/report/evidence",
            Step::You => "/report/you",
        }
    }

    /// The page's own errors for the answers it holds.
    pub fn check(self, a: &Answers, today: NaiveDate) -> FormErrors {
        let mut e = FormErrors::new();
        match self {
            Step::Business => business(a, &mut e),
            Step::What => what(a, &mut e),
            Step::Place => {
                date(a, today, &mut e);
                if a.place_code.is_empty() {
                    e.add("place", "请选择违法行为发生的地点");
                }
            }
            // Files are checked as they are uploaded; none is needed.
            Step::Evidence => {}
            Step::You => you(a, &mut e),
        }
        e
    }

    /// The page and field that ask for a field of the API's request.
    pub fn owning(api_field: &str) -> Option<(Step, &'static str)> {
        Some(match api_field {
            "respondent.name" => (Step::Business, "business_name"),
            "respondent.uscc" => (Step::Business, "business_uscc"),
            "respondent.address" | "respondent.division_code" => {
                (Step::Business, "business_address")
            }
            "category" => (Step::What, "category"),
            "clue.goods_or_service" => (Step::What, "goods_or_service"),
            "clue.what" => (Step::What, "facts"),
            "clue.occurred_on" => (Step::Place, "occurred_on"),
            "clue.division_code" | "clue.place" | "clue.address" => (Step::Place, "place"),
            "reporter.name" => (Step::You, "name"),
            "reporter.phone" => (Step::You, "phone"),
            "reporter.email" => (Step::You, "email"),
            f if f.starts_with("files") => (Step::Evidence, "files"),
            _ => return None,
        })
    }
}

fn length_between(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.trim().chars().count())
}

fn business(a: &Answers, e: &mut FormErrors) {
    if a.business_name.trim().is_empty() {
        e.add("business_name", "请输入被举报经营者的名称");
    } else if !length_between(&a.business_name, 1, 200) {
        e.add("business_name", "经营者名称最多 200 字");
    }
    if !a.business_uscc.trim().is_empty() && Uscc::parse(&a.business_uscc).is_err() {
        e.add(
            "business_uscc",
            "统一社会信用代码应为 18 位数字或大写字母，请对照营业执照核对",
        );
    }
    if a.business_address.trim().is_empty() {
        e.add("business_address", "请输入经营者地址");
    } else if !length_between(&a.business_address, 2, 300) {
        e.add("business_address", "经营者地址应为 2 到 300 字");
    }
}

fn what(a: &Answers, e: &mut FormErrors) {
    if Category::parse(&a.category).is_none() {
        e.add("category", "请选择举报类别");
    }
    if !a.goods_or_service.trim().is_empty() && !length_between(&a.goods_or_service, 1, 200) {
        e.add("goods_or_service", "商品或服务最多 200 字");
    }
    let facts = a.facts.trim().chars().count();
    if facts == 0 {
        e.add("facts", "请写下经营者做了什么");
    } else if facts < 5 {
        e.add("facts", "举报内容至少 5 个字");
    } else if facts > FACTS_MAX {
        e.add("facts", format!("举报内容最多 {FACTS_MAX} 字"));
    }
}

/// The date is optional; one typed must be a real day, not after today.
pub fn date(a: &Answers, today: NaiveDate, e: &mut FormErrors) {
    if a.date_blank() {
        return;
    }
    match a.date().parse() {
        None => e.add("occurred_on", "日期必须是真实的日期，例如 2026 11 20"),
        Some(d) if d > today => e.add("occurred_on", "日期不能晚于今天"),
        Some(_) => {}
    }
}

fn you(a: &Answers, e: &mut FormErrors) {
    match a.named.as_str() {
        "no" => {}
        "yes" => {
            if a.name.trim().is_empty() {
                e.add("name", "实名举报请输入您的姓名");
            } else if PersonName::parse(&a.name).is_err() {
                e.add("name", "请输入身份证件上的姓名");
            }
            if a.phone.trim().is_empty() {
                e.add("phone", "实名举报请输入您的手机号码");
            } else if Phone::parse_personal(&a.phone).is_err() {
                e.add("phone", "请输入正确的手机号码，例如 13800000000");
            }
            if !a.email.trim().is_empty() && !a.email.trim().validate_email() {
                e.add(
                    "email",
                    "请输入正确的电子邮箱地址，例如 zhangsan@example.com",
                );
            }
        }
        _ => e.add("named", "请选择实名举报还是匿名举报"),
    }
}

/// Text typed, `None` when left empty.
fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The API's request for the answers, which the pages have checked.
pub fn request(a: &Answers) -> ApiResult<ReportRequest> {
    let missing = |what: &str| ApiError::internal(format!("the checked draft has no {what}"));
    Ok(ReportRequest {
        channel: Channel::Web,
        category: Category::parse(&a.category).ok_or_else(|| missing("category"))?,
        // An anonymous report carries nothing of the reporter, whatever was typed before the
        // choice changed.
        reporter: a.is_named().then(|| PersonInput {
            name: a.name.trim().to_owned(),
            phone: a.phone.trim().to_owned(),
            address: None,
            id_type: None,
            id_number: None,
            email: optional(&a.email),
            representative: false,
        }),
        respondent: RespondentInput {
            name: a.business_name.trim().to_owned(),
            uscc: optional(&a.business_uscc),
            address: a.business_address.trim().to_owned(),
            division_code: None,
            platform: None,
            published_address_reachable: true,
        },
        clue: ClueInput {
            what: a.facts.trim().to_owned(),
            occurred_on: a.date().parse(),
            division_code: optional(&a.place_code),
            place: optional(&a.place),
            goods_or_service: optional(&a.goods_or_service),
        },
        evidence: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anonymous_report_carries_nothing_of_the_reporter() {
        let a = Answers {
            business_name: "某店".into(),
            business_address: "浙江省嘉兴市嘉善县西塘镇南大街8号".into(),
            category: "catering".into(),
            facts: "销售过期食品".into(),
            place: "西塘镇".into(),
            place_code: "330421103".into(),
            named: "no".into(),
            name: "张三".into(),
            phone: "13800000000".into(),
            ..Answers::default()
        };
        let r = request(&a).unwrap();
        assert!(r.reporter.is_none());
        assert_eq!(r.clue.occurred_on, None);
        assert_eq!(
            Step::owning("clue.occurred_on"),
            Some((Step::Place, "occurred_on"))
        );
    }
}
