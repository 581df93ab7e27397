//! The period a figures page reads (first and last day, as GOV.UK date inputs in a GET form):
//! this year up to today when nothing was typed; a false date or a period longer than a year is
//! the error at its field.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::domain::dates::chinese_date;
use crate::web::components::{DateParts, FormErrors};

#[derive(Deserialize, Default)]
pub struct PeriodInput {
    #[serde(default)]
    from_year: String,
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    from_day: String,
    #[serde(default)]
    to_year: String,
    #[serde(default)]
    to_month: String,
    #[serde(default)]
    to_day: String,
}

/// The period as typed (for the form) and, when valid, as dates.
pub struct Period {
    pub from: DateParts,
    pub to: DateParts,
    pub dates: Option<(NaiveDate, NaiveDate)>,
}

impl Period {
    /// `2026年1月1日至2026年11月23日`
    pub fn words(&self) -> Option<String> {
        self.dates
            .map(|(a, b)| format!("{}至{}", chinese_date(a), chinese_date(b)))
    }

    /// The same period as a query string, for a link (the CSV download).
    pub fn query(&self) -> String {
        format!(
            "from_year={}&from_month={}&from_day={}&to_year={}&to_month={}&to_day={}",
            self.from.year,
            self.from.month,
            self.from.day,
            self.to.year,
            self.to.month,
            self.to.day
        )
    }
}

impl PeriodInput {
    pub fn period(&self, today: NaiveDate, errors: &mut FormErrors) -> Period {
        let part = |y: &str, m: &str, d: &str| DateParts {
            year: y.to_owned(),
            month: m.to_owned(),
            day: d.to_owned(),
        };
        let (from, to) = if self.from_year.is_empty() && self.to_year.is_empty() {
            (
                DateParts::of(NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today)),
                DateParts::of(today),
            )
        } else {
            (
                part(&self.from_year, &self.from_month, &self.from_day),
                part(&self.to_year, &self.to_month, &self.to_day),
            )
        };
        let (start, end) = (from.parse(), to.parse());
        if start.is_none() {
            errors.add("from", "开始日期必须是真实的日期");
        }
        if end.is_none() {
            errors.add("to", "结束日期必须是真实的日期");
        }
        let dates = match (start, end) {
            (Some(a), Some(b)) if b < a || (b - a).num_days() > 366 => {
                errors.add("to", "结束日期不能早于开始日期，期间最长一年");
                None
            }
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        Period { from, to, dates }
    }
}
