//! Mediation endpoints. Handlers check who may act and the request's shape; each step runs in one
//! write transaction with its timeline entry, audit entry and mail.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use futures_util::StreamExt;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::agreement::{self, Confirmer, Verification};
use super::document::{self, Particulars, Term};
use super::mediators::{self, RecusalDecision, Side};
use super::outcome::{self, NewAgreement, Termination};
use super::sessions::{self, Attendance, NewSession, Participant, SessionView};
use super::states::SessionMode;
use super::{Grounds, require_station_staff, signing};
use crate::actor::Actor;
use crate::audit;
use crate::cases::access::load_visible;
use crate::cases::views::PartyView;
use crate::deadlines::http::PauseView;
use crate::deadlines::{DeadlineView, RuleSetId, local_date};
use crate::entities::{bureau, case, mediation_agreement, signing_key};
use crate::http::auth::consumer_case;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Role, Staff};
use crate::intake::request::{Faults, MAX_AMOUNT_FEN};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(accept)
        .service(refuse)
        .service(withdraw)
        .service(assign_mediator)
        .service(apply_recusal)
        .service(decide_recusal)
        .service(delegate)
        .service(respondent_contact)
        .service(schedule_session)
        .service(list_sessions)
        .service(record_session)
        .service(terminate)
        .service(termination_told)
        .service(record_agreement)
        .service(get_agreement)
        .service(agreement_pdf)
        .service(desk_confirm)
        .service(consumer_confirm)
        .service(code_confirm)
        .service(verify_by_hash)
        .service(verify_by_file)
        .service(list_signing_keys)
        .service(revoke_signing_key)
        .service(set_document_prefix)
        .service(list_grounds);
}

