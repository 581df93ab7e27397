//! Transfers (移送, Order 20 Art 30): a bureau that is not competent sends a case to the competent
//! one, which accepts it (the case moves, clocks keep running from the first receipt) or returns it
//! with a reason. A returned transfer is a jurisdiction dispute the two bureaus must settle within
//! 7 working days; after that it escalates to their common superior.

use super::transfer_status::TransferStatus;
use actix_web::{HttpRequest, get, post, web};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::reference::is_pilot_town;
use super::{RoutingRule, bureau_name, is_county, jurisdiction};
use crate::actor::Actor;
use crate::audit;
use crate::cases::{self, access::load_visible};
use crate::deadlines::DeadlineStatus;
use crate::deadlines::{self, DeadlineKind};
use crate::divisions::Divisions;
use crate::entities::{case, deadline, transfer};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Role, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(request_transfer)
        .service(list_transfers)
        .service(get_transfer)
        .service(accept_transfer)
        .service(return_transfer)
        .service(withdraw_transfer);
}

/// Who decides an escalated dispute: the lowest authority above both bureaus.
#[derive(Serialize, ToSchema)]
pub struct Escalation {
    pub at: DateTime<Utc>,
    /// `city`, `province` or `national`.
    pub level: String,
    /// The superior's division code; absent for the national administration.
    pub division_code: Option<String>,
    pub authority: String,
}

#[derive(Serialize, ToSchema)]
pub struct TransferView {
    pub id: String,
    pub case_id: String,
    pub receipt_number: String,
    pub from_bureau_code: String,
    pub from_bureau_name: String,
    pub to_bureau_code: String,
    pub to_bureau_name: String,
    pub reason: String,
    pub status: TransferStatus,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub return_reason: Option<String>,
    /// For a returned transfer: the end of the 7 working days the bureaus have to settle it.
    pub dispute_due_at: Option<DateTime<Utc>>,
    pub escalation: Option<Escalation>,
}

pub async fn view(db: &impl ConnectionTrait, t: transfer::Model) -> ApiResult<TransferView> {
    let receipt_number = case::Entity::find_by_id(t.case_id.clone())
        .one(db)
        .await?
        .map(|c| c.receipt_number)
        .unwrap_or_default();
    let escalation = t.escalated_at.map(|at| Escalation {
        at,
        level: t
            .escalated_to_code
            .as_deref()
            .and_then(|c| Divisions::builtin().get(c))
            .map_or("national", |d| d.level.as_str())
            .to_owned(),
        division_code: t.escalated_to_code.clone(),
        authority: t.escalated_to_name.clone().unwrap_or_default(),
    });
    Ok(TransferView {
        from_bureau_name: bureau_name(db, &t.from_bureau_code).await?,
        to_bureau_name: bureau_name(db, &t.to_bureau_code).await?,
        status: t.status,
        id: t.id,
        case_id: t.case_id,
        receipt_number,
        from_bureau_code: t.from_bureau_code,
        to_bureau_code: t.to_bureau_code,
        reason: t.reason,
        requested_at: t.requested_at,
        updated_at: t.updated_at,
        return_reason: t.return_reason,
        dispute_due_at: t.dispute_due_at,
        escalation,
    })
}

/// The transfers of a case, oldest first.
pub async fn of_case(db: &impl ConnectionTrait, case_id: &str) -> ApiResult<Vec<TransferView>> {
    let rows = transfer::Entity::find()
        .filter(transfer::Column::CaseId.eq(case_id))
        .order_by_asc(transfer::Column::RequestedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        out.push(view(db, t).await?);
    }
    Ok(out)
}

/// The authority over both bureaus: their lowest common city or province, else the national one.
fn common_superior(a: &str, b: &str) -> (Option<String>, String) {
    let divisions = Divisions::builtin();
    match divisions.common_superior(a, b) {
        Some(d) => (
            Some(d.code.to_owned()),
            format!(
                "{}市场监督管理局",
                divisions.full_name(d.code).unwrap_or_default()
            ),
        ),
        None => (None, "国家市场监督管理总局".to_owned()),
    }
}

