//! Staff actions on a case's clocks: stop them for testing or a recusal, restart them, and the
//! one-time extension on a bureau admin's approval.

use actix_web::{HttpRequest, HttpResponse, post, web};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::DeadlineKind;
use super::PauseReason;
use super::pauses;
use super::store::recompute_case;
use crate::actor::Actor;
use crate::audit;
use crate::cases::access::{Act, act_on, roles_for};
use crate::cases::journal::append_event;
use crate::deadlines::DeadlineStatus;
use crate::entities::{case_pause, deadline};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(start_pause).service(end_pause).service(extend);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct PauseRequest {
    pub reason: PauseRequestReason,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Why staff stop a case's clocks. A recusal suspends them too, but only through its application
/// (`POST /cases/{id}/recusals`), so it is not a reason this operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum PauseRequestReason {
    /// 检定、检验、检测、鉴定: time spent does not count.
    #[serde(rename = "testing")]
    Testing,
}

impl From<PauseRequestReason> for PauseReason {
    fn from(reason: PauseRequestReason) -> Self {
        match reason {
            PauseRequestReason::Testing => PauseReason::Testing,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PauseView {
    pub id: i64,
    pub reason: crate::deadlines::PauseReason,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<case_pause::Model> for PauseView {
    fn from(p: case_pause::Model) -> Self {
        PauseView {
            id: p.id,
            reason: p.reason,
            started_at: p.started_at,
            ended_at: p.ended_at,
        }
    }
}

/// Stop a case's clocks for testing.
///
/// Handling staff (`mediator` of the case's station, `bureau_admin` or `enforcement_officer` of
/// its bureau). Regulator deadlines show `paused` until the pause ends, then move back by the
/// working days it lasted. One pause at a time. A recusal suspension uses the same clock stop but
/// is filed with `POST /cases/{id}/recusals` (reason `recusal` here is a 422).
#[utoipa::path(
    tag = "deadlines",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = PauseRequest,
    responses(
        (status = 201, body = PauseView),
        (status = 409, description = "a pause is already running", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/pauses")]
async fn start_pause(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<PauseRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "pauses", &body.raw)?;
    me.require(roles_for(Act::Clock))?;
    let body = body.body;
    let c = act_on(&state.db, &me, &path, Act::Clock).await?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let pause = pauses::start(
            txn,
            &state,
            &c.id,
            body.reason.into(),
            body.note,
            &Actor::from(&me),
            now,
        )
        .await?;
        Ok(PauseView::from(pause))
    })
    .await
}

/// Restart a case's clocks.
///
/// Handling staff, as for stopping them. A recusal suspension ends only with its decision (409).
#[utoipa::path(
    tag = "deadlines",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("pause_id" = i64, Path)),
    responses(
        (status = 200, body = PauseView),
        (status = 409, description = "the pause already ended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/pauses/{pause_id}/end")]
async fn end_pause(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<PauseView>> {
    let (case_id, pause_id) = path.into_inner();
    let c = act_on(&state.db, &me, &case_id, Act::Clock).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let pause = case_pause::Entity::find_by_id(pause_id)
        .filter(case_pause::Column::CaseId.eq(&c.id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such pause on this case"))?;
    if pause.reason == PauseReason::Recusal {
        return Err(ApiError::conflict(
            "recusal_undecided",
            "a recusal suspension ends with the decision: POST /api/v1/cases/{id}/recusals/decision",
        ));
    }
    let pause = pauses::end(&txn, &state, pause, &Actor::from(&me), now).await?;
    txn.commit().await?;
    Ok(web::Json(PauseView::from(pause)))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ExtendRequest {
    #[validate(length(min = 2, max = 1000))]
    #[schema(min_length = 2, max_length = 1000)]
    pub reason: String,
}

/// Approve the one-time extension of a deadline.
///
/// `bureau_admin` of the case's bureau. Only limits that allow it (report and 诉转案 clue
/// verification: 15 more working days), once.
#[utoipa::path(
    tag = "deadlines",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("kind" = String, Path, example = "report_verification")),
    request_body = ExtendRequest,
    responses(
        (status = 200, body = super::DeadlineView),
        (status = 409, description = "already extended, or no extension allowed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/deadlines/{kind}/extend")]
async fn extend(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, String)>,
    body: ApiJson<ExtendRequest>,
) -> ApiResult<web::Json<super::DeadlineView>> {
    let (case_id, kind) = path.into_inner();
    let c = act_on(&state.db, &me, &case_id, Act::BureauDecision).await?;
    let kind = DeadlineKind::parse(&kind)
        .ok_or_else(|| ApiError::not_found(format!("no deadline kind {kind}")))?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let d = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .filter(deadline::Column::Kind.eq(kind.as_str()))
        .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("this case has no running deadline of that kind"))?;
    let allowed = state
        .env
        .rules
        .limit(d.rule_set, kind)
        .and_then(|l| l.extension)
        .is_some();
    if !allowed {
        return Err(ApiError::conflict(
            "extension_not_allowed",
            "this limit cannot be extended",
        ));
    }
    let won = deadline::Entity::update_many()
        .col_expr(
            deadline::Column::Extended,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(deadline::Column::Id.eq(d.id))
        .filter(deadline::Column::Extended.eq(false))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        return Err(ApiError::conflict(
            "already_extended",
            "this deadline was already extended once",
        ));
    }
    recompute_case(
        &txn,
        &state.env.calendar.current(),
        &state.env.rules,
        &c.id,
        now,
    )
    .await?;
    let actor = Actor::from(&me);
    append_event(
        &txn,
        &c.id,
        "deadline_extended",
        &actor,
        true,
        json!({"description": "经批准延长核查期限", "deadline": kind.as_str()}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "deadline.extend",
        Some(&c.id),
        json!({"kind": kind.as_str(), "reason": body.body.reason}),
        now,
    )
    .await?;
    let d = deadline::Entity::find_by_id(d.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("deadline vanished"))?;
    txn.commit().await?;
    Ok(web::Json(super::DeadlineView::from(&d)))
}
