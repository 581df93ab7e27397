//! Who mediates: assignment within the station, recusal (an application suspends the case through
//! the clock-stop mechanism until the bureau decides), delegation to a consumer association acting in
//! the bureau's name, and the respondent's contact for notices.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use super::{notify, recipients, sessions};
use crate::actor::{Actor, Staff};
use crate::audit;
use crate::cases::PartyRole;
use crate::cases::access::{Act, act_on};
use crate::cases::journal::Entry;
use crate::cases::{self, CaseStatus};
use crate::deadlines::PauseReason;
use crate::deadlines::pauses;
use crate::domain::text::single_line;
use crate::entities::{case, case_pause, party};
use crate::env::Env;

/// The side of a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Complainant,
    Respondent,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Complainant => "投诉人",
            Side::Respondent => "被投诉人",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecusalDecision {
    /// The mediator steps aside; another mediator of the station takes over.
    Granted,
    /// The mediator stays.
    Rejected,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct AssignRequest {
    /// An active mediator of the case's station.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub mediator_id: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RecusalRequest {
    /// The party applying.
    pub applicant: Side,
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RecusalDecisionRequest {
    pub decision: RecusalDecision,
    /// Required when granted: another mediator of the station.
    pub new_mediator_id: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct DelegationRequest {
    /// e.g. 嘉善县消费者权益保护委员会
    #[validate(length(min = 2, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 200)]
    pub organisation: String,
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub mediator_name: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RespondentContactRequest {
    /// The business's contact person for this case.
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[validate(length(min = 5, max = 30), custom(function = "single_line"))]
    #[schema(min_length = 5, max_length = 30)]
    pub phone: Option<String>,
    #[validate(email)]
    #[schema(format = Email)]
    pub email: String,
}

const OPEN: &[CaseStatus] = &[CaseStatus::Accepted, CaseStatus::InMediation];

fn ensure_open(c: &case::Model) -> Result<(), Error> {
    if OPEN.contains(&c.status) {
        Ok(())
    } else {
        Err(Error::NotInMediation(
            c.status,
            "only an accepted case is mediated",
        ))
    }
}

/// Makes `mediator` (already checked to be of the station) the case's mediator. Sessions the
/// previous mediator had scheduled are cancelled and the parties told.
async fn set_mediator(
    db: &impl ConnectionTrait,
    c: case::Model,
    mediator_id: &str,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let previous = c.mediator_id.clone();
    let mut active: case::ActiveModel = c.into();
    active.mediator_id = Set(Some(mediator_id.to_owned()));
    active.updated_at = Set(now);
    let c = active.update(db).await?;
    if previous.as_deref().is_some_and(|p| p != mediator_id) {
        sessions::cancel_scheduled(db, &c, "调解员更换", now).await?;
    }
    Ok(c)
}

/// Station staff assign the case's mediator (not while a recusal is pending).
pub async fn assign(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    input: &AssignRequest,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let actor = &Actor::from(me);
    let mediator_id = input.mediator_id.as_str();
    if c.status.is_final() {
        return Err(Error::Closed(c.status));
    }
    super::ensure_not_suspended(db, &c).await?;
    let mediator = super::station_mediator(db, &c, mediator_id)
        .await?
        .ok_or_else(|| {
            Error::field(
                "mediator_id",
                "no active mediator of the case's station has this id",
            )
        })?;
    let c = set_mediator(db, c, &mediator.id, now).await?;
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "mediator_assigned",
            public: true,
            detail: json!({"description": format!("调解员：{}", mediator.display_name), "mediator_id": mediator.id}),
            action: "case.assign_mediator",
            audit: json!({"mediator_id": mediator.id}),
        },
        now,
    )
    .await?;
    Ok(c)
}

/// A party applies for the mediator's recusal: the case is suspended (clocks stopped, reason
/// `recusal`) until the bureau decides.
pub async fn apply_recusal(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    input: &RecusalRequest,
    now: DateTime<Utc>,
) -> Result<case_pause::Model, Error> {
    let c = &act_on(db, me, case_id, Act::StationStep).await?;
    let actor = &Actor::from(me);
    let (applicant, reason) = (input.applicant, input.reason.as_str());
    ensure_open(c)?;
    if c.mediator_id.is_none() {
        return Err(Error::NoMediator(
            "no mediator is assigned to this case yet",
        ));
    }
    let note = json!({"applicant": applicant, "reason": reason, "mediator_id": c.mediator_id});
    let pause = pauses::start(
        db,
        env,
        &c.id,
        PauseReason::Recusal,
        Some(note.to_string()),
        actor,
        now,
    )
    .await?;
    audit::record(
        db,
        actor,
        "case.recusal_apply",
        Some(&c.id),
        json!({"pause_id": pause.id, "applicant": applicant}),
        now,
    )
    .await?;
    let to = recipients(db, c).await?;
    notify(
        db,
        &to.all(),
        &format!("【案件中止】{} 回避申请", c.receipt_number),
        &format!(
            "{}申请调解员回避（受理编号 {}）。回避申请决定前案件中止，办理时限暂停计算；如更换调解员，原定调解会取消并另行通知。",
            applicant.label(),
            c.receipt_number
        ),
        &[],
        &format!("recusal:{}:applied", pause.id),
        now,
    )
    .await?;
    Ok(pause)
}

/// The bureau decides a pending recusal application: granted → another mediator of the station,
/// rejected → the same one. Either way the suspension ends.
pub async fn decide_recusal(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    input: &RecusalDecisionRequest,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let c = act_on(db, me, case_id, Act::BureauDecision).await?;
    let actor = &Actor::from(me);
    let (decision, new_mediator_id) = (input.decision, input.new_mediator_id.as_deref());
    let pause = pauses::running(db, &c.id)
        .await?
        .filter(|p| p.reason == PauseReason::Recusal)
        .ok_or_else(|| Error::NoRecusalPending)?;
    let replacement = match (decision, new_mediator_id) {
        (RecusalDecision::Granted, None) => {
            return Err(Error::field(
                "new_mediator_id",
                "required when the recusal is granted",
            ));
        }
        (RecusalDecision::Granted, Some(id)) => {
            let m = super::station_mediator(db, &c, id)
                .await?
                .filter(|m| Some(&m.id) != c.mediator_id.as_ref())
                .ok_or_else(|| {
                    Error::field(
                        "new_mediator_id",
                        "must be another active mediator of the case's station",
                    )
                })?;
            Some(m)
        }
        (RecusalDecision::Rejected, _) => None,
    };
    let pause_id = pause.id;
    pauses::end(db, env, pause, actor, now).await?;
    let c = match &replacement {
        Some(m) => set_mediator(db, c, &m.id, now).await?,
        None => c,
    };
    let description = match &replacement {
        Some(m) => format!(
            "回避申请已准许，更换调解员为{}，案件恢复办理",
            m.display_name
        ),
        None => "回避申请已驳回，案件恢复办理".to_owned(),
    };
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "recusal_decided",
            public: true,
            detail: json!({"description": description, "decision": decision, "mediator_id": c.mediator_id}),
            action: "case.recusal_decide",
            audit: json!({"pause_id": pause_id, "decision": decision, "mediator_id": c.mediator_id}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    notify(
        db,
        &to.all(),
        &format!("【回避申请决定】{}", c.receipt_number),
        &format!(
            "关于受理编号 {} 的回避申请：{description}。",
            c.receipt_number
        ),
        &[],
        &format!("recusal:{pause_id}:decided"),
        now,
    )
    .await?;
    Ok(c)
}

/// Delegates mediation to a consumer association (or another lawful mediator) acting in the
/// bureau's name; only when the consumer accepted that at intake.
pub async fn delegate(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    input: &DelegationRequest,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    let actor = &Actor::from(me);
    let (organisation, mediator_name) = (input.organisation.trim(), input.mediator_name.trim());
    ensure_open(&c)?;
    super::ensure_not_suspended(db, &c).await?;
    if !c.accept_delegated_mediation {
        return Err(Error::DelegationNotAccepted);
    }
    let mut active: case::ActiveModel = c.into();
    active.delegate_organisation = Set(Some(organisation.to_owned()));
    active.delegate_mediator = Set(Some(mediator_name.to_owned()));
    active.updated_at = Set(now);
    let c = active.update(db).await?;
    let bureau = crate::routing::bureau_name(db, &c.bureau_code).await?;
    let description = format!("委托{organisation}以{bureau}名义调解，调解员{mediator_name}");
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "mediation_delegated",
            public: true,
            detail: json!({"description": description, "organisation": organisation, "mediator": mediator_name}),
            action: "case.delegate",
            audit: json!({"organisation": organisation, "mediator": mediator_name}),
        },
        now,
    )
    .await?;
    let to = recipients(db, &c).await?;
    notify(
        db,
        &to.all(),
        &format!("【委托调解】{}", c.receipt_number),
        &format!("受理编号 {} 的投诉：{description}。", c.receipt_number),
        &[],
        &format!("delegated:{}", c.id),
        now,
    )
    .await?;
    Ok(c)
}

/// Records (or replaces) how the respondent is reached for this case's notices.
pub async fn set_respondent_contact(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    input: &RespondentContactRequest,
    now: DateTime<Utc>,
) -> Result<party::Model, Error> {
    let c = &act_on(db, me, case_id, Act::StationStep).await?;
    let actor = &Actor::from(me);
    let (name, phone, email) = (input.name.trim(), input.phone.clone(), input.email.trim());
    let existing = party::Entity::find()
        .filter(party::Column::CaseId.eq(&c.id))
        .filter(party::Column::Role.eq(PartyRole::Respondent))
        .one(db)
        .await?;
    let contact = match existing {
        Some(p) => {
            let mut active: party::ActiveModel = p.into();
            active.name = Set(name.to_owned());
            active.phone = Set(phone);
            active.email = Set(Some(email.to_owned()));
            active.update(db).await?
        }
        None => {
            let last = party::Entity::find()
                .filter(party::Column::CaseId.eq(&c.id))
                .order_by_desc(party::Column::Position)
                .one(db)
                .await?
                .map_or(0, |p| p.position + 1);
            party::ActiveModel {
                id: NotSet,
                case_id: Set(c.id.clone()),
                role: Set(PartyRole::Respondent),
                position: Set(last),
                name: Set(name.to_owned()),
                phone: Set(phone),
                email: Set(Some(email.to_owned())),
                address: Set(None),
                id_type: Set(None),
                id_number: Set(None),
            }
            .insert(db)
            .await?
        }
    };
    cases::journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "respondent_contact_set",
            public: false,
            detail: json!({"name": name, "email": email}),
            action: "case.respondent_contact",
            audit: json!({"party_id": contact.id}),
        },
        now,
    )
    .await?;
    Ok(contact)
}
