//! What the indicators are summed from: one read per source over the bureau's (or station's)
//! cases of the period, counted by station and month, and the sums for the whole, each station
//! and each month.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QuerySelect, RelationTrait,
};

use super::{BusinessSatisfaction, Rate, Statistics};
use crate::cases::{CaseKind, Outcome};
use crate::deadlines::{DeadlineKind, DeadlineStatus, start_of_local_day};
use crate::domain::vocabulary::{Category, Channel};
use crate::entities::{business, case, case_rating, deadline, return_visit};
use crate::odr::OdrState;
use crate::ratings::satisfaction::Satisfaction;

#[derive(FromQueryResult)]
struct Received {
    station_id: Option<String>,
    kind: CaseKind,
    category: Category,
    channel: Channel,
    /// The month of the period, counted from 0.
    month: i32,
    n: i64,
    amount: i64,
}

#[derive(FromQueryResult)]
struct Closed {
    station_id: Option<String>,
    kind: CaseKind,
    outcome: Option<Outcome>,
    consent_to_publish: bool,
    odr_state: Option<OdrState>,
    n: i64,
    recovered: i64,
}

#[derive(FromQueryResult)]
struct Due {
    station_id: Option<String>,
    kind: DeadlineKind,
    status: DeadlineStatus,
    n: i64,
}

#[derive(FromQueryResult)]
struct Escalated {
    station_id: Option<String>,
    n: i64,
}

/// A satisfaction told (rated by the consumer or on a return visit), with the case's business and
/// ODR state, and how many.
#[derive(FromQueryResult)]
struct Told {
    station_id: Option<String>,
    satisfaction: Satisfaction,
    business_id: Option<String>,
    odr_state: Option<OdrState>,
    n: i64,
}

#[derive(FromQueryResult)]
struct Visits {
    station_id: Option<String>,
    recorded: bool,
    n: i64,
}

/// What the indicators of a bureau (or one station) over a period are summed from, counted by
/// station and month in one read, so that the bureau's figures, each station's and each month's
/// come from the same pass over its cases.
pub struct Figures {
    bureau: String,
    station: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
    /// The first day of each month the period touches.
    months: Vec<NaiveDate>,
    received: Vec<Received>,
    closed: Vec<Closed>,
    due: Vec<Due>,
    escalated: Vec<Escalated>,
    told: Vec<Told>,
    visits: Vec<Visits>,
    /// The names of the businesses in `told`, by id.
    names: BTreeMap<String, String>,
}

impl Figures {
    /// The indicators of the bureau or station asked for.
    pub fn total(&self) -> Statistics {
        self.of(self.station.as_deref(), |_| true)
    }

    /// The indicators of one station of the bureau.
    pub fn station(&self, id: &str) -> Statistics {
        self.of(Some(id), |s| s.as_deref() == Some(id))
    }

    /// Complaints received in each calendar month of the period (Asia/Shanghai): (first day of
    /// the month, count).
    pub fn received_by_month(&self) -> Vec<(NaiveDate, i64)> {
        let mut counts = vec![0; self.months.len()];
        for r in self
            .received
            .iter()
            .filter(|r| r.kind == CaseKind::Complaint)
        {
            if let Some(c) = counts.get_mut(r.month as usize) {
                *c += r.n;
            }
        }
        self.months.iter().copied().zip(counts).collect()
    }

