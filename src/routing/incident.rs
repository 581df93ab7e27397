//! Incidents: complaints about one incident filed with bureaus in different cities, linked so the
//! bureaus handle them together, e.g. in a joint video mediation. Every involved bureau reads the
//! incident and the summaries of its cases; personal data stays with each case's own handlers.

use super::joint_session_mode::JointSessionMode;
use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::registry::bureau_name;
use crate::actor::{Actor, Role, Staff};
use crate::cases::access::{self, visible_to};
use crate::cases::journal::{self, Entry};
use crate::domain::faults::{FieldError, Invalid, failure};
use crate::entities::{case, incident, incident_case, joint_session};
use crate::intake::receipt::normalize_receipt;

/// What can go wrong with an incident.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("link at least one case of your own bureau")]
    NoCaseOfYours,
    #[error("case {case_id} is already linked to incident {incident_id}")]
    AlreadyLinked {
        case_id: String,
        incident_id: String,
    },
    #[error("no incident {0}")]
    NotFound(String),
    #[error("only staff of the bureaus and stations handling its cases see an incident")]
    NotInvolved,
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoCaseOfYours => Forbidden, "forbidden";
    Error::NotInvolved => Forbidden, "forbidden";
    Error::AlreadyLinked { .. } => Conflict, "already_in_incident";
    Error::NotFound(_) => NotFound, "not_found";
} passes [Access, Invalid, Db]);

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
pub async fn of_case(db: &impl ConnectionTrait, case_id: &str) -> Result<Option<String>, DbErr> {
    Ok(incident_case::Entity::find_by_id(case_id.to_owned())
        .one(db)
        .await?
        .map(|l| l.incident_id))
}

async fn linked_cases(db: &impl ConnectionTrait, id: &str) -> Result<Vec<case::Model>, DbErr> {
    let ids = incident_case::Entity::find()
        .filter(incident_case::Column::IncidentId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.case_id);
    case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .order_by_asc(case::Column::ReceivedAt)
        .all(db)
        .await
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
) -> Result<IncidentView, DbErr> {
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

/// A new incident, as the bureau linking it describes it.
pub struct NewIncident<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    /// Receipt numbers of the complaints about the incident: at least one of the caller's bureau.
    pub receipt_numbers: &'a [String],
}

/// Links complaints about one incident filed in different cities: a bureau admin with at least
/// one of the cases in its bureau; a case is linked to one incident at most.
pub async fn create(
    db: &impl ConnectionTrait,
    staff: &Staff,
    input: NewIncident<'_>,
    now: DateTime<Utc>,
) -> Result<IncidentView, Error> {
    staff.require(&[Role::BureauAdmin])?;
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
            .one(db)
            .await?
        {
            Some(c) => linked.push(c),
            None => faults.push(FieldError::new(field, "no case has this receipt number")),
        }
    }
    if !faults.is_empty() {
        return Err(Invalid(faults).into());
    }
    if !linked
        .iter()
        .any(|c| Some(&c.bureau_code) == staff.bureau_code.as_ref())
    {
        return Err(Error::NoCaseOfYours);
    }
    let ids: Vec<String> = linked.iter().map(|c| c.id.clone()).collect();
    if let Some(l) = incident_case::Entity::find()
        .filter(incident_case::Column::CaseId.is_in(ids))
        .one(db)
        .await?
    {
        return Err(Error::AlreadyLinked {
            case_id: l.case_id,
            incident_id: l.incident_id,
        });
    }
    let inc = incident::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        title: Set(input.title.trim().to_owned()),
        description: Set(input.description.map(str::to_owned)),
        created_by_bureau_code: Set(staff.bureau_code.clone().unwrap_or_default()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let actor = Actor::from(staff);
    for c in &linked {
        incident_case::ActiveModel {
            case_id: Set(c.id.clone()),
            incident_id: Set(inc.id.clone()),
            linked_at: Set(now),
        }
        .insert(db)
        .await?;
        journal::record(
            db,
            &actor,
            &c.id,
            Entry {
                event: "linked_to_incident",
                public: true,
                detail: json!({"description": "本案与其他地区就同一事件的投诉关联，由相关市场监管部门协同处理", "incident_id": inc.id}),
                action: "incident.link",
                audit: json!({"incident_id": inc.id}),
            },
            now,
        )
        .await?;
    }
    Ok(incident_view(db, staff, inc, linked).await?)
}

async fn load_involved(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
) -> Result<(incident::Model, Vec<case::Model>), Error> {
    let inc = incident::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(id.to_owned()))?;
    let linked = linked_cases(db, id).await?;
    if !involved(me, &linked) {
        return Err(Error::NotInvolved);
    }
    Ok((inc, linked))
}

/// Incident `id` with the summaries of its cases and its joint sessions, for staff involved in it.
pub async fn visible(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
) -> Result<IncidentView, Error> {
    let (inc, linked) = load_involved(db, staff, id).await?;
    Ok(incident_view(db, staff, inc, linked).await?)
}

/// A joint mediation session of the involved bureaus.
pub struct NewSession<'a> {
    pub held_at: DateTime<Utc>,
    pub mode: JointSessionMode,
    /// Where the parties join, for a video link.
    pub link: Option<&'a str>,
    /// County codes of the participating bureaus, each involved in the incident.
    pub bureau_codes: &'a [String],
    pub note: Option<&'a str>,
}

/// Who records a joint session (of an incident they are involved in).
pub const JOINT_SESSION_ROLES: &[Role] = &[Role::BureauAdmin, Role::Mediator];

/// Records a joint session of incident `id`: a bureau admin of an involved bureau or a mediator
/// of a station handling one of its cases. Every linked case gets a timeline entry.
pub async fn record_session(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    input: NewSession<'_>,
    now: DateTime<Utc>,
) -> Result<JointSession, Error> {
    staff.require(JOINT_SESSION_ROLES)?;
    let (inc, linked) = load_involved(db, staff, id).await?;
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
        return Err(Invalid(faults).into());
    }
    let row = joint_session::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        incident_id: Set(inc.id.clone()),
        held_at: Set(input.held_at),
        mode: Set(input.mode),
        link: Set(input.link.map(str::to_owned)),
        bureau_codes: Set(json!(input.bureau_codes).to_string()),
        note: Set(input.note.map(str::to_owned)),
        recorded_at: Set(now),
    }
    .insert(db)
    .await?;
    let actor = Actor::from(staff);
    let local = input
        .held_at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M");
    for c in &linked {
        journal::record(
            db,
            &actor,
            &c.id,
            Entry {
                event: "joint_session",
                public: true,
                detail: json!({"description": format!("跨地区联合调解（{}）：{local}", input.mode.label()), "incident_id": inc.id, "session_id": row.id}),
                action: "incident.session",
                audit: json!({"incident_id": inc.id, "session_id": row.id}),
            },
            now,
        )
        .await?;
    }
    Ok(JointSession::from(row))
}
