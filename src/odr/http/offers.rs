//! Offers from either side: the desk's offer and the consumer's counter-offer.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::http::auth::consumer_case;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::odr::negotiation::OfferView;
use crate::odr::offer::{self, OfferRequest};
use crate::state::AppState;

/// Make an offer to the consumer (or a new one after a counter-offer).
///
/// The business's desk (`enterprise_agent` bound to the case's business).
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body = OfferRequest,
    responses(
        (status = 201, body = OfferView),
        (status = 409, description = "not the desk's turn, or the case is no longer with the business", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/odr/cases/{id}/offers")]
pub(super) async fn desk_offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<OfferRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "odr_offers", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let offer = offer::make(txn, &me, &path, &body.body, now).await?;
        Ok(OfferView::from(&offer))
    })
    .await
}

/// Counter the business's offer with the consumer's own terms.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body = OfferRequest,
    responses((status = 201, body = OfferView))
)]
#[post("/track/{receipt_number}/odr/counter")]
pub(super) async fn consumer_counter(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<OfferRequest>,
) -> ApiResult<HttpResponse> {
    let c = consumer_case(&state, &req, &path).await?;
    let key = IdempotencyKey::from_request(&req, "odr_counters", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let offer = offer::counter(txn, &c, &body.body, now).await?;
        Ok(OfferView::from(&offer))
    })
    .await
}
