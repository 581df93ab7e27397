//! How mediation ends: termination and telling the parties, or the agreement reached, and the
//! agreement and its 调解书 as recorded.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::common::{AgreementView, StepResult, step};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::mediation;
use crate::mediation::agreement;
use crate::mediation::outcome::{self, AgreementRequest, TerminationRequest, ToldRequest};
use crate::state::AppState;

/// Terminate mediation (终止调解) and close the case.
///
/// Station staff, as for accepting. The ground must belong to the case's rule set. Both parties
/// are mailed in the same transaction; the termination-notice deadline (7 WD) opens now and is
/// met at once when both sides have an address, otherwise it stays open until staff record
/// having told them (`POST /cases/{id}/termination/told`).
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = TerminationRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[post("/cases/{id}/termination")]
pub(super) async fn terminate(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<TerminationRequest, false>,
) -> ApiResult<web::Json<StepResult>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let (c, notice) =
        outcome::terminate(&txn, &state.env, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(step(c, notice))
}

/// Record that the parties were told of a termination another way.
///
/// Station staff, as for accepting. Meets the termination-notice deadline when a party had no
/// mail address.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = ToldRequest,
    responses(
        (status = 204, description = "recorded"),
    )
)]
#[post("/cases/{id}/termination/told")]
pub(super) async fn termination_told(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ToldRequest>,
) -> ApiResult<HttpResponse> {
    let txn = crate::db::begin_write(&state.db).await?;
    outcome::termination_told(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record the agreement mediation reached (调解协议).
///
/// Station staff, as for accepting. A 调解书 is needed when the mediation was in person, unless
/// the agreement was carried out on the spot or both parties agreed not to have one. Without one
/// the case closes now (outcome `mediated_agreement`) and both parties are mailed the terms; with
/// one, both are mailed the draft to confirm (the business also a single-use confirmation code),
/// and the second confirmation issues it. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body = AgreementRequest,
    responses(
        (status = 201, body = AgreementView),
    )
)]
#[post("/cases/{id}/agreement")]
pub(super) async fn record_agreement(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AgreementRequest, false>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "agreements", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let a = outcome::record_agreement(txn, &state.env, &me, &path, body.body, now).await?;
        Ok(AgreementView::from(a))
    })
    .await
}

/// The case's agreement and, once issued, its 调解书's number, hash and signature.
///
/// Station staff, as for accepting, and the business's desk.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = AgreementView),
    )
)]
#[get("/cases/{id}/agreement")]
pub(super) async fn get_agreement(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<AgreementView>> {
    let c = mediation::party_case(&state.db, &me, &path).await?;
    Ok(web::Json(outcome::of_case(&state.db, &c.id).await?.into()))
}

/// The issued 调解书 as a PDF.
///
/// Station staff, as for accepting, and the business's desk.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the PDF", content_type = "application/pdf"),
        (status = 404, description = "no issued document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/agreement/pdf")]
pub(super) async fn agreement_pdf(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let pdf = agreement::issued_pdf(&state.db, &me, &path, state.clock.now()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Cache-Control", "no-store"))
        .body(pdf))
}
