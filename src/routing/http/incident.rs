//! Incidents across cities: each handler runs one step of `routing::incident`.

use actix_web::{HttpRequest, get, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::text::single_line;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Staff};
use crate::routing::incident::{self, IncidentView, JointSession};
use crate::routing::joint_session_mode::JointSessionMode;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_incident)
        .service(get_incident)
        .service(record_session);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewIncident {
    #[validate(length(min = 2, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 200)]
    #[schema(example = "常州某饭店菜品异物（腌菜）")]
    pub title: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Receipt numbers of the complaints about the incident: at least one of the caller's bureau,
    /// the others as the other bureaus reported them.
    #[validate(length(min = 2, max = 50))]
    #[schema(min_items = 2, max_items = 50)]
    pub receipt_numbers: Vec<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewSession {
    /// When the session takes (or took) place.
    pub held_at: DateTime<Utc>,
    pub mode: JointSessionMode,
    /// Where the parties join, for a video link.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub link: Option<String>,
    /// County codes of the participating bureaus, each involved in the incident.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub bureau_codes: Vec<String>,
    /// What was agreed, or anything the bureaus should know.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Link complaints about one incident filed in different cities.
///
/// `bureau_admin` with at least one of the cases in its bureau; the other cases are named by the
/// receipt numbers their bureaus reported. 409 `already_in_incident` when a case is linked elsewhere.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = NewIncident,
    responses(
        (status = 201, body = IncidentView),
    )
)]
#[post("/incidents")]
async fn create_incident(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<NewIncident>,
) -> ApiResult<actix_web::HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "incidents", &body.raw)?;
    let now = state.clock.now();
    let new = &body.body;
    create_once(&state.db, key, now, async |txn| {
        let input = incident::NewIncident {
            title: &new.title,
            description: new.description.as_deref(),
            receipt_numbers: &new.receipt_numbers,
        };
        Ok(incident::create(txn, &me, input, now).await?)
    })
    .await
}

/// One incident with the summaries of its cases and its joint sessions.
///
/// Staff of every bureau involved (a bureau handling one of its cases) and mediators of a station
/// handling or having received one; `system_admin`. Personal data only through `GET /cases/{id}`
/// for the caller's own cases (`yours`).
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = IncidentView),
    )
)]
#[get("/incidents/{id}")]
async fn get_incident(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<IncidentView>> {
    Ok(web::Json(incident::visible(&state.db, &me, &path).await?))
}

/// Record a joint mediation session of the involved bureaus (online or by video link).
///
/// `bureau_admin` of an involved bureau, or a mediator of a station handling one of the cases.
/// Every linked case gets a timeline entry.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = NewSession,
    responses(
        (status = 201, body = JointSession),
    )
)]
#[post("/incidents/{id}/sessions")]
async fn record_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<NewSession>,
) -> ApiResult<actix_web::HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "joint_sessions", &body.raw)?;
    let now = state.clock.now();
    let new = &body.body;
    create_once(&state.db, key, now, async |txn| {
        let input = incident::NewSession {
            held_at: new.held_at,
            mode: new.mode,
            link: new.link.as_deref(),
            bureau_codes: &new.bureau_codes,
            note: new.note.as_deref(),
        };
        Ok(incident::record_session(txn, &me, &path, input, now).await?)
    })
    .await
}
