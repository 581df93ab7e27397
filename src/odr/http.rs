//! The desk's and the consumer's side of ODR negotiation.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::{OdrState, OfferKind, advance, consumer_emails, describe_offer, escalate};
use crate::actor::Actor;
use crate::audit;
use crate::cases::access::load_visible;
use crate::cases::{self, CaseStatus, Outcome};
use crate::deadlines::{self, DeadlineKind, DeadlineView, local_date};
use crate::entities::{case, deadline, odr_offer};
use crate::http::auth::consumer_case;
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Role, Staff};
use crate::mail::{self, Mail};
use crate::odr::{OfferParty, OfferStatus};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(desk_offer)
        .service(desk_accept_counter)
        .service(desk_decline)
        .service(desk_performed)
        .service(consumer_view)
        .service(consumer_accept)
        .service(consumer_reject)
        .service(consumer_counter)
        .service(consumer_confirm)
        .service(consumer_reopen);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct OfferRequest {
    pub kind: OfferKind,
    /// In fen; 0 for a replacement or repair without payment.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    pub amount_fen: i64,
    /// The date by which the business performs.
    pub perform_by: NaiveDate,
    #[validate(length(min = 1, max = 2000))]
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct OfferView {
    pub id: i64,
    /// `business` or `consumer`.
    pub party: crate::odr::OfferParty,
    pub kind: crate::odr::OfferKind,
    pub amount_fen: i64,
    pub perform_by: NaiveDate,
    pub message: String,
    /// `open`, `accepted`, `rejected` or `superseded`.
    pub status: crate::odr::OfferStatus,
    pub created_at: DateTime<Utc>,
    pub performed_at: Option<DateTime<Utc>>,
}

impl From<&odr_offer::Model> for OfferView {
    fn from(o: &odr_offer::Model) -> Self {
        OfferView {
            id: o.id,
            party: o.party,
            kind: o.kind,
            amount_fen: o.amount_fen,
            perform_by: o.perform_by,
            message: o.message.clone(),
            status: o.status,
            created_at: o.created_at,
            performed_at: o.performed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Negotiation {
    pub case_status: crate::cases::CaseStatus,
    /// `negotiating`, `offered`, `countered`, `agreed`, `performed`, `settled` or `escalated`.
    pub state: Option<crate::odr::OdrState>,
    pub settlement_deadline: Option<DeadlineView>,
    pub offers: Vec<OfferView>,
}

async fn negotiation(db: &impl ConnectionTrait, case_id: &str) -> ApiResult<Negotiation> {
    let c = case::Entity::find_by_id(case_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    let offers = odr_offer::Entity::find()
        .filter(odr_offer::Column::CaseId.eq(case_id))
        .order_by_asc(odr_offer::Column::Id)
        .all(db)
        .await?;
    let settlement = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::OdrSettlement))
        .one(db)
        .await?;
    Ok(Negotiation {
        case_status: c.status,
        state: c.odr_state,
        settlement_deadline: settlement.as_ref().map(DeadlineView::from),
        offers: offers.iter().map(OfferView::from).collect(),
    })
}

async fn desk_case(state: &AppState, me: &Staff, id: &str) -> ApiResult<case::Model> {
    me.require(&[Role::EnterpriseAgent])?;
    Ok(load_visible(&state.db, me, id).await?)
}

/// Supersedes the open offers of a case and records a new one.
async fn record_offer(
    db: &impl ConnectionTrait,
    c: &case::Model,
    party: OfferParty,
    made_by: Option<String>,
    o: &OfferRequest,
    now: DateTime<Utc>,
) -> ApiResult<odr_offer::Model> {
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Superseded),
        )
        .filter(odr_offer::Column::CaseId.eq(c.id.as_str()))
        .filter(odr_offer::Column::Status.eq(OfferStatus::Open))
        .exec(db)
        .await?;
    Ok(odr_offer::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        party: Set(party),
        kind: Set(o.kind),
        amount_fen: Set(o.amount_fen),
        perform_by: Set(o.perform_by),
        message: Set(o.message.trim().into()),
        status: Set(OfferStatus::Open),
        made_by: Set(made_by),
        created_at: Set(now),
        answered_at: Set(None),
        performed_at: Set(None),
    }
    .insert(db)
    .await?)
}

