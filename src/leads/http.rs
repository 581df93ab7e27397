use super::{Decision, LeadKind};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::accounts::mailboxes::{self, Unit};
use crate::actor::Actor;
use crate::audit;
use crate::cases::CaseKind;
use crate::cases::access::{Act, act_on};
use crate::cases::journal::append_event;
use crate::cases::views::PartyView;
use crate::deadlines::{self, DeadlineKind, DeadlineView};
use crate::domain::text::single_line;
use crate::entities::{case, deadline, lead, party};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Role, Staff};
use crate::leads::LeadStatus;
use crate::mail::{self, Mail};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_lead)
        .service(accept)
        .service(decide)
        .service(record_result);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewLead {
    pub kind: LeadKind,
    /// The act that may break the law.
    #[validate(length(min = 5, max = 2000))]
    #[schema(min_length = 5, max_length = 2000)]
    pub act: String,
    pub act_on: Option<NaiveDate>,
    #[validate(length(max = 300), custom(function = "single_line"))]
    #[schema(max_length = 300)]
    pub place: Option<String>,
    #[validate(length(max = 200), custom(function = "single_line"))]
    #[schema(max_length = 200)]
    pub goods_or_service: Option<String>,
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub evidence: Vec<String>,
    /// The legal basis the station suggests.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub suggested_basis: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadView {
    pub id: i64,
    pub kind: crate::leads::LeadKind,
    /// `sent`, `accepted`, `decided` or `closed`.
    pub status: crate::leads::LeadStatus,
    pub source_case_id: String,
    pub source_receipt_number: String,
    pub received_at: DateTime<Utc>,
    pub bureau_code: String,
    pub respondent_name: String,
    pub respondent_uscc: Option<String>,
    pub respondent_address: String,
    pub act: String,
    pub act_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub goods_or_service: Option<String>,
    pub amount_fen: Option<i64>,
    pub evidence: Vec<String>,
    pub suggested_basis: Option<String>,
    pub mediation_outcome: Option<crate::cases::Outcome>,
    pub handling_station_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// `opened` (立案) or `declined` (不予立案).
    pub decision: Option<crate::leads::Decision>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub result: Option<String>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub verification_deadline: Option<DeadlineView>,
    /// The complainant's identity: confidential, shown only to enforcement staff on the lead itself.
    pub complainants: Option<Vec<PartyView>>,
}

