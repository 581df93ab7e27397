//! Transfers between bureaus (移送): each handler runs one step of `routing::transfer`.

use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Staff};
use crate::routing::transfer::{self, TransferView, accept, give_back, offer, withdraw};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(request_transfer)
        .service(list_transfers)
        .service(get_transfer)
        .service(accept_transfer)
        .service(return_transfer)
        .service(withdraw_transfer);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct TransferRequest {
    /// County code of the competent bureau.
    #[schema(example = "320412")]
    pub to_bureau_code: String,
    /// Why the case is not this bureau's and is that bureau's.
    #[validate(length(min = 2, max = 1000))]
    #[schema(min_length = 2, max_length = 1000)]
    pub reason: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ReturnRequest {
    /// Why the receiving bureau is not competent either.
    #[validate(length(min = 2, max = 1000))]
    #[schema(min_length = 2, max_length = 1000)]
    pub reason: String,
}

/// Transfer a case to the competent bureau (移送).
///
/// `bureau_admin` of the bureau handling the case. The case stays where it is until the receiving
/// bureau accepts; meanwhile both bureaus see it. 409 `transfer_open` when a transfer of the case is
/// still open; 422 `zone_case_not_transferable` for a pilot-area case in the county where its
/// dispute arose (同城待遇 cases are never refused for jurisdiction).
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = TransferRequest,
    responses(
        (status = 201, body = TransferView),
    )
)]
#[post("/cases/{id}/transfers")]
async fn request_transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<TransferRequest>,
) -> ApiResult<actix_web::HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "transfers", &body.raw)?;
    let now = state.clock.now();
    let input = &body.body;
    create_once(&state.db, key, now, async |txn| {
        let offer = offer::Offer {
            to_bureau_code: &input.to_bureau_code,
            reason: &input.reason,
        };
        Ok(offer::offer(txn, &me, &path, offer, now).await?)
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// `incoming` (to my bureau) or `outgoing` (from it); both when absent.
    #[param(pattern = "^(incoming|outgoing)$")]
    direction: Option<String>,
    /// `pending`, `accepted`, `returned`, `withdrawn` or `escalated`.
    #[param(value_type = Option<crate::routing::transfer_status::TransferStatus>)]
    status: Option<String>,
}

/// Transfers to or from the caller's bureau, newest first.
///
/// `bureau_admin` and `enforcement_officer` see their bureau's; `system_admin` sees all.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(TransferQuery),
    responses(
        (status = 200, body = Vec<TransferView>),
    )
)]
#[get("/transfers")]
async fn list_transfers(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<TransferQuery>,
) -> ApiResult<web::Json<Vec<TransferView>>> {
    let listing = transfer::Listing {
        direction: q.direction.as_deref(),
        status: q.status.as_deref(),
    };
    Ok(web::Json(transfer::list(&state.db, &me, listing).await?))
}

/// One transfer, with its escalation when the dispute went to the common superior.
///
/// Staff (`bureau_admin`, `enforcement_officer`) of the sending or receiving bureau; `system_admin`.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TransferView),
    )
)]
#[get("/transfers/{id}")]
async fn get_transfer(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<TransferView>> {
    Ok(web::Json(transfer::visible(&state.db, &me, &path).await?))
}

/// Accept a transfer: the case moves to this bureau.
///
/// `bureau_admin` of the receiving bureau, while the transfer is pending, returned or escalated
/// (a superior's decision is carried out this way). The case goes to the station covering the
/// dispute town in this county (else the bureau itself); its deadlines keep running from the
/// first receipt. 409 `transfer_closed` once it was accepted or withdrawn.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TransferView),
    )
)]
#[post("/transfers/{id}/accept")]
async fn accept_transfer(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<TransferView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let v = accept::accept(&txn, &me, &path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(v))
}

/// Return a pending transfer with a reason: the bureaus now disagree on jurisdiction.
///
/// `bureau_admin` of the receiving bureau. Opens a `jurisdiction_dispute` deadline of 7 working
/// days on the case; unless the sending bureau withdraws or this one accepts by then, the dispute
/// escalates to the two bureaus' common superior. 409 `transfer_closed` unless pending.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ReturnRequest,
    responses(
        (status = 200, body = TransferView),
    )
)]
#[post("/transfers/{id}/return")]
async fn return_transfer(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ReturnRequest>,
) -> ApiResult<web::Json<TransferView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let v = give_back::give_back(&txn, &state.env, &me, &path, &body.body.reason, now).await?;
    txn.commit().await?;
    Ok(web::Json(v))
}

/// Withdraw a transfer: the sending bureau keeps the case.
///
/// `bureau_admin` of the sending bureau, while the transfer is pending, returned or escalated.
/// 409 `transfer_closed` once it was accepted or withdrawn.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TransferView),
    )
)]
#[post("/transfers/{id}/withdraw")]
async fn withdraw_transfer(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<TransferView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let v = withdraw::withdraw(&txn, &me, &path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(v))
}