/// Where a case stands after a step.
#[derive(Serialize, ToSchema)]
pub struct CaseState {
    pub id: String,
    pub receipt_number: String,
    pub status: crate::cases::CaseStatus,
    pub mediator_id: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub delegate_organisation: Option<String>,
    pub delegate_mediator: Option<String>,
    /// `mediated_agreement`, `terminated`, `refused`, `withdrawn`, … once closed.
    pub outcome: Option<crate::cases::Outcome>,
    /// The refusal or termination ground.
    pub outcome_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub amount_recovered_fen: Option<i64>,
    pub amount_in_dispute_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StepResult {
    pub case: CaseState,
    /// The deadline the step opened: the mediation window on acceptance, the termination notice
    /// on termination.
    pub deadline: Option<DeadlineView>,
}

fn step(c: case::Model, deadline: Option<DeadlineView>) -> web::Json<StepResult> {
    web::Json(StepResult {
        case: CaseState {
            id: c.id,
            receipt_number: c.receipt_number,
            status: c.status,
            mediator_id: c.mediator_id,
            accepted_at: c.accepted_at,
            delegate_organisation: c.delegate_organisation,
            delegate_mediator: c.delegate_mediator,
            outcome: c.outcome,
            outcome_reason: c.outcome_reason,
            closed_at: c.closed_at,
            amount_recovered_fen: c.amount_recovered_fen,
            amount_in_dispute_fen: c.amount_in_dispute_fen,
        },
        deadline,
    })
}

/// Loads a case the caller handles as station staff.
async fn station_case(state: &AppState, me: &Staff, id: &str) -> ApiResult<case::Model> {
    me.require(&[Role::Mediator, Role::BureauAdmin])?;
    let c = load_visible(&state.db, me, id).await?;
    require_station_staff(me, &c)?;
    Ok(c)
}

/// An idempotency key bound to the path as well as the body, so one key cannot replay another
/// case's answer.
fn idempotency(
    req: &HttpRequest,
    scope: &'static str,
    raw: &[u8],
) -> ApiResult<Option<IdempotencyKey>> {
    let fingerprint = [req.path().as_bytes(), b"\n", raw].concat();
    IdempotencyKey::from_request(req, scope, &fingerprint)
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct AcceptRequest {
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

/// Accept a complaint (受理).
///
/// Station staff: a `mediator` of the case's station or the `bureau_admin` of its bureau. Meets
/// the acceptance deadline, opens the mediation window from now, makes an accepting mediator the
/// case's mediator, and mails the complainant.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = AcceptRequest,
    responses(
        (status = 200, body = StepResult),
        (status = 409, description = "not pending acceptance, or a concurrent step won", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/accept")]
async fn accept(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AcceptRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let c = station_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (c, window) = super::acceptance::accept(&txn, &state, &me, c, body.body.note, now).await?;
    txn.commit().await?;
    Ok(step(c, window))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RefuseRequest {
    /// A refusal ground of the case's rule set (see `GET /rule-sets/{rule_set}/grounds`).
    #[schema(example = "time_barred")]
    pub reason: String,
    /// The reasons in words, as the complainant will read them.
    #[validate(length(min = 2, max = 2000))]
    pub text: String,
}

/// Refuse a complaint (不予受理) on a statutory ground.
///
/// Station staff, as for accepting. The ground must belong to the case's rule set (Order 121
/// adds `false_materials` and `impersonation_or_id_refused`); the complainant is mailed the
/// ground and the text.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RefuseRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[post("/cases/{id}/refuse")]
async fn refuse(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RefuseRequest, false>,
) -> ApiResult<web::Json<StepResult>> {
    let c = station_case(&state, &me, &path).await?;
    let body = body.body;
    let mut faults = Faults::of(&body);
    let ground = super::check_ground(
        &super::grounds(c.rule_set).refusal,
        &body.reason,
        Some(&body.text),
        "reason",
        "text",
        &mut faults,
    );
    faults.finish()?;
    let ground = ground.ok_or_else(|| ApiError::internal("ground checked"))?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = super::acceptance::refuse(&txn, &me, c, ground, body.text.trim(), now).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct WithdrawRequest {
    #[validate(length(max = 1000))]
    pub reason: Option<String>,
}

/// Withdraw a complaint (撤回投诉).
///
/// The consumer, with `X-Access-Secret`, at any stage before closure. The case closes as
/// withdrawn, its running deadlines are closed and scheduled sessions cancelled; both sides are mailed.
#[utoipa::path(
    tag = "mediation",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header, description = "the secret issued with the receipt"),
    ),
    request_body = WithdrawRequest,
    responses(
        (status = 200, body = StepResult),
        (status = 404, description = "unknown receipt or wrong secret", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already closed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/track/{receipt_number}/withdraw")]
async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<WithdrawRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let c = consumer_case(&state, &req, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = super::acceptance::withdraw(&txn, c, body.body.reason, now).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct AssignRequest {
    /// An active mediator of the case's station.
    #[validate(length(min = 1, max = 64))]
    pub mediator_id: String,
}

/// Assign the case's mediator.
///
/// Station staff, as for accepting. Not while a recusal application is pending (the decision
/// reassigns). Sessions the previous mediator had scheduled are cancelled and the parties told.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = AssignRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[put("/cases/{id}/mediator")]
async fn assign_mediator(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AssignRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let c = station_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = mediators::assign(&txn, &Actor::from(&me), c, &body.body.mediator_id, now).await?;
    txn.commit().await?;
    Ok(step(c, None))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RecusalRequest {
    /// The party applying.
    pub applicant: Side,
    #[validate(length(min = 2, max = 2000))]
    pub reason: String,
}

/// Record a party's application for the mediator's recusal (回避).
///
/// Station staff record the application a party made. The case is suspended: its clocks stop
/// (a clock stop with reason `recusal`) and no other step but withdrawal is taken until the
/// `bureau_admin` decides. Both parties are mailed.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RecusalRequest,
    responses(
        (status = 201, body = PauseView),
        (status = 409, description = "not in mediation, no mediator, or the clocks are already stopped", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/recusals")]
async fn apply_recusal(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RecusalRequest>,
) -> ApiResult<HttpResponse> {
    let c = station_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let pause = mediators::apply_recusal(
        &txn,
        &state,
        &Actor::from(&me),
        &c,
        body.body.applicant,
        &body.body.reason,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(PauseView::from(pause)))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RecusalDecisionRequest {
    pub decision: RecusalDecision,
    /// Required when granted: another mediator of the station.
    pub new_mediator_id: Option<String>,
}

/// Decide a pending recusal application.
///
/// `bureau_admin` of the case's bureau. Granted: another mediator of the station takes over (the
/// old one's scheduled sessions are cancelled); rejected: the mediator stays. Either way the
/// suspension ends and the clocks run again; both parties are mailed.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RecusalDecisionRequest,
    responses(
        (status = 200, body = StepResult),
        (status = 409, description = "no application pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/recusals/decision")]
async fn decide_recusal(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RecusalDecisionRequest>,
) -> ApiResult<web::Json<StepResult>> {
    me.require(&[Role::BureauAdmin])?;
    let c = load_visible(&state.db, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let c = mediators::decide_recusal(
        &txn,
        &state,
        &Actor::from(&me),
        c,
        body.body.decision,
        body.body.new_mediator_id.as_deref(),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(step(c, None))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct DelegationRequest {
    /// e.g. 嘉善县消费者权益保护委员会
    #[validate(length(min = 2, max = 200))]
    pub organisation: String,
    #[validate(length(min = 1, max = 100))]
    pub mediator_name: String,
}

/// Delegate mediation to a consumer association acting in the bureau's name.
///
/// Station staff, as for accepting; only when the consumer accepted delegated mediation at intake
/// (`accept_delegated_mediation`), else 409. Both parties are mailed.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = DelegationRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[post("/cases/{id}/delegation")]
async fn delegate(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<DelegationRequest>,
) -> ApiResult<web::Json<StepResult>> {
    let c = station_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let bureau = crate::routing::bureau_name(&state.db, &c.bureau_code).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let c = mediators::delegate(
        &txn,
        &Actor::from(&me),
        c,
        body.body.organisation.trim(),
        body.body.mediator_name.trim(),
        &bureau,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(step(c, None))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RespondentContactRequest {
    /// The business's contact person for this case.
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    #[validate(length(min = 5, max = 30))]
    pub phone: Option<String>,
    #[validate(email)]
    pub email: String,
}

/// Set how the respondent is reached for this case's notices.
///
/// Station staff, as for accepting. Notices to the respondent go to this address and to the
/// business's desk accounts that have one.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = RespondentContactRequest,
    responses(
        (status = 200, body = PartyView),
    )
)]
#[put("/cases/{id}/respondent-contact")]
async fn respondent_contact(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RespondentContactRequest>,
) -> ApiResult<web::Json<PartyView>> {
    let c = station_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let body = body.body;
    let txn = crate::db::begin_write(&state.db).await?;
    let p = mediators::set_respondent_contact(
        &txn,
        &Actor::from(&me),
        &c,
        body.name.trim(),
        body.phone,
        body.email.trim(),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(PartyView {
        role: p.role,
        name: p.name,
        phone: p.phone,
        address: p.address,
        email: p.email,
        id_type: p.id_type,
        id_number: p.id_number,
    }))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct SessionRequest {
    pub mode: SessionMode,
    /// RFC 3339 with offset, e.g. `2026-11-25T09:30:00+08:00`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Required online.
    #[validate(url, length(max = 500))]
    pub video_url: Option<String>,
    /// Required in person, e.g. 第一调解室.
    #[validate(length(min = 1, max = 100))]
    pub room: Option<String>,
    /// Required in person.
    #[validate(length(min = 2, max = 300))]
    pub address: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
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
        ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe"),
    ),
    request_body = SessionRequest,
    responses(
        (status = 201, body = SessionView),
        (status = 409, description = "`mediator_double_booked`, `no_mediator_assigned`, `case_suspended`, `not_in_mediation`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/sessions")]
async fn schedule_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<SessionRequest, false>,
) -> ApiResult<HttpResponse> {
    let c = station_case(&state, &me, &path).await?;
    let key = idempotency(&req, "sessions", &body.raw)?;
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
async fn list_sessions(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<SessionView>>> {
    me.require(&[Role::Mediator, Role::BureauAdmin, Role::EnterpriseAgent])?;
    let c = load_visible(&state.db, &me, &path).await?;
    let desk = me.role == Role::EnterpriseAgent;
    if !desk {
        require_station_staff(&me, &c)?;
    }
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
    pub attendance: Vec<Attendance>,
    #[validate(length(min = 1, max = 20000))]
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
async fn record_session(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, i64)>,
    body: ApiJson<RecordSessionRequest>,
) -> ApiResult<web::Json<SessionView>> {
    let (case_id, session_id) = path.into_inner();
    let c = station_case(&state, &me, &case_id).await?;
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

#[derive(Deserialize, Validate, ToSchema)]
pub struct TerminationRequest {
    /// A termination ground of the case's rule set.
    #[schema(example = "party_declares_no_agreement")]
    pub ground: String,
    /// Required for `other_legal_ground`.
    #[validate(length(max = 2000))]
    pub text: Option<String>,
    /// Money the consumer got back anyway (default 0).
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    pub amount_recovered_fen: Option<i64>,
    /// Default: the amount on the complaint.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    pub amount_in_dispute_fen: Option<i64>,
}

/// Terminate mediation (终止调解) and close the case.
///
/// Station staff, as for accepting. The ground must belong to the case's rule set. Both parties
/// are mailed in the same transaction; the termination-notice deadline (7 WD) opens now and is
/// met at once when both sides have an address, otherwise it stays open until staff record
/// having told them (`POST /cases/{id}/termination/told`).
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = TerminationRequest,
    responses(
        (status = 200, body = StepResult),
    )
)]
#[post("/cases/{id}/termination")]
async fn terminate(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<TerminationRequest, false>,
) -> ApiResult<web::Json<StepResult>> {
    let c = station_case(&state, &me, &path).await?;
    let b = body.body;
    let mut faults = Faults::of(&b);
    let ground = super::check_ground(
        &super::grounds(c.rule_set).termination,
        &b.ground,
        b.text.as_deref(),
        "ground",
        "text",
        &mut faults,
    );
    faults.finish()?;
    let ground = ground.ok_or_else(|| ApiError::internal("ground checked"))?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let (c, notice) = outcome::terminate(
        &txn,
        &state,
        &Actor::from(&me),
        c,
        Termination {
            ground,
            text: b.text.as_deref(),
            amount_recovered_fen: b.amount_recovered_fen.unwrap_or(0),
            amount_in_dispute_fen: b.amount_in_dispute_fen,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(step(c, notice))
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    Phone,
    Post,
    InPerson,
    Sms,
}

impl NoticeChannel {
    fn as_str(self) -> &'static str {
        match self {
            NoticeChannel::Phone => "phone",
            NoticeChannel::Post => "post",
            NoticeChannel::InPerson => "in_person",
            NoticeChannel::Sms => "sms",
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ToldRequest {
    pub channel: NoticeChannel,
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

/// Record that the parties were told of a termination another way.
///
/// Station staff, as for accepting. Meets the termination-notice deadline when a party had no
/// mail address.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = ToldRequest,
    responses(
        (status = 204, description = "recorded"),
    )
)]
#[post("/cases/{id}/termination/told")]
async fn termination_told(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ToldRequest>,
) -> ApiResult<HttpResponse> {
    let c = station_case(&state, &me, &path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    outcome::termination_told(
        &txn,
        &Actor::from(&me),
        &c,
        body.body.channel.as_str(),
        body.body.note.as_deref(),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct AgreementRequest {
    /// What each party does, how much, by when.
    #[validate(length(min = 1, max = 20), nested)]
    pub terms: Vec<Term>,
    /// 挽回经济损失; default: the sum of the terms.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    pub amount_recovered_fen: Option<i64>,
    /// 涉及争议额; default: the amount on the complaint.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    pub amount_in_dispute_fen: Option<i64>,
    /// The mediation that reached the agreement was in person.
    pub in_person: bool,
    /// The agreement was carried out on the spot (当场履行).
    #[serde(default)]
    pub on_the_spot: bool,
    /// Both parties agreed not to have a 调解书.
    #[serde(default)]
    pub document_waived: bool,
    #[serde(default)]
    #[validate(nested)]
    pub particulars: Particulars,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedDocument {
    /// e.g. `嘉市监善调〔2026〕第0012号`
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub issued_on: NaiveDate,
    /// Hex SHA-256 of the PDF.
    pub sha256: String,
    pub key_id: String,
    /// Ed25519, base64.
    pub signature: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    pub id: String,
    pub case_id: String,
    /// `recorded` (closed without a 调解书), `awaiting_confirmation` or `issued`.
    pub status: crate::mediation::states::AgreementStatus,
    pub needs_document: bool,
    pub in_person: bool,
    pub on_the_spot: bool,
    pub document_waived: bool,
    pub terms: Vec<Term>,
    pub amount_recovered_fen: i64,
    pub amount_in_dispute_fen: Option<i64>,
    pub particulars: Particulars,
    pub consumer_confirmed_at: Option<DateTime<Utc>>,
    pub business_confirmed_at: Option<DateTime<Utc>>,
    /// `desk` or `code`.
    pub business_confirmed_via: Option<crate::mediation::states::ConfirmedVia>,
    pub document: Option<IssuedDocument>,
}

impl From<mediation_agreement::Model> for AgreementView {
    fn from(a: mediation_agreement::Model) -> Self {
        let document = match (
            &a.document_number,
            a.issued_at,
            &a.sha256,
            &a.key_id,
            &a.signature,
        ) {
            (Some(number), Some(issued_at), Some(sha256), Some(key_id), Some(signature)) => {
                Some(IssuedDocument {
                    number: number.clone(),
                    issued_at,
                    issued_on: local_date(issued_at),
                    sha256: sha256.clone(),
                    key_id: key_id.clone(),
                    signature: signature.clone(),
                })
            }
            _ => None,
        };
        AgreementView {
            id: a.id,
            case_id: a.case_id,
            status: a.status,
            needs_document: a.needs_document,
            in_person: a.in_person,
            on_the_spot: a.on_the_spot,
            document_waived: a.document_waived,
            terms: serde_json::from_str(&a.terms).unwrap_or_default(),
            amount_recovered_fen: a.amount_recovered_fen,
            amount_in_dispute_fen: a.amount_in_dispute_fen,
            particulars: serde_json::from_str(&a.particulars).unwrap_or_default(),
            consumer_confirmed_at: a.consumer_confirmed_at,
            business_confirmed_at: a.business_confirmed_at,
            business_confirmed_via: a.business_confirmed_via,
            document,
        }
    }
}

/// Record the agreement mediation reached (调解协议).
///
/// Station staff, as for accepting. A 调解书 is needed when the mediation was in person, unless
/// the agreement was carried out on the spot or both parties agreed not to have one. Without one
/// the case closes now (outcome `mediated_agreement`) and both parties are mailed the terms; with
/// one, both are mailed the draft to confirm (the business also a single-use confirmation code),
/// and the second confirmation issues it. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe"),
    ),
    request_body = AgreementRequest,
    responses(
        (status = 201, body = AgreementView),
    )
)]
#[post("/cases/{id}/agreement")]
async fn record_agreement(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AgreementRequest, false>,
) -> ApiResult<HttpResponse> {
    let c = station_case(&state, &me, &path).await?;
    let key = idempotency(&req, "agreements", &body.raw)?;
    let now = state.clock.now();
    let b = body.body;
    let mut faults = Faults::of(&b);
    let today = local_date(now);
    for (i, t) in b.terms.iter().enumerate() {
        if t.due_on < today {
            faults.add(format!("terms[{i}].due_on"), "cannot be in the past");
        }
    }
    if b.terms.iter().map(|t| t.amount_fen).sum::<i64>() > MAX_AMOUNT_FEN {
        faults.add(
            "terms",
            "the amounts add up to more than the largest accepted",
        );
    }
    faults.finish()?;
    let actor = Actor::from(&me);
    let new = NewAgreement {
        terms: b.terms,
        amount_recovered_fen: b.amount_recovered_fen,
        amount_in_dispute_fen: b.amount_in_dispute_fen,
        in_person: b.in_person,
        on_the_spot: b.on_the_spot,
        document_waived: b.document_waived,
        particulars: b.particulars,
    };
    create_once(&state.db, key, now, async |txn| {
        let a = outcome::record_agreement(txn, &actor, c, new, now).await?;
        Ok(AgreementView::from(a))
    })
    .await
}

/// The case's agreement and, once issued, its 调解书's number, hash and signature.
///
/// Station staff, as for accepting, and the business's desk.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = AgreementView),
    )
)]
#[get("/cases/{id}/agreement")]
async fn get_agreement(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<AgreementView>> {
    let c = party_view_case(&state, &me, &path).await?;
    Ok(web::Json(outcome::of_case(&state.db, &c.id).await?.into()))
}

/// The issued 调解书 as a PDF.
///
/// Station staff, as for accepting, and the business's desk.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "the PDF", content_type = "application/pdf"),
        (status = 404, description = "no issued document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/agreement/pdf")]
async fn agreement_pdf(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let c = party_view_case(&state, &me, &path).await?;
    let pdf = outcome::of_case(&state.db, &c.id)
        .await?
        .pdf
        .ok_or_else(|| ApiError::not_found("the 调解书 has not been issued"))?;
    Ok(HttpResponse::Ok().content_type("application/pdf").body(pdf))
}

/// A case seen by station staff or by the desk of its business.
async fn party_view_case(state: &AppState, me: &Staff, id: &str) -> ApiResult<case::Model> {
    me.require(&[Role::Mediator, Role::BureauAdmin, Role::EnterpriseAgent])?;
    let c = load_visible(&state.db, me, id).await?;
    if me.role != Role::EnterpriseAgent {
        require_station_staff(me, &c)?;
    }
    Ok(c)
}

/// Confirm the 调解书 for the business, by its desk account.
///
/// The business's desk: an `enterprise_agent` bound to the case's business. The second of the two
/// confirmations issues the document: numbered, rendered as PDF, hashed, signed, the case closed
/// and the PDF mailed to both parties.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = AgreementView),
        (status = 409, description = "already confirmed, or not awaiting confirmation", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "no usable signing key for the bureau", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/agreement/confirm")]
async fn desk_confirm(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<AgreementView>> {
    me.require(&[Role::EnterpriseAgent])?;
    let c = load_visible(&state.db, &me, &path).await?;
    let a = outcome::of_case(&state.db, &c.id).await?;
    confirmed(&state, &a.id, Confirmer::Desk(Actor::from(&me))).await
}

/// Confirm the 调解书 as the complainant.
///
/// The consumer, with `X-Access-Secret`. The second of the two confirmations issues the document.
#[utoipa::path(
    tag = "mediation",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header, description = "the secret issued with the receipt"),
    ),
    responses(
        (status = 200, body = AgreementView),
        (status = 404, description = "unknown receipt or wrong secret, or no agreement", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "no usable signing key for the bureau", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/track/{receipt_number}/agreement/confirm")]
async fn consumer_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<AgreementView>> {
    let c = consumer_case(&state, &req, &path).await?;
    let a = outcome::of_case(&state.db, &c.id).await?;
    confirmed(&state, &a.id, Confirmer::Consumer).await
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct CodeRequest {
    /// The single-use code from the mail to the business.
    #[validate(length(min = 16, max = 128))]
    pub code: String,
}

/// Confirm the 调解书 for the business with the single-use code mailed to it.
///
/// Anyone holding the code (the respondent business); it works once and expires after 30 days.
#[utoipa::path(
    tag = "mediation",
    request_body = CodeRequest,
    responses(
        (status = 200, body = AgreementView),
        (status = 404, description = "unknown or used code", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "expired code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreement-confirmations")]
async fn code_confirm(
    state: web::Data<AppState>,
    body: ApiJson<CodeRequest>,
) -> ApiResult<web::Json<AgreementView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let a = agreement::by_code(&txn, &body.body.code, now).await?;
    let a = agreement::confirm(&txn, &state, &a.id, Confirmer::Code, now).await?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
}

async fn confirmed(
    state: &AppState,
    agreement_id: &str,
    who: Confirmer,
) -> ApiResult<web::Json<AgreementView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let a = agreement::confirm(&txn, state, agreement_id, who, now).await?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// Hex SHA-256 of the PDF you hold.
    sha256: String,
}

/// Check a 调解书 by the SHA-256 of its PDF.
///
/// Anyone. The number goes in the path URL-encoded (`%E5%98%89…`). The answer is 200 with
/// `valid: true` only when the hash is the one issued under that number, the bureau's signature
/// over it verifies and the key is not revoked; otherwise `valid: false` with `reason`
/// (`hash_mismatch`, `key_revoked`, `signature_invalid`). An unknown number is a 404 problem.
#[utoipa::path(
    tag = "mediation",
    params(("number" = String, Path, description = "the document number, URL-encoded"), VerifyQuery),
    responses(
        (status = 200, body = Verification),
    )
)]
#[get("/agreements/{number}/verify")]
async fn verify_by_hash(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<VerifyQuery>,
) -> ApiResult<web::Json<Verification>> {
    let sha = q.sha256.trim();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::field(
            "sha256",
            "must be 64 hexadecimal characters",
        ));
    }
    Ok(web::Json(agreement::verify(&state.db, &path, sha).await?))
}

/// Largest file accepted for verification.
const MAX_PDF_BYTES: usize = 16 * 1024 * 1024;

/// Check a 调解书 by uploading the PDF.
///
/// Anyone. Send the file as the body (`Content-Type: application/pdf`); the answer is as for the
/// check by hash.
#[utoipa::path(
    tag = "mediation",
    params(("number" = String, Path, description = "the document number, URL-encoded")),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses(
        (status = 200, body = Verification),
    )
)]
#[post("/agreements/{number}/verify")]
async fn verify_by_file(
    state: web::Data<AppState>,
    path: web::Path<String>,
    mut payload: web::Payload,
) -> ApiResult<web::Json<Verification>> {
    // Read by hand: a PDF may exceed the JSON body limit.
    let mut hasher = Sha256::new();
    let mut size = 0;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("unreadable_body", e.to_string()))?;
        size += chunk.len();
        if size > MAX_PDF_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "a 调解书 PDF is far smaller than this; check by its SHA-256 instead",
            ));
        }
        hasher.update(&chunk);
    }
    let sha = agreement::hex(&hasher.finalize());
    Ok(web::Json(agreement::verify(&state.db, &path, &sha).await?))
}

#[derive(Serialize, ToSchema)]
pub struct SigningKeyView {
    pub key_id: String,
    pub bureau_code: Option<String>,
    /// Ed25519 public key, base64.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

impl From<signing_key::Model> for SigningKeyView {
    fn from(k: signing_key::Model) -> Self {
        SigningKeyView {
            key_id: k.key_id,
            bureau_code: k.bureau_code,
            public_key: k.public_key,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
            revoked_reason: k.revoked_reason,
        }
    }
}

/// The public keys that sign 调解书, with their revocations.
///
/// Anyone: with these, a document's signature can be checked offline.
#[utoipa::path(tag = "mediation", responses((status = 200, body = Vec<SigningKeyView>)))]
#[get("/signing-keys")]
async fn list_signing_keys(
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<SigningKeyView>>> {
    let keys = signing::all(&state.db).await?;
    Ok(web::Json(keys.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RevokeRequest {
    #[validate(length(min = 2, max = 500))]
    pub reason: String,
}

/// Revoke a signing key: documents it signed no longer verify.
///
/// `system_admin`. Configure a key with a new id to go on issuing.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("key_id" = String, Path)),
    request_body = RevokeRequest,
    responses(
        (status = 200, body = SigningKeyView),
        (status = 409, description = "already revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signing-keys/{key_id}/revoke")]
async fn revoke_signing_key(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RevokeRequest>,
) -> ApiResult<web::Json<SigningKeyView>> {
    me.require(&[Role::SystemAdmin])?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let key = signing::revoke(&txn, &path, &body.body.reason, now).await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "signing_key.revoke",
        None,
        json!({"key_id": key.key_id, "reason": body.body.reason}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(key.into()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct PrefixRequest {
    /// e.g. `嘉市监善调`
    #[validate(length(min = 2, max = 20))]
    pub prefix: String,
}

#[derive(Serialize, ToSchema)]
pub struct PrefixView {
    pub bureau_code: String,
    pub document_prefix: String,
    /// The first number of the current year's series with this prefix.
    pub example: String,
}

/// Set the prefix of the bureau's 调解书 numbers.
///
/// `bureau_admin` of that bureau, or `system_admin`. Without one, the prefix is derived from the
/// county's name (`嘉善市监调`).
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code of the bureau")),
    request_body = PrefixRequest,
    responses(
        (status = 200, body = PrefixView),
    )
)]
#[put("/bureaus/{code}/document-prefix")]
async fn set_document_prefix(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<PrefixRequest>,
) -> ApiResult<web::Json<PrefixView>> {
    me.require(&[Role::BureauAdmin, Role::SystemAdmin])?;
    if me.role != Role::SystemAdmin && me.bureau_code.as_deref() != Some(path.as_str()) {
        return Err(ApiError::forbidden("that bureau is not yours"));
    }
    let prefix = body.body.prefix.trim().to_owned();
    if prefix
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "〔〕第号".contains(c))
    {
        return Err(ApiError::field(
            "prefix",
            "no spaces, and none of 〔〕第号 (the number adds them)",
        ));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let b = bureau::Entity::find_by_id(path.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no bureau {}", path.as_str())))?;
    let mut active: bureau::ActiveModel = b.into();
    active.document_prefix = Set(Some(prefix.clone()));
    active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "bureau.document_prefix",
        None,
        json!({"bureau_code": path.as_str(), "prefix": prefix}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(PrefixView {
        example: document::number(&prefix, local_date(now).year(), 1),
        bureau_code: path.into_inner(),
        document_prefix: prefix,
    }))
}

/// The refusal and termination grounds of a rule set.
///
/// Anyone. `order-20` for cases received up to 2026-04-14, `order-121` from 2026-04-15.
#[utoipa::path(
    tag = "mediation",
    params(("rule_set" = String, Path, example = "order-121")),
    responses(
        (status = 200, body = Grounds),
    )
)]
#[get("/rule-sets/{rule_set}/grounds")]
async fn list_grounds(path: web::Path<String>) -> ApiResult<web::Json<Grounds>> {
    let set = RuleSetId::parse(&path)
        .ok_or_else(|| ApiError::not_found(format!("no rule set {}", path.as_str())))?;
    Ok(web::Json(super::grounds(set).clone()))
}
