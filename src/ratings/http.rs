//! The consumer's rating endpoint: runs `crate::ratings::rate`.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::http::auth::consumer_case;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem};
use crate::ratings::RatingView;
use crate::ratings::rate::{self, RatingRequest};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(rate_case);
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
