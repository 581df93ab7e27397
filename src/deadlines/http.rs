//! Staff actions on a case's clocks: stop them for testing or a recusal, restart them, and the
//! one-time extension on a bureau admin's approval.

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::DeadlineView;
use super::extension::{self, ExtendRequest};
use super::pauses::{self, PauseRequest, PauseView};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(start_pause).service(end_pause).service(extend);
}

/// Stop a case's clocks for testing.
///
/// Handling staff (`mediator` of the case's station, `bureau_admin` or `enforcement_officer` of
/// its bureau). Regulator deadlines show `paused` until the pause ends, then move back by the
/// working days it lasted. One pause at a time. A recusal suspension uses the same clock stop but
/// is filed with `POST /cases/{id}/recusals` (reason `recusal` here is a 422).
#[utoipa::path(
    tag = "deadlines",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = PauseRequest,
    responses(
        (status = 201, body = PauseView),
        (status = 409, description = "a pause is already running", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/pauses")]
async fn start_pause(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<PauseRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "pauses", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(pauses::stop(txn, &state.env, &me, &path, &body.body, now).await?)
    })
    .await
}

/// Restart a case's clocks.
///
/// Handling staff, as for stopping them. A recusal suspension ends only with its decision (409).
#[utoipa::path(
    tag = "deadlines",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("pause_id" = i64, Path)),
    responses(
        (status = 200, body = PauseView),
        (status = 409, description = "the pause already ended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/pauses/{pause_id}/end")]
async fn end_pause(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<PauseView>> {
    let (case_id, pause_id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let pause =
        pauses::restart(&txn, &state.env, &me, &case_id, pause_id, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(pause))
}

/// Approve the one-time extension of a deadline.
///
/// `bureau_admin` of the case's bureau. Only limits that allow it (report and 诉转案 clue
/// verification: 15 more working days), once.
#[utoipa::path(
    tag = "deadlines",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("kind" = String, Path, example = "report_verification")),
    request_body = ExtendRequest,
    responses(
        (status = 200, body = DeadlineView),
        (status = 409, description = "already extended, or no extension allowed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/deadlines/{kind}/extend")]
async fn extend(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, String)>,
    body: ApiJson<ExtendRequest>,
) -> ApiResult<web::Json<DeadlineView>> {
    let (case_id, kind) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let d = extension::extend(
        &txn,
        &state.env,
        &me,
        &case_id,
        &kind,
        &body.body,
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(d))
}
