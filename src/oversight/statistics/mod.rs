//! The 12315 indicators of a bureau or station over a period, computed from the case history on
//! the working-day calendar (every deadline was counted in working days when it was set).

mod figures;
mod indicators;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Deserialize;
use utoipa::IntoParams;

pub use figures::Figures;
pub use indicators::{BusinessSatisfaction, Rate, Statistics};

use crate::actor::Staff;
use crate::cases::access;
use crate::domain::faults::{Invalid, failure};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Required for a system admin; a bureau admin gets its own.
    pub bureau_code: Option<String>,
    /// One station of the bureau; a mediator always gets its own.
    pub station_id: Option<String>,
    /// First day (Asia/Shanghai), inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {

} passes [Invalid, Access, Db]);

/// The figures `me` asked for, of the bureau or station it may read, for a period of at most a
/// year.
pub async fn read(
    db: &impl ConnectionTrait,
    me: &Staff,
    q: &StatsQuery,
    now: DateTime<Utc>,
) -> Result<Figures, Error> {
    if q.to < q.from || (q.to - q.from).num_days() > 366 {
        return Err(Invalid::field("to", "must be on or after from, within a year").into());
    }
    let (bureau, station) =
        access::figures_of(me, q.bureau_code.as_deref(), q.station_id.as_deref())?;
    Ok(figures::read(db, &bureau, station.as_deref(), q.from, q.to, now).await?)
}

/// The indicators as CSV: `metric,numerator,denominator,value`.
pub fn to_csv(s: &Statistics) -> String {
    let mut out = String::from("metric,numerator,denominator,value\n");
    let rate = |name: &str, r: &Rate| {
        format!(
            "{name},{},{},{}\n",
            r.numerator,
            r.denominator,
            r.rate.map(|v| format!("{v:.4}")).unwrap_or_default()
        )
    };
    for (name, r) in [
        ("on_time_initial_check", &s.on_time_initial_check),
        ("on_time_closure", &s.on_time_closure),
        ("mediation_success", &s.mediation_success),
        (
            "on_time_report_verification",
            &s.on_time_report_verification,
        ),
        ("publication", &s.publication),
        ("odr_settlement", &s.odr_settlement),
        ("satisfaction", &s.satisfaction),
        ("return_visits", &s.return_visits),
    ] {
        out.push_str(&rate(name, r));
    }
    for b in &s.odr_satisfaction {
        out.push_str(&rate(
            &format!("odr_satisfaction:{}", b.business_id),
            &b.satisfaction,
        ));
    }
    for (name, v) in [
        ("complaints_received", s.complaints_received),
        ("reports_received", s.reports_received),
        ("complaints_closed", s.complaints_closed),
        ("money_recovered_fen", s.money_recovered_fen),
        ("amount_in_dispute_fen", s.amount_in_dispute_fen),
    ] {
        out.push_str(&format!("{name},,,{v}\n"));
    }
    for (k, v) in &s.by_category {
        out.push_str(&format!("category:{k},,,{v}\n"));
    }
    for (k, v) in &s.by_channel {
        out.push_str(&format!("channel:{k},,,{v}\n"));
    }
    out
}
