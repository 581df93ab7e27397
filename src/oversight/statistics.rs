//! The 12315 indicators of a bureau or station over a period, computed from the case history on
//! the working-day calendar (every deadline was counted in working days when it was set).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QuerySelect, RelationTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actor::Staff;
use crate::cases::CaseKind;
use crate::cases::Outcome;
use crate::cases::access;
use crate::deadlines::DeadlineStatus;
use crate::deadlines::{DeadlineKind, start_of_local_day};
use crate::domain::faults::{Invalid, failure};
use crate::domain::vocabulary::Category;
use crate::domain::vocabulary::Channel;
use crate::entities::{business, case, case_rating, deadline, return_visit};
use crate::odr::OdrState;
use crate::ratings::satisfaction::Satisfaction;

/// A satisfaction told (rated by the consumer or on a return visit), with the case's business and
/// ODR state, and how many.
type Told = (Satisfaction, Option<String>, Option<OdrState>, i64);

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

/// A ratio with its parts, so a reader can check it; `rate` is absent when nothing was due.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    pub rate: Option<f64>,
}

impl Rate {
    fn of(numerator: i64, denominator: i64) -> Rate {
        Rate {
            numerator,
            denominator,
            rate: (denominator > 0).then(|| numerator as f64 / denominator as f64),
        }
    }
}

/// The indicators. Definitions:
/// - `on_time_initial_check` 投诉按时初查率: complaint acceptance deadlines falling due in the period
///   that were met (decided within 7 WD) ÷ all that fell due.
/// - `on_time_closure` 投诉按时办结率: mediation deadlines falling due in the period that were met
///   (closed within the window) ÷ all that fell due.
/// - `mediation_success` 投诉调解成功率: complaints closed in the period by a mediated agreement ÷
///   those closed by agreement or termination (concluded mediations).
/// - `on_time_report_verification` 举报按时核查率: report verification deadlines falling due in the
///   period that were met ÷ all that fell due.
/// - `publication` 投诉信息公示率: complaints closed in the period whose consumer consented to
///   publication (and so are published) ÷ complaints closed in the period.
/// - `odr_settlement` ODR 和解成功率: ODR complaints settled by the enterprise in the period ÷ those
///   settled or escalated in the period.
/// - `satisfaction` 满意率: cases in scope rated in the period that were rated 满意 or 基本满意 ÷
///   all rated in the period (the denominator is the number rated). A case counts once: by the
///   consumer's own rating when given (at the time it was given), else by the satisfaction the
///   consumer told on the return visit (at the time the visit was recorded).
/// - `return_visits` 回访率: return visits of complaints closed in the period that have been
///   recorded ÷ the return visits opened for them (by default every agreement, termination and
///   enterprise settlement gets one).
/// - `odr_satisfaction`: the 满意率 as above of the complaints that went to each business's ODR
///   desk first (settled there or escalated), one entry a business, by business id.
/// - `money_recovered_fen`: recovered in complaints closed in the period; `amount_in_dispute_fen`:
///   claimed in complaints received in the period. Counts by category and channel are of
///   complaints and reports received in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    pub bureau_code: String,
    pub station_id: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub complaints_received: i64,
    pub reports_received: i64,
    pub complaints_closed: i64,
    pub on_time_initial_check: Rate,
    pub on_time_closure: Rate,
    pub mediation_success: Rate,
    pub on_time_report_verification: Rate,
    pub publication: Rate,
    pub odr_settlement: Rate,
    pub satisfaction: Rate,
    pub return_visits: Rate,
    pub odr_satisfaction: Vec<BusinessSatisfaction>,
    pub money_recovered_fen: i64,
    pub amount_in_dispute_fen: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, i64>,
}

/// The 满意率 of the complaints one business's ODR desk handled first.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessSatisfaction {
    pub business_id: String,
    pub business_name: String,
    pub satisfaction: Rate,
}

