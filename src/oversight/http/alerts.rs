//! Early warnings (list, acknowledge) and the weekly ranking of businesses.

use actix_web::{get, post, web};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::actor::Actor;
use crate::audit;
use crate::cases::access::oversee;
use crate::deadlines::start_of_local_day;
use crate::entities::{alert, case};
use crate::http::{ApiError, ApiResult, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_alerts)
        .service(acknowledge)
        .service(ranking);
}

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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BureauQuery {
    /// Required for a system admin; a bureau admin sees its own.
    bureau_code: Option<String>,
}

/// Open early-warning alerts of a bureau, newest first.
///
/// `bureau_admin` (its bureau) or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(BureauQuery),
    responses((status = 200, body = Vec<AlertView>))
)]
#[get("/oversight/alerts")]
async fn list_alerts(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<BureauQuery>,
) -> ApiResult<web::Json<Vec<AlertView>>> {
    let bureau = oversee(&me, q.bureau_code.as_deref())?;
    let rows = alert::Entity::find()
        .filter(alert::Column::BureauCode.eq(bureau))
        .filter(alert::Column::OpenMarker.is_not_null())
        .order_by_desc(alert::Column::Id)
        .all(&state.db)
        .await?;
    let now = state.clock.now();
    let mut views = Vec::with_capacity(rows.len());
    for a in rows {
        let count = crate::oversight::current_count(&state.db, &a, now).await?;
        views.push(AlertView {
            case_count: count as i32,
            ..AlertView::from(a)
        });
    }
    Ok(web::Json(views))
}

/// Acknowledge an alert; a later one for the same subject can be raised again.
///
/// `bureau_admin` of the alert's bureau, or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AlertView))
)]
#[post("/oversight/alerts/{id}/acknowledge")]
async fn acknowledge(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<AlertView>> {
    let a = alert::Entity::find_by_id(*path)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no alert {}", *path)))?;
    oversee(&me, Some(&a.bureau_code))?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    alert::Entity::update_many()
        .col_expr(alert::Column::OpenMarker, Expr::value(Option::<i32>::None))
        .col_expr(alert::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(
            alert::Column::AcknowledgedBy,
            Expr::value(me.user_id.clone()),
        )
        .filter(alert::Column::Id.eq(a.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "alert.acknowledge",
        None,
        json!({"alert_id": a.id}),
        now,
    )
    .await?;
    let a = alert::Entity::find_by_id(a.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("alert vanished"))?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    bureau_code: Option<String>,
    /// Any day of the week wanted (Monday–Sunday, Asia/Shanghai); default: the current week.
    week_of: Option<NaiveDate>,
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

/// The week's businesses with the most complaints and reports in a bureau.
///
/// `bureau_admin` (its bureau) or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(RankingQuery),
    responses((status = 200, body = Ranking))
)]
#[get("/oversight/ranking")]
async fn ranking(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<RankingQuery>,
) -> ApiResult<web::Json<Ranking>> {
    let bureau = oversee(&me, q.bureau_code.as_deref())?;
    let day = q
        .week_of
        .unwrap_or_else(|| crate::deadlines::local_date(state.clock.now()));
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
        .all(&state.db)
        .await?;
    Ok(web::Json(Ranking {
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
    }))
}
