//! Taking a complaint on or turning it away, the consumer's withdrawal, and who mediates: the
//! mediator, recusal, delegation, and how the respondent is reached.

use actix_web::{HttpRequest, HttpResponse, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::common::{StepResult, step};
use crate::cases::views::PartyView;
use crate::deadlines::pauses::PauseView;
use crate::http::auth::consumer_case;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Staff};
use crate::mediation::acceptance::{self, AcceptRequest, RefuseRequest};
use crate::mediation::mediators::{
    self, AssignRequest, DelegationRequest, RecusalDecisionRequest, RecusalRequest,
    RespondentContactRequest,
};
use crate::state::AppState;

/// Accept a complaint (受理).
///
/// Station staff: a `mediator` of the case's station or the `bureau_admin` of its bureau. Meets
/// the acceptance deadline, opens the mediation window from now, makes an accepting mediator the
/// case's mediator, and mails the complainant.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = AcceptRequest,
    responses(
        (status = 200, body = StepResult),
        (status = 409, description = "not pending acceptance, or a concurrent step won", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/accept")]
pub(super) async fn accept(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AcceptRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let (c, window) =
        acceptance::accept(&txn, &state.env, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(step(c, window))
}

/// Refuse a complaint (不予受理) on a statutory ground.
///
/// Station staff, as for accepting. The ground must belong to the case's rule set (Order 121
/// adds `false_materials` and `impersonation_or_id_refused`); the complainant is mailed the
/// ground and the text.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RefuseRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[post("/cases/{id}/refuse")]
pub(super) async fn refuse(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RefuseRequest, false>,
) -> ApiResult<web::Json<StepResult>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let c = acceptance::refuse(&txn, &state.env, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct WithdrawRequest {
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// Withdraw a complaint (撤回投诉).
///
/// The consumer, with `X-Access-Secret`, at any stage before closure. The case closes as
/// withdrawn, its running deadlines are closed and scheduled sessions cancelled; both sides are mailed.
#[utoipa::path(
    tag = "mediation",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header, description = "the secret issued with the receipt"),
    ),
    request_body = WithdrawRequest,
    responses(
        (status = 200, body = StepResult),
        (status = 404, description = "unknown receipt or wrong secret", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already closed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/track/{receipt_number}/withdraw")]
pub(super) async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<WithdrawRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = acceptance::withdraw(&txn, &state.env, c, body.body.reason, now).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

/// Assign the case's mediator.
///
/// Station staff, as for accepting. Not while a recusal application is pending (the decision
/// reassigns). Sessions the previous mediator had scheduled are cancelled and the parties told.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = AssignRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[put("/cases/{id}/mediator")]
pub(super) async fn assign_mediator(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AssignRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let c = mediators::assign(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

/// Record a party's application for the mediator's recusal (回避).
///
/// Station staff record the application a party made. The case is suspended: its clocks stop
/// (a clock stop with reason `recusal`) and no other step but withdrawal is taken until the
/// `bureau_admin` decides. Both parties are mailed.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = RecusalRequest,
    responses(
        (status = 201, body = PauseView),
        (status = 409, description = "not in mediation, no mediator, or the clocks are already stopped", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/recusals")]
pub(super) async fn apply_recusal(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RecusalRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "recusals", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let pause = mediators::apply_recusal(txn, &state.env, &me, &path, &body.body, now).await?;
        Ok(PauseView::from(pause))
    })
    .await
}

/// Decide a pending recusal application.
///
/// `bureau_admin` of the case's bureau. Granted: another mediator of the station takes over (the
/// old one's scheduled sessions are cancelled); rejected: the mediator stays. Either way the
/// suspension ends and the clocks run again; both parties are mailed.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RecusalDecisionRequest,
    responses(
        (status = 200, body = StepResult),
        (status = 409, description = "no application pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/recusals/decision")]
pub(super) async fn decide_recusal(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RecusalDecisionRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let c = mediators::decide_recusal(&txn, &state.env, &me, &path, &body.body, state.clock.now())
        .await?;
    txn.commit().await?;
    Ok(step(c, None))
}

/// Delegate mediation to a consumer association acting in the bureau's name.
///
/// Station staff, as for accepting; only when the consumer accepted delegated mediation at intake
/// (`accept_delegated_mediation`), else 409. Both parties are mailed.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = DelegationRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[post("/cases/{id}/delegation")]
pub(super) async fn delegate(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<DelegationRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let c = mediators::delegate(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

/// Set how the respondent is reached for this case's notices.
///
/// Station staff, as for accepting. Notices to the respondent go to this address and to the
/// business's desk accounts that have one.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RespondentContactRequest,
    responses(
        (status = 200, body = PartyView),
    )
)]
#[put("/cases/{id}/respondent-contact")]
pub(super) async fn respondent_contact(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RespondentContactRequest>,
) -> ApiResult<web::Json<PartyView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let p =
        mediators::set_respondent_contact(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(PartyView {
        role: p.role,
        name: p.name,
        phone: p.phone,
        address: p.address,
        email: p.email,
        id_type: p.id_type,
        id_number: p.id_number,
    }))
}
