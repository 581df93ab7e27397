//! Report endpoints: each runs one step of `crate::reports` in one write transaction.

use actix_web::{post, web};

use crate::http::{ApiJson, ApiResult, Staff};
use crate::reports::decide::ReportDecisionRequest;
use crate::reports::merge::MergeRequest;
use crate::reports::notice::NoticeRequest;
use crate::reports::{self, ReportState};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(decide).service(record_notice).service(merge);
}

/// Decide a report after verification: 立案 (open) or 不予立案 (decline), with reasons.
///
/// `enforcement_officer` or `bureau_admin` of the report's bureau. A named reporter must be told
/// within 5 working days: at once by mail when an address is known.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "report case id")),
    request_body = ReportDecisionRequest,
    responses(
        (status = 200, body = ReportState),
    )
)]
#[post("/reports/{id}/decision")]
async fn decide(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ReportDecisionRequest>,
) -> ApiResult<web::Json<ReportState>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = reports::decide::decide(&txn, &state.env, &me, &path, &body.body, state.clock.now())
        .await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Record that a named reporter was told of the decision (by phone, letter, …).
///
/// `enforcement_officer` or `bureau_admin` of the report's bureau.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "report case id")),
    request_body = NoticeRequest,
    responses((status = 200, body = ReportState))
)]
#[post("/reports/{id}/reporter-notice")]
async fn record_notice(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<NoticeRequest>,
) -> ApiResult<web::Json<ReportState>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = reports::notice::record(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Merge a related report into another (Order 121): it is handled with that one, not again.
///
/// `enforcement_officer` or `bureau_admin` of the report's bureau.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "report case id")),
    request_body = MergeRequest,
    responses((status = 200, body = ReportState))
)]
#[post("/reports/{id}/merge")]
async fn merge(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<MergeRequest>,
) -> ApiResult<web::Json<ReportState>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out =
        reports::merge::merge(&txn, &state.env, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}
