//! Staff and desk views of cases, scoped in the query to what the caller may see, and the
//! consumer's tracking.

use actix_web::{HttpRequest, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::detail::CaseDetail;
use super::list::{self, Filter, Order};
use super::track::{Tracking, tracking};
use super::views::CaseSummary;
use super::{CaseKind, CaseStatus};
use crate::http::auth::consumer_case;
use crate::http::{ApiError, ApiResult, Problem, Role, Staff};
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
    kind: Option<CaseKind>,
    status: Option<CaseStatus>,
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
    let filter = Filter {
        received_before: q.before,
        kind: q.kind,
        status: q.status,
        ..Filter::default()
    };
    let listing = list::cases(
        &state.db,
        &me,
        &filter,
        Order::Newest,
        q.limit.unwrap_or(50),
        0,
        state.clock.now(),
        chrono::Duration::hours(state.env.settings.reminder_lead_hours),
    )
    .await?;
    Ok(web::Json(
        listing
            .rows
            .into_iter()
            .map(|l| CaseSummary::from(l.case))
            .collect(),
    ))
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
    let read = super::detail::detail(&state.db, &me, &path, state.clock.now()).await?;
    Ok(web::Json(read.detail))
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
    let limit = q.limit.unwrap_or(100);
    let rows = match &q.case_id {
        Some(id) => super::trail::of_case(&state.db, &me, id, limit).await?.1,
        None if me.role == Role::SystemAdmin => super::trail::all(&state.db, &me, limit).await?,
        None => {
            me.require(super::trail::TRAIL_READERS)?;
            return Err(ApiError::field("case_id", "required for a bureau admin"));
        }
    };
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