async fn open_offer(
    db: &impl ConnectionTrait,
    c: &case::Model,
    id: i64,
    party: &str,
) -> ApiResult<odr_offer::Model> {
    odr_offer::Entity::find_by_id(id)
        .filter(odr_offer::Column::CaseId.eq(c.id.as_str()))
        .filter(odr_offer::Column::Party.eq(party))
        .filter(odr_offer::Column::Status.eq(OfferStatus::Open))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::conflict("offer_not_open", "that offer is not open for an answer"))
}

/// Marks the offer accepted and the case agreed; the settlement deadline is met.
async fn agree(
    db: &impl ConnectionTrait,
    c: &case::Model,
    offer: &odr_offer::Model,
    from: OdrState,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    advance(db, c, &[from], OdrState::Agreed, now).await?;
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Accepted),
        )
        .col_expr(odr_offer::Column::AnsweredAt, Expr::value(now))
        .filter(odr_offer::Column::Id.eq(offer.id))
        .exec(db)
        .await?;
    case::Entity::update_many()
        .col_expr(case::Column::OdrAgreedOfferId, Expr::value(offer.id))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(db)
        .await?;
    deadlines::store::complete(db, &c.id, DeadlineKind::OdrSettlement, now).await?;
    cases::journal::append_event(
        db,
        &c.id,
        "odr_agreed",
        actor,
        true,
        json!({"description": format!("双方达成和解：{}", describe_offer(offer)), "offer_id": offer.id}),
        now,
    )
    .await?;
    audit::record(
        db,
        actor,
        "odr.agree",
        Some(&c.id),
        json!({"offer_id": offer.id}),
        now,
    )
    .await?;
    Ok(())
}

