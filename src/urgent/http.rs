//! Urgent queue and duty roster endpoints: each runs one step of `crate::urgent`.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::state::AppState;
use crate::urgent::queue::{self as urgent_queue, UrgentView};
use crate::urgent::roster::{self, DutyRequest, DutyView, Removed};
use crate::urgent::steps::{self, HandoverRequest, NoteRequest, ResolveRequest};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(add_duty)
        .service(list_duty)
        .service(remove_duty)
        .service(queue)
        .service(claim)
        .service(first_contact)
        .service(handover)
        .service(resolve);
}

/// Put a member of the bureau on duty for a period (Asia/Shanghai instants with offset).
///
/// `bureau_admin` of that bureau, or `system_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code of the bureau"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = DutyRequest,
    responses(
        (status = 201, body = DutyView),
    )
)]
#[post("/bureaus/{code}/duty-roster")]
async fn add_duty(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<DutyRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "duty_roster", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(roster::add(txn, &me, &path, &body.body, now).await?)
    })
    .await
}

/// The bureau's duty roster, current and future.
///
/// Staff of that bureau (any staff role bound to it), or `system_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<DutyView>))
)]
#[get("/bureaus/{code}/duty-roster")]
async fn list_duty(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<DutyView>>> {
    Ok(web::Json(
        roster::list(&state.db, &me, &path, state.clock.now()).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DutyRemoved {
    /// `deleted` when the duty had not begun, `ended_now` when it was under way.
    pub removed: Removed,
}

/// Take a duty off the roster: one not yet begun is deleted, one under way ends now; one that is
/// over stays as the record (409 `duty_over`).
///
/// `bureau_admin` of that bureau, or `system_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code of the bureau"), ("duty_id" = i64, Path)),
    responses(
        (status = 200, body = DutyRemoved),
        (status = 409, description = "the duty is over", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/bureaus/{code}/duty-roster/{duty_id}")]
async fn remove_duty(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<DutyRemoved>> {
    let (code, id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let removed = roster::remove(&txn, &me, &code, id, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(DutyRemoved { removed }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Include resolved items.
    #[serde(default)]
    all: bool,
}

/// The bureau's urgent queue, oldest first.
///
/// Staff of the bureau who are on duty now, and its `bureau_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(QueueQuery),
    responses((status = 200, body = Vec<UrgentView>))
)]
#[get("/urgent-queue")]
async fn queue(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<QueueQuery>,
) -> ApiResult<web::Json<Vec<UrgentView>>> {
    Ok(web::Json(
        urgent_queue::list(&state.db, &me, q.all, state.clock.now()).await?,
    ))
}

/// Claim an item: exactly one claimant wins; the others get 409.
///
/// Staff of the bureau on duty now.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = UrgentView),
        (status = 409, description = "already claimed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/urgent-queue/{id}/claim")]
async fn claim(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<UrgentView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = urgent_queue::claim(&txn, &me, *path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Record first contact with the consumer or reporter; whether it met its target is kept.
///
/// The staff member holding the item.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = NoteRequest,
    responses((status = 200, body = UrgentView))
)]
#[post("/urgent-queue/{id}/first-contact")]
async fn first_contact(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<NoteRequest>,
) -> ApiResult<web::Json<UrgentView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = steps::first_contact(&txn, &me, *path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Hand the item to a colleague on duty (e.g. at the end of a shift).
///
/// The staff member holding the item.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = HandoverRequest,
    responses(
        (status = 200, body = UrgentView),
    )
)]
#[post("/urgent-queue/{id}/handover")]
async fn handover(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<HandoverRequest>,
) -> ApiResult<web::Json<UrgentView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = steps::handover(&txn, &me, *path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Close the urgent handling (the case itself goes on under its normal clocks).
///
/// The staff member holding the item.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = ResolveRequest,
    responses((status = 200, body = UrgentView))
)]
#[post("/urgent-queue/{id}/resolve")]
async fn resolve(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<ResolveRequest>,
) -> ApiResult<web::Json<UrgentView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = steps::resolve(&txn, &me, *path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}