async fn view(
    db: &impl ConnectionTrait,
    l: lead::Model,
    with_identity: bool,
) -> ApiResult<LeadView> {
    let c = case::Entity::find_by_id(l.case_id.clone())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("lead without case"))?;
    let d = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(c.id.as_str()))
        .filter(deadline::Column::Kind.eq(DeadlineKind::ClueVerification))
        .one(db)
        .await?;
    let complainants = if with_identity {
        let parties = party::Entity::find()
            .filter(party::Column::CaseId.eq(c.id.as_str()))
            .order_by_asc(party::Column::Position)
            .all(db)
            .await?;
        Some(
            parties
                .into_iter()
                .map(crate::cases::views::full_view)
                .collect(),
        )
    } else {
        None
    };
    Ok(LeadView {
        id: l.id,
        kind: l.kind,
        status: l.status,
        source_case_id: c.id,
        source_receipt_number: c.receipt_number,
        received_at: c.received_at,
        bureau_code: l.bureau_code,
        respondent_name: c.respondent_name,
        respondent_uscc: c.respondent_uscc,
        respondent_address: c.respondent_address,
        act: l.act,
        act_on: l.act_on,
        place: l.place,
        goods_or_service: l.goods_or_service,
        amount_fen: l.amount_fen,
        evidence: serde_json::from_str(&l.evidence).unwrap_or_default(),
        suggested_basis: l.suggested_basis,
        mediation_outcome: c.outcome.or(l.mediation_outcome),
        handling_station_id: l.handling_station_id,
        created_at: l.created_at,
        accepted_at: l.accepted_at,
        decision: l.decision,
        decision_reason: l.decision_reason,
        decided_at: l.decided_at,
        result: l.result,
        escalated_at: l.escalated_at,
        verification_deadline: d.as_ref().map(DeadlineView::from),
        complainants,
    })
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
    let c = act_on(&state.db, &me, &path, Act::StationStep).await?;
    if c.kind != CaseKind::Complaint {
        return Err(ApiError::conflict(
            "not_a_complaint",
            "leads come from complaints; reports are decided directly",
        ));
    }
    let n = body.body;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let existing = lead::Entity::find()
            .filter(lead::Column::CaseId.eq(c.id.as_str()))
            .one(txn)
            .await?;
        if existing.is_some() {
            return Err(ApiError::conflict(
                "lead_exists",
                "this complaint already has a lead",
            ));
        }
        let l = lead::ActiveModel {
            id: NotSet,
            case_id: Set(c.id.clone()),
            bureau_code: Set(c.bureau_code.clone()),
            kind: Set(n.kind),
            status: Set(LeadStatus::Sent),
            act: Set(n.act),
            act_on: Set(n.act_on),
            place: Set(n.place),
            goods_or_service: Set(n.goods_or_service.or(Some(c.goods_or_service.clone()))),
            amount_fen: Set(n.amount_fen.or(c.amount_fen)),
            evidence: Set(json!(n.evidence).to_string()),
            suggested_basis: Set(n.suggested_basis),
            mediation_outcome: Set(c.outcome),
            handling_station_id: Set(c.station_id.clone()),
            created_by: Set(me.user_id.clone()),
            created_at: Set(now),
            accepted_by: Set(None),
            accepted_at: Set(None),
            decision: Set(None),
            decision_reason: Set(None),
            decided_at: Set(None),
            result: Set(None),
            result_at: Set(None),
            escalated_at: Set(None),
        }
        .insert(txn)
        .await?;
        deadlines::open(
            txn,
            &state.env,
            &c.id,
            c.rule_set,
            DeadlineKind::ClueVerification,
            now,
        )
        .await?;
        let actor = Actor::from(&me);
        append_event(
            txn,
            &c.id,
            "lead_sent",
            &actor,
            false,
            json!({"lead_id": l.id, "kind": l.kind}),
            now,
        )
        .await?;
        audit::record(
            txn,
            &actor,
            "lead.create",
            Some(&c.id),
            json!({"lead_id": l.id}),
            now,
        )
        .await?;
        let officers =
            mailboxes::of(txn, Role::EnforcementOfficer, Unit::Bureau(&c.bureau_code)).await?;
        let mail = Mail {
            to: officers,
            subject: format!("【诉转案线索】来源投诉 {}", c.receipt_number),
            body: format!(
                "收到一条违法线索：{}\n被投诉人：{}\n请在15个工作日内核查并作出是否立案的决定。",
                l.act, c.respondent_name
            ),
            attachments: Vec::new(),
            secret: None,
        };
        mail::enqueue(txn, &mail, Some(&format!("lead:{}:sent", l.id)), now).await?;
        let out = view(txn, l, false).await?;
        Ok(out)
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `sent`, `accepted`, `decided` or `closed`.
    status: Option<String>,
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
    me.require(&[Role::EnforcementOfficer, Role::BureauAdmin])?;
    let mut find = lead::Entity::find()
        .filter(lead::Column::BureauCode.eq(me.bureau_code.clone().unwrap_or_default()));
    if let Some(s) = &q.status {
        find = find.filter(lead::Column::Status.eq(s.as_str()));
    }
    let rows = find
        .order_by_asc(lead::Column::Id)
        .limit(500)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for l in rows {
        out.push(view(&state.db, l, false).await?);
    }
    Ok(web::Json(out))
}

async fn load(state: &AppState, me: &Staff, id: i64) -> ApiResult<lead::Model> {
    me.require(&[Role::EnforcementOfficer, Role::BureauAdmin])?;
    let l = lead::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no lead {id}")))?;
    if me.bureau_code.as_deref() != Some(l.bureau_code.as_str()) {
        return Err(ApiError::forbidden("this lead belongs to another bureau"));
    }
    Ok(l)
}

/// A lead for reading: its bureau's enforcement officers and admins, and the mediators of the
/// station handling the complaint it came from, who follow what became of it.
async fn load_readable(state: &AppState, me: &Staff, id: i64) -> ApiResult<lead::Model> {
    if me.role != Role::Mediator {
        return load(state, me, id).await;
    }
    lead::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|l| l.handling_station_id.is_some() && l.handling_station_id == me.station_id)
        .ok_or_else(|| ApiError::not_found(format!("no lead {id}")))
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
    let l = load_readable(&state, &me, *path).await?;
    audit::record(
        &state.db,
        &Actor::from(&me),
        "lead.read_personal_data",
        Some(&l.case_id),
        json!({"lead_id": l.id}),
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(view(&state.db, l, true).await?))
}