/// Make an offer to the consumer (or a new one after a counter-offer).
///
/// The business's desk (`enterprise_agent` bound to the case's business).
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = OfferRequest,
    responses(
        (status = 201, body = OfferView),
        (status = 409, description = "not the desk's turn, or the case is no longer with the business", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/odr/cases/{id}/offers")]
async fn desk_offer(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<OfferRequest>,
) -> ApiResult<HttpResponse> {
    let c = desk_case(&state, &me, &path).await?;
    let now = state.clock.now();
    if body.body.perform_by < local_date(now) {
        return Err(ApiError::field("perform_by", "cannot be in the past"));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    advance(
        &txn,
        &c,
        &[OdrState::Negotiating, OdrState::Countered],
        OdrState::Offered,
        now,
    )
    .await?;
    if c.odr_first_response_at.is_none() {
        case::Entity::update_many()
            .col_expr(case::Column::OdrFirstResponseAt, Expr::value(now))
            .filter(case::Column::Id.eq(c.id.as_str()))
            .exec(&txn)
            .await?;
    }
    let offer = record_offer(
        &txn,
        &c,
        OfferParty::Business,
        Some(me.user_id.clone()),
        &body.body,
        now,
    )
    .await?;
    let actor = Actor::from(&me);
    let text = describe_offer(&offer);
    cases::journal::append_event(
        &txn,
        &c.id,
        "odr_offer",
        &actor,
        true,
        json!({"description": format!("企业提出和解方案：{text}"), "offer_id": offer.id}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "odr.offer",
        Some(&c.id),
        json!({"offer_id": offer.id}),
        now,
    )
    .await?;
    let mail = Mail {
        to: consumer_emails(&txn, &c.id).await?,
        subject: format!("【和解方案】投诉 {} 企业提出和解方案", c.receipt_number),
        body: format!(
            "被投诉企业就投诉 {} 提出和解方案：{text}\n请凭受理编号和查询密码接受、拒绝或提出您的方案。",
            c.receipt_number
        ),
        attachments: Vec::new(),
    };
    mail::enqueue(&txn, &mail, Some(&format!("odr:offer:{}", offer.id)), now).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(OfferView::from(&offer)))
}

/// Accept the consumer's counter-offer.
///
/// The business's desk.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("offer_id" = i64, Path)),
    responses((status = 200, body = Negotiation))
)]
#[post("/odr/cases/{id}/offers/{offer_id}/accept")]
async fn desk_accept_counter(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<Negotiation>> {
    let (id, offer_id) = path.into_inner();
    let c = desk_case(&state, &me, &id).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let offer = open_offer(&txn, &c, offer_id, "consumer").await?;
    agree(
        &txn,
        &c,
        &offer,
        OdrState::Countered,
        &Actor::from(&me),
        now,
    )
    .await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ReasonRequest {
    #[validate(length(min = 2, max = 2000))]
    pub reason: String,
}

/// Decline to settle: the case goes to the regulator with its history.
///
/// The business's desk.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = ReasonRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/odr/cases/{id}/decline")]
async fn desk_decline(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = desk_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    advance(
        &txn,
        &c,
        &[
            OdrState::Negotiating,
            OdrState::Offered,
            OdrState::Countered,
        ],
        OdrState::Escalated,
        now,
    )
    .await?;
    let c = case::Entity::find_by_id(c.id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    escalate(
        &txn,
        &state,
        &c,
        &format!("企业拒绝和解：{}", body.body.reason),
        &Actor::from(&me),
        now,
    )
    .await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct PerformedRequest {
    #[validate(length(min = 1, max = 2000))]
    pub note: String,
}

/// Record that the agreed settlement was performed (refund paid, goods replaced, …).
///
/// The business's desk.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = PerformedRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/odr/cases/{id}/performance")]
async fn desk_performed(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<PerformedRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = desk_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    advance(&txn, &c, &[OdrState::Agreed], OdrState::Performed, now).await?;
    odr_offer::Entity::update_many()
        .col_expr(odr_offer::Column::PerformedAt, Expr::value(now))
        .filter(odr_offer::Column::Id.eq(c.odr_agreed_offer_id.unwrap_or_default()))
        .exec(&txn)
        .await?;
    let actor = Actor::from(&me);
    cases::journal::append_event(
        &txn,
        &c.id,
        "odr_performed",
        &actor,
        true,
        json!({"description": "企业已履行和解协议，待消费者确认", "note": body.body.note}),
        now,
    )
    .await?;
    audit::record(&txn, &actor, "odr.performed", Some(&c.id), json!({}), now).await?;
    let mail = Mail {
        to: consumer_emails(&txn, &c.id).await?,
        subject: format!("【请确认】投诉 {} 企业称已履行和解协议", c.receipt_number),
        body: format!(
            "被投诉企业称已履行和解协议：{}\n请确认；如未履行，可申请转市场监管部门处理。",
            body.body.note
        ),
        attachments: Vec::new(),
    };
    mail::enqueue(&txn, &mail, Some(&format!("odr:{}:performed", c.id)), now).await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// The negotiation: state, settlement deadline and every offer.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    responses(
        (status = 200, body = Negotiation),
    )
)]
#[get("/track/{receipt_number}/odr")]
async fn consumer_view(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = consumer_case(&state, &req, &path).await?;
    Ok(web::Json(negotiation(&state.db, &c.id).await?))
}

/// Accept the business's offer.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("offer_id" = i64, Path), ("X-Access-Secret" = String, Header)),
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/offers/{offer_id}/accept")]
async fn consumer_accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<Negotiation>> {
    let (receipt, offer_id) = path.into_inner();
    let c = consumer_case(&state, &req, &receipt).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let offer = open_offer(&txn, &c, offer_id, "business").await?;
    agree(&txn, &c, &offer, OdrState::Offered, &Actor::Consumer, now).await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Reject the business's last offer: the case goes to the regulator with its history.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("offer_id" = i64, Path), ("X-Access-Secret" = String, Header)),
    request_body = ReasonRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/offers/{offer_id}/reject")]
async fn consumer_reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let (receipt, offer_id) = path.into_inner();
    let c = consumer_case(&state, &req, &receipt).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let offer = open_offer(&txn, &c, offer_id, "business").await?;
    advance(&txn, &c, &[OdrState::Offered], OdrState::Escalated, now).await?;
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Rejected),
        )
        .col_expr(odr_offer::Column::AnsweredAt, Expr::value(now))
        .filter(odr_offer::Column::Id.eq(offer.id))
        .exec(&txn)
        .await?;
    let c = case::Entity::find_by_id(c.id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    escalate(
        &txn,
        &state,
        &c,
        &format!("消费者拒绝和解方案：{}", body.body.reason),
        &Actor::Consumer,
        now,
    )
    .await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Counter the business's offer with the consumer's own terms.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    request_body = OfferRequest,
    responses((status = 201, body = OfferView))
)]
#[post("/track/{receipt_number}/odr/counter")]
async fn consumer_counter(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<OfferRequest>,
) -> ApiResult<HttpResponse> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    if body.body.perform_by < local_date(now) {
        return Err(ApiError::field("perform_by", "cannot be in the past"));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    advance(
        &txn,
        &c,
        &[OdrState::Negotiating, OdrState::Offered],
        OdrState::Countered,
        now,
    )
    .await?;
    let offer = record_offer(&txn, &c, OfferParty::Consumer, None, &body.body, now).await?;
    let text = describe_offer(&offer);
    cases::journal::append_event(
        &txn,
        &c.id,
        "odr_counter",
        &Actor::Consumer,
        true,
        json!({"description": format!("消费者提出方案：{text}"), "offer_id": offer.id}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &Actor::Consumer,
        "odr.counter",
        Some(&c.id),
        json!({"offer_id": offer.id}),
        now,
    )
    .await?;
    let mail = Mail {
        to: crate::deadlines::sweep::who_must_act(&txn, &c, DeadlineKind::OdrSettlement, now)
            .await?,
        subject: format!("【消费者方案】投诉 {}", c.receipt_number),
        body: format!(
            "消费者就投诉 {} 提出方案：{text}\n请接受或提出新的和解方案。",
            c.receipt_number
        ),
        attachments: Vec::new(),
    };
    mail::enqueue(&txn, &mail, Some(&format!("odr:offer:{}", offer.id)), now).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(OfferView::from(&offer)))
}

/// Confirm the business performed: the case closes as settled by the enterprise, with the money recovered.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/confirm")]
async fn consumer_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    advance(&txn, &c, &[OdrState::Performed], OdrState::Settled, now).await?;
    let agreed = odr_offer::Entity::find_by_id(c.odr_agreed_offer_id.unwrap_or_default())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("agreed offer missing"))?;
    let c = cases::lifecycle::transition(
        &txn,
        &c,
        &[CaseStatus::WithBusiness],
        CaseStatus::Closed,
        now,
    )
    .await?;
    case::Entity::update_many()
        .col_expr(
            case::Column::Outcome,
            Expr::value(Outcome::SettledByEnterprise),
        )
        .col_expr(case::Column::ClosedAt, Expr::value(now))
        .col_expr(
            case::Column::AmountRecoveredFen,
            Expr::value(agreed.amount_fen),
        )
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(&txn)
        .await?;
    cases::journal::append_event(&txn, &c.id, "closed", &Actor::Consumer, true, json!({"description": "消费者确认企业已履行，投诉以企业和解办结", "outcome": Outcome::SettledByEnterprise}), now).await?;
    audit::record(
        &txn,
        &Actor::Consumer,
        "odr.settle",
        Some(&c.id),
        json!({"amount_recovered_fen": agreed.amount_fen}),
        now,
    )
    .await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}

/// Reopen a settlement the business did not perform by its date: the case goes to the regulator.
///
/// The consumer, with `X-Access-Secret`; only after the agreed performance date has passed.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    request_body = ReasonRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/track/{receipt_number}/odr/reopen")]
async fn consumer_reopen(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    let agreed = odr_offer::Entity::find_by_id(c.odr_agreed_offer_id.unwrap_or_default())
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "invalid_transition",
                "there is no agreed settlement to reopen",
            )
        })?;
    if local_date(now) <= agreed.perform_by {
        return Err(ApiError::conflict(
            "performance_not_due",
            format!("the business has until {} to perform", agreed.perform_by),
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    advance(
        &txn,
        &c,
        &[OdrState::Agreed, OdrState::Performed],
        OdrState::Escalated,
        now,
    )
    .await?;
    let c = case::Entity::find_by_id(c.id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))?;
    escalate(
        &txn,
        &state,
        &c,
        &format!("和解协议未按期履行：{}", body.body.reason),
        &Actor::Consumer,
        now,
    )
    .await?;
    let n = negotiation(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}
