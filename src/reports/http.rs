use actix_web::{post, web};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use crate::actor::Actor;
use crate::audit;
use crate::cases::CaseKind;
use crate::cases::PartyRole;
use crate::cases::access::{Act, act_on};
use crate::cases::{self, CaseStatus};
use crate::deadlines::{self, DeadlineKind};
use crate::domain::text::single_line;
use crate::entities::{case, party};
use crate::http::{ApiError, ApiJson, ApiResult, Staff};
use crate::leads::Decision;
use crate::mail::{self, Mail};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(decide).service(record_notice).service(merge);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ReportDecisionRequest {
    pub decision: Decision,
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportState {
    pub id: String,
    pub status: crate::cases::CaseStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub reporter_notified_at: Option<DateTime<Utc>>,
    pub deadlines: Vec<crate::deadlines::DeadlineView>,
}

async fn state_of(db: &impl ConnectionTrait, id: &str) -> ApiResult<ReportState> {
    let c = case::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("report vanished"))?;
    let deadlines = crate::entities::deadline::Entity::find()
        .filter(crate::entities::deadline::Column::CaseId.eq(id))
        .all(db)
        .await?;
    Ok(ReportState {
        id: c.id,
        status: c.status,
        decided_at: c.closed_at,
        reporter_notified_at: c.reporter_notified_at,
        deadlines: deadlines
            .iter()
            .map(crate::deadlines::DeadlineView::from)
            .collect(),
    })
}

async fn load_report(state: &AppState, me: &Staff, id: &str) -> ApiResult<case::Model> {
    let c = act_on(&state.db, me, id, Act::ReportStep).await?;
    if c.kind != CaseKind::Report {
        return Err(ApiError::not_found(format!("{id} is not a report")));
    }
    Ok(c)
}

/// Tells a named reporter of the decision by mail when an address is known; otherwise the
/// reporter-notice deadline stays open until staff record how they told the reporter.
async fn notify_reporter(
    db: &impl ConnectionTrait,
    c: &case::Model,
    decision: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let reporter = party::Entity::find()
        .filter(party::Column::CaseId.eq(c.id.as_str()))
        .filter(party::Column::Role.eq(PartyRole::Reporter))
        .one(db)
        .await?;
    let Some(reporter) = reporter else {
        return Ok(());
    };
    let Some(email) = reporter.email else {
        return Ok(());
    };
    let mail = Mail {
        to: vec![email],
        subject: format!("【举报处理结果】{}", c.receipt_number),
        body: format!(
            "您的举报 {} 已作出处理决定：{decision}。感谢您对市场监管工作的支持。",
            c.receipt_number
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("report:{}:notice", c.id)), now).await?;
    mark_notified(db, c, "mail", now).await
}

