//! Mediation sessions: scheduling one, the list, and recording what happened.

use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Role, Staff};
use crate::mediation;
use crate::mediation::sessions::{self, RecordSessionRequest, SessionRequest, SessionView};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

/// Schedule a mediation session (调解会).
///
/// Station staff, as for accepting. Online sessions need `video_url`, in-person ones `room` and
/// `address`; the session must start in the future and last at most 8 hours. The case's mediator
/// must be free: an overlapping session of the same mediator is a 409, also under concurrent
/// booking. The first session puts an accepted case in mediation. The parties (and participants
/// with an address) are mailed a notice with an iCalendar invitation. Send `Idempotency-Key` to
/// make retries safe.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body = SessionRequest,
    responses(
        (status = 201, body = SessionView),
        (status = 409, description = "`mediator_double_booked`, `no_mediator_assigned`, `case_suspended`, `not_in_mediation`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/sessions")]
pub(super) async fn schedule_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<SessionRequest, false>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "sessions", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let s = sessions::schedule(txn, &me, &path, body.body, now).await?;
        Ok(SessionView::of(s, true))
    })
    .await
}

/// A case's sessions, earliest first.
///
/// Station staff, as for accepting, and the business's desk (without the minutes).
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = Vec<SessionView>),
    )
)]
#[get("/cases/{id}/sessions")]
pub(super) async fn list_sessions(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<SessionView>>> {
    let c = mediation::party_case(&state.db, &me, &path).await?;
    let desk = me.role == Role::EnterpriseAgent;
    let rows = sessions::list(&state.db, &c.id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|s| SessionView::of(s, !desk))
            .collect(),
    ))
}

/// Record a session's attendance and minutes (调解笔录).
///
/// Station staff, as for accepting; once the session has begun, and once.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("session_id" = i64, Path)),
    request_body = RecordSessionRequest,
    responses(
        (status = 200, body = SessionView),
        (status = 409, description = "not begun, or already recorded or cancelled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/sessions/{session_id}/record")]
pub(super) async fn record_session(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
    body: ApiJson<RecordSessionRequest>,
) -> ApiResult<web::Json<SessionView>> {
    let (case_id, session_id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let s = sessions::record(
        &txn,
        &me,
        &case_id,
        session_id,
        &body.body,
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(SessionView::of(s, true)))
}
