//! Mediation sessions: scheduling one, the list, and recording what happened.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::actor::Actor;
use crate::cases::access::{Act, act_on};
use crate::domain::faults::Faults;
use crate::domain::text::single_line;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Problem, Role, Staff};
use crate::mediation;
use crate::mediation::sessions::{self, Attendance, NewSession, Participant, SessionView};
use crate::mediation::states::SessionMode;
use crate::state::AppState;

#[derive(Deserialize, Validate, ToSchema)]
pub struct SessionRequest {
    pub mode: SessionMode,
    /// RFC 3339 with offset, e.g. `2026-11-25T09:30:00+08:00`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Required online.
    #[validate(url, length(max = 500))]
    #[schema(max_length = 500)]
    pub video_url: Option<String>,
    /// Required in person, e.g. 第一调解室.
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub room: Option<String>,
    /// Required in person.
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub address: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub participants: Vec<Participant>,
}

/// The longest session one booking holds.
const MAX_SESSION_HOURS: i64 = 8;

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
    let c = act_on(&state.db, &me, &path, Act::StationStep).await?;
    let key = IdempotencyKey::from_request(&req, "sessions", &body.raw)?;
    let now = state.clock.now();
    let b = body.body;
    let mut faults = Faults::of(&b);
    if b.ends_at <= b.starts_at {
        faults.add("ends_at", "must be after starts_at");
    } else if b.ends_at - b.starts_at > chrono::Duration::hours(MAX_SESSION_HOURS) {
        faults.add(
            "ends_at",
            format!("a session lasts at most {MAX_SESSION_HOURS} hours"),
        );
    }
    if b.starts_at <= now {
        faults.add(
            "starts_at",
            "must be in the future: parties are told in advance",
        );
    }
    match b.mode {
        SessionMode::Online if b.video_url.is_none() => {
            faults.add("video_url", "required for an online session")
        }
        SessionMode::InPerson => {
            if b.room.is_none() {
                faults.add("room", "required for an in-person session");
            }
            if b.address.is_none() {
                faults.add("address", "required for an in-person session");
            }
        }
        SessionMode::Online => {}
    }
    faults.finish()?;
    let actor = Actor::from(&me);
    let new = NewSession {
        mode: b.mode,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        video_url: b.video_url.filter(|_| b.mode == SessionMode::Online),
        room: b.room.filter(|_| b.mode == SessionMode::InPerson),
        address: b.address.filter(|_| b.mode == SessionMode::InPerson),
        participants: b.participants,
    };
    create_once(&state.db, key, now, async |txn| {
        let s = sessions::schedule(txn, &actor, &c, new, now).await?;
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

#[derive(Deserialize, Validate, ToSchema)]
pub struct RecordSessionRequest {
    #[validate(length(min = 1, max = 50), nested)]
    #[schema(min_items = 1, max_items = 50)]
    pub attendance: Vec<Attendance>,
    #[validate(length(min = 1, max = 20000))]
    #[schema(min_length = 1, max_length = 20000)]
    pub minutes: String,
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
    let c = act_on(&state.db, &me, &case_id, Act::StationStep).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let s = sessions::record(
        &txn,
        &Actor::from(&me),
        &c,
        session_id,
        &body.body.attendance,
        &body.body.minutes,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(SessionView::of(s, true)))
}
