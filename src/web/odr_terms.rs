//! What the consumer's and the desk's ODR forms share: the terms of an offer as typed (the way of
//! settling, an amount in 元 stored as fen, the date of performance, a message), checked as the
//! API checks `OfferRequest`, with messages in Chinese; an offer's terms in words; and a reason
//! checked as the API checks `ReasonRequest`.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::dates::chinese_date_with_weekday;
use crate::intake::request::MAX_AMOUNT_FEN;
use crate::mediation::yuan;
use crate::odr::negotiation::OfferView;
use crate::odr::offer::OfferRequest;
use crate::odr::{OfferKind, OfferParty, OfferStatus};
use crate::web::complaint::questions::yuan_to_fen;
use crate::web::components::{Choice, DateParts, FormErrors};

/// What one may write with an offer or a reason, as the API allows.
pub const MAX_TEXT_CHARS: usize = 2000;

/// `退款 128.00 元，2026年11月30日（星期一）前履行`
pub fn terms(o: &OfferView) -> String {
    format!(
        "{} {} 元，{}前履行",
        o.kind.label(),
        yuan(o.amount_fen),
        chinese_date_with_weekday(o.perform_by)
    )
}

/// One offer as a case page lists it.
pub struct OfferLine {
    /// Whose offer, in the reader's words (经营者的方案, 您的方案, 消费者的方案 …).
    pub who: &'static str,
    /// `退款 128.00 元，2026年11月30日（星期一）前履行`
    pub terms: String,
    pub message: String,
    pub status: &'static str,
}

/// The offer `o` for a reader who calls the business's offers `business` and the consumer's
/// `consumer`.
pub fn line(o: &OfferView, business: &'static str, consumer: &'static str) -> OfferLine {
    OfferLine {
        who: match o.party {
            OfferParty::Business => business,
            OfferParty::Consumer => consumer,
        },
        terms: terms(o),
        message: o.message.clone(),
        status: match o.status {
            OfferStatus::Open => "等待答复",
            OfferStatus::Accepted => "已接受",
            OfferStatus::Rejected => "已拒绝",
            OfferStatus::Superseded => "已被新方案取代",
        },
    }
}

/// The terms of an offer as typed.
#[derive(Deserialize, Default)]
pub struct TermsInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub perform_by_year: String,
    #[serde(default)]
    pub perform_by_month: String,
    #[serde(default)]
    pub perform_by_day: String,
    #[serde(default)]
    pub message: String,
}

impl TermsInput {
    /// The ways of settling, the one typed marked.
    pub fn kinds(&self) -> Vec<Choice> {
        let kinds = OfferKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label()))
            .collect();
        Choice::mark(kinds, &[self.kind.as_str()])
    }

    pub fn perform_by(&self) -> DateParts {
        DateParts {
            year: self.perform_by_year.clone(),
            month: self.perform_by_month.clone(),
            day: self.perform_by_day.clone(),
        }
    }

    /// The offer typed, or the page's errors in Chinese.
    pub fn request(&self, today: NaiveDate) -> Result<OfferRequest, FormErrors> {
        let mut errors = FormErrors::new();
        let kind = OfferKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "请选择解决方式");
        }
        let amount_fen = if self.amount.trim().is_empty() {
            errors.add("amount", "请输入金额，不涉及金额的填 0");
            None
        } else {
            match yuan_to_fen(&self.amount) {
                None => {
                    errors.add("amount", "金额只能填数字，最多两位小数，例如 128 或 128.50");
                    None
                }
                Some(f) if f > MAX_AMOUNT_FEN => {
                    errors.add("amount", "金额不能超过 1 亿元");
                    None
                }
                Some(f) => Some(f),
            }
        };
        let date = self.perform_by();
        let perform_by = match date.parse() {
            None if [&date.year, &date.month, &date.day]
                .iter()
                .all(|p| p.trim().is_empty()) =>
            {
                errors.add("perform_by", "请输入经营者履行的最晚日期");
                None
            }
            None => {
                errors.add("perform_by", "日期必须是真实的日期，例如 2026 12 10");
                None
            }
            Some(d) if d < today => {
                errors.add("perform_by", "履行日期不能早于今天");
                None
            }
            Some(d) => Some(d),
        };
        let n = self.message.trim().chars().count();
        if n == 0 {
            errors.add("message", "请写下方案说明");
        } else if n > MAX_TEXT_CHARS {
            errors.add(
                "message",
                format!("方案说明最多 {MAX_TEXT_CHARS} 字，请删减"),
            );
        }
        match (kind, amount_fen, perform_by) {
            (Some(kind), Some(amount_fen), Some(perform_by)) if errors.is_empty() => {
                Ok(OfferRequest {
                    kind,
                    amount_fen,
                    perform_by,
                    message: self.message.trim().to_owned(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// A reason, checked as the API checks it (2 to 2000 characters).
pub fn check_reason(reason: &str, errors: &mut FormErrors) {
    let n = reason.trim().chars().count();
    if n == 0 {
        errors.add("reason", "请写下原因");
    } else if n < 2 {
        errors.add("reason", "原因至少 2 个字");
    } else if n > MAX_TEXT_CHARS {
        errors.add("reason", format!("原因最多 {MAX_TEXT_CHARS} 字，请删减"));
    }
}
