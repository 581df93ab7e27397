//! The desk declines to settle: the case goes to the regulator with its history.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::negotiation::{self, Negotiation};
use super::{Error, OdrState, advance, escalate};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::env::Env;

/// Declines at any point before agreement, whoever's turn it is.
pub async fn decline(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    case_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Negotiation, Error> {
    let c = act_on(db, me, case_id, Act::DeskStep).await?;
    advance(
        db,
        &c,
        &[
            OdrState::Negotiating,
            OdrState::Offered,
            OdrState::Countered,
        ],
        OdrState::Escalated,
        now,
    )
    .await?;
    escalate(
        db,
        env,
        &c,
        &format!("企业拒绝和解：{reason}"),
        &Actor::from(me),
        now,
    )
    .await?;
    negotiation::of_case(db, &c.id).await
}