/// Moves a lead from one status to the next if it is still in `from`, and reports it on the
/// complaint's timeline.
async fn step(
    state: &AppState,
    me: &Staff,
    id: i64,
    from: LeadStatus,
    to: LeadStatus,
    set: impl FnOnce(sea_orm::UpdateMany<lead::Entity>) -> sea_orm::UpdateMany<lead::Entity>,
    event: (&str, impl FnOnce(&lead::Model) -> serde_json::Value),
) -> ApiResult<LeadView> {
    let l = load(state, me, id).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = set(lead::Entity::update_many().col_expr(lead::Column::Status, Expr::value(to)))
        .filter(lead::Column::Id.eq(l.id))
        .filter(lead::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::conflict(
            "invalid_transition",
            format!("the lead is {}; it must be {from}", l.status),
        ));
    }
    // The decision is the answer the verification deadline waits for.
    if to == LeadStatus::Decided {
        deadlines::store::complete(&txn, &l.case_id, DeadlineKind::ClueVerification, now).await?;
    }
    let l = lead::Entity::find_by_id(l.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("lead vanished"))?;
    let actor = Actor::from(me);
    let (kind, detail) = event;
    let detail = detail(&l);
    append_event(&txn, &l.case_id, kind, &actor, false, detail.clone(), now).await?;
    audit::record(
        &txn,
        &actor,
        &format!("lead.{to}"),
        Some(&l.case_id),
        detail,
        now,
    )
    .await?;
    let out = view(&txn, l, false).await?;
    txn.commit().await?;
    Ok(out)
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
    let now = state.clock.now();
    let user_id = me.user_id.clone();
    Ok(web::Json(
        step(
            &state,
            &me,
            *path,
            LeadStatus::Sent,
            LeadStatus::Accepted,
            |u| {
                u.col_expr(lead::Column::AcceptedAt, Expr::value(now))
                    .col_expr(lead::Column::AcceptedBy, Expr::value(user_id))
            },
            ("lead_accepted", |l: &lead::Model| json!({"lead_id": l.id})),
        )
        .await?,
    ))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct LeadDecisionRequest {
    pub decision: Decision,
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
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
    let now = state.clock.now();
    let decision = body.body.decision;
    let reason = body.body.reason.clone();
    Ok(web::Json(
        step(
            &state,
            &me,
            *path,
            LeadStatus::Accepted,
            LeadStatus::Decided,
            |u| {
                u.col_expr(lead::Column::Decision, Expr::value(decision))
                    .col_expr(lead::Column::DecisionReason, Expr::value(reason))
                    .col_expr(lead::Column::DecidedAt, Expr::value(now))
            },
            (
                "lead_decided",
                |l: &lead::Model| json!({"lead_id": l.id, "decision": decision}),
            ),
        )
        .await?,
    ))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ResultRequest {
    /// What came of it: the penalty decided, the sampling result, or why nothing followed.
    #[validate(length(min = 2, max = 4000))]
    #[schema(min_length = 2, max_length = 4000)]
    pub result: String,
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
    let now = state.clock.now();
    let text = body.body.result.clone();
    Ok(web::Json(
        step(
            &state,
            &me,
            *path,
            LeadStatus::Decided,
            LeadStatus::Closed,
            |u| {
                u.col_expr(lead::Column::Result, Expr::value(text))
                    .col_expr(lead::Column::ResultAt, Expr::value(now))
            },
            // The station handling the complaint reads on its timeline what came of the lead.
            ("lead_closed", |l: &lead::Model| {
                json!({
                    "lead_id": l.id,
                    "decision": l.decision,
                    "decided_at": l.decided_at,
                    "decision_reason": l.decision_reason,
                    "result": l.result,
                    "result_at": l.result_at,
                    "description": format!(
                        "诉转案线索办理结果：{}。{}",
                        match l.decision {
                            Some(Decision::Opened) => "立案",
                            Some(Decision::Declined) => "不予立案",
                            None => "未作决定",
                        },
                        l.result.as_deref().unwrap_or_default()
                    ),
                })
            }),
        )
        .await?,
    ))
}
