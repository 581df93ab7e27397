//! How well each enrolled business settles: the figures regulators use to keep or suspend it.

use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actor::{Role, Staff};
use crate::businesses::Enrolment;
use crate::deadlines::DeadlineStatus;
use crate::deadlines::{DeadlineKind, start_of_local_day};
use crate::divisions::Divisions;
use crate::domain::faults::Invalid;
use crate::entities::{business, case, deadline, odr_enrolment};
use crate::env::Env;
use crate::odr::{Error, OdrState};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// First day, YYYY-MM-DD (Asia/Shanghai), inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
}

impl Period {
    fn check(&self) -> Result<(), Invalid> {
        if self.to < self.from || (self.to - self.from).num_days() > 366 {
            return Err(Invalid::field(
                "to",
                "must be on or after from, within a year",
            ));
        }
        Ok(())
    }
}

/// Definitions: `received` counts ODR complaints received in the period; `concluded` those settled or
/// escalated; `settlement_rate` = settled ÷ concluded; `on_time_rate` = settlement windows answered
/// (agreement or decline) within the limit ÷ windows no longer running; `median_first_response_hours`
/// from receipt to the desk's first offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Performance {
    pub business_id: String,
    pub business_name: String,
    pub received: u64,
    pub settled: u64,
    pub escalated: u64,
    pub concluded: u64,
    pub settlement_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub median_first_response_hours: Option<f64>,
    pub money_recovered_fen: i64,
}

/// The figures of one business over the period.
async fn performance(
    db: &impl ConnectionTrait,
    b: &business::Model,
    period: &Period,
) -> Result<Performance, DbErr> {
    let cases = case::Entity::find()
        .filter(case::Column::BusinessId.eq(b.id.as_str()))
        .filter(case::Column::OdrState.is_not_null())
        .filter(case::Column::ReceivedAt.gte(start_of_local_day(period.from)))
        .filter(case::Column::ReceivedAt.lt(start_of_local_day(period.to + Duration::days(1))))
        .all(db)
        .await?;
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let windows = deadline::Entity::find()
        .filter(deadline::Column::CaseId.is_in(ids))
        .filter(deadline::Column::Kind.eq(DeadlineKind::OdrSettlement))
        .filter(deadline::Column::Status.ne(DeadlineStatus::Open))
        .all(db)
        .await?;
    let settled = cases
        .iter()
        .filter(|c| c.odr_state == Some(OdrState::Settled))
        .count() as u64;
    let escalated = cases
        .iter()
        .filter(|c| c.odr_escalated_at.is_some())
        .count() as u64;
    let concluded = settled + escalated;
    let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
    let mut responses: Vec<f64> = cases
        .iter()
        .filter_map(|c| {
            c.odr_first_response_at
                .map(|r| (r - c.received_at).num_seconds() as f64 / 3600.0)
        })
        .collect();
    responses.sort_by(f64::total_cmp);
    let median = match responses.len() {
        0 => None,
        n if n % 2 == 1 => Some(responses[n / 2]),
        n => Some((responses[n / 2 - 1] + responses[n / 2]) / 2.0),
    };
    Ok(Performance {
        business_id: b.id.clone(),
        business_name: b.name.clone(),
        received: cases.len() as u64,
        settled,
        escalated,
        concluded,
        settlement_rate: ratio(settled, concluded),
        on_time_rate: ratio(
            windows
                .iter()
                .filter(|d| d.status == DeadlineStatus::Met)
                .count() as u64,
            windows.len() as u64,
        ),
        median_first_response_hours: median,
        money_recovered_fen: cases
            .iter()
            .filter(|c| c.odr_state == Some(OdrState::Settled))
            .filter_map(|c| c.amount_recovered_fen)
            .sum(),
    })
}

/// A business's ODR performance over a period: for its own desk, the `bureau_admin` of its
/// county, or `system_admin`.
pub async fn of_business(
    db: &impl ConnectionTrait,
    me: &Staff,
    business_id: &str,
    period: &Period,
) -> Result<Performance, Error> {
    period.check()?;
    let b = business::Entity::find_by_id(business_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::NoBusiness(business_id.to_owned()))?;
    let county = b
        .division_code
        .as_deref()
        .and_then(|c| Divisions::builtin().county_of(c))
        .map(|d| d.code);
    let allowed = match me.role {
        Role::SystemAdmin => true,
        Role::EnterpriseAgent => me.business_id.as_deref() == Some(b.id.as_str()),
        Role::BureauAdmin => county.is_some() && county == me.bureau_code.as_deref(),
        _ => false,
    };
    if !allowed {
        return Err(Error::NotYourBusiness);
    }
    Ok(performance(db, &b, period).await?)
}

/// The enrolled businesses of the `bureau_admin`'s county whose settlement or on-time rate is
/// below the configured thresholds, with at least the configured number of concluded cases.
pub async fn suspension_candidates(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    period: &Period,
) -> Result<Vec<Performance>, Error> {
    me.require(&[Role::BureauAdmin])?;
    period.check()?;
    let bureau = me.bureau_code.clone().unwrap_or_default();
    let enrolled = business::Entity::find()
        .find_also_related(odr_enrolment::Entity)
        .all(db)
        .await?;
    let s = &env.settings;
    let mut out = Vec::new();
    for (b, e) in enrolled {
        let in_county = b
            .division_code
            .as_deref()
            .and_then(|c| Divisions::builtin().county_of(c))
            .map(|d| d.code)
            == Some(bureau.as_str());
        if !in_county || e.map(|e| e.status) != Some(Enrolment::Enrolled) {
            continue;
        }
        let p = performance(db, &b, period).await?;
        let below = p
            .settlement_rate
            .is_some_and(|r| r < s.odr_min_settlement_rate)
            || p.on_time_rate.is_some_and(|r| r < s.odr_min_on_time_rate);
        if p.concluded >= s.odr_min_cases && below {
            out.push(p);
        }
    }
    Ok(out)
}
