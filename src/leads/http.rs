//! 诉转案 lead endpoints: each runs one step of `crate::leads`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::leads::open::NewLead;
use crate::leads::steps::{self, LeadDecisionRequest, ResultRequest};
use crate::leads::view::LeadView;
use crate::leads::{LeadStatus, read};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_lead)
        .service(accept)
        .service(decide)
        .service(record_result);
}

/// Turn a violation clue found in a complaint into an enforcement lead (诉转案 / 诉转抽 / 诉转监).
///
/// Handling staff of the complaint (`mediator` of its station or `bureau_admin` of its bureau);
/// one lead per complaint. The competent bureau's enforcement officers are told by mail, and
/// verification runs 15 working days.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "complaint case id"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = NewLead,
    responses(
        (status = 201, body = LeadView),
        (status = 409, description = "the complaint already has a lead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/leads")]
async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<NewLead>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "leads", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(crate::leads::open::open(txn, &state.env, &me, &path, &body.body, now).await?)
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    status: Option<LeadStatus>,
}

/// The bureau's leads, oldest first; no complainant identity in the list.
///
/// `enforcement_officer` or `bureau_admin` of the bureau.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Vec<LeadView>))
)]
#[get("/leads")]
async fn list(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<ListQuery>,
) -> ApiResult<web::Json<Vec<LeadView>>> {
    Ok(web::Json(read::list(&state.db, &me, q.status).await?))
}

/// One lead with everything it carries, including the complainant's identity (the read is audited).
///
/// `enforcement_officer` or `bureau_admin` of the bureau, and `mediator` of the station handling
/// the complaint it came from.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = LeadView))
)]
#[get("/leads/{id}")]
async fn get_lead(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<LeadView>> {
    Ok(web::Json(
        read::get(&state.db, &me, *path, state.clock.now()).await?,
    ))
}

/// Accept a lead for verification.
///
/// `enforcement_officer` or `bureau_admin` of the bureau.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = LeadView))
)]
#[post("/leads/{id}/accept")]
async fn accept(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<LeadView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = steps::accept(&txn, &me, *path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Decide after verification: 立案 or 不予立案, with reasons.
///
/// `enforcement_officer` or `bureau_admin` of the bureau.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = LeadDecisionRequest,
    responses((status = 200, body = LeadView))
)]
#[post("/leads/{id}/decision")]
async fn decide(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<LeadDecisionRequest>,
) -> ApiResult<web::Json<LeadView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = steps::decide(&txn, &me, *path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Record the final result and close the lead.
///
/// `enforcement_officer` or `bureau_admin` of the bureau.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = ResultRequest,
    responses((status = 200, body = LeadView))
)]
#[post("/leads/{id}/result")]
async fn record_result(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<ResultRequest>,
) -> ApiResult<web::Json<LeadView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = steps::record_result(&txn, &me, *path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}
