//! Registry endpoints: each runs one step of `crate::businesses`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::businesses::enrolment::{self, ApplyRequest, EnrolmentDecisionRequest};
use crate::businesses::register::NewBusiness;
use crate::businesses::{BusinessView, find};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(register)
        .service(search)
        .service(get_business)
        .service(apply)
        .service(decide);
}

/// Register a business.
///
/// `bureau_admin` for businesses in its county, or `system_admin`.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = NewBusiness,
    responses(
        (status = 201, body = BusinessView),
        (status = 409, description = "USCC already registered", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/businesses")]
async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<NewBusiness>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "businesses", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(crate::businesses::register::register(txn, &me, &body.body, now).await?)
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of the name, or a full USCC.
    q: Option<String>,
}

/// Search the registry.
///
/// Any staff role.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = Vec<BusinessView>))
)]
#[get("/businesses")]
async fn search(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<SearchQuery>,
) -> ApiResult<web::Json<Vec<BusinessView>>> {
    Ok(web::Json(
        find::search(&state.db, &me, q.q.as_deref()).await?,
    ))
}

/// One business with its ODR enrolment.
///
/// Any staff role; a desk only its own business.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = BusinessView),
    )
)]
#[get("/businesses/{id}")]
async fn get_business(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<BusinessView>> {
    Ok(web::Json(find::get(&state.db, &me, &path).await?))
}

/// Apply for ODR enrolment (or re-apply after removal).
///
/// The business's own desk (`enterprise_agent`), its county's `bureau_admin`, or `system_admin`.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ApplyRequest,
    responses(
        (status = 200, body = BusinessView),
        (status = 409, description = "already applied or enrolled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/businesses/{id}/odr/apply")]
async fn apply(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ApplyRequest>,
) -> ApiResult<web::Json<BusinessView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = enrolment::apply(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

/// Decide an enrolment: enroll an applicant or a suspended business, suspend, or remove (动态退出).
///
/// `bureau_admin` of the business's county, or `system_admin`.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = EnrolmentDecisionRequest,
    responses(
        (status = 200, body = BusinessView),
        (status = 409, description = "not possible from the current status", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/businesses/{id}/odr/decision")]
async fn decide(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<EnrolmentDecisionRequest>,
) -> ApiResult<web::Json<BusinessView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let out = enrolment::decide(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}
