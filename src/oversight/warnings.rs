//! Early warnings of a bureau (the open alerts, acknowledged by its admins) and the weekly
//! ranking of the businesses most complained about: for a bureau admin (its bureau) and the
//! system admin (any bureau), as `cases::access::oversee` decides. The API and the dashboard page
//! call these.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::actor::{Actor, Staff};
use crate::audit;
use crate::cases::access::{self, oversee};
use crate::deadlines::start_of_local_day;
use crate::domain::faults::failure;
use crate::entities::{alert, case};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no alert {0}")]
    NoAlert(i64),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoAlert(_) => NotFound, "not_found";
} passes [Access, Db]);

#[derive(Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub bureau_code: String,
    /// `mass_complaint` or `serial_complainant` (for review only; complaints are never refused for it).
    pub kind: crate::oversight::alert_kind::AlertKind,
    pub subject: String,
    /// For an open alert, the complaints (mass) or businesses complained about (serial) within
    /// the window back from now; for an acknowledged one, the count when it was raised.
    pub case_count: i32,
    pub window_days: i32,
    pub raised_at: DateTime<Utc>,
    pub open: bool,
}

impl From<alert::Model> for AlertView {
    fn from(a: alert::Model) -> Self {
        AlertView {
            id: a.id,
            bureau_code: a.bureau_code,
            kind: a.kind,
            subject: a.subject_name,
            case_count: a.case_count,
            window_days: a.window_days,
            raised_at: a.raised_at,
            open: a.open_marker.is_some(),
        }
    }
}

/// The open alerts of the bureau `me` oversees (`bureau_code` for the system admin), newest
/// first, each counted afresh.
pub async fn open_alerts(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<AlertView>, Error> {
    let bureau = oversee(me, bureau_code)?;
    let rows = alert::Entity::find()
        .filter(alert::Column::BureauCode.eq(bureau))
        .filter(alert::Column::OpenMarker.is_not_null())
        .order_by_desc(alert::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for a in rows {
        let count = super::current_count(db, &a, now).await?;
        views.push(AlertView {
            case_count: count as i32,
            ..AlertView::from(a)
        });
    }
    Ok(views)
}

/// Acknowledges the alert `id` of a bureau `me` oversees; a later one for the same subject can be
/// raised again. Audited.
pub async fn acknowledge(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<AlertView, Error> {
    let a = alert::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NoAlert(id))?;
    oversee(me, Some(&a.bureau_code))?;
    alert::Entity::update_many()
        .col_expr(alert::Column::OpenMarker, Expr::value(Option::<i32>::None))
        .col_expr(alert::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(
            alert::Column::AcknowledgedBy,
            Expr::value(me.user_id.clone()),
        )
        .filter(alert::Column::Id.eq(a.id))
        .exec(db)
        .await?;
    audit::record(
        db,
        &Actor::from(me),
        "alert.acknowledge",
        None,
        json!({"alert_id": a.id}),
        now,
    )
    .await?;
    let a = alert::Entity::find_by_id(a.id)
        .one(db)
        .await?
        .ok_or(Error::NoAlert(id))?;
    Ok(a.into())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    pub bureau_code: Option<String>,
    /// Any day of the week wanted (Monday–Sunday, Asia/Shanghai); default: the current week.
    pub week_of: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedBusiness {
    pub respondent_name: String,
    pub respondent_uscc: Option<String>,
    pub complaints: i64,
    pub reports: i64,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Ranking {
    pub bureau_code: String,
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    /// The ten businesses with the most complaints and reports that week.
    pub businesses: Vec<RankedBusiness>,
}

/// The businesses with the most complaints and reports in the bureau `me` oversees, in the week
/// of `q.week_of` (this week by default), ten at most.
pub async fn ranking(
    db: &impl ConnectionTrait,
    me: &Staff,
    q: &RankingQuery,
    now: DateTime<Utc>,
) -> Result<Ranking, Error> {
    let bureau = oversee(me, q.bureau_code.as_deref())?;
    let day = q
        .week_of
        .unwrap_or_else(|| crate::deadlines::local_date(now));
    let week_start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let week_end = week_start + Duration::days(6);
    let rows: Vec<(String, String, Option<String>, i64, i64, i64)> = case::Entity::find()
        .select_only()
        .column(case::Column::RespondentKey)
        .column_as(Expr::cust("MAX(respondent_name)"), "name")
        .column_as(Expr::cust("MAX(respondent_uscc)"), "uscc")
        .column_as(
            Expr::cust("SUM(CASE WHEN kind = 'complaint' THEN 1 ELSE 0 END)"),
            "complaints",
        )
        .column_as(
            Expr::cust("SUM(CASE WHEN kind = 'report' THEN 1 ELSE 0 END)"),
            "reports",
        )
        .column_as(Expr::cust("COUNT(*)"), "total")
        .filter(case::Column::BureauCode.eq(bureau.as_str()))
        .filter(case::Column::ReceivedAt.gte(start_of_local_day(week_start)))
        .filter(case::Column::ReceivedAt.lt(start_of_local_day(week_end + Duration::days(1))))
        .group_by(case::Column::RespondentKey)
        .order_by_desc(Expr::cust("COUNT(*)"))
        .order_by_asc(case::Column::RespondentKey)
        .limit(10)
        .into_tuple()
        .all(db)
        .await?;
    Ok(Ranking {
        bureau_code: bureau,
        week_start,
        week_end,
        businesses: rows
            .into_iter()
            .map(
                |(_, name, uscc, complaints, reports, total)| RankedBusiness {
                    respondent_name: name,
                    respondent_uscc: uscc,
                    complaints,
                    reports,
                    total,
                },
            )
            .collect(),
    })
}
