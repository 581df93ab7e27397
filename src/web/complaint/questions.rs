//! The question pages' own checks, in Chinese, each page checking only its fields. The rules are
//! the API's own parsers (names, phones, codes, identity numbers) and limits; the API checks the
//! whole again when the complaint is filed.

use chrono::NaiveDate;
use validator::ValidateEmail;

use super::draft::{Answers, Other};
use crate::divisions::{AddressError, Divisions};
use crate::domain::identifiers::{PersonName, Phone, ResidentId, Uscc};
use crate::domain::vocabulary::{Category, Demand, IdType};
use crate::intake::request::MAX_AMOUNT_FEN;
use crate::web::components::{Choice, DateParts, FormErrors};

/// The question pages, in the order the journey asks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Business,
    Place,
    What,
    Evidence,
    You,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Business,
        Step::Place,
        Step::What,
        Step::Evidence,
        Step::You,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Step::Business => "/complaint/business",
            Step::Place => "/complaint/place",
            Step::What => "/complaint/what",
            Step::Evidence => "/complaint/evidence",
            Step::You => "/complaint/you",
        }
    }

    /// The page's own errors for the answers it holds.
    pub fn check(self, a: &Answers, today: NaiveDate) -> FormErrors {
        let mut e = FormErrors::new();
        match self {
            Step::Business => business(a, &mut e),
            Step::Place => {
                place_date(a, today, &mut e);
                if a.place_code.is_empty() {
                    e.add("place", "请选择消费或发生纠纷的地点");
                }
            }
            Step::What => what(a, &mut e),
            // Files are checked as they are uploaded; none is needed.
            Step::Evidence => {}
            Step::You => you(a, &mut e),
        }
        e
    }

    /// The page that asks for a field of the API's request (`respondent.uscc`), and the name of
    /// the field on that page.
    pub fn owning(api_field: &str) -> Option<(Step, &'static str)> {
        let field = match api_field {
            "respondent.name" => "business_name",
            "respondent.uscc" => "business_uscc",
            "respondent.address" | "respondent.division_code" => "business_address",
            f if f.starts_with("respondent.platform") => "platform_name",
            "dispute.occurred_on" => "occurred_on",
            "dispute.division_code" | "dispute.address" => "place",
            "category" => "category",
            "dispute.goods_or_service" => "goods_or_service",
            "dispute.amount_fen" => "amount",
            "dispute.facts" => "facts",
            "demands" => "demands",
            "complainant.name" => "name",
            "complainant.phone" => "phone",
            "complainant.email" => "email",
            "complainant.id_type" => "id_type",
            "complainant.id_number" => "id_number",
            "complainant.address" => "address",
            f if f.starts_with("files") => "files",
            _ => return None,
        };
        let step = match api_field.split('.').next() {
            _ if field == "files" => Step::Evidence,
            Some("respondent") => Step::Business,
            Some("complainant") => Step::You,
            _ if field == "occurred_on" || field == "place" => Step::Place,
            _ => Step::What,
        };
        Some((step, field))
    }

    /// What the page says at a field the API refused, in place of the API's English.
    pub fn refused(field: &str) -> &'static str {
        match field {
            "business_address" => "这个地址对应多个地方，请写上省、市和县（区）",
            "place" => "请重新选择消费或发生纠纷的地点",
            "id_number" => "请核对证件号码",
            "files" => "有文件已失效，请删除后重新上传",
            _ => "请核对这一项",
        }
    }
}

fn length_between(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.trim().chars().count())
}

fn business(a: &Answers, e: &mut FormErrors) {
    if a.business_name.trim().is_empty() {
        e.add("business_name", "请输入经营者名称");
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
    } else if let Err(AddressError::Ambiguous { .. }) =
        Divisions::builtin().resolve_address(&a.business_address)
    {
        e.add("business_address", Step::refused("business_address"));
    }
    match a.on_platform.as_str() {
        "yes" if a.platform_name.trim().is_empty() => e.add("platform_name", "请输入平台名称"),
        "yes" if !length_between(&a.platform_name, 1, 200) => {
            e.add("platform_name", "平台名称最多 200 字")
        }
        "yes" | "no" => {}
        _ => e.add("on_platform", "请选择是否在网络平台上购买"),
    }
}

