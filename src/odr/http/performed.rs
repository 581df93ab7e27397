//! After agreement: the desk's record of performance, and the consumer's confirmation or
//! reopening.

use actix_web::{HttpRequest, post, web};

use crate::http::auth::consumer_case;
use crate::http::{ApiJson, ApiResult, Staff};
use crate::odr::ReasonRequest;
use crate::odr::negotiation::Negotiation;
use crate::odr::performed::{self, PerformedRequest};
use crate::state::AppState;

/// Record that the agreed settlement was performed (refund paid, goods replaced, …).
///
/// The business's desk.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = PerformedRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/odr/cases/{id}/performance")]
pub(super) async fn desk_performed(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<PerformedRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = performed::record(&txn, &me, &path, &body.body, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Confirm the business performed: the case closes as settled by the enterprise, with the money recovered.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/confirm")]
pub(super) async fn consumer_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = performed::confirm(&txn, &state.env, &c, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Reopen a settlement the business did not perform by its date: the case goes to the regulator.
///
/// The consumer, with `X-Access-Secret`; only after the agreed performance date has passed.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    request_body = ReasonRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/reopen")]
pub(super) async fn consumer_reopen(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = performed::reopen(&txn, &state.env, &c, &body.body.reason, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}
