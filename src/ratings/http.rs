//! The consumer's rating endpoint (`crate::ratings::rate`) and the return visit's
//! (`crate::ratings::visit`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::http::auth::consumer_case;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::ratings::rate::{self, RatingRequest};
use crate::ratings::visit::{self, ReturnVisitRequest, ReturnVisitView};
use crate::ratings::{Error, RatingView};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(rate_case)
        .service(get_return_visit)
        .service(record_return_visit);
}

/// Rate how a closed case was handled: 满意 (`satisfied`), 基本满意 (`basically_satisfied`) or
/// 不满意 (`dissatisfied`), with an optional comment.
///
/// The consumer, with `X-Access-Secret`; once a case, after it closed (any ending) and within
/// `rating_window_days` (30 by default) of its closure. The tracking view says whether rating is
/// open (`rating`).
#[utoipa::path(
    tag = "intake",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe"),
    ),
    request_body = RatingRequest,
    responses(
        (status = 201, body = RatingView),
        (status = 404, description = "no case matches the receipt number and secret", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_not_closed`, `already_rated` or `rating_window_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a bad rating or a comment over 500 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/track/{receipt_number}/rating")]
async fn rate_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<RatingRequest>,
) -> ApiResult<HttpResponse> {
    let c = consumer_case(&state, &req, &path).await?;
    let key = IdempotencyKey::from_request(&req, "ratings", &body.raw)?;
    let now = state.clock.now();
    let window = state.env.settings.rating_window_days;
    create_once(&state.db, key, now, async |txn| {
        Ok(rate::rate(txn, window, &c, &body.body, now).await?)
    })
    .await
}

/// The case's return visit (回访): when it is due, and what was recorded.
///
/// Staff who see the case, except the business's desk (the consumer's satisfaction is the
/// regulator's to read). A visit is opened when a case closes by agreement, termination or
/// enterprise settlement (configurable: `XIAOBAO_RETURN_VISIT_OUTCOMES`,
/// `XIAOBAO_RETURN_VISIT_SHARE_PERCENT`); 404 `no_return_visit` when the case has none.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = ReturnVisitView),
        (status = 403, description = "the business's desk", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case in your scope, or `no_return_visit`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/return-visit")]
async fn get_return_visit(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<ReturnVisitView>> {
    match visit::read(&state.db, &me, &path).await? {
        Some(v) => Ok(web::Json(v)),
        None => Err(Error::NoReturnVisit.into()),
    }
}

/// Record the case's return visit: the day, the channel, what the consumer said and the
/// satisfaction the consumer told.
///
/// A mediator of the handling station or a bureau admin, once; meets the visit's deadline
/// (`return_visit`, 10 working days from closure, a proposal).
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body = ReturnVisitRequest,
    responses(
        (status = 201, body = ReturnVisitView),
        (status = 404, description = "no such case in your scope, or `no_return_visit`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`return_visit_recorded`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a day in the future or before the closure, or no result", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/return-visit")]
async fn record_return_visit(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ReturnVisitRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "return_visits", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(visit::record(txn, &me, &path, &body.body, now).await?)
    })
    .await
}
