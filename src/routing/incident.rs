//! Incidents: complaints about one incident filed with bureaus in different cities, linked so the
//! bureaus handle them together, e.g. in a joint video mediation. Every involved bureau reads the
//! incident and the summaries of its cases; personal data stays with each case's own handlers.

use super::joint_session_mode::JointSessionMode;
use std::collections::{BTreeSet, HashSet};

use actix_web::{HttpRequest, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::bureau_name;
use crate::actor::Actor;
use crate::audit;
use crate::cases::{self, access::visible_to};
use crate::entities::{case, incident, incident_case, joint_session};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, FieldError, Role, Staff};
use crate::intake::receipt::normalize_receipt;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_incident)
        .service(get_incident)
        .service(record_session);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewIncident {
    #[validate(length(min = 2, max = 200))]
    #[schema(example = "常州某饭店菜品异物（腌菜）")]
    pub title: String,
    #[validate(length(max = 2000))]
    pub description: Option<String>,
    /// Receipt numbers of the complaints about the incident: at least one of the caller's bureau,
    /// the others as the other bureaus reported them.
    #[validate(length(min = 2, max = 50))]
    pub receipt_numbers: Vec<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewSession {
    /// When the session takes (or took) place.
    pub held_at: DateTime<Utc>,
    pub mode: JointSessionMode,
    /// Where the parties join, for a video link.
    #[validate(length(min = 1, max = 500))]
    pub link: Option<String>,
    /// County codes of the participating bureaus, each involved in the incident.
    #[validate(length(min = 1, max = 20))]
    pub bureau_codes: Vec<String>,
    /// What was agreed, or anything the bureaus should know.
    #[validate(length(max = 2000))]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BureauRef {
    pub code: String,
    pub name: String,
}

/// A linked case as every involved bureau sees it: no personal data.
#[derive(Serialize, ToSchema)]
pub struct IncidentCase {
    pub id: String,
    pub receipt_number: String,
    pub kind: crate::cases::CaseKind,
    pub status: crate::cases::CaseStatus,
    pub category: crate::domain::vocabulary::Category,
    pub received_at: DateTime<Utc>,
    pub bureau_code: String,
    pub station_id: Option<String>,
    pub respondent_name: String,
    pub goods_or_service: String,
    pub occurred_on: Option<NaiveDate>,
    pub dispute_division_code: String,
    pub amount_fen: Option<i64>,
    /// The caller may open this case (`GET /cases/{id}`), personal data included.
    pub yours: bool,
}

#[derive(Serialize, ToSchema)]
pub struct JointSession {
    pub id: String,
    pub held_at: DateTime<Utc>,
    pub mode: JointSessionMode,
    pub link: Option<String>,
    pub bureau_codes: Vec<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<joint_session::Model> for JointSession {
    fn from(s: joint_session::Model) -> Self {
        JointSession {
            mode: s.mode,
            bureau_codes: serde_json::from_str(&s.bureau_codes).unwrap_or_default(),
            id: s.id,
            held_at: s.held_at,
            link: s.link,
            note: s.note,
            recorded_at: s.recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub created_by_bureau_code: String,
    pub created_at: DateTime<Utc>,
    /// The bureaus handling its cases.
    pub bureaus: Vec<BureauRef>,
    pub cases: Vec<IncidentCase>,
    pub sessions: Vec<JointSession>,
}

/// The incident a case is linked to, if any.
pub async fn of_case(db: &impl ConnectionTrait, case_id: &str) -> ApiResult<Option<String>> {
    Ok(incident_case::Entity::find_by_id(case_id.to_owned())
        .one(db)
        .await?
        .map(|l| l.incident_id))
}

async fn linked_cases(db: &impl ConnectionTrait, id: &str) -> ApiResult<Vec<case::Model>> {
    let ids = incident_case::Entity::find()
        .filter(incident_case::Column::IncidentId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.case_id);
    Ok(case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .order_by_asc(case::Column::ReceivedAt)
        .all(db)
        .await?)
}

/// Whether the principal works on one of the cases: its bureau handles one, or its station
/// handles or received one.
fn involved(me: &Staff, cases: &[case::Model]) -> bool {
    match (me.role, &me.bureau_code, &me.station_id) {
        (Role::SystemAdmin, _, _) => true,
        (Role::BureauAdmin | Role::EnforcementOfficer, Some(b), _) => {
            cases.iter().any(|c| &c.bureau_code == b)
        }
        (Role::Mediator, _, Some(s)) => cases.iter().any(|c| {
            c.station_id.as_ref() == Some(s) || c.received_by_station_id.as_ref() == Some(s)
        }),
        _ => false,
    }
}

async fn incident_view(
    db: &impl ConnectionTrait,
    me: &Staff,
    inc: incident::Model,
    cases: Vec<case::Model>,
) -> ApiResult<IncidentView> {
    let yours: HashSet<String> = case::Entity::find()
        .filter(case::Column::Id.is_in(cases.iter().map(|c| c.id.clone())))
        .filter(visible_to(me))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let codes: BTreeSet<&str> = cases.iter().map(|c| c.bureau_code.as_str()).collect();
    let mut bureaus = Vec::with_capacity(codes.len());
    for code in codes {
        bureaus.push(BureauRef {
            code: code.to_owned(),
            name: bureau_name(db, code).await?,
        });
    }
    let sessions = joint_session::Entity::find()
        .filter(joint_session::Column::IncidentId.eq(&inc.id))
        .order_by_asc(joint_session::Column::HeldAt)
        .all(db)
        .await?;
    Ok(IncidentView {
        id: inc.id,
        title: inc.title,
        description: inc.description,
        created_by_bureau_code: inc.created_by_bureau_code,
        created_at: inc.created_at,
        bureaus,
        cases: cases
            .into_iter()
            .map(|c| IncidentCase {
                yours: yours.contains(&c.id),
                id: c.id,
                receipt_number: c.receipt_number,
                kind: c.kind,
                status: c.status,
                category: c.category,
                received_at: c.received_at,
                bureau_code: c.bureau_code,
                station_id: c.station_id,
                respondent_name: c.respondent_name,
                goods_or_service: c.goods_or_service,
                occurred_on: c.occurred_on,
                dispute_division_code: c.dispute_division_code,
                amount_fen: c.amount_fen,
            })
            .collect(),
        sessions: sessions.into_iter().map(JointSession::from).collect(),
    })
}

/// Link complaints about one incident filed in different cities.
///
/// `bureau_admin` with at least one of the cases in its bureau; the other cases are named by the
/// receipt numbers their bureaus reported. 409 `already_in_incident` when a case is linked elsewhere.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
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
    me.require(&[Role::BureauAdmin])?;
    let input = &body.body;
    let mut faults = Vec::new();
    let mut linked = Vec::new();
    for (i, r) in input.receipt_numbers.iter().enumerate() {
        let receipt = normalize_receipt(r);
        let field = format!("receipt_numbers[{i}]");
        if linked
            .iter()
            .any(|c: &case::Model| c.receipt_number == receipt)
        {
            faults.push(FieldError::new(field, "listed twice"));
            continue;
        }
        match case::Entity::find()
            .filter(case::Column::ReceiptNumber.eq(&receipt))
            .one(&state.db)
            .await?
        {
            Some(c) => linked.push(c),
            None => faults.push(FieldError::new(field, "no case has this receipt number")),
        }
    }
    if !faults.is_empty() {
        return Err(ApiError::validation(faults));
    }
    if !linked
        .iter()
        .any(|c| Some(&c.bureau_code) == me.bureau_code.as_ref())
    {
        return Err(ApiError::forbidden(
            "link at least one case of your own bureau",
        ));
    }
    let key = IdempotencyKey::from_request(&req, "incidents", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let ids: Vec<String> = linked.iter().map(|c| c.id.clone()).collect();
        if let Some(l) = incident_case::Entity::find()
            .filter(incident_case::Column::CaseId.is_in(ids))
            .one(txn)
            .await?
        {
            return Err(ApiError::conflict(
                "already_in_incident",
                format!(
                    "case {} is already linked to incident {}",
                    l.case_id, l.incident_id
                ),
            ));
        }
        let inc = incident::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            title: Set(input.title.trim().to_owned()),
            description: Set(input.description.clone()),
            created_by_bureau_code: Set(me.bureau_code.clone().unwrap_or_default()),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        let actor = Actor::from(&me);
        for c in &linked {
            incident_case::ActiveModel {
                case_id: Set(c.id.clone()),
                incident_id: Set(inc.id.clone()),
                linked_at: Set(now),
            }
            .insert(txn)
            .await?;
            cases::journal::append_event(
                txn,
                &c.id,
                "linked_to_incident",
                &actor,
                true,
                json!({"description": "本案与其他地区就同一事件的投诉关联，由相关市场监管部门协同处理", "incident_id": inc.id}),
                now,
            )
            .await?;
            audit::record(
                txn,
                &actor,
                "incident.link",
                Some(&c.id),
                json!({"incident_id": inc.id}),
                now,
            )
            .await?;
        }
        incident_view(txn, &me, inc, linked.clone()).await
    })
    .await
}

async fn load_involved(
    state: &AppState,
    me: &Staff,
    id: &str,
) -> ApiResult<(incident::Model, Vec<case::Model>)> {
    let inc = incident::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no incident {id}")))?;
    let linked = linked_cases(&state.db, id).await?;
    if !involved(me, &linked) {
        return Err(ApiError::forbidden(
            "only staff of the bureaus and stations handling its cases see an incident",
        ));
    }
    Ok((inc, linked))
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
    let (inc, linked) = load_involved(&state, &me, &path).await?;
    Ok(web::Json(incident_view(&state.db, &me, inc, linked).await?))
}

/// Record a joint mediation session of the involved bureaus (online or by video link).
///
/// `bureau_admin` of an involved bureau, or a mediator of a station handling one of the cases.
/// Every linked case gets a timeline entry.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
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
    me.require(&[Role::BureauAdmin, Role::Mediator])?;
    let (inc, linked) = load_involved(&state, &me, &path).await?;
    let input = &body.body;
    let faults: Vec<FieldError> = input
        .bureau_codes
        .iter()
        .enumerate()
        .filter(|(_, code)| !linked.iter().any(|c| &c.bureau_code == *code))
        .map(|(i, _)| {
            FieldError::new(
                format!("bureau_codes[{i}]"),
                "not a bureau handling a case of this incident",
            )
        })
        .collect();
    if !faults.is_empty() {
        return Err(ApiError::validation(faults));
    }
    let key = IdempotencyKey::from_request(&req, "joint_sessions", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let row = joint_session::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            incident_id: Set(inc.id.clone()),
            held_at: Set(input.held_at),
            mode: Set(input.mode),
            link: Set(input.link.clone()),
            bureau_codes: Set(json!(input.bureau_codes).to_string()),
            note: Set(input.note.clone()),
            recorded_at: Set(now),
        }
        .insert(txn)
        .await?;
        let actor = Actor::from(&me);
        let local = input
            .held_at
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d %H:%M");
        for c in &linked {
            cases::journal::append_event(
                txn,
                &c.id,
                "joint_session",
                &actor,
                true,
                json!({"description": format!("跨地区联合调解（{}）：{local}", input.mode.label()), "incident_id": inc.id, "session_id": row.id}),
                now,
            )
            .await?;
            audit::record(
                txn,
                &actor,
                "incident.session",
                Some(&c.id),
                json!({"incident_id": inc.id, "session_id": row.id}),
                now,
            )
            .await?;
        }
        Ok(JointSession::from(row))
    })
    .await
}
