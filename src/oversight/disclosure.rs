//! Public complaint disclosure (投诉信息公示): per business, only complaints whose consumer
//! consented, and never personal data.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::cases::CaseKind;
use crate::cases::Outcome;
use crate::deadlines::{local_date, start_of_local_day};
use crate::domain::faults::{Invalid, failure};
use crate::domain::identifiers::Uscc;
use crate::entities::case;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Default: the current year (Asia/Shanghai).
    pub year: Option<i32>,
}

/// What the public sees of a business's complaints. `growth` compares the count with the previous
/// year; `mediation_success_rate` = mediated agreements ÷ concluded mediations;
/// `settlement_rate` = complaints resolved by agreement (enterprise settlement or mediation) ÷
/// complaints closed.
#[derive(Serialize, ToSchema)]
pub struct Disclosure {
    pub uscc: String,
    pub business_name: Option<String>,
    pub year: i32,
    pub complaints: i64,
    pub previous_year_complaints: i64,
    pub growth: Option<f64>,
    pub by_category: BTreeMap<String, i64>,
    pub closed: i64,
    pub mediation_success_rate: Option<f64>,
    pub settlement_rate: Option<f64>,
    /// Closing dates of the published complaints, newest first.
    pub closing_dates: Vec<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {

} passes [Invalid, Db]);

/// What the public sees of the complaints against the business with this USCC in `year` (the
/// current year by default).
pub async fn disclose(
    db: &impl ConnectionTrait,
    uscc: &str,
    year: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Disclosure, Error> {
    let uscc = Uscc::parse(uscc).map_err(|m| Invalid::field("uscc", m))?;
    let year = year.unwrap_or_else(|| local_date(now).year());
    let first = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| Invalid::field("year", "out of range"))
    };
    let (prev, start, end) = (first(year - 1)?, first(year)?, first(year + 1)?);
    let rows = case::Entity::find()
        .filter(case::Column::Kind.eq(CaseKind::Complaint))
        // The respondent's key is its USCC whenever one was given (an index reads it).
        .filter(case::Column::RespondentKey.eq(format!("uscc:{}", uscc.as_str())))
        .filter(case::Column::ConsentToPublish.eq(true))
        .filter(case::Column::ReceivedAt.gte(start_of_local_day(prev)))
        .filter(case::Column::ReceivedAt.lt(start_of_local_day(end)))
        .order_by_desc(case::Column::ClosedAt)
        .all(db)
        .await?;
    let (this, before): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|c| c.received_at >= start_of_local_day(start));
    let mut by_category = BTreeMap::new();
    for c in &this {
        *by_category
            .entry(c.category.as_str().to_owned())
            .or_insert(0) += 1;
    }
    let closed: Vec<&case::Model> = this.iter().filter(|c| c.closed_at.is_some()).collect();
    let outcome = |o: Outcome| closed.iter().filter(|c| c.outcome == Some(o)).count() as f64;
    let ratio = |n: f64, d: f64| (d > 0.0).then(|| n / d);
    let agreements = outcome(Outcome::MediatedAgreement);
    Ok(Disclosure {
        uscc: uscc.to_string(),
        business_name: this
            .first()
            .or(before.first())
            .map(|c| c.respondent_name.clone()),
        year,
        complaints: this.len() as i64,
        previous_year_complaints: before.len() as i64,
        growth: ratio(this.len() as f64 - before.len() as f64, before.len() as f64),
        by_category,
        closed: closed.len() as i64,
        mediation_success_rate: ratio(agreements, agreements + outcome(Outcome::Terminated)),
        settlement_rate: ratio(
            agreements + outcome(Outcome::SettledByEnterprise),
            closed.len() as f64,
        ),
        closing_dates: closed
            .iter()
            .filter_map(|c| c.closed_at.map(local_date))
            .collect(),
    })
}
