//! Answers to an open offer: accepting it, or the consumer rejecting the business's offer.

use actix_web::{HttpRequest, post, web};

use crate::http::auth::consumer_case;
use crate::http::{ApiJson, ApiResult, Staff};
use crate::odr::ReasonRequest;
use crate::odr::answer;
use crate::odr::negotiation::Negotiation;
use crate::state::AppState;

/// Accept the consumer's counter-offer.
///
/// The business's desk.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("offer_id" = i64, Path)),
    responses((status = 200, body = Negotiation))
)]
#[post("/odr/cases/{id}/offers/{offer_id}/accept")]
pub(super) async fn desk_accept_counter(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<Negotiation>> {
    let (id, offer_id) = path.into_inner();
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = answer::accept_counter(&txn, &me, &id, offer_id, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Accept the business's offer.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("offer_id" = i64, Path), ("X-Access-Secret" = String, Header)),
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/offers/{offer_id}/accept")]
pub(super) async fn consumer_accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<Negotiation>> {
    let (receipt, offer_id) = path.into_inner();
    let c = consumer_case(&state, &req, &receipt).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = answer::accept(&txn, &c, offer_id, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Reject the business's last offer: the case goes to the regulator with its history.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("offer_id" = i64, Path), ("X-Access-Secret" = String, Header)),
    request_body = ReasonRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/offers/{offer_id}/reject")]
pub(super) async fn consumer_reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let (receipt, offer_id) = path.into_inner();
    let c = consumer_case(&state, &req, &receipt).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = answer::reject(&txn, &state.env, &c, offer_id, &body.body.reason, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}