    fn of(&self, station: Option<&str>, keep: impl Fn(&Option<String>) -> bool) -> Statistics {
        let received: Vec<&Received> = self
            .received
            .iter()
            .filter(|r| keep(&r.station_id))
            .collect();
        let closed: Vec<&Closed> = self.closed.iter().filter(|r| keep(&r.station_id)).collect();
        let due: Vec<&Due> = self.due.iter().filter(|r| keep(&r.station_id)).collect();
        let told: Vec<&Told> = self.told.iter().filter(|r| keep(&r.station_id)).collect();
        let visits: Vec<&Visits> = self.visits.iter().filter(|r| keep(&r.station_id)).collect();
        let satisfaction_of = |rows: &[&Told]| {
            let all = rows.iter().map(|t| t.n).sum();
            let satisfied = rows
                .iter()
                .filter(|t| t.satisfaction.is_satisfied())
                .map(|t| t.n)
                .sum();
            Rate::of(satisfied, all)
        };
        let mut by_business: BTreeMap<&str, Vec<&Told>> = BTreeMap::new();
        for t in &told {
            if let (Some(business), Some(_)) = (&t.business_id, t.odr_state) {
                by_business.entry(business).or_default().push(t);
            }
        }
        let odr_satisfaction = by_business
            .into_iter()
            .map(|(id, rows)| BusinessSatisfaction {
                business_id: id.to_owned(),
                business_name: self.names.get(id).cloned().unwrap_or_default(),
                satisfaction: satisfaction_of(&rows),
            })
            .collect();
        let on_time = |kind: DeadlineKind| {
            // Met counts as on time; missed, and anything still running past its due instant, as
            // late.
            let rows = due.iter().filter(|d| d.kind == kind);
            let met = rows
                .clone()
                .filter(|d| d.status == DeadlineStatus::Met)
                .map(|d| d.n)
                .sum();
            Rate::of(met, rows.map(|d| d.n).sum())
        };
        let complaints_closed = || closed.iter().filter(|c| c.kind == CaseKind::Complaint);
        let count_outcome = |o: Outcome| {
            complaints_closed()
                .filter(|c| c.outcome == Some(o))
                .map(|c| c.n)
                .sum::<i64>()
        };
        let agreements = count_outcome(Outcome::MediatedAgreement);
        let closed_total: i64 = complaints_closed().map(|c| c.n).sum();
        let odr_settled: i64 = closed
            .iter()
            .filter(|c| c.odr_state == Some(OdrState::Settled))
            .map(|c| c.n)
            .sum();
        let odr_escalated: i64 = self
            .escalated
            .iter()
            .filter(|e| keep(&e.station_id))
            .map(|e| e.n)
            .sum();
        let mut by_category = BTreeMap::new();
        let mut by_channel = BTreeMap::new();
        for r in &received {
            *by_category
                .entry(r.category.as_str().to_owned())
                .or_insert(0) += r.n;
            *by_channel.entry(r.channel.as_str().to_owned()).or_insert(0) += r.n;
        }
        let received_of = |kind: CaseKind| {
            received
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.n)
                .sum()
        };
        Statistics {
            bureau_code: self.bureau.clone(),
            station_id: station.map(str::to_owned),
            from: self.from,
            to: self.to,
            complaints_received: received_of(CaseKind::Complaint),
            reports_received: received_of(CaseKind::Report),
            complaints_closed: closed_total,
            on_time_initial_check: on_time(DeadlineKind::Acceptance),
            on_time_closure: on_time(DeadlineKind::Mediation),
            mediation_success: Rate::of(
                agreements,
                agreements + count_outcome(Outcome::Terminated),
            ),
            on_time_report_verification: on_time(DeadlineKind::ReportVerification),
            publication: Rate::of(
                complaints_closed()
                    .filter(|c| c.consent_to_publish)
                    .map(|c| c.n)
                    .sum(),
                closed_total,
            ),
            odr_settlement: Rate::of(odr_settled, odr_settled + odr_escalated),
            satisfaction: satisfaction_of(&told),
            return_visits: Rate::of(
                visits.iter().filter(|v| v.recorded).map(|v| v.n).sum(),
                visits.iter().map(|v| v.n).sum(),
            ),
            odr_satisfaction,
            money_recovered_fen: complaints_closed().map(|c| c.recovered).sum(),
            amount_in_dispute_fen: received
                .iter()
                .filter(|r| r.kind == CaseKind::Complaint)
                .map(|r| r.amount)
                .sum(),
            by_category,
            by_channel,
        }
    }
}

