//! Answers to an open offer: the other side accepts it (the case is agreed and the settlement
//! deadline met), or the consumer rejects the business's offer and the case goes to the regulator.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::negotiation::{self, Negotiation};
use super::{Error, OdrState, OfferParty, OfferStatus, advance, describe_offer, escalate};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::deadlines::{self, DeadlineKind};
use crate::entities::{case, odr_offer};
use crate::env::Env;

/// The desk accepts the consumer's counter-offer.
pub async fn accept_counter(
    db: &impl ConnectionTrait,
    me: &Staff,
    case_id: &str,
    offer_id: i64,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    let c = act_on(db, me, case_id, Act::DeskStep).await?;
    let offer = open_offer(db, &c, offer_id, OfferParty::Consumer).await?;
    agree(db, &c, &offer, OdrState::Countered, &Actor::from(me), now).await?;
    negotiation::of_case(db, &c.id).await
}

/// The consumer accepts the business's offer.
pub async fn accept(
    db: &impl ConnectionTrait,
    c: &case::Model,
    offer_id: i64,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    let offer = open_offer(db, c, offer_id, OfferParty::Business).await?;
    agree(db, c, &offer, OdrState::Offered, &Actor::Consumer, now).await?;
    negotiation::of_case(db, &c.id).await
}

/// The consumer rejects the business's last offer: the case goes to the regulator with its
/// history.
pub async fn reject(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    offer_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    let offer = open_offer(db, c, offer_id, OfferParty::Business).await?;
    advance(db, c, &[OdrState::Offered], OdrState::Escalated, now).await?;
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Rejected),
        )
        .col_expr(odr_offer::Column::AnsweredAt, Expr::value(now))
        .filter(odr_offer::Column::Id.eq(offer.id))
        .exec(db)
        .await?;
    escalate(
        db,
        env,
        c,
        &format!("消费者拒绝和解方案：{reason}"),
        &Actor::Consumer,
        now,
    )
    .await?;
    negotiation::of_case(db, &c.id).await
}

/// The open offer `id` of the case made by `party`, the only kind that can be answered.
async fn open_offer(
    db: &impl ConnectionTrait,
    c: &case::Model,
    id: i64,
    party: OfferParty,
) -> Result<odr_offer::Model, Error> {
    odr_offer::Entity::find_by_id(id)
        .filter(odr_offer::Column::CaseId.eq(c.id.as_str()))
        .filter(odr_offer::Column::Party.eq(party))
        .filter(odr_offer::Column::Status.eq(OfferStatus::Open))
        .one(db)
        .await?
        .ok_or(Error::OfferNotOpen)
}

/// Marks the offer accepted and the case agreed; the settlement deadline is met.
async fn agree(
    db: &impl ConnectionTrait,
    c: &case::Model,
    offer: &odr_offer::Model,
    from: OdrState,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    advance(db, c, &[from], OdrState::Agreed, now).await?;
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Accepted),
        )
        .col_expr(odr_offer::Column::AnsweredAt, Expr::value(now))
        .filter(odr_offer::Column::Id.eq(offer.id))
        .exec(db)
        .await?;
    case::Entity::update_many()
        .col_expr(case::Column::OdrAgreedOfferId, Expr::value(offer.id))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(db)
        .await?;
    deadlines::store::complete(db, &c.id, DeadlineKind::OdrSettlement, now).await?;
    journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "odr_agreed",
            public: true,
            detail: json!({"description": format!("双方达成和解：{}", describe_offer(offer)), "offer_id": offer.id}),
            action: "odr.agree",
            audit: json!({"offer_id": offer.id}),
        },
        now,
    )
    .await?;
    Ok(())
}