pub fn date_parts(a: &Answers) -> DateParts {
    DateParts {
        year: a.occurred_year.clone(),
        month: a.occurred_month.clone(),
        day: a.occurred_day.clone(),
    }
}

pub fn place_date(a: &Answers, today: NaiveDate, e: &mut FormErrors) {
    let parts = date_parts(a);
    if [&parts.year, &parts.month, &parts.day]
        .iter()
        .all(|p| p.trim().is_empty())
    {
        e.add("occurred_on", "请输入消费或发生纠纷的日期");
    } else {
        match parts.parse() {
            None => e.add("occurred_on", "日期必须是真实的日期，例如 2026 11 20"),
            Some(d) if d > today => e.add("occurred_on", "日期不能晚于今天"),
            Some(_) => {}
        }
    }
}

/// Where the place text leads: one town, a choice among candidates, or an error message.
pub enum Resolved {
    One(String),
    Choose(Vec<String>),
    Error(&'static str),
}

/// The place typed, resolved against the national divisions. A county without a town offers
/// its towns; a city among the candidates offers its counties, since a complaint needs a
/// county or a town.
pub fn resolve_place(text: &str) -> Resolved {
    let text = text.trim();
    if text.is_empty() {
        return Resolved::Error("请输入消费或发生纠纷的地点");
    }
    if !length_between(text, 2, 300) {
        return Resolved::Error("地点应为 2 到 300 字");
    }
    let d = Divisions::builtin();
    let codes = |list: Vec<&crate::divisions::Division>| -> Vec<String> {
        list.iter().map(|x| x.code.to_owned()).collect()
    };
    match d.resolve_address(text) {
        Ok(town) => Resolved::One(town.code.to_owned()),
        Err(AddressError::CountyOnly { county_code }) => {
            Resolved::Choose(codes(d.children(&county_code)))
        }
        Err(AddressError::Ambiguous { candidates }) => Resolved::Choose(
            candidates
                .iter()
                .flat_map(|c| match d.county_of(c) {
                    Some(_) => vec![c.clone()],
                    None => codes(d.children(c)),
                })
                .collect(),
        ),
        Err(AddressError::Unknown) => {
            Resolved::Error("没有找到这个地点，请写上省、市、县（区）和乡镇（街道）")
        }
    }
}

/// `128`, `128.5`, `1,280.50 元` → fen; `None` for anything else.
pub fn yuan_to_fen(text: &str) -> Option<i64> {
    let t: String = text
        .trim()
        .trim_end_matches('元')
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    let (whole, cents) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || cents.len() > 2
        || !whole
            .chars()
            .chain(cents.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{cents:0<2}");
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents.parse().ok()?)
}

fn what(a: &Answers, e: &mut FormErrors) {
    if Category::parse(&a.category).is_none() {
        e.add("category", "请选择投诉类别");
    }
    if a.goods_or_service.trim().is_empty() {
        e.add("goods_or_service", "请输入购买的商品或接受的服务");
    } else if !length_between(&a.goods_or_service, 1, 200) {
        e.add("goods_or_service", "商品或服务最多 200 字");
    }
    if !a.amount.trim().is_empty() {
        match yuan_to_fen(&a.amount) {
            None => e.add("amount", "金额只能填数字，最多两位小数，例如 128 或 128.50"),
            Some(f) if f > MAX_AMOUNT_FEN => e.add("amount", "金额不能超过 1 亿元"),
            Some(_) => {}
        }
    }
    let facts = a.facts.trim().chars().count();
    if facts == 0 {
        e.add("facts", "请写下事情经过");
    } else if facts < 5 {
        e.add("facts", "事情经过至少 5 个字");
    } else if facts > FACTS_MAX {
        e.add("facts", format!("事情经过最多 {FACTS_MAX} 字"));
    }
    if a.demands.is_empty() || a.demands.iter().any(|d| Demand::parse(d).is_none()) {
        e.add("demands", "请选择至少一项诉求");
    }
}

/// The API's limit on the facts.
pub const FACTS_MAX: usize = 5000;

fn you(a: &Answers, e: &mut FormErrors) {
    let me = Other {
        name: a.name.clone(),
        phone: a.phone.clone(),
        id_type: a.id_type.clone(),
        id_number: a.id_number.clone(),
        address: a.address.clone(),
    };
    person(&me, "您的", e);
    if !a.email.trim().is_empty() && !a.email.trim().validate_email() {
        e.add(
            "email",
            "请输入正确的电子邮箱地址，例如 zhangsan@example.com",
        );
    }
    if !matches!(a.conceal.as_str(), "yes" | "no") {
        e.add("conceal", "请选择是否向经营者隐藏您的身份");
    }
    if !matches!(a.consent.as_str(), "yes" | "no") {
        e.add("consent", "请选择是否同意公示");
    }
    if a.odr_available && !matches!(a.odr_first.as_str(), "yes" | "no") {
        e.add("odr_first", "请选择是否先由经营者处理");
    }
    if !matches!(a.delegated.as_str(), "yes" | "no") {
        e.add("delegated", "请选择是否同意委托调解");
    }
}

/// A complainant's identity as the page about you and the page adding another person ask for
/// it (the same field names); `whose` (`您的`, `这位投诉人的`) words the messages. The email is
/// asked of the consumer only.
pub fn person(p: &Other, whose: &str, e: &mut FormErrors) {
    if p.name.trim().is_empty() {
        e.add("name", format!("请输入{whose}姓名"));
    } else if PersonName::parse(&p.name).is_err() {
        e.add("name", "请输入身份证件上的姓名");
    }
    if p.phone.trim().is_empty() {
        e.add("phone", format!("请输入{whose}手机号码"));
    } else if Phone::parse(&p.phone).is_err() {
        e.add("phone", "请输入正确的手机号码，例如 13800000000");
    }
    match IdType::parse(&p.id_type) {
        None => e.add("id_type", "请选择证件类型"),
        Some(_) if p.id_number.trim().is_empty() => e.add("id_number", "请输入证件号码"),
        Some(IdType::ResidentId) if ResidentId::parse(&p.id_number).is_err() => {
            e.add("id_number", "身份证号码应为 18 位，请核对")
        }
        Some(_)
            if !length_between(&p.id_number, 2, 40)
                || !p
                    .id_number
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            e.add("id_number", "证件号码只能包含字母、数字和“-”")
        }
        Some(_) => {}
    }
    if p.address.trim().is_empty() {
        e.add("address", format!("请输入{whose}联系地址"));
    } else if !length_between(&p.address, 2, 200) {
        e.add("address", "联系地址应为 2 到 200 字");
    }
}

