//! After agreement: the desk records that it performed, and the consumer either confirms it (the
//! case closes as settled by the enterprise) or, once the date has passed unperformed, reopens it
//! and the case goes to the regulator.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::negotiation::{self, Negotiation};
use super::{Error, OdrState, advance, consumer_emails, escalate};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::cases::lifecycle::{self, Closure};
use crate::cases::{CaseStatus, Outcome};
use crate::deadlines::local_date;
use crate::entities::{case, odr_offer};
use crate::env::Env;
use crate::mail::{self, Mail};

#[derive(Deserialize, Validate, ToSchema)]
pub struct PerformedRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// The desk records that the agreed settlement was performed; the consumer is asked to confirm.
pub async fn record(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    input: &PerformedRequest,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    let c = act_on(db, me, case_id, Act::DeskStep).await?;
    advance(db, &c, &[OdrState::Agreed], OdrState::Performed, now).await?;
    odr_offer::Entity::update_many()
        .col_expr(odr_offer::Column::PerformedAt, Expr::value(now))
        .filter(odr_offer::Column::Id.eq(c.odr_agreed_offer_id.unwrap_or_default()))
        .exec(db)
        .await?;
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "odr_performed",
            public: true,
            detail: json!({"description": "企业已履行和解协议，待消费者确认", "note": input.note}),
            action: "odr.performed",
            audit: json!({}),
        },
        now,
    )
    .await?;
    let mail = Mail {
        to: consumer_emails(db, &c.id).await?,
        subject: format!("【请确认】投诉 {} 企业称已履行和解协议", c.receipt_number),
        body: format!(
            "被投诉企业称已履行和解协议：{}\n请确认；如未履行，可申请转市场监管部门处理。",
            input.note
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("odr:{}:performed", c.id)), now).await?;
    negotiation::of_case(db, &c.id).await
}

/// The consumer confirms the performance: the case closes as settled by the enterprise, with the
/// agreed amount recovered.
pub async fn confirm(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    advance(db, c, &[OdrState::Performed], OdrState::Settled, now).await?;
    let agreed = odr_offer::Entity::find_by_id(c.odr_agreed_offer_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or(Error::Missing("agreed offer"))?;
    let c = lifecycle::close(
        db,
        env,
        c,
        &[CaseStatus::WithBusiness],
        Closure {
            to: CaseStatus::Closed,
            outcome: Some(Outcome::SettledByEnterprise),
            meets: None,
            reason: None,
            amount_recovered_fen: Some(agreed.amount_fen),
            amount_in_dispute_fen: c.amount_in_dispute_fen,
        },
        now,
    )
    .await?;
    journal::record(
        db,
        &Actor::Consumer,
        &c.id,
        Entry {
            event: "closed",
            public: true,
            detail: json!({"description": "消费者确认企业已履行，投诉以企业和解办结", "outcome": Outcome::SettledByEnterprise}),
            action: "odr.settle",
            audit: json!({"amount_recovered_fen": agreed.amount_fen}),
        },
        now,
    )
    .await?;
    negotiation::of_case(db, &c.id).await
}

/// The consumer reopens a settlement the business did not perform by its date.
pub async fn reopen(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    let agreed = odr_offer::Entity::find_by_id(c.odr_agreed_offer_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or(Error::NoAgreement)?;
    if local_date(now) <= agreed.perform_by {
        return Err(Error::PerformanceNotDue(agreed.perform_by));
    }
    advance(
        db,
        c,
        &[OdrState::Agreed, OdrState::Performed],
        OdrState::Escalated,
        now,
    )
    .await?;
    escalate(
        db,
        env,
        c,
        &format!("和解协议未按期履行：{reason}"),
        &Actor::Consumer,
        now,
    )
    .await?;
    negotiation::of_case(db, &c.id).await
}