async fn mark_notified(
    db: &impl ConnectionTrait,
    c: &case::Model,
    method: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    case::Entity::update_many()
        .col_expr(case::Column::ReporterNotifiedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(db)
        .await?;
    deadlines::store::complete(db, &c.id, DeadlineKind::ReporterNotice, now).await?;
    cases::journal::append_event(
        db,
        &c.id,
        "reporter_notified",
        &Actor::System,
        true,
        json!({"description": "已告知举报人处理结果", "method": method}),
        now,
    )
    .await?;
    Ok(())
}

/// Decide a report after verification: 立案 (open) or 不予立案 (decline), with reasons.
///
/// `enforcement_officer` or `bureau_admin` of the report's bureau. A named reporter must be told
/// within 5 working days: at once by mail when an address is known.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "report case id")),
    request_body = ReportDecisionRequest,
    responses(
        (status = 200, body = ReportState),
    )
)]
#[post("/reports/{id}/decision")]
async fn decide(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ReportDecisionRequest>,
) -> ApiResult<web::Json<ReportState>> {
    let c = load_report(&state, &me, &path).await?;
    let now = state.clock.now();
    let (to, label) = match body.body.decision {
        Decision::Opened => (CaseStatus::CaseOpened, "立案"),
        Decision::Declined => (CaseStatus::CaseDeclined, "不予立案"),
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let c =
        cases::lifecycle::transition(&txn, &c, &[CaseStatus::PendingVerification], to, now).await?;
    case::Entity::update_many()
        .col_expr(
            case::Column::OutcomeReason,
            Expr::value(body.body.reason.clone()),
        )
        .col_expr(case::Column::ClosedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(&txn)
        .await?;
    deadlines::store::complete(&txn, &c.id, DeadlineKind::ReportVerification, now).await?;
    let actor = Actor::from(&me);
    cases::journal::append_event(&txn, &c.id, "report_decided", &actor, true, json!({"description": format!("举报已作出处理决定：{label}"), "decision": body.body.decision}), now).await?;
    audit::record(
        &txn,
        &actor,
        "report.decide",
        Some(&c.id),
        json!({"decision": body.body.decision, "reason": body.body.reason}),
        now,
    )
    .await?;
    if !c.anonymous {
        deadlines::open(
            &txn,
            &state.env,
            &c.id,
            c.rule_set,
            DeadlineKind::ReporterNotice,
            now,
        )
        .await?;
        notify_reporter(&txn, &c, label, now).await?;
    }
    let out = state_of(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NoticeRequest {
    /// How the reporter was told: e.g. `phone`, `letter`, `sms`.
    #[validate(length(min = 2, max = 20), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 20)]
    pub method: String,
}

/// Record that a named reporter was told of the decision (by phone, letter, …).
///
/// `enforcement_officer` or `bureau_admin` of the report's bureau.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "report case id")),
    request_body = NoticeRequest,
    responses((status = 200, body = ReportState))
)]
#[post("/reports/{id}/reporter-notice")]
async fn record_notice(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<NoticeRequest>,
) -> ApiResult<web::Json<ReportState>> {
    let c = load_report(&state, &me, &path).await?;
    if c.anonymous
        || c.reporter_notified_at.is_some()
        || !matches!(c.status, CaseStatus::CaseOpened | CaseStatus::CaseDeclined)
    {
        return Err(ApiError::conflict(
            "no_notice_due",
            "no reporter notice is due on this report",
        ));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    mark_notified(&txn, &c, &body.body.method, now).await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "report.notice",
        Some(&c.id),
        json!({"method": body.body.method}),
        now,
    )
    .await?;
    let out = state_of(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct MergeRequest {
    /// The report this one is merged into (same bureau).
    pub into: String,
}

/// Merge a related report into another (Order 121): it is handled with that one, not again.
///
/// `enforcement_officer` or `bureau_admin` of the report's bureau.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "report case id")),
    request_body = MergeRequest,
    responses((status = 200, body = ReportState))
)]
#[post("/reports/{id}/merge")]
async fn merge(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<MergeRequest>,
) -> ApiResult<web::Json<ReportState>> {
    let c = load_report(&state, &me, &path).await?;
    let into = load_report(&state, &me, &body.body.into)
        .await
        .map_err(|_| ApiError::field("into", "no report of your bureau has this id"))?;
    if into.id == c.id || into.bureau_code != c.bureau_code {
        return Err(ApiError::field(
            "into",
            "must be another report of the same bureau",
        ));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = cases::lifecycle::transition(
        &txn,
        &c,
        &[CaseStatus::PendingVerification],
        CaseStatus::Merged,
        now,
    )
    .await?;
    case::Entity::update_many()
        .col_expr(case::Column::DuplicateOfId, Expr::value(into.id.clone()))
        .col_expr(case::Column::ClosedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(&txn)
        .await?;
    deadlines::store::complete(&txn, &c.id, DeadlineKind::ReportVerification, now).await?;
    let actor = Actor::from(&me);
    cases::journal::append_event(
        &txn,
        &c.id,
        "report_merged",
        &actor,
        true,
        json!({"description": format!("相关举报已合并至 {} 一并处理", into.receipt_number)}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "report.merge",
        Some(&c.id),
        json!({"into": into.id}),
        now,
    )
    .await?;
    let out = state_of(&txn, &c.id).await?;
    txn.commit().await?;
    Ok(web::Json(out))
}