fn scope(bureau: &str, station: Option<&str>) -> Condition {
    let mut c = Condition::all().add(case::Column::BureauCode.eq(bureau));
    if let Some(s) = station {
        c = c.add(case::Column::StationId.eq(s));
    }
    c
}

/// A deadline's copy of its case's bureau and station. The database keeps it (migration
/// `m20261207_000026_deadline_scope`); no code writes it, so it is not a field of the entity.
fn deadline_scope_column(name: &'static str) -> Expr {
    Expr::col((deadline::Entity, Alias::new(name)))
}

fn deadline_scope(bureau: &str, station: Option<&str>) -> Condition {
    let mut c = Condition::all().add(ExprTrait::eq(deadline_scope_column("bureau_code"), bureau));
    if let Some(s) = station {
        c = c.add(ExprTrait::eq(deadline_scope_column("station_id"), s));
    }
    c
}

/// The calendar months the period from `from` to `to` touches: the first day of each, and the
/// part of the period in it (from, until), as instants.
fn months(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut month = from.with_day(1).unwrap_or(from);
    while month <= to {
        let next = month + Months::new(1);
        out.push((
            month,
            start_of_local_day(Ord::max(month, from)),
            start_of_local_day(Ord::min(next, to + Duration::days(1))),
        ));
        month = next;
    }
    out
}