pub fn id_type_label(t: IdType) -> &'static str {
    match t {
        IdType::ResidentId => "居民身份证",
        IdType::Passport => "护照",
        IdType::HkMacaoPermit => "港澳居民来往内地通行证",
        IdType::TaiwanPermit => "台湾居民来往大陆通行证",
        IdType::ForeignPermanentResidence => "外国人永久居留身份证",
        IdType::Other => "其他证件",
    }
}

/// Radios or checkboxes of a vocabulary, the current answers checked.
pub fn options<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &[&str],
) -> Vec<Choice> {
    Choice::mark(
        all.iter()
            .map(|t| Choice::new(value(*t), label(*t)))
            .collect(),
        current,
    )
}

pub fn yes_no(yes: &str, no: &str, current: &str) -> Vec<Choice> {
    Choice::mark(
        vec![Choice::new("yes", yes), Choice::new("no", no)],
        &[current],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_become_fen() {
        assert_eq!(yuan_to_fen("128"), Some(12800));
        assert_eq!(yuan_to_fen("128.5"), Some(12850));
        assert_eq!(yuan_to_fen(" 1,280.05 元"), Some(128005));
        assert_eq!(yuan_to_fen("12.345"), None);
        assert_eq!(yuan_to_fen("-1"), None);
        assert_eq!(yuan_to_fen("一百"), None);
        assert_eq!(yuan_to_fen(".5"), None);
    }

    #[test]
    fn every_field_of_the_request_has_a_page() {
        assert_eq!(
            Step::owning("respondent.uscc"),
            Some((Step::Business, "business_uscc"))
        );
        assert_eq!(
            Step::owning("dispute.occurred_on"),
            Some((Step::Place, "occurred_on"))
        );
        assert_eq!(Step::owning("dispute.facts"), Some((Step::What, "facts")));
        assert_eq!(
            Step::owning("complainant.id_number"),
            Some((Step::You, "id_number"))
        );
        assert_eq!(Step::owning("co_complainants[0].name"), None);
    }
}
