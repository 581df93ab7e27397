//! Offers: the desk proposes terms, or the consumer counters with their own. A new offer
//! supersedes the open one, so at most one offer awaits an answer.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, Set,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::{
    Error, OdrState, OfferKind, OfferParty, OfferStatus, advance, consumer_emails, describe_offer,
};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::deadlines::{DeadlineKind, local_date, sweep};
use crate::domain::faults::Invalid;
use crate::entities::{case, odr_offer};
use crate::mail::{self, Mail};

#[derive(Deserialize, Validate, ToSchema)]
pub struct OfferRequest {
    pub kind: OfferKind,
    /// In fen; 0 for a replacement or repair without payment.
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(deserialize_with = "crate::domain::fen::whole")]
    pub amount_fen: i64,
    /// The date by which the business performs.
    pub perform_by: NaiveDate,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub message: String,
}

impl OfferRequest {
    /// Performance cannot be promised for a day already gone.
    fn check(&self, now: DateTime<Utc>) -> Result<(), Invalid> {
        if self.perform_by < local_date(now) {
            return Err(Invalid::field("perform_by", "cannot be in the past"));
        }
        Ok(())
    }
}

/// The desk makes an offer to the consumer (or a new one after a counter-offer); the first offer
/// is the desk's first response.
pub async fn make(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    o: &OfferRequest,
    now: DateTime<Utc>,
) -> Result<odr_offer::Model, Error> {
    let c = act_on(db, me, case_id, Act::DeskStep).await?;
    o.check(now)?;
    advance(
        db,
        &c,
        &[OdrState::Negotiating, OdrState::Countered],
        OdrState::Offered,
        now,
    )
    .await?;
    if c.odr_first_response_at.is_none() {
        case::Entity::update_many()
            .col_expr(case::Column::OdrFirstResponseAt, Expr::value(now))
            .filter(case::Column::Id.eq(c.id.as_str()))
            .exec(db)
            .await?;
    }
    let offer = record(
        db,
        &c,
        OfferParty::Business,
        Some(me.user_id.clone()),
        o,
        now,
    )
    .await?;
    let text = describe_offer(&offer);
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "odr_offer",
            public: true,
            detail: json!({"description": format!("企业提出和解方案：{text}"), "offer_id": offer.id}),
            action: "odr.offer",
            audit: json!({"offer_id": offer.id}),
        },
        now,
    )
    .await?;
    let mail = Mail {
        to: consumer_emails(db, &c.id).await?,
        subject: format!("【和解方案】投诉 {} 企业提出和解方案", c.receipt_number),
        body: format!(
            "被投诉企业就投诉 {} 提出和解方案：{text}\n请凭受理编号和查询码接受、拒绝或提出您的方案。",
            c.receipt_number
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("odr:offer:{}", offer.id)), now).await?;
    Ok(offer)
}

/// The consumer counters the business's offer (or opens with terms of their own).
pub async fn counter(
    db: &impl ConnectionTrait,
    c: &case::Model,
    o: &OfferRequest,
    now: DateTime<Utc>,
) -> Result<odr_offer::Model, Error> {
    o.check(now)?;
    advance(
        db,
        c,
        &[OdrState::Negotiating, OdrState::Offered],
        OdrState::Countered,
        now,
    )
    .await?;
    let offer = record(db, c, OfferParty::Consumer, None, o, now).await?;
    let text = describe_offer(&offer);
    journal::record(
        db,
        &Actor::Consumer,
        &c.id,
        Entry {
            event: "odr_counter",
            public: true,
            detail: json!({"description": format!("消费者提出方案：{text}"), "offer_id": offer.id}),
            action: "odr.counter",
            audit: json!({"offer_id": offer.id}),
        },
        now,
    )
    .await?;
    let mail = Mail {
        to: sweep::who_must_act(db, c, DeadlineKind::OdrSettlement, now).await?,
        subject: format!("【消费者方案】投诉 {}", c.receipt_number),
        body: format!(
            "消费者就投诉 {} 提出方案：{text}\n请接受或提出新的和解方案。",
            c.receipt_number
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("odr:offer:{}", offer.id)), now).await?;
    Ok(offer)
}

/// Supersedes the open offers of a case and records a new one.
async fn record(
    db: &impl ConnectionTrait,
    c: &case::Model,
    party: OfferParty,
    made_by: Option<String>,
    o: &OfferRequest,
    now: DateTime<Utc>,
) -> Result<odr_offer::Model, Error> {
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Superseded),
        )
        .filter(odr_offer::Column::CaseId.eq(c.id.as_str()))
        .filter(odr_offer::Column::Status.eq(OfferStatus::Open))
        .exec(db)
        .await?;
    Ok(odr_offer::ActiveModel {
        id: NotSet,
        case_id: Set(c.id.clone()),
        party: Set(party),
        kind: Set(o.kind),
        amount_fen: Set(o.amount_fen),
        perform_by: Set(o.perform_by),
        message: Set(o.message.trim().into()),
        status: Set(OfferStatus::Open),
        made_by: Set(made_by),
        created_at: Set(now),
        answered_at: Set(None),
        performed_at: Set(None),
    }
    .insert(db)
    .await?)
}
