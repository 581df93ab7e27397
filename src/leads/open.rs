//! Opening a lead from a complaint (诉转案 / 诉转抽 / 诉转监): one per complaint, by its handling
//! staff; the competent bureau's enforcement officers are told by mail and verification runs 15
//! working days.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, NotSet, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::view::{Identity, LeadView, view};
use super::{Error, LeadKind, LeadStatus};
use crate::accounts::mailboxes::{self, Unit};
use crate::actor::{Actor, Role, Staff};
use crate::cases::CaseKind;
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::deadlines::{self, DeadlineKind};
use crate::domain::text::single_line;
use crate::entities::lead;
use crate::env::Env;
use crate::mail::{self, Mail};

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewLead {
    pub kind: LeadKind,
    /// The act that may break the law.
    #[validate(length(min = 5, max = 2000))]
    #[schema(min_length = 5, max_length = 2000)]
    pub act: String,
    pub act_on: Option<NaiveDate>,
    #[validate(length(max = 300), custom(function = "single_line"))]
    #[schema(max_length = 300)]
    pub place: Option<String>,
    #[validate(length(max = 200), custom(function = "single_line"))]
    #[schema(max_length = 200)]
    pub goods_or_service: Option<String>,
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(default, deserialize_with = "crate::domain::fen::whole_or_none")]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub evidence: Vec<String>,
    /// The legal basis the station suggests.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub suggested_basis: Option<String>,
}

pub async fn open(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    n: &NewLead,
    now: DateTime<Utc>,
) -> Result<LeadView, Error> {
    let c = act_on(db, me, case_id, Act::StationStep).await?;
    if c.kind != CaseKind::Complaint {
        return Err(Error::NotAComplaint);
    }
    if super::read::of_case(db, &c.id).await?.is_some() {
        return Err(Error::Exists);
    }
    let l = lead::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        bureau_code: Set(c.bureau_code.clone()),
        kind: Set(n.kind),
        status: Set(LeadStatus::Sent),
        act: Set(n.act.clone()),
        act_on: Set(n.act_on),
        place: Set(n.place.clone()),
        goods_or_service: Set(n
            .goods_or_service
            .clone()
            .or(Some(c.goods_or_service.clone()))),
        amount_fen: Set(n.amount_fen.or(c.amount_fen)),
        evidence: Set(json!(n.evidence).to_string()),
        suggested_basis: Set(n.suggested_basis.clone()),
        mediation_outcome: Set(c.outcome),
        handling_station_id: Set(c.station_id.clone()),
        created_by: Set(me.user_id.clone()),
        created_at: Set(now),
        accepted_by: Set(None),
        accepted_at: Set(None),
        decision: Set(None),
        decision_reason: Set(None),
        decided_at: Set(None),
        result: Set(None),
        result_at: Set(None),
        escalated_at: Set(None),
    }
    .insert(db)
    .await?;
    deadlines::open(
        db,
        env,
        &c.id,
        c.rule_set,
        DeadlineKind::ClueVerification,
        now,
    )
    .await?;
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "lead_sent",
            public: false,
            detail: json!({"lead_id": l.id, "kind": l.kind}),
            action: "lead.create",
            audit: json!({"lead_id": l.id}),
        },
        now,
    )
    .await?;
    let officers =
        mailboxes::of(db, Role::EnforcementOfficer, Unit::Bureau(&c.bureau_code)).await?;
    let mail = Mail {
        to: officers,
        subject: format!("【诉转案线索】来源投诉 {}", c.receipt_number),
        body: format!(
            "收到一条违法线索：{}\n被投诉人：{}\n请在15个工作日内核查并作出是否立案的决定。",
            l.act, c.respondent_name
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("lead:{}:sent", l.id)), now).await?;
    view(db, l, Identity::Withheld).await
}