/// Moves a transfer from one of `from` to `to`, only if it is still there, so that two racing
/// decisions cannot both win. Returns whether it moved.
async fn advance(
    db: &impl ConnectionTrait,
    id: &str,
    from: &[TransferStatus],
    to: TransferStatus,
    extra: Vec<(transfer::Column, sea_orm::sea_query::SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = transfer::Entity::update_many()
        .col_expr(transfer::Column::Status, Expr::value(to.as_str()))
        .col_expr(transfer::Column::UpdatedAt, Expr::value(now));
    for (col, value) in extra {
        update = update.col_expr(col, value);
    }
    let done = update
        .filter(transfer::Column::Id.eq(id))
        .filter(transfer::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Ends the case's open jurisdiction-dispute clock as `met` (settled) or `missed` (escalated).
async fn close_dispute_clock(
    db: &impl ConnectionTrait,
    case_id: &str,
    settled: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    deadline::Entity::update_many()
        .col_expr(
            deadline::Column::Status,
            Expr::value(if settled {
                DeadlineStatus::Met
            } else {
                DeadlineStatus::Missed
            }),
        )
        .col_expr(deadline::Column::MetAt, Expr::value(settled.then_some(now)))
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::JurisdictionDispute))
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .exec(db)
        .await?;
    Ok(())
}

fn not_open(t: &transfer::Model) -> ApiError {
    ApiError::conflict(
        "transfer_closed",
        format!("this transfer is already {}; nothing to decide", t.status),
    )
}

fn require_bureau_admin(me: &Staff, bureau: &str, side: &str) -> ApiResult<()> {
    me.require(&[Role::BureauAdmin])?;
    if me.bureau_code.as_deref() != Some(bureau) {
        return Err(ApiError::forbidden(format!(
            "only admins of the {side} bureau {bureau} may do this"
        )));
    }
    Ok(())
}

async fn find(db: &impl ConnectionTrait, id: &str) -> ApiResult<transfer::Model> {
    transfer::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no transfer {id}")))
}

/// Loads a transfer the principal may see: staff of either bureau, or a system admin.
async fn find_visible(state: &AppState, me: &Staff, id: &str) -> ApiResult<transfer::Model> {
    me.require(&[
        Role::BureauAdmin,
        Role::EnforcementOfficer,
        Role::SystemAdmin,
    ])?;
    let t = find(&state.db, id).await?;
    let mine = |b: &str| me.bureau_code.as_deref() == Some(b);
    if me.role == Role::SystemAdmin || mine(&t.from_bureau_code) || mine(&t.to_bureau_code) {
        Ok(t)
    } else {
        Err(ApiError::forbidden(
            "only the two bureaus of a transfer see it",
        ))
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct TransferRequest {
    /// County code of the competent bureau.
    #[schema(example = "320412")]
    pub to_bureau_code: String,
    /// Why the case is not this bureau's and is that bureau's.
    #[validate(length(min = 2, max = 1000))]
    pub reason: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ReturnRequest {
    /// Why the receiving bureau is not competent either.
    #[validate(length(min = 2, max = 1000))]
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
    params(("id" = String, Path, description = "case id"), ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
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
    let c = load_visible(&state.db, &me, &path).await?;
    require_bureau_admin(&me, &c.bureau_code, "handling")?;
    let to = body.body.to_bureau_code.trim();
    if !is_county(to) {
        return Err(ApiError::field(
            "to_bureau_code",
            "not a county code; bureaus are county-level",
        ));
    }
    if to == c.bureau_code {
        return Err(ApiError::field(
            "to_bureau_code",
            "the case is already with this bureau",
        ));
    }
    let dispute_county = Divisions::builtin()
        .county_of(&c.dispute_division_code)
        .map(|d| d.code);
    if is_pilot_town(&c.dispute_division_code) && dispute_county == Some(c.bureau_code.as_str()) {
        return Err(ApiError::unprocessable(
            "zone_case_not_transferable",
            "the dispute arose in the pilot area in your county: under 同城待遇 it is handled here and never refused for jurisdiction",
        ));
    }
    let key = IdempotencyKey::from_request(&req, "transfers", &body.raw)?;
    let now = state.clock.now();
    let reason = body.body.reason.trim().to_owned();
    create_once(&state.db, key, now, async |txn| {
        let open = transfer::Entity::find()
            .filter(transfer::Column::CaseId.eq(&c.id))
            .filter(transfer::Column::Status.is_in(TransferStatus::OPEN))
            .one(txn)
            .await?;
        if let Some(t) = open {
            return Err(ApiError::conflict(
                "transfer_open",
                format!(
                    "transfer {} of this case to {} is still {}; settle it first",
                    t.id, t.to_bureau_code, t.status
                ),
            ));
        }
        let t = transfer::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            case_id: Set(c.id.clone()),
            from_bureau_code: Set(c.bureau_code.clone()),
            to_bureau_code: Set(to.to_owned()),
            reason: Set(reason.clone()),
            status: Set(TransferStatus::Pending),
            requested_at: Set(now),
            updated_at: Set(now),
            return_reason: Set(None),
            dispute_due_at: Set(None),
            escalated_at: Set(None),
            escalated_to_code: Set(None),
            escalated_to_name: Set(None),
        }
        .insert(txn)
        .await?;
        let to_name = bureau_name(txn, to).await?;
        let actor = Actor::from(&me);
        cases::journal::append_event(
            txn,
            &c.id,
            "transfer_requested",
            &actor,
            true,
            json!({"description": format!("本案拟移送{to_name}办理，待其确认"), "transfer_id": t.id, "to_bureau_code": to, "reason": reason}),
            now,
        )
        .await?;
        audit::record(
            txn,
            &actor,
            "transfer.request",
            Some(&c.id),
            json!({"transfer_id": t.id, "to_bureau_code": to}),
            now,
        )
        .await?;
        view(txn, t).await
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    /// `incoming` (to my bureau) or `outgoing` (from it); both when absent.
    direction: Option<String>,
    /// `pending`, `accepted`, `returned`, `withdrawn` or `escalated`.
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
    me.require(&[
        Role::BureauAdmin,
        Role::EnforcementOfficer,
        Role::SystemAdmin,
    ])?;
    let mut find = transfer::Entity::find();
    if me.role != Role::SystemAdmin {
        let mine = me.bureau_code.clone().unwrap_or_default();
        let incoming = transfer::Column::ToBureauCode.eq(mine.clone());
        let outgoing = transfer::Column::FromBureauCode.eq(mine);
        find = find.filter(match q.direction.as_deref() {
            None => Condition::any().add(incoming).add(outgoing),
            Some("incoming") => Condition::all().add(incoming),
            Some("outgoing") => Condition::all().add(outgoing),
            Some(_) => return Err(ApiError::field("direction", "incoming or outgoing")),
        });
    }
    if let Some(s) = &q.status {
        let s = TransferStatus::parse(s).ok_or_else(|| {
            ApiError::field(
                "status",
                "pending, accepted, returned, withdrawn or escalated",
            )
        })?;
        find = find.filter(transfer::Column::Status.eq(s.as_str()));
    }
    let rows = find
        .order_by_desc(transfer::Column::RequestedAt)
        .limit(200)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        out.push(view(&state.db, t).await?);
    }
    Ok(web::Json(out))
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
    let t = find_visible(&state, &me, &path).await?;
    Ok(web::Json(view(&state.db, t).await?))
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
    let t = find(&state.db, &path).await?;
    require_bureau_admin(&me, &t.to_bureau_code, "receiving")?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    if !advance(
        &txn,
        &t.id,
        &TransferStatus::OPEN,
        TransferStatus::Accepted,
        vec![],
        now,
    )
    .await?
    {
        return Err(not_open(&find(&txn, &t.id).await?));
    }
    let c = case::Entity::find_by_id(t.case_id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("transfer of a missing case"))?;
    let towns: Vec<&str> = std::iter::once(c.dispute_division_code.as_str())
        .chain(c.respondent_division_code.as_deref())
        .collect();
    let (to_name, station) = jurisdiction(&txn, &t.to_bureau_code, &towns).await?;
    let handler = match &station {
        Some(s) => format!("{to_name}{}", s.name),
        None => to_name,
    };
    let mut moved: case::ActiveModel = c.into();
    moved.bureau_code = Set(t.to_bureau_code.clone());
    moved.station_id = Set(station.as_ref().map(|s| s.id.clone()));
    moved.routing_rule = Set(RoutingRule::Transferred);
    moved.updated_at = Set(now);
    moved.update(&txn).await?;
    close_dispute_clock(&txn, &t.case_id, true, now).await?;
    let actor = Actor::from(&me);
    cases::journal::append_event(
        &txn,
        &t.case_id,
        "transfer_accepted",
        &actor,
        true,
        json!({"description": format!("移送已接收，改由{handler}办理"), "transfer_id": t.id, "bureau_code": t.to_bureau_code, "station_id": station.map(|s| s.id), "rule": RoutingRule::Transferred}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "transfer.accept",
        Some(&t.case_id),
        json!({"transfer_id": t.id}),
        now,
    )
    .await?;
    let v = view(&txn, find(&txn, &t.id).await?).await?;
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
    let t = find(&state.db, &path).await?;
    require_bureau_admin(&me, &t.to_bureau_code, "receiving")?;
    let now = state.clock.now();
    let reason = body.body.reason.trim().to_owned();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = case::Entity::find_by_id(t.case_id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("transfer of a missing case"))?;
    let rule_set = c.rule_set;
    let clock = deadlines::compute(
        &state.env.calendar.current(),
        &state.env.rules,
        rule_set,
        DeadlineKind::JurisdictionDispute,
        now,
    )
    .ok_or_else(|| ApiError::internal("the rule set has no jurisdiction_dispute limit"))?;
    if !advance(
        &txn,
        &t.id,
        &[TransferStatus::Pending],
        TransferStatus::Returned,
        vec![
            (
                transfer::Column::ReturnReason,
                Expr::value(Some(reason.clone())),
            ),
            (
                transfer::Column::DisputeDueAt,
                Expr::value(Some(clock.due_at)),
            ),
        ],
        now,
    )
    .await?
    {
        return Err(not_open(&find(&txn, &t.id).await?));
    }
    // A case has one dispute deadline; an earlier transfer's (already closed) gives way to this one.
    deadline::Entity::delete_many()
        .filter(deadline::Column::CaseId.eq(&t.case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::JurisdictionDispute))
        .exec(&txn)
        .await?;
    deadlines::store::insert(&txn, &t.case_id, &clock).await?;
    let from_name = bureau_name(&txn, &t.from_bureau_code).await?;
    let to_name = bureau_name(&txn, &t.to_bureau_code).await?;
    let actor = Actor::from(&me);
    cases::journal::append_event(
        &txn,
        &t.case_id,
        "transfer_returned",
        &actor,
        true,
        json!({"description": format!("{to_name}退回移送，本案暂由{from_name}办理，两局协商管辖"), "transfer_id": t.id, "reason": reason, "dispute_due_at": clock.due_at}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "transfer.return",
        Some(&t.case_id),
        json!({"transfer_id": t.id, "reason": reason}),
        now,
    )
    .await?;
    let v = view(&txn, find(&txn, &t.id).await?).await?;
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
    let t = find(&state.db, &path).await?;
    require_bureau_admin(&me, &t.from_bureau_code, "sending")?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    if !advance(
        &txn,
        &t.id,
        &TransferStatus::OPEN,
        TransferStatus::Withdrawn,
        vec![],
        now,
    )
    .await?
    {
        return Err(not_open(&find(&txn, &t.id).await?));
    }
    close_dispute_clock(&txn, &t.case_id, true, now).await?;
    let from_name = bureau_name(&txn, &t.from_bureau_code).await?;
    let actor = Actor::from(&me);
    cases::journal::append_event(
        &txn,
        &t.case_id,
        "transfer_withdrawn",
        &actor,
        true,
        json!({"description": format!("移送已撤回，本案由{from_name}继续办理"), "transfer_id": t.id}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "transfer.withdraw",
        Some(&t.case_id),
        json!({"transfer_id": t.id}),
        now,
    )
    .await?;
    let v = view(&txn, find(&txn, &t.id).await?).await?;
    txn.commit().await?;
    Ok(web::Json(v))
}

/// Escalates every returned transfer whose 7 working days ran out to the two bureaus' common
/// superior (Order 20 Art 30), recording who that is. Safe to run from several instances at once:
/// each transfer escalates once. Returns how many escalated.
pub async fn escalate_overdue_transfers(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let due = transfer::Entity::find()
        .filter(transfer::Column::Status.eq(TransferStatus::Returned))
        .filter(transfer::Column::DisputeDueAt.lte(now))
        .all(db)
        .await?;
    let mut escalated = 0;
    for t in due {
        let (code, authority) = common_superior(&t.from_bureau_code, &t.to_bureau_code);
        let txn = crate::db::begin_write(db).await?;
        let moved = advance(
            &txn,
            &t.id,
            &[TransferStatus::Returned],
            TransferStatus::Escalated,
            vec![
                (transfer::Column::EscalatedAt, Expr::value(Some(now))),
                (transfer::Column::EscalatedToCode, Expr::value(code.clone())),
                (
                    transfer::Column::EscalatedToName,
                    Expr::value(Some(authority.clone())),
                ),
            ],
            now,
        )
        .await?;
        if !moved {
            txn.rollback().await?;
            continue;
        }
        close_dispute_clock(&txn, &t.case_id, false, now).await?;
        cases::journal::append_event(
            &txn,
            &t.case_id,
            "transfer_escalated",
            &Actor::System,
            true,
            json!({"description": format!("管辖争议逾期未协商一致，已报请{authority}指定管辖"), "transfer_id": t.id, "division_code": code}),
            now,
        )
        .await?;
        audit::record(
            &txn,
            &Actor::System,
            "transfer.escalate",
            Some(&t.case_id),
            json!({"transfer_id": t.id, "division_code": code, "authority": authority}),
            now,
        )
        .await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}