pub(super) async fn read(
    db: &impl ConnectionTrait,
    bureau: &str,
    station: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Figures, DbErr> {
    let (start, end) = (
        start_of_local_day(from),
        start_of_local_day(to + Duration::days(1)),
    );
    let months = months(from, to);
    // Month by month, two at a time: each is one range of the index, and the other reads run
    // beside them.
    let received = futures_util::stream::iter(months.iter().enumerate())
        .map(|(i, (_, from, until))| {
            case::Entity::find()
                .select_only()
                .column(case::Column::StationId)
                .column(case::Column::Kind)
                .column(case::Column::Category)
                .column(case::Column::Channel)
                .column_as(Expr::val(i as i32), "month")
                .column_as(Expr::cust("COUNT(*)"), "n")
                .column_as(
                    Expr::cust("CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT)"),
                    "amount",
                )
                .filter(scope(bureau, station))
                .filter(case::Column::ReceivedAt.gte(*from))
                .filter(case::Column::ReceivedAt.lt(*until))
                .group_by(case::Column::StationId)
                .group_by(case::Column::Kind)
                .group_by(case::Column::Category)
                .group_by(case::Column::Channel)
                .into_model::<Received>()
                .all(db)
        })
        .buffered(2)
        .try_concat();
    let closed = case::Entity::find()
        .select_only()
        .column(case::Column::StationId)
        .column(case::Column::Kind)
        .column(case::Column::Outcome)
        .column(case::Column::ConsentToPublish)
        .column(case::Column::OdrState)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_recovered_fen), 0) AS BIGINT)"),
            "recovered",
        )
        .filter(scope(bureau, station))
        .filter(case::Column::ClosedAt.gte(start))
        .filter(case::Column::ClosedAt.lt(end))
        .group_by(case::Column::StationId)
        .group_by(case::Column::Kind)
        .group_by(case::Column::Outcome)
        .group_by(case::Column::ConsentToPublish)
        .group_by(case::Column::OdrState)
        .into_model::<Closed>()
        .all(db);
    // Deadlines that fell due in the period and are settled: met, missed, or still running past due.
    let due = deadline::Entity::find()
        .select_only()
        .column_as(deadline_scope_column("station_id"), "station_id")
        .column(deadline::Column::Kind)
        .column(deadline::Column::Status)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(deadline_scope(bureau, station))
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
        .group_by(deadline_scope_column("station_id"))
        .group_by(deadline::Column::Kind)
        .group_by(deadline::Column::Status)
        .into_model::<Due>()
        .all(db);
    let escalated = case::Entity::find()
        .select_only()
        .column(case::Column::StationId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(scope(bureau, station))
        .filter(case::Column::OdrEscalatedAt.gte(start))
        .filter(case::Column::OdrEscalatedAt.lt(end))
        .group_by(case::Column::StationId)
        .into_model::<Escalated>()
        .all(db);
    // Ratings given in the period, by answer and by the business whose ODR desk had the case.
    let rated = case_rating::Entity::find()
        .select_only()
        .column(case::Column::StationId)
        .column_as(case_rating::Column::Rating, "satisfaction")
        .column(case::Column::BusinessId)
        .column(case::Column::OdrState)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, case_rating::Relation::Case.def())
        .filter(scope(bureau, station))
        .filter(case_rating::Column::RatedAt.gte(start))
        .filter(case_rating::Column::RatedAt.lt(end))
        .group_by(case::Column::StationId)
        .group_by(case_rating::Column::Rating)
        .group_by(case::Column::BusinessId)
        .group_by(case::Column::OdrState)
        .into_model::<Told>()
        .all(db);
    // The satisfaction told on return visits recorded in the period, of cases not rated by the
    // consumer.
    let rated_cases = Query::select()
        .column(case_rating::Column::CaseId)
        .from(case_rating::Entity)
        .to_owned();
    let visited = return_visit::Entity::find()
        .select_only()
        .column(case::Column::StationId)
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
        .group_by(case::Column::StationId)
        .group_by(return_visit::Column::Satisfaction)
        .group_by(case::Column::BusinessId)
        .group_by(case::Column::OdrState)
        .into_model::<Told>()
        .all(db);
    // Return visits of the complaints closed in the period: recorded or not.
    let visits = return_visit::Entity::find()
        .select_only()
        .column(case::Column::StationId)
        .column_as(
            Expr::cust("return_visits.recorded_at IS NOT NULL"),
            "recorded",
        )
        .column_as(Expr::cust("COUNT(*)"), "n")
        .join(JoinType::InnerJoin, return_visit::Relation::Case.def())
        .filter(scope(bureau, station))
        .filter(case::Column::ClosedAt.gte(start))
        .filter(case::Column::ClosedAt.lt(end))
        .group_by(case::Column::StationId)
        .group_by(Expr::cust("return_visits.recorded_at IS NOT NULL"))
        .into_model::<Visits>()
        .all(db);

    // Independent reads: run side by side on separate pooled connections.
    let (received, closed, due, escalated, rated, visited, visits) =
        tokio::try_join!(received, closed, due, escalated, rated, visited, visits)?;
    let told: Vec<Told> = rated.into_iter().chain(visited).collect();
    let odr_businesses: BTreeSet<&str> = told
        .iter()
        .filter(|t| t.odr_state.is_some())
        .filter_map(|t| t.business_id.as_deref())
        .collect();
    let names = business::Entity::find()
        .filter(business::Column::Id.is_in(odr_businesses))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    Ok(Figures {
        bureau: bureau.to_owned(),
        station: station.map(str::to_owned),
        from,
        to,
        months: months.iter().map(|m| m.0).collect(),
        received,
        closed,
        due,
        escalated,
        told,
        visits,
        names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_is_cut_into_the_calendar_months_it_touches() {
        let at = |y, m, d| start_of_local_day(day(y, m, d));
        assert_eq!(
            months(day(2025, 12, 15), day(2026, 2, 3)),
            [
                (day(2025, 12, 1), at(2025, 12, 15), at(2026, 1, 1)),
                (day(2026, 1, 1), at(2026, 1, 1), at(2026, 2, 1)),
                (day(2026, 2, 1), at(2026, 2, 1), at(2026, 2, 4)),
            ]
        );
        // Midnight in Shanghai is 16:00 UTC the day before.
        assert_eq!(at(2026, 1, 1).to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(
            months(day(2026, 3, 5), day(2026, 3, 20)),
            [(day(2026, 3, 1), at(2026, 3, 5), at(2026, 3, 21))]
        );
    }
}
