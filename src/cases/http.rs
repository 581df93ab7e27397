//! Staff and desk views of cases, scoped in the query to what the caller may see, and the
//! consumer's tracking.

use actix_web::{HttpRequest, get, web};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::access::{STAFF, load_visible, visibility};
use super::track::{Tracking, tracking};
use super::views::{CaseSummary, PartyView, desk_view, full_view};
use crate::actor::Actor;
use crate::audit;
use crate::cases::CaseKind;
use crate::deadlines::DeadlineView;
use crate::entities::{audit_log, case, case_event, deadline, party};
use crate::http::auth::consumer_case;
use crate::http::{ApiError, ApiResult, Problem, Role, Staff};
use crate::routing::transfer::{self, TransferView};
use crate::routing::{incident, zone::ReturnPromise};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(track)
        .service(list_cases)
        .service(get_case)
        .service(list_audit);
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `complaint` or `report`.
    kind: Option<String>,
    status: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<u64>,
    /// Return cases received before this instant (for the next page).
    before: Option<DateTime<Utc>>,
}

/// Cases in the caller's jurisdiction, newest first.
///
/// Any staff role or desk agent; each sees only its own scope. No personal data in the list.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = Vec<CaseSummary>),
    )
)]
#[get("/cases")]
async fn list_cases(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<ListQuery>,
) -> ApiResult<web::Json<Vec<CaseSummary>>> {
    me.require(STAFF)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut rows: Vec<case::Model> = Vec::new();
    for branch in visibility(&me) {
        let mut find = case::Entity::find().filter(branch);
        if let Some(kind) = &q.kind {
            find = find.filter(case::Column::Kind.eq(kind.as_str()));
        }
        if let Some(status) = &q.status {
            find = find.filter(case::Column::Status.eq(status.as_str()));
        }
        if let Some(before) = q.before {
            find = find.filter(case::Column::ReceivedAt.lt(before));
        }
        rows.extend(
            find.order_by_desc(case::Column::ReceivedAt)
                .order_by_desc(case::Column::Id)
                .limit(limit)
                .all(&state.db)
                .await?,
        );
    }
    // A case in two branches (a station's own walk-in) is listed once.
    rows.sort_by(|a, b| (b.received_at, &b.id).cmp(&(a.received_at, &a.id)));
    rows.dedup_by(|a, b| a.id == b.id);
    rows.truncate(limit as usize);
    Ok(web::Json(rows.into_iter().map(CaseSummary::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_kind: String,
    pub public: bool,
    pub detail: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub rule_set: crate::deadlines::RuleSetId,
    pub routing_rule: crate::routing::RoutingRule,
    pub linked_case_id: Option<String>,
    pub duplicate_of_id: Option<String>,
    pub respondent_uscc: Option<String>,
    pub respondent_address: String,
    pub respondent_division_code: Option<String>,
    pub business_id: Option<String>,
    pub occurred_on: Option<chrono::NaiveDate>,
    pub dispute_division_code: String,
    pub goods_or_service: String,
    pub amount_fen: Option<i64>,
    pub facts: String,
    pub demands: Vec<String>,
    pub evidence: Vec<String>,
    pub choose_odr: bool,
    pub consent_to_publish: bool,
    pub conceal_identity_from_business: bool,
    pub anonymous: bool,
    pub parties: Vec<PartyView>,
    pub deadlines: Vec<DeadlineView>,
    pub timeline: Vec<EventView>,
    /// Transfers (移送) of the case between bureaus, oldest first.
    pub transfers: Vec<TransferView>,
    /// The incident linking this case with complaints filed in other cities.
    pub incident_id: Option<String>,
    /// The pilot-area cross-store return promise the complaint cites, for the mediator.
    pub return_promise: Option<ReturnPromise>,
}

/// One case with its parties, deadlines and full timeline.
///
/// Any staff role or desk agent within its scope (403 otherwise). Handling staff see personal data
/// and the read is audited; a desk sees the complainant only as the consumer allowed, and ID
/// numbers masked.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = CaseDetail),
    )
)]
#[get("/cases/{id}")]
async fn get_case(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<CaseDetail>> {
    me.require(STAFF)?;
    let c = load_visible(&state.db, &me, &path).await?;
    let parties = party::Entity::find()
        .filter(party::Column::CaseId.eq(&c.id))
        .order_by_asc(party::Column::Position)
        .all(&state.db)
        .await?;
    let deadlines = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .order_by_asc(deadline::Column::DueAt)
        .all(&state.db)
        .await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(&c.id))
        .order_by_asc(case_event::Column::Id)
        .all(&state.db)
        .await?;
    let desk = me.role == Role::EnterpriseAgent;
    // A reporter's identity stays with the staff handling reports (Order 20 Art 33).
    let hide_reporter = c.kind == CaseKind::Report
        && !crate::cases::access::REPORT_HANDLERS.contains(&me.role)
        && me.role != Role::SystemAdmin;
    let parties: Vec<PartyView> = parties
        .into_iter()
        .map(|p| {
            if hide_reporter {
                desk_view(p, true)
            } else if desk {
                desk_view(p, c.conceal_identity)
            } else {
                full_view(p)
            }
        })
        .collect();
    if !desk && !hide_reporter && !parties.is_empty() {
        audit::record(
            &state.db,
            &Actor::from(&me),
            "case.read_personal_data",
            Some(&c.id),
            json!({}),
            state.clock.now(),
        )
        .await?;
    }
    let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    let transfers = if desk {
        Vec::new()
    } else {
        transfer::of_case(&state.db, &c.id).await?
    };
    Ok(web::Json(CaseDetail {
        transfers,
        incident_id: incident::of_case(&state.db, &c.id).await?,
        return_promise: c
            .return_promise
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
        rule_set: c.rule_set,
        routing_rule: c.routing_rule,
        // A desk never learns that the consumer also reported the business.
        linked_case_id: c.linked_case_id.clone().filter(|_| !desk),
        duplicate_of_id: c.duplicate_of_id.clone(),
        respondent_uscc: c.respondent_uscc.clone(),
        respondent_address: c.respondent_address.clone(),
        respondent_division_code: c.respondent_division_code.clone(),
        business_id: c.business_id.clone(),
        occurred_on: c.occurred_on,
        dispute_division_code: c.dispute_division_code.clone(),
        goods_or_service: c.goods_or_service.clone(),
        amount_fen: c.amount_fen,
        facts: c.facts.clone(),
        demands: list(&c.demands),
        evidence: list(&c.evidence),
        choose_odr: c.choose_odr,
        consent_to_publish: c.consent_to_publish,
        conceal_identity_from_business: c.conceal_identity,
        anonymous: c.anonymous,
        parties,
        deadlines: deadlines.iter().map(DeadlineView::from).collect(),
        timeline: events
            .into_iter()
            .filter(|e| !desk || e.public)
            .map(|e| EventView {
                at: e.at,
                detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                kind: e.kind,
                actor_kind: e.actor_kind,
                public: e.public,
            })
            .collect(),
        summary: CaseSummary::from(c),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    case_id: Option<String>,
    /// 1–500, default 100.
    limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<String>,
    pub actor_role: String,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: serde_json::Value,
}

/// The audit trail, newest first.
///
/// `system_admin` sees everything; `bureau_admin` sees the entries of one case of its bureau
/// (`case_id` required).
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = Vec<AuditEntry>),
    )
)]
#[get("/audit")]
async fn list_audit(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Vec<AuditEntry>>> {
    me.require(&[Role::SystemAdmin, Role::BureauAdmin])?;
    let mut find = audit_log::Entity::find();
    match (&q.case_id, me.role) {
        (Some(id), _) => {
            load_visible(&state.db, &me, id).await?;
            find = find.filter(audit_log::Column::CaseId.eq(id.as_str()));
        }
        (None, Role::SystemAdmin) => {}
        (None, _) => return Err(ApiError::field("case_id", "required for a bureau admin")),
    }
    let rows = find
        .order_by_desc(audit_log::Column::Id)
        .limit(q.limit.unwrap_or(100).clamp(1, 500))
        .all(&state.db)
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor_user_id: r.actor_user_id,
                actor_role: r.actor_role,
                action: r.action,
                case_id: r.case_id,
                detail: serde_json::from_str(&r.detail).unwrap_or_default(),
            })
            .collect(),
    ))
}

/// Follow a case with its receipt number.
///
/// The consumer, with `X-Access-Secret` from the receipt. Wrong secrets are limited per client
/// address (429 with `Retry-After`).
#[utoipa::path(
    tag = "intake",
    params(
        ("receipt_number" = String, Path, example = "TS20261122-7K3M9Q2D"),
        ("X-Access-Secret" = String, Header, description = "the secret issued with the receipt"),
    ),
    responses(
        (status = 200, body = Tracking),
        (status = 401, description = "no secret sent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown receipt or wrong secret", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/track/{receipt_number}")]
async fn track(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Tracking>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    Ok(web::Json(
        tracking(&state.db, &state.env.settings, c, now).await?,
    ))
}