fn scope(bureau: &str, station: Option<&str>) -> Condition {
    let mut c = Condition::all().add(case::Column::BureauCode.eq(bureau));
    if let Some(s) = station {
        c = c.add(case::Column::StationId.eq(s));
    }
    c
}

pub async fn compute(
    db: &impl ConnectionTrait,
    bureau: &str,
    station: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Statistics, DbErr> {
    let (start, end) = (
        start_of_local_day(from),
        start_of_local_day(to + Duration::days(1)),
    );
    let received = case::Entity::find()
        .select_only()
        .column(case::Column::Kind)
        .column(case::Column::Category)
        .column(case::Column::Channel)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"),
            "amount",
        )
        .filter(scope(bureau, station))
        .filter(case::Column::ReceivedAt.gte(start))
        .filter(case::Column::ReceivedAt.lt(end))
        .group_by(case::Column::Kind)
        .group_by(case::Column::Category)
        .group_by(case::Column::Channel)
        .into_tuple::<(CaseKind, Category, Channel, i64, i64)>()
        .all(db);
    let closed = case::Entity::find()
        .select_only()
        .column(case::Column::Outcome)
        .column(case::Column::ConsentToPublish)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_recovered_fen), 0) AS BIGINT)"),
            "recovered",
        )
        .filter(scope(bureau, station))
        .filter(case::Column::Kind.eq(CaseKind::Complaint))
        .filter(case::Column::ClosedAt.gte(start))
        .filter(case::Column::ClosedAt.lt(end))
        .group_by(case::Column::Outcome)
        .group_by(case::Column::ConsentToPublish)
        .into_tuple::<(Option<Outcome>, bool, i64, i64)>()
        .all(db);
    // Deadlines that fell due in the period and are settled: met, missed, or still running past due.
    let due = deadline::Entity::find()
        .select_only()
        .column(deadline::Column::Kind)
        .column(deadline::Column::Status)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, deadline::Relation::Case.def())
        .filter(scope(bureau, station))
        .filter(deadline::Column::DueAt.gte(start))
        .filter(deadline::Column::DueAt.lt(end))
        .filter(deadline::Column::Kind.is_in([
            DeadlineKind::Acceptance,
            DeadlineKind::Mediation,
            DeadlineKind::ReportVerification,
        ]))
        .filter(
            Condition::any()
                .add(deadline::Column::DueAt.lt(now))
                .add(deadline::Column::Status.is_in([DeadlineStatus::Met, DeadlineStatus::Missed])),
        )
        .group_by(deadline::Column::Kind)
        .group_by(deadline::Column::Status)
        .into_tuple::<(DeadlineKind, DeadlineStatus, i64)>()
        .all(db);
    let odr_settled = case::Entity::find()
        .filter(scope(bureau, station))
        .filter(case::Column::OdrState.eq(OdrState::Settled))
        .filter(case::Column::ClosedAt.gte(start))
        .filter(case::Column::ClosedAt.lt(end))
        .count(db);
    let odr_escalated = case::Entity::find()
        .filter(scope(bureau, station))
        .filter(case::Column::OdrEscalatedAt.gte(start))
        .filter(case::Column::OdrEscalatedAt.lt(end))
        .count(db);
    // Ratings given in the period, by answer and by the business whose ODR desk had the case.
    let rated = case_rating::Entity::find()
        .select_only()
        .column(case_rating::Column::Rating)
        .column(case::Column::BusinessId)
        .column(case::Column::OdrState)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, case_rating::Relation::Case.def())
        .filter(scope(bureau, station))
        .filter(case_rating::Column::RatedAt.gte(start))
        .filter(case_rating::Column::RatedAt.lt(end))
        .group_by(case_rating::Column::Rating)
        .group_by(case::Column::BusinessId)
        .group_by(case::Column::OdrState)
        .into_tuple::<Told>()
        .all(db);
    // The satisfaction told on return visits recorded in the period, of cases not rated by the
    // consumer.
    let rated_cases = Query::select()
        .column(case_rating::Column::CaseId)
        .from(case_rating::Entity)
        .to_owned();
    let visited = return_visit::Entity::find()
        .select_only()
        .column(return_visit::Column::Satisfaction)
        .column(case::Column::BusinessId)
        .column(case::Column::OdrState)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, return_visit::Relation::Case.def())
        .filter(scope(bureau, station))
        .filter(return_visit::Column::Satisfaction.is_not_null())
        .filter(return_visit::Column::RecordedAt.gte(start))
        .filter(return_visit::Column::RecordedAt.lt(end))
        .filter(return_visit::Column::CaseId.not_in_subquery(rated_cases))
        .group_by(return_visit::Column::Satisfaction)
        .group_by(case::Column::BusinessId)
        .group_by(case::Column::OdrState)
        .into_tuple::<Told>()
        .all(db);
    // Return visits of the complaints closed in the period: recorded or not.
    let visits = return_visit::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("return_visits.recorded_at IS NOT NULL"),
            "recorded",
        )
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, return_visit::Relation::Case.def())
        .filter(scope(bureau, station))
        .filter(case::Column::ClosedAt.gte(start))
        .filter(case::Column::ClosedAt.lt(end))
        .group_by(Expr::cust("return_visits.recorded_at IS NOT NULL"))
        .into_tuple::<(bool, i64)>()
        .all(db);

    // Independent reads: run side by side on separate pooled connections.
    let (received, closed, due, odr_settled, odr_escalated, rated, visited, visits) = tokio::try_join!(
        received,
        closed,
        due,
        odr_settled,
        odr_escalated,
        rated,
        visited,
        visits
    )?;
    let (odr_settled, odr_escalated) = (odr_settled as i64, odr_escalated as i64);
    let told: Vec<Told> = rated.into_iter().chain(visited).collect();
    let satisfaction_of = |rows: &mut dyn Iterator<Item = &Told>| {
        let (mut satisfied, mut all) = (0, 0);
        for (answer, .., n) in rows {
            all += n;
            if answer.is_satisfied() {
                satisfied += n;
            }
        }
        Rate::of(satisfied, all)
    };
    let mut by_business: BTreeMap<&str, Vec<&Told>> = BTreeMap::new();
    for t in &told {
        if let (Some(business), Some(_)) = (&t.1, t.2) {
            by_business.entry(business).or_default().push(t);
        }
    }
    let names: BTreeMap<String, String> = business::Entity::find()
        .filter(business::Column::Id.is_in(by_business.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let odr_satisfaction = by_business
        .into_iter()
        .map(|(id, rows)| BusinessSatisfaction {
            business_id: id.to_owned(),
            business_name: names.get(id).cloned().unwrap_or_default(),
            satisfaction: satisfaction_of(&mut rows.into_iter()),
        })
        .collect();
    let recorded_visits = visits.iter().filter(|v| v.0).map(|v| v.1).sum();

    let on_time = |kind: DeadlineKind| {
        // Met counts as on time; missed, and anything still running past its due instant, as late.
        let rows = due.iter().filter(|(k, ..)| *k == kind);
        let met = rows
            .clone()
            .filter(|(_, s, _)| *s == DeadlineStatus::Met)
            .map(|r| r.2)
            .sum::<i64>();
        Rate::of(met, rows.map(|r| r.2).sum())
    };
    let count_outcome = |o: Outcome| {
        closed
            .iter()
            .filter(|(out, ..)| *out == Some(o))
            .map(|r| r.2)
            .sum::<i64>()
    };
    let agreements = count_outcome(Outcome::MediatedAgreement);
    let closed_total: i64 = closed.iter().map(|r| r.2).sum();
    let mut by_category = BTreeMap::new();
    let mut by_channel = BTreeMap::new();
    for (_, category, channel, n, _) in &received {
        *by_category.entry(category.as_str().to_owned()).or_insert(0) += n;
        *by_channel.entry(channel.as_str().to_owned()).or_insert(0) += n;
    }
    let received_of = |kind: CaseKind| {
        received
            .iter()
            .filter(|r| r.0 == kind)
            .map(|r| r.3)
            .sum::<i64>()
    };
    Ok(Statistics {
        bureau_code: bureau.to_owned(),
        station_id: station.map(str::to_owned),
        from,
        to,
        complaints_received: received_of(CaseKind::Complaint),
        reports_received: received_of(CaseKind::Report),
        complaints_closed: closed_total,
        on_time_initial_check: on_time(DeadlineKind::Acceptance),
        on_time_closure: on_time(DeadlineKind::Mediation),
        mediation_success: Rate::of(agreements, agreements + count_outcome(Outcome::Terminated)),
        on_time_report_verification: on_time(DeadlineKind::ReportVerification),
        publication: Rate::of(
            closed.iter().filter(|r| r.1).map(|r| r.2).sum(),
            closed_total,
        ),
        odr_settlement: Rate::of(odr_settled, odr_settled + odr_escalated),
        satisfaction: satisfaction_of(&mut told.iter()),
        return_visits: Rate::of(recorded_visits, visits.iter().map(|v| v.1).sum()),
        odr_satisfaction,
        money_recovered_fen: closed.iter().map(|r| r.3).sum(),
        amount_in_dispute_fen: received
            .iter()
            .filter(|r| r.0 == CaseKind::Complaint)
            .map(|r| r.4)
            .sum(),
        by_category,
        by_channel,
    })
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

/// The indicators `me` asked for, of the bureau or station it may read, for a period of at most a
/// year.
pub async fn scoped(
    db: &impl ConnectionTrait,
    me: &Staff,
    q: &StatsQuery,
    now: DateTime<Utc>,
) -> Result<Statistics, Error> {
    if q.to < q.from || (q.to - q.from).num_days() > 366 {
        return Err(Invalid::field("to", "must be on or after from, within a year").into());
    }
    let (bureau, station) =
        access::figures_of(me, q.bureau_code.as_deref(), q.station_id.as_deref())?;
    Ok(compute(db, &bureau, station.as_deref(), q.from, q.to, now).await?)
}

/// Complaints received in each calendar month of the period (Asia/Shanghai) in the bureau or
/// station `me` may read, for the month-by-month chart: (first day of the month, count).
pub async fn received_by_month(
    db: &impl ConnectionTrait,
    me: &Staff,
    q: &StatsQuery,
) -> Result<Vec<(NaiveDate, i64)>, Error> {
    use chrono::Datelike;
    if q.to < q.from || (q.to - q.from).num_days() > 366 {
        return Err(Invalid::field("to", "must be on or after from, within a year").into());
    }
    let (bureau, station) =
        access::figures_of(me, q.bureau_code.as_deref(), q.station_id.as_deref())?;
    let mut out = Vec::new();
    let mut month = q.from.with_day(1).unwrap_or(q.from);
    while month <= q.to {
        let next = if month.month() == 12 {
            NaiveDate::from_ymd_opt(month.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(month.year(), month.month() + 1, 1)
        }
        .unwrap_or(q.to + Duration::days(1));
        let (from, until) = (month.max(q.from), next.min(q.to + Duration::days(1)));
        let n = case::Entity::find()
            .filter(scope(&bureau, station.as_deref()))
            .filter(case::Column::Kind.eq(CaseKind::Complaint))
            .filter(case::Column::ReceivedAt.gte(start_of_local_day(from)))
            .filter(case::Column::ReceivedAt.lt(start_of_local_day(until)))
            .count(db)
            .await?;
        out.push((month, n as i64));
        month = next;
    }
    Ok(out)
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
